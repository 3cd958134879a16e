package org

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func ref(id uint) *uint { return &id }

// TestSavesWriteEveryField: the user, team and branch saves write every
// editable column and refuse a stale version, on both databases.
func TestSavesWriteEveryField(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		st := f.svc.store
		now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		b2, err := f.svc.SaveBranch(ctx, 0, 0, BranchInput{Code: "DQ", Name: "大庆分公司"})
		if err != nil {
			t.Fatal(err)
		}
		t2, err := f.svc.SaveTeam(ctx, 0, 0, TeamInput{Name: "能源部", BranchID: b2.ID})
		if err != nil {
			t.Fatal(err)
		}
		u, err := st.UserByID(ctx, f.am.ID)
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, u, map[string]any{"Role": authz.RoleChiefRep, "BranchID": ref(b2.ID), "TeamID": ref(t2.ID),
			"Lang": "en", "UpdatedBy": ref(f.admin.ID)},
			func(u *User) error { return st.SaveUser(ctx, u, now) },
			func() (*User, error) { return st.UserByID(ctx, u.ID) })

		tm, err := st.TeamByID(ctx, f.team.ID)
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, tm, map[string]any{"BranchID": b2.ID, "LeaderID": ref(f.chief.ID), "UpdatedBy": ref(f.admin.ID)},
			func(tm *Team) error { return st.SaveTeam(ctx, tm, now) },
			func() (*Team, error) { return st.TeamByID(ctx, tm.ID) })

		br, err := st.BranchByID(ctx, f.branch.ID)
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, br, map[string]any{"UpdatedBy": ref(f.admin.ID)},
			func(br *Branch) error { return st.SaveBranch(ctx, br, now) },
			func() (*Branch, error) { return st.BranchByID(ctx, br.ID) })
	})
}

// TestServiceClockStampsUsers: disabling a user is stamped with the
// service's clock, not the system's.
func TestServiceClockStampsUsers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		f.clock.t = f.clock.t.Add(5 * time.Hour)
		if err := f.svc.SetDisabled(ctx, f.admin.ID, f.am.ID, true, f.am.Version); err != nil {
			t.Fatal(err)
		}
		u, err := f.svc.store.UserByID(ctx, f.am.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Disabled || !u.UpdatedAt.Equal(f.clock.t) {
			t.Fatalf("user disabled=%v updated %s, want the clock's %s", u.Disabled, u.UpdatedAt, f.clock.t)
		}
	})
}
