package todos

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"gorm.io/gorm"
)

// Link types a to-do may point at.
const (
	LinkCustomer    = "customer"
	LinkOpportunity = "opportunity"
	LinkContract    = "contract"
	LinkRequest     = "request"
)

// LinkTypes lists the link types, in the form's order.
var LinkTypes = []string{LinkCustomer, LinkOpportunity, LinkContract, LinkRequest}

// Todo is a free-standing to-do. DueAt is an instant (UTC); when AllDay it
// is the start of the due day in the configured zone, and the to-do is
// overdue only once that day is over.
type Todo struct {
	ID       uint      `gorm:"primaryKey"`
	Title    string    `gorm:"size:200;not null"`
	DueAt    time.Time `gorm:"not null"`
	AllDay   bool      `gorm:"not null"`
	LinkType string    `gorm:"size:16;not null"`
	LinkID   *uint
	// CustomerID is the linked record's customer (nil without a link).
	CustomerID *uint
	// OwnerID is the assignee; TeamID and BranchID are theirs at
	// assignment (the scope columns).
	OwnerID           uint `gorm:"not null"`
	TeamID            *uint
	BranchID          *uint
	CreatedBy         uint `gorm:"not null"`
	DoneAt            *time.Time
	DoneBy            *uint
	OverdueNotifiedAt *time.Time
	Version           int `gorm:"not null"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
	DeletedAt         gorm.DeletedAt
}

// TableName keeps the table name explicit.
func (Todo) TableName() string { return "todos" }

// Ref is the to-do's place in the organisation, for the policy.
func (t *Todo) Ref() authz.Ref {
	return authz.Ref{OwnerID: t.OwnerID, TeamID: deref(t.TeamID), BranchID: deref(t.BranchID)}
}

// IsDone reports whether the to-do is ticked off.
func (t *Todo) IsDone() bool { return t.DoneAt != nil }

// OverdueAt is the instant the to-do becomes overdue: its due time, or
// the end of its due day.
func (t *Todo) OverdueAt() time.Time {
	if t.AllDay {
		return t.DueAt.AddDate(0, 0, 1)
	}
	return t.DueAt
}

// Overdue reports whether the open to-do is past due at now.
func (t *Todo) Overdue(now time.Time) bool { return t.DoneAt == nil && !now.Before(t.OverdueAt()) }

// Row is a to-do with the names a list shows. LinkLabel is empty when
// the to-do has no link or the reader may not see the linked record.
type Row struct {
	Todo
	OwnerName   string
	CreatorName string
	LinkLabel   string
}

// LinkURL is the linked record's page (empty without a visible link).
func (r Row) LinkURL() string {
	if r.LinkLabel == "" || r.LinkID == nil {
		return ""
	}
	return LinkURL(r.LinkType, *r.LinkID)
}

// Models lists the module's GORM models, for the schema drift test.
func Models() []any { return []any{&Todo{}} }

func deref(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
