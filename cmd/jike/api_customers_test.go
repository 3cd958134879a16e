package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

func newCustomerBody(name, code string) map[string]any {
	return map[string]any{"name": name, "credit_code": code, "industry": "manufacturing", "grade": "B",
		"headcount": 800, "annual_spend_fen": 123456, "address": "哈尔滨市南岗区", "region": "南岗区", "status": "prospect",
		"competitors": []string{"ctcc"}}
}

// TestAPICustomers: create (201, Location, ETag, money in fen and yuan,
// times with the zone's offset), read, change with If-Match (428 without,
// 412 stale, 200 and a new ETag), validation (422 with field errors in
// the request's language), duplicates (409), the audit trail the portal
// writes, and limits/cursors that are refused with a clear problem.
func TestAPICustomers(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location = mustZone(t, "Asia/Shanghai") })
		c := newAPIClient(t, a, "liwei")
		code := creditCode("0116", 1)
		r := c.do(http.MethodPost, "/api/v1/customers", newCustomerBody("龙江装备集团", code), nil)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var cu api.Customer
		r.JSON(t, &cu)
		if r.Header.Get("Location") != "/api/v1/customers/"+itoa(cu.ID) || r.Header.Get("ETag") != `"1"` {
			t.Fatalf("create headers: %v", r.Header)
		}
		if cu.AnnualSpendFen != 123456 || cu.AnnualSpendYuan != "1234.56" || cu.OwnerID != apiSubject(t, a, "liwei").ID {
			t.Fatalf("created: %+v", cu)
		}
		if !strings.Contains(string(r.Body), "+08:00") {
			t.Fatalf("times must carry the configured zone's offset: %s", r.Body)
		}
		path := "/api/v1/customers/" + itoa(cu.ID)
		if r := c.get(path); r.Status != 200 || r.Header.Get("ETag") != `"1"` {
			t.Fatalf("get: %d %v", r.Status, r.Header.Get("ETag"))
		}
		// Updates need If-Match.
		if p := c.do(http.MethodPatch, path, map[string]any{"grade": "A"}, nil).Problem(t); p.Status != 428 || p.Code != "precondition_required" {
			t.Fatalf("no If-Match: %+v", p)
		}
		r = c.do(http.MethodPatch, path, map[string]any{"grade": "A", "annual_spend_fen": 99}, map[string]string{"If-Match": `"1"`})
		if r.Status != 200 || r.Header.Get("ETag") != `"2"` {
			t.Fatalf("update: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &cu)
		if cu.Grade != "A" || cu.AnnualSpendYuan != "0.99" || cu.Name != "龙江装备集团" || cu.Headcount != 800 {
			t.Fatalf("updated (only the given fields change): %+v", cu)
		}
		if p := c.do(http.MethodPatch, path, map[string]any{"grade": "C"}, map[string]string{"If-Match": `"1"`}).Problem(t); p.Status != 412 || p.Code != "precondition_failed" {
			t.Fatalf("stale If-Match: %+v", p)
		}
		// The portal's audit trail: a create and one update.
		entries, _, err := audit.List(context.Background(), d.Gorm, audit.Query{Entity: "customer", EntityID: cu.ID, Limit: 10})
		must(t, err)
		if len(entries) != 2 {
			t.Fatalf("audit entries: %d", len(entries))
		}
		// Validation: a 422 naming the fields, in the request's language.
		for lang, word := range map[string]string{"en": "Invalid fields", "zh-CN": "数据校验未通过", "": "数据校验未通过"} {
			c.Lang = lang
			bad := newCustomerBody("", "123")
			bad["grade"] = "Z"
			p := c.do(http.MethodPost, "/api/v1/customers", bad, nil).Problem(t)
			fields := map[string]bool{}
			for _, e := range p.Errors {
				fields[e.Field] = e.Message != "" && e.Code != ""
			}
			if p.Status != 422 || p.Code != "validation_failed" || p.Title != word || !fields["name"] || !fields["credit_code"] || !fields["grade"] {
				t.Fatalf("422 in %q: %+v", lang, p)
			}
		}
		c.Lang = ""
		// A same credit code is a 409 duplicate, however confirmed.
		dup := newCustomerBody("另一家公司", code)
		dup["confirm_similar"] = true
		if p := c.do(http.MethodPost, "/api/v1/customers", dup, nil).Problem(t); p.Status != 409 || p.Code != "duplicate" {
			t.Fatalf("duplicate: %+v", p)
		}
		// Unknown fields and non-JSON bodies are refused, not ignored.
		if p := c.do(http.MethodPost, "/api/v1/customers", `{"nmae":"x"}`, nil).Problem(t); p.Status != 400 || p.Code != "invalid_json" {
			t.Fatalf("unknown field: %+v", p)
		}
		if p := c.get("/api/v1/customers?limit=500").Problem(t); p.Status != 422 || p.Errors[0].Field != "limit" {
			t.Fatalf("limit: %+v", p)
		}
		if p := c.get("/api/v1/customers?cursor=bm9wZQ").Problem(t); p.Status != 400 || p.Code != "invalid_cursor" {
			t.Fatalf("cursor: %+v", p)
		}
		if p := c.get("/api/v1/customers?grade=Z").Problem(t); p.Status != 422 {
			t.Fatalf("bad filter: %+v", p)
		}
		if p := c.get("/api/v1/nothing-here").Problem(t); p.Status != 404 || p.Code != "not_found" {
			t.Fatalf("unknown path: %+v", p)
		}
	})
}

// TestAPIConcurrentUpdates: two updates sent with the same ETag at the
// same moment: exactly one 200, one 412 — the forms' optimistic lock.
func TestAPIConcurrentUpdates(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		c := newAPIClient(t, a, "liwei")
		r := c.do(http.MethodPost, "/api/v1/customers", newCustomerBody("松北电子集团", creditCode("0116", 2)), nil)
		var cu api.Customer
		r.JSON(t, &cu)
		for round := 0; round < 5; round++ {
			cur := c.get("/api/v1/customers/" + itoa(cu.ID))
			tag := cur.Header.Get("ETag")
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := c.do(http.MethodPatch, "/api/v1/customers/"+itoa(cu.ID),
						map[string]any{"address": fmt.Sprintf("地址 %d-%d", round, i)}, map[string]string{"If-Match": tag})
					statuses[i] = res.Status
				}()
			}
			wg.Wait()
			ok, stale := 0, 0
			for _, s := range statuses {
				switch s {
				case 200:
					ok++
				case 412:
					stale++
				}
			}
			if ok != 1 || stale != 1 {
				t.Fatalf("round %d: statuses %v, want one 200 and one 412", round, statuses)
			}
		}
	})
}

// TestAPIIdempotentCreate: a POST retried with the same Idempotency-Key
// returns the first answer and creates one record, also when the retries
// race; the same key with another body is refused; another token's same
// key is its own.
func TestAPIIdempotentCreate(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		c := newAPIClient(t, a, "liwei")
		body := newCustomerBody("呼兰制药集团", creditCode("0116", 3))
		key := map[string]string{"Idempotency-Key": "crm-sync-0001"}
		first := c.do(http.MethodPost, "/api/v1/customers", body, key)
		again := c.do(http.MethodPost, "/api/v1/customers", body, key)
		if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) ||
			again.Header.Get("Location") != first.Header.Get("Location") || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %d\n%s\n%s", first.Status, again.Status, first.Body, again.Body)
		}
		other := newCustomerBody("呼兰制药集团二分厂", creditCode("0116", 4))
		if p := c.do(http.MethodPost, "/api/v1/customers", other, key).Problem(t); p.Status != 422 || p.Code != "idempotency_key_reused" {
			t.Fatalf("reused key: %+v", p)
		}
		// Racing retries of a new key: still one record.
		body2 := newCustomerBody("阿城糖业集团", creditCode("0116", 5))
		key2 := map[string]string{"Idempotency-Key": "crm-sync-0002"}
		var wg sync.WaitGroup
		statuses := make([]int, 4)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = c.do(http.MethodPost, "/api/v1/customers", body2, key2).Status
			}()
		}
		wg.Wait()
		for _, s := range statuses {
			if s != 201 && s != 409 {
				t.Fatalf("racing retries: %v", statuses)
			}
		}
		for _, name := range []string{"呼兰制药集团", "阿城糖业集团"} {
			list, _, err := a.Prospects.ListCustomers(ctx, apiSubject(t, a, "liwei"), prospects.CustomerFilter{Q: name, Limit: 10})
			must(t, err)
			n := 0
			for _, cu := range list {
				if cu.Name == name {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%s created %d times", name, n)
			}
		}
		// A failed create is stored too: its retry gets the same 422.
		bad := map[string]any{"name": ""}
		k3 := map[string]string{"Idempotency-Key": "crm-sync-0003"}
		if r1, r2 := c.do(http.MethodPost, "/api/v1/customers", bad, k3), c.do(http.MethodPost, "/api/v1/customers", bad, k3); r1.Status != 422 || r2.Status != 422 || string(r1.Body) != string(r2.Body) {
			t.Fatalf("failed create retried: %d %d", r1.Status, r2.Status)
		}
	})
}

// TestAPIPaginationStableUnderInserts: customers added while a client
// pages through a list neither repeat nor push rows out of it.
func TestAPIPaginationStableUnderInserts(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := apiDemoApp(t, d)
		// Many creates in a row: the duplicate check's per-user limit is
		// not what this test is about.
		a.Prospects.SetCheckLimits(ratelimit.Rule{Limit: 1000, Window: time.Minute}, ratelimit.Rule{Limit: 1000, Window: time.Minute})
		c := newAPIClient(t, a, "wangjianguo")
		for _, q := range []string{"sort=name", "", "sort=spend&order=desc"} {
			before := walkAll(t, c, "/api/v1/customers?limit=200&"+q)
			var got []uint
			next := "/api/v1/customers?limit=9&" + q
			for page := 0; ; page++ {
				r := c.get(next)
				got = append(got, ids(t, r)...)
				var p struct {
					Next *string `json:"next_cursor"`
				}
				r.JSON(t, &p)
				if p.Next == nil {
					break
				}
				// Someone adds customers between two pages: at the head
				// of the order (newest, 阿…, biggest spend).
				body := newCustomerBody(fmt.Sprintf("阿%s插入%d", q, page), creditCode("0117", len(q)*1000+page))
				body["annual_spend_fen"] = 99_999_999_999
				if r := newAPIClient(t, a, "liwei").do(http.MethodPost, "/api/v1/customers", body, nil); r.Status != 201 {
					t.Fatalf("insert: %d %s", r.Status, r.Body)
				}
				next = "/api/v1/customers?limit=9&" + q + "&cursor=" + *p.Next
			}
			// Rows added behind the cursor may show up (they are new);
			// every row that was there shows exactly once, in order.
			if dup := firstDuplicate(got); dup != 0 {
				t.Fatalf("%q: customer %d listed twice while inserting", q, dup)
			}
			had := map[uint]bool{}
			for _, id := range before {
				had[id] = true
			}
			var old []uint
			for _, id := range got {
				if had[id] {
					old = append(old, id)
				}
			}
			if fmt.Sprint(old) != fmt.Sprint(before) {
				t.Fatalf("%q: paging while inserting lost or reordered rows: %d of %d", q, len(old), len(before))
			}
		}
	})
}

// TestAPIRateLimit: past the per-token rate the API answers 429 with
// Retry-After; another token is not affected.
func TestAPIRateLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.APIRate = 3 })
	c := newAPIClient(t, a, "liwei")
	for i := 0; i < 3; i++ {
		if r := c.get("/api/v1/me"); r.Status != 200 {
			t.Fatalf("request %d: %d", i, r.Status)
		}
	}
	r := c.get("/api/v1/me")
	p := r.Problem(t)
	if p.Status != 429 || p.Code != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("over the rate: %+v %v", p, r.Header)
	}
	if r := newAPIClient(t, a, "liwei").get("/api/v1/me"); r.Status != 200 {
		t.Fatalf("another token: %d", r.Status)
	}
}

var _ = json.Marshal

// TestAPICustomerParent: the group link (issue 17) over the API follows
// the portal's rules, through the same service: set on create, moved by
// PATCH, a loop refused on parent_id (422), a group the caller may not
// read refused like one that does not exist, and 0 makes a customer
// top-level again.
func TestAPICustomerParent(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		c := newAPIClient(t, a, "liwei")
		create := func(name, code string, parent uint) api.Customer {
			t.Helper()
			body := newCustomerBody(name, code)
			if parent != 0 {
				body["parent_id"] = parent
			}
			r := c.do(http.MethodPost, "/api/v1/customers", body, nil)
			if r.Status != 201 {
				t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
			}
			var cu api.Customer
			r.JSON(t, &cu)
			return cu
		}
		group := create("龙江能源集团", creditCode("0117", 1), 0)
		member := create("龙江能源集团哈尔滨分公司", creditCode("0117", 2), group.ID)
		if group.ParentID != nil || member.ParentID == nil || *member.ParentID != group.ID {
			t.Fatalf("parents: group %v, member %v", group.ParentID, member.ParentID)
		}
		fieldErr := func(p api.Problem) bool {
			for _, e := range p.Errors {
				if e.Field == "parent_id" {
					return true
				}
			}
			return false
		}
		// The group under its own member: a loop.
		gpath := "/api/v1/customers/" + itoa(group.ID)
		if p := c.do(http.MethodPatch, gpath, map[string]any{"parent_id": member.ID}, map[string]string{"If-Match": `"1"`}).Problem(t); p.Status != 422 || !fieldErr(p) {
			t.Fatalf("a loop: %+v", p)
		}
		// Another team's customer cannot be the group.
		r := newAPIClient(t, a, "zhoujie").do(http.MethodPost, "/api/v1/customers", newCustomerBody("松花江物流集团", creditCode("0117", 3)), nil)
		var other api.Customer
		if r.Status != 201 {
			t.Fatalf("zhoujie's customer: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &other)
		if p := c.do(http.MethodPatch, gpath, map[string]any{"parent_id": other.ID}, map[string]string{"If-Match": `"1"`}).Problem(t); p.Status != 422 || !fieldErr(p) {
			t.Fatalf("an unreadable group: %+v", p)
		}
		var parent *uint
		d.Gorm.Raw(`SELECT parent_id FROM customers WHERE id = ?`, group.ID).Scan(&parent)
		if parent != nil {
			t.Fatalf("a refused change was saved: parent %d", *parent)
		}
		// 0 makes the member top-level.
		r = c.do(http.MethodPatch, "/api/v1/customers/"+itoa(member.ID), map[string]any{"parent_id": 0}, map[string]string{"If-Match": `"1"`})
		if r.Status != 200 {
			t.Fatalf("top-level: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &member)
		if member.ParentID != nil {
			t.Fatalf("still under %d", *member.ParentID)
		}
	})
}
