package aftersale

import (
	"context"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/prospects"
)

// Customers is what after-sale needs from prospects: a customer after
// checking the actor's act on it (ErrNotFound out of reach, ErrForbidden
// seen but not allowed), whether they may act, and its key persons.
// *prospects.Service implements it.
type Customers interface {
	CustomerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error)
	Can(actor authz.Subject, act string, c *prospects.Customer) bool
	Contacts(ctx context.Context, actor authz.Subject, customerID uint) ([]prospects.Contact, error)
}

// Org resolves users and teams. *org.Store implements it.
type Org interface {
	UserByID(ctx context.Context, id uint) (*org.User, error)
	UsersByIDs(ctx context.Context, ids []uint) (map[uint]org.User, error)
	ListUsers(ctx context.Context, f org.UserFilter) ([]org.User, int64, error)
	TeamByID(ctx context.Context, id uint) (*org.Team, error)
	Teams(ctx context.Context, branchID uint, activeOnly bool) ([]org.Team, error)
}

// Notifier sends in-app notices. *notify.Service implements it; a notice
// sent inside a transaction commits with it.
type Notifier interface {
	Send(ctx context.Context, notices ...notify.Notice) error
}

// Activation is a contract that came into force (a call-back is due).
type Activation struct {
	ContractID, CustomerID uint
	Number                 string
}

// Deps are the other modules a Service works with.
type Deps struct {
	Customers Customers
	Org       Org
	Notify    Notifier
	// Calendar gives working days for business-hours SLAs (nil: Monday to
	// Friday).
	Calendar WorkCalendar
}
