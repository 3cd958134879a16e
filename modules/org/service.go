package org

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"golang.org/x/crypto/bcrypt"
)

// Sign-in outcomes the login page explains to the user. There is no
// "locked" outcome: a network that must wait is told ErrBadCredentials,
// exactly like a wrong password or an unknown name.
var (
	ErrBadCredentials = errors.New("wrong username or password")
	ErrDisabled       = errors.New("account disabled")
)

// Sign-in throttling. Wrong passwords are counted per account name, both
// from anywhere (AllNetworks) and per network (an IPv4 /24 or IPv6 /64).
// The first FreeFailures in a row cost nothing. After that, each further
// failure makes the network it came from wait Delay(n) before its next
// try (2, 4, 8 … seconds, at most MaxDelay), n being the larger of the
// two counts. Only the offending network waits: the owner signing in from
// anywhere else is not slowed, so a stranger can lock nobody out, and a
// guesser spread over many networks gets one try per network before the
// delay reaches them too. While a network waits, its attempts are
// answered exactly like a wrong password. Counts live in the database
// (several instances share them) and are forgotten ThrottleMemory after
// the last failure, on a successful sign-in (that network and the
// account-wide count), or when the password is reset.
const (
	FreeFailures   = 5
	MaxDelay       = 15 * time.Minute
	ThrottleMemory = 24 * time.Hour
	// AllNetworks is the IPRange of an account's count from anywhere.
	AllNetworks = "*"
	// ActionThrottled is the audit action written when an account's
	// failures first reach the point where delays begin.
	ActionThrottled = "sign_in_throttled"
)

// PreSessionTTL is how long the sign-in page stays usable without reload.
const PreSessionTTL = 12 * time.Hour

// Delay is how long a network waits after the n-th wrong password in a
// row: nothing up to FreeFailures, then 2^(n-FreeFailures) seconds, at
// most MaxDelay.
func Delay(n int) time.Duration {
	k := n - FreeFailures
	switch {
	case k <= 0:
		return 0
	case k >= 20:
		return MaxDelay
	}
	return min(time.Duration(1<<k)*time.Second, MaxDelay)
}

// IPRange is the network an address is throttled by: its /24 for IPv4,
// its /64 for IPv6 (one household, office or cloud host usually owns
// that much). An unparsable address is "unknown".
func IPRange(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return "unknown"
	}
	a = a.Unmap().WithZone("")
	bits := 64
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return "unknown"
	}
	return p.String()
}

// accountKey is how a typed user name is stored in login_throttles: the
// SHA-256 of its lower-case form, so that names which do not exist (often
// a password typed into the wrong box) are never stored in clear.
func accountKey(username string) string {
	return hashToken(strings.ToLower(strings.TrimSpace(username)))
}

// Service holds the organisation's rules: sign-in, sessions, users, teams.
type Service struct {
	store      *Store
	log        *slog.Logger
	sessionTTL time.Duration
	bcryptCost int
	now        func() time.Time
	dummyHash  []byte
	notify     NotifyFunc
	revoke     func(ctx context.Context, userID uint) error
	// bg tracks the reports of attacks, sent after the response.
	bg sync.WaitGroup
}

// NotifyFunc tells users something in the portal: msgID is an i18n
// message id, args its arguments, link a local path to act on it.
type NotifyFunc func(ctx context.Context, userIDs []uint, msgID string, args map[string]string, link string) error

// Options configures a Service.
type Options struct {
	SessionTTL time.Duration
	// BcryptCost defaults to bcrypt.DefaultCost; tests lower it.
	BcryptCost int
	Logger     *slog.Logger
	// Now is the clock (tests move it to expire locks and sessions).
	Now func() time.Time
	// Notify tells the account owner and the admins when wrong passwords
	// for an account start being slowed down (nil: only the log and the
	// audit trail say so). It is called after the response, never with a
	// password.
	Notify NotifyFunc
	// OnCredentialsRevoked is called after a user's password was reset by
	// an admin or changed by themselves, and after the user was disabled
	// or re-enabled: other modules revoke the credentials they issued
	// (calendar feed tokens, API tokens). An error is returned to the
	// caller; the call is idempotent, so retrying the action completes it.
	OnCredentialsRevoked func(ctx context.Context, userID uint) error
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
	// Comparing against a dummy hash for unknown users, and for networks
	// that must wait, keeps the response time the same, so neither can be
	// told from a wrong password by timing.
	dummy, _ := bcrypt.GenerateFromPassword([]byte("dummy-password-1"), o.BcryptCost)
	return &Service{store: store, log: o.Logger, sessionTTL: o.SessionTTL, bcryptCost: o.BcryptCost, now: o.Now,
		dummyHash: dummy, notify: o.Notify, revoke: o.OnCredentialsRevoked}
}

// Wait blocks until the reports of attacks sent in the background are
// out (tests, and a clean shutdown).
func (s *Service) Wait() { s.bg.Wait() }

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

// Login checks the password and opens a session for a sign-in from ip.
// Errors are ErrBadCredentials (wrong password, unknown name, or a
// network that must wait: indistinguishable by design) or ErrDisabled,
// which is reported only to someone who typed the right password. Every
// path does the same queries and one bcrypt comparison.
func (s *Service) Login(ctx context.Context, username, password, ip, ua string) (*LoginResult, error) {
	now := s.now()
	account, network := accountKey(username), IPRange(ip)
	u, err := s.store.UserByUsername(ctx, username)
	if errors.Is(err, apperr.ErrNotFound) {
		u = nil
	} else if err != nil {
		return nil, err
	}
	rows, err := s.store.Throttles(ctx, account, AllNetworks, network)
	if err != nil {
		return nil, err
	}
	if rows[network].Blocks(now) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		s.log.Info("sign-in refused: the network must wait", "user", knownName(u), "ip", ip,
			"ip_range", network, "until", rows[network].BlockedUntil.Format(time.RFC3339))
		return nil, ErrBadCredentials
	}
	hash := s.dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil {
		return nil, s.recordFailure(ctx, u, account, network, ip, rows, now)
	}
	if u.Disabled {
		return nil, ErrDisabled
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
		if err := tx.RecordLoginSuccess(ctx, u.ID, now); err != nil {
			return err
		}
		// The owner proved the password from here: forget this network's
		// failures and the account-wide streak. Other networks keep
		// theirs, so a guesser is not given a fresh start.
		return tx.ClearThrottles(ctx, account, AllNetworks, network)
	})
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	return &LoginResult{Token: token, User: u}, nil
}

// knownName is the user name to log: a name that matches no account may
// be a password typed into the wrong box, so it is never logged.
func knownName(u *User) string {
	if u == nil {
		return "(no such account)"
	}
	return u.Username
}

// recordFailure counts a wrong password for the account and the network
// in one transaction, makes the network wait once the count is past
// FreeFailures, and reports the account's owner and the admins the first
// time that happens. It returns ErrBadCredentials.
func (s *Service) recordFailure(ctx context.Context, u *User, account, network, ip string, rows map[string]*LoginThrottle, now time.Time) error {
	var all, here *LoginThrottle
	err := s.store.Tx(ctx, func(tx *Store) error {
		var stale []string
		for n, r := range rows {
			if now.Sub(r.LastFailureAt) >= ThrottleMemory {
				stale = append(stale, n)
			}
		}
		if len(stale) > 0 {
			if err := tx.ClearThrottles(ctx, account, stale...); err != nil {
				return err
			}
		}
		var err error
		if all, err = tx.BumpThrottle(ctx, account, AllNetworks, now); err != nil {
			return err
		}
		if here, err = tx.BumpThrottle(ctx, account, network, now); err != nil {
			return err
		}
		if d := Delay(max(all.Failures, here.Failures)); d > 0 {
			until := now.Add(d)
			here.BlockedUntil = &until
			return tx.BlockThrottle(ctx, here.ID, until)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record sign-in failure: %w", err)
	}
	if here.BlockedUntil != nil {
		s.log.Warn("wrong password: the network must wait", "user", knownName(u), "ip", ip, "ip_range", network,
			"failures", all.Failures, "until", here.BlockedUntil.Format(time.RFC3339))
	}
	if u != nil && all.Failures == FreeFailures+1 {
		s.reportAttack(ctx, *u, network, all.Failures)
	}
	return ErrBadCredentials
}

// reportAttack writes the audit entry and tells the owner and the admins
// that wrong passwords for u are now being slowed down. It runs after the
// response, so that this one attempt does not take longer than any other
// and give away that the account exists.
func (s *Service) reportAttack(ctx context.Context, u User, network string, failures int) {
	ctx = context.WithoutCancel(ctx)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		count := strconv.Itoa(failures)
		err := s.store.Tx(ctx, func(tx *Store) error {
			return audit.Record(ctx, tx.DB(), 0, "user", u.ID, ActionThrottled, map[string]audit.Change{
				"ip_range": {To: network}, "failed_logins": {To: count},
			})
		})
		if err != nil {
			s.log.Error("audit sign-in throttling", "user", u.Username, "err", err)
		}
		s.log.Warn("repeated wrong passwords: the owner and the admins are told", "user", u.Username,
			"ip_range", network, "failures", failures)
		if s.notify == nil {
			return
		}
		args := map[string]string{"Username": u.Username, "Name": u.Name, "Network": network, "Count": count}
		if err := s.notify(ctx, []uint{u.ID}, "login.notify_throttled", args, "/account/password"); err != nil {
			s.log.Error("notify the owner of wrong passwords", "user", u.Username, "err", err)
		}
		admins, err := s.store.AdminIDs(ctx)
		if err != nil {
			s.log.Error("list admins to notify", "err", err)
			return
		}
		admins = slices.DeleteFunc(admins, func(id uint) bool { return id == u.ID })
		if len(admins) == 0 {
			return
		}
		if err := s.notify(ctx, admins, "login.notify_throttled_admin", args, fmt.Sprintf("/admin/users/%d/edit", u.ID)); err != nil {
			s.log.Error("notify the admins of wrong passwords", "user", u.Username, "err", err)
		}
	}()
}

// ThrottleStatus is what the admin's user page shows about wrong
// passwords: the account-wide streak and the networks that must wait.
type ThrottleStatus struct {
	Failures int
	Waiting  []LoginThrottle
}

// Throttled reports the wrong-password state of username.
func (s *Service) Throttled(ctx context.Context, username string) (ThrottleStatus, error) {
	rows, err := s.store.AccountThrottles(ctx, accountKey(username))
	if err != nil {
		return ThrottleStatus{}, err
	}
	now := s.now()
	var st ThrottleStatus
	for _, r := range rows {
		if now.Sub(r.LastFailureAt) >= ThrottleMemory {
			continue
		}
		if r.IPRange == AllNetworks {
			st.Failures = r.Failures
		} else if r.Blocks(now) {
			st.Waiting = append(st.Waiting, r)
		}
	}
	return st, nil
}

// --- pre-sessions

// NewPreSession opens a pre-session for an anonymous visitor and returns
// the cookie value (only its hash is stored) and the CSRF token bound to it.
func (s *Service) NewPreSession(ctx context.Context) (token, csrf string, err error) {
	now := s.now()
	token, csrf = web.RandomToken(32), web.RandomToken(32)
	p := &PreSession{ID: hashToken(token), CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(PreSessionTTL)}
	if err := s.store.CreatePreSession(ctx, p); err != nil {
		return "", "", fmt.Errorf("open pre-session: %w", err)
	}
	return token, csrf, nil
}

// PreSession resolves a pre-session cookie; unknown or expired ones are
// apperr.ErrNotFound.
func (s *Service) PreSession(ctx context.Context, token string) (*PreSession, error) {
	if len(token) < 20 {
		return nil, apperr.ErrNotFound
	}
	return s.store.ActivePreSession(ctx, hashToken(token), s.now())
}

// EndPreSession discards a pre-session (at sign-in).
func (s *Service) EndPreSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeletePreSession(ctx, hashToken(token))
}

// revokeCredentials asks the other modules to revoke what they issued to
// userID (see Options.OnCredentialsRevoked).
func (s *Service) revokeCredentials(ctx context.Context, userID uint) error {
	if s.revoke == nil {
		return nil
	}
	if err := s.revoke(ctx, userID); err != nil {
		s.log.Error("revoke credentials", "user_id", userID, "err", err)
		return fmt.Errorf("revoke credentials of user %d: %w", userID, err)
	}
	return nil
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
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveUser(ctx, u, s.now()); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID, keepSession); err != nil {
			return err
		}
		// A new password ends every wait: the guesses were against the old one.
		if err := tx.ClearThrottles(ctx, accountKey(u.Username)); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "user", u.ID, audit.ActionReset, audit.Diff(&before, u))
	})
	if err != nil {
		return err
	}
	// After the commit, when no old session is left to issue new ones.
	return s.revokeCredentials(ctx, u.ID)
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
		if err := tx.SaveUser(ctx, u, s.now()); err != nil {
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
		// Nothing to change, but a retry after a failed revocation must
		// still complete it.
		return s.revokeCredentials(ctx, u.ID)
	}
	before := *u
	u.Disabled, u.UpdatedBy = disabled, ptr(actorID)
	action := audit.ActionEnable
	if disabled {
		action = audit.ActionDisable
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveUser(ctx, u, s.now()); err != nil {
			return err
		}
		if disabled {
			if err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx.DB(), actorID, "user", u.ID, action, audit.Diff(&before, u))
	})
	if err != nil {
		return err
	}
	// Both ways: a re-enabled account starts without the feed links it
	// had before it was disabled.
	return s.revokeCredentials(ctx, u.ID)
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
		if err := tx.SaveTeam(ctx, t, s.now()); err != nil {
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
		if err := tx.SaveTeam(ctx, t, s.now()); err != nil {
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
		if err := tx.SaveBranch(ctx, b, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, "branch", b.ID, audit.ActionUpdate, audit.Diff(&before, b))
	})
	return b, err
}
