package proposals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
)

// Priced is a catalogue product as proposals see it (wired in cmd/jike
// from the catalog module).
type Priced struct {
	ID               uint
	Code, Name, Unit string
	// NameEn is the English name ("" when the catalogue has none).
	NameEn                 string
	MonthlyFen, OneTimeFen money.Fen
	// FloorRate is the lowest rate (basis points of list) an account
	// manager may give alone.
	FloorRate money.Rate
	Active    bool
	// Category groups the builder's product picker.
	Category string
}

// DisplayName is the product's name in lang (English when there is one).
func (p Priced) DisplayName(lang string) string {
	if i18n.Normalize(lang) == i18n.EN && p.NameEn != "" {
		return p.NameEn
	}
	return p.Name
}

// PriceList looks products up by id.
type PriceList func(ctx context.Context, ids []uint) (map[uint]Priced, error)

// Options are the approval thresholds and the clock.
type Options struct {
	// ChiefThreshold: a total contract value above it needs the chief
	// rep's approval. Default ¥500,000.
	ChiefThreshold money.Fen
	// DirectorThreshold: above it the director approves too. Default
	// ¥2,000,000.
	DirectorThreshold money.Fen
	Now               func() time.Time
	// OnSent runs when a version has been sent to the customer (cmd/jike
	// moves the opportunity to 方案提交); OnAccepted when the customer has
	// accepted it (the hand-off to contracts). Both run inside the
	// proposal's transaction (db.WithTx carries it in ctx, and the other
	// module's stores join it through db.Conn), so the proposal's change
	// and theirs commit or roll back together; their error is returned
	// wrapped in ErrFollowUp so the page can say so.
	OnSent     func(ctx context.Context, actor authz.Subject, p *Proposal) error
	OnAccepted func(ctx context.Context, actor authz.Subject, p *Proposal) error
	// OnSale lists the products a new line may use, for the builder.
	OnSale func(ctx context.Context) ([]Priced, error)
	// Users resolves names and phones (owner, chief rep, approvers).
	Users People
	// Needs lists a customer's needs for the builder (cmd/jike wires the
	// needs module); nil means no needs to choose from.
	Needs NeedSource
	// FallbackApprovers are the usernames of the people, in order, who
	// take an approval step that nobody in the customer's branch may take
	// under the four-eyes rule — typically the director step of a
	// proposal the branch's only director wrote (JIKE_APPROVAL_FALLBACK;
	// see docs/proposals.md). Each must hold proposal approve_director in
	// policy.csv; others are ignored. None: such a proposal cannot be
	// submitted.
	FallbackApprovers []string
}

// NeedRef is a need as proposals cite it.
type NeedRef struct {
	ID     uint
	Text   string
	Status string
}

// NeedSource lists the needs of a customer the actor may read.
type NeedSource func(ctx context.Context, actor authz.Subject, customerID uint) ([]NeedRef, error)

// Service holds the proposal rules. Everything is scoped by the customer.
type Service struct {
	store     *Store
	prospects *prospects.Service
	enf       *authz.Enforcer
	prices    PriceList
	opts      Options
}

// People is what proposals reads of the organisation: names, approvers,
// the configured fallback approvers. org.Service implements it.
type People interface {
	UserByID(ctx context.Context, id uint) (*org.User, error)
	UserByUsername(ctx context.Context, username string) (*org.User, error)
	UsersByIDs(ctx context.Context, ids []uint) (map[uint]org.User, error)
	// Directory is UsersByIDs as a page shows people (names), kept under
	// the org version: the list names every row's owner.
	Directory(ctx context.Context, ids []uint) (map[uint]org.User, error)
	ListUsers(ctx context.Context, f org.UserFilter) ([]org.User, int64, error)
	TeamByID(ctx context.Context, id uint) (*org.Team, error)
}

// NewService wires the service.
func NewService(store *Store, ps *prospects.Service, enf *authz.Enforcer, prices PriceList, o Options) *Service {
	if o.ChiefThreshold == 0 {
		o.ChiefThreshold = 500_000_00
	}
	if o.DirectorThreshold == 0 {
		o.DirectorThreshold = 2_000_000_00
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{store: store, prospects: ps, enf: enf, prices: prices, opts: o}
}

// Now is the service clock.
func (s *Service) Now() time.Time { return s.opts.Now() }

// Thresholds returns the approval thresholds (for the UI).
func (s *Service) Thresholds() (chief, director money.Fen) {
	return s.opts.ChiefThreshold, s.opts.DirectorThreshold
}

// LineInput is one line of the builder form.
type LineInput struct {
	ProductID  uint
	Quantity   string
	TermMonths string
	Rate       string // percent of list charged: "85", "85.5", "100"
}

// Input is the proposal builder form.
type Input struct {
	CustomerID     uint
	OpportunityID  uint
	Title          string
	ValidUntil     string
	Background     string
	NeedsAnalysis  string
	Solution       string
	Implementation string
	Commitments    string
	Lines          []LineInput
	NeedIDs        []uint
	LockVersion    int
}

// Section returns the typed text of a section by name (for the form).
func (in Input) Section(name string) string {
	p := Proposal{Background: in.Background, NeedsAnalysis: in.NeedsAnalysis, Solution: in.Solution,
		Implementation: in.Implementation, Commitments: in.Commitments}
	return p.Section(name)
}

// price turns form lines into priced lines with exact totals. Products
// already on the version (keep) keep their recorded prices even if the
// catalogue changed or retired them since; new products must be active.
func (s *Service) price(ctx context.Context, in []LineInput, keep map[uint]Line, f apperr.Fields) ([]Line, error) {
	var ids []uint
	for _, l := range in {
		if l.ProductID != 0 {
			ids = append(ids, l.ProductID)
		}
	}
	products, err := s.prices(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []Line
	for i, l := range in {
		if l.ProductID == 0 {
			continue
		}
		field := fmt.Sprintf("line_%d", i)
		qty, err := strconv.ParseInt(strings.TrimSpace(l.Quantity), 10, 64)
		if err != nil || qty <= 0 || qty > 10_000_000 {
			f.Add(field, "proposals.v.quantity")
			continue
		}
		term, err := strconv.Atoi(strings.TrimSpace(l.TermMonths))
		if strings.TrimSpace(l.TermMonths) == "" {
			term, err = 12, nil
		}
		if err != nil || term < 1 || term > 120 {
			f.Add(field, "proposals.v.term")
			continue
		}
		rate := money.FullRate
		if strings.TrimSpace(l.Rate) != "" {
			rate, err = money.ParseRate(l.Rate)
		}
		if err != nil {
			f.Add(field, "proposals.v.rate")
			continue
		}
		line := Line{Quantity: qty, TermMonths: term, Rate: rate}
		if old, ok := keep[l.ProductID]; ok {
			line.ProductID, line.ProductCode, line.ProductName, line.ProductNameEn, line.Unit = old.ProductID, old.ProductCode, old.ProductName, old.ProductNameEn, old.Unit
			line.MonthlyListFen, line.OneTimeListFen, line.FloorRate = old.MonthlyListFen, old.OneTimeListFen, old.FloorRate
		} else {
			p, ok := products[l.ProductID]
			if !ok || !p.Active {
				f.Add(field, "proposals.v.product")
				continue
			}
			line.ProductID, line.ProductCode, line.ProductName, line.ProductNameEn, line.Unit = p.ID, p.Code, p.Name, p.NameEn, p.Unit
			line.MonthlyListFen, line.OneTimeListFen, line.FloorRate = p.MonthlyFen, p.OneTimeFen, p.FloorRate
		}
		if line.MonthlyNetFen, err = money.LineNet(line.MonthlyListFen, qty, rate); err != nil {
			f.Add(field, "proposals.v.too_large")
			continue
		}
		if line.OneTimeNetFen, err = money.LineNet(line.OneTimeListFen, qty, rate); err != nil {
			f.Add(field, "proposals.v.too_large")
			continue
		}
		over, err := money.Times(line.MonthlyNetFen, int64(term))
		if err == nil {
			line.TotalFen, err = money.Sum(over, line.OneTimeNetFen)
		}
		if err != nil {
			f.Add(field, "proposals.v.too_large")
			continue
		}
		out = append(out, line)
	}
	if len(out) == 0 && len(f) == 0 {
		f.Add("lines", "proposals.v.no_lines")
	}
	return out, nil
}

// totals sums the lines and decides which approvals are needed: the chief
// rep's when any line is below its floor or the total is above the chief
// threshold; the director's too above the director threshold.
func (s *Service) totals(p *Proposal, lines []Line) error {
	var monthly, oneTime, total []money.Fen
	below := false
	for _, l := range lines {
		monthly, oneTime, total = append(monthly, l.MonthlyNetFen), append(oneTime, l.OneTimeNetFen), append(total, l.TotalFen)
		below = below || l.BelowFloor()
	}
	var err error
	if p.MonthlyFen, err = money.Sum(monthly...); err != nil {
		return err
	}
	if p.OneTimeFen, err = money.Sum(oneTime...); err != nil {
		return err
	}
	if p.TotalFen, err = money.Sum(total...); err != nil {
		return err
	}
	p.NeedsDirector = p.TotalFen > s.opts.DirectorThreshold
	p.NeedsChief = below || p.TotalFen > s.opts.ChiefThreshold || p.NeedsDirector
	return nil
}

// apply checks the builder form into p. Every id the form carries is
// checked against the customer and the actor's scope: the opportunity
// must be one of the customer's, each cited need one of the customer's
// needs the actor may read (or one the version already cites); anything
// else is refused, never stored.
func (s *Service) apply(ctx context.Context, actor authz.Subject, c *prospects.Customer, p *Proposal, in Input, kept []uint, f apperr.Fields) error {
	in.Title = strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(in.Title); n == 0 {
		f.Add("title", "v.required")
	} else if n > 100 {
		f.Add("title", "v.too_long")
	}
	p.ValidUntil = nil
	if v := strings.TrimSpace(in.ValidUntil); v != "" {
		t, err := textnorm.ParseDate(v)
		if err != nil {
			f.Add("valid_until", textnorm.DateMessage(err))
		} else if t.Before(s.opts.Now().AddDate(0, 0, -1)) {
			f.Add("valid_until", "proposals.v.valid_past")
		} else {
			p.ValidUntil = &t
		}
	}
	for name, text := range map[string]string{"background": in.Background, "needs_analysis": in.NeedsAnalysis, "solution": in.Solution, "implementation": in.Implementation, "commitments": in.Commitments} {
		if utf8.RuneCountInString(text) > 20000 {
			f.Add(name, "v.too_long")
		}
	}
	p.OpportunityID = nil
	if in.OpportunityID != 0 {
		opps, err := s.prospects.Opportunities(ctx, actor, c.ID)
		if err != nil {
			return err
		}
		found := false
		for _, o := range opps {
			found = found || o.ID == in.OpportunityID
		}
		if !found {
			f.Add("opportunity_id", "proposals.v.opportunity")
		} else {
			id := in.OpportunityID
			p.OpportunityID = &id
		}
	}
	if len(in.NeedIDs) > 0 {
		choices, err := s.NeedChoices(ctx, actor, c.ID)
		if err != nil {
			return err
		}
		for _, id := range in.NeedIDs {
			if !slices.Contains(kept, id) && !slices.ContainsFunc(choices, func(n NeedRef) bool { return n.ID == id }) {
				f.Add("need_id", "proposals.v.need")
				break
			}
		}
	}
	p.Title = in.Title
	p.Background, p.NeedsAnalysis, p.Solution = strings.TrimSpace(in.Background), strings.TrimSpace(in.NeedsAnalysis), strings.TrimSpace(in.Solution)
	p.Implementation, p.Commitments = strings.TrimSpace(in.Implementation), strings.TrimSpace(in.Commitments)
	return nil
}

// Create starts a proposal (version 1, draft) for a customer the actor
// may work on.
func (s *Service) Create(ctx context.Context, actor authz.Subject, in Input) (*Proposal, error) {
	c, err := s.prospects.CustomerFor(ctx, actor, in.CustomerID, "write")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	p := &Proposal{CustomerID: c.ID, OwnerID: c.OwnerID, Version: 1, Status: StatusDraft, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	if err := s.apply(ctx, actor, c, p, in, nil, f); err != nil {
		return nil, err
	}
	lines, err := s.price(ctx, in.Lines, nil, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.totals(p, lines); err != nil {
		return nil, apperr.Fields{"lines": "proposals.v.too_large"}
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.Create(ctx, p, lines, dedupe(in.NeedIDs)); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "proposal", p.ID, audit.ActionCreate, audit.Diff(nil, p))
	})
	return p, err
}

// Update changes a proposal. A draft or pending version is changed in
// place (a pending one goes back to draft and its approvals lapse); an
// approved or sent version stays as it was and the change becomes a new
// version, a draft, which is returned.
func (s *Service) Update(ctx context.Context, actor authz.Subject, id uint, in Input) (*Proposal, error) {
	p, c, err := s.version(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if p.Status == StatusAccepted || p.Status == StatusRejected || p.Status == StatusSuperseded {
		return nil, apperr.Fields{"_form": "proposals.v.closed"}
	}
	if in.LockVersion != p.LockVersion {
		return nil, fmt.Errorf("proposal %d: %w", id, apperr.ErrConflict)
	}
	old, err := s.store.Lines(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	keep := map[uint]Line{}
	for _, l := range old {
		keep[l.ProductID] = l
	}
	f := apperr.Fields{}
	next := *p
	kept, err := s.store.NeedIDs(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if err := s.apply(ctx, actor, c, &next, in, kept, f); err != nil {
		return nil, err
	}
	lines, err := s.price(ctx, in.Lines, keep, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if err := s.totals(&next, lines); err != nil {
		return nil, apperr.Fields{"lines": "proposals.v.too_large"}
	}
	next.Status, next.ChiefApprovedBy, next.DirectorApprovedBy, next.UpdatedBy = StatusDraft, nil, nil, &actor.ID
	if p.Editable() {
		err = s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.Save(ctx, &next, lines, dedupe(in.NeedIDs), s.opts.Now()); err != nil {
				return err
			}
			return audit.Record(ctx, tx.DB(), actor.ID, "proposal", p.ID, audit.ActionUpdate, audit.Diff(p, &next))
		})
		return &next, err
	}
	// A new version: the approved or sent one stays readable as it was.
	next.ID, next.Version, next.CreatedBy, next.SentAt, next.DecidedAt = 0, p.Version+1, &actor.ID, nil, nil
	next.CreatedAt, next.UpdatedAt = time.Time{}, time.Time{}
	err = s.store.Tx(ctx, func(tx *Store) error {
		latest, err := tx.Versions(ctx, *p.RootID)
		if err != nil {
			return err
		}
		if len(latest) > 0 && latest[0].Version >= next.Version {
			return fmt.Errorf("proposal %s already has version %d: %w", p.Number, latest[0].Version, apperr.ErrConflict)
		}
		if err := tx.Create(ctx, &next, lines, dedupe(in.NeedIDs)); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "proposal", next.ID, "new_version", map[string]audit.Change{"version": {From: p.Version, To: next.Version}})
	})
	return &next, err
}

// Changeable reports whether a version may still be edited, in place
// (draft, pending) or as a new version (approved, sent). Accepted,
// rejected and superseded versions are closed.
func (s *Service) Changeable(p *Proposal) bool {
	return p.Editable() || p.Status == StatusApproved || p.Status == StatusSent
}

// version loads a proposal version and checks act on its customer. The
// one reader beyond the customer's scope is the configured fallback
// approver, for a pending version whose step routes to them (route.go):
// they must read what they decide.
func (s *Service) version(ctx context.Context, actor authz.Subject, id uint, act string) (*Proposal, *prospects.Customer, error) {
	p, err := s.store.Proposal(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.prospects.CustomerFor(ctx, actor, p.CustomerID, act)
	if errors.Is(err, apperr.ErrNotFound) && act == "read" && NextLevel(p) != "" {
		if fc, ok, ferr := s.routedToFallback(ctx, actor, p); ferr != nil {
			return nil, nil, ferr
		} else if ok {
			return p, fc, nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return p, c, nil
}

// Readable reports whether actor may read version id (its page, its PDF).
func (s *Service) Readable(ctx context.Context, actor authz.Subject, id uint) (bool, error) {
	_, _, err := s.version(ctx, actor, id, "read")
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Submit asks for approval when the rules need it; otherwise the draft is
// approved at once and can be sent.
func (s *Service) Submit(ctx context.Context, actor authz.Subject, id uint, lock int) (*Proposal, error) {
	p, c, err := s.version(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if p.Status != StatusDraft {
		return nil, apperr.Fields{"_form": "proposals.v.not_draft"}
	}
	if lock != 0 && lock != p.LockVersion {
		return nil, fmt.Errorf("proposal %d: %w", id, apperr.ErrConflict)
	}
	before := *p
	p.Status, p.UpdatedBy = StatusApproved, &actor.ID
	if p.NeedsChief || p.NeedsDirector {
		p.Status = StatusPending
		// The submitter becomes an author too: refuse now rather than
		// leave a version nobody may approve.
		ok, err := s.newRouter().feasible(ctx, p, c, actor.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.Fields{"_form": "proposals.v.no_approver"}
		}
	}
	return p, s.save(ctx, actor, &before, p, "submit")
}

func (s *Service) save(ctx context.Context, actor authz.Subject, before, p *Proposal, action string, extra ...func(tx *Store) error) error {
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.Save(ctx, p, nil, nil, s.opts.Now()); err != nil {
			return err
		}
		for _, fn := range extra {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "proposal", p.ID, action, audit.Diff(before, p))
	})
}

// NextLevel is the approval a pending version waits for: "chief",
// "director" or "" when none.
func NextLevel(p *Proposal) string {
	switch {
	case p.Status != StatusPending:
		return ""
	case p.NeedsChief && p.ChiefApprovedBy == nil:
		return "chief"
	case p.NeedsDirector && p.DirectorApprovedBy == nil:
		return "director"
	}
	return ""
}

// CanDecide reports whether approver may decide the step p waits for:
// the step routes to them (see route.go) — the policy gives them the step
// on the customer, the four-eyes rule does not exclude them, and nobody
// before them in the step's order of preference may take it.
func (s *Service) CanDecide(ctx context.Context, approver authz.Subject, p *Proposal, c *prospects.Customer) (bool, error) {
	if NextLevel(p) == "" {
		return false, nil
	}
	ids, err := s.newRouter().approvers(ctx, p, c)
	return slices.Contains(ids, approver.ID), err
}

// Decide approves or rejects the next level of a pending version. A
// rejection (comment required) sends the version back to draft; the last
// approval makes it approved.
func (s *Service) Decide(ctx context.Context, approver authz.Subject, id uint, approve bool, comment string) (*Proposal, error) {
	p, c, err := s.version(ctx, approver, id, "read")
	if err != nil {
		return nil, err
	}
	level := NextLevel(p)
	if level == "" {
		return nil, apperr.Fields{"_form": "proposals.v.not_pending"}
	}
	ok, err := s.CanDecide(ctx, approver, p, c)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("approve proposal %d: %w", id, apperr.ErrForbidden)
	}
	comment = strings.TrimSpace(comment)
	if !approve && comment == "" {
		return nil, apperr.Fields{"comment": "proposals.v.reject_comment"}
	}
	if utf8.RuneCountInString(comment) > 1000 {
		return nil, apperr.Fields{"comment": "v.too_long"}
	}
	before := *p
	decision, action := "approved", "approve"
	if approve {
		// Each step is its own decision by its own person: a director
		// taking the chief step does not also take the director's.
		if level == "chief" {
			p.ChiefApprovedBy = &approver.ID
		} else {
			p.DirectorApprovedBy = &approver.ID
		}
		if NextLevel(p) == "" {
			p.Status = StatusApproved
		}
	} else {
		decision, action = "rejected", "reject"
		p.Status, p.ChiefApprovedBy, p.DirectorApprovedBy = StatusDraft, nil, nil
	}
	p.UpdatedBy = &approver.ID
	now := s.opts.Now()
	err = s.save(ctx, approver, &before, p, action, func(tx *Store) error {
		return tx.AddApproval(ctx, &Approval{ProposalID: p.ID, Level: level, Decision: decision, ByID: approver.ID, At: now, Comment: comment})
	})
	return p, err
}

// Send records that an approved version went to the customer; earlier
// versions are superseded and OnSent runs (the opportunity moves to
// 方案提交).
func (s *Service) Send(ctx context.Context, actor authz.Subject, id uint) (*Proposal, error) {
	p, _, err := s.version(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if p.Status != StatusApproved {
		return nil, apperr.Fields{"_form": "proposals.v.not_approved"}
	}
	before := *p
	now := s.opts.Now()
	p.Status, p.SentAt, p.UpdatedBy = StatusSent, &now, &actor.ID
	// The follow-up in another module (the opportunity's stage) runs in
	// the same transaction: if it fails, the proposal is not sent either.
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		err := s.save(ctx, actor, &before, p, "send", func(tx *Store) error {
			return tx.Supersede(ctx, *p.RootID, p.ID, p.Version, now)
		})
		if err != nil {
			return err
		}
		return followUp(ctx, s.opts.OnSent, actor, p)
	})
	return rolledBack(p, &before, err)
}

// rolledBack is what a transition returns: p when it committed; the
// version as it was read (and stays) when the follow-up failed; nil on
// any other error.
func rolledBack(p, before *Proposal, err error) (*Proposal, error) {
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, ErrFollowUp):
		return before, err
	}
	return nil, err
}

// ErrFollowUp wraps the error of an OnSent or OnAccepted hook: the hook
// runs in the proposal change's transaction, so neither the follow-up in
// the other module nor the proposal's own change was saved.
var ErrFollowUp = errors.New("proposal saved, follow-up failed")

func followUp(ctx context.Context, hook func(context.Context, authz.Subject, *Proposal) error, actor authz.Subject, p *Proposal) error {
	if hook == nil {
		return nil
	}
	if err := hook(ctx, actor, p); err != nil {
		return fmt.Errorf("%w: %w", ErrFollowUp, err)
	}
	return nil
}

// CustomerDecision records the customer's answer to a sent version.
// Accepting closes every other version and runs OnAccepted.
func (s *Service) CustomerDecision(ctx context.Context, actor authz.Subject, id uint, accepted bool) (*Proposal, error) {
	p, _, err := s.version(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if p.Status != StatusSent {
		return nil, apperr.Fields{"_form": "proposals.v.not_sent"}
	}
	before := *p
	now := s.opts.Now()
	p.Status, p.DecidedAt, p.UpdatedBy = StatusRejected, &now, &actor.ID
	action := "customer_reject"
	var extra []func(tx *Store) error
	if accepted {
		p.Status, action = StatusAccepted, "customer_accept"
		extra = append(extra, func(tx *Store) error { return tx.Supersede(ctx, *p.RootID, p.ID, 0, now) })
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.save(ctx, actor, &before, p, action, extra...); err != nil {
			return err
		}
		if !accepted {
			return nil
		}
		return followUp(ctx, s.opts.OnAccepted, actor, p)
	})
	return rolledBack(p, &before, err)
}

// Detail is what the proposal page (and its PDF) shows.
type Detail struct {
	P         *Proposal
	Customer  *prospects.Customer
	Lines     []Line
	NeedIDs   []uint
	Approvals []Approval
	Versions  []Proposal
	// Needs are the needs the version answers, as the needs module has
	// them now.
	Needs []NeedRef
	// Users holds the owner, the chief rep and every approver by id.
	Users map[uint]org.User
	// History is the version's audit trail, newest first.
	History []audit.Entry
	// ChiefID is the customer's chief rep, or the team's leader; 0 if none.
	ChiefID uint
	// Waiting are the people the pending step routes to (see route.go).
	Waiting   []uint
	CanWrite  bool
	CanDecide bool
}

// User returns a user of the detail by id (zero value if unknown).
func (d *Detail) User(id uint) org.User { return d.Users[id] }

// Quote is a priced builder form: lines and totals as the server computes
// them, and the approvals they would need. Nothing is saved.
type Quote struct {
	Lines                            []Line
	MonthlyFen, OneTimeFen, TotalFen money.Fen
	NeedsChief, NeedsDirector        bool
}

// Preview prices the builder's lines for a customer the actor may write
// to, the way Create or Update would. proposalID, when not 0, is the
// version being edited: its products keep their recorded prices.
func (s *Service) Preview(ctx context.Context, actor authz.Subject, customerID, proposalID uint, in []LineInput) (*Quote, error) {
	if _, err := s.prospects.CustomerFor(ctx, actor, customerID, "write"); err != nil {
		return nil, err
	}
	keep := map[uint]Line{}
	if proposalID != 0 {
		p, _, err := s.version(ctx, actor, proposalID, "write")
		if err != nil {
			return nil, err
		}
		if p.CustomerID != customerID {
			return nil, apperr.ErrNotFound
		}
		old, err := s.store.Lines(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range old {
			keep[l.ProductID] = l
		}
	}
	f := apperr.Fields{}
	lines, err := s.price(ctx, in, keep, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var p Proposal
	if err := s.totals(&p, lines); err != nil {
		return nil, apperr.Fields{"lines": "proposals.v.too_large"}
	}
	return &Quote{Lines: lines, MonthlyFen: p.MonthlyFen, OneTimeFen: p.OneTimeFen, TotalFen: p.TotalFen, NeedsChief: p.NeedsChief, NeedsDirector: p.NeedsDirector}, nil
}

// LinesOf returns the recorded lines of a version the actor may read.
func (s *Service) LinesOf(ctx context.Context, actor authz.Subject, id uint) ([]Line, error) {
	if _, _, err := s.version(ctx, actor, id, "read"); err != nil {
		return nil, err
	}
	return s.store.Lines(ctx, id)
}

// Products lists the products on sale for the builder.
func (s *Service) Products(ctx context.Context) ([]Priced, error) {
	if s.opts.OnSale == nil {
		return nil, nil
	}
	return s.opts.OnSale(ctx)
}

// NeedChoices lists the customer's needs for the builder.
func (s *Service) NeedChoices(ctx context.Context, actor authz.Subject, customerID uint) ([]NeedRef, error) {
	if s.opts.Needs == nil {
		return nil, nil
	}
	return s.opts.Needs(ctx, actor, customerID)
}

// chiefOf is the customer's chief rep, or the leader of its team.
func (s *Service) chiefOf(ctx context.Context, c *prospects.Customer) (uint, error) {
	if c.ChiefRepID != nil {
		return *c.ChiefRepID, nil
	}
	if s.opts.Users == nil || c.TeamID == 0 {
		return 0, nil
	}
	t, err := s.opts.Users.TeamByID(ctx, c.TeamID)
	if errors.Is(err, apperr.ErrNotFound) {
		return 0, nil
	}
	if err != nil || t.LeaderID == nil {
		return 0, err
	}
	return *t.LeaderID, nil
}

// Get loads a version for its page.
func (s *Service) Get(ctx context.Context, actor authz.Subject, id uint) (*Detail, error) {
	p, c, err := s.version(ctx, actor, id, "read")
	if err != nil {
		return nil, err
	}
	d := &Detail{P: p, Customer: c, CanWrite: s.prospects.Can(actor, "write", c)}
	if NextLevel(p) != "" {
		if d.Waiting, err = s.newRouter().approvers(ctx, p, c); err != nil {
			return nil, err
		}
		d.CanDecide = slices.Contains(d.Waiting, actor.ID)
	}
	if d.Lines, err = s.store.Lines(ctx, id); err != nil {
		return nil, err
	}
	if d.NeedIDs, err = s.store.NeedIDs(ctx, id); err != nil {
		return nil, err
	}
	if d.Approvals, err = s.store.Approvals(ctx, id); err != nil {
		return nil, err
	}
	if p.RootID != nil {
		if d.Versions, err = s.store.Versions(ctx, *p.RootID); err != nil {
			return nil, err
		}
	}
	if len(d.NeedIDs) > 0 {
		all, err := s.NeedChoices(ctx, actor, c.ID)
		if err != nil {
			return nil, err
		}
		cited := map[uint]bool{}
		for _, id := range d.NeedIDs {
			cited[id] = true
		}
		for _, n := range all {
			if cited[n.ID] {
				d.Needs = append(d.Needs, n)
			}
		}
	}
	if d.ChiefID, err = s.chiefOf(ctx, c); err != nil {
		return nil, err
	}
	if d.History, _, err = audit.List(ctx, s.store.DB(), audit.Query{Entity: "proposal", EntityID: p.ID, Limit: 50}); err != nil {
		return nil, err
	}
	d.Users = map[uint]org.User{}
	if s.opts.Users != nil {
		ids := append([]uint{p.OwnerID, d.ChiefID}, d.Waiting...)
		for _, a := range d.Approvals {
			ids = append(ids, a.ByID)
		}
		if d.Users, err = s.opts.Users.UsersByIDs(ctx, dedupe(ids)); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// List returns the proposals (latest versions) the actor may read.
func (s *Service) List(ctx context.Context, actor authz.Subject, f Filter) ([]Row, int64, error) {
	f.Latest = true
	return s.store.List(ctx, s.prospects.Scope(actor, "read"), f)
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

// TimelineEntries are the customer timeline's proposal entries: each
// version created, sent and decided by the customer, and every approval
// decision. Registered on prospects.Timeline in cmd/jike.
func (s *Service) TimelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	list, err := s.store.OfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	byID := map[uint]*Proposal{}
	var out []prospects.TimelineEntry
	for i := range list {
		p := &list[i]
		byID[p.ID] = p
		link := "/proposals/" + strconv.FormatUint(uint64(p.ID), 10)
		args := []any{"Title", p.Title, "Number", p.Number, "Version", p.Version}
		created := "proposals.timeline.created"
		if p.Version > 1 {
			created = "proposals.timeline.version"
		}
		var actor uint
		if p.CreatedBy != nil {
			actor = *p.CreatedBy
		}
		out = append(out, prospects.TimelineEntry{At: p.CreatedAt, Kind: "proposal", MsgID: created, Args: args, Link: link, ActorID: actor})
		if p.SentAt != nil {
			out = append(out, prospects.TimelineEntry{At: *p.SentAt, Kind: "proposal", MsgID: "proposals.timeline.sent", Args: args, Link: link})
		}
		if p.DecidedAt != nil && (p.Status == StatusAccepted || p.Status == StatusRejected) {
			out = append(out, prospects.TimelineEntry{At: *p.DecidedAt, Kind: "proposal", MsgID: "proposals.timeline." + p.Status, Args: args, Link: link})
		}
	}
	approvals, err := s.store.ApprovalsOfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	for _, a := range approvals {
		p := byID[a.ProposalID]
		if p == nil {
			continue
		}
		out = append(out, prospects.TimelineEntry{At: a.At, Kind: "proposal", MsgID: "proposals.timeline.approval." + a.Decision,
			Args: []any{"Title", p.Title, "Number", p.Number, "Version", p.Version}, Detail: a.Comment,
			Link: "/proposals/" + strconv.FormatUint(uint64(p.ID), 10) + "#approvals", ActorID: a.ByID})
	}
	return out, nil
}
