package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// TestBoardCardsExactAfterWrites: the board's first cards per column and
// the opportunity list's pages are kept per scope and filter (won and lost per minute of their window),
// and after every kind of write — a new opportunity, a stage move, a
// value edit that reorders a column, a win, a loss, a customer renamed
// and another soft-deleted in plain SQL — every role's
// board (two instances on one database) shows exactly the cards SQL
// selects at that moment, with the customer's current name; a second
// look with nothing written reads no cards.
func TestBoardCardsExactAfterWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{})
		live := &Store{db: d.Gorm}
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "佳木斯冷链物流")
		cu2 := w.customer(t, "liwei", "牡丹江林业集团")
		var opps []*Opportunity
		for i, v := range []string{"1,000", "2,000", "3,000"} {
			c := cu
			if i == 2 {
				c = cu2
			}
			o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: c.ID, Title: fmt.Sprintf("专线 %d", i), Monthly: v})
			if err != nil {
				t.Fatal(err)
			}
			opps = append(opps, o)
		}
		viewers := []string{"liwei", "zhaomin", "wangjianguo", "zhoujie", "admin"}
		filters := map[string]OpportunityFilter{"value": {}, "close": {Sort: "close"}, "search": {Q: "物流"},
			// A branch's column under a customer filter is read as a set, then sorted.
			"grade": {Grade: "B"}, "industry by close": {Industry: "gov", Sort: "close"}}
		describe := func(rows []OpportunityRow) string {
			var b strings.Builder
			for _, r := range rows {
				fmt.Fprintf(&b, "%d:%s:%d;", r.ID, r.CustomerName, r.MonthlyFen)
			}
			return b.String()
		}
		check := func(step string) {
			t.Helper()
			for _, name := range viewers {
				actor := w.as(name)
				for fname, f := range filters {
					for i, svc := range []*Service{w.svc, other} {
						b, err := svc.Board(ctx, actor, f)
						if err != nil {
							t.Fatal(err)
						}
						for _, col := range b.Columns {
							if col.Count == 0 {
								continue
							}
							want, err := live.BoardCards(ctx, w.svc.Scope(actor, "read"), w.svc.boardFilter(actor, f, col.Stage), col.Stage, 0, BoardColumnSize)
							if err != nil {
								t.Fatal(err)
							}
							if got, want := describe(col.Cards), describe(want); got != want {
								t.Errorf("%s: %s's %s board (instance %d), %s: %s, SQL says %s", step, name, fname, i+1, col.Stage, got, want)
							}
						}
						// The opportunity list's page, kept the same way.
						lf := f
						lf.Limit = 20
						rows, _, err := svc.OpportunityPage(ctx, actor, lf)
						if err != nil {
							t.Fatal(err)
						}
						if len(rows) > 0 {
							rows[0].CustomerName = "改过的名字" // the caller's own copy
							if rows, _, err = svc.OpportunityPage(ctx, actor, lf); err != nil {
								t.Fatal(err)
							}
						}
						want, err := live.OpportunityRows(ctx, w.svc.Scope(actor, "read"), lf)
						if err != nil {
							t.Fatal(err)
						}
						if got, want := describe(rows), describe(want); got != want {
							t.Errorf("%s: %s's %s list (instance %d): %s, SQL says %s", step, name, fname, i+1, got, want)
						}
					}
				}
			}
		}
		check("start")
		reads := testkit.CountQueries(t, d.Gorm, "test:cards", func(sql string) bool { return strings.Contains(sql, "customers.name AS customer_name") })
		if _, err := w.svc.Board(ctx, w.as("wangjianguo"), OpportunityFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.OpportunityPage(ctx, w.as("zhaomin"), OpportunityFilter{Q: "物流", Limit: 20}); err != nil {
			t.Fatal(err)
		}
		if *reads != 0 {
			t.Fatalf("a second look with nothing written read cards or rows %d times", *reads)
		}

		o, err := other.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: cu.ID, Title: "冷库监控", Monthly: "5,000"})
		if err != nil {
			t.Fatal(err)
		}
		check("created in another instance")
		if _, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageProposal}); err != nil {
			t.Fatal(err)
		}
		check("stage move")
		if _, err = w.svc.UpdateOpportunity(ctx, am, opps[0].ID, OpportunityInput{Title: opps[0].Title, Monthly: "90,000", Version: opps[0].Version}); err != nil {
			t.Fatal(err)
		}
		check("value edit")
		if _, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageWon}); err != nil {
			t.Fatal(err)
		}
		check("won")
		if _, err = w.svc.MoveStage(ctx, am, opps[1].ID, StageMove{To: StageLost, LostReason: LostReasons[0]}); err != nil {
			t.Fatal(err)
		}
		check("lost")
		if err := d.Gorm.Exec("UPDATE customers SET name = '佳木斯冷链物流集团' WHERE id = ?", cu.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("customer renamed in SQL")
		if err := d.Gorm.Exec("UPDATE customers SET deleted_at = CURRENT_TIMESTAMP WHERE id = ?", cu2.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("customer soft-deleted in SQL")
	})
}

// TestBoardColumnsReadAtOnce: a board's columns not yet kept are read a
// few at once with goroutines to spare (more than one card statement
// runs at a time), and one
// after the other inside a transaction (whose one connection must not
// run two statements at once); the cards are the same either way.
func TestBoardColumnsReadAtOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "鸡西煤矿机械")
		for i, st := range []string{StageIdentified, StageContacted, StageVisited, StageNeeds} {
			if _, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: cu.ID, Title: fmt.Sprintf("云专线 %d", i), Monthly: "1,000", Stage: st}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		running, most := 0, 0
		before := func(tx *gorm.DB) {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			time.Sleep(30 * time.Millisecond) // long enough for the others to start
		}
		after := func(tx *gorm.DB) {
			mu.Lock()
			running--
			mu.Unlock()
		}
		cb := d.Gorm.Callback()
		for _, err := range []error{
			cb.Query().Before("gorm:query").Register("test:board_before", before),
			cb.Query().After("gorm:query").Register("test:board_after", after),
			cb.Row().Before("gorm:row").Register("test:board_before", before),
			cb.Row().After("gorm:row").Register("test:board_after", after),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			_ = cb.Query().Remove("test:board_before")
			_ = cb.Query().Remove("test:board_after")
			_ = cb.Row().Remove("test:board_before")
			_ = cb.Row().Remove("test:board_after")
		})
		look := func(ctx context.Context) string {
			t.Helper()
			// A fresh service: nothing kept, every column is read.
			svc := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{})
			svc.SetSpare(par.NewSpare(8))
			b, err := svc.Board(ctx, am, OpportunityFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var s strings.Builder
			for _, col := range b.Columns {
				fmt.Fprintf(&s, "%s:%d:%d;", col.Stage, col.Count, len(col.Cards))
			}
			return s.String()
		}
		mu.Lock()
		most = 0
		mu.Unlock()
		free := look(ctx)
		if most < 2 {
			t.Fatalf("at most %d statement at a time reading the board's columns", most)
		}
		mu.Lock()
		most = 0
		mu.Unlock()
		var inTx string
		if err := db.WithTx(ctx, d.Gorm, func(ctx context.Context) error {
			inTx = look(ctx)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if most != 1 {
			t.Fatalf("in a transaction %d statements ran at once", most)
		}
		if free != inTx || !strings.Contains(free, StageNeeds+":1:1;") {
			t.Fatalf("columns %s, in a transaction %s", free, inTx)
		}
	})
}

// TestBranchBoardCardsUnderAFilter: a branch's column under a customer
// filter is read as a set, then sorted (PostgreSQL), and "更多" pages on
// from its last card. Its first cards and the next page must be the
// column's rows in its order — value, then expected close — as plain SQL
// orders the branch's opportunities of matching customers, on both
// databases.
func TestBranchBoardCardsUnderAFilter(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		director := w.as("wangjianguo")
		a := w.customer(t, "liwei", "佳木斯冷链物流", func(in *CustomerInput) { in.Grade = "A" })
		b := w.customer(t, "zhangjing", "牡丹江林业集团", func(in *CustomerInput) { in.Grade = "A" })
		c := w.customer(t, "liwei", "鸡西煤矿机械", func(in *CustomerInput) { in.Grade = "C" })
		for i := range 9 {
			cu := []*Customer{a, b, c}[i%3]
			owner := map[uint]string{a.ID: "liwei", b.ID: "zhangjing", c.ID: "liwei"}[cu.ID]
			close := fmt.Sprintf("2027-0%d-1%d", 1+i%3, i)
			if _, err := w.svc.CreateOpportunity(ctx, w.as(owner), OpportunityInput{CustomerID: cu.ID, Title: fmt.Sprintf("专线 %d", i),
				Monthly: fmt.Sprint(1000 * (1 + i%4)), ExpectedClose: close}); err != nil {
				t.Fatal(err)
			}
		}
		scope := w.svc.Scope(director, "read")
		for _, sort := range []string{"value", "close"} {
			f := OpportunityFilter{Grade: "A", Sort: sort, Desc: sort == "value"}
			order := "o.monthly_fen DESC, o.id DESC"
			if sort == "close" {
				order = "o.expected_close, o.id"
			}
			var want []uint
			err := d.Gorm.Raw(`SELECT o.id FROM opportunities o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
				WHERE o.deleted_at IS NULL AND o.stage = 'identified' AND c.grade = 'A' AND c.branch_id = ? ORDER BY `+order, director.BranchID).Scan(&want).Error
			if err != nil {
				t.Fatal(err)
			}
			if len(want) < 5 {
				t.Fatalf("%d of the branch's opportunities match: the check proves little", len(want))
			}
			first, err := w.svc.store.BoardCards(ctx, scope, f, StageIdentified, 0, 3)
			if err != nil {
				t.Fatal(err)
			}
			next, err := w.svc.store.BoardCards(ctx, scope, f, StageIdentified, first[len(first)-1].ID, 3)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint
			for _, r := range slices.Concat(first, next) {
				got = append(got, r.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want[:min(6, len(want))]) {
				t.Errorf("by %s: the column's cards and the next page %v, SQL orders %v", sort, got, want)
			}
		}
	})
}
