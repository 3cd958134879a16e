package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
)

// planVisit creates a customer of liwei with a key person and a visit
// planned `in` from now.
func planVisit(t *testing.T, a *app, in time.Duration) (*prospects.Customer, *visits.Plan, uint) {
	t.Helper()
	ctx := context.Background()
	cu := seedCustomer(t, a, "liwei", "走访测试医院", prospects.MakeCreditCode("12230103MB1000009"))
	ct, err := a.Prospects.SaveContact(ctx, subject(t, a, "liwei"), cu.ID, 0, prospects.ContactInput{Name: "孙院长", Title: "院长", Role: "decision", Mobile: "13912345678"})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	at := a.Visits.Now().Add(in).In(loc)
	p, err := a.Visits.CreatePlan(ctx, subject(t, a, "liwei"), visits.PlanInput{CustomerID: cu.ID, Date: at.Format("2006-01-02"),
		Time: at.Format("15:04"), Kind: "needs", Objective: "确认影像云需求", Contacts: []uint{ct.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return cu, p, ct.ID
}

func TestVisitPages(t *testing.T) {
	t.Parallel()
	// A fixed clock: a Wednesday morning in Shanghai, so "three hours from
	// now" is today and this week whatever time the suite runs.
	loc, _ := time.LoadLocation("Asia/Shanghai")
	wednesday := time.Date(2026, 6, 3, 9, 0, 0, 0, loc)
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location = loc; o.Now = func() time.Time { return wednesday } })
		cu, p, _ := planVisit(t, a, 3*time.Hour)
		vURL := "/visits/" + itoa(p.ID)
		runScenarios(t, a, []scenario{
			{name: "owner sees the visit", as: "liwei", path: vURL, status: 200, want: []string{"确认影像云需求", "孙院长", "走访前准备", "准备清单还没有完成"}},
			{name: "another manager gets 404", as: "zhangjing", path: vURL, status: 404},
			{name: "another manager's brief is 404", as: "zhangjing", path: vURL + "/brief", status: 404},
			{name: "the chief rep reads it", as: "zhaomin", path: vURL, status: 200},
			{name: "the admin cannot tick the checklist", as: "admin", method: "POST", path: vURL + "/check", form: url.Values{"item": {"cards"}, "on": {"1"}}, status: 403},
			{name: "brief page", as: "liwei", path: vURL + "/brief", status: 200, want: []string{"走访前简报", "走访测试医院", "孙院长", "院长", "决策人"}},
			{name: "home agenda", as: "liwei", path: "/", status: 200, want: []string{"今日走访", "走访测试医院", "准备未完成"}},
			{name: "week calendar", as: "liwei", path: "/visits/calendar", status: 200, want: []string{"走访测试医院"}},
			{name: "month calendar", as: "liwei", path: "/visits/calendar?mode=month", status: 200, want: []string{"走访测试医院"}},
			{name: "team calendar for the chief rep", as: "zhaomin", path: "/visits/calendar?who=scope", status: 200, want: []string{"走访测试医院"}},
			{name: "another manager's calendar", as: "zhangjing", path: "/visits/calendar?who=scope", status: 200, wantNot: []string{"走访测试医院"}},
			{name: "visit list", as: "liwei", path: "/visits", status: 200, want: []string{"走访测试医院", "需求访谈"}},
			{name: "customer link", as: "liwei", path: "/customers/" + itoa(cu.ID) + "/visits", status: 303, location: "/visits?customer="},
			{name: "plan form", as: "liwei", path: "/visits/new?customer=" + itoa(cu.ID), status: 200, want: []string{"走访前准备", "孙院长"}},
			{name: "plan with errors", as: "liwei", method: "POST", path: "/visits", form: url.Values{"customer_id": {itoa(cu.ID)}, "date": {"x"}, "kind": {"needs"}}, status: 422, want: []string{"请输入日期和时间", "走访前须明确走访目的"}},
			{name: "cancel needs a reason", as: "liwei", method: "POST", path: vURL + "/cancel", form: url.Values{"reason": {""}}, status: 303, location: vURL},
			{name: "a future visit cannot be missed", as: "liwei", method: "POST", path: vURL + "/missed", status: 303, location: vURL},
		})
	})
}

// TestChecklistAndRecordOverHTTP ticks the checklist the way the page does
// (htmx) and records the visit with a discovered need and a next step.
func TestChecklistAndRecordOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
	cu, p, contactID := planVisit(t, a, -time.Hour)
	c := loggedIn(t, a, "liwei")
	vURL := "/visits/" + itoa(p.ID)
	c.Get(vURL)
	for _, item := range visits.ChecklistItems {
		req, _ := http.NewRequest(http.MethodPost, vURL+"/check", strings.NewReader(url.Values{"item": {item}, "on": {"1"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.CSRF())
		res := c.Do(req)
		if res.Status != 200 || !strings.Contains(res.Body, `id="checklist"`) || strings.Contains(res.Body, "<html") {
			t.Fatalf("tick %s: %d\n%.300s", item, res.Status, res.Body)
		}
	}
	next := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	res := c.PostForm(vURL+"/record", url.Values{
		"discussed": {"院方计划建设影像云平台。"}, "attitude": {"positive"},
		"need_category_0": {"idc_cloud"}, "need_description_0": {"PACS 影像云存储 50TB"}, "need_contact_0": {itoa(contactID)},
		"next_step": {"方案演示"}, "next_date": {next}, "next_time": {"10:00"}, "next_kind": {"demo"},
	})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("record: %d\n%.2000s", res.Status, res.Body)
	}
	page := c.Get(vURL)
	if !strings.Contains(page.Body, "下一次走访已排入日历") || !strings.Contains(page.Body, "已安排下一次走访") {
		t.Fatalf("after record:\n%.3000s", page.Body)
	}
	var needs int64
	a.DB.Gorm.Table("needs").Where("customer_id = ? AND source_visit_id = ? AND description = ?", cu.ID, p.ID, "PACS 影像云存储 50TB").Count(&needs)
	if needs != 1 {
		t.Fatalf("the discovered need was not registered (%d)", needs)
	}
	cal := c.Get("/visits/calendar?mode=week&date=" + next)
	if !strings.Contains(cal.Body, "走访测试医院") || !strings.Contains(cal.Body, "方案演示") {
		t.Fatal("the next visit is not on the calendar")
	}
	timeline := c.Get("/customers/" + itoa(cu.ID))
	if !strings.Contains(timeline.Body, "完成走访") || !strings.Contains(timeline.Body, "PACS 影像云存储 50TB") {
		t.Fatalf("customer timeline lacks the visit or the need:\n%.3000s", timeline.Body[strings.Index(timeline.Body, `id="timeline"`):])
	}
}

// TestCalendarFeedOverHTTP subscribes through the page, fetches the feed
// anonymously with the token, and checks a revoked token is refused.
func TestCalendarFeedOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
	planVisit(t, a, 26*time.Hour)
	c := loggedIn(t, a, "liwei")
	c.Get("/visits/feed")
	res := c.PostForm("/visits/feed", url.Values{})
	m := regexp.MustCompile(`/ics/([A-Za-z0-9_-]+)`).FindStringSubmatch(res.Body)
	if res.Status != 200 || m == nil {
		t.Fatalf("feed page: %d", res.Status)
	}
	anon := testkit.NewClient(t, a.Server.App)
	feed := anon.Get("/ics/" + m[1])
	if feed.Status != 200 || !strings.HasPrefix(feed.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(feed.Body, "BEGIN:VEVENT") || !strings.Contains(feed.Body, "走访测试医院") {
		t.Fatalf("feed: %d %s\n%.500s", feed.Status, feed.Header.Get("Content-Type"), feed.Body)
	}
	if res := c.PostForm("/visits/feed/revoke", url.Values{}); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	if res := anon.Get("/ics/" + m[1]); res.Status != 404 {
		t.Fatalf("revoked feed: %d", res.Status)
	}
	if res := anon.Get("/ics/not-a-real-token-at-all-123456"); res.Status != 404 {
		t.Fatalf("unknown token: %d", res.Status)
	}
}

// TestBriefPDF downloads the pre-visit brief and reads it back with
// pdftotext: the customer and every key person to meet are there, with no
// character lost; another manager cannot reach it.
func TestBriefPDF(t *testing.T) {
	t.Parallel()
	pdftest.NeedTools(t, "pdftotext")
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
	cu, p, first := planVisit(t, a, 26*time.Hour)
	ctx := context.Background()
	second, err := a.Prospects.SaveContact(ctx, subject(t, a, "liwei"), cu.ID, 0, prospects.ContactInput{Name: "欧阳晓燕", Title: "信息科科长", Role: "influencer", Preferences: "关注数据安全，喜欢看案例"})
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	in := visits.PlanInput{CustomerID: cu.ID, Date: p.StartsAt.In(loc).Format("2006-01-02"), Time: p.StartsAt.In(loc).Format("15:04"),
		Duration: "90", Kind: "needs", Objective: "确认影像云需求，演示医疗云方案并约定下一步的技术交流会", Contacts: []uint{first, second.ID}, Version: p.Version}
	if _, err := a.Visits.UpdatePlan(ctx, subject(t, a, "liwei"), p.ID, in); err != nil {
		t.Fatal(err)
	}
	c := loggedIn(t, a, "liwei")
	res := c.Get("/visits/" + itoa(p.ID) + "/brief.pdf")
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Body, "%PDF") {
		t.Fatalf("brief.pdf: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	out := pdftest.Run(t, "pdftotext", "-layout", pdftest.Write(t, []byte(res.Body)), "-")
	text := pdftest.NoSpace(out)
	for _, want := range []string{"走访测试医院", "孙院长", "欧阳晓燕", "信息科科长", "关注数据安全，喜欢看案例", "确认影像云需求，演示医疗云方案并约定下一步的技术交流会", "走访前简报"} {
		if !strings.Contains(text, want) {
			t.Errorf("the brief PDF lacks %q:\n%s", want, out)
		}
	}
	if res := loggedIn(t, a, "zhangjing").Get("/visits/" + itoa(p.ID) + "/brief.pdf"); res.Status != 404 {
		t.Fatalf("another manager's brief PDF: %d", res.Status)
	}
}

// TestTodoPages: the record form's "to-do" next step through the real
// router: the to-do is on the owner's workbench agenda and on the visit
// page, ticked off from there; another manager's tick is a 404.
func TestTodoPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
		_, p, _ := planVisit(t, a, -3*time.Hour)
		visit := "/visits/" + itoa(p.ID)
		today := time.Now().In(a.Visits.Location()).Format("2006-01-02")
		runScenarios(t, a, []scenario{
			{name: "record form offers a to-do", as: "liwei", path: visit, status: 200, want: []string{`<option value="todo"`, "待办（不是走访）"}},
			{name: "record with a to-do", as: "liwei", method: "POST", path: visit + "/record", form: url.Values{"discussed": {"确认了预算"}, "attitude": {"positive"},
				"next_step": {"发送影像云报价"}, "next_date": {today}, "next_kind": {"todo"}}, status: 303, location: visit},
			{name: "the to-do on the agenda", as: "liwei", path: "/", status: 200, want: []string{"待办", "发送影像云报价", `action="/todos/`}},
			{name: "the to-do on the visit page", as: "liwei", path: visit, status: 200, want: []string{"发送影像云报价", "未完成", "标记完成"}},
			{name: "not on another manager's agenda", as: "zhangjing", path: "/", status: 200, wantNot: []string{"发送影像云报价"}},
		})
		var todo visits.Todo
		if err := d.Gorm.Where("visit_id = ?", p.ID).First(&todo).Error; err != nil {
			t.Fatal(err)
		}
		done := "/todos/" + itoa(todo.ID) + "/done"
		runScenarios(t, a, []scenario{
			{name: "another manager cannot tick it", as: "zhangjing", method: "POST", path: done, form: url.Values{}, status: 404},
			{name: "the admin may not", as: "admin", method: "POST", path: done, form: url.Values{}, status: 403},
			{name: "ticked off from the visit page", as: "liwei", method: "POST", path: done, form: url.Values{"next": {visit}}, status: 303, location: visit},
			{name: "done on the visit page", as: "liwei", path: visit, status: 200, want: []string{"已完成"}, wantNot: []string{"标记完成"}},
			{name: "gone from the agenda", as: "liwei", path: "/", status: 200, wantNot: []string{"发送影像云报价"}},
			{name: "a foreign next is ignored", as: "liwei", method: "POST", path: done, form: url.Values{"next": {"https://evil.example.com/"}}, status: 303, location: "/"},
		})
	})
}
