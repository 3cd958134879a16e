package tokens

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// Store is the only caller of GORM for tokens.
type Store struct{ db *gorm.DB }

// NewStore returns a store on d.
func NewStore(d *gorm.DB) *Store { return &Store{db: d} }

// DB is the store's database handle (transactions, audit).
func (s *Store) DB() *gorm.DB { return s.db }

// Create inserts t.
func (s *Store) Create(ctx context.Context, t *Token) error {
	if err := db.Conn(ctx, s.db).Create(t).Error; err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

// ByHash finds the token whose secret hashes to hash.
func (s *Store) ByHash(ctx context.Context, hash string) (*Token, error) {
	var t Token
	err := db.Conn(ctx, s.db).Where("token_hash = ?", hash).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("token: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return &t, nil
}

// ByID loads one token.
func (s *Store) ByID(ctx context.Context, id uint) (*Token, error) {
	var t Token
	err := db.Conn(ctx, s.db).Where("id = ?", id).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("token %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("token %d: %w", id, err)
	}
	return &t, nil
}

// List returns the tokens of userID (0: everyone's), newest first, at
// most limit.
func (s *Store) List(ctx context.Context, userID uint, limit int) ([]Token, error) {
	q := db.Conn(ctx, s.db).Order("created_at DESC, id DESC").Limit(limit)
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	var out []Token
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// Revoke marks a live token revoked; an already revoked one is a conflict.
func (s *Store) Revoke(ctx context.Context, id, by uint, now time.Time) error {
	res := db.Conn(ctx, s.db).Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": now, "revoked_by": by})
	if res.Error != nil {
		return fmt.Errorf("revoke token %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("revoke token %d: %w", id, apperr.ErrConflict)
	}
	return nil
}

// Touch records that a token was used at now, only when the last recorded
// use is older than every (one write per token per interval, not one per
// request).
func (s *Store) Touch(ctx context.Context, id uint, now time.Time, every time.Duration) error {
	err := db.Conn(ctx, s.db).Model(&Token{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, now.Add(-every)).
		Update("last_used_at", now).Error
	if err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// Idempotent returns the stored answer for (token, key), or
// apperr.ErrNotFound.
func (s *Store) Idempotent(ctx context.Context, tokenID uint, key string) (*Idempotent, error) {
	var r Idempotent
	err := db.Conn(ctx, s.db).Where("token_id = ? AND idem_key = ?", tokenID, key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("idempotency key: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	return &r, nil
}

// ClaimIdempotent inserts a placeholder (status 0) for (token, key); a
// concurrent or earlier claim makes it apperr.ErrConflict. The primary key
// decides, so two instances never both run the create.
func (s *Store) ClaimIdempotent(ctx context.Context, r *Idempotent) error {
	err := db.Conn(ctx, s.db).Exec(`INSERT INTO api_idempotency
(token_id, idem_key, request_hash, status, content_type, location, etag, body, created_at)
VALUES (?, ?, ?, 0, '', '', '', '', ?) ON CONFLICT (token_id, idem_key) DO NOTHING`,
		r.TokenID, r.IdemKey, r.RequestHash, r.CreatedAt)
	if err.Error != nil {
		return fmt.Errorf("claim idempotency key: %w", err.Error)
	}
	if err.RowsAffected == 0 {
		return fmt.Errorf("idempotency key taken: %w", apperr.ErrConflict)
	}
	return nil
}

// FinishIdempotent stores the answer of a claimed key.
func (s *Store) FinishIdempotent(ctx context.Context, r *Idempotent) error {
	err := db.Conn(ctx, s.db).Model(&Idempotent{}).Where("token_id = ? AND idem_key = ?", r.TokenID, r.IdemKey).
		Updates(map[string]any{"status": r.Status, "content_type": r.ContentType, "location": r.Location,
			"etag": r.Etag, "body": r.Body}).Error
	if err != nil {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}

// ReleaseIdempotent forgets a claimed key whose request failed on our side
// (a 5xx), so that a retry runs again.
func (s *Store) ReleaseIdempotent(ctx context.Context, tokenID uint, key string) error {
	err := db.Conn(ctx, s.db).Where("token_id = ? AND idem_key = ? AND status = 0", tokenID, key).Delete(&Idempotent{}).Error
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// PruneIdempotent deletes stored answers older than before.
func (s *Store) PruneIdempotent(ctx context.Context, before time.Time) (int64, error) {
	res := db.Conn(ctx, s.db).Where("created_at < ?", before).Delete(&Idempotent{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", res.Error)
	}
	return res.RowsAffected, nil
}
