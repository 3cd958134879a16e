package reports

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// TestEveryReportsTemplateRendersWithItsView renders templates/reports
// with its example views, strictly (see web.CheckViews).
func TestEveryReportsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	report := func() any {
		return &reportView{Page: web.ExamplePage(b), Key: "funnel", Keys: Keys,
			Report: &Report{Key: "funnel", Title: "漏斗", Lines: []string{"赢单 3 个"},
				Tables: []*Table{{Title: "按阶段", Cols: []Col{{Header: "阶段", Kind: Text}, {Header: "数量", Kind: Int}},
					Rows: [][]Cell{{txt("初步接触"), num(3)}, {link("方案", "/opportunities?stage=proposal"), num(2)}},
					Foot: []Cell{txt("合计"), num(5)}, Note: "只显示前 500 行"}}},
			Filter: Filter{Branch: 1, Team: 2, AM: 3, Industry: "manufacturing", Grade: "A", Period: "custom", Anchor: "2026-03",
				Compare: true, From: from, To: from.AddDate(0, 1, 0), By: GroupTopGroup},
			Query: "period=month",
			Org: &Org{Branches: []Named{{ID: 1, Name: "哈尔滨"}, {ID: 4, Name: "大庆"}}, Teams: []Named{{ID: 2, Name: "一组"}, {ID: 5, Name: "二组"}},
				People: []Person{{ID: 3, Name: "李伟"}, {ID: 6, Name: "赵敏"}}},
			Industries: []string{"manufacturing"}, Grades: []string{"A"}, Periods: []string{"month", "custom"},
			Errors: map[string]string{"at": "格式不对", "from": "f", "to": "t"}, Charts: []string{`{"type":"bar"}`}, Level: "branch", Groupable: true}
	}
	reg := map[string][]web.Example{
		"reports/index": {func() any { return &reportView{Page: web.ExamplePage(b), Keys: Keys} }},
		"reports/report": {report, func() any {
			// A table longer than the page shows: the note and the link.
			v := report().(*reportView)
			tb := v.Report.Tables[0]
			for i := range MaxShownRows + 13 {
				tb.Rows = append(tb.Rows, []Cell{txt("客户经理"), num(int64(i))})
			}
			return v
		}},
	}
	for _, err := range web.CheckViews(templates.FS, "reports", reg) {
		t.Error(err)
	}
}
