package org

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	svc    *Service
	clock  *clock
	branch *Branch
	team   *Team
	admin  *User
	am     *User
	chief  *User
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	svc := NewService(NewStore(d.Gorm), Options{BcryptCost: bcrypt.MinCost, Now: c.now})
	f := &fixture{svc: svc, clock: c}
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

func TestLoginAndSessions(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		if _, _, err := f.svc.Login(ctx, "nobody", "secret123", "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		if _, _, err := f.svc.Login(ctx, "liwei", "wrong-pass1", "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		res, _, err := f.svc.Login(ctx, "LiWei", "secret123", "1.2.3.4", "ua")
		if err != nil {
			t.Fatalf("login (case-insensitive name): %v", err)
		}
		_, u, err := f.svc.Authenticate(ctx, res.Token)
		if err != nil || u.ID != f.am.ID {
			t.Fatalf("authenticate: %v", err)
		}
		if u.FailedLogins != 0 || u.LastLoginAt == nil {
			t.Fatalf("success must reset failures and note the time: %+v", u)
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
		res2, _, _ := f.svc.Login(ctx, "liwei", "secret123", "", "")
		if err := f.svc.Logout(ctx, res2.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, res2.Token); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatal("logged-out session accepted")
		}
	})
}

func TestLockoutAfterTenFailures(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		for i := 1; i < MaxFailures; i++ {
			if _, _, err := f.svc.Login(ctx, "liwei", "bad-pass1", "", ""); !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("try %d: %v", i, err)
			}
		}
		_, until, err := f.svc.Login(ctx, "liwei", "bad-pass1", "", "")
		if !errors.Is(err, ErrLocked) || until == nil {
			t.Fatalf("10th failure must lock: %v", err)
		}
		if got := until.Sub(f.clock.t); got != LockDuration {
			t.Fatalf("lock for %s, want %s", got, LockDuration)
		}
		// Even the right password is refused while locked.
		if _, _, err := f.svc.Login(ctx, "liwei", "secret123", "", ""); !errors.Is(err, ErrLocked) {
			t.Fatalf("locked account accepted the right password: %v", err)
		}
		entries, _, _ := audit.List(ctx, d.Gorm, audit.Query{Entity: "user", EntityID: f.am.ID})
		if len(entries) == 0 || entries[0].Action != audit.ActionLock {
			t.Fatalf("the lock must be in the audit trail: %+v", entries)
		}
		f.clock.t = f.clock.t.Add(LockDuration + time.Second)
		if _, _, err := f.svc.Login(ctx, "liwei", "secret123", "", ""); err != nil {
			t.Fatalf("after the lock expires: %v", err)
		}
	})
}

func TestDisableEndsSessionsAtOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		res, _, err := f.svc.Login(ctx, "liwei", "secret123", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.am.ID, true, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, res.Token); !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Fatalf("disabled user's session still works: %v", err)
		}
		if _, _, err := f.svc.Login(ctx, "liwei", "secret123", "", ""); !errors.Is(err, ErrDisabled) {
			t.Fatalf("disabled login: %v", err)
		}
		if _, _, err := f.svc.Login(ctx, "liwei", "wrong-pw1", "", ""); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("a wrong password must not reveal the account is disabled: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.admin.ID, true, 0); err == nil {
			t.Fatal("an admin must not disable themselves")
		}
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.am.ID, false, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Login(ctx, "liwei", "secret123", "", ""); err != nil {
			t.Fatalf("re-enabled: %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		a, _, _ := f.svc.Login(ctx, "liwei", "secret123", "", "")
		b, _, _ := f.svc.Login(ctx, "liwei", "secret123", "", "")
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
		if _, _, err := f.svc.Login(ctx, "liwei", "newpass99", "", ""); err != nil {
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
		if _, _, err := svc.Login(ctx, "liwei", DemoPassword, "", ""); err != nil {
			t.Fatalf("demo login: %v", err)
		}
		again, err := svc.SeedDemo(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("seeding twice must do nothing: %d %v", len(again), err)
		}
	})
}
