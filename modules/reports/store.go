package reports

// This file is the reports module's one window onto other modules' tables
// (opportunities, stage changes, customers, visit plans, contacts,
// proposals, contracts, monthly reviews): read-only aggregate queries, each
// one statement with GROUP BY / CASE / window functions, so a report costs
// a fixed number of round trips however many rows it counts. Every query
// joins the record's customer (or reads the review's own columns) and
// applies the viewer's report scope, then the filter.
//
// It reads through Store.read, which is a read replica when one is
// configured (JIKE_DATABASE_REPLICA_URL) and the primary otherwise.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// Store runs the report queries.
type Store struct {
	read *gorm.DB
	// replica is whether read is a replica's handle (NewStore).
	replica bool
	// visitWeeks is whether PostgreSQL's kept visit counts per week piece
	// (visit_week_counts) count in the report's zone (UseVisitWeeks).
	visitWeeks bool
	// dwellIn is the zone PostgreSQL's kept stage changes per month
	// (stage_dwell_counts) count their months in, nil when they are not
	// used (UseStageDwell).
	dwellIn *time.Location
	// spare lends goroutines for a statement's independent parts (nil:
	// one after the other); the service's (Service.SetSpare).
	spare *par.Spare
	// pastShare says how a past funnel of the province is read
	// (UsePastShare): a percent.
	pastShare int
}

// UsePastShare sets when the province's funnel of a past period is read
// as today's corrected by what changed since its end (pastFunnel): when
// fewer than percent % of the live opportunities entered their stage
// since; 0 always, a negative percent never (the two passes of
// pastFunnelInTwo). NewStore sets complementPercent; the tests compare
// the two ways.
func (s *Store) UsePastShare(percent int) { s.pastShare = percent }

// UseStageDwell lets the velocity report read the stage changes' kept
// counts per month, branch, stage and whole days (migration 00052) when
// its scope, filter and period are theirs: call it once
// visits.Store.KeepWeekCounts said the kept rows count in loc, the
// portal's zone (both keep their zone in visit_week_zone).
func (s *Store) UseStageDwell(loc *time.Location) { s.dwellIn = loc }

// UseVisitWeeks lets the activity report read the visits' kept counts
// per manager and week piece (migration 00050) when its scope and filter
// are theirs: call it once visits.Store.KeepWeekCounts said they count in
// the portal's zone.
func (s *Store) UseVisitWeeks() { s.visitWeeks = true }

// NewStore reads from replica when it is not nil, else from primary.
func NewStore(primary, replica *gorm.DB) *Store {
	if replica == nil {
		return &Store{read: primary, pastShare: complementPercent}
	}
	return &Store{read: replica, replica: true, pastShare: complementPercent}
}

// replicated reports whether the store reads a replica.
func (s *Store) replicated() bool { return s.replica }

func (s *Store) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.read) }

func (s *Store) postgres() bool { return s.read.Dialector.Name() == "postgres" }

var customerCols = authz.StandardColumns("customers")

// OpenStages are the stages before won and lost, in order.
var OpenStages = []string{"identified", "contacted", "visited", "needs", "proposal", "negotiation"}

// openStagesSQL is OpenStages as SQL literals, written exactly as the
// partial index idx_opps_open_close names them (SQLite's migration
// 00028): SQLite uses a partial index only for a query whose terms are
// the index's own.
const openStagesSQL = "('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation')"

// AllStages are every stage in order (won and lost end an opportunity).
var AllStages = append(append([]string{}, OpenStages...), "won", "lost")

// scoped starts a query on table joined to its customer, within scope and
// the filter; owner is the column the account-manager filter reads.
func (s *Store) scoped(ctx context.Context, scope authz.ListScope, f Filter, table, owner string) *gorm.DB {
	q := s.conn(ctx).Table(table)
	if table != "customers" {
		q = q.Joins("JOIN customers ON customers.id = " + strings.SplitN(table, " ", 2)[0] + ".customer_id")
	}
	q = q.Where("customers.deleted_at IS NULL")
	// A chief rep's team as a union of three index ranges on SQLite
	// (prospects.ScopedCustomers): with the scope's OR, SQLite walked the
	// province's opportunities for the team's funnel (~1 s).
	q = prospects.ScopedCustomers(q, scope)
	return applyFilter(q, f, "customers.branch_id", "customers.team_id", owner, true)
}

// rows is scoped for a query that reads no customer column: when neither
// the scope nor the filter needs one either — the whole province (the
// admin), no branch, team, industry or grade — it skips the join to the
// customers and only leaves out the rows of deleted customers, with an
// anti-join against those few (idx_customers_deleted). A province-wide
// report then reads its own table once instead of hash-joining 100,000
// customers to it (docs/reports.md § Speed). Otherwise it is scoped.
func (s *Store) rows(ctx context.Context, scope authz.ListScope, f Filter, table, owner string) *gorm.DB {
	if table == "customers" || !noCustomerTerms(scope, f) {
		return s.scoped(ctx, scope, f, table, owner)
	}
	q := s.conn(ctx).Table(table).Where(db.LiveCustomerOf(strings.SplitN(table, " ", 2)[0] + ".customer_id"))
	return applyFilter(q, f, "", "", owner, false)
}

// noCustomerTerms tells whether neither the scope nor the filter reads a
// customer column.
func noCustomerTerms(scope authz.ListScope, f Filter) bool {
	return scope.Level() == authz.ScopeAll && f.Branch == 0 && f.Team == 0 && f.Industry == "" && f.Grade == ""
}

// applyFilter adds the filter's organisation terms (and the customer's
// industry and grade when withCustomer).
func applyFilter(q *gorm.DB, f Filter, branch, team, owner string, withCustomer bool) *gorm.DB {
	if f.Branch != 0 {
		q = q.Where(branch+" = ?", f.Branch)
	}
	if f.Team != 0 {
		q = q.Where(team+" = ?", f.Team)
	}
	if f.AM != 0 {
		q = q.Where(owner+" = ?", f.AM)
	}
	if withCustomer {
		if f.Industry != "" {
			q = q.Where("customers.industry = ?", f.Industry)
		}
		if f.Grade != "" {
			q = q.Where("customers.grade = ?", f.Grade)
		}
	}
	return q
}

// ---- 1. funnel ----

// funnelSums are a funnel row's count and sums over the rows x.
const funnelSums = "COUNT(*) AS n, COALESCE(SUM(x.monthly_fen), 0) AS monthly_fen, COALESCE(SUM(x.one_time_fen), 0) AS one_time_fen"

// StageSum is one stage's open opportunities.
type StageSum struct {
	Stage      string
	N          int64
	MonthlyFen int64
	OneTimeFen int64
}

// Funnel sums the opportunities open at the period's end (f.To), per the
// stage they were in at that moment. A period that ends after now is
// today's pipeline (the current stage). For a past period an opportunity
// counts when it was created before the end and its stage then was open:
// unchanged since (stage_changed_at before the end) it is its stage now;
// otherwise the last stage change before the end says, or, when none is
// recorded before it, the from-stage of the first change after it. The
// values are the opportunity's current ones (no history of values is kept).
func (s *Store) Funnel(ctx context.Context, scope authz.ListScope, f Filter, now time.Time) ([]StageSum, error) {
	if !f.To.After(now) && noCustomerTerms(scope, f) && f.AM == 0 && s.postgres() {
		return s.pastFunnel(ctx, scope, f)
	}
	var out []StageSum
	q := s.conn(ctx).Table("(?) AS x", s.funnelRows(ctx, scope, f, now)).
		Select("x.stage AS stage, " + funnelSums).
		Group("x.stage")
	if f.To.After(now) && noCustomerTerms(scope, f) && f.AM == 0 {
		q = s.provinceFunnel(ctx)
	}
	err := q.Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report funnel: %w", err)
	}
	return out, nil
}

// provinceFunnel is today's funnel of the whole province: the live
// opportunities' sums per open stage less those of the deleted customers'
// (a few along their index), in one statement. Leaving each opportunity
// of a deleted customer out one by one read all 100,000 open ones (~100
// ms on the first look after any opportunity written); the live ones'
// sums are now kept per stage as they are written (below).
func (s *Store) provinceFunnel(ctx context.Context) *gorm.DB {
	sums := "opportunities.stage AS stage, COUNT(*) AS n, COALESCE(SUM(opportunities.monthly_fen), 0) AS monthly_fen, " +
		"COALESCE(SUM(opportunities.one_time_fen), 0) AS one_time_fen"
	open := func(q *gorm.DB) *gorm.DB {
		return q.Select(sums).Where("opportunities.deleted_at IS NULL AND opportunities.stage IN ?", OpenStages).Group("opportunities.stage")
	}
	// The live opportunities' sums per stage are kept as they are written
	// (opportunity_stage_totals: SQLite's table, migration 00035;
	// PostgreSQL's view of base rows and deltas, 00045): a few rows
	// instead of reading the province's ~66,000 open opportunities (the
	// admin's funnel ~1 s on SQLite, ~20 ms on PostgreSQL, on a first
	// look after a write).
	all := s.conn(ctx).Table("opportunity_stage_totals").
		Select("stage, n, monthly AS monthly_fen, one_time AS one_time_fen").Where("stage IN ?", OpenStages)
	gone := open(db.OfDeletedCustomers(s.conn(ctx).Table("opportunities"), "opportunities"))
	return db.Difference(s.conn(ctx), all, gone, []string{"stage"}, "n", "monthly_fen", "one_time_fen").Where("a.n - COALESCE(d.n, 0) > 0")
}

// funnelRows are the funnel's opportunities before they are summed: one
// row per opportunity open at the period's end (see Funnel), as
// customer_id, stage (at that moment), monthly_fen and one_time_fen.
// Funnel sums them per stage, FunnelByGroup per top-level group.
func (s *Store) funnelRows(ctx context.Context, scope authz.ListScope, f Filter, now time.Time) *gorm.DB {
	if f.To.After(now) && s.postgres() && (scope.Level() == authz.ScopeBranch || scope.Level() == authz.ScopeAll && f.Branch != 0 && f.Team == 0 && f.AM == 0) {
		return s.branchFunnelRows(ctx, scope, f)
	}
	q := s.rows(ctx, scope, f, "opportunities", "opportunities.owner_id").Where("opportunities.deleted_at IS NULL")
	if f.To.After(now) {
		return q.Select("opportunities.customer_id AS customer_id, opportunities.stage AS stage, opportunities.monthly_fen AS monthly_fen, opportunities.one_time_fen AS one_time_fen").
			Where("opportunities.stage IN ?", OpenStages)
	}
	end := f.To.UTC()
	inner := q.Select(`opportunities.customer_id AS customer_id, CASE WHEN opportunities.stage_changed_at < @end THEN opportunities.stage ELSE `+stageAtEnd+
		` END AS stage, opportunities.monthly_fen, opportunities.one_time_fen`, sql.Named("end", end)).
		Where("opportunities.created_at < ? AND (opportunities.stage IN ? OR opportunities.stage_changed_at >= ?)", end, OpenStages, end)
	return s.conn(ctx).Table("(?) AS fx", inner).Select("fx.customer_id, fx.stage, fx.monthly_fen, fx.one_time_fen").Where("fx.stage IN ?", OpenStages)
}

// stageAtEnd is the stage an opportunity changed since @end was in at
// @end: the last change before it says, or, when none is recorded before
// it, the from-stage of the first change after it, else its stage now.
// Each is one probe of idx_stage_changes_opp, which covers both stages.
const stageAtEnd = `COALESCE(
	(SELECT sc.to_stage FROM stage_changes sc WHERE sc.opportunity_id = opportunities.id AND sc.at < @end ORDER BY sc.at DESC, sc.id DESC LIMIT 1),
	(SELECT NULLIF(sc.from_stage, '') FROM stage_changes sc WHERE sc.opportunity_id = opportunities.id AND sc.at >= @end ORDER BY sc.at, sc.id LIMIT 1),
	opportunities.stage)`

// pastFunnel is Funnel of a period that has ended for the whole province
// (no scope or filter term on the customers; PostgreSQL), as funnelRows
// defines it, from today's funnel and what changed since the end. An
// opportunity unchanged since the end (its stage entered before it, and
// created before it) is in the same stage with the same values as today,
// so the funnel at the end is today's (provinceFunnel: the kept sums per
// stage) less today's stage of every opportunity that is not so, plus,
// for those of them created before the end, their stage then. Two
// statements, side by side while goroutines are spare:
//   - those created since the end (a range of idx_opps_changed_since,
//     and the odd ones created after the stage they are in was entered,
//     of idx_opps_changed_before_created, migration 00067): today's
//     stage only, subtracted from today's funnel;
//   - those that existed at the end and entered their stage since: each
//     one's change current at the end (made before it, left at or after
//     it) is one range of idx_stage_changes_next (00070), hash-joined to
//     them; only one without such a change (none recorded before the
//     end, or a chain not yet kept) is probed for it (stageAtEnd).
//
// For last month's end that reads ~20,000 opportunities (August 20th's,
// ~71,000, of which ~17,000 existed then; June's end ~107,000) instead
// of the province's ~150,000 unchanged ones. Probing each for its stage
// at the end was 45–67 ms of SQL for the last two months' ends, the two
// passes over the table ~50–60 whatever the end; joined and side by side
// ~12–30. An older end reads more of them: when complementPercent of the
// live opportunities or more entered their stage since the end (as
// PostgreSQL estimates them: changedSince), the two passes of
// pastFunnelInTwo read each opportunity once instead.
func (s *Store) pastFunnel(ctx context.Context, scope authz.ListScope, f Filter) ([]StageSum, error) {
	end := f.To.UTC()
	// Older ends: most opportunities have changed since, and the
	// complement would read them all; the two passes read each once.
	few := s.pastShare == 0
	if s.pastShare > 0 {
		changed, live, err := s.changedSince(ctx, end)
		if err != nil {
			return nil, fmt.Errorf("report funnel: %w", err)
		}
		few = changed*100 < float64(live)*float64(s.pastShare)
	}
	if !few {
		return s.pastFunnelInTwo(ctx, scope, f)
	}
	live := db.LiveCustomerOf("opportunities.customer_id")
	sums := "COUNT(*) AS n, SUM(opportunities.monthly_fen) AS monthly_fen, SUM(opportunities.one_time_fen) AS one_time_fen"
	statements := [2]func(ctx context.Context) *gorm.DB{
		// Today's funnel less those created since the end.
		func(ctx context.Context) *gorm.DB {
			created := s.conn(ctx).Raw(`SELECT opportunities.stage, `+sums+` FROM opportunities
				WHERE opportunities.deleted_at IS NULL AND opportunities.stage_changed_at >= @end AND opportunities.created_at >= @end AND `+live+`
				GROUP BY 1
				UNION ALL
				SELECT opportunities.stage, `+sums+` FROM opportunities
				WHERE opportunities.deleted_at IS NULL AND opportunities.stage_changed_at < opportunities.created_at
					AND opportunities.created_at >= @end AND opportunities.stage_changed_at < @end AND `+live+`
				GROUP BY 1`, sql.Named("end", end))
			gone := s.conn(ctx).Table("(?) AS c", created).
				Select("c.stage AS stage, -SUM(c.n) AS n, -COALESCE(SUM(c.monthly_fen), 0) AS monthly_fen, -COALESCE(SUM(c.one_time_fen), 0) AS one_time_fen").
				Where("c.stage IN ?", OpenStages).Group("c.stage")
			return db.Sum(s.conn(ctx), []*gorm.DB{s.provinceFunnel(ctx), gone}, []string{"stage"}, "n", "monthly_fen", "one_time_fen")
		},
		// Those that existed at the end and changed since, grouped by
		// the pair of stages (today's, then's: a few dozen rows), each
		// pair's sums moved from the one to the other.
		func(ctx context.Context) *gorm.DB {
			pairs := s.conn(ctx).Raw(`SELECT opportunities.stage AS now_stage, COALESCE(sp.to_stage, `+stageAtEnd+`) AS end_stage, `+sums+`
				FROM opportunities LEFT JOIN stage_changes sp ON sp.opportunity_id = opportunities.id AND sp.next_at >= @end AND sp.at < @end
				WHERE opportunities.deleted_at IS NULL AND opportunities.stage_changed_at >= @end AND opportunities.created_at < @end AND `+live+`
				GROUP BY 1, 2`, sql.Named("end", end))
			return s.conn(ctx).Table("(?) AS x CROSS JOIN LATERAL (VALUES (x.now_stage, -1), (x.end_stage, 1)) AS v(stage, sign)", pairs).
				Select("v.stage AS stage, SUM(v.sign * x.n) AS n, COALESCE(SUM(v.sign * x.monthly_fen), 0) AS monthly_fen, COALESCE(SUM(v.sign * x.one_time_fen), 0) AS one_time_fen").
				Where("v.stage IN ?", OpenStages).Group("v.stage")
		},
	}
	// PostgreSQL cannot estimate the pairs of an expression and sorted the
	// rows to group them, in parallel workers gathered in order (~55 ms
	// for September's end); there are a few dozen pairs, hashed in one
	// process.
	settings := []db.PlannerSetting{{Name: "max_parallel_workers_per_gather", Value: "0"}, {Name: "enable_sort", Value: "off"}, {Name: "work_mem", Value: "32MB"}}
	parts := [2][]StageSum{}
	err := s.spare.Each(2, db.AtOnce(ctx, 2), func(i int) error {
		return db.WithPlannerSettings(ctx, s.read, settings, func(ctx context.Context) error {
			return statements[i](ctx).Scan(&parts[i]).Error
		})
	})
	if err != nil {
		return nil, fmt.Errorf("report funnel: %w", err)
	}
	by := map[string]StageSum{}
	for _, r := range slices.Concat(parts[0], parts[1]) {
		t := by[r.Stage]
		t.Stage, t.N, t.MonthlyFen, t.OneTimeFen = r.Stage, t.N+r.N, t.MonthlyFen+r.MonthlyFen, t.OneTimeFen+r.OneTimeFen
		by[r.Stage] = t
	}
	out := make([]StageSum, 0, len(by))
	for _, st := range OpenStages {
		if t, ok := by[st]; ok && t.N > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// changedSince is PostgreSQL's estimate of the live opportunities that
// entered their stage since end (its plan's rows, from the column's
// statistics: ~0.2 ms, within ~1 % on the province) and the live
// opportunities kept per stage, for pastFunnel's choice of a way — both
// ways are exact, a poor estimate only picks the slower. Counting them
// along the index up to complementPercent of the live ones was ~7–10 ms
// for an old end (~127,000 entries), an old end's page 33 -> 44 ms.
func (s *Store) changedSince(ctx context.Context, end time.Time) (changed float64, live int64, err error) {
	var plan string
	if err := s.conn(ctx).Raw(`EXPLAIN (FORMAT JSON) SELECT 1 FROM opportunities
		WHERE opportunities.deleted_at IS NULL AND opportunities.stage_changed_at >= ?`, end).Row().Scan(&plan); err != nil {
		return 0, 0, err
	}
	var plans []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &plans); err != nil || len(plans) != 1 {
		return 0, 0, fmt.Errorf("the plan of the changed opportunities %q: %w", plan, err)
	}
	err = s.conn(ctx).Raw("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM opportunity_stage_totals").Row().Scan(&live)
	return plans[0].Plan.Rows, live, err
}

// complementPercent is the share (percent) of the live opportunities
// changed since a past funnel's end from which pastFunnel reads it in two
// passes: the complement's cost grows with them (on the province, SQL
// side by side: 20,000 changed ~12 ms; 71,000 ~25; 107,000 ~30; 210,000,
// nearly all created since, ~60), the two passes' stays ~50–60 whatever
// the end, and less for an end before most opportunities existed.
const complementPercent = 60

// pastFunnelInTwo is pastFunnel when many opportunities changed since the
// end, in two reads side by side while
// goroutines are spare: the opportunities unchanged since the end, in
// their stage now, and those changed since, each in its stage at the end
// (stageAtEnd), summed per stage before only the open stages are kept.
// As one statement PostgreSQL probed the changed ones' history twice (the
// stage's filter pushed into the scan) and sorted the province's ~180,000
// rows by an expression it could not estimate: the admin's last month
// ~150 ms on the first look after a write, ~57 ms in two. A branch's or a
// team's rows are found through its customers, where one statement was
// the faster (a director's last month 21 ms, in two 44). SQLite, which
// runs one statement at a time on its connection's thread, keeps one
// statement too (in two its admin's last month 457 -> 673 ms).
func (s *Store) pastFunnelInTwo(ctx context.Context, scope authz.ListScope, f Filter) ([]StageSum, error) {
	end := f.To.UTC()
	live := func(ctx context.Context) *gorm.DB {
		return s.rows(ctx, scope, f, "opportunities", "opportunities.owner_id").Where("opportunities.deleted_at IS NULL AND opportunities.created_at < ?", end)
	}
	parts := [2][]StageSum{}
	err := s.spare.Each(2, db.AtOnce(ctx, 2), func(i int) error {
		var inner *gorm.DB
		if i == 0 {
			inner = live(ctx).Select("opportunities.stage AS stage, opportunities.monthly_fen, opportunities.one_time_fen").
				Where("opportunities.stage_changed_at < ? AND opportunities.stage IN ?", end, OpenStages)
		} else {
			// Grouped by the stage at the end, not filtered on it: a
			// filter on it would be pushed into the scan and evaluate
			// it twice.
			inner = live(ctx).Select(stageAtEnd+" AS stage, opportunities.monthly_fen, opportunities.one_time_fen", sql.Named("end", end)).
				Where("opportunities.stage_changed_at >= ?", end)
		}
		return s.conn(ctx).Table("(?) AS x", inner).Select("x.stage AS stage, " + funnelSums).Group("x.stage").Scan(&parts[i]).Error
	})
	if err != nil {
		return nil, fmt.Errorf("report funnel: %w", err)
	}
	by := map[string]StageSum{}
	for _, r := range slices.Concat(parts[0], parts[1]) {
		if !slices.Contains(OpenStages, r.Stage) {
			continue
		}
		t := by[r.Stage]
		t.Stage, t.N, t.MonthlyFen, t.OneTimeFen = r.Stage, t.N+r.N, t.MonthlyFen+r.MonthlyFen, t.OneTimeFen+r.OneTimeFen
		by[r.Stage] = t
	}
	out := make([]StageSum, 0, len(by))
	for _, st := range OpenStages {
		if t, ok := by[st]; ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// branchFunnelRows are funnelRows of today for a branch on PostgreSQL (a
// director's, or the admin's narrowed to one): the branch's live
// customers (with the filter's customer terms), each
// probing its open opportunities along idx_opps_customer_totals through
// a fenced LATERAL (OFFSET 0 keeps PostgreSQL from pulling it up into a
// join it would hash: the province's 200,000 opportunities against the
// branch's 8,000 customers, ~50 ms of a director's first funnel after any
// opportunity written; customer by customer ~15 ms). The rows are those
// of the joined query.
func (s *Store) branchFunnelRows(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	inner := "SELECT opportunities.customer_id, opportunities.stage, opportunities.monthly_fen, opportunities.one_time_fen " +
		"FROM opportunities WHERE opportunities.customer_id = customers.id AND opportunities.deleted_at IS NULL AND opportunities.stage IN ?"
	args := []any{OpenStages}
	if f.AM != 0 {
		inner += " AND opportunities.owner_id = ?"
		args = append(args, f.AM)
	}
	cf := f
	cf.AM = 0 // the opportunity's owner, above
	q := scope.Apply(s.conn(ctx).Table("customers").Where("customers.deleted_at IS NULL"), customerCols)
	return applyFilter(q, cf, "customers.branch_id", "customers.team_id", "", true).
		Joins("CROSS JOIN LATERAL ("+inner+" OFFSET 0) AS o", args...).
		Select("o.customer_id AS customer_id, o.stage AS stage, o.monthly_fen AS monthly_fen, o.one_time_fen AS one_time_fen")
}

// ---- 3. forecast ----

// MonthSum is one expected-close month's open opportunities: counts, raw
// value and value × probability (in fen × percent, divided by 100 by the
// service so rounding happens once).
type MonthSum struct {
	Month       string
	N           int64
	MonthlyFen  int64
	WeightedPct int64
}

// probCase is a CASE giving each open stage its probability (percent).
func probCase(probs map[string]int) string { return probCaseOf("opportunities.stage", probs) }

// probCaseOf is probCase over the stage column col.
func probCaseOf(col string, probs map[string]int) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for _, st := range OpenStages {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, probs[st])
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// Forecast sums open opportunities by expected close month in [from, to).
// It sums per close date and stage first — an index-only range of
// idx_opps_open_close (migration 00028), a streaming aggregate of at most
// six months × six stages rows — and only those few rows are turned into
// months and weighted by probability, not each of the ~130,000 open
// opportunities of a province (docs/reports.md § Speed).
func (s *Store) Forecast(ctx context.Context, scope authz.ListScope, f Filter, probs map[string]int, from, to time.Time) ([]MonthSum, error) {
	month := "substr(x.day, 1, 7)"
	if s.postgres() {
		month = "to_char(x.day, 'YYYY-MM')"
	}
	table, stages, args := "opportunities", "opportunities.stage IN ?", []any{OpenStages}
	if !s.postgres() && (scope.Level() == authz.ScopeAll || scope.Level() == authz.ScopeBranch) &&
		f.Team == 0 && f.AM == 0 && f.Industry == "" && f.Grade == "" {
		// SQLite, the province or a branch: its planner preferred
		// idx_opps_stage_close and read every opportunity of the window
		// from the table for its value (the admin's forecast ~1 s on a
		// first look after a write). idx_opps_open_close (migration
		// 00028) holds the window's open opportunities with their value,
		// customer and owner; SQLite takes a partial index only for a
		// query that names its stages as the same literals, so they are
		// written out (openStagesSQL) and the index named: admin ~1,040
		// -> ~140 ms, a director ~1,020 -> ~460.
		table, stages, args = "opportunities INDEXED BY idx_opps_open_close", "opportunities.stage IN "+openStagesSQL, nil
	}
	days := s.rows(ctx, scope, f, table, "opportunities.owner_id").
		Select("opportunities.expected_close AS day, opportunities.stage AS stage, COUNT(*) AS n, COALESCE(SUM(opportunities.monthly_fen), 0) AS monthly_fen").
		Where("opportunities.deleted_at IS NULL AND "+stages, args...).
		Where("opportunities.expected_close >= ? AND opportunities.expected_close < ?", dateOnly(from), dateOnly(to)).
		Group("opportunities.expected_close, opportunities.stage")
	if s.postgres() && noCustomerTerms(scope, f) && f.AM == 0 {
		days = s.provinceCloseDays(ctx, from, to)
	}
	var out []MonthSum
	err := s.conn(ctx).Table("(?) AS x", days).
		Select(month + " AS month, SUM(x.n) AS n, SUM(x.monthly_fen) AS monthly_fen, SUM(x.monthly_fen * (" + probCaseOf("x.stage", probs) + ")) AS weighted_pct").
		Group(month).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report forecast: %w", err)
	}
	return out, nil
}

// provinceCloseDays are the province's open opportunities expected to
// close in [from, to) per day and stage, as Forecast's rows, on
// PostgreSQL: the kept counts (opportunity_close_counts, migration 00068)
// less those of the deleted customers (a few along their index). Counting
// the window's opportunities read ~135,000 of them for six months (~55–75
// ms on the first look after a write); these are a few hundred rows.
func (s *Store) provinceCloseDays(ctx context.Context, from, to time.Time) *gorm.DB {
	all := s.conn(ctx).Table("opportunity_close_counts").
		Select("close_on AS day, stage, n, monthly AS monthly_fen").
		Where("close_on >= ? AND close_on < ? AND stage IN ?", dateOnly(from), dateOnly(to), OpenStages)
	gone := db.OfDeletedCustomers(s.conn(ctx).Table("opportunities"), "opportunities").
		Select("opportunities.expected_close AS day, opportunities.stage AS stage, COUNT(*) AS n, COALESCE(SUM(opportunities.monthly_fen), 0) AS monthly_fen").
		Where("opportunities.deleted_at IS NULL AND opportunities.stage IN ? AND opportunities.expected_close >= ? AND opportunities.expected_close < ?",
			OpenStages, dateOnly(from), dateOnly(to)).
		Group("opportunities.expected_close, opportunities.stage")
	return db.Difference(s.conn(ctx), all, gone, []string{"day", "stage"}, "n", "monthly_fen").Where("a.n - COALESCE(d.n, 0) <> 0")
}

// dateOnly is a calendar date as DATE columns store it (midnight UTC).
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ---- 4. attainment: missed lines' reasons ----

// ReasonSum counts the missed lines given a reason, per reason and line.
type ReasonSum struct {
	Reason string
	Line   string
	N      int64
}

// Reasons counts the reasons (A–D) of missed lines in the months' reviews
// that were submitted or signed off.
func (s *Store) Reasons(ctx context.Context, scope authz.ListScope, f Filter, months []string) ([]ReasonSum, error) {
	q := s.conn(ctx).Table("review_lines").
		Joins("JOIN monthly_reviews ON monthly_reviews.id = review_lines.review_id").
		Where("review_lines.reason <> '' AND monthly_reviews.status IN ? AND monthly_reviews.month IN ?", []string{"submitted", "signed_off"}, months)
	q = scope.Apply(q, authz.Columns{Owner: "monthly_reviews.owner_id", Team: "monthly_reviews.team_id", Branch: "monthly_reviews.branch_id"})
	q = applyFilter(q, f, "monthly_reviews.branch_id", "monthly_reviews.team_id", "monthly_reviews.owner_id", false)
	var out []ReasonSum
	if err := q.Select("review_lines.reason AS reason, review_lines.line AS line, COUNT(*) AS n").
		Group("review_lines.reason, review_lines.line").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("report reasons: %w", err)
	}
	return out, nil
}

// ---- 5. coverage ----

// CoverageSum is one manager's A and B customers and how many of them were
// visited within their care-plan window.
type CoverageSum struct {
	OwnerID uint
	A, ACov int64
	B, BCov int64
}

// visitedIn is the condition "a done visit in [?, ?)" for the customer
// row: one range probe of idx_visit_plans_done_customer (migration 00017).
// OFFSET 0 keeps it a probe on PostgreSQL, which may otherwise hash the
// window's done visits of the whole province (140,000 for a B customer's
// two months) to answer a branch's 2,300 customers: three times the time
// at province scale (docs/reports.md § Speed).
const visitedIn = `EXISTS (SELECT 1 FROM visit_plans v WHERE v.customer_id = customers.id AND v.deleted_at IS NULL
 AND v.status = 'done' AND v.starts_at >= ? AND v.starts_at < ? LIMIT 1 OFFSET 0)`

// visitedSince is visitedIn with the window chosen by the grade (A: from
// the first argument, others: from the second; both up to the third).
const visitedSince = `(CASE WHEN customers.grade = 'A' THEN ` + visitedIn + ` ELSE ` + visitedIn + ` END)`

// Uncovered is an A or B customer without a visit in its window.
type Uncovered struct {
	ID      uint
	Name    string
	Grade   string
	OwnerID uint
	// LastVisit is the last done visit before end (not Valid: never).
	LastVisit db.ScanTime
}

// CoverageSums counts A and B customers per owner and those visited — an
// A customer in the month before end, a B customer in the two months
// before — over the part-th of parts shares of the customers (by id; parts
// 1: all of them), so that a caller may read the shares at once and add
// them up. Each customer in scope is probed for a visit in its window once
// (idx_visit_plans_done_customer, migration 00017); the province's ~30,000
// read along idx_customers_grade_owner (migration 00048) without their
// rows.
func (s *Store) CoverageSums(ctx context.Context, scope authz.ListScope, f Filter, aFrom, bFrom, end time.Time, part, parts int) ([]CoverageSum, error) {
	c := s.abCustomers(ctx, scope, f).
		Select(`customers.owner_id AS owner_id, customers.grade AS grade, `+visitedSince+` AS cov`, aFrom.UTC(), end.UTC(), bFrom.UTC(), end.UTC())
	if parts > 1 {
		c = c.Where("customers.id % ? = ?", parts, part)
	}
	var out []CoverageSum
	err := s.conn(ctx).Table("(?) AS c", c).Select(`c.owner_id AS owner_id,
 SUM(CASE WHEN c.grade = 'A' THEN 1 ELSE 0 END) AS a, SUM(CASE WHEN c.grade = 'A' AND c.cov THEN 1 ELSE 0 END) AS a_cov,
 SUM(CASE WHEN c.grade = 'B' THEN 1 ELSE 0 END) AS b, SUM(CASE WHEN c.grade = 'B' AND c.cov THEN 1 ELSE 0 END) AS b_cov`).
		Group("c.owner_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report coverage: %w", err)
	}
	return out, nil
}

// Uncovered lists the A and B customers in scope without a visit in
// their window (CoverageSums), by owner, grade and name — at most limit,
// each with its last done visit before end. The province's are read in
// that order along idx_customers_uncovered (migration 00048) and probed
// one by one until limit are found: about twice limit probes, where
// sorting the uncovered first probed every customer.
func (s *Store) Uncovered(ctx context.Context, scope authz.ListScope, f Filter, aFrom, bFrom, end time.Time, limit int) ([]Uncovered, error) {
	var out []Uncovered
	err := s.abCustomers(ctx, scope, f).
		Select(`customers.id AS id, customers.name AS name, customers.grade AS grade, customers.owner_id AS owner_id,
 (SELECT MAX(v.starts_at) FROM visit_plans v WHERE v.customer_id = customers.id AND v.deleted_at IS NULL AND v.status = 'done' AND v.starts_at < ?) AS last_visit`, end.UTC()).
		Where("NOT "+visitedSince, aFrom.UTC(), end.UTC(), bFrom.UTC(), end.UTC()).
		Order("customers.owner_id, customers.grade, customers.name, customers.id").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report coverage: %w", err)
	}
	return out, nil
}

// abCustomers are the live A and B customers in scope and the filter,
// their grades written as the literals of the partial indexes of 00048
// (SQLite takes a partial index only for a query naming its terms so).
func (s *Store) abCustomers(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	return s.scoped(ctx, scope, f, "customers", "customers.owner_id").Where("customers.grade IN ('A', 'B')")
}

// ---- 2. conversion and velocity ----

// stageRank orders the stages; lost ranks 0, so it is never "forward".
func stageRank(col string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, st := range OpenStages {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, i+1)
	}
	fmt.Fprintf(&b, " WHEN 'won' THEN %d ELSE 0 END", len(OpenStages)+1)
	return b.String()
}

// daysBetween is the SQL for the days (fractional) from a to b.
func (s *Store) daysBetween(a, b string) string {
	if s.postgres() {
		return "(EXTRACT(EPOCH FROM (" + b + " - " + a + ")) / 86400.0)"
	}
	return "(julianday(" + b + ") - julianday(" + a + "))"
}

// entries are the stage changes of the opportunities in scope in
// [from, to), each with the opportunity's next change, which the database
// keeps on the row (migration 00051): the period's changes alone are
// read, not every change since from numbered by a window over each
// opportunity's history (the admin's year ~1 s).
//
// With the whole province in scope and no filter at all (the admin's
// report: provinceEntries) it reads the stage changes alone — an
// index-only range of idx_stage_changes_at_cover — every one of them,
// those of deleted opportunities and of deleted customers' opportunities
// included: dwellCounts subtracts those (deletedEntries), found from the
// deleted few, instead of hash-joining all 200,000 opportunities to the
// changes (docs/reports.md § Speed) or testing each change against them
// (two anti-joins: ~14 of a three weeks' edge's ~35 ms).
func (s *Store) entries(ctx context.Context, scope authz.ListScope, f Filter, ranges [][2]time.Time) *gorm.DB {
	province := provinceEntries(scope, f)
	if province && len(ranges) > 1 {
		// Several ranges of the province's (a period's edges around its
		// kept months): each an index-only range, glued — as one
		// condition they were a bitmap of both read from the heap
		// (~100,000 changes: ~140 -> ~70 ms).
		parts := make([]*gorm.DB, len(ranges))
		for i := range ranges {
			parts[i] = s.entries(ctx, scope, f, ranges[i:i+1])
		}
		u, err := db.UnionAll(s.conn(ctx), parts)
		if err != nil {
			q := s.conn(ctx)
			_ = q.AddError(err) // the caller reads q.Error
			return q
		}
		return u
	}
	q := s.conn(ctx).Table("stage_changes sc")
	// Several ranges of a branch's or a team's are one condition, so that
	// their opportunities are probed once.
	conds := make([]string, len(ranges))
	var args []any
	for i, r := range ranges {
		conds[i] = "(sc.at >= ? AND sc.at < ?)"
		args = append(args, r[0].UTC(), r[1].UTC())
	}
	q = q.Where(strings.Join(conds, " OR "), args...)
	if province {
		return q.Select(entryCols)
	}
	q = q.Joins("JOIN opportunities ON opportunities.id = sc.opportunity_id AND opportunities.deleted_at IS NULL")
	if noCustomerTerms(scope, f) {
		q = applyFilter(q.Where(db.LiveCustomerOf("opportunities.customer_id")), f, "", "", "opportunities.owner_id", false)
	} else {
		q = prospects.ScopedCustomers(q.Joins("JOIN customers ON customers.id = opportunities.customer_id").Where("customers.deleted_at IS NULL"), scope)
		q = applyFilter(q, f, "customers.branch_id", "customers.team_id", "opportunities.owner_id", true)
	}
	return q.Select(entryCols)
}

// entryCols are a stage change with the opportunity's next one.
const entryCols = "sc.to_stage AS stage, sc.at AS at, sc.next_at AS next_at, sc.next_stage AS next_stage"

// provinceEntries tells whether entries reads the province's changes
// whole, for dwellCounts to subtract the deleted ones' (deletedEntries).
func provinceEntries(scope authz.ListScope, f Filter) bool {
	return noCustomerTerms(scope, f) && f.AM == 0
}

// deletedEntries are the stage changes in ranges of the deleted
// opportunities and of the live opportunities of deleted customers:
// what the province's entries hold and its velocity leaves out, found
// from those few (idx_opps_deleted, idx_customers_deleted) and their
// changes.
func (s *Store) deletedEntries(ctx context.Context, ranges [][2]time.Time) *gorm.DB {
	conds := make([]string, len(ranges))
	var args []any
	for i, r := range ranges {
		conds[i] = "(sc.at >= ? AND sc.at < ?)"
		args = append(args, r[0].UTC(), r[1].UTC())
	}
	in := strings.Join(conds, " OR ")
	return s.conn(ctx).Raw("SELECT "+entryCols+" FROM stage_changes sc JOIN opportunities d ON d.id = sc.opportunity_id AND d.deleted_at IS NOT NULL WHERE "+in+
		" UNION ALL SELECT "+entryCols+" FROM stage_changes sc JOIN opportunities d ON d.id = sc.opportunity_id AND d.deleted_at IS NULL"+
		" JOIN customers dc ON dc.id = d.customer_id AND dc.deleted_at IS NOT NULL WHERE "+in, append(slices.Clone(args), args...)...)
}

// StageFlow is one stage's entries in the period: how many, how many went
// forward next, and the days spent there by those that left.
type StageFlow struct {
	Stage    string
	Entered  int64
	Forward  int64
	Left     int64
	AvgDays  float64
	P50, P75 float64
}

// Velocity measures each stage's entries in [from, to): how many, how
// many went forward next, how many left, the average days spent by those
// that left, and the median and 75th percentile of their whole days
// (percentile_cont's over floor(days): a stage left after 30 hours counts
// one day, as a CRM's "days in stage" does). All from the entries counted
// per stage and whole day (flowsOf): kept ones when they apply
// (keptDwell), else counted from the stage changes.
func (s *Store) Velocity(ctx context.Context, scope authz.ListScope, f Filter, from, to time.Time) ([]StageFlow, error) {
	var rows []dwellCount
	var err error
	if branch, part, ok := s.keptDwell(scope, f); ok {
		rows, err = s.keptAndEdges(ctx, scope, f, branch, part, from, to)
	} else {
		rows, err = s.dwellCounts(ctx, scope, f, [2]time.Time{from, to})
	}
	if err != nil {
		return nil, err
	}
	return flowsOf(rows), nil
}

// dwellCounts counts the stage changes of [from, to) themselves per stage
// and whole days (-1: not left), as the kept rows are: one pass and a
// hash of a few hundred groups, no duration sorted (SQLite's year of a
// province ranked every duration with window functions, ~7 s).
func (s *Store) dwellCounts(ctx context.Context, scope authz.ListScope, f Filter, ranges ...[2]time.Time) ([]dwellCount, error) {
	d := s.daysBetween("e.at", "e.next_at")
	whole := "CAST(FLOOR(" + d + ") AS INTEGER)"
	us := "CAST(SUM(" + d + " * 86400000000.0) AS BIGINT)"
	if !s.postgres() {
		whole = "CAST(" + d + " AS INTEGER)" // truncation: the floor of a duration
		us = "CAST(TOTAL(" + d + " * 86400000000.0) AS INTEGER)"
	}
	sel := `e.stage AS stage, CASE WHEN e.next_at IS NULL THEN -1 ELSE ` + whole + ` END AS days, COUNT(*) AS n,
 SUM(CASE WHEN e.next_stage IS NOT NULL AND ` + stageRank("e.next_stage") + ` > ` + stageRank("e.stage") + ` THEN 1 ELSE 0 END) AS forward,
 COALESCE(` + us + `, 0) AS dwell_us`
	var rows []dwellCount
	read := func(ctx context.Context) error {
		inner := s.entries(ctx, scope, f, ranges)
		if inner.Error != nil {
			return inner.Error
		}
		q := s.conn(ctx).Raw("SELECT "+sel+" FROM (?) e GROUP BY 1, 2", inner)
		if provinceEntries(scope, f) {
			gone := s.conn(ctx).Raw("SELECT "+sel+" FROM (?) e GROUP BY 1, 2", s.deletedEntries(ctx, ranges))
			q = db.Difference(s.conn(ctx), q, gone, []string{"stage", "days"}, "n", "forward", "dwell_us")
		}
		return q.Scan(&rows).Error
	}
	// PostgreSQL cannot estimate the groups of a computed day count and
	// takes each change for one: ~54,000 for three weeks of the
	// province's, whose hash table it then sizes beyond work_mem (4 MB),
	// and sorts the changes instead — on disk (external merge, ~2.5 MB):
	// ~25 of an edge's ~50 ms. There are at most a few thousand groups
	// (stages × whole days; 74 for those three weeks, 1.6 MB of hash), so
	// the statement may hash them in up to 32 MB; the rows are ordered
	// here.
	settings := []db.PlannerSetting{{Name: "work_mem", Value: "32MB"}}
	if !noCustomerTerms(scope, f) {
		// A team's or a branch's: the period's few thousand stage
		// changes each need their opportunity, and PostgreSQL, costing
		// a probe as a read from disk (random_page_cost 4), hashed all
		// 200,000 opportunities instead (a chief rep's month ~65 ms of
		// SQL). The province's tables are in memory; at 1.1 it probes
		// them: ~5 ms, a director's month ~59 -> ~31.
		if scope.Level() != authz.ScopeAll || f.Branch != 0 || f.Team != 0 || f.AM != 0 {
			// Even so a branch's ~16,000 opportunities were found by
			// hashing all 200,000 against its ~7,700 customers (a
			// director's custom range: ~57 ms of SQL); probed from the
			// customers, ~half. The province under an industry or a
			// grade (a tenth to a third of the customers) keeps its
			// hash or merge: probing as many costs as much.
			settings = append(settings, db.ProbeFromCustomers()...)
		} else {
			settings = append(settings, db.PlannerSetting{Name: "random_page_cost", Value: "1.1"})
		}
	}
	if err := db.WithPlannerSettings(ctx, s.read, settings, read); err != nil {
		return nil, fmt.Errorf("report velocity: %w", err)
	}
	// A group whose every change was a deleted one's is left at zero.
	rows = slices.DeleteFunc(rows, func(r dwellCount) bool { return r.N == 0 })
	sortDwellCounts(rows)
	return rows, nil
}

// sortDwellCounts orders rows by stage and days, as flowsOf reads them.
func sortDwellCounts(rows []dwellCount) {
	slices.SortFunc(rows, func(a, b dwellCount) int {
		if c := strings.Compare(a.Stage, b.Stage); c != 0 {
			return c
		}
		return a.Days - b.Days
	})
}

// keptAndEdges counts [from, to) for branch (0: the province) and part:
// its whole months from the kept month rows, its whole days before the
// first and after the last from the kept day rows (migration 00071), and
// only what is left of a day at either end — nothing for a period whose
// bounds are midnights, as every report period's are — from the stage
// changes, added up per stage and whole days. A custom range from the
// 3rd of one month to the 20th of another read ~46 days of changes
// (~100,000 of the province's) before the day rows.
func (s *Store) keptAndEdges(ctx context.Context, scope authz.ListScope, f Filter, branch uint, part string, from, to time.Time) ([]dwellCount, error) {
	dlo, dhi := daysWithin(from, to, s.dwellIn)
	if !dlo.Before(dhi) {
		return s.dwellCounts(ctx, scope, f, [2]time.Time{from, to})
	}
	var pieces []keptPiece
	if lo, hi := monthsWithin(from, to, s.dwellIn); lo.Before(hi) {
		pieces = append(pieces, keptPiece{part, lo, hi}, keptPiece{dayPart(part), dlo, lo}, keptPiece{dayPart(part), hi, dhi})
	} else {
		pieces = append(pieces, keptPiece{dayPart(part), dlo, dhi})
	}
	var edges [][2]time.Time
	for _, e := range [][2]time.Time{{from, dlo}, {dhi, to}} {
		if e[0].Before(e[1]) {
			edges = append(edges, e)
		}
	}
	kept, err := s.keptRows(ctx, branch, pieces)
	if err != nil || len(edges) == 0 {
		return kept, err
	}
	counted, err := s.dwellCounts(ctx, scope, f, edges...)
	if err != nil {
		return nil, err
	}
	return addDwellCounts(slices.Concat(kept, counted)), nil
}

// keptPiece is a part of the kept counts over [from, to): month rows for
// a part of keptPart, day rows for its dayPart.
type keptPiece struct {
	part     string
	from, to time.Time
}

// dayPart is the part of the kept day rows of a part of the kept month
// rows (migration 00071): "d:", "d:i:finance", "d:g:A".
func dayPart(part string) string { return "d:" + part }

// daysWithin is the first and the last midnight in loc within [from,
// to]: the whole days of the range are [lo, hi) when lo < hi.
func daysWithin(from, to time.Time, loc *time.Location) (lo, hi time.Time) {
	f, t := from.In(loc), to.In(loc)
	lo = time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	if lo.Before(f) {
		lo = lo.AddDate(0, 0, 1)
	}
	hi = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	return lo, hi
}

// monthsWithin is the first and the last month start in loc within
// [from, to]: the whole months of the range are [lo, hi) when lo < hi.
func monthsWithin(from, to time.Time, loc *time.Location) (lo, hi time.Time) {
	f, t := from.In(loc), to.In(loc)
	lo = time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, loc)
	if lo.Before(f) {
		lo = lo.AddDate(0, 1, 0)
	}
	hi = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	return lo, hi
}

// addDwellCounts sums rows per stage and days, ordered by both.
func addDwellCounts(rows []dwellCount) []dwellCount {
	type key struct {
		stage string
		days  int
	}
	at := map[key]int{}
	var out []dwellCount
	for _, r := range rows {
		k := key{r.Stage, r.Days}
		if i, ok := at[k]; ok {
			out[i].N, out[i].Forward, out[i].DwellUS = out[i].N+r.N, out[i].Forward+r.Forward, out[i].DwellUS+r.DwellUS
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	sortDwellCounts(out)
	return out
}

// Closed sums the opportunities won or lost in [from, to) by stage and
// lost reason, with their value and the days from creation to close.
type Closed struct {
	Stage      string
	LostReason string
	N          int64
	MonthlyFen int64
	OneTimeFen int64
	Days       float64
}

// Closed groups the period's won and lost opportunities.
func (s *Store) Closed(ctx context.Context, scope authz.ListScope, f Filter, from, to time.Time) ([]Closed, error) {
	var out []Closed
	err := s.rows(ctx, scope, f, "opportunities", "opportunities.owner_id").
		Select(`opportunities.stage AS stage, opportunities.lost_reason AS lost_reason, COUNT(*) AS n,
 COALESCE(SUM(opportunities.monthly_fen), 0) AS monthly_fen, COALESCE(SUM(opportunities.one_time_fen), 0) AS one_time_fen,
 COALESCE(SUM(`+s.daysBetween("opportunities.created_at", "opportunities.stage_changed_at")+`), 0) AS days`).
		Where("opportunities.deleted_at IS NULL AND opportunities.stage IN ? AND opportunities.stage_changed_at >= ? AND opportunities.stage_changed_at < ?",
			[]string{"won", "lost"}, from.UTC(), to.UTC()).
		Group("opportunities.stage, opportunities.lost_reason").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report closed: %w", err)
	}
	return out, nil
}

// keptDwell tells whether the velocity may be read from the kept counts
// per month and per day (stage_dwell_counts, PostgreSQL), for which branch (0 for the
// province) and which part of it: they count in the report's zone, the
// scope is the province's or a branch's, and the filter names at most a
// branch (its own for a director: another branch is none of theirs,
// which the stage changes answer) — or, for the province, one industry
// or one grade, whose changes the province's rows keep apart too
// (dwellPart, migration 00061). The months and the days of the period
// that are whole are read there (keptAndEdges, the day rows of 00071).
func (s *Store) keptDwell(scope authz.ListScope, f Filter) (uint, string, bool) {
	if s.dwellIn == nil || !s.postgres() || f.Team != 0 || f.AM != 0 {
		return 0, "", false
	}
	if f.Industry != "" || f.Grade != "" {
		part, ok := dwellPart(f)
		return 0, part, ok && scope.Level() == authz.ScopeAll && f.Branch == 0
	}
	switch scope.Level() {
	case authz.ScopeAll:
		return f.Branch, "", true
	case authz.ScopeBranch:
		own := scope.Subject().BranchID
		if own != 0 && (f.Branch == 0 || f.Branch == own) {
			return own, "", true
		}
	}
	return 0, "", false
}

// keptPart is the part of the kept counts that holds the customers f
// narrows to, as the migrations' triggers write it: "" for every
// customer, "i:finance" or "g:A" for one industry or one grade (the stage
// changes of 00061, the week pieces of 00063); false when f names both
// (their intersection is not kept).
func keptPart(f Filter) (string, bool) {
	switch {
	case f.Industry != "" && f.Grade != "":
		return "", false
	case f.Industry != "":
		return "i:" + f.Industry, true
	case f.Grade != "":
		return "g:" + f.Grade, true
	}
	return "", true
}

// dwellPart is keptPart of a filter naming one industry or one grade:
// the province's stage changes per branch are kept apart from those of
// its parts (false for neither).
func dwellPart(f Filter) (string, bool) {
	p, ok := keptPart(f)
	return p, ok && p != ""
}

// dwellCount is a stage's entries of a period that spent days whole days
// there (-1: not left yet), kept or counted from the stage changes.
type dwellCount struct {
	Stage   string
	Days    int
	N       int64
	Forward int64
	DwellUS int64
}

// keptRows are the kept counts of branch (0: the province) over pieces
// (each a part and its months or days in the report's zone; empty ones
// are left out), in one statement: a few thousand rows for a year
// instead of every stage change.
func (s *Store) keptRows(ctx context.Context, branch uint, pieces []keptPiece) ([]dwellCount, error) {
	var conds []string
	var args []any
	for _, p := range pieces {
		if !p.from.Before(p.to) {
			continue
		}
		conds = append(conds, "(part = ? AND month >= ? AND month < ?)")
		args = append(args, p.part, p.from.In(s.dwellIn).Format(time.DateOnly), p.to.In(s.dwellIn).Format(time.DateOnly))
	}
	if len(conds) == 0 {
		return nil, nil
	}
	var rows []dwellCount
	err := s.conn(ctx).Table("stage_dwell_counts").
		Select("stage, days, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(forward) AS BIGINT) AS forward, CAST(SUM(dwell_us) AS BIGINT) AS dwell_us").
		Where("branch_id = ?", branch).Where(strings.Join(conds, " OR "), args...).
		Group("stage, days").Having("SUM(n) <> 0").Order("stage, days").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report velocity: %w", err)
	}
	return rows, nil
}

// flowsOf turns counts per stage and whole days, ordered by stage and
// days, into each stage's flow.
func flowsOf(rows []dwellCount) []StageFlow {
	var out []StageFlow
	for lo := 0; lo < len(rows); {
		hi := lo
		for hi < len(rows) && rows[hi].Stage == rows[lo].Stage {
			hi++
		}
		f := StageFlow{Stage: rows[lo].Stage}
		var dwell int64
		for _, r := range rows[lo:hi] {
			f.Entered += r.N
			f.Forward += r.Forward
			if r.Days >= 0 {
				f.Left += r.N
				dwell += r.DwellUS
			}
		}
		if f.Left > 0 {
			f.AvgDays = float64(dwell) / float64(f.Left) / 86_400e6
			f.P50, f.P75 = daysAt(rows[lo:hi], f.Left, 0.5), daysAt(rows[lo:hi], f.Left, 0.75)
		}
		out = append(out, f)
		lo = hi
	}
	return out
}

// daysAt is percentile_cont(p) of the whole days of counts (ordered by
// days, -1 first for those not left), left of them being >= 0: the value
// at position p × (left − 1), interpolated between its two neighbours.
func daysAt(counts []dwellCount, left int64, p float64) float64 {
	pos := p * float64(left-1)
	lo := int64(pos)
	at := func(rank int64) float64 {
		for _, c := range counts {
			if c.Days < 0 {
				continue
			}
			if rank < c.N {
				return float64(c.Days)
			}
			rank -= c.N
		}
		return 0
	}
	v := at(lo)
	if frac := pos - float64(lo); frac > 0 {
		v += frac * (at(lo+1) - v)
	}
	return v
}

// ---- 6. activity ----

// ActivityCount is one source's count for a manager and a week — or, as
// Roll says, for a manager over the whole period (Week -1) or for a week
// over every manager (OwnerID 0).
type ActivityCount struct {
	Src     string
	OwnerID uint
	Week    int
	N       int64
	Roll    int
}

// The Roll of an ActivityCount.
const (
	// RollCell is one manager's count in one week (SQLite's rows).
	RollCell = 0
	// RollOwner is one manager's count over the period.
	RollOwner = 1
	// RollWeek is one week's count over every manager.
	RollWeek = 2
)

// perOwnerAndWeek is the roll column and the GROUP BY of an activity part
// whose select list is (src, owner, week, counts…). On PostgreSQL the part
// groups by the two grouping sets (owner) and (week) — the report shows a
// total per manager and one per week, never the cells — so a province's
// year is ~650 rows per source instead of ~32,000 manager-weeks hashed
// (and spilled to disk) and sent (docs/reports.md § Activity rolled up in
// SQL). SQLite has no grouping sets: it sends the cells, which the service
// adds up both ways. By position: the week expression has parameters,
// which a GROUP BY clause cannot repeat.
func (s *Store) perOwnerAndWeek(owner string) (roll, group string) {
	if s.postgres() {
		return fmt.Sprintf("CASE WHEN GROUPING(%s) = 1 THEN %d ELSE %d END AS roll", owner, RollWeek, RollOwner), "GROUPING SETS ((2), (3))"
	}
	return fmt.Sprintf("%d AS roll", RollCell), "2, 3"
}

// bucketOf is db.BucketOf in the store's dialect.
func (s *Store) bucketOf(col string, bounds []time.Time) (string, []any) {
	return db.BucketOf(s.read.Dialector.Name(), col, bounds)
}

// activitySettings are the planner settings of the activity statement
// at province scale (none elsewhere). The province's: PostgreSQL takes
// each week for a value of its own when it guesses the groups (~120,000
// for a year of key persons), so within the default 4 MB it sorts them to
// disk where hashing the ~650 real groups takes a few — 16 MB lets it
// hash (a year ~200 -> ~115 ms). A team's over more than a month: a few
// thousand customers' visits and key persons, read along their customer
// when probing costs what it does in memory (random_page_cost 1.1, as
// for the velocity); the default plan read all 880,000 visits of a year
// (a chief rep's year ~180 -> ~45 ms, a quarter ~45 -> ~27), while for a
// month it is the better one. A branch's visits are kept counts
// (keptVisitWeeks) and a manager's are few: their default plans are
// better than either.
func activitySettings(scope authz.ListScope, from, to time.Time) []db.PlannerSetting {
	switch {
	case scope.Level() == authz.ScopeAll:
		return []db.PlannerSetting{{Name: "work_mem", Value: "16MB"}}
	case scope.Level() == authz.ScopeTeam && to.Sub(from) > 31*24*time.Hour:
		return []db.PlannerSetting{{Name: "work_mem", Value: "16MB"}, {Name: "random_page_cost", Value: "1.1"}}
	}
	return nil
}

// ActivityHalves is how many statements the activity's sources may be
// read in, side by side: the visits and key persons, and the proposals.
const ActivityHalves = 2

// Activity counts, per manager and week (weeks are the bounds, n+1 of
// them for n weeks): visits planned and recorded, visits still without a
// record after their start (as of now), new key persons, proposals sent,
// approved (any approval step) and accepted. With half 0 or 1 (of
// ActivityHalves) it counts only the visits and key persons, or only
// the proposals — each source wholly in one half, so the halves' rows
// together are the whole's; with -1, everything in one statement.
func (s *Store) Activity(ctx context.Context, scope authz.ListScope, f Filter, weeks []time.Time, now time.Time, half int) ([]ActivityCount, error) {
	from, to := weeks[0].UTC(), weeks[len(weeks)-1].UTC()
	var parts []*gorm.DB
	add := func(src, table, owner, at, where string, distinct string, args ...any) {
		wc, wargs := s.bucketOf(at, weeks)
		cnt := "COUNT(*)"
		if distinct != "" {
			cnt = "COUNT(DISTINCT " + distinct + ")"
		}
		roll, group := s.perOwnerAndWeek(owner)
		if distinct != "" {
			// A number counts once per week (a proposal re-sent in
			// another week counts there too) and the manager's total is
			// the sum of their weeks, as on SQLite: the cells first.
			roll, group = fmt.Sprintf("%d AS roll", RollCell), "2, 3"
		}
		q := s.rows(ctx, scope, f, table, owner).
			Select("'"+src+"' AS src, "+owner+" AS owner_id, "+wc+" AS week, "+cnt+" AS n, "+roll, wargs...).
			Where(at+" >= ? AND "+at+" < ?", from, to)
		if where != "" {
			q = q.Where(where, args...)
		}
		q = q.Group(group)
		if distinct != "" && s.postgres() {
			// …then rolled up as the other sources are.
			q = s.conn(ctx).Table("(?) AS c", q).
				Select(fmt.Sprintf("c.src AS src, c.owner_id AS owner_id, c.week AS week, SUM(c.n) AS n, CASE WHEN GROUPING(c.owner_id) = 1 THEN %d ELSE %d END AS roll", RollWeek, RollOwner)).
				Group("c.src, GROUPING SETS ((c.owner_id), (c.week))")
		}
		parts = append(parts, q)
	}
	if half != 1 {
		if err := s.activityPeople(ctx, scope, f, weeks, now, add, &parts); err != nil {
			return nil, err
		}
	}
	if half != 0 {
		add("sent", "proposals", "proposals.owner_id", "proposals.sent_at", "proposals.deleted_at IS NULL", "proposals.number")
		add("approved", "proposals JOIN proposal_approvals pa ON pa.proposal_id = proposals.id", "proposals.owner_id", "pa.at",
			"proposals.deleted_at IS NULL AND pa.decision = 'approved'", "proposals.number")
		add("accepted", "proposals", "proposals.owner_id", "proposals.decided_at", "proposals.deleted_at IS NULL AND proposals.status = 'accepted'", "proposals.number")
	}
	union, err := db.UnionAll(s.conn(ctx), parts)
	if err != nil {
		return nil, fmt.Errorf("report activity: %w", err)
	}
	// A rolled-up row has NULL for what it rolled up.
	var out []ActivityCount
	err = db.WithPlannerSettings(ctx, s.read, activitySettings(scope, from, to), func(ctx context.Context) error {
		return s.conn(ctx).Table("(?) AS u", union).
			Select("u.src AS src, COALESCE(u.owner_id, 0) AS owner_id, COALESCE(u.week, -1) AS week, u.n AS n, u.roll AS roll").Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("report activity: %w", err)
	}
	return out, nil
}

// activityPeople appends the activity's visit and key-person parts.
func (s *Store) activityPeople(ctx context.Context, scope authz.ListScope, f Filter, weeks []time.Time, now time.Time,
	add func(src, table, owner, at, where string, distinct string, args ...any), parts *[]*gorm.DB) error {
	visits, err := s.activityVisits(ctx, scope, f, weeks, now)
	if err != nil {
		return err
	}
	*parts = append(*parts, visits...)
	if s.keptVisitWeeks(scope, f, weeks) {
		// New key persons from their kept counts per week piece
		// (migration 00053), as the visits: a province's year is ~30,000
		// rows instead of ~130,000 key persons.
		wc, wargs := db.DateBucketOf("contact_week_counts.piece", weeks)
		roll, group := s.perOwnerAndWeek("contact_week_counts.owner_id")
		part, _ := keptPart(f)
		kept := s.conn(ctx).Table("contact_week_counts").
			Select("'contacts' AS src, contact_week_counts.owner_id AS owner_id, "+wc+" AS week, SUM(contact_week_counts.n) AS n, "+roll, wargs...).
			Where("contact_week_counts.part = ? AND contact_week_counts.piece >= ? AND contact_week_counts.piece < ?", part, weeks[0].Format(time.DateOnly), weeks[len(weeks)-1].Format(time.DateOnly))
		kept = scope.Apply(kept, authz.Columns{Branch: "contact_week_counts.branch_id"})
		*parts = append(*parts, applyFilter(kept, f, "contact_week_counts.branch_id", "contact_week_counts.team_id", "contact_week_counts.owner_id", false).Group(group))
	} else {
		add("contacts", "contacts", "contacts.created_by", "contacts.created_at", "contacts.deleted_at IS NULL", "")
	}
	return nil
}

// activityVisits are the activity report's visit counts per manager
// and week: planned (not cancelled), done, and overdue (still planned
// after their start, as of now), as union parts of Activity.
//
// From the kept counts per week piece when they apply (keptVisitWeeks):
// a year of a province is ~75,000 kept rows instead of ~880,000 visits
// (docs/reports.md § Visits kept per week piece). A piece counts
// its still-planned visits as overdue once it is over; those of the piece
// under way are counted from the visits up to now.
//
// Otherwise the visits are read once for their three counts, then turned
// into three rows each by a cross join with the three names — not three
// passes over the period's visits.
func (s *Store) activityVisits(ctx context.Context, scope authz.ListScope, f Filter, weeks []time.Time, now time.Time) ([]*gorm.DB, error) {
	from, to := weeks[0].UTC(), weeks[len(weeks)-1].UTC()
	names := "(SELECT 'planned' AS src UNION ALL SELECT 'done' UNION ALL SELECT 'overdue') AS k"
	pick := "k.src AS src, a.owner_id AS owner_id, a.week AS week, CASE k.src WHEN 'planned' THEN a.planned WHEN 'done' THEN a.done ELSE a.overdue END AS n, a.roll AS roll"
	if s.keptVisitWeeks(scope, f, weeks) {
		today := pieceOf(now.In(weeks[0].Location()))
		wc, wargs := db.DateBucketOf("visit_week_counts.piece", weeks)
		roll, group := s.perOwnerAndWeek("visit_week_counts.owner_id")
		part, _ := keptPart(f)
		kept := s.conn(ctx).Table("visit_week_counts").
			Select("'' AS src, visit_week_counts.owner_id AS owner_id, "+wc+" AS week, SUM(visit_week_counts.planned) AS planned, SUM(visit_week_counts.done) AS done, "+
				"SUM(CASE WHEN visit_week_counts.piece < ? THEN visit_week_counts.open ELSE 0 END) AS overdue, "+roll, append(wargs, today.Format(time.DateOnly))...).
			Where("visit_week_counts.part = ? AND visit_week_counts.piece >= ? AND visit_week_counts.piece < ?", part, weeks[0].Format(time.DateOnly), weeks[len(weeks)-1].Format(time.DateOnly))
		kept = scope.Apply(kept, authz.Columns{Branch: "visit_week_counts.branch_id"})
		kept = applyFilter(kept, f, "visit_week_counts.branch_id", "visit_week_counts.team_id", "visit_week_counts.owner_id", false).Group(group)
		if kept.Error != nil {
			return nil, fmt.Errorf("report activity: %w", kept.Error)
		}
		parts := []*gorm.DB{s.conn(ctx).Table("(?) AS a CROSS JOIN "+names, kept).Select(pick)}
		// The piece under way: its visits still planned before now.
		lo, hi := today.UTC(), now.UTC()
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		if lo.Before(hi) {
			wc, wargs := s.bucketOf("visit_plans.starts_at", weeks)
			roll, group := s.perOwnerAndWeek("visit_plans.owner_id")
			parts = append(parts, s.rows(ctx, scope, f, "visit_plans", "visit_plans.owner_id").
				Select("'overdue' AS src, visit_plans.owner_id AS owner_id, "+wc+" AS week, COUNT(*) AS n, "+roll, wargs...).
				Where("visit_plans.deleted_at IS NULL AND visit_plans.status = 'planned' AND visit_plans.starts_at >= ? AND visit_plans.starts_at < ?", lo, hi).
				Group(group))
		}
		return parts, nil
	}
	wc, wargs := s.bucketOf("visit_plans.starts_at", weeks)
	roll, group := s.perOwnerAndWeek("visit_plans.owner_id")
	visits := s.rows(ctx, scope, f, "visit_plans", "visit_plans.owner_id").
		Select("'' AS src, visit_plans.owner_id AS owner_id, "+wc+" AS week, COUNT(*) AS planned, "+
			"SUM(CASE WHEN visit_plans.status = 'done' THEN 1 ELSE 0 END) AS done, "+
			"SUM(CASE WHEN visit_plans.status = 'planned' AND visit_plans.starts_at < ? THEN 1 ELSE 0 END) AS overdue, "+roll,
			append(wargs, now.UTC())...).
		Where("visit_plans.starts_at >= ? AND visit_plans.starts_at < ?", from, to).
		Where("visit_plans.deleted_at IS NULL AND visit_plans.status <> 'cancelled'").
		Group(group)
	if visits.Error != nil {
		return nil, fmt.Errorf("report activity: %w", visits.Error)
	}
	return []*gorm.DB{s.conn(ctx).Table("(?) AS a CROSS JOIN "+names, visits).Select(pick)}, nil
}

// keptVisitWeeks tells whether the activity's visits may be read from the
// kept counts: they count in the report's zone, the scope is the
// province's or a branch's (a team's reaches customers by their chief rep,
// which the counts do not keep), the filter names at most one of an
// industry and a grade (keptPart), and every bound of the weeks starts a
// piece.
func (s *Store) keptVisitWeeks(scope authz.ListScope, f Filter, weeks []time.Time) bool {
	if _, ok := keptPart(f); !ok || !s.visitWeeks || !s.postgres() {
		return false
	}
	if l := scope.Level(); l != authz.ScopeAll && l != authz.ScopeBranch {
		return false
	}
	for _, w := range weeks {
		if !pieceOf(w).Equal(w) {
			return false
		}
	}
	return true
}

// keptWeeksInside is, for weeks whose first or last bound falls inside a
// week piece (a custom range from a Wednesday), the same weeks with those
// two moved in to the pieces' starts — the first to the next one, the last
// to the start of its own — when the kept counts apply to them
// (keptVisitWeeks) and they still hold a piece. The days left out belong
// to the first and the last week.
func (s *Store) keptWeeksInside(scope authz.ListScope, f Filter, weeks []time.Time) ([]time.Time, bool) {
	n := len(weeks) - 1
	if n < 1 {
		return nil, false
	}
	inner := slices.Clone(weeks)
	inner[0], inner[n] = nextPiece(weeks[0]), pieceOf(weeks[n])
	if !inner[0].Before(inner[n]) || (inner[0].Equal(weeks[0]) && inner[n].Equal(weeks[n])) {
		return nil, false
	}
	return inner, s.keptVisitWeeks(scope, f, inner)
}

// startMonths tells whether every bound is the first day of a month at
// midnight in its zone: the bounds of whole months, which the kept counts
// per month (monthPart) serve.
func startMonths(bounds []time.Time) bool {
	for _, t := range bounds {
		if !t.Equal(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())) {
			return false
		}
	}
	return true
}

// monthPart is the part of the kept visits and key persons (migration
// 00066) that holds week part's counts per month, each under the month's
// first day: "m:" for every customer, "m:i:finance", "m:g:A".
func monthPart(weekPart string) string { return "m:" + weekPart }

// nextPiece is t when a week piece starts at t, else the start of the
// next piece: the earlier of the next Monday and the next month's first
// day, at midnight in t's zone.
func nextPiece(t time.Time) time.Time {
	p := pieceOf(t)
	if p.Equal(t) {
		return t
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	monday := day.AddDate(0, 0, 7-(int(day.Weekday())+6)%7)
	if first := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location()); first.Before(monday) {
		return first
	}
	return monday
}

// pieceOf is the start of the week piece holding t, in t's zone: the
// later of its week's Monday and its month's first day, at midnight
// (migration 00050's jike_visit_piece).
func pieceOf(t time.Time) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	if first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()); first.After(monday) {
		return first
	}
	return monday
}

// ---- 7. contracts expiring ----

// Expiring is a contract in force that ends within the window.
type Expiring struct {
	ID           uint
	Number       string
	Title        string
	CustomerID   uint
	CustomerName string
	OwnerID      uint
	EndOn        db.ScanTime
	MonthlyFen   int64
	TotalFen     int64
}

// ExpiringSum totals the contracts ending in the window.
type ExpiringSum struct {
	N          int64
	MonthlyFen int64
	TotalFen   int64
}

// expiringIn is the condition "a contract in force, its current revision,
// ending from the first to the second argument": the terms of the partial
// index idx_contracts_in_force_end (migration 00029) written as its own
// literals, so that both databases read the window along it in end-date
// order (SQLite takes a partial index only for a query naming its terms
// so). Without is_current, PostgreSQL read all ~49,000 contracts of the
// province for the admin's list (18 ms; page 50–60 ms on a first look).
// An in-force status implies the current revision (a signed amendment
// supersedes its predecessor), so the rows are the same.
func (s *Store) expiringIn() string {
	current := "contracts.is_current"
	if !s.postgres() {
		current = "contracts.is_current = 1"
	}
	return current + " AND contracts.deleted_at IS NULL AND contracts.status IN ('signed', 'active', 'expiring')" +
		" AND contracts.end_on >= ? AND contracts.end_on <= ?"
}

// Expiring lists (at most limit) and totals the contracts in force whose
// end date is in [from, to] (calendar dates).
func (s *Store) Expiring(ctx context.Context, scope authz.ListScope, f Filter, from, to time.Time, limit int) ([]Expiring, ExpiringSum, error) {
	base := func(withCustomer bool) *gorm.DB {
		q := s.rows(ctx, scope, f, "contracts", "contracts.owner_id")
		if withCustomer {
			q = s.scoped(ctx, scope, f, "contracts", "contracts.owner_id")
		}
		return q.Where(s.expiringIn(), dateOnly(from), dateOnly(to))
	}
	var sum ExpiringSum
	if err := base(false).Select("COUNT(*) AS n, COALESCE(SUM(contracts.monthly_fen), 0) AS monthly_fen, COALESCE(SUM(contracts.total_fen), 0) AS total_fen").Scan(&sum).Error; err != nil {
		return nil, sum, fmt.Errorf("report expiring: %w", err)
	}
	var out []Expiring
	if err := base(true).Select(`contracts.id AS id, contracts.number AS number, contracts.title AS title, contracts.customer_id AS customer_id,
 customers.name AS customer_name, contracts.owner_id AS owner_id, contracts.end_on AS end_on, contracts.monthly_fen AS monthly_fen, contracts.total_fen AS total_fen`).
		Order("contracts.end_on, contracts.id").Limit(limit).Scan(&out).Error; err != nil {
		return nil, sum, fmt.Errorf("report expiring: %w", err)
	}
	return out, sum, nil
}

// ---- targets under an industry or grade filter ----

// OwnerShare is an account manager's live customers in scope: all of them
// (N) and those of the filter's industry and grade (M).
type OwnerShare struct {
	OwnerID uint
	N, M    int64
}

// CustomerShares counts, per owner, the customers in scope and those
// matching f's industry and grade: the share a manager's monthly targets
// are apportioned by when a report is narrowed to an industry or grade.
// owners nil counts every owner in scope (so the shares need not wait
// for the list of managers).
//
// On PostgreSQL, for the province or a branch under one industry or one
// grade, from the customers kept counted per owner, branch and part
// (migration 00064): ~1,200 rows instead of the province's 100,000
// customers.
func (s *Store) CustomerShares(ctx context.Context, scope authz.ListScope, f Filter, owners []uint) (map[uint]OwnerShare, error) {
	out := map[uint]OwnerShare{}
	if owners != nil && len(owners) == 0 {
		return out, nil
	}
	ownedBy := func(q *gorm.DB, col string) *gorm.DB {
		if owners == nil {
			return q
		}
		return q.Where(col+" IN ?", owners)
	}
	var rows []OwnerShare
	if part, ok := keptPart(f); ok && part != "" && s.postgres() && (scope.Level() == authz.ScopeAll || scope.Level() == authz.ScopeBranch) {
		err := ownedBy(scope.Apply(s.conn(ctx).Table("customer_owner_counts"), authz.Columns{Branch: "customer_owner_counts.branch_id"}).
			Select("customer_owner_counts.owner_id AS owner_id, SUM(CASE WHEN customer_owner_counts.part = '' THEN customer_owner_counts.n ELSE 0 END) AS n, "+
				"SUM(CASE WHEN customer_owner_counts.part = ? THEN customer_owner_counts.n ELSE 0 END) AS m", part).
			Where("customer_owner_counts.part IN ('', ?)", part), "customer_owner_counts.owner_id").
			Group("customer_owner_counts.owner_id").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("report customer shares: %w", err)
		}
		for _, r := range rows {
			if r.N > 0 {
				out[r.OwnerID] = r
			}
		}
		return out, nil
	}
	match, args := "1 = 1", []any{}
	if f.Industry != "" {
		match += " AND customers.industry = ?"
		args = append(args, f.Industry)
	}
	if f.Grade != "" {
		match += " AND customers.grade = ?"
		args = append(args, f.Grade)
	}
	err := ownedBy(scope.Apply(s.conn(ctx).Table("customers"), customerCols).
		Select("customers.owner_id AS owner_id, COUNT(*) AS n, SUM(CASE WHEN "+match+" THEN 1 ELSE 0 END) AS m", args...).
		Where("customers.deleted_at IS NULL"), "customers.owner_id").
		Group("customers.owner_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report customer shares: %w", err)
	}
	for _, r := range rows {
		out[r.OwnerID] = r
	}
	return out, nil
}

// ownerLine is one source's count per owner and month (OwnerActuals).
type ownerLine struct {
	Src     string
	OwnerID uint
	Period  int
	N, M    int64
}

// OwnerActuals counts the attainment lines per month and owner over the
// records of customers matching f (its industry and grade), month i being
// [bounds[i], bounds[i+1]): the targets module's definitions
// (docs/targets.md) — done visits and those to A/B customers by the
// visit's start, key persons by creation for their creator, proposal
// numbers sent, and signings with their new monthly value from signed
// contracts (first revision; renewals add no new MRC) — restricted to
// those customers. A proposal sent in two months counts in both, as the
// targets count it month by month.
//
// The months are read in one pass per source, bucketed in SQL (a year
// of an industry was twelve statements of ~30 ms each for its visits
// alone, issue 19). For the province or a branch the four sources are
// read side by side while goroutines are spare; a team's or a manager's
// are one statement. More owners than db.OwnedByAny names are read
// unlisted and kept here.
//
// owners nil reads every owner's records in scope, each owner answered
// (so the actuals need not wait for the list of managers).
//
// summed adds the months up in the statements and returns them as one
// period, each month still counted as a month (a proposal sent in two
// months counts twice): what a report over a year shows per manager. The
// counts that add up are grouped per owner alone, the proposals per
// month first — the province's year under an industry is ~1,800 rows
// instead of ~18,000 (issue 19).
func (s *Store) OwnerActuals(ctx context.Context, scope authz.ListScope, f Filter, owners []uint, bounds []time.Time, summed bool) ([]map[uint]map[string]int64, error) {
	if len(bounds) < 2 {
		return nil, nil
	}
	// spans are the periods the sources that add up are bucketed by: the
	// months, or when summed their whole span as one (db.BucketOf's "0").
	spans := bounds
	if summed {
		spans = []time.Time{bounds[0], bounds[len(bounds)-1]}
	}
	out := make([]map[uint]map[string]int64, len(spans)-1)
	for i := range out {
		out[i] = make(map[uint]map[string]int64, len(owners))
		for _, id := range owners {
			out[i][id] = map[string]int64{}
		}
	}
	every := owners == nil
	if !every && len(owners) == 0 {
		return out, nil
	}
	ownedBy := func(q *gorm.DB, col string) *gorm.DB {
		if every {
			return q
		}
		return db.OwnedByAny(q, col, owners)
	}
	from, to := bounds[0].UTC(), bounds[len(bounds)-1].UTC()
	g := Filter{Industry: f.Industry, Grade: f.Grade}
	// part is one source: its rows per owner and month of the customers
	// matching g, src naming it and agg its two counts (n, m).
	part := func(ctx context.Context, periods []time.Time, table, owner, at, src, agg, where string) *gorm.DB {
		bucket, bargs := db.BucketOf(s.read.Dialector.Name(), at, periods)
		q := s.scoped(ctx, scope, g, table, owner).
			Select("'"+src+"' AS src, "+owner+" AS owner_id, "+bucket+" AS period, "+agg, bargs...).
			Where(where+" AND "+at+" >= ? AND "+at+" < ?", from, to)
		return ownedBy(q, owner).Group("2, 3")
	}
	signed := func(ctx context.Context) *gorm.DB {
		return part(ctx, spans, "contracts", "contracts.owner_id", "contracts.signed_at", "signed",
			"COUNT(*) AS n, COALESCE(SUM(CASE WHEN contracts.predecessor_id IS NULL THEN contracts.monthly_fen ELSE 0 END), 0) AS m",
			"contracts.deleted_at IS NULL AND contracts.revision = 1")
	}
	proposals := func(ctx context.Context) *gorm.DB {
		// A number counts once a month: per month, then added up.
		q := part(ctx, bounds, "proposals", "proposals.owner_id", "proposals.sent_at", "proposals",
			"COUNT(DISTINCT proposals.number) AS n, 0 AS m", "proposals.deleted_at IS NULL")
		if !summed || len(bounds) == 2 {
			return q
		}
		return s.conn(ctx).Raw("SELECT p.src, p.owner_id, 0 AS period, SUM(p.n) AS n, 0 AS m FROM (?) AS p GROUP BY p.src, p.owner_id", q)
	}
	// Visits and key persons from their counts kept per part (migration
	// 00063) when they apply (keptVisitWeeks): per month (00066) when
	// every bound starts a month — the province's year under one industry
	// is ~12,000 kept rows instead of ~80,000 visits and ~12,000 key
	// persons read through their customers, or ~49,000 week pieces —
	// else per week piece.
	weekPart, kept := keptPart(g)
	kept = kept && s.keptVisitWeeks(scope, g, bounds)
	if kept && startMonths(bounds) {
		weekPart = monthPart(weekPart)
	}
	keptRows := func(ctx context.Context, table, src, agg string) *gorm.DB {
		bucket, bargs := db.DateBucketOf(table+".piece", spans)
		q := scope.Apply(s.conn(ctx).Table(table), authz.Columns{Branch: table + ".branch_id"}).
			Select("'"+src+"' AS src, "+table+".owner_id AS owner_id, "+bucket+" AS period, "+agg, bargs...).
			Where(table+".part = ? AND "+table+".piece >= ? AND "+table+".piece < ?",
				weekPart, bounds[0].Format(time.DateOnly), bounds[len(bounds)-1].Format(time.DateOnly))
		return ownedBy(q, table+".owner_id").Group("2, 3")
	}
	parts := func(ctx context.Context) []*gorm.DB {
		if kept {
			return []*gorm.DB{
				keptRows(ctx, "visit_week_counts", "visits",
					"SUM(visit_week_counts.done) AS n, SUM(CASE WHEN visit_week_counts.ab THEN visit_week_counts.done ELSE 0 END) AS m"),
				keptRows(ctx, "contact_week_counts", "contacts", "SUM(contact_week_counts.n) AS n, 0 AS m"),
				signed(ctx), proposals(ctx),
			}
		}
		return []*gorm.DB{
			part(ctx, spans, "visit_plans", "visit_plans.owner_id", "visit_plans.starts_at", "visits",
				"COUNT(*) AS n, SUM(CASE WHEN customers.grade IN ('A', 'B') THEN 1 ELSE 0 END) AS m",
				"visit_plans.deleted_at IS NULL AND visit_plans.status = 'done'"),
			part(ctx, spans, "contacts", "contacts.created_by", "contacts.created_at", "contacts",
				"COUNT(*) AS n, 0 AS m", "contacts.deleted_at IS NULL"),
			signed(ctx), proposals(ctx),
		}
	}
	var lines []ownerLine
	if l := scope.Level(); l == authz.ScopeAll || l == authz.ScopeBranch {
		qs := parts(ctx)
		got := make([][]ownerLine, len(qs))
		err := s.spare.Each(len(qs), db.AtOnce(ctx, len(qs)), func(i int) error {
			return qs[i].Scan(&got[i]).Error
		})
		if err != nil {
			return nil, fmt.Errorf("report owner actuals: %w", err)
		}
		lines = slices.Concat(got...)
	} else {
		union, err := db.UnionAll(s.conn(ctx), parts(ctx))
		if err != nil {
			return nil, fmt.Errorf("report owner actuals: %w", err)
		}
		if err := union.Scan(&lines).Error; err != nil {
			return nil, fmt.Errorf("report owner actuals: %w", err)
		}
	}
	for _, r := range lines {
		if r.Period < 0 || r.Period >= len(out) {
			continue
		}
		v := out[r.Period][r.OwnerID]
		if v == nil {
			if !every {
				continue // an owner nobody asked for, read because the list was long
			}
			v = map[string]int64{}
			out[r.Period][r.OwnerID] = v
		}
		switch r.Src {
		case "visits":
			v["visits"] += r.N
			v["ab_visits"] += r.M
		case "contacts":
			v["contacts"] += r.N
		case "signed":
			v["signings"] += r.N
			v["mrc"] += r.M
		case "proposals":
			v["proposals"] += r.N
		}
	}
	return out, nil
}
