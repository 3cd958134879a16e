package aftersale

import (
	"html/template"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// careView is the care list.
type careView struct {
	web.Page
	Rows   []CareRow
	Counts CareCounts
	Pager  *web.Pager
	State  string
	Owners []org.User
	Teams  []org.Team
	Owner  uint
	Team   uint
	Today  time.Time
	// ShowOwner: the list spans several managers (chief rep, director).
	ShowOwner bool
}

// eventsView is the care agenda (care events ahead).
type eventsView struct {
	web.Page
	// Events are the page's events of Pager (in date order).
	Events []CareEvent
	Pager  *web.Pager
	// Next is where a 已关怀 form returns: this page of the list.
	Next   string
	Days   int
	Hows   []string
	Errors map[string]string
}

// requestsView is a request list.
type requestsView struct {
	web.Page
	Rows       []RequestRow
	Pager      *web.Pager
	F          RequestFilter
	Query      template.URL
	Owners     []org.User
	Teams      []org.Team
	Categories []string
	Now        time.Time
	Clock      Clock
}

// Pct is a row's SLA use in percent.
func (v *requestsView) Pct(r Request) int { return v.Clock.Percent(&r, v.Now) }

// requestView is one request.
type requestView struct {
	web.Page
	D      *Detail
	Now    time.Time
	Errors map[string]string
}

// Breached is the check the template uses.
func (v *requestView) Breached() bool { return v.D.R.Breached(v.Now) }

// requestFormView is the new-request form.
type requestFormView struct {
	web.Page
	Customer   *prospects.Customer
	Form       RequestInput
	Categories []string
	Contacts   []prospects.Contact
	Errors     map[string]string
}

// callbacksView lists call-backs and the results per manager and team.
type callbacksView struct {
	web.Page
	Rows   []CallbackRow
	Pager  *web.Pager
	Status string
	Today  time.Time
	Owners []ScoreStat
	Teams  []ScoreStat
}

// callbackView is one call-back and its form.
type callbackView struct {
	web.Page
	D         *CallbackDetail
	Form      CallbackInput
	Questions []string
	Contacts  []prospects.Contact
	Errors    map[string]string
}

// customerView is a customer's 售后 tab.
type customerView struct {
	web.Page
	Customer  *prospects.Customer
	Care      *CareRow
	Touches   []Touch
	Dates     []CareDate
	Requests  []RequestRow
	Callbacks []Callback
	Open      []CallbackRow
	Contacts  []prospects.Contact
	CanWrite  bool
	// CanEditCare: the reader may edit and delete touches and key dates.
	CanEditCare bool
	Today       time.Time
	Errors      map[string]string
	Kinds       []string
}

// settingsView is the director's settings page.
type settingsView struct {
	web.Page
	S      Settings
	Form   SettingsInput
	Errors map[string]string
}

// careEditView is the edit page of a touch or a key date (one of them
// set), with its delete form.
type careEditView struct {
	web.Page
	Customer *prospects.Customer
	Touch    *Touch
	Date     *CareDate
	Kinds    []string
	Contacts []prospects.Contact
	// The form as typed (or as stored).
	TouchIn TouchInput
	DateIn  CareDateInput
	Version int
	Errors  map[string]string
}

// IsBirthday reports whether the event is a key person's birthday.
func (e CareEvent) IsBirthday() bool { return e.Kind == "birthday" }

// IsAnniversary reports whether the event is a contract's anniversary.
func (e CareEvent) IsAnniversary() bool { return e.Kind == "anniversary" }

// OpenFilter reports whether the list shows the open requests (any
// status whose clock runs).
func (v *requestsView) OpenFilter() bool { return v.F.Status == StatusOpen }

// LaterStatuses are the status filter's choices after "open": the
// statuses in lifecycle order but the first.
func (v *requestsView) LaterStatuses() []string { return Statuses[1:] }

// ShowsOpen reports whether the call-back list shows the open ones.
func (v *callbacksView) ShowsOpen() bool { return v.Status == "open" }

// ShowsDone reports whether the call-back list shows the done ones.
func (v *callbacksView) ShowsDone() bool { return v.Status == "done" }

// eventsPanel is the home panel of this week's care events
// (aftersale/panel_events), each with its 已关怀 form.
type eventsPanel struct {
	web.Page
	Events []CareEvent
	Total  int
	Hows   []string
}

// requestsPanel is the home panel of requests past or near their SLA
// (aftersale/panel_requests).
type requestsPanel struct {
	web.Page
	Breached      []RequestRow
	BreachedTotal int64
	Soon          []RequestRow
	SoonTotal     int64
}
