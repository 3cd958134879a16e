package db_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// The version that keeps each customer's pairs of adjacent characters.
const bigramsVersion = 36

// bigramTexts are search texts of every shape the pairs must survive:
// Chinese, ASCII, spaces, punctuation, one character, none, a repeat.
var bigramTexts = []string{"华为技术有限公司 91110000000000000x", "ab c", "院", "", "（集团）-物流", "aaaa", "ab", "abc", "a%_\\b"}

// TestCustomerPairsMigration: on SQLite, 00036 fills customer_bigrams
// from the customers it finds (every pair of each one's search text,
// once), its triggers keep them through an insert, a change of the text
// and a delete, and down drops the table and its triggers; on
// PostgreSQL, search_bigrams gives the same pairs for the same texts (its
// index holds them; a pair it gives twice is held once).
func TestCustomerPairsMigration(t *testing.T) {
	t.Run(db.SQLite, func(t *testing.T) {
		ctx := context.Background()
		g, sqlDB := unmigratedSQLite(t)
		p, exec := beforeMigration(t, g, sqlDB, db.SQLite, bigramsVersion)
		now := time.Now().UTC()
		for i, s := range bigramTexts {
			exec(`INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, search_text, created_at, updated_at)
				VALUES (?, ?, 'gov', 'B', 'prospect', 1, 1, 1, ?, ?, ?)`, fmt.Sprint("客户", i), fmt.Sprintf("9111000000000001%02d", i), s, now, now)
		}
		check := func(step string) {
			t.Helper()
			pairsKept(t, g, step, "SELECT id, search_text AS text FROM customers ORDER BY id",
				"SELECT gram, customer_id AS id FROM customer_bigrams", func(s string) string { return s })
		}
		if _, err := p.UpTo(ctx, bigramsVersion); err != nil {
			t.Fatal(err)
		}
		check("migrated")
		exec(`INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, search_text, created_at, updated_at)
			VALUES ('新客户', '911100000000000200', 'gov', 'B', 'prospect', 1, 1, 1, '新的客户 abc', ?, ?)`, now, now)
		exec("UPDATE customers SET search_text = '改过 的名字' WHERE name = '客户0'")
		exec("UPDATE customers SET search_text = 'xy' WHERE name = '客户3'") // from none to one pair
		exec("UPDATE customers SET grade = 'A'")                           // not the text
		exec("DELETE FROM customers WHERE name = '客户1'")
		check("written")
		if _, err := p.DownTo(ctx, bigramsVersion-1); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := g.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%bigrams%'").Scan(&n).Error; err != nil || n != 0 {
			t.Fatalf("down left %d of the table and its triggers (%v)", n, err)
		}
		exec("UPDATE customers SET search_text = '下线 时改的' WHERE name = '客户2'")
		if _, err := p.Up(ctx); err != nil {
			t.Fatal(err)
		}
		check("up again")
	})
	t.Run(db.Postgres, func(t *testing.T) {
		d := testkit.Postgres(t)
		for _, s := range bigramTexts {
			var got []string
			if err := d.Gorm.Raw("SELECT DISTINCT unnest(search_bigrams(?::text))", s).Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			sort.Strings(got) // Go's order, not the database's collation
			if want := testkit.CharPairs(s); !slices.Equal(got, want) {
				t.Errorf("search_bigrams(%q) = %q, want %q", s, got, want)
			}
		}
		var idx int
		if err := d.Gorm.Raw("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'idx_customers_bigrams'").Scan(&idx).Error; err != nil || idx != 1 {
			t.Fatalf("the pairs' index: %d (%v)", idx, err)
		}
	})
}

// pairsKept fails t unless the pairs table read by pairs (gram, id) holds
// exactly every pair of adjacent characters of each row's text read by
// texts (id, text), as norm folds it, and nothing of rows that are gone.
func pairsKept(t *testing.T, g *gorm.DB, step, texts, pairs string, norm func(string) string) {
	t.Helper()
	var rows []struct {
		ID   uint
		Text string
	}
	if err := g.Raw(texts).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no row to check", step)
	}
	var held []struct {
		Gram string
		ID   uint
	}
	if err := g.Raw(pairs).Scan(&held).Error; err != nil {
		t.Fatal(err)
	}
	kept := map[uint][]string{}
	for _, h := range held {
		kept[h.ID] = append(kept[h.ID], h.Gram)
	}
	for _, r := range rows {
		got := kept[r.ID]
		sort.Strings(got)
		if want := testkit.CharPairs(norm(r.Text)); !slices.Equal(got, want) {
			t.Errorf("%s: row %d (%q) has the pairs %q, want %q", step, r.ID, r.Text, got, want)
		}
		delete(kept, r.ID)
	}
	if len(kept) > 0 {
		t.Errorf("%s: pairs of rows that are gone: %v", step, kept)
	}
}
