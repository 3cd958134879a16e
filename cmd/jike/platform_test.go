package main

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
)

// TestNotificationInbox: a user sees their own notices (bell count, list,
// open → link, mark read, mark all read), never another user's, and a
// notice's link can only point inside the portal.
func TestNotificationInbox(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		liwei, zhangjing := subject(t, a, "liwei"), subject(t, a, "zhangjing")
		err := a.Notify.Send(ctx,
			notify.Notice{UserID: liwei.ID, Kind: "test", MsgID: "notice.visit.prep_due", Args: map[string]string{"Customer": "哈尔滨测试医院", "When": "2026-03-01 14:00"}, Link: "/visits"},
			notify.Notice{UserID: liwei.ID, Kind: "test", MsgID: "notice.visit.record_overdue", Args: map[string]string{"Customer": "外链测试", "When": "x"}, Link: "//evil.example/steal"},
			notify.Notice{UserID: zhangjing.ID, Kind: "test", MsgID: "notice.visit.prep_due", Args: map[string]string{"Customer": "张静的客户", "When": "y"}, Link: "/visits"},
		)
		if err != nil {
			t.Fatal(err)
		}
		// The same key twice is one notice.
		for range 2 {
			if err := a.Notify.Send(ctx, notify.Notice{UserID: liwei.ID, Kind: "test", MsgID: "notice.visit.prep_due", Key: "k1",
				Args: map[string]string{"Customer": "去重客户", "When": "z"}}); err != nil {
				t.Fatal(err)
			}
		}
		c := loggedIn(t, a, "liwei")
		home := c.Get("/")
		if !regexp.MustCompile(`class="bell-count">3<`).MatchString(home.Body) {
			t.Fatalf("bell does not show 3 unread:\n%.2000s", home.Body)
		}
		inbox := c.Get("/notifications")
		for _, w := range []string{"哈尔滨测试医院的走访（2026-03-01 14:00）将在 24 小时内开始", "去重客户", "3 条未读"} {
			if !strings.Contains(inbox.Body, w) {
				t.Fatalf("inbox lacks %q", w)
			}
		}
		if strings.Contains(inbox.Body, "张静的客户") {
			t.Fatal("inbox shows another user's notice")
		}
		if strings.Count(inbox.Body, "去重客户") != 1 {
			t.Fatal("a notice sent twice with one key shows twice")
		}
		en := loggedIn(t, a, "liwei")
		en.PostForm("/lang", url.Values{"lang": {"en"}})
		if body := en.Get("/notifications").Body; !strings.Contains(body, "The visit to 哈尔滨测试医院 (2026-03-01 14:00) starts within 24 hours") {
			t.Fatal("notice not rendered in the reader's language")
		}
		en.PostForm("/lang", url.Values{"lang": {"zh-CN"}})

		list, _, err := a.Notify.List(ctx, liwei.ID, notify.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]uint{}
		for _, n := range list {
			ids[n.Link] = n.ID
			if n.Link == "//evil.example/steal" {
				t.Fatal("an off-site link was stored")
			}
		}
		others, _, _ := a.Notify.List(ctx, zhangjing.ID, notify.Filter{})
		theirs := others[0].ID

		runScenarios(t, a, []scenario{
			{name: "another user's notice is 404 (read)", as: "liwei", method: "POST", path: "/notifications/" + itoa(theirs) + "/read", status: 404},
			{name: "another user's notice is 404 (open)", as: "liwei", method: "POST", path: "/notifications/" + itoa(theirs) + "/open", status: 404},
			{name: "open goes to the link", as: "liwei", method: "POST", path: "/notifications/" + itoa(ids["/visits"]) + "/open", status: 303, location: "/visits"},
			{name: "no CSRF, no change", as: "liwei", method: "POST", path: "/notifications/read-all", noCSRF: true, status: 403},
			{name: "anonymous is sent to sign in", path: "/notifications", status: 303, location: "/login"},
		})
		if n, _ := a.Notify.Unread(ctx, liwei.ID); n != 2 {
			t.Fatalf("unread after opening one: %d, want 2", n)
		}
		if n, _ := a.Notify.Unread(ctx, zhangjing.ID); n != 1 {
			t.Fatalf("zhangjing's notice changed by liwei: unread %d", n)
		}
		if res := c.PostForm("/notifications/read-all", url.Values{}); res.Status != 303 {
			t.Fatalf("read-all: %d", res.Status)
		}
		if n, _ := a.Notify.Unread(ctx, liwei.ID); n != 0 {
			t.Fatalf("unread after read-all: %d", n)
		}
		if body := c.Get("/").Body; strings.Contains(body, "bell-count") {
			t.Fatal("bell still shows a count after everything was read")
		}
	})
}

// TestVisitRemindersJob: the visits.reminders job, driven by a fake clock,
// tells the owner once that a visit within 24 h is not prepared and once
// that a past visit has no record; a second run and a second instance add
// nothing.
func TestVisitRemindersJob(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clock := time.Now().UTC()
		now := func() time.Time { return clock }
		a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai"); o.Now = now })
		ctx := context.Background()
		_, p, _ := planVisit(t, a, 30*time.Hour) // not yet within 24 h
		liwei := subject(t, a, "liwei")
		run := func() {
			t.Helper()
			if _, err := a.Jobs.RunNow(ctx, "visits.reminders"); err != nil {
				t.Fatal(err)
			}
		}
		count := func(kind string) int {
			t.Helper()
			list, _, err := a.Notify.List(ctx, liwei.ID, notify.Filter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range list {
				if x.Kind == kind {
					n++
					if x.Link != "/visits/"+itoa(p.ID) {
						t.Fatalf("link %q", x.Link)
					}
				}
			}
			return n
		}
		run()
		if count(visits.ReminderPrep) != 0 {
			t.Fatal("a visit 30 h away already raised the preparation reminder")
		}
		clock = clock.Add(7 * time.Hour) // 23 h before the visit
		run()
		run()
		// A second instance on the same database runs the job too.
		other := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai"); o.Now = now })
		if _, err := other.Jobs.RunNow(ctx, "visits.reminders"); err != nil {
			t.Fatal(err)
		}
		if n := count(visits.ReminderPrep); n != 1 {
			t.Fatalf("%d preparation reminders, want 1", n)
		}
		clock = clock.Add(26 * time.Hour) // the visit is over, no record
		run()
		run()
		if n := count(visits.ReminderRecord); n != 1 {
			t.Fatalf("%d record reminders, want 1", n)
		}
		// The admin sees the job's runs.
		body := loggedIn(t, a, "admin").Get("/admin/jobs").Body
		if !strings.Contains(body, "visits.reminders") || !strings.Contains(body, "notify.prune") {
			t.Fatalf("jobs page lacks the jobs:\n%.1500s", body)
		}
	})
}

// TestJobsPageRunNow: the admin's "run now"; nobody else may.
func TestJobsPageRunNow(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	runScenarios(t, a, []scenario{
		{name: "admin runs a job", as: "admin", method: "POST", path: "/admin/jobs/visits.reminders/run", status: 303, location: "/admin/jobs"},
		{name: "unknown job", as: "admin", method: "POST", path: "/admin/jobs/nope/run", status: 404},
		{name: "director may not", as: "wangjianguo", method: "POST", path: "/admin/jobs/visits.reminders/run", status: 403},
		{name: "director has no page", as: "wangjianguo", path: "/admin/jobs", status: 403},
		{name: "the page shows the run", as: "admin", path: "/admin/jobs", status: 200, want: []string{"后台任务", "visits.reminders", "成功"}},
	})
}

// TestCrossModuleTransaction: two modules' service calls inside one
// db.WithTx commit together, and a failure injected after the second
// module's step rolls back the first module's write — on both databases.
func TestCrossModuleTransaction(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
		ctx := context.Background()
		liwei := subject(t, a, "liwei")
		cu, p, _ := planVisit(t, a, 48*time.Hour)
		opp, err := a.Prospects.CreateOpportunity(ctx, liwei, prospects.OpportunityInput{CustomerID: cu.ID, Title: "专线扩容", Monthly: "1000", Stage: prospects.StageNeeds})
		if err != nil {
			t.Fatal(err)
		}
		injected := errors.New("injected failure in the second module")
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := a.Prospects.MoveStage(ctx, liwei, opp.ID, prospects.StageMove{To: prospects.StageNegotiation}); err != nil {
				return err
			}
			if err := a.Visits.Cancel(ctx, liwei, p.ID, "客户改期"); err != nil {
				return err
			}
			return injected
		})
		if !errors.Is(err, injected) {
			t.Fatalf("WithTx: %v", err)
		}
		o, _, err := a.Prospects.Opportunity(ctx, liwei, opp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Stage != prospects.StageNeeds {
			t.Fatalf("the first module's write survived the rollback: stage %s", o.Stage)
		}
		dt, err := a.Visits.Detail(ctx, liwei, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dt.Plan.Status != visits.StatusPlanned {
			t.Fatalf("the second module's write survived the rollback: %s", dt.Plan.Status)
		}
		// Without the failure both commit.
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := a.Prospects.MoveStage(ctx, liwei, opp.ID, prospects.StageMove{To: prospects.StageNegotiation}); err != nil {
				return err
			}
			return a.Visits.Cancel(ctx, liwei, p.ID, "客户改期")
		})
		if err != nil {
			t.Fatal(err)
		}
		if o, _, _ := a.Prospects.Opportunity(ctx, liwei, opp.ID); o.Stage != prospects.StageNegotiation {
			t.Fatalf("stage %s after commit", o.Stage)
		}
	})
}

// TestThrottleNoticeReachesTheInbox: when wrong passwords start slowing a
// network down, the account's owner and the admins find it in their inbox.
func TestThrottleNoticeReachesTheInbox(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	ctx := context.Background()
	for range 6 {
		_, _ = a.Org.Login(ctx, "liwei", "wrong password", "203.0.113.9", "test")
	}
	a.Org.Wait()
	for _, who := range []string{"liwei", "admin"} {
		list, _, err := a.Notify.List(ctx, subject(t, a, who).ID, notify.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Kind != "login.throttled" {
			t.Fatalf("%s's inbox: %+v", who, list)
		}
	}
	if body := loggedIn(t, a, "liwei").Get("/notifications").Body; !strings.Contains(body, "输错密码") {
		t.Fatal("the owner's inbox does not say what happened")
	}
	if list, _, _ := a.Notify.List(ctx, subject(t, a, "zhangjing").ID, notify.Filter{}); len(list) != 0 {
		t.Fatal("a bystander was notified")
	}
}
