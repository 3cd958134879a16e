package targets

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// targetsViews maps every template under templates/targets to example
// views.
func targetsViews(b *i18n.Bundle) map[string][]web.Example {
	loc := time.UTC
	m := MonthOf(time.Date(2026, 6, 15, 0, 0, 0, 0, loc), loc)
	at := time.Date(2026, 6, 28, 0, 0, 0, 0, loc)
	lead := uint(2)
	person := Person{ID: 1, Username: "liwei", Name: "李伟", TeamID: 1, BranchID: 1, TeamName: "一组", LeaderID: 2}
	values := Values{}
	for _, l := range Lines {
		values[l.Key] = 12
	}
	atts := func() []Attainment {
		var out []Attainment
		for i, l := range Lines {
			out = append(out, Attainment{Def: l, Target: 10, Actual: int64(5 + 5*i), Has: i != 1})
		}
		return out
	}
	review := func(status string) *Review {
		r := &Review{ID: 3, Month: m.String(), OwnerID: 1, TeamID: 1, BranchID: 1, Status: status, Summary: "本月总结",
			SubmittedAt: &at, SignedOffAt: &at, SignedOffBy: &lead, Version: 2}
		for _, l := range Lines {
			r.Lines = append(r.Lines, ReviewLine{ID: 1, ReviewID: 3, Line: l.Key, Target: 10, Actual: 5, Reason: "A", Note: "改进"})
		}
		return r
	}
	grid := func() *Grid {
		return &Grid{Month: m, Rows: []GridRow{{Person: person, Target: &Target{ID: 1, Month: m.String(), OwnerID: 1}, Lines: atts(), Review: review(StatusSubmitted)},
			{Person: Person{ID: 4, Name: "赵敏", TeamName: "二组"}, Lines: atts()}}, Totals: atts(), Sort: "name", Desc: true}
	}
	page := func() web.Page { return web.ExamplePage(b) }
	progress := func() *Progress {
		p := &Progress{Person: person, Month: m, DaysLeft: 3, Current: true, HasTarget: true}
		for _, a := range atts() {
			p.Lines = append(p.Lines, ProgressLine{Attainment: a, Remaining: 5, PerDay: 17})
		}
		return p
	}
	reviewView := func(status string, open bool) web.Example {
		return func() any {
			rv := &ReviewView{Review: review(status), Person: person, Month: m, Opens: at, Open: open, CanEdit: open, CanComment: true,
				CanSignOff: true, Drift: true}
			for _, l := range Lines {
				rv.Lines = append(rv.Lines, ReviewRow{Def: l, Target: 10, Actual: 5, Live: 6, Reason: "A", Note: "改进"})
			}
			v := &reviewView{Page: page(), V: rv, Reasons: Reasons, Errors: map[string]string{"_form": "错误", "summary": "必填"},
				Names: map[uint]string{1: "李伟", 2: "赵敏"}}
			if !open {
				v.Input = &ReviewInput{Version: 2, Summary: "s", Reasons: map[string]string{LineVisits: "A"}, Notes: map[string]string{LineVisits: "n"}}
			}
			return v
		}
	}
	return map[string][]web.Example{
		"targets/grid": {func() any {
			g := grid()
			return &gridView{Page: page(), Months: navFor(m), Grid: g, Rows: gridRows(g, b.For(i18n.ZH).T),
				Reasons: &ReasonStats{Month: map[string]int64{"A": 2}, Six: map[string]int64{"A": 5}, Months: []string{m.String()},
					ByMonth: map[string]map[string]int64{m.String(): {"A": 2}}}, Lines: Lines, Sort: "name", Dir: "desc", CanSet: true}
		}},
		"targets/progress": {func() any {
			p := progress()
			return &progressView{Page: page(), Months: navFor(m), P: p, Self: true, Reviews: []Review{*review(StatusSignedOff)}, MyReview: review(StatusReturned)}
		}},
		"targets/set": {func() any {
			g := &SetGrid{Month: m, Rows: []SetRow{{Person: person, Target: &Target{ID: 1, Version: 2}, Values: values, Proposal: values, Share: values, Last: values}},
				Locked: true, CanOverride: true, Uplift: 10}
			return &setView{Page: page(), Months: navFor(m), G: g, Lines: Lines, Errors: map[string]string{"_form": "错误", "reason": "必填"},
				Input: map[string]string{FieldKey(1, LineVisits): "x"}, Reason: "调整", Saved: 3}
		}},
		"targets/review":  {reviewView(StatusDraft, true), reviewView(StatusSubmitted, false)},
		"targets/reviews": {func() any { return &reviewsView{Page: page(), Months: navFor(m), Grid: grid()} }},
		"targets/quotas": {func() any {
			owner := uint(1)
			return &quotasView{Page: page(), Year: 2026, Lines: Lines, Errors: map[string]string{"_form": "错误"}, Input: map[string]string{"q_1_visits": "x"},
				Rows: []QuotaRow{{OwnerID: 1, TeamID: 1, Name: "李伟", TeamName: "一组", Quota: &Quota{ID: 1, Year: 2026, OwnerID: &owner, Visits: 120, Signings: 12, MRCFen: 1200000}},
					{TeamID: 1, TeamName: "一组"}}}
		}},
		"targets/quotas_import": {func() any {
			return &importView{Page: page(), Year: 2026, Errors: map[string]string{"_form": "错误", "file": "必填"},
				Result: &ImportResult{Rows: 3, Saved: 2, DryRun: true, Errors: []ImportError{{Line: 2, Field: "visits", MsgID: "v.required"}}, Unknown: []string{"王五"}}}
		}},
		"targets/status": {func() any {
			return map[string]any{"S": StatusReturned, "T": ReviewTone(StatusReturned), "L": b.For(i18n.ZH)}
		}},

		// The partials, with the dicts their callers give them.
		"targets/month_picker": {func() any {
			return map[string]any{"N": navFor(m), "L": b.For(i18n.ZH), "Path": "/targets"}
		}},
		"targets/progress_table": {func() any {
			return map[string]any{"P": progress(), "L": b.For(i18n.ZH)}
		}, func() any {
			// The last day of the month: what is short, not the pace; and
			// a month without a target.
			p := progress()
			p.DaysLeft, p.HasTarget = 0, false
			return map[string]any{"P": p, "L": b.For(i18n.ZH)}
		}},
		// The home panels; without a target the progress panel is empty.
		"targets/panel_progress": {func() any { return &progressPanel{Page: page(), P: progress()} },
			func() any { return &progressPanel{Page: page()} }},
		"targets/panel_reviews": {func() any {
			g := grid()
			return &reviewsPanel{Page: page(), Month: m, Waiting: g.Rows[:1], Missing: g.Missing(), Total: len(g.Rows)}
		}, func() any { return &reviewsPanel{Page: page(), Month: m} }},
	}
}

// TestEveryTargetsTemplateRendersWithItsView renders every template under
// templates/targets with its example views, strictly (see web.CheckViews).
func TestEveryTargetsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "targets", targetsViews(b)) {
		t.Error(err)
	}
}
