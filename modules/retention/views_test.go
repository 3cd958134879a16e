package retention

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

func exampleAlert(status string) Alert {
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	by := uint(1)
	a := Alert{ID: 4, CustomerID: 7, OwnerID: 1, Score: 65, Status: status, OpenedAt: at, ActionDueAt: at.AddDate(0, 0, 7),
		OutcomeDueAt: at.AddDate(0, 0, 30), DueAt: at.AddDate(0, 0, 7), WarnAt: at.AddDate(0, 0, 5), DirectorAt: at.AddDate(0, 0, 10),
		WarnedAt: &at, BreachedAt: &at, Escalation: 1, Version: 2, CreatedAt: at, UpdatedAt: at,
		Factors: encodeFactors(exampleFactors())}
	if status != StatusOpen {
		a.Action, a.ActionNote, a.ActionAt, a.ActionBy = ActionVisit, "约了总经理", &at, &by
	}
	if status == StatusClosed {
		a.Outcome, a.OutcomeReason, a.OutcomeAt, a.OutcomeBy = OutcomePartly, "停了一条专线", &at, &by
	}
	return a
}

func exampleFactors() []Factor {
	_, fs := DefaultWeights().Explain(Raw{RecentFen: 100, PriorFen: 1000, Dropped: []ProductName{{Zh: "互联网专线", En: "Internet dedicated line"}}, CompetitorEnd: ptrTime(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)),
		CompetitorSupplier: "cmcc", OpenComplaints: 1, CareOverdue: true})
	return fs
}

func ptrTime(t time.Time) *time.Time { return &t }

// retentionViews maps every template under templates/retention to example views.
func retentionViews(b *i18n.Bundle) map[string][]web.Example {
	now := time.Date(2026, 6, 9, 5, 0, 0, 0, time.UTC)
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Grade: "A"}
	alert := func(status string, canAct bool) web.Example {
		return func() any {
			a := exampleAlert(status)
			return &alertView{Page: web.ExamplePage(b), Alert: &a, Customer: cu, CanAct: canAct, Now: now, Actions: Actions, Outcomes: Outcomes,
				Errors: map[string]string{"_form": "错误", "reason": "必填", "action": "必选"}, Action: ActionVisit, Outcome: OutcomeLost, Reason: "x"}
		}
	}
	row := func(status string) AlertRow {
		return AlertRow{Alert: exampleAlert(status), CustomerName: cu.Name, OwnerName: "李伟", TeamID: 1}
	}
	return map[string][]web.Example{
		"retention/alert": {alert(StatusOpen, true), alert(StatusActed, true), alert(StatusClosed, false)},
		"retention/customer": {func() any {
			sc := &Score{CustomerID: 7, Score: 65, Factors: encodeFactors(exampleFactors()), ComputedAt: now}
			r := &Risk{Customer: cu, Score: sc, Alerts: []Alert{exampleAlert(StatusOpen), exampleAlert(StatusClosed)}, CanAct: true}
			return &riskView{Page: web.ExamplePage(b), Risk: r, Open: r.Open(), Weights: DefaultWeights(), Now: now, Customer: cu}
		}, func() any {
			return &riskView{Page: web.ExamplePage(b), Risk: &Risk{Customer: cu}, Weights: DefaultWeights(), Now: now, Customer: cu}
		}},
		"retention/queue": {func() any {
			return &queueView{Page: web.ExamplePage(b), Rows: []AlertRow{row(StatusOpen), row(StatusActed), row(StatusClosed)},
				Pager: &web.Pager{Page: 1, Size: 25, Total: 3}, F: Filter{Status: "", TeamID: 1, Sort: "score"}, Statuses: Statuses,
				Teams: []org.Team{{ID: 1, Name: "一组"}}, Counts: []TeamCount{{TeamID: 1, TeamName: "一组", AtRisk: 3, Open: 2, Overdue: 1}}, Now: now}
		}, func() any {
			return &queueView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 25}, Now: now}
		}},
		"retention/at_risk": {func() any {
			return &riskListView{Page: web.ExamplePage(b), Rows: []RiskRow{{CustomerID: 7, CustomerName: cu.Name, Score: 70, TeamID: 1, TeamName: "一组",
				OwnerName: "李伟", AlertID: 4, AlertStatus: StatusOpen}, {CustomerID: 8, CustomerName: "乙", Score: 55}},
				Pager: &web.Pager{Page: 1, Size: 25, Total: 2}, Team: 1, Teams: []org.Team{{ID: 1, Name: "一组"}}, Threshold: 50}
		}},
		"retention/factors": {func() any {
			a := exampleAlert(StatusOpen)
			v := &alertView{Page: web.ExamplePage(b), Alert: &a, Customer: cu}
			return map[string]any{"F": exampleFactors(), "V": v, "L": v.L}
		}, func() any {
			return map[string]any{"F": []Factor(nil), "V": &riskView{Page: web.ExamplePage(b)}, "L": b.For(i18n.ZH)}
		}},
		"retention/tabs": {
			func() any { return map[string]any{"L": b.For(i18n.ZH), "Queue": true, "AtRisk": false} },
			func() any { return map[string]any{"L": b.For(i18n.ZH), "Queue": false, "AtRisk": true} },
		},
		"retention/panel": {func() any {
			return map[string]any{"L": b.For(i18n.ZH), "Rows": []AlertRow{row(StatusOpen)}, "Total": 6, "Now": now}
		}, func() any {
			return map[string]any{"L": b.For(i18n.ZH), "Rows": []AlertRow{}, "Total": 0, "Now": now}
		}},
	}
}

// TestEveryRetentionTemplateRendersWithItsView renders every template under
// templates/retention with its example views, strictly (see web.CheckViews).
func TestEveryRetentionTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "retention", retentionViews(b)) {
		t.Error(err)
	}
}
