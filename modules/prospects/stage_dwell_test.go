package prospects

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// stageDwellKept reads PostgreSQL's stage changes counted per branch (and
// the province's per industry and grade: the part, 00061), month, stage
// and whole days (the view stage_dwell_counts, migration 00052) as they
// are, and as jike_refresh_stage_dwell_counts counts them
// again from the rows in a transaction that is then rolled back.
func stageDwellKept(t *testing.T, g *gorm.DB) (kept, rows string) {
	t.Helper()
	read := func(tx *gorm.DB) string {
		var out []struct {
			BranchID        uint
			Part            string
			Month           time.Time
			Stage           string
			Days            int
			N, Forward, Dwe int64
		}
		if err := tx.Raw(`SELECT branch_id, part, month, stage, days, SUM(n) AS n, SUM(forward) AS forward, SUM(dwell_us) AS dwe
			FROM stage_dwell_counts GROUP BY 1, 2, 3, 4, 5 HAVING SUM(n) <> 0 OR SUM(forward) <> 0 OR SUM(dwell_us) <> 0 ORDER BY 1, 2, 3, 4, 5`).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out)
	}
	kept = read(g)
	err := g.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT jike_refresh_stage_dwell_counts()").Error; err != nil {
			return err
		}
		rows = read(tx)
		return fmt.Errorf("roll back")
	})
	if err == nil || err.Error() != "roll back" {
		t.Fatal(err)
	}
	return kept, rows
}

// foldAll runs the fold job once and fails unless it left deltas empty.
func foldAll(t *testing.T, st *Store, deltas string) {
	t.Helper()
	if _, err := st.FoldStageTotals(context.Background()); err != nil {
		t.Fatal(err)
	}
	var left int64
	if err := st.db.Raw("SELECT COUNT(*) FROM " + deltas).Scan(&left).Error; err != nil || left != 0 {
		t.Fatalf("%d %s left after a fold (%v)", left, deltas, err)
	}
}

// foldUntil runs the fold job as often as it can beside concurrent
// writers, until done is closed (wg waits for it).
func foldUntil(t *testing.T, wg *sync.WaitGroup, done <-chan struct{}, st *Store) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := st.FoldStageTotals(context.Background()); err != nil {
				t.Errorf("fold: %v", err)
				return
			}
		}
	}()
}

// TestStageDwellKeptUnderConcurrentWrites: PostgreSQL's stage changes
// counted per month, branch, stage and whole days stay those of the
// live opportunities' changes after each kind of write — a change
// inserted in order or back-dated, deleted; an opportunity deleted,
// restored, moved to another customer; a customer moved to another
// branch, given another industry or grade, deleted, restored — before
// and after a fold, and after four writers changed the same few
// opportunities and customers at once while the fold ran beside them.
func TestStageDwellKeptUnderConcurrentWrites(t *testing.T) {
	d := testkit.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	st := w.svc.store
	g := d.Gorm
	now := time.Now().UTC()
	custs := []*Customer{w.customer(t, "liwei", "松花江冷链物流有限公司"), w.customer(t, "zhangjing", "哈尔滨市道里区教育局"),
		w.customer(t, "gaoyuan", "大庆油田信息中心")}
	for i := range 12 {
		w.addOpp(t, custs[i%len(custs)], Stages[i%len(Stages)], money.Fen(10_000*(i+1)), now)
	}
	var first uint
	if err := g.Raw("SELECT MIN(id) FROM opportunities WHERE customer_id IN ?", []uint{custs[0].ID, custs[1].ID, custs[2].ID}).Scan(&first).Error; err != nil || first == 0 {
		t.Fatalf("the opportunities: %d %v", first, err)
	}
	counted := 0 // checks with something counted
	check := func(step string) {
		t.Helper()
		kept, rows := stageDwellKept(t, g)
		if kept != rows {
			t.Fatalf("%s: the kept counts\n %s\ndiffer from the rows'\n %s", step, kept, rows)
		}
		if rows != "[]" {
			counted++
		}
	}
	var branches []uint
	if err := g.Raw("SELECT id FROM branches ORDER BY id").Scan(&branches).Error; err != nil || len(branches) < 2 {
		t.Fatalf("branches %v: %v", branches, err)
	}
	exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
	opp := func(r *rand.Rand) uint { return first + uint(r.IntN(12)) }
	cust := func(r *rand.Rand) uint { return custs[r.IntN(len(custs))].ID }
	// Changes over ~three months, hours apart, so that they fall in
	// several months and whole days.
	at := func(r *rand.Rand) time.Time { return now.Add(-time.Duration(r.IntN(90*24*60)) * time.Minute) }
	writes := []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at) VALUES (?, '', ?, ?, ?)",
				opp(r), Stages[r.IntN(len(Stages))], w.as("liwei").ID, at(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "DELETE FROM stage_changes WHERE id = (SELECT MIN(id) FROM stage_changes WHERE opportunity_id = ?)", opp(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET deleted_at = ? WHERE id = ?", now, opp(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET deleted_at = NULL WHERE id = ?", opp(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET customer_id = ? WHERE id = ?", cust(r), opp(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET branch_id = ? WHERE id = ?", branches[r.IntN(len(branches))], cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET deleted_at = ? WHERE id = ?", now, cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET industry = ? WHERE id = ?", []string{"finance", "gov", "education"}[r.IntN(3)], cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET grade = ? WHERE id = ?", []string{"A", "B", "C", "D"}[r.IntN(4)], cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET deleted_at = NULL WHERE id = ?", cust(r))
		},
	}
	r := rand.New(rand.NewPCG(52, 1))
	for range 6 {
		if err := writes[0](g, r); err != nil {
			t.Fatal(err)
		}
	}
	check("inserted")
	testkit.EachWrite(t, g, r, writes, func(int) int { return 4 }, check)
	foldAll(t, st, "stage_dwell_deltas")
	check("folded")

	var folding sync.WaitGroup
	done := make(chan struct{})
	foldUntil(t, &folding, done, st)
	testkit.ConcurrentWrites(t, g, 52, func(tx *gorm.DB, r *rand.Rand) error { return writes[r.IntN(len(writes))](tx, r) })
	close(done)
	folding.Wait()
	check("after the writes")
	if _, err := st.FoldStageTotals(ctx); err != nil {
		t.Fatal(err)
	}
	check("after the last fold")
	if counted < 8 {
		t.Errorf("only %d of the checks had stage changes to count: the test proves little", counted)
	}
}
