package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// scenario is one request and what must come back (pocketbase style).
type scenario struct {
	name     string
	as       string // demo username, "" for anonymous
	lang     string // Accept-Language
	method   string
	path     string
	form     url.Values
	noCSRF   bool
	status   int
	location string   // prefix of the Location header
	want     []string // substrings that must appear
	wantNot  []string // substrings that must not appear
}

func runScenarios(t *testing.T, a *app, cases []scenario) {
	t.Helper()
	for _, sc := range cases {
		t.Run(sc.name, func(t *testing.T) {
			c := loggedIn(t, a, sc.as)
			c.Lang = sc.lang
			var res *testkit.Response
			switch {
			case sc.method == http.MethodPost && sc.noCSRF:
				res = c.PostRaw(sc.path, sc.form)
			case sc.method == http.MethodPost:
				res = c.PostForm(sc.path, sc.form)
			default:
				res = c.Get(sc.path)
			}
			if res.Status != sc.status {
				t.Fatalf("status %d, want %d\n%.800s", res.Status, sc.status, res.Body)
			}
			if sc.location != "" && !strings.HasPrefix(res.Location(), sc.location) {
				t.Fatalf("location %q, want prefix %q", res.Location(), sc.location)
			}
			for _, w := range sc.want {
				if !strings.Contains(res.Body, w) {
					t.Errorf("body lacks %q\n%.1500s", w, res.Body)
				}
			}
			for _, w := range sc.wantNot {
				if strings.Contains(res.Body, w) {
					t.Errorf("body must not contain %q", w)
				}
			}
		})
	}
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		pw := org.DemoPassword
		runScenarios(t, a, []scenario{
			{name: "anonymous home redirects to login", path: "/", status: 303, location: "/login?next=%2F"},
			{name: "anonymous admin page redirects to login", path: "/admin/users", status: 303, location: "/login"},
			{name: "login page is Chinese by default", path: "/login", status: 200, want: []string{`lang="zh-CN"`, "登录", "用户名"}},
			{name: "login page follows Accept-Language", lang: "en-US,en;q=0.9", path: "/login", status: 200, want: []string{`lang="en"`, "Sign in", "Username"}},
			{name: "wrong password", method: "POST", path: "/login", form: url.Values{"username": {"liwei"}, "password": {"nope1234"}}, status: 401, want: []string{"用户名或密码错误"}},
			{name: "wrong password in English", lang: "en", method: "POST", path: "/login", form: url.Values{"username": {"liwei"}, "password": {"nope1234"}}, status: 401, want: []string{"Wrong username or password"}},
			{name: "unknown user looks the same", method: "POST", path: "/login", form: url.Values{"username": {"ghost"}, "password": {"nope1234"}}, status: 401, want: []string{"用户名或密码错误"}},
			{name: "empty login form", method: "POST", path: "/login", form: url.Values{}, status: 422, want: []string{"请输入用户名和密码"}},
			{name: "login without CSRF token is rejected", method: "POST", path: "/login", noCSRF: true, form: url.Values{"username": {"liwei"}, "password": {pw}}, status: 403, want: []string{"请求已过期"}},
			{name: "login with a forged CSRF token is rejected", method: "POST", path: "/login", form: url.Values{"_csrf": {"forged-token-forged-token-forged"}, "username": {"liwei"}, "password": {pw}}, status: 403},
			{name: "login succeeds and goes to next", method: "POST", path: "/login", form: url.Values{"username": {"liwei"}, "password": {pw}, "next": {"/account/password"}}, status: 303, location: "/account/password"},
			{name: "open redirect through next is refused", method: "POST", path: "/login", form: url.Values{"username": {"liwei"}, "password": {pw}, "next": {"//evil.example.com/"}}, status: 303, location: "/"},
			{name: "account manager home", as: "liwei", path: "/", status: 200, want: []string{"工作台", "李伟", "客户经理", "政企客户一部", "赵敏"}, wantNot: []string{"/admin/users"}},
			{name: "chief rep sees the team", as: "zhaomin", path: "/", status: 200, want: []string{"首席客户代表", "李伟", "张静"}},
			{name: "director sees branch teams", as: "wangjianguo", path: "/", status: 200, want: []string{"政企客户一部", "金融行业客户部"}, wantNot: []string{"能源行业客户部"}},
			{name: "admin navigation", as: "admin", path: "/", status: 200, want: []string{`href="/admin/users"`, `href="/admin/teams"`, `href="/admin/audit"`, "在用账户"}},
			{name: "account manager refused an admin page", as: "liwei", path: "/admin/users", status: 403, want: []string{"无权访问"}},
			{name: "director refused an admin page", as: "wangjianguo", path: "/admin/teams", status: 403},
			{name: "account manager POST to admin refused", as: "liwei", method: "POST", path: "/admin/users/1/disable", status: 403},
			{name: "logged-in form without CSRF rejected", as: "liwei", method: "POST", path: "/account/password", noCSRF: true, form: url.Values{"current": {pw}}, status: 403},
			{name: "admin user list with search", as: "admin", path: "/admin/users?q=li&sort=name", status: 200, want: []string{"liwei", "liuzhiqiang"}, wantNot: []string{"zhaomin"}},
			{name: "admin user list by role", as: "admin", path: "/admin/users?role=director", status: 200, want: []string{"wangjianguo", "liuzhiqiang"}, wantNot: []string{"liwei"}},
			{name: "admin user list pagination", as: "admin", path: "/admin/users?size=5&page=2", status: 200, want: []string{"第 2 / 5 页，共 21 条", `rel="prev"`, `rel="next"`}},
			{name: "admin empty search", as: "admin", path: "/admin/users?q=nobody-here", status: 200, want: []string{"没有符合条件的用户"}},
			{name: "unknown user id is 404", as: "admin", path: "/admin/users/99999/edit", status: 404, want: []string{"未找到"}},
			{name: "non-numeric id is 404", as: "admin", path: "/admin/users/abc/edit", status: 404},
			{name: "unknown page 404 in Chinese", as: "liwei", path: "/no/such/page", status: 404, want: []string{"未找到"}},
			{name: "unknown page 404 in English", lang: "en", path: "/no/such/page", status: 404, want: []string{"Not found"}},
			{name: "create user with errors", as: "admin", method: "POST", path: "/admin/users", form: url.Values{"username": {"liwei"}, "name": {""}, "role": {"account_manager"}, "password": {"short"}}, status: 422, want: []string{"该用户名已被使用", "必填", "该角色须选择一个团队", "密码须为 8–72 位"}},
			{name: "create director", as: "admin", method: "POST", path: "/admin/users", form: url.Values{"username": {"newdir"}, "name": {"新经理"}, "role": {"director"}, "branch_id": {"1"}, "password": {"abc12345"}}, status: 303, location: "/admin/users/"},
			{name: "stale edit is refused", as: "admin", method: "POST", path: "/admin/users/3", form: url.Values{"username": {"zhaomin"}, "name": {"赵敏"}, "role": {"chief_rep"}, "team_id": {"1"}, "version": {"0"}}, status: 409, want: []string{"已被他人修改"}},
			{name: "create team with errors", as: "admin", method: "POST", path: "/admin/teams", form: url.Values{"name": {""}}, status: 422, want: []string{"必填", "请选择分公司"}},
			{name: "disable team with members refused", as: "admin", method: "POST", path: "/admin/teams/1/disable", status: 303, location: "/admin/teams"},
			{name: "bad branch code", as: "admin", method: "POST", path: "/admin/branches", form: url.Values{"code": {"!"}, "name": {"x"}}, status: 422, want: []string{"编码须为"}},
			{name: "audit log lists changes", as: "admin", path: "/admin/audit?entity=user", status: 200, want: []string{"审计日志", "创建"}},
			{name: "change password validation", as: "liwei", method: "POST", path: "/account/password", form: url.Values{"current": {"wrong"}, "password": {"abcdefgh"}, "confirm": {"x"}}, status: 422, want: []string{"当前密码不正确", "须同时包含字母和数字", "不一致"}},
			{name: "language switch needs a language", as: "liwei", method: "POST", path: "/lang", form: url.Values{"lang": {"fr"}}, status: 400},
			{name: "healthz", path: "/healthz", status: 200, want: []string{"ok"}},
			{name: "readyz", path: "/readyz", status: 200, want: []string{"ready"}},
			{name: "htmx is served from the binary", path: "/static/vendor/htmx.min.js", status: 200, want: []string{"htmx"}},
		})
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.Secure = true })
	res, err := a.Server.App.Test(httptest.NewRequest(http.MethodGet, "/login", nil))
	if err != nil {
		t.Fatal(err)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Strict-Transport-Security": "max-age"} {
		if !strings.Contains(res.Header.Get(h), want) {
			t.Errorf("%s = %q", h, res.Header.Get(h))
		}
	}
	// Outside dev every cookie is Secure, HttpOnly and SameSite.
	c := testkit.NewClient(t, a.Server.App)
	c.Get("/login")
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"_csrf": {c.CSRF()}, "username": {"liwei"}, "password": {org.DemoPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: org.PreSessionCookie, Value: c.Cookie(org.PreSessionCookie)})
	res, err = a.Server.App.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sc := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(sc, org.SessionCookie+"=") {
			found = true
			for _, attr := range []string{"secure", "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(strings.ToLower(sc), strings.ToLower(attr)) {
					t.Errorf("session cookie lacks %s: %s", attr, sc)
				}
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie set (status %d)", res.StatusCode)
	}
}

func TestJSONErrors(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	req := httptest.NewRequest(http.MethodGet, "/nope", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", "en")
	res, err := a.Server.App.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if res.StatusCode != 404 || body["status"] != float64(404) || !strings.Contains(body["error"].(string), "does not exist") {
		t.Fatalf("json error: %d %v", res.StatusCode, body)
	}
}

// TestLockoutThroughTheLoginPage: wrong passwords never lock the account
// with a tell-tale status or message. Every refusal, before and after the
// network has to wait, is the same 401 "wrong username or password" that
// an unknown name gets; while the network waits, even the right password
// gets it (see security_auth_test.go for the owner signing in elsewhere).
func TestLockoutThroughTheLoginPage(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		c := loggedIn(t, a, "")
		var res *testkit.Response
		for i := 1; i <= org.FreeFailures+5; i++ {
			res = c.PostForm("/login", url.Values{"username": {"zhangjing"}, "password": {"wrong-pass1"}})
			if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, "用户名或密码错误") || strings.Contains(res.Body, "锁定") {
				t.Fatalf("try %d: %d\n%.600s", i, res.Status, res.Body)
			}
		}
		res = c.PostForm("/login", url.Values{"username": {"zhangjing"}, "password": {org.DemoPassword}})
		if res.Status != http.StatusUnauthorized || !strings.Contains(res.Body, "用户名或密码错误") {
			t.Fatalf("the right password while the network waits: %d", res.Status)
		}
	})
}

// TestLoginRateLimit: the sixth sign-in attempt in one minute is refused;
// the next minute starts again. The limiter counts fixed minute windows by
// the app's clock, so the test stops that clock a moment before a minute
// ends: on the wall clock the attempts could straddle two windows (and
// all six pass), which made this test flake at a minute boundary.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	clk := &testClock{t: time.Now().UTC().Truncate(time.Minute).Add(59*time.Second + 900*time.Millisecond)}
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.LoginRate, o.Now = 5, clk.now })
	c := loggedIn(t, a, "")
	var last *testkit.Response
	for i := 0; i < 6; i++ {
		last = c.PostForm("/login", url.Values{"username": {"ghost"}, "password": {"x1234567"}})
		if i < 5 && last.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d within the limit: %d", i+1, last.Status)
		}
	}
	if last.Status != http.StatusTooManyRequests || !strings.Contains(last.Body, "操作过于频繁") {
		t.Fatalf("6th attempt in a minute: %d", last.Status)
	}
	clk.add(200 * time.Millisecond)
	if res := c.PostForm("/login", url.Values{"username": {"ghost"}, "password": {"x1234567"}}); res.Status != http.StatusUnauthorized {
		t.Fatalf("first attempt of the next minute: %d, want 401", res.Status)
	}
}

// TestDisabledUserIsOutAtOnce: an admin disables a user who is signed in;
// the user's very next request is treated as anonymous.
func TestDisabledUserIsOutAtOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		user := loggedIn(t, a, "chenhao")
		if res := user.Get("/"); res.Status != 200 {
			t.Fatalf("before: %d", res.Status)
		}
		u, err := a.Org.Store().UserByUsername(t.Context(), "chenhao")
		if err != nil {
			t.Fatal(err)
		}
		admin := loggedIn(t, a, "admin")
		admin.Get("/admin/users/" + itoa(u.ID) + "/edit")
		res := admin.PostForm("/admin/users/"+itoa(u.ID)+"/disable", url.Values{"version": {itoa(uint(u.Version))}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("disable: %d", res.Status)
		}
		if res := user.Get("/"); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
			t.Fatalf("disabled user still in: %d %s", res.Status, res.Location())
		}
	})
}

// TestLanguageIsRememberedPerUser: switching to English is stored on the
// user, so it follows them to a new session.
func TestLanguageIsRememberedPerUser(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	c := loggedIn(t, a, "liwei")
	if res := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("switch: %d", res.Status)
	}
	if res := c.Get("/"); !strings.Contains(res.Body, "Workbench") || !strings.Contains(res.Body, "Sign out") {
		t.Fatalf("not English after switch:\n%.500s", res.Body)
	}
	fresh := loggedIn(t, a, "liwei")
	if res := fresh.Get("/"); !strings.Contains(res.Body, "Workbench") {
		t.Fatal("language not remembered for a new session")
	}
	other := loggedIn(t, a, "zhangjing")
	if res := other.Get("/"); !strings.Contains(res.Body, "工作台") {
		t.Fatal("another user must keep Chinese")
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	c := loggedIn(t, a, "liwei")
	res := c.PostForm("/logout", url.Values{})
	if res.Status != http.StatusSeeOther || res.Location() != "/login" {
		t.Fatalf("logout: %d %s", res.Status, res.Location())
	}
	if res := c.Get("/login"); !strings.Contains(res.Body, "您已安全退出") {
		t.Fatal("no goodbye message")
	}
	if res := c.Get("/"); res.Status != http.StatusSeeOther {
		t.Fatalf("still signed in after logout: %d", res.Status)
	}
}

// TestRateLimitPerClientBehindProxy: with a trusted proxy, the limit is
// per client address from X-Forwarded-For, not one shared bucket.
func TestRateLimitPerClientBehindProxy(t *testing.T) {
	t.Parallel()
	// A stopped clock: on the wall clock a minute could end between the
	// attempts and the fourth would pass (see TestLoginRateLimit).
	clk := &testClock{t: time.Now().UTC().Truncate(time.Minute).Add(59*time.Second + 900*time.Millisecond)}
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) {
		o.LoginRate, o.Now = 3, clk.now
		o.TrustedProxies = []string{"0.0.0.0/0", "::/0"}
	})
	c := loggedIn(t, a, "")
	c.Get("/login")
	post := func(ip string) int {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"_csrf": {c.CSRF()}, "username": {"ghost"}, "password": {"x1234567"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		req.AddCookie(&http.Cookie{Name: org.PreSessionCookie, Value: c.Cookie(org.PreSessionCookie)})
		res, err := a.Server.App.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode
	}
	for i := 0; i < 3; i++ {
		if got := post("203.0.113.7"); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, got)
		}
	}
	if got := post("203.0.113.7"); got != http.StatusTooManyRequests {
		t.Fatalf("4th from the same client: %d", got)
	}
	if got := post("198.51.100.9"); got != http.StatusUnauthorized {
		t.Fatalf("another client must have its own bucket: %d", got)
	}
	clk.add(time.Minute)
	if got := post("203.0.113.7"); got != http.StatusUnauthorized {
		t.Fatalf("the same client a minute later: %d", got)
	}
}
