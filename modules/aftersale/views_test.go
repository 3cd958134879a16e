package aftersale

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

// everyDay is a work calendar without holidays, for the SLA clock of the
// examples.
type everyDay struct{}

func (everyDay) Working(time.Time) bool { return true }

func exampleRequest(status string) Request {
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	contact, cb := uint(3), uint(5)
	return Request{ID: 12, CustomerID: 7, Kind: "complaint", Category: "network", Severity: "high", Channel: "phone",
		Description: "专线中断", Affected: "总部", ContactID: &contact, Status: status, FirstResponderID: 1, HandlerID: 2,
		ClockFrom: at, ResponseDueAt: at.Add(time.Hour), WarnAt: at.Add(3 * time.Hour), ResolveDueAt: at.Add(4 * time.Hour),
		DirectorAt: at.Add(6 * time.Hour), RespondedAt: &at, WarnedAt: &at, BreachedAt: &at, Escalation: 1, Cycle: 2,
		ResolvedAt: &at, ClosedAt: &at, Resolution: "更换光模块", RootCause: "设备老化", Recovery: "已恢复", CallbackID: &cb, Version: 3,
		CreatedAt: at, UpdatedAt: at}
}

// aftersaleViews maps every template under templates/aftersale to example views.
// NoExampleYet marks a typed view whose example is still to be written,
// NotYetTyped a template still rendered from a fiber.Map (or a partial
// given a dict); both are parsed, not executed.
func aftersaleViews(b *i18n.Bundle) map[string][]web.Example {
	now := time.Date(2026, 6, 1, 5, 0, 0, 0, time.UTC)
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Grade: "A"}
	users := []org.User{{ID: 1, Name: "李伟"}, {ID: 2, Name: "赵敏"}}
	contact := prospects.Contact{ID: 3, CustomerID: 7, Name: "王经理"}
	row := func(status string) RequestRow {
		return RequestRow{Request: exampleRequest(status), CustomerName: cu.Name, OwnerID: 1, TeamID: 1, HandlerName: "赵敏"}
	}
	request := func(status string) web.Example {
		return func() any {
			r := exampleRequest(status)
			by := uint(1)
			d := &Detail{R: &r, Customer: cu, Contact: "王经理", CanWrite: true, Percent: 90, Colleagues: users,
				Users:  map[uint]org.User{1: users[0], 2: users[1]},
				Events: []Event{{ID: 1, RequestID: 12, CustomerID: 7, Action: "transfer", FromStatus: StatusOpen, ToStatus: StatusInProgress, ByID: &by, ToUserID: &by, At: now, Note: "转交"}}}
			return &requestView{Page: web.ExamplePage(b), D: d, Now: now, Errors: map[string]string{"_form": "错误", "resolution": "必填"}}
		}
	}
	return map[string][]web.Example{
		"aftersale/callback":  web.NoExampleYet,
		"aftersale/callbacks": web.NoExampleYet,
		"aftersale/care":      web.NoExampleYet,
		"aftersale/customer": {func() any {
			last, year := now.AddDate(0, -2, 0), 1990
			by := uint(1)
			return &customerView{Page: web.ExamplePage(b), Customer: cu,
				Care:     &CareRow{CustomerID: 7, CustomerName: cu.Name, Grade: "A", OwnerID: 1, OwnerName: "李伟", TeamID: 1, Months: 1, CareDue: CareDue{LastContact: &last, DueOn: now, State: CareOverdue, Days: 3}},
				Touches:  []Touch{{ID: 1, CustomerID: 7, Kind: "call", TouchedOn: now, UserID: 1, Summary: "问候"}},
				Dates:    []CareDate{{ID: 1, CustomerID: 7, Kind: "founding", ContactID: &contact.ID, Month: 6, Day: 1, Year: &year, Label: "成立日"}},
				Requests: []RequestRow{row(StatusResolved)},
				Callbacks: []Callback{{ID: 5, CustomerID: 7, Reason: ReasonComplaint, DueOn: now, Status: "done", QAttitude: 5, QSkill: 4, QSpeed: 3, QResult: 5,
					Recommend: true, Comment: "满意", AnsweredBy: "王经理", DoneBy: &by, DoneAt: &now}},
				Open:     []CallbackRow{{Callback: Callback{ID: 6, CustomerID: 7, Reason: ReasonQuarterly, DueOn: now, Status: "open"}, CustomerName: cu.Name, OwnerName: "李伟"}},
				Contacts: []prospects.Contact{contact}, CanWrite: true, Today: now, Errors: map[string]string{"_form": "错误", "summary": "必填"},
				Kinds: []string{"call", "visit"}}
		}},
		"aftersale/event_item":     web.NotYetTyped,
		"aftersale/events":         web.NoExampleYet,
		"aftersale/panel_events":   web.NotYetTyped,
		"aftersale/panel_requests": web.NotYetTyped,
		"aftersale/request":        {request(StatusOpen), request(StatusInProgress), request(StatusResolved), request(StatusClosed)},
		"aftersale/request_form":   web.NoExampleYet,
		"aftersale/requests": {func() any {
			return &requestsView{Page: web.ExamplePage(b), Rows: []RequestRow{row(StatusOpen), row(StatusReopened)}, Pager: &web.Pager{Page: 1, Size: 20, Total: 2},
				F:     RequestFilter{View: "mine", Status: StatusOpen, Severity: "high", Kind: "complaint", Category: "network", OwnerID: 1, TeamID: 1, Q: "专线"},
				Query: "view=mine", Owners: users, Teams: []org.Team{{ID: 1, Name: "一组"}}, Categories: []string{"network"}, Now: now,
				Clock: Clock{Cal: everyDay{}, Loc: time.UTC}}
		}},
		"aftersale/settings": web.NoExampleYet,
		"aftersale/sla":      web.NotYetTyped,
		"aftersale/status": {func() any {
			r := exampleRequest(StatusReopened)
			return map[string]any{"S": r.Status, "T": r.StatusTone(), "L": b.For(i18n.ZH)}
		}},
		"aftersale/tabs": web.NotYetTyped,
	}
}

// TestEveryAftersaleTemplateRendersWithItsView renders every template under
// templates/aftersale with its example views, strictly (see web.CheckViews).
func TestEveryAftersaleTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "aftersale", aftersaleViews(b)) {
		t.Error(err)
	}
}
