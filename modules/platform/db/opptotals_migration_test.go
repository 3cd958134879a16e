package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps SQLite's opportunity totals per stage.
const oppTotalsVersion = 35

// TestOpportunityTotalsMigrationFillsFromTheRows (SQLite; on PostgreSQL
// 00035 changes nothing): a database with opportunities at the version
// before gets per-stage totals equal to the live opportunities' sums, the
// deleted ones left out; down drops the table and up fills it again.
func TestOpportunityTotalsMigrationFillsFromTheRows(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedSQLite(t)
	p, exec := beforeMigration(t, g, sqlDB, db.SQLite, oppTotalsVersion)
	now := time.Now().UTC()
	for i, o := range []struct {
		stage            string
		monthly, oneTime int64
		prob             int
		deleted          bool
	}{
		{"identified", 100000, 5000, 10, false}, {"identified", 250000, 0, 20, false}, {"proposal", 880000, 200000, 60, false},
		{"won", 990000, 0, 100, false}, {"proposal", 123400, 1, 60, true},
	} {
		var del any
		if o.deleted {
			del = now
		}
		exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at, deleted_at)
			VALUES (1, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`, fmt.Sprint("商机", i), o.monthly, o.oneTime, o.stage, o.prob, now, now, now, del)
	}
	const want = "[{identified 2 350000 5000 6000000} {proposal 1 880000 200000 52800000} {won 1 990000 0 99000000}]"
	type row struct {
		Stage                                string
		N, Monthly, OneTime, WeightedPercent int64
	}
	kept := func() string {
		t.Helper()
		var rows []row
		if err := g.Raw("SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_totals ORDER BY stage").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	if _, err := p.UpTo(ctx, oppTotalsVersion); err != nil {
		t.Fatal(err)
	}
	if got := kept(); got != want {
		t.Fatalf("after the migration the per-stage totals are %s, want %s", got, want)
	}
	if _, err := p.DownTo(ctx, oppTotalsVersion-1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := g.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%opportunit%totals%'").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("down left %d of the table and its triggers (%v)", n, err)
	}
	exec("UPDATE opportunities SET deleted_at = NULL WHERE title = '商机4'")
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := kept(), "[{identified 2 350000 5000 6000000} {proposal 2 1003400 200001 60204000} {won 1 990000 0 99000000}]"; got != want {
		t.Fatalf("up again: %s, want %s", got, want)
	}
}
