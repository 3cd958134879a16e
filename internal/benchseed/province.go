package benchseed

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ProvinceSpec sizes a province: Branches branches of Managers account
// managers each (6 × 100 = 600), each branch filled by Fill with
// CustomersPerManager customers (167: about 100,000 in all) and a year of
// VisitsPerMonth visits per manager (139: about 1,000,000), plus
// OpenPerCustomer open opportunities per customer (2: 200,000) spread over
// the open stages with their stage history and expected close dates from
// a month before End to eight months after it.
type ProvinceSpec struct {
	Branches, Managers, CustomersPerManager, VisitsPerMonth, OpenPerCustomer int
	End                                                                      time.Time
}

// Province is the result: one Result per branch.
type Province struct {
	Branches []*Result
}

// FillProvince makes a province-sized organisation and its records (the
// reports' benchmarks; `jike seed --scale province` could call it too).
// PostgreSQL only, set-based statements only.
func FillProvince(ctx context.Context, g *gorm.DB, spec ProvinceSpec) (*Province, error) {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&spec.Branches, 6)
	def(&spec.Managers, 100)
	def(&spec.CustomersPerManager, 167)
	def(&spec.VisitsPerMonth, 139)
	def(&spec.OpenPerCustomer, 2)
	if spec.End.IsZero() {
		spec.End = time.Now()
	}
	out := &Province{}
	for i := 0; i < spec.Branches; i++ {
		r, err := Fill(ctx, g, Spec{Managers: spec.Managers, CustomersPerManager: spec.CustomersPerManager, Months: 12,
			End: spec.End, Visits: spec.VisitsPerMonth, Code: fmt.Sprintf("PROV%d", i+1)})
		if err != nil {
			return nil, err
		}
		out.Branches = append(out.Branches, r)
	}
	g = g.WithContext(ctx)
	end := spec.End.UTC()
	steps := []struct {
		what, sql string
		args      []any
	}{
		// Industries and grades vary, as the filters need.
		{"industries", `UPDATE customers SET industry = (ARRAY['gov','finance','education','healthcare','manufacturing','logistics','energy','trade','internet','other'])[1 + id % 10]
			WHERE branch_id IN (SELECT id FROM branches WHERE code LIKE 'PROV%')`, nil},
		// Open opportunities: stage by the record, close dates from a
		// month ago to eight months ahead, created up to ten months ago.
		{"open opportunities", `INSERT INTO opportunities (customer_id, title, stage, owner_id, monthly_fen, one_time_fen, expected_close, stage_changed_at, created_at, updated_at)
			SELECT c.id, '省级商机', (ARRAY['identified','contacted','visited','needs','proposal','negotiation'])[1 + (c.id + r) % 6], c.owner_id,
			  50000 + (c.id * 7919 + r * 104729) % 2000000, (c.id * 31 + r) % 3 * 100000,
			  (?::date - 30 + ((c.id * 7 + r * 13) % 270)),
			  ?::timestamptz - ((c.id + r * 31) % 300) * interval '1 day' + (1 + (c.id + r) % 6) * interval '9 days',
			  ?::timestamptz - ((c.id + r * 31) % 300) * interval '1 day', ?
			FROM customers c CROSS JOIN generate_series(1, ?) AS r
			WHERE c.branch_id IN (SELECT id FROM branches WHERE code LIKE 'PROV%')`, []any{end, end, end, end, spec.OpenPerCustomer}},
		// Their history: one change into each stage up to the current one,
		// nine days apart from creation.
		{"open history", `INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at)
			SELECT o.id, '', (ARRAY['identified','contacted','visited','needs','proposal','negotiation'])[s], o.owner_id, o.created_at + s * interval '9 days' - interval '9 days'
			FROM opportunities o CROSS JOIN generate_series(1, 6) AS s
			WHERE o.title = '省级商机' AND s <= array_position(ARRAY['identified','contacted','visited','needs','proposal','negotiation']::varchar[], o.stage)`, nil},
		// Won and lost ones (made by Fill): found, a proposal, then the end.
		{"closed history", `INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at)
			SELECT o.id, '', x.stage, o.owner_id, o.stage_changed_at - x.back * interval '1 day'
			FROM opportunities o CROSS JOIN (VALUES ('identified', 40), ('proposal', 12)) AS x(stage, back)
			WHERE o.title = '压测商机' AND o.customer_id IN (SELECT id FROM customers WHERE branch_id IN (SELECT id FROM branches WHERE code LIKE 'PROV%'))
			UNION ALL
			SELECT o.id, 'proposal', o.stage, o.owner_id, o.stage_changed_at FROM opportunities o
			WHERE o.title = '压测商机' AND o.customer_id IN (SELECT id FROM customers WHERE branch_id IN (SELECT id FROM branches WHERE code LIKE 'PROV%'))`, nil},
		{"lost reasons", `UPDATE opportunities SET lost_reason = (ARRAY['price','competitor','no_budget','no_decision','timing','other'])[1 + id % 6] WHERE stage = 'lost' AND lost_reason = ''`, nil},
	}
	for _, s := range steps {
		if err := g.Exec(s.sql, s.args...).Error; err != nil {
			return nil, fmt.Errorf("benchseed province: %s: %w", s.what, err)
		}
	}
	for _, t := range []string{"customers", "opportunities", "stage_changes"} {
		if err := g.Exec("VACUUM ANALYZE " + t).Error; err != nil {
			return nil, err
		}
	}
	return out, nil
}
