package main

// The visits journey in a browser, on a phone: an account manager creates a
// customer with a key person, plans a visit that has just begun through
// the customer picker (typing the name, htmx), finds it on the workbench
// agenda marked as not prepared, ticks the preparation checklist (htmx),
// records the visit with a discovered need and a next visit, finds the
// next visit on the week calendar (the only highlighted nav item) and the
// visit on the customer's timeline, reads the brief, and subscribes to the
// calendar feed through a webcal:// link. It reuses the tab, browser and server
// helpers of e2e_test.go (and expectNoSidewaysPage of
// e2e_prospects_test.go) and follows the same skip/require rules.
//
//	go test ./cmd/jike/ -run TestE2EVisit -count=1 -v

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

// e2eChecklist are the preparation items of a visit, in page order
// (visits.ChecklistItems).
var e2eChecklist = []string{"background", "materials", "cards", "demo", "quotation", "appointment"}

// e2eVisit is what the journey creates and checks along the way.
type e2eVisit struct {
	customerID, visitID, nextID string
	customer, contact, need     string
	today, at, nextDate         string // yyyy-mm-dd, hh:mm, yyyy-mm-dd in Asia/Shanghai
}

// TestE2EVisitJourney runs the visits journey at 375×812 against a fresh
// demo server. It creates its own customer, key person and visit (unique
// names per run), so it depends neither on demo visits nor on their absence.
func TestE2EVisitJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)

	// The server shows and takes times in Asia/Shanghai (JIKE_TIMEZONE's
	// default): the visit is planned for today there, having begun about
	// twenty minutes ago (a visit is recorded once its time has come), and
	// never before midnight.
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("e2e: load Asia/Shanghai: %v", err)
	}
	now := time.Now().In(loc)
	at := now.Add(-20 * time.Minute)
	if at.Year() != now.Year() || at.YearDay() != now.YearDay() {
		at = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	}
	suffix := fmt.Sprintf("%06d", rand.IntN(1_000_000))
	v := &e2eVisit{
		customer: "E2E走访医院" + suffix,
		contact:  "走访" + suffix[:2] + "院长",
		need:     "影像专线扩容" + suffix,
		today:    now.Format("2006-01-02"),
		at:       at.Format("15:04"),
		nextDate: now.AddDate(0, 0, 7).Format("2006-01-02"),
	}
	testE2EVisitPhone(newE2ETab(t, browser, base), v)
}

// testE2EVisitPhone is the whole journey in one phone-sized tab.
func testE2EVisitPhone(b *e2eTab, v *e2eVisit) {
	b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	b.login("liwei", org.DemoPassword)

	// 1. A grade B healthcare customer and a decision maker, through the
	// forms.
	b.navigate("/customers/new")
	b.expectText("h1", "新建客户")
	v.customerID = b.createCustomer(v.customer, "B")
	custURL := "/customers/" + v.customerID
	if h1 := b.text("h1"); !strings.Contains(h1, v.customer) {
		b.fail("customer page h1 = %q, want it to contain %q", h1, v.customer)
	}
	b.respond("click 新增关键人", chromedp.Click(chromedp.CSS(`#contacts a[href="`+custURL+`/contacts/new"]`)))
	b.expectPath(custURL + "/contacts/new")
	b.do("fill the key person form",
		chromedp.SendKeys(chromedp.CSS("#contact_name"), v.contact),
		chromedp.SendKeys(chromedp.CSS("#title"), "副院长"),
		chromedp.SendKeys(chromedp.CSS("#mobile"), "13912345678"),
		chromedp.SetValue(chromedp.CSS("#role"), "decision"),
	)
	resp := b.submit("save the key person", `form[action="`+custURL+`/contacts"] button[type=submit]`)
	if resp.Status != http.StatusOK {
		b.fail("save key person: status %d (errors %q)", resp.Status, b.allText(".field-error, .alert-error"))
	}
	b.expectPath(custURL)
	if chain := b.text("#contacts"); !strings.Contains(chain, "决策人") || !strings.Contains(chain, v.contact) {
		b.fail("#contacts does not show %s as 决策人:\n%s", v.contact, chain)
	}

	// 2. 客户走访 → the customer's visits → 计划走访: a needs interview
	// today, meeting the key person.
	b.respond("click 客户走访", chromedp.Click(chromedp.CSS(`.customer-links a[href="`+custURL+`/visits"]`)))
	b.expectPath("/visits")
	if q := b.query(); q.Get("customer") != v.customerID {
		b.fail("客户走访 led to /visits?%s, want customer=%s", q.Encode(), v.customerID)
	}
	if h1 := b.text("h1"); !strings.Contains(h1, "客户走访") || !strings.Contains(h1, v.customer) {
		b.fail("visits page h1 = %q, want 客户走访 · %s", h1, v.customer)
	}
	// The general 计划走访 (all visits, no customer yet) opens the customer
	// picker: typing part of the name lists the customer as one types.
	b.navigate("/visits")
	b.respond("click 计划走访", chromedp.Click(chromedp.CSS(`.page-header a[href="/visits/new"]`)))
	b.expectPath("/visits/new")
	if h1 := b.text("h1"); !strings.Contains(h1, "计划走访") {
		b.fail("picker page h1 = %q, want 计划走访", h1)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](`!!window.htmx && document.readyState === 'complete' && !!document.querySelector('#picker-q')['htmx-internal-data']`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(e2ePollTimeout))); err != nil {
		b.fail("htmx did not load on the picker page: %v", err)
	}
	match := `#picker-matches a[href="/visits/new?customer=` + v.customerID + `"]`
	b.do("type the customer's name", chromedp.SendKeys(chromedp.CSS("#picker-q"), v.customer[len("E2E"):]))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(`!!document.querySelector(%q)`, match),
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(e2ePollTimeout))); err != nil {
		b.fail("typing did not list the customer: %v (matches %q)", err, b.allText("#picker-matches"))
	}
	b.expectPath("/visits/new") // the list came in place, no page load
	b.respond("choose the customer", chromedp.Click(chromedp.CSS(match)))
	b.expectPath("/visits/new")
	if q := b.query(); q.Get("customer") != v.customerID {
		b.fail("choosing the customer led to /visits/new?%s, want customer=%s", q.Encode(), v.customerID)
	}
	if h1 := b.text("h1"); !strings.Contains(h1, "计划走访") || !strings.Contains(h1, v.customer) {
		b.fail("plan form h1 = %q, want 计划走访 · %s", h1, v.customer)
	}
	contactID := e2eRun(b, "find the key person's checkbox", chromedp.Evaluate[string](fmt.Sprintf(
		`(l => l ? l.querySelector('input[name=contacts]').value : '')(Array.from(document.querySelectorAll('label.checkbox')).find(l => l.querySelector('input[name=contacts]') && l.textContent.includes(%q)))`,
		v.contact)))
	if contactID == "" {
		b.fail("the plan form offers no key person checkbox for %s (key persons: %q)", v.contact, b.allText(`label.checkbox`))
	}
	box := `input[name=contacts][value="` + contactID + `"]`
	b.do("fill the plan form",
		chromedp.SetValue(chromedp.CSS("#kind"), "needs"),
		chromedp.SetValue(chromedp.CSS("#date"), v.today),
		chromedp.SetValue(chromedp.CSS("#time"), v.at),
		chromedp.SendKeys(chromedp.CSS("#objective"), "了解影像科专线需求，约定方案演示"),
		chromedp.Click(chromedp.CSS(box)),
	)
	if !e2eRun(b, "read the key person checkbox", chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).checked`, box))) {
		b.fail("the key person checkbox is not ticked after the click")
	}
	resp = b.submit("save the plan", `form[action="/visits"] button[type=submit]`)
	if resp.Status != http.StatusOK {
		b.fail("save plan: status %d (errors %q)", resp.Status, b.allText(".field-error, .alert-error"))
	}
	m := regexp.MustCompile(`^/visits/(\d+)$`).FindStringSubmatch(b.path())
	if m == nil {
		b.fail("after saving the plan the path is %q, want /visits/<id> (errors %q)", b.path(), b.allText(".field-error, .alert-error"))
	}
	v.visitID = m[1]
	visitURL := "/visits/" + v.visitID
	if msg := b.allText(".alert-success"); !strings.Contains(msg, "走访计划已创建") {
		b.fail("flash after planning = %q, want 走访计划已创建", msg)
	}
	if facts := b.text(".facts"); !strings.Contains(facts, v.contact) || !strings.Contains(facts, v.today+" "+v.at) {
		b.fail("the plan shows %q, want the key person %s and the time %s %s", facts, v.contact, v.today, v.at)
	}

	// 3. The workbench agenda lists the visit, not prepared; its link
	// opens the visit.
	b.navigate("/")
	b.expectText("h1", "工作台")
	link := `#agenda a[href="` + visitURL + `"]`
	b.do("wait for the agenda", chromedp.WaitVisible(chromedp.CSS("#agenda")))
	item := e2eRun(b, "read the agenda item", chromedp.Evaluate[string](fmt.Sprintf(
		`(a => a ? a.closest('li').innerText : '')(document.querySelector(%q))`, link)))
	if item == "" {
		b.fail("the agenda does not list the visit %s; it shows:\n%s", visitURL, b.text("#agenda"))
	}
	for _, want := range []string{v.customer, v.at, "准备未完成"} {
		if !strings.Contains(item, want) {
			b.fail("agenda item %q does not contain %q", item, want)
		}
	}
	b.respond("click the visit in the agenda", chromedp.Click(chromedp.CSS(link)))
	b.expectPath(visitURL)

	// 4. The checklist, item by item: each click is an htmx post that
	// swaps #checklist; the page itself must not reload.
	if !strings.Contains(b.text("#checklist"), "走访在 24 小时内，准备清单还没有完成") {
		b.fail("the visit within 24 h with an empty checklist shows no warning: %q", b.text("#checklist"))
	}
	// window.htmx exists before htmx has processed the page (it does so on
	// DOMContentLoaded); clicking in between submits the form the plain
	// way. Wait until the checklist form carries htmx's internal data.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](`!!window.htmx && document.readyState === 'complete' && !!(document.querySelector('#checklist form') || {})['htmx-internal-data']`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(e2ePollTimeout))); err != nil {
		b.fail("htmx did not load on the visit page: %v", err)
	}
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.e2eSamePage = true`))
	for _, it := range e2eChecklist {
		btn := "#chk-" + it
		// Each swap brings new forms, which htmx processes when the swap
		// settles: wait for this button's form to be processed too.
		if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(
			`(e => !!e && !!e.form && !!e.form['htmx-internal-data'])(document.querySelector(%q))`, btn),
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(e2ePollTimeout))); err != nil {
			b.fail("htmx did not process %s: %v", btn, err)
		}
		// Clicked through the DOM, not at the button's coordinates: a swap
		// settling (the not-prepared warning going away) moves the buttons,
		// and a click at where this one was landed on another item once
		// (CI: "checklist items still off: [chk-appointment]").
		if !e2eRun(b, "tick "+it, chromedp.Evaluate[bool](fmt.Sprintf(`(e => !!e && (e.click(), true))(document.querySelector(%q))`, btn))) {
			b.fail("no %s to tick", btn)
		}
		if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(
			`(e => !!e && (e.classList.contains('on') || e.getAttribute('aria-pressed') === 'true'))(document.querySelector(%q))`, btn),
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(e2ePollTimeout))); err != nil {
			b.fail("%s did not turn on after the click: %v (checklist: %q)", btn, err, b.allText("#checklist"))
		}
	}
	if !e2eRun(b, "read the page mark", chromedp.Evaluate[bool](`window.e2eSamePage === true`)) {
		b.fail("ticking the checklist reloaded the page: htmx did not swap #checklist")
	}
	b.expectPath(visitURL)
	cl := b.text("#checklist")
	if strings.Contains(cl, "准备清单还没有完成") {
		b.fail("the not-prepared warning stays after ticking every item: %q", cl)
	}
	if !strings.Contains(cl, "已完成 6 / 6 项") {
		b.fail("#checklist = %q, want 已完成 6 / 6 项", cl)
	}
	// Every item shows as ticked — once htmx has settled the last swap:
	// while it settles, the swapped-in buttons carry the attributes of
	// the ones they replace (htmx's settling, for CSS transitions), so
	// right after a swap a button can still lack "on" for a moment (CI
	// once: "checklist items still off: [chk-appointment]" under a
	// count of 6 / 6). An item that stays off fails.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](
		`document.querySelectorAll('#checklist .check-btn:not(.on)').length === 0`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(e2ePollTimeout))); err != nil {
		off := e2eRun(b, "count unticked items", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('#checklist .check-btn:not(.on)')).map(e => e.id)`))
		b.fail("checklist items still off: %q (%v)", off, err)
	}

	// 5. The record: what was discussed, a positive customer, a need in
	// row 0 and the next visit a week later.
	b.do("fill the record form",
		chromedp.SendKeys(chromedp.CSS("#discussed"), "院方希望扩容影像科专线，副院长支持"),
		chromedp.Click(chromedp.CSS(`input[name=attitude][value=positive]`)),
		chromedp.SetValue(chromedp.CSS("#need_category_0"), "dedicated_line"),
		chromedp.SendKeys(chromedp.CSS("#need_description_0"), v.need),
		chromedp.SendKeys(chromedp.CSS("#next_step"), "带方案演示"),
		chromedp.SetValue(chromedp.CSS("#next_date"), v.nextDate),
		chromedp.SetValue(chromedp.CSS("#next_time"), "10:00"),
		chromedp.SetValue(chromedp.CSS("#next_kind"), "demo"),
	)
	if got := e2eRun(b, "read the attitude", chromedp.Evaluate[string](
		`(r => r ? r.value : '')(document.querySelector('input[name=attitude]:checked'))`)); got != "positive" {
		b.fail("attitude after the click = %q, want positive", got)
	}
	resp = b.submit("save the record", "#save-record")
	problems := b.allText(".field-error, .alert-error")
	if strings.Contains(problems, "需求登记暂不可用") {
		b.fail("saving the record with a discovered need says 需求登记暂不可用 (status %d): the needs module is not wired into visits "+
			"(visits.Service.CreateNeed is nil; cmd/jike/app.go must set visitSvc.CreateNeed to the needs module's CreateFromVisit). "+
			"This journey requires it", resp.Status)
	}
	if strings.Contains(problems, "有需求未能登记") {
		b.fail("the record was saved but the need was not (flash %q): CreateNeed failed, see the server log", problems)
	}
	if resp.Status != http.StatusOK {
		b.fail("save record: status %d (errors %q)", resp.Status, problems)
	}
	b.expectPath(visitURL)
	if msg := b.allText(".alert-success"); !strings.Contains(msg, "走访记录已保存，下一次走访已排入日历") {
		b.fail("flash after the record = %q, want 走访记录已保存，下一次走访已排入日历 (errors %q)", msg, problems)
	}
	info := b.text("#record .alert-info")
	if !strings.Contains(info, "已安排下一次走访") || !strings.Contains(info, "带方案演示") {
		b.fail("#record info box = %q, want 已安排下一次走访 … 带方案演示", info)
	}
	next := b.attr("#record .alert-info a", "href")
	m = regexp.MustCompile(`^/visits/(\d+)$`).FindStringSubmatch(next)
	if m == nil || m[1] == v.visitID {
		b.fail("the next-visit link is %q, want /visits/<a new id>", next)
	}
	v.nextID = m[1]
	if !strings.Contains(info, v.nextDate+" 10:00") {
		b.fail("#record info box = %q, want the next visit at %s 10:00", info, v.nextDate)
	}

	// 6. The week calendar of the next date shows the next visit, and the
	// page does not scroll sideways on the phone.
	b.navigate("/visits/calendar?mode=week&date=" + v.nextDate)
	b.expectPath("/visits/calendar")
	cell := `.cal-day[aria-label="` + v.nextDate + `"] .cal-visit[href="/visits/` + v.nextID + `"]`
	if n := e2eRun(b, "find the next visit in the calendar", chromedp.Evaluate[int](fmt.Sprintf(
		`document.querySelectorAll(%q).length`, cell))); n != 1 {
		b.fail("the week calendar has %d links to the next visit on %s, want 1; visits on the page: %q",
			n, v.nextDate, b.allText(".cal-visit"))
	}
	if got := b.text(cell); !strings.Contains(got, v.customer) || !strings.Contains(got, "10:00") {
		b.fail("calendar entry = %q, want 10:00 %s", got, v.customer)
	}
	b.expectNoSidewaysPage("week calendar")
	if active := e2eRun(b, "read the highlighted nav items", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#nav a.active')).map(a => a.getAttribute('href'))`)); len(active) != 1 || active[0] != "/visits/calendar" {
		b.fail("the calendar highlights the nav items %q, want only /visits/calendar", active)
	}
	if prev := b.text(`a[rel=prev]`); !strings.Contains(prev, "上一周") {
		b.fail("the week calendar's back link says %q, want 上一周", prev)
	}

	// 7. The customer's timeline tells of the visit and of the need.
	b.navigate(custURL)
	tl := b.text("#timeline")
	if !strings.Contains(tl, "完成走访") {
		b.fail("#timeline does not contain 完成走访:\n%s", tl)
	}
	needs := e2eRun(b, "read the need entries", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#timeline li.tl-need')).map(li => li.innerText)`))
	if len(needs) == 0 {
		b.t.Logf("e2e: the timeline has no need entries (the needs module adds none); checked the visit only")
	} else if !strings.Contains(strings.Join(needs, "\n"), v.need) {
		b.fail("the timeline's need entries %q do not mention %q", needs, v.need)
	}

	// 8. The pre-visit brief of the next visit: its headings are set
	// apart from the lists above them.
	b.navigate("/visits/" + v.nextID + "/brief")
	gaps := e2eRun(b, "measure the brief's headings", chromedp.Evaluate[[]float64](
		`Array.from(document.querySelectorAll('.brief h2')).slice(1).map(h => parseFloat(getComputedStyle(h).marginTop))`))
	if len(gaps) < 3 {
		b.fail("the brief has %d headings after the first, want several", len(gaps))
	}
	for i, g := range gaps {
		if g < 16 {
			b.fail("brief heading %d has %.0fpx above it, want at least 16px", i+2, g)
		}
	}

	// 9. Subscribing on the phone: the link is webcal:// on this server,
	// with the token shown as the feed address.
	b.navigate("/visits/feed")
	b.submit("create the feed link", `form[action="/visits/feed"] button[type=submit]`)
	feedURL := e2eRun(b, "read the feed address", chromedp.Evaluate[string](`document.querySelector('#feed-url').value`))
	href := b.attr("#feed-subscribe", "href")
	if !strings.HasPrefix(feedURL, "http") || href != "webcal://"+strings.SplitN(feedURL, "://", 2)[1] {
		b.fail("subscribe link %q for the feed %q, want webcal:// and the same address", href, feedURL)
	}
}

// query is the query of the page the tab shows.
func (b *e2eTab) query() url.Values {
	b.t.Helper()
	loc := e2eRun(b, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.fail("parse location %q: %v", loc, err)
	}
	return u.Query()
}
