package proposals

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// Statuses of a proposal version.
const (
	StatusDraft      = "draft"
	StatusPending    = "pending"
	StatusApproved   = "approved"
	StatusSent       = "sent"
	StatusAccepted   = "accepted"
	StatusRejected   = "rejected"
	StatusSuperseded = "superseded"
)

// Statuses lists every status in workflow order.
var Statuses = []string{StatusDraft, StatusPending, StatusApproved, StatusSent, StatusAccepted, StatusRejected, StatusSuperseded}

// OpenStatuses are the statuses of versions still in play.
var OpenStatuses = []string{StatusDraft, StatusPending, StatusApproved, StatusSent}

// Sections are the text parts of a proposal, in document order; each is a
// column of the proposals table.
var Sections = []string{"background", "needs_analysis", "solution", "implementation", "commitments"}

// Proposal is one version of a solution proposal. Versions of the same
// proposal share Number and RootID (the first version's id).
type Proposal struct {
	ID                 uint   `gorm:"primaryKey"`
	Number             string `gorm:"size:32;not null"`
	Version            int    `gorm:"not null"`
	RootID             *uint
	CustomerID         uint `gorm:"not null"`
	OpportunityID      *uint
	OwnerID            uint   `gorm:"not null"`
	Title              string `gorm:"size:200;not null"`
	Status             string `gorm:"size:16;not null"`
	ValidUntil         *time.Time
	Background         string    `gorm:"not null"`
	NeedsAnalysis      string    `gorm:"not null"`
	Solution           string    `gorm:"not null"`
	Implementation     string    `gorm:"not null"`
	Commitments        string    `gorm:"not null"`
	MonthlyFen         money.Fen `gorm:"not null"`
	OneTimeFen         money.Fen `gorm:"not null"`
	TotalFen           money.Fen `gorm:"not null"`
	NeedsChief         bool      `gorm:"not null"`
	NeedsDirector      bool      `gorm:"not null"`
	ChiefApprovedBy    *uint
	DirectorApprovedBy *uint
	SentAt             *time.Time
	DecidedAt          *time.Time
	LockVersion        int `gorm:"not null" audit:"-"`
	CreatedBy          *uint
	UpdatedBy          *uint
	CreatedAt          time.Time
	UpdatedAt          time.Time
	DeletedAt          gorm.DeletedAt
}

// Editable reports whether the version may be changed in place; an
// approved or sent version is changed by making a new version.
func (p *Proposal) Editable() bool { return p.Status == StatusDraft || p.Status == StatusPending }

// Final reports whether the version may go to the customer as a quote:
// it is approved, or was sent (and perhaps decided by the customer or
// superseded since). A draft, a version waiting for approval, or one
// superseded before it was ever sent is not: its PDF is marked
// 草稿 · 未审批 on every page and named as a draft (docs/proposals.md).
func (p *Proposal) Final() bool {
	switch p.Status {
	case StatusApproved, StatusSent, StatusAccepted, StatusRejected:
		return true
	case StatusSuperseded:
		return p.SentAt != nil
	}
	return false
}

// IsDraft, IsApproved and IsSent are the status questions the proposal
// page asks (value receivers, so that a version in a list asks too).
func (p Proposal) IsDraft() bool { return p.Status == StatusDraft }

// IsApproved reports whether the version is approved and not yet sent.
func (p Proposal) IsApproved() bool { return p.Status == StatusApproved }

// IsSent reports whether the version is with the customer.
func (p Proposal) IsSent() bool { return p.Status == StatusSent }

// Section returns the text of a section by name.
func (p *Proposal) Section(name string) string {
	switch name {
	case "background":
		return p.Background
	case "needs_analysis":
		return p.NeedsAnalysis
	case "solution":
		return p.Solution
	case "implementation":
		return p.Implementation
	case "commitments":
		return p.Commitments
	}
	return ""
}

// SectionText is a named section with its text.
type SectionText struct{ Name, Text string }

// SectionList is the non-empty sections in document order.
func (p *Proposal) SectionList() []SectionText {
	var out []SectionText
	for _, n := range Sections {
		if t := p.Section(n); t != "" {
			out = append(out, SectionText{n, t})
		}
	}
	return out
}

// Line is one product on a proposal, with the list prices as they were in
// the catalogue when the line was added, the rate charged and the exact
// net amounts.
type Line struct {
	ID             uint       `gorm:"primaryKey"`
	ProposalID     uint       `gorm:"not null"`
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
func (Line) TableName() string { return "proposal_lines" }

// Name is the product's name as quoted, in lang (English when there is
// one, else the Chinese name).
func (l *Line) Name(lang string) string {
	if i18n.Normalize(lang) == i18n.EN && l.ProductNameEn != "" {
		return l.ProductNameEn
	}
	return l.ProductName
}

// BelowFloor reports a discount beyond what the account manager may give.
func (l *Line) BelowFloor() bool { return l.Rate < l.FloorRate }

// NeedLink records a need a proposal answers.
type NeedLink struct {
	ProposalID uint `gorm:"primaryKey"`
	NeedID     uint `gorm:"primaryKey"`
}

// TableName keeps the table name explicit.
func (NeedLink) TableName() string { return "proposal_needs" }

// Approval is one decision on a proposal version.
type Approval struct {
	ID         uint   `gorm:"primaryKey"`
	ProposalID uint   `gorm:"not null"`
	Level      string `gorm:"size:16;not null"`
	Decision   string `gorm:"size:16;not null"`
	ByID       uint   `gorm:"not null"`
	At         time.Time
	Comment    string `gorm:"size:1000;not null"`
}

// Approved reports whether the step was approved (else it was rejected).
func (a Approval) Approved() bool { return a.Decision == "approved" }

// TableName keeps the table name explicit.
func (Approval) TableName() string { return "proposal_approvals" }

// Models lists the module's GORM models, for the schema drift test.
func Models() []any { return []any{&Proposal{}, &Line{}, &NeedLink{}, &Approval{}} }
