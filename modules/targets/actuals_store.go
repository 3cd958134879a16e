package targets

// This file is the targets module's one window onto other modules' tables.
// Actuals are a cross-module read model: they count visit plans (visits
// module), contacts and opportunities (prospects) and proposals
// (proposals) without importing those modules, read-only, in one
// statement: an aggregate per source (GROUP BY owner, CASE per line) glued
// with UNION ALL, so a grid of 600 managers costs one round trip, not
// 600 × 6 queries. Every query joins the
// record's customer and applies the viewer's customer read scope, so a
// count includes exactly the records the viewer could open: a visit, a key
// person, an opportunity or a proposal is visible with its customer.
//
// When those modules change a column used here, this file (and
// TestActuals) is what to update. docs/targets.md lists the columns.

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// keptVisits tells whether the visit and key-person lines between bounds
// may be read from the kept counts per month (visit_week_counts,
// contact_week_counts: migrations 00050, 00053, their months 00066): they count in the month's zone,
// the scope is the province's or a branch's (a team's reaches customers
// by their chief rep, which the counts do not keep), and every bound is
// the first day of a month there.
func (s *Store) keptVisits(scope authz.ListScope, bounds []time.Time) bool {
	if s.weeksIn == nil || s.db.Dialector.Name() != db.Postgres {
		return false
	}
	if l := scope.Level(); l != authz.ScopeAll && l != authz.ScopeBranch {
		return false
	}
	for _, t := range bounds {
		t = t.In(s.weeksIn)
		if t.Day() != 1 || t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
			return false
		}
	}
	return true
}

// Signed is what a contract source reports per account manager for a
// month: contracts signed and the new monthly recurring revenue in them.
type Signed struct {
	Count  int64
	MRCFen int64
}

// ContractSource counts signed contracts per owner in each period
// between consecutive bounds (n+1 ascending instants for n periods, each
// end exclusive), scoped to what viewer may read: one map per period. It
// is declared here and wired in cmd/jike/app.go once the contracts module
// exists; nil means won opportunities count as signings and their
// monthly value as new MRC.
type ContractSource func(ctx context.Context, viewer authz.Subject, owners []uint, bounds []time.Time) ([]map[uint]Signed, error)

// eachOwnerCount reads q's rows (src, owner_id, period, n, m) with
// database/sql's Scan rather than GORM's reflection over a struct, and
// hands each to fn without keeping them: an admin's year is ~30,000
// rows, which GORM's Scan took ~3 µs each to fill (a third of the
// attainment's CPU), and which as a slice of structs with a string each
// were ~4 MB to allocate per look (issue 19). The row passed to fn is
// reused: its Src is valid only during the call. A row without an owner
// (a key person nobody created) is owner 0, which no grid has.
func eachOwnerCount(q *gorm.DB, fn func(r *ownerCount)) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var r ownerCount
	var owner sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&r.Src, &owner, &r.Period, &r.N, &r.M); err != nil {
			return err
		}
		r.OwnerID = uint(owner.Int64)
		fn(&r)
	}
	return rows.Err()
}

type ownerCount struct {
	// Src is the part the row comes from, as the driver's bytes.
	Src     sql.RawBytes
	OwnerID uint
	Period  int
	N       int64
	M       int64
}

// customerCols are the scope columns of the joined customers table.
var customerCols = authz.StandardColumns("customers")

// monthsPerStatement is how many of n consecutive months actualsIn
// counts in one statement. On PostgreSQL a quarter or a year is split in
// up to four runs read side by side (a year is four statements of three
// months: one of twelve ran alone on one core, and the admin's quarter
// was slower than its three months side by side). On SQLite a month per
// statement: its CASE per row over several months cost the admin's year
// ~10% more than twelve statements.
func (s *Store) monthsPerStatement(n int) int {
	if s.db.Dialector.Name() != db.Postgres {
		return 1
	}
	return (n + 3) / 4
}

// keptBucket is the period of a kept count's piece (col) between the
// local bounds, or 0 when the periods are summed: visits and key persons
// add up across months, so a summed run's counts are grouped per owner
// alone — a year's ~600 groups instead of ~7,200, 3 ms of hashing
// instead of 11 on the province.
func keptBucket(col string, local []time.Time, summed bool) (string, []any) {
	if summed {
		return "0", nil
	}
	return db.DateBucketOf(col, local)
}

// actualsIn counts every line for owners in each period between
// consecutive bounds (n+1 ascending instants for n periods), as seen
// through the customer read scope, in one statement: a run of months is
// one read of its rows, each counted in its month. withOpps adds the
// signings and MRC lines from won opportunities (off when a contract
// source supplies them). summed adds the periods up in the statement and
// returns them as one: a report over a year wants each manager's year,
// and 600 rows read instead of 7,200 (each month still counted as a month:
// a proposal sent in two months counts in both).
func (s *Store) actualsIn(ctx context.Context, scope authz.ListScope, owners []uint, bounds []time.Time, withOpps, summed bool) ([]map[uint]Values, error) {
	periods := len(bounds) - 1
	if summed {
		periods = 1
	}
	outs := make([]map[uint]Values, periods)
	for i := range outs {
		outs[i] = make(map[uint]Values, len(owners))
		for _, id := range owners {
			outs[i][id] = Values{}
		}
	}
	if len(owners) == 0 {
		return outs, nil
	}
	from, to := bounds[0].UTC(), bounds[len(bounds)-1].UTC()
	conn := db.Conn(ctx, s.db)
	var parts []*gorm.DB
	// With the whole province in scope (the admin's reports) no customer
	// column limits the records: the customers are not joined, the
	// deleted ones' records are left out with an anti-join against those
	// few, and the A/B visits are a hashed lookup of the A and B
	// customers — one read of the month's visits instead of a hash join
	// of all 100,000 customers to them (docs/reports.md § Speed).
	all := scope.Level() == authz.ScopeAll
	live := func(q *gorm.DB, table string) *gorm.DB {
		if all {
			return q.Where(db.LiveCustomerOf(table + ".customer_id"))
		}
		return scope.Apply(q.Joins("JOIN customers ON customers.id = "+table+".customer_id AND customers.deleted_at IS NULL"), customerCols)
	}
	ab := "customers.grade IN ('A', 'B')"
	if all {
		// An index-only scan of idx_customers_grade_owner (migration 00048):
		// the live A and B customers' ids, not a heap read of 4,000 pages
		// of customers (once per parallel worker) for their grade.
		ab = "visit_plans.customer_id IN (SELECT id FROM customers WHERE grade IN ('A', 'B') AND deleted_at IS NULL)"
	}

	// Visits completed (走访), and those to A/B customers, by the visit's
	// date: a visit made on the 31st and recorded on the 1st counts for
	// the month it was made in. A month of the province's or a branch's
	// is ~1,200 kept counts per month (keptVisits; their part 'm:' counts
	// every customer's, migration 00066) instead of ~70,000 visits, or of
	// ~6,000 counts per week piece summed.
	// Each part groups by owner and period; by position, as the period's
	// expression has parameters, which a GROUP BY cannot repeat.
	kept := s.keptVisits(scope, bounds)
	var local []time.Time
	var localFrom, localTo string
	if kept {
		local = make([]time.Time, len(bounds))
		for i, t := range bounds {
			local[i] = t.In(s.weeksIn)
		}
		localFrom, localTo = from.In(s.weeksIn).Format(time.DateOnly), to.In(s.weeksIn).Format(time.DateOnly)
		mo, margs := keptBucket("visit_week_counts.piece", local, summed)
		parts = append(parts, db.OwnedByAny(scope.Apply(conn.Table("visit_week_counts"), authz.Columns{Branch: "visit_week_counts.branch_id"}).
			Select("'visits' AS src, visit_week_counts.owner_id AS owner_id, "+mo+" AS period, COALESCE(SUM(visit_week_counts.done), 0) AS n, "+
				"COALESCE(SUM(CASE WHEN visit_week_counts.ab THEN visit_week_counts.done ELSE 0 END), 0) AS m", margs...).
			Where("visit_week_counts.part = 'm:' AND visit_week_counts.piece >= ? AND visit_week_counts.piece < ?", localFrom, localTo), "visit_week_counts.owner_id", owners).
			Group("2, 3"))
	} else {
		mo, margs := db.BucketOf(s.db.Dialector.Name(), "visit_plans.starts_at", bounds)
		parts = append(parts, db.OwnedByAny(live(conn.Table("visit_plans").
			Select("'visits' AS src, visit_plans.owner_id AS owner_id, "+mo+" AS period, COUNT(*) AS n, SUM(CASE WHEN "+ab+" THEN 1 ELSE 0 END) AS m", margs...).
			Where("visit_plans.deleted_at IS NULL AND visit_plans.status = ? AND visit_plans.starts_at >= ? AND visit_plans.starts_at < ?", "done", from, to),
			"visit_plans"), "visit_plans.owner_id", owners).Group("2, 3"))
	}

	// New key persons (新增联系人): contacts the manager created — from
	// their kept counts per month (migrations 00053, 00066) when the
	// visits' are read so, on the same terms.
	if kept {
		mo, margs := keptBucket("contact_week_counts.piece", local, summed)
		parts = append(parts, db.OwnedByAny(scope.Apply(conn.Table("contact_week_counts"), authz.Columns{Branch: "contact_week_counts.branch_id"}).
			Select("'contacts' AS src, contact_week_counts.owner_id AS owner_id, "+mo+" AS period, COALESCE(SUM(contact_week_counts.n), 0) AS n, 0 AS m", margs...).
			Where("contact_week_counts.part = 'm:' AND contact_week_counts.piece >= ? AND contact_week_counts.piece < ?", localFrom, localTo), "contact_week_counts.owner_id", owners).
			Group("2, 3"))
	} else {
		mo, margs := db.BucketOf(s.db.Dialector.Name(), "contacts.created_at", bounds)
		parts = append(parts, db.OwnedByAny(live(conn.Table("contacts").
			Select("'contacts' AS src, contacts.created_by AS owner_id, "+mo+" AS period, COUNT(*) AS n, 0 AS m", margs...).
			Where("contacts.deleted_at IS NULL AND contacts.created_at >= ? AND contacts.created_at < ?", from, to),
			"contacts"), "contacts.created_by", owners).Group("2, 3"))
	}

	// Signings and new MRC: opportunities moved to won in the month, with
	// their estimated monthly value.
	if withOpps {
		mo, margs := db.BucketOf(s.db.Dialector.Name(), "opportunities.stage_changed_at", bounds)
		parts = append(parts, db.OwnedByAny(live(conn.Table("opportunities").
			Select("'won' AS src, opportunities.owner_id AS owner_id, "+mo+" AS period, COUNT(*) AS n, COALESCE(SUM(opportunities.monthly_fen), 0) AS m", margs...).
			Where("opportunities.deleted_at IS NULL AND opportunities.stage = ? AND opportunities.stage_changed_at >= ? AND opportunities.stage_changed_at < ?", "won", from, to),
			"opportunities"), "opportunities.owner_id", owners).Group("2, 3"))
	}

	// Proposals sent: each proposal number once in a month, however many
	// of its versions went out that month.
	mo, margs := db.BucketOf(s.db.Dialector.Name(), "proposals.sent_at", bounds)
	parts = append(parts, db.OwnedByAny(live(conn.Table("proposals").
		Select("'proposals' AS src, proposals.owner_id AS owner_id, "+mo+" AS period, COUNT(DISTINCT proposals.number) AS n, 0 AS m", margs...).
		Where("proposals.deleted_at IS NULL AND proposals.sent_at >= ? AND proposals.sent_at < ?", from, to),
		"proposals"), "proposals.owner_id", owners).Group("2, 3"))

	// One statement, one round trip: SELECT * FROM (part) UNION ALL …
	// (the derived tables keep each part's GROUP BY valid in SQLite too).
	union, err := db.UnionAll(conn, parts)
	if err != nil { // a zero scope
		return nil, fmt.Errorf("actuals: %w", err)
	}
	if summed {
		union = conn.Raw("SELECT u.src, u.owner_id, 0 AS period, SUM(u.n) AS n, SUM(u.m) AS m FROM (?) AS u GROUP BY u.src, u.owner_id", union)
	}
	err = eachOwnerCount(union, func(r *ownerCount) {
		if r.Period < 0 || r.Period >= len(outs) {
			return
		}
		v := outs[r.Period][r.OwnerID]
		if v == nil { // another owner's, read past a long list (db.OwnedByAny)
			return
		}
		switch string(r.Src) {
		case "visits":
			v[LineVisits] += r.N
			v[LineABVisits] += r.M
		case "contacts":
			v[LineContacts] += r.N
		case "won":
			v[LineSignings] += r.N
			v[LineMRC] += r.M
		case "proposals":
			v[LineProposals] += r.N
		}
	})
	if err != nil {
		return nil, fmt.Errorf("actuals: %w", err)
	}
	return outs, nil
}
