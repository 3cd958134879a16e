package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"gorm.io/gorm"
)

// SecretPrefix starts every token's secret, so a leaked one is easy to
// recognise (secret scanners, logs). The rest is lower-case base32
// (a–z, 2–7): no underscore, so a token's prefix never reads like a
// column name in the history, and nothing a URL or a shell would mangle.
const SecretPrefix = "jk-"

// ExpiryDays are the lifetimes a user may pick.
var ExpiryDays = []int{7, 30, 90, 180, 365}

// DefaultExpiryDays is the lifetime the form proposes.
const DefaultExpiryDays = 90

// TouchEvery is how often a token's last-used time is written at most.
const TouchEvery = time.Minute

// Errors a request's token can fail with; the API tells them apart only
// in its log, the client gets one 401.
var (
	ErrUnknown  = errors.New("token unknown")
	ErrExpired  = errors.New("token expired")
	ErrRevoked  = errors.New("token revoked")
	ErrDisabled = errors.New("token's user disabled")
)

// Users loads the user a token belongs to, fresh on every request.
type Users interface {
	UserByID(ctx context.Context, id uint) (*org.User, error)
}

// Service creates, lists, revokes and checks tokens.
type Service struct {
	store *Store
	users Users
	enf   *authz.Enforcer
	now   func() time.Time
}

// NewService returns the tokens service; now nil is time.Now.
func NewService(st *Store, users Users, enf *authz.Enforcer, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, users: users, enf: enf, now: func() time.Time { return now().UTC() }}
}

// Store is the service's store (the API's idempotency keys live there).
func (s *Service) Store() *Store { return s.store }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Input is the creation form.
type Input struct {
	Name       string
	ExpiryDays int
	ReadOnly   bool
}

// Validate checks the form, returning field errors (i18n ids).
func (in *Input) Validate() apperr.Fields {
	f := apperr.Fields{}
	in.Name = textnorm.Line(in.Name)
	if in.Name == "" {
		f.Add("name", "v.required")
	} else if utf8.RuneCountInString(in.Name) > 100 {
		f.Add("name", "api.token.v.name_long")
	}
	ok := false
	for _, d := range ExpiryDays {
		ok = ok || d == in.ExpiryDays
	}
	if !ok {
		f.Add("expiry_days", "api.token.v.expiry")
	}
	return f
}

// Hash is the stored form of a secret.
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return SecretPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Create makes a token for actor and returns it with its secret, which
// is shown once and never stored.
func (s *Service) Create(ctx context.Context, actor authz.Subject, in Input) (*Token, string, error) {
	if err := in.Validate().Err(); err != nil {
		return nil, "", err
	}
	secret := newSecret()
	now := s.now()
	t := &Token{UserID: actor.ID, Name: in.Name, Prefix: secret[:10], TokenHash: Hash(secret), ReadOnly: in.ReadOnly,
		ExpiresAt: now.AddDate(0, 0, in.ExpiryDays), CreatedAt: now}
	err := s.store.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := &Store{db: tx}
		if err := st.Create(ctx, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.ID, "api_token", t.ID, audit.ActionCreate, audit.Diff(nil, t))
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// Mine lists actor's own tokens, newest first.
func (s *Service) Mine(ctx context.Context, actor authz.Subject) ([]Token, error) {
	return s.store.List(ctx, actor.ID, 200)
}

// All lists everyone's tokens (user:manage), newest first.
func (s *Service) All(ctx context.Context, actor authz.Subject) ([]Token, error) {
	if !s.enf.CanRoute(actor, "user", "manage") {
		return nil, apperr.ErrForbidden
	}
	return s.store.List(ctx, 0, 500)
}

// Revoke ends a token at once: one's own, or anyone's for an admin
// (user:manage). Someone else's token is a 404 to anyone else.
func (s *Service) Revoke(ctx context.Context, actor authz.Subject, id uint) error {
	t, err := s.store.ByID(ctx, id)
	if err != nil {
		return err
	}
	if t.UserID != actor.ID && !s.enf.CanRoute(actor, "user", "manage") {
		return fmt.Errorf("token %d: %w", id, apperr.ErrNotFound)
	}
	before := *t
	now := s.now()
	return s.store.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := (&Store{db: tx}).Revoke(ctx, id, actor.ID, now); err != nil {
			return err
		}
		after := before
		after.RevokedAt, after.RevokedBy = &now, &actor.ID
		return audit.Record(ctx, tx, actor.ID, "api_token", id, "revoke", audit.Diff(&before, &after))
	})
}

// Authenticate finds the token of a secret and its user, read fresh: a
// revoked or expired token, or one whose user is disabled, fails at once.
// The last-used time is written at most once per TouchEvery.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Token, authz.Subject, error) {
	if !strings.HasPrefix(secret, SecretPrefix) || len(secret) > 200 {
		return nil, authz.Subject{}, ErrUnknown
	}
	t, err := s.store.ByHash(ctx, Hash(secret))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, authz.Subject{}, ErrUnknown
	}
	if err != nil {
		return nil, authz.Subject{}, err
	}
	now := s.now()
	switch {
	case t.RevokedAt != nil:
		return nil, authz.Subject{}, ErrRevoked
	case !now.Before(t.ExpiresAt):
		return nil, authz.Subject{}, ErrExpired
	}
	u, err := s.users.UserByID(ctx, t.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, authz.Subject{}, ErrDisabled
	}
	if err != nil {
		return nil, authz.Subject{}, err
	}
	if u.Disabled {
		return nil, authz.Subject{}, ErrDisabled
	}
	if err := s.store.Touch(ctx, t.ID, now, TouchEvery); err != nil {
		return nil, authz.Subject{}, err
	}
	return t, u.Subject(), nil
}

// SeedDemo gives the demo account manager a read-only token (so the
// settings page and /api/docs have something to show) and returns its
// secret for the start-up banner; "" when the user has tokens already.
func (s *Service) SeedDemo(ctx context.Context, actor authz.Subject) (string, error) {
	mine, err := s.Mine(ctx, actor)
	if err != nil || len(mine) > 0 {
		return "", err
	}
	_, secret, err := s.Create(ctx, actor, Input{Name: "数据仓库（演示）", ExpiryDays: 365, ReadOnly: true})
	return secret, err
}
