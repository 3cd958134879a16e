package prospects

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// TestListSortsReadTheirIndex: every order the customer and opportunity
// lists offer is read along an index for the province's page (migration
// 00056), not by sorting every live row — the admin's opportunities by
// value sorted 200,000 rows for one page (~120 ms). On PostgreSQL sorting
// is priced out of the planner's reach (enable_sort off), so a plan with
// a Sort node means no index gives the order whatever the table's size;
// on SQLite, with a few thousand rows analysed, the plan must not build a
// temporary B-tree for the ORDER BY.
func TestListSortsReadTheirIndex(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		g := d.Gorm
		admin := w.as("admin")
		lw := w.as("liwei")
		for _, q := range []string{
			fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
				INSERT INTO customers (name, credit_code, industry, grade, status, qual_score, annual_spend_fen, headcount, owner_id, team_id, branch_id, created_at, updated_at)
				SELECT '客户' || i, 'SORT' || i, 'gov', 'C', 'active', i %% 97, i * 1000, i %% 500, %d, %d, %d, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n`, lw.ID, lw.TeamID, lw.BranchID),
			fmt.Sprintf(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, probability, owner_id, stage_changed_at, created_at, updated_at)
				SELECT id, '专线 ' || id, id * 10, 0, CASE WHEN id %% 3 = 0 THEN NULL ELSE CURRENT_DATE END, 'identified', 10, %d, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
				FROM customers WHERE credit_code LIKE 'SORT%%'`, lw.ID),
		} {
			if err := g.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := d.AfterLoad(ctx); err != nil {
			t.Fatal(err)
		}
		st := w.svc.store
		scope := w.svc.Scope(admin, "read")
		plan := func(q *gorm.DB) string {
			stmt := q.Session(&gorm.Session{DryRun: true}).Find(&[]map[string]any{}).Statement
			var lines []string
			var err error
			if d.Dialect == db.Postgres {
				err = db.WithPlannerSetting(ctx, g, "enable_sort", "off", func(ctx context.Context) error {
					return db.Conn(ctx, g).Raw("EXPLAIN "+stmt.SQL.String(), stmt.Vars...).Scan(&lines).Error
				})
			} else {
				var rows []struct {
					ID, Parent, Notused int
					Detail              string
				}
				err = g.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&rows).Error
				for _, r := range rows {
					lines = append(lines, r.Detail)
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(lines, "\n")
		}
		sorted := func(p string) bool {
			if d.Dialect == db.Postgres {
				for _, l := range strings.Split(p, "\n") {
					if strings.HasPrefix(strings.TrimLeft(l, " ->"), "Sort  (") {
						return true
					}
				}
				return false
			}
			return strings.Contains(p, "TEMP B-TREE FOR ORDER BY") || strings.Contains(p, "TEMP B-TREE FOR RIGHT PART OF ORDER BY")
		}
		for _, sort := range []string{"name", "score", "spend", "headcount", "updated"} {
			for _, desc := range []bool{false, true} {
				qs := st.ListQueries(ctx, scope, CustomerFilter{Sort: sort, Desc: desc, Limit: 25})
				if p := plan(qs[len(qs)-1]); sorted(p) {
					t.Errorf("customers by %s (desc %v) are sorted, not read along an index:\n%s", sort, desc, p)
				}
			}
		}
		for _, sort := range []string{"value", "close", "stage", "title", "updated"} {
			for _, desc := range []bool{false, true} {
				if d.Dialect == db.SQLite && sort == "close" && desc {
					continue // NULLs last when descending: SQLite has no NULLS FIRST index to read backward
				}
				p := plan(st.opportunityPage(ctx, scope, OpportunityFilter{Sort: sort, Desc: desc, Limit: 25}))
				if sorted(p) {
					t.Errorf("opportunities by %s (desc %v) are sorted, not read along an index:\n%s", sort, desc, p)
				}
			}
		}
	})
}
