package main

// End-to-end tests: the real `jike serve --demo` runs in-process on a free
// port with a throw-away SQLite database, and a headless Chromium drives it
// through the Chrome DevTools Protocol (github.com/chromedp/chromedp). They
// prove what unit tests of handlers cannot: that the pages work in a browser
// with the strict CSP, the CSRF tokens, the cookies, the redirects and
// app.js all together.
//
// Run them with
//
//	go test ./cmd/jike/ -run TestE2E -count=1 -v
//
// They need Debian's chromium (apt-get install chromium). Without it they
// skip, except in CI (CI set) or with JIKE_REQUIRE_BROWSER=1, where they
// fail. `go test -short` skips them. On a failure the page is saved as
// $TMPDIR/jike-e2e-<test name>.png and the path is logged.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

const (
	// e2eStepTimeout bounds one subtest (one journey) in the browser. The
	// journeys run in parallel with each other and with the route walk
	// (t.Parallel), so on a loaded machine one may wait for a core for a
	// long time (a 16 s phone walk took 6 minutes at a load average of 40):
	// a bound against a hang, not a measure.
	e2eStepTimeout = 10 * time.Minute
	// e2eReadyTimeout bounds the start of the server and of the browser.
	// Chromium takes over 20 s to start on a 2-core machine under a load
	// average of 30 (several test runs at once), and several journeys
	// start theirs at once; it is a bound, not a measure, so it is generous.
	e2eReadyTimeout = 3 * time.Minute
	// e2ePollTimeout bounds one wait for a page to change (an htmx swap, a
	// script's update) in a journey; generous for the same reason.
	e2ePollTimeout = time.Minute
	// e2ePoll is how often a query of the helpers below asks the browser
	// again while it waits for its element. chromedp's default, 5 ms, is
	// some 200 DevTools round trips (Chromium and Go CPU) for a page that
	// takes a second to appear on a loaded machine.
	e2ePoll = 25 * time.Millisecond
)

// e2eNavSales is the navigation of the selling roles (account manager,
// chief rep, director), in order; e2eNavAdmin the admin's, who reads
// customers but also manages the organisation. e2eAdminOnly are the links
// nobody else may see.
var (
	e2eNavSales   = append(append(append(slices.Clone(e2eNavShared[:3]), "公海"), e2eNavShared[3:]...), "月度目标", "报表")
	e2eNavShared  = []string{"首页", "集团客户", "客户走访", "走访日历", "商机看板", "商机", "需求", "方案", "合同", "售后", "挽留", "业务使用", "业务目录"} // the admin's too
	e2eNavAdmin   = append(append([]string{"首页", "后台任务"}, e2eNavShared[1:]...), "报表", "用户管理", "团队管理", "分公司", "审计日志")
	e2eNavSalesEN = []string{"Home", "Customers", "Visits", "Pool", "Calendar", "Pipeline", "Opportunities", "Needs", "Proposals", "Contracts", "After-sale", "Retention", "Usage", "Catalogue", "Targets", "Reports"}
	e2eAdminOnly  = []string{"后台任务", "用户管理", "团队管理", "分公司", "审计日志"}
)

// TestE2E runs every browser journey against one server and one browser.
// Each journey gets its own browser context (an incognito-like profile),
// so cookies never leak from one journey to the next.
func TestE2E(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartEmptyServer(t) // the real seeding of serve --demo; the other journeys copy its result
	browser := e2eStartBrowser(t, chrome)

	// Journey 1: every role signs in through the form and sees exactly
	// the navigation its permissions allow.
	t.Run("LoginByRole", func(t *testing.T) {
		for _, tc := range []struct {
			role, username, name string
			nav                  []string
		}{
			{"admin", "admin", "系统管理员", e2eNavAdmin},
			{"director", "wangjianguo", "王建国", e2eNavSales},
			{"chief_rep", "zhaomin", "赵敏", e2eNavSales},
			{"account_manager", "liwei", "李伟", e2eNavSales},
		} {
			t.Run(tc.role, func(t *testing.T) {
				testE2ELoginByRole(t, newE2ETab(t, browser, base), tc.username, tc.name, tc.nav)
			})
		}
	})
	t.Run("LanguageSwitch", func(t *testing.T) { testE2ELanguageSwitch(t, browser, base) })
	t.Run("WrongPassword", func(t *testing.T) { testE2EWrongPassword(newE2ETab(t, browser, base)) })
	t.Run("AdminCreatesUser", func(t *testing.T) { testE2EAdminCreatesUser(newE2ETab(t, browser, base)) })
	t.Run("MobileNav", func(t *testing.T) { testE2EMobileNav(newE2ETab(t, browser, base)) })
	t.Run("ForbiddenAdminURL", func(t *testing.T) { testE2EForbiddenAdminURL(newE2ETab(t, browser, base)) })
}

// testE2ELoginByRole proves that an anonymous visit to / lands on the
// Chinese sign-in page, that the form signs the user in and brings them
// back to the workbench, that the navigation holds exactly the links of
// the role (admin-only links are absent for everyone else) and that the
// user box names the user.
func testE2ELoginByRole(t *testing.T, b *e2eTab, username, name string, wantNav []string) {
	b.navigate("/")
	b.expectPath("/login")
	b.expectText("h1", "登录")
	b.expectAttr("html", "lang", "zh-CN")

	b.login(username, org.DemoPassword)
	b.expectPath("/")
	b.expectText("h1", "工作台")

	b.do("wait for the navigation", chromedp.WaitVisible(chromedp.CSS("#nav")))
	got := b.navLinks()
	if !slices.Equal(got, wantNav) {
		b.fail("nav links of %s = %q, want %q", username, got, wantNav)
	}
	if !slices.Equal(wantNav, e2eNavAdmin) {
		for _, adminOnly := range e2eAdminOnly {
			if slices.Contains(got, adminOnly) {
				b.fail("%s sees the admin-only link %q", username, adminOnly)
			}
		}
		hrefs := e2eRun(b, "read nav hrefs", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('#nav a')).map(a => a.getAttribute('href'))`))
		for _, h := range hrefs {
			if strings.HasPrefix(h, "/admin") {
				b.fail("%s has an admin link %q in the navigation", username, h)
			}
		}
	}
	if box := b.text(".userbox"); !strings.Contains(box, name) {
		b.fail(".userbox = %q, want it to contain %q", box, name)
	}
}

// testE2ELanguageSwitch proves that the EN button of the header switches
// the whole page to English, that the choice survives signing out and in
// again, that it is stored with the user and not only in a cookie (a fresh
// browser profile, which starts in Chinese, gets English right after the
// sign-in), and that 中文 switches back.
func testE2ELanguageSwitch(t *testing.T, browser context.Context, base string) {
	b := newE2ETab(t, browser, base)
	b.login("liwei", org.DemoPassword)
	b.expectText("h1", "工作台")

	b.submit("switch to English", `.topbar .lang-switch button[value="en"]`)
	b.expectPath("/")
	b.expectText("h1", "Workbench")
	b.expectAttr("html", "lang", "en")
	if got := b.navLinks(); !slices.Equal(got, e2eNavSalesEN) {
		b.fail("English nav = %q, want %q", got, e2eNavSalesEN)
	}
	b.expectText(`form[action="/logout"] button[type=submit]`, "Sign out")
	b.expectAttr(`.topbar .lang-switch button[value="en"]`, "aria-pressed", "true")

	b.logout()
	b.expectPath("/login")
	b.login("liwei", org.DemoPassword)
	b.expectPath("/")
	b.expectText("h1", "Workbench")

	// A fresh profile has no jike_lang cookie: the sign-in page is Chinese,
	// and only the user's stored setting can make the workbench English.
	fresh := newE2ETab(t, browser, base)
	fresh.navigate("/login")
	fresh.expectText("h1", "登录")
	fresh.login("liwei", org.DemoPassword)
	fresh.expectText("h1", "Workbench")

	fresh.submit("switch back to Chinese", `.topbar .lang-switch button[value="zh-CN"]`)
	fresh.expectPath("/")
	fresh.expectText("h1", "工作台")
	fresh.expectAttr("html", "lang", "zh-CN")
	if got := fresh.navLinks(); !slices.Equal(got, e2eNavSales) {
		fresh.fail("nav after switching back = %q, want %q", got, e2eNavSales)
	}
}

// testE2EWrongPassword proves that a wrong password is refused with the
// Chinese message, a 401, the sign-in page still shown and the username
// kept in the field.
func testE2EWrongPassword(b *e2eTab) {
	resp := b.loginResponse("zhangjing", "not-the-password-1")
	if resp.Status != http.StatusUnauthorized {
		b.fail("wrong password: status %d, want 401", resp.Status)
	}
	b.expectPath("/login")
	if msg := b.text(".alert-error"); !strings.Contains(msg, "用户名或密码错误") {
		b.fail("error message = %q, want it to contain 用户名或密码错误", msg)
	}
	if v := e2eRun(b, "read the username field", chromedp.Value(chromedp.CSS("#username"))); v != "zhangjing" {
		b.fail("username field = %q after the failed sign-in, want zhangjing", v)
	}
	if n := e2eRun(b, "count nav", chromedp.Evaluate[int](`document.querySelectorAll('#nav').length`)); n != 0 {
		b.fail("the failed sign-in shows a navigation: the user looks signed in")
	}
}

// testE2EAdminCreatesUser proves the admin's user form end to end: the
// new account manager is saved with a team, the admin lands on the edit
// page with the success message, the list finds the user, and the new
// user can sign in with the initial password.
func testE2EAdminCreatesUser(b *e2eTab) {
	b.login("admin", org.DemoPassword)
	b.navigate("/admin/users/new")
	b.expectPath("/admin/users/new")
	b.expectText("h1", "新建用户")

	team := e2eRun(b, "find the first team", chromedp.Evaluate[string](
		`(document.querySelector('#team_id option[value]:not([value=""])') || {value: ""}).value`))
	if team == "" {
		b.fail("the team select has no team to choose")
	}
	b.do("fill the user form",
		chromedp.SendKeys(chromedp.CSS("#username"), "testam1"),
		chromedp.SetValue(chromedp.CSS("#name"), "测试经理"),
		chromedp.SetValue(chromedp.CSS("#role"), "account_manager"),
		chromedp.SetValue(chromedp.CSS("#team_id"), team),
		chromedp.SendKeys(chromedp.CSS("#password"), "abc12345"),
	)
	resp := b.submit("save the new user", `form[action="/admin/users"] button[type=submit]`)
	if resp.Status != http.StatusOK {
		b.fail("create user: status %d, want 200 (errors on the page: %q)", resp.Status, b.allText(".field-error, .alert-error"))
	}
	if p := b.path(); !regexp.MustCompile(`^/admin/users/\d+/edit$`).MatchString(p) {
		b.fail("after creating the user the path is %q, want /admin/users/<id>/edit", p)
	}
	if msg := b.text(".alert-success"); !strings.Contains(msg, "用户已创建") {
		b.fail("flash = %q, want 用户已创建", msg)
	}
	if v := e2eRun(b, "read the saved team", chromedp.Value(chromedp.CSS("#team_id"))); v != team {
		b.fail("saved team = %q, want %q", v, team)
	}

	b.navigate("/admin/users?q=testam1")
	rows := e2eRun(b, "read the user list", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('table.table tbody tr')).map(tr => tr.innerText)`))
	if len(rows) != 1 {
		b.fail("search testam1: %d rows %q, want 1", len(rows), rows)
	}
	for _, want := range []string{"testam1", "测试经理", "客户经理"} {
		if !strings.Contains(rows[0], want) {
			b.fail("row %q does not contain %q", rows[0], want)
		}
	}

	b.logout()
	b.login("testam1", "abc12345")
	b.expectPath("/")
	b.expectText("h1", "工作台")
	if box := b.text(".userbox"); !strings.Contains(box, "测试经理") {
		b.fail(".userbox = %q, want 测试经理", box)
	}
}

// testE2EMobileNav proves the phone layout at 375×812: neither the sign-in
// page nor the workbench scrolls sideways, the navigation is hidden behind
// the menu button, and the button (app.js, under the strict CSP) opens it.
func testE2EMobileNav(b *e2eTab) {
	b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	b.navigate("/login")
	b.expectNoHorizontalScroll("sign-in page")
	b.login("liwei", org.DemoPassword)
	b.expectText("h1", "工作台")
	b.expectNoHorizontalScroll("workbench")

	if vis := b.visibleNavLinks(); vis != 0 {
		b.fail("on a phone %d nav links are visible before the menu is opened, want 0", vis)
	}
	b.do("open the menu",
		chromedp.Click(chromedp.CSS(".nav-toggle")),
		chromedp.WaitVisible(chromedp.CSS("#nav a")),
	)
	if cls := b.attr("#nav", "class"); !slices.Contains(strings.Fields(cls), "open") {
		b.fail("#nav class = %q after the toggle, want it to contain open", cls)
	}
	b.expectAttr(".nav-toggle", "aria-expanded", "true")
	if vis, all := b.visibleNavLinks(), len(b.navLinks()); vis == 0 || vis != all {
		b.fail("after opening the menu %d of %d nav links are visible", vis, all)
	}
	b.expectNoHorizontalScroll("workbench with the menu open")
}

// testE2EForbiddenAdminURL proves that an account manager who types an
// admin URL gets the 403 page, not the user list.
func testE2EForbiddenAdminURL(b *e2eTab) {
	b.login("liwei", org.DemoPassword)
	resp := b.navigate("/admin/users")
	if resp.Status != http.StatusForbidden {
		b.fail("/admin/users as liwei: status %d, want 403", resp.Status)
	}
	if body := b.text("main"); !strings.Contains(body, "无权访问") {
		b.fail("/admin/users as liwei shows %q, want 无权访问", body)
	}
	if n := e2eRun(b, "count user rows", chromedp.Evaluate[int](`document.querySelectorAll('table.table tbody tr').length`)); n != 0 {
		b.fail("the 403 page lists %d users", n)
	}
}

// --- the browser tab and its steps

// e2eTab is one browser tab in its own browser context, bound to one
// (sub)test. Every step fails the test with a screenshot on error.
type e2eTab struct {
	t    *testing.T
	base string
	tab  context.Context // the tab with no deadline: used for the screenshot after a timeout
	ctx  context.Context // the tab with the journey's deadline: every step runs on it
}

// newE2ETab opens a tab in a fresh browser context (its own cookies) of the
// shared browser. It closes when the test ends.
func newE2ETab(t *testing.T, browser context.Context, base string) *e2eTab {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // opens the tab, with no deadline
		t.Fatalf("e2e: open a browser tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, e2eStepTimeout)
	t.Cleanup(cancel)
	return &e2eTab{t: t, base: base, tab: tab, ctx: ctx}
}

// do runs steps in order; on error it fails the test with a screenshot.
func (b *e2eTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// e2eRun runs one action that returns a value; on error it fails the test
// with a screenshot.
func e2eRun[T any](b *e2eTab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fail("%s: %v", what, err)
	}
	return v
}

// respond runs steps that load a page and returns its final response (after
// redirects).
func (b *e2eTab) respond(what string, steps ...chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, steps...)
	if err != nil {
		b.fail("%s: %v", what, err)
	}
	if resp == nil {
		b.fail("%s: the browser reported no response", what)
	}
	return resp
}

// navigate opens path on the server and waits for the page to load.
func (b *e2eTab) navigate(path string) *network.Response {
	b.t.Helper()
	return b.respond("open "+path, chromedp.Navigate(b.base+path))
}

// submit clicks the submit button sel and waits for the next page. The
// button is brought to the middle of the screen first, as a user would
// scroll to it: a sticky bar (the proposal builder's save bar) covers a
// button that is only scrolled to the screen's edge, and a click lands on
// whatever is on top.
func (b *e2eTab) submit(what, sel string) *network.Response {
	b.t.Helper()
	b.do(what+": scroll to it", chromedp.WaitVisible(chromedp.CSS(sel), chromedp.RetryInterval(e2ePoll)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center"})`, sel)))
	return b.respond(what, chromedp.Click(chromedp.CSS(sel), chromedp.RetryInterval(e2ePoll)))
}

// loginResponse fills the sign-in form (opening /login first unless the
// tab already shows it) and submits it.
func (b *e2eTab) loginResponse(username, password string) *network.Response {
	b.t.Helper()
	if b.path() != "/login" {
		b.navigate("/login")
	}
	b.do("fill the sign-in form",
		chromedp.WaitVisible(chromedp.CSS("#username"), chromedp.RetryInterval(e2ePoll)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#username').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#username"), username, chromedp.RetryInterval(e2ePoll)),
		chromedp.SendKeys(chromedp.CSS("#password"), password, chromedp.RetryInterval(e2ePoll)),
	)
	return b.submit("sign in as "+username, `form[action="/login"] button[type=submit]`)
}

// login signs in and requires success: a 200 page away from /login.
func (b *e2eTab) login(username, password string) {
	b.t.Helper()
	resp := b.loginResponse(username, password)
	if resp.Status != http.StatusOK || b.path() == "/login" {
		b.fail("sign in as %s: status %d at %s (message %q)", username, resp.Status, b.path(), b.allText(".alert"))
	}
}

// logout clicks the header's sign-out button.
func (b *e2eTab) logout() {
	b.t.Helper()
	b.submit("sign out", `form[action="/logout"] button[type=submit]`)
}

// path is the path of the page the tab shows.
func (b *e2eTab) path() string {
	b.t.Helper()
	loc := e2eRun(b, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		b.fail("parse location %q: %v", loc, err)
	}
	return u.Path
}

func (b *e2eTab) expectPath(want string) {
	b.t.Helper()
	if got := b.path(); got != want {
		b.fail("path = %q, want %q", got, want)
	}
}

// text waits for sel to be visible and returns its visible text, trimmed.
func (b *e2eTab) text(sel string) string {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel), chromedp.RetryInterval(e2ePoll)))
	return strings.TrimSpace(e2eRun(b, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.RetryInterval(e2ePoll))))
}

func (b *e2eTab) expectText(sel, want string) {
	b.t.Helper()
	if got := b.text(sel); got != want {
		b.fail("%s = %q, want %q", sel, got, want)
	}
}

// allText returns the text of every element matching sel, without
// waiting; it is for failure messages.
func (b *e2eTab) allText(sel string) string {
	b.t.Helper()
	v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q)).map(e => e.innerText.trim()).join(" | ")`, sel)))
	return v
}

// attr returns an attribute of the first element matching sel.
func (b *e2eTab) attr(sel, name string) string {
	b.t.Helper()
	r := e2eRun(b, "read "+sel+"@"+name, chromedp.AttributeValue(chromedp.CSS(sel), name, chromedp.RetryInterval(e2ePoll)))
	return r.Value
}

func (b *e2eTab) expectAttr(sel, name, want string) {
	b.t.Helper()
	if got := b.attr(sel, name); got != want {
		b.fail("%s@%s = %q, want %q", sel, name, got, want)
	}
}

// navLinks returns the text of the #nav links, in order.
func (b *e2eTab) navLinks() []string {
	b.t.Helper()
	return e2eRun(b, "read the nav links", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#nav a')).map(a => a.textContent.trim())`))
}

// visibleNavLinks counts the #nav links that take space on the page.
func (b *e2eTab) visibleNavLinks() int {
	b.t.Helper()
	return e2eRun(b, "count visible nav links", chromedp.Evaluate[int](
		`Array.from(document.querySelectorAll('#nav a')).filter(a => {
			const r = a.getBoundingClientRect();
			return r.width > 0 && r.height > 0 && getComputedStyle(a).visibility !== 'hidden';
		}).length`))
}

func (b *e2eTab) expectNoHorizontalScroll(where string) {
	b.t.Helper()
	w := e2eRun(b, "measure "+where, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if w > 375 {
		b.fail("%s is %d px wide on a 375 px phone: it scrolls sideways", where, w)
	}
}

// fail saves a full-page screenshot and fails the test now.
func (b *e2eTab) fail(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	b.t.Fatalf("e2e: %s%s", msg, b.screenshot())
}

// screenshot saves the tab as $TMPDIR/jike-e2e-<test name>.png and says
// where, with the URL the tab was showing.
func (b *e2eTab) screenshot() string {
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	name := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(b.t.Name())
	file := filepath.Join(os.TempDir(), "jike-e2e-"+name+".png")
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(file, buf, 0o644)
	}
	if err != nil {
		return fmt.Sprintf("\n\tpage: %s\n\t(no screenshot: %v)", loc, err)
	}
	return fmt.Sprintf("\n\tpage: %s\n\tscreenshot: %s", loc, file)
}

// --- the browser

// e2eFindChromium returns the browser to drive. A missing browser skips
// the test loudly, or fails it in CI and with JIKE_REQUIRE_BROWSER=1.
func e2eFindChromium(t *testing.T) string {
	t.Helper()
	// The headless shell first: the same engine without the full
	// browser's processes and compositor, and it ran the browser journeys
	// 2.5 times faster (the phone walk 124 → 49 s; docs/testing.md).
	for _, p := range []string{"/usr/bin/chromium-headless-shell", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "e2e: no Chromium found (looked for /usr/bin/chromium-headless-shell, /usr/bin/chromium, chromium, chromium-browser, google-chrome). " +
		"Install it with `apt-get install chromium-headless-shell` (or chromium) to run the browser tests."
	if os.Getenv("CI") != "" || os.Getenv("JIKE_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " The browser is required here (CI or JIKE_REQUIRE_BROWSER=1).")
	}
	t.Skip("!!! SKIPPING THE BROWSER TESTS !!! " + msg)
	return ""
}

// e2eStartBrowser starts one headless Chromium for all journeys and
// returns a context that holds it; journeys open tabs from it.
func e2eStartBrowser(t *testing.T, chrome string) context.Context {
	t.Helper()
	profile := t.TempDir() // removed after the browser is gone (cleanups run LIFO)
	var output e2eBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root in containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		// A browser set up for Chinese: the app picks the language of an
		// anonymous visitor from Accept-Language, and headless Chromium
		// would otherwise send en-US.
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
	)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		if t.Failed() {
			t.Logf("e2e: chromium output (D-Bus noise left out):\n%s", e2eWithoutDBus(output.Tail(16000)))
		}
	})
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browser) }() // binds the browser to browser, not to a deadline
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("e2e: start %s: %v\n%s", chrome, err, output.Tail(4000))
		}
	case <-time.After(e2eReadyTimeout):
		t.Fatalf("e2e: %s did not start within %s\n%s", chrome, e2eReadyTimeout, output.Tail(4000))
	}
	return browser
}

// --- the server

// e2eStartServer runs `jike serve --demo` in-process on a free port on a
// copy of the SQLite demo that `jike seed --demo` made once per test binary
// (e2eDemoFile; serve finds the demo organisation and seeds nothing), waits
// until /readyz answers 200 and returns the base URL. The server stops
// when the test ends.
func e2eStartServer(t *testing.T) string {
	t.Helper()
	return e2eServe(t, true)
}

// e2eStartEmptyServer is e2eStartServer on an empty database: `serve
// --demo` migrates it and seeds the demo itself, the path a first start
// takes. TestE2E keeps that path covered; the other journeys take a copy.
func e2eStartEmptyServer(t *testing.T) string {
	t.Helper()
	return e2eServe(t, false)
}

func e2eServe(t *testing.T, seeded bool) string {
	t.Helper()
	dataDir := t.TempDir()
	if seeded {
		if err := testkit.CopyFile(e2eDemoFile(t), filepath.Join(dataDir, "jike.db")); err != nil {
			t.Fatalf("e2e: copy the seeded demo: %v", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("e2e: find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()

	env := map[string]string{
		"JIKE_DATA_DIR":  dataDir,
		"JIKE_ENV":       "dev",
		"JIKE_LOG_LEVEL": "warn",
	}
	getenv := func(k string) string { return env[k] } // never the real environment
	var stdout, stderr e2eBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", addr}, getenv, strings.NewReader(""), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("e2e: the server ended with: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("e2e: the server did not stop within 20s")
		}
		if t.Failed() {
			t.Logf("e2e: server stdout:\n%s\nserver stderr:\n%s", stdout.Tail(4000), stderr.Tail(8000))
		}
	})

	base := "http://" + addr
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(e2eReadyTimeout)
	for {
		select {
		case err := <-done:
			t.Fatalf("e2e: the server stopped before it was ready: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.Tail(4000), stderr.Tail(4000))
		default:
		}
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				// serve printed what it did with the demo before it listened.
				if want := map[bool]string{true: "nothing seeded", false: "Demo data loaded"}[seeded]; !strings.Contains(stdout.Tail(1<<20), want) {
					t.Fatalf("e2e: serve --demo did not say %q:\n%s", want, stdout.Tail(4000))
				}
				return base
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("e2e: %s/readyz not ready within %s: %v\nstderr:\n%s", base, e2eReadyTimeout, err, stderr.Tail(4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// e2eBuffer is an io.Writer safe for the goroutines of the server and the
// browser that write to it while the test reads it.
type e2eBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *e2eBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// e2eWithoutDBus drops the D-Bus complaints a container-run Chromium prints
// by the dozen, so the lines that matter stand out.
func e2eWithoutDBus(s string) string {
	var keep []string
	for line := range strings.SplitSeq(s, "\n") {
		if !strings.Contains(line, "dbus") && !strings.Contains(line, "DBus") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// Tail returns the last n bytes written.
func (b *e2eBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) > n {
		return "…" + string(b.buf[len(b.buf)-n:])
	}
	return string(b.buf)
}
