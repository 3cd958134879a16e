package pool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/prospects"
)

// JobReclaim is the nightly job's name.
const JobReclaim = "pool.reclaim"

// Holders gives each branch its pool holder, the disabled user that owns
// pooled customers (wired in cmd/jike on the org store).
type Holders interface {
	PoolHolder(ctx context.Context, branchID uint) (uint, error)
}

// Deps are the modules the pool works through.
type Deps struct {
	Customers *prospects.Service
	People    prospects.People
	Holders   Holders
	Notify    *notify.Service
}

// Options configure the service.
type Options struct {
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
}

// Errors with their own messages.
var (
	// ErrTaken: someone else took the customer from the pool first.
	ErrTaken = errors.New("pool: customer already taken")
	// ErrLimit: the claimer reached this month's limit.
	ErrLimit = errors.New("pool: monthly claim limit reached")
)

// Service holds the pool's rules.
type Service struct {
	store *Store
	enf   *authz.Enforcer
	deps  Deps
	opts  Options
}

// NewService wires the service.
func NewService(st *Store, enf *authz.Enforcer, deps Deps, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, enf: enf, deps: deps, opts: o}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.opts.Now = now }

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Store exposes the store (demo, tests).
func (s *Service) Store() *Store { return s.store }

// dateOf is t's calendar day in the configured zone, as midnight UTC of
// that date (a DATE value).
func (s *Service) dateOf(t time.Time) time.Time {
	y, m, d := t.In(s.opts.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// startOf is the instant the day (a DATE value) begins in the zone.
func (s *Service) startOf(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.opts.Location).UTC()
}

// branchOf is the branch whose pool actor works with: their own; the
// admin (no branch) names one.
func (s *Service) branchOf(actor authz.Subject, asked uint) uint {
	if actor.BranchID != 0 {
		return actor.BranchID
	}
	if s.enf.Level(actor, "pool", "configure") == authz.ScopeAll {
		return asked
	}
	return 0
}

// --- rule

// RuleInput is the settings form.
type RuleInput struct {
	Enabled    bool
	IdleDays   string
	WarnDays   string
	ClaimLimit string
	Version    int
}

// Rule returns the rule of the branch actor configures.
func (s *Service) Rule(ctx context.Context, actor authz.Subject, branchID uint) (Rule, error) {
	b := s.branchOf(actor, branchID)
	if b == 0 || !s.enf.Can(actor, "pool", "configure", authz.Ref{BranchID: b}) {
		return Rule{}, apperr.ErrNotFound
	}
	return s.store.Rule(ctx, b)
}

// ConfigurableBranches lists the branches actor sets rules for without
// belonging to one (the admin).
func (s *Service) ConfigurableBranches(ctx context.Context, actor authz.Subject) ([]org.Branch, error) {
	if s.enf.Level(actor, "pool", "configure") != authz.ScopeAll {
		return nil, apperr.ErrNotFound
	}
	return s.deps.People.Branches(ctx)
}

func parseRange(v string, lo, hi int, field string, f apperr.Fields) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		f.Add(field, "pool.v."+field)
		return 0
	}
	return n
}

// SaveRule saves the branch's rule (director, admin), audited.
func (s *Service) SaveRule(ctx context.Context, actor authz.Subject, branchID uint, in RuleInput) (Rule, error) {
	r, err := s.Rule(ctx, actor, branchID)
	if err != nil {
		return r, err
	}
	f := apperr.Fields{}
	idle := parseRange(in.IdleDays, 14, 3650, "idle_days", f)
	warn := parseRange(in.WarnDays, 1, 60, "warn_days", f)
	limit := parseRange(in.ClaimLimit, 0, 1000, "claim_limit", f)
	if idle > 0 && warn >= idle {
		f.Add("warn_days", "pool.v.warn_days")
	}
	if err := f.Err(); err != nil {
		return r, err
	}
	if r.ID != 0 && in.Version != r.Version {
		return r, fmt.Errorf("pool rule: %w", apperr.ErrConflict)
	}
	before := r
	r.Enabled, r.IdleDays, r.WarnDays, r.ClaimLimit, r.UpdatedBy = in.Enabled, idle, warn, limit, &actor.ID
	if r.ID == 0 {
		r.CreatedBy = &actor.ID
	}
	now := s.now()
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.SaveRule(ctx, &r, now); err != nil {
			return err
		}
		return audit.Record(ctx, db.ConnAt(ctx, s.store.DB(), now), actor.ID, EntityRule, r.ID, audit.ActionUpdate, audit.Diff(&before, &r))
	})
	return r, err
}

// holder returns the branch's pool holder, creating it the first time.
func (s *Service) holder(ctx context.Context, r *Rule) (uint, error) {
	if r.HolderID != nil {
		return *r.HolderID, nil
	}
	if r.ID == 0 {
		return 0, apperr.ErrNotFound
	}
	id, err := s.deps.Holders.PoolHolder(ctx, r.BranchID)
	if err != nil {
		return 0, fmt.Errorf("pool holder of branch %d: %w", r.BranchID, err)
	}
	if err := s.store.SetHolder(ctx, r.ID, id); err != nil {
		return 0, err
	}
	r.HolderID = &id
	return id, nil
}

// --- list

// Page is the pool list for one reader.
type Page struct {
	Rule   Rule
	Rows   []Row
	Total  int64
	Claims int64 // the reader's claims this month
}

// List returns a page of the pool of actor's branch. Everyone with pool
// read sees their own branch's pool only.
func (s *Service) List(ctx context.Context, actor authz.Subject, f Filter, offset, limit int) (*Page, error) {
	if !s.enf.CanRoute(actor, "pool", "read") || actor.BranchID == 0 {
		return nil, apperr.ErrNotFound
	}
	r, err := s.store.Rule(ctx, actor.BranchID)
	if err != nil {
		return nil, err
	}
	p := &Page{Rule: r}
	if r.HolderID == nil {
		return p, nil
	}
	p.Rows, p.Total, err = s.store.List(ctx, actor.BranchID, *r.HolderID, f, offset, limit)
	if err != nil {
		return nil, err
	}
	from, to := s.month(s.now())
	p.Claims, err = s.store.ClaimsBetween(ctx, actor.ID, from, to)
	return p, err
}

// month is the calendar month (in the configured zone) around t.
func (s *Service) month(t time.Time) (from, to time.Time) {
	l := t.In(s.opts.Location)
	from = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, s.opts.Location)
	return from.UTC(), from.AddDate(0, 1, 0).UTC()
}

// pooled loads a customer in actor's branch pool, or ErrNotFound.
func (s *Service) pooled(ctx context.Context, actor authz.Subject, id uint) (*Entry, error) {
	if actor.BranchID == 0 {
		return nil, fmt.Errorf("pool entry %d: %w", id, apperr.ErrNotFound)
	}
	e, err := s.store.Entry(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		if taken, terr := s.store.WasTaken(ctx, id, actor.BranchID); terr != nil {
			return nil, terr
		} else if taken {
			return nil, ErrTaken
		}
	}
	if err != nil {
		return nil, err
	}
	if e.BranchID != actor.BranchID {
		return nil, fmt.Errorf("pool entry %d: %w", id, apperr.ErrNotFound)
	}
	return e, nil
}

// Claim makes actor the owner of a pooled customer of their branch,
// within the month's limit. version is the customer's as the list showed
// it; whoever took it first wins and the other gets ErrTaken.
func (s *Service) Claim(ctx context.Context, actor authz.Subject, id uint, version int) error {
	if !s.enf.CanRoute(actor, "pool", "claim") {
		return apperr.ErrForbidden
	}
	e, err := s.pooled(ctx, actor, id)
	if err != nil {
		return err
	}
	me, err := s.deps.People.UserByID(ctx, actor.ID)
	if err != nil {
		return err
	}
	return s.take(ctx, actor, e, version, me, KindClaimed)
}

// Assignees lists whom actor may assign pooled customers to: a chief
// rep their team's sellers, a director the branch's (the same list as
// the customer form's owners).
func (s *Service) Assignees(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	if !s.enf.CanRoute(actor, "pool", "assign") {
		return nil, nil
	}
	return s.deps.Customers.Assignable(ctx, actor)
}

// Assign gives a pooled customer to an account manager of actor's team
// (chief rep) or branch (director). It does not count against anyone's
// claim limit.
func (s *Service) Assign(ctx context.Context, actor authz.Subject, id, ownerID uint, version int) error {
	if !s.enf.CanRoute(actor, "pool", "assign") {
		return apperr.ErrForbidden
	}
	e, err := s.pooled(ctx, actor, id)
	if err != nil {
		return err
	}
	list, err := s.Assignees(ctx, actor)
	if err != nil {
		return err
	}
	for _, u := range list {
		if u.ID == ownerID && u.ID != 0 {
			return s.take(ctx, actor, e, version, &u, KindAssigned)
		}
	}
	return apperr.Fields{"owner_id": "v.owner"}
}

func (s *Service) take(ctx context.Context, actor authz.Subject, e *Entry, version int, owner *org.User, kind string) error {
	now := s.now()
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		r, err := s.store.LockRule(ctx, e.BranchID)
		if err != nil {
			return err
		}
		if r.HolderID == nil {
			return apperr.ErrNotFound
		}
		if kind == KindClaimed {
			from, to := s.month(now)
			n, err := s.store.ClaimsBetween(ctx, owner.ID, from, to)
			if err != nil {
				return err
			}
			if n >= int64(r.ClaimLimit) {
				return ErrLimit
			}
		}
		if _, err := s.deps.Customers.TakeFromPool(ctx, actor.ID, e.CustomerID, *r.HolderID, version, owner, now); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				return ErrTaken
			}
			return err
		}
		return s.store.TakeOut(ctx, &Move{CustomerID: e.CustomerID, BranchID: e.BranchID, Kind: kind, FromOwnerID: r.HolderID,
			ToOwnerID: &owner.ID, ActorID: &actor.ID, At: now})
	})
	if errors.Is(err, apperr.ErrNotFound) {
		// Taken out between reading the entry and the transaction.
		return ErrTaken
	}
	return err
}

// --- timeline

// TimelineEntries puts the customer's pool moves on its timeline.
func (s *Service) TimelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	moves, err := s.store.Moves(ctx, customerID)
	if err != nil || len(moves) == 0 {
		return nil, err
	}
	var ids []uint
	for _, m := range moves {
		if m.ToOwnerID != nil {
			ids = append(ids, *m.ToOwnerID)
		}
		if m.FromOwnerID != nil {
			ids = append(ids, *m.FromOwnerID)
		}
	}
	users, err := s.deps.People.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	name := func(p *uint) string {
		if p == nil {
			return ""
		}
		return users[*p].Name
	}
	out := make([]prospects.TimelineEntry, 0, len(moves))
	for _, m := range moves {
		e := prospects.TimelineEntry{At: m.At, Kind: "customer", MsgID: "pool.timeline." + m.Kind}
		if m.ActorID != nil {
			e.ActorID = *m.ActorID
		}
		switch m.Kind {
		case KindPooled:
			e.Args = []any{"From", name(m.FromOwnerID)}
		default:
			e.Args = []any{"To", name(m.ToOwnerID)}
		}
		out = append(out, e)
	}
	return out, nil
}
