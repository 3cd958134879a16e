package targets

import (
	"context"
	"slices"
	"testing"
	"time"

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

// TestReportTotalsAddUpTheGrids: ReportTotals over a quarter is, row by
// row and line by line, ReportGrids' three months added up — targets and
// actuals, the same people in the same order — for a branch and for the
// admin's province, and a proposal sent again in a later month counts in
// each month as the grids count it.
func TestReportTotalsAddUpTheGrids(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		months := []Month{w.month("2026-09"), w.month("2026-10"), w.month("2026-11")}
		for i, mo := range months {
			for j, n := range []string{"liwei", "zhangjing", "zhoujie"} {
				u := w.users[n]
				w.exec(`INSERT INTO monthly_targets (month, owner_id, team_id, branch_id, visits, ab_visits, contacts, signings, mrc_fen, proposals, version, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, mo.String(), u.ID, u.TeamID, u.BranchID,
					10+i+j, 4+i, 3+j, 2, int64(1000_00*(i+1)), 1+i, w.now.UTC(), w.now.UTC())
			}
			at := mo.Start().Add(36 * time.Hour)
			w.visit("liwei", w.custA["liwei"], at, "done")
			w.visit("zhoujie", w.custC["zhoujie"], at, "done")
			w.contact("zhangjing", w.custA["zhangjing"], at)
			w.opp("liwei", w.custC["liwei"], "won", at, int64(500_00*(i+1)))
			w.proposal("liwei", w.custA["liwei"], "Q-1", i+1, &at) // one proposal, a version a month
		}
		hrb := authz.Subject{Role: authz.RoleDirector, BranchID: w.users["wangjianguo"].BranchID}
		dq := authz.Subject{Role: authz.RoleDirector, BranchID: w.users["liuzhiqiang"].BranchID}
		for _, c := range []struct {
			name   string
			actor  authz.Subject
			groups []authz.Subject
		}{
			{"branch", w.users["wangjianguo"], []authz.Subject{w.users["wangjianguo"]}},
			{"province", w.users["admin"], []authz.Subject{hrb, dq}},
		} {
			grids, err := w.svc.ReportGrids(ctx, c.actor, c.groups, months, true)
			if err != nil {
				t.Fatal(err)
			}
			tot, err := w.svc.ReportTotals(ctx, c.actor, c.groups, months)
			if err != nil {
				t.Fatal(err)
			}
			g0 := grids[months[0]]
			if len(tot.Rows) != len(g0.Rows) || len(tot.Rows) == 0 {
				t.Fatalf("%s: %d rows summed, %d in a month", c.name, len(tot.Rows), len(g0.Rows))
			}
			var counted int64
			for i, r := range tot.Rows {
				if r.Person.ID != g0.Rows[i].Person.ID {
					t.Errorf("%s: row %d is %s summed, %s in the grid", c.name, i, r.Person.Name, g0.Rows[i].Person.Name)
				}
				for k, l := range r.Lines {
					var target, actual int64
					for _, mo := range months {
						target += grids[mo].Rows[i].Lines[k].Target
						actual += grids[mo].Rows[i].Lines[k].Actual
					}
					if l.Target != target || l.Actual != actual {
						t.Errorf("%s: %s %s: %d/%d summed, %d/%d month by month", c.name, r.Person.Name, l.Def.Key, l.Actual, l.Target, actual, target)
					}
					counted += actual
					if r.Person.ID == w.users["liwei"].ID && l.Def.Key == LineProposals && l.Actual != 3 {
						t.Errorf("%s: liwei's proposals over the quarter %d, want Q-1 once in each month", c.name, l.Actual)
					}
				}
			}
			if counted == 0 {
				t.Errorf("%s: nothing counted: the check proves nothing", c.name)
			}
		}
		if _, err := w.svc.ReportTotals(ctx, w.users["admin"], []authz.Subject{hrb}, []Month{months[0], months[2]}); err == nil {
			t.Error("months that do not follow one another were summed")
		}
	})
}
