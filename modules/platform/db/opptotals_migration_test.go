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

// The version that keeps PostgreSQL's opportunity totals as base rows and
// appended deltas.
const oppDeltasVersion = 45

// TestOpportunityStageDeltasMigration (PostgreSQL; on SQLite 00045
// changes nothing): the migration sums the opportunities it finds into
// the base rows, the deleted ones left out; every later write appends
// deltas that keep the view equal to the live sums; down drops the
// tables, view, trigger and functions, and up fills the base again.
func TestOpportunityStageDeltasMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, oppDeltasVersion)
	now := time.Now().UTC()
	insert := func(title, stage string, monthly, oneTime int64, prob int, deleted bool) {
		var del any
		if deleted {
			del = now
		}
		exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at, deleted_at)
			VALUES (1, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`, title, monthly, oneTime, stage, prob, now, now, now, del)
	}
	insert("商机0", "identified", 100000, 5000, 10, false)
	insert("商机1", "identified", 250000, 0, 20, false)
	insert("商机2", "proposal", 880000, 200000, 60, false)
	insert("商机3", "won", 990000, 0, 100, false)
	insert("商机4", "proposal", 123400, 1, 60, true)
	type row struct {
		Stage                                string
		N, Monthly, OneTime, WeightedPercent int64
	}
	read := func(q string) string {
		t.Helper()
		var rows []row
		if err := g.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := func() string {
		return read("SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_totals WHERE n <> 0 ORDER BY stage")
	}
	truth := func() string {
		return read(`SELECT stage, COUNT(*) AS n, SUM(monthly_fen) AS monthly, SUM(one_time_fen) AS one_time, SUM(monthly_fen * probability) AS weighted_percent
			FROM opportunities WHERE deleted_at IS NULL GROUP BY stage ORDER BY stage`)
	}
	if _, err := p.UpTo(ctx, oppDeltasVersion); err != nil {
		t.Fatal(err)
	}
	const want = "[{identified 2 350000 5000 6000000} {proposal 1 880000 200000 52800000} {won 1 990000 0 99000000}]"
	if got := kept(); got != want {
		t.Fatalf("after the migration the per-stage totals are %s, want %s", got, want)
	}
	if got := read("SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_base ORDER BY stage"); got != want {
		t.Fatalf("the migration's base rows are %s, want %s", got, want)
	}
	exec("UPDATE opportunities SET stage = 'won', probability = 100 WHERE title = '商机2'")
	exec("UPDATE opportunities SET monthly_fen = monthly_fen + 1 WHERE title = '商机0'")
	exec("UPDATE opportunities SET deleted_at = NULL WHERE title = '商机4'")
	exec("UPDATE opportunities SET deleted_at = ? WHERE title = '商机1'", now)
	exec("UPDATE opportunities SET title = title || '（改）' WHERE title = '商机3'")
	insert("商机5", "needs", 5000, 0, 40, false)
	exec("DELETE FROM opportunities WHERE title = '商机5'")
	if got, want := kept(), truth(); got != want {
		t.Fatalf("after writes the view reads %s, the rows %s", got, want)
	}
	var deltas int64
	if err := g.Raw("SELECT COUNT(*) FROM opportunity_stage_deltas").Scan(&deltas).Error; err != nil || deltas != 8 {
		t.Fatalf("%d deltas (%v), want 8: two per value change, one per new, removed or deleted row, none for a title", deltas, err)
	}
	if _, err := p.DownTo(ctx, oppDeltasVersion-1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := g.Raw(`SELECT (SELECT COUNT(*) FROM pg_class WHERE relname LIKE 'opportunity_stage%') +
		(SELECT COUNT(*) FROM pg_proc WHERE proname LIKE 'jike_%opportunity_stage%') +
		(SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'trg_opportunities_stage_delta')`).Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("down left %d of the tables, view, functions and trigger (%v)", n, err)
	}
	exec("UPDATE opportunities SET monthly_fen = 1 WHERE title = '商机0'")
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := kept(), truth(); got != want {
		t.Fatalf("up again: %s, want %s", got, want)
	}
}
