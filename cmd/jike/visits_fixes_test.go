package main

// Visits: saving a record is all or nothing (issue 8.7, 8.13) — the whole
// form is checked first, and the record, the visit's status, the next plan
// or to-do and the needs are written in one transaction; the record form
// once the visit started; lists and calendars with owners, upcoming first;
// the webcal link; the calendar's words and nav (issue 9).

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
	"gorm.io/gorm"
)

// visitState is what saving a record may change, counted in the database.
type visitState struct {
	status                      string
	records, needs, plans, todo int64
	audit                       int64
}

func stateOf(t *testing.T, d *db.DB, customerID, visitID uint) visitState {
	t.Helper()
	var s visitState
	g := d.Gorm
	if err := g.Table("visit_plans").Where("id = ?", visitID).Select("status").Scan(&s.status).Error; err != nil {
		t.Fatal(err)
	}
	g.Table("visit_records").Where("visit_id = ?", visitID).Count(&s.records)
	g.Table("needs").Where("customer_id = ?", customerID).Count(&s.needs)
	g.Table("visit_plans").Where("customer_id = ?", customerID).Count(&s.plans)
	g.Table("visit_todos").Where("customer_id = ?", customerID).Count(&s.todo)
	g.Table("audit_log").Where("entity IN ?", []string{"visit_record", "need", "visit_todo"}).Count(&s.audit)
	return s
}

func recordForm(needs ...[3]string) url.Values {
	f := url.Values{"discussed": {"院方计划建设影像云平台。"}, "attitude": {"positive"},
		"next_step": {"方案演示"}, "next_date": {time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, "next_time": {"10:00"}, "next_kind": {"demo"}}
	for i, n := range needs {
		k := string(rune('0' + i))
		f.Set("need_category_"+k, n[0])
		f.Set("need_description_"+k, n[1])
		f.Set("need_contact_"+k, n[2])
	}
	return f
}

func TestVisitRecordIsAllOrNothing(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
		ctx := context.Background()
		cu, p, contactID := planVisit(t, a, -time.Hour)
		other := seedCustomer(t, a, "liwei", "另一家医院", creditCode("0103", 9))
		stranger, err := a.Prospects.SaveContact(ctx, subject(t, a, "liwei"), other.ID, 0, prospects.ContactInput{Name: "王主任", Role: "influencer"})
		if err != nil {
			t.Fatal(err)
		}
		vURL := "/visits/" + itoa(p.ID)
		c := loggedIn(t, a, "liwei")
		c.Get(vURL)
		untouched := stateOf(t, d, cu.ID, p.ID)
		if untouched.status != visits.StatusPlanned || untouched.records != 0 || untouched.needs != 0 || untouched.plans != 1 {
			t.Fatalf("start: %+v", untouched)
		}

		// 1. A need naming another customer's key person: 422 with the
		// message next to that row, the form as typed, nothing saved.
		res := c.PostForm(vURL+"/record", recordForm(
			[3]string{"idc_cloud", "PACS 影像云存储 50TB", itoa(contactID)},
			[3]string{"dedicated_line", "院区专线扩容", itoa(stranger.ID)}))
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("another customer's key person: %d", res.Status)
		}
		row := regexp.MustCompile(`(?s)<div class="need-line has-error">.*?</div>`).FindString(res.Body)
		if !strings.Contains(row, `id="need_contact_1"`) || !strings.Contains(row, "提出人须为该客户的关键人") {
			t.Fatalf("the message is not next to the second need:\n%s", res.Body[strings.Index(res.Body, `id="record"`):])
		}
		for _, want := range []string{`value="PACS 影像云存储 50TB"`, `value="院区专线扩容"`, "院方计划建设影像云平台。"} {
			if !strings.Contains(res.Body, want) {
				t.Errorf("the form lost %s", want)
			}
		}
		if got := stateOf(t, d, cu.ID, p.ID); got != untouched {
			t.Fatalf("a refused record changed the data: %+v, was %+v", got, untouched)
		}

		// 2. A failure inside the needs step (injected after the first need
		// was written): nothing of the record is kept, on either database.
		orig := a.Visits.CreateNeed
		calls := 0
		a.Visits.CreateNeed = func(ctx context.Context, tx *gorm.DB, actor authz.Subject, n visits.NeedRequest) error {
			calls++
			if calls == 2 {
				return errors.New("injected: the needs table is unavailable")
			}
			return orig(ctx, tx, actor, n)
		}
		res = c.PostForm(vURL+"/record", recordForm(
			[3]string{"idc_cloud", "PACS 影像云存储 50TB", itoa(contactID)},
			[3]string{"dedicated_line", "院区专线扩容", ""}))
		if res.Status != http.StatusInternalServerError || calls != 2 {
			t.Fatalf("injected failure: status %d after %d needs", res.Status, calls)
		}
		if got := stateOf(t, d, cu.ID, p.ID); got != untouched {
			t.Fatalf("a failed record left data behind: %+v, was %+v", got, untouched)
		}

		// 3. The needs module refusing a need with a message for a field
		// the form does not have: 422, and the message is still shown.
		a.Visits.CreateNeed = func(context.Context, *gorm.DB, authz.Subject, visits.NeedRequest) error {
			return apperr.Fields{"priority": "v.choose"}
		}
		res = c.PostForm(vURL+"/record", recordForm([3]string{"idc_cloud", "PACS 影像云存储 50TB", ""}))
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `role="alert">请从列表中选择`) {
			t.Fatalf("a need refused for another field: %d, message missing", res.Status)
		}
		if got := stateOf(t, d, cu.ID, p.ID); got != untouched {
			t.Fatalf("a refused need left data behind: %+v", got)
		}

		// 4. All well: everything is saved together, and the need belongs
		// to the customer's only open opportunity.
		a.Visits.CreateNeed = orig
		opp, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: cu.ID, Title: "影像云", Stage: prospects.StageNeeds})
		if err != nil {
			t.Fatal(err)
		}
		res = c.PostForm(vURL+"/record", recordForm(
			[3]string{"idc_cloud", "PACS 影像云存储 50TB", itoa(contactID)},
			[3]string{"dedicated_line", "院区专线扩容", ""}))
		if res.Status != http.StatusSeeOther {
			t.Fatalf("record: %d\n%.2000s", res.Status, res.Body)
		}
		got := stateOf(t, d, cu.ID, p.ID)
		if got.status != visits.StatusDone || got.records != 1 || got.needs != 2 || got.plans != 2 {
			t.Fatalf("after the record: %+v", got)
		}
		var linked int64
		d.Gorm.Table("needs").Where("customer_id = ? AND opportunity_id = ? AND source_visit_id = ?", cu.ID, opp.ID, p.ID).Count(&linked)
		if linked != 2 {
			t.Fatalf("%d of 2 needs are linked to the only open opportunity", linked)
		}
	})
}

// TestRecordOnlyOnceTheVisitStarted: the record form is offered, and a
// record accepted, only once the visit's time has come.
func TestRecordOnlyOnceTheVisitStarted(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
		cu, p, _ := planVisit(t, a, 3*time.Hour)
		vURL := "/visits/" + itoa(p.ID)
		runScenarios(t, a, []scenario{
			{name: "no form yet", as: "liwei", path: vURL, status: 200, want: []string{"走访开始后才能填写走访记录"}, wantNot: []string{`id="save-record"`, "没有走访记录"}},
			{name: "no record yet", as: "liwei", method: "POST", path: vURL + "/record", form: url.Values{"discussed": {"x"}, "attitude": {"neutral"}}, status: 422, want: []string{"走访时间还没到，还不能填写走访记录"}},
		})
		if got := stateOf(t, d, cu.ID, p.ID); got.records != 0 || got.status != visits.StatusPlanned {
			t.Fatalf("an early record was saved: %+v", got)
		}
		at := time.Now().Add(-10 * time.Minute).In(a.Visits.Location())
		started, err := a.Visits.CreatePlan(context.Background(), subject(t, a, "liwei"), visits.PlanInput{CustomerID: cu.ID,
			Date: at.Format("2006-01-02"), Time: at.Format("15:04"), Kind: "needs", Objective: "确认需求"})
		if err != nil {
			t.Fatal(err)
		}
		runScenarios(t, a, []scenario{
			{name: "the form once it started", as: "liwei", path: "/visits/" + itoa(started.ID), status: 200, want: []string{`id="save-record"`}, wantNot: []string{"走访开始后才能填写走访记录"}},
		})
	})
}

// TestVisitListUpcomingFirstWithOwners: the visit list starts with today
// and the coming days, soonest first, then the earlier visits, latest
// first; lists and calendars that span several people say whose visit it
// is.
func TestVisitListUpcomingFirstWithOwners(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		loc, _ := time.LoadLocation("Asia/Shanghai")
		a := newTestApp(t, d, func(o *appOptions) { o.Location = loc })
		ctx := context.Background()
		mine := seedCustomer(t, a, "liwei", "松花江航运集团", creditCode("0103", 1))
		theirs := seedCustomer(t, a, "zhangjing", "嫩江物流公司", creditCode("0103", 2))
		now := time.Now().In(loc)
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		plan := func(as string, cu *prospects.Customer, at time.Time) uint {
			t.Helper()
			p, err := a.Visits.CreatePlan(ctx, subject(t, a, as), visits.PlanInput{CustomerID: cu.ID, Date: at.Format("2006-01-02"),
				Time: at.Format("15:04"), Kind: "care", Objective: "回访"})
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		lastWeek := plan("liwei", mine, today.Add(-7*24*time.Hour+9*time.Hour))
		yesterday := plan("zhangjing", theirs, today.Add(-24*time.Hour+15*time.Hour))
		nextWeek := plan("liwei", mine, today.Add(7*24*time.Hour+9*time.Hour))
		earlyToday := plan("liwei", mine, today.Add(time.Minute))
		tomorrow := plan("zhangjing", theirs, today.Add(24*time.Hour+10*time.Hour))
		want := []string{itoa(earlyToday), itoa(tomorrow), itoa(nextWeek), itoa(yesterday), itoa(lastWeek)}

		team := loggedIn(t, a, "zhaomin").Get("/visits?who=scope")
		tbody := regexp.MustCompile(`(?s)<tbody>.*</tbody>`).FindString(team.Body)
		var order []string
		for _, m := range regexp.MustCompile(`<td><a href="/visits/(\d+)">`).FindAllStringSubmatch(tbody, -1) {
			order = append(order, m[1])
		}
		if strings.Join(order, ",") != strings.Join(want, ",") {
			t.Fatalf("team list order %v, want %v (today, the coming days, then the past)", order, want)
		}
		if i := strings.Index(tbody, "以往走访"); i < 0 || i > strings.Index(tbody, `href="/visits/`+itoa(yesterday)+`"`) || i < strings.Index(tbody, `href="/visits/`+itoa(nextWeek)+`"`) {
			t.Fatal("the past visits are not set apart")
		}
		if !strings.Contains(team.Body, "<th>客户经理</th>") || !strings.Contains(tbody, "<td>李伟</td>") || !strings.Contains(tbody, "<td>张静</td>") {
			t.Fatalf("the team list does not say whose visits they are:\n%s", tbody)
		}
		if own := loggedIn(t, a, "liwei").Get("/visits"); strings.Contains(own.Body, "<th>客户经理</th>") {
			t.Fatal("one's own list needs no owner column")
		}
		week := "/visits/calendar?who=scope&date=" + today.Add(24*time.Hour).Format("2006-01-02")
		cal := loggedIn(t, a, "wangjianguo").Get(week)
		if !strings.Contains(cal.Body, `<span class="cal-owner">张静</span>`) {
			t.Fatalf("the branch calendar does not say whose visit it is:\n%.3000s", cal.Body)
		}
		if own := loggedIn(t, a, "zhangjing").Get(week); strings.Contains(own.Body, "cal-owner") {
			t.Fatal("one's own calendar needs no owner")
		}
	})
}

// TestFeedSubscribeLinkIsWebcal: the "subscribe on this device" link is a
// webcal:// URL of our host and the new token, not html/template's
// #ZgotmplZ (issue 9.6).
func TestFeedSubscribeLinkIsWebcal(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		c := loggedIn(t, a, "liwei")
		c.Get("/visits/feed")
		res := c.PostForm("/visits/feed", url.Values{})
		if res.Status != 200 {
			t.Fatalf("create feed: %d", res.Status)
		}
		m := regexp.MustCompile(`id="feed-subscribe" href="([^"]*)"`).FindStringSubmatch(res.Body)
		if m == nil {
			t.Fatalf("no subscribe link:\n%.2000s", res.Body)
		}
		token := regexp.MustCompile(`/ics/([A-Za-z0-9_-]+)`).FindStringSubmatch(res.Body)
		if !strings.HasPrefix(m[1], "webcal://") || strings.Contains(res.Body, "ZgotmplZ") || token == nil || m[1] != "webcal://example.com/ics/"+token[1] {
			t.Fatalf("subscribe href = %q, want webcal://example.com/ics/<token>", m[1])
		}
		// The link works: the same token serves the feed.
		if feed := testkit.NewClient(t, a.Server.App).Get("/ics/" + token[1]); feed.Status != 200 {
			t.Fatalf("feed behind the link: %d", feed.Status)
		}
	})
}

// TestCalendarWordsAndNav: the calendar says 上一周/下一周 and 上个月/下个月,
// and only its own nav item is highlighted.
func TestCalendarWordsAndNav(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	runScenarios(t, a, []scenario{
		{name: "week", as: "liwei", path: "/visits/calendar", status: 200, want: []string{"‹ 上一周", "下一周 ›"}, wantNot: []string{"上一页", "下一页", "上个月"}},
		{name: "month", as: "liwei", path: "/visits/calendar?mode=month", status: 200, want: []string{"‹ 上个月", "下个月 ›"}, wantNot: []string{"上一周"}},
	})
	en := inEnglish(t, a, "liwei")
	expectInEnglish(t, en, "/visits/calendar", "Previous week", "Next week")
	expectInEnglish(t, en, "/visits/calendar?mode=month", "Previous month", "Next month")
	nav := regexp.MustCompile(`(?s)<nav id="nav".*?</nav>`)
	active := regexp.MustCompile(`<a href="([^"]+)" class="active" aria-current="page">`)
	c := loggedIn(t, a, "liwei")
	for path, want := range map[string]string{"/visits/calendar": "/visits/calendar", "/visits/calendar?mode=month": "/visits/calendar", "/visits": "/visits", "/visits/feed": "/visits"} {
		body := nav.FindString(c.Get(path).Body)
		got := active.FindAllStringSubmatch(body, -1)
		if len(got) != 1 || got[0][1] != want {
			t.Errorf("%s highlights %v, want only %s", path, got, want)
		}
	}
}

// TestOneWordForVisit: the Chinese UI calls a visit 走访 everywhere.
func TestOneWordForVisit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	for _, id := range []string{"stage.visited", "visits.meet", "brief.people", "visits.v.contact"} {
		if s := a.Server.I18n.T("zh-CN", id); strings.Contains(s, "拜访") || !strings.Contains(s, "走访") {
			t.Errorf("%s = %q, want 走访", id, s)
		}
	}
	for _, path := range []string{"/pipeline", "/opportunities"} {
		if body := loggedIn(t, a, "liwei").Get(path).Body; strings.Contains(body, "拜访") {
			t.Errorf("%s still says 拜访", path)
		}
	}
}

// TestPlanFormDefaultsToCustomerAddress: a new visit takes place at the
// customer's address unless changed.
func TestPlanFormDefaultsToCustomerAddress(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
		ctx := context.Background()
		cu, err := a.Prospects.CreateCustomer(ctx, subject(t, a, "liwei"), prospects.CustomerInput{Name: "松花江航运集团", CreditCode: creditCode("0103", 1),
			Industry: "logistics", Grade: "B", Status: "prospect", Region: "南岗区", Address: "哈尔滨市南岗区学府路 52 号"}, true)
		if err != nil {
			t.Fatal(err)
		}
		c := loggedIn(t, a, "liwei")
		if res := c.Get("/visits/new?customer=" + itoa(cu.ID)); !strings.Contains(res.Body, `name="location" value="哈尔滨市南岗区学府路 52 号"`) {
			t.Fatalf("the place is not prefilled:\n%.4000s", res.Body)
		}
		res := c.PostForm("/visits", url.Values{"customer_id": {itoa(cu.ID)}, "date": {"2030-01-02"}, "time": {"10:00"}, "kind": {"first"}, "objective": {"初访"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("plan: %d\n%.2000s", res.Status, res.Body)
		}
		var loc string
		d.Gorm.Table("visit_plans").Where("customer_id = ?", cu.ID).Select("location").Scan(&loc)
		if loc != "哈尔滨市南岗区学府路 52 号" {
			t.Fatalf("a plan without a place got %q", loc)
		}
	})
}
