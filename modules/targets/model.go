package targets

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
)

// Line keys: the things a month is measured by.
const (
	LineVisits    = "visits"    // 走访 completed
	LineABVisits  = "ab_visits" // visits to A/B customers
	LineContacts  = "contacts"  // new key persons (新增联系人)
	LineSignings  = "signings"  // won opportunities / signed contracts
	LineMRC       = "mrc"       // new monthly recurring revenue (新增月收入), fen
	LineProposals = "proposals" // proposals sent to the customer
)

// LineDef describes a line: its key, whether it is money (fen), and the
// most a month may sensibly ask for (a target above is a typing mistake).
type LineDef struct {
	Key   string
	Money bool
	Max   int64
	// Quota marks the lines an annual quota is set for.
	Quota bool
}

// Lines lists every line in display order.
var Lines = []LineDef{
	{Key: LineVisits, Max: 300, Quota: true},
	{Key: LineABVisits, Max: 300},
	{Key: LineContacts, Max: 300},
	{Key: LineSignings, Max: 100, Quota: true},
	{Key: LineMRC, Money: true, Max: 5_000_000_00, Quota: true},
	{Key: LineProposals, Max: 100},
}

// lineDef returns the definition of key.
func lineDef(key string) (LineDef, bool) {
	for _, l := range Lines {
		if l.Key == key {
			return l, true
		}
	}
	return LineDef{}, false
}

// Values are a month's figures per line (counts, or fen for mrc).
type Values map[string]int64

// Quota is an annual quota (年度任务): an account manager's (OwnerID set)
// or a whole team's (OwnerID nil).
type Quota struct {
	ID        uint `gorm:"primaryKey"`
	Year      int
	OwnerID   *uint
	TeamID    uint
	BranchID  uint
	Visits    int64
	Signings  int64
	MRCFen    money.Fen `gorm:"column:mrc_fen"`
	Version   int
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the quotas table.
func (Quota) TableName() string { return "target_quotas" }

// Ref places the quota in the organisation.
func (q *Quota) Ref() authz.Ref {
	r := authz.Ref{TeamID: q.TeamID, BranchID: q.BranchID}
	if q.OwnerID != nil {
		r.OwnerID = *q.OwnerID
	}
	return r
}

// Value is the quota of a line (0 for lines without a quota).
func (q *Quota) Value(line string) int64 {
	switch line {
	case LineVisits:
		return q.Visits
	case LineSignings:
		return q.Signings
	case LineMRC:
		return int64(q.MRCFen)
	}
	return 0
}

// Target is an account manager's targets for one month.
type Target struct {
	ID        uint `gorm:"primaryKey"`
	Month     string
	OwnerID   uint
	TeamID    uint
	BranchID  uint
	Visits    int64
	ABVisits  int64 `gorm:"column:ab_visits"`
	Contacts  int64
	Signings  int64
	MRCFen    money.Fen `gorm:"column:mrc_fen"`
	Proposals int64
	Version   int
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName is the monthly targets table.
func (Target) TableName() string { return "monthly_targets" }

// Ref places the target in the organisation: it is the manager's.
func (t *Target) Ref() authz.Ref {
	return authz.Ref{OwnerID: t.OwnerID, TeamID: t.TeamID, BranchID: t.BranchID}
}

// Values are the target's lines.
func (t *Target) Values() Values {
	v := make(Values, len(Lines))
	for _, l := range Lines {
		v[l.Key] = t.Value(l.Key)
	}
	return v
}

// Value is the target's line key (0 for an unknown key): Values without
// building a map, for grids of many rows.
func (t *Target) Value(key string) int64 {
	switch key {
	case LineVisits:
		return t.Visits
	case LineABVisits:
		return t.ABVisits
	case LineContacts:
		return t.Contacts
	case LineSignings:
		return t.Signings
	case LineMRC:
		return int64(t.MRCFen)
	case LineProposals:
		return t.Proposals
	}
	return 0
}

// SetValues writes v's lines into the target.
func (t *Target) SetValues(v Values) {
	t.Visits, t.ABVisits, t.Contacts = v[LineVisits], v[LineABVisits], v[LineContacts]
	t.Signings, t.MRCFen, t.Proposals = v[LineSignings], money.Fen(v[LineMRC]), v[LineProposals]
}

// Review statuses. 未提交 is draft (or no review yet), 已提交 submitted,
// 已点评 signed off, 已退回 returned to the manager.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
	StatusSignedOff = "signed_off"
)

// Reasons a line was missed (the handbook's 销售目标分析).
var Reasons = []string{"A", "B", "C", "D"}

// Review is an account manager's month-end review (月度总结).
type Review struct {
	ID          uint `gorm:"primaryKey"`
	Month       string
	OwnerID     uint
	TeamID      uint
	BranchID    uint
	Status      string
	Summary     string
	SubmittedAt *time.Time
	SignedOffAt *time.Time
	SignedOffBy *uint
	Version     int
	CreatedBy   *uint
	UpdatedBy   *uint
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Lines       []ReviewLine  `gorm:"foreignKey:ReviewID" audit:"-"`
	Events      []ReviewEvent `gorm:"foreignKey:ReviewID" audit:"-"`
}

// TableName is the reviews table.
func (Review) TableName() string { return "monthly_reviews" }

// Ref places the review in the organisation: it is the manager's.
func (r *Review) Ref() authz.Ref {
	return authz.Ref{OwnerID: r.OwnerID, TeamID: r.TeamID, BranchID: r.BranchID}
}

// Editable reports whether the manager may still change it.
func (r *Review) Editable() bool { return r.Status == StatusDraft || r.Status == StatusReturned }

// IsSubmitted reports whether it waits for the chief rep.
func (r *Review) IsSubmitted() bool { return r.Status == StatusSubmitted }

// IsSignedOff reports whether it is final (frozen).
func (r *Review) IsSignedOff() bool { return r.Status == StatusSignedOff }

// IsReturned reports whether the chief rep sent it back.
func (r *Review) IsReturned() bool { return r.Status == StatusReturned }

// HasSnapshot reports whether the actuals were frozen at a submission.
func (r *Review) HasSnapshot() bool { return r.SubmittedAt != nil }

// Line returns the review's line for key (a zero line if absent).
func (r *Review) Line(key string) ReviewLine {
	for _, l := range r.Lines {
		if l.Line == key {
			return l
		}
	}
	return ReviewLine{Line: key}
}

// ReviewLine is one line of a review: target and actual (snapshot at the
// last submission) and, when missed, the reason and the improvement.
type ReviewLine struct {
	ID       uint `gorm:"primaryKey"`
	ReviewID uint
	Line     string
	Target   int64
	Actual   int64
	Reason   string
	Note     string
}

// TableName is the review lines table.
func (ReviewLine) TableName() string { return "review_lines" }

// Missed reports whether the line had a target that was not reached.
func (l ReviewLine) Missed() bool { return l.Target > 0 && l.Actual < l.Target }

// ReviewEvent is one step of a review's history.
type ReviewEvent struct {
	ID       uint `gorm:"primaryKey"`
	ReviewID uint
	ActorID  uint
	Action   string
	Body     string
	At       time.Time
}

// TableName is the review history table.
func (ReviewEvent) TableName() string { return "review_events" }

// Review actions in the history.
const (
	ActSubmit  = "submit"
	ActComment = "comment"
	ActReturn  = "return"
	ActSignOff = "signoff"
)

// Models lists the module's GORM models (schema drift test).
func Models() []any {
	return []any{&Quota{}, &Target{}, &Review{}, &ReviewLine{}, &ReviewEvent{}}
}
