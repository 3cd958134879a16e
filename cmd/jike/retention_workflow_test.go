package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/retention"
)

// alertWorld is a risk world with one high-risk customer (a steep revenue
// fall and a contract ending without a renewal: 55 points) for each of
// liwei and zhangjing (team 政企客户一部, chief rep zhaomin), zhoujie
// (another team of the branch) and gaoyuan (大庆), and one customer of
// liwei's below the threshold; the score job has run once.
type alertWorld struct {
	*riskWorld
	cu    map[string]uint
	alert map[string]uint
}

var alertOwners = []string{"liwei", "zhangjing", "zhoujie", "gaoyuan"}

func newAlertWorld(t *testing.T, d *db.DB) *alertWorld {
	t.Helper()
	w := &alertWorld{riskWorld: newRiskWorld(t, d), cu: map[string]uint{}, alert: map[string]uint{}}
	for _, u := range alertOwners {
		id := w.customer(t, u, u+" 的风险客户")
		w.revenue(t, id, 0, 10000, 10000, 10000, 4000, 4000, 4000)
		w.contract(t, u, id, 45, false)
		w.cu[u] = id
	}
	low := w.customer(t, "liwei", "liwei 的低风险客户")
	w.competitor(t, low, 20)
	if err := w.a.Retention.Recompute(context.Background(), riskNow); err != nil {
		t.Fatal(err)
	}
	var alerts []retention.Alert
	if err := d.Gorm.Find(&alerts).Error; err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		for u, id := range w.cu {
			if a.CustomerID == id {
				w.alert[u] = a.ID
			}
		}
	}
	if len(alerts) != len(alertOwners) || len(w.alert) != len(alertOwners) {
		t.Fatalf("alerts after the first run: %+v", alerts)
	}
	return w
}

func (w *alertWorld) notices(t *testing.T, username, kind string) []notify.Notification {
	t.Helper()
	var out []notify.Notification
	if err := w.d.Gorm.Where("user_id = ? AND kind = ?", subject(t, w.a, username).ID, kind).Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func (w *alertWorld) load(t *testing.T, id uint) retention.Alert {
	t.Helper()
	var a retention.Alert
	if err := w.d.Gorm.First(&a, id).Error; err != nil {
		t.Fatal(err)
	}
	return a
}

// TestRetentionJobIdempotent: the score job run again (and through the
// job runner at its nightly time) keeps one unfinished alert per customer
// and tells each owner once; a customer below the threshold gets a score
// and no alert; after an outcome the customer gets no new alert within
// the cool-down, and a new one after it.
func TestRetentionJobIdempotent(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAlertWorld(t, d)
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			if err := w.a.Retention.Recompute(ctx, riskNow.Add(time.Duration(i+1)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		w.clk.Set(at("2026-12-11 01:30"))
		if _, err := w.a.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		var n int64
		d.Gorm.Model(&retention.Alert{}).Count(&n)
		if n != int64(len(alertOwners)) {
			t.Fatalf("%d alerts after four runs, want %d", n, len(alertOwners))
		}
		if got := w.notices(t, "liwei", "retention.alert"); len(got) != 1 || !strings.Contains(got[0].Args, "liwei 的风险客户") {
			t.Fatalf("liwei's alert notices: %+v", got)
		}
		var scores []retention.Score
		d.Gorm.Order("customer_id").Find(&scores)
		if len(scores) != len(alertOwners)+1 {
			t.Fatalf("scores: %+v", scores)
		}
		// An outcome closes the alert; no new alert within 30 days, one after.
		a := w.load(t, w.alert["liwei"])
		if _, err := w.a.Retention.RecordOutcome(ctx, subject(t, w.a, "liwei"), a.ID, retention.OutcomeRetained, "", a.Version); err != nil {
			t.Fatal(err)
		}
		if err := w.a.Retention.Recompute(ctx, w.clk.Now().AddDate(0, 0, 10)); err != nil {
			t.Fatal(err)
		}
		d.Gorm.Model(&retention.Alert{}).Where("customer_id = ?", w.cu["liwei"]).Count(&n)
		if n != 1 {
			t.Fatalf("liwei's customer has %d alerts 10 days after the outcome, want 1", n)
		}
		if err := w.a.Retention.Recompute(ctx, w.clk.Now().AddDate(0, 0, 31)); err != nil {
			t.Fatal(err)
		}
		d.Gorm.Model(&retention.Alert{}).Where("customer_id = ? AND status = ?", w.cu["liwei"], retention.StatusOpen).Count(&n)
		if n != 1 {
			t.Fatalf("liwei's customer has %d open alerts after the cool-down, want 1", n)
		}
	})
}

// TestRetentionWorkflow: over HTTP, an action must be one of the three and
// an outcome of partly or lost needs a reason (a localized message, no
// change); a stale version is a conflict; a visit action goes on to the
// visit form prefilled with the customer; the outcome closes the alert;
// each step is audited and shows on the customer's timeline.
func TestRetentionWorkflow(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAlertWorld(t, d)
		id := w.alert["liwei"]
		path := "/retention/alerts/" + itoa(id)
		c := loggedIn(t, w.a, "liwei")
		home := c.Get("/")
		if home.Status != http.StatusOK || !strings.Contains(home.Body, `href="`+path+`"`) {
			t.Fatalf("liwei's home does not list the alert: %d", home.Status)
		}
		page := c.Get(path)
		if page.Status != http.StatusOK || !strings.Contains(page.Body, "收入下降 60%") || !strings.Contains(page.Body, "尚无续约草稿") {
			t.Fatalf("alert page: %d %s", page.Status, page.Body)
		}
		v := "1"
		if res := c.PostForm(path+"/action", url.Values{"action": {"dance"}, "version": {v}}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "请选择一项挽留行动") {
			t.Fatalf("bad action: %d", res.Status)
		}
		if res := c.PostForm(path+"/outcome", url.Values{"outcome": {"lost"}, "reason": {"  "}, "version": {v}}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "必须填写原因") {
			t.Fatalf("lost without a reason: %d", res.Status)
		}
		c.PostForm("/lang", url.Values{"lang": {"en"}})
		if res := c.PostForm(path+"/outcome", url.Values{"outcome": {"partly"}, "version": {v}}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "A reason is required") {
			t.Fatalf("partly without a reason (en): %d", res.Status)
		}
		c.PostForm("/lang", url.Values{"lang": {"zh-CN"}})
		if a := w.load(t, id); a.Status != retention.StatusOpen || a.Version != 1 {
			t.Fatalf("refused input changed the alert: %+v", a)
		}
		res := c.PostForm(path+"/action", url.Values{"action": {"visit"}, "note": {"约总经理面谈"}, "version": {v}})
		if res.Status != http.StatusSeeOther && res.Status != http.StatusFound || res.Location() != "/visits/new?customer="+itoa(w.cu["liwei"]) {
			t.Fatalf("visit action: %d %q", res.Status, res.Location())
		}
		a := w.load(t, id)
		if a.Status != retention.StatusActed || a.Action != retention.ActionVisit || a.Version != 2 || !a.DueAt.Equal(a.OutcomeDueAt) {
			t.Fatalf("after the action: %+v", a)
		}
		if res := c.PostForm(path+"/outcome", url.Values{"outcome": {"retained"}, "version": {v}}); res.Status != http.StatusConflict || !strings.Contains(res.Body, "已被他人修改") {
			t.Fatalf("stale version: %d", res.Status)
		}
		if res := c.PostForm(path+"/outcome", url.Values{"outcome": {"partly"}, "reason": {"停用一条专线"}, "version": {"2"}}); res.Status >= 400 {
			t.Fatalf("outcome: %d %s", res.Status, res.Body)
		}
		a = w.load(t, id)
		if a.Status != retention.StatusClosed || a.Outcome != retention.OutcomePartly || a.OutcomeReason != "停用一条专线" {
			t.Fatalf("after the outcome: %+v", a)
		}
		if res := c.PostForm(path+"/action", url.Values{"action": {"offer"}, "version": {"3"}}); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("action on a closed alert: %d", res.Status)
		}
		var trail []audit.Entry
		d.Gorm.Where("entity = ? AND entity_id = ?", retention.EntityAlert, id).Order("id").Find(&trail)
		var actions []string
		for _, e := range trail {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "open,action_visit,outcome_partly" {
			t.Fatalf("audit trail: %v", actions)
		}
		cust := c.Get("/customers/" + itoa(w.cu["liwei"]))
		for _, want := range []string{"生成挽留预警", "挽留：安排挽留走访", "挽留结果：部分挽留", "/customers/" + itoa(w.cu["liwei"]) + "/retention"} {
			if !strings.Contains(cust.Body, want) {
				t.Errorf("customer page lacks %q", want)
			}
		}
		risk := c.Get("/customers/" + itoa(w.cu["liwei"]) + "/retention")
		if risk.Status != http.StatusOK || !strings.Contains(risk.Body, "55 / 100") || strings.Count(risk.Body, "data-factor=") != 2 {
			t.Fatalf("risk page: %d", risk.Status)
		}
	})
}

// TestRetentionEscalation drives the hourly job with a fake clock: two days
// before the action deadline the owner is warned, at it the chief rep
// (zhaomin) is told, three days after it the director (wangjianguo); each
// once however often the job runs. An action starts the outcome's clock
// afresh; an escalate action tells the chief rep at once.
func TestRetentionEscalation(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAlertWorld(t, d)
		ctx := context.Background()
		run := func(when time.Time) {
			t.Helper()
			w.clk.Set(when)
			for i := 0; i < 2; i++ {
				if err := w.a.Retention.Escalate(ctx, when); err != nil {
					t.Fatal(err)
				}
			}
		}
		count := func(user, kind string) int { return len(w.notices(t, user, kind)) }
		run(riskNow.AddDate(0, 0, 4))
		if count("liwei", "retention.warning") != 0 {
			t.Fatal("warned too early")
		}
		run(riskNow.AddDate(0, 0, 5).Add(time.Minute))
		if count("liwei", "retention.warning") != 1 || count("zhaomin", "retention.escalation") != 0 {
			t.Fatalf("at the warning: liwei %d, zhaomin %d", count("liwei", "retention.warning"), count("zhaomin", "retention.escalation"))
		}
		run(riskNow.AddDate(0, 0, 7))
		if a := w.load(t, w.alert["liwei"]); a.Escalation != 1 || a.BreachedAt == nil {
			t.Fatalf("at the deadline: %+v", a)
		}
		// zhaomin is chief rep of liwei's and zhangjing's customers' team.
		if got := count("zhaomin", "retention.escalation"); got != 2 {
			t.Fatalf("zhaomin told %d times, want 2 (liwei's and zhangjing's alerts)", got)
		}
		if count("wangjianguo", "retention.escalation") != 0 {
			t.Fatal("director told at the deadline")
		}
		run(riskNow.AddDate(0, 0, 10))
		if got := count("wangjianguo", "retention.escalation"); got != 3 { // the three alerts of 哈尔滨
			t.Fatalf("director told %d times, want 3", got)
		}
		if count("liuzhiqiang", "retention.escalation") != 1 {
			t.Fatal("大庆's director not told of gaoyuan's alert")
		}
		// An action now: the outcome's clock starts clean.
		a := w.load(t, w.alert["liwei"])
		a2, err := w.a.Retention.RecordAction(ctx, subject(t, w.a, "liwei"), a.ID, retention.ActionEscalate, "需要首席出面", a.Version)
		if err != nil {
			t.Fatal(err)
		}
		if a2.Escalation != 0 || a2.WarnedAt != nil || !a2.DueAt.Equal(a.OutcomeDueAt) {
			t.Fatalf("after the action: %+v", a2)
		}
		if got := count("zhaomin", "retention.escalation"); got != 3 {
			t.Fatalf("the escalate action told zhaomin %d times in all, want 3", got)
		}
		run(a.OutcomeDueAt)
		if a3 := w.load(t, a.ID); a3.Escalation != 1 {
			t.Fatalf("outcome deadline: %+v", a3)
		}
		// A form read before the job's mark is stale.
		if _, err := w.a.Retention.RecordOutcome(ctx, subject(t, w.a, "liwei"), a.ID, retention.OutcomeRetained, "", a2.Version); err == nil {
			t.Fatal("outcome on a version the job moved on was accepted")
		}
	})
}

// TestRetentionScopes: every retention page, list and export shows exactly
// the customers the reader may see; an alert or customer out of scope is a
// 404 on every route, reading and writing; the admin reads everything and
// records nothing.
func TestRetentionScopes(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newAlertWorld(t, d)
		sees := map[string][]string{
			"liwei":       {"liwei"},
			"zhoujie":     {"zhoujie"},
			"zhaomin":     {"liwei", "zhangjing"},
			"wangjianguo": {"liwei", "zhangjing", "zhoujie"},
			"liuzhiqiang": {"gaoyuan"},
			"admin":       alertOwners,
		}
		lists := []string{"/retention", "/retention?status=all&sort=due", "/retention/export.csv", "/retention/at-risk", "/retention/at-risk.csv"}
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
			for _, p := range lists {
				res := c.Get(p)
				if res.Status != http.StatusOK {
					t.Fatalf("%s %s: %d", reader, p, res.Status)
				}
				for _, u := range alertOwners {
					if got := strings.Contains(res.Body, u+" 的风险客户"); got != in(u) {
						t.Errorf("%s: %s lists %s's customer: %v, want %v", reader, p, u, got, in(u))
					}
				}
			}
			for _, u := range alertOwners {
				a := itoa(w.alert[u])
				for _, p := range []string{"/retention/alerts/" + a, "/customers/" + itoa(w.cu[u]) + "/retention"} {
					res := c.Get(p)
					if in(u) && res.Status != http.StatusOK || !in(u) && res.Status != http.StatusNotFound {
						t.Errorf("%s GET %s: %d (visible %v)", reader, p, res.Status, in(u))
					}
				}
				for _, p := range []string{"/retention/alerts/" + a + "/action", "/retention/alerts/" + a + "/outcome"} {
					res := c.PostForm(p, url.Values{"action": {"visit"}, "outcome": {"retained"}, "version": {"1"}})
					want := http.StatusNotFound
					if in(u) {
						want = http.StatusForbidden // reader may see but the admin may not act
						if reader != "admin" {
							continue // acting on visible alerts is the workflow test's
						}
					}
					if res.Status != want {
						t.Errorf("%s POST %s: %d, want %d", reader, p, res.Status, want)
					}
				}
			}
		}
	})
}
