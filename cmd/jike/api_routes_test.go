package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
)

// apiDemoApp is the app with the demo organisation, customers and
// catalogue.
func apiDemoApp(t testing.TB, d *db.DB, tweak ...func(*appOptions)) *app {
	t.Helper()
	tt, ok := t.(*testing.T)
	var a *app
	if ok {
		a = newTestApp(tt, d, tweak...)
	} else {
		o := appOptions{Location: nil, LoginRate: 1000, BcryptCost: 4}
		for _, f := range tweak {
			f(&o)
		}
		var err error
		a, err = buildApp(d, o)
		must(t, err)
		_, err = a.Org.SeedDemo(context.Background())
		must(t, err)
	}
	ctx := context.Background()
	_, err := a.Prospects.SeedDemo(ctx, demoSeed)
	must(t, err)
	_, err = a.Catalog.SeedDefaults(ctx, apiSubject(t, a, "admin").ID)
	must(t, err)
	return a
}

// TestAPISpecMatchesRoutes: every API route registered on the router is
// in the OpenAPI document with the same method and permission, and every
// operation of the document is a registered route; the document
// validates as OpenAPI 3.1 (kin-openapi).
func TestAPISpecMatchesRoutes(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	spec := a.API.Spec()
	specFor(t, a) // loads and validates the document
	registered := map[string]string{}
	for _, r := range a.Server.Routes() {
		if api.IsAPIPath(r.Path) {
			registered[r.Method+" "+api.OpenAPIPath(strings.TrimPrefix(r.Path, api.Prefix))] = r.Perm.String()
		}
	}
	documented := map[string]string{}
	for path, ops := range spec.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = op.Permission
		}
	}
	if len(registered) < 15 {
		t.Fatalf("only %d API routes registered", len(registered))
	}
	for k, perm := range registered {
		got, ok := documented[k]
		if !ok {
			t.Errorf("route %s is not in the OpenAPI document", k)
		} else if got != perm {
			t.Errorf("%s: the document says permission %s, the router %s", k, got, perm)
		}
	}
	for k := range documented {
		if _, ok := registered[k]; !ok {
			t.Errorf("the OpenAPI document has %s, which no route serves", k)
		}
	}
	// The document is served, behind a token like the rest.
	c := newAPIClient(t, a, "liwei")
	if r := c.get("/api/v1/openapi.json"); r.Status != 200 || !strings.Contains(string(r.Body), `"openapi":"3.1.0"`) {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	// The reference page renders it, for everyone signed in.
	page := loggedIn(t, a, "liwei").Get("/api/docs")
	if page.Status != 200 || !strings.Contains(page.Body, "/api/v1/customers/{id}") || !strings.Contains(page.Body, "precondition_required") {
		t.Fatalf("reference page: %d", page.Status)
	}
}

// apiWalkUsers are the demo users the walk runs as: each role, and
// managers of another team and branch.
var apiWalkUsers = []string{"admin", "wangjianguo", "zhaomin", "liwei", "chenhao", "zhoujie", "liuzhiqiang"}

// TestAPIRouteRoleWalk calls every API route with a token of every demo
// user on a record of liwei's: a role the route's permission refuses gets
// 403, a record out of the user's scope 404, an action the policy refuses
// on a visible record 403, and otherwise the route works (a body that
// fails validation gets 422, so nothing is created by the walk). The
// expectation comes from the portal's own service (CustomerFor), so the
// API and the portal cannot disagree. An id that does not exist is 404.
func TestAPIRouteRoleWalk(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		liwei := apiSubject(t, a, "liwei")
		w := walkRecordsOf(t, a, liwei)
		cust, contact, opp := w.cust, w.contact, w.opp
		plan, err := a.Visits.CreatePlan(ctx, liwei, visits.PlanInput{CustomerID: cust.ID, Date: time.Now().AddDate(0, 0, 3).Format("2006-01-02"),
			Time: "10:00", Kind: "first", Objective: "了解专线需求"})
		must(t, err)
		products, _, err := a.Catalog.List(ctx, catalogAll())
		must(t, err)
		if len(products) == 0 {
			t.Fatal("no products")
		}
		admin := apiSubject(t, a, "admin")
		version := func(path string) int {
			switch {
			case strings.HasPrefix(path, "/contacts/"):
				ct, _, err := a.Prospects.Contact(ctx, admin, contact.ID)
				must(t, err)
				return ct.Version
			case strings.HasPrefix(path, "/opportunities/"):
				o, _, err := a.Prospects.Opportunity(ctx, admin, opp.ID)
				must(t, err)
				return o.Version
			case strings.HasPrefix(path, "/contracts/"):
				k, err := a.Contracts.Get(ctx, admin, w.contract)
				must(t, err)
				return k.C.Version
			}
			c, err := a.Prospects.Customer(ctx, admin, cust.ID)
			must(t, err)
			return c.Version
		}
		idFor := func(path string) uint {
			switch {
			case strings.HasPrefix(path, "/contacts/"):
				return contact.ID
			case strings.HasPrefix(path, "/opportunities/"):
				return opp.ID
			case strings.HasPrefix(path, "/products/"):
				return products[0].ID
			case strings.HasPrefix(path, "/visits/"):
				return plan.ID
			case strings.HasPrefix(path, "/needs/"):
				return w.need
			case strings.HasPrefix(path, "/proposals/"):
				return w.proposal
			case strings.HasPrefix(path, "/contracts/"):
				return w.contract
			}
			return cust.ID
		}
		routes := a.API.Routes()
		seen := map[string]bool{}
		for _, username := range apiWalkUsers {
			sub := apiSubject(t, a, username)
			c := newAPIClient(t, a, username)
			for _, r := range routes {
				seen[r.Method+" "+r.Path] = true
				perm, _ := a.Server.PermFor(r.Method, api.Prefix+r.Path)
				hasID := strings.Contains(r.Path, ":id")
				body, hdr := walkBody(r), map[string]string{}
				for _, target := range []string{"record", "missing"} {
					if target == "missing" && !hasID {
						continue
					}
					id := idFor(r.Path)
					if target == "missing" {
						id = 999_999
					}
					path := api.Prefix + strings.Replace(r.Path, ":id", itoa(id), 1)
					if r.Op.Update {
						hdr["If-Match"] = fmt.Sprintf(`"%d"`, version(r.Path))
					}
					if r.Op.Upload {
						hdr["Content-Type"] = "text/csv"
					}
					want := walkWant(t, a, sub, r, perm.Permits(a.Server.Enforcer, &sub), target == "missing", cust.ID)
					if want == 200 && r.Method == http.MethodPatch && strings.HasPrefix(r.Path, "/contracts/") {
						want = contractEditWant(t, a, sub, id)
					}
					res := c.do(r.Method, path, body, hdr)
					if res.Status != want {
						t.Errorf("%s %s %s (%s): %d, want %d: %s", username, r.Method, path, target, res.Status, want, res.Body)
					}
					if res.Status >= 400 {
						res.Problem(t)
					}
				}
			}
		}
		if len(seen) != len(routes) {
			t.Fatalf("walked %d of %d routes", len(seen), len(routes))
		}
	})
}

// walkBody is a body for a write the walk sends: valid and empty for an
// update (a PATCH changing nothing), invalid for a create or a stage move
// (so the walk creates nothing).
func walkBody(r api.RouteDoc) any {
	switch {
	case r.Op.Upload:
		// A file with a bad row: 422, nothing imported.
		return "customer,product,month,revenue,quantity\r\nX,Y,2026-13,1,1\r\n"
	case r.Method == http.MethodPatch:
		return map[string]any{}
	case r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/stage"):
		return map[string]any{"to": "nowhere"}
	case r.Method == http.MethodPost:
		return map[string]any{}
	}
	return nil
}

// walkWant is the status the walk expects, asked of the portal's service.
func walkWant(t *testing.T, a *app, sub authz.Subject, r api.RouteDoc, permitted, missing bool, customerID uint) int {
	t.Helper()
	if !permitted {
		return 403
	}
	if missing {
		return 404
	}
	ok := 200
	switch {
	case r.Method == http.MethodPost && !strings.Contains(r.Path, "/stage"):
		ok = 422
	case strings.HasSuffix(r.Path, "/stage"):
		ok = 422
	}
	if r.Op.Upload {
		ok = 422
	}
	if !strings.Contains(r.Path, ":id") || strings.HasPrefix(r.Path, "/products") {
		return ok
	}
	act := "read"
	if r.Method != http.MethodGet {
		act = "write"
	}
	_, err := a.Prospects.CustomerFor(context.Background(), sub, customerID, act)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return 404
	case errors.Is(err, apperr.ErrForbidden):
		return 403
	case err != nil:
		t.Fatal(err)
	}
	return ok
}

// TestAPIListsMatchPortalScope: for every demo user, every customer the
// API lists (following the cursor to the end, with and without filters)
// is exactly the set the portal's list shows that user, and no id
// repeats across pages.
func TestAPIListsMatchPortalScope(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := apiDemoApp(t, d)
		ctx := context.Background()
		for _, username := range apiWalkUsers {
			sub := apiSubject(t, a, username)
			c := newAPIClient(t, a, username)
			for _, q := range []struct {
				query string
				f     prospects.CustomerFilter
			}{
				{"", prospects.CustomerFilter{}},
				{"grade=A&sort=name", prospects.CustomerFilter{Grade: "A", Sort: "name"}},
				{"status=active&sort=spend&order=desc", prospects.CustomerFilter{Status: "active", Sort: "spend", Desc: true}},
			} {
				q.f.Limit = 100_000
				portal, _, err := a.Prospects.ListCustomers(ctx, sub, q.f)
				must(t, err)
				want := make([]uint, len(portal))
				for i, p := range portal {
					want[i] = p.ID
				}
				got := walkAll(t, c, "/api/v1/customers?limit=17&"+q.query)
				if dup := firstDuplicate(got); dup != 0 {
					t.Fatalf("%s %q: customer %d listed twice", username, q.query, dup)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					sortIDs(got)
					sortIDs(want)
					t.Fatalf("%s %q: the API listed %d customers, the portal %d (same order expected)\n api: %v\n portal: %v",
						username, q.query, len(got), len(want), got, want)
				}
			}
		}
	})
}

func firstDuplicate(ids []uint) uint {
	seen := map[uint]bool{}
	for _, id := range ids {
		if seen[id] {
			return id
		}
		seen[id] = true
	}
	return 0
}

func sortIDs(ids []uint) { sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] }) }

// catalogAll is the whole catalogue.
func catalogAll() catalog.Filter { return catalog.Filter{Status: catalog.StatusAll, Limit: 1000} }
