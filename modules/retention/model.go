// Package retention computes each customer's churn risk (离网风险) from
// documented factors and runs the retention queue (挽留): customers above
// the threshold get an alert that needs an action and an outcome within
// deadlines, and unhandled alerts escalate like complaints. See
// docs/retention.md for the score's definition and the rules.
package retention

import (
	"encoding/json"
	"time"
)

// Alert statuses: open (no action yet), acted (an action recorded, the
// outcome pending), closed (an outcome recorded).
const (
	StatusOpen   = "open"
	StatusActed  = "acted"
	StatusClosed = "closed"
)

// Statuses lists the alert statuses in their queue order.
var Statuses = []string{StatusOpen, StatusActed, StatusClosed}

// Actions an alert may get: a retention visit planned, an offer proposed,
// or escalated to the chief rep.
const (
	ActionVisit    = "visit"
	ActionOffer    = "offer"
	ActionEscalate = "escalate"
)

// Actions lists the actions in the form's order.
var Actions = []string{ActionVisit, ActionOffer, ActionEscalate}

// Outcomes of an alert; partly and lost need a reason.
const (
	OutcomeRetained = "retained"
	OutcomePartly   = "partly"
	OutcomeLost     = "lost"
)

// Outcomes lists the outcomes in the form's order.
var Outcomes = []string{OutcomeRetained, OutcomePartly, OutcomeLost}

// Factor is one reason a customer's score is what it is: its code, the
// points it added and its explanation (a message id and its arguments).
type Factor struct {
	Code   string            `json:"code"`
	Points int               `json:"points"`
	MsgID  string            `json:"msg"`
	Args   map[string]string `json:"args,omitempty"`
}

// ArgList is the explanation's arguments as the translator takes them.
func (f Factor) ArgList() []any {
	out := make([]any, 0, 2*len(f.Args))
	for _, k := range sortedKeys(f.Args) {
		out = append(out, k, f.Args[k])
	}
	return out
}

// Score is a customer's churn score (ChurnScore row).
type Score struct {
	CustomerID uint      `gorm:"primaryKey;autoIncrement:false"`
	Score      int       `gorm:"not null"`
	Factors    string    `gorm:"not null"`
	ComputedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name explicit.
func (Score) TableName() string { return "churn_scores" }

// FactorList decodes the stored factors (none when unreadable).
func (s Score) FactorList() []Factor { return decodeFactors(s.Factors) }

func decodeFactors(text string) []Factor {
	var out []Factor
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil
	}
	for i, f := range out {
		// Factors stored before the English names were kept: their
		// English text names the products as the Chinese one does.
		if f.Code == FactorProductDrop && f.Args["ProductsEn"] == "" && f.Args["Products"] != "" {
			out[i].Args["ProductsEn"] = f.Args["Products"]
		}
	}
	return out
}

func encodeFactors(fs []Factor) string {
	b, err := json.Marshal(fs)
	if err != nil { // a []Factor of strings and ints always marshals
		return "[]"
	}
	return string(b)
}

// Alert is a retention alert (挽留预警) of one customer: opened by the job
// when the score reached the threshold, closed by its outcome. ActionDueAt
// and OutcomeDueAt are its two deadlines; DueAt is the one running now
// (the action's until an action is recorded, then the outcome's), with
// its warning (WarnAt) and the director's step (DirectorAt).
type Alert struct {
	ID            uint      `gorm:"primaryKey"`
	CustomerID    uint      `gorm:"not null"`
	OwnerID       uint      `gorm:"not null"`
	Score         int       `gorm:"not null"`
	Factors       string    `gorm:"not null" audit:"-"`
	Status        string    `gorm:"size:16;not null"`
	OpenedAt      time.Time `gorm:"not null"`
	ActionDueAt   time.Time `gorm:"not null"`
	OutcomeDueAt  time.Time `gorm:"not null"`
	DueAt         time.Time `gorm:"not null"`
	WarnAt        time.Time `gorm:"not null"`
	DirectorAt    time.Time `gorm:"not null"`
	WarnedAt      *time.Time
	BreachedAt    *time.Time
	Escalation    int    `gorm:"not null"`
	Action        string `gorm:"size:16;not null"`
	ActionNote    string `gorm:"size:500;not null"`
	ActionAt      *time.Time
	ActionBy      *uint
	Outcome       string `gorm:"size:16;not null"`
	OutcomeReason string `gorm:"size:500;not null"`
	OutcomeAt     *time.Time
	OutcomeBy     *uint
	Version       int `gorm:"not null" audit:"-"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time
	DeletedBy     *uint
}

// TableName keeps the table name explicit.
func (Alert) TableName() string { return "retention_alerts" }

// FactorList decodes the factors the alert was opened with.
func (a Alert) FactorList() []Factor { return decodeFactors(a.Factors) }

// IsOpen reports whether the alert still waits for its outcome.
func (a Alert) IsOpen() bool { return a.Status != StatusClosed }

// Overdue reports whether the running deadline passed at now.
func (a Alert) Overdue(now time.Time) bool { return a.IsOpen() && !now.Before(a.DueAt) }

// Models lists the module's models (the schema drift test).
func Models() []any { return []any{&Score{}, &Alert{}} }
