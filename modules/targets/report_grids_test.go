package targets

import (
	"context"
	"slices"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// countingDirectory counts the AccountManagers lookups.
type countingDirectory struct {
	Directory
	lookups int
}

func (d *countingDirectory) AccountManagers(ctx context.Context, branchID, teamID uint) ([]Person, error) {
	d.lookups++
	return d.Directory.AccountManagers(ctx, branchID, teamID)
}

// TestReportGridsBranchGroups checks that ReportGrids over one director per
// branch (the admin's reports) has exactly the people of Members for each
// group — each group's own branch, nobody twice — from a single directory
// lookup instead of one per branch.
func TestReportGridsBranchGroups(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		dir := &countingDirectory{Directory: w.svc.dir}
		svc := NewService(d.Gorm, w.svc.store, w.svc.enf, dir, w.svc.opts)
		hrb := authz.Subject{Role: authz.RoleDirector, BranchID: w.users["wangjianguo"].BranchID}
		dq := authz.Subject{Role: authz.RoleDirector, BranchID: w.users["liuzhiqiang"].BranchID}
		members := func(gs ...authz.Subject) []uint {
			var out []uint
			for _, g := range gs {
				ps, err := w.svc.Members(ctx, g)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range ps {
					if !slices.Contains(out, p.ID) {
						out = append(out, p.ID)
					}
				}
			}
			slices.Sort(out)
			return out
		}
		m := w.month("2026-11")
		for _, c := range []struct {
			name   string
			groups []authz.Subject
			want   []uint
		}{
			{"both branches", []authz.Subject{hrb, dq}, members(hrb, dq)},
			// Two groups of one branch: only that branch's managers, once.
			{"one branch twice", []authz.Subject{hrb, hrb}, members(hrb)},
		} {
			dir.lookups = 0
			grids, err := svc.ReportGrids(ctx, w.users["admin"], c.groups, []Month{m}, true)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint
			for _, r := range grids[m].Rows {
				got = append(got, r.Person.ID)
			}
			slices.Sort(got)
			if len(c.want) == 0 || !slices.Equal(got, c.want) {
				t.Errorf("%s: people %v, Members say %v", c.name, got, c.want)
			}
			if dir.lookups != 1 {
				t.Errorf("%s: %d directory lookups, want 1", c.name, dir.lookups)
			}
		}
	})
}
