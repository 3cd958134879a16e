package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/reports"
)

// TestForecastKeptIsTheOpportunities: on PostgreSQL the province's
// forecast reads the open opportunities kept per close day and stage
// (migration 00068) less those of deleted customers; each month's count,
// value and weighted value must be the opportunities' own, summed here
// from the table, after moves, a new close date, a new value, a deleted
// opportunity, a deleted customer and a new opportunity — over six months
// from last month, and over a window before anything closes.
func TestForecastKeptIsTheOpportunities(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, "postgres")
	a := demoAppOn(t, d)
	g := d.Gorm
	ctx := context.Background()
	exec := mustExec(t, g)
	var opps []uint
	if err := g.Raw(`SELECT id FROM opportunities WHERE deleted_at IS NULL AND expected_close IS NOT NULL
		AND stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation') ORDER BY id LIMIT 4`).Scan(&opps).Error; err != nil || len(opps) < 4 {
		t.Fatalf("four open opportunities with a close date: %v %v", opps, err)
	}
	now := time.Now()
	exec(`UPDATE opportunities SET stage = 'won' WHERE id = ?`, opps[0])
	exec(`UPDATE opportunities SET expected_close = ? WHERE id = ?`, now.AddDate(0, 2, 0).Format(time.DateOnly), opps[1])
	exec(`UPDATE opportunities SET monthly_fen = monthly_fen + 123456 WHERE id = ?`, opps[2])
	exec(`UPDATE opportunities SET deleted_at = now() WHERE id = ?`, opps[3])
	exec(`UPDATE customers SET deleted_at = now() WHERE id = (SELECT c.id FROM customers c JOIN opportunities o ON o.customer_id = c.id
		AND o.deleted_at IS NULL AND o.expected_close >= CURRENT_DATE AND o.stage IN ('proposal', 'negotiation') WHERE c.deleted_at IS NULL ORDER BY c.id LIMIT 1)`)
	liwei := subject(t, a, "liwei")
	var customer uint
	if err := g.Raw(`SELECT id FROM customers WHERE owner_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`, liwei.ID).Scan(&customer).Error; err != nil || customer == 0 {
		t.Fatalf("a customer of liwei's: %v", err)
	}
	if _, err := a.Prospects.CreateOpportunity(ctx, liwei, prospects.OpportunityInput{CustomerID: customer, Title: "预测新商机",
		Monthly: "8800", Stage: prospects.StageNegotiation, ExpectedClose: now.AddDate(0, 1, 3).Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}

	scope := adminReportScope(t, a)
	probs := a.Reports.Probabilities()
	st := reports.NewStore(g, nil)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var seen int64
	for _, w := range [][2]time.Time{{month.AddDate(0, -1, 0), month.AddDate(0, 5, 0)}, {month.AddDate(-5, 0, 0), month.AddDate(-4, 0, 0)}} {
		got, err := st.Forecast(ctx, scope, reports.Filter{}, probs, w[0], w[1])
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Month, Stage string
			N, Fen       int64
		}
		if err := g.Raw(`SELECT to_char(o.expected_close, 'YYYY-MM') AS month, o.stage, COUNT(*) AS n, SUM(o.monthly_fen) AS fen
			FROM opportunities o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
			WHERE o.deleted_at IS NULL AND o.expected_close >= ? AND o.expected_close < ?
			AND o.stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation') GROUP BY 1, 2`,
			w[0].Format(time.DateOnly), w[1].Format(time.DateOnly)).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string]reports.MonthSum{}
		for _, r := range rows {
			m := want[r.Month]
			m.Month, m.N, m.MonthlyFen, m.WeightedPct = r.Month, m.N+r.N, m.MonthlyFen+r.Fen, m.WeightedPct+r.Fen*int64(probs[r.Stage])
			want[r.Month] = m
			seen += r.N
		}
		have := map[string]reports.MonthSum{}
		for _, m := range got {
			have[m.Month] = m
		}
		if fmt.Sprint(have) != fmt.Sprint(want) {
			t.Errorf("forecast %s–%s:\n kept %v\n the opportunities %v", w[0].Format(time.DateOnly), w[1].Format(time.DateOnly), have, want)
		}
	}
	if seen == 0 {
		t.Error("no open opportunity in the window: the check proves nothing")
	}
}
