package main

// The after-sale journey in a browser, on an in-process server with a
// fake clock (the SLA needs hours to pass): an account manager logs an
// urgent complaint from the customer's 售后 tab; at 80 % of the deadline
// the SLA job warns and the request page shows 即将超时; past the deadline
// the chief rep finds it among the breached requests, escalated to them;
// the account manager resolves it, which makes a call-back task; the
// call-back with a low score reopens the complaint. Then the care list and
// the call-back form on a 375 px phone.
//
//	go test ./cmd/jike/ -run TestE2EAftersale -count=1 -v

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// e2eAftersaleServer serves the real app on a fresh SQLite database with
// the demo organisation and the given clock, and returns it with its URL.
func e2eAftersaleServer(t *testing.T, clk *fakeClock) (*app, string) {
	t.Helper()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.Now = clk.Now })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Server.App.Listener(ln) }()
	t.Cleanup(func() { _ = a.Server.App.ShutdownWithTimeout(5 * time.Second) })
	return a, "http://" + ln.Addr().String()
}

func TestE2EAftersaleJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	clk := &fakeClock{t: time.Now().UTC().Truncate(time.Minute)}
	a, base := e2eAftersaleServer(t, clk)
	browser := e2eStartBrowser(t, chrome)
	ctx := context.Background()
	cu := afterCustomer(t, a, "liwei", "E2E售后银行", "91230103MA5000001", "A")
	cust := "/customers/" + itoa(cu.ID)
	var reqPath string
	sla := func(after time.Duration) {
		t.Helper()
		clk.Set(clk.Now().Add(after))
		if err := a.Aftersale.SLA(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		run  func(b *e2eTab)
	}{
		{"LogComplaint", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate(cust + "/aftersale")
			b.submit("open the request form", `a[href="`+cust+`/requests/new"]`)
			b.expectPath(cust + "/requests/new")
			b.do("fill the complaint",
				chromedp.SetValue(chromedp.CSS("#kind"), "complaint"),
				chromedp.SetValue(chromedp.CSS("#category"), "network"),
				chromedp.SetValue(chromedp.CSS("#severity"), "urgent"),
				chromedp.SendKeys(chromedp.CSS("#description"), "总部专线中断，全员无法上网"),
			)
			if r := b.submit("log it", `#request-form button[type=submit]`); r.Status != http.StatusOK {
				b.fail("log: %d %q", r.Status, b.allText(".field-error, .alert-error"))
			}
			reqPath = b.path()
			if !strings.HasPrefix(reqPath, "/aftersale/requests/") {
				b.fail("after logging at %s", reqPath)
			}
			b.expectText("#request-status", "待处理")
			if h := b.text("#handler"); h != "李伟" {
				b.fail("handler %q", h)
			}
		}},
		{"Warning", func(b *e2eTab) {
			sla(7 * time.Hour) // urgent: 8 h around the clock; 80 % is 6.4 h
			b.login("liwei", org.DemoPassword)
			b.navigate(reqPath)
			if s := b.text("#sla-clock"); !strings.Contains(s, "即将超时") {
				b.fail("#sla-clock = %q", s)
			}
			b.navigate("/aftersale/requests?view=breaching")
			if s := b.text("#request-rows"); !strings.Contains(s, "E2E售后银行") {
				b.fail("breaching list %q", s)
			}
		}},
		{"ChiefSeesEscalation", func(b *e2eTab) {
			sla(2 * time.Hour)
			b.login("zhaomin", org.DemoPassword)
			b.navigate("/aftersale/requests?view=breached")
			if s := b.text("#request-rows"); !strings.Contains(s, "E2E售后银行") || !strings.Contains(s, "已超时") {
				b.fail("chief's breached list %q", s)
			}
			b.navigate(reqPath)
			b.expectText("#escalation", "已升级至首席客户代表")
			b.navigate("/notifications")
			if s := b.text("main"); !strings.Contains(s, "升级至首席客户代表") {
				b.fail("the chief rep's inbox lacks the escalation: %q", s)
			}
		}},
		{"Resolve", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate(reqPath)
			b.do("fill the resolution",
				chromedp.SendKeys(chromedp.CSS("#resolution"), "更换光模块，专线恢复"),
				chromedp.SendKeys(chromedp.CSS("#recovery"), "减免当月月费 10%"),
			)
			if r := b.submit("resolve", `#resolve-form button[type=submit]`); r.Status != http.StatusOK {
				b.fail("resolve: %d", r.Status)
			}
			b.expectText("#request-status", "已解决")
		}},
		{"LowScoreReopens", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate(cust + "/aftersale")
			b.submit("open the call-back", `#callback-trend a.btn`)
			b.do("answer the call-back",
				chromedp.Click(chromedp.CSS(`input[name=q_attitude][value="4"]`)),
				chromedp.Click(chromedp.CSS(`input[name=q_skill][value="4"]`)),
				chromedp.Click(chromedp.CSS(`input[name=q_speed][value="2"]`)),
				chromedp.Click(chromedp.CSS(`input[name=q_result][value="3"]`)),
				chromedp.Click(chromedp.CSS(`input[name=recommend][value="no"]`)),
				chromedp.SendKeys(chromedp.CSS("#answered_by"), "王主任"),
				chromedp.SendKeys(chromedp.CSS("#comment"), "修得太慢"),
			)
			if r := b.submit("save the call-back", `#callback-form button[type=submit]`); r.Status != http.StatusOK {
				b.fail("call-back: %d %q", r.Status, b.allText(".field-error, .alert-error"))
			}
			b.expectPath(reqPath)
			b.expectText("#request-status", "重新打开")
		}},
		{"Phone", func(b *e2eTab) {
			b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
			b.login("liwei", org.DemoPassword)
			for _, p := range []string{"/aftersale/care", "/aftersale/care?state=all", "/aftersale/requests", reqPath, cust + "/aftersale", "/aftersale/callbacks", "/aftersale/events"} {
				if r := b.navigate(p); r.Status != http.StatusOK {
					b.fail("%s: %d", p, r.Status)
				}
				b.expectNoSidewaysPage(p)
			}
			b.navigate("/aftersale/care?state=all")
			if s := b.text("#care-list"); !strings.Contains(s, "E2E售后银行") {
				b.fail("care list %q", s)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(newE2ETab(t, browser, base)) }) {
			t.Fatalf("e2e: %s failed; the later steps need it", s.name)
		}
	}
}
