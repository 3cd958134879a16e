package usage

import (
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

func exampleTab(empty bool) *Tab {
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Industry: "finance", Headcount: 300}
	t := &Tab{Customer: cu, Band: "l"}
	if empty {
		return t
	}
	up, down := int64(123), int64(-45)
	p := ProductRef{ID: 1, Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "DIA 100M", Unit: "条", Active: true}
	t.Latest, t.Products, t.ARPU, t.ARPUMonths = 202610, []ProductRef{p}, 320000, 12
	t.Months = []MonthRow{{YM: 202610, Cells: []MonthCell{{Revenue: 320000, Quantity: 2, Has: true}}, Total: 320000, MoM: &up, YoY: &down},
		{YM: 202609, Cells: []MonthCell{{}}, Total: 0}}
	t.Hints = []Hint{{Product: p, Users: 4, Peers: 10}}
	return t
}

// usageViews maps every template under templates/usage to example views.
func usageViews(b *i18n.Bundle) map[string][]web.Example {
	at := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	products := []ProductRef{{ID: 1, Code: "DIA-100M", NameZh: "互联网专线 100M", Unit: "条"}}
	return map[string][]web.Example{
		"usage/customer": {func() any {
			t := exampleTab(false)
			return &customerView{Page: web.ExamplePage(b), T: t, Chart: chartJSON(t, []string{"专线"}, "合计"), Names: []string{"专线"}, Units: []string{"条"}}
		}, func() any { return &customerView{Page: web.ExamplePage(b), T: exampleTab(true)} }},
		"usage/import": {func() any {
			return &importView{Page: web.ExamplePage(b), Sources: Sources, Source: "billing", FileName: "a.csv", Token: "t", Ext: ".csv",
				Report:  &Report{Source: "billing", YM: 202610, Rows: 3, RevenueFen: 100, Replaces: true},
				Imports: []ImportRow{{Import: Import{ID: 1, Source: "billing", YM: 202610, FileName: "a.csv", RowCount: 3, ImportedAt: at, ReplacedAt: &at}, ByName: "管理员"}}}
		}, func() any {
			return &importView{Page: web.ExamplePage(b), Sources: Sources, Source: "billing", Error: "错误",
				Report:   &Report{Source: "billing", YM: 202610, ErrorCount: 1, Errors: []RowError{{Row: 3, MsgID: "usage.err.month"}}, UnknownCustomers: []string{"X"}, UnknownProducts: []string{"Y"}},
				Messages: []string{"第 3 行：月份"},
				Imports:  []ImportRow{{Import: Import{ID: 1, Source: "billing", YM: 202610, ImportedAt: at}}}}
		}, func() any { return &importView{Page: web.ExamplePage(b), Sources: Sources, Source: "billing"} }},
		"usage/index": {func() any {
			return &listView{Page: web.ExamplePage(b), Tab: "risers", F: ListFilter{YM: 202610, Window: 1, Industry: "finance", ProductID: 1}, Month: "2026-10",
				Industries: prospects.Industries, Products: products, Pager: &web.Pager{Page: 1, Size: 25, Total: 1}, Query: "tab=risers", CanImport: true,
				Movers: []Mover{{CustomerID: 7, Name: "示例", Industry: "finance", OwnerName: "李伟", CurFen: 300, PrevFen: 200}}}
		}, func() any {
			return &listView{Page: web.ExamplePage(b), Tab: "product", F: ListFilter{YM: 202610, Window: 3}, Month: "2026-10",
				Industries: prospects.Industries, Products: products, Pager: &web.Pager{Page: 1, Size: 25},
				Groups: []GroupRow{{Group: Group{Key: "1", Customers: 2, Quantity: 3, CurFen: 100, PrevFen: 50}, Name: "DIA-100M"}}}
		}, func() any {
			return &listView{Page: web.ExamplePage(b), Tab: "fallers", F: ListFilter{YM: 202610, Window: 1}, Month: "2026-10", Pager: &web.Pager{Page: 1, Size: 25}}
		}},
	}
}

// TestEveryUsageTemplateRendersWithItsView renders every template under
// templates/usage with its example views, strictly (see web.CheckViews).
func TestEveryUsageTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "usage", usageViews(b)) {
		t.Error(err)
	}
}

func TestMonths(t *testing.T) {
	cases := []struct{ ym, n, want int }{{202601, -1, 202512}, {202612, 1, 202701}, {202611, -23, 202412}, {202603, 0, 202603}, {202601, -13, 202412}}
	for _, c := range cases {
		if got := AddMonths(c.ym, c.n); got != c.want {
			t.Errorf("AddMonths(%d, %d) = %d, want %d", c.ym, c.n, got, c.want)
		}
	}
	for in, want := range map[string]int{"2026-10": 202610, "2026/01": 202601, "202612": 202612, "2026-13": 0, "26-10": 0, "2026-1": 0, "x": 0} {
		got, ok := ParseYM(in)
		if got != want || ok != (want != 0) {
			t.Errorf("ParseYM(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

func TestChangeAndPct(t *testing.T) {
	cases := []struct {
		cur, prev int64
		want      string
	}{{110, 100, "+10.0%"}, {90, 100, "-10.0%"}, {100, 100, "0.0%"}, {1, 3, "-66.7%"}, {2, 3, "-33.3%"}, {100, 0, "—"}, {0, 100, "-100.0%"}}
	for _, c := range cases {
		if got := PctOf(moneyFen(c.cur), moneyFen(c.prev)); got != c.want {
			t.Errorf("PctOf(%d, %d) = %q, want %q", c.cur, c.prev, got, c.want)
		}
	}
	if s := chartJSON(exampleTab(false), []string{"专线"}, "合计"); !strings.Contains(s, `"stack":"revenue"`) || !strings.Contains(s, `"type":"line"`) || !strings.Contains(s, `"2026-09","2026-10"`) {
		t.Errorf("chart: %s", s)
	}
}

func moneyFen(n int64) money.Fen { return money.Fen(n) }
