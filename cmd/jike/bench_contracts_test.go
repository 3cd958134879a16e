package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// BenchmarkContractList measures the scoped contracts list (a page of 25
// with the count) and the expiring filter per role, with 20,000 contracts
// over the demo's 200 customers, on PostgreSQL and SQLite.
func BenchmarkContractList(b *testing.B) {
	for _, e := range testkit.Engines {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			d := e.Open(b)
			a, err := buildApp(d, appOptions{LoginRate: 1 << 20, Location: time.UTC})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := a.Org.SeedDemo(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := a.Prospects.SeedDemo(ctx, demoSeed); err != nil {
				b.Fatal(err)
			}
			var custs []struct{ ID, OwnerID, BranchID uint }
			if err := d.Gorm.Table("customers").Select("id, owner_id, branch_id").Scan(&custs).Error; err != nil {
				b.Fatal(err)
			}
			today := a.Contracts.Today()
			rows := make([]contracts.Contract, 0, 20_000)
			for i := range 20_000 {
				cu := custs[i%len(custs)]
				start := today.AddDate(0, 0, -i%700)
				st := contracts.Statuses[i%len(contracts.Statuses)]
				rows = append(rows, contracts.Contract{Number: fmt.Sprintf("HT-B-2026-%06d", i+1), Revision: 1, IsCurrent: st != contracts.StatusSuperseded,
					CustomerID: cu.ID, OwnerID: cu.OwnerID, BranchID: cu.BranchID, Title: "基准合同", Status: st, StartOn: start,
					EndOn: contracts.EndFor(start, 24), TermMonths: 24, TotalFen: 1000_00 * 100, PaymentTerms: "monthly", PaymentDueDay: 10, Version: 1})
			}
			if err := d.Gorm.CreateInBatches(rows, 500).Error; err != nil {
				b.Fatal(err)
			}
			for _, who := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
				u, err := a.Org.Store().UserByUsername(ctx, who)
				if err != nil {
					b.Fatal(err)
				}
				me := u.Subject()
				b.Run(who+"/list", func(b *testing.B) {
					for b.Loop() {
						if _, _, err := a.Contracts.List(ctx, me, contracts.Filter{Limit: 25}); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(who+"/expiring", func(b *testing.B) {
					for b.Loop() {
						if _, _, err := a.Contracts.Expiring(ctx, me, contracts.Filter{Limit: 25}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
