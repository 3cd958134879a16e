package targets

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestCalendar(t *testing.T) {
	cal := DefaultCalendar()
	day := func(s string) string { return s }
	cases := []struct {
		month string
		want  []string
	}{
		// February 2026: the Spring Festival holiday, and Saturday the 28th
		// is an adjusted working day (调休上班).
		{"2026-02", []string{day("2026-02-26"), "2026-02-27", "2026-02-28"}},
		// October 2026 ends on a Saturday: the week before.
		{"2026-10", []string{"2026-10-28", "2026-10-29", "2026-10-30"}},
		// November 2026 ends on a Monday.
		{"2026-11", []string{"2026-11-26", "2026-11-27", "2026-11-30"}},
		// September 2026: the 25th is Mid-Autumn, the 20th (Sunday) is worked.
		{"2026-09", []string{"2026-09-28", "2026-09-29", "2026-09-30"}},
	}
	for _, c := range cases {
		m, _ := ParseMonth(c.month, shanghai)
		var got []string
		for _, d := range cal.LastWorkingDays(m, 3) {
			got = append(got, d.Format("2006-01-02"))
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: last working days %v, want %v", c.month, got, c.want)
		}
	}
	// A month that ends in a holiday: with these days off, the window of
	// April 2026 moves back over them.
	custom, err := ParseCalendar(strings.NewReader("# test\n2026-04-29 off x\n2026-04-30 off y\n2026-04-26 work z\n"))
	if err != nil {
		t.Fatal(err)
	}
	apr, _ := ParseMonth("2026-04", shanghai)
	if got := custom.ReviewOpens(apr).Format("2006-01-02"); got != "2026-04-26" {
		t.Errorf("April ending in a holiday opens %s, want 2026-04-26 (Sun 26 worked, Mon 27, Tue 28; 29 and 30 off)", got)
	}
	if n := len(custom.LastWorkingDays(apr, 3)); n != 3 {
		t.Errorf("got %d days", n)
	}
	if !cal.Working(sh(2026, 2, 14, 0, 0)) || cal.Working(sh(2026, 2, 16, 0, 0)) || cal.Working(sh(2026, 2, 21, 0, 0)) {
		t.Error("Spring Festival 2026: 14th worked, 16th and 21st off")
	}
	for _, bad := range []string{"2026-13-01 off", "2026-04-29 holiday", "2026-04-29 work weekday", "2026-04-29"} {
		if _, err := ParseCalendar(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseCalendar(%q) accepted", bad)
		}
	}
	// working days left, for the pace
	nov, _ := ParseMonth("2026-11", shanghai)
	if n := cal.WorkingDaysLeft(nov, sh(2026, 11, 26, 18, 0)); n != 3 {
		t.Errorf("days left from Thu 26 Nov: %d, want 3", n)
	}
}

// TestReviewWorkflow: who may submit, comment, sign off or return in
// which state; out of scope is a 404; a signed-off review is frozen and
// shows drift when records change later.
func TestReviewWorkflow(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		nov := w.month("2026-11")
		li := w.users["liwei"]
		// targets for November set in October by the chief rep
		w.now = sh(2026, 10, 20, 10, 0)
		if _, err := w.svc.SaveTargets(ctx, w.users["zhaomin"], nov, []TargetInput{{OwnerID: li.ID, Values: map[string]string{LineVisits: "4", LineContacts: "1"}}}, ""); err != nil {
			t.Fatal(err)
		}
		w.visit("liwei", w.custA["liwei"], sh(2026, 11, 3, 10, 0), "done")
		w.contact("liwei", w.custA["liwei"], sh(2026, 11, 3, 11, 0))

		full := ReviewInput{Summary: "本月项目集中在下旬", Reasons: map[string]string{LineVisits: "B"}, Notes: map[string]string{LineVisits: "每周一排好走访计划"}}
		// Too early: before the last 3 working days (Thu 26 Nov).
		w.now = sh(2026, 11, 25, 23, 59)
		_, err := w.svc.SaveReview(ctx, li, nov, full, true)
		if f, ok := apperr.AsFields(err); !ok || f["_form"] != "targets.err.too_early" {
			t.Fatalf("too early: %v", err)
		}
		// A draft may be saved any time.
		r, err := w.svc.SaveReview(ctx, li, nov, ReviewInput{Summary: "草稿"}, false)
		if err != nil || r.Status != StatusDraft {
			t.Fatalf("draft: %v %+v", err, r)
		}
		w.now = sh(2026, 11, 26, 0, 0)
		// A missed line needs a reason and an improvement.
		_, err = w.svc.SaveReview(ctx, li, nov, ReviewInput{Version: r.Version}, true)
		if f, ok := apperr.AsFields(err); !ok || f["reason_visits"] == "" || f["note_visits"] == "" || f["reason_contacts"] != "" {
			t.Fatalf("missed line without reason: %v", err)
		}
		// Only the manager writes their review.
		if _, err := w.svc.SaveReview(ctx, w.users["zhaomin"], nov, full, true); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("chief rep submitting: %v", err)
		}

		type step struct {
			name    string
			as      string
			action  string // submit, comment, signoff, return
			body    string
			wantErr error  // nil: ok
			field   string // expected validation field
			status  string // status after
		}
		steps := []step{
			{"comment on a draft", "zhaomin", ActComment, "好", nil, "_form", StatusDraft},
			{"manager submits", "liwei", ActSubmit, "", nil, "", StatusSubmitted},
			{"resubmit while submitted", "liwei", ActSubmit, "", nil, "_form", StatusSubmitted},
			{"colleague cannot see it", "zhangjing", ActComment, "x", apperr.ErrNotFound, "", StatusSubmitted},
			{"other team's chief rep cannot see it", "sunli", ActSignOff, "", apperr.ErrNotFound, "", StatusSubmitted},
			{"other branch's director cannot see it", "liuzhiqiang", ActComment, "x", apperr.ErrNotFound, "", StatusSubmitted},
			{"the director reads but does not comment", "wangjianguo", ActComment, "x", apperr.ErrForbidden, "", StatusSubmitted},
			{"the director does not sign off", "wangjianguo", ActSignOff, "", apperr.ErrForbidden, "", StatusSubmitted},
			{"the manager does not sign off", "liwei", ActSignOff, "", apperr.ErrForbidden, "", StatusSubmitted},
			{"return needs a comment", "zhaomin", ActReturn, "", nil, "body", StatusSubmitted},
			{"chief rep comments", "zhaomin", ActComment, "走访偏少", nil, "", StatusSubmitted},
			{"chief rep returns", "zhaomin", ActReturn, "改进措施再具体些", nil, "", StatusReturned},
			{"sign off a returned review", "zhaomin", ActSignOff, "", nil, "_form", StatusReturned},
			{"manager resubmits", "liwei", ActSubmit, "", nil, "", StatusSubmitted},
			{"chief rep signs off", "zhaomin", ActSignOff, "同意", nil, "", StatusSignedOff},
			{"signed off is frozen for the manager", "liwei", ActSubmit, "", nil, "_form", StatusSignedOff},
			{"signed off is frozen for the chief rep", "zhaomin", ActReturn, "再改", nil, "_form", StatusSignedOff},
		}
		for _, s := range steps {
			cur, err := w.svc.store.ReviewFor(ctx, li.ID, "2026-11")
			if err != nil {
				t.Fatal(err)
			}
			in := full
			in.Version = cur.Version
			if s.action == ActSubmit {
				_, err = w.svc.SaveReview(ctx, w.users[s.as], nov, in, true)
			} else {
				_, err = w.svc.Decide(ctx, w.users[s.as], cur.ID, s.action, cur.Version, s.body)
			}
			switch {
			case s.wantErr != nil:
				if !errors.Is(err, s.wantErr) {
					t.Errorf("%s: want %v, got %v", s.name, s.wantErr, err)
				}
			case s.field != "":
				if f, ok := apperr.AsFields(err); !ok || f[s.field] == "" {
					t.Errorf("%s: want an error on %s, got %v", s.name, s.field, err)
				}
			case err != nil:
				t.Errorf("%s: %v", s.name, err)
			}
			after, _ := w.svc.store.ReviewFor(ctx, li.ID, "2026-11")
			if after.Status != s.status {
				t.Errorf("%s: status %s, want %s", s.name, after.Status, s.status)
			}
		}
		// Out of scope is a 404 on reading too.
		r, _ = w.svc.store.ReviewFor(ctx, li.ID, "2026-11")
		if _, err := w.svc.Review(ctx, w.users["zhangjing"], r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("colleague reads: %v", err)
		}
		// The snapshot: records changed after sign-off do not rewrite it.
		w.visit("liwei", w.custA["liwei"], sh(2026, 11, 28, 10, 0), "done")
		v, err := w.svc.Review(ctx, w.users["wangjianguo"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		visits := v.Lines[0]
		if visits.Def.Key != LineVisits || visits.Actual != 1 || visits.Live != 2 || !v.Drift || visits.Target != 4 || visits.Reason != "B" {
			t.Errorf("snapshot %+v drift %v", visits, v.Drift)
		}
		// The history and the notices.
		if len(v.Review.Events) != 5 {
			t.Errorf("events: %d", len(v.Review.Events))
		}
		var n int64
		d.Gorm.Raw("SELECT COUNT(*) FROM notifications WHERE user_id = ?", li.ID).Scan(&n)
		if n != 3 { // comment, return, sign-off
			t.Errorf("manager notices: %d", n)
		}
		d.Gorm.Raw("SELECT COUNT(*) FROM notifications WHERE user_id = ?", w.users["zhaomin"].ID).Scan(&n)
		if n != 2 { // two submissions
			t.Errorf("chief rep notices: %d", n)
		}
	})
}

// TestReviewReminders: from the last 3 working days on, every manager
// without a submitted review is listed, once per month (the key).
func TestReviewReminders(t *testing.T) {
	w := newWorld(t, testkit.SQLite(t))
	ctx := context.Background()
	if got, _ := w.svc.ReviewReminders(ctx, sh(2026, 11, 25, 12, 0)); len(got) != 0 {
		t.Fatalf("before the window: %d", len(got))
	}
	all, err := w.svc.ReviewReminders(ctx, sh(2026, 11, 26, 9, 0))
	if err != nil || len(all) != 14 {
		t.Fatalf("in the window: %d %v", len(all), err)
	}
	w.now = sh(2026, 11, 26, 9, 0)
	if _, err := w.svc.SaveReview(ctx, w.users["liwei"], w.month("2026-11"), ReviewInput{}, true); err != nil {
		t.Fatal(err)
	}
	rest, _ := w.svc.ReviewReminders(ctx, sh(2026, 11, 27, 9, 0))
	for _, r := range rest {
		if r.OwnerID == w.users["liwei"].ID {
			t.Fatal("a manager who submitted is reminded")
		}
	}
	if len(rest) != 13 {
		t.Fatalf("after one submitted: %d", len(rest))
	}
}
