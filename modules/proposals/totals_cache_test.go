package proposals

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestListTotalsExactAfterWrites: the proposal count and sums (the list's
// pager and totals line, the approval queue's count) are cached per scope
// and filter, and after every kind of write — a proposal created,
// submitted, approved, edited into a new version, a write by another jike
// instance, the customer deleted and restored, a plain SQL soft delete —
// every role reads exactly what SQL computes then.
func TestListTotalsExactAfterWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.svc.prospects, w.svc.enf, prices, w.svc.opts) // a second instance
		live := &Store{db: d.Gorm}                                                            // no cache
		filters := map[string]Filter{"all": {}, "pending": {Statuses: []string{StatusPending}}, "owner": {OwnerID: w.users["liwei"].ID},
			// Searches: a customer's name (before and after a rename) and
			// a title; kept under the customers version too.
			"search of the customer": {Q: "银行"}, "search of a later name": {Q: "改名后"}, "search of a title": {Q: "专线"}}
		check := func(step string) {
			t.Helper()
			for _, name := range []string{"liwei", "zhangjing", "zhaomin", "wangjianguo", "liuzhiqiang", "admin"} {
				actor := w.users[name]
				for fname, f := range filters {
					for _, svc := range []*Service{w.svc, other} {
						got, err := svc.ListTotals(ctx, actor, f)
						if err != nil {
							t.Fatal(err)
						}
						lf := f
						lf.Latest = true
						// The plain join, not the province's subtraction
						// (provinceTotals) the store may use.
						var want Totals
						err = live.listQuery(ctx, w.svc.prospects.Scope(actor, "read"), lf).Select(totalsSelect).Scan(&want).Error
						if err != nil {
							t.Fatal(err)
						}
						if got != want {
							t.Errorf("%s: %s's totals (%s): %+v, SQL says %+v", step, name, fname, got, want)
						}
						pf := Filter{Statuses: f.Statuses, OwnerID: f.OwnerID, Q: f.Q, Limit: 5}
						rows, n, err := svc.List(ctx, actor, pf)
						if err != nil {
							t.Fatal(err)
						}
						if n != want.Count {
							t.Errorf("%s: %s's list count (%s): %d, SQL says %d", step, name, fname, n, want.Count)
						}
						// The page is kept too: the same rows as SQL, and
						// what a caller changes stays its own.
						if len(rows) > 0 {
							rows[0].CustomerName = "改过的名字"
							if rows, _, err = svc.List(ctx, actor, pf); err != nil {
								t.Fatal(err)
							}
						}
						pf.Latest = true
						wantRows, _, err := live.List(ctx, w.svc.prospects.Scope(actor, "read"), pf)
						if err != nil {
							t.Fatal(err)
						}
						if got, want := describeRows(rows), describeRows(wantRows); got != want {
							t.Errorf("%s: %s's page (%s): %s, SQL says %s", step, name, fname, got, want)
						}
					}
				}
			}
		}
		count := func(name string, f Filter) int64 {
			t.Helper()
			got, err := w.svc.ListTotals(ctx, w.users[name], f)
			if err != nil {
				t.Fatal(err)
			}
			return got.Count
		}
		liwei := w.users["liwei"]
		check("start")
		c0 := count("wangjianguo", Filter{})
		p, err := w.svc.Create(ctx, liwei, w.input(LineInput{ProductID: 1, Quantity: "10", TermMonths: "12", Rate: "90"})) // 558,000: the chief rep approves
		if err != nil {
			t.Fatal(err)
		}
		check("create")
		if c := count("wangjianguo", Filter{}); c != c0+1 {
			t.Fatalf("director's count after create: %d, want %d", c, c0+1)
		}
		pend0 := count("wangjianguo", Filter{Statuses: []string{StatusPending}})
		if p, err = w.svc.Submit(ctx, liwei, p.ID, p.LockVersion); err != nil {
			t.Fatal(err)
		}
		check("submit")
		if c := count("wangjianguo", Filter{Statuses: []string{StatusPending}}); c != pend0+1 {
			t.Fatalf("pending after submit: %d, want %d", c, pend0+1)
		}
		if p, err = w.svc.Decide(ctx, w.users["zhaomin"], p.ID, true, "同意"); err != nil {
			t.Fatal(err)
		}
		check("approve")
		// An approved version edited: a new version, still one proposal.
		c1 := count("wangjianguo", Filter{})
		in := w.input(LineInput{ProductID: 1, Quantity: "3", TermMonths: "12", Rate: "95"})
		in.LockVersion = p.LockVersion
		v2, err := other.Update(ctx, liwei, p.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		check("new version by another instance")
		if c := count("wangjianguo", Filter{}); c != c1 {
			t.Fatalf("a new version is the same proposal: %d → %d", c1, c)
		}
		if tot, _ := w.svc.ListTotals(ctx, w.users["wangjianguo"], Filter{OwnerID: liwei.ID}); tot.MonthlyFen < int64(v2.MonthlyFen) {
			t.Fatalf("the totals sum the new version: %+v, version 2 alone is %s", tot, v2.MonthlyFen)
		}
		if err := w.svc.prospects.DeleteCustomer(ctx, w.users["wangjianguo"], w.customer.ID); err != nil {
			t.Fatal(err)
		}
		check("customer deleted")
		if c := count("wangjianguo", Filter{}); c != c1-1 {
			t.Fatalf("deleted customer's proposals still counted: %d, want %d", c, c1-1)
		}
		if err := w.svc.prospects.RestoreCustomer(ctx, w.users["wangjianguo"], w.customer.ID); err != nil {
			t.Fatal(err)
		}
		check("customer restored")
		s0 := count("admin", Filter{Q: "改名后"})
		if err := d.Gorm.Exec("UPDATE customers SET name = '改名后的客户', search_text = '改名后的客户' WHERE id = ?", w.customer.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("customer renamed in SQL")
		if c := count("admin", Filter{Q: "改名后"}); c != s0+1 {
			t.Fatalf("a search for the customer's new name: %d, want %d", c, s0+1)
		}
		if err := d.Gorm.Exec("UPDATE proposals SET deleted_at = ? WHERE root_id = ?", time.Now().UTC(), *p.RootID).Error; err != nil {
			t.Fatal(err)
		}
		check("plain SQL delete")
		if c := count("wangjianguo", Filter{}); c != c1-1 {
			t.Fatalf("soft-deleted proposal still counted: %d, want %d", c, c1-1)
		}
	})
}

// describeRows is a page as its ids, customers, versions and statuses.
func describeRows(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%d:%s:v%d:%s;", r.ID, r.CustomerName, r.Version, r.Status)
	}
	return b.String()
}
