package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/db"
)

// TestNeedListWalksItsOrder: the need list's page — plain, and searched
// for a term — is read along idx_needs_updated (migration 00038), in the
// list's order, instead of sorting every need of the reader's scope (the
// admin's page among a province's 50,000 needs: 152 ms before, 2 ms
// along the index). It fails when the index is missing or no longer
// matches the list's order.
func TestNeedListWalksItsOrder(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := demoAppOn(t, d)
		rec := recordStatements(t, d, "needs_index:record")
		for _, q := range []string{"", "有限公司"} {
			list := rec.during(func() {
				if _, _, err := a.Needs.ListNeeds(ctx, subject(t, a, "admin"), needs.NeedFilter{Q: q, Limit: 25}); err != nil {
					t.Fatal(err)
				}
			})
			var page *stmt
			for i := range list {
				if strings.Contains(list[i].SQL, "ORDER BY needs.updated_at DESC") {
					page = &list[i]
				}
			}
			if page == nil {
				t.Fatalf("search %q: no statement read the page in the list's order: %v", q, list)
			}
			if plan := explainPlan(t, d, page.SQL, page.Vars); !strings.Contains(plan, "idx_needs_updated") {
				t.Errorf("search %q: the page is not read along idx_needs_updated:\n%s", q, plan)
			}
		}
	})
}
