package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

// Tests of the authentication and data-integrity fixes of issue 8: sign-in
// throttling, the pre-session CSRF binding, feed tokens revoked with the
// other credentials, no-store on every private response, the upload limit
// and huge page numbers.

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// postFrom posts form to path as if from ip (the test app trusts
// X-Forwarded-For), with the client's cookies and CSRF token.
func postFrom(c *testkit.Client, ip, path string, form url.Values) *testkit.Response {
	f := url.Values{"_csrf": {c.CSRF()}}
	for k, v := range form {
		f[k] = v
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", ip)
	return c.Do(req)
}

var alertPattern = regexp.MustCompile(`<div class="alert alert-error" role="alert">([^<]*)</div>`)

// alertOf is the error message a sign-in page shows.
func alertOf(r *testkit.Response) string {
	if m := alertPattern.FindStringSubmatch(r.Body); m != nil {
		return m[1]
	}
	return ""
}

// TestSignInThrottleOverHTTP: an existing account and a name that does not
// exist get the same status and message for every wrong password, before
// and after the delays begin; the attacker's network is refused even the
// right password while it waits; the owner signing in from another network
// gets in; the owner and the admins are told once; the admin's user page
// shows the waiting network.
func TestSignInThrottleOverHTTP(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clk := &testClock{t: time.Now().UTC()}
		var mu sync.Mutex
		var notes []string
		a := newTestApp(t, d, func(o *appOptions) {
			o.TrustedProxies = []string{"0.0.0.0/0", "::/0"}
			o.Now = clk.now
			o.Notify = func(_ context.Context, ids []uint, msg string, args map[string]string, link string) error {
				mu.Lock()
				defer mu.Unlock()
				notes = append(notes, fmt.Sprintf("%v %s %s %s", ids, msg, args["Username"], link))
				return nil
			}
		})
		zhang, _ := a.Org.Store().UserByUsername(t.Context(), "zhangjing")
		admin, _ := a.Org.Store().UserByUsername(t.Context(), "admin")
		const attackerIP, ownerIP = "203.0.113.7", "198.51.100.20"
		attacker := loggedIn(t, a, "")
		attacker.Get("/login")
		for i := 1; i <= org.FreeFailures+4; i++ {
			real := postFrom(attacker, attackerIP, "/login", url.Values{"username": {"zhangjing"}, "password": {"wrong-pass1"}})
			ghost := postFrom(attacker, attackerIP, "/login", url.Values{"username": {"nobody-here"}, "password": {"wrong-pass1"}})
			if real.Status != http.StatusUnauthorized || alertOf(real) != "用户名或密码错误。" {
				t.Fatalf("try %d for a real account: %d %q", i, real.Status, alertOf(real))
			}
			if ghost.Status != real.Status || alertOf(ghost) != alertOf(real) {
				t.Fatalf("try %d: an unknown name answers %d %q, a real one %d %q", i, ghost.Status, alertOf(ghost), real.Status, alertOf(real))
			}
		}
		right := postFrom(attacker, attackerIP, "/login", url.Values{"username": {"zhangjing"}, "password": {org.DemoPassword}})
		if right.Status != http.StatusUnauthorized || alertOf(right) != "用户名或密码错误。" {
			t.Fatalf("the right password from the waiting network: %d %q", right.Status, alertOf(right))
		}
		adminPage := loggedIn(t, a, "admin").Get("/admin/users/" + itoa(zhang.ID) + "/edit")
		if !strings.Contains(adminPage.Body, "203.0.113.0/24") || !strings.Contains(adminPage.Body, "连续输错密码") {
			t.Fatalf("the admin's user page does not show the throttling:\n%.3000s", adminPage.Body)
		}
		owner := loggedIn(t, a, "")
		owner.Get("/login")
		if res := postFrom(owner, ownerIP, "/login", url.Values{"username": {"zhangjing"}, "password": {org.DemoPassword}}); res.Status != http.StatusSeeOther {
			t.Fatalf("the owner from another network: %d %q", res.Status, alertOf(res))
		}
		if res := owner.Get("/"); res.Status != 200 || !strings.Contains(res.Body, "张静") {
			t.Fatalf("the owner's home: %d", res.Status)
		}
		a.Org.Wait()
		mu.Lock()
		got := append([]string(nil), notes...)
		mu.Unlock()
		want := []string{
			fmt.Sprintf("[%d] login.notify_throttled zhangjing /account/password", zhang.ID),
			fmt.Sprintf("[%d] login.notify_throttled_admin zhangjing /admin/users/%d/edit", admin.ID, zhang.ID),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("notifications:\n got %q\nwant %q", got, want)
		}
		// Once the wait is over the attacker's network may try again (and
		// with the right password, gets in).
		clk.add(org.MaxDelay)
		if res := postFrom(attacker, attackerIP, "/login", url.Values{"username": {"zhangjing"}, "password": {org.DemoPassword}}); res.Status != http.StatusSeeOther {
			t.Fatalf("after the wait: %d %q", res.Status, alertOf(res))
		}
	})
}

// TestLoginCSRFBoundToPreSession: the sign-in form's token is good only
// with the pre-session cookie it was issued to; a cookie/field pair made up
// by the client (double submit), a token of another pre-session and an
// expired pre-session are all refused; signing in ends the pre-session and
// makes a new session; the language chosen on the sign-in page works.
func TestLoginCSRFBoundToPreSession(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clk := &testClock{t: time.Now().UTC()}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.now })
		creds := url.Values{"username": {"liwei"}, "password": {org.DemoPassword}}
		post := func(cookies map[string]string, form url.Values) *testkit.Response {
			c := testkit.NewClient(t, a.Server.App)
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range cookies {
				req.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			return c.Do(req)
		}
		with := func(token string) url.Values {
			f := url.Values{"_csrf": {token}}
			for k, v := range creds {
				f[k] = v
			}
			return f
		}
		visitorA, visitorB := loggedIn(t, a, ""), loggedIn(t, a, "")
		visitorA.Get("/login")
		visitorB.Get("/login")
		preA, preB := visitorA.Cookie(org.PreSessionCookie), visitorB.Cookie(org.PreSessionCookie)
		if preA == "" || preB == "" || preA == preB || visitorA.CSRF() == visitorB.CSRF() {
			t.Fatal("each visitor of the sign-in page must get their own pre-session and token")
		}
		var raw int64
		d.Gorm.Model(&org.PreSession{}).Where("id IN ? OR csrf_token = id", []string{preA, preB}).Count(&raw)
		if raw != 0 {
			t.Fatal("pre-session cookies are stored in clear")
		}
		cases := []struct {
			name    string
			cookies map[string]string
			form    url.Values
		}{
			{"the token of another pre-session", map[string]string{org.PreSessionCookie: preA}, with(visitorB.CSRF())},
			{"a double-submit pair", map[string]string{"jike_csrf": "attacker-chosen-token-0123456789"}, with("attacker-chosen-token-0123456789")},
			{"a token without its cookie", nil, with(visitorA.CSRF())},
			{"no token", map[string]string{org.PreSessionCookie: preA}, creds},
			{"a made-up pre-session cookie", map[string]string{org.PreSessionCookie: "made-up-pre-session-cookie-0123456789"}, with(visitorA.CSRF())},
		}
		for _, tc := range cases {
			if res := post(tc.cookies, tc.form); res.Status != http.StatusForbidden || !strings.Contains(res.Body, "请求已过期") {
				t.Errorf("%s: %d, want 403", tc.name, res.Status)
			}
		}
		// The language chosen on the sign-in page goes through the same check.
		if res := visitorA.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/login"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("language switch on the sign-in page: %d", res.Status)
		}
		if res := visitorA.Get("/login"); !strings.Contains(res.Body, "Sign in") || visitorA.Cookie(org.PreSessionCookie) != preA {
			t.Fatal("the sign-in page must be English now, in the same pre-session")
		}
		// Signing in: a new session, the pre-session gone.
		res := visitorA.PostForm("/login", creds)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("sign-in with the bound token: %d", res.Status)
		}
		sess := visitorA.Cookie(org.SessionCookie)
		if sess == "" || sess == preA || visitorA.Cookie(org.PreSessionCookie) != "" {
			t.Fatalf("after sign-in: session %q, pre-session cookie %q", sess, visitorA.Cookie(org.PreSessionCookie))
		}
		if _, err := a.Org.PreSession(t.Context(), preA); err == nil {
			t.Fatal("the pre-session must end at sign-in")
		}
		if res := visitorA.Get("/"); res.Status != 200 || !strings.Contains(res.Body, "李伟") {
			t.Fatalf("signed in: %d", res.Status)
		}
		if res := post(map[string]string{org.PreSessionCookie: preA}, with(visitorA.CSRF())); res.Status != http.StatusForbidden {
			t.Fatalf("the used pre-session: %d", res.Status)
		}
		// A pre-session expires.
		clk.add(org.PreSessionTTL + time.Minute)
		if res := post(map[string]string{org.PreSessionCookie: preB}, with(visitorB.CSRF())); res.Status != http.StatusForbidden {
			t.Fatalf("an expired pre-session: %d", res.Status)
		}
	})
}

// feedURL subscribes username to the calendar feed and returns its path.
func feedURL(t *testing.T, c *testkit.Client) string {
	t.Helper()
	c.Get("/visits/feed")
	res := c.PostForm("/visits/feed", url.Values{})
	m := regexp.MustCompile(`/ics/[A-Za-z0-9_-]+`).FindString(res.Body)
	if res.Status != 200 || m == "" {
		t.Fatalf("feed page: %d", res.Status)
	}
	return m
}

// TestFeedTokensRevokedWithCredentials: an admin's password reset, the
// user's own password change, and disable → re-enable each kill the old
// feed URL (404); a new one works again.
func TestFeedTokensRevokedWithCredentials(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		liwei, _ := a.Org.Store().UserByUsername(t.Context(), "liwei")
		edit := "/admin/users/" + itoa(liwei.ID)
		anon := testkit.NewClient(t, a.Server.App)
		pw := org.DemoPassword
		steps := []struct {
			name string
			do   func(t *testing.T)
		}{
			{"admin resets the password", func(t *testing.T) {
				admin := loggedIn(t, a, "admin")
				admin.Get(edit + "/edit")
				if res := admin.PostForm(edit+"/password", url.Values{"password": {"reset-pass1"}}); res.Status != http.StatusSeeOther {
					t.Fatalf("reset: %d", res.Status)
				}
				pw = "reset-pass1"
			}},
			{"the user changes their password", func(t *testing.T) {
				c := testkit.NewClient(t, a.Server.App)
				c.Login("liwei", pw)
				c.Get("/account/password")
				if res := c.PostForm("/account/password", url.Values{"current": {pw}, "password": {"changed-pass2"}, "confirm": {"changed-pass2"}}); res.Status != http.StatusSeeOther {
					t.Fatalf("change: %d %s", res.Status, res.Body)
				}
				pw = "changed-pass2"
			}},
			{"admin disables and re-enables the account", func(t *testing.T) {
				admin := loggedIn(t, a, "admin")
				for _, act := range []string{"disable", "enable"} {
					u, _ := a.Org.Store().UserByID(t.Context(), liwei.ID)
					admin.Get(edit + "/edit")
					if res := admin.PostForm(edit+"/"+act, url.Values{"version": {itoa(uint(u.Version))}}); res.Status != http.StatusSeeOther {
						t.Fatalf("%s: %d", act, res.Status)
					}
				}
			}},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				c := testkit.NewClient(t, a.Server.App)
				c.Login("liwei", pw)
				feed := feedURL(t, c)
				if res := anon.Get(feed); res.Status != 200 {
					t.Fatalf("feed before: %d", res.Status)
				}
				st.do(t)
				if res := anon.Get(feed); res.Status != http.StatusNotFound {
					t.Fatalf("the old feed URL after %s: %d, want 404", st.name, res.Status)
				}
				again := testkit.NewClient(t, a.Server.App)
				again.Login("liwei", pw)
				if res := anon.Get(feedURL(t, again)); res.Status != 200 {
					t.Fatalf("a new feed URL: %d", res.Status)
				}
			})
		}
	})
}

// TestCLIRevokesFeedTokens: `jike user passwd` and `jike user disable`
// revoke the calendar feed like the admin pages do.
func TestCLIRevokesFeedTokens(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := envFor(dir)
	if out, err := jike(t, env, "", "seed", "--demo"); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	ctx := context.Background()
	withApp := func(fn func(a *app)) {
		d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dir, "jike.db")})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		fn(a)
	}
	for _, cmd := range [][]string{{"user", "passwd", "--username", "liwei", "--password", "cli-pass-99"}, {"user", "disable", "--username", "liwei"}} {
		var token string
		withApp(func(a *app) {
			u, err := a.Org.Store().UserByUsername(ctx, "liwei")
			if err != nil {
				t.Fatal(err)
			}
			if token, err = a.Visits.NewFeedToken(ctx, u.Subject()); err != nil {
				t.Fatal(err)
			}
		})
		if out, err := jike(t, env, "", cmd...); err != nil {
			t.Fatalf("%v: %v %s", cmd, err, out)
		}
		withApp(func(a *app) {
			if _, _, err := a.Visits.FeedFor(ctx, token); !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("%v left the feed token alive: %v", cmd, err)
			}
			var n int64
			a.DB.Gorm.Table("calendar_tokens").Count(&n)
			if n != 0 {
				t.Fatalf("%v: %d feed tokens left", cmd, n)
			}
		})
	}
}

// TestDownloadsAreNotCached: every download of customer data (exports,
// the import template, the brief and proposal PDFs, the calendar feed),
// pages, fragments and errors say Cache-Control: no-store; static assets
// keep their one-day cache.
func TestDownloadsAreNotCached(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, db.SQLite)
	a := demoAppOn(t, d)
	var visitID, proposalID uint
	a.DB.Gorm.Raw("SELECT id FROM visit_plans WHERE owner_id = (SELECT id FROM users WHERE username = 'liwei') ORDER BY id LIMIT 1").Scan(&visitID)
	a.DB.Gorm.Raw("SELECT id FROM proposals ORDER BY id LIMIT 1").Scan(&proposalID)
	if visitID == 0 || proposalID == 0 {
		t.Fatalf("demo data lacks a visit (%d) or a proposal (%d)", visitID, proposalID)
	}
	liwei, admin := loggedIn(t, a, "liwei"), loggedIn(t, a, "admin")
	feed := feedURL(t, liwei)
	cases := []struct {
		c    *testkit.Client
		path string
		typ  string
	}{
		{admin, "/customers/export.csv", "text/csv"},
		{admin, "/customers/export.xlsx", "spreadsheetml"},
		{liwei, "/customers/import/template.xlsx", "spreadsheetml"},
		{liwei, "/visits/" + itoa(visitID) + "/brief.pdf", "application/pdf"},
		{admin, "/proposals/" + itoa(proposalID) + "/pdf", "application/pdf"},
		{testkit.NewClient(t, a.Server.App), feed, "text/calendar"},
		{liwei, "/customers", "text/html"},
		{liwei, "/no/such/page", "text/html"},
		{testkit.NewClient(t, a.Server.App), "/login", "text/html"},
		{testkit.NewClient(t, a.Server.App), "/healthz", "text/plain"},
	}
	for _, tc := range cases {
		res := tc.c.Get(tc.path)
		if res.Status >= 500 || !strings.Contains(res.Header.Get("Content-Type"), tc.typ) {
			t.Errorf("%s: %d %s", tc.path, res.Status, res.Header.Get("Content-Type"))
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tc.path, cc)
		}
	}
	res := liwei.Get("/static/app.css")
	if res.Status != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "max-age=86400") {
		t.Errorf("static assets keep their cache: %d %q", res.Status, res.Header.Get("Cache-Control"))
	}
}

// upload posts a file of n bytes to the import page.
func upload(t *testing.T, c *testkit.Client, lang string, n int) *testkit.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", c.CSRF())
	_ = mw.WriteField("action", "dryrun")
	fw, _ := mw.CreateFormFile("file", "big.csv")
	head := "客户名称,统一社会信用代码,行业,客户等级,偏好\n某公司,91230103MA1000011X,商贸,C,"
	_, _ = fw.Write([]byte(head))
	_, _ = fw.Write(bytes.Repeat([]byte("x"), n-len(head)-1))
	_, _ = fw.Write([]byte("\n"))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/customers/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return c.Do(req)
}

// announceUpload sends a multipart upload that announces n bytes to a
// real listener, but only its headers and first bytes, and reads the
// answer: the server must refuse on the announced Content-Length alone.
// (app.Test cannot show this answer: fasthttp reports the refusal as an
// error of the connection.)
func announceUpload(t *testing.T, addr, lang string, cookies map[string]string, n int) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	var h strings.Builder
	fmt.Fprintf(&h, "POST /customers/import HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: %d\r\nAccept: text/html\r\n", addr, n)
	if lang != "" {
		fmt.Fprintf(&h, "Accept-Language: %s\r\n", lang)
	}
	for k, v := range cookies {
		fmt.Fprintf(&h, "Cookie: %s=%s\r\n", k, v)
	}
	h.WriteString("\r\n--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n")
	if _, err := io.WriteString(conn, h.String()); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer to an upload of %d bytes: %v", n, err)
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestUploadLimit: one setting drives the server's body limit and the
// import's own check. A file under the limit is read; one just over it is
// refused by the import page with the limit; one far over it gets the
// server's 413 as a localized error page (Chinese, English, and the
// signed-in user's own language), with the usual headers.
func TestUploadLimit(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	for _, limit := range []int64{0, 2 * mb} {
		shown := "10 MB"
		if limit != 0 {
			shown = "2 MB"
		}
		t.Run(shown, func(t *testing.T) {
			// Attachments no larger than imports, so the body limit is the
			// upload limit itself.
			a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) {
				o.MaxUploadBytes = limit
				o.Contracts.MaxAttachmentBytes = cmp.Or(limit, 10*mb)
			})
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = a.Server.App.Listener(ln) }()
			t.Cleanup(func() { _ = a.Server.App.Shutdown() })
			max := int(a.Server.MaxUploadBytes())
			c := loggedIn(t, a, "liwei")
			c.Get("/customers/import")
			res := upload(t, c, "", max-mb)
			if res.Status == http.StatusRequestEntityTooLarge || strings.Contains(res.Body, "文件过大") || strings.Contains(res.Body, "上传的内容过大") {
				t.Fatalf("%d bytes under a limit of %d refused: %d\n%.800s", max-mb, max, res.Status, res.Body)
			}
			res = upload(t, c, "", max+mb/2)
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "文件过大，上限为 "+shown) {
				t.Fatalf("just over the limit: %d\n%.800s", res.Status, res.Body)
			}
			check := func(who string, res *http.Response, body, lang, want string) {
				t.Helper()
				if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, want) || !strings.Contains(body, `lang="`+lang+`"`) {
					t.Fatalf("%s: far over the limit: %d\n%.800s", who, res.StatusCode, body)
				}
				if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'self'") {
					t.Fatalf("%s: the 413 page lacks the usual headers: %v", who, res.Header)
				}
			}
			for lang, want := range map[string]string{"zh-CN": "文件不能超过 " + shown, "en": "at most " + shown} {
				res, body := announceUpload(t, ln.Addr().String(), lang, nil, max+2*mb)
				check(lang, res, body, lang, want)
			}
			// A user whose language (set by the admin) is English gets
			// English, though the server refuses the body before it knows
			// who is asking and the browser asks for Chinese.
			zhou, _ := a.Org.Store().UserByUsername(t.Context(), "zhoujie")
			if err := a.Org.SetLang(t.Context(), zhou.ID, "en"); err != nil {
				t.Fatal(err)
			}
			en := loggedIn(t, a, "zhoujie")
			en.Get("/customers/import")
			cookies := map[string]string{org.SessionCookie: en.Cookie(org.SessionCookie), "jike_lang": en.Cookie("jike_lang")}
			res2, body := announceUpload(t, ln.Addr().String(), "zh-CN", cookies, max+2*mb)
			check("signed-in English user", res2, body, "en", "at most "+shown)
		})
	}
}

// TestHugeNumbers: absurd ?page= values on every list, as every role, on
// both databases, answer like page 1 or the last page (past the end, a
// redirect to it): never a server error, never a different status than
// the list without ?page=. Ids
// beyond PostgreSQL's BIGINT in a path are a 404 on every route.
func TestHugeNumbers(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		cu := seedCustomer(t, a, "liwei", "翻页测试客户", prospects.MakeCreditCode("91230103MA1000099"))
		pages := []string{"99999999999999999999", "9223372036854775807", "-1", "1e9", "2147483648", strings.Repeat("9", 400)}
		for role, username := range demoUsers {
			c := loggedIn(t, a, username)
			for _, r := range a.Server.Routes() {
				// Every page without a parameter, and those of one customer.
				if r.Method != http.MethodGet || strings.Contains(r.Path, ".") || strings.Contains(strings.ReplaceAll(r.Path, ":id", ""), ":") {
					continue
				}
				path := strings.ReplaceAll(r.Path, ":id", itoa(cu.ID))
				base := c.Get(path).Status
				for _, p := range pages {
					for _, extra := range []string{"", "&size=99999999999999999999"} {
						res := c.Get(path + "?page=" + url.QueryEscape(p) + extra)
						if res.Status == http.StatusSeeOther && base == http.StatusOK {
							// A list past its last page: to its last page.
							res = c.Get(res.Location())
						}
						if res.Status >= 500 || res.Status != base {
							t.Errorf("%s %s?page=%s%s: %d (without page: %d)\n%.300s", role, path, p, extra, res.Status, base, res.Body)
						}
					}
				}
			}
		}
		// Each route with a parameter, as the first role allowed on it.
		enf, _ := authz.New()
		clients := map[string]*testkit.Client{}
		for _, r := range a.Server.Routes() {
			if !strings.Contains(r.Path, ":") || r.Perm.IsPublic() {
				continue
			}
			role := ""
			for _, candidate := range authz.Roles {
				if r.Perm.Permits(enf, &authz.Subject{ID: 99, Role: candidate}) {
					role = candidate
					break
				}
			}
			if strings.HasPrefix(r.Path, "/api/") {
				// The API answers to a token, not to the portal's session.
				ac := newAPIClient(t, a, demoUsers[role])
				for _, id := range []string{"9223372036854775808", "18446744073709551615", "99999999999999999999999"} {
					path := paramPattern.ReplaceAllString(r.Path, id)
					if res := ac.do(r.Method, path, map[string]any{}, map[string]string{"If-Match": `"1"`}); res.Status != http.StatusNotFound {
						t.Errorf("%s %s as %s (token): %d, want 404", r.Method, path, role, res.Status)
					}
				}
				continue
			}
			if clients[role] == nil {
				clients[role] = loggedIn(t, a, demoUsers[role])
			}
			c := clients[role]
			for _, id := range []string{"9223372036854775808", "18446744073709551615", "99999999999999999999999"} {
				path := paramPattern.ReplaceAllString(r.Path, id)
				var res *testkit.Response
				if r.Method == http.MethodPost {
					res = c.PostForm(path, url.Values{})
				} else {
					res = c.Get(path)
				}
				if res.Status != http.StatusNotFound {
					t.Errorf("%s %s as %s: %d, want 404", r.Method, path, role, res.Status)
				}
			}
		}
	})
}
