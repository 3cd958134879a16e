package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestAPIRecordVisit is the documented journey: an account manager lists
// their customers, plans a visit, and once its time has come records it;
// editing the record then needs the record's version in If-Match.
func TestAPIRecordVisit(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clock := &apiClock{t: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clock.Now; o.Location = mustZone(t, "Asia/Shanghai") })
		c := newAPIClient(t, a, "liwei")
		r := c.do(http.MethodPost, "/api/v1/customers", newCustomerBody("道里物流集团", creditCode("0118", 1)), nil)
		var cu api.Customer
		r.JSON(t, &cu)
		var me api.Me
		c.get("/api/v1/me").JSON(t, &me)
		if got := ids(t, c.get("/api/v1/customers?owner_id="+itoa(me.ID))); len(got) != 1 || got[0] != cu.ID {
			t.Fatalf("the manager's customers: %v", got)
		}
		r = c.do(http.MethodPost, "/api/v1/visits", map[string]any{"customer_id": cu.ID, "date": "2026-11-03", "time": "10:00",
			"kind": "first", "objective": "了解专线需求"}, nil)
		if r.Status != 201 {
			t.Fatalf("plan: %d %s", r.Status, r.Body)
		}
		var v api.Visit
		r.JSON(t, &v)
		if v.StartsAt.Format(time.RFC3339) != "2026-11-03T10:00:00+08:00" || v.Status != "planned" {
			t.Fatalf("planned: %+v", v)
		}
		rec := map[string]any{"discussed": "确认了专线扩容需求", "attitude": "positive", "next_step": "下周提交方案"}
		path := "/api/v1/visits/" + itoa(v.ID) + "/record"
		if p := c.do(http.MethodPost, path, rec, nil).Problem(t); p.Status != 422 {
			t.Fatalf("recorded before its time: %+v", p)
		}
		clock.Add(48 * time.Hour)
		r = c.do(http.MethodPost, path, rec, nil)
		if r.Status != 200 {
			t.Fatalf("record: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &v)
		if v.Status != "done" || v.Record == nil || v.Record.Discussed != "确认了专线扩容需求" {
			t.Fatalf("recorded: %+v", v)
		}
		rec["discussed"] = "补充：客户希望年底前开通"
		if p := c.do(http.MethodPost, path, rec, nil).Problem(t); p.Status != 428 {
			t.Fatalf("edit without If-Match: %+v", p)
		}
		if p := c.do(http.MethodPost, path, rec, map[string]string{"If-Match": `"99"`}).Problem(t); p.Status != 412 {
			t.Fatalf("stale edit: %+v", p)
		}
		tag := `"` + itoa(uint(v.Record.Version)) + `"`
		if r := c.do(http.MethodPost, path, rec, map[string]string{"If-Match": tag}); r.Status != 200 {
			t.Fatalf("edit: %d %s", r.Status, r.Body)
		}
		// Another team's manager: the visit is not there.
		if r := newAPIClient(t, a, "zhoujie").get("/api/v1/visits/" + itoa(v.ID)); r.Status != 404 {
			t.Fatalf("other team: %d", r.Status)
		}
	})
}
