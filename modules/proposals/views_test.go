package proposals

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

func exampleProposal(status string) *Proposal {
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	opp, chief := uint(5), uint(2)
	return &Proposal{ID: 11, Number: "FA-2026-0011", Version: 2, CustomerID: 7, OpportunityID: &opp, OwnerID: 1,
		Title: "专线扩容方案", Status: status, ValidUntil: &at, Background: "背景", NeedsAnalysis: "需求", Solution: "方案",
		Implementation: "实施", Commitments: "承诺", MonthlyFen: 880000, OneTimeFen: 50000, TotalFen: 10610000,
		NeedsChief: true, NeedsDirector: true, ChiefApprovedBy: &chief, SentAt: &at, LockVersion: 4, UpdatedAt: at}
}

func exampleLine() Line {
	return Line{ID: 1, ProposalID: 11, Position: 1, ProductID: 9, ProductCode: "ZX-100", ProductName: "互联网专线", ProductNameEn: "Leased line",
		Unit: "line", Quantity: 2, TermMonths: 12, MonthlyListFen: 500000, OneTimeListFen: 50000, Rate: 8000, FloorRate: 8500,
		MonthlyNetFen: 800000, OneTimeNetFen: 80000, TotalFen: 9680000}
}

// proposalsViews maps every template under templates/proposals to
// example views.
func proposalsViews(b *i18n.Bundle) map[string][]web.Example {
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Grade: "A"}
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	val := audit.Value{Text: "值"}
	show := func(status, level string) web.Example {
		return func() any {
			p := exampleProposal(status)
			old := *exampleProposal(StatusSuperseded)
			old.ID = 10
			line := exampleLine()
			d := &Detail{P: p, Customer: cu, Lines: []Line{line}, NeedIDs: []uint{3},
				Approvals: []Approval{{ID: 1, ProposalID: 11, Level: "chief", Decision: "approved", ByID: 2, At: at, Comment: "同意"},
					{ID: 2, ProposalID: 11, Level: "director", Decision: "rejected", ByID: 3, At: at, Comment: "价格"}},
				Versions: []Proposal{*p, old}, Needs: []NeedRef{{ID: 3, Text: "带宽", Status: "open"}},
				Users:   map[uint]org.User{1: {ID: 1, Name: "李伟"}, 2: {ID: 2, Name: "赵敏"}, 3: {ID: 3, Name: "王总"}},
				ChiefID: 2, Waiting: []uint{2}, CanWrite: true, CanDecide: true}
			return &showView{Page: web.ExamplePage(b), D: d, P: p, C: cu, Reasons: []string{"低于底价"},
				Errors: map[string]string{"comment": "必填"}, WaitingNames: "赵敏", PriceColumns: PriceColumns,
				PriceRows: PriceRows(d.Lines, nil), Level: level, Changeable: true, Capital: "人民币壹拾万陆仟壹佰元整",
				History: &audit.View{Rows: []audit.Row{{At: "2026-06-01 16:00", Actor: val, Target: val, Entity: "方案", Action: "修改",
					Changes: []audit.FieldView{{Label: "标题", From: val, To: val}}}}}}
		}
	}
	builder := func(edit bool) web.Example {
		return func() any {
			opt := productOption{Priced: Priced{ID: 9, Code: "ZX-100", Name: "互联网专线", NameEn: "Leased line", Unit: "line",
				MonthlyFen: 500000, OneTimeFen: 50000, FloorRate: 8500, Active: true}, Retired: true}
			v := &builderView{Page: web.ExamplePage(b), C: cu,
				Form: Input{CustomerID: 7, OpportunityID: 5, Title: "专线扩容方案", ValidUntil: "2026-07-01", Background: "背景", LockVersion: 4},
				Rows: []LineInput{{ProductID: 9, Quantity: "2", TermMonths: "12", Rate: "80"}}, Products: []productOption{opt},
				Opps:        []prospects.Opportunity{{ID: 5, Title: "专线扩容", Stage: prospects.StageProposal}},
				NeedChoices: []NeedRef{{ID: 3, Text: "带宽", Status: "open"}}, Cited: map[uint]bool{3: true},
				Quote:  &Quote{Lines: []Line{exampleLine()}, MonthlyFen: 800000, OneTimeFen: 80000, TotalFen: 9680000, NeedsChief: true, NeedsDirector: edit},
				Errors: map[string]string{"_form": "错误", "title": "必填", "lines": "至少一行", "line_0": "低于底价"},
				Action: "/customers/7/proposals", ChiefThreshold: 5000000, DirectorThreshold: 20000000, Sections: Sections,
				UnitName: func(u string) string { return u }, ProductByID: map[uint]*productOption{9: &opt}}
			if edit {
				v.P, v.NewVersion, v.Action = exampleProposal(StatusApproved), true, "/proposals/11"
			} else {
				v.NeedChoices, v.Quote = nil, &Quote{}
			}
			return v
		}
	}
	rows := func() []Row {
		return []Row{{Proposal: *exampleProposal(StatusPending), CustomerName: cu.Name}, {Proposal: *exampleProposal(StatusAccepted), CustomerName: cu.Name}}
	}
	list := func(filtered bool) web.Example {
		return func() any {
			v := &listView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20}, Statuses: Statuses, Loc: time.UTC}
			if filtered {
				v.Rows, v.Pager.Total = rows(), 2
				v.Totals = Totals{Count: 2, MonthlyFen: 1760000, OneTimeFen: 100000, TotalFen: 21220000}
				v.Q, v.Status, v.OwnerID, v.Filtered = "专线", StatusPending, 1, true
				v.Owners = []org.User{{ID: 1, Name: "李伟"}, {ID: 2, Name: "陈浩"}}
				v.ShowOwner, v.Users, v.Query = true, map[uint]org.User{1: {ID: 1, Name: "李伟"}}, "q=%E4%B8%93&status=pending"
			}
			return v
		}
	}
	customer := func(withRows bool) web.Example {
		return func() any {
			v := &customerView{Page: web.ExamplePage(b), C: cu, CanWrite: withRows, Loc: time.UTC}
			if withRows {
				v.Rows = rows()
			}
			return v
		}
	}
	return map[string][]web.Example{
		"proposals/show":    {show(StatusDraft, "chief"), show(StatusApproved, "director"), show(StatusSent, "")},
		"proposals/builder": {builder(true), builder(false)},
		"proposals/status_badge": {func() any {
			return map[string]any{"S": StatusPending, "T": exampleProposal(StatusPending).StatusTone(), "L": b.For(i18n.ZH)}
		}},

		"proposals/customer": {customer(true), customer(false)},
		"proposals/list":     {list(true), list(false)},
		"proposals/panel_queue": {func() any { return &queuePanel{Page: web.ExamplePage(b), Rows: rows()} },
			func() any { return &queuePanel{Page: web.ExamplePage(b)} }},
		// rows is a partial: the list's dict (sortable, with customer and
		// owner columns) and the customer page's (neither).
		"proposals/rows": {func() any {
			return map[string]any{"Body": rowsHTML(b.For(i18n.ZH), time.UTC, rows(), true, true, map[uint]org.User{1: {ID: 1, Name: "李伟"}}),
				"L": b.For(i18n.ZH), "Customer": true, "Pager": &web.Pager{Page: 1, Size: 20, Total: 2}, "Owner": true}
		}, func() any {
			return map[string]any{"Body": rowsHTML(b.For(i18n.ZH), time.UTC, rows(), false, false, nil), "L": b.For(i18n.ZH), "Customer": false, "Pager": nil, "Owner": false}
		}},
	}
}

// TestEveryProposalsTemplateRendersWithItsView renders every template
// under templates/proposals with its example views, strictly.
func TestEveryProposalsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "proposals", proposalsViews(b)) {
		t.Error(err)
	}
}

// TestProposalPageRejectsTheWrongView: the proposal page executed with the
// builder's view fails (it has no .D), so a misspelt field cannot pass.
func TestProposalPageRejectsTheWrongView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := web.StrictTemplates(templates.FS, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	wrong := proposalsViews(b)["proposals/builder"][0]()
	if err := web.RenderExample(set, "proposals/show", wrong); err == nil || !strings.Contains(err.Error(), "builderView") {
		t.Fatalf("the proposal page rendered the builder's view: %v", err)
	}
}

// The proposals table's rows escape every text, show the customer and
// the account manager only where asked, and translate the status.
func TestProposalRowsEscape(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r := Row{CustomerName: `<script>x</script>`}
	r.ID, r.Number, r.Version, r.Title, r.CustomerID, r.OwnerID, r.Status, r.TotalFen, r.UpdatedAt =
		3, `P-1"`, 2, `专线 <b>&</b>`, 9, 4, StatusPending, 123456, time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	users := map[uint]org.User{4: {ID: 4, Name: `O'Neil`}}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		l := b.For(lang)
		shanghai := time.FixedZone("CST", 8*3600)
		full := string(rowsHTML(l, shanghai, []Row{r}, true, true, users))
		for _, want := range []string{
			`<a href="/proposals/3">P-1&#34;</a> <span class="muted small">v2</span>`,
			`<a href="/proposals/3">专线 &lt;b&gt;&amp;&lt;/b&gt;</a>`,
			`<a href="/customers/9">&lt;script&gt;x&lt;/script&gt;</a>`,
			`<td class="owner">O&#39;Neil</td>`,
			`<span class="badge badge-warn">` + template.HTMLEscapeString(l.T("proposals.status.pending")) + "</span>",
			`<td class="num">1,234.56</td>`, "<td>2026-11-30 10:00</td>",
		} {
			if !strings.Contains(full, want) {
				t.Errorf("%s: rows lack %s:\n%s", lang, want, full)
			}
		}
		bare := string(rowsHTML(l, shanghai, []Row{r}, false, false, nil))
		if strings.Contains(bare, "/customers/9") || strings.Contains(bare, "owner") {
			t.Errorf("%s: a customer's own list shows the customer or owner:\n%s", lang, bare)
		}
	}
}
