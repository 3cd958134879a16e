package contracts

import (
	"fmt"
	"slices"
	"time"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// Statuses of a contract revision. The lifecycle is draft → pending
// (approval) → approved (awaiting signature) → signed → active → expiring
// (inside the renewal window) → expired | terminated | renewed (its
// successor was signed). superseded marks a revision replaced by a signed
// amendment.
const (
	StatusDraft      = "draft"
	StatusPending    = "pending"
	StatusApproved   = "approved"
	StatusSigned     = "signed"
	StatusActive     = "active"
	StatusExpiring   = "expiring"
	StatusExpired    = "expired"
	StatusTerminated = "terminated"
	StatusRenewed    = "renewed"
	StatusSuperseded = "superseded"
)

// Statuses lists every status in lifecycle order (filters, the state
// table test).
var Statuses = []string{StatusDraft, StatusPending, StatusApproved, StatusSigned, StatusActive, StatusExpiring,
	StatusExpired, StatusTerminated, StatusRenewed, StatusSuperseded}

// InForce are the statuses of a signed contract that still runs: renewal
// reminders, the pre-visit brief and the incumbent mark use them.
var InForce = []string{StatusSigned, StatusActive, StatusExpiring}

// PaymentTerms a contract may have.
var PaymentTerms = []string{"monthly", "quarterly", "yearly", "one_off"}

// Contract is one revision of a contract. The first revision (Revision 1)
// is the contract; an amendment (补充协议) is a later revision with the
// same Number and RootID. IsCurrent marks the revision in force (the
// first until an amendment is signed), which lists and jobs read.
type Contract struct {
	ID        uint   `gorm:"primaryKey"`
	Number    string `gorm:"size:64;not null"`
	Revision  int    `gorm:"not null"`
	RootID    *uint
	IsCurrent bool `gorm:"not null"`
	// CustomerID is the customer the contract hangs off (its scope).
	CustomerID    uint `gorm:"not null"`
	OpportunityID *uint
	// ProposalID is the accepted proposal version the lines came from;
	// ProposalRef its number and version as shown ("FA2026-000012 v2").
	ProposalID  *uint
	ProposalRef string `gorm:"size:64;not null"`
	// PredecessorID is the contract this one renews; RenewedByID the
	// successor that renewed this one once signed.
	PredecessorID *uint
	RenewedByID   *uint
	OwnerID       uint   `gorm:"not null"`
	BranchID      uint   `gorm:"not null"`
	Title         string `gorm:"size:200;not null"`
	Status        string `gorm:"size:16;not null"`
	// SignedOn, StartOn, EndOn and TerminatedOn are calendar dates stored
	// as midnight UTC.
	SignedOn            *time.Time
	StartOn             time.Time
	EndOn               time.Time
	TermMonths          int       `gorm:"not null"`
	MonthlyFen          money.Fen `gorm:"not null"`
	OneTimeFen          money.Fen `gorm:"not null"`
	TotalFen            money.Fen `gorm:"not null"`
	PaymentTerms        string    `gorm:"size:16;not null"`
	PaymentDueDay       int       `gorm:"not null"`
	OurSignatoryID      *uint
	CustomerSignatoryID *uint
	Notes               string `gorm:"not null"`
	NeedsChief          bool   `gorm:"not null"`
	NeedsDirector       bool   `gorm:"not null"`
	ChiefApprovedBy     *uint
	DirectorApprovedBy  *uint
	SubmittedAt         *time.Time
	SignedAt            *time.Time
	ActivatedAt         *time.Time
	TerminatedOn        *time.Time
	TerminationReason   string `gorm:"size:500;not null"`
	Version             int    `gorm:"not null" audit:"-"`
	CreatedBy           *uint
	UpdatedBy           *uint
	CreatedAt           time.Time
	UpdatedAt           time.Time
	DeletedAt           gorm.DeletedAt
}

// Root is the id of the contract's first revision, which tasks and
// attachments hang off.
func (c *Contract) Root() uint {
	if c.RootID != nil {
		return *c.RootID
	}
	return c.ID
}

// IsAmendment reports whether the revision amends a signed contract.
func (c *Contract) IsAmendment() bool { return c.Revision > 1 }

// IsDraft, IsPending … are the status checks templates use.
func (c *Contract) IsDraft() bool      { return c.Status == StatusDraft }
func (c *Contract) IsPending() bool    { return c.Status == StatusPending }
func (c *Contract) IsApproved() bool   { return c.Status == StatusApproved }
func (c *Contract) IsSigned() bool     { return c.Status == StatusSigned }
func (c *Contract) IsActive() bool     { return c.Status == StatusActive }
func (c *Contract) IsExpiring() bool   { return c.Status == StatusExpiring }
func (c *Contract) IsTerminated() bool { return c.Status == StatusTerminated }

// InForce reports whether the contract has been signed and still runs.
func (c *Contract) InForce() bool { return slices.Contains(InForce, c.Status) }

// Editable reports whether the revision may be changed in place: a draft,
// or a pending one (which goes back to draft). A signed contract is
// changed by an amendment.
func (c *Contract) Editable() bool { return c.Status == StatusDraft || c.Status == StatusPending }

// NeedsApproval reports whether submitting the revision asks for approval.
func (c *Contract) NeedsApproval() bool { return c.NeedsChief || c.NeedsDirector }

// Line is one product on a contract, as carried over from the proposal
// or priced from the catalogue: list prices as they were, the rate
// charged and the exact net amounts.
type Line struct {
	ID             uint       `gorm:"primaryKey"`
	ContractID     uint       `gorm:"not null"`
	Position       int        `gorm:"not null"`
	ProductID      uint       `gorm:"not null"`
	ProductCode    string     `gorm:"size:32;not null"`
	ProductName    string     `gorm:"size:200;not null"`
	ProductNameEn  string     `gorm:"column:product_name_en;size:200;not null"`
	Unit           string     `gorm:"size:32;not null"`
	Quantity       int64      `gorm:"not null"`
	TermMonths     int        `gorm:"not null"`
	MonthlyListFen money.Fen  `gorm:"not null"`
	OneTimeListFen money.Fen  `gorm:"not null"`
	Rate           money.Rate `gorm:"not null"`
	FloorRate      money.Rate `gorm:"not null"`
	MonthlyNetFen  money.Fen  `gorm:"not null"`
	OneTimeNetFen  money.Fen  `gorm:"not null"`
	TotalFen       money.Fen  `gorm:"not null"`
}

// TableName keeps the table name explicit.
func (Line) TableName() string { return "contract_lines" }

// Name is the product's name in lang (English when there is one).
func (l *Line) Name(lang string) string {
	if i18n.Normalize(lang) == i18n.EN && l.ProductNameEn != "" {
		return l.ProductNameEn
	}
	return l.ProductName
}

// BelowFloor reports a discount beyond what the account manager may give.
// UnitIn is the line's unit in the reader's language (个 → pcs): the
// catalogue's usual units are translated, others shown as typed.
func (l *Line) UnitIn(loc i18n.Localizer) string { return l.UnitWith(loc.T) }

// UnitWith is UnitIn for a translating function (the PDF's).
func (l *Line) UnitWith(t func(id string, args ...any) string) string {
	return catalog.UnitName(func(id string) string { return t(id) }, l.Unit)
}

func (l *Line) BelowFloor() bool { return l.Rate < l.FloorRate }

// Approval is one decision on a contract revision.
type Approval struct {
	ID         uint   `gorm:"primaryKey"`
	ContractID uint   `gorm:"not null"`
	Level      string `gorm:"size:16;not null"`
	Decision   string `gorm:"size:16;not null"`
	ByID       uint   `gorm:"not null"`
	At         time.Time
	Comment    string `gorm:"size:1000;not null"`
}

// TableName keeps the table name explicit.
func (Approval) TableName() string { return "contract_approvals" }

// Event is one step of a contract's life (created, submitted, signed,
// expiring…), written with the change in its transaction; the customer
// timeline reads these. ByID is nil for the daily job.
type Event struct {
	ID         uint   `gorm:"primaryKey"`
	ContractID uint   `gorm:"not null"`
	CustomerID uint   `gorm:"not null"`
	Action     string `gorm:"size:32;not null"`
	FromStatus string `gorm:"size:16;not null"`
	ToStatus   string `gorm:"size:16;not null"`
	ByID       *uint
	At         time.Time
	Note       string `gorm:"size:500;not null"`
}

// TableName keeps the table name explicit.
func (Event) TableName() string { return "contract_events" }

// Task kinds: one "open" per service on the contract, then the cutover
// (割接) and the acceptance (验收); "free" tasks are added by hand.
const (
	TaskOpen       = "open"
	TaskCutover    = "cutover"
	TaskAcceptance = "acceptance"
	TaskFree       = "free"
)

// Task statuses.
const (
	TaskTodo  = "todo"
	TaskDoing = "doing"
	TaskDone  = "done"
)

// TaskStatuses lists the statuses a task may have, in order.
var TaskStatuses = []string{TaskTodo, TaskDoing, TaskDone}

// Task is one step of the implementation (业务实施). ContractID is the
// contract's root, so tasks stay with it through amendments.
type Task struct {
	ID          uint   `gorm:"primaryKey"`
	ContractID  uint   `gorm:"not null"`
	Position    int    `gorm:"not null"`
	Kind        string `gorm:"size:16;not null"`
	Title       string `gorm:"size:200;not null"`
	ProductCode string `gorm:"size:32;not null"`
	OwnerID     uint   `gorm:"not null"`
	// DueOn is a calendar date stored as midnight UTC.
	DueOn     time.Time
	Status    string `gorm:"size:16;not null"`
	Note      string `gorm:"size:1000;not null"`
	DoneAt    *time.Time
	Version   int `gorm:"not null" audit:"-"`
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt
}

// TableName keeps the table name explicit.
func (Task) TableName() string { return "contract_tasks" }

// IsDone reports whether the task is finished.
func (t *Task) IsDone() bool { return t.Status == TaskDone }

// OverdueOn reports whether the task is late on the calendar day today.
func (t *Task) OverdueOn(today time.Time) bool { return !t.IsDone() && t.DueOn.Before(today) }

// Attachment is a file kept with a contract (the signed scan). The bytes
// are in a BlobStore under BlobKey; ContractID is the contract's root.
type Attachment struct {
	ID          uint   `gorm:"primaryKey"`
	ContractID  uint   `gorm:"not null"`
	BlobKey     string `gorm:"size:64;not null" audit:"-"`
	FileName    string `gorm:"size:255;not null"`
	ContentType string `gorm:"size:64;not null"`
	SizeBytes   int64  `gorm:"not null"`
	SHA256      string `gorm:"column:sha256;size:64;not null"`
	UploadedBy  uint   `gorm:"not null"`
	CreatedAt   time.Time
	DeletedAt   gorm.DeletedAt
	DeletedBy   *uint
}

// TableName keeps the table name explicit.
func (Attachment) TableName() string { return "contract_attachments" }

// File is an attachment's bytes in the database blob store.
type File struct {
	Key       string `gorm:"column:file_key;primaryKey;size:64"`
	Data      []byte `gorm:"not null"`
	SizeBytes int64  `gorm:"not null"`
	CreatedAt time.Time
}

// TableName keeps the table name explicit.
func (File) TableName() string { return "contract_files" }

// NumberSeq is the last contract number given in a branch and year.
type NumberSeq struct {
	BranchID uint `gorm:"primaryKey"`
	Year     int  `gorm:"primaryKey"`
	LastSeq  int  `gorm:"not null"`
}

// TableName keeps the table name explicit.
func (NumberSeq) TableName() string { return "contract_numbers" }

// Models lists the module's GORM models, for the schema drift test.
func Models() []any {
	return []any{&Contract{}, &Line{}, &Approval{}, &Event{}, &Task{}, &Attachment{}, &File{}, &NumberSeq{}}
}

// Size is the attachment's size as people read it (356 KB, 2.4 MB).
func (a Attachment) Size() string {
	switch {
	case a.SizeBytes >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(a.SizeBytes)/(1<<20))
	case a.SizeBytes >= 1<<10:
		return fmt.Sprintf("%d KB", (a.SizeBytes+512)>>10)
	}
	return fmt.Sprintf("%d B", a.SizeBytes)
}
