package org

import (
	"context"
	"slices"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestFilterChoices: the teams and people a list's filters offer stay
// within the viewer's reach — another branch's team or manager is never
// offered — and only account managers and chief reps are people to filter
// by.
func TestFilterChoices(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		other, err := f.svc.SaveBranch(ctx, 0, 0, BranchInput{Code: "DQ", Name: "大庆分公司"})
		if err != nil {
			t.Fatal(err)
		}
		otherTeam, err := f.svc.SaveTeam(ctx, 0, 0, TeamInput{Name: "能源部", BranchID: other.ID})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(username, role string, team, branch uint) *User {
			u, err := f.svc.CreateUser(ctx, 0, UserInput{Username: username, Name: username, Role: role, TeamID: team, BranchID: branch, Password: "secret123"})
			if err != nil {
				t.Fatalf("create %s: %v", username, err)
			}
			return u
		}
		director := mk("wangjianguo", authz.RoleDirector, 0, f.branch.ID)
		mk("gaoyuan", authz.RoleAccountManager, otherTeam.ID, 0)
		st := f.svc.Store()
		names := func(us []User) []string {
			out := make([]string, len(us))
			for i, u := range us {
				out[i] = u.Username
			}
			slices.Sort(out)
			return out
		}
		for _, c := range []struct {
			who    *User
			owners []string
			teams  int
		}{
			{f.am, nil, 0},
			{f.chief, []string{"liwei", "zhaomin"}, 0},
			{director, []string{"liwei", "zhaomin"}, 1},
			{f.admin, []string{"gaoyuan", "liwei", "zhaomin"}, 2},
		} {
			owners, err := FilterOwners(ctx, st, c.who.Subject())
			if err != nil {
				t.Fatal(err)
			}
			if got := names(owners); !slices.Equal(got, c.owners) {
				t.Errorf("%s is offered owners %v, want %v", c.who.Username, got, c.owners)
			}
			teams, err := FilterTeams(ctx, st, c.who.Subject())
			if err != nil {
				t.Fatal(err)
			}
			if len(teams) != c.teams {
				t.Errorf("%s is offered %d teams, want %d", c.who.Username, len(teams), c.teams)
			}
			// Across branches every branch has its "一组": the admin's
			// choices name the branch, a director's are his branch's.
			for _, tm := range teams {
				want := tm.Name
				if c.who == f.admin {
					want = map[uint]string{other.ID: "大庆分公司", f.branch.ID: f.branch.Name}[tm.BranchID] + " · " + tm.Name
				}
				if tm.Label != want {
					t.Errorf("%s is offered team %q, want %q", c.who.Username, tm.Label, want)
				}
			}
		}
	})
}
