package reports

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/par"
)

// Person is an account manager as reports name them.
type Person struct {
	ID       uint
	Name     string
	TeamID   uint
	TeamName string
	BranchID uint
}

// Named is a branch or team for the filter's choices.
type Named struct {
	ID       uint
	Name     string
	BranchID uint
}

// Org is what the viewer may filter by: the branches, teams and account
// managers within their report scope.
type Org struct {
	Branches []Named
	Teams    []Named
	People   []Person
}

// Directory knows people; cmd/jike/app.go implements it on org.
type Directory interface {
	// Org lists the branches, teams and account managers viewer's report
	// scope reaches.
	Org(ctx context.Context, viewer authz.Subject) (*Org, error)
	// Names names users by id (an owner outside the viewer's teams, e.g.
	// of a customer the chief rep is named on).
	Names(ctx context.Context, ids []uint) (map[uint]string, error)
}

// namer names owners: from the viewer's people, the rest in one lookup.
func (s *Service) namer(ctx context.Context, known map[uint]string, ids []uint) (func(uint) string, error) {
	var missing []uint
	for _, id := range ids {
		if _, ok := known[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		more, err := s.dir.Names(ctx, missing)
		if err != nil {
			return nil, err
		}
		for id, n := range more {
			known[id] = n
		}
	}
	return func(id uint) string {
		if n, ok := known[id]; ok {
			return n
		}
		return "#" + strconv.FormatUint(uint64(id), 10)
	}, nil
}

// TargetLine is one line of a manager's month: target and actual (fen for
// money lines).
type TargetLine struct {
	Key    string
	Money  bool
	Target int64
	Actual int64
}

// TargetRow is one account manager's month from the targets module.
type TargetRow struct {
	Person Person
	Lines  []TargetLine
}

// TargetSource gives each account manager's targets for months
// ("2006-01") as viewer may see them, by month, with the actuals when
// actuals is true (the targets module, through an adapter in
// cmd/jike/reports_wiring.go). Without actuals it is one read of the
// targets for all the months.
type TargetSource func(ctx context.Context, viewer authz.Subject, months []string, actuals bool) (map[string][]TargetRow, error)

// TargetTotals gives each account manager's targets and actuals added up
// over months ("2006-01", following one another) as viewer may see them:
// a row per manager, each month counted as TargetSource counts it. A
// report over a quarter or a year reads these rather than a row per
// manager and month (the targets module's ReportTotals, through the
// adapter beside TargetSource's).
type TargetTotals func(ctx context.Context, viewer authz.Subject, months []string) ([]TargetRow, error)

// DefaultProbabilities are the forecast's win probabilities (percent) per
// open stage, the handbook's suggestion; JIKE_REPORT_PROBABILITIES
// overrides them.
var DefaultProbabilities = map[string]int{
	"identified": 10, "contacted": 20, "visited": 30, "needs": 40, "proposal": 60, "negotiation": 80,
}

// Options configure the service.
type Options struct {
	Now      func() time.Time
	Location *time.Location
	// Probabilities per open stage (nil: DefaultProbabilities).
	Probabilities map[string]int
	Industries    []string
}

// Service builds the reports.
type Service struct {
	store   *Store
	enf     *authz.Enforcer
	dir     Directory
	targets TargetSource
	totals  TargetTotals
	opts    Options
	// spare lends goroutines for a report's independent reads (nil: one
	// after the other).
	spare *par.Spare
	// kept holds built reports (Kept), a cache per report under its reads.
	kept map[string]*db.VersionCache[*Report]
}

// reads are, per report, the data versions of everything it reads (the
// people and teams of its filter and rows are the organisation's; the
// "by top group" table reads the customers' hierarchy), checked against
// the tables its statements read by TestReportReads: a write to
// something a report does not show (a visit, for the funnel) leaves it
// kept.
var reads = map[string][]string{
	KeyFunnel:     {db.VersionOpportunities, db.VersionCustomers, db.VersionOrg},
	KeyVelocity:   {db.VersionOpportunities, db.VersionCustomers, db.VersionOrg},
	KeyForecast:   {db.VersionOpportunities, db.VersionTargets, db.VersionCustomers, db.VersionOrg},
	KeyAttainment: {db.VersionContracts, db.VersionProposals, db.VersionVisits, db.VersionTargets, db.VersionCustomers, db.VersionOrg},
	KeyCoverage:   {db.VersionVisits, db.VersionCustomers, db.VersionOrg},
	KeyActivity:   {db.VersionVisits, db.VersionProposals, db.VersionCustomers, db.VersionOrg},
	KeyExpiring:   {db.VersionContracts, db.VersionCustomers, db.VersionOrg},
}

// Reads are the data versions report key is kept under.
func Reads(key string) []string { return slices.Clone(reads[key]) }

// WrittenWith names, for a table a report reads that has no version of
// its own, the table whose version covers it: its rows are written only
// in the transaction of a write to that table (an opportunity's stage
// changes with the opportunity). The sums kept by triggers are
// db.DerivedTables.
var WrittenWith = map[string]string{
	"stage_changes":      "opportunities",   // prospects: SaveOpportunity and AddStageChange in one Tx
	"proposal_approvals": "proposals",       // proposals: a decision saves the proposal with it
	"review_lines":       "monthly_reviews", // targets: a review's lines replaced with it
}

// reportsKept bounds the kept reports (viewers × reports × filters ×
// languages).
const reportsKept = 256

// NewService wires the service.
func NewService(store *Store, enf *authz.Enforcer, dir Directory, targets TargetSource, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Probabilities == nil {
		o.Probabilities = DefaultProbabilities
	}
	kept := map[string]*db.VersionCache[*Report]{}
	for key, names := range reads {
		kept[key] = db.NewVersionsCache[*Report](names, reportsKept)
	}
	return &Service{store: store, enf: enf, dir: dir, targets: targets, opts: o, kept: kept}
}

// SetTargetTotals lets the attainment of several months read the sums
// (nil: it adds up TargetSource's months itself).
func (s *Service) SetTargetTotals(fn TargetTotals) { s.totals = fn }

// SetSpare lends the service the process's budget of goroutines: a
// report whose reads do not depend on each other runs them at once when
// the process has goroutines to spare.
func (s *Service) SetSpare(sp *par.Spare) { s.spare, s.store.spare = sp, sp }

// Kept is Build kept under the data versions of what reports read, per
// viewer, report, filter, language and day: a report aggregates its
// whole scope on every look — at province scale 40–260 ms for a director
// or the admin one at a time, and at 32 users 1–4.4 s at the 95th
// percentile (issue 19) — while the figures change only with a write.
// Callers read the report, never change it.
//
// With a read replica (NewStore's replica) a report is built and kept
// there: its versions are read in the same snapshot as its figures
// (VersionCache.GetSnapshot), so it is kept under the replica's moment,
// never the primary's newer one.
func (s *Service) Kept(ctx context.Context, viewer authz.Subject, key string, f Filter, lang string, t T) (*Report, error) {
	const day = "2006-01-02"
	k := fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", viewer.ID, viewer.Role, s.scope(viewer).Key(), key, lang, f.QueryString(),
		f.From.Format(time.RFC3339), f.To.Format(time.RFC3339), f.PrevFrom.Format(time.RFC3339), f.PrevTo.Format(time.RFC3339),
		s.opts.Now().In(s.opts.Location).Format(day), f.By)
	get := s.kept[key].Get
	if s.store.replicated() {
		get = s.kept[key].GetSnapshot
	}
	return get(ctx, s.store.read, k, func(ctx context.Context) (*Report, error) {
		r, err := s.Build(ctx, viewer, key, f, t)
		if err != nil {
			return nil, err
		}
		// Each table's rows as HTML once, not on every look (the admin's
		// attainment: 200 rows of 20 cells, inside the render slot).
		for _, tb := range r.Tables {
			tb.body = tb.writeBody()
		}
		return r, nil
	})
}

// Location is the zone periods are counted in.
func (s *Service) Location() *time.Location { return s.opts.Location }

// Probabilities are the forecast's stage probabilities in force.
func (s *Service) Probabilities() map[string]int { return s.opts.Probabilities }

// ParseFilter reads a filter from the URL, the current month by default.
func (s *Service) ParseFilter(q url.Values) (Filter, error) {
	return ParseFilter(q, s.opts.Now(), s.opts.Location, s.opts.Industries)
}

// Scope is viewer's report scope.
func (s *Service) scope(viewer authz.Subject) authz.ListScope {
	return s.enf.ListScope(viewer, "report", "read")
}

// Org is the viewer's choices for the filter.
func (s *Service) Org(ctx context.Context, viewer authz.Subject) (*Org, error) {
	return s.dir.Org(ctx, viewer)
}

// T translates a message id.
type T func(id string, args ...any) string

// Keys of the reports, in menu order.
const (
	KeyFunnel     = "funnel"
	KeyVelocity   = "velocity"
	KeyForecast   = "forecast"
	KeyAttainment = "attainment"
	KeyCoverage   = "coverage"
	KeyActivity   = "activity"
	KeyExpiring   = "expiring"
)

// Keys lists every report.
var Keys = []string{KeyFunnel, KeyVelocity, KeyForecast, KeyAttainment, KeyCoverage, KeyActivity, KeyExpiring}

// Build makes report key for viewer and f.
func (s *Service) Build(ctx context.Context, viewer authz.Subject, key string, f Filter, t T) (*Report, error) {
	org, err := s.dir.Org(ctx, viewer)
	if err != nil {
		return nil, err
	}
	names := map[uint]string{}
	for _, p := range org.People {
		names[p.ID] = p.Name
	}
	var r *Report
	switch key {
	case KeyFunnel:
		r, err = s.funnel(ctx, viewer, f, t)
	case KeyForecast:
		r, err = s.forecast(ctx, viewer, f, t, org)
	case KeyAttainment:
		r, err = s.attainment(ctx, viewer, f, t, org)
	case KeyCoverage:
		r, err = s.coverage(ctx, viewer, f, t, names)
	case KeyVelocity:
		r, err = s.velocity(ctx, viewer, f, t)
	case KeyActivity:
		r, err = s.activity(ctx, viewer, f, t, names)
	case KeyExpiring:
		r, err = s.expiring(ctx, viewer, f, t, names)
	default:
		return nil, fmt.Errorf("report %q: unknown", key)
	}
	if err != nil {
		return nil, err
	}
	if f.By == GroupTopGroup && Groupable(key) {
		tb, err := s.byTopGroup(ctx, viewer, key, f, t, r.rowsTotal)
		if err != nil {
			return nil, err
		}
		r.Tables = append(r.Tables, tb)
	}
	r.Key, r.Title = key, t("reports."+key+".title")
	return r, nil
}

// oppLink is the opportunity list of a stage under the filter.
func oppLink(f Filter, stage string) string {
	q := url.Values{}
	q.Set("stage", stage)
	if f.Team != 0 {
		q.Set("team", strconv.FormatUint(uint64(f.Team), 10))
	}
	if f.AM != 0 {
		q.Set("owner", strconv.FormatUint(uint64(f.AM), 10))
	}
	if f.Grade != "" {
		q.Set("grade", f.Grade)
	}
	if f.Industry != "" {
		q.Set("industry", f.Industry)
	}
	return "/opportunities?" + q.Encode()
}

// ---- 1. funnel ----

func (s *Service) funnel(ctx context.Context, viewer authz.Subject, f Filter, t T) (*Report, error) {
	rows, err := s.store.Funnel(ctx, s.scope(viewer), f, s.opts.Now())
	if err != nil {
		return nil, err
	}
	by := map[string]StageSum{}
	for _, r := range rows {
		by[r.Stage] = r
	}
	tb := &Table{Title: t("reports.funnel.table"), Cols: []Col{{t("reports.col.stage"), Text}, {t("reports.col.count"), Int},
		{t("reports.col.monthly"), Money}, {t("reports.col.one_time"), Money}, {t("reports.col.total_value"), Money}}}
	ch := Chart{Kind: "funnel", Money: false}
	valCh := Chart{Kind: "bar", Money: true}
	var n, m, o int64
	cnt := Series{Name: t("reports.col.count")}
	mon := Series{Name: t("reports.col.monthly"), Type: "bar"}
	for _, st := range OpenStages {
		r := by[st]
		total := r.MonthlyFen*12 + r.OneTimeFen
		href := oppLink(f, st)
		tb.Rows = append(tb.Rows, []Cell{link(t("stage."+st), href), num(r.N), fen(r.MonthlyFen), fen(r.OneTimeFen), fen(total)})
		n, m, o = n+r.N, m+r.MonthlyFen, o+r.OneTimeFen
		ch.Categories = append(ch.Categories, t("stage."+st))
		ch.Links = append(ch.Links, href)
		cnt.Data = append(cnt.Data, float64(r.N))
		mon.Data = append(mon.Data, yuan(r.MonthlyFen))
	}
	valCh.Categories, valCh.Links = ch.Categories, ch.Links
	ch.Series, valCh.Series = []Series{cnt}, []Series{mon}
	tb.Foot = []Cell{txt(t("reports.total")), num(n), fen(m), fen(o), fen(m*12 + o)}
	return &Report{Charts: []Chart{ch, valCh}, Tables: []*Table{tb}, rowsTotal: &GroupSum{N: n, A: m, B: o}}, nil
}

// ---- 3. forecast ----

// ForecastMonths is how many months the forecast looks ahead.
const ForecastMonths = 6

func (s *Service) forecast(ctx context.Context, viewer authz.Subject, f Filter, t T, org *Org) (*Report, error) {
	start, end := s.forecastWindow(f)
	months := make([]string, ForecastMonths)
	for i := range months {
		months[i] = start.AddDate(0, i, 0).Format("2006-01")
	}
	// The window's opportunities (SQL) and the months' targets (the
	// targets module's grids, mostly Go) are independent: for the admin
	// after a write each took ~30 ms and ~15 ms one after the other.
	var rows []MonthSum
	var targets map[string]int64
	err := s.spare.Each(2, db.AtOnce(ctx, 2), func(i int) (err error) {
		if i == 0 {
			rows, err = s.store.Forecast(ctx, s.scope(viewer), f, s.opts.Probabilities, start, end)
		} else {
			targets, err = s.targetMRCs(ctx, viewer, f, months)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	by := map[string]MonthSum{}
	for _, r := range rows {
		by[r.Month] = r
	}
	tb := &Table{Title: t("reports.forecast.table"), Cols: []Col{{t("reports.col.month"), Text}, {t("reports.col.count"), Int},
		{t("reports.col.monthly"), Money}, {t("reports.col.weighted"), Money}, {t("reports.col.target_mrc"), Money}, {t("reports.col.cover"), Pct}}}
	ch := Chart{Kind: "bar", Money: true}
	sw := Series{Name: t("reports.col.weighted"), Type: "bar"}
	sm := Series{Name: t("reports.col.monthly"), Type: "bar"}
	st := Series{Name: t("reports.col.target_mrc"), Type: "line"}
	var tn, tm, tw, tt int64
	var rowsTotal GroupSum // the window's, as the group table sums them (fen × percent)
	for _, mo := range months {
		target := targets[mo]
		r := by[mo]
		w := roundDiv(r.WeightedPct, 100)
		tb.Rows = append(tb.Rows, []Cell{txt(mo), num(r.N), fen(r.MonthlyFen), fen(w), fen(target), pctOf(w, target)})
		tn, tm, tw, tt = tn+r.N, tm+r.MonthlyFen, tw+w, tt+target
		rowsTotal.N, rowsTotal.A, rowsTotal.B = rowsTotal.N+r.N, rowsTotal.A+r.MonthlyFen, rowsTotal.B+r.WeightedPct
		ch.Categories = append(ch.Categories, mo)
		sw.Data, sm.Data, st.Data = append(sw.Data, yuan(w)), append(sm.Data, yuan(r.MonthlyFen)), append(st.Data, yuan(target))
	}
	tb.Foot = []Cell{txt(t("reports.total")), num(tn), fen(tm), fen(tw), fen(tt), pctOf(tw, tt)}
	ch.Series = []Series{sw, sm, st}
	prob := &Table{Title: t("reports.forecast.probabilities"), Cols: []Col{{t("reports.col.stage"), Text}, {t("reports.col.probability"), Int}}}
	for _, stg := range OpenStages {
		prob.Rows = append(prob.Rows, []Cell{txt(t("stage." + stg)), num(int64(s.opts.Probabilities[stg]))})
	}
	_ = org
	return &Report{Charts: []Chart{ch}, Tables: []*Table{tb, prob}, rowsTotal: &rowsTotal}, nil
}

// roundDiv divides rounding half away from zero (fen × percent → fen).
func roundDiv(a, b int64) int64 {
	if a >= 0 {
		return (a + b/2) / b
	}
	return -((-a + b/2) / b)
}

// actualsWanted is what targetRows adds to the targets.
type actualsWanted int

const (
	// noActuals: the targets alone.
	noActuals actualsWanted = iota
	// monthActuals: each month's actuals on its rows.
	monthActuals
	// summedActuals: under an industry or grade, the months' actuals
	// added up per manager and returned beside the rows (whose Actual
	// stays 0), read in fewer rows (Store.OwnerActuals' summed); without
	// either filter, as monthActuals.
	summedActuals
)

// targetRows are the months' target rows, by month, narrowed by the
// filter's branch, team and account manager. Under an industry or grade
// filter targets, which are set per manager and not per customer, are
// apportioned: each line's target × the manager's customers of that
// industry and grade ÷ all his customers in scope (rounded half away from
// zero), and managers without such a customer drop out; with actuals the
// actuals are recounted over those customers' records
// (Store.OwnerActuals) instead of the targets module's whole-book
// figures, so target and actual cover the same customers — on the rows
// month by month, or (summedActuals) per manager for all the months, the
// second result.
func (s *Service) targetRows(ctx context.Context, viewer authz.Subject, f Filter, months []string, actuals actualsWanted) (map[string][]TargetRow, map[uint]map[string]int64, error) {
	if s.targets == nil {
		return nil, nil, nil
	}
	held := func(all map[string][]TargetRow) map[string][]TargetRow {
		byMonth := make(map[string][]TargetRow, len(months))
		for _, mo := range months {
			var out []TargetRow
			for _, r := range all[mo] {
				if f.holds(r.Person) {
					out = append(out, r)
				}
			}
			byMonth[mo] = out
		}
		return byMonth
	}
	if f.Industry == "" && f.Grade == "" {
		all, err := s.targets(ctx, viewer, months, actuals != noActuals)
		if err != nil {
			return nil, nil, err
		}
		return held(all), nil, nil
	}
	// The months follow one another (Filter.Months): their starts and the
	// last one's end bound them.
	bounds := make([]time.Time, 0, len(months)+1)
	for i, mo := range months {
		from, err := time.ParseInLocation("2006-01", mo, s.opts.Location)
		if err != nil {
			return nil, nil, fmt.Errorf("report targets month %q: %w", mo, err)
		}
		if i > 0 && !bounds[i].Equal(from) {
			return nil, nil, fmt.Errorf("report targets: month %q does not follow %q", mo, months[i-1])
		}
		bounds = append(bounds[:i], from, from.AddDate(0, 1, 0))
	}
	// Under an industry or grade the actuals are recounted here (the
	// targets module's whole-book ones would be read for nothing). The
	// targets, the shares and the actuals — every owner's in scope, the
	// managers' picked below — are independent reads: side by side while
	// goroutines are spare, the longest first (the admin's year under an
	// industry read the targets before the rest, ~20 of its ~70 ms).
	scope := s.scope(viewer)
	var all map[string][]TargetRow
	var shares map[uint]OwnerShare
	var got []map[uint]map[string]int64
	err := s.spare.Each(3, db.AtOnce(ctx, 3), func(i int) (err error) {
		switch i {
		case 0:
			if actuals != noActuals {
				got, err = s.store.OwnerActuals(ctx, scope, f, nil, bounds, actuals == summedActuals)
			}
		case 1:
			all, err = s.targets(ctx, viewer, months, false)
		default:
			shares, err = s.store.CustomerShares(ctx, scope, f, nil)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	byMonth := held(all)
	for m, mo := range months {
		var narrowed []TargetRow
		for _, r := range byMonth[mo] {
			sh := shares[r.Person.ID]
			if sh.M == 0 {
				continue
			}
			lines := make([]TargetLine, len(r.Lines))
			for i, l := range r.Lines {
				l.Target = roundDiv(l.Target*sh.M, sh.N)
				if actuals == monthActuals {
					l.Actual = got[m][r.Person.ID][l.Key]
				}
				lines[i] = l
			}
			r.Lines = lines
			narrowed = append(narrowed, r)
		}
		byMonth[mo] = narrowed
	}
	if actuals == summedActuals {
		return byMonth, got[0], nil
	}
	return byMonth, nil, nil
}

// attainmentRows are the rows the attainment adds up: a row per manager
// and month, or over several months one per manager for all of them, in
// the months' order — without an industry or grade from TargetTotals;
// under one, each month's targets apportioned on its own (so a quarter's
// target is its months' added up) and the actuals counted summed.
func (s *Service) attainmentRows(ctx context.Context, viewer authz.Subject, f Filter, months []string) ([][]TargetRow, error) {
	narrow := f.Industry != "" || f.Grade != ""
	if narrow && len(months) > 1 {
		byMonth, sums, err := s.targetRows(ctx, viewer, f, months, summedActuals)
		if err != nil {
			return nil, err
		}
		return [][]TargetRow{addMonths(byMonth, months, sums)}, nil
	}
	if s.totals == nil || len(months) < 2 {
		byMonth, _, err := s.targetRows(ctx, viewer, f, months, monthActuals)
		if err != nil {
			return nil, err
		}
		out := make([][]TargetRow, len(months))
		for i, mo := range months {
			out[i] = byMonth[mo]
		}
		return out, nil
	}
	rows, err := s.totals(ctx, viewer, months)
	if err != nil {
		return nil, err
	}
	kept := rows[:0:0]
	for _, r := range rows {
		if f.holds(r.Person) {
			kept = append(kept, r)
		}
	}
	return [][]TargetRow{kept}, nil
}

// addMonths is one row per manager of byMonth's months, in the order
// they first appear: each line's targets added up over his months and
// its actual from actuals (per manager and line key).
func addMonths(byMonth map[string][]TargetRow, months []string, actuals map[uint]map[string]int64) []TargetRow {
	var out []TargetRow
	at := map[uint]int{}
	for _, mo := range months {
		for _, r := range byMonth[mo] {
			i, ok := at[r.Person.ID]
			if !ok {
				i = len(out)
				at[r.Person.ID] = i
				lines := make([]TargetLine, len(r.Lines))
				for j, l := range r.Lines {
					lines[j] = TargetLine{Key: l.Key, Money: l.Money, Actual: actuals[r.Person.ID][l.Key]}
				}
				out = append(out, TargetRow{Person: r.Person, Lines: lines})
			}
			sum := out[i].Lines
			for _, l := range r.Lines {
				for j := range sum {
					if sum[j].Key == l.Key {
						sum[j].Target += l.Target
					}
				}
			}
		}
	}
	return out
}

// targetMRCs are the months' sums of the new-MRC targets under the filter.
func (s *Service) targetMRCs(ctx context.Context, viewer authz.Subject, f Filter, months []string) (map[string]int64, error) {
	byMonth, _, err := s.targetRows(ctx, viewer, f, months, noActuals)
	if err != nil {
		return nil, err
	}
	sums := make(map[string]int64, len(months))
	for mo, rows := range byMonth {
		for _, r := range rows {
			for _, l := range r.Lines {
				if l.Key == "mrc" {
					sums[mo] += l.Target
				}
			}
		}
	}
	return sums, nil
}

// ---- 4. attainment ----

// attainLines are the lines the attainment report shows, in order.
var attainLines = []string{"visits", "ab_visits", "contacts", "signings", "mrc", "proposals"}

type amSum struct {
	p      Person
	target map[string]int64
	actual map[string]int64
}

func (s *Service) attainment(ctx context.Context, viewer authz.Subject, f Filter, t T, org *Org) (*Report, error) {
	// Targets are monthly; a quarter, a year or a custom range sums its
	// months.
	months := f.Months()
	by := map[uint]*amSum{}
	var order []uint
	// The managers' rows and the reasons given for missed lines are
	// independent reads: side by side while goroutines are spare.
	var byMonth [][]TargetRow
	var reasons []ReasonSum
	err := s.spare.Each(2, db.AtOnce(ctx, 2), func(i int) (err error) {
		if i == 0 {
			byMonth, err = s.attainmentRows(ctx, viewer, f, months)
		} else {
			reasons, err = s.store.Reasons(ctx, s.scope(viewer), f, months)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, rows := range byMonth {
		for _, r := range rows {
			a := by[r.Person.ID]
			if a == nil {
				a = &amSum{p: r.Person, target: map[string]int64{}, actual: map[string]int64{}}
				by[r.Person.ID] = a
				order = append(order, r.Person.ID)
			}
			for _, l := range r.Lines {
				a.target[l.Key] += l.Target
				a.actual[l.Key] += l.Actual
			}
		}
	}
	ams := make([]*amSum, 0, len(order))
	for _, id := range order {
		ams = append(ams, by[id])
	}
	// Ranking: new MRC attainment, then signings attainment, then the
	// actual MRC, then name.
	ratio := func(a *amSum, k string) float64 {
		if a.target[k] <= 0 {
			return -1
		}
		return float64(a.actual[k]) / float64(a.target[k])
	}
	sort.SliceStable(ams, func(i, j int) bool {
		a, b := ams[i], ams[j]
		if x, y := ratio(a, "mrc"), ratio(b, "mrc"); x != y {
			return x > y
		}
		if x, y := ratio(a, "signings"), ratio(b, "signings"); x != y {
			return x > y
		}
		if a.actual["mrc"] != b.actual["mrc"] {
			return a.actual["mrc"] > b.actual["mrc"]
		}
		return a.p.Name < b.p.Name
	})
	cols := []Col{{t("reports.col.rank"), Int}, {t("reports.col.am"), Text}, {t("reports.col.team"), Text}}
	for _, k := range attainLines {
		kind := Int
		if k == "mrc" {
			kind = Money
		}
		cols = append(cols, Col{t("targets.line."+k) + " · " + t("reports.col.actual"), kind},
			Col{t("targets.line."+k) + " · " + t("reports.col.target"), kind}, Col{t("targets.line."+k) + " %", Pct})
	}
	amT := &Table{Title: t("reports.attainment.by_am"), Cols: cols}
	teamCols := append([]Col{{t("reports.col.team"), Text}}, cols[3:]...)
	teamT := &Table{Title: t("reports.attainment.by_team"), Cols: teamCols}
	type teamSum struct {
		name           string
		target, actual map[string]int64
	}
	teams := map[uint]*teamSum{}
	var teamOrder []uint
	ch := Chart{Kind: "hbar"}
	sPct := Series{Name: t("targets.line.mrc") + " %", Type: "bar"}
	for i, a := range ams {
		row := []Cell{num(int64(i + 1)), txt(a.p.Name), txt(a.p.TeamName)}
		for _, k := range attainLines {
			row = append(row, lineCells(k, a.actual[k], a.target[k])...)
		}
		amT.Rows = append(amT.Rows, row)
		ts := teams[a.p.TeamID]
		if ts == nil {
			ts = &teamSum{name: a.p.TeamName, target: map[string]int64{}, actual: map[string]int64{}}
			teams[a.p.TeamID] = ts
			teamOrder = append(teamOrder, a.p.TeamID)
		}
		for _, k := range attainLines {
			ts.target[k] += a.target[k]
			ts.actual[k] += a.actual[k]
		}
		if i < 30 {
			ch.Categories = append(ch.Categories, a.p.Name)
			p := pctOf(a.actual["mrc"], a.target["mrc"])
			sPct.Data = append(sPct.Data, p.Float)
		}
	}
	sort.SliceStable(teamOrder, func(i, j int) bool { return teams[teamOrder[i]].name < teams[teamOrder[j]].name })
	foot := []Cell{txt(t("reports.total"))}
	tot := map[string][2]int64{}
	for _, id := range teamOrder {
		ts := teams[id]
		row := []Cell{txt(ts.name)}
		for _, k := range attainLines {
			row = append(row, lineCells(k, ts.actual[k], ts.target[k])...)
			v := tot[k]
			tot[k] = [2]int64{v[0] + ts.actual[k], v[1] + ts.target[k]}
		}
		teamT.Rows = append(teamT.Rows, row)
	}
	for _, k := range attainLines {
		foot = append(foot, lineCells(k, tot[k][0], tot[k][1])...)
	}
	teamT.Foot = foot
	ch.Series = []Series{sPct}
	// The reasons (A–D) given for missed lines in the period's reviews.
	rc := map[string]int64{}
	rl := map[string]map[string]int64{}
	for _, r := range reasons {
		rc[r.Reason] += r.N
		if rl[r.Reason] == nil {
			rl[r.Reason] = map[string]int64{}
		}
		rl[r.Reason][r.Line] += r.N
	}
	rcols := []Col{{t("reports.col.reason"), Text}, {t("reports.col.count"), Int}}
	for _, k := range attainLines {
		rcols = append(rcols, Col{t("targets.line." + k), Int})
	}
	reasonT := &Table{Title: t("reports.attainment.reasons"), Cols: rcols}
	keys := []string{"A", "B", "C", "D"}
	sort.SliceStable(keys, func(i, j int) bool { return rc[keys[i]] > rc[keys[j]] })
	rch := Chart{Kind: "pie"}
	rs := Series{Name: t("reports.col.reason")}
	for _, k := range keys {
		row := []Cell{txt(k + " " + t("targets.reason."+k)), num(rc[k])}
		for _, l := range attainLines {
			row = append(row, num(rl[k][l]))
		}
		reasonT.Rows = append(reasonT.Rows, row)
		rch.Categories = append(rch.Categories, k+" "+t("targets.reason."+k))
		rs.Data = append(rs.Data, float64(rc[k]))
	}
	rch.Series = []Series{rs}
	_ = org
	return &Report{Charts: []Chart{ch, rch}, Tables: []*Table{amT, teamT, reasonT}}, nil
}

func lineCells(k string, actual, target int64) []Cell {
	if k == "mrc" {
		return []Cell{fen(actual), fen(target), pctOf(actual, target)}
	}
	return []Cell{num(actual), num(target), pctOf(actual, target)}
}

// ---- 5. coverage ----

// UncoveredLimit is how many uncovered customers the page lists.
const UncoveredLimit = 500

// coverageWindow is the care-plan window ending with the period: an A
// customer must have been visited in the last month of it, a B customer in
// the last two.
func coverageWindow(f Filter) (aFrom, bFrom, end time.Time) {
	end = f.To
	return end.AddDate(0, -1, 0), end.AddDate(0, -2, 0), end
}

// coverageParts is how many shares of the province's customers the
// coverage sums are read in, at once when the process has goroutines to
// spare: the admin's ~30,000 A and B customers each probed for a visit
// take ~50 ms of PostgreSQL in one statement, ~25 in each of two on two
// cores. A branch or a team (a few thousand) is read in one.
const coverageParts = 2

// coverageRows reads the coverage sums per owner (in shares, added up)
// and the first uncovered customers, at once when it may.
func (s *Service) coverageRows(ctx context.Context, viewer authz.Subject, f Filter, aFrom, bFrom, end time.Time) ([]CoverageSum, []Uncovered, error) {
	scope := s.scope(viewer)
	parts := 1
	if scope.Level() == authz.ScopeAll {
		parts = coverageParts
	}
	sums := make([][]CoverageSum, parts)
	var unc []Uncovered
	err := s.spare.Each(parts+1, db.AtOnce(ctx, parts+1), func(i int) (err error) {
		if i == parts {
			unc, err = s.store.Uncovered(ctx, scope, f, aFrom, bFrom, end, UncoveredLimit+1)
		} else {
			sums[i], err = s.store.CoverageSums(ctx, scope, f, aFrom, bFrom, end, i, parts)
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if parts == 1 {
		return sums[0], unc, nil
	}
	at := map[uint]int{} // owner → index in rows
	var rows []CoverageSum
	for _, part := range sums {
		for _, r := range part {
			i, ok := at[r.OwnerID]
			if !ok {
				at[r.OwnerID] = len(rows)
				rows = append(rows, r)
				continue
			}
			o := &rows[i]
			o.A, o.ACov, o.B, o.BCov = o.A+r.A, o.ACov+r.ACov, o.B+r.B, o.BCov+r.BCov
		}
	}
	return rows, unc, nil
}

func (s *Service) coverage(ctx context.Context, viewer authz.Subject, f Filter, t T, names map[uint]string) (*Report, error) {
	aFrom, bFrom, end := coverageWindow(f)
	rows, unc, err := s.coverageRows(ctx, viewer, f, aFrom, bFrom, end)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.OwnerID)
	}
	for _, u := range unc {
		ids = append(ids, u.OwnerID)
	}
	name, err := s.namer(ctx, names, ids)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rows, func(i, j int) bool { return name(rows[i].OwnerID) < name(rows[j].OwnerID) })
	tb := &Table{Title: t("reports.coverage.by_am"), Cols: []Col{{t("reports.col.am"), Text},
		{t("reports.col.a_customers"), Int}, {t("reports.col.a_visited"), Int}, {t("reports.col.a_cover"), Pct},
		{t("reports.col.b_customers"), Int}, {t("reports.col.b_visited"), Int}, {t("reports.col.b_cover"), Pct},
		{t("reports.col.uncovered"), Int}}}
	var a, ac, b, bc int64
	ch := Chart{Kind: "bar"}
	sa := Series{Name: t("reports.col.a_cover"), Type: "bar"}
	sb := Series{Name: t("reports.col.b_cover"), Type: "bar"}
	for _, r := range rows {
		tb.Rows = append(tb.Rows, []Cell{txt(name(r.OwnerID)), num(r.A), num(r.ACov), pctOf(r.ACov, r.A), num(r.B), num(r.BCov), pctOf(r.BCov, r.B), num(r.A - r.ACov + r.B - r.BCov)})
		a, ac, b, bc = a+r.A, ac+r.ACov, b+r.B, bc+r.BCov
		ch.Categories = append(ch.Categories, name(r.OwnerID))
		sa.Data = append(sa.Data, pctOf(r.ACov, r.A).Float)
		sb.Data = append(sb.Data, pctOf(r.BCov, r.B).Float)
	}
	tb.Foot = []Cell{txt(t("reports.total")), num(a), num(ac), pctOf(ac, a), num(b), num(bc), pctOf(bc, b), num(a - ac + b - bc)}
	ch.Series = []Series{sa, sb}
	ut := &Table{Title: t("reports.coverage.uncovered"), Cols: []Col{{t("reports.col.am"), Text}, {t("reports.col.customer"), Text},
		{t("reports.col.grade"), Text}, {t("reports.col.last_visit"), Text}}}
	if len(unc) > UncoveredLimit {
		unc = unc[:UncoveredLimit]
		ut.Note = t("reports.coverage.limited", "N", UncoveredLimit)
	}
	for _, u := range unc {
		last := t("reports.never")
		if u.LastVisit.Valid {
			last = u.LastVisit.Time.In(s.opts.Location).Format("2006-01-02")
		}
		ut.Rows = append(ut.Rows, []Cell{txt(name(u.OwnerID)), link(u.Name, "/customers/"+strconv.FormatUint(uint64(u.ID), 10)), txt(u.Grade), txt(last)})
	}
	r := &Report{Charts: []Chart{ch}, Tables: []*Table{tb, ut}}
	r.Lines = append(r.Lines, t("reports.coverage.window", "A", aFrom.Format("2006-01-02"), "B", bFrom.Format("2006-01-02"), "End", end.AddDate(0, 0, -1).Format("2006-01-02")))
	return r, nil
}

// ---- 2. conversion and velocity ----

func (s *Service) velocity(ctx context.Context, viewer authz.Subject, f Filter, t T) (*Report, error) {
	flows, err := s.store.Velocity(ctx, s.scope(viewer), f, f.From, f.To)
	if err != nil {
		return nil, err
	}
	by := map[string]StageFlow{}
	for _, r := range flows {
		by[r.Stage] = r
	}
	tb := &Table{Title: t("reports.velocity.table"), Cols: []Col{{t("reports.col.stage"), Text}, {t("reports.col.entered"), Int},
		{t("reports.col.forward"), Int}, {t("reports.col.conversion"), Pct}, {t("reports.col.left"), Int},
		{t("reports.col.avg_days"), Days}, {t("reports.col.median_days"), Days}, {t("reports.col.p75_days"), Days}}}
	ch := Chart{Kind: "bar"}
	conv := Series{Name: t("reports.col.conversion"), Type: "bar"}
	med := Series{Name: t("reports.col.median_days"), Type: "line"}
	for _, st := range OpenStages {
		r := by[st]
		d := func(v float64) Cell {
			if r.Left == 0 {
				return emptyCell(Days)
			}
			return days(v)
		}
		tb.Rows = append(tb.Rows, []Cell{txt(t("stage." + st)), num(r.Entered), num(r.Forward), pctOf(r.Forward, r.Entered), num(r.Left), d(r.AvgDays), d(r.P50), d(r.P75)})
		ch.Categories = append(ch.Categories, t("stage."+st))
		conv.Data = append(conv.Data, pctOf(r.Forward, r.Entered).Float)
		med.Data = append(med.Data, round1(r.P50))
	}
	ch.Series = []Series{conv, med}
	closed, err := s.store.Closed(ctx, s.scope(viewer), f, f.From, f.To)
	if err != nil {
		return nil, err
	}
	var won, lost, wonDaysN int64
	var wonDays float64
	type lr struct {
		n, m, o int64
	}
	reasons := map[string]lr{}
	for _, c := range closed {
		if c.Stage == "won" {
			won += c.N
			wonDays += c.Days
			wonDaysN += c.N
			continue
		}
		lost += c.N
		v := reasons[c.LostReason]
		reasons[c.LostReason] = lr{v.n + c.N, v.m + c.MonthlyFen, v.o + c.OneTimeFen}
	}
	sum := &Table{Title: t("reports.velocity.summary"), Cols: []Col{{t("reports.col.figure"), Text}, {t("reports.col.value"), Text}}}
	avg := emptyCell(Days)
	if wonDaysN > 0 {
		avg = days(wonDays / float64(wonDaysN))
	}
	winCell := pctOf(won, won+lost)
	sum.Rows = [][]Cell{{txt(t("reports.velocity.won")), num(won)}, {txt(t("reports.velocity.lost")), num(lost)},
		{txt(t("reports.velocity.win_rate")), winCell}, {txt(t("reports.velocity.cycle")), avg}}
	if f.Compare {
		prev, err := s.store.Closed(ctx, s.scope(viewer), f, f.PrevFrom, f.PrevTo)
		if err != nil {
			return nil, err
		}
		var pw, pl int64
		for _, c := range prev {
			if c.Stage == "won" {
				pw += c.N
			} else {
				pl += c.N
			}
		}
		sum.Rows = append(sum.Rows, []Cell{txt(t("reports.velocity.win_rate_prev")), pctOf(pw, pw+pl)})
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := reasons[keys[i]], reasons[keys[j]]
		if a.n != b.n {
			return a.n > b.n
		}
		if a.m != b.m {
			return a.m > b.m
		}
		return keys[i] < keys[j]
	})
	lt := &Table{Title: t("reports.velocity.lost_reasons"), Cols: []Col{{t("reports.col.reason"), Text}, {t("reports.col.count"), Int},
		{t("reports.col.monthly"), Money}, {t("reports.col.one_time"), Money}}}
	lch := Chart{Kind: "hbar", Money: true}
	ls := Series{Name: t("reports.col.monthly"), Type: "bar"}
	for _, k := range keys {
		v := reasons[k]
		label := t("lost." + k)
		if k == "" {
			label = t("reports.none")
		}
		lt.Rows = append(lt.Rows, []Cell{txt(label), num(v.n), fen(v.m), fen(v.o)})
		lch.Categories = append(lch.Categories, label)
		ls.Data = append(ls.Data, yuan(v.m))
	}
	lch.Series = []Series{ls}
	return &Report{Charts: []Chart{ch, lch}, Tables: []*Table{sum, tb, lt}, Lines: []string{t("reports.velocity.days_note")}}, nil
}

// ---- 6. activity ----

// activitySrcs are the activity columns in order.
var activitySrcs = []string{"planned", "done", "overdue", "contacts", "sent", "approved", "accepted"}

// WeeksOf are the Monday-to-Monday weeks covering the period, clipped to
// it: n+1 bounds for n weeks.
func WeeksOf(f Filter) []time.Time {
	bounds := []time.Time{f.From}
	d := f.From
	// The Monday after From.
	off := (8 - int(d.Weekday())) % 7
	if off == 0 {
		off = 7
	}
	for w := d.AddDate(0, 0, off); w.Before(f.To); w = w.AddDate(0, 0, 7) {
		bounds = append(bounds, w)
	}
	return append(bounds, f.To)
}

// activityRows reads the activity's counts: for the province or a
// branch in its two halves side by side while the process has
// goroutines to spare — the admin's year is ~90 ms of PostgreSQL in one
// statement, ~50 in the longer of two on two cores — and for a team or
// a manager (a few thousand records) in one statement.
//
// A custom range that starts or ends inside a week piece keeps its
// visits and key persons kept for the pieces it holds whole
// (Store.keptWeeksInside); the days before the first whole piece and
// after the last are counted from the records, as their first and last
// week's. Before, such a range counted all its records: the admin's
// 3 March – 20 May ~73 ms, 3 November – 20 August ~210.
func (s *Service) activityRows(ctx context.Context, scope authz.ListScope, f Filter, weeks []time.Time) ([]ActivityCount, error) {
	now := s.opts.Now()
	if l := scope.Level(); l != authz.ScopeAll && l != authz.ScopeBranch {
		return s.store.Activity(ctx, scope, f, weeks, now, -1)
	}
	// A read: weeks' counts of half, their weeks counted from shift.
	type read struct {
		weeks       []time.Time
		half, shift int
	}
	reads := []read{{weeks, 0, 0}, {weeks, 1, 0}}
	if inner, ok := s.store.keptWeeksInside(scope, f, weeks); ok {
		n := len(weeks) - 1
		reads[0].weeks = inner
		if weeks[0].Before(inner[0]) {
			reads = append(reads, read{[]time.Time{weeks[0], inner[0]}, 0, 0})
		}
		if inner[n].Before(weeks[n]) {
			reads = append(reads, read{[]time.Time{inner[n], weeks[n]}, 0, n - 1})
		}
	}
	parts := make([][]ActivityCount, len(reads))
	err := s.spare.Each(len(reads), db.AtOnce(ctx, len(reads)), func(i int) (err error) {
		r := reads[i]
		if parts[i], err = s.store.Activity(ctx, scope, f, r.weeks, now, r.half); err != nil {
			return err
		}
		for j := range parts[i] {
			if parts[i][j].Week >= 0 {
				parts[i][j].Week += r.shift
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

func (s *Service) activity(ctx context.Context, viewer authz.Subject, f Filter, t T, names map[uint]string) (*Report, error) {
	weeks := WeeksOf(f)
	rows, err := s.activityRows(ctx, s.scope(viewer), f, weeks)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for i, k := range activitySrcs {
		idx[k] = i
	}
	byAM := map[uint][]int64{}
	byWeek := make([][]int64, len(weeks)-1)
	for i := range byWeek {
		byWeek[i] = make([]int64, len(activitySrcs))
	}
	// A cell counts for its manager and its week; PostgreSQL's rows are
	// already one of the two totals (store.Activity).
	for _, r := range rows {
		if r.Roll != RollOwner && (r.Week < 0 || r.Week >= len(byWeek)) {
			continue
		}
		if r.Roll != RollWeek {
			if byAM[r.OwnerID] == nil {
				byAM[r.OwnerID] = make([]int64, len(activitySrcs))
			}
			byAM[r.OwnerID][idx[r.Src]] += r.N
		}
		if r.Roll != RollOwner {
			byWeek[r.Week][idx[r.Src]] += r.N
		}
	}
	cols := func(first string) []Col {
		c := []Col{{first, Text}}
		for _, k := range activitySrcs {
			c = append(c, Col{t("reports.activity." + k), Int})
		}
		return c
	}
	ids := make([]uint, 0, len(byAM))
	for id := range byAM {
		ids = append(ids, id)
	}
	name, err := s.namer(ctx, names, ids)
	if err != nil {
		return nil, err
	}
	sort.Slice(ids, func(i, j int) bool {
		if name(ids[i]) != name(ids[j]) {
			return name(ids[i]) < name(ids[j])
		}
		return ids[i] < ids[j]
	})
	amT := &Table{Title: t("reports.activity.by_am"), Cols: cols(t("reports.col.am"))}
	tot := make([]int64, len(activitySrcs))
	for _, id := range ids {
		row := []Cell{txt(name(id))}
		for i, v := range byAM[id] {
			row = append(row, num(v))
			tot[i] += v
		}
		amT.Rows = append(amT.Rows, row)
	}
	foot := []Cell{txt(t("reports.total"))}
	for _, v := range tot {
		foot = append(foot, num(v))
	}
	amT.Foot = foot
	wT := &Table{Title: t("reports.activity.by_week"), Cols: cols(t("reports.col.week"))}
	ch := Chart{Kind: "bar"}
	series := make([]Series, 0, 3)
	for _, k := range []string{"planned", "done", "overdue"} {
		series = append(series, Series{Name: t("reports.activity." + k), Type: "bar"})
	}
	for i := range byWeek {
		label := weeks[i].Format("01-02") + "–" + weeks[i+1].AddDate(0, 0, -1).Format("01-02")
		row := []Cell{txt(label)}
		for _, v := range byWeek[i] {
			row = append(row, num(v))
		}
		wT.Rows = append(wT.Rows, row)
		ch.Categories = append(ch.Categories, label)
		for j, k := range []string{"planned", "done", "overdue"} {
			series[j].Data = append(series[j].Data, float64(byWeek[i][idx[k]]))
		}
	}
	wT.Foot = foot
	ch.Series = series
	return &Report{Charts: []Chart{ch}, Tables: []*Table{amT, wT}}, nil
}

// ---- 7. contracts expiring ----

// ExpiringDays is the window of the expiring-contracts report.
const ExpiringDays = 90

func (s *Service) expiring(ctx context.Context, viewer authz.Subject, f Filter, t T, names map[uint]string) (*Report, error) {
	from, to := s.expiringWindow()
	list, sum, err := s.store.Expiring(ctx, s.scope(viewer), f, from, to, UncoveredLimit+1)
	if err != nil {
		return nil, err
	}
	tb := &Table{Title: t("reports.expiring.table"), Cols: []Col{{t("reports.col.contract"), Text}, {t("reports.col.customer"), Text},
		{t("reports.col.am"), Text}, {t("reports.col.end"), Text}, {t("reports.col.monthly"), Money}, {t("reports.col.contract_total"), Money}}}
	if len(list) > UncoveredLimit {
		list = list[:UncoveredLimit]
		tb.Note = t("reports.coverage.limited", "N", UncoveredLimit)
	}
	ids := make([]uint, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.OwnerID)
	}
	name, err := s.namer(ctx, names, ids)
	if err != nil {
		return nil, err
	}
	byMonth := map[string]int64{}
	for _, c := range list {
		end := c.EndOn.Time.Format("2006-01-02")
		n := name(c.OwnerID)
		tb.Rows = append(tb.Rows, []Cell{link(c.Number+" "+c.Title, "/contracts/"+strconv.FormatUint(uint64(c.ID), 10)),
			link(c.CustomerName, "/customers/"+strconv.FormatUint(uint64(c.CustomerID), 10)), txt(n), txt(end), fen(c.MonthlyFen), fen(c.TotalFen)})
		byMonth[end[:7]] += c.MonthlyFen
	}
	tb.Foot = []Cell{txt(t("reports.total")), num(sum.N), txt(""), txt(""), fen(sum.MonthlyFen), fen(sum.TotalFen)}
	ch := Chart{Kind: "bar", Money: true}
	se := Series{Name: t("reports.col.monthly"), Type: "bar"}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		ch.Categories = append(ch.Categories, k)
		se.Data = append(se.Data, yuan(byMonth[k]))
	}
	ch.Series = []Series{se}
	r := &Report{Charts: []Chart{ch}, Tables: []*Table{tb}}
	r.Lines = []string{t("reports.expiring.headline", "N", sum.N, "MRC", money.Fen(sum.MonthlyFen).String(), "From", from.Format("2006-01-02"), "To", to.Format("2006-01-02"))}
	return r, nil
}

// ParseProbabilities reads JIKE_REPORT_PROBABILITIES ("proposal=60,
// negotiation=85"): stages not named keep their default; an unknown stage
// or a value outside 0–100 is an error at start.
func ParseProbabilities(v string) (map[string]int, error) {
	out := map[string]int{}
	for k, p := range DefaultProbabilities {
		out[k] = p
	}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, val, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if _, known := DefaultProbabilities[k]; !ok || !known || err != nil || n < 0 || n > 100 {
			return nil, fmt.Errorf("JIKE_REPORT_PROBABILITIES: %q must be an open stage (%s) = 0–100", part, strings.Join(OpenStages, ", "))
		}
		out[k] = n
	}
	return out, nil
}
