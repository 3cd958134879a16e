package prospects

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// under makes the new customer a member of parent.
func under(parent *Customer) func(*CustomerInput) {
	return func(in *CustomerInput) { id := parent.ID; in.ParentID = &id }
}

// member makes a customer of owner and puts it under parent (as the
// director, who sees both).
func (w *world) member(t *testing.T, owner, name string, parent *Customer, mods ...func(*CustomerInput)) *Customer {
	t.Helper()
	c := w.customer(t, owner, name, mods...)
	c, err := w.svc.SetParent(context.Background(), w.as("wangjianguo"), c.ID, parent.ID, c.Version)
	if err != nil {
		t.Fatalf("member %s: %v", name, err)
	}
	return c
}

// reload reads a customer again, unscoped.
func (w *world) reload(t *testing.T, id uint) *Customer {
	t.Helper()
	c, err := w.svc.store.Customer(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParentCyclesAreRefused(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		boss := w.as("wangjianguo")
		root := w.customer(t, "liwei", "华东能源集团")
		mid := w.member(t, "liwei", "华东能源销售公司", root)
		low := w.member(t, "zhoujie", "华东能源销售一厂", mid)
		leaf := w.member(t, "liwei", "华东能源销售一厂车间", low)
		if p := w.reload(t, w.customer(t, "liwei", "华东能源新厂", under(root)).ID).ParentID; p == nil || *p != root.ID {
			t.Fatalf("create with parent: %v", p)
		}
		if _, err := w.svc.CreateCustomer(ctx, w.as("zhoujie"), CustomerInput{Name: "周杰的新厂", CreditCode: code(t), Industry: "gov", Grade: "C", ParentID: &root.ID}, false); !isField(err, "parent_id", "hierarchy.v.parent") {
			t.Fatalf("create under a customer one may not see: %v", err)
		}
		cases := []struct {
			name       string
			id, parent uint
			loop       []string
		}{
			{"self", root.ID, root.ID, []string{"华东能源集团", "华东能源集团"}},
			{"direct", mid.ID, low.ID, []string{"华东能源销售公司", "华东能源销售一厂", "华东能源销售公司"}},
			{"deep", root.ID, leaf.ID, []string{"华东能源集团", "华东能源销售一厂车间", "华东能源销售一厂", "华东能源销售公司", "华东能源集团"}},
		}
		for _, tc := range cases {
			before := w.reload(t, tc.id)
			_, err := w.svc.SetParent(ctx, boss, tc.id, tc.parent, before.Version)
			var cyc *CycleError
			if !errors.As(err, &cyc) || !slices.Equal(cyc.Loop, tc.loop) {
				t.Fatalf("%s: got %v (%#v), want loop %v", tc.name, err, cyc, tc.loop)
			}
			if f, ok := apperr.AsFields(err); !ok || f["parent_id"] == "" {
				t.Errorf("%s: the API sees no field error: %v", tc.name, err)
			}
			after := w.reload(t, tc.id)
			if after.Version != before.Version || derefID(after.ParentID) != derefID(before.ParentID) {
				t.Errorf("%s: a refused move changed the customer: %+v", tc.name, after)
			}
		}
		// The same rule through the form's update.
		in := CustomerInput{Name: root.Name, CreditCode: root.CreditCode, Industry: root.Industry, Grade: root.Grade, Status: root.Status,
			Version: w.reload(t, root.ID).Version, ParentID: &low.ID}
		if _, err := w.svc.UpdateCustomer(ctx, boss, root.ID, in, false); !errors.As(err, new(*CycleError)) {
			t.Fatalf("update into a loop: %v", err)
		}
		// liwei may not see low (zhoujie's): its name is left out of the loop.
		_, err := w.svc.SetParent(ctx, w.as("liwei"), mid.ID, leaf.ID, w.reload(t, mid.ID).Version)
		var cyc *CycleError
		if !errors.As(err, &cyc) || !slices.Equal(cyc.Loop, []string{"华东能源销售公司", "华东能源销售一厂车间", "", "华东能源销售公司"}) {
			t.Fatalf("hidden member in the loop: %v %#v", err, cyc)
		}
		// A parent the actor may not see is refused like a missing one.
		other := w.customer(t, "zhoujie", "金融客户甲")
		if _, err := w.svc.SetParent(ctx, w.as("liwei"), root.ID, other.ID, w.reload(t, root.ID).Version); !isField(err, "parent_id", "hierarchy.v.parent") {
			t.Fatalf("hidden parent: %v", err)
		}
		// Stale version: a conflict, nothing written.
		if _, err := w.svc.SetParent(ctx, boss, leaf.ID, root.ID, leaf.Version-1); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		// A valid move is written, audited, and clears with 0.
		moved, err := w.svc.SetParent(ctx, boss, leaf.ID, root.ID, w.reload(t, leaf.ID).Version)
		if err != nil || derefID(w.reload(t, leaf.ID).ParentID) != root.ID || moved.Version != w.reload(t, leaf.ID).Version {
			t.Fatalf("move: %v", err)
		}
		var n int64
		d.Gorm.Table("audit_log").Where("entity = ? AND entity_id = ? AND action = ?", "customer", leaf.ID, ActionSetParent).Count(&n)
		if n != 2 { // put under low when made, then moved
			t.Errorf("set_parent audited %d times", n)
		}
		if _, err := w.svc.SetParent(ctx, boss, leaf.ID, 0, w.reload(t, leaf.ID).Version); err != nil || w.reload(t, leaf.ID).ParentID != nil {
			t.Fatalf("clear parent: %v", err)
		}
		// A group with members cannot be deleted.
		if err := w.svc.DeleteCustomer(ctx, boss, mid.ID); !errors.Is(err, ErrHasMembers) {
			t.Fatalf("delete with members: %v", err)
		}
		if err := w.svc.DeleteCustomer(ctx, boss, leaf.ID); err != nil {
			t.Fatalf("delete leaf: %v", err)
		}
	})
}

// addOpp stores an opportunity straight away (the figures, not the
// opportunity rules, are under test).
func (w *world) addOpp(t *testing.T, c *Customer, stage string, monthly money.Fen, changed time.Time) {
	t.Helper()
	o := &Opportunity{CustomerID: c.ID, Title: "商机", Stage: stage, MonthlyFen: monthly, OwnerID: c.OwnerID, StageChangedAt: changed}
	if err := w.svc.store.CreateOpportunity(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

func TestRollupPerRole(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		w.svc.SetClock(func() time.Time { return now })
		root := w.customer(t, "liwei", "华东能源集团")
		a := w.member(t, "liwei", "申江销售公司", root)
		a1 := w.member(t, "zhoujie", "滨海隐藏一厂", a)
		b := w.member(t, "zhoujie", "云岭隐藏公司", root)
		b1 := w.member(t, "liwei", "松江可见二厂", b)
		unrelated := w.customer(t, "liwei", "别的集团")
		// Open pipeline: 1 + 2 visible (root, a), 40 + 80 hidden, 160 visible below a hidden one.
		w.addOpp(t, root, StageProposal, 100, now)
		w.addOpp(t, a, StageNeeds, 200, now)
		w.addOpp(t, a1, StageNeeds, 4000, now)
		w.addOpp(t, b, StageNegotiation, 8000, now)
		w.addOpp(t, b1, StageIdentified, 16000, now)
		w.addOpp(t, unrelated, StageProposal, 999999, now)
		// Won this year: a (visible) 300, b (hidden) 5000; a's win of last year does not count.
		w.addOpp(t, a, StageWon, 300, now.AddDate(0, -2, 0))
		w.addOpp(t, a, StageWon, 7, time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC))
		w.addOpp(t, b, StageWon, 5000, now)
		for _, c := range []*Customer{root, a1} {
			if err := w.svc.store.CreateContact(ctx, &Contact{CustomerID: c.ID, Name: "王经理", Role: "decision", Attitude: "neutral"}); err != nil {
				t.Fatal(err)
			}
		}
		// Revenue of the latest billed month (November): root 2,000 and
		// b (hidden from liwei) 50,000; October does not count.
		for _, sql := range []string{
			`INSERT INTO products (code, name_zh, name_en, category, unit, monthly_fen, created_at, updated_at) VALUES ('P1', '专线', 'Line', 'dedicated_line', '条', 100, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
			`INSERT INTO usage_imports (source, ym, file_name, row_count, revenue_fen, imported_by, imported_at) VALUES ('billing', 202611, 'x.csv', 3, 0, 1, CURRENT_TIMESTAMP)`,
		} {
			if err := d.Gorm.Exec(sql).Error; err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []struct {
			c  *Customer
			ym int
			v  int64
		}{{root, 202610, 1000}, {root, 202611, 2000}, {b, 202611, 50000}} {
			if err := d.Gorm.Exec(`INSERT INTO usage_months (import_id, source, ym, customer_id, product_id, revenue_fen)
				VALUES ((SELECT MIN(id) FROM usage_imports), 'billing', ?, ?, (SELECT MIN(id) FROM products), ?)`, u.ym, u.c.ID, u.v).Error; err != nil {
				t.Fatal(err)
			}
		}
		type want struct {
			members, hidden, open, openOpps, won, wonOpps, persons, revenue int64
		}
		for _, tc := range []struct {
			who  string
			want want
		}{
			{"wangjianguo", want{4, 0, 28300, 5, 5300, 2, 2, 52000}},
			{"zhaomin", want{4, 2, 16300, 3, 300, 1, 1, 2000}}, // team 1: liwei's customers only
			{"liwei", want{4, 2, 16300, 3, 300, 1, 1, 2000}},
		} {
			r, err := w.svc.Rollup(ctx, w.as(tc.who), root.ID, time.UTC)
			if err != nil {
				t.Fatalf("%s: %v", tc.who, err)
			}
			got := want{r.Members, r.Hidden, int64(r.OpenMonthlyFen), r.OpenOpps, int64(r.WonMonthlyFen), r.WonOpps, r.KeyPersons, int64(r.RevenueFen)}
			if r.RevenueMonth != 202611 {
				t.Errorf("%s: revenue month %d", tc.who, r.RevenueMonth)
			}
			if got != tc.want {
				t.Errorf("%s: got %+v want %+v", tc.who, got, tc.want)
			}
		}
		// zhoujie may not see the root: no roll-up at all.
		if _, err := w.svc.Rollup(ctx, w.as("zhoujie"), root.ID, time.UTC); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("zhoujie: %v", err)
		}
		// The tree's first level: liwei sees a, b only as one other member,
		// and b1 (his, below b) attached to the root through it.
		lv, err := w.svc.Members(ctx, w.as("liwei"), root.ID, 0)
		if err != nil || len(lv.Rows) != 2 || !ids(lv.Rows)[a.ID] || !ids(lv.Rows)[b1.ID] || !lv.Via[b1.ID] || lv.Via[a.ID] || lv.Hidden != 1 || lv.Total != 3 {
			t.Fatalf("liwei's level: %v %+v", err, lv)
		}
		if lv.Grandchildren[a.ID] != 1 {
			t.Errorf("a's members: %v", lv.Grandchildren)
		}
		lv, err = w.svc.Members(ctx, w.as("wangjianguo"), root.ID, 0)
		if err != nil || len(lv.Rows) != 2 || lv.Hidden != 0 {
			t.Fatalf("director's level: %v %+v", err, lv)
		}
		// The chain above b1 for liwei: the root by name, b hidden.
		crumbs, err := w.svc.Ancestors(ctx, w.as("liwei"), w.reload(t, b1.ID))
		if err != nil || len(crumbs) != 2 || crumbs[0].Name != root.Name || crumbs[1].Visible || crumbs[1].Name != "" {
			t.Fatalf("crumbs: %v %+v", err, crumbs)
		}
	})
}

func TestListGroupFilterAndTree(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		root := w.customer(t, "liwei", "华东能源集团")
		a := w.member(t, "liwei", "申江销售公司", root, func(in *CustomerInput) { in.Grade = "A" })
		a1 := w.member(t, "liwei", "滨海销售一厂", a)
		b := w.member(t, "zhoujie", "云岭隐藏公司", root)
		b1 := w.member(t, "liwei", "松江可见二厂", b)
		w.customer(t, "liwei", "别的集团")
		got := func(who string, f CustomerFilter) map[uint]bool {
			t.Helper()
			list, total, err := w.svc.ListCustomers(ctx, w.as(who), f)
			if err != nil {
				t.Fatal(err)
			}
			if int(total) != len(list) && f.Limit == 0 {
				t.Fatalf("total %d for %d rows", total, len(list))
			}
			return ids(list)
		}
		same := func(label string, got map[uint]bool, want ...*Customer) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: got %v, want %d", label, got, len(want))
			}
			for _, c := range want {
				if !got[c.ID] {
					t.Errorf("%s: %s missing", label, c.Name)
				}
			}
		}
		same("director group", got("wangjianguo", CustomerFilter{Group: root.ID, Limit: 50}), root, a, a1, b, b1)
		same("liwei group", got("liwei", CustomerFilter{Group: root.ID, Limit: 50}), root, a, a1, b1)
		same("group of a", got("wangjianguo", CustomerFilter{Group: a.ID, Limit: 50}), a, a1)
		same("group and grade", got("wangjianguo", CustomerFilter{Group: root.ID, Grade: "A", Limit: 50}), a)
		// The tree view's roots: a customer is a root when the filter
		// drops its parent (scope included).
		same("director roots", got("wangjianguo", CustomerFilter{Group: root.ID, Tree: true, Limit: 50}), root)
		same("liwei roots", got("liwei", CustomerFilter{Group: root.ID, Tree: true, Limit: 50}), root, b1)
		same("grade roots", got("wangjianguo", CustomerFilter{Grade: "B", Tree: true, Limit: 50}), root, a1, firstNamed(t, w, "别的集团"))
		rows, err := w.svc.store.TreeMembers(ctx, w.svc.Scope(w.as("liwei"), "read"), CustomerFilter{}, []uint{root.ID, b1.ID}, 100)
		if err != nil {
			t.Fatal(err)
		}
		depth := map[uint]int{}
		for _, r := range rows {
			depth[r.ID] = r.Depth
		}
		if len(rows) != 2 || depth[a.ID] != 1 || depth[a1.ID] != 2 {
			t.Fatalf("liwei's members under the roots: %+v", rows)
		}
		// The parent picker leaves out the customer and its members.
		same("not under a", got("wangjianguo", CustomerFilter{Group: root.ID, NotUnder: a.ID, Limit: 50}), root, b, b1)
	})
}

func firstNamed(t *testing.T, w *world, name string) *Customer {
	t.Helper()
	var c Customer
	if err := w.d.Gorm.Where("name = ?", name).First(&c).Error; err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestImportWithParentCodes(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		boss := w.as("wangjianguo")
		existing := w.customer(t, "liwei", "华东能源集团")
		hidden := w.customer(t, "gaoyuan", "外地集团")
		row := func(line int, name, code, parent string) ImportRow {
			return ImportRow{Line: line, Customer: CustomerInput{Name: name, CreditCode: code, Industry: "energy", Grade: "B"},
				OwnerUsername: "liwei", ParentCode: parent}
		}
		plant, sub := code(t), code(t)
		// The plant comes before its parent in the file.
		rows := []ImportRow{row(2, "华东能源一厂", plant, sub), row(3, "华东能源销售公司", sub, existing.CreditCode)}
		rep, err := w.svc.Import(ctx, boss, rows, true)
		if err != nil || !rep.Committed {
			t.Fatalf("import: %v %+v", err, rep)
		}
		s, err := w.svc.store.CustomerByCode(ctx, sub)
		if err != nil || derefID(s.ParentID) != existing.ID {
			t.Fatalf("sub's parent: %v %+v", err, s)
		}
		p, err := w.svc.store.CustomerByCode(ctx, plant)
		if err != nil || derefID(p.ParentID) != s.ID {
			t.Fatalf("plant's parent: %v %+v", err, p)
		}
		// Unknown, hidden (another branch's) and looping parents: row
		// errors, nothing imported.
		x, y, z, u := code(t), code(t), code(t), code(t)
		rows = []ImportRow{
			row(2, "未知上级公司", x, code(t)),
			row(3, "无权上级公司", y, hidden.CreditCode),
			row(4, "循环甲公司", z, u),
			row(5, "循环乙公司", u, z),
		}
		rep, err = w.svc.Import(ctx, boss, rows, true)
		if err != nil || rep.Committed {
			t.Fatalf("bad parents imported: %v %+v", err, rep)
		}
		want := map[int]string{2: "hierarchy.v.parent_code", 3: "hierarchy.v.parent_code", 4: "hierarchy.v.parent_cycle", 5: "hierarchy.v.parent_cycle"}
		for _, pr := range rep.Problems {
			if want[pr.Line] == pr.MsgID && pr.Field == "parent_code" {
				delete(want, pr.Line)
			}
		}
		if len(want) != 0 {
			t.Fatalf("missing problems %v in %+v", want, rep.Problems)
		}
		if _, err := w.svc.store.CustomerByCode(ctx, x); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a row of a refused file was saved: %v", err)
		}
	})
}

// TestTreeReachesVisibleBelowHidden: a member the viewer may see whose
// parent (or whole chain up to a visible unit) the viewer may not see is
// listed on the level of its nearest visible ancestor, marked Via; the
// hidden units are counted there and nothing of them is returned. Per role
// on a hand-built tree, both databases.
func TestTreeReachesVisibleBelowHidden(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		// root (liwei)
		// ├─ a (liwei)
		// │  └─ a1 (zhoujie)
		// │     └─ a1x (liwei)
		// └─ b (zhoujie)
		//    ├─ b1 (liwei)
		//    └─ b2 (zhoujie)
		//       └─ b21 (zhangjing)
		//          └─ b211 (liwei)
		root := w.customer(t, "liwei", "华东能源集团")
		a := w.member(t, "liwei", "申江销售公司", root)
		a1 := w.member(t, "zhoujie", "滨海隐藏一厂", a)
		a1x := w.member(t, "liwei", "滨海可见车间", a1)
		b := w.member(t, "zhoujie", "云岭隐藏公司", root)
		b1 := w.member(t, "liwei", "松江可见二厂", b)
		b2 := w.member(t, "zhoujie", "云岭隐藏二厂", b)
		b21 := w.member(t, "zhangjing", "张静的分厂", b2)
		b211 := w.member(t, "liwei", "李伟的车间", b21)
		name := map[uint]string{}
		for _, c := range []*Customer{root, a, a1, a1x, b, b1, b2, b21, b211} {
			name[c.ID] = c.Name
		}
		type want struct {
			rows   []*Customer
			via    []*Customer
			hidden int64
		}
		check := func(who string, of *Customer, wt want) {
			t.Helper()
			lv, err := w.svc.Members(ctx, w.as(who), of.ID, 0)
			if err != nil {
				t.Fatalf("%s, level of %s: %v", who, of.Name, err)
			}
			got := map[uint]bool{}
			for _, r := range lv.Rows {
				got[r.ID] = true
				if !w.svc.Can(w.as(who), "read", &r) {
					t.Errorf("%s, level of %s: returned %s, which they may not read", who, of.Name, r.Name)
				}
			}
			if len(got) != len(wt.rows) {
				t.Errorf("%s, level of %s: rows %v, want %d", who, of.Name, lv.Rows, len(wt.rows))
			}
			for _, c := range wt.rows {
				if !got[c.ID] {
					t.Errorf("%s, level of %s: %s missing", who, of.Name, c.Name)
				}
			}
			vias := 0
			for id, v := range lv.Via {
				if v {
					vias++
					if !got[id] {
						t.Errorf("%s, level of %s: Via names %d, not a listed row", who, of.Name, id)
					}
				}
			}
			if vias != len(wt.via) {
				t.Errorf("%s, level of %s: %d via, want %d", who, of.Name, vias, len(wt.via))
			}
			for _, c := range wt.via {
				if !lv.Via[c.ID] {
					t.Errorf("%s, level of %s: %s not marked via a hidden unit", who, of.Name, c.Name)
				}
			}
			for id := range lv.Grandchildren {
				if !got[id] {
					t.Errorf("%s, level of %s: member counts of unlisted %s", who, of.Name, name[id])
				}
			}
			if lv.Hidden != wt.hidden || lv.Total != int64(len(wt.rows))+wt.hidden {
				t.Errorf("%s, level of %s: hidden %d total %d, want %d and %d", who, of.Name, lv.Hidden, lv.Total, wt.hidden, int64(len(wt.rows))+wt.hidden)
			}
		}
		// The director sees everything: plain levels.
		check("wangjianguo", root, want{rows: []*Customer{a, b}})
		check("wangjianguo", b, want{rows: []*Customer{b1, b2}})
		check("wangjianguo", b21, want{rows: []*Customer{b211}})
		// The chief rep (team 1: liwei, zhangjing): b and b2 are another
		// team's; b1 and b21 hang from the root, a1x from a.
		check("zhaomin", root, want{rows: []*Customer{a, b1, b21}, via: []*Customer{b1, b21}, hidden: 2})
		check("zhaomin", a, want{rows: []*Customer{a1x}, via: []*Customer{a1x}, hidden: 1})
		check("zhaomin", b21, want{rows: []*Customer{b211}})
		// liwei sees his own only: b211 is reached through b, b2 and b21.
		check("liwei", root, want{rows: []*Customer{a, b1, b211}, via: []*Customer{b1, b211}, hidden: 3})
		check("liwei", a, want{rows: []*Customer{a1x}, via: []*Customer{a1x}, hidden: 1})
		check("liwei", a1x, want{})
		// zhoujie cannot open the root; from his b, liwei's b1 is hidden and
		// b2 his; below b2 nothing is his.
		if _, err := w.svc.Members(ctx, w.as("zhoujie"), root.ID, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("zhoujie opens the root's level: %v", err)
		}
		check("zhoujie", b, want{rows: []*Customer{b2}, hidden: 1})
		check("zhoujie", b2, want{hidden: 2})
		// Paging works on the level's visible rows: one at a time, liwei
		// gets each of his three once.
		seen := map[uint]bool{}
		for off := 0; off < 3; off++ {
			page, err := w.svc.store.ChildrenOf(ctx, w.svc.Scope(w.as("liwei"), "read"), root.ID, off, 1)
			if err != nil || len(page.Rows) != 1 || seen[page.Rows[0].ID] {
				t.Fatalf("page %d: %v %+v", off, err, page)
			}
			seen[page.Rows[0].ID] = true
		}
		// The roll-up counts the same hidden units as the levels together.
		r, err := w.svc.Rollup(ctx, w.as("liwei"), root.ID, time.UTC)
		if err != nil || r.Hidden != 4 {
			t.Fatalf("liwei's roll-up hides %d (%v), want a1, b, b2, b21", r.Hidden, err)
		}
	})
}
