package main

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jike-crm/jike/internal/benchseed"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkReportsProvince measures every report at province scale on
// PostgreSQL (benchseed.FillProvince: 600 account managers in 6 branches,
// ~100,000 customers, ~220,000 opportunities with stage history,
// ~1,000,000 visits) for a director's whole branch and for the admin's
// whole province. It runs only with -bench; the fill takes minutes.
//
//	go test -run '^$' -bench ReportsProvince -benchtime 5x -timeout 60m -v ./cmd/jike/
func BenchmarkReportsProvince(b *testing.B) {
	d := testkit.Postgres(b)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Org.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	prov, err := benchseed.FillProvince(ctx, d.Gorm, benchseed.ProvinceSpec{End: now})
	if err != nil {
		b.Fatal(err)
	}
	var counts struct{ Customers, Opps, Changes, Visits int64 }
	d.Gorm.Raw(`SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM opportunities) AS opps,
		(SELECT COUNT(*) FROM stage_changes) AS changes, (SELECT COUNT(*) FROM visit_plans) AS visits`).Scan(&counts)
	b.Logf("province filled in %s: %+v", time.Since(start).Round(time.Second), counts)
	dir, err := a.Org.Store().UserByID(ctx, prov.Branches[0].DirectorID)
	if err != nil {
		b.Fatal(err)
	}
	admin, err := a.Org.Store().UserByUsername(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	q, _ := url.ParseQuery("period=month&at=2026-11")
	f, err := a.Reports.ParseFilter(q)
	if err != nil {
		b.Fatal(err)
	}
	t := func(id string, args ...any) string { return id }
	for _, key := range reports.Keys {
		b.Run(key+"/director", func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Reports.Build(ctx, dir.Subject(), key, f, t); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(key+"/admin", func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Reports.Build(ctx, admin.Subject(), key, f, t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
