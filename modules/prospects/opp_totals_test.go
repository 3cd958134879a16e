package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// aggregateCounter counts the cacheable opportunity aggregates that
// reach the database (the statements summing monthly_fen, but not the
// board's recent won and lost, which are read live every time).
type aggregateCounter struct {
	mu sync.Mutex
	n  int
}

func countAggregates(t *testing.T, g *gorm.DB) *aggregateCounter {
	t.Helper()
	c := &aggregateCounter{}
	keep := func(tx *gorm.DB) {
		sql := tx.Statement.SQL.String()
		if strings.Contains(sql, "SUM(opportunities.monthly_fen)") && !strings.Contains(sql, "stage_changed_at >=") {
			c.mu.Lock()
			c.n++
			c.mu.Unlock()
		}
	}
	cb := g.Callback()
	if err := cb.Query().After("gorm:query").Register("test:aggregates", keep); err != nil {
		t.Fatal(err)
	}
	if err := cb.Row().After("gorm:row").Register("test:aggregates", keep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cb.Query().Remove("test:aggregates")
		_ = cb.Row().Remove("test:aggregates")
	})
	return c
}

func (c *aggregateCounter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// joinedStageTotals is the board's totals per stage as the plain join of
// the scope's opportunities and live customers computes them.
func joinedStageTotals(t *testing.T, live *Store, scope authz.ListScope, closedSince *time.Time) map[string]OppTotals {
	t.Helper()
	q := live.opportunityQuery(context.Background(), scope, OpportunityFilter{})
	if closedSince != nil {
		q = q.Where("opportunities.stage IN ('won', 'lost') AND opportunities.stage_changed_at >= ?", *closedSince)
	}
	var rows []oppTotalsRow
	if err := q.Select("opportunities.stage AS stage, " + oppTotalsSelect).Group("opportunities.stage").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]OppTotals{}
	for _, r := range rows {
		out[r.Stage] = r.totals()
	}
	return out
}

// TestOpportunityTotalsExactAfterWrites: the board's column totals, the
// home panel's (the same BoardTotals) and the list's totals line are
// cached per scope, and after every kind of write — create, stage move,
// value edit, win, a write by another jike instance, a reassignment, a
// customer deleted and restored, and writes by some other program
// (plain SQL: a value changed, an opportunity soft-deleted) — every role
// reads exactly what SQL computes at that moment, never the value from
// before the write.
func TestOpportunityTotalsExactAfterWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		// A second jike instance on the same database: its own cache.
		other := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{})
		live := &Store{db: d.Gorm} // no cache: what SQL says now
		viewers := []string{"liwei", "zhangjing", "zhaomin", "wangjianguo", "zhoujie", "admin"}
		closeFrom, closeBefore := w.svc.now().AddDate(-1, 0, 0), w.svc.now().AddDate(1, 0, 0)
		filters := map[string]OpportunityFilter{
			"all": {}, "proposal": {Stages: []string{StageProposal}}, "owner": {OwnerID: w.as("liwei").ID},
			"team": {TeamID: w.as("liwei").TeamID}, "closing": {CloseFrom: &closeFrom, CloseBefore: &closeBefore},
			// Filters on the customer's own columns, kept under the
			// customers version too.
			"search": {Q: "物流"}, "search of a later name": {Q: "冷链"}, "search of a title": {Q: "专线"},
			"grade": {Grade: "C"}, "search and stage": {Q: "物流", Stages: []string{StageProposal}},
		}
		check := func(step string) {
			t.Helper()
			for _, name := range viewers {
				actor := w.as(name)
				scope := w.svc.Scope(actor, "read")
				for _, svc := range []*Service{w.svc, other} {
					got, err := svc.BoardTotals(ctx, actor, OpportunityFilter{})
					if err != nil {
						t.Fatal(err)
					}
					// The plain join, not the province's subtraction
					// (provinceTotals) the store may use.
					want := joinedStageTotals(t, live, scope, nil)
					since := w.svc.now().AddDate(0, 0, -BoardClosedDays)
					for _, st := range Stages {
						wantSt := want[st]
						if st == StageWon || st == StageLost {
							wantSt = joinedStageTotals(t, live, scope, &since)[st]
						}
						if got[st] != wantSt {
							t.Errorf("%s: %s's board, %s: %+v, SQL says %+v", step, name, st, got[st], wantSt)
						}
					}
					for fname, f := range filters {
						got, err := svc.OpportunityTotals(ctx, actor, f)
						if err != nil {
							t.Fatal(err)
						}
						// The plain join, not the province's subtraction
						// (provinceTotalsQuery) the store may use.
						var r oppTotalsRow
						if err := live.opportunityQuery(ctx, scope, f).Select(oppTotalsSelect).Scan(&r).Error; err != nil {
							t.Fatal(err)
						}
						if want := r.totals(); got != want {
							t.Errorf("%s: %s's list totals (%s): %+v, SQL says %+v", step, name, fname, got, r.totals())
						}
					}
				}
			}
		}
		list := func(name string) OppTotals {
			t.Helper()
			got, err := w.svc.OpportunityTotals(ctx, w.as(name), OpportunityFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		listOf := func(name string, f OpportunityFilter) OppTotals {
			t.Helper()
			got, err := w.svc.OpportunityTotals(ctx, w.as(name), f)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		board := func(name string) map[string]OppTotals {
			t.Helper()
			got, err := w.svc.BoardTotals(ctx, w.as(name), OpportunityFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "齐齐哈尔某物流公司")
		check("start")
		aggs := countAggregates(t, d.Gorm)
		before := aggs.get()
		for _, name := range viewers {
			for _, svc := range []*Service{w.svc, other} {
				if _, err := svc.BoardTotals(ctx, w.as(name), OpportunityFilter{}); err != nil {
					t.Fatal(err)
				}
				for _, f := range filters {
					if _, err := svc.OpportunityTotals(ctx, w.as(name), f); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if aggs.get() != before {
			t.Fatalf("nothing was written, yet %d aggregates ran again: the totals are not cached", aggs.get()-before)
		}
		// A search and a board searched are cached too (a first look at a
		// common term reads the whole scope).
		if _, err := w.svc.BoardTotals(ctx, am, OpportunityFilter{Q: "物流"}); err != nil {
			t.Fatal(err)
		}
		searched := aggs.get()
		for i := 0; i < 2; i++ {
			if _, err := w.svc.BoardTotals(ctx, am, OpportunityFilter{Q: "物流"}); err != nil {
				t.Fatal(err)
			}
		}
		if aggs.get() != searched {
			t.Fatalf("a searched board's totals ran %d aggregates again: not cached", aggs.get()-searched)
		}

		t0 := list("liwei")
		o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: cu.ID, Title: "物流园区专线", Monthly: "8,800", OneTime: "2000"})
		if err != nil {
			t.Fatal(err)
		}
		check("create")
		if t1 := list("liwei"); t1.Count != t0.Count+1 || t1.MonthlyFen != t0.MonthlyFen+880000 || t1.OneTimeFen != t0.OneTimeFen+200000 {
			t.Fatalf("after create: %+v, before %+v", t1, t0)
		}

		b0 := board("wangjianguo")
		if o, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageProposal}); err != nil {
			t.Fatal(err)
		}
		check("stage move")
		if b1 := board("wangjianguo"); b1[StageProposal].Count != b0[StageProposal].Count+1 || b1[StageIdentified].Count != b0[StageIdentified].Count-1 {
			t.Fatalf("director's board after the move: proposal %d → %d, identified %d → %d",
				b0[StageProposal].Count, b1[StageProposal].Count, b0[StageIdentified].Count, b1[StageIdentified].Count)
		}

		t2 := list("liwei")
		if o, err = w.svc.UpdateOpportunity(ctx, am, o.ID, OpportunityInput{Title: o.Title, Monthly: "9,900", OneTime: "2000", Version: o.Version}); err != nil {
			t.Fatal(err)
		}
		check("value edit")
		if t3 := list("liwei"); t3.MonthlyFen != t2.MonthlyFen+110000 {
			t.Fatalf("after the edit: monthly %d, want %d", t3.MonthlyFen, t2.MonthlyFen+110000)
		}

		b2 := board("liwei")
		if _, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageWon}); err != nil {
			t.Fatal(err)
		}
		check("won")
		if b3 := board("liwei"); b3[StageWon].Count != b2[StageWon].Count+1 || b3[StageWon].MonthlyFen != b2[StageWon].MonthlyFen+990000 {
			t.Fatalf("won column: %+v → %+v", b2[StageWon], b3[StageWon])
		}

		// Another instance writes; this one's cache must not answer.
		t4 := list("admin")
		o2, err := other.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: cu.ID, Title: "视频监控", Monthly: "1,000"})
		if err != nil {
			t.Fatal(err)
		}
		if t5 := list("admin"); t5.Count != t4.Count+1 {
			t.Fatalf("a write by another instance was not seen: %d → %d", t4.Count, t5.Count)
		}
		check("other instance")
		if _, err := other.MoveStage(ctx, am, o2.ID, StageMove{To: StageNegotiation}); err != nil {
			t.Fatal(err)
		}
		check("other instance's move")

		// The customer changes hands: liwei's totals lose it, zhangjing's gain it.
		l0, z0 := list("liwei"), list("zhangjing")
		cu, err = w.svc.Customer(ctx, w.as("zhaomin"), cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cu, err = w.svc.Reassign(ctx, w.as("zhaomin"), cu.ID, w.as("zhangjing").ID, 0, cu.Version); err != nil {
			t.Fatal(err)
		}
		check("reassign")
		if l1, z1 := list("liwei"), list("zhangjing"); l1.Count != l0.Count-2 || z1.Count != z0.Count+2 {
			t.Fatalf("reassigned: liwei %d → %d, zhangjing %d → %d", l0.Count, l1.Count, z0.Count, z1.Count)
		}

		a0 := list("admin")
		if err := w.svc.DeleteCustomer(ctx, w.as("wangjianguo"), cu.ID); err != nil {
			t.Fatal(err)
		}
		check("customer deleted")
		if a1 := list("admin"); a1.Count != a0.Count-2 {
			t.Fatalf("deleted customer's opportunities still counted: %d → %d", a0.Count, a1.Count)
		}
		if err := w.svc.RestoreCustomer(ctx, w.as("wangjianguo"), cu.ID); err != nil {
			t.Fatal(err)
		}
		check("customer restored")
		if a2 := list("admin"); a2 != a0 {
			t.Fatalf("restored: %+v, want %+v", a2, a0)
		}

		// Writes to the customer alone (no opportunity changes) change what
		// a search or a grade selects: in the portal, and by plain SQL.
		s0 := listOf("admin", OpportunityFilter{Q: "冷链"})
		cu, err = w.svc.Customer(ctx, w.as("wangjianguo"), cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		in := CustomerInput{Name: "齐齐哈尔冷链物流公司", CreditCode: cu.CreditCode, Industry: cu.Industry, Grade: cu.Grade,
			Address: cu.Address, Region: cu.Region, Status: cu.Status, OwnerID: cu.OwnerID, Version: cu.Version}
		if cu.ChiefRepID != nil {
			in.ChiefRepID = *cu.ChiefRepID
		}
		if cu, err = w.svc.UpdateCustomer(ctx, w.as("wangjianguo"), cu.ID, in, true); err != nil {
			t.Fatal(err)
		}
		check("customer renamed")
		if s1 := listOf("admin", OpportunityFilter{Q: "冷链"}); s1.Count != s0.Count+2 {
			t.Fatalf("renamed customer's opportunities not found by the new name: %d → %d", s0.Count, s1.Count)
		}
		if err := d.Gorm.Exec("UPDATE customers SET search_text = REPLACE(search_text, '冷链', '') WHERE id = ?", cu.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("plain SQL search text")
		if s2 := listOf("admin", OpportunityFilter{Q: "冷链"}); s2.Count != s0.Count {
			t.Fatalf("plain SQL search text: %d, want %d", s2.Count, s0.Count)
		}
		if err := d.Gorm.Exec("UPDATE customers SET grade = CASE WHEN grade = 'C' THEN 'B' ELSE 'C' END WHERE id = ?", cu.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("plain SQL grade")

		// Some other program writes with plain SQL (an import tool, a
		// fix by hand): the triggers still invalidate.
		if err := d.Gorm.Exec("UPDATE opportunities SET monthly_fen = monthly_fen + 100 WHERE id = ?", o2.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("plain SQL value")
		if a3 := list("admin"); a3.MonthlyFen != a0.MonthlyFen+100 {
			t.Fatalf("plain SQL edit: monthly %d, want %d", a3.MonthlyFen, a0.MonthlyFen+100)
		}
		if err := d.Gorm.Exec("UPDATE opportunities SET deleted_at = ? WHERE id = ?", time.Now().UTC(), o2.ID).Error; err != nil {
			t.Fatal(err)
		}
		check("plain SQL delete")
		if a4 := list("admin"); a4.Count != a0.Count-1 {
			t.Fatalf("soft-deleted opportunity still counted: %d, want %d", a4.Count, a0.Count-1)
		}
		// More plain SQL, for SQLite's per-stage totals (migration 00035):
		// a restore, a stage and a probability changed at once, a row
		// inserted live and one inserted deleted, a deleted row changed,
		// and hard deletes of a live and a deleted row.
		for _, step := range []struct{ name, sql string }{
			{"plain SQL restore", "UPDATE opportunities SET deleted_at = NULL WHERE id = " + fmt.Sprint(o2.ID)},
			{"plain SQL stage and probability", "UPDATE opportunities SET stage = 'needs', probability = 35, one_time_fen = 777 WHERE id = " + fmt.Sprint(o2.ID)},
			{"plain SQL insert", "INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at) " +
				"SELECT customer_id, '手工录入', 4321, 10, 'visited', 20, owner_id, stage_changed_at, created_at, updated_at FROM opportunities WHERE id = " + fmt.Sprint(o2.ID)},
			{"plain SQL insert deleted", "INSERT INTO opportunities (customer_id, title, monthly_fen, stage, probability, owner_id, stage_changed_at, created_at, updated_at, deleted_at) " +
				"SELECT customer_id, '已删', 999, 'proposal', 50, owner_id, stage_changed_at, created_at, updated_at, updated_at FROM opportunities WHERE id = " + fmt.Sprint(o2.ID)},
			{"plain SQL edit of a deleted row", "UPDATE opportunities SET monthly_fen = 5, stage = 'identified' WHERE title = '已删'"},
			{"plain SQL hard delete", "DELETE FROM opportunities WHERE title IN ('手工录入', '已删')"},
			{"plain SQL stage history removed", "DELETE FROM stage_changes WHERE opportunity_id = " + fmt.Sprint(o2.ID)},
			{"plain SQL hard delete of a live row", "DELETE FROM opportunities WHERE id = " + fmt.Sprint(o2.ID)},
		} {
			if err := d.Gorm.Exec(step.sql).Error; err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			check(step.name)
			if d.Dialect != db.SQLite {
				continue
			}
			var kept, summed []oppTotalsRow
			if err := d.Gorm.Raw("SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_totals WHERE n <> 0 ORDER BY stage").Scan(&kept).Error; err != nil {
				t.Fatal(err)
			}
			if err := d.Gorm.Raw("SELECT stage, " + oppTotalsSelect + " FROM opportunities WHERE deleted_at IS NULL GROUP BY stage ORDER BY stage").Scan(&summed).Error; err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(kept) != fmt.Sprint(summed) {
				t.Fatalf("%s: the per-stage totals the triggers keep %v, the opportunities sum to %v", step.name, kept, summed)
			}
		}
	})
}

// TestVersionBumpsDoNotDeadlock (PostgreSQL; SQLite has one writer at a
// time): two transactions write tables of two data versions in opposite
// orders — an opportunity then a team's name, and a team's name then an
// opportunity — interleaved so that each holds its first row while it
// writes its second. With version rows locked as each write happens they
// would wait for each other forever (PostgreSQL would kill one); the
// deferred triggers take the version locks at commit, in one order, so
// both commit.
func TestVersionBumpsDoNotDeadlock(t *testing.T) {
	d := testkit.Postgres(t)
	ctx := context.Background()
	w := newWorld(t, d)
	am := w.as("liwei")
	var opps []uint
	for _, name := range []string{"牡丹江某医院", "佳木斯某学校"} {
		cu := w.customer(t, "liwei", name)
		o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: cu.ID, Title: "专线"})
		if err != nil {
			t.Fatal(err)
		}
		opps = append(opps, o.ID)
	}
	teams := []uint{w.as("liwei").TeamID, w.as("zhoujie").TeamID}
	before := map[string]int64{}
	for _, n := range []string{db.VersionOpportunities, db.VersionVisits} {
		v, err := db.DataVersion(ctx, d.Gorm, n)
		if err != nil {
			t.Fatal(err)
		}
		before[n] = v
	}
	var firstDone sync.WaitGroup
	firstDone.Add(2)
	errs := make(chan error, 2)
	run := func(i int) {
		errs <- db.WithTx(ctx, d.Gorm, func(ctx context.Context) error {
			conn := db.Conn(ctx, d.Gorm)
			opp := func() error {
				return conn.Exec("UPDATE opportunities SET monthly_fen = monthly_fen + 1 WHERE id = ?", opps[i]).Error
			}
			team := func() error {
				return conn.Exec("UPDATE teams SET name = name || '·' WHERE id = ?", teams[i]).Error
			}
			steps := []func() error{opp, team}
			if i == 1 {
				steps = []func() error{team, opp}
			}
			err := steps[0]()
			firstDone.Done()
			firstDone.Wait() // both hold their first row
			if err != nil {
				return err
			}
			return steps[1]()
		})
	}
	go run(0)
	go run(1)
	for range 2 {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatalf("a transaction failed (deadlock?): %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the two transactions wait for each other")
		}
	}
	for n, want := range map[string]int64{db.VersionOpportunities: before[db.VersionOpportunities] + 2, db.VersionVisits: before[db.VersionVisits] + 2} {
		v, err := db.DataVersion(ctx, d.Gorm, n)
		if err != nil {
			t.Fatal(err)
		}
		if v != want {
			t.Errorf("version %s: %d, want %d (one bump per transaction)", n, v, want)
		}
	}
}

// TestBranchBoardWalkSameCards: a director's board columns read by
// walking the stage in the column's order (branchWalk, SQLite) are the
// cards of the plain join — the branch's only (not another branch's, not
// a deleted customer's), ties on the amount in id order, and the next
// page after a card ("更多") — in every column, by value and by the
// latest result. On PostgreSQL both are the plain join.
func TestBranchBoardWalkSameCards(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		live := &Store{db: d.Gorm}
		mine := w.customer(t, "liwei", "哈尔滨某制造集团")
		peer := w.customer(t, "zhangjing", "哈尔滨某医院")
		gone := w.customer(t, "liwei", "哈尔滨某已注销公司")
		away := w.customer(t, "gaoyuan", "外地某集团")
		amounts := []string{"5,000", "8,800", "8,800", "1,200", "30,000", "8,800"}
		for i, cu := range []*Customer{mine, peer, gone, away} {
			owner := map[uint]string{mine.ID: "liwei", peer.ID: "zhangjing", gone.ID: "liwei", away.ID: "gaoyuan"}[cu.ID]
			for j, amount := range amounts {
				o, err := w.svc.CreateOpportunity(ctx, w.as(owner), OpportunityInput{CustomerID: cu.ID, Title: fmt.Sprint("专线", i, j), Monthly: amount})
				if err != nil {
					t.Fatal(err)
				}
				to := Stages[(i+j)%len(Stages)]
				if to != StageIdentified {
					if _, err := w.svc.MoveStage(ctx, w.as(owner), o.ID, StageMove{To: to, LostReason: "price"}); err != nil {
						t.Fatalf("move to %s: %v", to, err)
					}
				}
			}
		}
		if err := w.svc.DeleteCustomer(ctx, w.as("wangjianguo"), gone.ID); err != nil {
			t.Fatal(err)
		}
		director := w.as("wangjianguo")
		scope := w.svc.Scope(director, "read")
		walked := 0
		for _, st := range Stages {
			f := w.svc.boardFilter(director, OpportunityFilter{}, st)
			ff := f
			ff.Stages = []string{st}
			keys, _ := opportunityKeys(f)
			var want []OpportunityRow
			if err := live.opportunityQuery(ctx, scope, ff).Select(opportunityColumns).Order(db.Order(keys)).Scan(&want).Error; err != nil {
				t.Fatal(err)
			}
			walk, err := live.branchWalk(ctx, live.opportunityQuery(ctx, scope, ff), scope, ff, st, 1)
			if err != nil {
				t.Fatal(err)
			}
			// Walked with a limit of one when the branch has more than
			// one (of the province's three or four): on SQLite, in the
			// open columns only.
			if expect := d.Dialect == db.SQLite && slices.Contains(OpenStages, st) && len(want) > 1; walk != expect {
				t.Errorf("%s: walked %v with %d of the branch's cards, want %v", st, walk, len(want), expect)
			}
			if walk {
				walked++
			}
			ids := func(rows []OpportunityRow) []uint {
				out := []uint{}
				for _, r := range rows {
					out = append(out, r.ID)
				}
				return out
			}
			got, err := live.BoardCards(ctx, scope, f, st, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) > 0 && (len(got) != 1 || got[0].ID != want[0].ID) {
				t.Errorf("%s: the first card walked %v, the join's first %d", st, got, want[0].ID)
			}
			if got, err = live.BoardCards(ctx, scope, f, st, 0, 100); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(got)) != fmt.Sprint(ids(want)) {
				t.Errorf("%s: walked %v, the join says %v", st, ids(got), ids(want))
			}
			for _, r := range got {
				if r.CustomerID == away.ID || r.CustomerID == gone.ID {
					t.Errorf("%s: card %d of customer %d, outside the branch or deleted", st, r.ID, r.CustomerID)
				}
			}
			if len(want) > 1 {
				next, err := live.BoardCards(ctx, scope, f, st, want[0].ID, 100)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(ids(next)) != fmt.Sprint(ids(want[1:])) {
					t.Errorf("%s: after %d walked %v, the join says %v", st, want[0].ID, ids(next), ids(want[1:]))
				}
			}
		}
		if d.Dialect == db.SQLite && walked < 4 {
			t.Fatalf("only %d columns walked on SQLite: the walk is not tested", walked)
		}
		// A branch with fewer than 1/walkShare of a stage's opportunities
		// (here: none of another branch) is not walked.
		other := w.as("liuzhiqiang")
		oscope := w.svc.Scope(other, "read")
		for _, st := range OpenStages {
			f := w.svc.boardFilter(other, OpportunityFilter{}, st)
			f.Stages = []string{st}
			if walk, err := live.branchWalk(ctx, live.opportunityQuery(ctx, oscope, f), oscope, f, st, 1); err != nil || walk {
				t.Fatalf("%s: a branch without the stage's opportunities walked it (%v)", st, err)
			}
		}
	})
}
