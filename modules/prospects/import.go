package prospects

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// ImportProblem is one reason a row cannot be imported.
type ImportProblem struct {
	Line  int
	Field string
	MsgID string
	Arg   string // e.g. the existing customer's name for a duplicate
}

// ImportReport is the outcome of a dry run (or of a commit).
type ImportReport struct {
	Rows       int
	Customers  int
	Contacts   int
	Duplicates int
	Problems   []ImportProblem
	Committed  bool
}

// OK reports whether the file can be imported as a whole.
func (r *ImportReport) OK() bool { return len(r.Problems) == 0 && r.Customers > 0 }

type importCustomer struct {
	line     int
	customer *Customer
	contacts []*Contact
}

// Import checks every row of a parsed file and, when commit is true and no
// row has a problem, creates all its customers and key persons in one
// transaction: a file is imported whole or not at all.
func (s *Service) Import(ctx context.Context, actor authz.Subject, rows []ImportRow, commit bool) (*ImportReport, error) {
	if !s.enf.CanRoute(actor, "customer", "create") {
		return nil, apperr.ErrForbidden
	}
	rep := &ImportReport{Rows: len(rows)}
	problem := func(line int, field, msg, arg string) {
		rep.Problems = append(rep.Problems, ImportProblem{Line: line, Field: field, MsgID: msg, Arg: arg})
	}
	assignable, err := s.Assignable(ctx, actor)
	if err != nil {
		return nil, err
	}
	byUsername := map[string]org.User{}
	for _, u := range assignable {
		byUsername[strings.ToLower(u.Username)] = u
	}
	// The chief reps the importer may name, per owner's team (a director:
	// per branch), as the customer form allows them.
	repsFor := map[uint]map[string]uint{}
	chiefFor := func(owner *org.User, username string) (*uint, error) {
		key := derefID(owner.TeamID)
		if s.assignsBranch(actor) {
			key = derefID(owner.BranchID)
		}
		reps, ok := repsFor[key]
		if !ok {
			list, err := s.ChiefRepsFor(ctx, actor, owner)
			if err != nil {
				return nil, err
			}
			reps = map[string]uint{}
			for _, u := range list {
				reps[strings.ToLower(u.Username)] = u.ID
			}
			repsFor[key] = reps
		}
		if id, ok := reps[username]; ok {
			return &id, nil
		}
		return nil, nil
	}

	var order []string
	groups := map[string]*importCustomer{}
	for _, row := range rows {
		in := row.Customer
		code := NormalizeCreditCode(in.CreditCode)
		g, seen := groups[code]
		if !seen || code == "" {
			v, f := in.Validate()
			for field, msg := range f {
				problem(row.Line, field, msg, "")
			}
			owner := s.importOwner(actor, row.OwnerUsername, byUsername)
			if owner == nil {
				problem(row.Line, "owner", "import.bad_owner", row.OwnerUsername)
			}
			var chief *uint
			if name := strings.ToLower(textnorm.Fold(row.ChiefRepUsername)); name != "" {
				if owner != nil {
					if chief, err = chiefFor(owner, name); err != nil {
						return nil, err
					}
				}
				if chief == nil {
					problem(row.Line, "chief_rep", "import.bad_chief_rep", row.ChiefRepUsername)
				}
			}
			c := &Customer{ChiefRepID: chief, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
			applyCustomerInput(c, in, v)
			if owner != nil {
				c.OwnerID, c.TeamID, c.BranchID = owner.ID, derefID(owner.TeamID), derefID(owner.BranchID)
			}
			g = &importCustomer{line: row.Line, customer: c}
			if code != "" {
				groups[code] = g
				order = append(order, code)
			}
		} else if n := textnorm.Name(in.Name); n != "" && n != g.customer.Name {
			problem(row.Line, "name", "import.conflicting_row", g.customer.Name)
		}
		if row.Contact != nil {
			ct := *row.Contact
			bday, f := ct.Validate(s.now())
			for field, msg := range f {
				problem(row.Line, field, msg, "")
			}
			// The same key person twice for one customer is a mistake the
			// file cannot confirm away.
			for _, other := range g.contacts {
				if sameContact(other, ct.Name) {
					problem(row.Line, "contact_name", "import.duplicate_contact", ct.Name)
					break
				}
			}
			g.contacts = append(g.contacts, &Contact{Name: ct.Name, Title: ct.Title, Mobile: ct.Mobile, Phone: ct.Phone,
				Email: ct.Email, Role: ct.Role, Attitude: ct.Attitude, Birthday: bday, Preferences: ct.Preferences,
				Notes: ct.Notes, CreatedBy: &actor.ID, UpdatedBy: &actor.ID})
			rep.Contacts++
		}
	}
	rep.Customers = len(order)

	// A file checks many codes at once: it counts against its own limit.
	if err := s.allowCheck(ctx, actor, "dupimport", s.importRule); err != nil {
		return nil, err
	}
	existing, err := s.store.CustomersByCodes(ctx, order)
	if err != nil {
		return nil, err
	}
	// Codes the importer may not open say only whom to ask (the owner in
	// the importer's branch, else the branch), as the customer form does.
	var ownerIDs []uint
	for _, c := range existing {
		ownerIDs = append(ownerIDs, c.OwnerID)
	}
	owners, err := s.org.UsersByIDs(ctx, ownerIDs)
	if err != nil {
		return nil, err
	}
	for _, code := range order {
		c, ok := existing[code]
		if !ok {
			continue
		}
		rep.Duplicates++
		if s.Can(actor, "read", &c) {
			problem(groups[code].line, "credit_code", "import.duplicate_yours", c.Name)
			continue
		}
		d, err := s.hint(ctx, actor, &c, owners[c.OwnerID].Name)
		if err != nil {
			return nil, err
		}
		if d.Branch != "" {
			problem(groups[code].line, "credit_code", "import.duplicate_other_branch", d.Branch)
		} else {
			problem(groups[code].line, "credit_code", "import.duplicate_ask", d.Owner)
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
	if !commit || !rep.OK() {
		return rep, nil
	}
	// One transaction, multi-row INSERTs: the customers (ids come back),
	// their audit entries, then their key persons.
	customers := make([]*Customer, 0, len(order))
	var contacts []*Contact
	for _, code := range order {
		g := groups[code]
		names := make([]string, len(g.contacts))
		for i, ct := range g.contacts {
			names[i] = ct.Name
		}
		g.customer.SearchText = searchText(g.customer, names)
		customers = append(customers, g.customer)
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreateCustomers(ctx, customers); err != nil {
			return err
		}
		if err := tx.auditCreated(ctx, actor.ID, customers); err != nil {
			return err
		}
		for _, code := range order {
			g := groups[code]
			for _, ct := range g.contacts {
				ct.CustomerID = g.customer.ID
				contacts = append(contacts, ct)
			}
		}
		return tx.CreateContacts(ctx, contacts)
	})
	if errors.Is(err, apperr.ErrConflict) {
		// Someone created one of these codes between the check and now.
		rep.Problems = append(rep.Problems, ImportProblem{MsgID: "import.duplicate"})
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Committed = true
	return rep, nil
}

// importOwner resolves a row's owner: the named user if the actor may
// assign customers to them, else the actor when they may own customers.
func (s *Service) importOwner(actor authz.Subject, username string, assignable map[string]org.User) *org.User {
	name := strings.ToLower(textnorm.Fold(username))
	if name == "" {
		name = strings.ToLower(actor.Username)
	}
	if u, ok := assignable[name]; ok {
		return &u
	}
	return nil
}
