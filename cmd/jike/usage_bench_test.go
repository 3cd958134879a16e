package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
	usagemod "github.com/jike-crm/jike/modules/usage"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkUsageImport200k imports a 200,000-row month (40,000 customers ×
// 5 products, a 9 MB CSV read from disk) into PostgreSQL: the commit path
// with the month already loaded, so every run also deletes the previous
// 200,000 rows in the same transaction. It reports rows/s and the peak
// heap sampled every 5 ms while the import runs (docs/usage.md has the
// figures).
//
//	go test ./cmd/jike/ -run '^$' -bench BenchmarkUsageImport200k -benchtime 3x -v
func BenchmarkUsageImport200k(b *testing.B) {
	now := time.Date(2026, 11, 15, 4, 0, 0, 0, time.UTC)
	a, admin := usageBenchApp(b, now)
	ctx := context.Background()
	const customers, perCustomer = 40_000, 5
	fillCustomers(b, a, customers)
	var codes []string
	if err := a.DB.Gorm.Table("products").Order("sort_order, id").Limit(perCustomer).Pluck("code", &codes).Error; err != nil || len(codes) < perCustomer {
		b.Fatalf("products: %v %v", codes, err)
	}
	path := filepath.Join(b.TempDir(), "month.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "customer,product,month,revenue,quantity")
	for i := 1; i <= customers; i++ {
		for k, code := range codes {
			fmt.Fprintf(w, "%018d,%s,2026-10,%d.%02d,%d\n", i, code, 100+i%5000, (i+k)%100, 1+k)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	b.Logf("file: %d rows, %.1f MB", customers*perCustomer, float64(st.Size())/(1<<20))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	var rows int
	var elapsed time.Duration
	var cpu time.Duration
	for b.Loop() {
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var m runtime.MemStats
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		start, cpu0 := time.Now(), processCPU()
		rep, err := a.Usage.Import(ctx, admin.Subject(), usagemod.ImportRequest{Source: "billing", FileName: "month.csv",
			Src: f, Size: st.Size(), MaxBytes: 64 << 20, Commit: true})
		elapsed += time.Since(start)
		cpu += processCPU() - cpu0
		close(stop)
		<-done
		if err != nil || !rep.Committed {
			b.Fatalf("import: %v %+v", err, rep)
		}
		rows += rep.Rows
	}
	_ = f.Close()
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapAlloc))/(1<<20), "peak-heap-MB")
	b.ReportMetric(elapsed.Seconds()/float64(max(rows/(customers*perCustomer), 1)), "s/import")
	// The Go side's CPU time per import: on a loaded machine the wall
	// clock mostly measures waiting for a core.
	b.ReportMetric(cpu.Seconds()/float64(max(rows/(customers*perCustomer), 1)), "go-cpu-s/import")
}

// usageBenchApp is the app of the usage and churn benchmarks: a throwaway
// PostgreSQL database with the demo organisation and the catalogue, the
// clock at now. It returns the admin, who imports usage.
func usageBenchApp(b *testing.B, now time.Time) (*app, org.User) {
	b.Helper()
	a, err := buildApp(testkit.Postgres(b), appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Org.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	admin, err := a.Org.Store().UserByUsername(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Catalog.SeedDefaults(ctx, admin.ID); err != nil {
		b.Fatal(err)
	}
	return a, *admin
}

// processCPU is the user and system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
