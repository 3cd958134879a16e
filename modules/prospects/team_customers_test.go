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

// TestTeamCustomersKeepsTheScope: the union ScopedCustomers adds on SQLite
// for a team scope selects exactly what the scope does — the team's
// customers, the chief rep's own, those of another team the chief rep is
// named on — and no deleted customer, for customers and opportunities
// alike, on both databases (a no-op on PostgreSQL).
func TestTeamCustomersKeepsTheScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		chief := w.as("zhaomin")
		mine := w.customer(t, "liwei", "南岗电力设计院")
		other := w.customer(t, "zhoujie", "道外第三中学")
		w.customer(t, "zhoujie", "香坊粮油集团")
		gone := w.customer(t, "liwei", "平房航空制造")
		for _, o := range []struct {
			owner string
			c     *Customer
		}{{"liwei", mine}, {"zhoujie", other}, {"liwei", gone}} {
			if _, err := w.svc.CreateOpportunity(ctx, w.as(o.owner), OpportunityInput{CustomerID: o.c.ID, Title: "专线", Monthly: "1,000"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, sql := range []string{
			fmt.Sprintf("UPDATE customers SET chief_rep_id = %d WHERE id = %d", chief.ID, other.ID),
			fmt.Sprintf("UPDATE customers SET deleted_at = CURRENT_TIMESTAMP WHERE id = %d", gone.ID),
		} {
			if err := d.Gorm.Exec(sql).Error; err != nil {
				t.Fatal(err)
			}
		}
		scope := w.svc.Scope(chief, "read")
		ids := func(q *gorm.DB, col string) string {
			t.Helper()
			var out []uint
			if err := q.Order(col).Pluck(col, &out).Error; err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(out)
		}
		plain := ids(scope.Apply(d.Gorm.Model(&Customer{}), customerCols), "customers.id")
		narrowed := ids(ScopedCustomers(d.Gorm.Model(&Customer{}), scope), "customers.id")
		if plain != narrowed || !strings.Contains(plain, fmt.Sprint(other.ID)) || strings.Contains(" "+strings.Trim(plain, "[]")+" ", fmt.Sprintf(" %d ", gone.ID)) {
			t.Fatalf("the chief rep's customers: scope %s, with the union %s (named on %d, deleted %d)", plain, narrowed, other.ID, gone.ID)
		}
		live := &Store{db: d.Gorm}
		opps := ids(live.opportunityQuery(ctx, scope, OpportunityFilter{}), "opportunities.id")
		bare := ids(scope.Apply(d.Gorm.Model(&Opportunity{}).
			Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL"), customerCols), "opportunities.id")
		if opps != bare {
			t.Fatalf("the chief rep's opportunities: %s, the scope alone %s", opps, bare)
		}
	})
}
