package visits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// counts are the rows a record may write, for the customer of the world.
type counts struct{ records, plans, todos, audits int64 }

func (w *world) counts(t *testing.T) counts {
	t.Helper()
	var c counts
	g := w.d.Gorm
	g.Table("visit_records").Joins("JOIN visit_plans ON visit_plans.id = visit_records.visit_id").Where("visit_plans.customer_id = ?", w.customer.ID).Count(&c.records)
	g.Table("visit_plans").Where("customer_id = ?", w.customer.ID).Count(&c.plans)
	g.Table("visit_todos").Where("customer_id = ?", w.customer.ID).Count(&c.todos)
	g.Table("audit_log").Count(&c.audits)
	return c
}

// TestSaveRecordIsAllOrNothing: when the needs step fails after it wrote
// through the transaction, the record, the visit's status, the next plan,
// the to-do, their audit entries and the need already written are all
// rolled back.
func TestSaveRecordIsAllOrNothing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		p := w.plan(t, "liwei", -2*time.Hour)
		written := 0
		// Like the needs module, the fake writes through the transaction
		// it is given (an audit row stands in for the need).
		w.svc.CreateNeed = func(ctx context.Context, tx *gorm.DB, actor authz.Subject, n NeedRequest) error {
			if n.Description == "坏的需求" {
				return errors.New("injected failure")
			}
			written++
			return audit.Record(ctx, tx, actor.ID, "need", uint(written), audit.ActionCreate, nil)
		}
		before := w.counts(t)
		nextDay := w.now.In(shanghai).AddDate(0, 0, 3).Format("2006-01-02")
		for _, kind := range []string{"demo", NextTodo} {
			in := RecordInput{Discussed: "院方确认预算", Attitude: "positive", NextStep: "带方案演示", NextDate: nextDay, NextKind: kind,
				Needs: []NeedLine{{Line: 0, Category: "dedicated_line", Description: "1000M 专线"}, {Line: 1, Category: "idc_cloud", Description: "坏的需求"}}}
			if _, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, in); err == nil || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("%s: want the injected failure, got %v", kind, err)
			}
			if got := w.counts(t); got != before {
				t.Fatalf("%s: a failed record left rows behind: %+v, was %+v", kind, got, before)
			}
			if again, _ := w.svc.store.Plan(ctx, p.ID); again.Status != StatusPlanned || again.Version != p.Version {
				t.Fatalf("%s: the visit changed: %+v", kind, again)
			}
		}
		res, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{Discussed: "院方确认预算", Attitude: "positive",
			NextStep: "带方案演示", NextDate: nextDay, NextKind: "demo", Needs: []NeedLine{{Line: 0, Category: "dedicated_line", Description: "1000M 专线"}}})
		if err != nil || res.Needs != 1 || res.NextPlan == nil {
			t.Fatalf("record: %v %+v", err, res)
		}
		if got := w.counts(t); got.records != before.records+1 || got.plans != before.plans+1 {
			t.Fatalf("after the record: %+v", got)
		}
	})
}

// TestRecordChecksEveryID: the ids a record form names belong to the
// visit's customer; the next plan carries over only the key persons and
// colleagues who still qualify.
func TestRecordChecksEveryID(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		other, err := w.ps.CreateCustomer(ctx, w.users["liwei"], prospects.CustomerInput{Name: "哈尔滨市第三医院", CreditCode: prospects.MakeCreditCode("12230103MB1000002"), Industry: "healthcare", Grade: "B"}, false)
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := w.ps.SaveContact(ctx, w.users["liwei"], other.ID, 0, prospects.ContactInput{Name: "赵科长", Role: "user"})
		if err != nil {
			t.Fatal(err)
		}
		p := w.plan(t, "liwei", -2*time.Hour, func(in *PlanInput) {
			in.Contacts = w.contacts
			in.Participants = []uint{w.users["zhaomin"].ID, w.users["wangjianguo"].ID}
		})
		// The plan form: key persons of another customer, colleagues who
		// cannot open this one.
		date, tm := w.at(5 * time.Hour)
		for _, in := range []PlanInput{
			{CustomerID: w.customer.ID, Date: date, Time: tm, Kind: "needs", Objective: "x", Contacts: []uint{w.contacts[0], stranger.ID}},
			{CustomerID: w.customer.ID, Date: date, Time: tm, Kind: "needs", Objective: "x", Participants: []uint{w.users["sunli"].ID}},
		} {
			_, err := w.svc.CreatePlan(ctx, w.users["liwei"], in)
			f, ok := apperr.AsFields(err)
			if !ok || (f["contacts"] == "" && f["participants"] == "") {
				t.Fatalf("plan with a foreign id %+v: %v", in, err)
			}
			in.Version = p.Version
			if _, err := w.svc.UpdatePlan(ctx, w.users["liwei"], p.ID, in); err == nil {
				t.Fatalf("plan update with a foreign id %+v accepted", in)
			}
		}
		before := w.counts(t)
		for _, contact := range []uint{stranger.ID, 999999} {
			_, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{Discussed: "x", Attitude: "neutral",
				Needs: []NeedLine{{Line: 0, Category: "dedicated_line", Description: "专线"}, {Line: 2, Category: "iot", Description: "物联网卡", ContactID: contact}}})
			f, ok := apperr.AsFields(err)
			if !ok || f["need_contact_2"] != "visits.v.need_contact" || f["need_contact_0"] != "" {
				t.Fatalf("key person %d of another customer: %v", contact, err)
			}
		}
		if len(w.needs) != 0 || w.counts(t) != before {
			t.Fatalf("a refused record wrote something: needs %v, %+v", w.needs, w.counts(t))
		}
		// Between the visit and its record a key person leaves the
		// customer and the chief rep is disabled: the next plan goes
		// without them.
		if err := w.ps.DeleteContact(ctx, w.users["liwei"], w.customer.ID, w.contacts[1]); err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Model(&org.User{}).Where("id = ?", w.users["zhaomin"].ID).Update("disabled", true).Error; err != nil {
			t.Fatal(err)
		}
		res, err := w.svc.SaveRecord(ctx, w.users["liwei"], p.ID, RecordInput{Discussed: "x", Attitude: "neutral", NextStep: "回访",
			NextDate: w.now.In(shanghai).AddDate(0, 0, 3).Format("2006-01-02"), NextKind: "care"})
		if err != nil {
			t.Fatal(err)
		}
		contacts, participants, err := w.svc.store.Links(ctx, []uint{res.NextPlan.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := contacts[res.NextPlan.ID]; len(got) != 1 || got[0] != w.contacts[0] {
			t.Fatalf("next plan key persons %v, want only %d", got, w.contacts[0])
		}
		if got := participants[res.NextPlan.ID]; len(got) != 1 || got[0] != w.users["wangjianguo"].ID {
			t.Fatalf("next plan colleagues %v, want only the director", got)
		}
	})
}

// TestNeedJoinsTheOnlyOpenOpportunity: a need found at a visit is linked
// to the customer's open opportunity when there is exactly one.
func TestNeedJoinsTheOnlyOpenOpportunity(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		am := w.users["liwei"]
		record := func() uint {
			t.Helper()
			w.needReqs = nil
			p := w.plan(t, "liwei", -2*time.Hour)
			if _, err := w.svc.SaveRecord(ctx, am, p.ID, RecordInput{Discussed: "x", Attitude: "neutral",
				Needs: []NeedLine{{Line: 0, Category: "dedicated_line", Description: "专线"}}}); err != nil {
				t.Fatal(err)
			}
			if len(w.needReqs) != 1 || w.needReqs[0].VisitID != p.ID || w.needReqs[0].CustomerID != w.customer.ID {
				t.Fatalf("need requests: %+v", w.needReqs)
			}
			return w.needReqs[0].OpportunityID
		}
		if got := record(); got != 0 {
			t.Fatalf("no opportunity, linked to %d", got)
		}
		won, err := w.ps.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: w.customer.ID, Title: "语音专线", Stage: prospects.StageNegotiation})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ps.MoveStage(ctx, am, won.ID, prospects.StageMove{To: prospects.StageWon}); err != nil {
			t.Fatal(err)
		}
		open, err := w.ps.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: w.customer.ID, Title: "影像云", Stage: prospects.StageNeeds})
		if err != nil {
			t.Fatal(err)
		}
		if got := record(); got != open.ID {
			t.Fatalf("one open opportunity (and a won one): linked to %d, want %d", got, open.ID)
		}
		if _, err := w.ps.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: w.customer.ID, Title: "物联网", Stage: prospects.StageIdentified}); err != nil {
			t.Fatal(err)
		}
		if got := record(); got != 0 {
			t.Fatalf("two open opportunities: linked to %d, want none", got)
		}
	})
}

// TestNoRecordBeforeTheVisit: a visit is recorded once its time has come.
func TestNoRecordBeforeTheVisit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		p := w.plan(t, "liwei", 2*time.Hour)
		_, err := w.svc.SaveRecord(context.Background(), w.users["liwei"], p.ID, RecordInput{Discussed: "x", Attitude: "neutral"})
		if f, ok := apperr.AsFields(err); !ok || f["_form"] != "visits.v.record_not_yet" {
			t.Fatalf("a future visit recorded: %v", err)
		}
		w.now = w.now.Add(2 * time.Hour)
		if _, err := w.svc.SaveRecord(context.Background(), w.users["liwei"], p.ID, RecordInput{Discussed: "x", Attitude: "neutral"}); err != nil {
			t.Fatalf("at its start: %v", err)
		}
	})
}

// TestHistoryUpcomingFirst: today and the coming days first, soonest
// first, then the past, latest first — one ordering on both databases,
// stable across pages.
func TestHistoryUpcomingFirst(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		// w.now is 10:00 in Shanghai.
		var want []uint
		for _, h := range []time.Duration{-9 * time.Hour, 1, 3 * time.Hour, 30 * time.Hour} { // today 01:00, 10:00, 13:00, tomorrow
			want = append(want, w.plan(t, "liwei", h).ID)
		}
		for _, h := range []time.Duration{-11 * time.Hour, -50 * time.Hour} { // yesterday 23:00, the day before
			want = append(want, w.plan(t, "liwei", h).ID)
		}
		rows, total, err := w.svc.History(ctx, w.users["liwei"], ViewMine, 0, nil, 100, 0)
		if err != nil || total != int64(len(want)) {
			t.Fatalf("history: %v %d", err, total)
		}
		var got []uint
		for _, r := range rows {
			got = append(got, r.ID)
			if r.OwnerName != "李伟" {
				t.Fatalf("owner name %q", r.OwnerName)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("got %v want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("order %v, want %v", got, want)
			}
		}
		var paged []uint
		for off := 0; off < len(want); off += 4 {
			page, _, err := w.svc.History(ctx, w.users["liwei"], ViewMine, 0, nil, 4, off)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				paged = append(paged, r.ID)
			}
		}
		for i := range want {
			if paged[i] != want[i] {
				t.Fatalf("paged order %v, want %v", paged, want)
			}
		}
	})
}

// TestHistoryByStatusUpcomingFirst: filtered to a status other than
// planned, the list asks once whether any visit of the province in it
// starts from today on (Store.noneUpcoming) and otherwise reads as
// before: a visit done or cancelled ahead of its time still comes first
// and is counted, a deleted one never, on both databases, for the
// owner's view and the director's.
func TestHistoryByStatusUpcomingFirst(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		past := []uint{w.plan(t, "liwei", -30*time.Hour).ID, w.plan(t, "liwei", -60*time.Hour).ID}
		ahead, gone := w.plan(t, "liwei", 5*time.Hour).ID, w.plan(t, "liwei", 8*time.Hour).ID
		w.plan(t, "liwei", 6*time.Hour) // planned: not in the lists below
		set := func(status string, ids ...uint) {
			t.Helper()
			if err := d.Gorm.Exec("UPDATE visit_plans SET status = ? WHERE id IN ?", status, ids).Error; err != nil {
				t.Fatal(err)
			}
		}
		list := func(who, view, status string) []uint {
			t.Helper()
			rows, total, err := w.svc.HistoryFor(ctx, w.users[who], view, HistoryQuery{Statuses: []string{status}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []uint
			for _, r := range rows {
				got = append(got, r.ID)
			}
			if total != int64(len(got)) {
				t.Errorf("%s's %s visits: %d counted, %d listed", who, status, total, len(got))
			}
			return got
		}
		for _, status := range []string{StatusDone, StatusCancelled, StatusMissed} {
			set(status, past...)
			if got := list("liwei", ViewMine, status); fmt.Sprint(got) != fmt.Sprint(past) {
				t.Errorf("%s, none ahead: %v, want %v", status, got, past)
			}
			set(status, ahead, gone)
			if err := d.Gorm.Exec("UPDATE visit_plans SET deleted_at = ? WHERE id = ?", w.now, gone).Error; err != nil {
				t.Fatal(err)
			}
			want := append([]uint{ahead}, past...)
			for _, who := range []string{"liwei", "wangjianguo"} {
				if got := list(who, ViewScope, status); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s, one ahead, %s: %v, want %v", status, who, got, want)
				}
			}
			if err := d.Gorm.Exec("UPDATE visit_plans SET deleted_at = NULL WHERE id = ?", gone).Error; err != nil {
				t.Fatal(err)
			}
			set(StatusPlanned, append([]uint{ahead, gone}, past...)...)
		}
	})
}

func TestWebcalURL(t *testing.T) {
	token := "AbC_-0123456789abcdefghijkLMNOP"
	for host, want := range map[string]string{
		"crm.example.com":      "webcal://crm.example.com/ics/" + token,
		"crm.example.com:8443": "webcal://crm.example.com:8443/ics/" + token,
		"127.0.0.1:8080":       "webcal://127.0.0.1:8080/ics/" + token,
		"[::1]:8080":           "webcal://[::1]:8080/ics/" + token,
		"evil.com/x":           "",
		"user@evil.com":        "",
		"evil.com?x=":          "",
		"evil.com#":            "",
		"":                     "",
		"javascript:alert(1)":  "",
	} {
		got, ok := WebcalURL(host, token)
		if string(got) != want || ok != (want != "") {
			t.Errorf("host %q: %q %v, want %q", host, got, ok, want)
		}
	}
	for _, bad := range []string{"", "short", token + "/../x", token + "?q", "<script>" + token} {
		if got, ok := WebcalURL("crm.example.com", bad); ok || got != "" {
			t.Errorf("token %q: %q", bad, got)
		}
	}
}
