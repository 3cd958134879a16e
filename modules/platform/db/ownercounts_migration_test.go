package db_test

import (
	"context"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps the live customers per manager, branch and part.
const ownerCountsVersion = 64

// TestCustomerOwnerCountsMigration (PostgreSQL; SQLite keeps no such
// counts): 00064 counts the customers already there in their three parts,
// a customer added after is counted by the new triggers, down drops the
// rows and their triggers (a customer added then is no error), and up
// again counts every customer.
func TestCustomerOwnerCountsMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, ownerCountsVersion)
	add := func(name, code string) {
		t.Helper()
		exec(`INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, created_at, updated_at)
			VALUES (?, ?, 'finance', 'B', 'prospect', 1, 1, 1, now(), now())`, name, code)
	}
	counted := func(part string) int64 {
		t.Helper()
		var n int64
		if err := g.Raw("SELECT COALESCE(SUM(n), 0) FROM customer_owner_counts WHERE part = ? AND owner_id = 1 AND branch_id = 1", part).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := func(step string, parts map[string]int64) {
		t.Helper()
		for part, n := range parts {
			if got := counted(part); got != n {
				t.Errorf("%s: part %q counts %d customers, want %d", step, part, got, n)
			}
		}
	}
	if _, err := p.UpTo(ctx, ownerCountsVersion); err != nil {
		t.Fatal(err)
	}
	want("after 00064", map[string]int64{"": 1, "i:gov": 1, "g:B": 1, "i:finance": 0})
	add("迁移测试二", "91110000000000001Y")
	want("one added", map[string]int64{"": 2, "i:gov": 1, "g:B": 2, "i:finance": 1})
	if _, err := p.DownTo(ctx, ownerCountsVersion-1); err != nil {
		t.Fatal(err)
	}
	add("迁移测试三", "91110000000000002Y")
	if _, err := p.UpTo(ctx, ownerCountsVersion); err != nil {
		t.Fatal(err)
	}
	want("up again", map[string]int64{"": 3, "i:gov": 1, "g:B": 3, "i:finance": 2})
}
