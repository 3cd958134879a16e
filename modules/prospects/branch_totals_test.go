package prospects

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// branchTotalsDiff is how many (branch, stage) sums of the view
// opportunity_branch_totals (migration 00047) differ from those of the
// live opportunities of live customers, both read in one statement.
func branchTotalsDiff(t *testing.T, g *gorm.DB) (diff, groups int64) {
	t.Helper()
	kept := `SELECT branch_id, stage, SUM(n) AS n, SUM(monthly) AS monthly, SUM(one_time) AS one_time, SUM(weighted_percent) AS weighted_percent
		FROM opportunity_branch_totals GROUP BY 1, 2 HAVING SUM(n) <> 0`
	truth := `SELECT customers.branch_id, opportunities.stage, COUNT(*) AS n, SUM(opportunities.monthly_fen) AS monthly,
		SUM(opportunities.one_time_fen) AS one_time, SUM(opportunities.monthly_fen * opportunities.probability) AS weighted_percent
		FROM opportunities JOIN customers ON customers.id = opportunities.customer_id
		WHERE opportunities.deleted_at IS NULL AND customers.deleted_at IS NULL GROUP BY 1, 2`
	var out struct{ Diff, Groups int64 }
	err := g.Raw(`SELECT (SELECT COUNT(*) FROM (SELECT * FROM (` + kept + `) k EXCEPT SELECT * FROM (` + truth + `) t) a)
		+ (SELECT COUNT(*) FROM (SELECT * FROM (` + truth + `) t EXCEPT SELECT * FROM (` + kept + `) k) b) AS diff,
		(SELECT COUNT(*) FROM (` + truth + `) t) AS groups`).Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	return out.Diff, out.Groups
}

// TestBranchTotalsKeptUnderConcurrentWrites: PostgreSQL's per-branch,
// per-stage opportunity sums stay those of the live opportunities of live
// customers after each kind of write — an opportunity created, moved
// between stages, values or customers, deleted, restored, removed; a
// customer moved to another branch, deleted, restored — before and after
// the fold, in every snapshot while four writers change the same few
// customers and their opportunities at once (transactions touching both
// tables in either order) and the fold runs beside them; and a
// director's board columns and list totals read them.
func TestBranchTotalsKeptUnderConcurrentWrites(t *testing.T) {
	d := testkit.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	st := w.svc.store
	g := d.Gorm
	now := time.Now().UTC()
	custs := []*Customer{w.customer(t, "liwei", "松花江冷链物流有限公司"), w.customer(t, "zhangjing", "哈尔滨市道里区教育局"),
		w.customer(t, "zhoujie", "黑龙江龙煤矿业集团"), w.customer(t, "gaoyuan", "大庆油田信息中心")}
	for i := range 24 {
		w.addOpp(t, custs[i%len(custs)], Stages[i%len(Stages)], money.Fen(10_000*(i+1)), now)
	}
	check := func(step string) {
		t.Helper()
		if diff, groups := branchTotalsDiff(t, g); diff != 0 || groups == 0 {
			t.Fatalf("%s: %d branch sums differ from the rows' (%d groups)", step, diff, groups)
		}
	}
	check("created")
	var branches []uint
	if err := g.Raw("SELECT id FROM branches ORDER BY id").Scan(&branches).Error; err != nil || len(branches) < 2 {
		t.Fatalf("branches %v: %v", branches, err)
	}
	exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
	cust := func(r *rand.Rand) uint { return custs[r.IntN(len(custs))].ID }
	opp := "(SELECT MIN(id) FROM opportunities WHERE id >= ?)"
	writes := []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET stage = ?, probability = ? WHERE id = "+opp, Stages[r.IntN(len(Stages))], r.IntN(101), r.IntN(30))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET monthly_fen = ?, one_time_fen = ? WHERE id = "+opp, r.IntN(1_000_000), r.IntN(50_000), r.IntN(30))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET customer_id = ? WHERE id = "+opp, cust(r), r.IntN(30))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET deleted_at = ? WHERE id = "+opp, now, r.IntN(30))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET deleted_at = NULL WHERE id = "+opp, r.IntN(30))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET branch_id = ? WHERE id = ?", branches[r.IntN(len(branches))], cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET deleted_at = ? WHERE id = ?", now, cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET deleted_at = NULL, name = name WHERE id = ?", cust(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			err := exec(tx, "INSERT INTO opportunities (customer_id, title, stage, monthly_fen, one_time_fen, probability, owner_id, stage_changed_at, version, created_at, updated_at) "+
				"VALUES (?, '并发商机', ?, ?, 0, ?, ?, ?, 1, ?, ?)", cust(r), Stages[r.IntN(len(Stages))], r.IntN(500_000), r.IntN(101), w.as("liwei").ID, now, now, now)
			if err != nil || r.IntN(3) != 0 {
				return err
			}
			return exec(tx, "DELETE FROM opportunities WHERE id = (SELECT MAX(id) FROM opportunities)")
		},
	}
	r := rand.New(rand.NewPCG(47, 1))
	testkit.EachWrite(t, g, r, writes, func(int) int { return 4 }, check)
	foldAll(t, st, "opportunity_branch_deltas")
	check("folded")

	var others sync.WaitGroup
	done := make(chan struct{})
	foldUntil(t, &others, done, st)
	others.Add(1)
	go func() {
		defer others.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if diff, _ := branchTotalsDiff(t, g); diff != 0 {
				t.Errorf("snapshot %d during the writes: %d branch sums differ", i, diff)
				return
			}
		}
	}()
	testkit.ConcurrentWrites(t, g, 47, func(tx *gorm.DB, r *rand.Rand) error { return writes[r.IntN(len(writes))](tx, r) })
	close(done)
	others.Wait()
	check("after the writes")
	if _, err := st.FoldStageTotals(ctx); err != nil {
		t.Fatal(err)
	}
	check("after the last fold")

	// A director's columns and totals line are the kept sums of the
	// branch, as the rows give them.
	dir := w.as("wangjianguo")
	scope := w.svc.Scope(dir, "read")
	got, err := st.stageTotals(ctx, scope, OpportunityFilter{Stages: OpenStages}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []oppTotalsRow
	err = g.Raw(`SELECT opportunities.stage, COUNT(*) AS n, SUM(monthly_fen) AS monthly, SUM(one_time_fen) AS one_time, SUM(monthly_fen * probability) AS weighted_percent
		FROM opportunities JOIN customers ON customers.id = opportunities.customer_id
		WHERE opportunities.deleted_at IS NULL AND customers.deleted_at IS NULL AND customers.branch_id = ? AND opportunities.stage IN ?
		GROUP BY 1`, dir.BranchID, OpenStages).Scan(&want).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("the director's columns: %v, the rows say %v", got, want)
	}
	for _, r := range want {
		if got[r.Stage] != r.totals() {
			t.Errorf("stage %s: %+v, the rows say %+v", r.Stage, got[r.Stage], r.totals())
		}
	}
}
