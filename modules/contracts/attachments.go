package contracts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// BlobStore keeps the bytes of attachments by key. The default, DBBlobs,
// keeps them in the database, so every app instance on it sees them and a
// backup holds them; an S3-compatible store can replace it. Put may be
// called inside a database transaction: a store that cannot take part in
// it must make Delete undo Put, which the service calls when the
// transaction fails, so nothing is left behind.
type BlobStore interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// DBBlobs is the BlobStore in the contract_files table. Its writes join
// ctx's transaction, so a failed upload rolls its bytes back with it.
type DBBlobs struct{ db *gorm.DB }

// NewDBBlobs returns the database blob store on d.
func NewDBBlobs(d *gorm.DB) *DBBlobs { return &DBBlobs{db: d} }

// Put stores data under key.
func (b *DBBlobs) Put(ctx context.Context, key string, data []byte) error {
	f := File{Key: key, Data: data, SizeBytes: int64(len(data))}
	if err := db.Conn(ctx, b.db).Create(&f).Error; err != nil {
		return fmt.Errorf("store file %s: %w", key, err)
	}
	return nil
}

// Get reads the bytes stored under key.
func (b *DBBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	var f File
	if err := db.Conn(ctx, b.db).Where("file_key = ?", key).First(&f).Error; err != nil {
		return nil, db.NotFound(err, "file "+key)
	}
	return f.Data, nil
}

// Delete removes the bytes under key (nothing if there are none).
func (b *DBBlobs) Delete(ctx context.Context, key string) error {
	return db.Conn(ctx, b.db).Where("file_key = ?", key).Delete(&File{}).Error
}

// AttachmentTypes are the kinds of file a contract accepts, by the type
// sniffed from the content (never from the name).
var AttachmentTypes = map[string]string{
	"application/pdf": ".pdf",
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
}

// sniff returns the file's type from its first bytes.
func sniff(data []byte) string {
	t := http.DetectContentType(data)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	// DetectContentType says application/pdf only for "%PDF-".
	if t == "application/pdf" && !bytes.HasPrefix(data, []byte("%PDF-")) {
		return "application/octet-stream"
	}
	return t
}

// cleanName keeps a file name to show and send back: no directories, no
// control characters, at most 200 characters, the extension of the
// sniffed type.
func cleanName(name, ctype string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	ext := AttachmentTypes[ctype]
	base := strings.TrimSuffix(name, filepath.Ext(name))
	if base == "" || base == "." || base == "/" {
		base = "attachment"
	}
	for utf8.RuneCountInString(base) > 200 {
		r := []rune(base)
		base = string(r[:200])
	}
	return base + ext
}

func newKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// Upload attaches a file to a contract the actor may write: a PDF, JPEG
// or PNG (by content) of at most MaxAttachmentBytes. The bytes and the
// record are written in one transaction with the audit entry; if any of
// it fails, nothing is kept.
func (s *Service) Upload(ctx context.Context, actor authz.Subject, id uint, name string, data []byte) (*Attachment, error) {
	c, _, err := s.load(ctx, actor, id, ActAttach)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, apperr.Fields{"file": "contracts.v.file_empty"}
	}
	if int64(len(data)) > s.opts.MaxAttachmentBytes {
		return nil, apperr.Fields{"file": "contracts.v.file_too_large"}
	}
	ctype := sniff(data)
	if _, ok := AttachmentTypes[ctype]; !ok {
		return nil, apperr.Fields{"file": "contracts.v.file_type"}
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	a := &Attachment{ContractID: c.Root(), BlobKey: key, FileName: cleanName(name, ctype), ContentType: ctype,
		SizeBytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), UploadedBy: actor.ID, CreatedAt: s.now()}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.opts.Blobs.Put(ctx, key, data); err != nil {
			return err
		}
		if err := s.store.CreateAttachment(ctx, a); err != nil {
			return err
		}
		return s.record(ctx, actor.ID, c, "attachment_add", c.Status, a.FileName, audit.Diff(nil, a))
	})
	if err != nil {
		// A store outside the database cannot roll back with it.
		if derr := s.opts.Blobs.Delete(context.WithoutCancel(ctx), key); derr != nil {
			s.opts.Logger.Warn("remove the bytes of a failed upload", "key", key, "err", derr)
		}
		return nil, err
	}
	return a, nil
}

// attachmentOf loads an attachment of contract id after checking act on
// the contract; another contract's attachment is a 404.
func (s *Service) attachmentOf(ctx context.Context, actor authz.Subject, id, attID uint, act Action) (*Contract, *Attachment, error) {
	c, _, err := s.load(ctx, actor, id, act)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.Attachment(ctx, attID)
	if err != nil {
		return nil, nil, err
	}
	if a.ContractID != c.Root() {
		return nil, nil, fmt.Errorf("attachment %d of contract %d: %w", attID, id, apperr.ErrNotFound)
	}
	return c, a, nil
}

// Download returns an attachment and its bytes to someone who may read
// the contract.
func (s *Service) Download(ctx context.Context, actor authz.Subject, id, attID uint) (*Attachment, []byte, error) {
	_, a, err := s.attachmentOf(ctx, actor, id, attID, ActRead)
	if err != nil {
		return nil, nil, err
	}
	data, err := s.opts.Blobs.Get(ctx, a.BlobKey)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, fmt.Errorf("attachment %d bytes: %w", attID, apperr.ErrNotFound)
	}
	return a, data, err
}

// DeleteAttachment removes an attachment from the contract (soft: the
// record stays with who deleted it, and the audit trail says so).
func (s *Service) DeleteAttachment(ctx context.Context, actor authz.Subject, id, attID uint) error {
	c, a, err := s.attachmentOf(ctx, actor, id, attID, ActAttach)
	if err != nil {
		return err
	}
	return db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.DeleteAttachment(ctx, a.ID, actor.ID, s.now()); err != nil {
			return err
		}
		return s.record(ctx, actor.ID, c, "attachment_delete", c.Status, a.FileName,
			map[string]audit.Change{"file_name": {From: a.FileName, To: nil}, "attachment_id": {From: a.ID, To: nil}})
	})
}
