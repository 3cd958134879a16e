package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// BenchmarkHomePage measures a signed-in request through the whole
// pipeline (session lookup, language, CSRF, guard, panels, templates).
func BenchmarkHomePage(b *testing.B) {
	for _, e := range testkit.Engines {
		b.Run(e.Name, func(b *testing.B) {
			d := e.Open(b)
			a, err := buildApp(d, appOptions{LoginRate: 1 << 20})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := a.Org.SeedDemo(b.Context()); err != nil {
				b.Fatal(err)
			}
			c := testkit.NewClient(b, a.Server.App)
			c.Login("zhaomin", org.DemoPassword)
			cookie := &http.Cookie{Name: org.SessionCookie, Value: c.Cookie(org.SessionCookie)}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.AddCookie(cookie)
				res, err := a.Server.App.Test(req, -1)
				if err != nil || res.StatusCode != http.StatusOK {
					b.Fatalf("home: %v %d", err, res.StatusCode)
				}
				res.Body.Close()
			}
		})
	}
}
