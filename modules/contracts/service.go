package contracts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
)

// Defaults of the options.
const (
	DefaultChiefThreshold    money.Fen = 100_000_00
	DefaultDirectorThreshold money.Fen = 1_000_000_00
	DefaultNumberPrefix                = "HT"
	DefaultMaxAttachment               = 20 << 20
)

// DefaultReminderDays are the renewal reminders: 90, 60 and 30 days
// before the end. The largest is also the renewal window (expiring).
var DefaultReminderDays = []int{90, 60, 30}

// Options are the module's settings and its clock.
type Options struct {
	// ChiefThreshold: a total value above it needs the chief rep's
	// approval; DirectorThreshold: above it the director's too.
	ChiefThreshold, DirectorThreshold money.Fen
	// NumberPrefix starts every contract number (HT-哈尔滨-2026-000123).
	NumberPrefix string
	// Fallback is the username of the approver the admin configured for
	// contracts whose creator is a director ("" for none).
	Fallback string
	// ReminderDays are the days before the end when the owner and the
	// chief rep are reminded; the largest is the renewal window.
	ReminderDays []int
	// MaxAttachmentBytes bounds one attachment.
	MaxAttachmentBytes int64
	// Blobs keeps attachments' bytes (default: the database).
	Blobs BlobStore
	// Now is the clock; Location the zone whose calendar decides "today".
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
}

// Service holds the contract rules. Every method takes the acting user
// and checks the contract's customer against the permission policy.
type Service struct {
	store *Store
	enf   *authz.Enforcer
	deps  Deps
	opts  Options
}

// NewService wires the service.
func NewService(store *Store, enf *authz.Enforcer, deps Deps, o Options) *Service {
	if o.ChiefThreshold == 0 {
		o.ChiefThreshold = DefaultChiefThreshold
	}
	if o.DirectorThreshold == 0 {
		o.DirectorThreshold = DefaultDirectorThreshold
	}
	if o.NumberPrefix == "" {
		o.NumberPrefix = DefaultNumberPrefix
	}
	if len(o.ReminderDays) == 0 {
		o.ReminderDays = DefaultReminderDays
	}
	o.ReminderDays = slices.Clone(o.ReminderDays)
	slices.Sort(o.ReminderDays)
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = DefaultMaxAttachment
	}
	if o.Blobs == nil {
		o.Blobs = NewDBBlobs(store.DB())
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, enf: enf, deps: deps, opts: o}
}

// Store exposes the store (demo data, tests).
func (s *Service) Store() *Store { return s.store }

// Thresholds returns the approval thresholds (for the UI).
func (s *Service) Thresholds() (chief, director money.Fen) {
	return s.opts.ChiefThreshold, s.opts.DirectorThreshold
}

// ReminderDays are the renewal reminder thresholds, smallest first.
func (s *Service) ReminderDays() []int { return s.opts.ReminderDays }

// Window is the renewal window in days (the largest reminder).
func (s *Service) Window() int { return s.opts.ReminderDays[len(s.opts.ReminderDays)-1] }

// MaxAttachmentBytes is the largest attachment accepted.
func (s *Service) MaxAttachmentBytes() int64 { return s.opts.MaxAttachmentBytes }

// Today is the calendar date now in the configured zone (midnight UTC).
func (s *Service) Today() time.Time { return dateOf(s.opts.Now().In(s.opts.Location)) }

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// --- loading with permission

// load reads a revision and its customer and checks act (404 when the
// customer is out of reach, 403 when the action is not the actor's, 422
// when the status does not allow it).
func (s *Service) load(ctx context.Context, actor authz.Subject, id uint, act Action) (*Contract, *prospects.Customer, error) {
	c, err := s.store.Contract(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, c.CustomerID, "read")
	if err != nil {
		return nil, nil, err
	}
	if err := Allowed(s.enf, actor, act, c, cust.Ref()); err != nil {
		return nil, nil, err
	}
	return c, cust, nil
}

// can reports (for buttons) whether actor may do act on c now.
func (s *Service) can(actor authz.Subject, act Action, c *Contract, cust *prospects.Customer) bool {
	return Allowed(s.enf, actor, act, c, cust.Ref()) == nil
}

func checkLock(c *Contract, lock int) error {
	if lock != 0 && lock != c.Version {
		return fmt.Errorf("contract %d: %w", c.ID, apperr.ErrConflict)
	}
	return nil
}

// --- the form

// Input is the contract form. Lines are used only for contracts made by
// hand (and amendments and renewals); a contract made from a proposal
// keeps the proposal's lines.
type Input struct {
	CustomerID          uint
	ProposalID          uint
	OpportunityID       uint
	Title               string
	StartOn, EndOn      string
	PaymentTerms        string
	PaymentDueDay       string
	OurSignatoryID      uint
	CustomerSignatoryID uint
	Notes               string
	Lines               []LineInput
	Version             int
}

// InputOf is a revision as its edit form shows it: the portal's edit page
// and the API's PATCH both start from it and change what the user sent,
// so a field nobody touched goes back to Update exactly as it was. The
// lines are the revision's own (as form rows) unless they are fixed by
// the accepted proposal, which Update keeps whatever the input says.
func InputOf(ct *Contract, lines []Line) Input {
	in := Input{CustomerID: ct.CustomerID, Title: ct.Title, StartOn: ct.StartOn.Format("2006-01-02"), EndOn: ct.EndOn.Format("2006-01-02"),
		PaymentTerms: ct.PaymentTerms, PaymentDueDay: strconv.Itoa(ct.PaymentDueDay), Notes: ct.Notes, Version: ct.Version}
	if ct.ProposalID != nil {
		in.ProposalID = *ct.ProposalID
	}
	for _, p := range []struct {
		src *uint
		dst *uint
	}{{ct.OpportunityID, &in.OpportunityID}, {ct.OurSignatoryID, &in.OurSignatoryID}, {ct.CustomerSignatoryID, &in.CustomerSignatoryID}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if !LinesFixed(ct) {
		in.Lines = LineInputs(lines)
	}
	return in
}

// LineInputs turns stored lines back into form rows (the rate as the
// percent the form takes, which prices back to the same basis points).
func LineInputs(lines []Line) []LineInput {
	rows := make([]LineInput, len(lines))
	for i, l := range lines {
		rows[i] = LineInput{ProductID: l.ProductID, Quantity: strconv.FormatInt(l.Quantity, 10),
			TermMonths: strconv.Itoa(l.TermMonths), Rate: l.Rate.Percent()}
	}
	return rows
}

// EditInput loads a revision the actor may edit now (404 out of scope,
// 403 without customer write, 422 in a status that does not allow it)
// and returns it with its form input, to be changed and given to Update.
func (s *Service) EditInput(ctx context.Context, actor authz.Subject, id uint) (*Contract, Input, error) {
	c, _, err := s.load(ctx, actor, id, ActEdit)
	if err != nil {
		return nil, Input{}, err
	}
	lines, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return nil, Input{}, err
	}
	return c, InputOf(c, lines), nil
}

// apply validates the form's fields (not the lines) into c.
func (s *Service) apply(ctx context.Context, actor authz.Subject, cust *prospects.Customer, c *Contract, in Input, f apperr.Fields) error {
	in.Title = strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(in.Title); n == 0 {
		f.Add("title", "v.required")
	} else if n > 100 {
		f.Add("title", "v.too_long")
	}
	c.Title = in.Title
	start, err := parseDate(in.StartOn)
	if err != nil {
		f.Add("start_on", ifEmpty(in.StartOn, "v.required", textnorm.DateMessage(err)))
	}
	end, err2 := parseDate(in.EndOn)
	if err2 != nil {
		f.Add("end_on", ifEmpty(in.EndOn, "v.required", textnorm.DateMessage(err2)))
	}
	if err == nil && err2 == nil {
		switch term, ok := TermOf(start, end); {
		case !end.After(start):
			f.Add("end_on", "contracts.v.end_before_start")
		case !ok:
			f.Add("end_on", "contracts.v.term_whole_months")
		default:
			c.StartOn, c.EndOn, c.TermMonths = start, end, term
		}
	}
	if !slices.Contains(PaymentTerms, in.PaymentTerms) {
		f.Add("payment_terms", "v.choose")
	}
	c.PaymentTerms = in.PaymentTerms
	day, err := atoiTrim(in.PaymentDueDay)
	if err != nil || day < 1 || day > 28 {
		f.Add("payment_due_day", "contracts.v.due_day")
	}
	c.PaymentDueDay = day
	if utf8.RuneCountInString(in.Notes) > 5000 {
		f.Add("notes", "v.too_long")
	}
	c.Notes = strings.TrimSpace(in.Notes)
	c.OurSignatoryID, c.CustomerSignatoryID, c.OpportunityID = nil, nil, nil
	if in.OurSignatoryID != 0 {
		ok, err := s.ourSignatoryOK(ctx, cust, in.OurSignatoryID)
		if err != nil {
			return err
		}
		if !ok {
			f.Add("our_signatory_id", "contracts.v.our_signatory")
		} else {
			id := in.OurSignatoryID
			c.OurSignatoryID = &id
		}
	}
	if in.CustomerSignatoryID != 0 {
		contacts, err := s.deps.Customers.Contacts(ctx, actor, cust.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(contacts, func(k prospects.Contact) bool { return k.ID == in.CustomerSignatoryID }) {
			f.Add("customer_signatory_id", "contracts.v.customer_signatory")
		} else {
			id := in.CustomerSignatoryID
			c.CustomerSignatoryID = &id
		}
	}
	if in.OpportunityID != 0 {
		opps, err := s.deps.Customers.Opportunities(ctx, actor, cust.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(opps, func(o prospects.Opportunity) bool { return o.ID == in.OpportunityID }) {
			f.Add("opportunity_id", "contracts.v.opportunity")
		} else {
			id := in.OpportunityID
			c.OpportunityID = &id
		}
	}
	return nil
}

func ifEmpty(v, empty, other string) string {
	if strings.TrimSpace(v) == "" {
		return empty
	}
	return other
}

func atoiTrim(s string) (int, error) { return strconv.Atoi(strings.TrimSpace(s)) }

// ourSignatoryOK reports whether a user may sign for us: an active,
// selling member of the customer's branch.
func (s *Service) ourSignatoryOK(ctx context.Context, cust *prospects.Customer, id uint) (bool, error) {
	u, err := s.deps.Org.UserByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !u.Disabled && s.enf.CanRoute(u.Subject(), "contract", "sign_ours") && u.BranchID != nil && *u.BranchID == cust.BranchID, nil
}

// Signatories lists who may sign for us on a customer's contract.
func (s *Service) Signatories(ctx context.Context, cust *prospects.Customer) ([]org.User, error) {
	us, _, err := s.deps.Org.ListUsers(ctx, org.UserFilter{BranchID: cust.BranchID, Status: "active", Sort: "role", Desc: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	out := us[:0]
	for _, u := range us {
		if s.enf.CanRoute(u.Subject(), "contract", "sign_ours") {
			out = append(out, u)
		}
	}
	return out, nil
}

// checkTerms makes sure no line runs past the contract's end.
func checkTerms(c *Contract, lines []Line, f apperr.Fields) {
	if c.TermMonths == 0 {
		return
	}
	for _, l := range lines {
		if l.TermMonths > c.TermMonths {
			f.Add("end_on", "contracts.v.line_term_exceeds")
			return
		}
	}
}

// approvalsFor decides which approvals a revision needs: the chief rep's
// above the chief threshold, for a hand-priced line below its floor (a
// proposal's discounts were approved with the proposal) and for every
// amendment; the director's too above the director threshold.
func (s *Service) approvalsFor(c *Contract, lines []Line, handPriced bool) {
	below := false
	for _, l := range lines {
		below = below || (handPriced && l.BelowFloor())
	}
	c.NeedsDirector = c.TotalFen > s.opts.DirectorThreshold
	c.NeedsChief = c.NeedsDirector || c.TotalFen > s.opts.ChiefThreshold || below || c.IsAmendment()
}

// setTotals sums the lines into c.
func setTotals(c *Contract, lines []Line) error {
	var err error
	c.MonthlyFen, c.OneTimeFen, c.TotalFen, err = sumLines(lines)
	if err != nil {
		return apperr.Fields{"lines": "contracts.v.too_large"}
	}
	return nil
}

// number makes the next contract number of the customer's branch in the
// current year: HT-哈尔滨-2026-000123.
func (s *Service) number(ctx context.Context, branchID uint) (string, error) {
	year := s.Today().Year()
	seq, err := s.store.NextNumber(ctx, branchID, year)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("B%d", branchID)
	if b, err := s.deps.Org.BranchByID(ctx, branchID); err == nil {
		name = BranchShortName(b.Name)
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return "", err
	}
	return fmt.Sprintf("%s-%s-%d-%06d", s.opts.NumberPrefix, name, year, seq), nil
}

// BranchShortName is the branch's name as contract numbers show it: the
// city without 分公司 (哈尔滨分公司 → 哈尔滨).
func BranchShortName(name string) string {
	name = strings.TrimSpace(name)
	for _, suffix := range []string{"分公司", "分行", "公司"} {
		if short, ok := strings.CutSuffix(name, suffix); ok && short != "" {
			return short
		}
	}
	return strings.ReplaceAll(name, "-", "")
}

// record writes the event and the audit entry of a change, in ctx's
// transaction.
func (s *Service) record(ctx context.Context, actor uint, c *Contract, action, from, note string, changes map[string]audit.Change) error {
	e := &Event{ContractID: c.ID, CustomerID: c.CustomerID, Action: action, FromStatus: from, ToStatus: c.Status, At: s.now(), Note: note}
	if actor != 0 {
		e.ByID = &actor
	}
	if err := s.store.AddEvent(ctx, e); err != nil {
		return err
	}
	return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor, "contract", c.ID, action, changes)
}

// --- create and edit

// Create makes a draft contract for a customer the actor may write: from
// an accepted proposal version (its lines, prices, rates, terms and totals
// exactly as accepted; the version is linked and stays frozen, as an
// accepted proposal is closed to changes) or by hand from the catalogue.
func (s *Service) Create(ctx context.Context, actor authz.Subject, in Input) (*Contract, error) {
	if in.CustomerID == 0 {
		return nil, apperr.Fields{"customer_id": "v.required"}
	}
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, in.CustomerID, "write")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	c := &Contract{CustomerID: cust.ID, OwnerID: cust.OwnerID, BranchID: cust.BranchID, Revision: 1, IsCurrent: true,
		Status: StatusDraft, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	if err := s.apply(ctx, actor, cust, c, in, f); err != nil {
		return nil, err
	}
	var lines []Line
	if in.ProposalID != 0 {
		acc, err := s.accepted(ctx, actor, cust, in.ProposalID)
		if err != nil {
			return nil, err
		}
		lines = slices.Clone(acc.Lines)
		pid := acc.ID
		c.ProposalID, c.ProposalRef = &pid, acc.Ref()
		if c.OpportunityID == nil && acc.OpportunityID != nil {
			oid := *acc.OpportunityID
			c.OpportunityID = &oid
		}
		c.MonthlyFen, c.OneTimeFen, c.TotalFen = acc.MonthlyFen, acc.OneTimeFen, acc.TotalFen
		if m, o, t, err := sumLines(lines); err != nil || m != acc.MonthlyFen || o != acc.OneTimeFen || t != acc.TotalFen {
			return nil, fmt.Errorf("proposal %s: lines do not add up to its totals", acc.Ref())
		}
	} else {
		if lines, err = s.price(ctx, in.Lines, nil, max(c.TermMonths, 1), f); err != nil {
			return nil, err
		}
		if len(f) == 0 {
			if err := setTotals(c, lines); err != nil {
				return nil, err
			}
		}
	}
	checkTerms(c, lines, f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	s.approvalsFor(c, lines, in.ProposalID == 0)
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if c.Number, err = s.number(ctx, cust.BranchID); err != nil {
			return err
		}
		if err := s.store.Create(ctx, c, lines); err != nil {
			if errors.Is(err, apperr.ErrConflict) && c.ProposalID != nil {
				return apperr.Fields{"proposal_id": "contracts.v.proposal_taken"}
			}
			return err
		}
		return s.record(ctx, actor.ID, c, audit.ActionCreate, "", c.ProposalRef, audit.Diff(nil, c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// accepted loads an accepted proposal version of the customer that no
// contract was made from yet.
func (s *Service) accepted(ctx context.Context, actor authz.Subject, cust *prospects.Customer, id uint) (*Accepted, error) {
	if s.deps.Proposals == nil {
		return nil, apperr.ErrNotFound
	}
	acc, err := s.deps.Proposals.Accepted(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if acc.CustomerID != cust.ID {
		return nil, apperr.Fields{"proposal_id": "contracts.v.proposal_customer"}
	}
	taken, err := s.store.ProposalTaken(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, apperr.Fields{"proposal_id": "contracts.v.proposal_taken"}
	}
	return acc, nil
}

// LinesFixed reports whether a revision's lines are the accepted
// proposal's (not editable: a change after signing is an amendment).
func LinesFixed(c *Contract) bool { return c.ProposalID != nil && !c.IsAmendment() }

// Update changes a draft or pending revision (a pending one goes back to
// draft and its approvals lapse). A signed contract is refused with the
// message that it needs an amendment.
func (s *Service) Update(ctx context.Context, actor authz.Subject, id uint, in Input) (*Contract, error) {
	c, cust, err := s.load(ctx, actor, id, ActEdit)
	if err != nil {
		return nil, err
	}
	if err := checkLock(c, in.Version); err != nil {
		return nil, err
	}
	before := *c
	next := *c
	f := apperr.Fields{}
	if err := s.apply(ctx, actor, cust, &next, in, f); err != nil {
		return nil, err
	}
	if next.OpportunityID == nil && c.OpportunityID != nil && LinesFixed(c) {
		next.OpportunityID = c.OpportunityID
	}
	old, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	lines := old
	if !LinesFixed(c) {
		keep := map[uint]Line{}
		for _, l := range old {
			keep[l.ProductID] = l
		}
		if lines, err = s.price(ctx, in.Lines, keep, max(next.TermMonths, 1), f); err != nil {
			return nil, err
		}
		if len(f) == 0 {
			if err := setTotals(&next, lines); err != nil {
				return nil, err
			}
		}
	}
	checkTerms(&next, lines, f)
	if err := f.Err(); err != nil {
		return nil, err
	}
	s.approvalsFor(&next, lines, !LinesFixed(c))
	next.Status, next.ChiefApprovedBy, next.DirectorApprovedBy, next.SubmittedAt, next.UpdatedBy = StatusDraft, nil, nil, nil, &actor.ID
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Save(ctx, &next, s.now()); err != nil {
			return err
		}
		if !LinesFixed(c) {
			if err := s.store.ReplaceLines(ctx, next.ID, lines); err != nil {
				return err
			}
		}
		return s.record(ctx, actor.ID, &next, audit.ActionUpdate, before.Status, "", audit.Diff(&before, &next))
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// Delete removes a draft (soft, audited); its number is not given again.
func (s *Service) Delete(ctx context.Context, actor authz.Subject, id uint, lock int) error {
	c, _, err := s.load(ctx, actor, id, ActDelete)
	if err != nil {
		return err
	}
	if err := checkLock(c, lock); err != nil {
		return err
	}
	return db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Delete(ctx, c, actor.ID, s.now()); err != nil {
			return err
		}
		return s.record(ctx, actor.ID, c, audit.ActionDelete, c.Status, "", nil)
	})
}

// --- approval

// Submit asks for approval when the rules need it (the next approvers are
// notified); otherwise the draft is approved at once and can be signed.
// Both signatories must be named by then.
func (s *Service) Submit(ctx context.Context, actor authz.Subject, id uint, lock int) (*Contract, error) {
	c, cust, err := s.load(ctx, actor, id, ActSubmit)
	if err != nil {
		return nil, err
	}
	if err := checkLock(c, lock); err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if c.OurSignatoryID == nil {
		f.Add("our_signatory_id", "contracts.v.signatory_required")
	}
	if c.CustomerSignatoryID == nil {
		f.Add("customer_signatory_id", "contracts.v.signatory_required")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	before := *c
	now := s.now()
	c.Status, c.SubmittedAt, c.UpdatedBy = StatusApproved, &now, &actor.ID
	c.ChiefApprovedBy, c.DirectorApprovedBy = nil, nil
	if c.NeedsApproval() {
		c.Status = StatusPending
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Save(ctx, c, now); err != nil {
			return err
		}
		if err := s.record(ctx, actor.ID, c, "contract_submit", before.Status, "", audit.Diff(&before, c)); err != nil {
			return err
		}
		return s.notifyApprovers(ctx, c, cust)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// fallbackID resolves the configured approver (0 when none or unknown).
func (s *Service) fallbackID(ctx context.Context) (uint, error) {
	if s.opts.Fallback == "" {
		return 0, nil
	}
	u, err := s.deps.Org.UserByUsername(ctx, s.opts.Fallback)
	if errors.Is(err, apperr.ErrNotFound) {
		return 0, nil
	}
	if err != nil || u.Disabled {
		return 0, err
	}
	return u.ID, nil
}

// creatorApproves reports whether whoever made the revision may approve
// contracts themselves (false if unknown): their chief step then goes up
// to the director tier.
func (s *Service) creatorApproves(ctx context.Context, c *Contract) (bool, error) {
	if c.CreatedBy == nil {
		return false, nil
	}
	u, err := s.deps.Org.UserByID(ctx, *c.CreatedBy)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.enf.CanRoute(u.Subject(), "contract", "approve"), nil
}

// grants is what the policy lets approver do on a customer's contract.
func (s *Service) grants(approver authz.Subject, ref authz.Ref) Grants {
	return Grants{Approve: s.enf.Can(approver, "contract", "approve", ref),
		ApproveDirector: s.enf.Can(approver, "contract", "approve_director", ref)}
}

// step is the four-eyes step c waits for.
func (s *Service) step(ctx context.Context, c *Contract) (Step, bool, error) {
	up, err := s.creatorApproves(ctx, c)
	if err != nil {
		return Step{}, false, err
	}
	fb, err := s.fallbackID(ctx)
	if err != nil {
		return Step{}, false, err
	}
	st, ok := StepOf(c, up, fb)
	return st, ok, nil
}

// decisionError checks approver against the waiting step: nil when they
// may decide it.
func (s *Service) decisionError(ctx context.Context, approver authz.Subject, c *Contract, cust *prospects.Customer) error {
	up, err := s.creatorApproves(ctx, c)
	if err != nil {
		return err
	}
	fb, err := s.fallbackID(ctx)
	if err != nil {
		return err
	}
	return s.checkDecision(approver, c, cust.Ref(), up, fb)
}

// checkDecision is the four-eyes check of approver on c's waiting step.
func (s *Service) checkDecision(approver authz.Subject, c *Contract, ref authz.Ref, creatorApproves bool, fallback uint) error {
	st, ok := StepOf(c, creatorApproves, fallback)
	if !ok {
		return apperr.Fields{"_form": "contracts.v.not_pending"}
	}
	switch msg := st.Check(approver.ID, s.grants(approver, ref)); msg {
	case "":
		return nil
	case MsgNotApprover:
		return fmt.Errorf("approve contract %d: %w", c.ID, apperr.ErrForbidden)
	default:
		return apperr.Fields{"_form": msg}
	}
}

// CanDecide reports (for the page) whether approver may decide c now.
func (s *Service) CanDecide(ctx context.Context, approver authz.Subject, c *Contract, cust *prospects.Customer) bool {
	if Allowed(s.enf, approver, ActDecide, c, cust.Ref()) != nil {
		return false
	}
	return s.decisionError(ctx, approver, c, cust) == nil
}

// Decide approves or rejects the step a pending revision waits for. A
// rejection (with a reason) sends it back to draft; the last approval
// makes it approved, ready to sign. The four-eyes rule applies.
func (s *Service) Decide(ctx context.Context, approver authz.Subject, id uint, approve bool, comment string) (*Contract, error) {
	c, cust, err := s.load(ctx, approver, id, ActDecide)
	if err != nil {
		return nil, err
	}
	if err := s.decisionError(ctx, approver, c, cust); err != nil {
		return nil, err
	}
	comment = strings.TrimSpace(comment)
	if !approve && comment == "" {
		return nil, apperr.Fields{"comment": "contracts.v.reject_comment"}
	}
	if utf8.RuneCountInString(comment) > 1000 {
		return nil, apperr.Fields{"comment": "v.too_long"}
	}
	level := NextLevel(c)
	before := *c
	decision, action := "approved", "contract_approve"
	if approve {
		if level == LevelChief {
			c.ChiefApprovedBy = &approver.ID
		} else {
			c.DirectorApprovedBy = &approver.ID
		}
		if NextLevel(c) == "" {
			c.Status = StatusApproved
		}
	} else {
		decision, action = "rejected", "contract_reject"
		c.Status, c.ChiefApprovedBy, c.DirectorApprovedBy = StatusDraft, nil, nil
	}
	c.UpdatedBy = &approver.ID
	now := s.now()
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Save(ctx, c, now); err != nil {
			return err
		}
		if err := s.store.AddApproval(ctx, &Approval{ContractID: c.ID, Level: level, Decision: decision, ByID: approver.ID, At: now, Comment: comment}); err != nil {
			return err
		}
		if err := s.record(ctx, approver.ID, c, action, before.Status, comment, audit.Diff(&before, c)); err != nil {
			return err
		}
		switch {
		case c.Status == StatusPending:
			return s.notifyApprovers(ctx, c, cust)
		case c.Status == StatusApproved:
			return s.notifyOwner(ctx, c, "contracts.notice.approved", "contract.approved", approver.ID)
		default:
			return s.notifyOwner(ctx, c, "contracts.notice.rejected", "contract.rejected", approver.ID)
		}
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Queue lists the pending revisions the approver may decide now (the
// pending ones in the approver's scope, less those the four-eyes rule
// keeps from them).
func (s *Service) Queue(ctx context.Context, approver authz.Subject) ([]Row, error) {
	if !s.enf.CanRoute(approver, "contract", "approve") {
		return nil, nil
	}
	rows, err := s.store.Pending(ctx, s.enf.ListScope(approver, "contract", "approve"), 200)
	if err != nil {
		return nil, err
	}
	var creators []uint
	for _, r := range rows {
		if r.CreatedBy != nil {
			creators = append(creators, *r.CreatedBy)
		}
	}
	users, err := s.deps.Org.UsersByIDs(ctx, dedupe(creators))
	if err != nil {
		return nil, err
	}
	fb, err := s.fallbackID(ctx)
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, r := range rows {
		up := false
		if r.CreatedBy != nil {
			if u, ok := users[*r.CreatedBy]; ok {
				up = s.enf.CanRoute(u.Subject(), "contract", "approve")
			}
		}
		if s.checkDecision(approver, &r.Contract, r.CustomerRef(), up, fb) == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// --- signing and the life after it

// Sign records the signature of an approved revision, in one transaction
// on the database: the contract becomes signed, its implementation tasks
// are made, the opportunity is won (签约) and a prospect becomes an active
// customer (prospects, through Sales), a renewed predecessor becomes
// renewed, the timeline, the audit trail and the notices are written. A
// failure anywhere leaves nothing changed. Signing an amendment replaces
// the revision in force instead.
func (s *Service) Sign(ctx context.Context, actor authz.Subject, id uint, signedOn string, lock int) (*Contract, error) {
	c, cust, err := s.load(ctx, actor, id, ActSign)
	if err != nil {
		return nil, err
	}
	if err := checkLock(c, lock); err != nil {
		return nil, err
	}
	on := s.Today()
	if strings.TrimSpace(signedOn) != "" {
		if on, err = parseDate(signedOn); err != nil {
			return nil, apperr.Fields{"signed_on": textnorm.DateMessage(err)}
		}
	}
	if on.After(s.Today()) {
		return nil, apperr.Fields{"signed_on": "contracts.v.signed_future"}
	}
	lines, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	before := *c
	now := s.now()
	c.Status, c.SignedOn, c.SignedAt, c.UpdatedBy = StatusSigned, &on, &now, &actor.ID
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		var tasks []Task
		if c.IsAmendment() {
			prev, err := s.store.Current(ctx, c.Root())
			if err != nil {
				return err
			}
			if prev.Status == StatusActive || prev.Status == StatusExpiring {
				c.Status = prev.Status
			}
			pb := *prev
			prev.Status, prev.IsCurrent, prev.UpdatedBy = StatusSuperseded, false, &actor.ID
			if err := s.store.Save(ctx, prev, now); err != nil {
				return err
			}
			if err := s.record(ctx, actor.ID, prev, "contract_superseded", pb.Status, fmt.Sprintf("%s r%d", c.Number, c.Revision), audit.Diff(&pb, prev)); err != nil {
				return err
			}
			old, err := s.store.Lines(ctx, prev.ID)
			if err != nil {
				return err
			}
			tasks = s.openTasks(c, lines, old)
		} else {
			tasks = append(s.openTasks(c, lines, nil), s.closingTasks(c)...)
		}
		c.IsCurrent = true
		if err := s.store.Save(ctx, c, now); err != nil {
			return err
		}
		if err := s.store.CreateTasks(ctx, c.Root(), tasks); err != nil {
			return err
		}
		if err := s.record(ctx, actor.ID, c, "contract_sign", before.Status, "", audit.Diff(&before, c)); err != nil {
			return err
		}
		if !c.IsAmendment() {
			var opp uint
			if c.OpportunityID != nil {
				opp = *c.OpportunityID
			}
			if err := s.deps.Sales.CloseWon(ctx, actor, c.CustomerID, opp, c.Number); err != nil {
				return fmt.Errorf("sign contract %s: %w", c.Number, err)
			}
			if err := s.markRenewed(ctx, actor, c); err != nil {
				return err
			}
		}
		return s.notifyPeople(ctx, c, cust, "contracts.notice.signed", "contract.signed", actor.ID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// markRenewed closes the contract c renews: renewed, linked to c.
func (s *Service) markRenewed(ctx context.Context, actor authz.Subject, c *Contract) error {
	if c.PredecessorID == nil {
		return nil
	}
	prev, err := s.store.Current(ctx, *c.PredecessorID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !slices.Contains([]string{StatusSigned, StatusActive, StatusExpiring, StatusExpired}, prev.Status) {
		return nil
	}
	pb := *prev
	root := c.Root()
	prev.Status, prev.RenewedByID, prev.UpdatedBy = StatusRenewed, &root, &actor.ID
	if err := s.store.Save(ctx, prev, s.now()); err != nil {
		return err
	}
	return s.record(ctx, actor.ID, prev, "contract_renewed", pb.Status, c.Number, audit.Diff(&pb, prev))
}

// openTasks are the implementation tasks of the services to open: one per
// line whose product was not already on the contract (old, for an
// amendment), due on the start date (or today if that has passed).
func (s *Service) openTasks(c *Contract, lines, old []Line) []Task {
	had := map[string]bool{}
	for _, l := range old {
		had[l.ProductCode] = true
	}
	due := maxDate(c.StartOn, s.Today())
	var out []Task
	for _, l := range lines {
		if had[l.ProductCode] {
			continue
		}
		had[l.ProductCode] = true
		out = append(out, Task{Kind: TaskOpen, Title: l.ProductName, ProductCode: l.ProductCode, OwnerID: c.OwnerID,
			DueOn: due, Status: TaskTodo, CreatedBy: c.UpdatedBy, UpdatedBy: c.UpdatedBy})
	}
	return out
}

// closingTasks are the cutover (割接, a week after the services open) and
// the acceptance (验收, a week later).
func (s *Service) closingTasks(c *Contract) []Task {
	due := maxDate(c.StartOn, s.Today())
	return []Task{
		{Kind: TaskCutover, OwnerID: c.OwnerID, DueOn: due.AddDate(0, 0, 7), Status: TaskTodo, CreatedBy: c.UpdatedBy, UpdatedBy: c.UpdatedBy},
		{Kind: TaskAcceptance, OwnerID: c.OwnerID, DueOn: due.AddDate(0, 0, 14), Status: TaskTodo, CreatedBy: c.UpdatedBy, UpdatedBy: c.UpdatedBy},
	}
}

func maxDate(a, b time.Time) time.Time {
	if dateOf(a).After(dateOf(b)) {
		return dateOf(a)
	}
	return dateOf(b)
}

// Activate puts a signed contract in force (生效) once its start date has
// come and its implementation is done.
func (s *Service) Activate(ctx context.Context, actor authz.Subject, id uint, lock int) (*Contract, error) {
	c, _, err := s.load(ctx, actor, id, ActActivate)
	if err != nil {
		return nil, err
	}
	if err := checkLock(c, lock); err != nil {
		return nil, err
	}
	if s.Today().Before(dateOf(c.StartOn)) {
		return nil, apperr.Fields{"_form": "contracts.v.activate_before_start"}
	}
	open, err := s.store.OpenTasks(ctx, c.Root())
	if err != nil {
		return nil, err
	}
	if open > 0 {
		return nil, apperr.Fields{"_form": "contracts.v.activate_open_tasks"}
	}
	before := *c
	now := s.now()
	c.Status, c.ActivatedAt, c.UpdatedBy = StatusActive, &now, &actor.ID
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Save(ctx, c, now); err != nil {
			return err
		}
		return s.record(ctx, actor.ID, c, "contract_activate", before.Status, "", audit.Diff(&before, c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Terminate ends a contract in force early, with a reason.
func (s *Service) Terminate(ctx context.Context, actor authz.Subject, id uint, reason string, lock int) (*Contract, error) {
	c, cust, err := s.load(ctx, actor, id, ActTerminate)
	if err != nil {
		return nil, err
	}
	if err := checkLock(c, lock); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Fields{"reason": "contracts.v.terminate_reason"}
	}
	if utf8.RuneCountInString(reason) > 500 {
		return nil, apperr.Fields{"reason": "v.too_long"}
	}
	before := *c
	today := s.Today()
	c.Status, c.TerminatedOn, c.TerminationReason, c.UpdatedBy = StatusTerminated, &today, reason, &actor.ID
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Save(ctx, c, s.now()); err != nil {
			return err
		}
		if err := s.record(ctx, actor.ID, c, "contract_terminate", before.Status, reason, audit.Diff(&before, c)); err != nil {
			return err
		}
		return s.notifyPeople(ctx, c, cust, "contracts.notice.terminated", "contract.terminated", actor.ID)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Renew makes the draft successor of a contract (续约), prefilled from it:
// the same lines at the same prices, the day after its end for the same
// term; optionally with a renewal opportunity. The contract becomes
// renewed when the successor is signed.
func (s *Service) Renew(ctx context.Context, actor authz.Subject, id uint, withOpportunity bool) (*Contract, error) {
	c, cust, err := s.load(ctx, actor, id, ActRenew)
	if err != nil {
		return nil, err
	}
	if !c.IsCurrent {
		return nil, apperr.Fields{"_form": "contracts.v.renew_state"}
	}
	if succ, err := s.store.Successor(ctx, c.Root()); err != nil {
		return nil, err
	} else if succ != nil {
		return nil, apperr.Fields{"_form": "contracts.v.renewal_exists"}
	}
	lines, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	root := c.Root()
	next := &Contract{
		Revision: 1, IsCurrent: true, CustomerID: c.CustomerID, PredecessorID: &root, OwnerID: cust.OwnerID, BranchID: cust.BranchID,
		Title: c.Title, Status: StatusDraft, StartOn: c.EndOn.AddDate(0, 0, 1), TermMonths: c.TermMonths,
		MonthlyFen: c.MonthlyFen, OneTimeFen: c.OneTimeFen, TotalFen: c.TotalFen, PaymentTerms: c.PaymentTerms, PaymentDueDay: c.PaymentDueDay,
		OurSignatoryID: c.OurSignatoryID, CustomerSignatoryID: c.CustomerSignatoryID, Notes: c.Notes,
		CreatedBy: &actor.ID, UpdatedBy: &actor.ID,
	}
	next.EndOn = EndFor(next.StartOn, next.TermMonths)
	s.approvalsFor(next, lines, true)
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if withOpportunity {
			oid, err := s.deps.Sales.RenewalOpportunity(ctx, actor, c.CustomerID, c.Title, c.MonthlyFen, c.OneTimeFen, c.EndOn)
			if err != nil {
				return err
			}
			next.OpportunityID = &oid
		}
		if next.Number, err = s.number(ctx, cust.BranchID); err != nil {
			return err
		}
		if err := s.store.Create(ctx, next, slices.Clone(lines)); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				return apperr.Fields{"_form": "contracts.v.renewal_exists"}
			}
			return err
		}
		if err := s.record(ctx, actor.ID, next, audit.ActionCreate, "", c.Number, audit.Diff(nil, next)); err != nil {
			return err
		}
		return s.record(ctx, actor.ID, c, "contract_renew", c.Status, next.Number, nil)
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// Amend starts an amendment (补充协议) of a signed contract: a new
// revision, a draft copy of the one in force, with its own approval. The
// contract stays as it is until the amendment is signed.
func (s *Service) Amend(ctx context.Context, actor authz.Subject, id uint) (*Contract, error) {
	c, _, err := s.load(ctx, actor, id, ActAmend)
	if err != nil {
		return nil, err
	}
	if !c.IsCurrent {
		return nil, apperr.Fields{"_form": "contracts.v.amend_state"}
	}
	if open, err := s.store.OpenAmendment(ctx, c.Root()); err != nil {
		return nil, err
	} else if open != nil {
		return nil, apperr.Fields{"_form": "contracts.v.amendment_open"}
	}
	lines, err := s.store.Lines(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	revs, err := s.store.Revisions(ctx, c.Root())
	if err != nil {
		return nil, err
	}
	next := *c
	root := c.Root()
	next.ID, next.RootID, next.Revision, next.IsCurrent, next.Status = 0, &root, revs[0].Revision+1, false, StatusDraft
	next.SignedOn, next.SignedAt, next.ActivatedAt, next.SubmittedAt = nil, nil, nil, nil
	next.ChiefApprovedBy, next.DirectorApprovedBy, next.RenewedByID = nil, nil, nil
	next.CreatedBy, next.UpdatedBy, next.CreatedAt, next.UpdatedAt = &actor.ID, &actor.ID, time.Time{}, time.Time{}
	s.approvalsFor(&next, lines, true)
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.Create(ctx, &next, slices.Clone(lines)); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				return apperr.Fields{"_form": "contracts.v.amendment_open"}
			}
			return err
		}
		return s.record(ctx, actor.ID, &next, "contract_amend", "", fmt.Sprintf("r%d", next.Revision), audit.Diff(nil, &next))
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// --- notices (written in the caller's transaction)

// chiefOf is the customer's chief rep, or the leader of its team; 0 if none.
func (s *Service) chiefOf(ctx context.Context, cust *prospects.Customer) (uint, error) {
	if cust.ChiefRepID != nil {
		return *cust.ChiefRepID, nil
	}
	if cust.TeamID == 0 {
		return 0, nil
	}
	t, err := s.deps.Org.TeamByID(ctx, cust.TeamID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && t.LeaderID == nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return *t.LeaderID, nil
}

func (s *Service) send(ctx context.Context, notices ...notify.Notice) error {
	if s.deps.Notify == nil || len(notices) == 0 {
		return nil
	}
	return s.deps.Notify.Send(ctx, notices...)
}

func contractLink(id uint) string { return "/contracts/" + fmt.Sprint(id) }

func noticeArgs(c *Contract) map[string]string {
	return map[string]string{"Number": c.Number, "Title": c.Title}
}

// notifyOwner tells the contract's owner (unless they did it themselves).
func (s *Service) notifyOwner(ctx context.Context, c *Contract, msg, kind string, actor uint) error {
	if c.OwnerID == actor {
		return nil
	}
	return s.send(ctx, notify.Notice{UserID: c.OwnerID, Kind: kind, MsgID: msg, Args: noticeArgs(c), Link: contractLink(c.ID),
		Key: fmt.Sprintf("%s:%d:%d", kind, c.ID, c.Version)})
}

// notifyPeople tells the owner and the chief rep (not the actor).
func (s *Service) notifyPeople(ctx context.Context, c *Contract, cust *prospects.Customer, msg, kind string, actor uint) error {
	chief, err := s.chiefOf(ctx, cust)
	if err != nil {
		return err
	}
	var out []notify.Notice
	for _, uid := range dedupe([]uint{cust.OwnerID, chief}) {
		if uid != actor {
			out = append(out, notify.Notice{UserID: uid, Kind: kind, MsgID: msg, Args: noticeArgs(c), Link: contractLink(c.ID),
				Key: fmt.Sprintf("%s:%d", kind, c.ID)})
		}
	}
	return s.send(ctx, out...)
}

// notifyApprovers tells whoever may decide the step c waits for.
func (s *Service) notifyApprovers(ctx context.Context, c *Contract, cust *prospects.Customer) error {
	st, ok, err := s.step(ctx, c)
	if err != nil || !ok {
		return err
	}
	var ids []uint
	if st.Tier() == TierChief {
		chief, err := s.chiefOf(ctx, cust)
		if err != nil {
			return err
		}
		ids = append(ids, chief)
	}
	directors, _, err := s.deps.Org.ListUsers(ctx, org.UserFilter{Role: authz.RoleDirector, BranchID: cust.BranchID, Status: "active", Limit: 50})
	if err != nil {
		return err
	}
	for _, d := range directors {
		ids = append(ids, d.ID)
	}
	ids = append(ids, st.FallbackID)
	users, err := s.deps.Org.UsersByIDs(ctx, dedupe(ids))
	if err != nil {
		return err
	}
	var out []notify.Notice
	for _, id := range dedupe(ids) {
		u, ok := users[id]
		if !ok || u.Disabled {
			continue
		}
		sub := u.Subject()
		g := s.grants(sub, cust.Ref())
		if st.Check(sub.ID, g) != "" {
			continue
		}
		// The chief tier goes to the chief rep; directors hear of it only
		// when no chief rep can take it.
		if st.Tier() == TierChief && g.ApproveDirector && len(out) > 0 {
			continue
		}
		out = append(out, notify.Notice{UserID: id, Kind: "contract.approval", MsgID: "contracts.notice.approval",
			Args: noticeArgs(c), Link: contractLink(c.ID), Key: fmt.Sprintf("contract.approval:%d:%s:%d", c.ID, st.Level, c.Version)})
	}
	return s.send(ctx, out...)
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
