package visits

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

type world struct {
	svc      *Service
	ps       *prospects.Service
	d        *db.DB
	now      time.Time
	users    map[string]authz.Subject
	customer *prospects.Customer
	contacts []uint
	needs    []string
	needReqs []NeedRequest
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	orgSvc := org.NewService(org.NewStore(d.Gorm), org.Options{BcryptCost: bcrypt.MinCost})
	if _, err := orgSvc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	enf, _ := authz.New()
	ps := prospects.NewService(prospects.NewStore(d.Gorm), orgSvc.Store(), enf, &prospects.Timeline{})
	w := &world{ps: ps, d: d, users: map[string]authz.Subject{}, now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	w.svc = NewService(NewStore(d.Gorm), ps, orgSvc.Store(), shanghai)
	w.svc.SetClock(func() time.Time { return w.now })
	w.svc.CreateNeed = func(_ context.Context, _ *gorm.DB, _ authz.Subject, n NeedRequest) error {
		w.needs = append(w.needs, n.Category+":"+n.Description)
		w.needReqs = append(w.needReqs, n)
		return nil
	}
	for _, n := range []string{"liwei", "zhangjing", "zhaomin", "sunli", "wangjianguo", "liuzhiqiang", "admin"} {
		u, err := orgSvc.Store().UserByUsername(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		w.users[n] = u.Subject()
	}
	c, err := ps.CreateCustomer(ctx, w.users["liwei"], prospects.CustomerInput{Name: "哈尔滨市第二医院", CreditCode: prospects.MakeCreditCode("12230103MB1000001"), Industry: "healthcare", Grade: "A"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.customer = c
	for _, n := range []string{"王院长", "刘主任"} {
		ct, err := ps.SaveContact(ctx, w.users["liwei"], c.ID, 0, prospects.ContactInput{Name: n, Role: "decision", Mobile: "13900001111"})
		if err != nil {
			t.Fatal(err)
		}
		w.contacts = append(w.contacts, ct.ID)
	}
	return w
}

// at formats a local (Shanghai) time offset from now for the plan form.
func (w *world) at(d time.Duration) (string, string) {
	t := w.now.Add(d).In(shanghai)
	return t.Format("2006-01-02"), t.Format("15:04")
}

func (w *world) plan(t *testing.T, as string, in time.Duration, mods ...func(*PlanInput)) *Plan {
	t.Helper()
	date, tm := w.at(in)
	pi := PlanInput{CustomerID: w.customer.ID, Date: date, Time: tm, Duration: "60", Kind: "needs", Objective: "确认专线带宽需求", Contacts: w.contacts[:1]}
	for _, m := range mods {
		m(&pi)
	}
	p, err := w.svc.CreatePlan(context.Background(), w.users[as], pi)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

func TestPlanValidation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		_, err := w.svc.CreatePlan(ctx, w.users["liwei"], PlanInput{CustomerID: w.customer.ID, Date: "2026-13-40", Kind: "party", Duration: "1", Contacts: []uint{99999}, Participants: []uint{w.users["liuzhiqiang"].ID}})
		f, ok := apperr.AsFields(err)
		if !ok {
			t.Fatalf("want field errors, got %v", err)
		}
		for field, msg := range map[string]string{"date": "v.datetime", "kind": "v.choose", "duration": "visits.v.duration", "objective": "visits.v.objective", "contacts": "visits.v.contact", "participants": "visits.v.participant"} {
			if f[field] != msg {
				t.Errorf("%s: got %q want %q", field, f[field], msg)
			}
		}
		// A colleague who cannot open the customer cannot come along.
		date, tm := w.at(48 * time.Hour)
		_, err = w.svc.CreatePlan(ctx, w.users["liwei"], PlanInput{CustomerID: w.customer.ID, Date: date, Time: tm, Kind: "first", Objective: "初次拜访", Participants: []uint{w.users["sunli"].ID}})
		if f, ok := apperr.AsFields(err); !ok || f["participants"] == "" {
			t.Fatalf("other team's chief rep as participant: %v", err)
		}
		// The team's chief rep and the director may.
		p := w.plan(t, "liwei", 48*time.Hour, func(in *PlanInput) {
			in.Participants = []uint{w.users["zhaomin"].ID, w.users["wangjianguo"].ID}
		})
		if p.OwnerID != w.users["liwei"].ID || p.StartsAt.In(shanghai).Format("15:04") != date[:0]+tm {
			t.Fatalf("plan: %+v", p)
		}
		// Another manager cannot plan a visit to liwei's customer.
		if _, err := w.svc.CreatePlan(ctx, w.users["zhangjing"], PlanInput{CustomerID: w.customer.ID, Date: date, Time: tm, Kind: "first", Objective: "x"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other manager: %v", err)
		}
	})
}

func TestChecklistFlag(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		soon := w.plan(t, "liwei", 23*time.Hour)
		later := w.plan(t, "liwei", 25*time.Hour)
		if !soon.Unprepared(w.now) {
			t.Fatal("a visit within 24 h with an empty checklist must be flagged")
		}
		if later.Unprepared(w.now) {
			t.Fatal("a visit in 25 h is not flagged yet")
		}
		a, err := w.svc.Agenda(ctx, w.users["liwei"])
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Unprepared) != 1 || a.Unprepared[0].ID != soon.ID {
			t.Fatalf("agenda unprepared: %+v", a.Unprepared)
		}
		var p *Plan
		for i, item := range ChecklistItems {
			if p, err = w.svc.Check(ctx, w.users["liwei"], soon.ID, item, true); err != nil {
				t.Fatal(err)
			}
			if flagged := p.Unprepared(w.now); flagged != (i < len(ChecklistItems)-1) {
				t.Fatalf("after %d items flagged=%v", i+1, flagged)
			}
		}
		if _, err := w.svc.Check(ctx, w.users["liwei"], soon.ID, "bribe", true); err == nil {
			t.Fatal("unknown checklist item accepted")
		}
		if _, err := w.svc.Check(ctx, w.users["zhangjing"], soon.ID, "cards", false); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager ticking: %v", err)
		}
		if p, _ = w.svc.Check(ctx, w.users["liwei"], soon.ID, "cards", false); !p.Unprepared(w.now) {
			t.Fatal("unticking brings the flag back")
		}
	})
}

func TestRecordCreatesNextPlanAndNeeds(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		p := w.plan(t, "liwei", -2*time.Hour, func(in *PlanInput) {
			in.Contacts = w.contacts
			in.Participants = []uint{w.users["zhaomin"].ID}
		})
		_, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{Attitude: "happy", NextDate: "2020-01-01"})
		f, ok := apperr.AsFields(err)
		if !ok || f["discussed"] == "" || f["attitude"] == "" || f["next_step"] == "" || f["next_date"] != "visits.v.next_past" {
			t.Fatalf("bad record: %v", err)
		}
		nextDay := w.now.In(shanghai).AddDate(0, 0, 7).Format("2006-01-02")
		res, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{
			Discussed: "院方计划明年扩建门诊楼，需要 1000M 互联网专线和院区 Wi-Fi。", Attitude: "positive",
			Needs:    []NeedLine{{Category: "dedicated_line", Description: "1000M 互联网专线", ContactID: w.contacts[0]}, {Category: "other", Description: "   "}, {Category: "idc_cloud", Description: "影像云存储"}},
			NextStep: "带方案演示", NextDate: nextDay, NextTime: "14:00", NextKind: "demo",
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.NextPlan == nil || res.Needs != 2 || len(w.needs) != 2 || w.needs[0] != "dedicated_line:1000M 互联网专线" {
			t.Fatalf("result: %+v needs %v", res, w.needs)
		}
		next := res.NextPlan
		if next.Kind != "demo" || next.Objective != "带方案演示" || next.PrevVisitID == nil || *next.PrevVisitID != p.ID ||
			next.StartsAt.In(shanghai).Format("2006-01-02 15:04") != nextDay+" 14:00" || next.Status != StatusPlanned {
			t.Fatalf("next plan: %+v", next)
		}
		d1, err := w.svc.Detail(ctx, w.users["liwei"], next.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d1.Contacts) != 2 || len(d1.Participants) != 1 || d1.Prev == nil {
			t.Fatalf("next plan carries key persons and colleagues: %+v", d1)
		}
		done, _ := w.svc.Detail(ctx, w.users["liwei"], p.ID)
		if done.Plan.Status != StatusDone || done.Record == nil || done.Next == nil || done.Next.ID != next.ID {
			t.Fatalf("recorded plan: %+v", done.Plan)
		}
		// The next plan shows on the calendar of the week it falls in.
		from := next.StartsAt.Add(-time.Hour)
		rows, err := w.svc.List(ctx, w.users["liwei"], ViewMine, from, from.Add(2*time.Hour), 0)
		if err != nil || len(rows) != 1 || rows[0].ID != next.ID {
			t.Fatalf("calendar: %v %+v", err, rows)
		}
		// Editing does not plan a second next visit; after 7 days it is a late edit.
		w.now = w.now.Add(8 * 24 * time.Hour)
		res2, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{Discussed: "补充：院长关注价格。", Attitude: "neutral", NextStep: "带方案演示", Version: res.Record.Version})
		if err != nil || res2.NextPlan != nil {
			t.Fatalf("edit: %v %+v", err, res2)
		}
		entries, _, _ := audit.List(ctx, d.Gorm, audit.Query{Entity: "visit_record", EntityID: res.Record.ID})
		if len(entries) == 0 || entries[0].Action != "late_edit" {
			t.Fatalf("late edit not marked: %+v", entries)
		}
		// A stale record form loses.
		if _, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{Discussed: "x", Attitude: "neutral", Version: res.Record.Version}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale record: %v", err)
		}
		// The customer timeline shows the planned and the recorded visit.
		tl, err := w.ps.Timeline().For(ctx, w.customer.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range tl {
			kinds[e.MsgID]++
		}
		if kinds["timeline.visit.planned"] != 2 || kinds["timeline.visit.recorded"] != 1 {
			t.Fatalf("timeline: %v", kinds)
		}
	})
}

func TestMissedAndOverdue(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		past := w.plan(t, "liwei", -3*time.Hour)
		running := w.plan(t, "liwei", -30*time.Minute)
		future := w.plan(t, "liwei", 3*time.Hour)
		if !past.Overdue(w.now) || running.Overdue(w.now) || future.Overdue(w.now) {
			t.Fatal("overdue means: planned, and its end has passed")
		}
		a, err := w.svc.Agenda(ctx, w.users["liwei"])
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Overdue) != 1 || a.Overdue[0].ID != past.ID {
			t.Fatalf("agenda overdue: %+v", a.Overdue)
		}
		team, err := w.svc.Overdue(ctx, w.users["zhaomin"], ViewScope)
		if err != nil || len(team) != 1 {
			t.Fatalf("the chief rep sees the team's overdue visit: %v %d", err, len(team))
		}
		if other, _ := w.svc.Overdue(ctx, w.users["liuzhiqiang"], ViewScope); len(other) != 0 {
			t.Fatal("another branch must not see it")
		}
		if err := w.svc.MarkMissed(ctx, w.users["liwei"], future.ID); err == nil {
			t.Fatal("a future visit cannot be missed")
		}
		if err := w.svc.MarkMissed(ctx, w.users["liwei"], past.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Cancel(ctx, w.users["liwei"], future.ID, " "); err == nil {
			t.Fatal("cancel without a reason")
		}
		if err := w.svc.Cancel(ctx, w.users["liwei"], future.ID, "客户临时开会"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SaveRecord(ctx, w.users["liwei"], future.ID, RecordInput{Discussed: "x", Attitude: "neutral"}); err == nil {
			t.Fatal("a cancelled visit cannot be recorded")
		}
		a, _ = w.svc.Agenda(ctx, w.users["liwei"])
		if len(a.Overdue) != 0 {
			t.Fatal("a missed visit is no longer overdue")
		}
	})
}

func TestVisitScopes(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		p := w.plan(t, "liwei", 26*time.Hour)
		from, to := w.now, w.now.Add(72*time.Hour)
		for user, want := range map[string][2]int{
			// mine, scope
			"liwei": {1, 1}, "zhangjing": {0, 0}, "zhaomin": {0, 1}, "wangjianguo": {0, 1}, "liuzhiqiang": {0, 0}, "admin": {0, 1},
		} {
			mine, err := w.svc.List(ctx, w.users[user], ViewMine, from, to, 0)
			if err != nil {
				t.Fatal(err)
			}
			scope, err := w.svc.List(ctx, w.users[user], ViewScope, from, to, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(mine) != want[0] || len(scope) != want[1] {
				t.Errorf("%s: mine %d scope %d, want %v", user, len(mine), len(scope), want)
			}
			_, err = w.svc.Detail(ctx, w.users[user], p.ID)
			if (want[1] == 1) != (err == nil) {
				t.Errorf("%s detail: %v", user, err)
			}
		}
		// Joining makes it "mine" for the chief rep.
		withChief := w.plan(t, "liwei", 27*time.Hour, func(in *PlanInput) { in.Participants = []uint{w.users["zhaomin"].ID} })
		mine, _ := w.svc.List(ctx, w.users["zhaomin"], ViewMine, from, to, 0)
		if len(mine) != 1 || mine[0].ID != withChief.ID {
			t.Fatalf("participant's own calendar: %+v", mine)
		}
		if _, err := w.svc.Check(ctx, w.users["admin"], p.ID, "cards", true); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the admin reads but does not prepare visits: %v", err)
		}
	})
}

func TestICSFeed(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		w.plan(t, "liwei", 26*time.Hour, func(in *PlanInput) {
			in.Objective = "讨论智慧医院方案；带上报价单, 和演示设备。这是一段很长的说明，用来检查折行时不会切断一个汉字的编码，也不会丢失任何内容。"
			in.Location = "南岗区学府路 1 号"
		})
		cancelled := w.plan(t, "liwei", 50*time.Hour)
		if err := w.svc.Cancel(ctx, w.users["liwei"], cancelled.ID, "改期"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.FeedFor(ctx, "no-such-token-at-all-xxxxxx"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		token, err := w.svc.NewFeedToken(ctx, w.users["liwei"])
		if err != nil {
			t.Fatal(err)
		}
		u, rows, err := w.svc.FeedFor(ctx, token)
		if err != nil || u.Username != "liwei" || len(rows) != 2 {
			t.Fatalf("feed: %v %d", err, len(rows))
		}
		var buf bytes.Buffer
		if err := WriteICS(&buf, "李伟的客户走访", "crm.example", rows, func(k string) string { return k }, w.now); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\r\n") {
			if len(line) > 75 {
				t.Fatalf("line longer than 75 octets: %q", line)
			}
		}
		cal, err := ics.ParseCalendar(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatalf("a parser must accept the feed: %v", err)
		}
		events := cal.Events()
		if len(events) != 2 {
			t.Fatalf("events: %d", len(events))
		}
		first := events[0]
		start, err := first.GetStartAt()
		if err != nil || !start.Equal(rows[0].StartsAt) {
			t.Fatalf("DTSTART %v %v want %v", start, err, rows[0].StartsAt)
		}
		desc := first.GetProperty(ics.ComponentPropertyDescription).Value
		if !strings.Contains(desc, "智慧医院方案") || !strings.Contains(desc, "也不会丢失任何内容") {
			t.Fatalf("description survives folding and escaping: %q", desc)
		}
		if st := events[1].GetProperty(ics.ComponentPropertyStatus); st == nil || st.Value != "CANCELLED" {
			t.Fatal("a cancelled visit is marked cancelled")
		}
		// A new token replaces the old one; revoking stops the feed.
		token2, _ := w.svc.NewFeedToken(ctx, w.users["liwei"])
		if _, _, err := w.svc.FeedFor(ctx, token); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatal("the old token must stop working")
		}
		if err := w.svc.RevokeFeedToken(ctx, w.users["liwei"]); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.FeedFor(ctx, token2); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatal("a revoked token is refused")
		}
	})
}

// TestRecordMakesTodo: a next step that is not a visit becomes a to-do on
// the agreed day, once, on the owner's agenda until done; another manager
// cannot tick it off; a date before today is refused.
func TestRecordMakesTodo(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		p := w.plan(t, "liwei", -2*time.Hour)
		today := w.now.In(shanghai).Format("2006-01-02")
		yesterday := w.now.In(shanghai).AddDate(0, 0, -1).Format("2006-01-02")
		in := RecordInput{Discussed: "院方确认预算", Attitude: "positive", NextStep: "发送专线报价单", NextDate: yesterday, NextKind: NextTodo}
		if _, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, in); err == nil {
			t.Fatal("a to-do due yesterday was accepted")
		}
		in.NextDate, in.NextTime = today, "00:01" // the time of a to-do is ignored
		res, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if res.NextPlan != nil || res.NextTodo == nil || res.NextTodo.Title != "发送专线报价单" || res.NextTodo.DueDate.Format("2006-01-02") != today {
			t.Fatalf("want a to-do for today and no plan: %+v %+v", res.NextPlan, res.NextTodo)
		}
		in.Version = res.Record.Version
		if res2, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, in); err != nil || res2.NextTodo != nil {
			t.Fatalf("editing the record made a second to-do: %v %+v", err, res2)
		}
		a, err := w.svc.Agenda(ctx, w.users["liwei"])
		if err != nil || len(a.Todos) != 1 || a.Todos[0].CustomerName != w.customer.Name || a.Todos[0].Overdue(a.TodoDay) {
			t.Fatalf("agenda to-dos: %v %+v", err, a)
		}
		// Tomorrow it is overdue.
		w.now = w.now.Add(24 * time.Hour)
		if a, _ := w.svc.Agenda(ctx, w.users["liwei"]); len(a.Todos) != 1 || !a.Todos[0].Overdue(a.TodoDay) {
			t.Fatalf("an open to-do of yesterday is overdue: %+v", a.Todos)
		}
		if other, _ := w.svc.Agenda(ctx, w.users["zhangjing"]); len(other.Todos) != 0 {
			t.Fatal("another manager's agenda shows the to-do")
		}
		id := res.NextTodo.ID
		if _, err := w.svc.CompleteTodo(ctx, w.users["zhangjing"], id); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager completing it: %v", err)
		}
		if _, err := w.svc.CompleteTodo(ctx, w.users["admin"], id); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the admin completing it: %v", err)
		}
		done, err := w.svc.CompleteTodo(ctx, w.users["liwei"], id)
		if err != nil || done.DoneAt == nil || done.DoneBy == nil || *done.DoneBy != w.users["liwei"].ID {
			t.Fatalf("complete: %v %+v", err, done)
		}
		if _, err := w.svc.CompleteTodo(ctx, w.users["liwei"], id); err != nil {
			t.Fatalf("completing twice: %v", err)
		}
		if a, _ := w.svc.Agenda(ctx, w.users["liwei"]); len(a.Todos) != 0 {
			t.Fatal("a done to-do stays on the agenda")
		}
		entries, _, _ := audit.List(ctx, d.Gorm, audit.Query{Entity: "visit_todo", EntityID: id})
		if len(entries) != 2 {
			t.Fatalf("to-do audit trail (create, done once): %+v", entries)
		}
		if det, err := w.svc.Detail(ctx, w.users["liwei"], p.ID); err != nil || det.Todo == nil || det.Todo.ID != id {
			t.Fatalf("the visit page shows its to-do: %v %+v", err, det)
		}
	})
}

// TestOverdueFollowsTheScope: the overdue list of each role holds exactly
// the planned visits past their time of the customers the role reaches
// (own and team scopes are read from the scope's customers first, branch
// and province from the visits; docs/performance.md § Overdue visits):
// another branch's overdue visit is the admin's and its owner's only, and
// a recorded or future visit is nobody's.
func TestOverdueFollowsTheScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		// 高远, an account manager of the other branch (大庆).
		var gao struct{ ID, TeamID, BranchID uint }
		if err := d.Gorm.Raw("SELECT id, team_id, branch_id FROM users WHERE username = 'gaoyuan'").Scan(&gao).Error; err != nil || gao.ID == 0 {
			t.Fatalf("gaoyuan: %v", err)
		}
		w.users["gaoyuan"] = authz.Subject{ID: gao.ID, Username: "gaoyuan", Role: authz.RoleAccountManager, TeamID: gao.TeamID, BranchID: gao.BranchID}
		other, err := w.ps.CreateCustomer(ctx, w.users["gaoyuan"], prospects.CustomerInput{Name: "大庆油田物资公司", CreditCode: prospects.MakeCreditCode("91230600MA1000002"), Industry: "energy", Grade: "B"}, false)
		if err != nil {
			t.Fatal(err)
		}
		mine := w.plan(t, "liwei", time.Hour)
		w.plan(t, "liwei", 30*time.Hour) // still ahead when the clock moves
		theirs := w.plan(t, "gaoyuan", 2*time.Hour, func(in *PlanInput) { in.CustomerID, in.Contacts = other.ID, nil })
		w.now = w.now.Add(5 * time.Hour)
		want := map[string][]uint{
			"liwei": {mine.ID}, "zhangjing": nil, "zhaomin": {mine.ID}, "sunli": nil,
			"wangjianguo": {mine.ID}, "gaoyuan": {theirs.ID}, "liuzhiqiang": {theirs.ID}, "admin": {theirs.ID, mine.ID},
		}
		for user, ids := range want {
			rows, err := w.svc.Overdue(ctx, w.users[user], ViewScope)
			if err != nil {
				t.Fatalf("%s: %v", user, err)
			}
			var got []uint
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Errorf("%s: overdue %v, want %v (latest first)", user, got, ids)
			}
		}
	})
}

// TestOverdueKeptUntilWrite: the overdue list is kept per scope and
// minute, yet a plan closed, its customer renamed or its owner renamed —
// each in plain SQL, as another program would — shows on the next look,
// and a plan still ahead joins the list once the clock has passed it.
func TestOverdueKeptUntilWrite(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		first := w.plan(t, "liwei", time.Hour)
		second := w.plan(t, "liwei", 2*time.Hour)
		w.now = w.now.Add(4 * time.Hour)
		look := func(step string, want ...uint) []PlanRow {
			t.Helper()
			rows, err := w.svc.Overdue(ctx, w.users["zhaomin"], ViewScope)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: overdue %v, want %v", step, got, want)
			}
			return rows
		}
		rows := look("start", second.ID, first.ID)
		look("again", second.ID, first.ID)
		if err := d.Gorm.Exec("UPDATE visit_plans SET status = 'done' WHERE id = ?", second.ID).Error; err != nil {
			t.Fatal(err)
		}
		look("closed in SQL", first.ID)
		if err := d.Gorm.Exec("UPDATE customers SET name = ? WHERE id = ?", rows[1].CustomerName+"（更名）", first.CustomerID).Error; err != nil {
			t.Fatal(err)
		}
		if got := look("customer renamed", first.ID); got[0].CustomerName != rows[1].CustomerName+"（更名）" {
			t.Fatalf("customer renamed in SQL, the list still says %q", got[0].CustomerName)
		}
		if err := d.Gorm.Exec("UPDATE users SET name = '李伟（调岗）' WHERE username = 'liwei'").Error; err != nil {
			t.Fatal(err)
		}
		if got := look("owner renamed", first.ID); got[0].OwnerName != "李伟（调岗）" {
			t.Fatalf("owner renamed in SQL, the list still says %q", got[0].OwnerName)
		}
		// A plan still ahead is not on the list; once the clock has passed
		// its end (a later minute) it is, with nothing written.
		third := w.plan(t, "liwei", 30*time.Minute)
		look("ahead", first.ID)
		w.now = w.now.Add(3 * time.Hour)
		look("minute turned", third.ID, first.ID)
	})
}

// TestVisitPagesKeptUntilWrite: a page of the visit list and a calendar
// week are kept per scope and filter, yet a visit deleted, its customer
// renamed, its owner renamed or a participant added — each in plain SQL,
// as another program would — shows on the next look, the same as a
// store without the cache says; and what a caller does to its rows does
// not reach the next reader.
func TestVisitPagesKeptUntilWrite(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		first := w.plan(t, "liwei", time.Hour)
		second := w.plan(t, "liwei", 26*time.Hour)
		live := &Store{db: d.Gorm} // no cache: what SQL says now
		from := w.svc.Today()
		to := from.AddDate(0, 0, 7)
		reads := testkit.CountQueries(t, d.Gorm, "test:plans", func(sql string) bool { return strings.Contains(sql, "visit_plans") })
		type look struct {
			who, view string
		}
		looks := []look{{"zhaomin", ViewScope}, {"zhaomin", ViewMine}, {"liwei", ViewMine}, {"wangjianguo", ViewScope}}
		show := func(rows []PlanRow, total int64) string {
			var b strings.Builder
			for _, r := range rows {
				fmt.Fprintf(&b, "%d:%s:%s ", r.ID, r.CustomerName, r.OwnerName)
			}
			return fmt.Sprintf("%s(%d)", b.String(), total)
		}
		check := func(step string) {
			t.Helper()
			for _, l := range looks {
				actor := w.users[l.who]
				rows, total, err := w.svc.HistoryFor(ctx, actor, l.view, HistoryQuery{Limit: 20})
				if err != nil {
					t.Fatal(err)
				}
				f := PlanFilter{UpcomingFrom: &from, Limit: 20}
				week, err := w.svc.List(ctx, actor, l.view, from, to, 0)
				if err != nil {
					t.Fatal(err)
				}
				g := PlanFilter{From: &from, To: &to}
				if l.view != ViewScope {
					f.Mine, g.Mine = actor.ID, actor.ID
				}
				scope := w.ps.Scope(actor, "read")
				wantRows, wantTotal, err := live.ListPlans(ctx, scope, f)
				if err != nil {
					t.Fatal(err)
				}
				wantWeek, _, err := live.ListPlans(ctx, scope, g)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := show(rows, total), show(wantRows, wantTotal); got != want {
					t.Errorf("%s: %s's %s list is %s, SQL says %s", step, l.who, l.view, got, want)
				}
				if got, want := show(week, 0), show(wantWeek, 0); got != want {
					t.Errorf("%s: %s's %s week is %s, SQL says %s", step, l.who, l.view, got, want)
				}
			}
		}
		check("start")
		*reads = 0
		rows, _, err := w.svc.HistoryFor(ctx, w.users["zhaomin"], ViewScope, HistoryQuery{Limit: 20})
		if err != nil || len(rows) != 2 {
			t.Fatalf("the team's list: %d rows, %v", len(rows), err)
		}
		if *reads != 0 {
			t.Fatalf("a second look with nothing written read visit_plans %d times", *reads)
		}
		rows[0].CustomerName = "改过的名字"
		check("a caller changed its rows")

		if err := d.Gorm.Exec("UPDATE customers SET name = '哈尔滨市第二医院（更名）' WHERE id = ?", w.customer.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("customer renamed in SQL")
		if err := d.Gorm.Exec("UPDATE users SET name = '李伟（调岗）' WHERE username = 'liwei'").Error; err != nil {
			t.Fatal(err)
		}
		check("owner renamed in SQL")
		if err := d.Gorm.Exec("INSERT INTO visit_participants (visit_id, user_id) VALUES (?, ?)", second.ID, w.users["zhaomin"].ID).Error; err != nil {
			t.Fatal(err)
		}
		check("participant added in SQL")
		if mine, _, _ := w.svc.HistoryFor(ctx, w.users["zhaomin"], ViewMine, HistoryQuery{Limit: 20}); len(mine) != 1 || mine[0].ID != second.ID {
			t.Fatalf("zhaomin joins the second visit: her own list has %d visits", len(mine))
		}
		if err := d.Gorm.Exec("UPDATE visit_plans SET deleted_at = CURRENT_TIMESTAMP WHERE id = ?", first.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("deleted in SQL")
		w.plan(t, "liwei", 3*time.Hour)
		check("planned in the portal")
	})
}
