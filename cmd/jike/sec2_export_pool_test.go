package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// TestExportsOutnumberingThePool runs more exports at once than the
// database pool has connections (two), on both databases. Each export
// reads its batches in a read snapshot that holds a connection; the names
// it looks up per batch (owners, key persons) must go through that same
// connection. When they took a second one from the pool, every export
// held one and waited for another: the server hung. Now every export
// completes with every row.
func TestExportsOutnumberingThePool(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		me := subject(t, a, "liwei")
		for i := range 12 {
			cu := seedCustomer(t, a, "liwei", fmt.Sprintf("连接池测试客户%02d", i), prospects.MakeCreditCode(fmt.Sprintf("91230103MA10004%02d", i)))
			if _, err := a.Prospects.SaveContact(ctx, me, cu.ID, 0, prospects.ContactInput{Name: "王主任", Role: "decision"}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Prospects.CreateOpportunity(ctx, me, prospects.OpportunityInput{CustomerID: cu.ID, Title: fmt.Sprintf("连接池商机%02d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		paths := []string{"/customers/export.csv", "/customers/export.xlsx", "/opportunities/export.csv",
			"/opportunities/export.xlsx", "/proposals/export.csv", "/proposals/export.xlsx"}
		const exports = 12
		clients := make([]*testkit.Client, exports)
		for i := range clients {
			clients[i] = loggedIn(t, a, "liwei")
		}
		sqlDB, err := d.Gorm.DB()
		if err != nil {
			t.Fatal(err)
		}
		sqlDB.SetMaxOpenConns(2)

		type result struct {
			path   string
			status int
			body   string
		}
		results := make(chan result, exports)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range exports {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				path := paths[i%len(paths)]
				res := clients[i].Get(path)
				results <- result{path, res.Status, res.Body}
			}()
		}
		close(start)
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			// The exports wait for each other's connections: closing the
			// pool wakes them with an error so the test can end.
			_ = sqlDB.Close()
			<-done
			t.Fatalf("%d exports on a pool of 2 connections did not finish: they wait for each other's connections", exports)
		}
		close(results)
		for r := range results {
			if r.status != 200 {
				t.Errorf("%s: status %d", r.path, r.status)
				continue
			}
			if strings.HasSuffix(r.path, ".csv") && !strings.HasPrefix(r.path, "/proposals") && strings.Count(r.body, "连接池") < 12 {
				t.Errorf("%s has %d of the 12 rows", r.path, strings.Count(r.body, "连接池"))
			}
		}
	})
}
