package retention

import (
	"context"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/prospects"
)

// Customers is what retention needs from prospects: a customer after
// checking the actor's act on it (ErrNotFound out of reach).
// *prospects.Service implements it.
type Customers interface {
	CustomerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error)
}

// Org resolves teams and directors for escalations. *org.Service's store
// implements it.
type Org interface {
	TeamByID(ctx context.Context, id uint) (*org.Team, error)
	ListUsers(ctx context.Context, f org.UserFilter) ([]org.User, int64, error)
	Teams(ctx context.Context, branchID uint, activeOnly bool) ([]org.Team, error)
}

// Notifier sends in-app notices; a notice sent inside a transaction
// commits with it. *notify.Service implements it.
type Notifier interface {
	Send(ctx context.Context, notices ...notify.Notice) error
}

// Deps are the other modules a Service works with.
type Deps struct {
	Customers Customers
	Org       Org
	Notify    Notifier
}
