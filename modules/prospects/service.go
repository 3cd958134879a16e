package prospects

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// Service holds the rules for customers, key persons and opportunities.
// People is what prospects reads of the organisation: owners, chief reps,
// teams and branches. org.Service implements it (wired in cmd/jike); no
// module reaches into org's store.
type People interface {
	UserByID(ctx context.Context, id uint) (*org.User, error)
	UsersByIDs(ctx context.Context, ids []uint) (map[uint]org.User, error)
	// Directory is people as pages show them (names, roles, places),
	// kept under the org version; not for forms or sign-in.
	Directory(ctx context.Context, ids []uint) (map[uint]org.User, error)
	UsersByTeam(ctx context.Context, teamIDs ...uint) ([]org.User, error)
	ChiefReps(ctx context.Context, branchID uint) ([]org.User, error)
	TeamByID(ctx context.Context, id uint) (*org.Team, error)
	Teams(ctx context.Context, branchID uint, activeOnly bool) ([]org.Team, error)
	Branches(ctx context.Context) ([]org.Branch, error)
	BranchByID(ctx context.Context, id uint) (*org.Branch, error)
}

// Every method takes the acting user and checks the record against the
// permission policy; a record outside the actor's scope is ErrNotFound.
type Service struct {
	// spare lends the board goroutines to read its columns at once.
	spare    *par.Spare
	store    *Store
	org      People
	enf      *authz.Enforcer
	timeline *Timeline
	now      func() time.Time
	lists    orgLists
	// limiter counts duplicate checks per user in the database.
	limiter *ratelimit.Limiter
	// checkRule bounds a user's duplicate checks from the customer form;
	// importRule their import files (each checks a file of codes).
	checkRule, importRule ratelimit.Rule
	// gate bounds the imports this instance runs at once.
	gate *tabular.Gate
}

// Default limits: a person entering customers by hand checks a few a
// minute; 30 leaves room, and stops a script walking the customer base.
var (
	defaultCheckRule  = ratelimit.Rule{Limit: 30, Window: time.Minute}
	defaultImportRule = ratelimit.Rule{Limit: 20, Window: 10 * time.Minute}
)

// DefaultImportSlots is how many imports one instance runs at once.
const DefaultImportSlots = 2

// SetCheckLimits replaces the duplicate-check limits (tests, operators).
func (s *Service) SetCheckLimits(form, imports ratelimit.Rule) {
	s.checkRule, s.importRule = form, imports
}

// SetLimiterClock replaces the clock the duplicate-check and import
// limits count their windows by (tests stop it, so a window cannot end in
// the middle of a test).
func (s *Service) SetLimiterClock(now func() time.Time) { s.limiter.SetClock(now) }

// ImportGate is the instance's bound on concurrent imports; other
// modules' imports share it (wired in cmd/jike).
func (s *Service) ImportGate() *tabular.Gate { return s.gate }

// SetImportGate replaces the gate (tests; or one gate shared by modules).
func (s *Service) SetImportGate(g *tabular.Gate) { s.gate = g }

// Regions returns the districts of the customers actor may read.
func (s *Service) Regions(ctx context.Context, actor authz.Subject) ([]string, error) {
	return s.store.Regions(ctx, s.Scope(actor, "read"))
}

// NewService wires the service.
func NewService(store *Store, people People, enf *authz.Enforcer, tl *Timeline) *Service {
	s := &Service{store: store, org: people, enf: enf, timeline: tl, now: func() time.Time { return time.Now().UTC() },
		limiter: ratelimit.New(store.DB()), checkRule: defaultCheckRule, importRule: defaultImportRule,
		gate: tabular.NewGate(DefaultImportSlots), lists: newOrgLists()}
	tl.Register(s.timelineEntries)
	return s
}

// SetSpare lends the service the process's budget of goroutines (the
// board reads its columns a few at once with it; nil: one after the
// other).
func (s *Service) SetSpare(sp *par.Spare) {
	s.spare = sp
	s.store.spare = sp
}

// JobFoldStageTotals folds the province's and the branches' per-stage
// opportunity deltas (PostgreSQL; FoldStageTotals). Every minute: between
// folds a read of the totals adds the deltas written since, a row or two
// per opportunity change.
const JobFoldStageTotals = "prospects.fold_stage_totals"

// FoldStageTotals is the JobFoldStageTotals job.
func (s *Service) FoldStageTotals(ctx context.Context, _ time.Time) error {
	_, err := s.store.FoldStageTotals(ctx)
	return err
}

// SetClock replaces the service clock (the app's, or a test's fake one).
func (s *Service) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// Now is the service clock, in UTC.
func (s *Service) Now() time.Time { return s.now() }

// Timeline exposes the registry for other modules.
func (s *Service) Timeline() *Timeline { return s.timeline }

// Scope is actor's permission scope on customers for act, the argument
// every list/search/count/export method of the stores requires (records
// hanging off a customer are scoped by their customer).
func (s *Service) Scope(actor authz.Subject, act string) authz.ListScope {
	return s.enf.ListScope(actor, "customer", act)
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
// full: the people named on the customer (owner, chief rep) and whoever
// the policy gives customer see_phones (the team's chief rep, the branch
// director). Everyone else sees them masked.
func (s *Service) CanSeePhones(ctx context.Context, actor authz.Subject, c *Customer) bool {
	if actor.ID != 0 && (actor.ID == c.OwnerID || (c.ChiefRepID != nil && *c.ChiefRepID == actor.ID)) {
		return true
	}
	return s.Can(actor, "see_phones", c)
}

// ListsTeams reports whether actor's lists filter by team (a director
// among the branch's teams, the admin among all): policy customer
// list_teams.
func (s *Service) ListsTeams(actor authz.Subject) bool {
	return s.enf.CanRoute(actor, "customer", "list_teams")
}

// ListsOthers reports whether actor's lists may show other people's
// records (a team or branch view, an owner column): policy customer
// list_others.
func (s *Service) ListsOthers(actor authz.Subject) bool {
	return s.enf.CanRoute(actor, "customer", "list_others")
}

// TeamsAcrossBranches reports whether actor's team filter spans every
// branch (customer list_teams at scope all: the admin), so teams are
// labelled with their branch.
func (s *Service) TeamsAcrossBranches(actor authz.Subject) bool {
	return s.enf.Level(actor, "customer", "list_teams") == authz.ScopeAll
}

// FilterOwners lists the people a list's owner filter offers actor: nobody
// when actor sees only their own records (no list_others); when actor
// picks teams (list_teams) and chose one, the sellers of that team within
// their reach (their branch, or any at scope all); otherwise the people
// they may assign (Assignable).
func (s *Service) FilterOwners(ctx context.Context, actor authz.Subject, teamID uint) ([]org.User, error) {
	switch {
	case !s.ListsOthers(actor):
		return nil, nil
	case teamID != 0 && s.ListsTeams(actor):
		us, err := s.org.UsersByTeam(ctx, teamID)
		if err != nil {
			return nil, err
		}
		everywhere := s.TeamsAcrossBranches(actor)
		var out []org.User
		for _, u := range s.sellers(us) {
			if everywhere || (u.BranchID != nil && *u.BranchID == actor.BranchID) {
				out = append(out, u)
			}
		}
		return out, nil
	}
	return s.Assignable(ctx, actor)
}

// --- owners and chief reps

// Sells reports whether actor may own customers and plan their own work
// (policy customer create; the admin sells nothing).
func (s *Service) Sells(actor authz.Subject) bool { return s.enf.CanRoute(actor, "customer", "create") }

// assignsBranch reports whether actor chooses people across the branch's
// teams — owners and chief reps — rather than within one team (policy
// customer assign_branch).
func (s *Service) assignsBranch(actor authz.Subject) bool {
	return s.enf.CanRoute(actor, "customer", "assign_branch")
}

// assignable lists the people actor may make owner of a new customer, by
// level, the reach of their customer create policy: own (an account
// manager) only themselves; team (a chief rep) the team; branch (a
// director) the branch (Assignable keeps the answer).
func (s *Service) assignable(ctx context.Context, actor authz.Subject, level string) ([]org.User, error) {
	var candidates []org.User
	switch level {
	case authz.ScopeOwn:
		u, err := s.org.UserByID(ctx, actor.ID)
		if err != nil {
			return nil, err
		}
		return []org.User{*u}, nil
	case authz.ScopeTeam:
		if actor.TeamID == 0 {
			return nil, nil
		}
		us, err := s.org.UsersByTeam(ctx, actor.TeamID)
		if err != nil {
			return nil, err
		}
		candidates = us
	case authz.ScopeBranch:
		teams, err := s.Teams(ctx, actor.BranchID, true)
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
	return s.sellers(candidates), nil
}

// sellers keeps the users who may own customers (policy customer
// be_owner).
func (s *Service) sellers(users []org.User) []org.User {
	var out []org.User
	for _, u := range users {
		if s.enf.CanRoute(u.Subject(), "customer", "be_owner") {
			out = append(out, u)
		}
	}
	return out
}

// ReassignOwners lists who actor may hand customer c to. Moving a
// customer to another team is the director's decision (anyone in the
// branch); a chief rep reassigns only within the customer's own team —
// also when they are named chief rep of another team's customer, so that
// team does not lose it.
func (s *Service) ReassignOwners(ctx context.Context, actor authz.Subject, c *Customer) ([]org.User, error) {
	if s.assignsBranch(actor) {
		return s.Assignable(ctx, actor)
	}
	us, err := s.org.UsersByTeam(ctx, c.TeamID)
	if err != nil {
		return nil, err
	}
	return s.sellers(us), nil
}

// findUser picks ownerID (the actor when 0) from list, or adds a field
// error.
func findUser(list []org.User, ownerID uint, f apperr.Fields) *org.User {
	for _, u := range list {
		if u.ID == ownerID {
			return &u
		}
	}
	f.Add("owner_id", "v.owner")
	return nil
}

func (s *Service) checkOwner(ctx context.Context, actor authz.Subject, ownerID uint, f apperr.Fields) (*org.User, error) {
	if ownerID == 0 {
		ownerID = actor.ID
	}
	list, err := s.Assignable(ctx, actor)
	if err != nil {
		return nil, err
	}
	return findUser(list, ownerID, f), nil
}

// ChiefRepsFor lists the chief reps actor may name on a customer owned by
// owner: a director any active chief rep of the owner's branch; anyone
// else the chief reps of the owner's own team and the team's leader.
func (s *Service) ChiefRepsFor(ctx context.Context, actor authz.Subject, owner *org.User) ([]org.User, error) {
	if owner == nil || owner.BranchID == nil {
		return nil, nil
	}
	all, err := s.org.ChiefReps(ctx, *owner.BranchID)
	if err != nil || s.assignsBranch(actor) {
		return all, err
	}
	if owner.TeamID == nil {
		return nil, nil
	}
	var leader uint
	t, err := s.org.TeamByID(ctx, *owner.TeamID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if t != nil && t.LeaderID != nil {
		leader = *t.LeaderID
	}
	var out []org.User
	for _, u := range all {
		if (u.TeamID != nil && *u.TeamID == *owner.TeamID) || u.ID == leader {
			out = append(out, u)
		}
	}
	return out, nil
}

// checkChiefRep accepts chiefID (0 for none) if actor may name them on a
// customer of owner (ChiefRepsFor). keep is the customer's current chief
// rep when reassigning: leaving it as it is — a director may have named a
// chief rep of another team — is always allowed.
func (s *Service) checkChiefRep(ctx context.Context, actor authz.Subject, chiefID uint, owner *org.User, keep *uint, f apperr.Fields) (*uint, error) {
	if chiefID == 0 {
		return nil, nil
	}
	if keep != nil && *keep == chiefID {
		id := chiefID
		return &id, nil
	}
	list, err := s.ChiefRepsFor(ctx, actor, owner)
	if err != nil {
		return nil, err
	}
	for _, u := range list {
		if u.ID == chiefID {
			id := u.ID
			return &id, nil
		}
	}
	f.Add("chief_rep_id", "v.chief_rep")
	return nil, nil
}

// FormChiefReps lists the chief reps the customer form offers actor: for a
// new customer those of the actor's own team (every owner an account
// manager or chief rep may choose is in it), for a director the branch's.
func (s *Service) FormChiefReps(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	if s.assignsBranch(actor) {
		return s.org.ChiefReps(ctx, actor.BranchID)
	}
	me, err := s.org.UserByID(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	return s.ChiefRepsFor(ctx, actor, me)
}

// ReassignChiefReps lists the chief reps the reassign form offers for
// customer c: a director's branch, else those of the customer's team, and
// always the current one (keeping it is allowed).
func (s *Service) ReassignChiefReps(ctx context.Context, actor authz.Subject, c *Customer) ([]org.User, error) {
	var list []org.User
	var err error
	if s.assignsBranch(actor) {
		list, err = s.org.ChiefReps(ctx, c.BranchID)
	} else {
		branch, team := c.BranchID, c.TeamID
		list, err = s.ChiefRepsFor(ctx, actor, &org.User{BranchID: &branch, TeamID: &team})
	}
	if err != nil || c.ChiefRepID == nil {
		return list, err
	}
	for _, u := range list {
		if u.ID == *c.ChiefRepID {
			return list, nil
		}
	}
	cur, err := s.org.UserByID(ctx, *c.ChiefRepID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return list, nil
		}
		return nil, err
	}
	return append(list, *cur), nil
}

// --- duplicates

var (
	parenPattern = regexp.MustCompile(`[（(][^）)]*[）)]`)
	legalSuffix  = []string{"股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "公司", "集团", "co.,ltd.", "co., ltd.", "ltd.", "ltd", "inc."}
)

// CoreName strips brackets, spaces and legal suffixes from a company name
// so that "哈尔滨市第一医院（南岗院区）" and "哈尔滨市第一医院" compare equal.
// It works on the normalised name (full-width letters and digits as
// ASCII, invisible characters gone, lower case), so "ＡＢＣ科技" and
// "abc科技有限公司" compare equal too.
func CoreName(name string) string {
	n := strings.ToLower(textnorm.Name(name))
	n = parenPattern.ReplaceAllString(n, "")
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
// What it says depends on whether the actor may open the customer: if so,
// its name and a link; if not, only that it exists and whom to ask — its
// owner's name when it is in the actor's branch, else its branch — never
// its name, code or id.
type Duplicate struct {
	ID      uint   // 0 unless Visible
	Name    string // "" unless Visible
	Owner   string // the owner's name (in the actor's branch, or Visible)
	Branch  string // the branch to ask, for a customer of another branch
	Visible bool   // the actor may open it: a link is shown
	Exact   bool   // same credit code, not just a similar name
}

// ErrTooManyChecks: the actor ran more duplicate checks than the limit
// allows; nothing was looked up (and nothing saved).
var ErrTooManyChecks = errors.New("prospects: too many duplicate checks, try again in a minute")

// allowCheck counts one duplicate lookup of kind for actor against rule.
func (s *Service) allowCheck(ctx context.Context, actor authz.Subject, kind string, rule ratelimit.Rule) error {
	ok, err := s.limiter.Allow(ctx, fmt.Sprintf("%s:%d", kind, actor.ID), rule)
	if err != nil {
		return err
	}
	if !ok {
		return ErrTooManyChecks
	}
	return nil
}

// maxVisibleDuplicates bounds the similar customers listed with links.
const maxVisibleDuplicates = 5

// findDuplicates looks for the same credit code or a similar name. The
// customers the actor may open are listed (at most five); of those they
// may not open, one line at most says that one exists — the same code
// first, else a customer whose name is the same once brackets and legal
// suffixes are removed (a mere substring is not enough, so varying a
// fragment such as "银行" cannot walk through other people's customers).
// Every call counts against the actor's rate limit.
func (s *Service) findDuplicates(ctx context.Context, actor authz.Subject, code, name string, exceptID uint) ([]Duplicate, error) {
	if err := s.allowCheck(ctx, actor, "dupcheck", s.checkRule); err != nil {
		return nil, err
	}
	var visible []Customer
	var hidden *Customer
	var hiddenExact bool
	seen := map[uint]bool{}
	if code != "" {
		c, err := s.store.CustomerByCode(ctx, code)
		if err == nil && c.ID != exceptID {
			seen[c.ID] = true
			if s.Can(actor, "read", c) {
				visible = append(visible, *c)
			} else {
				hidden, hiddenExact = c, true
			}
		} else if err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
	}
	if core := CoreName(name); utf8.RuneCountInString(core) >= 2 {
		similar, err := s.store.SimilarNamesIn(ctx, s.Scope(actor, "read"), core, exceptID, 20)
		if err != nil {
			return nil, err
		}
		for _, c := range similar {
			if len(visible) >= maxVisibleDuplicates {
				break
			}
			other := CoreName(c.Name)
			if !seen[c.ID] && (other == core || strings.Contains(other, core) || strings.Contains(core, other)) {
				seen[c.ID] = true
				visible = append(visible, c)
			}
		}
		if hidden == nil {
			candidates, err := s.store.ShortestWithCore(ctx, core, exceptID, 20)
			if err != nil {
				return nil, err
			}
			for i := range candidates {
				c := &candidates[i]
				if !seen[c.ID] && CoreName(c.Name) == core && !s.Can(actor, "read", c) {
					hidden = c
					break
				}
			}
		}
	}
	ids := make([]uint, 0, len(visible)+1)
	for _, c := range visible {
		ids = append(ids, c.OwnerID)
	}
	if hidden != nil {
		ids = append(ids, hidden.OwnerID)
	}
	owners, err := s.org.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Duplicate, 0, len(visible)+1)
	for _, c := range visible {
		out = append(out, Duplicate{ID: c.ID, Name: c.Name, Owner: owners[c.OwnerID].Name, Visible: true, Exact: code != "" && c.CreditCode == code})
	}
	if hidden != nil {
		d, err := s.hint(ctx, actor, hidden, owners[hidden.OwnerID].Name)
		if err != nil {
			return nil, err
		}
		d.Exact = hiddenExact
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Exact && !out[j].Exact })
	return out, nil
}

// hint describes a customer the actor may not open: whom to ask.
func (s *Service) hint(ctx context.Context, actor authz.Subject, c *Customer, owner string) (Duplicate, error) {
	if actor.BranchID != 0 && c.BranchID == actor.BranchID {
		return Duplicate{Owner: owner}, nil
	}
	b, err := s.org.BranchByID(ctx, c.BranchID)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return Duplicate{}, err
	}
	d := Duplicate{Branch: "?"}
	if b != nil {
		d.Branch = b.Name
	}
	return d, nil
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

// searchText is what the list search and the duplicate check match:
// name, code and key person names, normalised like names (full-width
// letters as ASCII) and lower-cased.
func searchText(c *Customer, contactNames []string) string {
	return strings.ToLower(textnorm.Name(strings.Join(append([]string{c.Name, c.CreditCode}, contactNames...), " ")))
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
	chief, err := s.checkChiefRep(ctx, actor, in.ChiefRepID, owner, nil, f)
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
	now := s.now()
	err = s.store.Tx(ctx, func(tx *Store) error {
		if in.ParentID != nil && *in.ParentID != 0 {
			if err := s.linkParent(ctx, tx, actor, c, *in.ParentID); err != nil {
				return err
			}
		}
		if err := tx.CreateCustomer(ctx, c, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DBAt(ctx, now), actor.ID, "customer", c.ID, audit.ActionCreate, audit.Diff(nil, c))
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
		if in.ParentID != nil && *in.ParentID != derefID(c.ParentID) {
			if err := s.linkParent(ctx, tx, actor, c, *in.ParentID); err != nil {
				return err
			}
		}
		if err := tx.SaveCustomer(ctx, c, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionUpdate, audit.Diff(&before, c))
	})
	return c, err
}

// Reassign gives a customer a new owner and/or chief rep. A director
// moves customers across the branch's teams; a chief rep only within the
// customer's own team (ReassignOwners). The chief rep must be one the
// actor may name for the new owner (ChiefRepsFor), or stay as it is. The
// customer's open opportunities follow the owner.
func (s *Service) Reassign(ctx context.Context, actor authz.Subject, id, ownerID, chiefRepID uint, version int) (*Customer, error) {
	c, err := s.customerFor(ctx, actor, id, "reassign")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if ownerID == 0 {
		ownerID = c.OwnerID
	}
	owners, err := s.ReassignOwners(ctx, actor, c)
	if err != nil {
		return nil, err
	}
	owner := findUser(owners, ownerID, f)
	chief, err := s.checkChiefRep(ctx, actor, chiefRepID, owner, c.ChiefRepID, f)
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
	now := s.now()
	err = s.store.Tx(ctx, func(tx *Store) error {
		// SaveCustomer stamps owner_changed_at when the owner changes, which
		// restarts the pool's idle clock.
		if err := tx.SaveCustomer(ctx, c, now); err != nil {
			return err
		}
		if before.OwnerID != c.OwnerID {
			if err := tx.ReassignOpportunities(ctx, c.ID, c.OwnerID, actor.ID, now); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx.DBAt(ctx, now), actor.ID, "customer", c.ID, "reassign", audit.Diff(&before, c))
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
		// A group with live members stays: its members would hang from a
		// deleted customer (see hierarchy.go).
		if err := tx.LockHierarchy(ctx); err != nil {
			return err
		}
		if n, err := tx.LiveMemberCount(ctx, c.ID); err != nil {
			return err
		} else if n > 0 {
			return fmt.Errorf("customer %d has %d members: %w", c.ID, n, ErrHasMembers)
		}
		if err := tx.SetCustomerDeleted(ctx, c.ID, true, actor.ID, s.now()); err != nil {
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
		if err := tx.SetCustomerDeleted(ctx, c.ID, false, actor.ID, s.now()); err != nil {
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
	return s.store.ListCustomers(ctx, s.Scope(actor, "read"), f)
}

// EachCustomer streams every customer actor may read matching f, in the
// list's order, for exports.
func (s *Service) EachCustomer(ctx context.Context, actor authz.Subject, f CustomerFilter, fn func([]Customer) error) error {
	return s.store.EachCustomer(ctx, s.Scope(actor, "read"), f, fn)
}

// ListDeleted returns the deleted customers actor could restore.
func (s *Service) ListDeleted(ctx context.Context, actor authz.Subject, f CustomerFilter) ([]Customer, int64, error) {
	f.Deleted = true
	return s.store.ListCustomers(ctx, s.Scope(actor, "delete"), f)
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
	in.PayNote, in.NeedNote = textnorm.Clean(in.PayNote), textnorm.Clean(in.NeedNote)
	in.AuthorityNote, in.AcceptanceNote = textnorm.Clean(in.AuthorityNote), textnorm.Clean(in.AcceptanceNote)
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
	c.QualPay, c.QualPayNote, c.QualNeed, c.QualNeedNote = in.Pay, in.PayNote, in.Need, in.NeedNote
	c.QualAuthority, c.QualAuthorityNote = in.Authority, in.AuthorityNote
	c.QualAcceptance, c.QualAcceptanceNote = in.Acceptance, in.AcceptanceNote
	c.QualScore = QualScore(c.QualPay, c.QualNeed, c.QualAuthority, c.QualAcceptance)
	c.UpdatedBy = &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveCustomer(ctx, c, s.now()); err != nil {
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
	c.SearchText = text
	return tx.SetSearchText(ctx, c.ID, text)
}

// sameContact reports whether ct has the name name once both are
// normalised (ＡＢＣ = abc, spaces and invisible characters ignored). A
// shared mobile is no sign: an office number or a secretary's serves
// several people.
func sameContact(ct *Contact, name string) bool {
	k := strings.ReplaceAll(textnorm.Key(name), " ", "")
	return k != "" && k == strings.ReplaceAll(textnorm.Key(ct.Name), " ", "")
}

// ContactDuplicateError reports key persons of the same customer that look
// like the one being saved; the user may confirm (ContactInput.Confirm)
// and save anyway — two people of one name do work in one company. All
// of them belong to a customer the user may edit, so they are shown.
type ContactDuplicateError struct {
	Found []Contact
}

func (e *ContactDuplicateError) Error() string {
	return fmt.Sprintf("%d possible duplicate key persons", len(e.Found))
}

// SaveContact creates (id 0) or edits a key person of a customer. A key
// person with the same name as another of the customer's is a
// ContactDuplicateError unless in.Confirm.
func (s *Service) SaveContact(ctx context.Context, actor authz.Subject, customerID, id uint, in ContactInput) (*Contact, error) {
	c, err := s.customerFor(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	bday, f := in.Validate(s.now())
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
	if !in.Confirm {
		others, err := s.store.Contacts(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		var dups []Contact
		for i := range others {
			if others[i].ID != id && sameContact(&others[i], in.Name) {
				dups = append(dups, others[i])
			}
		}
		if len(dups) > 0 {
			return nil, &ContactDuplicateError{Found: dups}
		}
	}
	ct.Name, ct.Title, ct.Mobile, ct.Phone, ct.Email = in.Name, in.Title, in.Mobile, in.Phone, in.Email
	ct.Role, ct.Attitude, ct.Birthday = in.Role, in.Attitude, bday
	ct.Preferences, ct.Notes, ct.UpdatedBy = in.Preferences, in.Notes, &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		action := audit.ActionUpdate
		if id == 0 {
			action = audit.ActionCreate
			if err := tx.CreateContact(ctx, ct); err != nil {
				return err
			}
		} else if err := tx.SaveContact(ctx, ct, s.now()); err != nil {
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
		if err := tx.DeleteContact(ctx, id, s.now()); err != nil {
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
