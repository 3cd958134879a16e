package db_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
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
		var titles []struct {
			ID    uint
			Title string
		}
		if err := g.Raw("SELECT id, title FROM opportunities ORDER BY id").Scan(&titles).Error; err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Gram          string
			OpportunityID uint
		}
		if err := g.Raw("SELECT gram, opportunity_id FROM opportunity_bigrams").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		kept := map[uint][]string{}
		for _, r := range rows {
			kept[r.OpportunityID] = append(kept[r.OpportunityID], r.Gram)
		}
		for _, o := range titles {
			got := kept[o.ID]
			sort.Strings(got)
			if want := testkit.CharPairs(asciiLower(o.Title)); !slices.Equal(got, want) {
				t.Errorf("%s: opportunity %d (%q) has the pairs %q, want %q", step, o.ID, o.Title, got, want)
			}
			delete(kept, o.ID)
		}
		if len(kept) > 0 {
			t.Errorf("%s: pairs of opportunities that are gone: %v", step, kept)
		}
		if len(titles) == 0 {
			t.Fatalf("%s: no opportunity to check", step)
		}
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
