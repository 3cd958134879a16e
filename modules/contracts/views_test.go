package contracts

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

func exampleContract(status string) *Contract {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	one, two := uint(1), uint(2)
	return &Contract{ID: 31, Number: "HT-2026-0031", Revision: 2, RootID: &one, IsCurrent: true, CustomerID: 7, OpportunityID: &two,
		ProposalID: &two, ProposalRef: "FA-2026-0011 v2", PredecessorID: &one, OwnerID: 1, BranchID: 1, Title: "专线合同", Status: status,
		SignedOn: &day, StartOn: day, EndOn: day.AddDate(0, 2, 0), TermMonths: 12, MonthlyFen: 800000, OneTimeFen: 80000, TotalFen: 9680000,
		PaymentTerms: "monthly", PaymentDueDay: 15, OurSignatoryID: &one, CustomerSignatoryID: &two, Notes: "备注", NeedsChief: true,
		NeedsDirector: true, ChiefApprovedBy: &two, SubmittedAt: &day, SignedAt: &day, ActivatedAt: &day, TerminatedOn: &day,
		TerminationReason: "客户搬迁", Version: 3, UpdatedAt: day}
}

func exampleContractLine() Line {
	return Line{ID: 1, ContractID: 31, Position: 1, ProductID: 9, ProductCode: "ZX-100", ProductName: "互联网专线", ProductNameEn: "Leased line",
		Unit: "line", Quantity: 2, TermMonths: 12, MonthlyListFen: 500000, OneTimeListFen: 50000, Rate: 8000, FloorRate: 8500,
		MonthlyNetFen: 800000, OneTimeNetFen: 80000, TotalFen: 9680000}
}

// contractsViews maps every template under templates/contracts to
// example views.
func contractsViews(b *i18n.Bundle) map[string][]web.Example {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Grade: "A"}
	val := audit.Value{Text: "值"}
	users := []org.User{{ID: 1, Name: "李伟"}, {ID: 2, Name: "赵敏"}}
	contact := prospects.Contact{ID: 2, CustomerID: 7, Name: "王经理", Title: "主任"}
	row := func(status string) Row {
		return Row{Contract: *exampleContract(status), CustomerName: cu.Name, CustomerOwnerID: 1}
	}
	show := func(status, level string) web.Example {
		return func() any {
			c := exampleContract(status)
			all := map[Action]bool{}
			for _, a := range []Action{ActRead, ActEdit, ActSubmit, ActDecide, ActSign, ActActivate, ActTerminate, ActRenew, ActAmend, ActDelete, ActTasks, ActAttach} {
				all[a] = true
			}
			d := &Detail{C: c, Customer: cu, Lines: []Line{exampleContractLine()},
				Approvals: []Approval{{ID: 1, ContractID: 31, Level: "chief", Decision: "approved", ByID: 2, At: day, Comment: "同意"},
					{ID: 2, ContractID: 31, Level: "director", Decision: "rejected", ByID: 1, At: day, Comment: "价格"}},
				Revisions: []Contract{*c, *exampleContract(StatusSuperseded)},
				Tasks: []Task{{ID: 1, ContractID: 1, Kind: TaskOpen, Title: "专线", OwnerID: 1, DueOn: day, Status: TaskDoing, Note: "n", Version: 1},
					{ID: 2, ContractID: 1, Kind: TaskFree, Title: "培训", OwnerID: 2, DueOn: day.AddDate(0, 0, -3), Status: TaskTodo},
					{ID: 3, ContractID: 1, Kind: TaskCutover, OwnerID: 2, DueOn: day, Status: TaskDone, DoneAt: &day}},
				Attachments: []Attachment{{ID: 1, ContractID: 31, FileName: "scan.pdf", ContentType: "application/pdf", SizeBytes: 2048, UploadedBy: 1, CreatedAt: day}},
				Predecessor: exampleContract(StatusRenewed), Successor: exampleContract(StatusDraft), CustomerSignatory: &contact,
				Users: map[uint]org.User{1: users[0], 2: users[1]}, ChiefID: 2, Today: day.AddDate(0, 1, 0), Level: level,
				Can: all, CanDecide: true}
			return &showView{Page: web.ExamplePage(b), D: d, Errors: map[string]string{"_form": "错误", "comment": "必填"},
				Capital: "人民币玖万陆仟捌佰元整", TaskOwners: users, Reasons: []string{"低于底价"}, MaxMB: 10,
				History: &audit.View{Rows: []audit.Row{{At: "2026-06-01 16:00", Actor: val, Target: val, Entity: "合同", Action: "修改",
					Changes: []audit.FieldView{{Label: "标题", From: val, To: val}}}}}}
		}
	}
	form := func(fromProposal bool) web.Example {
		return func() any {
			p := Product{ID: 9, Code: "ZX-100", Name: "互联网专线", NameEn: "Leased line", Unit: "line", Category: "dedicated_line", MonthlyFen: 500000,
				OneTimeFen: 50000, FloorRate: 8500, Active: true}
			v := &formView{Page: web.ExamplePage(b), Customer: cu, C: exampleContract(StatusDraft),
				Form: Input{CustomerID: 7, ProposalID: 2, OpportunityID: 2, Title: "专线合同", StartOn: "2026-06-01", EndOn: "2027-05-31",
					PaymentTerms: "monthly", PaymentDueDay: "15", OurSignatoryID: 1, CustomerSignatoryID: 2, Notes: "备注", Version: 3},
				Rows:    []LineInput{{ProductID: 9, Quantity: "2", TermMonths: "12", Rate: "80"}, {ProductID: 8}},
				Choices: &FormChoices{Signatories: users, Contacts: []prospects.Contact{contact}, Opps: []prospects.Opportunity{{ID: 2, Title: "扩容", Stage: "proposal"}}, Products: []Product{p}},
				Quote:   &Quote{Lines: []Line{exampleContractLine()}, MonthlyFen: 800000, OneTimeFen: 80000, TotalFen: 9680000, NeedsChief: true, NeedsDirector: true},
				Errors:  map[string]string{"_form": "错误", "title": "必填", "lines": "至少一行", "line_0": "低于底价"},
				Action:  "/contracts/31", Cancel: "/contracts/31", Chief: 5000000, Dir: 20000000}
			if fromProposal {
				v.C, v.Quote = nil, nil
				v.Proposal = &Accepted{ID: 2, CustomerID: 7, Number: "FA-2026-0011", Version: 2, Title: "专线扩容方案", MonthlyFen: 800000, TotalFen: 9680000,
					Lines: []Line{exampleContractLine()}}
				v.Fixed = v.Proposal.Lines
			}
			return v
		}
	}
	list := func() any {
		return &listView{Page: web.ExamplePage(b), Rows: []Row{row(StatusActive), row(StatusExpiring)}, Pager: &web.Pager{Page: 1, Size: 20, Total: 2},
			Form:     listForm{Q: "专线", Status: StatusActive, OwnerID: 1, TeamID: 1, Within: 90, MinYuan: "1", MaxYuan: "9"},
			Statuses: Statuses, Owners: users, Teams: []org.Team{{ID: 1, Name: "一组"}}, Windows: []int{30, 60, 90}, Filtered: true,
			Today: day, Query: "q=x", Errors: map[string]string{"min": "格式不对"}}
	}
	customer := func() any {
		return &customerView{Page: web.ExamplePage(b), Customer: cu, Contracts: []Contract{*exampleContract(StatusActive)},
			Awaiting: []Accepted{{ID: 2, CustomerID: 7, Number: "FA-2026-0011", Version: 2, Title: "专线扩容方案", TotalFen: 9680000}},
			CanWrite: true, Today: day}
	}
	return map[string][]web.Example{
		"contracts/show":     {show(StatusPending, "chief"), show(StatusActive, "director"), show(StatusDraft, "")},
		"contracts/form":     {form(false), form(true)},
		"contracts/list":     {list},
		"contracts/expiring": {list},
		"contracts/customer": {customer},
		"contracts/status_badge": {func() any {
			return map[string]any{"S": StatusActive, "T": exampleContract(StatusActive).StatusTone(), "L": b.For(i18n.ZH)}
		}},

		// The partials, with the dicts their callers give them.
		"contracts/filters": {func() any {
			return map[string]any{"V": list(), "Action": "/contracts", "Expiring": false}
		}, func() any {
			return map[string]any{"V": list(), "Action": "/contracts/expiring", "Expiring": true}
		}},
		"contracts/lines": {func() any {
			return map[string]any{"Lines": []Line{exampleContractLine()}, "L": b.For(i18n.ZH), "Lang": i18n.ZH}
		}},
		"contracts/rows": {func() any {
			return map[string]any{"Rows": []Row{row(StatusActive), row(StatusExpiring)}, "L": b.For(i18n.ZH), "Today": day, "Customer": true,
				"Pager": &web.Pager{Page: 1, Size: 20, Total: 2}}
		}},
		"contracts/task_fields": {func() any {
			return map[string]any{"V": show(StatusActive, "")(), "T": Task{ID: 1, Kind: TaskOpen, Title: "专线", OwnerID: 1, DueOn: day, Status: TaskDoing, Note: "n"}}
		}, func() any {
			return map[string]any{"V": show(StatusActive, "")(), "T": nil}
		}},
		"contracts/task_title": {func() any {
			return map[string]any{"T": Task{ID: 1, Kind: TaskOpen, Title: "专线"}, "L": b.For(i18n.ZH)}
		}, func() any {
			return map[string]any{"T": Task{ID: 2, Kind: TaskFree, Title: "培训"}, "L": b.For(i18n.ZH)}
		}, func() any {
			return map[string]any{"T": Task{ID: 3, Kind: TaskCutover}, "L": b.For(i18n.ZH)}
		}},
		// The home panels, with and without anything to show.
		"contracts/panel_expiring": {func() any {
			items := []expiringItem{{Row: row(StatusExpiring), DaysLeft: 20}, {Row: row(StatusExpiring), DaysLeft: 45}, {Row: row(StatusActive), DaysLeft: 80}}
			return &expiringPanel{Page: web.ExamplePage(b), Rows: items, Total: 5, Within: 90}
		}, func() any { return &expiringPanel{Page: web.ExamplePage(b), Within: 90} }},
		"contracts/panel_queue": {func() any { return &queuePanel{Page: web.ExamplePage(b), Rows: []Row{row(StatusPending)}} },
			func() any { return &queuePanel{Page: web.ExamplePage(b)} }},
		"contracts/panel_tasks": {func() any {
			t := TaskRow{Task: Task{ID: 1, Kind: TaskOpen, Title: "专线", OwnerID: 1, DueOn: day, Status: TaskTodo}, Number: "HT-2026-0031",
				CustomerID: 7, CustomerName: cu.Name, CurrentID: 31}
			return &tasksPanel{Page: web.ExamplePage(b), Rows: []TaskRow{t}, Total: 3, Today: day}
		}, func() any { return &tasksPanel{Page: web.ExamplePage(b), Today: day} }},
	}
}

// TestEveryContractsTemplateRendersWithItsView renders every template
// under templates/contracts with its example views, strictly (see
// web.CheckViews).
func TestEveryContractsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "contracts", contractsViews(b)) {
		t.Error(err)
	}
}
