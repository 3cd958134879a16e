package targets

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/par"
	"gorm.io/gorm"
)

// Person is an account manager as this module sees them.
type Person struct {
	ID       uint
	Username string
	Name     string
	TeamID   uint
	BranchID uint
	TeamName string
	// LeaderID is the chief rep leading the manager's team (0: none).
	LeaderID uint
}

// Ref places the person's targets and reviews in the organisation.
func (p Person) Ref() authz.Ref {
	return authz.Ref{OwnerID: p.ID, TeamID: p.TeamID, BranchID: p.BranchID}
}

// Directory is what the module needs to know about people; cmd/jike/app.go
// implements it on the org module.
type Directory interface {
	// AccountManagers lists the active account managers of a branch and,
	// when teamID is set, of one team; branchID 0 lists every branch.
	AccountManagers(ctx context.Context, branchID, teamID uint) ([]Person, error)
	// AccountManager returns one active account manager; anyone else is
	// apperr.ErrNotFound.
	AccountManager(ctx context.Context, id uint) (*Person, error)
	// Names returns the names of users (anyone: the chief rep who
	// commented, a manager who left), by id.
	Names(ctx context.Context, ids []uint) (map[uint]string, error)
}

// Options configure the service.
type Options struct {
	// Now is the clock (default time.Now); Location the zone months and
	// days are counted in (default Asia/Shanghai).
	Now      func() time.Time
	Location *time.Location
	// Calendar gives the working days (default: the shipped holiday list).
	Calendar *Calendar
	// UpliftPct is how far above the quota's monthly share a proposed
	// target is ("略高于指标"), in percent; nil is the default, 10 (0 is
	// allowed: no uplift).
	UpliftPct *int
	// Contracts counts signed contracts; nil counts won opportunities.
	Contracts ContractSource
	// Notify sends the workflow's notices (nil: none).
	Notify *notify.Service
}

// DefaultUpliftPct is the default uplift over the quota's monthly share.
const DefaultUpliftPct = 10

// Service holds the module's rules.
type Service struct {
	db    *gorm.DB
	store *Store
	enf   *authz.Enforcer
	dir   Directory
	opts  Options
	// uplift is Options.UpliftPct resolved.
	uplift int
	// spare lends goroutines for the months of a report's grids (nil:
	// one after the other).
	spare *par.Spare
}

// SetSpare lets ReportGrids count several months' actuals at once while
// the process has goroutines to spare.
func (s *Service) SetSpare(sp *par.Spare) { s.spare = sp }

// NewService wires the service.
func NewService(g *gorm.DB, store *Store, enf *authz.Enforcer, dir Directory, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location, _ = time.LoadLocation("Asia/Shanghai")
	}
	if o.Calendar == nil {
		o.Calendar = DefaultCalendar()
	}
	uplift := DefaultUpliftPct
	if o.UpliftPct != nil && *o.UpliftPct >= 0 {
		uplift = *o.UpliftPct
	}
	return &Service{db: g, store: store, enf: enf, dir: dir, opts: o, uplift: uplift}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.opts.Now = now }

// SetContracts wires a signed-contracts source (the contracts module).
func (s *Service) SetContracts(c ContractSource) { s.opts.Contracts = c }

// Calendar is the working-day calendar in use.
func (s *Service) Calendar() *Calendar { return s.opts.Calendar }

// Location is the zone months are counted in.
func (s *Service) Location() *time.Location { return s.opts.Location }

// UpliftPct is the configured uplift.
func (s *Service) UpliftPct() int { return s.uplift }

func (s *Service) now() time.Time { return s.opts.Now() }

// CurrentMonth is the month of the clock in the configured zone.
func (s *Service) CurrentMonth() Month { return MonthOf(s.now(), s.opts.Location) }

// ParseMonth reads "YYYY-MM" (empty: the current month).
func (s *Service) ParseMonth(v string) (Month, error) {
	if strings.TrimSpace(v) == "" {
		return s.CurrentMonth(), nil
	}
	m, err := ParseMonth(v, s.opts.Location)
	if err != nil {
		return Month{}, apperr.Fields{"month": "targets.err.month"}
	}
	return m, nil
}

// Members lists the account managers actor may see targets of: their own
// self for a manager, the team's managers for a chief rep, the branch's
// for a director. Each is checked with Can, so the list agrees with the
// detail page.
func (s *Service) Members(ctx context.Context, actor authz.Subject) ([]Person, error) {
	var people []Person
	switch s.enf.Level(actor, "target", "read") {
	case authz.ScopeOwn:
		p, err := s.dir.AccountManager(ctx, actor.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		people = []Person{*p}
	case authz.ScopeTeam:
		if actor.TeamID == 0 {
			return nil, nil
		}
		ps, err := s.dir.AccountManagers(ctx, actor.BranchID, actor.TeamID)
		if err != nil {
			return nil, err
		}
		people = ps
	case authz.ScopeBranch, authz.ScopeAll:
		if actor.BranchID == 0 {
			return nil, nil
		}
		ps, err := s.dir.AccountManagers(ctx, actor.BranchID, 0)
		if err != nil {
			return nil, err
		}
		people = ps
	}
	can := s.canner(actor, "target", "read")
	out := people[:0]
	for _, p := range people {
		if can(p.Ref()) {
			out = append(out, p)
		}
	}
	return out, nil
}

// canner is Can for many records of one kind: the answer depends only on
// the set of relations the actor has to a record, so it asks the enforcer
// once per distinct set (a branch of 600 managers: two or three times, not
// 600).
func (s *Service) canner(actor authz.Subject, obj, act string) func(authz.Ref) bool {
	memo := map[string]bool{}
	return func(r authz.Ref) bool {
		key := strings.Join(authz.Relations(actor, r), ",")
		v, ok := memo[key]
		if !ok {
			v = s.enf.Can(actor, obj, act, r)
			memo[key] = v
		}
		return v
	}
}

// person loads an account manager whom actor may act on (act on obj);
// anyone outside actor's read scope is ErrNotFound.
func (s *Service) person(ctx context.Context, actor authz.Subject, id uint, obj, act string) (*Person, error) {
	p, err := s.dir.AccountManager(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.enf.Can(actor, obj, "read", p.Ref()) {
		return nil, fmt.Errorf("%s of %d: %w", obj, id, apperr.ErrNotFound)
	}
	if act != "read" && !s.enf.Can(actor, obj, act, p.Ref()) {
		return nil, fmt.Errorf("%s %s of %d: %w", obj, act, id, apperr.ErrForbidden)
	}
	return p, nil
}

// Actuals counts the lines of month m for owners, as viewer sees the
// records (viewer's customer read scope).
func (s *Service) Actuals(ctx context.Context, viewer authz.Subject, owners []uint, m Month) (map[uint]Values, error) {
	out, err := s.actualsOf(ctx, viewer, owners, []Month{m}, false)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// consecutive tells whether each month follows the one before it.
func consecutive(months []Month) bool {
	for i := 1; i < len(months); i++ {
		if !months[i].Start().Equal(months[i-1].End()) {
			return false
		}
	}
	return true
}

// actualsOf is Actuals for each of months, which follow one another
// (consecutive): the records' lines are counted a run of months per
// statement, and the contract source's in one call. summed returns the
// months added up, as one: each month counted as Actuals counts it.
func (s *Service) actualsOf(ctx context.Context, viewer authz.Subject, owners []uint, months []Month, summed bool) ([]map[uint]Values, error) {
	bounds := make([]time.Time, 0, len(months)+1)
	for _, m := range months {
		bounds = append(bounds, m.Start())
	}
	bounds = append(bounds, months[len(months)-1].End())
	scope := s.enf.ListScope(viewer, "customer", "read")
	// The months in runs, each one statement, and the contract source's
	// call: independent, so a few at once while goroutines are spare.
	per := s.store.monthsPerStatement(len(months))
	if summed && s.store.keptVisits(scope, bounds) {
		// The kept visits and key persons of a summed run are a few
		// thousand rows per owner alone: a year in one statement is
		// ~22 ms of one core on the province, its four quarters side by
		// side ~60 of two.
		per = len(months)
	}
	var runs [][2]int
	for i := 0; i < len(months); i += per {
		runs = append(runs, [2]int{i, min(i+per, len(months))})
	}
	outs := make([]map[uint]Values, len(months))
	if summed {
		outs = make([]map[uint]Values, len(runs)) // each run's sum, added up below
	}
	var signed []map[uint]Signed
	withContracts := s.opts.Contracts != nil && len(owners) > 0
	err := s.spare.Each(len(runs)+1, db.AtOnce(ctx, 4), func(i int) error {
		if i < len(runs) {
			lo, hi := runs[i][0], runs[i][1]
			got, err := s.store.actualsIn(ctx, scope, owners, bounds[lo:hi+1], s.opts.Contracts == nil, summed)
			if summed {
				copy(outs[i:i+1], got)
			} else {
				copy(outs[lo:hi], got)
			}
			return err
		}
		if !withContracts {
			return nil
		}
		cb := bounds
		if summed { // counts and sums: the whole span is one period
			cb = []time.Time{bounds[0], bounds[len(bounds)-1]}
		}
		var err error
		if signed, err = s.opts.Contracts(ctx, viewer, owners, cb); err != nil {
			return fmt.Errorf("actuals: contracts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if summed {
		outs = []map[uint]Values{sumValues(outs)}
	}
	if !withContracts {
		return outs, nil
	}
	if len(signed) != len(outs) {
		return nil, fmt.Errorf("actuals: contracts: %d periods for %d months", len(signed), len(outs))
	}
	for i := range outs {
		for id, v := range outs[i] {
			v[LineSignings] = signed[i][id].Count
			v[LineMRC] = signed[i][id].MRCFen
		}
	}
	return outs, nil
}

// sumValues adds up each owner's values over several periods' maps, into
// the first (every map has the same owners).
func sumValues(outs []map[uint]Values) map[uint]Values {
	for _, o := range outs[1:] {
		for id, v := range o {
			for k, n := range v {
				outs[0][id][k] += n
			}
		}
	}
	return outs[0]
}

func ids(people []Person) []uint {
	out := make([]uint, len(people))
	for i, p := range people {
		out[i] = p.ID
	}
	return out
}

// ---- attainment ----

// Attainment is one line's target against its actual.
type Attainment struct {
	Def    LineDef
	Target int64
	Actual int64
	// Has is false when no target was set for the line.
	Has bool
}

// Pct is the actual as a percentage of the target (0 without a target).
func (a Attainment) Pct() int {
	if a.Target <= 0 {
		return 0
	}
	return int(a.Actual * 100 / a.Target)
}

// Met reports whether the target was reached.
func (a Attainment) Met() bool { return a.Target > 0 && a.Actual >= a.Target }

// Class is the colour of the cell: good (reached), warn (80 % or more),
// bad (below), none (no target).
func (a Attainment) Class() string {
	switch {
	case a.Target <= 0:
		return "att-none"
	case a.Actual >= a.Target:
		return "att-good"
	case a.Actual*100 >= a.Target*80:
		return "att-warn"
	}
	return "att-bad"
}

func attain(target *Target, actual Values) []Attainment {
	return attainInto(make([]Attainment, len(Lines)), target, actual)
}

// attainInto is attain written into out (len(Lines) long), so that a
// grid of many rows fills one slab rather than allocating a slice and a
// map of the target's values per row.
func attainInto(out []Attainment, target *Target, actual Values) []Attainment {
	for i, l := range Lines {
		out[i] = Attainment{Def: l, Actual: actual[l.Key]}
		if target == nil {
			continue
		}
		if tv := target.Value(l.Key); tv > 0 {
			out[i].Target, out[i].Has = tv, true
		}
	}
	return out
}

// ---- progress ("this month so far") ----

// Progress is one manager's month: each line's target and actual, and the
// pace needed over the working days left.
type Progress struct {
	Person    Person
	Month     Month
	Lines     []ProgressLine
	DaysLeft  int
	Current   bool
	HasTarget bool
}

// ProgressLine is a line of Progress.
type ProgressLine struct {
	Attainment
	// Remaining is what is still missing (0 when reached).
	Remaining int64
	// PerDay is the pace needed: tenths of a count, or fen, per working
	// day left.
	PerDay int64
}

// Progress returns manager id's progress in month m, as actor sees it.
func (s *Service) Progress(ctx context.Context, actor authz.Subject, id uint, m Month) (*Progress, error) {
	p, err := s.person(ctx, actor, id, "target", "read")
	if err != nil {
		return nil, err
	}
	var target *Target
	if ts, err := s.store.Targets(ctx, s.enf.ListScope(actor, "target", "read"), []string{m.String()}, []uint{p.ID}); err != nil {
		return nil, err
	} else if len(ts) == 1 {
		target = &ts[0]
	}
	act, err := s.Actuals(ctx, actor, []uint{p.ID}, m)
	if err != nil {
		return nil, err
	}
	now := s.now()
	pr := &Progress{Person: *p, Month: m, HasTarget: target != nil,
		Current: MonthOf(now, s.opts.Location) == m}
	if pr.Current {
		pr.DaysLeft = s.opts.Calendar.WorkingDaysLeft(m, now)
	} else if now.Before(m.Start()) {
		pr.DaysLeft = s.opts.Calendar.WorkingDaysLeft(m, m.Start())
	}
	for _, a := range attain(target, act[p.ID]) {
		l := ProgressLine{Attainment: a}
		if a.Target > a.Actual {
			l.Remaining = a.Target - a.Actual
			if pr.DaysLeft > 0 {
				if a.Def.Money {
					l.PerDay = (l.Remaining + int64(pr.DaysLeft) - 1) / int64(pr.DaysLeft)
				} else {
					l.PerDay = (l.Remaining*10 + int64(pr.DaysLeft) - 1) / int64(pr.DaysLeft)
				}
			}
		}
		pr.Lines = append(pr.Lines, l)
	}
	return pr, nil
}

// ---- team and branch grid ----

// GridRow is one manager in the grid.
type GridRow struct {
	Person Person
	Target *Target
	Lines  []Attainment
	Review *Review
}

// ReviewStatus is the review's status ("" for none yet: 未提交).
func (r GridRow) ReviewStatus() string {
	if r.Review == nil {
		return StatusDraft
	}
	return r.Review.Status
}

// Submitted reports whether the manager's review is in (submitted or
// signed off).
func (r GridRow) Submitted() bool {
	return r.Review != nil && (r.Review.Status == StatusSubmitted || r.Review.Status == StatusSignedOff)
}

// Grid is the members × lines view of a month.
type Grid struct {
	Month  Month
	Rows   []GridRow
	Totals []Attainment
	Sort   string
	Desc   bool
}

// Missing lists the managers whose review is not in.
func (g *Grid) Missing() []Person {
	var out []Person
	for _, r := range g.Rows {
		if !r.Submitted() {
			out = append(out, r.Person)
		}
	}
	return out
}

// ReviewList is the grid without targets and actuals: each member and
// their review of month m (for the review list and the home panel, which
// need no counting).
func (s *Service) ReviewList(ctx context.Context, actor authz.Subject, m Month) (*Grid, error) {
	people, err := s.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.Reviews(ctx, s.enf.ListScope(actor, "review", "read"), []string{m.String()})
	if err != nil {
		return nil, err
	}
	reviews := map[uint]*Review{}
	for i := range rs {
		reviews[rs[i].OwnerID] = &rs[i]
	}
	g := &Grid{Month: m, Sort: "review", Desc: true}
	for _, p := range people {
		g.Rows = append(g.Rows, GridRow{Person: p, Review: reviews[p.ID]})
	}
	sortGrid(g.Rows, "review", true)
	return g, nil
}

// Grid builds the grid of month m for actor's members, in a fixed number
// of queries whatever the number of managers: targets, reviews, and four
// aggregate actuals queries.
func (s *Service) Grid(ctx context.Context, actor authz.Subject, m Month, sortKey string, desc bool) (*Grid, error) {
	people, err := s.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	owners := ids(people)
	targets, err := s.store.Targets(ctx, s.enf.ListScope(actor, "target", "read"), []string{m.String()}, owners)
	if err != nil {
		return nil, err
	}
	byOwner := make(map[uint]*Target, len(targets))
	for i := range targets {
		byOwner[targets[i].OwnerID] = &targets[i]
	}
	reviews := map[uint]*Review{}
	if s.enf.Level(actor, "review", "read") != authz.ScopeNone {
		rs, err := s.store.Reviews(ctx, s.enf.ListScope(actor, "review", "read"), []string{m.String()})
		if err != nil {
			return nil, err
		}
		for i := range rs {
			reviews[rs[i].OwnerID] = &rs[i]
		}
	}
	act, err := s.Actuals(ctx, actor, owners, m)
	if err != nil {
		return nil, err
	}
	g := &Grid{Month: m, Sort: sortKey, Desc: desc}
	for _, p := range people {
		t := byOwner[p.ID]
		g.Rows = append(g.Rows, GridRow{Person: p, Target: t, Lines: attain(t, act[p.ID]), Review: reviews[p.ID]})
	}
	g.total()
	sortGrid(g.Rows, sortKey, desc)
	return g, nil
}

// total sets the grid's Totals: each line summed over the rows.
func (g *Grid) total() {
	totT, totA := Values{}, Values{}
	for _, r := range g.Rows {
		for _, a := range r.Lines {
			totT[a.Def.Key] += a.Target
			totA[a.Def.Key] += a.Actual
		}
	}
	g.Totals = g.Totals[:0]
	for _, l := range Lines {
		g.Totals = append(g.Totals, Attainment{Def: l, Target: totT[l.Key], Actual: totA[l.Key], Has: totT[l.Key] > 0})
	}
}

// ReportGrids is what the reports read: for each month a grid of the
// members of every one of groups (e.g. the admin's province, as one
// director per branch), each row with its targets and — when actuals —
// its actuals, counted once per month over all those members as actor
// sees the records. Reviews are not read. Through Grid per group and
// month the admin's attainment report counted each branch's visits in a
// statement of its own (13 scans of the month's visits, 2.5 s at province
// scale); here it is one statement per month.
func (s *Service) ReportGrids(ctx context.Context, actor authz.Subject, groups []authz.Subject, months []Month, actuals bool) (map[Month]*Grid, error) {
	people, owners, keys, err := s.reportMembers(ctx, groups, months)
	if err != nil {
		return nil, err
	}
	// The members are those the groups may read the targets of (Members
	// checks each), so their targets are read by id: the actor — the
	// admin — holds no target permission of its own.
	var targets []Target
	if len(owners) > 0 {
		if targets, err = s.store.TargetLines(ctx, s.enf.Unrestricted(actor, "target", "read"), keys, owners); err != nil {
			return nil, err
		}
	}
	byMonth := make(map[string]map[uint]*Target, len(months))
	for i := range targets {
		t := &targets[i]
		if byMonth[t.Month] == nil {
			byMonth[t.Month] = map[uint]*Target{}
		}
		byMonth[t.Month][t.OwnerID] = t
	}
	// A quarter's or a year's months are counted together (actualsOf)
	// when they follow one another, as a period's do; others one by one.
	acts := make([]map[uint]Values, len(months))
	switch {
	case !actuals || len(months) == 0:
	case consecutive(months):
		if acts, err = s.actualsOf(ctx, actor, owners, months, false); err != nil {
			return nil, err
		}
	default:
		for i, m := range months {
			if acts[i], err = s.Actuals(ctx, actor, owners, m); err != nil {
				return nil, err
			}
		}
	}
	out := make(map[Month]*Grid, len(months))
	for i, m := range months {
		out[m] = reportGrid(m, people, byMonth[m.String()], acts[i])
	}
	return out, nil
}

// reportMembers are the members of groups (groupMembers), their ids, and
// months as the targets table keys them: what a report's grids read.
func (s *Service) reportMembers(ctx context.Context, groups []authz.Subject, months []Month) (people []Person, owners []uint, keys []string, err error) {
	if people, err = s.groupMembers(ctx, groups); err != nil {
		return nil, nil, nil, err
	}
	keys = make([]string, len(months))
	for i, m := range months {
		keys[i] = m.String()
	}
	return people, ids(people), keys, nil
}

// reportGrid is a report's grid of people: each row's targets and actuals
// (nil: none), sorted by name, with the totals.
func reportGrid(m Month, people []Person, targets map[uint]*Target, act map[uint]Values) *Grid {
	g := &Grid{Month: m, Sort: "name", Rows: make([]GridRow, 0, len(people))}
	// Every row's lines in one slab: the admin's year is 7,200 rows.
	slab := make([]Attainment, len(people)*len(Lines))
	for j, p := range people {
		row := GridRow{Person: p, Target: targets[p.ID]}
		row.Lines = attainInto(slab[j*len(Lines):(j+1)*len(Lines):(j+1)*len(Lines)], row.Target, act[p.ID])
		g.Rows = append(g.Rows, row)
	}
	g.total()
	sortGrid(g.Rows, "name", false)
	return g
}

// ReportTotals is ReportGrids with actuals, added up over months, which
// follow one another: one grid (of months[0]) whose rows hold each
// member's targets and actuals for all the months — what a report over
// a quarter or a year shows. The sums are made in the statements, so the
// admin's year reads ~600 rows per source instead of 7,200, and builds
// one grid instead of twelve (issue 19).
func (s *Service) ReportTotals(ctx context.Context, actor authz.Subject, groups []authz.Subject, months []Month) (*Grid, error) {
	if len(months) == 0 || !consecutive(months) {
		return nil, fmt.Errorf("report totals: %d months that do not follow one another", len(months))
	}
	people, owners, keys, err := s.reportMembers(ctx, groups, months)
	if err != nil {
		return nil, err
	}
	targets := map[uint]*Target{}
	act := map[uint]Values{}
	if len(owners) > 0 {
		// Read by id as in ReportGrids: the members are those the groups
		// may read the targets of.
		sums, err := s.store.TargetSums(ctx, s.enf.Unrestricted(actor, "target", "read"), keys, owners)
		if err != nil {
			return nil, err
		}
		for i := range sums {
			targets[sums[i].OwnerID] = &sums[i]
		}
		acts, err := s.actualsOf(ctx, actor, owners, months, true)
		if err != nil {
			return nil, err
		}
		act = acts[0]
	}
	return reportGrid(months[0], people, targets, act), nil
}

// groupMembers are the Members of every group, each once, group by group.
// Groups that each reach a whole branch (the admin's province as one
// director per branch) are answered from one list of every branch's
// managers, each group keeping its own branch's that it may read: the
// same people as Members per group, in one directory lookup instead of
// one per branch (three queries each).
func (s *Service) groupMembers(ctx context.Context, groups []authz.Subject) ([]Person, error) {
	var people []Person
	seen := map[uint]bool{}
	add := func(ps []Person) {
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				people = append(people, p)
			}
		}
	}
	branches := len(groups) > 1
	for _, g := range groups {
		if s.enf.Level(g, "target", "read") != authz.ScopeBranch || g.BranchID == 0 {
			branches = false
		}
	}
	if !branches {
		for _, g := range groups {
			ps, err := s.Members(ctx, g)
			if err != nil {
				return nil, err
			}
			add(ps)
		}
		return people, nil
	}
	all, err := s.dir.AccountManagers(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		can := s.canner(g, "target", "read")
		var ps []Person
		for _, p := range all {
			if p.BranchID == g.BranchID && can(p.Ref()) {
				ps = append(ps, p)
			}
		}
		add(ps)
	}
	return people, nil
}

// TargetGrids is Grid for several months with the targets only: no
// actuals (each line's Actual is zero) and no reviews. It costs one
// members lookup and one targets query whatever the number of months,
// for readers that need only what was set: the forecast's target line
// reads six months, and through Grid each of them computed the month's
// actuals only to throw them away (~80 % of that report's time at
// province scale, docs/reports.md).
func (s *Service) TargetGrids(ctx context.Context, actor authz.Subject, months []Month) (map[Month]*Grid, error) {
	return s.ReportGrids(ctx, actor, []authz.Subject{actor}, months, false)
}

// sortGrid orders rows by name, team, review status or a line's
// attainment (then its actual), ties by name.
func sortGrid(rows []GridRow, key string, desc bool) {
	idx := -1
	for i, l := range Lines {
		if l.Key == key {
			idx = i
		}
	}
	less := func(a, b GridRow) int {
		switch {
		case idx >= 0:
			x, y := a.Lines[idx], b.Lines[idx]
			if c := cmpInt(int64(x.Pct()), int64(y.Pct())); c != 0 {
				return c
			}
			return cmpInt(x.Actual, y.Actual)
		case key == "team":
			return strings.Compare(a.Person.TeamName, b.Person.TeamName)
		case key == "review":
			return strings.Compare(a.ReviewStatus(), b.ReviewStatus())
		}
		return 0
	}
	sort.SliceStable(rows, func(i, j int) bool {
		c := less(rows[i], rows[j])
		if c == 0 {
			return rows[i].Person.Name < rows[j].Person.Name
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ---- reasons distribution ----

// ReasonStats are the reasons of the missed lines in a month and over the
// six months ending with it.
type ReasonStats struct {
	Month  map[string]int64
	Six    map[string]int64
	Months []string
	// ByMonth is month → reason → count, oldest month first in Months.
	ByMonth map[string]map[string]int64
}

// Reasons counts the reasons in actor's review scope.
func (s *Service) Reasons(ctx context.Context, actor authz.Subject, m Month) (*ReasonStats, error) {
	st := &ReasonStats{Month: map[string]int64{}, Six: map[string]int64{}, ByMonth: map[string]map[string]int64{}}
	for i := 5; i >= 0; i-- {
		k := m.Add(-i).String()
		st.Months = append(st.Months, k)
		st.ByMonth[k] = map[string]int64{}
	}
	rows, err := s.store.ReasonCounts(ctx, s.enf.ListScope(actor, "review", "read"), st.Months)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		st.ByMonth[r.Month][r.Reason] += r.N
		st.Six[r.Reason] += r.N
		if r.Month == m.String() {
			st.Month[r.Reason] += r.N
		}
	}
	return st, nil
}

// ---- audit helper ----

func (s *Service) audit(ctx context.Context, actor authz.Subject, entity string, id uint, action string, changes map[string]audit.Change) error {
	return audit.Record(ctx, db.Conn(ctx, s.db), actor.ID, entity, id, action, changes)
}

func (s *Service) send(ctx context.Context, n ...notify.Notice) error {
	if s.opts.Notify == nil {
		return nil
	}
	return s.opts.Notify.Send(ctx, n...)
}

// ShowValue shows a line's value: a count, or yuan with separators.
func ShowValue(l LineDef, v int64) string {
	if l.Money {
		return money.Fen(v).String()
	}
	return strconv.FormatInt(v, 10)
}

// TargetText shows the target ("—" without one).
func (a Attainment) TargetText() string {
	if a.Target <= 0 {
		return "—"
	}
	return ShowValue(a.Def, a.Target)
}

// ActualText shows the actual.
func (a Attainment) ActualText() string { return ShowValue(a.Def, a.Actual) }

// RemainingText shows what is still missing.
func (l ProgressLine) RemainingText() string { return ShowValue(l.Def, l.Remaining) }

// PaceText shows the pace needed per working day left.
func (l ProgressLine) PaceText() string {
	if l.Def.Money {
		return money.Fen(l.PerDay).String()
	}
	return fmt.Sprintf("%d.%d", l.PerDay/10, l.PerDay%10)
}

// TargetText, ActualText and LiveText show a review line's figures.
func (r ReviewRow) TargetText() string { return ShowValue(r.Def, r.Target) }

// ActualText shows the actual (the snapshot once submitted).
func (r ReviewRow) ActualText() string { return ShowValue(r.Def, r.Actual) }

// LiveText shows the live actual.
func (r ReviewRow) LiveText() string { return ShowValue(r.Def, r.Live) }
