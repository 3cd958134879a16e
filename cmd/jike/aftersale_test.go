package main

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/visits"
)

// afterWorld is three customers in one branch and one in another: liwei's
// and zhangjing's (team 政企客户一部, chief rep zhaomin), zhoujie's (team
// 金融行业客户部), gaoyuan's (大庆), each with a complaint and a
// call-back task.
type afterWorld struct {
	a   *app
	d   *db.DB
	clk *fakeClock
	cu  map[string]uint
	req map[string]uint
	cb  map[string]uint
}

func newAfterWorld(t *testing.T, d *db.DB) *afterWorld {
	t.Helper()
	clk := &fakeClock{t: at("2026-11-23 10:00")} // a Monday
	a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
	w := &afterWorld{a: a, d: d, clk: clk, cu: map[string]uint{}, req: map[string]uint{}, cb: map[string]uint{}}
	ctx := context.Background()
	for i, u := range []string{"liwei", "zhangjing", "zhoujie", "gaoyuan"} {
		c := afterCustomer(t, a, u, u+" 的客户", "91230103MA300000"+string(rune('1'+i)), "A")
		w.cu[u] = c.ID
		r, err := a.Aftersale.CreateRequest(ctx, subject(t, a, u), aftersale.RequestInput{CustomerID: c.ID, Kind: "complaint",
			Category: "network", Severity: "major", Channel: "phone", Description: u + " 的投诉"})
		if err != nil {
			t.Fatal(err)
		}
		w.req[u] = r.ID
		if _, err := a.Aftersale.Resolve(ctx, subject(t, a, u), r.ID, aftersale.ResolveInput{Resolution: "已修复"}, 0); err != nil {
			t.Fatal(err)
		}
		rows, _, err := a.Aftersale.CallbackList(ctx, subject(t, a, u), aftersale.CallbackFilter{CustomerID: c.ID, Status: "open"})
		if err != nil || len(rows) != 1 {
			t.Fatalf("call-back of the resolved complaint: %v %v", rows, err)
		}
		w.cb[u] = rows[0].ID
	}
	return w
}

// TestAftersaleScopes: each list, count and export shows exactly the
// records of the customers the reader may see, and every page of a
// record out of scope is a 404.
func TestAftersaleScopes(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAfterWorld(t, d)
		sees := map[string][]string{
			"liwei":       {"liwei"},
			"zhaomin":     {"liwei", "zhangjing"},
			"wangjianguo": {"liwei", "zhangjing", "zhoujie"},
			"liuzhiqiang": {"gaoyuan"},
		}
		all := []string{"liwei", "zhangjing", "zhoujie", "gaoyuan"}
		for reader, visible := range sees {
			c := loggedIn(t, w.a, reader)
			in := func(u string) bool {
				for _, v := range visible {
					if v == u {
						return true
					}
				}
				return false
			}
			pages := map[string]string{
				"/aftersale/requests":                   "",
				"/aftersale/requests?view=team":         "",
				"/aftersale/requests/export.csv":        "",
				"/aftersale/callbacks":                  "",
				"/aftersale/care?state=all":             "",
				"/aftersale/requests?view=breached&q=的": "",
			}
			for p := range pages {
				res := c.Get(p)
				if res.Status != http.StatusOK {
					t.Fatalf("%s %s: %d", reader, p, res.Status)
				}
				pages[p] = res.Body
			}
			for _, u := range all {
				for _, p := range []string{"/aftersale/requests", "/aftersale/requests/export.csv", "/aftersale/callbacks", "/aftersale/care?state=all"} {
					if got := strings.Contains(pages[p], u+" 的客户"); got != in(u) {
						t.Errorf("%s: %s lists %s's customer: %v, want %v", reader, p, u, got, in(u))
					}
				}
				for _, p := range []string{"/aftersale/requests/" + itoa(w.req[u]), "/aftersale/callbacks/" + itoa(w.cb[u]), "/customers/" + itoa(w.cu[u]) + "/aftersale"} {
					res := c.Get(p)
					if in(u) && res.Status != http.StatusOK || !in(u) && res.Status != http.StatusNotFound {
						t.Errorf("%s GET %s: %d (visible %v)", reader, p, res.Status, in(u))
					}
				}
				if !in(u) {
					res := c.PostForm("/aftersale/requests/"+itoa(w.req[u])+"/reopen", url.Values{"reason": {"x"}})
					if res.Status != http.StatusNotFound {
						t.Errorf("%s reopens %s's request: %d", reader, u, res.Status)
					}
				}
			}
			// Counts come from the same scope.
			_, total, err := w.a.Aftersale.List(context.Background(), subject(t, w.a, reader), aftersale.RequestFilter{})
			if err != nil || int(total) != len(visible) {
				t.Errorf("%s: count %d, want %d (%v)", reader, total, len(visible), err)
			}
		}
	})
}

// TestAftersaleBadInput: an impossible birthday and an SLA of 0 hours are
// refused with a message in the reader's language, and nothing changes.
func TestAftersaleBadInput(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAfterWorld(t, d)
		ctx := context.Background()
		contacts, err := w.a.Prospects.Contacts(ctx, subject(t, w.a, "liwei"), w.cu["liwei"])
		if err != nil {
			t.Fatal(err)
		}
		var contact string
		if len(contacts) > 0 {
			contact = itoa(contacts[0].ID)
		}
		count := func(table string) int64 {
			var n int64
			if err := d.Gorm.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		zh := loggedIn(t, w.a, "liwei")
		// The language is the user's setting: Chinese first, then English,
		// then back.
		for _, c := range []struct{ lang, want string }{{"zh-CN", "日期无效"}, {"en", "Invalid date"}, {"zh-CN", "日期无效"}} {
			if r := zh.PostForm("/lang", url.Values{"lang": {c.lang}, "next": {"/"}}); r.Status != http.StatusSeeOther {
				t.Fatalf("lang: %d", r.Status)
			}
			res := zh.PostForm("/customers/"+itoa(w.cu["liwei"])+"/care-dates", url.Values{"date_kind": {"founding"}, "date": {"02-30"}, "contact_id": {contact}})
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) {
				t.Errorf("02-30 in %s: %d, want 422 with %q", c.lang, res.Status, c.want)
			}
		}
		if n := count("care_dates"); n != 0 {
			t.Fatalf("a bad date saved %d rows", n)
		}
		if res := zh.PostForm("/customers/"+itoa(w.cu["liwei"])+"/care-dates", url.Values{"date_kind": {"founding"}, "date": {"02-28"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("a good date: %d %.300s", res.Status, res.Body)
		}
		dir := loggedIn(t, w.a, "wangjianguo")
		form := url.Values{"freq_a": {"1"}, "freq_b": {"2"}, "freq_c": {"3"}, "freq_d": {"6"}, "auto_close_days": {"7"},
			"resp_urgent": {"2"}, "res_urgent": {"8"}, "resp_major": {"4"}, "res_major": {"0"}, "resp_normal": {"8"}, "res_normal": {"40"}, "version": {"0"}}
		res := dir.PostForm("/aftersale/settings", form)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "时限须为 1–720 之间的整小时数") {
			t.Fatalf("SLA 0 hours: %d", res.Status)
		}
		if n := count("aftersale_settings"); n != 0 {
			t.Fatalf("bad settings saved %d rows", n)
		}
		// A complaint with no description nor category changes nothing.
		before := count("service_requests")
		res = zh.PostForm("/customers/"+itoa(w.cu["liwei"])+"/requests", url.Values{"kind": {"complaint"}, "severity": {"urgent"}, "channel": {"phone"}})
		if res.Status != http.StatusUnprocessableEntity || count("service_requests") != before {
			t.Fatalf("empty complaint: %d", res.Status)
		}
		// A score of 0 on a call-back is refused.
		res = zh.PostForm("/aftersale/callbacks/"+itoa(w.cb["liwei"]), url.Values{"q_attitude": {"0"}, "q_skill": {"3"}, "q_speed": {"3"}, "q_result": {"3"}, "recommend": {"yes"}, "answered_by": {"王主任"}})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "请打 1–5 分") {
			t.Fatalf("score 0: %d", res.Status)
		}
	})
}

// TestCallbackLowScoreReopens: a call-back after a resolved complaint
// with a score of 2 reopens that complaint (a new SLA cycle); a good one
// opens nothing; a low score on a quarterly call-back opens a new request.
func TestCallbackLowScoreReopens(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAfterWorld(t, d)
		ctx := context.Background()
		am := subject(t, w.a, "liwei")
		score := func(id uint, s string) *aftersale.Callback {
			t.Helper()
			cb, err := w.a.Aftersale.RecordCallback(ctx, am, id, aftersale.CallbackInput{Scores: map[string]string{"attitude": "4", "skill": "4", "speed": s, "result": "4"},
				Recommend: "no", AnsweredBy: "王主任", Comment: "还是慢"})
			if err != nil {
				t.Fatal(err)
			}
			return cb
		}
		cb := score(w.cb["liwei"], "2")
		if cb.RequestID == nil || *cb.RequestID != w.req["liwei"] {
			t.Fatalf("low score linked %v, want the complaint %d", cb.RequestID, w.req["liwei"])
		}
		r, err := w.a.Aftersale.Store().Request(ctx, w.req["liwei"])
		if err != nil || r.Status != aftersale.StatusReopened || r.Cycle != 2 {
			t.Fatalf("complaint after a low score: %+v %v", r, err)
		}
		// The pre-visit brief lists the reopened complaint and the scores;
		// the customer's timeline shows the steps.
		title, lines, err := afterSaleSection(w.a.Aftersale, time.UTC)(ctx, am, w.cu["liwei"])
		if err != nil || title != "aftersale.brief.title" || len(lines) != 2 {
			t.Fatalf("brief %v %v", lines, err)
		}
		for lang, want := range map[string]string{i18n.ZH: "服务态度 4、专业能力 4、响应速度 2、解决效果 4（满分 5），不愿推荐",
			i18n.EN: "attitude 4, professionalism 4, speed 2, solution quality 4 (out of 5); would not recommend"} {
			tr := visits.TFunc(func(id string, args ...any) string { return w.a.Server.I18n.T(lang, id, args...) })
			if first, second := lines[0].In(tr), lines[1].In(tr); !strings.HasPrefix(first, aftersale.RequestNo(w.req["liwei"])) ||
				!strings.Contains(second, want) {
				t.Fatalf("brief in %s: %q, %q", lang, first, second)
			}
		}
		page := loggedIn(t, w.a, "liwei").Get("/customers/" + itoa(w.cu["liwei"]))
		for _, want := range []string{"登记服务请求 " + aftersale.RequestNo(w.req["liwei"]), "重新打开 " + aftersale.RequestNo(w.req["liwei"]), "满意度回访 4/4/2/4"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("customer timeline lacks %q", want)
			}
		}
		if _, err := w.a.Aftersale.RecordCallback(ctx, am, w.cb["liwei"], aftersale.CallbackInput{}); err == nil {
			t.Fatal("a done call-back was recorded twice")
		}
		// The quarterly job makes a task for the A customer, once.
		for range 2 {
			if err := w.a.Aftersale.Callbacks(ctx, w.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		rows, _, err := w.a.Aftersale.CallbackList(ctx, am, aftersale.CallbackFilter{Status: "open"})
		if err != nil || len(rows) != 1 || rows[0].Reason != aftersale.ReasonQuarterly {
			t.Fatalf("quarterly tasks %v %v", rows, err)
		}
		before, _, _ := w.a.Aftersale.List(ctx, am, aftersale.RequestFilter{})
		cb = score(rows[0].ID, "1")
		after, _, _ := w.a.Aftersale.List(ctx, am, aftersale.RequestFilter{})
		if cb.RequestID == nil || len(after) != len(before)+1 {
			t.Fatalf("a low quarterly score opened %v (%d → %d requests)", cb.RequestID, len(before), len(after))
		}
	})
}

// TestCareListPerGrade: the care list of an account manager with one
// customer per grade, all last contacted on 31 August (a touch), read on
// days around month ends; the director changes grade C to every month.
func TestCareListPerGrade(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clk := &fakeClock{t: at("2026-09-01 10:00")}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
		ctx := context.Background()
		am := subject(t, a, "liwei")
		ids := map[string]uint{}
		for i, g := range []string{"A", "B", "C", "D"} {
			c := afterCustomer(t, a, "liwei", "关怀"+g, "91230103MA400000"+string(rune('1'+i)), g)
			ids[g] = c.ID
			if _, err := a.Aftersale.AddTouch(ctx, am, c.ID, aftersale.TouchInput{Kind: "call", On: "2026-08-31", Summary: "电话问候"}); err != nil {
				t.Fatal(err)
			}
		}
		never := afterCustomer(t, a, "liwei", "从未联系", "91230103MA4000009", "B")
		state := func(when string) map[string]string {
			t.Helper()
			clk.Set(at(when))
			rows, _, _, err := a.Aftersale.CareList(ctx, am, aftersale.CareListFilter{State: "all"})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, r := range rows {
				s := r.State
				if r.IsOverdue() {
					s += ":" + itoa(uint(r.Days))
				}
				for g, id := range ids {
					if id == r.CustomerID {
						out[g] = s
					}
				}
				if r.CustomerID == never.ID {
					out["never"] = s
				}
			}
			return out
		}
		check := func(when string, want map[string]string) {
			t.Helper()
			got := state(when)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s is %s, want %s", when, k, got[k], v)
				}
			}
		}
		// A: 31 Aug + 1 month = 30 Sep (not 1 Oct).
		check("2026-09-28 10:00", map[string]string{"A": "due_week", "B": "ok", "C": "ok", "D": "ok", "never": "never"})
		check("2026-10-01 10:00", map[string]string{"A": "overdue:1", "B": "ok"})
		// B: 31 Oct; C: 30 Nov; D: 28 Feb.
		check("2026-11-01 10:00", map[string]string{"A": "overdue:32", "B": "overdue:1", "C": "ok"})
		check("2026-12-01 10:00", map[string]string{"C": "overdue:1", "D": "ok"})
		check("2027-03-01 10:00", map[string]string{"D": "overdue:1"})
		// The director sets C to monthly: C is then overdue since 30 Sep.
		in := aftersale.SettingsInput{Freq: map[string]string{"A": "1", "B": "2", "C": "1", "D": "6"}, AutoCloseDays: "7",
			RespH: map[string]string{"urgent": "2", "major": "4", "normal": "8"}, ResH: map[string]string{"urgent": "8", "major": "24", "normal": "40"}}
		if _, err := a.Aftersale.SaveSettings(ctx, subject(t, a, "wangjianguo"), in); err != nil {
			t.Fatal(err)
		}
		check("2026-10-01 10:00", map[string]string{"C": "overdue:1"})
		// The overdue job tells the owner once per customer and due date.
		for range 2 {
			if err := a.Aftersale.CareOverdue(ctx, clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		d.Gorm.Table("notifications").Where("user_id = ? AND kind = ?", am.ID, "aftersale.care_overdue").Count(&n)
		if n != 2 { // A and C
			t.Fatalf("%d overdue notices, want 2", n)
		}
	})
}

// TestAftersaleDemo: the demo data fills every list: overdue customers,
// requests in every status with breached ones, call-backs with scores,
// care events on the home page.
func TestAftersaleDemo(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		var statuses []string
		d.Gorm.Table("service_requests").Distinct("status").Order("status").Pluck("status", &statuses)
		if strings.Join(statuses, ",") != "closed,in_progress,open,reopened,resolved" {
			t.Fatalf("demo statuses %v", statuses)
		}
		dir := loggedIn(t, a, "wangjianguo")
		for p, want := range map[string]string{
			"/aftersale/care":                   "badge-danger",
			"/aftersale/requests?view=breached": "sla-breached",
			"/aftersale/callbacks?status=done":  "badge-danger",
			"/aftersale/callbacks":              "callback-rows",
			"/":                                 "care-events-panel",
			"/aftersale/events":                 "care-done-form",
			"/aftersale/requests/export.xlsx":   "",
			"/aftersale/settings":               "settings-form",
		} {
			res := dir.Get(p)
			if res.Status != http.StatusOK || !strings.Contains(res.Body, want) {
				t.Errorf("%s: %d, want %q", p, res.Status, want)
			}
		}
		_ = time.Now
	})
}

// TestCallbackOnContractActivation: the daily job makes one call-back
// task for a contract put in force, however often it runs.
func TestCallbackOnContractActivation(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		c := w.signed(t)
		w.finishTasks(t, c)
		if _, err := w.a.Contracts.Activate(ctx, subject(t, w.a, "liwei"), c.ID, 0); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := w.a.Aftersale.Callbacks(ctx, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		d.Gorm.Table("callbacks").Where("customer_id = ? AND reason = ?", w.cu.ID, aftersale.ReasonContract).Count(&n)
		if n != 1 {
			t.Fatalf("%d contract call-backs, want 1", n)
		}
	})
}

// TestAutoClose: a resolved request closes itself after the branch's N
// days (7 by default), not before, with the step recorded.
func TestAutoClose(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAfterWorld(t, d)
		ctx := context.Background()
		status := func() string {
			r, err := w.a.Aftersale.Store().Request(ctx, w.req["liwei"])
			if err != nil {
				t.Fatal(err)
			}
			return r.Status
		}
		for _, c := range []struct {
			days int
			want string
		}{{6, aftersale.StatusResolved}, {7, aftersale.StatusClosed}} {
			if err := w.a.Aftersale.AutoClose(ctx, w.clk.Now().AddDate(0, 0, c.days)); err != nil {
				t.Fatal(err)
			}
			if got := status(); got != c.want {
				t.Fatalf("after %d days: %s, want %s", c.days, got, c.want)
			}
		}
		events, _ := w.a.Aftersale.Store().Events(ctx, w.req["liwei"])
		if last := events[len(events)-1]; last.Action != "auto_close" {
			t.Fatalf("last step %s", last.Action)
		}
	})
}

// TestCareEventsPaged: the care events list is paged (a province's 30
// days were thousands of events, a 540 KB page cut at 500): the pages of
// the director's year together are every event once, in date order, the
// pager tells the total, a page past the end goes to the last page, and
// 已关怀 on page 2 comes back to page 2. Both databases.
func TestCareEventsPaged(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		dir := loggedIn(t, a, "wangjianguo")
		all, err := a.Aftersale.CareEvents(context.Background(), subject(t, a, "wangjianguo"), 365, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 7 {
			t.Fatalf("the demo's director has %d care events in a year: too few to page", len(all))
		}
		item := regexp.MustCompile(`<input type="hidden" name="key" value="([^"]+)">\s*<input type="hidden" name="on" value="([^"]+)">`)
		var seen []string
		pages := (len(all) + 2) / 3
		for p := 1; p <= pages; p++ {
			res := dir.Get("/aftersale/events?days=365&size=3&page=" + strconv.Itoa(p))
			if res.Status != http.StatusOK {
				t.Fatalf("page %d: %d", p, res.Status)
			}
			if want := fmt.Sprintf("共 %d 条", len(all)); !strings.Contains(res.Body, want) {
				t.Errorf("page %d does not say %q", p, want)
			}
			if n := strings.Count(res.Body, `<li class="notice">`); n != min(3, len(all)-3*(p-1)) {
				t.Errorf("page %d shows %d events", p, n)
			}
			for _, m := range item.FindAllStringSubmatch(res.Body, -1) {
				seen = append(seen, m[2]+" "+m[1])
			}
		}
		var want []string
		for _, e := range all {
			if e.Done == nil {
				want = append(want, e.On.Format("2006-01-02")+" "+e.Key)
			}
		}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			t.Errorf("the pages' open events:\n%v\nthe list's:\n%v", seen, want)
		}
		last := fmt.Sprintf("/aftersale/events?days=365&page=%d&size=3", pages)
		if res := dir.Get("/aftersale/events?days=365&size=3&page=" + strconv.Itoa(pages+1)); res.Status != http.StatusSeeOther || res.Location() != last {
			t.Errorf("the page past the end: %d to %q, want %s", res.Status, res.Location(), last)
		}
		// 已关怀 from page 2 returns to page 2.
		page2 := dir.Get("/aftersale/events?days=365&size=3&page=2")
		m := regexp.MustCompile(`action="(/customers/\d+/care-done)"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]*"><input type="hidden" name="key" value="([^"]+)">\s*<input type="hidden" name="on" value="([^"]+)"><input type="hidden" name="next" value="([^"]+)">`).
			FindStringSubmatch(page2.Body)
		if m == nil {
			t.Fatalf("page 2 has no 已关怀 form:\n%.3000s", page2.Body)
		}
		next := html.UnescapeString(m[4])
		if next != "/aftersale/events?days=365&page=2&size=3" {
			t.Errorf("the form returns to %q", next)
		}
		res := dir.PostForm(m[1], url.Values{"key": {m[2]}, "on": {m[3]}, "how": {"call"}, "next": {next}})
		if res.Status != http.StatusSeeOther || res.Location() != next {
			t.Errorf("已关怀: %d to %q, want back to %q", res.Status, res.Location(), next)
		}
		// The event marked is listed as done, and left out where done
		// ones are (the home panel's); every other event as it was.
		for _, withDone := range []bool{true, false} {
			after, err := a.Aftersale.CareEvents(context.Background(), subject(t, a, "wangjianguo"), 365, withDone)
			if err != nil {
				t.Fatal(err)
			}
			marked := 0
			for _, e := range after {
				if e.Key == m[2] && e.On.Format("2006-01-02") == m[3] {
					marked++
					if e.Done == nil || e.Done.How != "call" {
						t.Errorf("the event marked is listed without its mark: %+v", e)
					}
				} else if e.Done != nil {
					t.Errorf("an event not marked is listed done: %+v", e)
				}
			}
			if want := map[bool]int{true: 1, false: 0}[withDone]; marked != want || len(after) != len(all)-1+want {
				t.Errorf("with done %v: the marked event %d times in %d events, want %d in %d", withDone, marked, len(after), want, len(all)-1+want)
			}
		}
	})
}

// TestCareEventsWindowExact: the care events of a window are read as
// ranges of month-days in order of occurrence (the days to the year's
// end, then the next year's), through each scope's own join (a branch's
// customers joined over more than a month, probed otherwise). From 15
// March 2026, key persons' birthdays and contracts' signing days on nine
// month-days — yesterday, today, the edges of a week and a month, the
// turn of the year, 29 February (28 February 2027) — must give exactly
// the window's events for the province, a branch, a team and a manager
// over a week, a month and a year, and none for another branch, on both
// databases.
func TestCareEventsWindowExact(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		lw := w.users["liwei"]
		mds := []string{"03-14", "03-15", "03-22", "03-23", "04-14", "04-15", "12-31", "01-01", "02-29"}
		for i, md := range mds {
			born, err := time.Parse(time.DateOnly, "1980-"+md)
			if err != nil {
				t.Fatal(err)
			}
			signed, _ := time.Parse(time.DateOnly, "2020-"+md)
			w.exec(`INSERT INTO contacts (customer_id, name, role, birthday, created_by, created_at, updated_at) VALUES (?, ?, 'user', ?, ?, ?, ?)`,
				w.cust["c1"], "生日"+md, born, lw.ID, reportNow, reportNow)
			w.exec(`INSERT INTO contracts (number, customer_id, owner_id, branch_id, title, status, signed_on, start_on, end_on, term_months, payment_terms, payment_due_day, monthly_fen, total_fen, created_at, updated_at, is_current)
				VALUES (?, ?, ?, ?, '合同', 'active', ?, ?, ?, 120, 'monthly', 5, 1000, 120000, ?, ?, TRUE)`,
				fmt.Sprintf("HT-MD-%d", i), w.cust["c1"], lw.ID, lw.BranchID, signed, signed, signed.AddDate(10, 0, 0), reportNow, reportNow)
		}
		want := map[int][]string{
			7:   {"2026-03-15", "2026-03-22"},
			30:  {"2026-03-15", "2026-03-22", "2026-03-23", "2026-04-14"},
			366: {"2026-03-15", "2026-03-22", "2026-03-23", "2026-04-14", "2026-04-15", "2026-12-31", "2027-01-01", "2027-02-28", "2027-03-14"},
		}
		ctx := context.Background()
		for _, who := range []string{"admin", "wangjianguo", "zhaomin", "liwei", "liuzhiqiang"} {
			for days, dates := range want {
				events, err := w.a.Aftersale.CareEvents(ctx, w.users[who], days, true)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string][]string{}
				for _, e := range events {
					if e.Kind == "birthday" || e.Kind == "anniversary" {
						got[e.Kind] = append(got[e.Kind], e.On.Format(time.DateOnly))
					}
				}
				exp := dates
				if who == "liuzhiqiang" {
					exp = nil // another branch's director sees none of them
				}
				for _, kind := range []string{"birthday", "anniversary"} {
					g := got[kind]
					slices.Sort(g)
					if fmt.Sprint(g) != fmt.Sprint(exp) {
						t.Errorf("%s, %d days, %ss: %v, want %v", who, days, kind, g, exp)
					}
				}
			}
		}
	})
}
