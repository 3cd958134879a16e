package visits

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// weekKey is one kept row's key (migrations 00050, 00063).
type weekKey struct {
	Part                string
	Piece               string
	Branch, Team, Owner uint
	AB                  bool
}

// weekVal is one kept row's counts.
type weekVal struct{ Planned, Done, Open int64 }

// weekTruth counts the live visits of live customers per week piece in
// loc, in Go: the definition the kept rows must match, computed without
// the database's piece function — each visit in its customers' part ”
// (all), 'i:<industry>' and 'g:<grade>', and in the same three of its
// month ('m:', 'm:i:<industry>', 'm:g:<grade>' under the month's first
// day: migration 00066).
func weekTruth(t *testing.T, g *gorm.DB, loc *time.Location) map[weekKey]weekVal {
	t.Helper()
	var rows []struct {
		StartsAt                  time.Time
		Status                    string
		OwnerID, BranchID, TeamID uint
		Industry, Grade           string
	}
	if err := g.Raw(`SELECT v.starts_at, v.status, v.owner_id, c.branch_id, c.team_id, c.industry, c.grade FROM visit_plans v
		JOIN customers c ON c.id = v.customer_id WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[weekKey]weekVal{}
	for _, r := range rows {
		local := r.StartsAt.In(loc)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		piece := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		if first := day.AddDate(0, 0, 1-day.Day()); first.After(piece) {
			piece = first
		}
		month := day.AddDate(0, 0, 1-day.Day())
		for i, part := range []string{"", "i:" + r.Industry, "g:" + r.Grade, "m:", "m:i:" + r.Industry, "m:g:" + r.Grade} {
			at := piece
			if i >= 3 {
				at = month
			}
			k := weekKey{Part: part, Piece: at.Format(time.DateOnly), Branch: r.BranchID, Team: r.TeamID, Owner: r.OwnerID, AB: r.Grade == "A" || r.Grade == "B"}
			v := out[k]
			if r.Status != "cancelled" {
				v.Planned++
			}
			if r.Status == "done" {
				v.Done++
			}
			if r.Status == "planned" {
				v.Open++
			}
			out[k] = v
		}
	}
	return out
}

// weekKept reads the kept rows that count anything.
func weekKept(t *testing.T, g *gorm.DB) map[weekKey]weekVal {
	t.Helper()
	var rows []struct {
		Part                      string
		Piece                     time.Time
		BranchID, TeamID, OwnerID uint
		AB                        bool
		Planned, Done, Open       int64
	}
	if err := g.Raw(`SELECT part, piece, branch_id, team_id, owner_id, ab, planned, done, open FROM visit_week_counts
		WHERE planned <> 0 OR done <> 0 OR open <> 0`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[weekKey]weekVal{}
	for _, r := range rows {
		out[weekKey{Part: r.Part, Piece: r.Piece.Format(time.DateOnly), Branch: r.BranchID, Team: r.TeamID, Owner: r.OwnerID, AB: r.AB}] = weekVal{r.Planned, r.Done, r.Open}
	}
	return out
}

// weekDiff describes how kept and truth differ ("" when they do not).
func weekDiff(kept, truth map[weekKey]weekVal) string {
	var b strings.Builder
	for k, v := range truth {
		if kept[k] != v {
			fmt.Fprintf(&b, "%+v: kept %+v, visits %+v; ", k, kept[k], v)
		}
	}
	for k, v := range kept {
		if _, ok := truth[k]; !ok {
			fmt.Fprintf(&b, "%+v: kept %+v, no visits; ", k, v)
		}
	}
	return b.String()
}

// TestVisitWeekCountsKept: PostgreSQL's visit counts per manager and week
// piece stay those of the live visits of live customers, pieced in the
// portal's zone, after each kind of write — a visit planned, done,
// cancelled, moved in time, to another owner or customer, deleted,
// restored, removed; a customer moved to another branch or team, graded
// in or out of A/B or to another grade, put in another industry,
// deleted, restored — also while four writers change
// the same visits and customers at once in transactions touching both
// tables in either order; KeepWeekCounts counts them again in another
// zone, and refuses a zone PostgreSQL names differently.
func TestVisitWeekCountsKept(t *testing.T) {
	d := testkit.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	g := d.Gorm
	st := w.svc.store
	if ok, err := st.KeepWeekCounts(ctx, shanghai); !ok || err != nil {
		t.Fatalf("KeepWeekCounts(Shanghai) = %v, %v", ok, err)
	}
	check := func(step string, loc *time.Location) {
		t.Helper()
		truth := weekTruth(t, g, loc)
		if len(truth) == 0 {
			t.Fatalf("%s: no visits: the test proves nothing", step)
		}
		if diff := weekDiff(weekKept(t, g), truth); diff != "" {
			t.Fatalf("%s: %s", step, diff)
		}
	}

	// Customers in two branches, graded A and C, and visits around the
	// month and week bounds (in Shanghai and in UTC: 16:00 UTC is the
	// next day's midnight there).
	var custs []uint
	for i, as := range []string{"liwei", "zhangjing", "liwei"} {
		c, err := w.ps.CreateCustomer(ctx, w.users[as], prospectsInput(i), false)
		if err != nil {
			t.Fatal(err)
		}
		custs = append(custs, c.ID)
	}
	custs = append(custs, w.customer.ID)
	var owners, branches, teams []uint
	for _, q := range []struct {
		sql string
		to  *[]uint
	}{{"SELECT id FROM users WHERE role = 'account_manager' ORDER BY id", &owners}, {"SELECT id FROM branches ORDER BY id", &branches}, {"SELECT id FROM teams ORDER BY id", &teams}} {
		if err := g.Raw(q.sql).Scan(q.to).Error; err != nil || len(*q.to) < 2 {
			t.Fatalf("%s: %v %v", q.sql, *q.to, err)
		}
	}
	base := time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC) // Sunday 31 Oct 23:30 in Shanghai
	starts := func(r *rand.Rand) time.Time { return base.Add(time.Duration(r.IntN(24*20)) * 30 * time.Minute) }
	statuses := []string{"planned", "done", "cancelled", "missed"}
	exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
	insert := func(tx *gorm.DB, r *rand.Rand) error {
		return exec(tx, `INSERT INTO visit_plans (customer_id, owner_id, starts_at, duration_min, kind, objective, status, version, created_at, updated_at)
			VALUES (?, ?, ?, 60, 'needs', '了解需求', ?, 1, now(), now())`, custs[r.IntN(len(custs))], owners[r.IntN(len(owners))], starts(r), statuses[r.IntN(len(statuses))])
	}
	r := rand.New(rand.NewPCG(50, 1))
	for range 40 {
		if err := insert(g, r); err != nil {
			t.Fatal(err)
		}
	}
	check("planned", shanghai)

	visit := "(SELECT MIN(id) FROM visit_plans WHERE id >= (SELECT MIN(id) FROM visit_plans) + ?)"
	writes := []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE visit_plans SET status = ? WHERE id = "+visit, statuses[r.IntN(len(statuses))], r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE visit_plans SET starts_at = ? WHERE id = "+visit, starts(r), r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE visit_plans SET owner_id = ? WHERE id = "+visit, owners[r.IntN(len(owners))], r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE visit_plans SET customer_id = ? WHERE id = "+visit, custs[r.IntN(len(custs))], r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE visit_plans SET deleted_at = now() WHERE id = "+visit, r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE visit_plans SET deleted_at = NULL WHERE id = "+visit, r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// A reminder's stamp changes nothing counted.
			return exec(tx, "UPDATE visit_plans SET prep_reminded_at = now(), objective = '再访' WHERE id = "+visit, r.IntN(40))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			if err := insert(tx, r); err != nil || r.IntN(3) != 0 {
				return err
			}
			return exec(tx, "DELETE FROM visit_plans WHERE id = (SELECT MAX(id) FROM visit_plans) AND NOT EXISTS (SELECT 1 FROM visit_participants WHERE visit_id = visit_plans.id)")
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET grade = ? WHERE id = ?", []string{"A", "B", "C", "D"}[r.IntN(4)], custs[r.IntN(len(custs))])
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET industry = ? WHERE id = ?", []string{"education", "finance", "gov"}[r.IntN(3)], custs[r.IntN(len(custs))])
		},
	}
	writes = append(writes, testkit.CustomerMoves(custs, branches, teams)...)
	testkit.EachWrite(t, g, r, writes, func(i int) int {
		if i == len(writes)-2 { // a customer deleted: once, some stay
			return 1
		}
		return 5
	}, func(step string) { check(step, shanghai) })

	testkit.ConcurrentWrites(t, g, 50, func(tx *gorm.DB, r *rand.Rand) error { return writes[r.IntN(len(writes))](tx, r) })
	if err := exec(g, "UPDATE customers SET deleted_at = NULL WHERE id IN ?", custs); err != nil {
		t.Fatal(err)
	}
	check("after four writers at once", shanghai)

	// Another zone: counted again at start-up; and back.
	if ok, err := st.KeepWeekCounts(ctx, time.UTC); !ok || err != nil {
		t.Fatalf("KeepWeekCounts(UTC) = %v, %v", ok, err)
	}
	check("counted in UTC", time.UTC)
	if err := insert(g, r); err != nil {
		t.Fatal(err)
	}
	check("written in UTC", time.UTC)
	if ok, err := st.KeepWeekCounts(ctx, shanghai); !ok || err != nil {
		t.Fatalf("KeepWeekCounts(Shanghai) again = %v, %v", ok, err)
	}
	check("back in Shanghai", shanghai)

	// A fixed zone named CST is US Central to PostgreSQL: not kept, and
	// the rows stay Shanghai's.
	if ok, err := st.KeepWeekCounts(ctx, time.FixedZone("CST", 8*3600)); ok || err != nil {
		t.Fatalf("KeepWeekCounts(fixed CST+8) = %v, %v: want false", ok, err)
	}
	check("after a refused zone", shanghai)
}

// TestVisitWeekCountsNotOnSQLite: SQLite keeps no counts; its readers
// count the visits.
func TestVisitWeekCountsNotOnSQLite(t *testing.T) {
	d := testkit.SQLite(t)
	if ok, err := NewStore(d.Gorm).KeepWeekCounts(context.Background(), shanghai); ok || err != nil {
		t.Fatalf("KeepWeekCounts on SQLite = %v, %v: want false, nil", ok, err)
	}
}

// prospectsInput is the i-th extra customer of the test: A, C, B, ….
func prospectsInput(i int) prospects.CustomerInput {
	return prospects.CustomerInput{Name: fmt.Sprintf("松北区第%d中学", i+1), CreditCode: prospects.MakeCreditCode(fmt.Sprintf("12230103MB100%04d", 10+i)),
		Industry: "education", Grade: []string{"A", "C", "B"}[i%3]}
}
