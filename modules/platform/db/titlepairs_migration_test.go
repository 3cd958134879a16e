package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps each opportunity title's pairs on SQLite.
const titlePairsVersion = 62

// TestTitlePairsMigration (SQLite; PostgreSQL has the GIN index of 00037):
// 00062 fills opportunity_bigrams from the opportunities it finds (every
// pair of each one's lower-cased title, once; ASCII letters lowered, as
// LIKE ignores their case), its triggers keep them through an insert, a
// change of title, a change of something else and a delete, and down
// drops the table and its triggers.
func TestTitlePairsMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedSQLite(t)
	p, exec := beforeMigration(t, g, sqlDB, db.SQLite, titlePairsVersion)
	now := time.Now().UTC()
	insert := func(title string) {
		t.Helper()
		exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at)
			VALUES (1, ?, 100, 0, 'identified', 10, 1, ?, ?, ?)`, title, now, now, now)
	}
	for _, title := range []string{"千兆专线扩容", "SD-WAN组网", "云", "aaaa", "5G 专网（一期）", "a%_\\b"} {
		insert(title)
	}
	check := func(step string) {
		t.Helper()
		pairsKept(t, g, step, "SELECT id, title AS text FROM opportunities ORDER BY id",
			"SELECT gram, opportunity_id AS id FROM opportunity_bigrams", asciiLower)
	}
	if _, err := p.UpTo(ctx, titlePairsVersion); err != nil {
		t.Fatal(err)
	}
	check("migrated")
	insert("新的 Cloud 专线")
	exec("UPDATE opportunities SET title = '视频监控平台' WHERE title = '千兆专线扩容'")
	exec("UPDATE opportunities SET title = 'xy' WHERE title = '云'") // from none to one pair
	exec("UPDATE opportunities SET stage = 'contacted'")            // not the title
	exec("UPDATE opportunities SET deleted_at = ? WHERE title = 'aaaa'", now)
	exec("DELETE FROM opportunities WHERE title = 'SD-WAN组网'")
	check("written")
	if _, err := p.DownTo(ctx, titlePairsVersion-1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := g.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%opportunit%bigrams%'").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("down left %d of the table and its triggers (%v)", n, err)
	}
	exec("UPDATE opportunities SET title = '下线时改的' WHERE title = 'xy'")
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	check("up again")
}

// asciiLower lowers ASCII letters alone, as SQLite's lower() does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}
