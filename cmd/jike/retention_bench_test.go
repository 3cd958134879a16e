package main

import (
	"context"
	"testing"
	"time"
)

// BenchmarkChurnRecompute100k runs the churn-score job (the nightly run
// and the hook after a usage import) over 100,000 customers on
// PostgreSQL, with six months of billing usage for every customer (two
// products; a fifth of them falling by half in the last three months, a
// tenth dropping their second product in the latest month). The first
// run opens the alerts (reported as first-run-s and alerts); later runs
// rescore everyone and open nothing new, which is the nightly steady
// state (ns/op). docs/usage.md has the figures.
//
//	go test ./cmd/jike/ -run '^$' -bench ChurnRecompute100k -benchtime 3x -v
func BenchmarkChurnRecompute100k(b *testing.B) {
	now := time.Date(2026, 11, 15, 4, 0, 0, 0, time.UTC)
	a, admin := usageBenchApp(b, now)
	ctx := context.Background()
	const customers = 100_000
	fillCustomers(b, a, customers)
	g := a.DB.Gorm
	// Six months (2026-05 … 2026-10) of two products per customer, one
	// import row per month, written in SQL: the import itself has its
	// own benchmark.
	steps := []string{
		`INSERT INTO usage_imports (source, ym, file_name, row_count, revenue_fen, imported_by, imported_at)
		 SELECT 'billing', ym, 'bench.csv', 0, 0, ?, now() FROM unnest(ARRAY[202605,202606,202607,202608,202609,202610]) AS ym`,
		`INSERT INTO usage_months (import_id, source, ym, customer_id, product_id, revenue_fen, quantity)
		 SELECT i.id, 'billing', i.ym, c.id, p.id,
		   CASE WHEN c.id % 5 = 0 AND i.ym >= 202608 THEN 50000 ELSE 100000 END, 1
		 FROM usage_imports i
		 CROSS JOIN (SELECT id FROM customers WHERE deleted_at IS NULL) c
		 CROSS JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM products ORDER BY id LIMIT 2) p
		 WHERE i.source = 'billing' AND NOT (p.k = 2 AND c.id % 10 = 0 AND i.ym = 202610)`,
		`VACUUM ANALYZE usage_months`,
	}
	for i, q := range steps {
		args := []any{}
		if i == 0 {
			args = append(args, admin.ID)
		}
		if err := g.Exec(q, args...).Error; err != nil {
			b.Fatal(err)
		}
	}
	var rows int64
	if err := g.Table("usage_months").Count(&rows).Error; err != nil || rows < customers*11 {
		b.Fatalf("usage rows: %d %v", rows, err)
	}
	b.Logf("usage: %d rows for %d customers", rows, customers)
	first := true
	for b.Loop() {
		start := time.Now()
		if err := a.Retention.Recompute(ctx, now); err != nil {
			b.Fatal(err)
		}
		if first {
			first = false
			b.ReportMetric(time.Since(start).Seconds(), "first-run-s")
		}
	}
	var scored, alerts int64
	if err := g.Table("churn_scores").Count(&scored).Error; err != nil {
		b.Fatal(err)
	}
	if err := g.Table("retention_alerts").Count(&alerts).Error; err != nil {
		b.Fatal(err)
	}
	if scored == 0 || alerts == 0 {
		b.Fatalf("the job scored %d customers and opened %d alerts: the data should make both", scored, alerts)
	}
	b.ReportMetric(float64(scored), "scored")
	b.ReportMetric(float64(alerts), "alerts")
}
