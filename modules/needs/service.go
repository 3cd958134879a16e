package needs

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
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/prospects"
)

// Audit entity names of the module's records.
const (
	EntityAnalysis = "customer_analysis"
	EntityService  = "customer_service"
	EntityNeed     = "need"
)

// Options configures the service.
type Options struct {
	// Now is the clock (UTC); nil means time.Now.
	Now func() time.Time
	// Location is the zone whose calendar decides "today" for contract end
	// dates; nil means Asia/Shanghai (UTC+8 if the zone database is
	// missing).
	Location *time.Location
}

// Service holds the rules for customer analyses, current services and
// needs. Every method takes the acting user and checks the customer the
// record hangs off through prospects, so a record is visible and editable
// exactly when its customer is; a record outside the actor's scope is
// ErrNotFound.
type Service struct {
	store     *Store
	prospects *prospects.Service
	now       func() time.Time
	loc       *time.Location
	// incumbents lists our contracts in force (incumbent.go).
	incumbents IncumbentSource
}

// NewService wires the service on top of the prospects service.
func NewService(store *Store, p *prospects.Service, o Options) *Service {
	s := &Service{store: store, prospects: p, now: o.Now, loc: o.Location}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC() }
	}
	if s.loc == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		s.loc = loc
	}
	return s
}

// Store exposes the store (demo data, tests).
func (s *Service) Store() *Store { return s.store }

// Today is the current calendar date in the service's zone, as midnight
// UTC (the form contract end dates are stored in).
func (s *Service) Today() time.Time {
	return dateOf(s.now().In(s.loc))
}

// dateOf keeps the calendar date of t, as midnight UTC.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// DaysUntil counts calendar days from today to date (negative if past).
func (s *Service) DaysUntil(date time.Time) int {
	return int(dateOf(date).Sub(s.Today()).Hours() / 24)
}

// Customer returns a customer after checking act on it (see
// prospects.Service.CustomerFor).
func (s *Service) Customer(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error) {
	return s.prospects.CustomerFor(ctx, actor, id, act)
}

// Can reports whether actor may do act on the customer (to hide buttons).
func (s *Service) Can(actor authz.Subject, act string, c *prospects.Customer) bool {
	return s.prospects.Can(actor, act, c)
}

// --- analysis

// Analysis returns a customer's analysis and current services. Before the
// first save the analysis is a zero value (ID 0, Version 0) for the
// customer: viewing never writes.
func (s *Service) Analysis(ctx context.Context, actor authz.Subject, customerID uint) (*CustomerAnalysis, []CustomerService, error) {
	c, err := s.Customer(ctx, actor, customerID, "read")
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.Analysis(ctx, c.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		a, err = &CustomerAnalysis{CustomerID: c.ID}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	services, err := s.store.Services(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	return a, services, nil
}

// SaveAnalysis creates or updates a customer's analysis. in.Version is the
// version the form was read at (0 before the first save); a different
// current version is ErrConflict.
func (s *Service) SaveAnalysis(ctx context.Context, actor authz.Subject, customerID uint, in AnalysisInput) (*CustomerAnalysis, error) {
	c, err := s.Customer(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	budget, f := in.Validate()
	if err := f.Err(); err != nil {
		return nil, err
	}
	a, err := s.store.Analysis(ctx, c.ID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if a == nil {
		if in.Version != 0 {
			return nil, fmt.Errorf("analysis of customer %d: %w", c.ID, apperr.ErrConflict)
		}
		a = &CustomerAnalysis{CustomerID: c.ID, PainPoints: in.PainPoints, ITBudgetFen: budget,
			DecisionCalendar: in.DecisionCalendar, Notes: in.Notes, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
		err = s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.CreateAnalysis(ctx, a); err != nil {
				return err
			}
			return audit.Record(ctx, tx.DB(), actor.ID, EntityAnalysis, a.ID, audit.ActionCreate, audit.Diff(nil, a))
		})
		return a, err
	}
	if in.Version != a.Version {
		return nil, fmt.Errorf("analysis %d: %w", a.ID, apperr.ErrConflict)
	}
	before := *a
	a.PainPoints, a.ITBudgetFen, a.DecisionCalendar, a.Notes, a.UpdatedBy = in.PainPoints, budget, in.DecisionCalendar, in.Notes, &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveAnalysis(ctx, a, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, EntityAnalysis, a.ID, audit.ActionUpdate, audit.Diff(&before, a))
	})
	return a, err
}

// serviceOf loads a live service row of the customer (any other is
// ErrNotFound, so ids of other customers cannot be probed).
func (s *Service) serviceOf(ctx context.Context, customerID, id uint) (*CustomerService, error) {
	cs, err := s.store.Service(ctx, id)
	if err != nil {
		return nil, err
	}
	if cs.CustomerID != customerID {
		return nil, fmt.Errorf("customer service %d of customer %d: %w", id, customerID, apperr.ErrNotFound)
	}
	return cs, nil
}

// SaveService adds (id 0) or edits a row of the customer's current
// services.
func (s *Service) SaveService(ctx context.Context, actor authz.Subject, customerID, id uint, in ServiceInput) (*CustomerService, error) {
	c, err := s.Customer(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	var cs *CustomerService
	if id != 0 {
		if cs, err = s.serviceOf(ctx, c.ID, id); err != nil {
			return nil, err
		}
	}
	v, f := in.Validate()
	if err := f.Err(); err != nil {
		return nil, err
	}
	if cs == nil {
		cs = &CustomerService{CustomerID: c.ID, Service: in.Service, Supplier: in.Supplier, Description: in.Description,
			MonthlySpendFen: v.spend, ContractEnd: v.end, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
		err = s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.CreateService(ctx, cs); err != nil {
				return err
			}
			return audit.Record(ctx, tx.DB(), actor.ID, EntityService, cs.ID, audit.ActionCreate, audit.Diff(nil, cs))
		})
		return cs, err
	}
	if in.Version != cs.Version {
		return nil, fmt.Errorf("customer service %d: %w", id, apperr.ErrConflict)
	}
	before := *cs
	cs.Service, cs.Supplier, cs.Description, cs.MonthlySpendFen, cs.ContractEnd = in.Service, in.Supplier, in.Description, v.spend, v.end
	cs.UpdatedBy = &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveService(ctx, cs, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, EntityService, cs.ID, audit.ActionUpdate, audit.Diff(&before, cs))
	})
	return cs, err
}

// DeleteService soft-deletes a row of the customer's current services.
func (s *Service) DeleteService(ctx context.Context, actor authz.Subject, customerID, id uint) error {
	c, err := s.Customer(ctx, actor, customerID, "write")
	if err != nil {
		return err
	}
	cs, err := s.serviceOf(ctx, c.ID, id)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.DeleteService(ctx, cs.ID, actor.ID, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, EntityService, cs.ID, audit.ActionDelete, audit.Diff(cs, nil))
	})
}

// ExpiringContracts lists the competitor services (supplier not us) of
// the customers actor may read whose contract ends between today and
// withinDays from today (both included), soonest first, at most limit of
// them, with the total count.
func (s *Service) ExpiringContracts(ctx context.Context, actor authz.Subject, withinDays, limit int) ([]ExpiringContract, int64, error) {
	today := s.Today()
	rows, total, err := s.store.Expiring(ctx, s.prospects.Scope(actor, "read"), today, today.AddDate(0, 0, withinDays), limit)
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		if rows[i].ContractEnd != nil {
			rows[i].DaysLeft = s.DaysUntil(*rows[i].ContractEnd)
		}
	}
	return rows, total, nil
}

// MonthlyTotals sums the monthly spend of service rows: in all, and with
// competitors only.
func MonthlyTotals(rows []CustomerService) (all, competitors money.Fen) {
	for _, r := range rows {
		all += r.MonthlySpendFen
		if r.Competitor() {
			competitors += r.MonthlySpendFen
		}
	}
	return all, competitors
}

// --- needs

// Need returns a need and its customer after checking act on the customer.
func (s *Service) Need(ctx context.Context, actor authz.Subject, id uint, act string) (*Need, *prospects.Customer, error) {
	n, err := s.store.Need(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Customer(ctx, actor, n.CustomerID, act)
	if err != nil {
		return nil, nil, err
	}
	return n, c, nil
}

// checkLinks adds field errors unless the key person and the opportunity
// (each optional) are live records of the customer that actor may read.
func (s *Service) checkLinks(ctx context.Context, actor authz.Subject, customerID, contactID, oppID uint, f apperr.Fields) error {
	ps := s.prospects
	if contactID != 0 {
		ct, _, err := ps.Contact(ctx, actor, contactID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		if ct == nil || ct.CustomerID != customerID {
			f.Add("contact_id", "needs.v.contact")
		}
	}
	if oppID != 0 {
		o, _, err := ps.Opportunity(ctx, actor, oppID)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		if o == nil || o.CustomerID != customerID {
			f.Add("opportunity_id", "needs.v.opportunity")
		}
	}
	return nil
}

func optionalID(id uint) *uint {
	if id == 0 {
		return nil
	}
	return &id
}

// SaveNeed records a new need of a customer (id 0) or edits one. Editing
// does not change the status (see SetNeedStatus); customerID may be 0 when
// editing, else it must be the need's customer. The key person and the
// opportunity, when given, must belong to the same customer.
func (s *Service) SaveNeed(ctx context.Context, actor authz.Subject, customerID, id uint, in NeedInput) (*Need, error) {
	if id == 0 {
		return s.createNeed(ctx, actor, customerID, in, 0)
	}
	n, c, err := s.Need(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if customerID != 0 && customerID != c.ID {
		return nil, fmt.Errorf("need %d of customer %d: %w", id, customerID, apperr.ErrNotFound)
	}
	f := in.Validate()
	if err := s.checkLinks(ctx, actor, c.ID, in.ContactID, in.OpportunityID, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version != n.Version {
		return nil, fmt.Errorf("need %d: %w", id, apperr.ErrConflict)
	}
	before := *n
	n.Category, n.Description, n.Priority = in.Category, in.Description, in.Priority
	n.ContactID, n.OpportunityID, n.UpdatedBy = optionalID(in.ContactID), optionalID(in.OpportunityID), &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveNeed(ctx, n, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, EntityNeed, n.ID, audit.ActionUpdate, audit.Diff(&before, n))
	})
	return n, err
}

func (s *Service) createNeed(ctx context.Context, actor authz.Subject, customerID uint, in NeedInput, visitID uint) (*Need, error) {
	c, err := s.Customer(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	f := in.Validate()
	if err := s.checkLinks(ctx, actor, c.ID, in.ContactID, in.OpportunityID, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	n := &Need{CustomerID: c.ID, Category: in.Category, Description: in.Description, Priority: in.Priority,
		ContactID: optionalID(in.ContactID), Status: StatusOpen, OpportunityID: optionalID(in.OpportunityID),
		SourceVisitID: optionalID(visitID), OwnerID: c.OwnerID, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreateNeed(ctx, n); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, EntityNeed, n.ID, audit.ActionCreate, audit.Diff(nil, n))
	})
	return n, err
}

// CreateFromVisit records a need found during a visit: open, medium
// priority, linked to the visit record and (optionally) the key person who
// raised it. An empty category means "other". The visits module calls it
// through a func wired in cmd/jike.
func (s *Service) CreateFromVisit(ctx context.Context, actor authz.Subject, customerID uint, category, description string, contactID uint, visitID uint) (*Need, error) {
	if strings.TrimSpace(category) == "" {
		category = servicecat.Other
	}
	return s.createNeed(ctx, actor, customerID, NeedInput{Category: category, Description: description, Priority: "medium", ContactID: contactID}, visitID)
}

// SetNeedStatus moves a need along open → addressed → closed (an open need
// may be closed directly; addressed and closed needs may be reopened).
// version, when not 0, must match the need's.
func (s *Service) SetNeedStatus(ctx context.Context, actor authz.Subject, id uint, status string, version int) (*Need, error) {
	n, _, err := s.Need(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Statuses, status) {
		return nil, apperr.Fields{"status": "v.choose"}
	}
	if version != 0 && version != n.Version {
		return nil, fmt.Errorf("need %d: %w", id, apperr.ErrConflict)
	}
	if status == n.Status {
		return n, nil
	}
	if !CanMove(n.Status, status) {
		return nil, apperr.Fields{"status": "needs.v.transition"}
	}
	before := *n
	n.Status, n.UpdatedBy = status, &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveNeed(ctx, n, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, EntityNeed, n.ID, audit.ActionUpdate, audit.Diff(&before, n))
	})
	return n, err
}

// ListNeeds returns the needs actor may read matching f (a customer's
// needs when f.CustomerID is set: ErrNotFound if the customer is out of
// scope), with the total count.
func (s *Service) ListNeeds(ctx context.Context, actor authz.Subject, f NeedFilter) ([]NeedRow, int64, error) {
	if f.CustomerID != 0 {
		if _, err := s.Customer(ctx, actor, f.CustomerID, "read"); err != nil {
			return nil, 0, err
		}
	}
	return s.store.ListNeeds(ctx, s.prospects.Scope(actor, "read"), f)
}

// CountNeeds counts the needs actor may read with status ("" for all).
func (s *Service) CountNeeds(ctx context.Context, actor authz.Subject, status string) (int64, error) {
	return s.store.CountNeeds(ctx, s.prospects.Scope(actor, "read"), status)
}

// TimelineEntries is the module's source for the customer timeline: each
// need registered and each change of its status. Register it with
// prospects.Timeline.Register in cmd/jike.
func (s *Service) TimelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	list, err := s.store.NeedsOf(ctx, customerID)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, len(list))
	byID := map[uint]*Need{}
	var out []prospects.TimelineEntry
	for i := range list {
		n := &list[i]
		ids[i], byID[n.ID] = n.ID, n
		out = append(out, prospects.TimelineEntry{At: n.CreatedAt, Kind: "need", MsgID: "needs.timeline.created",
			Args: []any{"Title", n.Short()}, Link: needAnchor(n), ActorID: derefID(n.CreatedBy)})
	}
	changes, err := s.store.StatusChanges(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, e := range changes {
		n := byID[e.EntityID]
		for _, fc := range e.Fields() {
			if fc.Field != "status" || !slices.Contains(Statuses, fc.To) {
				continue
			}
			out = append(out, prospects.TimelineEntry{At: e.At, Kind: "need", MsgID: "needs.timeline.status." + fc.To,
				Args: []any{"Title", n.Short()}, Link: needAnchor(n), ActorID: derefID(e.ActorID)})
		}
	}
	return out, nil
}

func needAnchor(n *Need) string {
	return fmt.Sprintf("/customers/%d/needs#need-%d", n.CustomerID, n.ID)
}
