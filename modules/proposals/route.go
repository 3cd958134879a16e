package proposals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/approval"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/prospects"
)

// Who decides an approval step is a policy question plus the four-eyes
// rule (platform/approval), never a role comparison:
//
//   - stepActions name, per step, the policy actions on "proposal" whose
//     holders take it, in order of preference: the chief step goes to
//     whoever holds approve_chief on the customer (its chief rep, the
//     team's chief rep), and only when none of them may take it (the
//     chief rep wrote the proposal) to the holders of
//     approve_chief_standin (the branch director); the director step to
//     the holders of approve_director (the branch's directors).
//   - the configured fallback approvers (Options.FallbackApprovers) come
//     last for every step: when the branch's only director wrote the
//     proposal, the director step goes to them.
//   - the four-eyes rule removes the authors (creator, owner, anyone who
//     changed or submitted the version) and whoever took the earlier step.
//
// The home panel's queue lists a version exactly to the people it routes
// to, the page offers the decision exactly to them, and Submit refuses a
// version for which no distinct approvers exist.
var stepActions = map[string][]string{
	"chief":    {"approve_chief", "approve_chief_standin"},
	"director": {"approve_director"},
}

// authorActions are the audit actions that make their actor an author of
// a version.
var authorActions = []string{"create", "update", "submit", "new_version"}

// router answers routing questions for one request, loading each
// branch's people and each version's authors once.
type router struct {
	s        *Service
	branches map[uint][]org.User
	extra    map[uint]*org.User
	authors  map[uint][]uint
	fb       []uint
	fbDone   bool
}

func (s *Service) newRouter() *router {
	return &router{s: s, branches: map[uint][]org.User{}, extra: map[uint]*org.User{}, authors: map[uint][]uint{}}
}

// people are the active users who could hold a step on c: those of its
// branch, and its chief rep (who may be in another).
func (r *router) people(ctx context.Context, c *prospects.Customer) ([]org.User, error) {
	users := r.s.opts.Users
	if users == nil {
		return nil, nil
	}
	list, ok := r.branches[c.BranchID]
	if !ok && c.BranchID != 0 {
		var err error
		if list, _, err = users.ListUsers(ctx, org.UserFilter{BranchID: c.BranchID, Status: "active", Limit: 100000}); err != nil {
			return nil, err
		}
		r.branches[c.BranchID] = list
	}
	if c.ChiefRepID == nil || slices.ContainsFunc(list, func(u org.User) bool { return u.ID == *c.ChiefRepID }) {
		return list, nil
	}
	u, ok := r.extra[*c.ChiefRepID]
	if !ok {
		got, err := users.UserByID(ctx, *c.ChiefRepID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
		u = got
		r.extra[*c.ChiefRepID] = u
	}
	if u == nil || u.Disabled {
		return list, nil
	}
	return append(slices.Clip(list), *u), nil
}

// fallback is the configured fallback approvers in their order, without
// those whose account is missing or disabled or whose role the policy
// gives no director approval anywhere.
func (r *router) fallback(ctx context.Context) ([]uint, error) {
	if r.fbDone {
		return r.fb, nil
	}
	r.fbDone = true
	if r.s.opts.Users == nil {
		return nil, nil
	}
	for _, name := range r.s.opts.FallbackApprovers {
		u, err := r.s.opts.Users.UserByUsername(ctx, strings.TrimSpace(name))
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !u.Disabled && r.s.enf.CanRoute(u.Subject(), "proposal", "approve_director") {
			r.fb = append(r.fb, u.ID)
		}
	}
	return r.fb, nil
}

// step lists who may take level on c, as approval tiers.
func (r *router) step(ctx context.Context, c *prospects.Customer, level string) (approval.Step, error) {
	people, err := r.people(ctx, c)
	if err != nil {
		return nil, err
	}
	var step approval.Step
	for _, act := range stepActions[level] {
		var tier []uint
		for _, u := range people {
			if r.s.enf.Can(u.Subject(), "proposal", act, c.Ref()) {
				tier = append(tier, u.ID)
			}
		}
		step = append(step, tier)
	}
	fb, err := r.fallback(ctx)
	if err != nil {
		return nil, err
	}
	return append(step, fb), nil
}

// loadAuthors reads the authors of the versions ids from the audit trail
// in one query.
func (r *router) loadAuthors(ctx context.Context, ids []uint) error {
	var missing []uint
	for _, id := range ids {
		if _, ok := r.authors[id]; !ok {
			missing = append(missing, id)
			r.authors[id] = nil
		}
	}
	if len(missing) == 0 {
		return nil
	}
	got, err := r.s.store.Authors(ctx, missing, authorActions)
	if err != nil {
		return err
	}
	for id, a := range got {
		r.authors[id] = a
	}
	return nil
}

// record is p as the four-eyes rule sees it; more are further authors
// (the person about to submit it).
func (r *router) record(ctx context.Context, p *Proposal, more ...uint) (approval.Record, error) {
	if err := r.loadAuthors(ctx, []uint{p.ID}); err != nil {
		return approval.Record{}, err
	}
	rec := approval.Record{Authors: append([]uint{p.OwnerID}, more...)}
	if p.CreatedBy != nil {
		rec.Authors = append(rec.Authors, *p.CreatedBy)
	}
	rec.Authors = append(rec.Authors, r.authors[p.ID]...)
	if p.ChiefApprovedBy != nil {
		rec.Approvers = append(rec.Approvers, *p.ChiefApprovedBy)
	}
	if p.DirectorApprovedBy != nil {
		rec.Approvers = append(rec.Approvers, *p.DirectorApprovedBy)
	}
	return rec, nil
}

// approvers are the people the step p waits for routes to; nil when p is
// not pending or nobody may take it.
func (r *router) approvers(ctx context.Context, p *Proposal, c *prospects.Customer) ([]uint, error) {
	level := NextLevel(p)
	if level == "" {
		return nil, nil
	}
	rec, err := r.record(ctx, p)
	if err != nil {
		return nil, err
	}
	step, err := r.step(ctx, c, level)
	if err != nil {
		return nil, err
	}
	return approval.Route(rec, step), nil
}

// feasible reports whether every step p needs can be taken by a different
// person none of whom wrote it, submitter included.
func (r *router) feasible(ctx context.Context, p *Proposal, c *prospects.Customer, submitter uint) (bool, error) {
	rec, err := r.record(ctx, p, submitter)
	if err != nil {
		return false, err
	}
	rec.Approvers = nil // a submitted version starts a new round
	var steps []approval.Step
	for _, level := range []string{"chief", "director"} {
		if (level == "chief" && !p.NeedsChief) || (level == "director" && !p.NeedsDirector) {
			continue
		}
		st, err := r.step(ctx, c, level)
		if err != nil {
			return false, err
		}
		steps = append(steps, st)
	}
	return approval.Feasible(rec, steps), nil
}

// routedToFallback returns p's customer when actor is one of the
// configured fallback approvers and p's pending step routes to them.
func (s *Service) routedToFallback(ctx context.Context, actor authz.Subject, p *Proposal) (*prospects.Customer, bool, error) {
	r := s.newRouter()
	fb, err := r.fallback(ctx)
	if err != nil || !slices.Contains(fb, actor.ID) {
		return nil, false, err
	}
	// A fallback approver may be outside the customer's scope: the
	// customer is read by this module's store, for routing only.
	cs, err := s.store.Customers(ctx, []uint{p.CustomerID})
	if err != nil {
		return nil, false, err
	}
	c, ok := cs[p.CustomerID]
	if !ok {
		return nil, false, fmt.Errorf("customer %d: %w", p.CustomerID, apperr.ErrNotFound)
	}
	ids, err := r.approvers(ctx, p, c)
	if err != nil || !slices.Contains(ids, actor.ID) {
		return nil, false, err
	}
	return c, true, nil
}

// Queue lists the pending versions waiting for approver: those in their
// proposal-approve scope whose step routes to them, and, for a
// configured fallback approver, those anywhere that route to them.
func (s *Service) Queue(ctx context.Context, approver authz.Subject) ([]Row, error) {
	if !s.enf.CanRoute(approver, "proposal", "approve") {
		return nil, nil
	}
	r := s.newRouter()
	scope := s.enf.ListScope(approver, "proposal", "approve")
	if fb, err := r.fallback(ctx); err != nil {
		return nil, err
	} else if slices.Contains(fb, approver.ID) {
		// A fallback approver is routed versions from anywhere; the
		// routing below keeps only those that route to them.
		scope = s.enf.Unrestricted(approver, "proposal", "approve")
	}
	rows, _, err := s.store.List(ctx, scope, Filter{Statuses: []string{StatusPending}, Limit: 500})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids, cids := make([]uint, len(rows)), make([]uint, len(rows))
	for i, row := range rows {
		ids[i], cids[i] = row.ID, row.CustomerID
	}
	if err := r.loadAuthors(ctx, ids); err != nil {
		return nil, err
	}
	customers, err := s.store.Customers(ctx, dedupe(cids))
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, row := range rows {
		c, ok := customers[row.CustomerID]
		if !ok {
			continue
		}
		who, err := r.approvers(ctx, &row.Proposal, c)
		if err != nil {
			return nil, err
		}
		if slices.Contains(who, approver.ID) {
			out = append(out, row)
		}
	}
	return out, nil
}
