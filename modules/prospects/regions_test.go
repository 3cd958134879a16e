package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// TestRegionsExactAfterWrites: the district filter offers, for every
// role, exactly the districts a plain DISTINCT over the customers in scope
// gives — walked along the index for a branch and the province, kept per
// scope — after a customer created in the portal and districts renamed,
// moved to another branch and soft-deleted in plain SQL, in this instance
// and a second one; a look with nothing written reads nothing but the
// versions; and no more than maxRegions are offered.
func TestRegionsExactAfterWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{})
		live := &Store{db: d.Gorm}
		in := func(r string) func(*CustomerInput) { return func(c *CustomerInput) { c.Region = r } }
		w.customer(t, "liwei", "道里客户", in("道里区"))
		nangang := w.customer(t, "liwei", "南岗客户", in("南岗区"))
		w.customer(t, "liwei", "无区客户") // no district: not offered
		xiangfang := w.customer(t, "zhoujie", "香坊客户", in("香坊区"))
		w.customer(t, "gaoyuan", "大庆客户", in("龙凤区"))
		hulan := w.customer(t, "liwei", "呼兰客户", in("呼兰区"))
		viewers := []string{"liwei", "zhaomin", "zhoujie", "wangjianguo", "liuzhiqiang", "gaoyuan", "admin"}
		check := func(step string) {
			t.Helper()
			for _, name := range viewers {
				actor := w.as(name)
				var want []string
				if err := live.db.Model(&Customer{}).Scopes(w.svc.Scope(actor, "read").Func(customerCols)).Where("region <> ''").
					Distinct("region").Order("region").Limit(maxRegions).Pluck("region", &want).Error; err != nil {
					t.Fatal(err)
				}
				for i, svc := range []*Service{w.svc, other} {
					got, err := svc.Regions(ctx, actor)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) > 0 { // the caller's own copy
						got[0] = "改过的区"
						if got, err = svc.Regions(ctx, actor); err != nil {
							t.Fatal(err)
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: %s's districts in instance %d are %v, SQL says %v", step, name, i+1, got, want)
					}
				}
			}
		}
		check("start")
		if got, _ := w.svc.Regions(ctx, w.as("admin")); !slices.Equal(got, []string{"南岗区", "呼兰区", "道里区", "香坊区", "龙凤区"}) &&
			!slices.Equal(got, []string{"南岗区", "呼兰区", "道里区", "龙凤区", "香坊区"}) { // the database's collation orders them
			t.Fatalf("the admin is offered %v", got)
		}

		// Nothing written: a second look reads only the versions.
		reads := 0
		cb := d.Gorm.Callback()
		if err := cb.Raw().After("gorm:raw").Register("test:regions", func(tx *gorm.DB) {
			if strings.Contains(tx.Statement.SQL.String(), "region") {
				reads++
			}
		}); err != nil {
			t.Fatal(err)
		}
		if err := cb.Query().After("gorm:query").Register("test:regions", func(tx *gorm.DB) {
			if strings.Contains(tx.Statement.SQL.String(), "DISTINCT") {
				reads++
			}
		}); err != nil {
			t.Fatal(err)
		}
		for _, name := range viewers {
			if _, err := w.svc.Regions(ctx, w.as(name)); err != nil {
				t.Fatal(err)
			}
		}
		_ = cb.Raw().Remove("test:regions")
		_ = cb.Query().Remove("test:regions")
		if reads != 0 {
			t.Errorf("nothing was written, yet the districts were read %d times", reads)
		}

		w.customer(t, "zhaomin", "松北客户", in("松北区"))
		check("created in the portal")
		exec := func(sql string, args ...any) {
			t.Helper()
			if err := d.Gorm.Exec(sql, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE customers SET region = ? WHERE id = ?", "平房区", nangang.ID)
		check("renamed in SQL")
		var daqing struct{ BranchID, TeamID uint }
		if err := d.Gorm.Raw("SELECT branch_id, team_id FROM customers WHERE name = ?", "大庆客户").Scan(&daqing).Error; err != nil {
			t.Fatal(err)
		}
		exec("UPDATE customers SET branch_id = ?, team_id = ? WHERE id = ?", daqing.BranchID, daqing.TeamID, xiangfang.ID)
		check("moved to another branch in SQL")
		exec("UPDATE customers SET deleted_at = ? WHERE id = ?", time.Now().UTC(), hulan.ID)
		check("deleted in SQL")

		// More districts than the filter offers: the first maxRegions.
		// (Written through the store: the portal limits how many customers
		// a person creates a minute.)
		for i := range maxRegions + 3 {
			c := *nangang
			c.ID, c.Name, c.CreditCode, c.Region = 0, fmt.Sprintf("区客户%03d", i), code(t), fmt.Sprintf("区%03d", i)
			if err := live.CreateCustomer(ctx, &c, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
		}
		check("more than the filter offers")
		if got, _ := w.svc.Regions(ctx, w.as("admin")); len(got) != maxRegions {
			t.Errorf("the admin is offered %d districts, want %d", len(got), maxRegions)
		}
	})
}

// TestProvinceOpportunitiesOfLiveCustomers: the province's opportunity
// rows and totals without a customer filter (read on SQLite as "not among
// the deleted customers' ids", and totalled as all less the deleted
// customers') are exactly those of the plain join to the live customers,
// before and after a customer is soft-deleted in plain SQL and with a
// stage filter; a customer filter goes the plain way.
func TestProvinceOpportunitiesOfLiveCustomers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		live := &Store{db: d.Gorm}
		a := w.customer(t, "liwei", "甲客户")
		b := w.customer(t, "zhoujie", "乙客户")
		for i, c := range []*Customer{a, a, b, b, b} {
			stage := []string{StageIdentified, StageProposal}[i%2]
			if err := d.Gorm.Create(&Opportunity{CustomerID: c.ID, OwnerID: c.OwnerID, Title: fmt.Sprintf("商机%d", i), Stage: stage,
				MonthlyFen: money.Fen(1000 * (i + 1)), OneTimeFen: money.Fen(10 * (i + 1)), Probability: 20 * (i + 1), Version: 1}).Error; err != nil {
				t.Fatal(err)
			}
		}
		scope := w.svc.Scope(w.as("admin"), "read")
		check := func(step string, wantN int) {
			t.Helper()
			for _, f := range []OpportunityFilter{{}, {Stages: []string{StageProposal}}, {Grade: "B"}} {
				plain := d.Gorm.Model(&Opportunity{}).Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL")
				plain = opportunityConds(plain, f)
				if f.Grade != "" {
					plain = plain.Where("customers.grade = ?", f.Grade)
				}
				var wantIDs, gotIDs []uint
				if err := plain.Session(&gorm.Session{}).Order("opportunities.id").Pluck("opportunities.id", &wantIDs).Error; err != nil {
					t.Fatal(err)
				}
				if err := live.opportunityQuery(ctx, scope, f).Order("opportunities.id").Pluck("opportunities.id", &gotIDs).Error; err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(gotIDs, wantIDs) {
					t.Errorf("%s %+v: rows %v, the plain join %v", step, f, gotIDs, wantIDs)
				}
				var r oppTotalsRow
				if err := plain.Select(oppTotalsSelect).Scan(&r).Error; err != nil {
					t.Fatal(err)
				}
				got, err := live.OpportunityTotals(ctx, scope, f)
				if err != nil {
					t.Fatal(err)
				}
				if got != r.totals() {
					t.Errorf("%s %+v: totals %+v, the plain join %+v", step, f, got, r.totals())
				}
				if f.Stages == nil && f.Grade == "" && got.Count != int64(wantN) {
					t.Errorf("%s: %d opportunities counted, want %d", step, got.Count, wantN)
				}
			}
		}
		check("start", 5)
		if err := d.Gorm.Exec("UPDATE customers SET deleted_at = ? WHERE id = ?", time.Now().UTC(), b.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("a customer deleted", 2)
	})
}
