package org

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"golang.org/x/crypto/bcrypt"
)

// Sign-in outcomes the login page explains to the user.
var (
	ErrBadCredentials = errors.New("wrong username or password")
	ErrLocked         = errors.New("account temporarily locked")
	ErrDisabled       = errors.New("account disabled")
)

// Lockout policy: after MaxFailures wrong passwords in a row the account
// is locked for LockDuration, whoever is trying.
const (
	MaxFailures  = 10
	LockDuration = 15 * time.Minute
)

// Service holds the organisation's rules: sign-in, sessions, users, teams.
type Service struct {
	store      *Store
	log        *slog.Logger
	sessionTTL time.Duration
	bcryptCost int
	now        func() time.Time
	dummyHash  []byte
}

// Options configures a Service.
type Options struct {
	SessionTTL time.Duration
	// BcryptCost defaults to bcrypt.DefaultCost; tests lower it.
	BcryptCost int
	Logger     *slog.Logger
	// Now is the clock (tests move it to expire locks and sessions).
	Now func() time.Time
}

// NewService returns a Service over store.
func NewService(store *Store, o Options) *Service {
	if o.BcryptCost == 0 {
		o.BcryptCost = bcrypt.DefaultCost
	}
	if o.SessionTTL == 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	// Comparing against a dummy hash for unknown users keeps the response
	// time the same, so usernames cannot be probed by timing.
	dummy, _ := bcrypt.GenerateFromPassword([]byte("dummy-password-1"), o.BcryptCost)
	return &Service{store: store, log: o.Logger, sessionTTL: o.SessionTTL, bcryptCost: o.BcryptCost, now: o.Now, dummyHash: dummy}
}

// Store exposes the store (for the demo seeder and the CLI).
func (s *Service) Store() *Store { return s.store }

// HashPassword hashes pw with bcrypt.
func (s *Service) HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.bcryptCost)
	return string(h), err
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// LoginResult is a successful sign-in.
type LoginResult struct {
	Token string
	User  *User
}

// Login checks the password and opens a session. Errors are
// ErrBadCredentials, ErrLocked (with LockedUntil on the user) or
// ErrDisabled; the last is reported only to someone who knows the password.
func (s *Service) Login(ctx context.Context, username, password, ip, ua string) (*LoginResult, *time.Time, error) {
	now := s.now()
	u, err := s.store.UserByUsername(ctx, username)
	if errors.Is(err, apperr.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return nil, nil, ErrBadCredentials
	}
	if err != nil {
		return nil, nil, err
	}
	if u.Locked(now) {
		return nil, u.LockedUntil, ErrLocked
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		failures := u.FailedLogins + 1
		var until *time.Time
		if failures >= MaxFailures {
			t := now.Add(LockDuration)
			until, failures = &t, 0
		}
		err := s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.RecordLoginFailure(ctx, u.ID, failures, until); err != nil {
				return err
			}
			if until != nil {
				return audit.Record(ctx, tx.DB(), 0, "user", u.ID, audit.ActionLock, map[string]audit.Change{
					"locked_until": {To: until.Format(time.RFC3339)},
				})
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if until != nil {
			s.log.Warn("account locked after repeated failures", "user", u.Username, "ip", ip)
			return nil, until, ErrLocked
		}
		return nil, nil, ErrBadCredentials
	}
	if u.Disabled {
		return nil, nil, ErrDisabled
	}
	token := web.RandomToken(32)
	sess := &Session{
		ID: hashToken(token), UserID: u.ID, CSRFToken: web.RandomToken(32),
		IP: truncate(ip, 64), UserAgent: truncate(ua, 255),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.sessionTTL),
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return tx.RecordLoginSuccess(ctx, u.ID, now)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("open session: %w", err)
	}
	return &LoginResult{Token: token, User: u}, nil, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Authenticate resolves a session cookie to its user. Sessions of disabled
// users, and expired ones, are refused. The expiry slides, written at most
// once a minute to spare the database; Renewed on the session tells the
// caller to extend the cookie too.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, *User, error) {
	if token == "" {
		return nil, nil, apperr.ErrUnauthenticated
	}
	now := s.now()
	sess, u, err := s.store.ActiveSession(ctx, hashToken(token), now)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil, apperr.ErrUnauthenticated
	}
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now, now.Add(s.sessionTTL)); err != nil {
			s.log.Warn("touch session", "err", err)
		} else {
			sess.Renewed = true
		}
	}
	return sess, u, nil
}

// SessionTTL is how long an idle session lives.
func (s *Service) SessionTTL() time.Duration { return s.sessionTTL }

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(token))
}

// ChangePassword changes the caller's own password after checking the
// current one, and signs out their other sessions.
func (s *Service) ChangePassword(ctx context.Context, userID uint, sessionToken, current, next, confirm string) error {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		f.Add("current", "v.password_wrong")
	}
	if msg := PasswordProblem(next); msg != "" {
		f.Add("password", msg)
	} else if next == current {
		f.Add("password", "v.password_same")
	}
	if next != confirm {
		f.Add("confirm", "v.password_mismatch")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, u, next, hashToken(sessionToken))
}

func (s *Service) setPassword(ctx context.Context, actorID uint, u *User, pw, keepSession string) error {
	hash, err := s.HashPassword(pw)
	if err != nil {
		return err
	}
	before := *u
	now := s.now()
	u.PasswordHash, u.PasswordChangedAt, u.UpdatedBy = hash, &now, &actorID
	u.FailedLogins, u.LockedUntil = 0, nil
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID, keepSession); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "user", u.ID, audit.ActionReset, audit.Diff(&before, u))
	})
}

// SetLang stores the caller's language.
func (s *Service) SetLang(ctx context.Context, userID uint, lang string) error {
	if i18n.Normalize(lang) == "" {
		return apperr.Fields{"lang": "v.invalid"}
	}
	return s.store.SetLang(ctx, userID, i18n.Normalize(lang))
}

// --- administration (admin only; the routes require user:manage)

// checkOrg completes and checks the team/branch of a user input.
func (s *Service) checkOrg(ctx context.Context, in *UserInput, f apperr.Fields) error {
	switch in.Role {
	case authz.RoleAccountManager, authz.RoleChiefRep:
		if in.TeamID == 0 {
			return nil
		}
		t, err := s.store.TeamByID(ctx, in.TeamID)
		if errors.Is(err, apperr.ErrNotFound) {
			f.Add("team_id", "v.team_required")
			return nil
		}
		if err != nil {
			return err
		}
		if !t.Active {
			f.Add("team_id", "v.team_inactive")
		}
		in.BranchID = t.BranchID
	case authz.RoleDirector:
		in.TeamID = 0
		if in.BranchID == 0 {
			return nil
		}
		if _, err := s.store.BranchByID(ctx, in.BranchID); errors.Is(err, apperr.ErrNotFound) {
			f.Add("branch_id", "v.branch_required")
		} else if err != nil {
			return err
		}
	case authz.RoleAdmin:
		in.TeamID, in.BranchID = 0, 0
	}
	return nil
}

// CreateUser adds a user.
func (s *Service) CreateUser(ctx context.Context, actorID uint, in UserInput) (*User, error) {
	in.Normalize()
	f := in.Validate(true)
	if err := s.checkOrg(ctx, &in, f); err != nil {
		return nil, err
	}
	if in.Username != "" {
		taken, err := s.store.UsernameTaken(ctx, in.Username, 0)
		if err != nil {
			return nil, err
		}
		if taken {
			f.Add("username", "v.username_taken")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := s.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{
		Username: in.Username, Name: in.Name, Email: in.Email, Phone: in.Phone, Role: in.Role,
		TeamID: ptr(in.TeamID), BranchID: ptr(in.BranchID), Lang: in.Lang, PasswordHash: hash,
		CreatedBy: ptr(actorID), UpdatedBy: ptr(actorID),
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "user", u.ID, audit.ActionCreate, audit.Diff(nil, u))
	})
	if errors.Is(err, apperr.ErrConflict) {
		return nil, apperr.Fields{"username": "v.username_taken"}
	}
	return u, err
}

// UpdateUser edits a user; in.Version must be the version the admin read.
func (s *Service) UpdateUser(ctx context.Context, actorID, id uint, in UserInput) (*User, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	f := in.Validate(false)
	if err := s.checkOrg(ctx, &in, f); err != nil {
		return nil, err
	}
	if taken, err := s.store.UsernameTaken(ctx, in.Username, id); err != nil {
		return nil, err
	} else if taken {
		f.Add("username", "v.username_taken")
	}
	if id == actorID && in.Role != u.Role {
		f.Add("role", "v.own_role")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version != u.Version {
		return nil, fmt.Errorf("user %d edited by someone else: %w", id, apperr.ErrConflict)
	}
	before := *u
	u.Username, u.Name, u.Email, u.Phone, u.Role = in.Username, in.Name, in.Email, in.Phone, in.Role
	u.TeamID, u.BranchID, u.Lang, u.UpdatedBy = ptr(in.TeamID), ptr(in.BranchID), in.Lang, ptr(actorID)
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveUser(ctx, u); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "user", u.ID, audit.ActionUpdate, audit.Diff(&before, u))
	})
	return u, err
}

// SetDisabled disables or re-enables a user. Disabling ends every session
// of theirs in the same transaction, so it takes effect at once.
func (s *Service) SetDisabled(ctx context.Context, actorID, id uint, disabled bool, version int) error {
	if id == actorID && disabled {
		return apperr.Fields{"user": "v.disable_self"}
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if version != 0 && version != u.Version {
		return fmt.Errorf("user %d: %w", id, apperr.ErrConflict)
	}
	if u.Disabled == disabled {
		return nil
	}
	before := *u
	u.Disabled, u.UpdatedBy = disabled, ptr(actorID)
	action := audit.ActionEnable
	if disabled {
		action = audit.ActionDisable
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveUser(ctx, u); err != nil {
			return err
		}
		if disabled {
			if err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx.DB(), actorID, "user", u.ID, action, audit.Diff(&before, u))
	})
}

// ResetPassword sets a new password for a user (admin) and signs them out.
func (s *Service) ResetPassword(ctx context.Context, actorID, id uint, pw string) error {
	if msg := PasswordProblem(pw); msg != "" {
		return apperr.Fields{"password": msg}
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	return s.setPassword(ctx, actorID, u, pw, "")
}

// ResetPasswordByName is ResetPassword for the command line.
func (s *Service) ResetPasswordByName(ctx context.Context, username, pw string) error {
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	return s.ResetPassword(ctx, 0, u.ID, pw)
}

// DisableByName is SetDisabled for the command line.
func (s *Service) DisableByName(ctx context.Context, username string) error {
	u, err := s.store.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	return s.SetDisabled(ctx, 0, u.ID, true, 0)
}

// SaveTeam creates (id 0) or edits a team. The leader must be an enabled
// chief rep of the same branch.
func (s *Service) SaveTeam(ctx context.Context, actorID, id uint, in TeamInput) (*Team, error) {
	f := in.Validate()
	if in.BranchID != 0 {
		if _, err := s.store.BranchByID(ctx, in.BranchID); errors.Is(err, apperr.ErrNotFound) {
			f.Add("branch_id", "v.branch_required")
		} else if err != nil {
			return nil, err
		}
		if taken, err := s.store.TeamNameTaken(ctx, in.BranchID, in.Name, id); err != nil {
			return nil, err
		} else if taken {
			f.Add("name", "v.team_name_taken")
		}
	}
	if in.LeaderID != 0 {
		l, err := s.store.UserByID(ctx, in.LeaderID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
		if l == nil || l.Role != authz.RoleChiefRep || l.Disabled || deref(l.BranchID) != in.BranchID {
			f.Add("leader_id", "v.leader")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if id == 0 {
		t := &Team{BranchID: in.BranchID, Name: in.Name, LeaderID: ptr(in.LeaderID), Active: true, CreatedBy: ptr(actorID), UpdatedBy: ptr(actorID)}
		err := s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.CreateTeam(ctx, t); err != nil {
				return err
			}
			return audit.Record(ctx, tx.DB(), actorID, "team", t.ID, audit.ActionCreate, audit.Diff(nil, t))
		})
		return t, err
	}
	t, err := s.store.TeamByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Version != t.Version {
		return nil, fmt.Errorf("team %d: %w", id, apperr.ErrConflict)
	}
	if t.BranchID != in.BranchID {
		if n, err := s.store.CountActiveMembers(ctx, id); err != nil {
			return nil, err
		} else if n > 0 {
			return nil, apperr.Fields{"branch_id": "v.team_move_members"}
		}
	}
	before := *t
	t.BranchID, t.Name, t.LeaderID, t.UpdatedBy = in.BranchID, in.Name, ptr(in.LeaderID), ptr(actorID)
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveTeam(ctx, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "team", t.ID, audit.ActionUpdate, audit.Diff(&before, t))
	})
	return t, err
}

// SetTeamActive disables or re-enables a team. A team with enabled members
// cannot be disabled: they would be left without a team.
func (s *Service) SetTeamActive(ctx context.Context, actorID, id uint, active bool) error {
	t, err := s.store.TeamByID(ctx, id)
	if err != nil {
		return err
	}
	if t.Active == active {
		return nil
	}
	if !active {
		n, err := s.store.CountActiveMembers(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Fields{"team": "v.team_has_members"}
		}
	}
	before := *t
	t.Active, t.UpdatedBy = active, ptr(actorID)
	action := audit.ActionEnable
	if !active {
		action = audit.ActionDisable
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveTeam(ctx, t); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "team", t.ID, action, audit.Diff(&before, t))
	})
}

// SaveBranch creates (id 0) or edits a branch.
func (s *Service) SaveBranch(ctx context.Context, actorID, id uint, in BranchInput) (*Branch, error) {
	f := in.Validate()
	if in.Code != "" {
		if taken, err := s.store.BranchCodeTaken(ctx, in.Code, id); err != nil {
			return nil, err
		} else if taken {
			f.Add("code", "v.branch_code_taken")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if id == 0 {
		b := &Branch{Code: in.Code, Name: in.Name, CreatedBy: ptr(actorID), UpdatedBy: ptr(actorID)}
		err := s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.CreateBranch(ctx, b); err != nil {
				return err
			}
			return audit.Record(ctx, tx.DB(), actorID, "branch", b.ID, audit.ActionCreate, audit.Diff(nil, b))
		})
		return b, err
	}
	b, err := s.store.BranchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Version != b.Version {
		return nil, fmt.Errorf("branch %d: %w", id, apperr.ErrConflict)
	}
	before := *b
	b.Code, b.Name, b.UpdatedBy = in.Code, in.Name, ptr(actorID)
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveBranch(ctx, b); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "branch", b.ID, audit.ActionUpdate, audit.Diff(&before, b))
	})
	return b, err
}
