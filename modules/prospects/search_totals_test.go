package prospects

import (
	"context"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestProvinceSearchTotalsAddUp: the admin's totals of a search common
// among the customers and rare in the titles — or, with no other
// condition on the customer, common in the titles or of one character —
// are read on PostgreSQL as the customers' part and the titles' part
// added up (Store.searchParts), and are exactly the plain join's: the
// list's totals line and the board's columns, alone and with a stage, a
// grade or an owner, an opportunity matching by its title and its
// customer counted once, a deleted customer's and a deleted opportunity
// left out. SQLite splits every search whose titles can be read without
// their customers (no grade, industry, team or score): by a term's one
// pair, by a longer term's candidates, by every customer's text.
func TestProvinceSearchTotalsAddUp(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		w.svc.SetClock(func() time.Time { return now })
		owners := []string{"liwei", "zhangjing", "zhoujie", "sunli"}
		var parks, others []*Customer
		for i := range 40 {
			grade := func(in *CustomerInput) { in.Grade = []string{"A", "B", "C"}[i%3] }
			parks = append(parks, w.customer(t, owners[i%4], fmt.Sprintf("科技园企业%02d", i), grade))
			others = append(others, w.customer(t, owners[(i+1)%4], fmt.Sprintf("物流公司%02d", i), grade))
		}
		stages := OpenStages
		add := func(c *Customer, i int, title string) *Opportunity {
			t.Helper()
			o := &Opportunity{CustomerID: c.ID, Title: title, Stage: stages[i%len(stages)], MonthlyFen: money.Fen(1000 + 37*i),
				OneTimeFen: money.Fen(50 * i), Probability: 10 * (i % 10), OwnerID: c.OwnerID, StageChangedAt: now}
			if err := w.svc.store.CreateOpportunity(ctx, o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		for i, c := range parks {
			add(c, i, "专线接入")
			add(c, i+1, "云主机")
			if i%20 == 0 {
				add(c, i+2, "科技园扩容") // matches by both
			}
		}
		var gone *Opportunity
		for i, c := range others {
			add(c, i, "专线接入")
			add(c, i+3, "物联网卡")
			if i%10 == 0 {
				gone = add(c, i+4, "科技园扩容") // by the title alone
			}
		}
		if err := d.Gorm.Exec("UPDATE opportunities SET deleted_at = ? WHERE id = ?", now, gone.ID).Error; err != nil {
			t.Fatal(err)
		}
		if err := w.svc.DeleteCustomer(ctx, w.as("wangjianguo"), parks[4].ID); err != nil {
			t.Fatal(err)
		}
		if d.Dialect == db.Postgres {
			if err := d.Gorm.Exec("ANALYZE customers; ANALYZE opportunities").Error; err != nil {
				t.Fatal(err)
			}
			w.svc.store.pairs = db.NewPairStats() // what it read before is kept for minutes
		}
		admin := w.as("admin")
		scope := w.svc.Scope(admin, "read")
		live := &Store{db: d.Gorm} // no statistics, no cache: the one condition
		for name, c := range map[string]struct {
			f     OpportunityFilter
			split bool
		}{
			"search": {OpportunityFilter{Q: "科技园"}, true}, "and a stage": {OpportunityFilter{Q: "科技园", Stages: []string{stages[2]}}, true},
			"and a grade":  {OpportunityFilter{Q: "科技园", Grade: "A"}, true},
			"and an owner": {OpportunityFilter{Q: "科技园", OwnerID: w.as("zhoujie").ID}, true},
			// In half the titles and no customer's name: split only when
			// the titles are read without their customers (no grade).
			"a product": {OpportunityFilter{Q: "专线接入"}, true}, "a product and a grade": {OpportunityFilter{Q: "专线接入", Grade: "B"}, false},
			"one character": {OpportunityFilter{Q: "园"}, true},
			// On SQLite: a term of two characters is its pair; a longer
			// one's candidates are read for it; a product is in no
			// customer's pairs.
			"two characters": {OpportunityFilter{Q: "科技"}, true}, "two characters and a stage": {OpportunityFilter{Q: "科技", Stages: OpenStages[:3]}, true},
			"a longer name": {OpportunityFilter{Q: "物流公司0"}, true}, "a product of two": {OpportunityFilter{Q: "专线"}, true},
		} {
			f := c.f
			// SQLite splits what it can read apart from the customers
			// unless it reads the search as a set (a rare term: here every
			// term of two characters or more, db.ListSearch.ReadsAsSet).
			want := c.split
			if d.Dialect != db.Postgres {
				want = searchedApart(f) && utf8.RuneCountInString(f.Q) == 1
				if set := opportunitySearch.ReadsAsSet(ctx, d.Gorm, w.svc.store.pairs, db.Province, f.Q); set == want {
					t.Errorf("%s: read as a set %v", name, set)
				}
			}
			if _, split := w.svc.store.searchParts(ctx, scope, f); split != want {
				t.Errorf("%s: split %v on %s", name, split, d.Dialect)
			}
			var r oppTotalsRow
			if err := live.opportunityQuery(ctx, scope, f).Select(oppTotalsSelect).Scan(&r).Error; err != nil {
				t.Fatal(err)
			}
			got, err := w.svc.OpportunityTotals(ctx, admin, f)
			if err != nil {
				t.Fatal(err)
			}
			if want := r.totals(); got != want || want.Count == 0 {
				t.Errorf("%s: the list's totals %+v, the join says %+v", name, got, want)
			}
			var rows []oppTotalsRow
			if err := live.opportunityQuery(ctx, scope, f).Select("opportunities.stage AS stage, " + oppTotalsSelect).
				Group("opportunities.stage").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			cols, err := w.svc.store.StageTotals(ctx, scope, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(cols) != len(rows) {
				t.Errorf("%s: %d columns, the join has %d", name, len(cols), len(rows))
			}
			for _, r := range rows {
				if cols[r.Stage] != r.totals() {
					t.Errorf("%s, %s: %+v, the join says %+v", name, r.Stage, cols[r.Stage], r.totals())
				}
			}
		}
	})
}

// TestOpenCardsAtOnce: a team's or a branch's searched board reads its
// open columns in one statement (the scope's matches ranked per stage),
// the province's board searched for a rare term on SQLite too; every column must hold exactly the cards the column read
// alone holds — the first BoardColumnSize in the board's order by value
// and by expected close, a title matching under a customer that does
// not, a deleted opportunity left out, a column counted empty exactly
// when it shows no card — for a rare term and one of one character, in
// every column, for the chief rep, the director, the admin and, read
// alone, the manager; both databases.
func TestOpenCardsAtOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		w.svc.SetClock(func() time.Time { return now })
		owners := []string{"liwei", "zhangjing", "zhoujie"}
		var gone *Opportunity
		for i := range 12 {
			c := w.customer(t, owners[i%3], fmt.Sprintf("冷链物流%02d", i))
			plain := w.customer(t, owners[i%3], fmt.Sprintf("机关单位%02d", i))
			for j := range 4 {
				close := now.AddDate(0, 0, (i*7+j*3)%40)
				for _, o := range []*Opportunity{
					{CustomerID: c.ID, Title: "专线", Stage: OpenStages[(i+j)%3], MonthlyFen: money.Fen(1000 + 10*((i*5+j*3)%17)), ExpectedClose: &close},
					{CustomerID: plain.ID, Title: "物流园区组网", Stage: OpenStages[j%3], MonthlyFen: money.Fen(900 + i), ExpectedClose: &close},
					{CustomerID: plain.ID, Title: "云桌面", Stage: OpenStages[j%3], MonthlyFen: money.Fen(5000 + i)},
				} {
					o.OwnerID, o.StageChangedAt, o.Probability = c.OwnerID, now, 30
					if o.CustomerID == plain.ID {
						o.OwnerID = plain.OwnerID
					}
					if err := w.svc.store.CreateOpportunity(ctx, o); err != nil {
						t.Fatal(err)
					}
					if o.MonthlyFen == 1000 && gone == nil {
						gone = o
					}
				}
			}
		}
		if err := d.Gorm.Exec("UPDATE opportunities SET deleted_at = ? WHERE id = ?", now, gone.ID).Error; err != nil {
			t.Fatal(err)
		}
		var checked int
		for _, name := range []string{"zhaomin", "wangjianguo", "admin", "liwei"} {
			actor := w.as(name)
			scope := w.svc.Scope(actor, "read")
			// A team's and a branch's; the province's rare term on
			// SQLite.
			atOnce := d.Dialect != db.Postgres || name != "admin"
			if name != "liwei" && w.svc.store.OpenCardsAtOnce(ctx, scope, OpportunityFilter{Q: "物流"}) != atOnce {
				t.Errorf("%s: the open columns at once %v on %s", name, !atOnce, d.Dialect)
			}
			// A rare term and one character (no pairs: never read as a
			// set), every column.
			for _, q := range []string{"物流", "线"} {
				for _, sort := range []string{"", "close"} {
					f := OpportunityFilter{Q: q, Sort: sort}
					b, err := w.svc.Board(ctx, actor, f)
					if err != nil {
						t.Fatal(err)
					}
					for _, col := range b.Columns {
						alone, err := w.svc.store.BoardCards(ctx, scope, w.svc.boardFilter(actor, f, col.Stage), col.Stage, 0, BoardColumnSize)
						if err != nil {
							t.Fatal(err)
						}
						if cardIDs(col.Cards) != cardIDs(alone) {
							t.Errorf("%s, %q, sort %q, %s: %s, the column alone %s", name, q, sort, col.Stage, cardIDs(col.Cards), cardIDs(alone))
						}
						if (col.Count == 0) != (len(alone) == 0) {
							t.Errorf("%s, %q, %s: %d counted, %d cards", name, q, col.Stage, col.Count, len(alone))
						}
						checked += len(alone)
					}
				}
			}
		}
		if checked == 0 {
			t.Fatal("no card read: the check proves nothing")
		}
	})
}

func cardIDs(rows []OpportunityRow) string {
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return fmt.Sprint(ids)
}
