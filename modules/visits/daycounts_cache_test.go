package visits

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// TestCountByDayExactAfterWrites: the month calendar's counts per day
// and team (a director's, the admin's) are cached per scope and month,
// and after every kind of write — a visit planned, moved to another day,
// cancelled, planned by another jike instance, a team renamed, a person
// moved to another team, the customer handed to another branch — each
// role reads exactly what SQL counts then; after a branch is renamed or
// a team moves to another branch too (the admin counts per branch). Each
// of the admin's counts is what its drill-down lists, and what the
// visits of live customers joined to their owner's branch count (the
// admin's are the province's visits less the deleted customers', so a
// customer deleted takes its visits out of them).
func TestCountByDayExactAfterWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.ps, w.svc.org, shanghai) // a second instance
		other.SetClock(func() time.Time { return w.now })
		live := &Store{db: d.Gorm} // no cache
		local := w.now.In(shanghai)
		first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, shanghai)
		var bounds []time.Time
		for day := first; !day.After(first.AddDate(0, 1, 0)); day = day.AddDate(0, 0, 1) {
			bounds = append(bounds, day.UTC())
		}
		viewers := map[string]string{"zhaomin": ByOwner, "wangjianguo": ByTeam, "admin": ByBranch, "liuzhiqiang": ByTeam}
		check := func(step string) {
			t.Helper()
			for name, by := range viewers {
				actor := w.users[name]
				if g := w.svc.CalendarGrouping(actor, ViewScope); g != by {
					t.Fatalf("%s's month is counted by %q, want %q", name, g, by)
				}
				for _, svc := range []*Service{w.svc, other} {
					got, err := svc.CountByDay(ctx, actor, ViewScope, bounds, by)
					if err != nil {
						t.Fatal(err)
					}
					want, err := live.countByDay(ctx, w.ps.Scope(actor, "read"), PlanFilter{}, bounds, by)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: %s's month (%s): %+v, SQL says %+v", step, name, by, got, want)
					}
				}
			}
			if got, want := must(w.svc.CountByDay(ctx, w.users["admin"], ViewScope, bounds, ByBranch)), joinedDayCounts(t, d, bounds); !slices.Equal(got, want) {
				t.Errorf("%s: the admin's month %+v, the joined visits say %+v", step, got, want)
			}
		}
		total := func(name string) int64 {
			t.Helper()
			got, err := w.svc.CountByDay(ctx, w.users[name], ViewScope, bounds, ByTeam)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, c := range got {
				n += c.N
			}
			return n
		}
		check("start")
		n0 := total("wangjianguo")
		p := w.plan(t, "liwei", 2*time.Hour)
		check("planned")
		if n := total("wangjianguo"); n != n0+1 {
			t.Fatalf("director's month after a plan: %d, want %d", n, n0+1)
		}
		date, tm := w.at(26 * time.Hour)
		moved, err := w.svc.UpdatePlan(ctx, w.users["liwei"], p.ID, PlanInput{CustomerID: w.customer.ID, Date: date, Time: tm, Duration: "60",
			Kind: "needs", Objective: "确认专线带宽需求", Contacts: w.contacts[:1], Version: p.Version})
		if err != nil {
			t.Fatal(err)
		}
		check("moved to another day")
		if err := w.svc.Cancel(ctx, w.users["liwei"], moved.ID, "客户临时有会"); err != nil {
			t.Fatal(err)
		}
		check("cancelled")
		if _, err := other.CreatePlan(ctx, w.users["liwei"], PlanInput{CustomerID: w.customer.ID, Date: date, Time: "10:00", Duration: "30",
			Kind: "needs", Objective: "回访", Contacts: w.contacts[:1]}); err != nil {
			t.Fatal(err)
		}
		check("planned by another instance")
		if err := d.Gorm.Exec("UPDATE teams SET name = '政企一部（新）' WHERE id = ?", w.users["liwei"].TeamID).Error; err != nil {
			t.Fatal(err)
		}
		check("team renamed")
		if err := d.Gorm.Exec("UPDATE users SET team_id = ? WHERE id = ?", w.users["sunli"].TeamID, w.users["liwei"].ID).Error; err != nil {
			t.Fatal(err)
		}
		check("person moved to another team")
		n1, o1 := total("wangjianguo"), total("liuzhiqiang")
		other2 := w.users["liuzhiqiang"]
		if err := d.Gorm.Exec("UPDATE customers SET branch_id = ? WHERE id = ?", other2.BranchID, w.customer.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("customer moved to another branch")
		if n, o := total("wangjianguo"), total("liuzhiqiang"); n >= n1 || o <= o1 {
			t.Fatalf("customer to another branch: director %d → %d, other director %d → %d", n1, n, o1, o)
		}
		if err := d.Gorm.Exec("UPDATE branches SET name = '哈尔滨分公司（新）' WHERE id = ?", w.users["wangjianguo"].BranchID).Error; err != nil {
			t.Fatal(err)
		}
		check("branch renamed")
		if err := d.Gorm.Exec("UPDATE teams SET branch_id = ? WHERE id = ?", other2.BranchID, w.users["sunli"].TeamID).Error; err != nil {
			t.Fatal(err)
		}
		check("team moved to another branch")

		counts, err := w.svc.CountByDay(ctx, w.users["admin"], ViewScope, bounds, ByBranch)
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) == 0 {
			t.Fatal("the admin's month counts nothing")
		}
		for _, c := range counts {
			day := bounds[c.Day].In(shanghai)
			rows, n, err := w.svc.HistoryFor(ctx, w.users["admin"], ViewScope, HistoryQuery{Day: &day, BranchID: c.Key, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if n != c.N || int64(len(rows)) != c.N {
				t.Errorf("%s's %s count is %d, its drill-down lists %d (total %d)", c.Name, day.Format("2006-01-02"), c.N, len(rows), n)
			}
		}

		a0 := total("admin")
		if err := d.Gorm.Exec("UPDATE customers SET deleted_at = ? WHERE id = ?", w.now, w.customer.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("customer deleted")
		var gone int64
		if err := d.Gorm.Raw("SELECT COUNT(*) FROM visit_plans WHERE customer_id = ? AND deleted_at IS NULL AND starts_at >= ? AND starts_at < ?",
			w.customer.ID, bounds[0], bounds[len(bounds)-1]).Scan(&gone).Error; err != nil {
			t.Fatal(err)
		}
		if a := total("admin"); gone == 0 || a != a0-gone {
			t.Fatalf("a customer with %d visits in the month deleted: the admin's month %d → %d", gone, a0, a)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// joinedDayCounts is the admin's month counted the plain way: every live
// visit of a live customer, by day and its owner's branch.
func joinedDayCounts(t *testing.T, d *db.DB, bounds []time.Time) []DayCount {
	t.Helper()
	var rows []struct {
		StartsAt time.Time
		Branch   uint
		Name     string
	}
	err := d.Gorm.Raw(`SELECT visit_plans.starts_at, COALESCE(teams.branch_id, users.branch_id, 0) AS branch, COALESCE(branches.name, '') AS name
 FROM visit_plans JOIN customers ON customers.id = visit_plans.customer_id AND customers.deleted_at IS NULL
 LEFT JOIN users ON users.id = visit_plans.owner_id LEFT JOIN teams ON teams.id = users.team_id
 LEFT JOIN branches ON branches.id = COALESCE(teams.branch_id, users.branch_id, 0)
 WHERE visit_plans.deleted_at IS NULL AND visit_plans.starts_at >= ? AND visit_plans.starts_at < ?`, bounds[0], bounds[len(bounds)-1]).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	n := map[DayCount]int64{}
	for _, r := range rows {
		day := 0
		for day < len(bounds)-2 && !r.StartsAt.Before(bounds[day+1]) {
			day++
		}
		n[DayCount{Day: day, Key: r.Branch, Name: r.Name}]++
	}
	out := make([]DayCount, 0, len(n))
	for c, k := range n {
		c.N = k
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b DayCount) int {
		if a.Day != b.Day {
			return a.Day - b.Day
		}
		if a.Name != b.Name {
			return strings.Compare(a.Name, b.Name)
		}
		return int(a.Key) - int(b.Key)
	})
	return out
}

// TestCountByDayInHalves: a month's counts are read as its two halves of
// days side by side when the store has spare goroutines (countByDay), the
// second half's days shifted after the first's; for every viewer and
// grouping they are exactly the one statement's (countDays) — with visits
// on the first and last day, on both sides of the halves' edge, and none
// on some days.
func TestCountByDayInHalves(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		first := time.Date(2026, 11, 1, 0, 0, 0, 0, shanghai)
		var bounds []time.Time
		for day := first; !day.After(first.AddDate(0, 1, 0)); day = day.AddDate(0, 0, 1) {
			bounds = append(bounds, day.UTC())
		}
		mid := (len(bounds) - 1) / 2
		for i, day := range []int{1, 1, mid, mid + 1, mid + 1, mid + 2, 30} {
			owner := []string{"liwei", "zhangjing", "sunli"}[i%3]
			at := time.Date(2026, 11, day, 9+i, 0, 0, 0, shanghai)
			if err := d.Gorm.Exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
				VALUES (?, ?, ?, 'needs', '回访', 'planned', ?, ?)`, w.customer.ID, w.users[owner].ID, at, at, at).Error; err != nil {
				t.Fatal(err)
			}
		}
		halved := &Store{db: d.Gorm, spare: par.NewSpare(4)}
		one := &Store{db: d.Gorm}
		var second int
		for _, name := range []string{"admin", "wangjianguo", "zhaomin", "liwei"} {
			scope := w.ps.Scope(w.users[name], "read")
			for _, by := range []string{ByBranch, ByTeam, ByOwner} {
				got, err := halved.countByDay(ctx, scope, PlanFilter{}, bounds, by)
				if err != nil {
					t.Fatal(err)
				}
				want, err := one.countDays(ctx, scope, PlanFilter{}, bounds, by)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) || len(want) == 0 {
					t.Errorf("%s by %s: in halves %+v, one statement %+v", name, by, got, want)
				}
				for _, c := range got {
					if c.Day >= mid {
						second++
					}
				}
			}
		}
		if second == 0 {
			t.Error("no count in the second half: the halves prove nothing")
		}
	})
}

// TestProbedPagesAreTheWalk: a branch's or a team's page of visits found
// from its customers (probedPage, PostgreSQL, from probeFrom on) — the
// upcoming ones soonest first, then the past ones latest first — is the
// page the walk in time order finds, at every offset through both parts,
// for the director, the chief rep, the admin (the province's ids first)
// and — never probed — an account manager, with visits of several
// customers and branches, two at the same moment (the id breaks the
// tie), a deleted one, a deleted customer's, and filters on the status.
// On SQLite both stores walk.
func TestProbedPagesAreTheWalk(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		at := time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai)
		// Customers of the chief rep's team (liwei, zhangjing), of another
		// team of the branch (sunli) and of another branch (liuzhiqiang).
		for i, who := range []string{"zhangjing", "sunli", "zhangjing", "liwei"} {
			c, err := w.ps.CreateCustomer(ctx, w.users[who], prospects.CustomerInput{Name: fmt.Sprintf("探访客户%d", i),
				CreditCode: prospects.MakeCreditCode(fmt.Sprintf("12230103MB100010%d", i)), Industry: "gov", Grade: "B"}, false)
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				other := w.users["liuzhiqiang"]
				if err := d.Gorm.Exec(`UPDATE customers SET owner_id = ?, branch_id = ?, team_id = (SELECT MIN(id) FROM teams WHERE branch_id = ?) WHERE id = ?`, other.ID, other.BranchID, other.BranchID, c.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		var customers []uint
		if err := d.Gorm.Raw(`SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY branch_id, id`).Scan(&customers).Error; err != nil || len(customers) < 4 {
			t.Fatalf("customers: %v %v", customers, err)
		}
		var owner uint
		for i := range 36 {
			c := customers[i%len(customers)]
			if err := d.Gorm.Raw(`SELECT owner_id FROM customers WHERE id = ?`, c).Scan(&owner).Error; err != nil {
				t.Fatal(err)
			}
			// Every fifth at the same hour as the one before; a few
			// before at, which the page leaves to the walk of the past.
			starts := at.Add(time.Duration(i-14-i/5) * 7 * time.Hour)
			status := []string{StatusPlanned, StatusPlanned, StatusDone}[i%3]
			var deleted any
			if i == 13 {
				deleted = starts
			}
			if err := d.Gorm.Exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at, deleted_at)
				VALUES (?, ?, ?, 'needs', '回访', ?, ?, ?, ?)`, c, owner, starts, status, starts, starts, deleted).Error; err != nil {
				t.Fatal(err)
			}
		}
		// The last customer's visits stay, the customer is deleted.
		if err := d.Gorm.Exec(`UPDATE customers SET deleted_at = ? WHERE id = ?`, at, customers[len(customers)-1]).Error; err != nil {
			t.Fatal(err)
		}
		probing := &Store{db: d.Gorm, probeFrom: 1}
		walking := &Store{db: d.Gorm}
		probed, pastProbed := 0, 0
		for _, name := range []string{"wangjianguo", "zhaomin", "admin", "liwei"} {
			scope := w.ps.Scope(w.users[name], "read")
			for _, statuses := range [][]string{nil, {StatusPlanned}, {StatusDone}} {
				for offset := range 32 {
					f := PlanFilter{UpcomingFrom: &at, Statuses: statuses, Offset: offset}
					got, err := probing.upcomingFirst(ctx, scope, f, 3)
					if err != nil {
						t.Fatal(err)
					}
					want, err := walking.upcomingFirst(ctx, scope, f, 3)
					if err != nil {
						t.Fatal(err)
					}
					ids := func(rows []PlanRow) []uint {
						out := make([]uint, len(rows))
						for i, r := range rows {
							out[i] = r.ID
						}
						return out
					}
					if !slices.Equal(ids(got), ids(want)) {
						t.Errorf("%s %v offset %d: probed %v, walked %v", name, statuses, offset, ids(got), ids(want))
					}
					if probing.probes(scope, f, f.Offset) && len(want) > 0 {
						probed++
						if want[len(want)-1].StartsAt.Before(at) {
							pastProbed++
						}
					}
				}
			}
		}
		if d.Dialect == db.Postgres && (probed == 0 || pastProbed == 0) {
			t.Errorf("pages probed: %d, reaching the past visits: %d: the comparison proves little", probed, pastProbed)
		}
	})
}
