package main

// The retention journey in a browser, on an in-process server with a fake
// clock: a customer of liwei's falls off a cliff (usage rows written as
// the import would) and its contract ends without a renewal; the score
// job opens an alert; liwei sees it on the home page, reads why, plans a
// retention visit (the action leads to the visit form for the customer,
// and the visit is planned), comes back and records the outcome
// "retained".
//
//	go test ./cmd/jike/ -run TestE2ERetention -count=1 -v
//
// The whole journey from the import (import a month → the chart shows it
// → the alert → visit → outcome) is TestE2EUsageJourney, with the same
// steps (e2eOpenRetentionAlert, e2eRetentionVisit, e2eRetentionRetained).

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jike-crm/jike/modules/org"
)

func TestE2ERetentionJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	clk := &fakeClock{t: riskNow}
	a, base := e2eAftersaleServer(t, clk)
	w := &riskWorld{a: a, d: a.DB, clk: clk}
	{
		// The products and the import the usage rows hang off (newRiskWorld
		// makes its own app; this one serves the browser).
		ctx := context.Background()
		admin := subject(t, a, "admin")
		if _, err := a.Catalog.SeedDefaults(ctx, admin.ID); err != nil {
			t.Fatal(err)
		}
		var ids []uint
		a.DB.Gorm.Table("products").Order("id").Limit(2).Pluck("id", &ids)
		w.products = ids
		if err := a.DB.Gorm.Exec("INSERT INTO usage_imports (source, ym, file_name, row_count, revenue_fen, imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			"billing", 202611, "e2e.csv", 0, 0, admin.ID, riskNow).Error; err != nil {
			t.Fatal(err)
		}
		a.DB.Gorm.Table("usage_imports").Select("MAX(id)").Scan(&w.imp)
	}
	id := w.customer(t, "liwei", "E2E挽留物流")
	w.revenue(t, id, 0, 500000, 500000, 500000, 200000, 200000, 200000)
	w.contract(t, "liwei", id, 40, false)
	if err := a.Retention.Recompute(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	browser := e2eStartBrowser(t, chrome)
	var alertPath string
	steps := []struct {
		name string
		run  func(b *e2eTab)
	}{
		{"HomeShowsAlert", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			alertPath = e2eOpenRetentionAlert(b, "E2E挽留物流")
			if s := b.text("#factors"); !strings.Contains(s, "收入下降 60%") || !strings.Contains(s, "尚无续约草稿") {
				b.fail("why: %q", s)
			}
		}},
		{"PlanVisit", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			e2eRetentionVisit(b, alertPath, "E2E挽留物流")
		}},
		{"RecordOutcome", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			e2eRetentionRetained(b, alertPath, "E2E挽留物流")
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(newE2ETab(t, browser, base)) }) {
			t.Fatalf("e2e: %s failed; the later steps need it", s.name)
		}
	}
}

// e2eOpenRetentionAlert opens, from the signed-in owner's home page, the
// retention alert of customer (the home panel's first alert) and returns
// its path.
func e2eOpenRetentionAlert(b *e2eTab, customer string) string {
	b.navigate("/")
	if s := b.text("#retention-panel"); !strings.Contains(s, customer) {
		b.fail("home retention panel %q, want %s", s, customer)
	}
	b.submit("open the alert", `#retention-panel a`)
	path := b.path()
	if !strings.HasPrefix(path, "/retention/alerts/") {
		b.fail("alert at %s", path)
	}
	return path
}

// e2eRetentionVisit takes the action "retention visit" on the alert: it
// leads to the visit form for customer, where the visit is planned.
func e2eRetentionVisit(b *e2eTab, alertPath, customer string) {
	b.navigate(alertPath)
	b.do("choose a retention visit",
		chromedp.Click(chromedp.CSS("#action-visit")),
		chromedp.SendKeys(chromedp.CSS("#note"), "约总监面谈续约"),
	)
	if r := b.submit("save the action", "#save-action"); r.Status != http.StatusOK {
		b.fail("action: %d %q", r.Status, b.allText(".field-error, .alert-error"))
	}
	b.expectPath("/visits/new")
	if h1 := b.text("h1"); !strings.Contains(h1, customer) {
		b.fail("visit form h1 %q", h1)
	}
	b.do("fill the visit", chromedp.SendKeys(chromedp.CSS("#objective"), "挽留：了解收入下降原因，提出续约方案"))
	if r := b.submit("save the visit", `form[action="/visits"] button[type=submit]`); r.Status != http.StatusOK || !strings.HasPrefix(b.path(), "/visits/") {
		b.fail("visit: %d at %s %q", r.Status, b.path(), b.allText(".field-error, .alert-error"))
	}
}

// e2eRetentionRetained records the outcome "retained": the alert closes
// and leaves the owner's home panel.
func e2eRetentionRetained(b *e2eTab, alertPath, customer string) {
	b.navigate(alertPath)
	b.expectText("#alert-action", "已安排挽留走访")
	b.do("choose retained", chromedp.Click(chromedp.CSS("#outcome-retained")))
	if r := b.submit("save the outcome", "#save-outcome"); r.Status != http.StatusOK {
		b.fail("outcome: %d %q", r.Status, b.allText(".field-error, .alert-error"))
	}
	b.expectPath(alertPath)
	b.expectText("#alert-status", "已结案")
	b.expectText("#alert-outcome", "已挽留")
	b.navigate("/")
	if s := b.text("#retention-panel"); strings.Contains(s, customer) {
		b.fail("a closed alert stays on the home panel: %q", s)
	}
}
