package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkHierarchyRollup2000 measures the roll-up of a group of 2,000
// members (the group and 2,000 customers below it, eight per parent, five
// levels) among 20,000 customers on PostgreSQL, with two opportunities
// and two key persons per customer, for the director (sees every member)
// and an account manager (sees a share, the rest counted as hidden), and
// the tree's first level (Members) for both. It logs the statement's plan (go test -bench HierarchyRollup -v); the plan
// and figures are in docs/customers.md. Target: ≤ 50 ms.
func BenchmarkHierarchyRollup2000(b *testing.B) {
	d := testkit.Postgres(b)
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Org.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	fillCustomers(b, a, 20_000)
	g := a.DB.Gorm
	var root uint
	if err := g.Raw("SELECT MIN(id) FROM customers").Scan(&root).Error; err != nil {
		b.Fatal(err)
	}
	// Member k (1..2000) of the tree is customer root+k, under root+(k-1)/8.
	for _, sql := range []string{
		`UPDATE customers SET parent_id = ? + (id - ? - 1) / 8 WHERE id > ? AND id <= ? + 2000`,
	} {
		if err := g.Exec(sql, root, root, root, root).Error; err != nil {
			b.Fatal(err)
		}
	}
	for _, sql := range []string{
		`INSERT INTO opportunities (customer_id, title, monthly_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at)
		 SELECT c.id, '商机', 100000 + (c.id % 7) * 1000, (ARRAY['proposal','needs','won','lost'])[1 + (c.id + k) % 4], 50, c.owner_id, now(), now(), now()
		 FROM customers c CROSS JOIN generate_series(1, 2) AS k`,
		`INSERT INTO contacts (customer_id, name, role, created_at, updated_at)
		 SELECT c.id, '联系人' || k, 'decision', now(), now() FROM customers c CROSS JOIN generate_series(1, 2) AS k`,
		`VACUUM ANALYZE customers`, `VACUUM ANALYZE opportunities`, `VACUUM ANALYZE contacts`,
	} {
		if err := g.Exec(sql).Error; err != nil {
			b.Fatal(err)
		}
	}
	subjects := map[string]authz.Subject{}
	for role, name := range demoUsers {
		u, err := a.Org.Store().UserByUsername(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		subjects[role] = u.Subject()
	}
	// The group belongs to the account manager, so both may open it.
	am := subjects["account_manager"]
	if err := g.Exec("UPDATE customers SET owner_id = ?, team_id = ?, branch_id = ? WHERE id = ?", am.ID, am.TeamID, am.BranchID, root).Error; err != nil {
		b.Fatal(err)
	}
	for _, role := range []string{"director", "account_manager"} {
		b.Run(role, func(b *testing.B) {
			var r *prospects.Rollup
			for b.Loop() {
				if r, err = a.Prospects.Rollup(ctx, subjects[role], root, time.UTC); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(r.Members), "members")
			b.ReportMetric(float64(r.Hidden), "hidden")
		})
	}
	// The page also loads the tree's first level; for the account manager
	// it walks through the hidden members down to his visible ones.
	for _, role := range []string{"director", "account_manager"} {
		b.Run("level_"+role, func(b *testing.B) {
			var ch *prospects.Children
			for b.Loop() {
				if ch, err = a.Prospects.Members(ctx, subjects[role], root, 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(ch.Total), "level")
			b.ReportMetric(float64(ch.Hidden), "hidden")
		})
	}
	store := prospects.NewStore(g)
	stmt := store.RollupQuery(ctx, a.Prospects.Scope(subjects["director"], "read"), root, time.Date(time.Now().Year(), 1, 1, 0, 0, 0, 0, time.UTC)).Statement
	var plan []string
	if err := g.Raw("EXPLAIN (ANALYZE, COSTS OFF) "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("roll-up plan (director, 2,000 members):\n%s", strings.Join(plan, "\n"))
}
