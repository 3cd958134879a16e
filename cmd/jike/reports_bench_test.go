package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/internal/benchseed"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm/logger"
)

// BenchmarkReportsProvince measures every report at province scale on
// PostgreSQL (benchseed.FillProvince: 600 account managers in 6 branches,
// ~100,000 customers, ~212,000 opportunities with ~740,000 stage changes,
// ~1,000,000 visits) for the director of one branch and for the admin's
// whole province, the current month. It runs only with -bench.
//
// With JIKE_BENCH_DATABASE_URL it reads a database already filled by
// `jike seed --scale province` (fill once, measure many times); otherwise
// it fills a throwaway database first (minutes).
//
//	go test -run '^$' -bench ReportsProvince -benchtime 5x -timeout 60m -v ./cmd/jike/
//
// With JIKE_BENCH_TRACE=1 each page is first built once with every
// statement recorded, and the statements (with their values, ready for
// EXPLAIN) and their times are logged: how many round trips a page costs
// and which of them are slow.
func BenchmarkReportsProvince(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	var d *db.DB
	if u := os.Getenv("JIKE_BENCH_DATABASE_URL"); u != "" {
		var err error
		if d, err = db.Open(ctx, db.Options{URL: u}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = d.Close() })
	} else {
		d = testkit.Postgres(b)
	}
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	if os.Getenv("JIKE_BENCH_DATABASE_URL") == "" {
		if _, err := a.Org.SeedDemo(ctx); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		p, err := benchseed.FillProvince(ctx, d.Gorm, benchseed.ProvinceScale(provinceManagers))
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("province filled in %s: %+v", time.Since(start).Round(time.Second), p.Counts)
	}
	dir, err := a.Org.Store().UserByUsername(ctx, "prov1_director")
	if err != nil {
		b.Fatal(err)
	}
	admin, err := a.Org.Store().UserByUsername(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	f, err := a.Reports.ParseFilter(url.Values{"period": {"month"}, "at": {now.Format("2006-01")}})
	if err != nil {
		b.Fatal(err)
	}
	t := func(id string, args ...any) string { return id }
	for _, key := range reports.Keys {
		for _, who := range []struct {
			name string
			id   uint
		}{{"director", dir.ID}, {"admin", admin.ID}} {
			u, err := a.Org.Store().UserByID(ctx, who.id)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(key+"/"+who.name, func(b *testing.B) {
				if os.Getenv("JIKE_BENCH_TRACE") != "" {
					tr := &statementTrace{Interface: d.Gorm.Logger}
					d.Gorm.Logger = tr
					if _, err := a.Reports.Build(ctx, u.Subject(), key, f, t); err != nil {
						b.Fatal(err)
					}
					d.Gorm.Logger = tr.Interface
					b.Log(tr.String())
				}
				for b.Loop() {
					if _, err := a.Reports.Build(ctx, u.Subject(), key, f, t); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// statementTrace is a GORM logger that records every statement run and its
// time (BenchmarkReportsProvince with JIKE_BENCH_TRACE).
type statementTrace struct {
	logger.Interface
	mu    sync.Mutex
	lines []string
	total time.Duration
}

func (s *statementTrace) LogMode(logger.LogLevel) logger.Interface { return s }

func (s *statementTrace) Trace(_ context.Context, begin time.Time, fc func() (string, int64), _ error) {
	sql, rows := fc()
	el := time.Since(begin)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total += el
	s.lines = append(s.lines, fmt.Sprintf("%7.1f ms %6d rows  %s", float64(el.Microseconds())/1000, rows, strings.Join(strings.Fields(sql), " ")))
}

func (s *statementTrace) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%d statements, %.1f ms\n%s", len(s.lines), float64(s.total.Microseconds())/1000, strings.Join(s.lines, "\n"))
}
