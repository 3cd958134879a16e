package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps the stage changes per day too.
const dwellDaysVersion = 71

// TestStageDwellDaysMigration (PostgreSQL; SQLite keeps no stage dwell
// counts): 00071 counts the stage changes already there into day rows
// (parts 'd:', 'd:i:<industry>', 'd:g:<grade>', the day in month) beside
// the month rows, the triggers count a new change and a customer's new
// industry in both, and down leaves the month rows alone and no day rows.
func TestStageDwellDaysMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, dwellDaysVersion)
	// Noon in Asia/Shanghai (visit_week_zone's default), a day apart.
	day := time.Date(2026, 10, 14, 4, 0, 0, 0, time.UTC)
	exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at)
		VALUES (1, '迁移商机', 100, 0, 'contacted', 20, 1, ?, ?, ?)`, day, day, day)
	change := func(to string, at time.Time) {
		t.Helper()
		exec(`INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at) VALUES (1, '', ?, 1, ?)`, to, at)
	}
	change("identified", day.AddDate(0, 0, -1))
	change("contacted", day)

	// entered counts the entries kept for branch and part on the day (or
	// month) on.
	entered := func(branch int, part, on string) int64 {
		t.Helper()
		var n int64
		if err := g.Raw("SELECT COALESCE(SUM(n), 0) FROM stage_dwell_counts WHERE branch_id = ? AND part = ? AND month = ?", branch, part, on).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	days := func() int64 {
		t.Helper()
		var n int64
		if err := g.Raw("SELECT COUNT(*) FROM stage_dwell_counts WHERE part LIKE 'd:%'").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := days(); got != 0 {
		t.Fatalf("before 00071 %d day rows", got)
	}
	if _, err := p.UpTo(ctx, dwellDaysVersion); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		branch   int
		part, on string
		n        int64
	}{{0, "d:", "2026-10-13", 1}, {0, "d:", "2026-10-14", 1}, {1, "d:", "2026-10-14", 1}, {0, "d:i:gov", "2026-10-13", 1},
		{0, "d:g:B", "2026-10-14", 1}, {0, "", "2026-10-01", 2}, {0, "i:gov", "2026-10-01", 2}} {
		if got := entered(c.branch, c.part, c.on); got != c.n {
			t.Errorf("after 00071 branch %d part %q on %s keeps %d entries, want %d", c.branch, c.part, c.on, got, c.n)
		}
	}
	// 17:00 UTC on the 15th is 01:00 on the 16th in Shanghai: the 16th's.
	change("visited", time.Date(2026, 10, 15, 17, 0, 0, 0, time.UTC))
	exec(`UPDATE customers SET industry = 'finance' WHERE id = 1`)
	for _, c := range []struct {
		part, on string
		n        int64
	}{{"d:", "2026-10-16", 1}, {"d:", "2026-10-15", 0}, {"d:i:gov", "2026-10-14", 0}, {"d:i:finance", "2026-10-14", 1}, {"d:i:finance", "2026-10-16", 1}} {
		if got := entered(0, c.part, c.on); got != c.n {
			t.Errorf("a change and a new industry later, part %q on %s keeps %d entries, want %d", c.part, c.on, got, c.n)
		}
	}

	if _, err := p.DownTo(ctx, dwellDaysVersion-1); err != nil {
		t.Fatal(err)
	}
	change("needs", day.AddDate(0, 0, 5))
	if got := days(); got != 0 {
		t.Errorf("after down and one more change %d day rows", got)
	}
	if got := entered(0, "i:finance", "2026-10-01"); got != 4 {
		t.Errorf("after down and one more change the month part i:finance keeps %d entries, want 4", got)
	}
	if _, err := p.UpTo(ctx, dwellDaysVersion); err != nil {
		t.Fatal(err)
	}
	if got := entered(0, "d:i:finance", "2026-10-19"); got != 1 {
		t.Errorf("up again, the day part i:finance of the 19th keeps %d entries, want 1", got)
	}
}
