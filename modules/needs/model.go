package needs

import (
	"slices"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// The services (现有业务) of the analysis and the categories of needs are
// the one list of modules/platform/servicecat, which the catalogue files
// its products under too: a need for a dedicated line, the customer's
// dedicated line from a competitor and the catalogue's dedicated lines all
// say dedicated_line.

// SupplierSelf is our own operator: the one using this CRM. Every other
// supplier is a competitor.
const SupplierSelf = "self"

// Suppliers (供应商) of a service: the operators (as prospects.Competitors
// names them), another supplier, or us — listed first, as the usual answer
// for a customer of ours and the one that is not a competitor.
var Suppliers = []string{SupplierSelf, "cmcc", "ctcc", "cucc", "cbn", "other"}

// Priorities of a need, highest first.
var Priorities = []string{"high", "medium", "low"}

// Statuses of a need: open (待解决) → addressed (已解决, by a proposal) →
// closed (已关闭).
const (
	StatusOpen      = "open"
	StatusAddressed = "addressed"
	StatusClosed    = "closed"
)

// Statuses lists every need status in workflow order.
var Statuses = []string{StatusOpen, StatusAddressed, StatusClosed}

// transitions are the status changes allowed: forward along the workflow
// (an open need may also be closed directly, e.g. the customer dropped
// it), and back to open (reopen).
var transitions = map[string][]string{
	StatusOpen:      {StatusAddressed, StatusClosed},
	StatusAddressed: {StatusClosed, StatusOpen},
	StatusClosed:    {StatusOpen},
}

// CanMove reports whether a need may go from one status to another.
func CanMove(from, to string) bool { return slices.Contains(transitions[from], to) }

// ExpiringWithinDays is how far ahead competitor contracts count as ending
// soon (listed for the owner on the home page).
const ExpiringWithinDays = 180

// CustomerAnalysis is the one analysis (客户分析) of a customer.
type CustomerAnalysis struct {
	ID               uint      `gorm:"primaryKey"`
	CustomerID       uint      `gorm:"not null"`
	PainPoints       string    `gorm:"not null"`
	ITBudgetFen      money.Fen `gorm:"column:it_budget_fen;not null"`
	DecisionCalendar string    `gorm:"not null"`
	Notes            string    `gorm:"not null"`
	Version          int       `gorm:"not null"`
	CreatedBy        *uint
	UpdatedBy        *uint
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName keeps the table name explicit.
func (CustomerAnalysis) TableName() string { return "customer_analyses" }

// CustomerService is one line of the customer's current set-up: a service,
// its supplier, monthly spend and when the supplier's contract ends.
type CustomerService struct {
	ID              uint      `gorm:"primaryKey"`
	CustomerID      uint      `gorm:"not null"`
	Service         string    `gorm:"size:16;not null"`
	Supplier        string    `gorm:"size:16;not null"`
	Description     string    `gorm:"size:200;not null"`
	MonthlySpendFen money.Fen `gorm:"not null"`
	// ContractEnd is a calendar date, stored as midnight UTC.
	ContractEnd *time.Time
	Version     int `gorm:"not null"`
	CreatedBy   *uint
	UpdatedBy   *uint
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   gorm.DeletedAt
}

// TableName keeps the table name explicit.
func (CustomerService) TableName() string { return "customer_services" }

// Competitor reports whether someone other than us supplies the service.
func (s CustomerService) Competitor() bool { return s.Supplier != SupplierSelf }

// Need is a need (需求) a customer expressed. OwnerID is the customer's
// account manager when the need was raised (kept for the record); lists
// per account manager and the owner shown follow the customer's current
// owner, so a reassigned customer's needs move with it.
type Need struct {
	ID            uint   `gorm:"primaryKey"`
	CustomerID    uint   `gorm:"not null"`
	Category      string `gorm:"size:16;not null"`
	Description   string `gorm:"not null"`
	Priority      string `gorm:"size:8;not null"`
	ContactID     *uint
	Status        string `gorm:"size:16;not null"`
	OpportunityID *uint
	// SourceVisitID is the visit record the need was found in, if any.
	SourceVisitID *uint
	OwnerID       uint `gorm:"not null"`
	Version       int  `gorm:"not null"`
	CreatedBy     *uint
	UpdatedBy     *uint
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     gorm.DeletedAt
}

// TableName keeps the table name explicit.
func (Need) TableName() string { return "needs" }

// Next lists the statuses the need may move to.
func (n Need) Next() []string { return transitions[n.Status] }

// Short is the first 30 characters of the description, for titles and the
// timeline.
func (n Need) Short() string {
	r := []rune(n.Description)
	if len(r) <= 30 {
		return n.Description
	}
	return string(r[:30]) + "…"
}

// Models lists the module's GORM models, for the schema drift test.
func Models() []any { return []any{&CustomerAnalysis{}, &CustomerService{}, &Need{}} }

func derefID(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}
