package contracts

import (
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
	Query  string
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
