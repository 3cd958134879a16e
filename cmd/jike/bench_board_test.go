package main

import (
	"context"
	"fmt"
	"io"
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

// fillOpportunities inserts perCustomer opportunities for every customer
// in one statement: stages round-robin (won and lost of the last 60 days),
// monthly values up to ¥99,900, a quarter without an expected close.
func fillOpportunities(b *testing.B, a *app, perCustomer int) {
	b.Helper()
	g := a.DB.Gorm
	stages := "'" + strings.Join(prospects.Stages, "','") + "'"
	sql := `
INSERT INTO opportunities (customer_id, title, products, monthly_fen, one_time_fen, expected_close, stage, probability,
  owner_id, lost_reason, lost_note, stage_changed_at, version, created_at, updated_at)
SELECT c.id, '商机' || c.id || '-' || k, '', ((c.id * 7 + k * 13) % 1000) * 10000, (c.id % 50) * 100000,
  CASE WHEN (c.id + k) % 4 = 0 THEN NULL ELSE DATE '2026-06-01' + ((c.id + k) % 180)::int END,
  (ARRAY[` + stages + `])[1 + (c.id + k) % 8], 30, c.owner_id,
  CASE WHEN (c.id + k) % 8 = 7 THEN 'price' ELSE '' END, '',
  now() - (((c.id + k) % 60) || ' days')::interval, 1, now(), now() - ((c.id % 1000) || ' minutes')::interval
FROM customers c CROSS JOIN generate_series(1, ` + fmt.Sprint(perCustomer) + `) AS k`
	if err := g.Exec(sql).Error; err != nil {
		b.Fatal(err)
	}
	if err := g.Exec("VACUUM ANALYZE opportunities").Error; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBoard200k measures the pipeline board over 100,000 customers
// and 200,000 opportunities in PostgreSQL: the director's and the admin's
// whole page through the router (the column totals, the first cards of
// each column, the filters) and one "更多"; it reports the page's size.
// With -v it logs the plans of the totals and of one column.
func BenchmarkBoard200k(b *testing.B) {
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
	fillOpportunities(b, a, 2)
	for _, c := range []struct{ name, user, path string }{
		{"director_page", "wangjianguo", "/pipeline"},
		{"director_filtered", "wangjianguo", "/pipeline?industry=finance&grade=A&sort=close"},
		{"admin_page", "admin", "/pipeline"},
		{"chief_rep_page", "zhaomin", "/pipeline"},
		{"admin_more", "admin", "/pipeline/more?stage=needs&after=%d&shown=15&total=25000"},
		{"admin_opportunity_list", "admin", "/opportunities"},
	} {
		b.Run(c.name, func(b *testing.B) {
			cl := testkit.NewClient(b, a.Server.App)
			cl.Login(c.user, org.DemoPassword)
			cookie := &http.Cookie{Name: org.SessionCookie, Value: cl.Cookie(org.SessionCookie)}
			path := c.path
			if strings.Contains(path, "%d") {
				var id uint
				if err := a.DB.Gorm.Model(&prospects.Opportunity{}).Where("stage = ?", "needs").Order("monthly_fen DESC, id DESC").
					Offset(14).Limit(1).Pluck("id", &id).Error; err != nil {
					b.Fatal(err)
				}
				path = fmt.Sprintf(path, id)
			}
			var size int
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(cookie)
				if strings.Contains(path, "/more") {
					req.Header.Set("HX-Request", "true")
				}
				res, err := a.Server.App.Test(req, -1)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %v %d", path, err, res.StatusCode)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				size = len(body)
			}
			b.ReportMetric(float64(size), "page_bytes")
		})
	}
	admin, err := a.Org.Store().UserByUsername(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	me := admin.Subject()
	scope := a.Prospects.Scope(me, "read")
	store := a.ProspectStore
	for what, q := range map[string]*gorm.DB{
		"admin, column totals (GROUP BY stage)": store.DB().Session(&gormDryRun).Model(&prospects.Opportunity{}).
			Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL").Scopes(scope.Func(authz.StandardColumns("customers"))).
			Select("opportunities.stage, COUNT(*), SUM(opportunities.monthly_fen)").Group("opportunities.stage"),
		"admin, first cards of a column": store.DB().Session(&gormDryRun).Model(&prospects.Opportunity{}).
			Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL").Scopes(scope.Func(authz.StandardColumns("customers"))).
			Where("opportunities.stage = ?", "needs").Order("opportunities.monthly_fen DESC, opportunities.id DESC").Limit(15),
	} {
		stmt := q.Find(&[]map[string]any{}).Statement
		var plan []string
		if err := a.DB.Gorm.Raw("EXPLAIN ANALYZE "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
			b.Fatal(err)
		}
		b.Logf("plan (%s):\n%s", what, strings.Join(plan, "\n"))
	}
}
