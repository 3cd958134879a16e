package api

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/reports"
	"github.com/jike-crm/jike/modules/targets"
)

// TargetGrid is a month's targets and actuals of the account managers the
// viewer may see (their own for a manager, the team's, the branch's).
type TargetGrid struct {
	Month  string       `json:"month" doc:"YYYY-MM"`
	Rows   []TargetRow  `json:"rows"`
	Totals []TargetLine `json:"totals"`
}

// TargetRow is one account manager's month.
type TargetRow struct {
	OwnerID      uint         `json:"owner_id"`
	Name         string       `json:"name"`
	TeamID       uint         `json:"team_id"`
	TeamName     string       `json:"team_name"`
	TargetSet    bool         `json:"target_set"`
	ReviewStatus string       `json:"review_status" doc:"The monthly review's status (draft: not submitted)."`
	Lines        []TargetLine `json:"lines"`
}

// TargetLine is one line of targets (visits, A/B visits, key persons,
// signings, monthly recurring revenue in fen, proposals).
type TargetLine struct {
	Key    string `json:"key" enum:"visits,ab_visits,contacts,signings,mrc,proposals"`
	Money  bool   `json:"money" doc:"Target and actual are fen."`
	Target int64  `json:"target"`
	Actual int64  `json:"actual"`
	// Has is false when no target was set for the line.
	Has bool `json:"has"`
	Pct int  `json:"pct" doc:"Actual as a percentage of the target (0 without one)."`
}

var targetSorts = func() []string {
	out := []string{"name", "team", "review"}
	for _, l := range targets.Lines {
		out = append(out, l.Key)
	}
	return out
}()

func targetLines(in []targets.Attainment) []TargetLine {
	out := make([]TargetLine, 0, len(in))
	for _, l := range in {
		out = append(out, TargetLine{Key: l.Def.Key, Money: l.Def.Money, Target: l.Target, Actual: l.Actual, Has: l.Has, Pct: l.Pct()})
	}
	return out
}

// Report is one of the portal's reports as figures: its tables as the
// page shows them (money cells in fen), under the same filter.
type Report struct {
	Key    string        `json:"key"`
	Title  string        `json:"title"`
	Lines  []string      `json:"lines" doc:"The headline sentences above the tables, translated."`
	Tables []ReportTable `json:"tables"`
	Filter ReportFilter  `json:"filter"`
}

// ReportFilter is the filter the report was built with.
type ReportFilter struct {
	Period string `json:"period" enum:"month,quarter,year,custom"`
	From   string `json:"from" format:"date" doc:"First day of the period."`
	To     string `json:"to" format:"date" doc:"Last day of the period."`
	Query  string `json:"query" doc:"The filter as a query string, to ask again."`
}

// ReportTable is one table of a report.
type ReportTable struct {
	Title   string         `json:"title"`
	Columns []ReportColumn `json:"columns"`
	Rows    [][]ReportCell `json:"rows"`
	Foot    []ReportCell   `json:"foot"`
	Note    string         `json:"note"`
}

// ReportColumn is a column's header and the kind of its cells.
type ReportColumn struct {
	Header string `json:"header"`
	Kind   string `json:"kind" enum:"text,int,money,pct,days"`
}

// ReportCell is one value: text, or a number (int for counts, fen for
// money with its yuan string, value for percentages and days); null
// number when empty (a rate over nothing).
type ReportCell struct {
	Text  string   `json:"text" doc:"The value as the page prints it."`
	Int   *int64   `json:"int,omitempty" doc:"Counts, and money in fen."`
	Yuan  *string  `json:"yuan,omitempty"`
	Value *float64 `json:"value,omitempty" doc:"Percentages and days."`
	Empty bool     `json:"empty,omitempty"`
}

var cellKinds = map[reports.Kind]string{reports.Text: "text", reports.Int: "int", reports.Money: "money", reports.Pct: "pct", reports.Days: "days"}

func reportCell(c reports.Cell) ReportCell {
	out := ReportCell{Text: c.Show(), Empty: c.Empty}
	if c.Empty {
		return out
	}
	switch c.Kind {
	case reports.Int:
		out.Int = &c.Int
	case reports.Money:
		y := yuan(money.Fen(c.Int))
		out.Int, out.Yuan = &c.Int, &y
	case reports.Pct, reports.Days:
		out.Value = &c.Float
	}
	return out
}

func reportCells(in []reports.Cell) []ReportCell {
	out := make([]ReportCell, 0, len(in))
	for _, c := range in {
		out = append(out, reportCell(c))
	}
	return out
}

func (a *API) routesFigures() {
	a.add(fiber.MethodGet, "/targets", web.Allow("target", "read"), Op{ID: "targetGrid", Tag: "targets and reports",
		Summary: "A month's targets and actuals of the account managers you may see", Result: TargetGrid{},
		Query: append([]Param{{Name: "month", Type: "string", Doc: "YYYY-MM; default: this month"}}, sortParams(targetSorts, "name")...)},
		a.targetGrid)
	filters := []Param{{Name: "period", Type: "string", Enum: []string{"month", "quarter", "year", "custom"}, Doc: "Default: month"},
		{Name: "at", Type: "string", Doc: "The period: 2026-03, 2026-Q1 or 2026; default: the current one"},
		{Name: "from", Type: "string", Doc: "Custom period: first day"}, {Name: "to", Type: "string", Doc: "Custom period: last day"},
		{Name: "branch", Type: "integer"}, {Name: "team", Type: "integer"}, {Name: "am", Type: "integer", Doc: "An account manager"},
		{Name: "industry", Type: "string"}, {Name: "grade", Type: "string"}, {Name: "compare", Type: "string", Enum: []string{"0", "1"}}}
	for _, k := range reports.Keys {
		a.add(fiber.MethodGet, "/reports/"+k, web.Allow("report", "read"), Op{ID: "report_" + k, Tag: "targets and reports",
			Summary: "The " + k + " report's figures, as the portal's report page (same filter, same scope)", Result: Report{}, Query: filters},
			a.report(k))
	}
}

func (a *API) targetGrid(c *fiber.Ctx) error {
	q := newQuery(c)
	sort, desc := q.sort(targetSorts, "name")
	if err := q.err(); err != nil {
		return err
	}
	m, err := a.deps.Targets.ParseMonth(c.Query("month"))
	if err != nil {
		return err
	}
	g, err := a.deps.Targets.Grid(ctxOf(c), subject(c), m, sort, desc)
	if err != nil {
		return err
	}
	out := TargetGrid{Month: g.Month.String(), Rows: make([]TargetRow, 0, len(g.Rows)), Totals: targetLines(g.Totals)}
	for _, r := range g.Rows {
		out.Rows = append(out.Rows, TargetRow{OwnerID: r.Person.ID, Name: r.Person.Name, TeamID: r.Person.TeamID, TeamName: r.Person.TeamName,
			TargetSet: r.Target != nil, ReviewStatus: r.ReviewStatus(), Lines: targetLines(r.Lines)})
	}
	return send(c, fiber.StatusOK, out)
}

// report serves report key: the portal's filter parser (unknown or
// malformed parameters are a 422) and the portal's builder, scoped by
// report:read as the page.
func (a *API) report(key string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
		if err != nil {
			return errProblem(fiber.StatusBadRequest, "bad_request")
		}
		f, err := a.deps.Reports.ParseFilter(q)
		if err != nil {
			return err
		}
		lang := langOf(c)
		r, err := a.deps.Reports.Build(ctxOf(c), subject(c), key, f, func(id string, args ...any) string { return a.srv.I18n.T(lang, id, args...) })
		if err != nil {
			return err
		}
		out := Report{Key: r.Key, Title: r.Title, Lines: append([]string{}, r.Lines...), Tables: make([]ReportTable, 0, len(r.Tables)),
			Filter: ReportFilter{Period: f.Period, From: f.From.Format("2006-01-02"), To: f.To.AddDate(0, 0, -1).Format("2006-01-02"),
				Query: f.QueryString()}}
		for _, t := range r.Tables {
			rt := ReportTable{Title: t.Title, Note: t.Note, Columns: make([]ReportColumn, 0, len(t.Cols)), Rows: make([][]ReportCell, 0, len(t.Rows)),
				Foot: reportCells(t.Foot)}
			for _, col := range t.Cols {
				rt.Columns = append(rt.Columns, ReportColumn{Header: col.Header, Kind: cellKinds[col.Kind]})
			}
			for _, row := range t.Rows {
				rt.Rows = append(rt.Rows, reportCells(row))
			}
			out.Tables = append(out.Tables, rt)
		}
		return send(c, fiber.StatusOK, out)
	}
}
