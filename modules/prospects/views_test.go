package prospects

import (
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// exampleCustomer is a customer with every field set; chief says whether
// it has a chief rep (the page shows a warning for an A customer without).
func exampleCustomer(chief bool) *Customer {
	cu := &Customer{ID: 7, Name: "哈尔滨示例集团", CreditCode: "91230100MA1B2C3D4E", Industry: "manufacturing", Grade: "A",
		Headcount: 1200, AnnualSpendFen: 12345600, Address: "中山路 1 号", Region: "南岗区", Status: "active",
		Competitors: "unicom,telecom", OwnerID: 1, TeamID: 1, BranchID: 1,
		QualPay: QualYes, QualPayNote: "预算已批", QualNeed: QualPartly, QualNeedNote: "n", QualAuthority: QualNo,
		QualAuthorityNote: "a", QualAcceptance: QualYes, QualAcceptanceNote: "c", QualScore: 80, Version: 3}
	if chief {
		two := uint(2)
		cu.ChiefRepID = &two
	}
	return cu
}

// prospectsViews maps every template under templates/prospects to example
// views. A template still rendered from a fiber.Map is NotYetTyped.
func prospectsViews(b *i18n.Bundle) map[string][]web.Example {
	birthday := time.Date(1980, 5, 4, 0, 0, 0, 0, time.UTC)
	closeAt := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	customer := func(chief bool) web.Example {
		return func() any {
			ct := Contact{ID: 3, CustomerID: 7, Name: "王经理", Title: "信息部主任", Mobile: "13800000000", Phone: "0451-86001234",
				Email: "w@example.cn", Role: "decision", Attitude: "supporter", Birthday: &birthday, Preferences: "喜欢喝茶"}
			v := &customerView{
				Page: web.ExamplePage(b), C: exampleCustomer(chief),
				Chain: map[string][]contactView{"decision": {{Contact: ct, MobileShown: "138****0000", PhoneShown: "0451-****1234"}}},
				Roles: ContactRoles, HasContacts: true,
				Opps: []Opportunity{{ID: 5, CustomerID: 7, Title: "专线扩容", MonthlyFen: 880000, ExpectedClose: &closeAt, Stage: StageProposal}},
				Timeline: []timelineView{{TimelineEntry: TimelineEntry{At: closeAt, Kind: "visit", MsgID: "x", Detail: "名称、地址", Link: "/visits/1", ActorID: 1},
					Text: "走访", Actor: "李伟"}},
				Users: map[uint]org.User{1: {ID: 1, Name: "李伟"}, 2: {ID: 2, Name: "赵敏"}},
				Team:  &org.Team{ID: 1, Name: "一组"}, FullPhones: chief,
				CanWrite: true, CanReassign: true, CanDelete: true, QualAnswers: []string{QualYes, QualPartly, QualNo},
				Links:   []CustomerLink{{Label: "nav.needs", Path: "needs"}},
				Actions: []CustomerLink{{Label: "visits.new", Path: "/visits/new?customer={id}"}, {Label: "needs.new", Path: "needs/new"}},
			}
			if !chief {
				v.HasContacts, v.Opps, v.Timeline, v.Links = false, nil, nil, nil
			} else {
				v.Parents = []Breadcrumb{{ID: 1, Name: "华东能源集团", Visible: true}, {}}
				v.Tree = exampleLevel()
				v.Rollup = &Rollup{Members: 3, Hidden: 1, OpenOpps: 2, OpenMonthlyFen: 100, RevenueMonth: 202611, LastVisit: &closeAt}
				v.RevenueMonth = "2026-11"
			}
			return v
		}
	}
	return map[string][]web.Example{
		"prospects/customer": {customer(true), customer(false)},

		"prospects/customer_tree":       {func() any { return &treeView{Page: web.ExamplePage(b), Level: exampleLevel()} }},
		"prospects/customer_tree_level": web.NotYetTyped,
		"prospects/parent_matches":      web.NotYetTyped,
		"prospects/board":               web.NotYetTyped,
		"prospects/board_card":          web.NotYetTyped,
		"prospects/board_more":          web.NotYetTyped,
		"prospects/board_more_link":     web.NotYetTyped,
		"prospects/contact_form":        web.NotYetTyped,
		"prospects/customer_form":       web.NotYetTyped,
		"prospects/customers":           web.NotYetTyped,
		"prospects/import":              web.NotYetTyped,
		"prospects/opp_filters":         web.NotYetTyped,
		"prospects/opportunities":       web.NotYetTyped,
		"prospects/opportunity":         web.NotYetTyped,
		"prospects/opportunity_form":    web.NotYetTyped,
		"prospects/panel_pipeline":      web.NotYetTyped,
		"prospects/pick_customer":       web.NotYetTyped,
		"prospects/pipeline":            web.NotYetTyped,
		"prospects/reassign":            web.NotYetTyped,
		"prospects/trash":               web.NotYetTyped,
	}
}

// TestEveryProspectsTemplateRendersWithItsView renders every template
// under templates/prospects with its example views, strictly (a misspelt
// field or a missing key fails), and fails for a template without an
// entry.
func TestEveryProspectsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "prospects", prospectsViews(b)) {
		t.Error(err)
	}
}

// TestCustomerPageRejectsTheWrongView proves the check has teeth: the
// customer page executed with another type fails, naming the field.
func TestCustomerPageRejectsTheWrongView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := web.StrictTemplates(templates.FS, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	type misspelt struct {
		web.Page
		Customer *Customer // the page reads .C
	}
	err = web.RenderExample(set, "prospects/customer", &misspelt{Page: web.ExamplePage(b), Customer: exampleCustomer(true)})
	if err == nil || !strings.Contains(err.Error(), "C") {
		t.Fatalf("the customer page rendered a view without .C: %v", err)
	}
}

// exampleLevel is one page of a member tree with every part shown.
func exampleLevel() *treeLevel {
	return &treeLevel{ParentID: 7, Rows: []Customer{{ID: 8, Name: "华东能源销售公司", Grade: "B", OwnerID: 1}},
		Via: map[uint]bool{8: true}, Members: map[uint]int64{8: 2}, Hidden: 1, First: true, Next: 50, Rest: 3, Users: map[uint]org.User{1: {ID: 1, Name: "李伟"}}}
}
