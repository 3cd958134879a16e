package prospects

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// keptAndTruth reads, in one snapshot, the per-stage totals the database
// keeps (opportunity_stage_totals: SQLite's table, PostgreSQL's view of
// base rows and deltas) and the same sums from the live opportunities.
func keptAndTruth(t *testing.T, g *gorm.DB) (kept, truth map[string]oppTotalsRow) {
	t.Helper()
	read := func(tx *gorm.DB, q string) map[string]oppTotalsRow {
		var rows []oppTotalsRow
		if err := tx.Raw(q).Scan(&rows).Error; err != nil {
			t.Error(err)
		}
		out := map[string]oppTotalsRow{}
		for _, r := range rows {
			if r.N != 0 {
				out[r.Stage] = r
			}
		}
		return out
	}
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	if g.Dialector.Name() != db.Postgres {
		opts = nil // a transaction reads one snapshot there
	}
	err := g.Transaction(func(tx *gorm.DB) error {
		kept = read(tx, "SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_totals")
		truth = read(tx, "SELECT stage, COUNT(*) AS n, SUM(monthly_fen) AS monthly, SUM(one_time_fen) AS one_time, "+
			"SUM(monthly_fen * probability) AS weighted_percent FROM opportunities WHERE deleted_at IS NULL GROUP BY stage")
		return nil
	}, opts)
	if err != nil {
		t.Error(err)
	}
	return kept, truth
}

// TestStageTotalsKeptUnderConcurrentWrites: the province's per-stage
// totals equal the live opportunities' sums after every kind of write
// (new, stage and value changed, soft-deleted, restored, removed), before
// and after PostgreSQL folds its deltas, and in every snapshot taken
// while four writers and the fold run at once; the fold moves the deltas
// into the base rows (none left after the last one).
func TestStageTotalsKeptUnderConcurrentWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		st := w.svc.store
		pg := d.Gorm.Dialector.Name() == db.Postgres
		now := time.Now().UTC()
		custs := []*Customer{w.customer(t, "liwei", "松花江冷链物流有限公司"), w.customer(t, "zhangjing", "哈尔滨市道里区教育局")}
		for i := range 30 {
			w.addOpp(t, custs[i%2], Stages[i%len(Stages)], money.Fen(10_000*(i+1)), now)
		}
		check := func(step string) {
			t.Helper()
			kept, truth := keptAndTruth(t, d.Gorm)
			if fmt.Sprint(kept) != fmt.Sprint(truth) {
				t.Errorf("%s: kept %v, want %v", step, kept, truth)
			}
		}
		deltas := func() int64 {
			t.Helper()
			if !pg {
				return 0
			}
			// The fold folds the branches' deltas too (migration 00047).
			var n int64
			if err := d.Gorm.Raw("SELECT (SELECT COUNT(*) FROM opportunity_stage_deltas) + (SELECT COUNT(*) FROM opportunity_branch_deltas)").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		check("created")
		before := deltas()
		folded, err := st.FoldStageTotals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if folded != before || deltas() != 0 || (pg && folded < 30) {
			t.Fatalf("folded %d of %d deltas, %d left", folded, before, deltas())
		}
		check("folded")
		exec := func(q string, args ...any) error { return d.Gorm.Exec(q, args...).Error }
		one := func(r *rand.Rand) error {
			switch r.IntN(6) {
			case 0:
				return exec("UPDATE opportunities SET stage = ?, probability = ? WHERE id = (SELECT MIN(id) FROM opportunities WHERE id >= ?)",
					Stages[r.IntN(len(Stages))], r.IntN(101), r.IntN(40))
			case 1:
				return exec("UPDATE opportunities SET monthly_fen = ?, one_time_fen = ? WHERE id = (SELECT MIN(id) FROM opportunities WHERE id >= ?)",
					r.IntN(1_000_000), r.IntN(50_000), r.IntN(40))
			case 2:
				return exec("UPDATE opportunities SET deleted_at = ? WHERE id = (SELECT MIN(id) FROM opportunities WHERE id >= ?)", now, r.IntN(40))
			case 3:
				return exec("UPDATE opportunities SET deleted_at = NULL WHERE id = (SELECT MIN(id) FROM opportunities WHERE id >= ?)", r.IntN(40))
			case 4:
				return exec("UPDATE opportunities SET title = title WHERE id = (SELECT MIN(id) FROM opportunities WHERE id >= ?)", r.IntN(40))
			default:
				o := &Opportunity{CustomerID: custs[r.IntN(2)].ID, Title: "并发商机", Stage: Stages[r.IntN(len(Stages))],
					MonthlyFen: money.Fen(r.IntN(500_000)), Probability: r.IntN(101), OwnerID: w.as("liwei").ID, StageChangedAt: now}
				if err := st.CreateOpportunity(ctx, o); err != nil {
					return err
				}
				if r.IntN(3) == 0 {
					return exec("DELETE FROM opportunities WHERE id = ?", o.ID)
				}
				return nil
			}
		}
		var writers, others sync.WaitGroup
		done := make(chan struct{})
		for g := range 4 {
			writers.Add(1)
			go func() {
				defer writers.Done()
				r := rand.New(rand.NewPCG(uint64(g), 19))
				for range 40 {
					if err := one(r); err != nil {
						t.Errorf("writer %d: %v", g, err)
						return
					}
				}
			}()
		}
		foldUntil(t, &others, done, st) // the job, as often as it can
		others.Add(1)
		go func() { // readers: every snapshot exact
			defer others.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				kept, truth := keptAndTruth(t, d.Gorm)
				if fmt.Sprint(kept) != fmt.Sprint(truth) {
					t.Errorf("snapshot %d during the writes: kept %v, want %v", i, kept, truth)
					return
				}
			}
		}()
		writers.Wait()
		close(done)
		others.Wait()
		check("after the writes")
		if _, err := st.FoldStageTotals(ctx); err != nil {
			t.Fatal(err)
		}
		if n := deltas(); n != 0 {
			t.Fatalf("%d deltas left after the last fold", n)
		}
		check("after the last fold")
	})
}
