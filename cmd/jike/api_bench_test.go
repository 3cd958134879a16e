package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkAPICustomerList compares, for the director of a branch at
// province scale (fillCustomers: 100,000 customers in PostgreSQL), one
// page of 50 customers through the API (token check, JSON) with the
// portal's customers page of 50 (session, HTML). Figures in docs/api.md.
func BenchmarkAPICustomerList(b *testing.B) {
	d := testkit.Postgres(b)
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, APIRate: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Org.SeedDemo(b.Context()); err != nil {
		b.Fatal(err)
	}
	fillCustomers(b, a, 100_000)
	_, secret := newToken(b, a, "wangjianguo", tokens.Input{Name: "bench", ExpiryDays: 30})
	b.Run("api", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/customers?limit=50", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := a.Server.App.Test(req, -1)
			if err != nil || res.StatusCode != 200 {
				b.Fatalf("api: %v %v", err, res.StatusCode)
			}
			res.Body.Close()
		}
	})
	portal := testkit.NewClient(b, a.Server.App)
	portal.Login("wangjianguo", "jike2026")
	b.Run("portal", func(b *testing.B) {
		for b.Loop() {
			if res := portal.Get("/customers?size=50"); res.Status != 200 {
				b.Fatalf("portal: %d", res.Status)
			}
		}
	})
}
