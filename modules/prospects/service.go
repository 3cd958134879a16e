package prospects

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"gorm.io/gorm"
)

// Service holds the rules for customers, key persons and opportunities.
// Every method takes the acting user and checks the record against the
// permission policy; a record outside the actor's scope is ErrNotFound.
type Service struct {
	store    *Store
	org      *org.Store
	enf      *authz.Enforcer
	timeline *Timeline
	now      func() time.Time
	regions  regionCache
}

// regionCache keeps the district list of each scope for a few minutes:
// the list page offers it as a filter, and computing it means reading
// every customer in scope, which a director's list cannot afford per view.
type regionCache struct {
	mu      sync.Mutex
	entries map[string]regionEntry
}

type regionEntry struct {
	at   time.Time
	list []string
}

// Regions returns the districts of the customers actor may read.
func (s *Service) Regions(ctx context.Context, actor authz.Subject) ([]string, error) {
	key := fmt.Sprintf("%s/%d/%d/%d", actor.Role, actor.ID, actor.TeamID, actor.BranchID)
	s.regions.mu.Lock()
	e, ok := s.regions.entries[key]
	s.regions.mu.Unlock()
	if ok && s.now().Sub(e.at) < 5*time.Minute {
		return e.list, nil
	}
	list, err := s.store.Regions(ctx, s.Scope(actor, "read"))
	if err != nil {
		return nil, err
	}
	s.regions.mu.Lock()
	if s.regions.entries == nil {
		s.regions.entries = map[string]regionEntry{}
	}
	s.regions.entries[key] = regionEntry{at: s.now(), list: list}
	s.regions.mu.Unlock()
	return list, nil
}

// NewService wires the service.
func NewService(store *Store, orgStore *org.Store, enf *authz.Enforcer, tl *Timeline) *Service {
	s := &Service{store: store, org: orgStore, enf: enf, timeline: tl, now: func() time.Time { return time.Now().UTC() }}
	tl.Register(s.timelineEntries)
	return s
}

// Store exposes the store (demo data, benchmarks).
func (s *Service) Store() *Store { return s.store }

// Timeline exposes the registry for other modules.
func (s *Service) Timeline() *Timeline { return s.timeline }

// Scope is the permission filter on customers for act.
func (s *Service) Scope(actor authz.Subject, act string) func(*gorm.DB) *gorm.DB {
	return s.enf.Scope(actor, "customer", act, authz.StandardColumns("customers"))
}

// Can reports whether actor may do act on c.
func (s *Service) Can(actor authz.Subject, act string, c *Customer) bool {
	return s.enf.Can(actor, "customer", act, c.Ref())
}

// customerFor loads a customer and checks act. Not seeing it and not
// existing look the same (404); seeing it but lacking act is 403.
func (s *Service) customerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*Customer, error) {
	c, err := s.store.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.Can(actor, "read", c) {
		return nil, fmt.Errorf("customer %d: %w", id, apperr.ErrNotFound)
	}
	if act != "read" && !s.Can(actor, act, c) {
		return nil, fmt.Errorf("customer %d %s: %w", id, act, apperr.ErrForbidden)
	}
	return c, nil
}

// CustomerFor returns a customer after checking act on it (read, write,
// …): ErrNotFound when the actor may not see it, ErrForbidden when they
// see it but may not do act. Other modules use it for records that hang
// off a customer, so those follow the customer's scope exactly.
func (s *Service) CustomerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*Customer, error) {
	return s.customerFor(ctx, actor, id, act)
}

// Customer returns a customer the actor may read.
func (s *Service) Customer(ctx context.Context, actor authz.Subject, id uint) (*Customer, error) {
	return s.customerFor(ctx, actor, id, "read")
}

// CanSeePhones reports whether actor sees key persons' phone numbers in
// full: the owner, the chief rep (named, or leading the owner's team) and
// the branch director. Everyone else sees them masked.
func (s *Service) CanSeePhones(ctx context.Context, actor authz.Subject, c *Customer) bool {
	switch {
	case actor.ID == c.OwnerID:
		return true
	case c.ChiefRepID != nil && *c.ChiefRepID == actor.ID:
		return true
	case actor.Role == authz.RoleChiefRep && actor.TeamID == c.TeamID:
		return true
	case actor.Role == authz.RoleDirector && actor.BranchID == c.BranchID:
		return true
	}
	return false
}

// --- owners and chief reps

// Assignable lists the people actor may make owner of a customer: an
// account manager only themselves; a chief rep the team; a director the
// branch.
func (s *Service) Assignable(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	var candidates []org.User
	switch actor.Role {
	case authz.RoleAccountManager:
		u, err := s.org.UserByID(ctx, actor.ID)
		if err != nil {
			return nil, err
		}
		return []org.User{*u}, nil
	case authz.RoleChiefRep:
		if actor.TeamID == 0 {
			return nil, nil
		}
		us, err := s.org.UsersByTeam(ctx, actor.TeamID)
		if err != nil {
			return nil, err
		}
		candidates = us
	case authz.RoleDirector:
		teams, err := s.org.Teams(ctx, actor.BranchID, true)
		if err != nil {
			return nil, err
		}
		ids := make([]uint, len(teams))
		for i, t := range teams {
			ids[i] = t.ID
		}
		if len(ids) == 0 {
			return nil, nil
		}
		us, err := s.org.UsersByTeam(ctx, ids...)
		if err != nil {
			return nil, err
		}
		candidates = us
	}
	var out []org.User
	for _, u := range candidates {
		if u.Role == authz.RoleAccountManager || u.Role == authz.RoleChiefRep {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *Service) checkOwner(ctx context.Context, actor authz.Subject, ownerID uint, f apperr.Fields) (*org.User, error) {
	if ownerID == 0 {
		ownerID = actor.ID
	}
	list, err := s.Assignable(ctx, actor)
	if err != nil {
		return nil, err
	}
	for _, u := range list {
		if u.ID == ownerID {
			return &u, nil
		}
	}
	f.Add("owner_id", "v.owner")
	return nil, nil
}

func (s *Service) checkChiefRep(ctx context.Context, chiefID uint, owner *org.User, f apperr.Fields) (*uint, error) {
	if chiefID == 0 {
		return nil, nil
	}
	u, err := s.org.UserByID(ctx, chiefID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if u == nil || u.Role != authz.RoleChiefRep || u.Disabled || owner == nil || u.BranchID == nil || owner.BranchID == nil || *u.BranchID != *owner.BranchID {
		f.Add("chief_rep_id", "v.chief_rep")
		return nil, nil
	}
	return &u.ID, nil
}

// ChiefReps lists the chief reps who may be named on a customer of branch.
func (s *Service) ChiefReps(ctx context.Context, branchID uint) ([]org.User, error) {
	return s.org.ChiefReps(ctx, branchID)
}

// --- duplicates

var (
	parenPattern = regexp.MustCompile(`[（(][^）)]*[）)]`)
	legalSuffix  = []string{"股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "公司", "集团", "co.,ltd.", "co., ltd.", "ltd.", "ltd", "inc."}
)

// CoreName strips brackets, spaces and legal suffixes from a company name
// so that "哈尔滨市第一医院（南岗院区）" and "哈尔滨市第一医院" compare equal.
func CoreName(name string) string {
	n := strings.ToLower(parenPattern.ReplaceAllString(name, ""))
	n = strings.Join(strings.Fields(n), "")
	for changed := true; changed; {
		changed = false
		for _, suf := range legalSuffix {
			if strings.HasSuffix(n, suf) && utf8.RuneCountInString(n) > utf8.RuneCountInString(suf)+1 {
				n, changed = strings.TrimSuffix(n, suf), true
			}
		}
	}
	return n
}

// Duplicate is an existing customer that looks like the one being entered.
type Duplicate struct {
	ID      uint
	Name    string
	Code    string
	Owner   string
	Visible bool // the actor may open it (else no link is shown)
	Exact   bool // same credit code, not just a similar name
}

// findDuplicates looks for the same credit code or a similar name.
func (s *Service) findDuplicates(ctx context.Context, actor authz.Subject, code, name string, exceptID uint) ([]Duplicate, error) {
	var found []Customer
	if code != "" {
		c, err := s.store.CustomerByCode(ctx, code)
		if err == nil && c.ID != exceptID {
			found = append(found, *c)
		} else if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
	}
	if core := CoreName(name); utf8.RuneCountInString(core) >= 2 {
		similar, err := s.store.SimilarNames(ctx, core, exceptID, 5)
		if err != nil {
			return nil, err
		}
		for _, c := range similar {
			if len(found) == 0 || found[0].ID != c.ID {
				if CoreName(c.Name) == core || strings.Contains(CoreName(c.Name), core) || strings.Contains(core, CoreName(c.Name)) {
					found = append(found, c)
				}
			}
		}
	}
	ids := make([]uint, 0, len(found))
	for _, c := range found {
		ids = append(ids, c.OwnerID)
	}
	owners, err := s.org.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Duplicate, 0, len(found))
	for _, c := range found {
		out = append(out, Duplicate{ID: c.ID, Name: c.Name, Code: c.CreditCode, Owner: owners[c.OwnerID].Name,
			Visible: s.Can(actor, "read", &c), Exact: c.CreditCode == code})
	}
	return out, nil
}

// DuplicateError reports customers that look like the one being saved.
// With only similar names (no exact code), the user may confirm and save.
type DuplicateError struct {
	Found []Duplicate
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%d possible duplicate customers", len(e.Found))
}

// Exact reports whether one of them has the same credit code (a hard stop).
func (e *DuplicateError) Exact() bool {
	for _, d := range e.Found {
		if d.Exact {
			return true
		}
	}
	return false
}

// --- customers

func searchText(c *Customer, contactNames []string) string {
	return strings.ToLower(strings.Join(append([]string{c.Name, c.CreditCode}, contactNames...), " "))
}

func applyCustomerInput(c *Customer, in CustomerInput, v customerValues) {
	c.Name, c.CreditCode, c.Industry, c.Grade = in.Name, in.CreditCode, in.Industry, in.Grade
	c.Headcount, c.AnnualSpendFen, c.Address, c.Region = v.headcount, v.spend, in.Address, in.Region
	c.Status, c.Competitors = in.Status, strings.Join(in.Competitors, ",")
}

// CreateCustomer adds a customer owned by in.OwnerID (the actor when 0).
// Same credit code → DuplicateError (hard); similar name → DuplicateError
// unless confirmSimilar.
func (s *Service) CreateCustomer(ctx context.Context, actor authz.Subject, in CustomerInput, confirmSimilar bool) (*Customer, error) {
	if !s.enf.CanRoute(actor, "customer", "create") {
		return nil, apperr.ErrForbidden
	}
	v, f := in.Validate()
	owner, err := s.checkOwner(ctx, actor, in.OwnerID, f)
	if err != nil {
		return nil, err
	}
	chief, err := s.checkChiefRep(ctx, in.ChiefRepID, owner, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	dups, err := s.findDuplicates(ctx, actor, in.CreditCode, in.Name, 0)
	if err != nil {
		return nil, err
	}
	if dupErr := (&DuplicateError{Found: dups}); len(dups) > 0 && (dupErr.Exact() || !confirmSimilar) {
		return nil, dupErr
	}
	c := &Customer{OwnerID: owner.ID, ChiefRepID: chief, TeamID: derefID(owner.TeamID), BranchID: derefID(owner.BranchID),
		CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	applyCustomerInput(c, in, v)
	c.SearchText = searchText(c, nil)
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionCreate, audit.Diff(nil, c))
	})
	if errors.Is(err, apperr.ErrConflict) {
		return nil, apperr.Fields{"credit_code": "v.credit_code_taken"}
	}
	return c, err
}

// UpdateCustomer edits a customer's details (not owner: see Reassign).
func (s *Service) UpdateCustomer(ctx context.Context, actor authz.Subject, id uint, in CustomerInput, confirmSimilar bool) (*Customer, error) {
	c, err := s.customerFor(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	v, f := in.Validate()
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version != c.Version {
		return nil, fmt.Errorf("customer %d: %w", id, apperr.ErrConflict)
	}
	if in.CreditCode != c.CreditCode || CoreName(in.Name) != CoreName(c.Name) {
		dups, err := s.findDuplicates(ctx, actor, in.CreditCode, in.Name, c.ID)
		if err != nil {
			return nil, err
		}
		if dupErr := (&DuplicateError{Found: dups}); len(dups) > 0 && (dupErr.Exact() || !confirmSimilar) {
			return nil, dupErr
		}
	}
	names, err := s.store.ContactNames(ctx, []uint{c.ID})
	if err != nil {
		return nil, err
	}
	before := *c
	applyCustomerInput(c, in, v)
	c.SearchText, c.UpdatedBy = searchText(c, names[c.ID]), &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveCustomer(ctx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionUpdate, audit.Diff(&before, c))
	})
	return c, err
}

// Reassign gives a customer a new owner and/or chief rep: a chief rep
// within the team, a director across the branch's teams. The customer's
// open opportunities follow the owner.
func (s *Service) Reassign(ctx context.Context, actor authz.Subject, id, ownerID, chiefRepID uint, version int) (*Customer, error) {
	c, err := s.customerFor(ctx, actor, id, "reassign")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	owner, err := s.checkOwner(ctx, actor, ownerID, f)
	if err != nil {
		return nil, err
	}
	chief, err := s.checkChiefRep(ctx, chiefRepID, owner, f)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if version != c.Version {
		return nil, fmt.Errorf("customer %d: %w", id, apperr.ErrConflict)
	}
	before := *c
	c.OwnerID, c.ChiefRepID = owner.ID, chief
	c.TeamID, c.BranchID, c.UpdatedBy = derefID(owner.TeamID), derefID(owner.BranchID), &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveCustomer(ctx, c); err != nil {
			return err
		}
		if before.OwnerID != c.OwnerID {
			if err := tx.ReassignOpportunities(ctx, c.ID, c.OwnerID, actor.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, "reassign", audit.Diff(&before, c))
	})
	return c, err
}

// DeleteCustomer soft-deletes a customer; it can be restored.
func (s *Service) DeleteCustomer(ctx context.Context, actor authz.Subject, id uint) error {
	c, err := s.customerFor(ctx, actor, id, "delete")
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SetCustomerDeleted(ctx, c.ID, true, actor.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionDelete, nil)
	})
}

// RestoreCustomer brings a soft-deleted customer back, unless a live
// customer has taken its credit code meanwhile.
func (s *Service) RestoreCustomer(ctx context.Context, actor authz.Subject, id uint) error {
	c, err := s.store.DeletedCustomer(ctx, id)
	if err != nil {
		return err
	}
	if !s.Can(actor, "read", c) {
		return fmt.Errorf("customer %d: %w", id, apperr.ErrNotFound)
	}
	if !s.Can(actor, "delete", c) {
		return apperr.ErrForbidden
	}
	if _, err := s.store.CustomerByCode(ctx, c.CreditCode); err == nil {
		return apperr.Fields{"credit_code": "v.credit_code_taken"}
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SetCustomerDeleted(ctx, c.ID, false, actor.ID); err != nil {
			if errors.Is(err, apperr.ErrConflict) {
				return apperr.Fields{"credit_code": "v.credit_code_taken"}
			}
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionRestore, nil)
	})
}

// ListCustomers returns the page of customers actor may read that match f.
func (s *Service) ListCustomers(ctx context.Context, actor authz.Subject, f CustomerFilter) ([]Customer, int64, error) {
	f.Scope = s.Scope(actor, "read")
	return s.store.ListCustomers(ctx, f)
}

// ListDeleted returns the deleted customers actor could restore.
func (s *Service) ListDeleted(ctx context.Context, actor authz.Subject, f CustomerFilter) ([]Customer, int64, error) {
	f.Scope = s.Scope(actor, "delete")
	f.Deleted = true
	return s.store.ListCustomers(ctx, f)
}

// --- qualification

// QualInput is the four-sign qualification form.
type QualInput struct {
	Pay, PayNote, Need, NeedNote, Authority, AuthorityNote, Acceptance, AcceptanceNote string
	Version                                                                            int
}

// QualScore gives 25 points per sign answered yes and 12 per partly: 100
// means all four signs of a real prospect are there.
func QualScore(answers ...string) int {
	score := 0
	for _, a := range answers {
		switch a {
		case QualYes:
			score += 25
		case QualPartly:
			score += 12
		}
	}
	return score
}

// SaveQualification records the four signs and recomputes the score.
func (s *Service) SaveQualification(ctx context.Context, actor authz.Subject, id uint, in QualInput) (*Customer, error) {
	c, err := s.customerFor(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	for field, v := range map[string]string{"qual_pay": in.Pay, "qual_need": in.Need, "qual_authority": in.Authority, "qual_acceptance": in.Acceptance} {
		if v != "" && v != QualYes && v != QualPartly && v != QualNo {
			f.Add(field, "v.choose")
		}
	}
	for field, v := range map[string]string{"qual_pay_note": in.PayNote, "qual_need_note": in.NeedNote, "qual_authority_note": in.AuthorityNote, "qual_acceptance_note": in.AcceptanceNote} {
		if utf8.RuneCountInString(v) > 300 {
			f.Add(field, "v.too_long")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version != c.Version {
		return nil, fmt.Errorf("customer %d: %w", id, apperr.ErrConflict)
	}
	before := *c
	c.QualPay, c.QualPayNote, c.QualNeed, c.QualNeedNote = in.Pay, strings.TrimSpace(in.PayNote), in.Need, strings.TrimSpace(in.NeedNote)
	c.QualAuthority, c.QualAuthorityNote = in.Authority, strings.TrimSpace(in.AuthorityNote)
	c.QualAcceptance, c.QualAcceptanceNote = in.Acceptance, strings.TrimSpace(in.AcceptanceNote)
	c.QualScore = QualScore(c.QualPay, c.QualNeed, c.QualAuthority, c.QualAcceptance)
	c.UpdatedBy = &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveCustomer(ctx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionUpdate, audit.Diff(&before, c))
	})
	return c, err
}

// --- key persons

// Contacts lists a readable customer's key persons.
func (s *Service) Contacts(ctx context.Context, actor authz.Subject, customerID uint) ([]Contact, error) {
	if _, err := s.customerFor(ctx, actor, customerID, "read"); err != nil {
		return nil, err
	}
	return s.store.Contacts(ctx, customerID)
}

// Contact returns a key person and its customer if actor may read them.
func (s *Service) Contact(ctx context.Context, actor authz.Subject, id uint) (*Contact, *Customer, error) {
	ct, err := s.store.Contact(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.customerFor(ctx, actor, ct.CustomerID, "read")
	if err != nil {
		return nil, nil, err
	}
	return ct, c, nil
}

func (s *Service) refreshSearch(ctx context.Context, tx *Store, c *Customer) error {
	names, err := tx.ContactNames(ctx, []uint{c.ID})
	if err != nil {
		return err
	}
	text := searchText(c, names[c.ID])
	return tx.DB().WithContext(ctx).Model(&Customer{}).Where("id = ?", c.ID).Update("search_text", text).Error
}

// SaveContact creates (id 0) or edits a key person of a customer.
func (s *Service) SaveContact(ctx context.Context, actor authz.Subject, customerID, id uint, in ContactInput) (*Contact, error) {
	c, err := s.customerFor(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	bday, f := in.Validate()
	if err := f.Err(); err != nil {
		return nil, err
	}
	ct := &Contact{CustomerID: c.ID, CreatedBy: &actor.ID}
	var before *Contact
	if id != 0 {
		if ct, err = s.store.Contact(ctx, id); err != nil {
			return nil, err
		}
		if ct.CustomerID != c.ID {
			return nil, fmt.Errorf("contact %d: %w", id, apperr.ErrNotFound)
		}
		if in.Version != ct.Version {
			return nil, fmt.Errorf("contact %d: %w", id, apperr.ErrConflict)
		}
		b := *ct
		before = &b
	}
	ct.Name, ct.Title, ct.Mobile, ct.Phone, ct.Email = in.Name, in.Title, in.Mobile, in.Phone, in.Email
	ct.Role, ct.Attitude, ct.Birthday = in.Role, in.Attitude, bday
	ct.Preferences, ct.Notes, ct.UpdatedBy = strings.TrimSpace(in.Preferences), strings.TrimSpace(in.Notes), &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		action := audit.ActionUpdate
		if id == 0 {
			action = audit.ActionCreate
			if err := tx.CreateContact(ctx, ct); err != nil {
				return err
			}
		} else if err := tx.SaveContact(ctx, ct); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx.DB(), actor.ID, "contact", ct.ID, action, audit.Diff(before, ct)); err != nil {
			return err
		}
		return s.refreshSearch(ctx, tx, c)
	})
	return ct, err
}

// DeleteContact soft-deletes a key person.
func (s *Service) DeleteContact(ctx context.Context, actor authz.Subject, customerID, id uint) error {
	c, err := s.customerFor(ctx, actor, customerID, "write")
	if err != nil {
		return err
	}
	ct, err := s.store.Contact(ctx, id)
	if err != nil {
		return err
	}
	if ct.CustomerID != c.ID {
		return fmt.Errorf("contact %d: %w", id, apperr.ErrNotFound)
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.DeleteContact(ctx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx.DB(), actor.ID, "contact", id, audit.ActionDelete, map[string]audit.Change{"name": {From: ct.Name}}); err != nil {
			return err
		}
		return s.refreshSearch(ctx, tx, c)
	})
}

func derefID(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}
