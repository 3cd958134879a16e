package org

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type note struct {
	ids  []uint
	msg  string
	args map[string]string
	link string
}

type fixture struct {
	svc   *Service
	clock *clock
	mu    sync.Mutex
	notes []note
	// revoked lists the users whose credentials were revoked; failRevoke
	// makes the hook fail.
	revoked    []uint
	failRevoke bool
	branch     *Branch
	team       *Team
	admin      *User
	am         *User
	chief      *User
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	f := &fixture{clock: c}
	svc := NewService(NewStore(d.Gorm).ReadSessionsFrom(d.Lookup), Options{BcryptCost: bcrypt.MinCost, Now: c.now,
		Notify: func(_ context.Context, ids []uint, msg string, args map[string]string, link string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.notes = append(f.notes, note{ids, msg, args, link})
			return nil
		},
		OnCredentialsRevoked: func(_ context.Context, id uint) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.failRevoke {
				return errors.New("feed store down")
			}
			f.revoked = append(f.revoked, id)
			return nil
		},
	})
	f.svc = svc
	var err error
	if f.branch, err = svc.SaveBranch(ctx, 0, 0, BranchInput{Code: "HRB", Name: "哈尔滨分公司"}); err != nil {
		t.Fatal(err)
	}
	if f.team, err = svc.SaveTeam(ctx, 0, 0, TeamInput{Name: "政企一部", BranchID: f.branch.ID}); err != nil {
		t.Fatal(err)
	}
	mk := func(username, role string, team, branch uint) *User {
		u, err := svc.CreateUser(ctx, 0, UserInput{Username: username, Name: username, Role: role, TeamID: team, BranchID: branch, Password: "secret123"})
		if err != nil {
			t.Fatalf("create %s: %v", username, err)
		}
		return u
	}
	f.admin = mk("admin", authz.RoleAdmin, 0, 0)
	f.am = mk("liwei", authz.RoleAccountManager, f.team.ID, 0)
	f.chief = mk("zhaomin", authz.RoleChiefRep, f.team.ID, 0)
	return f
}

// TestSessionReadThroughLookup: a request's session is read through the
// database's lookup pool (db.DB.Lookup, one plan per connection on
// PostgreSQL), and inside a transaction through the transaction.
func TestSessionReadThroughLookup(t *testing.T) {
	d := testkit.Postgres(t)
	f := setup(t, d)
	ctx := context.Background()
	res, err := f.svc.Login(ctx, "liwei", "secret123", "", "")
	if err != nil {
		t.Fatal(err)
	}
	var onLookup, onMain atomic.Int64
	count := func(n *atomic.Int64) func(string, []any) {
		return func(sql string, _ []any) {
			if strings.Contains(sql, "JOIN sessions") {
				n.Add(1)
			}
		}
	}
	for g, n := range map[*gorm.DB]*atomic.Int64{d.Lookup: &onLookup, d.Gorm: &onMain} {
		stop, err := db.Observe(g, "test:sessions", count(n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
	if _, u, err := f.svc.Authenticate(db.WithVersionMemo(ctx), res.Token); err != nil || u.ID != f.am.ID {
		t.Fatalf("authenticate: %v", err)
	}
	if onLookup.Load() != 1 || onMain.Load() != 0 {
		t.Fatalf("session read %d times on the lookup pool and %d on the main one, want 1 and 0", onLookup.Load(), onMain.Load())
	}
	err = db.WithTx(ctx, d.Gorm, func(ctx context.Context) error {
		_, _, err := f.svc.Authenticate(ctx, res.Token)
		return err
	})
	if err != nil || onLookup.Load() != 1 || onMain.Load() != 1 {
		t.Fatalf("in a transaction: %v; read %d times on the lookup pool and %d on the main one, want 1 and 1", err, onLookup.Load(), onMain.Load())
	}
}

func TestLoginAndSessions(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.svc.Login(ctx, "nobody", "secret123", "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		if _, err := f.svc.Login(ctx, "liwei", "wrong-pass1", "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		res, err := f.svc.Login(ctx, "LiWei", "secret123", "1.2.3.4", "ua")
		if err != nil {
			t.Fatalf("login (case-insensitive name): %v", err)
		}
		first, u, err := f.svc.Authenticate(ctx, res.Token)
		if err != nil || u.ID != f.am.ID {
			t.Fatalf("authenticate: %v", err)
		}
		// The session and its user come back whole from the one statement.
		if first.UserID != u.ID || first.IP != "1.2.3.4" || first.UserAgent != "ua" || len(first.CSRFToken) < 32 ||
			first.ID == "" || !first.ExpiresAt.After(f.clock.t) || first.LastSeenAt.IsZero() || u.Username != "liwei" || u.Name == "" {
			t.Fatalf("authenticated session %+v, user %+v", first, u)
		}
		if st, _ := f.svc.Throttled(ctx, "liwei"); st.Failures != 0 || u.LastLoginAt == nil {
			t.Fatalf("success must reset failures and note the time: %+v %+v", st, u)
		}
		// The database holds the hash, never the token itself.
		var n int64
		d.Gorm.Model(&Session{}).Where("id = ?", res.Token).Count(&n)
		if n != 0 {
			t.Fatal("raw token stored as session id")
		}
		// Activity slides the expiry (and tells the caller to renew the cookie).
		f.clock.t = f.clock.t.Add(2 * time.Minute)
		sess, _, err := f.svc.Authenticate(ctx, res.Token)
		if err != nil || !sess.Renewed {
			t.Fatalf("active session must be renewed: %v %+v", err, sess)
		}
		if sess, _, _ := f.svc.Authenticate(ctx, res.Token); sess.Renewed {
			t.Fatal("renewal is written at most once a minute")
		}
		f.clock.t = f.clock.t.Add(11 * time.Hour)
		if _, _, err := f.svc.Authenticate(ctx, res.Token); err != nil {
			t.Fatalf("12h after login but active 11h ago: %v", err)
		}
		// Sessions expire after the idle TTL.
		f.clock.t = f.clock.t.Add(13 * time.Hour)
		if _, _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("expired session accepted: %v", err)
		}
		// Logout ends a session.
		res2, _ := f.svc.Login(ctx, "liwei", "secret123", "", "")
		if err := f.svc.Logout(ctx, res2.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, res2.Token); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatal("logged-out session accepted")
		}
	})
}

// TestWrongPasswordsSlowTheNetworkNotTheOwner: after FreeFailures wrong
// passwords the network they come from waits 2, 4, 8 … seconds, and is
// told "wrong password" even for the right one while it waits; the owner
// signing in from another network is never refused; an unknown name is
// treated exactly the same; the owner and the admins are told once.
func TestWrongPasswordsSlowTheNetworkNotTheOwner(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		const attacker, neighbour, home = "203.0.113.7", "203.0.113.200", "198.51.100.20"
		for _, name := range []string{"liwei", "ghost"} {
			for i := 1; i <= FreeFailures; i++ {
				if _, err := f.svc.Login(ctx, name, "bad-pass1", attacker, ""); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("%s try %d: %v", name, i, err)
				}
			}
			// Up to here nothing waits: the right password from the
			// attacker's network would still work.
			rows, _ := f.svc.store.Throttles(ctx, accountKey(name), IPRange(attacker))
			if rows[IPRange(attacker)].Blocks(f.clock.t) {
				t.Fatalf("%s: blocked after only %d failures", name, FreeFailures)
			}
			for n := FreeFailures + 1; n <= FreeFailures+4; n++ {
				if _, err := f.svc.Login(ctx, name, "bad-pass1", attacker, ""); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("%s failure %d: %v", name, n, err)
				}
				rows, _ := f.svc.store.Throttles(ctx, accountKey(name), IPRange(attacker))
				r := rows[IPRange(attacker)]
				if r == nil || r.BlockedUntil == nil || r.BlockedUntil.Sub(f.clock.t) != Delay(n) {
					t.Fatalf("%s failure %d: want a wait of %s, got %+v", name, n, Delay(n), r)
				}
				// While it waits, the network (any address in it) hears
				// "wrong password", even for the right one.
				pw := "secret123"
				for _, ip := range []string{attacker, neighbour} {
					if _, err := f.svc.Login(ctx, name, pw, ip, ""); !errors.Is(err, ErrBadCredentials) {
						t.Fatalf("%s: the right password from a waiting network: %v", name, err)
					}
				}
				f.clock.t = f.clock.t.Add(Delay(n) - time.Second)
				if _, err := f.svc.Login(ctx, name, pw, attacker, ""); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("%s: a second before the wait ends: %v", name, err)
				}
				f.clock.t = f.clock.t.Add(time.Second)
			}
		}
		// No name typed is stored in clear.
		var typed int64
		d.Gorm.Model(&LoginThrottle{}).Where("account IN ?", []string{"liwei", "ghost"}).Count(&typed)
		if typed != 0 {
			t.Fatal("login_throttles holds names in clear")
		}
		// The owner, from home, is not slowed down at all.
		if _, err := f.svc.Login(ctx, "liwei", "bad-pass1", attacker, ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatal(err)
		}
		if _, err := f.svc.Login(ctx, "liwei", "secret123", home, ""); err != nil {
			t.Fatalf("the owner from another network must get in: %v", err)
		}
		// Their success does not give the attacker a fresh start.
		rows, _ := f.svc.store.Throttles(ctx, accountKey("liwei"), IPRange(attacker))
		if !rows[IPRange(attacker)].Blocks(f.clock.t) {
			t.Fatal("the owner's sign-in lifted the attacker's wait")
		}
		// The owner and the admins were told once, about liwei only.
		f.svc.Wait()
		f.mu.Lock()
		notes := append([]note(nil), f.notes...)
		f.mu.Unlock()
		if len(notes) != 2 {
			t.Fatalf("want one note to the owner and one to the admins, got %+v", notes)
		}
		if notes[0].ids[0] != f.am.ID || notes[0].msg != "login.notify_throttled" || notes[0].args["Network"] != "203.0.113.0/24" || notes[0].args["Count"] != "6" {
			t.Fatalf("owner note: %+v", notes[0])
		}
		if len(notes[1].ids) != 1 || notes[1].ids[0] != f.admin.ID || notes[1].msg != "login.notify_throttled_admin" || !strings.Contains(notes[1].link, "/admin/users/") {
			t.Fatalf("admin note: %+v", notes[1])
		}
		entries, _, _ := audit.List(ctx, d.Gorm, audit.Query{Entity: "user", EntityID: f.am.ID})
		found := false
		for _, e := range entries {
			found = found || e.Action == ActionThrottled
		}
		if !found {
			t.Fatalf("the throttling must be in the audit trail: %+v", entries)
		}
		// Waits are forgotten a day after the last failure…
		f.clock.t = f.clock.t.Add(ThrottleMemory + MaxDelay)
		if _, err := f.svc.Login(ctx, "liwei", "secret123", attacker, ""); err != nil {
			t.Fatalf("a day later: %v", err)
		}
		// …and at once when an admin resets the password.
		for i := 0; i <= FreeFailures; i++ {
			_, _ = f.svc.Login(ctx, "liwei", "bad-pass1", attacker, "")
		}
		if st, _ := f.svc.Throttled(ctx, "liwei"); st.Failures != FreeFailures+1 || len(st.Waiting) != 1 {
			t.Fatalf("status before the reset: %+v", st)
		}
		if err := f.svc.ResetPassword(ctx, f.admin.ID, f.am.ID, "fresh-pass9"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Login(ctx, "liwei", "fresh-pass9", attacker, ""); err != nil {
			t.Fatalf("after a reset: %v", err)
		}
	})
}

func TestDelayAndIPRange(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 0, FreeFailures: 0, FreeFailures + 1: 2 * time.Second, FreeFailures + 2: 4 * time.Second,
		FreeFailures + 9: 512 * time.Second, FreeFailures + 10: MaxDelay, FreeFailures + 63: MaxDelay, 1 << 30: MaxDelay} {
		if got := Delay(n); got != want {
			t.Errorf("Delay(%d) = %s, want %s", n, got, want)
		}
	}
	for ip, want := range map[string]string{
		"203.0.113.7": "203.0.113.0/24", "::ffff:203.0.113.7": "203.0.113.0/24",
		"2001:db8:1:2:3::4": "2001:db8:1:2::/64", "fe80::1%eth0": "fe80::/64", "": "unknown", "not-an-ip": "unknown",
	} {
		if got := IPRange(ip); got != want {
			t.Errorf("IPRange(%q) = %s, want %s", ip, got, want)
		}
	}
}

// TestCredentialsRevoked: a password reset, the user's own password
// change, disabling and re-enabling each call the revocation hook; a
// failing hook is reported and a retry completes it.
func TestCredentialsRevoked(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		revoked := func() []uint {
			f.mu.Lock()
			defer f.mu.Unlock()
			out := f.revoked
			f.revoked = nil
			return out
		}
		if err := f.svc.ResetPassword(ctx, f.admin.ID, f.am.ID, "other-pass1"); err != nil {
			t.Fatal(err)
		}
		if got := revoked(); len(got) != 1 || got[0] != f.am.ID {
			t.Fatalf("reset: %v", got)
		}
		res, _ := f.svc.Login(ctx, "liwei", "other-pass1", "", "")
		if err := f.svc.ChangePassword(ctx, f.am.ID, res.Token, "other-pass1", "third-pass1", "third-pass1"); err != nil {
			t.Fatal(err)
		}
		if got := revoked(); len(got) != 1 || got[0] != f.am.ID {
			t.Fatalf("own change: %v", got)
		}
		if err := f.svc.ChangePassword(ctx, f.am.ID, res.Token, "wrong", "x", "y"); err == nil || len(revoked()) != 0 {
			t.Fatal("a refused change must revoke nothing")
		}
		for _, disabled := range []bool{true, false} {
			if err := f.svc.SetDisabled(ctx, f.admin.ID, f.chief.ID, disabled, 0); err != nil {
				t.Fatal(err)
			}
			if got := revoked(); len(got) != 1 || got[0] != f.chief.ID {
				t.Fatalf("disabled=%v: %v", disabled, got)
			}
		}
		f.failRevoke = true
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.chief.ID, true, 0); err == nil {
			t.Fatal("a failed revocation must be reported")
		}
		if u, _ := f.svc.store.UserByID(ctx, f.chief.ID); !u.Disabled {
			t.Fatal("the disable itself must stand")
		}
		f.failRevoke = false
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.chief.ID, true, 0); err != nil {
			t.Fatal(err)
		}
		if got := revoked(); len(got) != 1 || got[0] != f.chief.ID {
			t.Fatalf("the retry must complete the revocation: %v", got)
		}
	})
}

func TestPreSessions(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		token, csrf, err := f.svc.NewPreSession(ctx)
		if err != nil || len(token) < 40 || len(csrf) < 40 || token == csrf {
			t.Fatalf("new pre-session: %q %q %v", token, csrf, err)
		}
		p, err := f.svc.PreSession(ctx, token)
		if err != nil || p.CSRFToken != csrf {
			t.Fatalf("lookup: %+v %v", p, err)
		}
		var raw int64
		d.Gorm.Model(&PreSession{}).Where("id = ?", token).Count(&raw)
		if raw != 0 {
			t.Fatal("raw pre-session token stored")
		}
		if _, err := f.svc.PreSession(ctx, token[:len(token)-1]+"x"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown pre-session: %v", err)
		}
		other, _, _ := f.svc.NewPreSession(ctx)
		if err := f.svc.EndPreSession(ctx, other); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.PreSession(ctx, other); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("ended pre-session: %v", err)
		}
		f.clock.t = f.clock.t.Add(PreSessionTTL + time.Second)
		if _, err := f.svc.PreSession(ctx, token); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("expired pre-session: %v", err)
		}
		if n, err := f.svc.store.DeleteExpiredSessions(ctx, f.clock.t); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
	})
}

func TestDisableEndsSessionsAtOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		res, err := f.svc.Login(ctx, "liwei", "secret123", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.am.ID, true, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("disabled user's session still works: %v", err)
		}
		if _, err := f.svc.Login(ctx, "liwei", "secret123", "", ""); !errors.Is(err, ErrDisabled) {
			t.Fatalf("disabled login: %v", err)
		}
		if _, err := f.svc.Login(ctx, "liwei", "wrong-pw1", "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("a wrong password must not reveal the account is disabled: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.admin.ID, true, 0); err == nil {
			t.Fatal("an admin must not disable themselves")
		}
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.am.ID, false, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Login(ctx, "liwei", "secret123", "", ""); err != nil {
			t.Fatalf("re-enabled: %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		a, _ := f.svc.Login(ctx, "liwei", "secret123", "", "")
		b, _ := f.svc.Login(ctx, "liwei", "secret123", "", "")
		err := f.svc.ChangePassword(ctx, f.am.ID, a.Token, "nope", "short", "other")
		fields, ok := apperr.AsFields(err)
		if !ok || fields["current"] == "" || fields["password"] == "" || fields["confirm"] == "" {
			t.Fatalf("want three field errors, got %v", err)
		}
		if err := f.svc.ChangePassword(ctx, f.am.ID, a.Token, "secret123", "newpass99", "newpass99"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, a.Token); err != nil {
			t.Fatal("the session that changed the password stays signed in")
		}
		if _, _, err := f.svc.Authenticate(ctx, b.Token); err == nil {
			t.Fatal("other sessions must be signed out")
		}
		if _, err := f.svc.Login(ctx, "liwei", "newpass99", "", ""); err != nil {
			t.Fatal(err)
		}
	})
}

func TestUserValidation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		cases := []struct {
			name  string
			in    UserInput
			field string
			msg   string
		}{
			{"empty", UserInput{}, "username", "v.required"},
			{"bad username", UserInput{Username: "9x", Name: "x", Role: "admin", Password: "abc12345"}, "username", "v.username"},
			{"taken", UserInput{Username: "LIWEI", Name: "x", Role: "admin", Password: "abc12345"}, "username", "v.username_taken"},
			{"bad role", UserInput{Username: "abc", Name: "x", Role: "boss", Password: "abc12345"}, "role", "v.role"},
			{"am needs team", UserInput{Username: "abc", Name: "x", Role: authz.RoleAccountManager, Password: "abc12345"}, "team_id", "v.team_required"},
			{"director needs branch", UserInput{Username: "abc", Name: "x", Role: authz.RoleDirector, Password: "abc12345"}, "branch_id", "v.branch_required"},
			{"unknown team", UserInput{Username: "abc", Name: "x", Role: authz.RoleChiefRep, TeamID: 999, Password: "abc12345"}, "team_id", "v.team_required"},
			{"weak password", UserInput{Username: "abc", Name: "x", Role: "admin", Password: "abcdefgh"}, "password", "v.password_weak"},
			{"short password", UserInput{Username: "abc", Name: "x", Role: "admin", Password: "a1"}, "password", "v.password_length"},
			{"bad phone", UserInput{Username: "abc", Name: "x", Role: "admin", Password: "abc12345", Phone: "12345"}, "phone", "v.phone"},
			{"bad email", UserInput{Username: "abc", Name: "x", Role: "admin", Password: "abc12345", Email: "a@"}, "email", "v.email"},
			{"long name", UserInput{Username: "abc", Name: strings.Repeat("名", 51), Role: "admin", Password: "abc12345"}, "name", "v.too_long"},
		}
		var before int64
		d.Gorm.Model(&User{}).Count(&before)
		for _, c := range cases {
			_, err := f.svc.CreateUser(ctx, f.admin.ID, c.in)
			fields, ok := apperr.AsFields(err)
			if !ok || fields[c.field] != c.msg {
				t.Errorf("%s: want %s=%s, got %v", c.name, c.field, c.msg, err)
			}
		}
		var after int64
		d.Gorm.Model(&User{}).Count(&after)
		if after != before {
			t.Fatalf("bad input created users: %d → %d", before, after)
		}
		for _, phone := range []string{"13812345678", "0451-86001234", "010-12345678", "045186001234"} {
			if !ValidPhone(phone) {
				t.Errorf("%s should be valid", phone)
			}
		}
	})
}

func TestUpdateUserOptimisticLockAndAudit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		in := UserInput{Username: "liwei", Name: "李伟", Role: authz.RoleAccountManager, TeamID: f.team.ID, Phone: "13900000001", Version: f.am.Version}
		u, err := f.svc.UpdateUser(ctx, f.admin.ID, f.am.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if u.Version != 2 || u.BranchID == nil || *u.BranchID != f.branch.ID {
			t.Fatalf("version and branch from team: %+v", u)
		}
		// A second admin still holding version 1 is refused.
		in.Name = "李伟伟"
		if _, err := f.svc.UpdateUser(ctx, f.admin.ID, f.am.ID, in); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale edit: %v", err)
		}
		got, _ := f.svc.store.UserByID(ctx, f.am.ID)
		if got.Name != "李伟" {
			t.Fatalf("stale edit changed the record: %s", got.Name)
		}
		entries, _, err := audit.List(ctx, d.Gorm, audit.Query{Entity: "user", EntityID: f.am.ID})
		if err != nil {
			t.Fatal(err)
		}
		if entries[0].Action != audit.ActionUpdate || entries[0].ActorID == nil || *entries[0].ActorID != f.admin.ID {
			t.Fatalf("audit entry: %+v", entries[0])
		}
		changed := map[string]audit.FieldChange{}
		for _, c := range entries[0].Fields() {
			changed[c.Field] = c
		}
		if changed["name"].From != "liwei" || changed["name"].To != "李伟" || changed["phone"].To != "13900000001" {
			t.Fatalf("before/after not recorded: %+v", changed)
		}
		if _, ok := changed["version"]; ok {
			t.Fatal("version must not be in the diff")
		}
		// An admin may not change their own role.
		if _, err := f.svc.UpdateUser(ctx, f.admin.ID, f.admin.ID, UserInput{Username: "admin", Name: "a", Role: authz.RoleDirector, BranchID: f.branch.ID, Version: f.admin.Version}); err == nil {
			t.Fatal("own role change allowed")
		}
	})
}

func TestTeams(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, err := f.svc.SaveTeam(ctx, f.admin.ID, 0, TeamInput{Name: "政企一部", BranchID: f.branch.ID}); err == nil {
			t.Fatal("duplicate team name in a branch accepted")
		}
		// Leader must be a chief rep.
		_, err := f.svc.SaveTeam(ctx, f.admin.ID, f.team.ID, TeamInput{Name: "政企一部", BranchID: f.branch.ID, LeaderID: f.am.ID, Version: f.team.Version})
		if fields, ok := apperr.AsFields(err); !ok || fields["leader_id"] != "v.leader" {
			t.Fatalf("leader must be a chief rep: %v", err)
		}
		tm, err := f.svc.SaveTeam(ctx, f.admin.ID, f.team.ID, TeamInput{Name: "政企客户一部", BranchID: f.branch.ID, LeaderID: f.chief.ID, Version: f.team.Version})
		if err != nil {
			t.Fatal(err)
		}
		if tm.LeaderID == nil || *tm.LeaderID != f.chief.ID || tm.Version != 2 {
			t.Fatalf("team: %+v", tm)
		}
		if err := f.svc.SetTeamActive(ctx, f.admin.ID, f.team.ID, false); err == nil {
			t.Fatal("a team with members must not be disabled")
		}
		empty, err := f.svc.SaveTeam(ctx, f.admin.ID, 0, TeamInput{Name: "空团队", BranchID: f.branch.ID})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetTeamActive(ctx, f.admin.ID, empty.ID, false); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateUser(ctx, f.admin.ID, UserInput{Username: "newbie", Name: "n", Role: authz.RoleAccountManager, TeamID: empty.ID, Password: "abc12345"})
		if fields, ok := apperr.AsFields(err); !ok || fields["team_id"] != "v.team_inactive" {
			t.Fatalf("joining a disabled team: %v", err)
		}
	})
}

func TestSeedDemo(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := NewService(NewStore(d.Gorm), Options{BcryptCost: bcrypt.MinCost})
		logins, err := svc.SeedDemo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]int{}
		for _, l := range logins {
			roles[l.Role]++
		}
		if roles[authz.RoleAdmin] != 1 || roles[authz.RoleDirector] != 2 || roles[authz.RoleChiefRep] != 4 || roles[authz.RoleAccountManager] < 12 {
			t.Fatalf("demo roles: %v", roles)
		}
		teams, _ := svc.store.Teams(ctx, 0, true)
		if len(teams) != 4 {
			t.Fatalf("want 4 teams, got %d", len(teams))
		}
		for _, tm := range teams {
			leader, err := svc.store.UserByID(ctx, *tm.LeaderID)
			if err != nil || leader.Role != authz.RoleChiefRep || *leader.TeamID != tm.ID {
				t.Fatalf("team %s must be led by its chief rep", tm.Name)
			}
		}
		if _, err := svc.Login(ctx, "liwei", DemoPassword, "", ""); err != nil {
			t.Fatalf("demo login: %v", err)
		}
		again, err := svc.SeedDemo(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("seeding twice must do nothing: %d %v", len(again), err)
		}
	})
}
