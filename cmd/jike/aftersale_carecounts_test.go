package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// careCountsDiff is how many (branch, grade, last contact) counts of the
// view care_contact_counts (migration 00046) differ from the customers'
// and their last contacts', both read in one statement (one snapshot),
// and how many such counts the rows give.
func careCountsDiff(t *testing.T, g *gorm.DB, dialect string) (diff, groups int64) {
	t.Helper()
	day := "CAST(%s AS DATE)"
	if dialect != db.Postgres {
		day = "date(%s)"
	}
	kept := `SELECT branch_id, grade, COALESCE(CAST(` + fmt.Sprintf(day, "last_contact_on") + ` AS TEXT), '-') AS last, SUM(n) AS n
		FROM care_contact_counts GROUP BY 1, 2, 3 HAVING SUM(n) <> 0`
	truth := `SELECT customers.branch_id, customers.grade, COALESCE(CAST(` + fmt.Sprintf(day, "care_last_contacts.last_contact_on") + ` AS TEXT), '-') AS last, COUNT(*) AS n
		FROM customers LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id
		WHERE customers.deleted_at IS NULL AND customers.status IN ('active', 'dormant') GROUP BY 1, 2, 3`
	var out struct{ Diff, Groups int64 }
	err := g.Raw(`SELECT (SELECT COUNT(*) FROM (SELECT * FROM (` + kept + `) k EXCEPT SELECT * FROM (` + truth + `) t) a)
		+ (SELECT COUNT(*) FROM (SELECT * FROM (` + truth + `) t EXCEPT SELECT * FROM (` + kept + `) k) b) AS diff,
		(SELECT COUNT(*) FROM (` + truth + `) t) AS groups`).Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	return out.Diff, out.Groups
}

// TestCareCountsKeptUnderConcurrentWrites: the care list's counts per
// branch, grade and last contact stay those of the rows after each kind
// of write to either table they follow — a customer's grade, branch,
// status or deletion, a last contact added, moved or removed — before and
// after PostgreSQL's fold, and in every snapshot while four writers
// change the same few customers and their contacts at once (each
// transaction touching both tables, in either order) and the fold runs
// beside them.
func TestCareCountsKeptUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
		a := newTestApp(t, d, func(o *appOptions) { o.Now = func() time.Time { return now }; o.Location = time.UTC })
		ids := careWorld(t, a, 40, 3, now)
		pg := d.Dialect == db.Postgres
		g := a.DB.Gorm
		store := aftersale.NewStore(g)
		check := func(step string) {
			t.Helper()
			if diff, groups := careCountsDiff(t, g, d.Dialect); diff != 0 || groups == 0 {
				t.Fatalf("%s: %d counts differ from the rows' (%d groups)", step, diff, groups)
			}
		}
		deltas := func() int64 {
			t.Helper()
			if !pg {
				return 0
			}
			var n int64
			if err := g.Raw("SELECT COUNT(*) FROM care_contact_deltas").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		check("the world")
		if folded, err := store.FoldCareCounts(ctx); err != nil || deltas() != 0 || (pg && folded != 0) {
			// The world's rebuild counted again from the rows: nothing to fold.
			t.Fatalf("folded %d (%v), %d left", folded, err, deltas())
		}
		var branches []uint
		if err := g.Raw("SELECT id FROM branches ORDER BY id").Scan(&branches).Error; err != nil || len(branches) < 2 {
			t.Fatalf("branches %v: %v", branches, err)
		}
		day := func(r *rand.Rand) time.Time {
			return time.Date(2026, time.Month(1+r.IntN(11)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		// One of each kind of write, checked one by one.
		exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
		writes := []func(tx *gorm.DB, r *rand.Rand, id uint) error{
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "UPDATE customers SET grade = ? WHERE id = ?", aftersale.Grades[r.IntN(4)], id)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "UPDATE customers SET branch_id = ? WHERE id = ?", branches[r.IntN(len(branches))], id)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "UPDATE customers SET status = ? WHERE id = ?", []string{"active", "dormant", "churned", "prospect"}[r.IntN(4)], id)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "UPDATE customers SET deleted_at = ? WHERE id = ?", now, id)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "UPDATE customers SET deleted_at = NULL, name = name WHERE id = ?", id)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "INSERT INTO care_last_contacts (customer_id, last_contact_on, updated_at) VALUES (?, ?, ?) "+
					"ON CONFLICT (customer_id) DO UPDATE SET last_contact_on = excluded.last_contact_on, updated_at = excluded.updated_at", id, day(r), now)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "DELETE FROM care_last_contacts WHERE customer_id = ?", id)
			},
			func(tx *gorm.DB, r *rand.Rand, id uint) error {
				return exec(tx, "UPDATE care_last_contacts SET updated_at = ? WHERE customer_id = ?", now, id)
			},
		}
		r := rand.New(rand.NewPCG(46, 1))
		for i, w := range writes {
			for _, id := range ids[:6] {
				if err := w(g, r, id); err != nil {
					t.Fatal(err)
				}
			}
			check(fmt.Sprintf("write %d", i))
		}
		if pg && deltas() == 0 {
			t.Fatal("the writes appended no delta")
		}
		if _, err := store.FoldCareCounts(ctx); err != nil {
			t.Fatal(err)
		}
		if deltas() != 0 {
			t.Fatalf("%d deltas left after a fold", deltas())
		}
		check("folded")

		// Four writers on six customers, each transaction two writes.
		hot := ids[:6]
		var others sync.WaitGroup
		done := make(chan struct{})
		others.Add(2)
		go func() { // the job, as often as it can
			defer others.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := store.FoldCareCounts(ctx); err != nil {
					t.Errorf("fold: %v", err)
					return
				}
			}
		}()
		go func() { // readers: every snapshot exact
			defer others.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if diff, _ := careCountsDiff(t, g, d.Dialect); diff != 0 {
					t.Errorf("snapshot %d during the writes: %d counts differ", i, diff)
					return
				}
			}
		}()
		testkit.ConcurrentWrites(t, g, 46, func(tx *gorm.DB, r *rand.Rand) error {
			return writes[r.IntN(len(writes))](tx, r, hot[r.IntN(len(hot))])
		})
		close(done)
		others.Wait()
		check("after the writes")
		if _, err := store.FoldCareCounts(ctx); err != nil {
			t.Fatal(err)
		}
		check("after the last fold")
		if n := deltas(); n != 0 {
			t.Fatalf("%d deltas left after the last fold", n)
		}
	})
}

// TestCareListPagesFromCounts: a director's and the admin's care list
// pages that lie among the overdue customers count from
// care_contact_counts and read only the customers contacted before the
// page's latest last contact; a page past the overdue ones, and an
// account manager's list, read the customers the long way. (That both
// give the list's definition is TestCareListSQLMatchesDefinition's.)
func TestCareListPagesFromCounts(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
		a := newTestApp(t, d, func(o *appOptions) { o.Now = func() time.Time { return now }; o.Location = time.UTC })
		careWorld(t, a, 120, 11, now)
		var mu sync.Mutex
		var stmts []string
		record := func(tx *gorm.DB) {
			mu.Lock()
			defer mu.Unlock()
			stmts = append(stmts, tx.Statement.SQL.String())
		}
		g := a.DB.Gorm
		if err := g.Callback().Query().After("gorm:query").Register("test:care_stmts", record); err != nil {
			t.Fatal(err)
		}
		if err := g.Callback().Row().After("gorm:row").Register("test:care_stmts", record); err != nil {
			t.Fatal(err)
		}
		list := func(who string, f aftersale.CareListFilter) (counted, bounded bool, rows int, counts aftersale.CareCounts) {
			t.Helper()
			mu.Lock()
			stmts = nil
			mu.Unlock()
			out, c, _, err := a.Aftersale.CareList(ctx, subject(t, a, who), f)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range stmts {
				counted = counted || strings.Contains(s, "care_contact_counts")
				bounded = bounded || strings.Contains(s, "care_last_contacts.last_contact_on < ")
			}
			return counted, bounded, len(out), c
		}
		for _, who := range []string{"admin", "wangjianguo"} {
			counted, bounded, n, c := list(who, aftersale.CareListFilter{Limit: 5})
			if c.Overdue < 6 {
				t.Fatalf("%s: %d overdue customers; the test needs more than a page", who, c.Overdue)
			}
			if !counted || !bounded || n != 5 {
				t.Errorf("%s's first page: counted %v, bounded %v, %d rows", who, counted, bounded, n)
			}
			counted, bounded, n, _ = list(who, aftersale.CareListFilter{State: aftersale.CareOverdue, Limit: 5, Offset: c.Overdue - 2})
			if !counted || !bounded || n != 2 {
				t.Errorf("%s's last page of the overdue: counted %v, bounded %v, %d rows", who, counted, bounded, n)
			}
			if _, bounded, _, _ = list(who, aftersale.CareListFilter{Limit: 5, Offset: c.Overdue - 2}); bounded {
				t.Errorf("%s: a page past the overdue customers was read from a bound", who)
			}
		}
		if counted, bounded, _, _ := list("liwei", aftersale.CareListFilter{Limit: 5}); counted || bounded {
			t.Errorf("an account manager's list: counted %v, bounded %v", counted, bounded)
		}
	})
}
