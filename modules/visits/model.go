package visits

import (
	"time"

	"gorm.io/gorm"
)

// Kinds of visit, as the handbook names them.
var Kinds = []string{"first", "needs", "demo", "signing", "care", "complaint"}

// Statuses of a plan.
const (
	StatusPlanned   = "planned"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
	StatusMissed    = "missed"
)

// Statuses lists every plan status.
var Statuses = []string{StatusPlanned, StatusDone, StatusCancelled, StatusMissed}

// Attitudes of the customer at a visit.
var Attitudes = []string{"positive", "neutral", "negative"}

// ChecklistItems are the handbook's preparation steps, in order; each is a
// column chk_<item> on visit_plans.
var ChecklistItems = []string{"background", "materials", "cards", "demo", "quotation", "appointment"}

// Plan is a planned visit (走访计划) with its preparation checklist.
type Plan struct {
	ID             uint      `gorm:"primaryKey"`
	CustomerID     uint      `gorm:"not null"`
	OwnerID        uint      `gorm:"not null"`
	StartsAt       time.Time `gorm:"not null"`
	DurationMin    int       `gorm:"not null"`
	Kind           string    `gorm:"size:16;not null"`
	Objective      string    `gorm:"not null"`
	Location       string    `gorm:"size:200;not null"`
	Status         string    `gorm:"size:16;not null"`
	CancelReason   string    `gorm:"size:500;not null"`
	ChkBackground  bool      `gorm:"not null"`
	ChkMaterials   bool      `gorm:"not null"`
	ChkCards       bool      `gorm:"not null"`
	ChkDemo        bool      `gorm:"not null"`
	ChkQuotation   bool      `gorm:"not null"`
	ChkAppointment bool      `gorm:"not null"`
	PrevVisitID    *uint
	// PrepRemindedAt and RecordRemindedAt are when visits.reminders told
	// the owner that the visit is not prepared, or has no record: the job
	// reads only visits whose record reminder is still to come.
	PrepRemindedAt   *time.Time
	RecordRemindedAt *time.Time
	Version          int `gorm:"not null"`
	CreatedBy        *uint
	UpdatedBy        *uint
	CreatedAt        time.Time
	UpdatedAt        time.Time
	DeletedAt        gorm.DeletedAt
}

// TableName keeps the table name explicit.
func (Plan) TableName() string { return "visit_plans" }

// EndsAt is when the visit is planned to end.
func (p *Plan) EndsAt() time.Time { return p.StartsAt.Add(time.Duration(p.DurationMin) * time.Minute) }

// Checklist returns the state of each item, in ChecklistItems order.
func (p *Plan) Checklist() []bool {
	return []bool{p.ChkBackground, p.ChkMaterials, p.ChkCards, p.ChkDemo, p.ChkQuotation, p.ChkAppointment}
}

// ChecklistDone counts the ticked items.
func (p *Plan) ChecklistDone() int {
	n := 0
	for _, b := range p.Checklist() {
		if b {
			n++
		}
	}
	return n
}

// setItem ticks or unticks one checklist item; false if the item is unknown.
func (p *Plan) setItem(item string, v bool) bool {
	switch item {
	case "background":
		p.ChkBackground = v
	case "materials":
		p.ChkMaterials = v
	case "cards":
		p.ChkCards = v
	case "demo":
		p.ChkDemo = v
	case "quotation":
		p.ChkQuotation = v
	case "appointment":
		p.ChkAppointment = v
	default:
		return false
	}
	return true
}

// Unprepared reports the handbook's warning: the visit is within 24 hours
// (or already due) and the preparation checklist is not complete.
func (p *Plan) Unprepared(now time.Time) bool {
	return p.Status == StatusPlanned && p.StartsAt.Sub(now) <= 24*time.Hour && p.EndsAt().After(now) &&
		p.ChecklistDone() < len(ChecklistItems)
}

// Overdue reports a planned visit whose time has passed with no record.
func (p *Plan) Overdue(now time.Time) bool {
	return p.Status == StatusPlanned && p.EndsAt().Before(now)
}

// FlagsChangeAfter is the first moment after now at which Unprepared or
// Overdue may answer differently for p (the zero time: never), so a page
// showing them is built afresh from then on (web.KeepUntil).
func (p *Plan) FlagsChangeAfter(now time.Time) time.Time {
	if p.Status != StatusPlanned {
		return time.Time{}
	}
	var first time.Time
	// Unprepared turns on a day before the start and off at the end;
	// Overdue turns on just after the end.
	for _, t := range []time.Time{p.StartsAt.Add(-24 * time.Hour), p.EndsAt(), p.EndsAt().Add(time.Nanosecond)} {
		if t.After(now) && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// VisitContact links a plan to a key person to meet.
type VisitContact struct {
	VisitID   uint `gorm:"primaryKey"`
	ContactID uint `gorm:"primaryKey"`
}

// TableName keeps the table name explicit.
func (VisitContact) TableName() string { return "visit_contacts" }

// Participant links a plan to a colleague going (e.g. the chief rep).
type Participant struct {
	VisitID uint `gorm:"primaryKey"`
	UserID  uint `gorm:"primaryKey"`
}

// TableName keeps the table name explicit.
func (Participant) TableName() string { return "visit_participants" }

// Record is what happened at a visit (走访记录) and the agreed next step.
type Record struct {
	ID          uint   `gorm:"primaryKey"`
	VisitID     uint   `gorm:"not null"`
	Discussed   string `gorm:"not null"`
	Attitude    string `gorm:"size:16;not null"`
	NeedsText   string `gorm:"not null"`
	NextStep    string `gorm:"not null"`
	NextDate    *time.Time
	NextVisitID *uint
	Version     int `gorm:"not null"`
	CreatedBy   *uint
	UpdatedBy   *uint
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName keeps the table name explicit.
func (Record) TableName() string { return "visit_records" }

// CalendarToken is a user's secret calendar feed token (stored hashed).
type CalendarToken struct {
	ID        uint   `gorm:"primaryKey"`
	UserID    uint   `gorm:"not null"`
	TokenHash string `gorm:"size:64;not null"`
	CreatedAt time.Time
}

// NextTodo is the record form's "next kind" for a next step that is not a
// visit: it makes a to-do with the agreed date instead of a visit plan.
const NextTodo = "todo"

// Todo is a to-do (待办): an agreed next step that is not a visit, due on
// a date, on its owner's agenda until done. VisitID is the visit whose
// record agreed it.
type Todo struct {
	ID         uint   `gorm:"primaryKey"`
	CustomerID uint   `gorm:"not null"`
	OwnerID    uint   `gorm:"not null"`
	VisitID    *uint  `gorm:"column:visit_id"`
	Title      string `gorm:"size:500;not null"`
	// DueDate is a calendar date (midnight UTC, like Record.NextDate).
	DueDate   time.Time `gorm:"not null"`
	DoneAt    *time.Time
	DoneBy    *uint
	CreatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name explicit.
func (Todo) TableName() string { return "visit_todos" }

// TodoRow is a to-do with its customer's name, for the agenda.
type TodoRow struct {
	Todo
	CustomerName string
}

// Overdue reports whether the to-do was due before today.
func (r TodoRow) Overdue(today time.Time) bool { return r.DueDate.Before(today) }

// Models lists the module's GORM models, for the schema drift test.
func Models() []any {
	return []any{&Plan{}, &VisitContact{}, &Participant{}, &Record{}, &CalendarToken{}, &Todo{}}
}
