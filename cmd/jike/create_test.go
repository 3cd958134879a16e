package main

// The "new" entry points (issue 9.4): every "new" button either opens a
// form with a scoped customer picker or is not shown; the customer page's
// direct buttons; the A-grade-without-chief flag.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// hxGet sends a GET the way htmx does.
func hxGet(c *testkit.Client, path string) *testkit.Response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("HX-Request", "true")
	return c.Do(req)
}

// inEnglish signs username in and switches them to English (a setting of
// the user: later clients of the same user get English too).
func inEnglish(t *testing.T, a *app, username string) *testkit.Client {
	t.Helper()
	c := loggedIn(t, a, username)
	if res := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("switch to English: %d", res.Status)
	}
	return c
}

// expectInEnglish fetches path and checks the texts are on it.
func expectInEnglish(t *testing.T, c *testkit.Client, path string, want ...string) {
	t.Helper()
	res := c.Get(path)
	for _, w := range want {
		if res.Status != 200 || !strings.Contains(res.Body, w) {
			t.Errorf("%s in English (%d) lacks %q", path, res.Status, w)
		}
	}
}

// creditCode makes the n-th valid test credit code of a series.
func creditCode(series string, n int) string {
	return prospects.MakeCreditCode(fmt.Sprintf("9123%sMA%07d", series, n))
}

func TestCustomerPickerIsScoped(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		mine := seedCustomer(t, a, "liwei", "松花江航运集团", creditCode("0103", 1))
		theirs := seedCustomer(t, a, "zhangjing", "松花江物流公司", creditCode("0103", 2))
		daqing := seedCustomer(t, a, "gaoyuan", "松花江石化有限公司", creditCode("0603", 3))
		pick := "/customers/pick?q=" + url.QueryEscape("松花江") + "&next=" + url.QueryEscape("/visits/new?customer={id}")
		link := func(c *prospects.Customer) string { return `href="/visits/new?customer=` + itoa(c.ID) + `"` }
		for _, tc := range []struct {
			as        string
			see, hide []*prospects.Customer
		}{
			{"liwei", []*prospects.Customer{mine}, []*prospects.Customer{theirs, daqing}},
			{"zhaomin", []*prospects.Customer{mine, theirs}, []*prospects.Customer{daqing}},
			{"wangjianguo", []*prospects.Customer{mine, theirs}, []*prospects.Customer{daqing}},
			{"liuzhiqiang", []*prospects.Customer{daqing}, []*prospects.Customer{mine, theirs}},
		} {
			res := hxGet(loggedIn(t, a, tc.as), pick)
			if res.Status != 200 || strings.Contains(res.Body, "<html") {
				t.Fatalf("%s: picker fragment: %d\n%.300s", tc.as, res.Status, res.Body)
			}
			for _, c := range tc.see {
				if !strings.Contains(res.Body, link(c)) || !strings.Contains(res.Body, c.Name) {
					t.Errorf("%s does not find %s:\n%s", tc.as, c.Name, res.Body)
				}
			}
			for _, c := range tc.hide {
				if strings.Contains(res.Body, c.Name) {
					t.Errorf("%s finds %s, which is outside their scope", tc.as, c.Name)
				}
			}
		}
		liwei := loggedIn(t, a, "liwei")
		// Typed text comes back escaped; an empty search lists nothing.
		res := hxGet(liwei, "/customers/pick?q="+url.QueryEscape(`<script>alert(1)</script>`))
		if res.Status != 200 || strings.Contains(res.Body, "<script>alert") || !strings.Contains(res.Body, "&lt;script&gt;") {
			t.Fatalf("the typed text must be escaped: %d\n%s", res.Status, res.Body)
		}
		if res := hxGet(liwei, "/customers/pick?q=+&next=/visits/new?customer={id}"); strings.Contains(res.Body, "<li>") || !strings.Contains(res.Body, "输入客户名称") {
			t.Fatalf("an empty search: %s", res.Body)
		}
		// Only local targets with an {id}: anything else leads to the customer page.
		res = hxGet(liwei, "/customers/pick?q="+url.QueryEscape("松花江")+"&next="+url.QueryEscape("https://evil.example.com/{id}"))
		if !strings.Contains(res.Body, `href="/customers/`+itoa(mine.ID)+`"`) || strings.Contains(res.Body, "evil.example.com") {
			t.Fatalf("a foreign target must not be linked: %s", res.Body)
		}
		// Without JavaScript the picker is a page with a plain search form.
		res = liwei.Get(pick)
		if res.Status != 200 || !strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, link(mine)) ||
			!strings.Contains(res.Body, `name="next" value="/visits/new?customer={id}"`) {
			t.Fatalf("picker page: %d\n%.3000s", res.Status, res.Body)
		}
		// At most ten matches, and a word that there are more.
		for i := 0; i < 11; i++ {
			seedCustomer(t, a, "liwei", fmt.Sprintf("松花江分公司%02d", i), creditCode("0103", 100+i))
		}
		res = hxGet(liwei, pick)
		if n := strings.Count(res.Body, `href="/visits/new?customer=`); n != 10 || !strings.Contains(res.Body, "只显示前 10 个") {
			t.Fatalf("want 10 matches and the note, got %d:\n%s", n, res.Body)
		}
	})
}

func TestNewEntryPointsPickACustomer(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		mine := seedCustomer(t, a, "liwei", "松花江航运集团", creditCode("0103", 1))
		theirs := seedCustomer(t, a, "zhangjing", "嫩江物流公司", creditCode("0103", 2))
		my, q := itoa(mine.ID), "?q="+url.QueryEscape("松花江")
		runScenarios(t, a, []scenario{
			// Each "new" page without a customer starts with the picker,
			// and each match leads on to the form for that customer.
			{name: "plan a visit", as: "liwei", path: "/visits/new" + q, status: 200, want: []string{"计划走访", "选择客户", `href="/visits/new?customer=` + my + `"`}, wantNot: []string{"请先在客户页面"}},
			{name: "new opportunity", as: "liwei", path: "/opportunities/new" + q, status: 200, want: []string{"新建商机", "选择客户", `href="/opportunities/new?customer=` + my + `"`}},
			{name: "new opportunity, nothing typed", as: "liwei", path: "/opportunities/new", status: 200, want: []string{`id="picker-q"`, `hx-get="/customers/pick?next=`}},
			{name: "record a need", as: "liwei", path: "/needs/new" + q, status: 200, want: []string{"记录需求", `href="/customers/` + my + `/needs#new-need"`}},
			{name: "new proposal", as: "liwei", path: "/proposals/new" + q, status: 200, want: []string{"新建方案", `href="/customers/` + my + `/proposals/new"`}},
			{name: "another manager's customer is not offered", as: "liwei", path: "/proposals/new?q=" + url.QueryEscape("嫩江"), status: 200, wantNot: []string{"嫩江物流公司</a>"}},
			{name: "the admin may not start one", as: "admin", path: "/opportunities/new", status: 403},
			{name: "the admin may not plan", as: "admin", path: "/visits/new", status: 403},
			// The forms post the customer id; the services check it again.
			{name: "a visit to another manager's customer", as: "liwei", method: "POST", path: "/visits", form: url.Values{"customer_id": {itoa(theirs.ID)}, "date": {"2030-01-02"}, "time": {"10:00"}, "kind": {"first"}, "objective": {"初访"}}, status: 404},
			{name: "an opportunity of another manager's customer", as: "liwei", method: "POST", path: "/opportunities", form: url.Values{"customer_id": {itoa(theirs.ID)}, "title": {"专线"}, "stage": {"identified"}}, status: 404},
			{name: "a need of another manager's customer", as: "liwei", method: "POST", path: "/customers/" + itoa(theirs.ID) + "/needs", form: url.Values{"category": {"dedicated_line"}, "description": {"专线"}, "priority": {"medium"}}, status: 404},
			// The lists offer "new" to those who may create.
			{name: "opportunity list", as: "liwei", path: "/opportunities", status: 200, want: []string{`href="/opportunities/new"`}},
			{name: "pipeline board", as: "liwei", path: "/pipeline", status: 200, want: []string{`href="/opportunities/new"`}},
			{name: "proposal list", as: "liwei", path: "/proposals", status: 200, want: []string{`href="/proposals/new"`}, wantNot: []string{"从客户新建方案"}},
			{name: "needs list", as: "liwei", path: "/needs", status: 200, want: []string{`href="/needs/new"`}},
			{name: "visit list", as: "liwei", path: "/visits", status: 200, want: []string{`href="/visits/new"`}},
			{name: "no new opportunity for the admin", as: "admin", path: "/opportunities", status: 200, wantNot: []string{`href="/opportunities/new"`}},
			{name: "no new proposal for the admin", as: "admin", path: "/proposals", status: 200, wantNot: []string{`href="/proposals/new"`}},
			// The customer page has a direct button for each action.
			{name: "customer page buttons", as: "liwei", path: "/customers/" + my, status: 200, want: []string{
				`href="/visits/new?customer=` + my + `">计划走访`, `href="/opportunities/new?customer=` + my + `">新建商机`,
				`href="/customers/` + my + `/needs#new-need">记录需求`, `href="/customers/` + my + `/proposals/new">新建方案`}},
			{name: "no buttons for the admin", as: "admin", path: "/customers/" + my, status: 200, wantNot: []string{`/visits/new?customer=`, `/opportunities/new?customer=`, `/needs#new-need`, `/proposals/new"`}},
		})
		// The buttons lead to working forms.
		c := loggedIn(t, a, "liwei")
		for _, path := range []string{"/visits/new?customer=" + my, "/opportunities/new?customer=" + my, "/customers/" + my + "/needs", "/customers/" + my + "/proposals/new"} {
			if res := c.Get(path); res.Status != 200 || !strings.Contains(res.Body, `<form method="post"`) {
				t.Errorf("%s: %d", path, res.Status)
			}
		}
		expectInEnglish(t, inEnglish(t, a, "liwei"), "/customers/"+my, ">Plan a visit</a>", ">New opportunity</a>", ">Record a need</a>", ">New proposal</a>")
		expectInEnglish(t, inEnglish(t, a, "liwei"), "/opportunities/new"+q, "Choose a customer", "Customer name, credit code or key person")
	})
}

// TestKeyAccountWithoutChiefIsFlagged: an A-grade customer without a chief
// representative is flagged on its page and in the customer list, until
// one is named; other grades are not.
func TestKeyAccountWithoutChiefIsFlagged(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		key := seedCustomer(t, a, "liwei", "松花江航运集团", creditCode("0103", 1))
		minor, err := a.Prospects.CreateCustomer(ctx, subject(t, a, "liwei"), prospects.CustomerInput{
			Name: "嫩江小卖部", CreditCode: creditCode("0103", 2), Industry: "trade", Grade: "C", Status: "prospect"}, true)
		if err != nil {
			t.Fatal(err)
		}
		runScenarios(t, a, []scenario{
			{name: "key account page", as: "wangjianguo", path: "/customers/" + itoa(key.ID), status: 200, want: []string{"未配首席", "还没有首席客户代表", `href="/customers/` + itoa(key.ID) + `/reassign"`}},
			{name: "other grades are not flagged", as: "wangjianguo", path: "/customers/" + itoa(minor.ID), status: 200, wantNot: []string{"未配首席"}},
			{name: "the director's list", as: "wangjianguo", path: "/customers", status: 200, want: []string{"未配首席"}},
		})
		if n := strings.Count(loggedIn(t, a, "wangjianguo").Get("/customers").Body, "未配首席"); n != 1 {
			t.Fatalf("the list flags %d customers, want 1", n)
		}
		expectInEnglish(t, inEnglish(t, a, "liwei"), "/customers/"+itoa(key.ID), "No chief rep", "has no chief representative")
		expectInEnglish(t, inEnglish(t, a, "wangjianguo"), "/customers", "No chief rep")
		if _, err := a.Prospects.Reassign(ctx, subject(t, a, "wangjianguo"), key.ID, key.OwnerID, subject(t, a, "zhaomin").ID, key.Version); err != nil {
			t.Fatal(err)
		}
		runScenarios(t, a, []scenario{
			{name: "named: no flag", as: "liwei", path: "/customers/" + itoa(key.ID), status: 200, wantNot: []string{"No chief rep", "no chief representative"}},
			{name: "named: not in the list", as: "wangjianguo", path: "/customers", status: 200, wantNot: []string{"No chief rep"}},
		})
	})
}
