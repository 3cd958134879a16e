package tabular

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Staging keeps an import's checked upload between the dry run and the
// commit, so the user does not pick the file twice: the dry run Puts the
// file under a random token, the page carries the token and the
// extension in hidden fields, and the commit Opens it again. A file is
// named by its uploader's id and the token, so another user's token opens
// nothing; it is private to the process (0600 in a 0700 folder), read at
// most once (Close removes it) and removed after TTL by the next Put.
//
// It lives here, beside the Gate, because it is the other half of every
// import's plumbing and both importers already take their reader from
// this package.
type Staging struct {
	dir string
	// TTL is how long a staged file waits for its commit.
	TTL time.Duration
}

// DefaultStagingTTL is how long a staged upload waits for its commit.
const DefaultStagingTTL = time.Hour

// Errors of Staging.Open. ErrStagedToken is a malformed request (a 400);
// ErrStagedGone is a file that is no longer there (expired, already
// committed, or another user's token), which the page words as "upload
// the file again".
var (
	ErrStagedToken = errors.New("tabular: malformed staging token or extension")
	ErrStagedGone  = errors.New("tabular: staged upload is gone")
	// ErrStagedTooLarge: Put was given more than its limit.
	ErrStagedTooLarge = errors.New("tabular: staged upload over its limit")
)

// stagingToken is what Put hands out (and what Open accepts): URL-safe
// base64 of 24 random bytes, with some slack for older tokens.
var stagingToken = regexp.MustCompile(`^[A-Za-z0-9_-]{20,64}$`)

// NewStaging stages into dir (created on first Put, mode 0700). An
// importer passes its own folder under os.TempDir(), so that two
// importers' files never meet.
func NewStaging(dir string) *Staging {
	return &Staging{dir: dir, TTL: DefaultStagingTTL}
}

// NewTempStaging stages into os.TempDir()/name.
func NewTempStaging(name string) *Staging {
	return NewStaging(filepath.Join(os.TempDir(), name))
}

// validExt is an extension the readers take.
func validExt(ext string) bool { return ext == ".csv" || ext == ".xlsx" }

// path names a staged file; callers have checked token and ext.
func (s *Staging) path(userID uint, token, ext string) string {
	return filepath.Join(s.dir, fmt.Sprintf("%d-%s%s", userID, token, ext))
}

// Put copies r (at most max bytes; 0 means no limit) into a new staged
// file of userID with extension ext (".csv" or ".xlsx", any case) and
// returns its token. Files older than TTL are removed first. A copy that
// fails or goes over max leaves no file behind.
func (s *Staging) Put(userID uint, ext string, r io.Reader, max int64) (token string, err error) {
	ext = strings.ToLower(ext)
	if !validExt(ext) {
		return "", ErrStagedToken
	}
	s.clean()
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return "", fmt.Errorf("stage upload: %w", err)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("stage upload: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	path := s.path(userID, token, ext)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("stage upload: %w", err)
	}
	src := r
	if max > 0 {
		src = io.LimitReader(r, max+1)
	}
	n, err := io.Copy(f, src)
	if err == nil && max > 0 && n > max {
		err = ErrStagedTooLarge
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("stage upload: %w", err)
	}
	return token, nil
}

// Staged is a staged upload opened for the commit: read it as an
// io.ReaderAt of Size bytes; Close removes it, so a token commits once.
type Staged struct {
	*os.File
	Size int64
}

// Close closes and removes the staged file.
func (f *Staged) Close() error {
	err := f.File.Close()
	if rerr := os.Remove(f.Name()); err == nil && !errors.Is(rerr, os.ErrNotExist) {
		err = rerr
	}
	return err
}

// Open opens userID's staged upload token with extension ext: a
// malformed token or extension is ErrStagedToken; a file that is not
// there, or older than TTL, ErrStagedGone. The caller Closes it, which
// removes it.
func (s *Staging) Open(userID uint, token, ext string) (*Staged, error) {
	if !stagingToken.MatchString(token) || !validExt(ext) {
		return nil, ErrStagedToken
	}
	path := s.path(userID, token, ext)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrStagedGone
	}
	if err != nil {
		return nil, fmt.Errorf("open staged upload: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open staged upload: %w", err)
	}
	staged := &Staged{File: f, Size: st.Size()}
	if s.expired(st) {
		_ = staged.Close()
		return nil, ErrStagedGone
	}
	return staged, nil
}

// expired says whether a staged file has waited longer than TTL. File
// ages are the file system's (system clock) times, not the service's.
func (s *Staging) expired(st os.FileInfo) bool {
	return time.Since(st.ModTime()) > s.TTL
}

// clean removes staged files older than TTL.
func (s *Staging) clean() {
	entries, _ := os.ReadDir(s.dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && s.expired(info) {
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}
