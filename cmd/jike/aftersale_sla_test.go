package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

// afterCustomer makes an active customer of username's with a grade.
func afterCustomer(t *testing.T, a *app, username, name, code, grade string) *prospects.Customer {
	t.Helper()
	c, err := a.Prospects.CreateCustomer(context.Background(), subject(t, a, username), prospects.CustomerInput{
		Name: name, CreditCode: prospects.MakeCreditCode(code), Industry: "finance", Grade: grade, Status: "active",
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// slaSettings sets the director's branch SLA: normal severity 2 h to
// respond and 10 h to resolve in business hours.
func slaSettings(t *testing.T, a *app) {
	t.Helper()
	in := aftersale.SettingsInput{Freq: map[string]string{"A": "1", "B": "2", "C": "3", "D": "6"}, AutoCloseDays: "7",
		RespH: map[string]string{"urgent": "2", "major": "4", "normal": "2"}, ResH: map[string]string{"urgent": "8", "major": "24", "normal": "10"},
		AllDay: map[string]bool{"urgent": true}}
	if _, err := a.Aftersale.SaveSettings(context.Background(), subject(t, a, "wangjianguo"), in); err != nil {
		t.Fatal(err)
	}
}

func at(s string) time.Time {
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return v
}

// TestSLAClockAcrossWeekendAndHoliday: a business-hours request logged on
// Thursday 24 September 2026 at 16:00 — the Friday is 中秋 (a public
// holiday in the shipped calendar), then a weekend — has two hours on
// Thursday and the rest from Monday: the 80 % warning on Monday at 15:00,
// the deadline at 17:00, the director's escalation on Tuesday at 13:00.
// A 24×7 request counts every hour.
func TestSLAClockAcrossWeekendAndHoliday(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		clk := &fakeClock{t: at("2026-09-24 16:00")}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
		slaSettings(t, a)
		cu := afterCustomer(t, a, "liwei", "时限测试银行", "91230103MA2000001", "A")
		r, err := a.Aftersale.CreateRequest(context.Background(), subject(t, a, "liwei"), aftersale.RequestInput{
			CustomerID: cu.ID, Kind: "complaint", Category: "network", Severity: "normal", Channel: "phone", Description: "专线中断"})
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string][2]time.Time{
			"response": {r.ResponseDueAt, at("2026-09-24 18:00")},
			"warning":  {r.WarnAt, at("2026-09-28 15:00")},
			"resolve":  {r.ResolveDueAt, at("2026-09-28 17:00")},
			"director": {r.DirectorAt, at("2026-09-29 13:00")},
		} {
			if !got[0].Equal(got[1]) {
				t.Errorf("%s deadline %s, want %s", name, got[0], got[1])
			}
		}
		// The clock shows how much is used: Monday 13:00 is 6 of 10 hours.
		clk.Set(at("2026-09-28 13:00"))
		if p := a.Aftersale.Clock().Percent(r, clk.Now()); p != 60 {
			t.Errorf("percent used %d, want 60", p)
		}
		u, err := a.Aftersale.CreateRequest(context.Background(), subject(t, a, "liwei"), aftersale.RequestInput{
			CustomerID: cu.ID, Kind: "request", Category: "billing", Severity: "urgent", Channel: "phone", Description: "计费错误"})
		if err != nil {
			t.Fatal(err)
		}
		if want := at("2026-09-28 21:00"); !u.ResolveDueAt.Equal(want) {
			t.Errorf("24×7 resolve %s, want %s", u.ResolveDueAt, want)
		}
	})
}

// TestSLAEscalatesOncePerLevel runs the SLA job on two app instances
// sharing the database at the same moments, and also calls the job
// directly on both at once: the handler is warned once, the chief rep
// (the team leader) told once at the breach, the director once at 150 %,
// and the breach is recorded.
func TestSLAEscalatesOncePerLevel(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &fakeClock{t: at("2026-09-24 16:00")}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
		b, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		slaSettings(t, a)
		cu := afterCustomer(t, a, "liwei", "升级测试银行", "91230103MA2000002", "A")
		r, err := a.Aftersale.CreateRequest(ctx, subject(t, a, "liwei"), aftersale.RequestInput{
			CustomerID: cu.ID, Kind: "complaint", Category: "network", Severity: "normal", Channel: "phone", Description: "专线中断"})
		if err != nil {
			t.Fatal(err)
		}
		// Taken in hand at once: only the resolution clock runs here (the
		// response clock has its own test below).
		if _, err := a.Aftersale.Start(ctx, subject(t, a, "liwei"), r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
		for _, x := range []*app{a, b} { // registers the jobs
			if _, err := x.Jobs.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		tick := func(when string) {
			t.Helper()
			clk.Set(at(when))
			var wg sync.WaitGroup
			for _, x := range []*app{a, b} {
				wg.Add(2)
				go func() {
					defer wg.Done()
					if _, err := x.Jobs.RunDue(ctx); err != nil {
						t.Error(err)
					}
				}()
				// The job itself, run by both at the same moment, as an
				// overrunning run and the next one would.
				go func() {
					defer wg.Done()
					if err := x.Aftersale.SLA(ctx, clk.Now()); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		count := func(username, kind string) int {
			t.Helper()
			var n int64
			if err := d.Gorm.Model(&notify.Notification{}).Where("user_id = ? AND kind = ?", subject(t, a, username).ID, kind).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		want := func(when string, warn, chief, director int) {
			t.Helper()
			if got := count("liwei", "aftersale.sla_warning"); got != warn {
				t.Errorf("%s: handler warned %d times, want %d", when, got, warn)
			}
			if got := count("zhaomin", "aftersale.escalation"); got != chief {
				t.Errorf("%s: chief rep told %d times, want %d", when, got, chief)
			}
			if got := count("wangjianguo", "aftersale.escalation"); got != director {
				t.Errorf("%s: director told %d times, want %d", when, got, director)
			}
			// Responding stopped the response clock: nobody hears of it.
			for _, u := range []string{"liwei", "zhaomin", "wangjianguo"} {
				if n := count(u, "aftersale.response_warning") + count(u, "aftersale.response_escalation"); n != 0 {
					t.Errorf("%s: %s got %d response notices after the request was started", when, u, n)
				}
			}
		}
		for _, s := range []struct {
			when                  string
			warn, chief, director int
		}{
			{"2026-09-25 10:00", 0, 0, 0}, // the holiday: no business time passes
			{"2026-09-28 14:55", 0, 0, 0},
			{"2026-09-28 15:05", 1, 0, 0},
			{"2026-09-28 15:30", 1, 0, 0},
			{"2026-09-28 17:05", 1, 1, 0},
			{"2026-09-29 09:30", 1, 1, 0},
			{"2026-09-29 13:05", 1, 1, 1},
			{"2026-09-29 16:00", 1, 1, 1},
		} {
			tick(s.when)
			want(s.when, s.warn, s.chief, s.director)
		}
		got, err := a.Aftersale.Store().Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BreachedAt == nil || !got.BreachedAt.Equal(at("2026-09-28 17:05")) || got.Escalation != 2 {
			t.Fatalf("breach %v level %d, want recorded at 17:05 and level 2", got.BreachedAt, got.Escalation)
		}
		events, err := a.Aftersale.Store().Events(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{"create", "start", "sla_warning", "escalate_chief", "escalate_director"}) {
			t.Fatalf("events %v", actions)
		}
		// The chief rep sees it among the breached requests.
		rows, total, err := a.Aftersale.List(ctx, subject(t, a, "zhaomin"), aftersale.RequestFilter{View: "breached"})
		if err != nil || total != 1 || rows[0].ID != r.ID {
			t.Fatalf("chief's breached list %v %d %v", rows, total, err)
		}
		_ = authz.RoleChiefRep
	})
}

// slaRun is two app instances sharing a database and a fake clock, with
// the SLA job run by both at once (through the job runner and directly).
type slaRun struct {
	t    *testing.T
	d    *db.DB
	clk  *fakeClock
	a, b *app
}

func newSLARun(t *testing.T, d *db.DB, start string) *slaRun {
	t.Helper()
	clk := &fakeClock{t: at(start)}
	a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
	b, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &slaRun{t: t, d: d, clk: clk, a: a, b: b}
}

// tick sets the clock and runs the SLA job on both instances at once,
// twice each (an overrunning run and the next one).
func (s *slaRun) tick(when string) {
	s.t.Helper()
	ctx := context.Background()
	s.clk.Set(at(when))
	var wg sync.WaitGroup
	for _, x := range []*app{s.a, s.b} {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := x.Jobs.RunDue(ctx); err != nil {
				s.t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := x.Aftersale.SLA(ctx, s.clk.Now()); err != nil {
				s.t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func (s *slaRun) count(username, kind string) int {
	s.t.Helper()
	var n int64
	if err := s.d.Gorm.Model(&notify.Notification{}).Where("user_id = ? AND kind = ?", subject(s.t, s.a, username).ID, kind).Count(&n).Error; err != nil {
		s.t.Fatal(err)
	}
	return int(n)
}

// TestSLAResponseEscalatesOncePerLevel: nobody takes a business-hours
// request in hand. Logged Thursday 24 September 2026 at 16:00 with 2 h to
// respond, its response clock warns at 80 % (17:36), breaches at 18:00
// (the chief rep is told, the breach recorded) and goes to the director at
// 150 % — three business hours, so across 中秋 (Friday) and the weekend on
// Monday 28th at 10:00. Two instances run the job, each twice, at every
// tick: each level happens once. Taking it in hand then stops the clock,
// and a re-run of the job adds nothing.
func TestSLAResponseEscalatesOncePerLevel(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		run := newSLARun(t, d, "2026-09-24 16:00")
		a := run.a
		slaSettings(t, a)
		cu := afterCustomer(t, a, "liwei", "响应测试银行", "91230103MA2000003", "A")
		r, err := a.Aftersale.CreateRequest(ctx, subject(t, a, "liwei"), aftersale.RequestInput{
			CustomerID: cu.ID, Kind: "complaint", Category: "network", Severity: "normal", Channel: "phone", Description: "专线中断"})
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string][2]time.Time{
			"response warning":  {r.RespWarnAt, at("2026-09-24 17:36")},
			"response":          {r.ResponseDueAt, at("2026-09-24 18:00")},
			"response director": {r.RespDirectorAt, at("2026-09-28 10:00")},
		} {
			if !got[0].Equal(got[1]) {
				t.Errorf("%s deadline %s, want %s", name, got[0], got[1])
			}
		}
		want := func(when string, warn, chief, director int) {
			t.Helper()
			if got := run.count("liwei", "aftersale.response_warning"); got != warn {
				t.Errorf("%s: handler warned %d times, want %d", when, got, warn)
			}
			if got := run.count("zhaomin", "aftersale.response_escalation"); got != chief {
				t.Errorf("%s: chief rep told %d times, want %d", when, got, chief)
			}
			if got := run.count("wangjianguo", "aftersale.response_escalation"); got != director {
				t.Errorf("%s: director told %d times, want %d", when, got, director)
			}
		}
		for _, s := range []struct {
			when                  string
			warn, chief, director int
		}{
			{"2026-09-24 17:30", 0, 0, 0},
			{"2026-09-24 17:40", 1, 0, 0},
			{"2026-09-24 17:50", 1, 0, 0},
			{"2026-09-24 18:05", 1, 1, 0},
			{"2026-09-25 12:00", 1, 1, 0}, // 中秋: no business time passes
			{"2026-09-27 12:00", 1, 1, 0}, // Sunday
			{"2026-09-28 09:55", 1, 1, 0},
			{"2026-09-28 10:05", 1, 1, 1},
			{"2026-09-28 10:30", 1, 1, 1},
		} {
			run.tick(s.when)
			want(s.when, s.warn, s.chief, s.director)
		}
		got, err := a.Aftersale.Store().Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RespBreachedAt == nil || !got.RespBreachedAt.Equal(at("2026-09-24 18:05")) || got.RespEscalation != 2 {
			t.Fatalf("response breach %v level %d, want recorded at 18:05 and level 2", got.RespBreachedAt, got.RespEscalation)
		}
		if got.BreachedAt != nil || got.Escalation != 0 {
			t.Fatalf("resolution clock breached %v level %d; its deadline is not reached", got.BreachedAt, got.Escalation)
		}
		// The chief rep finds it among the breached requests (its
		// resolution clock has not even warned yet).
		rows, total, err := a.Aftersale.List(ctx, subject(t, a, "zhaomin"), aftersale.RequestFilter{View: "breached"})
		if err != nil || total != 1 || rows[0].ID != r.ID {
			t.Fatalf("chief's breached list %v %d %v", rows, total, err)
		}
		// Taken in hand: the response clock stops; more runs add nothing.
		if _, err := a.Aftersale.Start(ctx, subject(t, a, "liwei"), r.ID, got.Version); err != nil {
			t.Fatal(err)
		}
		run.tick("2026-09-28 11:00")
		run.tick("2026-09-28 11:00")
		want("after start", 1, 1, 1)
		events, err := a.Aftersale.Store().Events(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
		}
		if !slices.Equal(actions, []string{"create", "response_warning", "response_escalate_chief", "response_escalate_director", "start"}) {
			t.Fatalf("events %v", actions)
		}
		// Each step is on the audit trail and the customer's timeline.
		var audits int64
		if err := d.Gorm.Table("audit_log").Where("entity = ? AND entity_id = ? AND action LIKE ?", aftersale.EntityRequest, r.ID, "response_%").Count(&audits).Error; err != nil {
			t.Fatal(err)
		}
		if audits != 3 {
			t.Errorf("%d response audit entries, want 3", audits)
		}
		entries, err := a.Aftersale.TimelineEntries(ctx, cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		var onTimeline int
		for _, e := range entries {
			if strings.HasPrefix(e.MsgID, "aftersale.timeline.response_") {
				onTimeline++
			}
		}
		if onTimeline != 3 {
			t.Errorf("%d response steps on the timeline, want 3", onTimeline)
		}
	})
}

// TestSLAResponseBeforeDeadline: a request taken in hand before its
// response deadline never warns or escalates on the response clock,
// however often the job runs; a reopening starts a new response clock.
func TestSLAResponseBeforeDeadline(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		run := newSLARun(t, d, "2026-09-24 16:00")
		a := run.a
		slaSettings(t, a)
		cu := afterCustomer(t, a, "liwei", "及时响应银行", "91230103MA2000004", "A")
		r, err := a.Aftersale.CreateRequest(ctx, subject(t, a, "liwei"), aftersale.RequestInput{
			CustomerID: cu.ID, Kind: "request", Category: "network", Severity: "normal", Channel: "phone", Description: "专线抖动"})
		if err != nil {
			t.Fatal(err)
		}
		run.tick("2026-09-24 17:00")
		r, err = a.Aftersale.Start(ctx, subject(t, a, "liwei"), r.ID, r.Version)
		if err != nil {
			t.Fatal(err)
		}
		for _, when := range []string{"2026-09-24 17:40", "2026-09-24 18:05", "2026-09-28 10:05", "2026-09-28 10:05"} {
			run.tick(when)
		}
		for _, u := range []string{"liwei", "zhaomin", "wangjianguo"} {
			if n := run.count(u, "aftersale.response_warning") + run.count(u, "aftersale.response_escalation"); n != 0 {
				t.Errorf("%s got %d response notices, the request was answered in time", u, n)
			}
		}
		got, err := a.Aftersale.Store().Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RespWarnedAt != nil || got.RespBreachedAt != nil || got.RespEscalation != 0 {
			t.Fatalf("response clock marks %v %v %d after a timely start", got.RespWarnedAt, got.RespBreachedAt, got.RespEscalation)
		}
		// Resolved then reopened: the new cycle has to be answered again.
		got, err = a.Aftersale.Resolve(ctx, subject(t, a, "liwei"), r.ID, aftersale.ResolveInput{Resolution: "已更换光模块"}, got.Version)
		if err != nil {
			t.Fatal(err)
		}
		got, err = a.Aftersale.Reopen(ctx, subject(t, a, "liwei"), r.ID, "客户反馈仍有抖动", got.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.RespondedAt != nil || got.Cycle != 2 {
			t.Fatalf("reopened: responded %v cycle %d, want a running response clock in cycle 2", got.RespondedAt, got.Cycle)
		}
		run.tick("2026-09-30 12:00") // well past the new cycle's response deadline
		if n := run.count("zhaomin", "aftersale.response_escalation"); n != 1 {
			t.Errorf("chief rep told %d times of the reopened request's unanswered response, want 1", n)
		}
	})
}
