package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// BenchmarkCareList100k measures the care list (counts per state + the
// first page of 50, as the care page runs it) over 100,000 customers in
// PostgreSQL (half of them active or dormant, so covered by the care
// plan; four in five of those with a last contact in the past 14
// months), for each role, for "needing care" and for every customer.
func BenchmarkCareList100k(b *testing.B) {
	d := testkit.Postgres(b)
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Org.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	fillCustomers(b, a, 100_000)
	g := a.DB.Gorm
	if err := g.Exec(`INSERT INTO care_last_contacts (customer_id, last_contact_on, updated_at)
SELECT id, CURRENT_DATE - (id * 7919 % 420)::int, now() FROM customers WHERE id % 5 <> 0`).Error; err != nil {
		b.Fatal(err)
	}
	if err := g.Exec("VACUUM ANALYZE care_last_contacts").Error; err != nil {
		b.Fatal(err)
	}
	subjects := map[string]authz.Subject{}
	for role, name := range demoUsers {
		u, err := a.Org.Store().UserByUsername(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		subjects[role] = u.Subject()
	}
	explainCare(b, a, "chief rep, needing care", subjects["chief_rep"], aftersale.CareFilter{Limit: 50})
	for _, role := range []string{"account_manager", "chief_rep", "director", "admin"} {
		for _, state := range []string{"", "all"} {
			name := role + "_due"
			if state == "all" {
				name = role + "_all"
			}
			b.Run(name, func(b *testing.B) {
				var total int
				for b.Loop() {
					rows, _, n, err := a.Aftersale.CareList(ctx, subjects[role], aftersale.CareListFilter{State: state, Limit: 50})
					if err != nil {
						b.Fatal(err)
					}
					if n > 0 && len(rows) == 0 {
						b.Fatal("empty page")
					}
					total = n
				}
				b.ReportMetric(float64(total), "rows_in_list")
			})
		}
	}
}

// explainCare logs the plan of a care list page's statement (its counts
// and its page).
func explainCare(b *testing.B, a *app, what string, actor authz.Subject, f aftersale.CareFilter) {
	b.Helper()
	scope := a.Prospects.Scope(actor, "read")
	apply := func(q *gorm.DB) *gorm.DB { return scope.Apply(q, authz.StandardColumns("customers")) }
	q, err := a.Aftersale.Store().CareListQuery(context.Background(), apply, f, a.Aftersale.Today())
	if err != nil {
		b.Fatal(err)
	}
	stmt := q.Session(&gormDryRun).Find(&[]map[string]any{}).Statement
	var plan []string
	if err := a.DB.Gorm.Raw("EXPLAIN ANALYZE "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("plan (%s):\n%s", what, strings.Join(plan, "\n"))
}
