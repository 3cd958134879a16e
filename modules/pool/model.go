// Package pool is the shared customer pool (公海) of each branch and the
// nightly reclaim that fills it. A customer nobody works — not A-grade, no
// chief rep, no contract in force, no open opportunity, no contact for the
// branch's N days — is warned about to its owner W days before and then
// moved to the branch's pool. Every account manager of the branch sees the
// pool (name, industry, grade, last contact; nothing else) and may claim
// from it up to a monthly limit; a chief rep or director assigns from it.
//
// A pooled customer is owned by the branch's pool holder: a disabled user
// that cannot sign in (pool_rules.holder_id). Keeping owner_id a real user
// keeps every customer scope — lists, search, exports, detail pages of
// every module — correct without a special case: the old owner simply no
// longer owns it. Owner changes go through prospects (MoveToPool,
// TakeFromPool), so they are saved, audited and locked like a reassign.
package pool

import "time"

// Defaults of a branch's rule.
const (
	DefaultIdleDays   = 90
	DefaultWarnDays   = 7
	DefaultClaimLimit = 10
)

// Move kinds.
const (
	KindPooled   = "pooled"
	KindClaimed  = "claimed"
	KindAssigned = "assigned"
)

// Rule is a branch's pool rule.
type Rule struct {
	ID         uint `gorm:"primaryKey"`
	BranchID   uint `gorm:"not null"`
	Enabled    bool `gorm:"not null"`
	IdleDays   int  `gorm:"not null"`
	WarnDays   int  `gorm:"not null"`
	ClaimLimit int  `gorm:"not null"`
	HolderID   *uint
	Version    int `gorm:"not null"`
	CreatedBy  *uint
	UpdatedBy  *uint
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName is the rules table.
func (Rule) TableName() string { return "pool_rules" }

// defaultRule is the rule of a branch that has none saved (disabled).
func defaultRule(branchID uint) Rule {
	return Rule{BranchID: branchID, IdleDays: DefaultIdleDays, WarnDays: DefaultWarnDays, ClaimLimit: DefaultClaimLimit}
}

// Entry is a customer in a branch's pool.
type Entry struct {
	CustomerID  uint `gorm:"primaryKey;autoIncrement:false"`
	BranchID    uint `gorm:"not null"`
	FromOwnerID *uint
	PooledAt    time.Time `gorm:"not null"`
}

// TableName is the pool's table.
func (Entry) TableName() string { return "pool_entries" }

// Move is one move into or out of the pool.
type Move struct {
	ID          uint   `gorm:"primaryKey"`
	CustomerID  uint   `gorm:"not null"`
	BranchID    uint   `gorm:"not null"`
	Kind        string `gorm:"size:16;not null"`
	FromOwnerID *uint
	ToOwnerID   *uint
	ActorID     *uint
	At          time.Time `gorm:"not null"`
}

// TableName is the moves table.
func (Move) TableName() string { return "pool_moves" }

// Warning is the last warning an owner had that a customer goes to the
// pool on DueOn.
type Warning struct {
	CustomerID uint      `gorm:"primaryKey;autoIncrement:false"`
	OwnerID    uint      `gorm:"not null"`
	DueOn      time.Time `gorm:"not null"`
	WarnedAt   time.Time `gorm:"not null"`
}

// TableName is the warnings table.
func (Warning) TableName() string { return "pool_warnings" }

// Models lists the package's GORM models (schema drift test).
func Models() []any { return []any{&Rule{}, &Entry{}, &Move{}, &Warning{}} }

// Row is a pooled customer as the pool list shows it: no phones, no
// history, nothing else.
type Row struct {
	CustomerID  uint
	Name        string
	Industry    string
	Grade       string
	Version     int
	LastContact *time.Time
	PooledAt    time.Time
}

// Filter narrows the pool list.
type Filter struct {
	Q        string
	Industry string
	Grade    string
	Sort     string // name, grade, contact, pooled (default); "-" prefix: descending
}
