package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

// TestE2EPoolClaimOnPhone: on a 375 px phone, liwei opens the demo
// branch's pool from the menu, sees a pooled customer without its
// details, claims it and lands on the customer's page as its owner; the
// pool no longer lists it and counts the claim.
func TestE2EPoolClaimOnPhone(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)
	// One journey of six pages: the tab gets longer than one step's
	// timeout (the machine running the suite may be loaded).
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 10*time.Minute)
	t.Cleanup(cancel)
	b := &e2eTab{t: t, base: base, tab: tab, ctx: ctx}
	b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(1)))
	b.login("liwei", org.DemoPassword)
	b.do("open the menu", chromedp.Click(chromedp.CSS(".nav-toggle")), chromedp.WaitVisible(chromedp.CSS(`#nav a[href="/pool"]`)))
	b.submit("open the pool from the menu", `#nav a[href="/pool"]`)
	b.expectPath("/pool")
	b.expectNoHorizontalScroll("the pool")
	const name = "哈尔滨市道里区第七中学"
	if got := b.allText("#pool-table tbody"); !strings.Contains(got, name) {
		b.fail("the pool does not list %s: %q", name, got)
	}
	claims := b.text("#pool-claims")
	resp := b.submit("claim "+name, `#pool-table tbody tr:nth-child(`+e2ePoolRow(b, name)+`) form[action$="/claim"] button`)
	if resp.Status != http.StatusOK || !strings.HasPrefix(b.path(), "/customers/") {
		b.fail("claim: status %d at %s (%q)", resp.Status, b.path(), b.allText(".alert"))
	}
	if got := b.allText("h1"); !strings.Contains(got, name) {
		b.fail("the claimed customer's page shows %q", got)
	}
	if got := b.allText(".alert"); !strings.Contains(got, "已认领") {
		b.fail("no confirmation after the claim: %q", got)
	}
	b.navigate("/pool")
	if got := b.allText("#pool-table tbody"); strings.Contains(got, name) {
		b.fail("the pool still lists the claimed customer")
	}
	if got := b.text("#pool-claims"); got == claims || !strings.Contains(got, "1 / 10") {
		b.fail("the month's claims read %q (before %q)", got, claims)
	}
}

// e2ePoolRow is the 1-based row of the pool table that names name.
func e2ePoolRow(b *e2eTab, name string) string {
	b.t.Helper()
	n := e2eRun(b, "find the row of "+name, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#pool-table tbody tr')).findIndex(tr => tr.textContent.includes(`+"`"+name+"`"+`)) + 1`))
	if n < 1 {
		b.fail("no pool row names %s", name)
	}
	return itoaInt(n)
}

func itoaInt(n int) string { return itoa(uint(n)) }
