package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// fillCustomers inserts n customers spread over the demo account managers
// with one SQL statement (generate_series), then analyzes the table.
func fillCustomers(b *testing.B, a *app, n int) {
	b.Helper()
	g := a.DB.Gorm
	var owners []org.User
	if err := g.Where("role IN ?", []string{"account_manager", "chief_rep"}).Order("id").Find(&owners).Error; err != nil {
		b.Fatal(err)
	}
	var values []string
	for _, u := range owners {
		values = append(values, fmt.Sprintf("(%d,%d,%d)", u.ID, *u.TeamID, *u.BranchID))
	}
	sql := `
WITH o AS (SELECT row_number() OVER () - 1 AS k, * FROM (VALUES ` + strings.Join(values, ",") + `) v(owner_id, team_id, branch_id))
INSERT INTO customers (name, credit_code, industry, grade, headcount, annual_spend_fen, address, region, status, competitors,
  owner_id, team_id, branch_id, qual_score, search_text, version, created_at, updated_at)
SELECT '黑龙江客户' || i || '有限公司', lpad(i::text, 18, '0'),
  (ARRAY['gov','finance','education','healthcare','manufacturing','logistics','energy','trade','internet','other'])[1 + i % 10],
  (ARRAY['A','B','C','D'])[1 + i % 4], i % 5000, (i % 1000) * 100000, '', (ARRAY['南岗区','道里区','萨尔图区','让胡路区'])[1 + i % 4],
  (ARRAY['prospect','active','dormant','churned'])[1 + i % 4], '', o.owner_id, o.team_id, o.branch_id, (i % 5) * 25,
  lower('黑龙江客户' || i || '有限公司 ' || lpad(i::text, 18, '0') || ' 联系人' || i), 1,
  now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval
FROM generate_series(1, ` + fmt.Sprint(n) + `) AS i JOIN o ON o.k = i % ` + fmt.Sprint(len(owners))
	if err := g.Exec(sql).Error; err != nil {
		b.Fatal(err)
	}
	// What autovacuum does in production: statistics and the visibility map.
	if err := g.Exec("VACUUM ANALYZE customers").Error; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCustomerList100k measures the scoped customer list (count +
// first page, as the list page runs it) over 100,000 customers in
// PostgreSQL, for each role, plus a substring search; and the whole page
// through the router. It logs the query plans (go test -bench -v).
func BenchmarkCustomerList100k(b *testing.B) {
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
	subjects := map[string]authz.Subject{}
	for role, name := range demoUsers {
		u, err := a.Org.Store().UserByUsername(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		subjects[role] = u.Subject()
	}
	cases := []struct {
		name string
		role string
		f    prospects.CustomerFilter
	}{
		{"account_manager", "account_manager", prospects.CustomerFilter{}},
		{"chief_rep", "chief_rep", prospects.CustomerFilter{}},
		{"director", "director", prospects.CustomerFilter{}},
		{"admin", "admin", prospects.CustomerFilter{}},
		{"director_grade_A_by_name", "director", prospects.CustomerFilter{Grade: "A", Sort: "name"}},
		{"director_search", "director", prospects.CustomerFilter{Q: "客户4242"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			f := c.f
			f.Limit = 25
			var total int64
			for b.Loop() {
				_, n, err := a.Prospects.ListCustomers(ctx, subjects[c.role], f)
				if err != nil {
					b.Fatal(err)
				}
				total = n
			}
			b.ReportMetric(float64(total), "rows_in_scope")
		})
	}
	explain(b, a, "account manager, first page", a.Prospects.Scope(subjects["account_manager"], "read"), prospects.CustomerFilter{})
	explain(b, a, "director, grade A by name", a.Prospects.Scope(subjects["director"], "read"), prospects.CustomerFilter{Grade: "A", Sort: "name"})
	// The plan of the director's first page, for the record.
	var plan []string
	scope := a.Prospects.Scope(subjects["director"], "read")
	stmt := a.DB.Gorm.Session(&gormDryRun).Model(&prospects.Customer{}).Scopes(scope.Func(authz.StandardColumns("customers"))).Order("customers.updated_at DESC, customers.id DESC").Limit(25).Find(&[]prospects.Customer{}).Statement
	if err := a.DB.Gorm.Raw("EXPLAIN ANALYZE "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err == nil {
		b.Logf("plan (director, first page):\n%s", strings.Join(plan, "\n"))
	}
	stmt = a.DB.Gorm.Session(&gormDryRun).Model(&prospects.Customer{}).Scopes(scope.Func(authz.StandardColumns("customers"))).Where("customers.search_text LIKE ?", "%客户4242%").Count(new(int64)).Statement
	plan = nil
	if err := a.DB.Gorm.Raw("EXPLAIN ANALYZE "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err == nil {
		b.Logf("plan (director, search count):\n%s", strings.Join(plan, "\n"))
	}
	b.Run("page_director", func(b *testing.B) {
		c := testkit.NewClient(b, a.Server.App)
		c.Login(demoUsers["director"], org.DemoPassword)
		cookie := &http.Cookie{Name: org.SessionCookie, Value: c.Cookie(org.SessionCookie)}
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/customers?all=1", nil)
			req.AddCookie(cookie)
			res, err := a.Server.App.Test(req, -1)
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("page: %v %d", err, res.StatusCode)
			}
			res.Body.Close()
		}
	})
}

var gormDryRun = gorm.Session{DryRun: true}

// explain logs the plans of a list's two queries (capped count, page).
func explain(b *testing.B, a *app, what string, scope authz.ListScope, f prospects.CustomerFilter) {
	b.Helper()
	f.Limit = 25
	for _, q := range a.ProspectStore.ListQueries(context.Background(), scope, f) {
		stmt := q.Session(&gormDryRun).Find(&[]map[string]any{}).Statement
		var plan []string
		if err := a.DB.Gorm.Raw("EXPLAIN ANALYZE "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
			b.Fatal(err)
		}
		b.Logf("plan (%s):\n%s", what, strings.Join(plan, "\n"))
	}
}
