package prospects

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestCustomerCountsExactAfterWrites: the customer list's count is kept
// per scope and filter (a search included), and after every kind of
// write — a customer created in the portal, one renamed, reassigned and
// soft-deleted in plain SQL as another program would — every role's
// count is exactly what SQL counts at that moment, in this instance and
// in a second one on the same database; and a second look with nothing
// written does not count again.
func TestCustomerCountsExactAfterWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{})
		live := &Store{db: d.Gorm} // no cache: what SQL says now
		for _, n := range []string{"龙江科技一号", "龙江科技二号", "松北物流"} {
			w.customer(t, "liwei", n)
		}
		w.customer(t, "zhoujie", "江北科技三号")
		viewers := []string{"liwei", "zhaomin", "wangjianguo", "zhoujie", "admin"}
		filters := map[string]CustomerFilter{"all": {Limit: 20}, "search": {Q: "科技", Limit: 20}, "deleted": {Deleted: true, Limit: 20}}
		check := func(step string) {
			t.Helper()
			for _, name := range viewers {
				actor := w.as(name)
				for fname, f := range filters {
					_, want, err := live.ListCustomers(ctx, w.svc.Scope(actor, "read"), f)
					if err != nil {
						t.Fatal(err)
					}
					// The page in the list's order, read the plain way
					// (pageQuery may fence a small scope's customers).
					var plain []Customer
					if err := live.customerQuery(ctx, w.svc.Scope(actor, "read"), f).Order(customerOrder(f)).Limit(f.Limit).Find(&plain).Error; err != nil {
						t.Fatal(err)
					}
					for i, svc := range []*Service{w.svc, other} {
						rows, got, err := svc.ListCustomers(ctx, actor, f)
						if err != nil {
							t.Fatal(err)
						}
						if len(rows) > 0 { // the caller's own copy
							rows[0].Name = "改过的名字"
							if rows, _, err = svc.ListCustomers(ctx, actor, f); err != nil {
								t.Fatal(err)
							}
						}
						if got != want {
							t.Errorf("%s: %s's %s count in instance %d is %d, SQL says %d", step, name, fname, i+1, got, want)
						}
						if a, b := describeCustomers(rows), describeCustomers(plain); a != b {
							t.Errorf("%s: %s's %s page in instance %d is %v, SQL says %v", step, name, fname, i+1, a, b)
						}
					}
				}
			}
		}
		check("start")
		if n := w.svc.store.totals.customerCountCache().Len(); n == 0 {
			t.Fatal("no count was kept")
		}
		// Nothing written: the second look reads only the version.
		counts := testkit.CountQueries(t, d.Gorm, "test:counts", func(sql string) bool {
			return strings.Contains(sql, "AS capped") || strings.Contains(sql, "ORDER BY customers.updated_at")
		})
		if _, _, err := w.svc.ListCustomers(ctx, w.as("admin"), filters["search"]); err != nil {
			t.Fatal(err)
		}
		if *counts != 0 {
			t.Fatalf("a second look with nothing written counted or read the page %d times", *counts)
		}

		w.customer(t, "liwei", "道里科技四号")
		check("created in the portal")
		if err := d.Gorm.Exec("UPDATE customers SET name = '松北物流科技', search_text = search_text || ' 松北物流科技' WHERE name = '松北物流'").Error; err != nil {
			t.Fatal(err)
		}
		check("renamed in SQL")
		if err := d.Gorm.Exec("UPDATE customers SET owner_id = ?, team_id = ?, branch_id = ? WHERE name = '龙江科技一号'",
			w.as("zhoujie").ID, w.as("zhoujie").TeamID, w.as("zhoujie").BranchID).Error; err != nil {
			t.Fatal(err)
		}
		check("reassigned in SQL")
		if err := d.Gorm.Exec("UPDATE customers SET deleted_at = CURRENT_TIMESTAMP WHERE name = '龙江科技二号'").Error; err != nil {
			t.Fatal(err)
		}
		check("soft-deleted in SQL")
	})
}

// describeCustomers is a page as its ids, names and versions.
func describeCustomers(cs []Customer) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%d:%s:v%d;", c.ID, c.Name, c.Version)
	}
	return b.String()
}
