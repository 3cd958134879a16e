package prospects

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// The customer hierarchy (集团 → 成员单位): a customer may be a member of
// another (its parent), at any depth. The rules live here:
//   - a parent must be a live customer the actor may read (one they may
//     not see is refused like one that does not exist);
//   - no cycles: a customer may not be its own ancestor (CycleError names
//     the loop);
//   - a customer with live members cannot be deleted (move or delete the
//     members first), so a tree never hangs from a deleted customer;
//   - changing the parent is audited ("set_parent", or within an update)
//     and so shows on the timeline.

// ActionSetParent is the audit action of a change of parent alone.
const ActionSetParent = "set_parent"

// CycleError refuses a parent that would make a customer its own
// ancestor. Loop names the customers of the loop from the customer being
// moved up to itself again; a member the actor may not see is "" (the page
// shows it as "…", never its name).
type CycleError struct {
	Loop []string
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("customer hierarchy: cycle of %d", len(e.Loop)-1)
}

// Unwrap lets callers that only know field errors (the API) report it as
// a bad parent_id.
func (e *CycleError) Unwrap() error { return apperr.Fields{"parent_id": "hierarchy.v.cycle_short"} }

// ErrHasMembers refuses to delete a customer that still has live members.
var ErrHasMembers = errors.New("prospects: customer has members")

// checkParent validates a new parent parentID (not 0) for customer id (0
// for a new customer): it must exist, be readable by actor and not lie
// below id. Field errors go into f; a cycle is returned as *CycleError.
// Call it inside the transaction that writes the link, after
// LockHierarchy.
func (s *Service) checkParent(ctx context.Context, tx *Store, actor authz.Subject, id, parentID uint) error {
	p, err := tx.Customer(ctx, parentID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !s.Can(actor, "read", p)) {
		return apperr.Fields{"parent_id": "hierarchy.v.parent"}
	}
	if err != nil {
		return err
	}
	if id == 0 {
		return nil
	}
	chain := []uint{id}
	if parentID != id {
		above, err := tx.AncestorIDs(ctx, parentID)
		if err != nil {
			return err
		}
		i := slices.Index(above, id)
		if i < 0 {
			return nil
		}
		chain = append(append(chain, parentID), above[:i+1]...)
	} else {
		chain = append(chain, id)
	}
	return s.cycleError(ctx, tx, actor, chain)
}

// cycleError names the loop's customers the actor may read.
func (s *Service) cycleError(ctx context.Context, tx *Store, actor authz.Subject, chain []uint) error {
	byID, err := tx.CustomersByIDs(ctx, chain)
	if err != nil {
		return err
	}
	loop := make([]string, len(chain))
	for i, cid := range chain {
		if c, ok := byID[cid]; ok && s.Can(actor, "read", &c) {
			loop[i] = c.Name
		}
	}
	return &CycleError{Loop: loop}
}

// SetParent makes parentID (0: none, a top-level customer) the parent of
// customer id, which actor must be allowed to write; version is the
// customer's version as the actor saw it (optimistic locking). The REST
// API and the form's move both come here.
func (s *Service) SetParent(ctx context.Context, actor authz.Subject, id, parentID uint, version int) (*Customer, error) {
	c, err := s.customerFor(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if version != c.Version {
		return nil, fmt.Errorf("customer %d: %w", id, apperr.ErrConflict)
	}
	if derefID(c.ParentID) == parentID {
		return c, nil
	}
	before := *c
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := s.linkParent(ctx, tx, actor, c, parentID); err != nil {
			return err
		}
		if err := tx.SetParent(ctx, c.ID, c.ParentID, version, actor.ID, s.now()); err != nil {
			return err
		}
		c.Version++
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, ActionSetParent, audit.Diff(&before, c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// linkParent checks parentID for c inside tx (holding the hierarchy
// lock) and sets c.ParentID; 0 clears it.
func (s *Service) linkParent(ctx context.Context, tx *Store, actor authz.Subject, c *Customer, parentID uint) error {
	if err := tx.LockHierarchy(ctx); err != nil {
		return err
	}
	if parentID == 0 {
		c.ParentID = nil
		return nil
	}
	if err := s.checkParent(ctx, tx, actor, c.ID, parentID); err != nil {
		return err
	}
	p := parentID
	c.ParentID = &p
	return nil
}

// Breadcrumb is one customer above another on its page: its name and a
// link when the reader may open it.
type Breadcrumb struct {
	ID      uint
	Name    string
	Visible bool
}

// Ancestors lists the customers above c, top-level group first; those the
// actor may not read are listed without name or id.
func (s *Service) Ancestors(ctx context.Context, actor authz.Subject, c *Customer) ([]Breadcrumb, error) {
	if c.ParentID == nil {
		return nil, nil
	}
	ids, err := s.store.AncestorIDs(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	byID, err := s.store.CustomersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Breadcrumb, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		a, ok := byID[ids[i]]
		if ok && s.Can(actor, "read", &a) {
			out = append(out, Breadcrumb{ID: a.ID, Name: a.Name, Visible: true})
		} else {
			out = append(out, Breadcrumb{})
		}
	}
	return out, nil
}

// MembersPage is how many members one level of the tree shows at a time
// ("更多" loads the next).
const MembersPage = 50

// Members returns one page of customer id's level as actor sees it: its
// direct members actor may read and, below those actor may not, the
// nearest members actor may read (Children.Via), with how many members the
// level has and how many hidden units it counts. The customer itself must
// be readable (else ErrNotFound).
func (s *Service) Members(ctx context.Context, actor authz.Subject, id uint, offset int) (*Children, error) {
	if _, err := s.customerFor(ctx, actor, id, "read"); err != nil {
		return nil, err
	}
	return s.store.ChildrenOf(ctx, s.Scope(actor, "read"), id, max(offset, 0), MembersPage)
}

// Rollup sums customer id's subtree as actor may see it. Members the actor
// may not read are counted (Hidden) but their figures are left out of
// every sum: a figure that includes them would let an account manager
// infer another team's business (one hidden member's won value is the
// difference of two roll-ups). loc is the zone "this year" starts in.
func (s *Service) Rollup(ctx context.Context, actor authz.Subject, id uint, loc *time.Location) (*Rollup, error) {
	if _, err := s.customerFor(ctx, actor, id, "read"); err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	now := s.now().In(loc)
	yearStart := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
	return s.store.RollupOf(ctx, s.Scope(actor, "read"), id, yearStart)
}

// TreeMembers places, under each of the list page's customers, its
// members that the same filter keeps (at most limit rows in all).
func (s *Service) TreeMembers(ctx context.Context, actor authz.Subject, f CustomerFilter, roots []uint, limit int) ([]TreeRow, map[uint]Customer, error) {
	rows, err := s.store.TreeMembers(ctx, s.Scope(actor, "read"), f, roots, limit)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	byID, err := s.store.CustomersByIDs(ctx, ids)
	return rows, byID, err
}

// sortByName orders members as the tree shows them: by name, then id.
func sortByName(list []Customer) {
	slices.SortFunc(list, func(a, b Customer) int {
		if a.Name != b.Name {
			return strings.Compare(a.Name, b.Name)
		}
		return int(a.ID) - int(b.ID)
	})
}
