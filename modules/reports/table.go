package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/jike-crm/jike/modules/platform/money"
)

// Kind is how a cell is shown and exported.
type Kind int

// Cell kinds: Text; Int a count; Money fen (yuan with two decimals);
// Pct a percentage with one decimal (nil-able through Empty); Days a
// number of days with one decimal.
const (
	Text Kind = iota
	Int
	Money
	Pct
	Days
)

// Col is a table column: its header (a message id, translated when the
// report is built) and its kind.
type Col struct {
	Header string
	Kind   Kind
}

// Cell is one value. Int holds counts and fen; Float percentages and days.
// Empty marks "no value" (a rate over nothing), shown as "—" and left
// blank in a sheet.
type Cell struct {
	Kind  Kind
	Str   string
	Int   int64
	Float float64
	Empty bool
	// Link is where the cell leads on the page (drill-down), if anywhere.
	Link string
}

// Show is the cell as the page and the CSV print it.
func (c Cell) Show() string {
	if c.Empty {
		return "—"
	}
	switch c.Kind {
	case Int:
		return strconv.FormatInt(c.Int, 10)
	case Money:
		return money.Fen(c.Int).String()
	case Pct:
		return strconv.FormatFloat(c.Float, 'f', 1, 64) + "%"
	case Days:
		return strconv.FormatFloat(c.Float, 'f', 1, 64)
	}
	return c.Str
}

// Num reports whether the cell is right-aligned.
func (c Cell) Num() bool { return c.Kind != Text }

// BodyHTML is the table's rows as HTML, written here rather than by the
// template: a report table of the province has thousands of cells, and
// html/template calls each escaper and each method of each cell through
// reflection, allocating every time — rendering the admin's attainment
// page (598 managers) took about as long as computing it. Every text is
// escaped with html.EscapeString (element content and double-quoted
// attributes), and a link is only written when it is a path on this
// site (the drill-downs are), so nothing a cell holds can become markup
// (TestTableHTMLEscapes).
//
// At most MaxShownRows rows are written (Hidden tells how many are not):
// the admin's attainment ranking of the province's ~600 account managers
// alone was 300 KB of a 366 KB page (issue 19: no page above 300 KB);
// the downloads hold every row.
func (t Table) BodyHTML() template.HTML {
	if t.body != "" {
		return t.body
	}
	return t.writeBody()
}

// writeBody writes BodyHTML.
func (t Table) writeBody() template.HTML {
	var b strings.Builder
	for _, r := range t.Rows[:min(len(t.Rows), MaxShownRows)] {
		b.WriteString("<tr>")
		for j, c := range r {
			switch {
			case j == 0:
				b.WriteString(`<th scope="row">`)
			case c.Num():
				b.WriteString(`<td class="num">`)
			default:
				b.WriteString("<td>")
			}
			text := html.EscapeString(c.Show())
			if sitePath(c.Link) {
				b.WriteString(`<a href="`)
				b.WriteString(html.EscapeString(c.Link))
				b.WriteString(`">`)
				b.WriteString(text)
				b.WriteString("</a>")
			} else {
				b.WriteString(text)
			}
			if j == 0 {
				b.WriteString("</th>")
			} else {
				b.WriteString("</td>")
			}
		}
		b.WriteString("</tr>")
	}
	return template.HTML(b.String())
}

// MaxShownRows is the most rows a report table shows on its page.
const MaxShownRows = 200

// Hidden is how many of the table's rows its page does not show
// (BodyHTML); the page says so and links the download.
func (t Table) Hidden() int { return max(0, len(t.Rows)-MaxShownRows) }

// FootHTML is the table's total row as HTML ("" without one), written
// and escaped as BodyHTML.
func (t Table) FootHTML() template.HTML {
	if len(t.Foot) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("<tr>")
	for j, c := range t.Foot {
		if j == 0 {
			b.WriteString(`<th scope="row">`)
		} else {
			b.WriteString(`<td class="num">`)
		}
		b.WriteString(html.EscapeString(c.Show()))
		if j == 0 {
			b.WriteString("</th>")
		} else {
			b.WriteString("</td>")
		}
	}
	b.WriteString("</tr>")
	return template.HTML(b.String())
}

// sitePath reports whether link is a path on this site ("/…", not a
// scheme-relative "//host"), the only links a report cell may carry.
func sitePath(link string) bool {
	return strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") && !strings.HasPrefix(link, "/\\")
}

// Table is one table of a report.
type Table struct {
	// Title is translated.
	Title string
	Cols  []Col
	Rows  [][]Cell
	Foot  []Cell
	// Note is a translated line under the table (e.g. "first 500 shown").
	Note string
	// body is BodyHTML written once for a kept report (Service.Kept,
	// before it is shared); "" until then.
	body template.HTML
}

func txt(s string) Cell        { return Cell{Kind: Text, Str: s} }
func link(s, href string) Cell { return Cell{Kind: Text, Str: s, Link: href} }
func num(n int64) Cell         { return Cell{Kind: Int, Int: n} }
func fen(n int64) Cell         { return Cell{Kind: Money, Int: n} }
func days(d float64) Cell      { return Cell{Kind: Days, Float: round1(d)} }
func emptyCell(k Kind) Cell    { return Cell{Kind: k, Empty: true} }
func round1(f float64) float64 { return math.Round(f*10) / 10 }
func pctOf(part, whole int64) Cell {
	if whole <= 0 {
		return emptyCell(Pct)
	}
	return Cell{Kind: Pct, Float: round1(float64(part) * 100 / float64(whole))}
}

// Chart is what the page's script hands to ECharts: categories on one
// axis and named series, all labels already translated.
type Chart struct {
	Kind       string   `json:"kind"` // bar, hbar, line, funnel, pie
	Categories []string `json:"categories"`
	Series     []Series `json:"series"`
	// Links are the drill-down targets of the categories (funnel stages).
	Links []string `json:"links,omitempty"`
	// Money marks series values in yuan.
	Money bool `json:"money,omitempty"`
}

// Series is one named row of values.
type Series struct {
	Name  string    `json:"name"`
	Type  string    `json:"type,omitempty"` // bar or line (mixed charts)
	Data  []float64 `json:"data"`
	Stack string    `json:"stack,omitempty"`
}

func yuan(f int64) float64 { return float64(f) / 100 }

// Report is one report as built for the viewer and filter.
type Report struct {
	Key    string
	Title  string
	Charts []Chart
	Tables []*Table
	// Lines are translated sentences above the tables (headline figures).
	Lines []string
	// rowsTotal is, when the report knows it, the total of the rows its
	// table by top-level group sums (TopGroups then reads only the
	// customers of a tree).
	rowsTotal *GroupSum
}

func (r *Report) String() string { return fmt.Sprintf("report %s (%d tables)", r.Key, len(r.Tables)) }
