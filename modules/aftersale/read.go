package aftersale

import (
	"context"
	"slices"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/prospects"
)

// Detail is one request's page: the request, its customer, its steps and
// the people they name, the SLA clock and what the reader may do.
type Detail struct {
	R        *Request
	Customer *prospects.Customer
	Events   []Event
	Users    map[uint]org.User
	Contact  string
	CanWrite bool
	// Percent is how much of the resolution allowance is used.
	Percent int
	// Colleagues are whom it may be transferred to.
	Colleagues []org.User
}

// User names a user of the page.
func (d *Detail) User(id uint) org.User { return d.Users[id] }

// UserPtr names an optional user.
func (d *Detail) UserPtr(id *uint) org.User {
	if id == nil {
		return org.User{}
	}
	return d.Users[*id]
}

// Get returns a request the actor may see, with its steps.
func (s *Service) Get(ctx context.Context, actor authz.Subject, id uint) (*Detail, error) {
	r, cust, err := s.loadRequest(ctx, actor, id, "read")
	if err != nil {
		return nil, err
	}
	d := &Detail{R: r, Customer: cust, CanWrite: s.deps.Customers.Can(actor, "write", cust), Percent: s.clock.Percent(r, s.now())}
	if d.Events, err = s.store.Events(ctx, r.ID); err != nil {
		return nil, err
	}
	ids := []uint{r.FirstResponderID, r.HandlerID, cust.OwnerID}
	for _, e := range d.Events {
		if e.ByID != nil {
			ids = append(ids, *e.ByID)
		}
		if e.ToUserID != nil {
			ids = append(ids, *e.ToUserID)
		}
	}
	if d.Users, err = s.deps.Org.UsersByIDs(ctx, dedupe(ids)); err != nil {
		return nil, err
	}
	if r.ContactID != nil {
		contacts, err := s.deps.Customers.Contacts(ctx, actor, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range contacts {
			if c.ID == *r.ContactID {
				d.Contact = c.Name + " · " + c.Title
			}
		}
	}
	if d.CanWrite && r.IsOpen() {
		if d.Colleagues, err = s.colleagues(ctx, cust, r.HandlerID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// colleagues are the active people of the customer's branch who may work
// on it (a transfer's choices).
func (s *Service) colleagues(ctx context.Context, cust *prospects.Customer, except uint) ([]org.User, error) {
	users, _, err := s.deps.Org.ListUsers(ctx, org.UserFilter{BranchID: cust.BranchID, Status: "active", Sort: "name", Limit: 500})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(u org.User) bool {
		return u.ID == except || !s.deps.Customers.Can(u.Subject(), "write", cust)
	}), nil
}

// List lists requests within the actor's read scope.
func (s *Service) List(ctx context.Context, actor authz.Subject, f RequestFilter) ([]RequestRow, int64, error) {
	f.Me, f.Now = actor.ID, s.now()
	return s.store.ListRequests(ctx, s.enf.ListScope(actor, "customer", "read"), f)
}

// Each calls fn with batches of the requests matching f within scope
// (exports).
func (s *Service) Each(ctx context.Context, actor authz.Subject, f RequestFilter, fn func([]RequestRow) error) error {
	f.Me, f.Now = actor.ID, s.now()
	return s.store.EachRequest(ctx, s.enf.ListScope(actor, "customer", "read"), f, fn)
}

// CustomerFor checks the actor's act on a customer.
func (s *Service) CustomerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error) {
	return s.deps.Customers.CustomerFor(ctx, actor, id, act)
}

// CanWrite reports whether the actor may write the customer.
func (s *Service) CanWrite(actor authz.Subject, cust *prospects.Customer) bool {
	return s.deps.Customers.Can(actor, "write", cust)
}

// Contacts lists a customer's key persons.
func (s *Service) Contacts(ctx context.Context, actor authz.Subject, customerID uint) ([]prospects.Contact, error) {
	return s.deps.Customers.Contacts(ctx, actor, customerID)
}

// Touches lists a customer's recent touches.
func (s *Service) Touches(ctx context.Context, customerID uint) ([]Touch, error) {
	return s.store.TouchesOf(ctx, customerID, 20)
}

// CareDates lists a customer's key dates.
func (s *Service) CareDates(ctx context.Context, customerID uint) ([]CareDate, error) {
	return s.store.CareDatesOf(ctx, customerID)
}

// OpenOf lists a customer's open requests for a reader who may see it.
func (s *Service) OpenOf(ctx context.Context, actor authz.Subject, customerID uint) ([]Request, error) {
	if _, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "read"); err != nil {
		return nil, err
	}
	return s.store.OpenOfCustomer(ctx, customerID)
}

// TeamsFor lists the teams the actor may filter by (org.FilterTeams).
func (s *Service) TeamsFor(ctx context.Context, actor authz.Subject) ([]org.Team, error) {
	return org.FilterTeams(ctx, s.deps.Org, actor)
}

// OwnersFor lists the people the actor may filter by (org.FilterOwners).
func (s *Service) OwnersFor(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	return org.FilterOwners(ctx, s.deps.Org, actor)
}

// Categories are the categories offered for a customer's branch.
func (s *Service) Categories(ctx context.Context, branchID uint) ([]string, error) {
	st, err := s.store.Settings(ctx, branchID)
	if err != nil {
		return nil, err
	}
	return st.CategoryList(), nil
}
