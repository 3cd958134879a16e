package main

// The reports journey in a browser: the director opens the pipeline
// funnel, filters it by a team, drills into a stage's opportunity list and
// downloads the export; every report page draws its charts (a canvas, no
// script error, no CSP refusal) in Chinese and English and on a 375 px
// phone.
//
//	go test ./cmd/jike/ -run TestE2EReports -count=1 -v -timeout 30m

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
)

// jsErrors collects a tab's uncaught exceptions and console/CSP errors.
type jsErrors struct {
	mu   sync.Mutex
	errs []string
}

func (j *jsErrors) watch(t *testing.T, b *e2eTab) {
	if err := chromedp.Listen(b.ctx, func(ev any) {
		j.mu.Lock()
		defer j.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			j.errs = append(j.errs, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError && !strings.Contains(e.Entry.URL, "favicon") {
				j.errs = append(j.errs, "console: "+e.Entry.Text)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
}

func (j *jsErrors) check(b *e2eTab, where string) {
	b.t.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.errs) > 0 {
		b.fail("%s: script errors: %q", where, j.errs)
	}
}

// expectCharts waits for every chart of the page to hold a drawn canvas.
func expectCharts(b *e2eTab, where string) {
	b.t.Helper()
	b.do("wait for a canvas on "+where, chromedp.WaitVisible(chromedp.CSS(".report-chart canvas")))
	charts := e2eRun(b, "count charts", chromedp.Evaluate[int](`document.querySelectorAll('.report-chart').length`))
	drawn := e2eRun(b, "count drawn charts", chromedp.Evaluate[int](
		`Array.from(document.querySelectorAll('.report-chart')).filter(d => { const c = d.querySelector('canvas'); return c && c.width > 0 && c.height > 0; }).length`))
	if charts == 0 || drawn != charts {
		b.fail("%s: %d of %d charts drawn", where, drawn, charts)
	}
}

func TestE2EReportsJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	w := newReportWorld(t, testkit.SQLite(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = w.a.Server.App.Listener(ln) }()
	t.Cleanup(func() { _ = w.a.Server.App.Shutdown() })
	base := "http://" + ln.Addr().String()
	browser := e2eStartBrowser(t, chrome)

	// 1. The director: funnel, filter by team, drill into a stage, export.
	b := newE2ETab(t, browser, base)
	var js jsErrors
	js.watch(t, b)
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.login("wangjianguo", org.DemoPassword)
	b.do("open the reports from the menu", chromedp.Click(chromedp.CSS(`#nav a[href="/reports"]`)), chromedp.WaitVisible(chromedp.CSS("#report-list")))
	b.navigate("/reports/funnel?period=month&at=2026-03")
	b.expectText("h1", "商机漏斗")
	expectCharts(b, "funnel")
	if got := b.text("#table-0 tfoot"); !strings.Contains(got, "6") || !strings.Contains(got, "21,000.00") {
		b.fail("branch total: %q", got)
	}
	b.do("choose 金融行业客户部", chromedp.SetValue(chromedp.CSS(`#report-filter select[name="team"]`), itoa(w.team["sunli"])))
	b.submit("apply the filter", `#report-filter button[type=submit]`)
	if q := e2eRun(b, "read the query", chromedp.Evaluate[string](`location.search`)); !strings.Contains(q, "team="+itoa(w.team["sunli"])) {
		b.fail("the filter is not in the URL: %q", q)
	}
	expectCharts(b, "funnel of one team")
	if got := b.text("#table-0 tfoot"); !strings.Contains(got, "2") || !strings.Contains(got, "11,000.00") {
		b.fail("team total: %q", got)
	}
	js.check(b, "funnel")
	// The export link carries the filter; the download is a workbook.
	href := b.attr("#export-xlsx", "href")
	if !strings.Contains(href, "team="+itoa(w.team["sunli"])) {
		b.fail("export link without the filter: %q", href)
	}
	got := e2eRun(b, "download the export", chromedp.Evaluate[string](
		`fetch(document.querySelector('#export-xlsx').href).then(r => r.status + ' ' + r.headers.get('content-type') + ' ' + r.headers.get('content-disposition'))`,
		chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(got, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet attachment") {
		b.fail("export: %q", got)
	}
	// Drill into 商务谈判: the opportunity list of that stage and team.
	b.respond("drill into a stage", chromedp.Click(chromedp.CSS(`#table-0 tbody tr:nth-child(6) a`)))
	b.expectPath("/opportunities")
	if q := e2eRun(b, "read the query", chromedp.Evaluate[string](`location.search`)); !strings.Contains(q, "stage=negotiation") || !strings.Contains(q, "team="+itoa(w.team["sunli"])) {
		b.fail("drill-down query %q", q)
	}
	if list := b.text("main"); !strings.Contains(list, "客户c4") || strings.Contains(list, "客户c1") {
		b.fail("drill-down list: %q", list)
	}
	js.check(b, "drill-down")

	// 2. Every report draws in Chinese, then in English (a tab per page:
	// a tab's deadline is for one short journey).
	// Every report in Chinese; in English and on the phone the three
	// kinds of chart (funnel, bars and lines, pie) and the widest tables.
	few := []string{reports.KeyFunnel, reports.KeyAttainment, reports.KeyExpiring}
	for _, lang := range []string{"zh-CN", "en"} {
		if err := w.a.Org.Store().SetLang(context.Background(), w.users["wangjianguo"].ID, lang); err != nil {
			t.Fatal(err)
		}
		keys := reports.Keys
		if lang == "en" {
			keys = few
		}
		for _, key := range keys {
			b := newE2ETab(t, browser, base)
			var js jsErrors
			js.watch(t, b)
			b.do("desktop", chromedp.EmulateViewport(1280, 900))
			b.login("wangjianguo", org.DemoPassword)
			b.navigate("/reports/" + key + "?period=month&at=2026-03")
			expectCharts(b, lang+" "+key)
			if h := b.text("h1"); key == reports.KeyExpiring && (lang == "en") != (h == "Expiring contracts") {
				b.fail("%s heading %q", lang, h)
			}
			js.check(b, lang+" "+key)
		}
	}

	// 3. On a phone, in both languages (the English tab names are the
	// longer ones): the charts fit, the page does not scroll sideways.
	for _, lang := range []string{"zh-CN", "en"} {
		if err := w.a.Org.Store().SetLang(context.Background(), w.users["zhaomin"].ID, lang); err != nil {
			t.Fatal(err)
		}
		for _, key := range few {
			p := newE2ETab(t, browser, base)
			var pjs jsErrors
			pjs.watch(t, p)
			p.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
			p.login("zhaomin", org.DemoPassword)
			p.navigate("/reports/" + key + "?period=month&at=2026-03&by=top_group")
			expectCharts(p, "phone "+key)
			if wdt := e2eRun(p, "chart width", chromedp.Evaluate[int](`document.querySelector('.report-chart canvas').getBoundingClientRect().width`)); wdt > 375 || wdt < 200 {
				p.fail("%s: chart %d px wide on a 375 px phone", key, wdt)
			}
			p.expectNoHorizontalScroll(lang + " phone " + key)
			pjs.check(p, lang+" phone "+key)
		}
	}
}
