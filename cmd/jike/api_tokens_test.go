package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// apiClock is a settable clock for the API tests.
type apiClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *apiClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *apiClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestAPITokens: a token works until it expires, is revoked or its user
// is disabled, each at once; a read-only token cannot write; a token in
// the URL and the portal's session cookie are refused with a problem
// that says so; tokens are stored hashed; creation and revocation are
// audited; the last use is recorded.
func TestAPITokens(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clock := &apiClock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clock.Now })
		ctx := context.Background()
		tok, secret := newToken(t, a, "liwei", tokens.Input{Name: "计费系统", ExpiryDays: 7})
		c := &apiClient{t: t, a: a, secret: secret, spec: specFor(t, a)}

		// Works, and records the last use.
		r := c.get("/api/v1/me")
		if r.Status != 200 {
			t.Fatalf("me: %d %s", r.Status, r.Body)
		}
		var me api.Me
		r.JSON(t, &me)
		if me.Username != "liwei" || me.Token.ID != tok.ID || me.Token.ReadOnly {
			t.Fatalf("me: %+v", me)
		}
		stored, err := a.Tokens.Store().ByID(ctx, tok.ID)
		must(t, err)
		if stored.LastUsedAt == nil || !stored.LastUsedAt.Equal(clock.Now()) {
			t.Fatalf("last use not recorded: %v", stored.LastUsedAt)
		}
		if stored.TokenHash == secret || strings.Contains(stored.TokenHash, secret[3:]) || stored.TokenHash != tokens.Hash(secret) {
			t.Fatal("the secret must be stored only as its SHA-256")
		}

		// Without a token; with a wrong one; with the token in the URL.
		anon := &apiClient{t: t, a: a, spec: c.spec}
		if p := anon.get("/api/v1/me").Problem(t); p.Code != "unauthorized" || p.Status != 401 {
			t.Fatalf("no token: %+v", p)
		}
		bad := &apiClient{t: t, a: a, secret: secret + "x", spec: c.spec}
		if p := bad.get("/api/v1/me").Problem(t); p.Code != "token_invalid" {
			t.Fatalf("wrong token: %+v", p)
		}
		for _, q := range []string{"access_token", "token", "api_key"} {
			anon.Lang = "en"
			p := anon.get("/api/v1/me?" + q + "=" + url.QueryEscape(secret)).Problem(t)
			if p.Status != 401 || p.Code != "token_in_query" || !strings.Contains(p.Detail, "Authorization: Bearer") {
				t.Fatalf("token in ?%s: %+v", q, p)
			}
			// Even next to a valid header: the URL has leaked it already.
			if p := c.get("/api/v1/me?" + q + "=x").Problem(t); p.Code != "token_in_query" {
				t.Fatalf("token in ?%s with a header: %+v", q, p)
			}
		}

		// The portal's session cookie is not accepted on the API, and a
		// cookie-authenticated POST creates nothing (no CSRF there, so no
		// session either).
		portal := loggedIn(t, a, "liwei")
		req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
		if res := portal.Do(req); res.Status != 401 || !strings.Contains(res.Body, "session_not_accepted") {
			t.Fatalf("session on the API: %d %s", res.Status, res.Body)
		}
		req = httptest.NewRequest(http.MethodPost, "/api/v1/customers", strings.NewReader(`{"name":"某某集团"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", portal.CSRF())
		if res := portal.Do(req); res.Status != 401 {
			t.Fatalf("session POST on the API: %d %s", res.Status, res.Body)
		}
		// The portal's own CSRF check is unchanged.
		if res := portal.PostRaw("/customers", url.Values{"name": {"某某集团"}}); res.Status != 403 {
			t.Fatalf("portal POST without CSRF: %d", res.Status)
		}

		// Read-only: reads pass, writes are 403 before anything runs.
		_, roSecret := newToken(t, a, "liwei", tokens.Input{Name: "数据仓库", ExpiryDays: 30, ReadOnly: true})
		ro := &apiClient{t: t, a: a, secret: roSecret, spec: c.spec}
		if r := ro.get("/api/v1/customers"); r.Status != 200 {
			t.Fatalf("read-only read: %d", r.Status)
		}
		if p := ro.do(http.MethodPost, "/api/v1/customers", map[string]any{"name": "x"}, nil).Problem(t); p.Status != 403 || p.Code != "read_only_token" {
			t.Fatalf("read-only write: %+v", p)
		}

		// Expiry: valid up to the instant, refused from it on.
		clock.Add(7*24*time.Hour - time.Second)
		if r := c.get("/api/v1/me"); r.Status != 200 {
			t.Fatalf("a second before expiry: %d", r.Status)
		}
		clock.Add(time.Second)
		if p := c.get("/api/v1/me").Problem(t); p.Code != "token_expired" {
			t.Fatalf("expired: %+v", p)
		}

		// Revocation takes effect at once and is audited.
		liwei := apiSubject(t, a, "liwei")
		must(t, a.Tokens.Revoke(ctx, liwei, mustID(t, ro)))
		if p := ro.get("/api/v1/me").Problem(t); p.Code != "token_invalid" {
			t.Fatalf("revoked: %+v", p)
		}

		// A disabled user's tokens stop at once.
		_, zSecret := newToken(t, a, "chenhao", tokens.Input{})
		z := &apiClient{t: t, a: a, secret: zSecret, spec: c.spec}
		if r := z.get("/api/v1/me"); r.Status != 200 {
			t.Fatalf("chenhao: %d", r.Status)
		}
		u, err := a.Org.Store().UserByUsername(ctx, "chenhao")
		must(t, err)
		admin := apiSubject(t, a, "admin")
		must(t, a.Org.SetDisabled(ctx, admin.ID, u.ID, true, u.Version))
		if p := z.get("/api/v1/me").Problem(t); p.Code != "token_invalid" {
			t.Fatalf("disabled user: %+v", p)
		}

		entries, _, err := audit.List(ctx, d.Gorm, audit.Query{Entity: "api_token", Limit: 50})
		must(t, err)
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
			if strings.Contains(e.Changes, secret) || strings.Contains(e.Changes, tokens.Hash(secret)) {
				t.Fatal("the audit trail holds the token")
			}
		}
		if actions["create"] != 3 || actions["revoke"] != 1 {
			t.Fatalf("audited: %v", actions)
		}
	})
}

// mustID is the id of the token a client uses.
func mustID(t *testing.T, c *apiClient) uint {
	t.Helper()
	var me api.Me
	r := c.get("/api/v1/me")
	r.JSON(t, &me)
	return me.Token.ID
}

var secretShown = regexp.MustCompile(`data-testid="token-secret">(jk-[a-z2-7]+)<`)

// TestAPITokenPages: a user creates a token on the settings page (shown
// once), uses it, and revokes it; another user cannot revoke it (404);
// the admin lists everyone's and revokes any; bad input is a localized
// 422 that creates nothing.
func TestAPITokenPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		liwei := loggedIn(t, a, "liwei")
		if res := liwei.Get("/settings/tokens"); res.Status != 200 || !strings.Contains(res.Body, "API 访问令牌") {
			t.Fatalf("settings page: %d", res.Status)
		}
		// The user's account page links to it (the user area of the nav).
		if res := liwei.Get("/account/password"); !strings.Contains(res.Body, `href="/settings/tokens"`) {
			t.Fatal("the account page does not link to the tokens page")
		}
		res := liwei.PostForm("/settings/tokens", url.Values{"name": {""}, "expiry_days": {"30"}})
		if res.Status != 422 || !strings.Contains(res.Body, "field-error") {
			t.Fatalf("empty name: %d", res.Status)
		}
		res = liwei.PostForm("/settings/tokens", url.Values{"name": {"x"}, "expiry_days": {"3650"}})
		if res.Status != 422 {
			t.Fatalf("bad expiry: %d", res.Status)
		}
		if list, _ := a.Tokens.Mine(context.Background(), apiSubject(t, a, "liwei")); len(list) != 0 {
			t.Fatalf("bad input created %d tokens", len(list))
		}
		res = liwei.PostForm("/settings/tokens", url.Values{"name": {"企业微信小程序"}, "expiry_days": {"90"}, "read_only": {"1"}})
		m := secretShown.FindStringSubmatch(res.Body)
		if res.Status != 200 || m == nil {
			t.Fatalf("create: %d, secret shown: %v", res.Status, m != nil)
		}
		c := &apiClient{t: t, a: a, secret: m[1], spec: specFor(t, a)}
		var me api.Me
		c.get("/api/v1/me").JSON(t, &me)
		if !me.Token.ReadOnly || me.Token.Name != "企业微信小程序" {
			t.Fatalf("token as created: %+v", me.Token)
		}
		// Shown once: the list shows only its prefix.
		if res := liwei.Get("/settings/tokens"); strings.Contains(res.Body, m[1]) || !strings.Contains(res.Body, m[1][:10]) {
			t.Fatal("the list must show the prefix, never the secret")
		}
		// Someone else's token: 404 to another user, revocable by the admin.
		chenhao := loggedIn(t, a, "chenhao")
		chenhao.Get("/settings/tokens")
		if res := chenhao.PostForm("/settings/tokens/"+itoa(me.Token.ID)+"/revoke", nil); res.Status != 404 {
			t.Fatalf("another user's revoke: %d", res.Status)
		}
		if res := chenhao.Get("/admin/tokens"); res.Status != 403 {
			t.Fatalf("admin list for a manager: %d", res.Status)
		}
		admin := loggedIn(t, a, "admin")
		res = admin.Get("/admin/tokens")
		if res.Status != 200 || !strings.Contains(res.Body, "企业微信小程序") || !strings.Contains(res.Body, "李伟") {
			t.Fatalf("admin list: %d", res.Status)
		}
		if res := admin.PostForm("/admin/tokens/"+itoa(me.Token.ID)+"/revoke", nil); res.Status != 303 {
			t.Fatalf("admin revoke: %d", res.Status)
		}
		if r := c.get("/api/v1/me"); r.Status != 401 {
			t.Fatalf("after the admin revoked: %d", r.Status)
		}
		// Revoking twice is a conflict, not a second audit entry.
		if res := admin.PostForm("/admin/tokens/"+itoa(me.Token.ID)+"/revoke", nil); res.Status != 409 {
			t.Fatalf("second revoke: %d", res.Status)
		}
	})
}
