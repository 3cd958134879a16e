package needs

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

func exampleNeed(status, priority string) Need {
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	contact, opp, visit := uint(3), uint(5), uint(21)
	return Need{ID: 4, CustomerID: 7, Category: "dedicated_line", Description: "总部到分部的专线带宽扩容", Priority: priority,
		ContactID: &contact, Status: status, OpportunityID: &opp, SourceVisitID: &visit, OwnerID: 1, Version: 2, CreatedAt: at, UpdatedAt: at}
}

func exampleNeedRows() []NeedRow {
	row := func(status, priority string) NeedRow {
		return NeedRow{Need: exampleNeed(status, priority), CustomerName: "哈尔滨示例集团", OwnerName: "李伟", ContactName: "王经理", OpportunityTitle: "专线扩容"}
	}
	return []NeedRow{row(StatusOpen, "high"), row(StatusAddressed, "medium"), row(StatusClosed, "low")}
}

// needsViews maps every template under templates/needs to example views.
func needsViews(b *i18n.Bundle) map[string][]web.Example {
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Grade: "A"}
	fields := func() needFields {
		return needFields{Form: NeedInput{Category: "dedicated_line", Description: "带宽", Priority: "high", ContactID: 3, OpportunityID: 5, Version: 2},
			Errors:     map[string]string{"_form": "错误", "category": "请选择", "description": "必填", "priority": "请选择", "contact_id": "不属于该客户", "opportunity_id": "不属于该客户"},
			Categories: []string{"dedicated_line"}, Priorities: Priorities,
			Contacts: []prospects.Contact{{ID: 3, CustomerID: 7, Name: "王经理", Title: "信息部经理"}},
			Opps:     []prospects.Opportunity{{ID: 5, Title: "专线扩容", Stage: prospects.StageProposal}}}
	}
	// customerNeeds: writable shows the form; without contacts the form
	// says how to add one.
	customerNeeds := func(writable, contacts bool) web.Example {
		return func() any {
			v := &customerNeedsView{Page: web.ExamplePage(b), needFields: fields(), C: cu, Rows: exampleNeedRows(), CanWrite: writable, Next: "/customers/7/needs"}
			if !contacts {
				v.Contacts, v.Opps = nil, nil
			}
			return v
		}
	}
	needForm := func() any {
		n := exampleNeed(StatusOpen, "high")
		return &needFormView{Page: web.ExamplePage(b), needFields: fields(), N: &n, C: cu, Next: "/needs/4/edit"}
	}
	analysis := func(writable bool, sid uint) web.Example {
		return func() any {
			end := at.AddDate(0, 3, 0)
			past := at.AddDate(0, -1, 0)
			svc := func(id uint, supplier string, end *time.Time) CustomerService {
				return CustomerService{ID: id, CustomerID: 7, Service: "dedicated_line", Supplier: supplier, Description: "300 部手机",
					MonthlySpendFen: 880000, ContractEnd: end, Version: 1}
			}
			return &analysisView{Page: web.ExamplePage(b), C: cu,
				A:      &CustomerAnalysis{ID: 2, CustomerID: 7, PainPoints: "网络慢", ITBudgetFen: 100000000, DecisionCalendar: "三月", Notes: "备注", Version: 3, UpdatedAt: at},
				Form:   &AnalysisInput{PainPoints: "网络慢", ITBudget: "1000000.00", DecisionCalendar: "三月", Notes: "备注", Version: 3},
				Errors: map[string]string{"_form": "错误", "pain_points": "太长", "decision_calendar": "太长", "notes": "太长"},
				Services: []serviceView{{CustomerService: svc(1, "cmcc", &end), DaysLeft: 91, Soon: true},
					{CustomerService: svc(2, "ctcc", &past), DaysLeft: -30, Past: true}, {CustomerService: svc(3, SupplierSelf, nil)}},
				Total: 2640000, CompetitorTotal: 1760000, SID: sid,
				SForm:   &ServiceInput{Service: "dedicated_line", Supplier: "cmcc", Description: "300 部手机", MonthlySpend: "8800.00", ContractEnd: "2026-09-01", Version: 1},
				SErrors: map[string]string{"_form": "错误", "service": "请选择", "supplier": "请选择"}, CanWrite: writable,
				ServiceKinds: []string{"dedicated_line"}, Suppliers: Suppliers,
				PainLines: []string{"网络慢"}, CalendarLines: []string{"三月"}, NoteLines: []string{"备注"}, Within: ExpiringWithinDays,
				Incumbents: []Incumbent{{Number: "HT-2026-0001", Title: "专线合同", Link: "/contracts/1", End: end, MonthlyFen: 500000}}}
		}
	}
	return map[string][]web.Example{
		"needs/analysis":       {analysis(true, 1), analysis(true, 0), analysis(false, 0)},
		"needs/customer_needs": {customerNeeds(true, true), customerNeeds(true, false), customerNeeds(false, false)},
		"needs/list": {func() any {
			return &listView{Page: web.ExamplePage(b), Rows: exampleNeedRows(), Pager: &web.Pager{Page: 1, Size: 20, Total: 3},
				Filter: NeedFilter{OwnerID: 1, Status: StatusOpen, Category: "dedicated_line", Priority: "high", Q: "专线"},
				Owners: []org.User{{ID: 1, Name: "李伟"}, {ID: 2, Name: "陈浩"}}, Statuses: Statuses, Categories: []string{"dedicated_line"},
				Priorities: Priorities, Next: "/needs?status=open", Filtered: true}
		}, func() any {
			return &listView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20}}
		}},
		"needs/need_fields": {customerNeeds(true, true), needForm},
		"needs/need_form":   {needForm},
		"needs/panel_expiring": {func() any {
			end := at.AddDate(0, 1, 0)
			row := func(days int) ExpiringContract {
				return ExpiringContract{CustomerService: CustomerService{ID: 1, CustomerID: 7, Service: "dedicated_line", Supplier: "cmcc", ContractEnd: &end},
					CustomerName: cu.Name, OwnerID: 1, DaysLeft: days}
			}
			return &expiringPanel{Page: web.ExamplePage(b), Expiring: []ExpiringContract{row(20), row(60), row(150)}, ExpiringTotal: 5,
				OpenNeeds: 4, Within: ExpiringWithinDays}
		}, func() any {
			return &expiringPanel{Page: web.ExamplePage(b), Within: ExpiringWithinDays}
		}},
		"needs/status_actions": {func() any {
			// An open need moves to addressed (the primary button) or
			// closed (which asks first).
			return map[string]any{"N": Need{ID: 4, Status: StatusOpen, Version: 2}, "L": b.For(i18n.ZH), "CSRF": "token", "Next": "/needs"}
		}},
	}
}

// TestEveryNeedsTemplateRendersWithItsView renders every template under
// templates/needs with its example views, strictly (see web.CheckViews).
func TestEveryNeedsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "needs", needsViews(b)) {
		t.Error(err)
	}
}

// TestBadgeTones: the priority and days-left badges the templates show
// come from the record, not from string literals in the templates.
func TestBadgeTones(t *testing.T) {
	for p, want := range map[string]string{"high": "danger", "medium": "warn", "low": "muted"} {
		if got := (Need{Priority: p}).PriorityTone(); got != want {
			t.Errorf("PriorityTone(%s) = %s, want %s", p, got, want)
		}
	}
	for days, want := range map[int]string{-1: "danger", 30: "danger", 31: "warn", 90: "warn", 91: "muted"} {
		if got := (ExpiringContract{DaysLeft: days}).DaysTone(); got != want {
			t.Errorf("DaysTone(%d) = %s, want %s", days, got, want)
		}
	}
}
