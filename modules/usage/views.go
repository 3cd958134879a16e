package usage

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
)

// customerView is a customer's 业务使用 tab.
type customerView struct {
	web.Page
	T *Tab
	// Chart is the ECharts spec (stacked bars per product, a total line).
	Chart string
	// Names are the product columns' names in the reader's language.
	Names []string
	Units []string
}

// importView is the import page: the form, a dry run's report, the
// recent imports.
type importView struct {
	web.Page
	Sources  []string
	Source   string
	Report   *Report
	Messages []string // the report's row errors, translated
	FileName string
	Token    string
	Ext      string
	Error    string
	Imports  []ImportRow
}

// listView is /usage: movers, or revenue by industry or by product.
type listView struct {
	web.Page
	Tab        string
	F          ListFilter
	Month      string
	Industries []string
	Products   []ProductRef
	Movers     []Mover
	Groups     []GroupRow
	Pager      *web.Pager
	Query      template.URL
	CanImport  bool
}

// GroupRow is a Group named for the page.
type GroupRow struct {
	Group
	Name string
}

// IsMovers reports whether the page lists customers (risers or fallers).
func (v *listView) IsMovers() bool { return v.Tab == "risers" || v.Tab == "fallers" }

// Pct formats a change in tenths of a percent as "+12.3%" ("—" for nil).
func Pct(p *int64) string {
	if p == nil {
		return "—"
	}
	v := *p
	sign := "+"
	if v < 0 {
		sign, v = "-", -v
	}
	if v == 0 {
		sign = ""
	}
	return fmt.Sprintf("%s%d.%d%%", sign, v/10, v%10)
}

// PctOf is the change from prev to cur as Pct formats it.
func PctOf(cur, prev money.Fen) string { return Pct(change(cur, prev)) }

// chartSpec is what static/vendor/echarts-jike.js draws (the reports'
// chart format).
type chartSpec struct {
	Kind       string        `json:"kind"`
	Categories []string      `json:"categories"`
	Series     []chartSeries `json:"series"`
	Money      bool          `json:"money,omitempty"`
}

type chartSeries struct {
	Name  string    `json:"name"`
	Type  string    `json:"type,omitempty"`
	Data  []float64 `json:"data"`
	Stack string    `json:"stack,omitempty"`
}

// chartJSON draws the tab's 24 months oldest first: a stacked bar per
// product and the total as a line, in yuan (display only; the table below
// carries the exact amounts).
func chartJSON(t *Tab, names []string, total string) string {
	spec := chartSpec{Kind: "bar", Money: true}
	n := len(t.Months)
	for i := n - 1; i >= 0; i-- {
		spec.Categories = append(spec.Categories, t.Months[i].Label())
	}
	for j, name := range names {
		s := chartSeries{Name: name, Type: "bar", Stack: "revenue", Data: make([]float64, 0, n)}
		for i := n - 1; i >= 0; i-- {
			s.Data = append(s.Data, yuan(t.Months[i].Cells[j].Revenue))
		}
		spec.Series = append(spec.Series, s)
	}
	tot := chartSeries{Name: total, Type: "line", Data: make([]float64, 0, n)}
	for i := n - 1; i >= 0; i-- {
		tot.Data = append(tot.Data, yuan(t.Months[i].Total))
	}
	spec.Series = append(spec.Series, tot)
	b, _ := json.Marshal(spec)
	return string(b)
}

func yuan(f money.Fen) float64 { return float64(f) / 100 }

// Pct formats a change for the page.
func (v *customerView) Pct(p *int64) string { return Pct(p) }

// ProductName is p's name in the reader's language.
func (v *customerView) ProductName(p ProductRef) string { return p.Name(v.Lang) }

// UpsellPct is the upsell hint's threshold.
func (v *customerView) UpsellPct() int { return UpsellPct }

// Pct formats a change between two amounts.
func (v *listView) Pct(cur, prev money.Fen) string { return PctOf(cur, prev) }

// ProductName is p's name in the reader's language.
func (v *listView) ProductName(p ProductRef) string { return p.Name(v.Lang) }

// Month is an import's month as YYYY-MM.
func (r ImportRow) Month() string { return FormatYM(r.YM) }
