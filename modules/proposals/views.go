package proposals

import (
	"html/template"
	"strconv"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// showView is the proposal page (proposals/show).
type showView struct {
	web.Page
	D *Detail
	P *Proposal
	C *prospects.Customer
	// Reasons explain why the version needs approval.
	Reasons []string
	Errors  map[string]string
	// WaitingNames are the people the pending step routes to, joined.
	WaitingNames string
	PriceColumns []string
	PriceRows    []PriceRow
	// Level is the approval step the version waits for ("chief",
	// "director" or ""); templates ask WaitsForChief/WaitsForDirector.
	Level      string
	Changeable bool
	// Capital is the total in words (人民币…).
	Capital string
	History *audit.View
}

// WaitsForChief reports whether the version waits for the chief rep.
func (v *showView) WaitsForChief() bool { return v.Level == "chief" }

// WaitsForDirector reports whether the version waits for the director.
func (v *showView) WaitsForDirector() bool { return v.Level == "director" }

// builderView is the proposal builder (proposals/builder), for a new
// proposal and for editing a version.
type builderView struct {
	web.Page
	C *prospects.Customer
	// P is the version being edited, nil for a new proposal.
	P    *Proposal
	Form Input
	// Rows are the line rows of the form, as typed.
	Rows        []LineInput
	Products    []productOption
	Opps        []prospects.Opportunity
	NeedChoices []NeedRef
	// Cited marks the needs the form cites, by id.
	Cited  map[uint]bool
	Quote  *Quote
	Errors map[string]string
	// Action is where the form posts.
	Action            string
	ChiefThreshold    money.Fen
	DirectorThreshold money.Fen
	Sections          []string
	// NewVersion: saving makes a new version (the edited one is final).
	NewVersion bool
	// UnitName names a unit code in the reader's language.
	UnitName    func(string) string
	ProductByID map[uint]*productOption
}

// StatusTone is the badge colour of the version's status
// (proposals/status_badge): waiting is "warn", approved and accepted
// "ok", with the customer "info", rejected "danger", the rest "muted".
func (p Proposal) StatusTone() string {
	switch p.Status {
	case StatusPending:
		return "warn"
	case StatusApproved, StatusAccepted:
		return "ok"
	case StatusSent:
		return "info"
	case StatusRejected:
		return "danger"
	}
	return "muted"
}

// listView is the proposals list (proposals/list).
type listView struct {
	web.Page
	Rows   []Row
	Pager  *web.Pager
	Totals Totals
	// Q, Status and OwnerID are the filter as applied.
	Q        string
	Status   string
	Statuses []string
	Owners   []org.User
	OwnerID  uint
	Filtered bool
	// ShowOwner: the list shows each row's account manager, from Users.
	ShowOwner bool
	Users     map[uint]org.User
	// Query is the filter as a query string, for the export links.
	Query template.URL
	// Loc is the zone times are shown in (the layout's datetime).
	Loc *time.Location
}

// RowsHTML is the list's rows, with the customer and, when the list
// shows it, the account manager (see rowsHTML).
func (v *listView) RowsHTML() template.HTML {
	return rowsHTML(v.L, v.Loc, v.Rows, true, v.ShowOwner, v.Users)
}

// customerView is one customer's proposals (proposals/customer).
type customerView struct {
	web.Page
	C        *prospects.Customer
	Rows     []Row
	CanWrite bool
	Loc      *time.Location
}

// RowsHTML is the customer's proposals' rows (no customer or account
// manager column).
func (v *customerView) RowsHTML() template.HTML {
	return rowsHTML(v.L, v.Loc, v.Rows, false, false, nil)
}

// rowsHTML is the body of the proposals table (proposals/rows), written
// here rather than by the template: each of a page's rows called the
// status badge's template with a dict of its own and read ten fields
// through reflection, and the list served about as few pages a second as
// the 200-card board (issue 19). The markup is the template's; every
// text is escaped here.
func rowsHTML(l i18n.Localizer, loc *time.Location, rows []Row, customer, owner bool, users map[uint]org.User) template.HTML {
	var b web.Markup
	b.Grow(len(rows) * 600)
	esc := template.HTMLEscapeString
	labels := web.NewLabels(l)
	for i := range rows {
		r := &rows[i]
		id := strconv.FormatUint(uint64(r.ID), 10)
		b.W("\n  <tr>\n    <td><a href=\"/proposals/", id, `">`, esc(r.Number), `</a> <span class="muted small">v`, strconv.Itoa(r.Version),
			"</span></td>\n    <td class=\"wrap\"><a href=\"/proposals/", id, `">`, esc(r.Title), "</a></td>\n    ")
		if customer {
			b.W(`<td class="wrap"><a href="/customers/`, strconv.FormatUint(uint64(r.CustomerID), 10), `">`, esc(r.CustomerName), "</a></td>")
		}
		b.W("\n    ")
		if owner {
			b.W(`<td class="owner">`, esc(users[r.OwnerID].Name), "</td>")
		}
		updated := ""
		if !r.UpdatedAt.IsZero() {
			updated = r.UpdatedAt.In(loc).Format("2006-01-02 15:04")
		}
		b.W("\n    <td><span class=\"badge badge-", r.StatusTone(), `">`, labels.Get("proposals.status."+r.Status), "</span>\n</td>\n    ",
			`<td class="num">`, r.TotalFen.String(), "</td>\n    <td>", updated, "</td>\n  </tr>\n  ")
	}
	return b.HTML() // every text above is escaped
}

// queuePanel is the approval queue on the home page
// (proposals/panel_queue): the versions waiting for the reader.
type queuePanel struct {
	web.Page
	Rows []Row
}
