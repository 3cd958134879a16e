package main

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/jobs"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/pool"
	"github.com/jike-crm/jike/modules/prospects"
)

// poolZone is the configured zone of the pool tests: a day and a month
// begin at 16:00 UTC, so the tests catch UTC arithmetic.
var poolZone = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

type poolWorld struct {
	a   *app
	clk *fakeClock
	d   *db.DB
	n   int
}

func newPoolWorld(t *testing.T, d *db.DB, start time.Time) *poolWorld {
	t.Helper()
	clk := &fakeClock{t: start}
	a := newTestApp(t, d, func(o *appOptions) { o.Now, o.Location = clk.Now, poolZone })
	return &poolWorld{a: a, clk: clk, d: d}
}

// customer makes a customer of username's; chief names a chief rep.
func (w *poolWorld) customer(t *testing.T, username, name, grade, chief string) *prospects.Customer {
	t.Helper()
	w.n++
	in := prospects.CustomerInput{Name: name, CreditCode: prospects.MakeCreditCode("91230103MA2P" + string(rune('0'+w.n/10%10)) + string(rune('0'+w.n%10)) + "777"),
		Industry: "manufacturing", Grade: grade, Status: "prospect"}
	if chief != "" {
		in.ChiefRepID = subject(t, w.a, chief).ID
	}
	c, err := w.a.Prospects.CreateCustomer(context.Background(), subject(t, w.a, username), in, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *poolWorld) enable(t *testing.T, idle, warn, limit string) {
	t.Helper()
	dir := subject(t, w.a, "wangjianguo")
	cur, err := w.a.Pool.Rule(context.Background(), dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.a.Pool.SaveRule(context.Background(), dir, 0, pool.RuleInput{Enabled: true, IdleDays: idle, WarnDays: warn, ClaimLimit: limit, Version: cur.Version})
	if err != nil {
		t.Fatal(err)
	}
}

// runAt runs the nightly job through the runner at the given instant.
func (w *poolWorld) runAt(t *testing.T, at time.Time) {
	t.Helper()
	w.clk.Set(at)
	if _, err := w.a.Jobs.RunNow(context.Background(), pool.JobReclaim); err != nil {
		t.Fatal(err)
	}
	var st jobs.State
	if err := w.d.Gorm.Where("name = ?", pool.JobReclaim).First(&st).Error; err != nil || st.LastError != "" {
		t.Fatalf("job run: %v %s", err, st.LastError)
	}
}

func (w *poolWorld) owner(t *testing.T, id uint) uint {
	t.Helper()
	c, err := w.a.Prospects.PoolCustomer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.OwnerID
}

func (w *poolWorld) warnings(t *testing.T, userID uint) int64 {
	t.Helper()
	var n int64
	if err := w.d.Gorm.Model(&notify.Notification{}).Where("user_id = ? AND msg_id = ?", userID, "pool.notice.warning").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// day is midnight+2h of the day n days after the start day in the zone.
func poolDay(start time.Time, n int) time.Time {
	l := start.In(poolZone)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 2, 0, 0, 0, poolZone)
}

// TestPoolReclaimJob drives the nightly job with a fake clock: the owner
// of an idle customer is warned once at N−7 days, the customer moves to
// the pool at N (owner the branch's holder, audited, on the timeline);
// A-grade customers, those with a chief rep, with a contract in force,
// with an open opportunity or with a recent contact never move.
func TestPoolReclaimJob(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().UTC() // customers are stamped by the system clock
		w := newPoolWorld(t, d, start)
		liwei := subject(t, w.a, "liwei")
		plain := w.customer(t, "liwei", "闲置机械厂", "C", "")
		aGrade := w.customer(t, "liwei", "重点机械集团", "A", "")
		chief := w.customer(t, "liwei", "首席代表机械厂", "B", "zhaomin")
		opp := w.customer(t, "liwei", "有商机机械厂", "C", "")
		if _, err := w.a.Prospects.CreateOpportunity(ctx, liwei, prospects.OpportunityInput{CustomerID: opp.ID, Title: "专线", Stage: prospects.StageIdentified}); err != nil {
			t.Fatal(err)
		}
		contacted := w.customer(t, "liwei", "常联系机械厂", "D", "")
		// A contract in force (a hand-made row: the contract flow has its
		// own tests) on a customer with nothing else keeping it.
		withContract := w.customer(t, "liwei", "有合同机械厂", "C", "")
		if err := d.Gorm.Exec(`INSERT INTO contracts (number, customer_id, owner_id, branch_id, title, status, start_on, end_on, term_months, payment_terms, payment_due_day, created_at, updated_at)
			SELECT 'HT-POOL-1', id, owner_id, branch_id, '合同', 'active', ?, ?, 12, 'monthly', 1, ?, ? FROM customers WHERE id = ?`,
			start.AddDate(0, -1, 0).Format("2006-01-02"), start.AddDate(1, 0, 0).Format("2006-01-02"), start, start, withContract.ID).Error; err != nil {
			t.Fatalf("contract row: %v", err)
		}
		w.enable(t, "90", "7", "10")

		w.runAt(t, poolDay(start, 82))
		if n := w.warnings(t, liwei.ID); n != 0 {
			t.Fatalf("warned %d times at N-8", n)
		}
		// A contact on day 60 keeps "contacted" out of both steps.
		if err := d.Gorm.Exec("INSERT INTO care_last_contacts (customer_id, last_contact_on, updated_at) VALUES (?, ?, ?)",
			contacted.ID, poolDay(start, 60).Format("2006-01-02"), start).Error; err != nil {
			t.Fatal(err)
		}
		w.runAt(t, poolDay(start, 83))
		if n := w.warnings(t, liwei.ID); n != 1 {
			t.Fatalf("warnings at N-7 = %d, want 1 (only the idle customer)", n)
		}
		w.runAt(t, poolDay(start, 84))
		w.runAt(t, poolDay(start, 89))
		if n := w.warnings(t, liwei.ID); n != 1 {
			t.Fatalf("warnings after N-7 = %d, want still 1", n)
		}
		if w.owner(t, plain.ID) != liwei.ID {
			t.Fatal("pooled before N days")
		}
		w.runAt(t, poolDay(start, 90))
		holder := w.owner(t, plain.ID)
		if holder == liwei.ID {
			t.Fatal("not pooled at N days")
		}
		for _, c := range []*prospects.Customer{aGrade, chief, opp, contacted, withContract} {
			if w.owner(t, c.ID) != liwei.ID {
				t.Errorf("%s was pooled", c.Name)
			}
		}
		var entries []pool.Entry
		d.Gorm.Find(&entries)
		if len(entries) != 1 || entries[0].CustomerID != plain.ID || entries[0].FromOwnerID == nil || *entries[0].FromOwnerID != liwei.ID {
			t.Fatalf("entries %+v", entries)
		}
		var au []audit.Entry
		d.Gorm.Where("entity = 'customer' AND entity_id = ? AND action = 'reassign'", plain.ID).Find(&au)
		if len(au) != 1 || !strings.Contains(au[0].Changes, "owner_id") {
			t.Fatalf("audit %+v", au)
		}
		tl, err := w.a.Pool.TimelineEntries(ctx, plain.ID)
		if err != nil || len(tl) != 1 || tl[0].MsgID != "pool.timeline.pooled" {
			t.Fatalf("timeline %+v %v", tl, err)
		}
		// The old owner no longer sees it anywhere in the customers module.
		if _, err := w.a.Prospects.Customer(ctx, liwei, plain.ID); err == nil {
			t.Fatal("the old owner still reads a pooled customer")
		}
		// A second run moves nothing more and warns nobody again.
		w.runAt(t, poolDay(start, 91))
		if n := w.warnings(t, liwei.ID); n != 1 {
			t.Fatalf("warnings after pooling = %d", n)
		}
	})
}

// poolWith puts n customers of chenhao's into the pool through the job
// (warned at N−7, moved at N) and returns them.
func poolWith(t *testing.T, w *poolWorld, start time.Time, names ...string) []*prospects.Customer {
	t.Helper()
	var out []*prospects.Customer
	for _, n := range names {
		out = append(out, w.customer(t, "chenhao", n, "C", ""))
	}
	w.enable(t, "30", "7", "2")
	w.runAt(t, poolDay(start, 23))
	w.runAt(t, poolDay(start, 30))
	for _, c := range out {
		if w.owner(t, c.ID) == c.OwnerID {
			t.Fatalf("%s not pooled", c.Name)
		}
	}
	return out
}

// TestPoolClaimScopeAndLimit: the pool list shows the branch's pooled
// customers (no phones) to its account managers and nobody else's; a
// pooled customer is a 404 on its page, in search and export until
// claimed; a claim makes the claimer the owner, audited and on the
// timeline; the monthly limit counts in the configured zone.
func TestPoolClaimScopeAndLimit(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().UTC() // customers are stamped by the system clock
		w := newPoolWorld(t, d, start)
		cs := poolWith(t, w, start, "公海一号机械厂", "公海二号机械厂", "公海三号机械厂")
		if _, err := w.a.Prospects.SaveContact(ctx, subject(t, w.a, "wangjianguo"), cs[0].ID, 0, prospects.ContactInput{Name: "钱厂长", Title: "厂长", Role: "decision", Mobile: "13912345678"}); err != nil {
			t.Fatal(err)
		}
		li := loggedIn(t, w.a, "liwei")
		r := li.Get("/pool")
		if r.Status != 200 || !strings.Contains(r.Body, "公海一号机械厂") || strings.Contains(r.Body, "13912345678") || strings.Contains(r.Body, "钱厂长") {
			t.Fatalf("pool list %d: %s", r.Status, r.Body)
		}
		if r := li.Get("/pool?q=" + url.QueryEscape("二号")); !strings.Contains(r.Body, "公海二号机械厂") || strings.Contains(r.Body, "公海一号机械厂") {
			t.Fatal("pool search")
		}
		// Other branch: no pool rows, claim is a 404.
		other := loggedIn(t, w.a, "liuzhiqiang")
		if r := other.Get("/pool"); r.Status != 200 || strings.Contains(r.Body, "公海一号机械厂") {
			t.Fatalf("other branch sees the pool: %d", r.Status)
		}
		if r := other.PostForm("/pool/"+itoa(cs[0].ID)+"/claim", url.Values{"version": {"0"}}); r.Status != 403 && r.Status != 404 {
			t.Fatalf("other branch claim %d", r.Status)
		}
		// An account manager of the other branch: not found.
		stranger := subject(t, w.a, "liwei")
		stranger.BranchID, stranger.TeamID = subject(t, w.a, "liuzhiqiang").BranchID, 0
		if err := w.a.Pool.Claim(ctx, stranger, cs[0].ID, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other branch's account manager claims: %v", err)
		}
		// Until claimed: detail, search and export hide it from liwei and
		// from its former owner.
		for _, u := range []string{"liwei", "chenhao"} {
			c := loggedIn(t, w.a, u)
			if r := c.Get("/customers/" + itoa(cs[0].ID)); r.Status != 404 {
				t.Fatalf("%s opens a pooled customer: %d", u, r.Status)
			}
			if r := c.Get("/customers?q=" + url.QueryEscape("公海")); strings.Contains(r.Body, "公海一号机械厂") {
				t.Fatalf("%s finds a pooled customer", u)
			}
			if r := c.Get("/customers/export.csv"); strings.Contains(r.Body, "公海一号机械厂") {
				t.Fatalf("%s exports a pooled customer", u)
			}
		}
		// Claim: limit 2 in January (zone Asia/Shanghai).
		poolVersion := func(id uint) string {
			c, err := w.a.Prospects.PoolCustomer(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return itoa(uint(c.Version))
		}
		jan := time.Date(start.Year()+1, 2, 28, 15, 59, 0, 0, time.UTC) // 23:59 on 28 Feb in the zone
		w.clk.Set(jan)
		li = loggedIn(t, w.a, "liwei") // the session of a year ago has expired
		for _, c := range cs[:2] {
			r := li.PostForm("/pool/"+itoa(c.ID)+"/claim", url.Values{"version": {poolVersion(c.ID)}})
			if r.Status != 303 && r.Status != 302 {
				t.Fatalf("claim %d: %s", r.Status, r.Body)
			}
		}
		if r := li.Get("/customers/" + itoa(cs[0].ID)); r.Status != 200 || !strings.Contains(r.Body, "13912345678") {
			t.Fatalf("claimed customer page %d", r.Status)
		}
		r = li.PostForm("/pool/"+itoa(cs[2].ID)+"/claim", url.Values{"version": {poolVersion(cs[2].ID)}})
		if r.Status != 422 || !strings.Contains(r.Body, "认领数量已达上限") {
			t.Fatalf("over the limit: %d", r.Status)
		}
		if w.owner(t, cs[2].ID) == subject(t, w.a, "liwei").ID {
			t.Fatal("a refused claim changed the owner")
		}
		w.clk.Set(jan.Add(time.Minute)) // 1 March 00:00 in the zone: a new month
		if r := li.PostForm("/pool/"+itoa(cs[2].ID)+"/claim", url.Values{"version": {poolVersion(cs[2].ID)}}); r.Status != 303 && r.Status != 302 {
			t.Fatalf("claim in the new month: %d %s", r.Status, r.Body)
		}
		tl, err := w.a.Pool.TimelineEntries(ctx, cs[0].ID)
		if err != nil || len(tl) != 2 || tl[1].MsgID != "pool.timeline.claimed" {
			t.Fatalf("timeline %+v %v", tl, err)
		}
		var n int64
		d.Gorm.Model(&audit.Entry{}).Where("entity = 'customer' AND entity_id = ? AND action = 'reassign'", cs[0].ID).Count(&n)
		if n != 2 {
			t.Fatalf("audit rows %d, want pooled + claimed", n)
		}
		if r := li.Get("/pool"); strings.Contains(r.Body, "公海一号机械厂") {
			t.Fatal("a claimed customer is still in the pool")
		}
	})
}

// TestPoolAssignAndStale: a chief rep assigns to their own team only; a
// claim with a stale version (someone took it) gets the localized
// message and changes nothing.
func TestPoolAssignAndStale(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now().UTC() // customers are stamped by the system clock
		w := newPoolWorld(t, d, start)
		cs := poolWith(t, w, start, "分配一号厂", "分配二号厂")
		zhaomin := subject(t, w.a, "zhaomin")
		c0, _ := w.a.Prospects.PoolCustomer(ctx, cs[0].ID)
		if err := w.a.Pool.Assign(ctx, zhaomin, c0.ID, subject(t, w.a, "zhoujie").ID, c0.Version); err == nil {
			t.Fatal("a chief rep assigned to another team")
		}
		if err := w.a.Pool.Assign(ctx, zhaomin, c0.ID, subject(t, w.a, "liwei").ID, c0.Version); err != nil {
			t.Fatal(err)
		}
		if w.owner(t, c0.ID) != subject(t, w.a, "liwei").ID {
			t.Fatal("assign did not change the owner")
		}
		li := loggedIn(t, w.a, "chenhao")
		r := li.PostForm("/pool/"+itoa(c0.ID)+"/claim", url.Values{"version": {itoa(uint(c0.Version))}})
		if r.Status != 404 && r.Status != 409 {
			t.Fatalf("claiming a taken customer: %d", r.Status)
		}
		c1, _ := w.a.Prospects.PoolCustomer(ctx, cs[1].ID)
		r = li.PostForm("/pool/"+itoa(c1.ID)+"/claim", url.Values{"version": {itoa(uint(c1.Version - 1))}})
		if r.Status != 409 || !strings.Contains(r.Body, "已被他人认领") {
			t.Fatalf("stale claim: %d", r.Status)
		}
		if w.owner(t, c1.ID) != c1.OwnerID {
			t.Fatal("a stale claim changed the owner")
		}
	})
}

// TestPoolClaimRace: two account managers claim the same customer at
// the same moment on PostgreSQL; exactly one wins, the other gets
// ErrTaken, and the customer has one owner and one claim row.
func TestPoolClaimRace(t *testing.T) {
	t.Parallel()
	d := testkit.Postgres(t)
	ctx := context.Background()
	start := time.Now().UTC() // customers are stamped by the system clock
	w := newPoolWorld(t, d, start)
	cs := poolWith(t, w, start, "抢一号厂", "抢二号厂", "抢三号厂")
	w.enable(t, "30", "7", "10")
	a, b := subject(t, w.a, "liwei"), subject(t, w.a, "chenhao")
	for _, c := range cs {
		cur, _ := w.a.Prospects.PoolCustomer(ctx, c.ID)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		gate := make(chan struct{})
		for i, who := range []authz.Subject{a, b} {
			wg.Add(1)
			go func(i int, s authz.Subject) {
				defer wg.Done()
				<-gate
				errs[i] = w.a.Pool.Claim(ctx, s, cur.ID, cur.Version)
			}(i, who)
		}
		close(gate)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, pool.ErrTaken):
				t.Fatalf("loser got %v, want ErrTaken", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d winners", wins)
		}
		var n int64
		d.Gorm.Model(&pool.Move{}).Where("customer_id = ? AND kind = 'claimed'", cur.ID).Count(&n)
		if n != 1 {
			t.Fatalf("%d claim rows", n)
		}
	}
}

// TestPoolSettings: the director edits the branch's rule; bad input is a
// localized 422 that changes nothing; an account manager may not open
// it; the admin chooses a branch first.
func TestPoolSettings(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newPoolWorld(t, d, time.Now().UTC())
		dir := loggedIn(t, w.a, "wangjianguo")
		if r := dir.Get("/pool/settings"); r.Status != 200 || !strings.Contains(r.Body, `name="idle_days" value="90"`) && !strings.Contains(r.Body, `value="90"`) {
			t.Fatalf("settings %d", r.Status)
		}
		r := dir.PostForm("/pool/settings", url.Values{"enabled": {"1"}, "idle_days": {"90"}, "warn_days": {"90"}, "claim_limit": {"5"}, "version": {"0"}})
		if r.Status != 422 || !strings.Contains(r.Body, "须小于无联系天数") {
			t.Fatalf("bad warn days: %d", r.Status)
		}
		rule, err := w.a.Pool.Rule(context.Background(), subject(t, w.a, "wangjianguo"), 0)
		if err != nil || rule.ID != 0 {
			t.Fatalf("a refused save stored a rule: %+v %v", rule, err)
		}
		r = dir.PostForm("/pool/settings", url.Values{"enabled": {"1"}, "idle_days": {"60"}, "warn_days": {"5"}, "claim_limit": {"3"}, "version": {"0"}})
		if r.Status != 303 && r.Status != 302 {
			t.Fatalf("save %d", r.Status)
		}
		rule, _ = w.a.Pool.Rule(context.Background(), subject(t, w.a, "wangjianguo"), 0)
		if !rule.Enabled || rule.IdleDays != 60 || rule.WarnDays != 5 || rule.ClaimLimit != 3 {
			t.Fatalf("saved %+v", rule)
		}
		var n int64
		d.Gorm.Model(&audit.Entry{}).Where("entity = ?", pool.EntityRule).Count(&n)
		if n != 1 {
			t.Fatalf("rule audit rows %d", n)
		}
		if r := loggedIn(t, w.a, "liwei").Get("/pool/settings"); r.Status != 403 {
			t.Fatalf("an account manager opens the settings: %d", r.Status)
		}
		admin := loggedIn(t, w.a, "admin")
		if r := admin.Get("/pool/settings"); r.Status != 200 || !strings.Contains(r.Body, "/pool/settings?branch=") {
			t.Fatalf("admin's branch choice %d", r.Status)
		}
		if r := admin.Get("/pool/settings?branch=" + itoa(rule.BranchID)); r.Status != 200 || !strings.Contains(r.Body, `value="60"`) {
			t.Fatalf("admin's settings %d", r.Status)
		}
	})
}

// warnedFor counts the pool warnings userID had about customer id.
func (w *poolWorld) warnedFor(t *testing.T, userID, id uint) int64 {
	t.Helper()
	var n int64
	if err := w.d.Gorm.Model(&notify.Notification{}).Where("user_id = ? AND msg_id = ? AND link = ?", userID, "pool.notice.warning", "/customers/"+itoa(id)).
		Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// auditAt is the time of the latest audit entry of customer id with action.
func (w *poolWorld) auditAt(t *testing.T, id uint, action string) time.Time {
	t.Helper()
	var e audit.Entry
	if err := w.d.Gorm.Where("entity = 'customer' AND entity_id = ? AND action = ?", id, action).Order("id DESC").First(&e).Error; err != nil {
		t.Fatalf("audit %s of %d: %v", action, id, err)
	}
	return e.At
}

// TestPoolOwnerChangeRestartsIdleClock: every path that changes a
// customer's owner — a chief rep's reassignment, a director's (through
// the page), an assignment and a claim from the pool — gives the new
// owner the whole N days: the job does not warn or pool the next night,
// warns N−7 days after the change and pools at N (issue 17: a customer
// reassigned yesterday was warned to its new owner tonight and pooled a
// week later). The fake clock is years away from the system clock, so
// the customers' creation time and the audit times of the create, the
// reassignments, the assignment, the claim and the rule must all come
// from the service clock.
func TestPoolOwnerChangeRestartsIdleClock(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Date(2031, 3, 2, 1, 0, 0, 0, time.UTC) // 09:00 in the zone
		w := newPoolWorld(t, d, start)
		liwei, chenhao, zhoujie, zhangjing := subject(t, w.a, "liwei"), subject(t, w.a, "chenhao"), subject(t, w.a, "zhoujie"), subject(t, w.a, "zhangjing")
		keep := w.customer(t, "liwei", "原主机械厂", "C", "")
		byChief := w.customer(t, "liwei", "首席改派机械厂", "C", "")
		byDirector := w.customer(t, "liwei", "主任改派机械厂", "C", "")
		for _, c := range []*prospects.Customer{keep, byChief, byDirector} {
			got, err := w.a.Prospects.PoolCustomer(ctx, c.ID)
			if err != nil || !got.CreatedAt.Equal(start) {
				t.Fatalf("%s created at %v, want the service clock %v (%v)", c.Name, got.CreatedAt, start, err)
			}
			if at := w.auditAt(t, c.ID, audit.ActionCreate); !at.Equal(start) {
				t.Fatalf("%s: create audited at %v, want %v", c.Name, at, start)
			}
		}
		w.enable(t, "30", "7", "10")
		var rule audit.Entry
		if err := d.Gorm.Where("entity = ?", pool.EntityRule).First(&rule).Error; err != nil || !rule.At.Equal(start) {
			t.Fatalf("rule audited at %v (%v), want %v", rule.At, err, start)
		}

		w.runAt(t, poolDay(start, 23))
		for _, c := range []*prospects.Customer{keep, byChief, byDirector} {
			if n := w.warnedFor(t, liwei.ID, c.ID); n != 1 {
				t.Fatalf("%s: liwei warned %d times at N-7", c.Name, n)
			}
		}
		// Day 29: the chief rep gives one to chenhao (same team), the
		// director one to zhoujie (another team) through the page.
		day29 := poolDay(start, 29)
		w.clk.Set(day29)
		cur, _ := w.a.Prospects.PoolCustomer(ctx, byChief.ID)
		if _, err := w.a.Prospects.Reassign(ctx, subject(t, w.a, "zhaomin"), byChief.ID, chenhao.ID, 0, cur.Version); err != nil {
			t.Fatal(err)
		}
		cur, _ = w.a.Prospects.PoolCustomer(ctx, byDirector.ID)
		r := loggedIn(t, w.a, "wangjianguo").PostForm("/customers/"+itoa(byDirector.ID)+"/reassign",
			url.Values{"owner_id": {itoa(zhoujie.ID)}, "version": {itoa(uint(cur.Version))}})
		if r.Status != 303 && r.Status != 302 {
			t.Fatalf("director's reassignment: %d %s", r.Status, r.Body)
		}
		for _, c := range []*prospects.Customer{byChief, byDirector} {
			if at := w.auditAt(t, c.ID, "reassign"); !at.Equal(day29) {
				t.Fatalf("%s: reassignment audited at %v, want %v", c.Name, at, day29)
			}
		}
		w.runAt(t, poolDay(start, 30))
		holder := w.owner(t, keep.ID)
		if holder == liwei.ID {
			t.Fatal("the untouched customer was not pooled at N")
		}
		if w.owner(t, byChief.ID) != chenhao.ID || w.owner(t, byDirector.ID) != zhoujie.ID {
			t.Fatal("a customer reassigned yesterday was pooled")
		}
		if w.warnedFor(t, chenhao.ID, byChief.ID) != 0 || w.warnedFor(t, zhoujie.ID, byDirector.ID) != 0 {
			t.Fatal("the new owner was warned the night after the reassignment")
		}
		// Day 31: the chief rep assigns the pooled one to zhangjing.
		day31 := poolDay(start, 31)
		w.clk.Set(day31)
		cur, _ = w.a.Prospects.PoolCustomer(ctx, keep.ID)
		if err := w.a.Pool.Assign(ctx, subject(t, w.a, "zhaomin"), keep.ID, zhangjing.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		if at := w.auditAt(t, keep.ID, "reassign"); !at.Equal(day31) {
			t.Fatalf("assignment audited at %v, want %v", at, day31)
		}
		w.runAt(t, poolDay(start, 32))
		w.runAt(t, poolDay(start, 51))
		if w.warnedFor(t, zhangjing.ID, keep.ID) != 0 || w.warnedFor(t, chenhao.ID, byChief.ID) != 0 || w.warnedFor(t, zhoujie.ID, byDirector.ID) != 0 {
			t.Fatal("a new owner was warned before N-7 days from the change")
		}
		// N−7 days after the reassignment: warned once; at N: pooled.
		w.runAt(t, poolDay(start, 52))
		if w.warnedFor(t, chenhao.ID, byChief.ID) != 1 || w.warnedFor(t, zhoujie.ID, byDirector.ID) != 1 {
			t.Fatal("the new owners were not warned N-7 days after the reassignment")
		}
		w.runAt(t, poolDay(start, 54))
		if w.warnedFor(t, zhangjing.ID, keep.ID) != 1 {
			t.Fatal("the assignee was not warned N-7 days after the assignment")
		}
		w.runAt(t, poolDay(start, 58))
		if w.owner(t, byChief.ID) != chenhao.ID || w.owner(t, byDirector.ID) != zhoujie.ID {
			t.Fatal("pooled before N days from the reassignment")
		}
		w.runAt(t, poolDay(start, 59))
		if w.owner(t, byChief.ID) != holder || w.owner(t, byDirector.ID) != holder {
			t.Fatal("not pooled N days after the reassignment")
		}
		// Day 60: liwei claims one back; the claim restarts the clock too.
		day60 := poolDay(start, 60)
		w.clk.Set(day60)
		cur, _ = w.a.Prospects.PoolCustomer(ctx, byChief.ID)
		if err := w.a.Pool.Claim(ctx, liwei, byChief.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		if at := w.auditAt(t, byChief.ID, "reassign"); !at.Equal(day60) {
			t.Fatalf("claim audited at %v, want %v", at, day60)
		}
		w.runAt(t, poolDay(start, 61))
		if w.owner(t, keep.ID) != holder {
			t.Fatal("the assigned customer was not pooled N days after the assignment")
		}
		w.runAt(t, poolDay(start, 82))
		if w.owner(t, byChief.ID) != liwei.ID || w.warnedFor(t, liwei.ID, byChief.ID) != 1 {
			t.Fatal("the claimer was warned (or lost it) before N-7 days from the claim")
		}
		w.runAt(t, poolDay(start, 83))
		if w.warnedFor(t, liwei.ID, byChief.ID) != 2 {
			t.Fatal("the claimer was not warned N-7 days after the claim")
		}
	})
}
