package main

// The usage journey in a browser: the admin checks and imports October's
// billing file; liwei opens his customer's 业务使用 tab from the customer
// page and finds October in the chart and the table; the import has
// recomputed the churn scores, so liwei's home shows the retention alert
// of his customer whose revenue fell — he plans a retention visit and
// records the outcome; then the tab and the lists on a 375 px phone,
// without sideways scrolling.
//
//	go test ./cmd/jike/ -run TestE2EUsage -count=1 -v

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestE2EUsageJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	w := newUsageWorld(t, testkit.SQLite(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.a.Server.App.Listener(ln) }()
	t.Cleanup(func() { _ = w.a.Server.App.ShutdownWithTimeout(5 * time.Second) })
	base := "http://" + ln.Addr().String()
	browser := e2eStartBrowser(t, chrome)
	file := filepath.Join(t.TempDir(), "billing-2026-10.csv")
	if err := os.WriteFile(file, []byte(w.goodCSV("")), 0o600); err != nil {
		t.Fatal(err)
	}
	// liwei2's months before October: two products, then one at a tenth;
	// the October file (the browser's import) completes the fall, so the
	// import opens liwei's retention alert for that customer.
	admin := subject(t, w.a, "admin")
	for i, ym := range []string{"2026-05", "2026-06", "2026-07", "2026-08", "2026-09"} {
		rows := itoa(w.liwei2.ID) + ",DIA-20M," + ym + ",1280.10,1\n"
		if i < 3 {
			rows = itoa(w.liwei2.ID) + ",DIA-20M," + ym + ",10000,1\n" + itoa(w.liwei2.ID) + ",BB-200M," + ym + ",10000,1\n"
		}
		if rep, err := usageImport(t, w.a.Usage, admin, ym+".csv", []byte("customer,product,month,revenue,quantity\n"+rows), true); err != nil || !rep.Committed {
			t.Fatalf("%s: %+v %v", ym, rep, err)
		}
	}
	var alertPath string
	tab := "/customers/" + itoa(w.liwei1.ID) + "/usage"
	steps := []struct {
		name string
		run  func(b *e2eTab)
	}{
		{"AdminImportsAMonth", func(b *e2eTab) {
			b.login("admin", org.DemoPassword)
			b.navigate("/usage/import")
			b.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
			if r := b.submit("check the file", `#usage-upload button[type=submit]`); r.Status != http.StatusOK {
				b.fail("check: %d %q", r.Status, b.allText(".alert-error, #usage-row-errors"))
			}
			if s := b.text("#usage-report"); !strings.Contains(s, "2026-10") || !strings.Contains(s, "5") {
				b.fail("report %q", s)
			}
			if r := b.submit("import it", `#usage-commit button[type=submit]`); r.Status != http.StatusOK {
				b.fail("commit: %d", r.Status)
			}
			b.expectPath("/usage/import")
			if s := b.text("#usage-imports"); !strings.Contains(s, "billing-2026-10.csv") {
				b.fail("imports %q", s)
			}
		}},
		{"OwnerSeesTheMonth", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate("/customers/" + itoa(w.liwei1.ID))
			b.submit("open 业务使用", `a[href="`+tab+`"]`)
			b.expectPath(tab)
			if s := b.text(`#usage-months tr[data-month="2026-10"]`); !strings.Contains(s, "3,200.00") || !strings.Contains(s, "3,049.50") {
				b.fail("October's row %q", s)
			}
			b.do("the chart draws", chromedp.WaitVisible(chromedp.CSS("#usage-chart canvas")))
			if s := b.text("#usage-arpu"); !strings.Contains(s, "3,049.50") {
				b.fail("ARPU %q", s)
			}
		}},
		{"OwnerGetsTheRetentionAlert", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			alertPath = e2eOpenRetentionAlert(b, w.liwei2.Name)
			if s := b.text("#factors"); !strings.Contains(s, "收入下降") {
				b.fail("why: %q", s)
			}
		}},
		{"OwnerPlansARetentionVisit", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			e2eRetentionVisit(b, alertPath, w.liwei2.Name)
		}},
		{"OwnerRecordsTheOutcome", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			e2eRetentionRetained(b, alertPath, w.liwei2.Name)
		}},
		{"AdminFindsTheImportFromTheList", func(b *e2eTab) {
			b.login("admin", org.DemoPassword)
			b.navigate("/usage?tab=product&month=2026-10")
			if s := b.text("#usage-groups"); !strings.Contains(s, "8,200.01") {
				b.fail("by product %q", s)
			}
			b.submit("open the import", "#usage-import-link")
			b.expectPath("/usage/import")
		}},
		{"Phone", func(b *e2eTab) {
			b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
			b.login("liwei", org.DemoPassword)
			for _, p := range []string{tab, "/usage", "/usage?tab=product&month=2026-10", "/usage?tab=industry&month=2026-10"} {
				if r := b.navigate(p); r.Status != http.StatusOK {
					b.fail("%s: %d", p, r.Status)
				}
				b.expectNoSidewaysPage(p)
			}
		}},
		{"PhoneChart", func(b *e2eTab) {
			b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
			b.login("liwei", org.DemoPassword)
			b.navigate(tab)
			b.do("the chart draws on the phone", chromedp.WaitVisible(chromedp.CSS("#usage-chart canvas")))
			b.expectNoSidewaysPage(tab + " with its chart")
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(newE2ETab(t, browser, base)) }) {
			t.Fatalf("e2e: %s failed; the later steps need it", s.name)
		}
	}
}
