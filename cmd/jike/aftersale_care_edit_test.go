package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/visits"
	"gorm.io/gorm"
)

// TestCareRecordEditDelete edits and deletes a care touch and a key date
// through the router: the owner, the team's chief rep and the branch's
// director may (care_record edit); a colleague of the same team, another
// team's chief rep and another branch's director get a 404 (they cannot
// see the customer), the admin a 403. A stale version is a conflict, bad
// input a localized 422 that changes nothing, a delete needs the
// confirmation; every change is audited, a delete is soft, and the
// customer's last contact follows the touch's edit and delete.
func TestCareRecordEditDelete(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &fakeClock{t: time.Date(2026, 6, 15, 3, 0, 0, 0, time.UTC)}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
		cu := afterCustomer(t, a, "liwei", "关怀编辑银行", "91230103MA3000001", "B")
		liwei := subject(t, a, "liwei")
		older, err := a.Aftersale.AddTouch(ctx, liwei, cu.ID, aftersale.TouchInput{Kind: "call", On: "2026-05-02", Summary: "回访电话"})
		if err != nil {
			t.Fatal(err)
		}
		touch, err := a.Aftersale.AddTouch(ctx, liwei, cu.ID, aftersale.TouchInput{Kind: "wechat", On: "2026-06-10", Summary: "节日问候"})
		if err != nil {
			t.Fatal(err)
		}
		date, err := a.Aftersale.AddCareDate(ctx, liwei, cu.ID, aftersale.CareDateInput{Kind: "founding", Date: "2001-04-18", Label: "成立日"})
		if err != nil {
			t.Fatal(err)
		}
		lastContact := func() *time.Time {
			t.Helper()
			c, err := a.Aftersale.CareOf(ctx, liwei, cu.ID)
			if err != nil || c == nil {
				t.Fatalf("care of: %v %v", c, err)
			}
			return c.LastContact
		}
		if l := lastContact(); l == nil || l.Format("2006-01-02") != "2026-06-10" {
			t.Fatalf("last contact %v, want 2026-06-10", l)
		}
		touchPage, datePage := "/aftersale/touches/"+itoa(touch.ID), "/aftersale/care-dates/"+itoa(date.ID)
		// Who sees the edit pages.
		for _, c := range []struct {
			user string
			want int
		}{
			{"liwei", 200}, {"zhaomin", 200}, {"wangjianguo", 200},
			{"zhangjing", 404}, {"sunli", 404}, {"liuzhiqiang", 404}, {"admin", 403},
		} {
			cl := loggedIn(t, a, c.user)
			for _, p := range []string{touchPage + "/edit", datePage + "/edit"} {
				if res := cl.Get(p); res.Status != c.want {
					t.Errorf("%s GET %s: %d, want %d", c.user, p, res.Status, c.want)
				}
			}
			if c.want != 200 {
				// Nor may they change or delete it.
				for _, p := range []string{touchPage, touchPage + "/delete", datePage, datePage + "/delete"} {
					res := cl.PostForm(p, url.Values{"version": {"1"}, "confirm": {"1"}, "kind": {"call"}, "on": {"2026-06-01"}, "summary": {"x"},
						"date_kind": {"founding"}, "date": {"04-18"}})
					if res.Status != c.want {
						t.Errorf("%s POST %s: %d, want %d", c.user, p, res.Status, c.want)
					}
				}
			}
		}
		audits := func(entity string, id uint, action string) int {
			t.Helper()
			var n int64
			if err := d.Gorm.Model(&audit.Entry{}).Where("entity = ? AND entity_id = ? AND action = ?", entity, id, action).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		chief := loggedIn(t, a, "zhaomin")
		// Bad input: localized, nothing changes.
		res := chief.PostForm(touchPage, url.Values{"version": {"1"}, "kind": {"call"}, "on": {"2026-07-01"}, "summary": {"改期"}})
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "日期不能在今天之后") {
			t.Errorf("a future date: %d %.200s", res.Status, res.Body)
		}
		// A stale version is a conflict.
		if res := chief.PostForm(touchPage, url.Values{"version": {"7"}, "kind": {"call"}, "on": {"2026-06-12"}, "summary": {"改期"}}); res.Status != http.StatusConflict {
			t.Errorf("stale version: %d, want 409", res.Status)
		}
		if got, _ := a.Aftersale.Store().Touch(ctx, touch.ID); got.Summary != "节日问候" || got.Version != 1 {
			t.Fatalf("refused edits changed the touch: %+v", got)
		}
		// The chief rep moves the touch to 12 June: audited, the last contact follows.
		if res := chief.PostForm(touchPage, url.Values{"version": {"1"}, "kind": {"call"}, "on": {"2026-06-12"}, "summary": {"电话确认"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.300s", res.Status, res.Body)
		}
		if l := lastContact(); l == nil || l.Format("2006-01-02") != "2026-06-12" {
			t.Fatalf("last contact after the edit %v, want 2026-06-12", l)
		}
		if audits(aftersale.EntityTouch, touch.ID, audit.ActionUpdate) != 1 {
			t.Error("the edit is not audited")
		}
		// Delete: refused without the confirmation, then soft and audited;
		// the last contact falls back to the older touch.
		dir := loggedIn(t, a, "wangjianguo")
		if res := dir.PostForm(touchPage+"/delete", url.Values{"version": {"2"}}); res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "请勾选确认") {
			t.Errorf("unconfirmed delete: %d", res.Status)
		}
		if res := dir.PostForm(touchPage+"/delete", url.Values{"version": {"2"}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d %.300s", res.Status, res.Body)
		}
		if _, err := a.Aftersale.Store().Touch(ctx, touch.ID); err == nil {
			t.Error("the deleted touch is still live")
		}
		var kept aftersale.Touch
		if err := d.Gorm.Unscoped().First(&kept, touch.ID).Error; err != nil || !kept.DeletedAt.Valid {
			t.Errorf("the delete is not soft: %v %+v", err, kept)
		}
		if audits(aftersale.EntityTouch, touch.ID, audit.ActionDelete) != 1 {
			t.Error("the delete is not audited")
		}
		if l := lastContact(); l == nil || !l.Equal(older.TouchedOn) {
			t.Fatalf("last contact after the delete %v, want %s", l, older.TouchedOn)
		}
		if res := dir.Get(touchPage + "/edit"); res.Status != http.StatusNotFound {
			t.Errorf("a deleted touch's page: %d, want 404", res.Status)
		}
		// The key date: edited by the owner (02-30 refused), then deleted.
		own := loggedIn(t, a, "liwei")
		if res := own.PostForm(datePage, url.Values{"version": {"1"}, "date_kind": {"founding"}, "date": {"02-30"}}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("02-30: %d", res.Status)
		}
		if res := own.PostForm(datePage, url.Values{"version": {"1"}, "date_kind": {"founding"}, "date": {"2001-04-19"}, "label": {"成立纪念日"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("edit date: %d %.300s", res.Status, res.Body)
		}
		if got, _ := a.Aftersale.Store().CareDate(ctx, date.ID); got.Day != 19 || got.Label != "成立纪念日" || got.Version != 2 {
			t.Fatalf("edited date %+v", got)
		}
		if res := own.PostForm(datePage+"/delete", url.Values{"version": {"2"}, "confirm": {"1"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("delete date: %d", res.Status)
		}
		if audits(aftersale.EntityCareDate, date.ID, audit.ActionUpdate) != 1 || audits(aftersale.EntityCareDate, date.ID, audit.ActionDelete) != 1 {
			t.Error("the key date's edit and delete are not both audited")
		}
		if ds, _ := a.Aftersale.CareDates(ctx, cu.ID); len(ds) != 0 {
			t.Errorf("deleted key date still listed: %v", ds)
		}
		// The customer page links the edit pages for those who may edit.
		if res := own.Get("/customers/" + itoa(cu.ID) + "/aftersale"); !strings.Contains(res.Body, "/aftersale/touches/"+itoa(older.ID)+"/edit") {
			t.Error("no edit link on the customer's after-sale page")
		}
	})
}

// TestCareLastContactFollowsVisitAndCallback: recording a visit and
// making a call-back move the customer's last contact in their own
// transaction; when keeping it fails, the visit record is rolled back.
func TestCareLastContactFollowsVisitAndCallback(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &fakeClock{t: time.Date(2026, 6, 15, 3, 0, 0, 0, time.UTC)}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
		a.Visits.SetClock(clk.Now)
		cu := afterCustomer(t, a, "liwei", "拜访关怀银行", "91230103MA3000002", "A")
		liwei := subject(t, a, "liwei")
		last := func() string {
			t.Helper()
			c, err := a.Aftersale.CareOf(ctx, liwei, cu.ID)
			if err != nil || c == nil {
				t.Fatalf("care of: %v %v", c, err)
			}
			if c.LastContact == nil {
				return ""
			}
			return c.LastContact.Format("2006-01-02")
		}
		if l := last(); l != "" {
			t.Fatalf("a new customer's last contact %q", l)
		}
		p, err := a.Visits.CreatePlan(ctx, liwei, visits.PlanInput{CustomerID: cu.ID, Date: "2026-06-16", Time: "10:00", Kind: "care", Objective: "季度关怀"})
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(time.Date(2026, 6, 16, 12, 0, 0, 0, time.UTC))
		// Keeping the last contact fails: nothing of the record is saved.
		keep := a.Visits.OnVisitDone
		a.Visits.OnVisitDone = func(ctx context.Context, tx *gorm.DB, id uint) error {
			if err := keep(ctx, tx, id); err != nil {
				return err
			}
			return errors.New("injected failure")
		}
		if _, err := a.Visits.SaveRecord(ctx, liwei, p.ID, visits.RecordInput{Discussed: "了解使用情况", Attitude: "positive"}); err == nil {
			t.Fatal("the record was saved although its hook failed")
		}
		if l := last(); l != "" {
			t.Fatalf("a rolled-back visit moved the last contact to %q", l)
		}
		a.Visits.OnVisitDone = keep
		if _, err := a.Visits.SaveRecord(ctx, liwei, p.ID, visits.RecordInput{Discussed: "了解使用情况", Attitude: "positive"}); err != nil {
			t.Fatal(err)
		}
		if l := last(); l != "2026-06-16" {
			t.Fatalf("after the visit: last contact %q, want 2026-06-16", l)
		}
		// A call-back made on 20 June is a contact too.
		cb := &aftersale.Callback{CustomerID: cu.ID, Reason: aftersale.ReasonQuarterly, SourceKey: "test:cb", DueOn: time.Date(2026, 6, 20, 0, 0, 0, 0, time.UTC), Status: "open"}
		if _, err := a.Aftersale.Store().CreateCallback(ctx, cb); err != nil {
			t.Fatal(err)
		}
		clk.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
		scores := map[string]string{"attitude": "5", "skill": "4", "speed": "4", "result": "5"}
		if _, err := a.Aftersale.RecordCallback(ctx, liwei, cb.ID, aftersale.CallbackInput{Scores: scores, Recommend: "yes", AnsweredBy: "王主任", Version: cb.Version}); err != nil {
			t.Fatal(err)
		}
		if l := last(); l != "2026-06-20" {
			t.Fatalf("after the call-back: last contact %q, want 2026-06-20", l)
		}
	})
}
