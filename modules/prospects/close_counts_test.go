package prospects

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// closeCountsTruth counts the live open opportunities with a close date
// per expected-close day and stage, and their monthly value, in Go: the
// definition the kept rows (opportunity_close_counts, migration 00068)
// must match. Deleted customers' opportunities count (the report takes
// them off as it reads).
func closeCountsTruth(t *testing.T, g *gorm.DB) string {
	t.Helper()
	var rows []struct {
		Day        string
		Stage      string
		MonthlyFen int64
	}
	if err := g.Raw(`SELECT CAST(expected_close AS TEXT) AS day, stage, monthly_fen FROM opportunities
		WHERE deleted_at IS NULL AND expected_close IS NOT NULL`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][2]int64{}
	for _, r := range rows {
		if !isOpenStage(r.Stage) {
			continue
		}
		k := r.Day + "/" + r.Stage
		v := out[k]
		out[k] = [2]int64{v[0] + 1, v[1] + r.MonthlyFen}
	}
	return fmt.Sprint(out)
}

func isOpenStage(st string) bool {
	for _, o := range []string{StageIdentified, StageContacted, StageVisited, StageNeeds, StageProposal, StageNegotiation} {
		if st == o {
			return true
		}
	}
	return false
}

// closeCountsKept reads the kept rows that count anything, as
// closeCountsTruth writes them.
func closeCountsKept(t *testing.T, g *gorm.DB) string {
	t.Helper()
	var rows []struct {
		Day        string
		Stage      string
		N, Monthly int64
	}
	if err := g.Raw(`SELECT CAST(close_on AS TEXT) AS day, stage, n, monthly FROM opportunity_close_counts
		WHERE n <> 0 OR monthly <> 0`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][2]int64{}
	for _, r := range rows {
		out[r.Day+"/"+r.Stage] = [2]int64{r.N, r.Monthly}
	}
	return fmt.Sprint(out)
}

// TestOpportunityCloseCountsKept: PostgreSQL's open opportunities counted
// per expected-close day and stage stay those of the opportunities after
// each kind of write — opportunities created through the service and
// several in one statement (one deleted, one won, one without a date),
// moved to another stage (open, won, lost and back), given another close
// date or none, another value, deleted, restored, removed, and an edit of
// what is not counted — also while four writers change the same
// opportunities at once; and a refresh counts the same.
func TestOpportunityCloseCountsKept(t *testing.T) {
	d := testkit.Postgres(t)
	w := newWorld(t, d)
	g := d.Gorm
	ctx := context.Background()
	check := func(step string) {
		t.Helper()
		if kept, truth := closeCountsKept(t, g), closeCountsTruth(t, g); kept != truth {
			t.Fatalf("%s: kept\n %s\nthe opportunities say\n %s", step, kept, truth)
		}
	}
	c := w.customer(t, "liwei", "松花江冷链物流有限公司")
	liwei := w.users["liwei"]
	for i, close := range []string{"2027-01-15", "2027-01-15", "2027-02-03", ""} {
		_, err := w.svc.CreateOpportunity(ctx, liwei, OpportunityInput{CustomerID: c.ID, Title: fmt.Sprintf("计数商机%d", i),
			Monthly: fmt.Sprint(1000 * (i + 1)), ExpectedClose: close, Stage: StageProposal})
		if err != nil {
			t.Fatalf("opportunity %d: %v", i, err)
		}
	}
	check("created by the service")
	const cols = `INSERT INTO opportunities (customer_id, title, stage, owner_id, monthly_fen, expected_close, deleted_at, stage_changed_at, created_at, updated_at) VALUES `
	const row = `(?, ?, ?, ?, ?, ?, ?, now(), now(), now())`
	if err := g.Exec(cols+row+", "+row+", "+row+", "+row,
		c.ID, "批量一", StageNeeds, liwei.ID, 500000, "2027-01-15", nil,
		c.ID, "批量二", StageNeeds, liwei.ID, 70000, "2027-03-01", "2026-01-01T00:00:00Z",
		c.ID, "批量三", StageWon, liwei.ID, 90000, "2027-03-01", nil,
		c.ID, "批量四", StageVisited, liwei.ID, 30000, nil, nil).Error; err != nil {
		t.Fatal(err)
	}
	check("four in one statement: one deleted, one won, one without a date")
	var all []uint
	if err := g.Raw("SELECT id FROM opportunities WHERE customer_id = ? ORDER BY id", c.ID).Scan(&all).Error; err != nil || len(all) != 8 {
		t.Fatalf("the customer's opportunities: %v %v", all, err)
	}
	exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
	pick := func(r *rand.Rand) uint { return all[r.IntN(len(all))] }
	stages := []string{StageIdentified, StageNeeds, StageNegotiation, StageWon, StageLost}
	days := []any{"2027-01-15", "2027-02-03", "2027-03-01", nil}
	writes := []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET stage = ? WHERE id = ?", stages[r.IntN(len(stages))], pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET expected_close = ? WHERE id = ?", days[r.IntN(len(days))], pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET monthly_fen = monthly_fen + ? WHERE id = ?", 100*(1+r.IntN(50)), pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// Two at once, in both orders: a value and a date swapped.
			a, b := all[0], all[1+r.IntN(len(all)-1)]
			return exec(tx, `UPDATE opportunities SET expected_close = CASE WHEN id = ? THEN (SELECT expected_close FROM opportunities WHERE id = ?)
				ELSE (SELECT expected_close FROM opportunities WHERE id = ?) END, monthly_fen = monthly_fen + 1 WHERE id IN (?, ?)`, a, b, a, a, b)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// An edit of what is not counted changes nothing.
			return exec(tx, "UPDATE opportunities SET title = title || '·', probability = ? WHERE id = ?", r.IntN(100), pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET deleted_at = now() WHERE id = ?", pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE opportunities SET deleted_at = NULL WHERE id = ?", pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			if err := exec(tx, cols+row, c.ID, "新增后删", StageContacted, liwei.ID, 1234, days[r.IntN(3)], nil); err != nil {
				return err
			}
			return exec(tx, "DELETE FROM opportunities WHERE id = (SELECT MAX(id) FROM opportunities) AND title = '新增后删'")
		},
	}
	r := rand.New(rand.NewPCG(68, 1))
	testkit.EachWrite(t, g, r, writes, func(int) int { return 3 }, check)
	testkit.ConcurrentWrites(t, g, 64, func(tx *gorm.DB, r *rand.Rand) error { return writes[r.IntN(len(writes))](tx, r) })
	check("after four writers at once")
	if err := exec(g, "SELECT jike_refresh_opportunity_close_counts()"); err != nil {
		t.Fatal(err)
	}
	check("counted again")
}
