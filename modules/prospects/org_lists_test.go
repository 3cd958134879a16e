package prospects

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestOrgListsFollowOrgWrites: who may own a customer and a branch's
// teams are kept under the org version, yet a person renamed, disabled or
// moved and a team renamed or closed — each in plain SQL, as another
// program would — show on the next look, the same as the directory says;
// a second look with nothing written reads no person and no team; and a
// caller's change to its list stays its own.
func TestOrgListsFollowOrgWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{}) // a second instance
		people := func(us []org.User) string {
			var b strings.Builder
			for _, u := range us {
				fmt.Fprintf(&b, "%d:%s;", u.ID, u.Name)
			}
			return b.String()
		}
		teams := func(ts []org.Team) string {
			var b strings.Builder
			for _, t := range ts {
				fmt.Fprintf(&b, "%d:%s;", t.ID, t.Name)
			}
			return b.String()
		}
		branch := w.as("wangjianguo").BranchID
		check := func(step string) {
			t.Helper()
			for _, name := range []string{"liwei", "zhaomin", "wangjianguo"} {
				actor := w.as(name)
				want, err := w.svc.assignable(ctx, actor, w.svc.enf.Level(actor, "customer", "create"))
				if err != nil {
					t.Fatal(err)
				}
				for i, svc := range []*Service{w.svc, other} {
					got, err := svc.Assignable(ctx, actor)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) > 0 {
						got[0].Name = "改过的名字" // the caller's own copy
						if got, err = svc.Assignable(ctx, actor); err != nil {
							t.Fatal(err)
						}
					}
					if people(got) != people(want) {
						t.Errorf("%s: %s may assign (instance %d) %s, the directory says %s", step, name, i+1, people(got), people(want))
					}
				}
			}
			for _, active := range []bool{true, false} {
				want, err := w.svc.org.Teams(ctx, branch, active)
				if err != nil {
					t.Fatal(err)
				}
				for i, svc := range []*Service{w.svc, other} {
					got, err := svc.Teams(ctx, branch, active)
					if err != nil {
						t.Fatal(err)
					}
					if teams(got) != teams(want) {
						t.Errorf("%s: the branch's teams (active %t, instance %d) %s, the directory says %s", step, active, i+1, teams(got), teams(want))
					}
				}
			}
		}
		check("start")
		reads := testkit.CountQueries(t, d.Gorm, "test:org", func(sql string) bool {
			return strings.Contains(sql, `FROM "users"`) || strings.Contains(sql, `FROM "teams"`)
		})
		if _, err := w.svc.Assignable(ctx, w.as("wangjianguo")); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Teams(ctx, branch, true); err != nil {
			t.Fatal(err)
		}
		if *reads != 0 {
			t.Fatalf("a second look with nothing written read people or teams %d times", *reads)
		}
		for _, step := range []struct{ name, sql string }{
			{"renamed in SQL", "UPDATE users SET name = '陈浩（新）' WHERE username = 'chenhao'"},
			{"disabled in SQL", "UPDATE users SET disabled = TRUE WHERE username = 'chenhao'"},
			{"moved in SQL", fmt.Sprintf("UPDATE users SET team_id = NULL WHERE username = 'liwei' AND %d > 0", branch)},
			{"team renamed in SQL", "UPDATE teams SET name = name || '（新）'"},
			{"team closed in SQL", fmt.Sprintf("UPDATE teams SET active = FALSE WHERE id = %d", w.as("zhaomin").TeamID)},
		} {
			if err := d.Gorm.Exec(step.sql).Error; err != nil {
				t.Fatal(err)
			}
			check(step.name)
		}
	})
}
