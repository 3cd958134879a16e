package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/targets"
)

// TestTargetManagersFollowTheOrganisation: the account managers the
// targets and the reports list are kept under the organisation's version
// (targetDirectory.managers). Disabling a manager takes him off the
// director's members and the admin's attainment at once, in this
// instance and in another on the same database; enabling him puts him
// back; and a caller changing the list it got changes nothing kept.
func TestTargetManagersFollowTheOrganisation(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a, other := demoAppOn(t, d), demoAppOn(t, d)
		ctx := context.Background()
		director, admin := subject(t, a, "wangjianguo"), subject(t, a, "admin")
		am := subject(t, a, "liwei")
		members := func(ap *app) []uint {
			t.Helper()
			ps, err := ap.Targets.Members(ctx, director)
			if err != nil {
				t.Fatal(err)
			}
			var ids []uint
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			return ids
		}
		for i, ap := range []*app{a, other} {
			if got := members(ap); !slices.Contains(got, am.ID) {
				t.Fatalf("instance %d: liwei not among the director's members %v", i+1, got)
			}
		}
		// A caller's change of the list it was given stays its own.
		dir := newTargetDirectory(a.Org.Store())
		ps, err := dir.AccountManagers(ctx, director.BranchID, 0)
		if err != nil || len(ps) == 0 {
			t.Fatalf("account managers: %v %v", ps, err)
		}
		ps[0] = targets.Person{}
		if again, err := dir.AccountManagers(ctx, director.BranchID, 0); err != nil || again[0].ID == 0 {
			t.Errorf("a caller's change reached the kept list: %v %v", again, err)
		}
		u, err := a.Org.Store().UserByID(ctx, am.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Org.SetDisabled(ctx, admin.ID, am.ID, true, u.Version); err != nil {
			t.Fatal(err)
		}
		for i, ap := range []*app{a, other} {
			if got := members(ap); slices.Contains(got, am.ID) {
				t.Errorf("instance %d: liwei still among the members once disabled: %v", i+1, got)
			}
			grids, err := ap.Targets.ReportTotals(ctx, admin, []authz.Subject{director}, []targets.Month{targets.MonthOf(time.Now(), time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range grids.Rows {
				if r.Person.ID == am.ID {
					t.Errorf("instance %d: liwei in the admin's attainment once disabled", i+1)
				}
			}
		}
		u, err = a.Org.Store().UserByID(ctx, am.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Org.SetDisabled(ctx, admin.ID, am.ID, false, u.Version); err != nil {
			t.Fatal(err)
		}
		for i, ap := range []*app{a, other} {
			if got := members(ap); !slices.Contains(got, am.ID) {
				t.Errorf("instance %d: liwei not back among the members once enabled: %v", i+1, got)
			}
		}
	})
}
