package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
)

// dateState is what a refused date must leave untouched: the number of
// rows of every business table, the versions of the versioned ones and the
// audit trail.
func dateState(t *testing.T, d *db.DB) string {
	t.Helper()
	out := ""
	for _, table := range []string{"customers", "contacts", "opportunities", "stage_changes", "visit_plans", "visit_records",
		"visit_todos", "customer_services", "needs", "proposals", "proposal_lines", "contracts", "contract_lines",
		"contract_tasks", "contract_events", "monthly_targets", "monthly_reviews", "audit_log"} {
		var n int64
		if err := d.Gorm.Table(table).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out += fmt.Sprintf("%s=%d ", table, n)
	}
	for _, q := range []string{
		"SELECT COALESCE(SUM(version), 0) FROM contracts", "SELECT COALESCE(SUM(version), 0) FROM contract_tasks",
		"SELECT COALESCE(SUM(version), 0) FROM visit_plans", "SELECT COALESCE(SUM(lock_version), 0) FROM proposals",
		"SELECT COALESCE(SUM(version), 0) FROM contacts", "SELECT COALESCE(SUM(version), 0) FROM opportunities",
	} {
		var n int64
		if err := d.Gorm.Raw(q).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out += fmt.Sprintf("[%s]=%d ", q, n)
	}
	return out
}

// TestDatesBoundedOnEveryForm posts the dates the audit typed — year 0001,
// year 9999 and 30 February — into every form that takes a date (key
// person, opportunity, service contract, visit plan, visit record,
// proposal, contract new and edit, signing, implementation tasks, target
// and review months), on both databases: each answer is a 422 with the
// field's message, and nothing in the database changes. Every date goes
// through textnorm.ParseDate (1900–2100).
func TestDatesBoundedOnEveryForm(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d, func(o *appOptions) { o.Location = loc })
		a := w.a
		am := subject(t, a, "liwei")
		id := itoa(w.cu.ID)

		// A visit an hour ago, to record.
		_, visit, _ := planVisit(t, a, -time.Hour)

		// A draft proposal.
		prop, err := a.Proposals.Create(ctx, am, proposals.Input{CustomerID: w.cu.ID, OpportunityID: w.opp, Title: "日期测试方案",
			Lines: []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "1", TermMonths: "12"}}})
		if err != nil {
			t.Fatal(err)
		}

		// A draft contract, an approved one, and a signed one with tasks,
		// each of its own customer.
		cu2, contact2, opp2 := w.customer(t, "liwei", "日期测试二号", "91230103MA1000391")
		p2 := w.accepted(t, "liwei", cu2, opp2, []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "1", TermMonths: "12"}})
		draft, err := a.Contracts.Create(ctx, am, w.input(t, cu2, contact2, p2.ID, 12))
		if err != nil {
			t.Fatal(err)
		}
		cu3, contact3, opp3 := w.customer(t, "liwei", "日期测试三号", "91230103MA1000392")
		p3 := w.accepted(t, "liwei", cu3, opp3, []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "1", TermMonths: "12"}})
		approved, err := a.Contracts.Create(ctx, am, w.input(t, cu3, contact3, p3.ID, 12))
		if err != nil {
			t.Fatal(err)
		}
		if approved, err = a.Contracts.Submit(ctx, am, approved.ID, 0); err != nil {
			t.Fatal(err)
		}
		chief, director := w.approvers(t, cu3)
		for lvl := contracts.NextLevel(approved); lvl != ""; lvl = contracts.NextLevel(approved) {
			who := chief
			if lvl == contracts.LevelDirector {
				who = director
			}
			if approved, err = a.Contracts.Decide(ctx, who, approved.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		signed := w.signed(t)
		var task contracts.Task
		if err := d.Gorm.Where("contract_id = ?", signed.ID).Order("id").First(&task).Error; err != nil {
			t.Fatalf("a task of the signed contract: %v", err)
		}

		today := a.Contracts.Today().Format("2006-01-02")
		type form struct {
			name  string
			as    string
			path  string
			field string // the date field
			base  url.Values
			want  map[string]string
		}
		rangeMsg, dateMsg, dtMsg, monthMsg := "日期须在 1900-01-01 至 2100-12-31 之间", "请输入日期，如 2026-11-25", "请输入日期和时间", "月份格式应为 YYYY-MM"
		dateWant := map[string]string{"0001-01-01": rangeMsg, "9999-12-31": rangeMsg, "2026-02-30": dateMsg}
		dtWant := map[string]string{"0001-01-01": rangeMsg, "9999-12-31": rangeMsg, "2026-02-30": dtMsg}
		monthWant := map[string]string{"0001-01": monthMsg, "9999-12": monthMsg, "2026-13": monthMsg}
		contractForm := func(start, end string) url.Values {
			return url.Values{"title": {"专线业务协议"}, "start_on": {start}, "end_on": {end}, "payment_terms": {"monthly"},
				"payment_due_day": {"10"}, "our_signatory_id": {itoa(cu2.OwnerID)}, "customer_signatory_id": {itoa(contact2)},
				"line_count": {"1"}, "line_product_0": {itoa(w.products[0].ID)}, "line_qty_0": {"1"}, "line_term_0": {"12"}}
		}
		withDate := func(v url.Values, field, date string) url.Values {
			out := url.Values{}
			for k, vs := range v {
				out[k] = vs
			}
			out.Set(field, date)
			return out
		}
		builder := builderForm(w.opp, w.products[0].ID, "1", "")
		builder.Set("lock_version", itoa(uint(prop.LockVersion)))
		forms := []form{
			{name: "key person birthday", as: "liwei", path: "/customers/" + id + "/contacts", field: "birthday",
				base: url.Values{"contact_name": {"日期主任"}, "role": {"decision"}}, want: dateWant},
			{name: "opportunity expected close", as: "liwei", path: "/opportunities", field: "expected_close",
				base: url.Values{"customer_id": {id}, "title": {"日期项目"}}, want: dateWant},
			{name: "service contract end", as: "liwei", path: "/customers/" + id + "/analysis/services", field: "contract_end",
				base: url.Values{"service": {"broadband"}, "supplier": {"cucc"}}, want: dateWant},
			{name: "visit plan", as: "liwei", path: "/visits", field: "date",
				base: url.Values{"customer_id": {id}, "time": {"10:00"}, "kind": {"needs"}, "objective": {"确认需求"}}, want: dtWant},
			{name: "visit record next date", as: "liwei", path: "/visits/" + itoa(visit.ID) + "/record", field: "next_date",
				base: url.Values{"discussed": {"谈了专线。"}, "attitude": {"positive"}, "next_step": {"演示"}, "next_time": {"10:00"}, "next_kind": {"demo"}},
				want: dtWant},
			{name: "proposal valid until", as: "liwei", path: "/proposals/" + itoa(prop.ID), field: "valid_until", base: builder, want: dateWant},
			{name: "new contract start", as: "liwei", path: "/customers/" + itoa(cu2.ID) + "/contracts", field: "start_on",
				base: contractForm(today, today), want: dateWant},
			{name: "contract end", as: "liwei", path: "/contracts/" + itoa(draft.ID), field: "end_on",
				base: withDate(contractForm(today, today), "version", itoa(uint(draft.Version))), want: dateWant},
			{name: "signing date", as: "liwei", path: "/contracts/" + itoa(approved.ID) + "/sign", field: "signed_on",
				base: url.Values{"version": {itoa(uint(approved.Version))}}, want: dateWant},
			{name: "new task due date", as: "liwei", path: "/contracts/" + itoa(signed.ID) + "/tasks", field: "due_on",
				base: url.Values{"title": {"现场勘查"}, "owner_id": {itoa(am.ID)}, "status": {"todo"}}, want: dateWant},
			{name: "task due date", as: "liwei", path: "/contracts/" + itoa(signed.ID) + "/tasks/" + itoa(task.ID), field: "due_on",
				base: url.Values{"title": {task.Title}, "owner_id": {itoa(task.OwnerID)}, "status": {task.Status}, "version": {itoa(uint(task.Version))}},
				want: dateWant},
			{name: "targets month", as: "zhaomin", path: "/targets/set", field: "month", base: url.Values{}, want: monthWant},
			{name: "review month", as: "liwei", path: "/targets/review", field: "month", base: url.Values{"summary": {"本月小结"}}, want: monthWant},
		}
		before := dateState(t, d)
		for _, f := range forms {
			for date, msg := range f.want {
				t.Run(f.name+" "+date, func(t *testing.T) {
					c := loggedIn(t, a, f.as)
					res := c.PostForm(f.path, withDate(f.base, f.field, date))
					if res.Status != 422 && res.Status != 400 {
						t.Fatalf("status %d, want 422\n%.1500s", res.Status, res.Body)
					}
					if !strings.Contains(res.Body, msg) {
						t.Errorf("body lacks %q\n%.3000s", msg, res.Body)
					}
					if after := dateState(t, d); after != before {
						t.Fatalf("the database changed:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
		}
		// In English too.
		c := loggedIn(t, a, "liwei")
		if r := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.Status != 303 {
			t.Fatalf("switch to English: %d", r.Status)
		}
		res := c.PostForm("/proposals/"+itoa(prop.ID), withDate(builder, "valid_until", "9999-12-31"))
		if res.Status != 422 || !strings.Contains(res.Body, "The date must lie between 1900-01-01 and 2100-12-31.") {
			t.Fatalf("English: %d\n%.2000s", res.Status, res.Body)
		}
		// A good date still saves (the forms above failed for the date).
		res = loggedIn(t, a, "liwei").PostForm("/contracts/"+itoa(signed.ID)+"/tasks/"+itoa(task.ID),
			withDate(forms[10].base, "due_on", "2026年3月1日"))
		if res.Status != 303 {
			t.Fatalf("a good due date: %d\n%.2000s", res.Status, res.Body)
		}
		var got contracts.Task
		d.Gorm.First(&got, task.ID)
		if got.DueOn.Format("2006-01-02") != "2026-03-01" {
			t.Fatalf("due date saved as %s", got.DueOn)
		}
	})
}
