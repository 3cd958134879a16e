package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/platform/web"
)

// TestEveryRouteHasPermission fails for any route registered without a
// permission (directly on fiber instead of through web.Router), and for
// any route whose permission no policy line grants to anyone.
func TestEveryRouteHasPermission(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range a.Server.App.GetRoutes(true) {
		if r.Method == http.MethodHead || r.Method == http.MethodConnect || r.Method == http.MethodTrace {
			continue
		}
		seen++
		p, ok := a.Server.PermFor(r.Method, r.Path)
		if !ok {
			t.Errorf("%s %s is registered without a permission (use web.Router)", r.Method, r.Path)
			continue
		}
		if p.Obj != "" {
			granted := false
			for _, role := range authz.Roles {
				if enf.Allowed(role, p.Obj, p.Act, authz.RelRoute) {
					granted = true
				}
			}
			if !granted {
				t.Errorf("%s %s requires %s but no policy line grants it", r.Method, r.Path, p)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d routes found; the walk is not seeing the app", seen)
	}
}

var paramPattern = regexp.MustCompile(`:[a-z]+`)

// TestRouteWalk requests every registered route as every role (and
// anonymously) and checks the answer against the route's permission:
// anonymous → sign-in page, role without the permission → 403, allowed →
// neither of those and no server error.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	routes := newTestApp(t, testkit.SQLite(t)).Server.Routes()
	for _, engine := range testkit.Engines {
		t.Run(engine.Name, func(t *testing.T) { walkRoutes(t, routes, engine.Open) })
	}
}

// walkRoutes gives every POST route a fresh database and app, so that a
// permitted destructive request (admin disabling user 2) cannot disturb
// the next route; the GET routes, which change nothing, share one (a
// database and an app per route were a third of the walk's time, 143
// of them for pages that only read). The routes run in parallel
// (t.Parallel), each its roles in turn, from least to most privileged.
func walkRoutes(t *testing.T, routes []web.RouteInfo, open func(testing.TB) *db.DB) {
	enf, _ := authz.New()
	roles := append([]string{""}, authz.Roles...)
	// Every GET subtest signs in four users on the shared app: no sign-in
	// limit may answer for the route.
	reader := newTestApp(t, open(t), func(o *appOptions) { o.LoginRate = 1_000_000 })
	for _, info := range routes {
		if api.IsAPIPath(info.Path) {
			// The REST API takes tokens, not sessions: TestAPIRouteRoleWalk
			// walks it with a token of every demo user.
			continue
		}
		t.Run(info.Method+" "+info.Path, func(t *testing.T) {
			t.Parallel()
			a := reader
			if info.Method != http.MethodGet {
				a = newTestApp(t, open(t))
			}
			path := paramPattern.ReplaceAllString(info.Path, "2")
			// Before the roles run: they may disable a demo user.
			if info.Method == http.MethodPost {
				// A cookie/field pair the client made up (double submit) is
				// no CSRF token, signed in or not.
				t.Run("with a double-submit pair", func(t *testing.T) {
					for _, role := range []string{"", authz.RoleAccountManager} {
						c := loggedIn(t, a, demoUsers[role])
						req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(url.Values{"_csrf": {"made-up-token-made-up-token-0123"}}.Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.AddCookie(&http.Cookie{Name: "jike_csrf", Value: "made-up-token-made-up-token-0123"})
						if res := c.Do(req); res.Status != http.StatusForbidden {
							t.Errorf("as %q: %d, want 403", role, res.Status)
						}
					}
				})
			}
			for _, role := range roles {
				name := role
				if name == "" {
					name = "anonymous"
				}
				t.Run("as "+name, func(t *testing.T) {
					c := loggedIn(t, a, demoUsers[role])
					var res *testkit.Response
					if info.Method == http.MethodPost {
						res = c.PostForm(path, url.Values{})
					} else {
						res = c.Get(path)
					}
					var sub *authz.Subject
					if role != "" {
						sub = &authz.Subject{ID: 99, Role: role}
					}
					// Nothing behind the static files may be kept by a
					// browser or proxy: pages, downloads, redirects, errors.
					if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
						t.Errorf("Cache-Control %q, want no-store", cc)
					}
					allowed := info.Perm.Permits(enf, sub)
					toLogin := res.Status == http.StatusSeeOther && strings.HasPrefix(res.Location(), "/login")
					switch {
					case role == "" && !allowed:
						if !toLogin {
							t.Fatalf("anonymous: want redirect to /login, got %d %s", res.Status, res.Location())
						}
					case !allowed:
						if res.Status != http.StatusForbidden {
							t.Fatalf("want 403 for %s, got %d", info.Perm, res.Status)
						}
					default:
						if res.Status == http.StatusForbidden || res.Status >= 500 || (toLogin && info.Path != "/logout") {
							t.Fatalf("allowed (%s) but got %d %s\n%.500s", info.Perm, res.Status, res.Location(), res.Body)
						}
					}
				})
			}
		})
	}
}
