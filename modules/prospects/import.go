package prospects

import (
	"context"
	"errors"
	"slices"
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
	// parent is the normalised credit code of the row's parent ("" for
	// none): a customer of the file or one that exists.
	parent string
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
			g = &importCustomer{line: row.Line, customer: c, parent: NormalizeCreditCode(row.ParentCode)}
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
	parents, err := s.importParents(ctx, actor, order, groups, problem)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
	if !commit || !rep.OK() {
		return rep, nil
	}
	// One transaction: the customers level by level (a parent's level
	// before its members', so a member's parent_id is known when it is
	// written; importParents refused loops, so the levels exist), with
	// their audit entries, then their key persons — with COPY on
	// PostgreSQL, multi-row INSERTs on SQLite (Store.CreateImported).
	for _, code := range order {
		g := groups[code]
		names := make([]string, len(g.contacts))
		for i, ct := range g.contacts {
			names[i] = ct.Name
		}
		g.customer.SearchText = searchText(g.customer, names)
	}
	levels := parentLevels(order, groups)
	byLevel := make([][]*Customer, len(levels))
	parentOf := make(map[*Customer]*importCustomer, len(order))
	for i, level := range levels {
		byLevel[i] = make([]*Customer, len(level))
		for j, code := range level {
			g := groups[code]
			byLevel[i][j] = g.customer
			parentOf[g.customer] = g
		}
	}
	link := func(c *Customer) {
		g := parentOf[c]
		if g.parent == "" {
			return
		}
		if id, ok := parents[g.parent]; ok {
			c.ParentID = &id
		} else if p, ok := groups[g.parent]; ok {
			id := p.customer.ID
			c.ParentID = &id
		}
	}
	now := s.now()
	err = s.store.BulkTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.LockHierarchy(ctx); err != nil {
			return err
		}
		if err := tx.BeginBulkLoad(ctx); err != nil {
			return err
		}
		if err := tx.CreateImported(ctx, actor.ID, byLevel, link, now); err != nil {
			return err
		}
		var contacts []*Contact
		for _, code := range order {
			g := groups[code]
			for _, ct := range g.contacts {
				ct.CustomerID = g.customer.ID
				contacts = append(contacts, ct)
			}
		}
		if err := tx.CreateContacts(ctx, contacts, now); err != nil {
			return err
		}
		return tx.EndBulkLoad(ctx)
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

// importParents resolves the rows' parent credit codes: a customer of the
// file (in any order), or an existing customer the importer may read —
// one they may not read is reported like an unknown code, so the file
// cannot probe for other people's customers. Loops among the file's own
// customers are reported on each row of the loop. It returns the ids of
// the existing parents by code.
func (s *Service) importParents(ctx context.Context, actor authz.Subject, order []string, groups map[string]*importCustomer,
	problem func(line int, field, msg, arg string)) (map[string]uint, error) {
	var outside []string
	for _, code := range order {
		if p := groups[code].parent; p != "" && groups[p] == nil && !slices.Contains(outside, p) {
			outside = append(outside, p)
		}
	}
	found, err := s.store.CustomersByCodes(ctx, outside)
	if err != nil {
		return nil, err
	}
	ids := map[string]uint{}
	for _, code := range order {
		g := groups[code]
		if g.parent == "" {
			continue
		}
		if _, inFile := groups[g.parent]; inFile {
			// Walk up inside the file: back at code means a loop.
			seen := map[string]bool{}
			for p := g.parent; p != "" && groups[p] != nil && !seen[p]; p = groups[p].parent {
				if p == code {
					problem(g.line, "parent_code", "hierarchy.v.parent_cycle", "")
					break
				}
				seen[p] = true
			}
			continue
		}
		c, ok := found[g.parent]
		if !ok || !s.Can(actor, "read", &c) {
			problem(g.line, "parent_code", "hierarchy.v.parent_code", g.parent)
			continue
		}
		ids[g.parent] = c.ID
	}
	return ids, nil
}

// parentLevels splits order into levels: the rows whose parent is not in
// the file (or who have none) first, then their members in the file, and
// so on, each level in the file's order. Loops were refused before; a
// chain longer than the file (impossible without one) stops at the file's
// length rather than recursing forever.
func parentLevels(order []string, groups map[string]*importCustomer) [][]string {
	depth := make(map[string]int, len(order))
	var of func(code string, n int) int
	of = func(code string, n int) int {
		if d, ok := depth[code]; ok {
			return d
		}
		d := 0
		if p := groups[code].parent; p != "" && groups[p] != nil && n < len(order) {
			d = of(p, n+1) + 1
		}
		depth[code] = d
		return d
	}
	var levels [][]string
	for _, code := range order {
		d := of(code, 0)
		for len(levels) <= d {
			levels = append(levels, nil)
		}
		levels[d] = append(levels[d], code)
	}
	return levels
}
