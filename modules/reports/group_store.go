package reports

// The SQL of the grouping by top-level group (group.go).

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"gorm.io/gorm"
)

// GroupSum is one top-level group's share of a report's rows: RootID is
// the group's top customer (0: customers that belong to no group — a
// top-level customer without members), N the rows, A and B the report's
// two summed values (fen, or fen × percent for the forecast's weighted
// value).
type GroupSum struct {
	RootID uint
	N      int64
	A, B   int64
}

// TopGroups sums rows — a query selecting customer_id, a and b, already
// scoped and filtered as its report — per top-level group of the row's
// customer, in one statement. Only a customer in a tree can be in a
// group — one with a parent, or with a live member — and they are few:
// hier lists them from the parents' index, xh sums the rows of those
// alone per customer, up walks from each of them to its ancestors, and
// top keeps the ancestor without a parent (a walk that stops at a
// deleted parent or at the depth bound finds none: no group). The rest
// of the rows are "no group" (0): total, the report's own total of the
// rows when it knows it (the funnel's), less the groups' — then only the
// tree's customers' rows are read — or else the total of all the rows,
// read in the same pass. Walking up from every customer of the report
// took the admin's funnel ~0.7 s on a province with no tree at all.
func (s *Store) TopGroups(ctx context.Context, rows *gorm.DB, total *GroupSum) ([]GroupSum, error) {
	if rows.Error != nil {
		return nil, rows.Error
	}
	// x is read once (inlined, so that the tree's customers narrow it)
	// with a total given; twice, so kept, without.
	x, all := "x AS MATERIALIZED (?)", "\nUNION ALL\nSELECT 0, COUNT(*), COALESCE(SUM(x.a), 0), COALESCE(SUM(x.b), 0) FROM x"
	if total != nil {
		x, all = "x AS (?)", ""
	}
	var sums []GroupSum
	err := s.conn(ctx).Raw(`WITH RECURSIVE `+x+`,
hier(id) AS (
  SELECT id FROM customers WHERE parent_id IS NOT NULL AND deleted_at IS NULL
  UNION
  SELECT parent_id FROM customers WHERE parent_id IS NOT NULL AND deleted_at IS NULL
),
xh(customer_id, n, a, b) AS (
  SELECT customer_id, COUNT(*), COALESCE(SUM(a), 0), COALESCE(SUM(b), 0) FROM x
  WHERE customer_id IN (SELECT id FROM hier) GROUP BY customer_id
),
up(cid, id, parent_id, depth) AS (
  SELECT c.id, c.id, c.parent_id, 0 FROM customers c WHERE c.id IN (SELECT customer_id FROM xh)
  UNION ALL
  SELECT up.cid, p.id, p.parent_id, up.depth + 1 FROM up JOIN customers p ON p.id = up.parent_id
  WHERE p.deleted_at IS NULL AND up.depth < ?
),
top(cid, root_id) AS (SELECT cid, id FROM up WHERE parent_id IS NULL)
SELECT top.root_id AS root_id, SUM(xh.n) AS n, SUM(xh.a) AS a, SUM(xh.b) AS b
FROM xh JOIN top ON top.cid = xh.customer_id GROUP BY top.root_id`+all, rows, maxGroupDepth).Scan(&sums).Error
	if err != nil {
		return nil, fmt.Errorf("report by top-level group: %w", err)
	}
	// What no group holds is the total less the groups.
	var out []GroupSum
	var none GroupSum
	if total != nil {
		none = *total
	}
	for _, g := range sums {
		if g.RootID == 0 { // the total read with the rows
			none.N, none.A, none.B = none.N+g.N, none.A+g.A, none.B+g.B
		}
	}
	for _, g := range sums {
		if g.RootID != 0 {
			out = append(out, g)
			none.N, none.A, none.B = none.N-g.N, none.A-g.A, none.B-g.B
		}
	}
	if none.N != 0 {
		out = append(out, none)
	}
	return out, nil
}

// GroupNames names the groups among ids that scope reaches (the report
// scope, on the top customer's own columns); a group whose top customer
// the viewer may not see is left out, so its name never shows.
func (s *Store) GroupNames(ctx context.Context, scope authz.ListScope, ids []uint) (map[uint]string, error) {
	out := map[uint]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uint
		Name string
	}
	q := scope.Apply(s.conn(ctx).Table("customers").Select("customers.id, customers.name").
		Where("customers.id IN ? AND customers.deleted_at IS NULL", ids), customerCols)
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report group names: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// forecastRows are the forecast's opportunities in [from, to) as
// customer_id, a (monthly) and b (monthly × probability, fen × percent).
func (s *Store) forecastRows(ctx context.Context, scope authz.ListScope, f Filter, probs map[string]int, from, to time.Time) *gorm.DB {
	return s.rows(ctx, scope, f, "opportunities", "opportunities.owner_id").
		Select("opportunities.customer_id AS customer_id, opportunities.monthly_fen AS a, opportunities.monthly_fen * ("+probCase(probs)+") AS b").
		Where("opportunities.deleted_at IS NULL AND opportunities.stage IN ? AND opportunities.expected_close >= ? AND opportunities.expected_close < ?", OpenStages, dateOnly(from), dateOnly(to))
}

// expiringRows are the expiring report's contracts as customer_id, a
// (monthly) and b (contract total).
func (s *Store) expiringRows(ctx context.Context, scope authz.ListScope, f Filter, from, to time.Time) *gorm.DB {
	return s.rows(ctx, scope, f, "contracts", "contracts.owner_id").
		Where(s.expiringIn(), dateOnly(from), dateOnly(to)).
		Select("contracts.customer_id AS customer_id, contracts.monthly_fen AS a, contracts.total_fen AS b")
}
