package contracts

import (
	"context"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/prospects"
)

// Detail is what the contract page (and its PDF) shows.
type Detail struct {
	C         *Contract
	Customer  *prospects.Customer
	Lines     []Line
	Approvals []Approval
	// Revisions are the contract's revisions, newest first (amendments).
	Revisions   []Contract
	Tasks       []Task
	Attachments []Attachment
	// Predecessor is the contract this one renews; Successor the one
	// renewing it (nil when none).
	Predecessor, Successor *Contract
	// CustomerSignatory is the key person signing for the customer.
	CustomerSignatory *prospects.Contact
	// Users holds every user the page names, by id.
	Users map[uint]org.User
	// History is the trail of the contract's revisions and tasks, newest
	// first (see historyOf).
	History []audit.Entry
	// ChiefID is the customer's chief rep, or the team's leader; 0 if none.
	ChiefID uint
	Today   time.Time
	// Level is the approval step the revision waits for ("" for none).
	Level string
	// Permitted actions now, for the buttons.
	Can map[Action]bool
	// CanDecide is whether the reader may decide the waiting step.
	CanDecide bool
}

// User returns a user of the detail by id (zero value if unknown).
func (d *Detail) User(id uint) org.User { return d.Users[id] }

// UserPtr is User for an optional id.
func (d *Detail) UserPtr(id *uint) org.User {
	if id == nil {
		return org.User{}
	}
	return d.Users[*id]
}

// May reports whether the reader may do the named action now.
func (d *Detail) May(act string) bool { return d.Can[Action(act)] }

// TasksDone and TasksTotal are the implementation's progress.
func (d *Detail) TasksDone() int {
	n := 0
	for _, t := range d.Tasks {
		if t.IsDone() {
			n++
		}
	}
	return n
}

// TasksTotal is the number of tasks.
func (d *Detail) TasksTotal() int { return len(d.Tasks) }

// Progress is the share of tasks done, in percent (0 with no tasks).
func (d *Detail) Progress() int {
	if len(d.Tasks) == 0 {
		return 0
	}
	return d.TasksDone() * 100 / len(d.Tasks)
}

// Overdue reports whether a task is late today.
func (d *Detail) Overdue(t Task) bool { return t.OverdueOn(d.Today) }

// DaysLeft is the number of days until the contract ends.
func (d *Detail) DaysLeft() int { return daysBetween(d.Today, d.C.EndOn) }

// LinesFixed reports whether the lines are the accepted proposal's.
func (d *Detail) LinesFixed() bool { return LinesFixed(d.C) }

// Get loads a revision for its page.
func (s *Service) Get(ctx context.Context, actor authz.Subject, id uint) (*Detail, error) {
	c, cust, err := s.load(ctx, actor, id, ActRead)
	if err != nil {
		return nil, err
	}
	d := &Detail{C: c, Customer: cust, Today: s.Today(), Level: NextLevel(c), Can: map[Action]bool{}}
	for _, a := range Actions {
		d.Can[a] = s.can(actor, a, c, cust)
	}
	// Renewing and amending start from the revision in force only.
	d.Can[ActRenew] = d.Can[ActRenew] && c.IsCurrent
	d.Can[ActAmend] = d.Can[ActAmend] && c.IsCurrent
	d.CanDecide = d.Can[ActDecide] && s.decisionError(ctx, actor, c, cust) == nil
	if d.Lines, err = s.store.Lines(ctx, c.ID); err != nil {
		return nil, err
	}
	if d.Approvals, err = s.store.Approvals(ctx, c.ID); err != nil {
		return nil, err
	}
	if d.Revisions, err = s.store.Revisions(ctx, c.Root()); err != nil {
		return nil, err
	}
	if d.Tasks, err = s.store.Tasks(ctx, c.Root()); err != nil {
		return nil, err
	}
	if d.Attachments, err = s.store.Attachments(ctx, c.Root()); err != nil {
		return nil, err
	}
	if d.Successor, err = s.store.Successor(ctx, c.Root()); err != nil {
		return nil, err
	}
	if c.PredecessorID != nil {
		if p, err := s.store.Current(ctx, *c.PredecessorID); err == nil {
			d.Predecessor = p
		}
	}
	if c.CustomerSignatoryID != nil {
		contacts, err := s.deps.Customers.Contacts(ctx, actor, cust.ID)
		if err != nil {
			return nil, err
		}
		for i := range contacts {
			if contacts[i].ID == *c.CustomerSignatoryID {
				d.CustomerSignatory = &contacts[i]
			}
		}
	}
	if d.ChiefID, err = s.chiefOf(ctx, cust); err != nil {
		return nil, err
	}
	if d.History, err = s.historyOf(ctx, d); err != nil {
		return nil, err
	}
	ids := []uint{c.OwnerID, cust.OwnerID, d.ChiefID}
	for _, p := range []*uint{c.OurSignatoryID, c.ChiefApprovedBy, c.DirectorApprovedBy, c.CreatedBy} {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	for _, a := range d.Approvals {
		ids = append(ids, a.ByID)
	}
	for _, t := range d.Tasks {
		ids = append(ids, t.OwnerID)
	}
	for _, a := range d.Attachments {
		ids = append(ids, a.UploadedBy)
	}
	if d.Users, err = s.deps.Org.UsersByIDs(ctx, dedupe(ids)); err != nil {
		return nil, err
	}
	return d, nil
}

// List returns the current contracts the actor may read matching f.
func (s *Service) List(ctx context.Context, actor authz.Subject, f Filter) ([]Row, int64, error) {
	f.Today = s.Today()
	return s.store.List(ctx, s.enf.ListScope(actor, "customer", "read"), f)
}

// Each streams the contracts the actor may read matching f (exports: the
// same scope as the list).
func (s *Service) Each(ctx context.Context, actor authz.Subject, f Filter, fn func([]Row) error) error {
	f.Today = s.Today()
	return s.store.Each(ctx, s.enf.ListScope(actor, "customer", "read"), f, fn)
}

// OfCustomer lists every revision of a readable customer's contracts.
func (s *Service) OfCustomer(ctx context.Context, actor authz.Subject, customerID uint) (*prospects.Customer, []Contract, error) {
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "read")
	if err != nil {
		return nil, nil, err
	}
	list, err := s.store.OfCustomer(ctx, s.enf.ListScope(actor, "customer", "read"), cust.ID)
	return cust, list, err
}

// AwaitingContract lists a customer's accepted proposal versions that no
// contract was made from yet.
func (s *Service) AwaitingContract(ctx context.Context, actor authz.Subject, customerID uint) ([]Accepted, error) {
	if s.deps.Proposals == nil {
		return nil, nil
	}
	all, err := s.deps.Proposals.AcceptedOf(ctx, actor, customerID)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, len(all))
	for i, a := range all {
		ids[i] = a.ID
	}
	taken, err := s.store.TakenProposals(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []Accepted
	for _, a := range all {
		if !taken[a.ID] {
			out = append(out, a)
		}
	}
	return out, nil
}

// InForceOf lists a readable customer's contracts in force, ending first
// first (the pre-visit brief and the customer analysis's incumbent mark).
func (s *Service) InForceOf(ctx context.Context, actor authz.Subject, customerID uint) ([]Row, error) {
	rows, _, err := s.List(ctx, actor, Filter{CustomerID: customerID, Statuses: InForce, Sort: "end", Limit: 20})
	return rows, err
}

// Expiring lists the contracts in force ending within days, ending first
// first, with the list's other filters.
func (s *Service) Expiring(ctx context.Context, actor authz.Subject, f Filter) ([]Row, int64, error) {
	if f.ExpiringWithin <= 0 {
		f.ExpiringWithin = s.Window()
	}
	if f.Sort == "" {
		f.Sort = "end"
	}
	return s.List(ctx, actor, f)
}

// OverdueTasks lists the actor's own overdue implementation tasks (home).
func (s *Service) OverdueTasks(ctx context.Context, actor authz.Subject, limit int) ([]TaskRow, int64, error) {
	return s.store.OverdueTasksOf(ctx, s.enf.ListScope(actor, "customer", "read"), actor.ID, s.Today(), limit)
}

// Products lists the catalogue's products on sale (the hand form).
func (s *Service) Products(ctx context.Context) ([]Product, error) {
	if s.deps.Products == nil {
		return nil, nil
	}
	return s.deps.Products.OnSale(ctx)
}

// FormChoices are the choices of the contract form for a customer.
type FormChoices struct {
	Signatories []org.User
	Contacts    []prospects.Contact
	Opps        []prospects.Opportunity
	Products    []Product
}

// Choices loads the form's choices for a customer the actor may write.
func (s *Service) Choices(ctx context.Context, actor authz.Subject, cust *prospects.Customer, withProducts bool) (*FormChoices, error) {
	out := &FormChoices{}
	var err error
	if out.Signatories, err = s.Signatories(ctx, cust); err != nil {
		return nil, err
	}
	if out.Contacts, err = s.deps.Customers.Contacts(ctx, actor, cust.ID); err != nil {
		return nil, err
	}
	if out.Opps, err = s.deps.Customers.Opportunities(ctx, actor, cust.ID); err != nil {
		return nil, err
	}
	if withProducts {
		if out.Products, err = s.Products(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Customer loads a customer after checking act (for the pages).
func (s *Service) Customer(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error) {
	return s.deps.Customers.CustomerFor(ctx, actor, id, act)
}

// CanWriteCustomer reports whether actor may write the customer (buttons).
func (s *Service) CanWriteCustomer(actor authz.Subject, cust *prospects.Customer) bool {
	return s.deps.Customers.Can(actor, "write", cust)
}

// Accepted loads an accepted proposal of the customer for the form.
func (s *Service) Accepted(ctx context.Context, actor authz.Subject, cust *prospects.Customer, id uint) (*Accepted, error) {
	return s.accepted(ctx, actor, cust, id)
}

// TeamsFor lists the teams the actor may filter by (org.FilterTeams).
func (s *Service) TeamsFor(ctx context.Context, actor authz.Subject) ([]org.Team, error) {
	return org.FilterTeams(ctx, s.deps.Org, actor)
}

// OwnersFor lists the people the actor may filter by (org.FilterOwners).
func (s *Service) OwnersFor(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	return org.FilterOwners(ctx, s.deps.Org, actor)
}

// Quote is a priced form: lines and totals as the server computes them
// and the approvals they would need. Nothing is saved.
type Quote struct {
	Lines                            []Line
	MonthlyFen, OneTimeFen, TotalFen money.Fen
	NeedsChief, NeedsDirector        bool
}

// Preview prices a hand-made form's lines for a customer the actor may
// write, the way Create or Update would; contractID, when not 0, is the
// revision being edited (its products keep their recorded prices).
func (s *Service) Preview(ctx context.Context, actor authz.Subject, customerID, contractID uint, in Input) (*Quote, error) {
	if _, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "write"); err != nil {
		return nil, err
	}
	c := &Contract{Revision: 1}
	keep := map[uint]Line{}
	if contractID != 0 {
		old, _, err := s.load(ctx, actor, contractID, ActEdit)
		if err != nil {
			return nil, err
		}
		if old.CustomerID != customerID {
			return nil, apperr.ErrNotFound
		}
		c.Revision = old.Revision
		lines, err := s.store.Lines(ctx, old.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			keep[l.ProductID] = l
		}
	}
	term := 12
	if start, err := parseDate(in.StartOn); err == nil {
		if end, err := parseDate(in.EndOn); err == nil {
			if n, ok := TermOf(start, end); ok {
				term = n
			}
		}
	}
	f := apperr.Fields{}
	lines, err := s.price(ctx, in.Lines, keep, term, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := setTotals(c, lines); err != nil {
		return nil, err
	}
	s.approvalsFor(c, lines, true)
	return &Quote{Lines: lines, MonthlyFen: c.MonthlyFen, OneTimeFen: c.OneTimeFen, TotalFen: c.TotalFen, NeedsChief: c.NeedsChief, NeedsDirector: c.NeedsDirector}, nil
}
