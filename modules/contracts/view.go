package contracts

import (
	"html/template"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// listForm is the list's filter form as typed.
type listForm struct {
	Q                string
	Status           string
	OwnerID, TeamID  uint
	Within           int
	MinYuan, MaxYuan string
}

// listView is the contracts list and the expiring page.
type listView struct {
	web.Page
	Rows     []Row
	Pager    *web.Pager
	Form     listForm
	Statuses []string
	Owners   []org.User
	Teams    []org.Team
	// Windows are the expiring page's day choices (the reminders).
	Windows  []int
	Filtered bool
	Today    time.Time
	// Query is the filter as a query string, for the export links.
	Query  template.URL
	Errors map[string]string
}

// showView is one contract's page.
type showView struct {
	web.Page
	D          *Detail
	Errors     map[string]string
	Capital    string
	TaskOwners []org.User
	// Reasons explains why the revision needs approval.
	Reasons []string
	// MaxMB is the attachment size limit, for the upload form.
	MaxMB int64
	// History is the contract's trail in words (修改记录).
	History *audit.View
}

// formView is the contract form (new, edit, amendment).
type formView struct {
	web.Page
	Customer *prospects.Customer
	// C is the revision edited (nil for a new contract).
	C        *Contract
	Form     Input
	Rows     []LineInput
	Choices  *FormChoices
	Proposal *Accepted
	// Fixed lines (from the proposal) are shown, not edited.
	Fixed  []Line
	Quote  *Quote
	Errors map[string]string
	Action string
	Cancel string
	Chief  money.Fen
	Dir    money.Fen
}

// HasLines reports whether the form edits lines.
func (v *formView) HasLines() bool { return v.Fixed == nil }

// customerView is a customer's 合同 tab.
type customerView struct {
	web.Page
	Customer  *prospects.Customer
	Contracts []Contract
	Awaiting  []Accepted
	CanWrite  bool
	Today     time.Time
}

// DaysLeft is a contract's days to its end.
func (v *customerView) DaysLeft(c Contract) int { return daysBetween(v.Today, c.EndOn) }

// HasProduct reports whether the product picker offers id (a retired
// product kept on the revision is offered as such).
func (v *formView) HasProduct(id uint) bool {
	if v.Choices == nil {
		return false
	}
	for _, p := range v.Choices.Products {
		if p.ID == id {
			return true
		}
	}
	return false
}

// TaskStatuses are the choices of a task's status (contracts/task_fields).
func (v *showView) TaskStatuses() []string { return TaskStatuses }

// OpensService reports whether the task opens one of the contract's
// services (its title is then the product: "开通 …").
func (t Task) OpensService() bool { return t.Kind == TaskOpen }

// expiringItem is a contract of the expiring home panel
// (contracts/panel_expiring) with its days to the end.
type expiringItem struct {
	Row
	DaysLeft int
}

// DaysTone is the badge colour of the days left: within a month
// "danger", two months "warn", else "muted".
func (e expiringItem) DaysTone() string {
	switch {
	case e.DaysLeft <= 30:
		return "danger"
	case e.DaysLeft <= 60:
		return "warn"
	}
	return "muted"
}

// IsFree reports whether the task was added by hand (its title may be
// edited).
func (t Task) IsFree() bool { return t.Kind == TaskFree }

// queuePanel is the home panel of revisions waiting for the reader's
// approval (contracts/panel_queue).
type queuePanel struct {
	web.Page
	Rows []Row
}

// tasksPanel is the home panel of overdue implementation tasks
// (contracts/panel_tasks).
type tasksPanel struct {
	web.Page
	Rows  []TaskRow
	Total int64
	Today time.Time
}

// expiringPanel is the home panel of contracts ending within Within days
// (contracts/panel_expiring).
type expiringPanel struct {
	web.Page
	Rows   []expiringItem
	Total  int64
	Within int
}
