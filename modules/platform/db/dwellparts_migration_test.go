package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps the province's stage changes per industry and
// per grade too.
const dwellPartsVersion = 61

// TestStageDwellPartsMigration (PostgreSQL; SQLite keeps no stage dwell
// counts): 00061 counts the stage changes already there into the
// province's industry and grade parts, its triggers count a new change in
// every part, and down gives back the counts of 00052 — per branch and
// for the province, kept by the old triggers — and up again the parts.
func TestStageDwellPartsMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, dwellPartsVersion)
	now := time.Now().UTC()
	exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at)
		VALUES (1, '迁移商机', 100, 0, 'contacted', 20, 1, ?, ?, ?)`, now, now, now)
	change := func(to string, at time.Time) {
		t.Helper()
		exec(`INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at) VALUES (1, '', ?, 1, ?)`, to, at)
	}
	change("identified", now.Add(-72*time.Hour))
	change("contacted", now.Add(-24*time.Hour))

	// entered counts the entries kept for part ("" the branch's and the
	// province's rows) of branch.
	entered := func(branch int, part string) int64 {
		t.Helper()
		q := "SELECT COALESCE(SUM(n), 0) FROM stage_dwell_counts WHERE branch_id = ?"
		args := []any{branch}
		if part != "-" {
			q += " AND part = ?"
			args = append(args, part)
		}
		var n int64
		if err := g.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := entered(0, "-"); got != 2 {
		t.Fatalf("before 00061 the province kept %d entries, want 2", got)
	}
	if _, err := p.UpTo(ctx, dwellPartsVersion); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"", "i:gov", "g:B"} {
		if got := entered(0, part); got != 2 {
			t.Errorf("after 00061 the province's part %q keeps %d entries, want 2", part, got)
		}
	}
	if got := entered(1, ""); got != 2 {
		t.Errorf("after 00061 the branch keeps %d entries, want 2", got)
	}
	change("visited", now)
	exec(`UPDATE customers SET industry = 'finance' WHERE id = 1`)
	for _, c := range []struct {
		part string
		n    int64
	}{{"", 3}, {"i:gov", 0}, {"i:finance", 3}, {"g:B", 3}} {
		if got := entered(0, c.part); got != c.n {
			t.Errorf("a change and a new industry later, the part %q keeps %d entries, want %d", c.part, got, c.n)
		}
	}

	if _, err := p.DownTo(ctx, dwellPartsVersion-1); err != nil {
		t.Fatal(err)
	}
	change("needs", now.Add(time.Hour))
	if got := entered(0, "-"); got != 4 {
		t.Errorf("after down and one more change the province keeps %d entries, want 4", got)
	}
	if got := entered(1, "-"); got != 4 {
		t.Errorf("after down and one more change the branch keeps %d entries, want 4", got)
	}
	if _, err := p.UpTo(ctx, dwellPartsVersion); err != nil {
		t.Fatal(err)
	}
	if got := entered(0, "i:finance"); got != 4 {
		t.Errorf("up again, the part i:finance keeps %d entries, want 4", got)
	}
}
