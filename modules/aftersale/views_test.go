package aftersale

import (
	"strings"
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
	callback := func(done bool) web.Example {
		return func() any {
			reqID := uint(12)
			c := &Callback{ID: 5, CustomerID: 7, Reason: ReasonComplaint, SourceKey: "request:12", SourceID: &reqID, DueOn: now, Status: "open", RequestID: &reqID, Version: 1}
			if done {
				by := uint(1)
				c.Status, c.QAttitude, c.QSkill, c.QSpeed, c.QResult, c.Recommend, c.Comment, c.AnsweredBy, c.DoneBy, c.DoneAt = "done", 5, 4, 2, 5, true, "满意", "王经理", &by, &now
			}
			r := exampleRequest(StatusResolved)
			return &callbackView{Page: web.ExamplePage(b), D: &CallbackDetail{C: c, Customer: cu, CanWrite: true, Request: &r},
				Form:      CallbackInput{Scores: map[string]string{"attitude": "5"}, Recommend: "yes", Comment: "好", AnsweredBy: "王经理", Version: 1},
				Questions: Questions, Contacts: []prospects.Contact{contact}, Errors: map[string]string{"_form": "错误", "attitude": "必填"}}
		}
	}
	careEvent := func(kind, name string, done bool) CareEvent {
		e := CareEvent{On: now, Kind: kind, Key: kind + name, CustomerID: 7, CustomerName: cu.Name, OwnerID: 1, Name: name, Years: 3}
		if done {
			e.Done = &CareDone{ID: 1, CustomerID: 7, EventKey: e.Key, OnDate: now, How: "call", Note: "已致电", ByID: 1}
		}
		return e
	}
	event := func(kind, name string, done bool) web.Example {
		return func() any {
			return map[string]any{"E": careEvent(kind, name, done), "L": b.For(i18n.ZH), "CSRF": "token", "Hows": CareHows, "Next": "/"}
		}
	}
	sla := func(status string, pct int, at time.Time) web.Example {
		return func() any {
			return map[string]any{"R": exampleRequest(status), "Pct": pct, "Now": at, "L": b.For(i18n.ZH)}
		}
	}
	tabs := func(active string) web.Example {
		return func() any {
			return map[string]any{"L": b.For(i18n.ZH), "Active": active, "Can": func(string, string) bool { return true }}
		}
	}
	return map[string][]web.Example{
		"aftersale/callback": {callback(false), callback(true)},
		"aftersale/callbacks": {func() any {
			stat := ScoreStat{ID: 1, Name: "李伟", Count: 2, SumAll: 30, Yes: 1}
			return &callbacksView{Page: web.ExamplePage(b), Rows: []CallbackRow{{Callback: Callback{ID: 6, CustomerID: 7, Reason: ReasonQuarterly, DueOn: now, Status: "open"},
				CustomerName: cu.Name, OwnerID: 1, TeamID: 1, OwnerName: "李伟"}}, Pager: &web.Pager{Page: 1, Size: 20, Total: 1}, Status: "open", Today: now,
				Owners: []ScoreStat{stat}, Teams: []ScoreStat{stat}}
		}},
		"aftersale/care": {func() any {
			last := now.AddDate(0, -2, 0)
			care := func(state string) CareRow {
				return CareRow{CustomerID: 7, CustomerName: cu.Name, Grade: "A", OwnerID: 1, OwnerName: "李伟", TeamID: 1, Months: 1,
					CareDue: CareDue{LastContact: &last, DueOn: now, State: state, Days: 3}}
			}
			return &careView{Page: web.ExamplePage(b), Rows: []CareRow{care(CareOverdue), care(CareNever), care(CareDueWeek), care(CareOK)},
				Counts: CareCounts{Overdue: 1, DueWeek: 1, Never: 1}, Pager: &web.Pager{Page: 1, Size: 20, Total: 4}, State: CareOverdue,
				Owners: users, Teams: []org.Team{{ID: 1, Name: "一组"}}, Owner: 1, Team: 1, Today: now, ShowOwner: true}
		}},
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
		"aftersale/care_edit": {func() any {
			v := &careEditView{Page: web.ExamplePage(b), Customer: cu, Kinds: TouchKinds, Version: 3,
				Touch:   &Touch{ID: 4, CustomerID: 7, Kind: TouchKinds[0], TouchedOn: now, UserID: 1, Summary: "中秋慰问", Version: 3},
				TouchIn: TouchInput{Kind: TouchKinds[0], On: "2026-09-25", Summary: "中秋慰问"}, Errors: map[string]string{"_form": "冲突", "summary": "必填"}}
			v.Title = "修改关怀"
			return v
		}, func() any {
			return &careEditView{Page: web.ExamplePage(b), Customer: cu, Contacts: []prospects.Contact{contact}, Version: 1,
				Date:   &CareDate{ID: 5, CustomerID: 7, Kind: "birthday", Month: 3, Day: 8, Label: "王经理生日", Version: 1},
				DateIn: CareDateInput{Kind: "birthday", ContactID: 3, Date: "03-08", Label: "王经理生日"}}
		}},
		"aftersale/event_item": {event("festival", "spring", false), event("birthday", "王经理", true), event("anniversary", "HT-1", false), event("founding", "", false)},
		"aftersale/events": {func() any {
			ev := func(kind, name string) CareEvent {
				return CareEvent{On: now, Kind: kind, Key: kind + name, CustomerID: 7, CustomerName: cu.Name, OwnerID: 1, Name: name, Years: 3}
			}
			done := ev("birthday", "王经理")
			done.Done = &CareDone{ID: 1, CustomerID: 7, EventKey: done.Key, OnDate: now, How: "call", Note: "已致电", ByID: 1}
			return &eventsView{Page: web.ExamplePage(b), Events: []CareEvent{ev("festival", "spring"), done, ev("anniversary", "HT-1"), ev("founding", "")},
				Days: 30, Hows: CareHows, Errors: map[string]string{"_form": "错误", "note": "太长"},
				Pager: &web.Pager{Page: 2, Size: 4, Total: 9}, Next: "/aftersale/events?days=30&page=2"}
		}},
		// The home panels, with and without anything to show.
		"aftersale/panel_events": {func() any {
			return &eventsPanel{Page: web.ExamplePage(b), Events: []CareEvent{careEvent("festival", "spring", false), careEvent("birthday", "王经理", true)},
				Total: 9, Hows: CareHows}
		}, func() any { return &eventsPanel{Page: web.ExamplePage(b), Hows: CareHows} }},
		"aftersale/panel_requests": {func() any {
			return &requestsPanel{Page: web.ExamplePage(b), Breached: []RequestRow{row(StatusOpen)}, BreachedTotal: 3,
				Soon: []RequestRow{row(StatusInProgress)}, SoonTotal: 2}
		}, func() any { return &requestsPanel{Page: web.ExamplePage(b)} }},
		"aftersale/request": {request(StatusOpen), request(StatusInProgress), request(StatusResolved), request(StatusClosed)},
		"aftersale/request_form": {func() any {
			return &requestFormView{Page: web.ExamplePage(b), Customer: cu,
				Form:       RequestInput{CustomerID: 7, Kind: "complaint", Category: "network", Severity: "high", Channel: "phone", Description: "中断", Affected: "总部", ContactID: 3},
				Categories: []string{"network", "自定义"}, Contacts: []prospects.Contact{contact}, Errors: map[string]string{"_form": "错误", "description": "必填"}}
		}},
		"aftersale/requests": {func() any {
			return &requestsView{Page: web.ExamplePage(b), Rows: []RequestRow{row(StatusOpen), row(StatusReopened)}, Pager: &web.Pager{Page: 1, Size: 20, Total: 2},
				F:     RequestFilter{View: "mine", Status: StatusOpen, Severity: "high", Kind: "complaint", Category: "network", OwnerID: 1, TeamID: 1, Q: "专线"},
				Query: "view=mine", Owners: users, Teams: []org.Team{{ID: 1, Name: "一组"}}, Categories: []string{"network"}, Now: now,
				Clock: Clock{Cal: everyDay{}, Loc: time.UTC}}
		}},
		"aftersale/settings": {func() any {
			return &settingsView{Page: web.ExamplePage(b),
				S: Settings{BranchID: 1, FreqA: 1, FreqB: 2, FreqC: 3, FreqD: 6, Categories: "network\nbilling", AutoCloseDays: 7, UrgentRespH: 1, UrgentResH: 4,
					UrgentAllDay: true, MajorRespH: 2, MajorResH: 8, NormalRespH: 4, NormalResH: 24, Version: 2},
				Form: SettingsInput{Freq: map[string]string{"A": "1", "B": "2", "C": "3", "D": "6"}, Categories: "network", AutoCloseDays: "7",
					RespH: map[string]string{"urgent": "1", "major": "2", "normal": "4"}, ResH: map[string]string{"urgent": "4", "major": "8", "normal": "24"},
					AllDay: map[string]bool{"urgent": true}, Version: 2},
				Errors: map[string]string{"_form": "错误", "freq_A": "必填"}}
		}},
		// sla: an open request breached, warning, in time; a closed one
		// that was breached and one that met its clock.
		"aftersale/sla": {sla(StatusOpen, 0, now.Add(10*time.Hour)), sla(StatusOpen, 85, now), sla(StatusInProgress, 20, now),
			sla(StatusClosed, 100, now), func() any {
				r := exampleRequest(StatusClosed)
				r.BreachedAt = nil
				return map[string]any{"R": r, "Pct": 50, "Now": now, "L": b.For(i18n.ZH)}
			}},
		"aftersale/status": {func() any {
			r := exampleRequest(StatusReopened)
			return map[string]any{"S": r.Status, "T": r.StatusTone(), "L": b.For(i18n.ZH)}
		}},
		"aftersale/tabs": {tabs("care"), tabs("events"), tabs("requests"), tabs("callbacks"), tabs("settings")},
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

// TestCareRowWithoutContactReadsCleanly: a customer never contacted shows
// its frequency alone, in the singular for one month, not after a dangling
// separator ("· every 1 months").
func TestCareRowWithoutContactReadsCleanly(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := web.StrictTemplates(templates.FS, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	page := web.ExamplePage(b)
	page.L, page.Lang = b.For(i18n.EN), i18n.EN
	v := &careView{Page: page, Rows: []CareRow{{CustomerID: 7, CustomerName: "松花江冷链物流有限公司", Grade: "A", OwnerID: 1, OwnerName: "李伟", TeamID: 1,
		Months: 1, CareDue: CareDue{DueOn: now, State: CareNever}}}, Pager: &web.Pager{Page: 1, Size: 20, Total: 1}, State: CareNever, Today: now}
	var out strings.Builder
	if err := set.Lookup("aftersale/care").Execute(&out, v); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	if !strings.Contains(html, `<span class="muted small">every month</span>`) {
		t.Fatalf("the never-contacted row's line is not just its frequency:\n%s", html[strings.Index(html, "muted small"):][:200])
	}
}
