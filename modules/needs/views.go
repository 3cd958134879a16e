package needs

import (
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// analysisView is the customer analysis page (needs/analysis): the
// situation, the current services and, for a writer, their forms.
type analysisView struct {
	web.Page
	C *prospects.Customer
	A *CustomerAnalysis
	// Form and Errors are the situation form; SForm and SErrors the
	// service form, for the row SID (0: a new row).
	Form            *AnalysisInput
	Errors          map[string]string
	Services        []serviceView
	Total           money.Fen
	CompetitorTotal money.Fen
	SID             uint
	SForm           *ServiceInput
	SErrors         map[string]string
	CanWrite        bool
	ServiceKinds    []string
	Suppliers       []string
	// PainLines, CalendarLines and NoteLines are the texts by line, for
	// a reader who may not write.
	PainLines     []string
	CalendarLines []string
	NoteLines     []string
	// Within is how many days ahead a competitor contract ends "soon".
	Within     int
	Incumbents []Incumbent
}

// needFields are what needs/need_fields reads: the need form as typed
// and the choices of its selects.
type needFields struct {
	Form       NeedInput
	Errors     map[string]string
	Categories []string
	Priorities []string
	Contacts   []prospects.Contact
	Opps       []prospects.Opportunity
}

// customerNeedsView is a customer's needs with the new-need form
// (needs/customer_needs).
type customerNeedsView struct {
	web.Page
	needFields
	C        *prospects.Customer
	Rows     []NeedRow
	CanWrite bool
	// Next is where a status button comes back to.
	Next string
}

// needFormView is the edit page of one need (needs/need_form).
type needFormView struct {
	web.Page
	needFields
	N    *Need
	C    *prospects.Customer
	Next string
}

// listView is the needs list per account manager (needs/list).
type listView struct {
	web.Page
	Rows       []NeedRow
	Pager      *web.Pager
	Filter     NeedFilter
	Owners     []org.User
	Statuses   []string
	Categories []string
	Priorities []string
	Next       string
	// Filtered: the query has any filter (the empty text differs).
	Filtered bool
}

// PriorityTone is the badge colour of the need's priority: high
// "danger", medium "warn", low "muted".
func (n Need) PriorityTone() string {
	switch n.Priority {
	case "high":
		return "danger"
	case "medium":
		return "warn"
	}
	return "muted"
}

// DaysTone is the badge colour of a contract ending in DaysLeft days on
// the home panel: within a month "danger", a quarter "warn", else "muted".
func (e ExpiringContract) DaysTone() string {
	switch {
	case e.DaysLeft <= 30:
		return "danger"
	case e.DaysLeft <= 90:
		return "warn"
	}
	return "muted"
}

// expiringPanel is the home panel (needs/panel_expiring): competitor
// contracts ending soon and the count of open needs.
type expiringPanel struct {
	web.Page
	Expiring      []ExpiringContract
	ExpiringTotal int64
	OpenNeeds     int64
	Within        int
}
