package visits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// NeedRequest is a need discovered at a visit, for the needs module to
// record. Its key person and opportunity were checked to be the
// customer's.
type NeedRequest struct {
	CustomerID  uint
	VisitID     uint
	Category    string
	Description string
	// ContactID is the key person who raised it (0: none).
	ContactID uint
	// OpportunityID is the customer's open opportunity when it has exactly
	// one (0: none or several, left to the account manager).
	OpportunityID uint
}

// CreateNeedFunc creates a need record from a visit (the needs module,
// wired in cmd/jike; visits and needs are siblings). tx is the transaction
// the visit record is being saved in: the need must be written through
// it, so the record, the visit's status, the next plan or to-do and the
// needs are saved together or not at all. An apperr.Fields error (keys
// category, description, contact_id) is shown next to the need's row.
type CreateNeedFunc func(ctx context.Context, tx *gorm.DB, actor authz.Subject, n NeedRequest) error

// BriefSection adds a part to the pre-visit brief: a title (i18n id) and
// plain lines. Modules register theirs (open needs, contracts ending, open
// complaints) in cmd/jike.
type BriefSection func(ctx context.Context, actor authz.Subject, customerID uint) (title string, lines []BriefLine, err error)

// People is what visits reads of the organisation (participants, the
// team's people, the feed's owner). org.Service implements it.
type People interface {
	UserByID(ctx context.Context, id uint) (*org.User, error)
	UsersByIDs(ctx context.Context, ids []uint) (map[uint]org.User, error)
	UsersByTeam(ctx context.Context, teamIDs ...uint) ([]org.User, error)
	Teams(ctx context.Context, branchID uint, activeOnly bool) ([]org.Team, error)
}

// Service holds the rules for visit plans and records. A visit is visible
// and editable exactly when its customer is (prospects.CustomerFor).
type Service struct {
	store     *Store
	prospects *prospects.Service
	org       People
	loc       *time.Location
	now       func() time.Time
	// CreateNeed, when set, turns needs discovered at a visit into records.
	CreateNeed CreateNeedFunc
	// OnVisitDone, when set, runs in the visit record's transaction once
	// a visit becomes done (the after-sale care list keeps each
	// customer's last contact with it, wired in cmd/jike); an error
	// rolls the record back.
	OnVisitDone func(ctx context.Context, tx *gorm.DB, customerID uint) error
	// AgendaTodos and FeedTodos, when set, add the free-standing to-dos
	// (modules/todos, wired in cmd/jike) to the agenda and the feed.
	AgendaTodos func(ctx context.Context, actor authz.Subject) ([]AgendaTodo, error)
	FeedTodos   func(ctx context.Context, actor authz.Subject) ([]FeedTodo, error)
	sections    []BriefSection
	// weekListMax is WeekListMax unless a test lowers it.
	weekListMax int
}

// NewService wires the service; loc is the zone people plan in.
func NewService(store *Store, ps *prospects.Service, people People, loc *time.Location) *Service {
	if loc == nil {
		loc = time.UTC
	}
	s := &Service{store: store, prospects: ps, org: people, loc: loc, now: func() time.Time { return time.Now().UTC() }, weekListMax: WeekListMax}
	ps.Timeline().Register(s.timelineEntries)
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Location is the zone visits are planned in.
func (s *Service) Location() *time.Location { return s.loc }

// Now is the service clock.
func (s *Service) Now() time.Time { return s.now() }

// Today is the start of the current day where visits are planned, in UTC.
func (s *Service) Today() time.Time {
	local := s.now().In(s.loc)
	return time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc).UTC()
}

// AddBriefSection registers a section of the pre-visit brief.
func (s *Service) AddBriefSection(sec BriefSection) { s.sections = append(s.sections, sec) }

// Store exposes the store (demo data).
func (s *Service) Store() *Store { return s.store }

// plan loads a plan and its customer, checking act on the customer.
func (s *Service) plan(ctx context.Context, actor authz.Subject, id uint, act string) (*Plan, *prospects.Customer, error) {
	p, err := s.store.Plan(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.prospects.CustomerFor(ctx, actor, p.CustomerID, act)
	if err != nil {
		return nil, nil, err
	}
	return p, c, nil
}

// checkLinks verifies that key persons belong to the customer and that
// participants are enabled colleagues of the customer's branch.
func (s *Service) checkLinks(ctx context.Context, actor authz.Subject, c *prospects.Customer, in *PlanInput, f apperr.Fields) error {
	contacts, err := s.prospects.Contacts(ctx, actor, c.ID)
	if err != nil {
		return err
	}
	ok := map[uint]bool{}
	for _, ct := range contacts {
		ok[ct.ID] = true
	}
	in.Contacts = dedupe(in.Contacts)
	for _, id := range in.Contacts {
		if !ok[id] {
			f.Add("contacts", "visits.v.contact")
		}
	}
	in.Participants = dedupe(in.Participants)
	users, err := s.org.UsersByIDs(ctx, in.Participants)
	if err != nil {
		return err
	}
	for _, id := range in.Participants {
		if u, found := users[id]; !found || !s.colleagueMayGo(u, c) {
			f.Add("participants", "visits.v.participant")
		}
	}
	return nil
}

// colleagueMayGo reports whether u may go along on a visit to c: an
// enabled user of the customer's branch who can open the customer, so the
// visit is visible to everyone on it.
func (s *Service) colleagueMayGo(u org.User, c *prospects.Customer) bool {
	return !u.Disabled && u.BranchID != nil && *u.BranchID == c.BranchID && s.prospects.Can(u.Subject(), "read", c)
}

func dedupe(ids []uint) []uint {
	seen := map[uint]bool{}
	var out []uint
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// CreatePlan plans a visit to a customer the actor may work on. The
// customer's owner does the visit; a colleague who plans it joins it.
func (s *Service) CreatePlan(ctx context.Context, actor authz.Subject, in PlanInput) (*Plan, error) {
	v, f := in.Validate(s.loc)
	if in.CustomerID == 0 {
		return nil, f
	}
	c, err := s.prospects.CustomerFor(ctx, actor, in.CustomerID, "write")
	if err != nil {
		return nil, err
	}
	if err := s.checkLinks(ctx, actor, c, &in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if actor.ID != c.OwnerID {
		in.Participants = dedupe(append(in.Participants, actor.ID))
	}
	if in.Location == "" {
		in.Location = DefaultLocation(c)
	}
	p := &Plan{CustomerID: c.ID, OwnerID: c.OwnerID, StartsAt: v.starts, DurationMin: v.duration, Kind: in.Kind,
		Objective: in.Objective, Location: in.Location, Status: StatusPlanned, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	for item, on := range in.Checklist {
		p.setItem(item, on)
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreatePlan(ctx, p, in.Contacts, in.Participants); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "visit", p.ID, audit.ActionCreate, audit.Diff(nil, p))
	})
	return p, err
}

// UpdatePlan edits a planned visit.
func (s *Service) UpdatePlan(ctx context.Context, actor authz.Subject, id uint, in PlanInput) (*Plan, error) {
	p, c, err := s.plan(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	in.CustomerID = c.ID
	v, f := in.Validate(s.loc)
	if err := s.checkLinks(ctx, actor, c, &in, f); err != nil {
		return nil, err
	}
	if p.Status != StatusPlanned {
		f.Add("_form", "visits.v.not_planned")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version != p.Version {
		return nil, fmt.Errorf("visit %d: %w", id, apperr.ErrConflict)
	}
	before := *p
	p.StartsAt, p.DurationMin, p.Kind, p.Objective, p.Location = v.starts, v.duration, in.Kind, in.Objective, in.Location
	for _, item := range ChecklistItems {
		p.setItem(item, in.Checklist[item])
	}
	p.UpdatedBy = &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SavePlan(ctx, p, in.Contacts, in.Participants, true, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "visit", p.ID, audit.ActionUpdate, audit.Diff(&before, p))
	})
	return p, err
}

// Check ticks or unticks one item of the preparation checklist.
func (s *Service) Check(ctx context.Context, actor authz.Subject, id uint, item string, on bool) (*Plan, error) {
	p, _, err := s.plan(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	before := *p
	if !p.setItem(item, on) {
		return nil, apperr.Fields{"item": "v.choose"}
	}
	p.UpdatedBy = &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SavePlan(ctx, p, nil, nil, false, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "visit", p.ID, audit.ActionUpdate, audit.Diff(&before, p))
	})
	return p, err
}

// Cancel cancels a planned visit; a reason is required.
func (s *Service) Cancel(ctx context.Context, actor authz.Subject, id uint, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Fields{"reason": "visits.v.cancel_reason"}
	}
	if utf8.RuneCountInString(reason) > 500 {
		return apperr.Fields{"reason": "v.too_long"}
	}
	return s.setStatus(ctx, actor, id, StatusCancelled, reason)
}

// MarkMissed records that a planned visit did not happen.
func (s *Service) MarkMissed(ctx context.Context, actor authz.Subject, id uint) error {
	return s.setStatus(ctx, actor, id, StatusMissed, "")
}

func (s *Service) setStatus(ctx context.Context, actor authz.Subject, id uint, status, reason string) error {
	p, _, err := s.plan(ctx, actor, id, "write")
	if err != nil {
		return err
	}
	if p.Status != StatusPlanned {
		return apperr.Fields{"_form": "visits.v.not_planned"}
	}
	if status == StatusMissed && p.StartsAt.After(s.now()) {
		return apperr.Fields{"_form": "visits.v.not_yet"}
	}
	before := *p
	p.Status, p.CancelReason, p.UpdatedBy = status, reason, &actor.ID
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SavePlan(ctx, p, nil, nil, false, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "visit", p.ID, audit.ActionUpdate, audit.Diff(&before, p))
	})
}

// RecordResult is what saving a record produced.
type RecordResult struct {
	Record   *Record
	NextPlan *Plan
	// NextTodo is the to-do made instead of a plan (next kind NextTodo).
	NextTodo *Todo
	Needs    int
}

// lateEdit is how long a record stays freely editable; later edits are
// marked in the audit trail as late.
const lateEdit = 7 * 24 * time.Hour

// SaveRecord records what happened at a visit: the plan becomes done; a
// next step with a date creates the next visit plan (same key persons and
// colleagues, as far as they still qualify) or a to-do; needs discovered
// become need records through CreateNeed, linked to the key person who
// raised them and to the customer's open opportunity when it has exactly
// one. The whole form is checked before anything is written, and all of it
// is written in one transaction: a failure anywhere (a need included)
// saves nothing. A visit can be recorded once its time has come. Editing a
// record is allowed and audited; after seven days the edit is marked
// "late_edit".
func (s *Service) SaveRecord(ctx context.Context, actor authz.Subject, visitID uint, in RecordInput) (*RecordResult, error) {
	p, c, err := s.plan(ctx, actor, visitID, "write")
	if err != nil {
		return nil, err
	}
	now := s.now()
	v, f := in.Validate(s.loc, now)
	switch {
	case p.Status == StatusCancelled || p.Status == StatusMissed:
		f.Add("_form", "visits.v.not_planned")
	case p.Status == StatusPlanned && p.StartsAt.After(now):
		f.Add("_form", "visits.v.record_not_yet")
	}
	if len(in.Needs) > 0 && s.CreateNeed == nil {
		f.Add("needs", "visits.v.needs_unavailable")
	}
	// Every id the form names must be the customer's.
	contacts, err := s.prospects.Contacts(ctx, actor, c.ID)
	if err != nil {
		return nil, err
	}
	live := map[uint]bool{}
	for _, ct := range contacts {
		live[ct.ID] = true
	}
	for _, n := range in.Needs {
		if n.ContactID != 0 && !live[n.ContactID] {
			f.Add(needKey("contact", n.Line), "visits.v.need_contact")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	existing, err := s.store.Record(ctx, p.ID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if existing != nil && in.Version != existing.Version {
		return nil, fmt.Errorf("record of visit %d: %w", p.ID, apperr.ErrConflict)
	}
	var oppID uint
	if len(in.Needs) > 0 {
		if oppID, err = s.soleOpenOpportunity(ctx, actor, c.ID); err != nil {
			return nil, err
		}
	}
	res := &RecordResult{}
	err = s.store.Tx(ctx, func(tx *Store) error {
		r := existing
		var before *Record
		action := audit.ActionCreate
		if r == nil {
			// CreatedAt follows the service clock, which the 7-day
			// late-edit rule below is measured with.
			r = &Record{VisitID: p.ID, CreatedBy: &actor.ID, CreatedAt: now}
		} else {
			b := *r
			before, action = &b, audit.ActionUpdate
			if now.Sub(r.CreatedAt) > lateEdit {
				action = "late_edit"
			}
		}
		r.Discussed, r.Attitude, r.NeedsText, r.NextStep, r.UpdatedBy = in.Discussed, in.Attitude, strings.TrimSpace(in.NeedsText), in.NextStep, &actor.ID
		if v.next != nil && v.todo && r.NextVisitID == nil {
			// A to-do instead of a visit; editing the record later does
			// not make a second one.
			if _, err := tx.TodoOfVisit(ctx, p.ID); errors.Is(err, apperr.ErrNotFound) {
				t := &Todo{CustomerID: c.ID, OwnerID: c.OwnerID, VisitID: &p.ID, Title: in.NextStep, DueDate: *v.date, CreatedBy: &actor.ID}
				if err := tx.CreateTodo(ctx, t); err != nil {
					return err
				}
				if err := audit.Record(ctx, tx.DB(), actor.ID, "visit_todo", t.ID, audit.ActionCreate, audit.Diff(nil, t)); err != nil {
					return err
				}
				res.NextTodo = t
			} else if err != nil {
				return err
			}
		}
		if v.next != nil && !v.todo && r.NextVisitID == nil {
			contactIDs, participantIDs, err := tx.Links(ctx, []uint{p.ID})
			if err != nil {
				return err
			}
			keep, going, err := s.stillEligible(ctx, c, live, contactIDs[p.ID], participantIDs[p.ID])
			if err != nil {
				return err
			}
			next := &Plan{CustomerID: c.ID, OwnerID: c.OwnerID, StartsAt: *v.next, DurationMin: p.DurationMin,
				Kind: in.NextKind, Objective: in.NextStep, Location: p.Location, Status: StatusPlanned,
				PrevVisitID: &p.ID, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
			if err := tx.CreatePlan(ctx, next, keep, going); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx.DB(), actor.ID, "visit", next.ID, audit.ActionCreate, audit.Diff(nil, next)); err != nil {
				return err
			}
			r.NextVisitID, res.NextPlan = &next.ID, next
		}
		r.NextDate = v.date
		if existing == nil {
			if err := tx.CreateRecord(ctx, r); err != nil {
				return err
			}
		} else if err := tx.SaveRecord(ctx, r, s.now()); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx.DB(), actor.ID, "visit_record", r.ID, action, audit.Diff(before, r)); err != nil {
			return err
		}
		if p.Status != StatusDone {
			pb := *p
			p.Status, p.UpdatedBy = StatusDone, &actor.ID
			if err := tx.SavePlan(ctx, p, nil, nil, false, s.now()); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx.DB(), actor.ID, "visit", p.ID, audit.ActionUpdate, audit.Diff(&pb, p)); err != nil {
				return err
			}
			if s.OnVisitDone != nil {
				if err := s.OnVisitDone(ctx, tx.DB(), p.CustomerID); err != nil {
					return fmt.Errorf("visit %d done: %w", p.ID, err)
				}
			}
		}
		for _, n := range in.Needs {
			err := s.CreateNeed(ctx, tx.DB(), actor, NeedRequest{CustomerID: c.ID, VisitID: p.ID, Category: n.Category,
				Description: n.Description, ContactID: n.ContactID, OpportunityID: oppID})
			if err != nil {
				return needError(err, n.Line)
			}
			res.Needs++
		}
		res.Record = r
		return nil
	})
	if err != nil {
		// Nothing was saved: the plan keeps its state for the next try.
		return nil, err
	}
	return res, nil
}

// needError places the needs module's field errors on the need's row of
// the record form; other errors pass through.
func needError(err error, line int) error {
	fe, ok := apperr.AsFields(err)
	if !ok {
		return fmt.Errorf("create need from visit: %w", err)
	}
	out := apperr.Fields{}
	for k, msg := range fe {
		switch k {
		case "category":
			out.Add(needKey("category", line), msg)
		case "description":
			out.Add(needKey("description", line), msg)
		case "contact_id":
			out.Add(needKey("contact", line), msg)
		default:
			out.Add("needs", msg)
		}
	}
	return out
}

// soleOpenOpportunity is the customer's open opportunity when it has
// exactly one (a need found at a visit then belongs to it), else 0.
func (s *Service) soleOpenOpportunity(ctx context.Context, actor authz.Subject, customerID uint) (uint, error) {
	opps, err := s.prospects.Opportunities(ctx, actor, customerID)
	if err != nil {
		return 0, err
	}
	var id uint
	for _, o := range opps {
		if o.Closed() {
			continue
		}
		if id != 0 {
			return 0, nil
		}
		id = o.ID
	}
	return id, nil
}

// stillEligible keeps, of a visit's key persons and colleagues, those who
// may still be on the next visit to c: live key persons of the customer,
// and enabled colleagues of its branch who may open it (as checkLinks
// requires of a plan). Someone who left in between is not carried over.
func (s *Service) stillEligible(ctx context.Context, c *prospects.Customer, live map[uint]bool, contacts, participants []uint) ([]uint, []uint, error) {
	var keep []uint
	for _, id := range contacts {
		if live[id] {
			keep = append(keep, id)
		}
	}
	users, err := s.org.UsersByIDs(ctx, participants)
	if err != nil {
		return nil, nil, err
	}
	var going []uint
	for _, id := range participants {
		if u, ok := users[id]; ok && s.colleagueMayGo(u, c) {
			going = append(going, id)
		}
	}
	return keep, going, nil
}

// Detail is everything the visit page shows.
type Detail struct {
	Plan         *Plan
	Customer     *prospects.Customer
	Contacts     []prospects.Contact
	AllContacts  []prospects.Contact
	Participants []org.User
	Owner        org.User
	Record       *Record
	Prev, Next   *Plan
	// Todo is the to-do the record agreed, if any.
	Todo     *Todo
	CanWrite bool
}

// Detail loads a visit for its page.
func (s *Service) Detail(ctx context.Context, actor authz.Subject, id uint) (*Detail, error) {
	p, c, err := s.plan(ctx, actor, id, "read")
	if err != nil {
		return nil, err
	}
	d := &Detail{Plan: p, Customer: c, CanWrite: s.prospects.Can(actor, "write", c)}
	contactIDs, participantIDs, err := s.store.Links(ctx, []uint{p.ID})
	if err != nil {
		return nil, err
	}
	all, err := s.prospects.Contacts(ctx, actor, c.ID)
	if err != nil {
		return nil, err
	}
	d.AllContacts = all
	meet := map[uint]bool{}
	for _, id := range contactIDs[p.ID] {
		meet[id] = true
	}
	for _, ct := range all {
		if meet[ct.ID] {
			d.Contacts = append(d.Contacts, ct)
		}
	}
	users, err := s.org.UsersByIDs(ctx, append(participantIDs[p.ID], p.OwnerID))
	if err != nil {
		return nil, err
	}
	d.Owner = users[p.OwnerID]
	for _, uid := range participantIDs[p.ID] {
		d.Participants = append(d.Participants, users[uid])
	}
	if r, err := s.store.Record(ctx, p.ID); err == nil {
		d.Record = r
		if r.NextVisitID != nil {
			d.Next, _ = s.store.Plan(ctx, *r.NextVisitID)
		}
		if t, err := s.store.TodoOfVisit(ctx, p.ID); err == nil {
			d.Todo = t
		} else if !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if p.PrevVisitID != nil {
		d.Prev, _ = s.store.Plan(ctx, *p.PrevVisitID)
	}
	return d, nil
}

// Colleagues lists who may join a visit to c: the enabled users of its
// branch who sell and may open the customer (teammates, the chief rep,
// the director).
func (s *Service) Colleagues(ctx context.Context, c *prospects.Customer) ([]org.User, error) {
	all, err := s.branchSellers(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []org.User
	for _, u := range all {
		if s.prospects.Can(u.Subject(), "read", c) {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Service) branchSellers(ctx context.Context, c *prospects.Customer) ([]org.User, error) {
	teams, err := s.org.Teams(ctx, c.BranchID, true)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, len(teams))
	for i, t := range teams {
		ids[i] = t.ID
	}
	var out []org.User
	if len(ids) > 0 {
		if out, err = s.org.UsersByTeam(ctx, ids...); err != nil {
			return nil, err
		}
	}
	var directors []org.User
	if err := db.Conn(ctx, s.store.DB()).Where("role = ? AND branch_id = ? AND disabled = ?", authz.RoleDirector, c.BranchID, false).
		Order("name").Find(&directors).Error; err != nil {
		return nil, err
	}
	return append(out, directors...), nil
}

// View names whose visits a calendar shows.
const (
	ViewMine  = "mine"
	ViewScope = "scope" // the team for a chief rep, the branch for a director
)

// List returns the visits in [from, to) the actor may see: their own (as
// owner or participant) or, with ViewScope, all of their scope.
func (s *Service) List(ctx context.Context, actor authz.Subject, view string, from, to time.Time, customerID uint) ([]PlanRow, error) {
	f := PlanFilter{From: &from, To: &to, CustomerID: customerID, keep: true}
	if view != ViewScope {
		f.Mine = actor.ID
	}
	rows, _, err := s.store.ListPlans(ctx, s.prospects.Scope(actor, "read"), f)
	return rows, err
}

// History returns a page of the visits the actor may see: today's and the
// coming ones first, soonest first, then the past ones, latest first.
func (s *Service) History(ctx context.Context, actor authz.Subject, view string, customerID uint, statuses []string, limit, offset int) ([]PlanRow, int64, error) {
	return s.HistoryFor(ctx, actor, view, HistoryQuery{CustomerID: customerID, Statuses: statuses, Limit: limit, Offset: offset})
}

// HistoryQuery narrows the visit list: a customer, statuses, and the
// calendar's drill-down (one day, one branch, one team or one owner).
type HistoryQuery struct {
	CustomerID uint
	Statuses   []string
	// Day, when set, is a local midnight: the visits of that day only.
	Day                       *time.Time
	BranchID, TeamID, OwnerID uint
	Limit, Offset             int
}

// HistoryFor is History with the drill-down filters of q; the total is
// capped at CountCap+1.
func (s *Service) HistoryFor(ctx context.Context, actor authz.Subject, view string, q HistoryQuery) ([]PlanRow, int64, error) {
	today := s.Today()
	f := PlanFilter{CustomerID: q.CustomerID, Statuses: q.Statuses, UpcomingFrom: &today, Limit: q.Limit, Offset: q.Offset,
		BranchID: q.BranchID, TeamID: q.TeamID, OwnerID: q.OwnerID, keep: true}
	if q.Day != nil {
		from, to := q.Day.UTC(), q.Day.AddDate(0, 0, 1).UTC()
		f.From, f.To = &from, &to
	}
	if view != ViewScope {
		f.Mine = actor.ID
	}
	return s.store.ListPlans(ctx, s.prospects.Scope(actor, "read"), f)
}

// Listed is a plan of a list with its record (nil when none) and the
// ids of its key persons and participants.
type Listed struct {
	PlanRow
	Record                   *Record
	ContactIDs, Participants []uint
}

// Page is one page of the visits actor may read matching f (the scope is
// the calendar's: f.Mine for one's own, else the whole read scope), each
// with its record and links in two lookups for the page, and the total
// capped at CountCap+1.
func (s *Service) Page(ctx context.Context, actor authz.Subject, f PlanFilter) ([]Listed, int64, error) {
	f.UpcomingFrom = nil
	rows, total, err := s.store.ListPlans(ctx, s.prospects.Scope(actor, "read"), f)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]uint, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	out := make([]Listed, len(rows))
	if len(rows) == 0 {
		return out, total, nil
	}
	recs, err := s.store.Records(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	contacts, participants, err := s.store.Links(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		out[i] = Listed{PlanRow: rows[i], ContactIDs: contacts[rows[i].ID], Participants: participants[rows[i].ID]}
		if r, ok := recs[rows[i].ID]; ok {
			out[i].Record = &r
		}
	}
	return out, total, nil
}

// WeekListMax is the most visits a week of a team, a branch or the
// province lists one by one; above it the week shows counts like the
// month. Service.SetWeekListMax changes it (tests).
const WeekListMax = 300

// SetWeekListMax changes the most visits a scope's week lists one by one
// (tests: a demo team's week is far below WeekListMax).
func (s *Service) SetWeekListMax(n int) { s.weekListMax = n }

// CalendarGrouping tells how a calendar of view may count its visits
// instead of listing them: "" lists every visit; ByBranch, ByTeam or
// ByOwner shows per day how many each branch, team or person has, each
// count a link to that day's list. The province is counted per branch, a
// branch (a director's scope) per team (~14,000 visits a month in a
// branch), a chief rep's team per person (~2,800 a month). A month is
// always counted; a week only when it has more than WeekListMax visits
// (the handler counts first): ~3,000 a week in a branch, 300–700 in a
// chief rep's team at province scale, where a 12-person week listed one
// by one was 91 KB, ~100 visits a day to read in one column. One's own
// visits are always listed.
func (s *Service) CalendarGrouping(actor authz.Subject, view string) string {
	if view != ViewScope {
		return ""
	}
	switch s.prospects.Scope(actor, "read").Level() {
	case authz.ScopeAll:
		// Per branch: thirteen lines a day, each a link to the branch's
		// visits of the day; per team the province's month was 52 lines
		// a day, four of each name ("政企客户一组" in every branch).
		return ByBranch
	case authz.ScopeBranch:
		return ByTeam
	case authz.ScopeTeam:
		return ByOwner
	}
	return ""
}

// CountByDay counts the visits of view per day (consecutive bounds, local
// midnights) and per team or owner (by), for the calendar.
func (s *Service) CountByDay(ctx context.Context, actor authz.Subject, view string, bounds []time.Time, by string) ([]DayCount, error) {
	var f PlanFilter
	if view != ViewScope {
		f.Mine = actor.ID
	}
	return s.store.CountByDay(ctx, s.prospects.Scope(actor, "read"), f, bounds, by)
}

// Agenda is a user's day: today's visits, visits needing preparation and
// visits overdue (past, no record).
type Agenda struct {
	Today      []PlanRow
	Unprepared []PlanRow
	Overdue    []PlanRow
	// Todos are the open to-dos due today or earlier; TodoDay is today as
	// a to-do date, to tell the overdue ones.
	Todos   []TodoRow
	TodoDay time.Time
	// Free are the actor's free-standing to-dos due by the end of today
	// (overdue ones first), by due time.
	Free []AgendaTodo
}

// agendaLimit bounds each list of the home page's agenda.
const agendaLimit = 50

// Agenda loads the actor's own agenda for the day containing now.
func (s *Service) Agenda(ctx context.Context, actor authz.Subject) (*Agenda, error) {
	now := s.now()
	local := now.In(s.loc)
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc).UTC()
	dayEnd := dayStart.Add(24 * time.Hour)
	scope := s.prospects.Scope(actor, "read")
	a := &Agenda{}
	// The panel shows lists, never a total: no counts (issue 19), and
	// each list bounded (a day has never 50 visits of one person).
	today, _, err := s.store.ListPlans(ctx, scope, PlanFilter{Mine: actor.ID, From: &dayStart, To: &dayEnd,
		Statuses: []string{StatusPlanned, StatusDone}, Limit: agendaLimit, NoCount: true})
	if err != nil {
		return nil, err
	}
	a.Today = today
	soon := now.Add(24 * time.Hour)
	upcoming, _, err := s.store.ListPlans(ctx, scope, PlanFilter{Mine: actor.ID, From: &dayStart, To: &soon, Statuses: []string{StatusPlanned},
		Limit: agendaLimit, NoCount: true})
	if err != nil {
		return nil, err
	}
	for _, r := range upcoming {
		if r.Unprepared(now) {
			a.Unprepared = append(a.Unprepared, r)
		}
	}
	past, _, err := s.store.ListPlans(ctx, scope, PlanFilter{Mine: actor.ID, OverdueAt: &now, Desc: true, Limit: agendaLimit, NoCount: true})
	if err != nil {
		return nil, err
	}
	for _, r := range past {
		if r.Overdue(now) {
			a.Overdue = append(a.Overdue, r)
		}
	}
	// To-dos are calendar dates at midnight UTC (like Record.NextDate).
	a.TodoDay = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	if a.Todos, err = s.store.OpenTodos(ctx, scope, actor.ID, a.TodoDay, 50); err != nil {
		return nil, err
	}
	if s.AgendaTodos != nil {
		if a.Free, err = s.AgendaTodos(ctx, actor); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// CompleteTodo marks a to-do done. It needs write access to the to-do's
// customer (otherwise ErrNotFound or ErrForbidden, as for visits); doing
// it twice changes nothing.
func (s *Service) CompleteTodo(ctx context.Context, actor authz.Subject, id uint) (*Todo, error) {
	t, err := s.store.Todo(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.prospects.CustomerFor(ctx, actor, t.CustomerID, "write"); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.store.Tx(ctx, func(tx *Store) error {
		done, err := tx.CompleteTodo(ctx, t.ID, actor.ID, now)
		if err != nil || !done {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "visit_todo", t.ID, "done", map[string]audit.Change{"done_at": {From: nil, To: now}})
	})
	if err != nil {
		return nil, err
	}
	return s.store.Todo(ctx, id)
}

// OverdueMax is the most overdue visits the list's panel holds; a
// branch's or the province's are thousands, and the panel says "200+".
const OverdueMax = 200

// Overdue lists the visits of the actor's scope that are past and have no
// record (for chief reps and directors watching their people).
//
// The list is kept per scope, view and minute under the visits, customers
// and org versions (Store.OverduePlans): "now" is taken to the minute, so
// a visit joins the list at most a minute after its end, and never stays
// on it after the record that closes it is written.
func (s *Service) Overdue(ctx context.Context, actor authz.Subject, view string) ([]PlanRow, error) {
	now := s.now().Truncate(time.Minute)
	f := PlanFilter{OverdueAt: &now, Desc: true, Limit: OverdueMax, NoCount: true}
	if view != ViewScope {
		f.Mine = actor.ID
	}
	scope := s.prospects.Scope(actor, "read")
	key := ""
	if k := scope.Key(); k != "" {
		key = fmt.Sprintf("%s|mine=%d|at=%d", k, f.Mine, now.Unix())
	}
	rows, err := s.store.OverduePlans(ctx, scope, f, key)
	if err != nil {
		return nil, err
	}
	var out []PlanRow
	for _, r := range rows {
		if r.Overdue(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// --- calendar feed

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// NewFeedToken creates (or replaces) the actor's calendar feed token and
// returns it; only its hash is stored, so it is shown once.
func (s *Service) NewFeedToken(ctx context.Context, actor authz.Subject) (string, error) {
	token := web.RandomToken(24)
	if err := s.store.SetToken(ctx, actor.ID, hashToken(token), s.now()); err != nil {
		return "", err
	}
	return token, nil
}

// RevokeFeedToken stops the actor's calendar feed.
func (s *Service) RevokeFeedToken(ctx context.Context, actor authz.Subject) error {
	return s.store.DeleteToken(ctx, actor.ID)
}

// HasFeedToken reports whether the actor has a live feed.
func (s *Service) HasFeedToken(ctx context.Context, actor authz.Subject) (bool, error) {
	_, err := s.store.TokenOf(ctx, actor.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// FeedFor resolves a feed token to its user's visits (own and joined)
// from 30 days ago to 180 days ahead. A revoked or unknown token, or a
// disabled user, is ErrNotFound.
func (s *Service) FeedFor(ctx context.Context, token string) (*org.User, []PlanRow, error) {
	if len(token) < 20 {
		return nil, nil, apperr.ErrNotFound
	}
	uid, err := s.store.UserByToken(ctx, hashToken(token))
	if err != nil {
		return nil, nil, err
	}
	u, err := s.org.UserByID(ctx, uid)
	if err != nil || u.Disabled {
		return nil, nil, apperr.ErrNotFound
	}
	actor := u.Subject()
	now := s.now()
	from, to := now.AddDate(0, 0, -30), now.AddDate(0, 0, 180)
	rows, err := s.List(ctx, actor, ViewMine, from, to, 0)
	return u, rows, err
}

// --- timeline

func (s *Service) timelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	var plans []Plan
	if err := db.Conn(ctx, s.store.DB()).Where("customer_id = ?", customerID).Order("starts_at DESC").Limit(100).Find(&plans).Error; err != nil {
		return nil, err
	}
	ids := make([]uint, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	records, err := s.store.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []prospects.TimelineEntry
	for _, p := range plans {
		link := fmt.Sprintf("/visits/%d", p.ID)
		when := p.StartsAt.In(s.loc).Format("2006-01-02 15:04")
		out = append(out, prospects.TimelineEntry{At: p.CreatedAt, Kind: "visit", MsgID: "timeline.visit.planned",
			Args: []any{"When", when, "Objective", p.Objective}, Link: link, ActorID: derefID(p.CreatedBy)})
		if r, ok := records[p.ID]; ok {
			out = append(out, prospects.TimelineEntry{At: r.CreatedAt, Kind: "visit", MsgID: "timeline.visit.recorded",
				Args: []any{"When", when}, Detail: r.Discussed, Link: link, ActorID: derefID(r.CreatedBy)})
		}
		if p.Status == StatusCancelled || p.Status == StatusMissed {
			out = append(out, prospects.TimelineEntry{At: p.UpdatedAt, Kind: "visit", MsgID: "timeline.visit." + p.Status,
				Args: []any{"When", when}, Detail: p.CancelReason, Link: link, ActorID: derefID(p.UpdatedBy)})
		}
	}
	return out, nil
}

func derefID(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}
