package prospects

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
)

// customerView is the customer page (prospects/customer).
type customerView struct {
	web.Page
	C *Customer
	// Chain holds the key persons by role; Roles orders the roles.
	Chain       map[string][]contactView
	Roles       []string
	HasContacts bool
	Opps        []Opportunity
	Timeline    []timelineView
	// Users names the owner, the chief rep and the timeline's actors.
	Users map[uint]org.User
	Team  *org.Team
	// FullPhones: the reader sees phone numbers unmasked.
	FullPhones  bool
	CanWrite    bool
	CanReassign bool
	CanDelete   bool
	QualAnswers []string
	// Links and Actions are what other modules registered for the page.
	Links   []CustomerLink
	Actions []CustomerLink
	// Parents is the chain of groups above the customer, top first.
	Parents []Breadcrumb
	// Tree (the first level of members) and Rollup (figures over the
	// whole subtree) are set when the customer has members.
	Tree         *treeLevel
	Rollup       *Rollup
	RevenueMonth string
}

// contactView is a key person with the numbers the reader may see.
type contactView struct {
	Contact
	MobileShown, PhoneShown string
}

// timelineView is a timeline entry in the reader's words.
type timelineView struct {
	TimelineEntry
	Text  string
	Actor string
}

// customersView is the customer list (prospects/customers).
type customersView struct {
	web.Page
	Customers []Customer
	Pager     *web.Pager
	Filter    CustomerFilter
	// Query is the filter for the export links (see listQuery).
	Query template.URL
	// Users names the owners of the rows.
	Users map[uint]org.User
	// The filter's choices: owners, teams and regions within the
	// reader's reach.
	Owners                       []org.User
	Teams                        []org.Team
	Regions                      []string
	Grades, Industries, Statuses []string
	ShowOwner                    bool
	// Group is the group the list is narrowed to (?group=), if any.
	Group *Customer
	// Tree places members under their group (?view=tree).
	Tree                         *listTree
	TreeURL, FlatURL, NoGroupURL string
	// Loc is the zone times are shown in (the layout's datetime).
	Loc *time.Location
}

// teamID and teamLabel give a team filter's options (web.WriteChoiceOptions).
func teamID(t *org.Team) uint      { return t.ID }
func teamLabel(t *org.Team) string { return t.Label }

// HeaderHTML is the page's title and its actions, and HeadHTML the
// table's header row with its sort links: written here rather than by
// the template for the same reason as FiltersHTML (their ~25 actions were
// most of what the template still did, issue 19). Every text is escaped.
func (v *customersView) HeaderHTML() template.HTML {
	var b web.Markup
	lb := v.Labels()
	q := ""
	if v.Query != "" {
		q = "?" + template.HTMLEscapeString(string(v.Query))
	}
	b.W("<div class=\"page-header\">\n  <h1>", lb.Get("customers.title"), "</h1>\n  <div class=\"actions\">\n    ")
	if v.Can("customer", "create") {
		b.W(`<a class="btn btn-primary" href="/customers/new">`, lb.Get("customers.new"), "</a>\n    ",
			`<a class="btn" href="/customers/import">`, lb.Get("import.title"), "</a>")
	}
	b.W("\n    <a class=\"btn\" href=\"/customers/export.xlsx", q, "\">", lb.Get("customers.export_xlsx"), "</a>\n    ",
		"<a class=\"btn\" href=\"/customers/export.csv", q, "\">", lb.Get("lists.export_csv"), "</a>\n    ")
	if v.Can("customer", "delete") {
		b.W(`<a class="btn btn-link" href="/customers/trash">`, lb.Get("customers.trash"), "</a>")
	}
	b.W("\n  </div>\n</div>")
	return b.HTML()
}

// HeadHTML: see HeaderHTML.
func (v *customersView) HeadHTML() template.HTML {
	var b web.Markup
	lb := v.Labels()
	b.W("<thead><tr>\n    ")
	b.SortTh("", v.Pager.SortURL("name"), lb.Get("customers.name"))
	b.W("\n    ")
	b.SortTh("", v.Pager.SortURL("grade"), lb.Get("customers.grade"))
	b.W("\n    <th>", lb.Get("customers.industry"), "</th>\n    <th>", lb.Get("customers.status"), "</th>\n    ")
	if v.ShowOwner {
		b.W("<th>", lb.Get("customers.owner"), "</th>")
	}
	b.W("\n    ")
	b.SortTh("num", v.Pager.SortURL("score"), lb.Get("customers.score"))
	b.W("\n    ")
	b.SortTh("num", v.Pager.SortURL("spend"), lb.Get("customers.annual_spend"))
	b.W("\n    ")
	b.SortTh("", v.Pager.SortURL("updated"), lb.Get("customers.updated"))
	b.W("\n  </tr></thead>")
	return b.HTML()
}

// FiltersHTML is the list's search and filter form, written here rather
// than by the template (with DefaultHTML beside it): their ~60 actions (a translation, a field through the
// embedded Page, a method, each through reflection) were a third of the
// list's CPU, and at 32 connections the render is what pages queue for
// (issue 19). The markup is the template's; every text is escaped.
func (v *customersView) FiltersHTML() template.HTML {
	var b web.Markup
	b.Grow(2048 + (len(v.Grades)+len(v.Industries)+len(v.Statuses)+len(v.Owners)+len(v.Teams)+len(v.Regions))*optionBytes)
	lb := v.Labels()
	f := &v.Filter
	b.W("<form method=\"get\" action=\"/customers\" class=\"toolbar\" role=\"search\">\n  ")
	b.Hidden("all", "1")
	b.W("\n  ")
	if f.Group != 0 {
		b.Hidden("group", strconv.FormatUint(uint64(f.Group), 10))
	}
	b.W("\n  ")
	tree := v.Tree != nil && v.Tree.On
	if tree {
		b.Hidden("view", "tree")
	}
	search := lb.Get("customers.search")
	b.W("\n  <input type=\"search\" name=\"q\" value=\"", template.HTMLEscapeString(f.Q), `" placeholder="`, search,
		`" aria-label="`, search, "\">\n  ")
	for _, s := range []struct {
		name, label, all, prefix string
		codes                    []string
		sel                      string
	}{
		{"grade", "customers.grade", "customers.all_grades", "grade.", v.Grades, f.Grade},
		{"industry", "customers.industry", "customers.all_industries", "industry.", v.Industries, f.Industry},
		{"status", "customers.status", "customers.all_statuses", "status.", v.Statuses, f.Status},
	} {
		b.SelectOpen(s.name, lb.Get(s.label), lb.Get(s.all))
		web.WriteCodeOptions(&b.Builder, v.L, s.prefix, s.codes, s.sel)
		b.SelectClose()
		b.W("\n  ")
	}
	if len(v.Owners) > 1 {
		b.W("\n  ")
		b.SelectOpen("owner", lb.Get("customers.owner"), lb.Get("customers.all_owners"))
		web.WriteChoiceOptions(&b.Builder, v.Owners, userID, userName, v.Filter.OwnerID)
		b.SelectClose()
		b.W("\n  ")
	}
	b.W("\n  ")
	if len(v.Teams) > 0 {
		b.W("\n  ")
		b.SelectOpen("team", lb.Get("users.team"), lb.Get("customers.all_teams"))
		web.WriteChoiceOptions(&b.Builder, v.Teams, teamID, teamLabel, v.Filter.TeamID)
		b.SelectClose()
		b.W("\n  ")
	}
	b.W("\n  ")
	if len(v.Regions) > 0 {
		b.W("\n  ")
		b.SelectOpen("region", lb.Get("customers.region"), lb.Get("customers.all_regions"))
		web.WriteCodeOptions(&b.Builder, v.L, "", v.Regions, f.Region)
		b.SelectClose()
		b.W("\n  ")
	}
	b.W("\n  ")
	writeScoreSelect(&b, v.L, lb, f.MinScore, true)
	b.W("\n  <button type=\"submit\" class=\"btn\">", lb.Get("common.search"), "</button>\n  ",
		`<a class="btn btn-link" href="/customers?mine=1">`, lb.Get("customers.mine"), "</a>\n  ")
	if tree {
		b.W(`<a class="btn btn-link" id="view-flat" href="`, template.HTMLEscapeString(v.FlatURL), `">`, lb.Get("hierarchy.view_flat"), "</a>")
	} else {
		b.W(`<a class="btn btn-link" id="view-tree" href="`, template.HTMLEscapeString(v.TreeURL), `">`, lb.Get("hierarchy.view_tree"), "</a>")
	}
	b.W("\n</form>\n")
	return b.HTML()
}

// DefaultHTML is the form that saves the list's filter as one's default
// (see FiltersHTML for why it is written here).
func (v *customersView) DefaultHTML() template.HTML {
	var b web.Markup
	f := &v.Filter
	b.W("<form method=\"post\" action=\"/customers/default\" class=\"inline-form save-default\">\n  ")
	b.Hidden("_csrf", v.CSRF)
	b.W("\n  ")
	for _, kv := range [][2]string{{"grade", f.Grade}, {"industry", f.Industry}, {"q", f.Q}, {"region", f.Region}, {"status", f.Status}} {
		b.Hidden(kv[0], kv[1])
	}
	b.W("\n  ")
	if f.OwnerID != 0 {
		b.Hidden("owner", strconv.FormatUint(uint64(f.OwnerID), 10))
	}
	b.W("\n  ")
	if f.TeamID != 0 {
		b.Hidden("team", strconv.FormatUint(uint64(f.TeamID), 10))
	}
	b.W("\n  ")
	if f.MinScore != 0 {
		b.Hidden("score", strconv.Itoa(f.MinScore))
	}
	b.W("\n  <button type=\"submit\" class=\"btn btn-link btn-sm\">", v.Labels().Get("customers.save_default"), "</button>\n</form>\n")
	return b.HTML()
}

// RowsHTML is the list's table rows, written here rather than by the
// template (reflective lookups and two translations through printf per
// row). The markup is the template's; every text is escaped, each
// industry and status translated once.
func (v *customersView) RowsHTML() template.HTML {
	esc := template.HTMLEscapeString
	labels := v.Labels()
	tree := v.Tree != nil && v.Tree.On
	var b web.Markup
	b.Grow(len(v.Customers) * 700)
	var num [20]byte
	for i := range v.Customers {
		c := &v.Customers[i]
		id := strconv.FormatUint(uint64(c.ID), 10)
		b.W("\n  <tr>\n    <td class=\"wrap\"")
		depth := 0
		if tree {
			depth = v.Tree.Depth[c.ID]
		}
		if depth != 0 {
			b.W(` data-depth="`, strconv.Itoa(depth), `">`, `<span class="tree-mark" aria-hidden="true">└</span> `)
		} else {
			b.W(">")
		}
		b.W(`<a href="/customers/`, id, `">`, esc(c.Name), `</a><br><span class="muted small">`, esc(c.CreditCode), "</span>")
		if tree {
			if more := v.Tree.More[c.ID]; more != 0 {
				b.W(`<br><a class="small" href="/customers?all=1&amp;view=tree&amp;group=`, id, `">`,
					esc(v.L.T("hierarchy.more", "Count", more)), "</a>")
			}
		}
		grade := esc(c.Grade)
		b.W("</td>\n    ", `<td><span class="badge grade-`, grade, `">`, grade, "</span>")
		if c.LacksChief() {
			b.W(` <span class="badge badge-warn">`, labels.Get("customers.no_chief"), "</span>")
		}
		b.W("</td>\n    <td>", labels.Get("industry."+c.Industry), "</td>\n    <td>", labels.Get("status."+c.Status), "</td>\n    ")
		if v.ShowOwner {
			b.W(`<td class="owner">`, esc(v.Users[c.OwnerID].Name), "</td>")
		}
		b.W("\n    <td class=\"num\">")
		b.Write(strconv.AppendInt(num[:0], int64(c.QualScore), 10))
		b.W("</td>\n    <td class=\"num\">", c.AnnualSpendFen.String(), "</td>\n    <td>")
		if !c.UpdatedAt.IsZero() {
			b.Write(c.UpdatedAt.In(v.Loc).AppendFormat(num[:0], "2006-01-02 15:04"))
		}
		b.W("</td>\n  </tr>\n  ")
	}
	return b.HTML()
}

// customerFormView is the new / edit customer form (prospects/customer_form).
type customerFormView struct {
	web.Page
	ID     uint
	Form   CustomerInput
	Errors map[string]string
	// Duplicates are the similar customers found; the form then asks to
	// confirm.
	Duplicates                                []Duplicate
	Owners, ChiefReps                         []org.User
	Grades, Industries, Statuses, Competitors []string
	// CompSet holds the competitors ticked.
	CompSet map[string]bool
	Parent  *parentChoice
}

// reassignView is the reassign page (prospects/reassign).
type reassignView struct {
	web.Page
	C                 *Customer
	Owners, ChiefReps []org.User
	Errors            map[string]string
}

// trashView is the deleted customers (prospects/trash).
type trashView struct {
	web.Page
	Customers []Customer
	Pager     *web.Pager
	Users     map[uint]org.User
	Q         string
}

// contactFormView is the new / edit key person form (prospects/contact_form).
type contactFormView struct {
	web.Page
	C                *Customer
	ID               uint
	Form             ContactInput
	Errors           map[string]string
	Roles, Attitudes []string
	// Duplicates are the customer's key persons with the same name or
	// number; the form then asks to confirm.
	Duplicates []Contact
}

// importView is the customer import (prospects/import): the upload form,
// and after a dry run its report (with Token and Ext for the commit).
type importView struct {
	web.Page
	Error    string
	Report   *ImportReport
	FileName string
	Token    string
	Ext      string
}

// argInMessage are the import problems whose message names the argument
// itself (a duplicate names the customer it duplicates).
var argInMessage = map[string]bool{
	"import.duplicate": true, "import.duplicate_yours": true, "import.duplicate_ask": true,
	"import.duplicate_other_branch": true, "import.duplicate_contact": true,
}

// ArgApart reports whether the report shows the problem's argument after
// its message, in brackets: it has one that the message does not name.
func (p ImportProblem) ArgApart() bool { return p.Arg != "" && !argInMessage[p.MsgID] }

// parentMatchesView is the customer form's parent search answer
// (prospects/parent_matches, htmx).
type parentMatchesView struct {
	web.Page
	Rows []Customer
	Q    string
	// More: the list stops at PickLimit.
	More bool
}

// pickView is the customer picker page, the first step of a "new" action
// started without a customer (prospects/pick_customer).
type pickView struct {
	web.Page
	// Heading is the page's i18n id.
	Heading string
	Picker  *Picker
}

// oppFilters is the filters (FiltersHTML) the opportunity list and the
// board share; both views embed it.
type oppFilters struct {
	Filter OpportunityFilter
	// Teams and Owners are the choices within the reader's reach.
	Teams                      []teamOption
	Owners                     []org.User
	Months                     []string
	Grades, Industries, Stages []string
	// FilterQuery is the filter as a query string, without stage and page.
	FilterQuery template.URL
	ShowOwner   bool
}

// writeScoreSelect writes the qualification filter: at least 50, at
// least 75, and (full) all 100.
func writeScoreSelect(b *web.Markup, l i18n.Localizer, lb *web.Labels, selected int, full bool) {
	var score strings.Builder
	for i, n := range []int{50, 75} {
		if i > 0 {
			score.WriteString("\n    ")
		}
		web.WriteOption(&score, strconv.Itoa(n), l.T("customers.score_at_least", "Score", n), selected == n)
	}
	if full {
		score.WriteString("\n    ")
		web.WriteOption(&score, "100", l.T("customers.score_full"), selected == 100)
	}
	b.Select("score", lb.Get("customers.qualification"), lb.Get("customers.any_score"), template.HTML(score.String())) //nolint:gosec // WriteOption escapes
}

// FiltersHTML is the filters the board and the opportunity list share
// (owner and team within the reader's reach, grade, industry, expected
// close month, qualification), written here rather than by a template
// for the reason of customersView.FiltersHTML. The markup is the
// template's; every text is escaped.
func (f *oppFilters) FiltersHTML(l i18n.Localizer) template.HTML {
	var b web.Markup
	b.Grow(2048 + (len(f.Owners)+len(f.Teams)+len(f.Grades)+len(f.Industries)+len(f.Months))*optionBytes)
	lb := web.NewLabels(l)
	b.W("\n  ")
	if len(f.Owners) > 1 {
		b.SelectOpen("owner", lb.Get("customers.owner"), lb.Get("customers.all_owners"))
		web.WriteChoiceOptions(&b.Builder, f.Owners, userID, userName, f.Filter.OwnerID)
		b.SelectClose()
	}
	b.W("\n  ")
	if len(f.Teams) > 0 {
		b.SelectOpen("team", lb.Get("users.team"), lb.Get("customers.all_teams"))
		web.WriteChoiceOptions(&b.Builder, f.Teams, teamOptionID, teamOptionLabel, f.Filter.TeamID)
		b.SelectClose()
	}
	b.W("\n  ")
	b.SelectOpen("grade", lb.Get("customers.grade"), lb.Get("customers.all_grades"))
	web.WriteCodeOptions(&b.Builder, l, "grade.", f.Grades, f.Filter.Grade)
	b.SelectClose()
	b.W("\n  ")
	b.SelectOpen("industry", lb.Get("customers.industry"), lb.Get("customers.all_industries"))
	web.WriteCodeOptions(&b.Builder, l, "industry.", f.Industries, f.Filter.Industry)
	b.SelectClose()
	b.W("\n  ")
	b.SelectOpen("close", lb.Get("lists.filter.close_month"), lb.Get("lists.filter.any_close"))
	f.writeMonthOptions(&b.Builder, l)
	b.SelectClose()
	b.W("\n  ")
	writeScoreSelect(&b, l, lb, f.Filter.MinScore, false)
	b.W("\n")
	return b.HTML()
}

// optionBytes is about what one <option> of a filter takes, to size the
// form's builder once.
const optionBytes = 64

// The filters' choices are written in Go (web.WriteChoiceOptions,
// WriteCodeOptions): a director's owner select alone is ~50 options.
func teamOptionID(t *teamOption) uint      { return t.ID }
func teamOptionLabel(t *teamOption) string { return t.Label }

// writeMonthOptions writes the close-month filter's options; each
// month's label is "<month> 签约".
func (f *oppFilters) writeMonthOptions(b *strings.Builder, l i18n.Localizer) {
	for _, m := range f.Months {
		web.WriteOption(b, m, l.T("lists.filter.close_in", "Month", m), m == f.Filter.CloseMonth)
	}
}

func userID(u *org.User) uint     { return u.ID }
func userName(u *org.User) string { return u.Name }

// opportunitiesView is the opportunity list (prospects/opportunities).
type opportunitiesView struct {
	web.Page
	oppFilters
	Rows   []OpportunityRow
	Pager  *web.Pager
	Totals OppTotals
	// Stage is the one stage the list is filtered to, or "".
	Stage       string
	ExportQuery template.URL
	Users       map[uint]org.User
}

// HeaderHTML is the page's title and actions, the search form, the totals
// line and the table's header row: written here rather than by the
// template (~40 actions, each a reflective lookup or call; issue 19).
// The markup is the template's; every text is escaped.
func (v *opportunitiesView) HeaderHTML() (template.HTML, error) {
	var b web.Markup
	b.Grow(4096)
	esc := template.HTMLEscapeString
	lb := v.Labels()
	b.W("<div class=\"page-header\"><h1>", lb.Get("opportunities.title"), "</h1>\n  <div class=\"actions\">")
	if v.Can("customer", "write") {
		b.W(`<a class="btn btn-primary" href="/opportunities/new">`, lb.Get("opportunities.new"), "</a>")
	}
	export := ""
	if v.ExportQuery != "" {
		export = "?" + esc(string(v.ExportQuery))
	}
	filter := ""
	if v.FilterQuery != "" {
		filter = "?" + esc(string(v.FilterQuery))
	}
	b.W("\n    <a class=\"btn\" href=\"/opportunities/export.xlsx", export, "\">", lb.Get("customers.export_xlsx"), "</a>\n    ",
		"<a class=\"btn\" href=\"/opportunities/export.csv", export, "\">", lb.Get("lists.export_csv"), "</a>\n    ",
		"<a class=\"btn\" href=\"/pipeline", filter, "\">", lb.Get("nav.pipeline"), "</a></div></div>\n",
		"<form method=\"get\" action=\"/opportunities\" class=\"toolbar\" role=\"search\">\n  ",
		"<input type=\"search\" name=\"q\" value=\"", esc(v.Filter.Q), "\" placeholder=\"", lb.Get("opportunities.search"),
		"\" aria-label=\"", lb.Get("opportunities.search"), "\">\n  ")
	stages, err := v.Options("stage.", v.Stages, v.Stage)
	if err != nil {
		return "", err
	}
	b.Select("stage", lb.Get("opportunities.stage"), lb.Get("opportunities.all_stages"), stages)
	b.W("\n  ", string(v.FiltersHTML(v.L)), "\n  ")
	if v.Filter.Sort != "" {
		b.Hidden("sort", v.Filter.Sort)
		if v.Filter.Desc {
			b.Hidden("dir", "desc")
		}
	}
	b.W("\n  <button type=\"submit\" class=\"btn\">", lb.Get("common.search"), "</button>\n  ")
	if v.ExportQuery != "" {
		b.W(`<a class="btn btn-link" href="/opportunities">`, lb.Get("proposals.clear_filters"), "</a>")
	}
	t := v.Totals
	b.W("\n</form>\n<p class=\"list-totals\" id=\"opp-totals\">",
		esc(v.L.T("lists.totals.opportunities", "N", t.Count, "Monthly", money.Fen(t.MonthlyFen).String(),
			"OneTime", money.Fen(t.OneTimeFen).String(), "Weighted", money.Fen(t.Weighted).String())), "</p>")
	return b.HTML(), nil
}

// HeadHTML is the table's header row with its sort links (see HeaderHTML).
func (v *opportunitiesView) HeadHTML() template.HTML {
	var b web.Markup
	lb := v.Labels()
	b.W("<thead><tr>\n    ")
	b.SortTh("", v.Pager.SortURL("title"), lb.Get("opportunities.name"))
	b.W("<th>", lb.Get("customers.name"), "</th>\n    ")
	b.SortTh("", v.Pager.SortURL("stage"), lb.Get("opportunities.stage"))
	b.W("\n    ")
	b.SortTh("num", v.Pager.SortURL("value"), lb.Get("opportunities.monthly"))
	b.W("\n    <th class=\"num\">", lb.Get("opportunities.one_time"), "</th>\n    <th class=\"num\">", lb.Get("opportunities.probability"), "</th>\n    ")
	b.SortTh("", v.Pager.SortURL("close"), lb.Get("opportunities.expected_close"))
	b.W("\n    ")
	if v.ShowOwner {
		b.W("<th>", lb.Get("customers.owner"), "</th>")
	}
	b.W("\n  </tr></thead>")
	return b.HTML()
}

// RowsHTML is the list's table rows, written here rather than by the
// template: a row read ~11 fields through the embedded Opportunity, each a
// reflective lookup (html/template spent ~60 µs a row). The markup is
// the template's; every text is escaped, each stage translated once.
func (v *opportunitiesView) RowsHTML() template.HTML {
	esc := template.HTMLEscapeString
	labels := v.Labels()
	var b strings.Builder
	b.Grow(len(v.Rows) * 400)
	for i := range v.Rows {
		r := &v.Rows[i]
		b.WriteString("<tr>\n    <td class=\"wrap\"><a href=\"/opportunities/" + strconv.FormatUint(uint64(r.ID), 10) + `">` + esc(r.Title) + "</a></td>\n    ")
		b.WriteString(`<td class="wrap"><a href="/customers/` + strconv.FormatUint(uint64(r.CustomerID), 10) + `">` + esc(r.CustomerName) + "</a></td>\n    ")
		b.WriteString(`<td><span class="badge stage-` + esc(r.Stage) + `">` + labels.Get("stage."+r.Stage) + "</span></td>\n    ")
		b.WriteString(`<td class="num">` + r.MonthlyFen.String() + `</td><td class="num">` + r.OneTimeFen.String() + `</td><td class="num">` +
			strconv.Itoa(r.Probability) + "%</td><td>")
		if r.ExpectedClose != nil && !r.ExpectedClose.IsZero() {
			b.WriteString(r.ExpectedClose.Format("2006-01-02"))
		}
		b.WriteString("</td>\n    ")
		if v.ShowOwner {
			b.WriteString(`<td class="owner">` + esc(v.Users[r.OwnerID].Name) + "</td>")
		}
		b.WriteString("\n  </tr>")
	}
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

// boardCards is what a board card (cardPage.Card) reads besides the
// page: owners' names, the filter to keep after a move, the move choices
// and the card just moved.
type boardCards struct {
	Users                   map[uint]org.User
	Query                   template.URL
	OpenStages, LostReasons []string
	Moved                   uint
}

// cardView is one board card as cardPage.Card writes it: the row's
// fields the card shows, and its owner's name.
type cardView struct {
	ID                          uint
	Title, Stage, LostReason    string
	CustomerName, CustomerGrade string
	CustomerScore               int
	MonthlyFen                  money.Fen
	ExpectedClose               *time.Time
	// Owner is the owner's name (shown when the page's ShowOwner).
	Owner string
	// Won and Lost lock or reopen the card; JustMoved marks the card the
	// last move pinned.
	Won, Lost, JustMoved bool
}

// cardPage is what every card of one page shares, made once per page
// (CardPage) and flat for the same reason as cardView. Everything a card
// says that does not depend on the card is translated here, once: the
// move select's options (the same for every card of a stage but for the
// one selected, so one block per open stage), the reopen options, the
// lost reasons and the fixed labels. A card of the province board read
// ~20 translations through template calls (reflect) for its select
// alone; for 120 cards that was most of the page's CPU.
type cardPage struct {
	L         i18n.Localizer
	CSRF      string
	Query     template.URL
	ShowOwner bool
	// MoveOptions is, per open stage, the move select's options with that
	// stage selected; ReopenOptions the reopen select's.
	MoveOptions   map[string]template.HTML
	ReopenOptions template.HTML
	// LostReason is each lost reason's label.
	LostReason map[string]string
	T          cardLabels
	// esc is T escaped, and escCSRF, escQuery the token and the query:
	// each is written into every card.
	esc               cardLabels
	escCSRF, escQuery string
}

// cardLabels are a card's fixed texts in the page's language.
type cardLabels struct {
	Qualification, Month, WonLocked, OpenRecord, LostReason string
	ReopenTo, ReopenNote, Reopen, ToStage, Move             string
}

// escaped is every label HTML-escaped.
func (t cardLabels) escaped() cardLabels {
	e := template.HTMLEscapeString
	return cardLabels{Qualification: e(t.Qualification), Month: e(t.Month), WonLocked: e(t.WonLocked), OpenRecord: e(t.OpenRecord),
		LostReason: e(t.LostReason), ReopenTo: e(t.ReopenTo), ReopenNote: e(t.ReopenNote), Reopen: e(t.Reopen), ToStage: e(t.ToStage), Move: e(t.Move)}
}

// page is the cards' shared part for a page in language l.
func (b boardCards) page(l i18n.Localizer, csrf string, showOwner bool) *cardPage {
	p := &cardPage{L: l, CSRF: csrf, Query: b.Query, ShowOwner: showOwner,
		MoveOptions: make(map[string]template.HTML, len(b.OpenStages)), LostReason: make(map[string]string, len(b.LostReasons)),
		T: cardLabels{
			Qualification: l.T("customers.qualification"), Month: l.T("pipeline.month"),
			WonLocked: l.T("lists.board.won_locked"), OpenRecord: l.T("lists.board.open_record"),
			LostReason: l.T("opportunities.lost_reason"), ReopenTo: l.T("lists.board.reopen_to"),
			ReopenNote: l.T("lists.board.reopen_note"), Reopen: l.T("lists.board.reopen"),
			ToStage: l.T("opportunities.to_stage"), Move: l.T("pipeline.move"),
		}}
	p.esc, p.escCSRF, p.escQuery = p.T.escaped(), template.HTMLEscapeString(csrf), template.HTMLEscapeString(string(b.Query))
	stageLabel := make(map[string]string, len(b.OpenStages))
	var reopen strings.Builder
	for _, st := range b.OpenStages {
		stageLabel[st] = l.T("stage." + st)
		web.WriteOption(&reopen, st, stageLabel[st], false)
	}
	p.ReopenOptions = template.HTML(reopen.String()) //nolint:gosec // built by option, which escapes
	var lost strings.Builder
	web.WriteOption(&lost, StageWon, l.T("stage.won"), false)
	lost.WriteString(`<optgroup label="` + template.HTMLEscapeString(l.T("lists.board.lost_group")) + `">`)
	lostStage := l.T("stage.lost")
	for _, r := range b.LostReasons {
		p.LostReason[r] = l.T("lost." + r)
		web.WriteOption(&lost, "lost:"+r, lostStage+" · "+p.LostReason[r], false)
	}
	lost.WriteString(`</optgroup>`)
	for _, sel := range b.OpenStages {
		var m strings.Builder
		for _, st := range b.OpenStages {
			web.WriteOption(&m, st, stageLabel[st], st == sel)
		}
		m.WriteString(lost.String())
		p.MoveOptions[sel] = template.HTML(m.String()) //nolint:gosec // built by option, which escapes
	}
	return p
}

// List is the cards of one column (or of one "更多"), one after the
// other: one template call for the column, not one per card.
func (p *cardPage) List(cards []cardView) web.Chunks {
	var b web.Markup
	b.Grow(len(cards) * cardBytes)
	p.writeCards(&b, cards)
	return b.Chunks()
}

// cardBytes is about what a card's markup takes, to size a builder once.
const cardBytes = 1600

func (p *cardPage) writeCards(b *web.Markup, cards []cardView) {
	for _, o := range cards {
		p.writeCard(b, o)
	}
}

// writeCard writes one compact board card: title, customer (grade,
// qualification), monthly value, expected close, owner (when the page
// shows owners) and one control: a stage select for an open deal (a lost
// one needs its reason, chosen in the same select), reopening with a note
// for a lost one, none for a won one.
//
// It is written here, not by a template: a province board has 200 cards
// of ~40 template actions each, and html/template spent ~25 µs on a card
// through reflection (two thirds of the page's server time, issue 19).
// Pieces are written one by one (web.Markup). Every text from the database or
// the catalogue is escaped; the page's own (CSRF token, query) once per
// page.
func (p *cardPage) writeCard(b *web.Markup, o cardView) {
	esc := template.HTMLEscapeString
	id := strconv.FormatUint(uint64(o.ID), 10)
	b.W(`<article class="opp-card`)
	if o.JustMoved {
		b.W(" just-moved")
	}
	b.W(`" id="opp-`, id, `" data-stage="`, esc(o.Stage), `">`, "\n  ")
	b.W(`<a href="/opportunities/`, id, `"><strong>`, esc(o.Title), "</strong></a>\n  ")
	score := "badge-muted"
	if o.CustomerScore >= 75 {
		score = "badge-ok"
	} else if o.CustomerScore >= 50 {
		score = "badge-warn"
	}
	grade := esc(o.CustomerGrade)
	b.W(`<div class="small">`, esc(o.CustomerName), ` <span class="badge grade-`, grade, `">`, grade,
		`</span> <span class="badge `, score, `" title="`, p.esc.Qualification, `">`, p.scoreLabel(o.CustomerScore), "</span></div>\n  ")
	b.W(`<div class="small muted card-meta"><span class="card-value">`, o.MonthlyFen.String(), "/", p.esc.Month, "</span>")
	if o.ExpectedClose != nil {
		b.W(` · <span class="card-close">`)
		if !o.ExpectedClose.IsZero() {
			b.W(o.ExpectedClose.Format("2006-01-02"))
		}
		b.W("</span>")
	}
	if p.ShowOwner {
		b.W(` · <span class="card-owner">`, esc(o.Owner), "</span>")
	}
	b.W("</div>\n  ")
	form := func(class string) {
		b.W(`<form method="post" action="/opportunities/`, id, `/stage" class="`, class, `" hx-post="/opportunities/`, id,
			`/stage" hx-target="#board" hx-swap="outerHTML">`, "\n    ")
		b.W(`<input type="hidden" name="_csrf" value="`, p.escCSRF, `"><input type="hidden" name="from" value="board">`,
			`<input type="hidden" name="query" value="`, p.escQuery, `">`, "\n    ")
	}
	switch {
	case o.Won:
		b.W(`<p class="small card-locked">`, p.esc.WonLocked, ` <a href="/opportunities/`, id, `">`, p.esc.OpenRecord, "</a></p>\n")
	case o.Lost:
		if o.LostReason != "" {
			b.W(`<p class="small muted">`, p.esc.LostReason, ": ", esc(p.LostReason[o.LostReason]), "</p>\n  ")
		}
		form("move-form reopen-form")
		b.W(`<label class="sr-only" for="stage-`, id, `">`, p.esc.ReopenTo, "</label>\n    ")
		b.W(`<select id="stage-`, id, `" name="stage">`, string(p.ReopenOptions), "</select>\n    ")
		b.W(`<label class="sr-only" for="note-`, id, `">`, p.esc.ReopenNote, "</label>\n    ")
		b.W(`<input type="text" id="note-`, id, `" name="note" required maxlength="500" placeholder="`, p.esc.ReopenNote, `">`, "\n    ")
		b.W(`<button type="submit" class="btn btn-sm">`, p.esc.Reopen, "</button>\n  </form>\n")
	default:
		form("move-form")
		b.W(`<label class="sr-only" for="stage-`, id, `">`, p.esc.ToStage, "</label>\n    ")
		b.W(`<select id="stage-`, id, `" name="stage">`, string(p.MoveOptions[o.Stage]), "</select>\n    ")
		b.W(`<button type="submit" class="btn btn-sm">`, p.esc.Move, "</button>\n  </form>\n")
	}
	b.W("</article>\n")
}

// scoreLabel is "资质 N" for a qualification score, escaped (the
// translation itself is kept by i18n.Bundle.T, like every one with
// integer arguments).
func (p *cardPage) scoreLabel(score int) string {
	return template.HTMLEscapeString(p.L.T("pipeline.score", "Score", score))
}

// Cards makes the cards of rows, with their owners' names.
func (b boardCards) Cards(rows []OpportunityRow) []cardView {
	out := make([]cardView, len(rows))
	for i := range rows {
		r := &rows[i]
		out[i] = cardView{ID: r.ID, Title: r.Title, Stage: r.Stage, LostReason: r.LostReason,
			CustomerName: r.CustomerName, CustomerGrade: r.CustomerGrade, CustomerScore: r.CustomerScore,
			MonthlyFen: r.MonthlyFen, ExpectedClose: r.ExpectedClose, Owner: b.Users[r.OwnerID].Name,
			Won: r.IsWon(), Lost: r.IsLost(), JustMoved: b.Moved != 0 && r.ID == b.Moved}
	}
	return out
}

// boardView is the pipeline page (prospects/pipeline) and the board alone
// (prospects/board, the htmx answer to a filter or a move).
type boardView struct {
	web.Page
	oppFilters
	boardCards
	Board      *Board
	BoardSorts []string
	// Errors are a refused move's messages, shown above the columns.
	Errors map[string]string
}

// CardPage is what the page's cards share.
func (v *boardView) CardPage() *cardPage { return v.page(v.L, v.CSRF, v.ShowOwner) }

// ColumnsHTML is the board's columns: per stage its name, count and
// totals, its first cards (cardPage.List) and "更多" when more follow.
// Written here rather than by the template, which spent ~20 actions a
// column and a dict for the "更多" link through reflection. The markup is
// the template's; every text is escaped here.
func (v *boardView) ColumnsHTML() web.Chunks {
	var b web.Markup
	n := 0
	for i := range v.Board.Columns {
		n += len(v.Board.Columns[i].Cards)
	}
	b.Grow(n*cardBytes + len(v.Board.Columns)*600)
	cp := v.CardPage()
	labels := v.Labels()
	for i := range v.Board.Columns {
		col := &v.Board.Columns[i]
		stage := labels.Get("stage." + col.Stage)
		b.W("\n  <section class=\"board-col col-", template.HTMLEscapeString(col.Stage), `" aria-label="`, stage, "\">\n    <header><h2>", stage,
			` <span class="badge badge-muted col-count">`, strconv.FormatInt(col.Count, 10), "</span></h2>\n      ",
			`<p class="small muted col-total">`, labels.Get("pipeline.monthly"), " ", money.Fen(col.MonthlyFen).String())
		if col.Closed() {
			b.W(" · ", template.HTMLEscapeString(v.L.T("lists.board.recent", "Days", 30)))
		} else {
			b.W(" · ", labels.Get("pipeline.weighted"), " ", money.Fen(col.Weighted).String())
		}
		b.W("</p></header>\n    ")
		if cards := v.Cards(col.Cards); len(cards) > 0 {
			cp.writeCards(&b, cards)
		} else {
			b.W(`<p class="empty small">`, labels.Get("pipeline.empty_col"), "</p>")
		}
		b.W("\n    ")
		if rest := col.Rest(); rest > 0 {
			b.W(string(v.moreLink(v.L, col.Stage, col.LastID(), len(col.Cards), col.Count, rest, v.Moved)))
		}
		b.W("\n  </section>\n")
	}
	return b.Chunks() // every text above is escaped
}

// moreLink is "更多" at the foot of a column: with htmx it loads the next
// cards in place (keyset: after the last card shown, skipping the card
// just moved); without JavaScript it opens the list view of the stage
// with the same filters.
func (b boardCards) moreLink(l i18n.Localizer, stage string, after uint, shown int, total, rest int64, skip uint) template.HTML {
	st := url.QueryEscape(stage)
	q := template.HTMLEscapeString(string(b.Query))
	var out strings.Builder
	out.WriteString("\n" + `<a class="btn btn-sm board-more" href="/opportunities?stage=` + st)
	if q != "" {
		out.WriteString("&" + q)
	}
	out.WriteString(`" hx-get="/pipeline/more?stage=` + st + "&after=" + strconv.FormatUint(uint64(after), 10) + "&shown=" + strconv.Itoa(shown) +
		"&total=" + strconv.FormatInt(total, 10))
	if skip != 0 {
		out.WriteString("&skip=" + strconv.FormatUint(uint64(skip), 10))
	}
	if q != "" {
		out.WriteString("&" + q)
	}
	out.WriteString(`" hx-target="this" hx-swap="outerHTML">` + template.HTMLEscapeString(l.T("lists.board.more", "N", rest)) + "</a>\n")
	return template.HTML(out.String()) //nolint:gosec // escaped above
}

// boardMoreView is the answer to a column's "更多" (prospects/board_more).
type boardMoreView struct {
	web.Page
	boardCards
	Col       BoardColumn
	More      bool
	Shown     int
	Total     int64
	Rest      int64
	Skip      uint
	ShowOwner bool
}

// CardPage is what the answer's cards share.
func (v *boardMoreView) CardPage() *cardPage { return v.page(v.L, v.CSRF, v.ShowOwner) }

// MoreLink is the next "更多" of the answer (boardCards.moreLink).
func (v *boardMoreView) MoreLink() template.HTML {
	return v.moreLink(v.L, v.Col.Stage, v.Col.LastID(), v.Shown, v.Total, v.Rest, v.Skip)
}

// opportunityView is one opportunity (prospects/opportunity).
type opportunityView struct {
	web.Page
	O *Opportunity
	C *Customer
	// History is the stage moves, oldest first; Trail the audit trail.
	History                         []StageChange
	Trail                           *audit.View
	Users                           map[uint]org.User
	Stages, OpenStages, LostReasons []string
	CanWrite                        bool
}

// opportunityFormView is the new / edit opportunity form
// (prospects/opportunity_form).
type opportunityFormView struct {
	web.Page
	ID     uint
	C      *Customer
	Form   OpportunityInput
	Errors map[string]string
	Stages []string
	// Defaults is each stage's default probability.
	Defaults map[string]int
}

// pipelinePanel is the home page's pipeline card (prospects/panel_pipeline);
// a home panel gets the page's data as a map and this under "V".
type pipelinePanel struct {
	// Heading is the i18n id naming whose pipeline it is.
	Heading           string
	Open              int64
	Monthly, Weighted money.Fen
	// Stages are the stages with opportunities, with their totals.
	Stages []BoardColumn
}

// treeLevelView is what one page of one level of the member tree
// (prospects/customer_tree_level) is rendered with: the reader's
// translator and the level. The customer page and the tree's htmx answer
// both hand it over through TreeLevel, so the partial has one view type.
type treeLevelView struct {
	L i18n.Localizer
	M *treeLevel
}

// TreeLevel is the first level of the customer's member tree.
func (v *customerView) TreeLevel() treeLevelView { return treeLevelView{L: v.L, M: v.Tree} }

// TreeLevel is the level the htmx request asked for.
func (v *treeView) TreeLevel() treeLevelView { return treeLevelView{L: v.L, M: v.Level} }

// pickMatchesView is the htmx answer of the customer picker's search
// (partials/customer_matches): the picker with its matches.
type pickMatchesView struct {
	web.Page
	P *Picker
}

// QualSign is one of the four signs of the qualification as the
// customer page shows it: the sign, its answer and its note.
type QualSign struct {
	Sign, Answer, Note string
}

// QualSigns are the customer's four qualification answers in the page's
// order (pay, need, authority, acceptance).
func (c *Customer) QualSigns() []QualSign {
	return []QualSign{
		{"pay", c.QualPay, c.QualPayNote},
		{"need", c.QualNeed, c.QualNeedNote},
		{"authority", c.QualAuthority, c.QualAuthorityNote},
		{"acceptance", c.QualAcceptance, c.QualAcceptanceNote},
	}
}
