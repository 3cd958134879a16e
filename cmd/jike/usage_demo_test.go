package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	usagemod "github.com/jike-crm/jike/modules/usage"
)

// TestUsageDemo: the demo holds 24 months of usage ending last month with
// one import each; a dip in the 春节 month; liwei has a customer whose
// revenue fell off a cliff, which his fallers list and its tab show; the
// demo is the same on a second seeding of another database.
func TestUsageDemo(t *testing.T) {
	t.Parallel()
	a := demoAppOn(t, seededDemoDB(t, db.SQLite))
	ctx := context.Background()
	g := a.DB.Gorm
	var months []int
	// The usage demo's billing imports (the retention demo adds its own source).
	if err := g.Model(&usagemod.Import{}).Where("source = ?", usagemod.DefaultSource).Order("ym").Pluck("ym", &months).Error; err != nil {
		t.Fatal(err)
	}
	last := usagemod.AddMonths(a.Usage.CurrentYM(), -1)
	if len(months) != usagemod.DemoMonths || months[len(months)-1] != last || months[0] != usagemod.AddMonths(last, -23) {
		t.Fatalf("demo months: %v", months)
	}
	liwei := subject(t, a, "liwei")
	rows, _, err := a.Usage.Movers(ctx, liwei, usagemod.ListFilter{YM: last, Window: 3, Fallers: true, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var cliff *usagemod.Mover
	for i, r := range rows {
		if r.CurFen*2 < r.PrevFen {
			cliff = &rows[i]
		}
	}
	if cliff == nil {
		t.Fatalf("no customer of liwei's fell by half over the last three months: %+v", rows)
	}
	c := loggedIn(t, a, "liwei")
	if res := c.Get("/usage?tab=fallers&window=3"); res.Status != 200 || !strings.Contains(res.Body, cliff.Name) {
		t.Fatalf("liwei's fallers: %d", res.Status)
	}
	res := c.Get("/customers/" + itoa(cliff.CustomerID) + "/usage")
	if res.Status != 200 || !strings.Contains(res.Body, `id="usage-chart"`) || strings.Count(res.Body, "data-month=") != usagemod.TabMonths {
		t.Fatalf("the cliff customer's tab: %d, %d months", res.Status, strings.Count(res.Body, "data-month="))
	}
	// 春节: the demo's February (or January) total is below the months
	// around it.
	var totals []struct {
		YM  int `gorm:"column:ym"`
		Sum int64
	}
	if err := g.Table("usage_months").Select("ym, SUM(revenue_fen) AS sum").Group("ym").Order("ym").Scan(&totals).Error; err != nil {
		t.Fatal(err)
	}
	dips := 0
	for i := 1; i+1 < len(totals); i++ {
		if totals[i].Sum < totals[i-1].Sum && totals[i].Sum < totals[i+1].Sum && (totals[i].YM%100 <= 2) {
			dips++
		}
	}
	if dips < 1 {
		t.Errorf("no 春节 dip in the demo: %+v", totals)
	}
	var n1, n2 int64
	g.Table("usage_months").Count(&n1)
	b := demoApp(t, testkit.SQLite(t))
	b.DB.Gorm.Table("usage_months").Count(&n2)
	if n1 != n2 || n1 == 0 {
		t.Errorf("demo rows differ between two seedings: %d, %d", n1, n2)
	}
}
