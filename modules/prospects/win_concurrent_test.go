package prospects

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestConcurrentWinsOfOneProspect: several of a prospect's opportunities
// won at the same moment by different requests all succeed, and the
// customer ends active. Each win writes the opportunity (whose trigger
// locks the customer FOR SHARE on PostgreSQL, migration 00047) and then
// makes the customer active: two such transactions holding the share lock
// and both wanting to write the customer deadlocked, and the one that
// waited wrote the status over a version it had read before the other's
// commit (a conflict the user did not cause). The win now locks the
// customer first and decides from what it reads under the lock.
func TestConcurrentWinsOfOneProspect(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		for round := range 3 {
			c := w.customer(t, "liwei", fmt.Sprintf("同时签约测试客户%d", round))
			const n = 6
			var opps []uint
			for i := range n {
				o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: c.ID, Title: fmt.Sprintf("专线 %d", i), Monthly: "1,000", Stage: StageNegotiation})
				if err != nil {
					t.Fatal(err)
				}
				opps = append(opps, o.ID)
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i, id := range opps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if i%2 == 0 {
						_, errs[i] = w.svc.MoveStage(ctx, am, id, StageMove{To: StageWon})
					} else {
						errs[i] = w.svc.CloseWonForContract(ctx, am, c.ID, id, "合同签订")
					}
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("round %d, win %d of %d: %v", round, i+1, n, err)
				}
			}
			got, err := w.svc.store.Customer(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != "active" {
				t.Errorf("round %d: customer %s after %d wins, want active", round, got.Status, n)
			}
			for _, id := range opps {
				o, err := w.svc.store.Opportunity(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if o.Stage != StageWon {
					t.Errorf("round %d: opportunity %d is %s, want won", round, id, o.Stage)
				}
			}
		}
	})
}
