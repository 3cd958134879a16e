package main

// The monthly targets journey in a browser, on a fake clock: in November
// the chief rep sets the team's December targets in the grid from the
// keyboard; on 3 December the account manager sees the progress on the
// home page (at 375 px); on 29 December, in the month's last three working
// days, the manager writes the review with reasons; the chief rep comments
// and signs it off; the director finds it signed off in the branch view
// and downloads the PDF.
//
//	go test ./cmd/jike/ -run TestE2ETargets -count=1 -v

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// e2eClock is the server's clock, moved by the journey.
type e2eClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *e2eClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *e2eClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// e2eStartClockServer serves the real app (demo organisation, SQLite) on a
// free port with a clock the test controls.
func e2eStartClockServer(t *testing.T, clock *e2eClock) (string, *app) {
	t.Helper()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) {
		o.Location = shanghaiLoc
		o.Now = clock.Now
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Server.App.Listener(ln) }()
	t.Cleanup(func() { _ = a.Server.App.Shutdown() })
	return "http://" + ln.Addr().String(), a
}

func TestE2ETargetsJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	clock := &e2eClock{now: time.Date(2026, 11, 20, 10, 0, 0, 0, shanghaiLoc)}
	base, a := e2eStartClockServer(t, clock)
	browser := e2eStartBrowser(t, chrome)
	li := subject(t, a, "liwei")
	cu := seedCustomer(t, a, "liwei", "E2E目标测试集团", prospects.MakeCreditCode("91230103MA1888881"))

	// 1. The chief rep sets December for the team, from the keyboard.
	b := newE2ETab(t, browser, base)
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.login("zhaomin", org.DemoPassword)
	if links := b.text("#target-links"); !strings.Contains(links, "制定月度目标") || !strings.Contains(links, "点评月度总结") {
		b.fail("home promises: %q", links)
	}
	b.navigate("/targets/set?month=2026-12")
	b.expectText("h1", "制定月度目标 · 2026-12")
	first := `input[name="t_` + itoa(li.ID) + `_visits"]`
	b.do("type the visits target",
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ''`, first)),
		chromedp.SendKeys(chromedp.CSS(first), "4"),
	)
	// ArrowRight at the end of a value moves to the next cell and selects
	// it, so typing replaces the proposal; ArrowDown goes down a row.
	b.do("arrow right, type", chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent("1"))
	if name := e2eRun(b, "focused cell", chromedp.Evaluate[string](`document.activeElement.name`)); name != "t_"+itoa(li.ID)+"_ab_visits" {
		b.fail("after ArrowRight the focus is on %q", name)
	}
	b.do("arrow down goes down a row", chromedp.KeyEvent(kb.ArrowDown))
	if name := e2eRun(b, "focused cell", chromedp.Evaluate[string](`document.activeElement.name`)); !strings.HasSuffix(name, "_ab_visits") || name == "t_"+itoa(li.ID)+"_ab_visits" {
		b.fail("after ArrowDown the focus is on %q, want the next member's A/B visits", name)
	}
	contacts := `input[name="t_` + itoa(li.ID) + `_contacts"]`
	b.do("contacts target", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ''`, contacts)),
		chromedp.SendKeys(chromedp.CSS(contacts), "2"))
	if v := e2eRun(b, "read the contacts cell", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, contacts))); v != "2" {
		b.fail("contacts cell holds %q, want 2", v)
	}
	b.submit("save the targets", "#save-targets")
	b.expectPath("/targets")
	if cell := b.text("#target-grid"); !strings.Contains(cell, "李伟") || !strings.Contains(cell, "/ 4") || !strings.Contains(cell, "/ 2") {
		b.fail("grid after saving: %q", cell)
	}

	// 2. December: records come in; the manager sees the progress on home.
	clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, shanghaiLoc))
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, shanghaiLoc).UTC()
	if err := a.DB.Gorm.Exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
		VALUES (?, ?, ?, 'needs', '了解需求', 'done', ?, ?)`, cu.ID, li.ID, at, at, at).Error; err != nil {
		t.Fatal(err)
	}
	p := newE2ETab(t, browser, base)
	p.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	p.login("liwei", org.DemoPassword)
	progress := p.text("#targets-progress")
	if !strings.Contains(progress, "本月目标进度 · 2026-12") || !strings.Contains(progress, "25%") || !strings.Contains(progress, "每个工作日需") {
		p.fail("home progress: %q", progress)
	}
	p.expectNoHorizontalScroll("home with targets")
	p.navigate("/targets")
	p.expectNoHorizontalScroll("my targets")

	// 3. 29 December, in the last three working days: the review.
	// (Sessions expire on the server's clock: sign in after moving it.)
	clock.Set(time.Date(2026, 12, 29, 9, 0, 0, 0, shanghaiLoc))
	p = newE2ETab(t, browser, base)
	p.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	p.login("liwei", org.DemoPassword)
	p.navigate("/targets/review?month=2026-12")
	p.expectNoHorizontalScroll("review form")
	p.do("reasons and improvements",
		chromedp.SetValue(chromedp.CSS("#reason_visits"), "B"),
		chromedp.SendKeys(chromedp.CSS("#note_visits"), "每周一排定本周走访计划"),
		chromedp.SetValue(chromedp.CSS("#reason_contacts"), "A"),
		chromedp.SendKeys(chromedp.CSS("#note_contacts"), "每次走访结识一位新联系人"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "年底客户预算审批集中"),
	)
	resp := p.submit("submit the review", "#submit-review")
	if resp.Status != http.StatusOK || !strings.HasPrefix(p.path(), "/targets/reviews/") {
		p.fail("submit: %d at %s (%s)", resp.Status, p.path(), p.allText(".field-error, .alert-error"))
	}
	reviewPath := p.path()
	if st := p.text(".page-header .badge"); st != "已提交" {
		p.fail("status %q", st)
	}
	p.expectNoHorizontalScroll("submitted review")

	// 4. The chief rep comments and signs off, from the home panel (each
	// person in a tab of their own: the tab's deadline is per tab).
	b = newE2ETab(t, browser, base)
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.login("zhaomin", org.DemoPassword)
	b.respond("open the review from the panel", chromedp.Click(chromedp.CSS(`#reviews-to-read a[href="`+reviewPath+`"]`)))
	b.expectPath(reviewPath)
	b.do("comment", chromedp.SendKeys(chromedp.CSS("#body"), "措施具体，下月盯紧 A 类客户"))
	b.submit("comment", "#comment-review")
	if h := b.text("#review-history"); !strings.Contains(h, "措施具体") {
		b.fail("history: %q", h)
	}
	b.do("sign-off note", chromedp.SendKeys(chromedp.CSS("#body"), "同意"))
	b.submit("sign off", "#signoff-review")
	if st := b.text(".page-header .badge"); st != "已点评" {
		b.fail("status after sign-off %q", st)
	}

	// 5. The director sees it in the branch view and downloads the PDF.
	b = newE2ETab(t, browser, base)
	b.do("desktop", chromedp.EmulateViewport(1280, 900))
	b.login("wangjianguo", org.DemoPassword)
	b.navigate("/targets/reviews?month=2026-12")
	if list := b.text("#review-list"); !strings.Contains(list, "李伟") || !strings.Contains(list, "已点评") {
		b.fail("branch reviews: %q", list)
	}
	b.navigate(reviewPath)
	href := b.attr("#review-pdf", "href")
	got := e2eRun(b, "download the PDF", chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: 'same-origin', redirect: 'manual'});
		const buf = new Uint8Array(await r.arrayBuffer());
		return r.status + " " + r.headers.get('content-type') + " " + String.fromCharCode(...buf.slice(0, 5));
	})()`, href), chromedp.EvalAwaitPromise))
	if got != "200 application/pdf %PDF-" {
		b.fail("PDF download: %q", got)
	}
}
