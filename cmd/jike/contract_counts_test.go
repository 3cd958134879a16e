package main

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
)

// TestContractCountsExactAfterWrites: the contract list's count is kept
// per scope and filter, and the admin's is the province's current
// contracts less the deleted customers'. For every role and filter (none,
// a status, expiring within 90 days, a value range, one customer), in two
// instances, the count is what the contracts joined to their live
// customers count — at the start, after a customer with contracts is
// deleted, after a contract changes status and after one is deleted (in
// plain SQL). It fails when the deleted customers' contracts are not
// subtracted.
func TestContractCountsExactAfterWrites(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, other := demoAppOn(t, d), demoAppOn(t, d)
		var cust struct{ CustomerID uint }
		if err := d.Gorm.Raw(`SELECT customer_id FROM contracts WHERE is_current AND deleted_at IS NULL
			GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 1`).Scan(&cust).Error; err != nil || cust.CustomerID == 0 {
			t.Fatalf("a customer with contracts: %v", err)
		}
		lo, hi := money.Fen(1_000_00), money.Fen(500_000_00)
		filters := map[string]contracts.Filter{
			"all":      {},
			"active":   {Statuses: []string{"active"}},
			"expiring": {ExpiringWithin: 90},
			"value":    {MinFen: &lo, MaxFen: &hi},
			"customer": {CustomerID: cust.CustomerID},
		}
		today := a.Contracts.Today()
		joined := func(f contracts.Filter) int64 {
			t.Helper()
			q := d.Gorm.Table("contracts").Joins("JOIN customers ON customers.id = contracts.customer_id AND customers.deleted_at IS NULL").
				Where("contracts.is_current = ? AND contracts.deleted_at IS NULL", true)
			if f.CustomerID != 0 {
				q = q.Where("contracts.customer_id = ?", f.CustomerID)
			}
			if len(f.Statuses) > 0 {
				q = q.Where("contracts.status IN ?", f.Statuses)
			}
			if f.ExpiringWithin > 0 {
				q = q.Where("contracts.status IN ? AND contracts.end_on <= ?", contracts.InForce, today.AddDate(0, 0, f.ExpiringWithin))
			}
			if f.MinFen != nil {
				q = q.Where("contracts.total_fen >= ? AND contracts.total_fen <= ?", *f.MinFen, *f.MaxFen)
			}
			var n int64
			if err := q.Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		check := func(step string) {
			t.Helper()
			for name, f := range filters {
				want := joined(f)
				for _, ap := range []*app{a, other} {
					_, got, err := ap.Contracts.List(ctx, subject(t, ap, "admin"), f)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("%s: the admin's %s count %d, the joined contracts %d", step, name, got, want)
					}
				}
				// Other roles count within their scope: never more than the
				// province, and the same in both instances.
				for _, who := range []string{"liwei", "zhaomin", "wangjianguo"} {
					_, n1, err1 := a.Contracts.List(ctx, subject(t, a, who), f)
					_, n2, err2 := other.Contracts.List(ctx, subject(t, other, who), f)
					if err1 != nil || err2 != nil {
						t.Fatal(err1, err2)
					}
					if n1 != n2 || n1 > want {
						t.Errorf("%s: %s's %s count %d / %d (province %d)", step, who, name, n1, n2, want)
					}
				}
			}
		}
		check("start")
		before := joined(contracts.Filter{})
		if err := d.Gorm.Exec("UPDATE customers SET deleted_at = ? WHERE id = ?", time.Now(), cust.CustomerID).Error; err != nil {
			t.Fatal(err)
		}
		if joined(contracts.Filter{}) >= before {
			t.Fatal("deleting the customer took none of its contracts off the list; the check proves nothing")
		}
		check("customer deleted")
		if err := d.Gorm.Exec(`UPDATE contracts SET status = 'active' WHERE id = (SELECT MIN(id) FROM contracts
			WHERE is_current AND deleted_at IS NULL AND status <> 'active')`).Error; err != nil {
			t.Fatal(err)
		}
		check("status changed")
		if err := d.Gorm.Exec(`UPDATE contracts SET deleted_at = ? WHERE id = (SELECT MAX(id) FROM contracts
			WHERE is_current AND deleted_at IS NULL)`, time.Now()).Error; err != nil {
			t.Fatal(err)
		}
		check("contract deleted")
	})
}
