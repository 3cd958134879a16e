package prospects

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// Industries (行业), in the order the UI lists them.
var Industries = []string{"gov", "finance", "education", "healthcare", "manufacturing", "logistics", "energy", "trade", "internet", "other"}

// Grades: A = key accounts (重点客户) … D.
var Grades = []string{"A", "B", "C", "D"}

// Statuses of a customer: 潜在, 在网, 沉默, 离网.
var Statuses = []string{"prospect", "active", "dormant", "churned"}

// Competitors (在网运营商) a customer may already use.
var Competitors = []string{"cmcc", "ctcc", "cucc", "cbn", "other"}

// Qualification answers for each of the four signs.
const (
	QualYes    = "yes"
	QualPartly = "partly"
	QualNo     = "no"
)

// Customer is a group customer (集团客户). OwnerID is the account manager
// doing the daily work; ChiefRepID the optional chief representative.
// TeamID and BranchID follow the owner and are stored so that scoped lists
// filter on indexed columns.
type Customer struct {
	ID             uint      `gorm:"primaryKey"`
	Name           string    `gorm:"size:200;not null"`
	CreditCode     string    `gorm:"size:18;not null"`
	Industry       string    `gorm:"size:32;not null"`
	Grade          string    `gorm:"size:1;not null"`
	Headcount      int       `gorm:"not null"`
	AnnualSpendFen money.Fen `gorm:"not null"`
	Address        string    `gorm:"size:300;not null"`
	Region         string    `gorm:"size:100;not null"`
	Status         string    `gorm:"size:16;not null"`
	Competitors    string    `gorm:"size:100;not null"`
	OwnerID        uint      `gorm:"not null"`
	ChiefRepID     *uint
	TeamID         uint `gorm:"not null"`
	BranchID       uint `gorm:"not null"`
	// ParentID is the group customer this one is a member of (集团 →
	// 成员单位), any depth; nil for a top-level customer. Cycles are
	// refused by the service (see hierarchy.go).
	ParentID *uint
	// OwnerChangedAt is when the owner last changed — a reassignment, a
	// move into the pool, a claim or an assignment from it — stamped by
	// Store.SaveCustomer whenever a save changes owner_id (and by the
	// pool's set-based move); nil when the owner never changed. The
	// pool's idle days count from it, so a customer just given to
	// someone is not warned or pooled the next night.
	OwnerChangedAt *time.Time `audit:"-"`

	QualPay            string `gorm:"size:8;not null"`
	QualPayNote        string `gorm:"size:300;not null"`
	QualNeed           string `gorm:"size:8;not null"`
	QualNeedNote       string `gorm:"size:300;not null"`
	QualAuthority      string `gorm:"size:8;not null"`
	QualAuthorityNote  string `gorm:"size:300;not null"`
	QualAcceptance     string `gorm:"size:8;not null"`
	QualAcceptanceNote string `gorm:"size:300;not null"`
	QualScore          int    `gorm:"not null"`

	// SearchText is the lower-cased name, code and key person names, kept
	// in one column so one indexed LIKE finds any of them.
	SearchText string `gorm:"not null" audit:"-"`

	Version   int `gorm:"not null"`
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt
}

// Ref places the customer in the organisation for permission checks.
func (c *Customer) Ref() authz.Ref {
	r := authz.Ref{OwnerID: c.OwnerID, TeamID: c.TeamID, BranchID: c.BranchID}
	if c.ChiefRepID != nil {
		r.ChiefRepID = *c.ChiefRepID
	}
	return r
}

// CompetitorList splits the stored competitor codes.
func (c *Customer) CompetitorList() []string { return splitList(c.Competitors) }

// LacksChief reports an A-grade (key) customer with no chief
// representative: the handbook's 首席客户代表制 wants one for each, so the
// customer page and the lists flag it for the director to assign.
func (c *Customer) LacksChief() bool { return c.Grade == "A" && c.ChiefRepID == nil }

// Contact roles in the buying decision.
var ContactRoles = []string{"decision", "influencer", "user", "gatekeeper"}

// Attitudes of a key person towards us.
var Attitudes = []string{"supporter", "neutral", "opponent"}

// Contact is a key person (关键人) of a customer.
type Contact struct {
	ID          uint   `gorm:"primaryKey"`
	CustomerID  uint   `gorm:"not null"`
	Name        string `gorm:"size:100;not null"`
	Title       string `gorm:"size:100;not null"`
	Mobile      string `gorm:"size:20;not null"`
	Phone       string `gorm:"size:24;not null"`
	Email       string `gorm:"size:200;not null"`
	Role        string `gorm:"size:16;not null"`
	Attitude    string `gorm:"size:16;not null"`
	Birthday    *time.Time
	Preferences string `gorm:"size:500;not null"`
	Notes       string `gorm:"not null"`
	Version     int    `gorm:"not null"`
	CreatedBy   *uint
	UpdatedBy   *uint
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   gorm.DeletedAt
}

// Stages of an opportunity, in the handbook's order. Won and Lost end it.
const (
	StageIdentified  = "identified"
	StageContacted   = "contacted"
	StageVisited     = "visited"
	StageNeeds       = "needs"
	StageProposal    = "proposal"
	StageNegotiation = "negotiation"
	StageWon         = "won"
	StageLost        = "lost"
)

// Stages lists every stage; OpenStages those on the board before the end.
var (
	Stages     = []string{StageIdentified, StageContacted, StageVisited, StageNeeds, StageProposal, StageNegotiation, StageWon, StageLost}
	OpenStages = []string{StageIdentified, StageContacted, StageVisited, StageNeeds, StageProposal, StageNegotiation}
)

// DefaultProbability is the win probability (percent) a stage suggests.
var DefaultProbability = map[string]int{
	StageIdentified: 10, StageContacted: 20, StageVisited: 30, StageNeeds: 40,
	StageProposal: 60, StageNegotiation: 80, StageWon: 100, StageLost: 0,
}

// LostReasons a lost opportunity must give one of.
var LostReasons = []string{"price", "competitor", "no_budget", "no_decision", "timing", "other"}

// Opportunity is a 商机: a chance to sell something to a customer.
type Opportunity struct {
	ID             uint      `gorm:"primaryKey"`
	CustomerID     uint      `gorm:"not null"`
	Title          string    `gorm:"size:200;not null"`
	Products       string    `gorm:"size:300;not null"`
	MonthlyFen     money.Fen `gorm:"not null"`
	OneTimeFen     money.Fen `gorm:"not null"`
	ExpectedClose  *time.Time
	Stage          string `gorm:"size:16;not null"`
	Probability    int    `gorm:"not null"`
	OwnerID        uint   `gorm:"not null"`
	LostReason     string `gorm:"size:16;not null"`
	LostNote       string `gorm:"size:500;not null"`
	StageChangedAt time.Time
	Version        int `gorm:"not null"`
	CreatedBy      *uint
	UpdatedBy      *uint
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeletedAt      gorm.DeletedAt
}

// Closed reports whether the opportunity is won or lost.
func (o *Opportunity) Closed() bool { return o.Stage == StageWon || o.Stage == StageLost }

// IsWon and IsLost are the stage questions pages ask (value receivers, so
// that a card passed through a template's dict can ask them too).
func (o Opportunity) IsWon() bool { return o.Stage == StageWon }

// IsLost reports whether the opportunity was lost.
func (o Opportunity) IsLost() bool { return o.Stage == StageLost }

// StageChange records one move of an opportunity through the pipeline.
type StageChange struct {
	ID            uint   `gorm:"primaryKey"`
	OpportunityID uint   `gorm:"not null"`
	FromStage     string `gorm:"size:16;not null"`
	ToStage       string `gorm:"size:16;not null"`
	ByID          uint   `gorm:"not null"`
	At            time.Time
	Note          string `gorm:"size:500;not null"`
	// NextAt and NextStage are the opportunity's next change, kept by the
	// database's triggers (migration 00051) for the velocity report; the
	// application never writes them.
	NextAt    *time.Time `gorm:"->"`
	NextStage *string    `gorm:"->;size:16"`
}

// Models lists the module's GORM models, for the schema drift test.
func Models() []any { return []any{&Customer{}, &Contact{}, &Opportunity{}, &StageChange{}} }
