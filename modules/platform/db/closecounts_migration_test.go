package db_test

import (
	"context"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps the open opportunities per close day and stage.
const closeCountsVersion = 68

// TestOpportunityCloseCountsMigration (PostgreSQL; SQLite keeps no such
// counts): 00068 counts the open opportunities already there, one added
// after is counted by the new triggers and one won leaves, down drops the
// rows and their triggers (an opportunity added then is no error), and up
// again counts every open one.
func TestOpportunityCloseCountsMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, closeCountsVersion)
	add := func(stage string, fen int64) {
		t.Helper()
		exec(`INSERT INTO opportunities (customer_id, title, stage, owner_id, monthly_fen, expected_close, stage_changed_at, created_at, updated_at)
			VALUES (1, '迁移商机', ?, 1, ?, '2027-01-15', now(), now(), now())`, stage, fen)
	}
	want := func(step string, n, fen int64) {
		t.Helper()
		var got struct{ N, Monthly int64 }
		if err := g.Raw("SELECT COALESCE(SUM(n), 0) AS n, COALESCE(SUM(monthly), 0) AS monthly FROM opportunity_close_counts WHERE close_on = '2027-01-15'").
			Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if got.N != n || got.Monthly != fen {
			t.Errorf("%s: %d opportunities, %d fen kept; want %d, %d", step, got.N, got.Monthly, n, fen)
		}
	}
	add("proposal", 100000)
	add("won", 50000)
	if _, err := p.UpTo(ctx, closeCountsVersion); err != nil {
		t.Fatal(err)
	}
	want("after 00068", 1, 100000)
	add("needs", 20000)
	exec(`UPDATE opportunities SET stage = 'won' WHERE monthly_fen = 100000`)
	want("one added, one won", 1, 20000)
	if _, err := p.DownTo(ctx, closeCountsVersion-1); err != nil {
		t.Fatal(err)
	}
	add("negotiation", 3000)
	if _, err := p.UpTo(ctx, closeCountsVersion); err != nil {
		t.Fatal(err)
	}
	want("up again", 2, 23000)
}
