package contracts

import (
	"context"
	"time"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/prospects"
)

// Customers is what contracts need from prospects: a customer after
// checking the actor's act on it (ErrNotFound when they may not see it,
// ErrForbidden when they see it but may not act), whether they may act
// (to hide buttons), its key persons and its opportunities.
// *prospects.Service implements it.
type Customers interface {
	CustomerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error)
	Can(actor authz.Subject, act string, c *prospects.Customer) bool
	Contacts(ctx context.Context, actor authz.Subject, customerID uint) ([]prospects.Contact, error)
	Opportunities(ctx context.Context, actor authz.Subject, customerID uint) ([]prospects.Opportunity, error)
}

// Sales is what a contract changes in prospects. CloseWon runs inside the
// signing transaction: every write it makes must join ctx's transaction
// (db.WithTx), so that a failure anywhere in the signing leaves the
// opportunity and the customer as they were.
type Sales interface {
	// CloseWon marks the opportunity (if any) won (签约) and makes the
	// customer active if it is not.
	CloseWon(ctx context.Context, actor authz.Subject, customerID, opportunityID uint, note string) error
	// RenewalOpportunity opens an opportunity for a renewal and returns
	// its id.
	RenewalOpportunity(ctx context.Context, actor authz.Subject, customerID uint, title string, monthly, oneTime money.Fen, expectedClose time.Time) (uint, error)
}

// Accepted is an accepted proposal version as a contract takes it over:
// its lines and totals exactly as priced, read-only.
type Accepted struct {
	ID, CustomerID         uint
	OpportunityID          *uint
	Number                 string
	Version                int
	Title                  string
	MonthlyFen, OneTimeFen money.Fen
	TotalFen               money.Fen
	Lines                  []Line
}

// Ref is how the proposal is shown ("FA2026-000012 v2").
func (a *Accepted) Ref() string { return a.Number + " v" + itoa(a.Version) }

// Proposals gives accepted proposal versions. Accepted returns ErrNotFound
// for a version the actor may not see (or none) and a validation error for
// one that is not accepted; AcceptedOf lists a customer's accepted
// versions the actor may read.
type Proposals interface {
	Accepted(ctx context.Context, actor authz.Subject, id uint) (*Accepted, error)
	AcceptedOf(ctx context.Context, actor authz.Subject, customerID uint) ([]Accepted, error)
}

// Product is a catalogue product as a hand-made contract prices it.
type Product struct {
	ID                     uint
	Code, Name, NameEn     string
	Unit, Category         string
	MonthlyFen, OneTimeFen money.Fen
	FloorRate              money.Rate
	Active                 bool
}

// UnitIn is the product's unit in the reader's language.
func (p Product) UnitIn(loc i18n.Localizer) string {
	return catalog.UnitName(func(id string) string { return loc.T(id) }, p.Unit)
}

// DisplayName is the product's name in lang.
func (p Product) DisplayName(lang string) string {
	l := Line{ProductName: p.Name, ProductNameEn: p.NameEn}
	return l.Name(lang)
}

// Products looks catalogue products up (ByIDs) and lists those on sale.
type Products interface {
	ByIDs(ctx context.Context, ids []uint) (map[uint]Product, error)
	OnSale(ctx context.Context) ([]Product, error)
}

// Org resolves users, teams and branches. org.Service implements it.
type Org interface {
	UserByID(ctx context.Context, id uint) (*org.User, error)
	UserByUsername(ctx context.Context, username string) (*org.User, error)
	UsersByIDs(ctx context.Context, ids []uint) (map[uint]org.User, error)
	ListUsers(ctx context.Context, f org.UserFilter) ([]org.User, int64, error)
	TeamByID(ctx context.Context, id uint) (*org.Team, error)
	Teams(ctx context.Context, branchID uint, activeOnly bool) ([]org.Team, error)
	BranchByID(ctx context.Context, id uint) (*org.Branch, error)
}

// Notifier sends in-app notices. *notify.Service implements it; a notice
// sent inside a transaction commits with it.
type Notifier interface {
	Send(ctx context.Context, notices ...notify.Notice) error
}

// Deps are the other modules a Service works with.
type Deps struct {
	Customers Customers
	Sales     Sales
	Proposals Proposals
	Products  Products
	Org       Org
	Notify    Notifier
}
