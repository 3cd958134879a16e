package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// logCapture is a slog handler's output kept in memory, safe for the
// concurrent writes of a running app.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logCapture) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines are the captured JSON records.
func (l *logCapture) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestLogsCarryNoSecrets signs in (right and wrong passwords), posts forms
// with phone numbers and credit codes (saved and refused), subscribes to
// and fetches the calendar feed, puts a phone number and a token in URLs
// and their queries, makes a statement fail with a phone number in it, and
// GETs every route as the admin, all with a capturing JSON slog handler at
// debug level; then no password, session or CSRF token, feed token, phone
// number or credit code appears in the log. The request lines carry the
// route pattern, status, duration, user id and request id; a sane
// X-Request-ID is kept and echoed, another is replaced; error pages show
// the id.
func TestLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		var capture logCapture
		log := slog.New(slog.NewJSONHandler(&capture, &slog.HandlerOptions{Level: slog.LevelDebug}))
		// The database's own logger (slow and failed statements) too.
		d.Gorm.Logger = db.NewLogger(log)
		a := newTestApp(t, d, func(o *appOptions) { o.Logger = log })
		const (
			phone     = "13945678901"
			badPhone  = "1394567890"
			landline  = "045187654321"
			wrongPass = "Wrong-Pass-77"
		)
		code := creditCode("0199", 4242)
		badCode := code[:17] + "X"
		if badCode == code {
			badCode = code[:17] + "Y"
		}
		secrets := map[string]string{"demo password": org.DemoPassword, "wrong password": wrongPass,
			"phone": phone, "bad phone": badPhone, "landline": landline, "credit code": code, "bad credit code": badCode}

		anon := loggedIn(t, a, "")
		anon.Get("/login")
		anon.PostForm("/login", url.Values{"username": {"liwei"}, "password": {wrongPass}})
		secrets["pre-session"] = anon.Cookie(org.PreSessionCookie)
		secrets["anonymous CSRF"] = anon.CSRF()

		c := loggedIn(t, a, "liwei")
		secrets["session"] = c.Cookie(org.SessionCookie)
		secrets["CSRF"] = c.CSRF()
		res := c.PostForm("/customers", url.Values{"name": {"日志测试集团"}, "credit_code": {code}, "industry": {"gov"}, "grade": {"C"}, "phone": {landline}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("create customer: %d\n%.800s", res.Status, res.Body)
		}
		cust := res.Location()
		if res := c.PostForm("/customers", url.Values{"name": {"坏代码公司"}, "credit_code": {badCode}, "industry": {"gov"}, "grade": {"C"}}); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad credit code: %d", res.Status)
		}
		if res := c.PostForm(cust+"/contacts", url.Values{"contact_name": {"王主任"}, "mobile": {phone}, "role": {"decision"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("create contact: %d\n%.800s", res.Status, res.Body)
		}
		if res := c.PostForm(cust+"/contacts", url.Values{"contact_name": {"赵主任"}, "mobile": {badPhone}, "role": {"decision"}}); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad phone: %d", res.Status)
		}
		c.Get("/customers?q=" + phone)
		c.Get("/customers/" + phone)
		c.Get("/customers?q=" + url.QueryEscape(code))
		feed := feedURL(t, c)
		secrets["feed token"] = strings.TrimSuffix(strings.TrimPrefix(feed, "/ics/"), ".ics")
		if res := loggedIn(t, a, "").Get(feed); res.Status != http.StatusOK {
			t.Fatalf("feed: %d", res.Status)
		}
		loggedIn(t, a, "").Get("/ics/" + strings.ToUpper(secrets["feed token"]))
		// A failing statement with a phone number among its values.
		_ = d.Gorm.Exec("SELECT * FROM no_such_table WHERE phone = ?", phone).Error

		// Every route, as the admin (GET only: a walk of the pages).
		admin := loggedIn(t, a, "admin")
		secrets["admin session"] = admin.Cookie(org.SessionCookie)
		for _, r := range a.Server.Routes() {
			if r.Method == http.MethodGet {
				admin.Get(paramPattern.ReplaceAllString(r.Path, "1"))
			}
		}

		// Request ids: a sane one is kept, another replaced; error pages
		// show it.
		req := httptest.NewRequest(http.MethodGet, "/customers/999999", nil)
		req.Header.Set("X-Request-ID", "lb-0123456789abcdef")
		res = c.Do(req)
		if got := res.Header.Get("X-Request-ID"); got != "lb-0123456789abcdef" {
			t.Fatalf("a sane X-Request-ID was not kept: %q", got)
		}
		if res.Status != http.StatusNotFound || !strings.Contains(res.Body, "lb-0123456789abcdef") {
			t.Fatalf("the 404 page does not show the request id: %d\n%.800s", res.Status, res.Body)
		}
		req = httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Request-ID", "x\"><script>"+phone)
		res = c.Do(req)
		if got := res.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, phone) || strings.Contains(got, "<") {
			t.Fatalf("an insane X-Request-ID was kept: %q", got)
		}

		a.Org.Wait()
		out := capture.String()
		if !strings.Contains(out, "SELECT * FROM no_such_table") {
			t.Fatalf("the failing statement was not logged (the test would prove nothing):\n%.2000s", out)
		}
		for what, v := range secrets {
			if v == "" {
				t.Fatalf("test setup: no %s", what)
			}
			if strings.Contains(out, v) {
				i := strings.Index(out, v)
				t.Errorf("the log contains the %s %q: …%s…", what, v, out[max(0, i-300):min(len(out), i+100)])
			}
		}
		liwei := subject(t, a, "liwei")
		var sawUser, sawPattern, sawStatus bool
		for _, m := range capture.lines(t) {
			if m["msg"] != "http" {
				continue
			}
			for _, k := range []string{"method", "route", "path", "status", "ms", "user", "req"} {
				if _, ok := m[k]; !ok {
					t.Fatalf("request line without %s: %v", k, m)
				}
			}
			if m["user"] == float64(liwei.ID) {
				sawUser = true
			}
			if m["route"] == "/customers/:id/contacts" {
				sawPattern = true
			}
			if m["route"] == "/customers/:id" && m["status"] == float64(404) {
				sawStatus = true
			}
		}
		if !sawUser || !sawPattern || !sawStatus {
			t.Fatalf("request lines lack the user (%v), the route pattern (%v) or the 404 (%v)", sawUser, sawPattern, sawStatus)
		}
	})
}
