package visits

import (
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// showView is the visit page (visits/show) and its checklist fragment
// (visits/checklist).
type showView struct {
	web.Page
	D *Detail
	P *Plan
	C *prospects.Customer
	// Items are the checklist's items; Checks whether each is ticked.
	Items  []string
	Checks []bool
	// Unprepared and Overdue are the page's two warnings.
	Unprepared bool
	Overdue    bool
	Errors     map[string]string
	Attitudes  []string
	Kinds      []string
	// NeedCategories are the choices of a discovered need's category.
	NeedCategories []string
	// CanRecord: the record form is offered (the visit's time has come);
	// RecordLater: it will be, once it has.
	CanRecord   bool
	RecordLater bool
	// Late: the record is older than the free-edit window.
	Late bool
	// Rec is the record form as typed (or as stored); NeedRows its need
	// rows by form row.
	Rec      *RecordInput
	NeedRows []NeedLine
	History  *audit.View
}

// IsPlanned reports whether the visit is still planned (neither done,
// cancelled nor missed).
func (p Plan) IsPlanned() bool { return p.Status == StatusPlanned }

// IsDone reports whether the visit took place and was recorded.
func (p Plan) IsDone() bool { return p.Status == StatusDone }

// NextIsTodo reports whether the form's next step is a to-do rather than
// a visit.
func (in RecordInput) NextIsTodo() bool { return in.NextKind == NextTodo }
