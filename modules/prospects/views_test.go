package prospects

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
	"gorm.io/gorm"
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
// views: populated, one example per branch of an {{if}}/{{else}}. Every
// template has its view type; there is no untyped entry.
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
	one := uint(1)
	errs := map[string]string{"_form": "错误", "credit_code": "已占用", "industry": "必选", "grade": "必选", "status": "必选",
		"headcount": "不是数", "parent_id": "成环", "owner_id": "必选", "chief_rep_id": "必选", "role": "必选", "preferences": "太长",
		"notes": "太长", "stage": "必选", "probability": "0–100", "products": "太长"}
	users := []org.User{{ID: 1, Name: "李伟", Role: "account_manager"}, {ID: 2, Name: "赵敏", Role: "chief_rep"}}
	userMap := map[uint]org.User{1: users[0], 2: users[1]}
	pager := func(total int64) *web.Pager { return &web.Pager{Page: 1, Size: 20, Total: total} }
	customers := func(full bool) web.Example {
		return func() any {
			v := &customersView{Page: web.ExamplePage(b), Pager: pager(0), Tree: &listTree{}, Loc: time.UTC, TreeURL: "/customers?view=tree", FlatURL: "/customers?all=1",
				NoGroupURL: "/customers?all=1"}
			if full {
				member := *exampleCustomer(false)
				member.ID, member.ParentID = 8, &one
				v.Customers, v.Pager = []Customer{*exampleCustomer(true), member}, pager(2)
				v.Filter = CustomerFilter{Q: "哈", Grade: "A", Industry: "energy", Status: "active", OwnerID: 1, TeamID: 1, Region: "南岗区", MinScore: 75, Group: 7}
				v.Query, v.Users, v.Owners = template.URL("q=%E5%93%88"), userMap, users
				v.Teams, v.Regions = []org.Team{{ID: 1, Name: "一组"}}, []string{"南岗区"}
				v.Grades, v.Industries, v.Statuses, v.ShowOwner = Grades, Industries, Statuses, true
				v.Group = exampleCustomer(true)
				v.Tree = &listTree{On: true, Depth: map[uint]int{8: 1}, More: map[uint]int{7: 3}}
			}
			return v
		}
	}
	customerForm := func(id uint, dups bool) web.Example {
		return func() any {
			v := &customerFormView{Page: web.ExamplePage(b), ID: id, Owners: users, ChiefReps: users,
				Grades: Grades, Industries: Industries, Statuses: Statuses, Competitors: Competitors, CompSet: map[string]bool{"cmcc": true},
				Form: CustomerInput{Name: "哈尔滨示例集团", CreditCode: "91230100MA1B2C3D4E", Industry: "energy", Grade: "A", Headcount: "1200",
					AnnualSpend: "123456.00", Address: "中山路 1 号", Region: "南岗区", Status: "active", Competitors: []string{"cmcc"}, ChiefRepID: 2, Version: 3}}
			if dups {
				v.Errors, v.Parent = errs, &parentChoice{ID: 1, Name: "华东能源集团"}
				v.Duplicates = []Duplicate{{ID: 9, Name: "哈尔滨示例", Owner: "李伟", Visible: true, Exact: true}, {Owner: "周杰", Branch: "大庆分公司", Exact: true},
					{Owner: "周杰", Branch: "大庆分公司"}, {Owner: "赵敏", Exact: true}, {Owner: "赵敏"}}
			} else {
				v.Parent = &parentChoice{ID: 1}
			}
			return v
		}
	}
	row := func(stage string, id uint) OpportunityRow {
		o := Opportunity{ID: id, CustomerID: 7, Title: "专线扩容", Products: "专线", MonthlyFen: 880000, OneTimeFen: 10000, ExpectedClose: &closeAt,
			Stage: stage, Probability: 60, OwnerID: 1, Version: 2}
		if stage == StageLost {
			o.LostReason, o.LostNote = "price", "贵"
		}
		return OpportunityRow{Opportunity: o, CustomerName: "哈尔滨示例集团", CustomerGrade: "A", CustomerScore: 80, Industry: "energy", TeamID: 1}
	}
	column := func(stage string, n int) BoardColumn {
		col := BoardColumn{Stage: stage, OppTotals: OppTotals{Count: int64(n) + 5, MonthlyFen: 880000, Weighted: 440000}}
		for i := range n {
			col.Cards = append(col.Cards, row(stage, uint(5+i)))
		}
		col.Cards[len(col.Cards)-1].CustomerScore = 40
		return col
	}
	cards := func(moved uint) boardCards {
		return boardCards{Users: userMap, Query: template.URL("owner=1"), OpenStages: OpenStages, LostReasons: LostReasons, Moved: moved}
	}
	filters := func(full bool) oppFilters {
		if !full {
			return oppFilters{Grades: Grades, Industries: Industries, Stages: Stages, Owners: users[:1]}
		}
		return oppFilters{Filter: OpportunityFilter{Q: "专线", OwnerID: 1, TeamID: 1, Grade: "A", Industry: "energy", CloseMonth: "2026-12", MinScore: 50,
			Sort: "value", Desc: true}, Teams: []teamOption{{ID: 1, Label: "哈尔滨分公司 · 一组"}}, Owners: users, Months: []string{"2026-12"},
			Grades: Grades, Industries: Industries, Stages: Stages, FilterQuery: template.URL("owner=1"), ShowOwner: true}
	}
	board := func(moved uint) web.Example {
		return func() any {
			v := &boardView{Page: web.ExamplePage(b), oppFilters: filters(moved != 0), boardCards: cards(moved), BoardSorts: BoardSorts,
				Board:  &Board{Sort: "value", Columns: []BoardColumn{column(StageProposal, 2), column(StageWon, 1), column(StageLost, 1), {Stage: StageNeeds}}},
				Errors: map[string]string{"stage": "需要原因"}}
			if moved == 0 {
				v.Query = ""
			}
			return v
		}
	}
	opportunities := func(full bool) web.Example {
		return func() any {
			v := &opportunitiesView{Page: web.ExamplePage(b), oppFilters: filters(full), Pager: pager(0)}
			if full {
				v.Rows, v.Pager, v.Totals = []OpportunityRow{row(StageProposal, 5)}, pager(1), OppTotals{Count: 1, MonthlyFen: 880000, OneTimeFen: 10000, Weighted: 528000}
				v.Stage, v.ExportQuery, v.Users = StageProposal, template.URL("stage=proposal"), userMap
			}
			return v
		}
	}
	opportunity := func(stage string, canWrite bool) web.Example {
		return func() any {
			o := row(stage, 5).Opportunity
			v := &opportunityView{Page: web.ExamplePage(b), O: &o, C: exampleCustomer(true), Users: userMap, Stages: Stages, OpenStages: OpenStages,
				LostReasons: LostReasons, CanWrite: canWrite, Trail: &audit.View{},
				History: []StageChange{{FromStage: StageIdentified, ToStage: stage, ByID: 1, At: closeAt, Note: "见面"}, {ToStage: StageIdentified, ByID: 2, At: closeAt}}}
			if canWrite {
				v.Trail = &audit.View{Rows: []audit.Row{{At: "2026-01-02 10:00", Actor: audit.Value{Text: "李伟"}, Entity: "商机", Action: "修改"}}}
			}
			return v
		}
	}
	return map[string][]web.Example{
		"prospects/customer": {customer(true), customer(false)},

		"prospects/customer_tree": {func() any { return &treeView{Page: web.ExamplePage(b), Level: exampleLevel()} }},
		"prospects/customer_tree_level": {func() any { return treeLevelView{L: b.For(i18n.ZH), M: exampleLevel()} }, func() any {
			lv := exampleLevel()
			lv.Via, lv.Members, lv.First, lv.Next = nil, nil, false, 0
			return treeLevelView{L: b.For(i18n.EN), M: lv}
		}},
		"prospects/parent_matches": {func() any {
			return &parentMatchesView{Page: web.ExamplePage(b), Rows: []Customer{*exampleCustomer(true)}, Q: "哈", More: true}
		}, func() any { return &parentMatchesView{Page: web.ExamplePage(b), Q: "无"} }},

		"prospects/customers":     {customers(true), customers(false)},
		"prospects/customer_form": {customerForm(7, true), customerForm(0, false)},
		"prospects/reassign": {func() any {
			return &reassignView{Page: web.ExamplePage(b), C: exampleCustomer(true), Owners: users, ChiefReps: users, Errors: errs}
		}, func() any {
			return &reassignView{Page: web.ExamplePage(b), C: exampleCustomer(false), Owners: users}
		}},
		"prospects/trash": {func() any {
			cu := *exampleCustomer(true)
			cu.DeletedAt = gorm.DeletedAt{Time: closeAt, Valid: true}
			return &trashView{Page: web.ExamplePage(b), Customers: []Customer{cu}, Pager: pager(1), Users: userMap, Q: "哈尔滨"}
		}, func() any { return &trashView{Page: web.ExamplePage(b), Pager: pager(0)} }},
		"prospects/contact_form": {func() any {
			return &contactFormView{Page: web.ExamplePage(b), C: exampleCustomer(true), ID: 3, Errors: errs, Roles: ContactRoles, Attitudes: Attitudes,
				Form: ContactInput{Name: "王经理", Title: "主任", Mobile: "13800000000", Phone: "0451-86001234", Email: "w@example.cn",
					Role: "decision", Attitude: "neutral", Birthday: "1980-05-04", Preferences: "茶", Notes: "n", Version: 2},
				Duplicates: []Contact{{ID: 3, Name: "王经理", Title: "主任"}, {ID: 4, Name: "王经理"}}}
		}, func() any {
			return &contactFormView{Page: web.ExamplePage(b), C: exampleCustomer(false), Roles: ContactRoles, Attitudes: Attitudes}
		}},
		"prospects/import": {func() any {
			return &importView{Page: web.ExamplePage(b), Error: "文件读不了", FileName: "客户.xlsx", Report: &ImportReport{Rows: 3, Customers: 2, Contacts: 1, Duplicates: 1,
				Problems: []ImportProblem{{Line: 2, Field: "name", MsgID: "import.duplicate", Arg: "甲"}, {Line: 3, Field: "grade", MsgID: "v.required", Arg: "E"}, {MsgID: "v.required"}}}}
		}, func() any {
			return &importView{Page: web.ExamplePage(b), FileName: "客户.csv", Token: "tok", Ext: ".csv", Report: &ImportReport{Rows: 2, Customers: 2}}
		}, func() any { return &importView{Page: web.ExamplePage(b)} }},
		"prospects/pick_customer": {func() any {
			return &pickView{Page: web.ExamplePage(b), Heading: "visits.new", Picker: &Picker{Q: "哈", Action: "/visits/new", Target: "/visits/new?customer={id}",
				SearchURL: "/customers/pick?next=x", Next: "/n", Matches: []PickMatch{{ID: 7, Name: "哈尔滨示例集团", Grade: "A", Region: "南岗区", Href: "/customers/7"}}, More: true}}
		}},
		"prospects/opportunities": {opportunities(true), opportunities(false)},
		"prospects/opportunity": {
			opportunity(StageProposal, true), opportunity(StageLost, true), opportunity(StageWon, true), opportunity(StageNeeds, false),
		},
		"prospects/opportunity_form": {func() any {
			return &opportunityFormView{Page: web.ExamplePage(b), ID: 5, C: exampleCustomer(true), Errors: errs, Stages: OpenStages, Defaults: DefaultProbability,
				Form: OpportunityInput{CustomerID: 7, Title: "专线扩容", Products: "专线", Monthly: "8800.00", OneTime: "0", ExpectedClose: "2026-12-31",
					Stage: StageProposal, Probability: "60", Version: 2}}
		}, func() any {
			return &opportunityFormView{Page: web.ExamplePage(b), C: exampleCustomer(true), Stages: OpenStages, Defaults: DefaultProbability,
				Form: OpportunityInput{CustomerID: 7, Stage: StageIdentified}}
		}},
		"prospects/pipeline": {board(5), board(0)},
		"prospects/board":    {board(5), func() any { v := board(0)().(*boardView); v.Errors = nil; return v }},
		"prospects/board_more": {func() any {
			return &boardMoreView{Page: web.ExamplePage(b), boardCards: cards(0), Col: column(StageVisited, 2), More: true,
				Shown: 20, Total: 30, Rest: 10, Skip: 5, ShowOwner: true}
		}, func() any {
			return &boardMoreView{Page: web.ExamplePage(b), boardCards: cards(0), Col: column(StageVisited, 1)}
		}},
		"prospects/panel_pipeline": {func() any {
			return web.ExamplePanel(b, map[string]any{"V": pipelinePanel{Heading: "pipeline.panel_team", Open: 4, Monthly: 880000, Weighted: 440000,
				Stages: []BoardColumn{{Stage: StageVisited, OppTotals: OppTotals{Count: 4}}}}})
		}},
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
	b, set := strictSet(t)
	type misspelt struct {
		web.Page
		Customer *Customer // the page reads .C
	}
	err := web.RenderExample(set, "prospects/customer", &misspelt{Page: web.ExamplePage(b), Customer: exampleCustomer(true)})
	if err == nil || !strings.Contains(err.Error(), "C") {
		t.Fatalf("the customer page rendered a view without .C: %v", err)
	}
}

// exampleLevel is one page of a member tree with every part shown.
func exampleLevel() *treeLevel {
	return &treeLevel{ParentID: 7, Rows: []Customer{{ID: 8, Name: "华东能源销售公司", Grade: "B", OwnerID: 1}},
		Via: map[uint]bool{8: true}, Members: map[uint]int64{8: 2}, Hidden: 1, First: true, Next: 50, Rest: 3, Users: map[uint]org.User{1: {ID: 1, Name: "李伟"}}}
}

// TestTreeLevelRejectsTheWrongView: the member tree's level is typed —
// the dict it used to be given (with "Level" for "M", or a level with a
// misspelt field) fails the check instead of rendering an empty tree.
func TestTreeLevelRejectsTheWrongView(t *testing.T) {
	b, set := strictSet(t)
	if err := web.RenderExample(set, "prospects/customer_tree_level", map[string]any{"L": b.For(i18n.ZH), "Level": exampleLevel()}); err == nil {
		t.Error("the level rendered from a dict without M")
	}
	type misspelt struct {
		ParentID uint
		Rowz     []Customer // the template reads .M.Rows
	}
	err := web.RenderExample(set, "prospects/customer_tree_level", struct {
		L i18n.Localizer
		M *misspelt
	}{b.For(i18n.ZH), &misspelt{ParentID: 7}})
	if err == nil || !strings.Contains(err.Error(), "Rows") {
		t.Errorf("the level rendered a view without .M.Rows: %v", err)
	}
	// And the real view renders the members, through both callers.
	var out strings.Builder
	if err := set.Lookup("prospects/customer_tree").Execute(&out, &treeView{Page: web.ExamplePage(b), Level: exampleLevel()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `data-customer="8"`) || !strings.Contains(out.String(), "华东能源销售公司") {
		t.Errorf("the tree's answer lacks its member: %s", out.String())
	}
}

// TestCustomerPageQualificationIsTyped: the four signs come from
// Customer.QualSigns, each radio checked by its own answer and each note
// in its own field (the template used to match the sign names itself).
func TestCustomerPageQualificationIsTyped(t *testing.T) {
	b, set := strictSet(t)
	v := prospectsViews(b)["prospects/customer"][0]().(*customerView)
	v.C.QualPayNote, v.C.QualNeedNote, v.C.QualAuthorityNote, v.C.QualAcceptanceNote = "付费备注", "需求备注", "权力备注", "认可备注"
	var out strings.Builder
	if err := set.Lookup("prospects/customer").Execute(&out, v); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{
		`name="qual_pay" value="yes" checked`, `name="qual_need" value="partly" checked`,
		`name="qual_authority" value="no" checked`, `name="qual_acceptance" value="yes" checked`,
		`name="qual_pay_note" value="付费备注"`, `name="qual_need_note" value="需求备注"`,
		`name="qual_authority_note" value="权力备注"`, `name="qual_acceptance_note" value="认可备注"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the qualification lacks %s", want)
		}
	}
	if n := strings.Count(page, " checked"); n != 4 {
		t.Errorf("%d answers checked, want 4", n)
	}
}

// TestPickerMatchesFragmentIsTyped: the picker's htmx answer is rendered
// from pickMatchesView (it was a fiber.Map), checked strictly.
func TestPickerMatchesFragmentIsTyped(t *testing.T) {
	b, set := strictSet(t)
	for _, p := range []*Picker{
		{Q: "哈", Matches: []PickMatch{{ID: 7, Name: "哈尔滨示例集团", Grade: "A", Region: "南岗区", Href: "/customers/7"}}, More: true},
		{Q: "无"}, {},
	} {
		if err := web.RenderExample(set, "partials/customer_matches", &pickMatchesView{Page: web.ExamplePage(b), P: p}); err != nil {
			t.Errorf("picker %+v: %v", p, err)
		}
	}
}

// strictSet is the real catalogues and every template parsed strictly,
// for the tests that render one template with a chosen view.
func strictSet(t *testing.T) (*i18n.Bundle, *template.Template) {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := web.StrictTemplates(templates.FS, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return b, set
}

// TestBoardCardEscapes: a board card, written in Go (cardPage.Card), in
// each of its three forms (open: the move select with its stage chosen;
// lost: the reason and the reopen form; won: locked), in both languages,
// escapes every text from the database.
func TestBoardCardEscapes(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	closeAt := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	bc := boardCards{Users: map[uint]org.User{3: {ID: 3, Name: `O'Neil & <i>Co</i>`}}, Query: template.URL("owner=3&q=%3Cb%3E"),
		OpenStages: OpenStages, LostReasons: LostReasons, Moved: 5}
	row := func(stage, reason string) OpportunityRow {
		r := OpportunityRow{CustomerName: `<script>alert(1)</script>`, CustomerGrade: `A"`, CustomerScore: 80}
		r.ID, r.Title, r.Stage, r.LostReason, r.OwnerID, r.MonthlyFen, r.ExpectedClose = 5, `专线 <b>"扩容"</b>`, stage, reason, 3, 880000, &closeAt
		return r
	}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		l := b.For(lang)
		p := bc.page(l, `csrf"&`, true)
		for _, tc := range []struct {
			stage, reason string
			want          []string
		}{
			{StageProposal, "", []string{`<option value="proposal" selected>`, `class="move-form"`, l.T("pipeline.move")}},
			{StageLost, LostReasons[0], []string{`class="move-form reopen-form"`, template.HTMLEscapeString(l.T("lost." + LostReasons[0])), `name="note" required`}},
			{StageWon, "", []string{`<p class="small card-locked">`, template.HTMLEscapeString(l.T("lists.board.won_locked"))}},
		} {
			got := p.List(bc.Cards([]OpportunityRow{row(tc.stage, tc.reason)})).String()
			want := append([]string{
				`<article class="opp-card just-moved" id="opp-5" data-stage="` + tc.stage + `">`,
				`<strong>专线 &lt;b&gt;&#34;扩容&#34;&lt;/b&gt;</strong>`,
				`&lt;script&gt;alert(1)&lt;/script&gt;`, `grade-A&#34;`, `badge-ok`,
				template.HTMLEscapeString(l.T("pipeline.score", "Score", 80)),
				`8,800.00/`, `<span class="card-close">2026-12-31</span>`,
				`<span class="card-owner">O&#39;Neil &amp; &lt;i&gt;Co&lt;/i&gt;</span>`,
			}, tc.want...)
			if tc.stage != StageWon {
				want = append(want, `value="csrf&#34;&amp;"`, `name="query" value="owner=3&amp;q=%3Cb%3E"`)
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s: no %q in\n%s", lang, tc.stage, w, got)
				}
			}
			if strings.Contains(got, "<script>") || strings.Contains(got, "<b>") || strings.Contains(got, "<i>") {
				t.Errorf("%s %s: unescaped text in\n%s", lang, tc.stage, got)
			}
		}
	}
}

// TestListRowsEscape: the customer and opportunity rows written in Go
// (RowsHTML) escape every text from the database, show the tree's depth
// and "more" link, the owner when the page shows owners, and the labels
// in the page's language.
func TestListRowsEscape(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC)
	users := map[uint]org.User{3: {ID: 3, Name: `O'Neil & <i>Co</i>`}}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		l := b.For(lang)
		cu := Customer{ID: 7, Name: `<script>x</script>`, CreditCode: `9123"<`, Grade: "A", Industry: "gov", Status: "prospect", OwnerID: 3,
			QualScore: 80, AnnualSpendFen: 3600050, UpdatedAt: at}
		cv := &customersView{Page: web.ExamplePage(b), Customers: []Customer{cu}, Users: users, ShowOwner: true, Loc: shanghaiZone(t),
			Tree: &listTree{On: true, Depth: map[uint]int{7: 2}, More: map[uint]int{7: 4}}}
		cv.L = l
		got := string(cv.RowsHTML())
		for _, want := range []string{
			`<td class="wrap" data-depth="2"><span class="tree-mark" aria-hidden="true">└</span> <a href="/customers/7">&lt;script&gt;x&lt;/script&gt;</a>`,
			`<span class="muted small">9123&#34;&lt;</span>`,
			`<a class="small" href="/customers?all=1&amp;view=tree&amp;group=7">` + template.HTMLEscapeString(l.T("hierarchy.more", "Count", 4)) + `</a>`,
			`<span class="badge badge-warn">` + template.HTMLEscapeString(l.T("customers.no_chief")) + `</span>`,
			"<td>" + template.HTMLEscapeString(l.T("industry.gov")) + "</td>", "<td>" + template.HTMLEscapeString(l.T("status.prospect")) + "</td>",
			`<td class="owner">O&#39;Neil &amp; &lt;i&gt;Co&lt;/i&gt;</td>`, `<td class="num">36,000.50</td>`, `<td>2026-11-30 09:30</td>`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s customer row: no %q in\n%s", lang, want, got)
			}
		}
		row := OpportunityRow{CustomerName: `<b>客户</b>`}
		row.ID, row.CustomerID, row.Title, row.Stage, row.MonthlyFen, row.OneTimeFen, row.Probability, row.OwnerID, row.ExpectedClose =
			5, 7, `专线 "扩容" & <i>`, StageProposal, 880000, 0, 60, 3, &at
		ov := &opportunitiesView{Page: web.ExamplePage(b), Rows: []OpportunityRow{row}, Users: users}
		ov.L, ov.ShowOwner = l, true
		got = string(ov.RowsHTML())
		for _, want := range []string{
			`<a href="/opportunities/5">专线 &#34;扩容&#34; &amp; &lt;i&gt;</a>`, `<a href="/customers/7">&lt;b&gt;客户&lt;/b&gt;</a>`,
			`<span class="badge stage-proposal">` + template.HTMLEscapeString(l.T("stage.proposal")) + `</span>`,
			`<td class="num">8,800.00</td><td class="num">0.00</td><td class="num">60%</td><td>2026-11-30</td>`,
			`<td class="owner">O&#39;Neil &amp; &lt;i&gt;Co&lt;/i&gt;</td>`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s opportunity row: no %q in\n%s", lang, want, got)
			}
		}
		for _, raw := range []string{"<script>", "<b>", "<i>"} {
			if strings.Contains(got, raw) {
				t.Errorf("%s: unescaped %s in\n%s", lang, raw, got)
			}
		}
	}
}

func shanghaiZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// "更多" carries the filter in both links (escaped for the attribute),
// continues after the last card, skips the card just moved only when
// there is one, and says how many are left.
func TestBoardMoreLink(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	l := b.For(i18n.ZH)
	bc := boardCards{Query: template.URL("owner=3&q=%E7%A7%91")}
	got := string(bc.moreLink(l, StageVisited, 9, 15, 40, 25, 5))
	for _, want := range []string{
		`href="/opportunities?stage=visited&owner=3&amp;q=%E7%A7%91"`,
		`hx-get="/pipeline/more?stage=visited&after=9&shown=15&total=40&skip=5&owner=3&amp;q=%E7%A7%91"`,
		`>` + template.HTMLEscapeString(l.T("lists.board.more", "N", 25)) + `</a>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("link lacks %s:\n%s", want, got)
		}
	}
	plain := string(boardCards{}.moreLink(l, StageVisited, 9, 15, 40, 25, 0))
	if strings.Contains(plain, "skip=") || strings.Contains(plain, "&owner") || !strings.Contains(plain, `href="/opportunities?stage=visited"`) {
		t.Errorf("a link without filter or moved card: %s", plain)
	}
}

// TestListFiltersWrittenInGo: the customer list's filter and default
// forms and the filters the opportunity list and the board share, written
// in Go (FiltersHTML, DefaultHTML), escape what the user typed and what
// the database holds, mark the chosen options, show the owner select only
// with more than one owner and the team and region selects only with
// choices, carry the filter into the default form, and are in the page's
// language.
func TestListFiltersWrittenInGo(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	evil := `"><script>x</script>&'`
	owners := []org.User{{ID: 3, Name: `O'Neil & <i>Co</i>`}, {ID: 4, Name: "王五"}}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		l := b.For(lang)
		cv := &customersView{Page: web.ExamplePage(b), Grades: Grades, Industries: Industries, Statuses: Statuses,
			Owners: owners, Teams: []org.Team{{ID: 9, Label: "<b>一组</b>"}}, Regions: []string{"南岗区", evil},
			Filter: CustomerFilter{Q: evil, Grade: "B", Industry: "gov", Status: "prospect", OwnerID: 4, TeamID: 9, Region: evil, MinScore: 100, Group: 12},
			Tree:   &listTree{On: true}, TreeURL: "/customers?view=tree", FlatURL: `/customers?all=1&q="x"`}
		cv.L = l
		got := string(cv.FiltersHTML()) + string(cv.DefaultHTML())
		for _, want := range []string{
			`name="q" value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;"`,
			`<option value="B" selected>` + l.T("grade.B") + `</option>`,
			`<option value="gov" selected>` + template.HTMLEscapeString(l.T("industry.gov")) + `</option>`,
			`<option value="4" selected>王五</option>`, `O&#39;Neil &amp; &lt;i&gt;Co&lt;/i&gt;`,
			`<option value="9" selected>&lt;b&gt;一组&lt;/b&gt;</option>`,
			`<option value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;" selected>`,
			`<option value="100" selected>` + template.HTMLEscapeString(l.T("customers.score_full")) + `</option>`,
			`<input type="hidden" name="group" value="12">`, `<input type="hidden" name="view" value="tree">`,
			`id="view-flat" href="/customers?all=1&amp;q=&#34;x&#34;"`,
			`placeholder="` + template.HTMLEscapeString(l.T("customers.search")) + `"`,
			`name="_csrf" value="token"`, `<input type="hidden" name="owner" value="4">`, `<input type="hidden" name="team" value="9">`,
			`<input type="hidden" name="score" value="100">`, `<input type="hidden" name="region" value="&#34;&gt;&lt;script&gt;`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: customer filters lack %s in\n%s", lang, want, got)
			}
		}
		if strings.Contains(got, "<script>") || strings.Count(got, "<select") != 7 || strings.Count(got, "<form") != 2 || strings.Count(got, "</form>") != 2 {
			t.Errorf("%s: customer filters unescaped or malformed:\n%s", lang, got)
		}
		// One owner, no team, no region, the flat list: none of their selects.
		cv.Owners, cv.Teams, cv.Regions, cv.Tree = owners[:1], nil, nil, &listTree{}
		got = string(cv.FiltersHTML())
		if strings.Contains(got, `name="owner"`) || strings.Contains(got, `name="team"`) || strings.Contains(got, `name="region"`) ||
			!strings.Contains(got, `id="view-tree" href="/customers?view=tree"`) || strings.Contains(got, `name="view"`) {
			t.Errorf("%s: one owner, no team or region, flat list:\n%s", lang, got)
		}

		f := oppFilters{Filter: OpportunityFilter{OwnerID: 3, TeamID: 2, Grade: "A", Industry: "energy", CloseMonth: "2026-12", MinScore: 75},
			Owners: owners, Teams: []teamOption{{ID: 2, Label: `<i>二组</i>`}}, Months: []string{"2026-11", "2026-12"}, Grades: Grades, Industries: Industries}
		got = string(f.FiltersHTML(l))
		for _, want := range []string{
			`<option value="3" selected>O&#39;Neil &amp; &lt;i&gt;Co&lt;/i&gt;</option>`, `<option value="2" selected>&lt;i&gt;二组&lt;/i&gt;</option>`,
			`<option value="A" selected>`, `<option value="energy" selected>`,
			`<option value="2026-12" selected>` + template.HTMLEscapeString(l.T("lists.filter.close_in", "Month", "2026-12")) + `</option>`,
			`<option value="75" selected>`, `aria-label="` + template.HTMLEscapeString(l.T("lists.filter.close_month")) + `"`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: opportunity filters lack %s in\n%s", lang, want, got)
			}
		}
		if strings.Contains(got, `value="100"`) || strings.Count(got, "<select") != 6 {
			t.Errorf("%s: opportunity filters: want six selects and no \"100\":\n%s", lang, got)
		}
		f.Owners, f.Teams = owners[:1], nil
		if got := string(f.FiltersHTML(l)); strings.Contains(got, `name="owner"`) || strings.Contains(got, `name="team"`) {
			t.Errorf("%s: one owner and no team still get their selects:\n%s", lang, got)
		}
	}
}
