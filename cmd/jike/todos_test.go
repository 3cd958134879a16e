package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/todos"
)

// shanghai is the zone the to-do tests plan in (due times are local).
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// todoApp is an app on a fake clock at 2026-06-15 09:00 in Shanghai.
func todoApp(t *testing.T, d *db.DB) (*app, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC)}
	loc := shanghai(t)
	return newTestApp(t, d, func(o *appOptions) { o.Now, o.Location = clk.Now, loc }), clk
}

// lastTodo is the newest to-do (deleted ones too).
func lastTodo(t *testing.T, a *app) todos.Todo {
	t.Helper()
	var td todos.Todo
	if err := a.DB.Gorm.Unscoped().Order("id DESC").First(&td).Error; err != nil {
		t.Fatal(err)
	}
	return td
}

func countTodos(t *testing.T, a *app) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Gorm.Model(&todos.Todo{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// notices lists a user's notifications of a kind.
func notices(t *testing.T, a *app, username, kind string) []notify.Notification {
	t.Helper()
	var out []notify.Notification
	if err := a.DB.Gorm.Where("user_id = ? AND kind = ?", subject(t, a, username).ID, kind).Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTodoScopeAndValidation creates, edits, ticks off and deletes
// to-dos through the router. Another team's or branch's user gets a 404
// on every to-do route and on the linked record; a link to a record the
// creator (or the assignee) may not see and an assignee outside the
// creator's scope are refused with a localized message that changes
// nothing; an empty title and a bad date too. Done/undone with a stale
// version is a conflict, not a change; every change is audited; the
// delete is confirmed and soft.
func TestTodoScopeAndValidation(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, _ := todoApp(t, d)
		cu := afterCustomer(t, a, "liwei", "待办测试银行", "91230103MA4000001", "B")
		other := afterCustomer(t, a, "zhangjing", "别人的证券公司", "91230103MA4000002", "B")
		opp, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: cu.ID, Title: "专线扩容"})
		if err != nil {
			t.Fatal(err)
		}
		otherOpp, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "zhangjing"), prospects.OpportunityInput{CustomerID: other.ID, Title: "证券专线"})
		if err != nil {
			t.Fatal(err)
		}
		liwei := loggedIn(t, a, "liwei")
		form := func(kv ...string) url.Values {
			v := url.Values{"title": {"发送专线报价单"}, "date": {"2026-06-15"}, "time": {"15:00"}, "link": {"customer:" + itoa(cu.ID)}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		// The form opens from the customer page's action, linked.
		if res := liwei.Get("/customers/" + itoa(cu.ID)); res.Status != 200 || !strings.Contains(res.Body, "/todos/new?link=customer:"+itoa(cu.ID)) {
			t.Fatalf("customer page lacks the to-do action: %d", res.Status)
		}
		if res := liwei.Get("/todos/new?link=customer:" + itoa(cu.ID)); res.Status != 200 || !strings.Contains(res.Body, cu.Name) {
			t.Fatalf("new form: %d", res.Status)
		}
		if res := liwei.Get("/todos/new?link=customer:" + itoa(other.ID)); res.Status != 404 {
			t.Fatalf("new form linked to another's customer: %d, want 404", res.Status)
		}
		// Bad input: a localized 422 and nothing stored.
		for _, c := range []struct {
			name string
			form url.Values
			want string
		}{
			{"empty title", form("title", "  "), "必填"},
			{"bad date", form("date", "2026-13-40"), "请输入日期"},
			{"bad time", form("time", "25:99"), "请输入时间"},
			{"no date", form("date", ""), "必填"},
			{"another's customer", form("link", "customer:"+itoa(other.ID)), "无权查看"},
			{"another's opportunity", form("link", "opportunity:"+itoa(otherOpp.ID)), "无权查看"},
			{"unknown link type", form("link", "visit:1"), "无权查看"},
			{"assignee outside scope", form("assignee", itoa(subject(t, a, "chenhao").ID)), "只能分派给"},
		} {
			res := liwei.PostForm("/todos", c.form)
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.want) {
				t.Errorf("%s: %d, want 422 with %q", c.name, res.Status, c.want)
			}
		}
		if n := countTodos(t, a); n != 0 {
			t.Fatalf("refused forms stored %d to-dos", n)
		}
		// A chief rep assigns within the team, not outside; the link must
		// be one the assignee may see too.
		zhaomin := loggedIn(t, a, "zhaomin")
		if res := zhaomin.PostForm("/todos", form("assignee", itoa(subject(t, a, "zhoujie").ID), "link", "")); res.Status != 422 {
			t.Errorf("chief rep assigning to another team: %d", res.Status)
		}
		if res := zhaomin.PostForm("/todos", form("assignee", itoa(subject(t, a, "chenhao").ID))); res.Status != 422 || !strings.Contains(res.Body, "负责人无权查看") {
			t.Errorf("assigning a link the assignee cannot see: %d", res.Status)
		}
		if n := countTodos(t, a); n != 0 {
			t.Fatalf("refused assignments stored %d to-dos", n)
		}
		// liwei makes one linked to the opportunity.
		if res := liwei.PostForm("/todos", form("link", "opportunity:"+itoa(opp.ID), "next", "/opportunities/"+itoa(opp.ID))); res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/opportunities/"+itoa(opp.ID) {
			t.Fatalf("create: %d %s", res.Status, res.Header.Get("Location"))
		}
		td := lastTodo(t, a)
		want := time.Date(2026, 6, 15, 7, 0, 0, 0, time.UTC) // 15:00 in Shanghai
		if td.Title != "发送专线报价单" || !td.DueAt.Equal(want) || td.AllDay || td.OwnerID != subject(t, a, "liwei").ID ||
			td.LinkType != "opportunity" || td.CustomerID == nil || *td.CustomerID != cu.ID || td.Version != 1 {
			t.Fatalf("stored: %+v", td)
		}
		id := itoa(td.ID)
		// Mine, the home agenda, the chief rep's team view, the director's.
		if res := liwei.Get("/todos"); !strings.Contains(res.Body, "发送专线报价单") || !strings.Contains(res.Body, "专线扩容") {
			t.Errorf("my list lacks the to-do or its link")
		}
		if res := liwei.Get("/"); !strings.Contains(res.Body, `id="free-todo-`+id+`"`) {
			t.Errorf("home agenda lacks the to-do")
		}
		if res := zhaomin.Get("/todos?view=team&status=all"); !strings.Contains(res.Body, "发送专线报价单") {
			t.Errorf("the chief rep's team view lacks the team's to-do")
		}
		// Scope: another team, branch: 404 on every route and on the link.
		for _, u := range []string{"zhangjing", "zhoujie", "chenhao", "liuzhiqiang"} {
			c := loggedIn(t, a, u)
			if res := c.Get("/todos/" + id + "/edit"); res.Status != 404 {
				t.Errorf("%s GET edit: %d, want 404", u, res.Status)
			}
			for _, p := range []string{"/todos/" + id, "/todos/" + id + "/state", "/todos/" + id + "/delete"} {
				if res := c.PostForm(p, form("version", "1", "done", "1", "confirm", "1")); res.Status != 404 {
					t.Errorf("%s POST %s: %d, want 404", u, p, res.Status)
				}
			}
			if res := c.Get("/opportunities/" + itoa(opp.ID)); res.Status != 404 {
				t.Errorf("%s GET the linked opportunity: %d, want 404", u, res.Status)
			}
			for _, v := range []string{"mine", "by_me", "team"} {
				if res := c.Get("/todos?status=all&view=" + v); strings.Contains(res.Body, "发送专线报价单") {
					t.Errorf("%s sees another's to-do in %s", u, v)
				}
			}
			if res := c.Get("/"); strings.Contains(res.Body, "发送专线报价单") {
				t.Errorf("%s's home shows another's to-do", u)
			}
		}
		for _, u := range []string{"zhaomin", "wangjianguo"} {
			if res := loggedIn(t, a, u).Get("/todos/" + id + "/edit"); res.Status != 200 {
				t.Errorf("%s GET edit: %d, want 200", u, res.Status)
			}
		}
		if res := loggedIn(t, a, "admin").Get("/todos/" + id + "/edit"); res.Status == 200 {
			t.Errorf("admin opened a salesperson's to-do")
		}
		// Done, then the same version again: a conflict message, no change.
		if res := liwei.PostForm("/todos/"+id+"/state", url.Values{"done": {"1"}, "version": {"1"}, "next": {"/todos"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("done: %d", res.Status)
		}
		if td = lastTodo(t, a); td.DoneAt == nil || td.Version != 2 {
			t.Fatalf("after done: %+v", td)
		}
		if res := liwei.PostForm("/todos/"+id+"/state", url.Values{"done": {"0"}, "version": {"1"}, "next": {"/todos"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("stale undone: %d", res.Status)
		}
		if res := liwei.Get("/todos?status=all"); !strings.Contains(res.Body, "该待办已被他人修改") {
			t.Errorf("the stale undone shows no conflict message")
		}
		if td = lastTodo(t, a); td.DoneAt == nil || td.Version != 2 {
			t.Fatalf("a stale undone changed the to-do: %+v", td)
		}
		if _, err := a.Todos.SetDone(ctx, subject(t, a, "liwei"), td.ID, false, 1); err == nil {
			t.Fatalf("service: stale version accepted")
		}
		if res := liwei.PostForm("/todos/"+id+"/state", url.Values{"done": {"0"}, "version": {"2"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("undone: %d", res.Status)
		}
		if td = lastTodo(t, a); td.DoneAt != nil || td.Version != 3 {
			t.Fatalf("after undone: %+v", td)
		}
		// Edit: a bad date is refused, a good edit saved and audited.
		if res := liwei.PostForm("/todos/"+id, form("date", "15/06/2026", "version", "3")); res.Status != 422 {
			t.Errorf("edit with a bad date: %d", res.Status)
		}
		if res := liwei.PostForm("/todos/"+id, form("title", "发送修改后的报价单", "time", "", "version", "3")); res.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d", res.Status)
		}
		if td = lastTodo(t, a); td.Title != "发送修改后的报价单" || !td.AllDay || td.LinkType != "customer" || td.Version != 4 {
			t.Fatalf("after edit: %+v", td)
		}
		if res := liwei.PostForm("/todos/"+id, form("title", "过期的编辑", "version", "3")); res.Status != http.StatusConflict {
			t.Errorf("stale edit: %d, want 409", res.Status)
		}
		// Delete: confirmation needed, then soft, then gone.
		if res := liwei.PostForm("/todos/"+id+"/delete", url.Values{"version": {"4"}}); res.Status != 422 {
			t.Errorf("delete without confirmation: %d", res.Status)
		}
		if res := liwei.PostForm("/todos/"+id+"/delete", url.Values{"version": {"4"}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.Status)
		}
		if td = lastTodo(t, a); !td.DeletedAt.Valid {
			t.Fatalf("not soft-deleted: %+v", td)
		}
		if res := liwei.Get("/todos/" + id + "/edit"); res.Status != 404 {
			t.Errorf("deleted to-do: %d", res.Status)
		}
		entries, _, err := audit.List(ctx, a.DB.Gorm, audit.Query{Entity: todos.Entity, EntityID: td.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		for _, w := range []string{"create", "done", "undone", "update", "delete"} {
			if !slices.Contains(actions, w) {
				t.Errorf("audit lacks %s: %v", w, actions)
			}
		}
	})
}

// TestTodoNotifications drives the overdue job with a fake clock: the
// assignee is told once when a timed to-do passes its time and when an
// all-day one's day is over (in the configured zone), never for a done
// one, and a repeated run tells nobody twice. Assigning a to-do to
// someone else tells them; making one for oneself does not.
func TestTodoNotifications(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, clk := todoApp(t, d)
		zhaomin, chenhao := subject(t, a, "zhaomin"), subject(t, a, "chenhao")
		timed, err := a.Todos.Create(ctx, zhaomin, todos.Input{Title: "整理投标材料", Date: "2026-06-15", Time: "10:00", AssigneeID: chenhao.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Todos.Create(ctx, chenhao, todos.Input{Title: "提交周报", Date: "2026-06-15"})
		if err != nil {
			t.Fatal(err)
		}
		done, err := a.Todos.Create(ctx, chenhao, todos.Input{Title: "已完成的事", Date: "2026-06-14", Time: "09:00"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Todos.SetDone(ctx, chenhao, done.ID, true, 1); err != nil {
			t.Fatal(err)
		}
		if n := notices(t, a, "chenhao", todos.KindAssigned); len(n) != 1 || n[0].Link != todos.URL(timed.ID) || !strings.Contains(n[0].Args, "整理投标材料") {
			t.Fatalf("assignment notices: %+v", n)
		}
		if n := notices(t, a, "zhaomin", todos.KindAssigned); len(n) != 0 {
			t.Fatalf("the assigner was told: %+v", n)
		}
		tick := func(at time.Time) {
			t.Helper()
			clk.Set(at)
			if _, err := a.Jobs.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		overdue := func() []string {
			var titles []string
			for _, n := range notices(t, a, "chenhao", todos.KindOverdue) {
				titles = append(titles, n.Args)
			}
			return titles
		}
		tick(time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC))  // registers the jobs (09:00 local)
		tick(time.Date(2026, 6, 15, 1, 50, 0, 0, time.UTC)) // 09:50: nothing due
		if got := overdue(); len(got) != 0 {
			t.Fatalf("notices before the due time: %v", got)
		}
		tick(time.Date(2026, 6, 15, 2, 10, 0, 0, time.UTC)) // 10:10: the timed one
		if got := overdue(); len(got) != 1 || !strings.Contains(got[0], "整理投标材料") {
			t.Fatalf("after 10:00: %v", got)
		}
		tick(time.Date(2026, 6, 15, 15, 50, 0, 0, time.UTC)) // 23:50: the day is not over
		if got := overdue(); len(got) != 1 {
			t.Fatalf("the all-day to-do was overdue before midnight: %v", got)
		}
		tick(time.Date(2026, 6, 15, 16, 10, 0, 0, time.UTC)) // 00:10 the next day
		tick(time.Date(2026, 6, 15, 16, 30, 0, 0, time.UTC)) // and again
		got := overdue()
		if len(got) != 2 || !strings.Contains(strings.Join(got, " "), "提交周报") || strings.Contains(strings.Join(got, " "), "已完成的事") {
			t.Fatalf("after midnight: %v", got)
		}
		if n := notices(t, a, "zhaomin", todos.KindOverdue); len(n) != 0 {
			t.Fatalf("the assigner got overdue notices: %+v", n)
		}
	})
}

// TestTodoFeed: the calendar feed carries the user's to-dos as VTODO
// (DUE as a date or a UTC time, COMPLETED when done), with RFC 5545
// escaping and folding that keep Chinese text whole, and nobody else's.
func TestTodoFeed(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, _ := todoApp(t, d)
		liwei := subject(t, a, "liwei")
		long := "给哈尔滨市第一人民医院信息科发送专线报价单；附上资质证明，并约定下周二上午的技术交流会议时间"
		if _, err := a.Todos.Create(ctx, liwei, todos.Input{Title: long, Date: "2026-06-16", Time: "14:30"}); err != nil {
			t.Fatal(err)
		}
		d2, err := a.Todos.Create(ctx, liwei, todos.Input{Title: "提交周报, 抄送主管", Date: "2026-06-15"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Todos.SetDone(ctx, liwei, d2.ID, true, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Todos.Create(ctx, subject(t, a, "zhangjing"), todos.Input{Title: "张静的私事", Date: "2026-06-16"}); err != nil {
			t.Fatal(err)
		}
		c := loggedIn(t, a, "liwei")
		c.Get("/visits/feed")
		res := c.PostForm("/visits/feed", url.Values{})
		m := regexp.MustCompile(`/ics/([A-Za-z0-9_-]+)`).FindStringSubmatch(res.Body)
		if m == nil {
			t.Fatalf("feed page: %d", res.Status)
		}
		feed := testkit.NewClient(t, a.Server.App).Get("/ics/" + m[1])
		if feed.Status != 200 {
			t.Fatalf("feed: %d", feed.Status)
		}
		for _, line := range strings.Split(feed.Body, "\r\n") {
			if len(line) > 75 {
				t.Errorf("line over 75 octets: %q", line)
			}
		}
		unfolded := strings.ReplaceAll(feed.Body, "\r\n ", "")
		for _, want := range []string{
			"BEGIN:VTODO", "SUMMARY:" + strings.ReplaceAll(long, "；", "；"), "DUE:20260616T063000Z",
			`SUMMARY:提交周报\, 抄送主管`, "DUE;VALUE=DATE:20260615", "STATUS:COMPLETED", "STATUS:NEEDS-ACTION",
		} {
			if !strings.Contains(unfolded, want) {
				t.Errorf("feed lacks %q:\n%s", want, unfolded)
			}
		}
		if strings.Contains(unfolded, "张静的私事") {
			t.Errorf("the feed carries another user's to-do")
		}
		if strings.Count(unfolded, "BEGIN:VTODO") != 2 || strings.Count(unfolded, "BEGIN:VTODO") != strings.Count(unfolded, "END:VTODO") {
			t.Errorf("VTODO blocks: %d", strings.Count(unfolded, "BEGIN:VTODO"))
		}
	})
}

// TestTodoDemo: the demo data gives liwei an overdue, a due-today and a
// done to-do, and chenhao one assigned by zhaomin linked to his
// opportunity; liwei's home agenda shows the open ones, the overdue one
// marked, and chenhao was told of his.
func TestTodoDemo(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) { o.Location = shanghai(t) })
	if err := seedDemoData(context.Background(), a, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rows []todos.Todo
	if err := a.DB.Gorm.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	liwei, chenhao, zhaomin := subject(t, a, "liwei").ID, subject(t, a, "chenhao").ID, subject(t, a, "zhaomin").ID
	now := a.Todos.Now()
	var overdue, open, done, assigned int
	for _, r := range rows {
		switch {
		case r.OwnerID == liwei && r.Overdue(now):
			overdue++
		case r.OwnerID == liwei && r.IsDone():
			done++
		case r.OwnerID == liwei:
			open++
		case r.OwnerID == chenhao && r.CreatedBy == zhaomin && r.LinkType == todos.LinkOpportunity:
			assigned++
		}
	}
	if overdue != 1 || open != 1 || done != 1 || assigned != 1 || len(rows) != 4 {
		t.Fatalf("demo to-dos: overdue %d open %d done %d assigned %d of %d", overdue, open, done, assigned, len(rows))
	}
	home := loggedIn(t, a, "liwei").Get("/")
	if strings.Count(home.Body, `id="free-todo-`) != 2 || !strings.Contains(home.Body, `class="overdue"`) {
		t.Errorf("liwei's agenda: %d to-dos", strings.Count(home.Body, `id="free-todo-`))
	}
	if n := notices(t, a, "chenhao", todos.KindAssigned); len(n) != 1 {
		t.Errorf("chenhao's assignment notices: %d", len(n))
	}
}
