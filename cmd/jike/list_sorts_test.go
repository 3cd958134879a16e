package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/proposals"
	"gorm.io/gorm"
)

// TestScopedListSortsPageExactly: a person's, a team's or a branch's
// proposals and contracts in another order than last updated are read as
// a set and then sorted (db.FencedPage, PostgreSQL); the admin's walk the
// order's index (migration 00057). For every role, order and direction,
// the pages of 7 (by offset, and by keyset position as the API reads
// them) must be the whole scope's rows exactly once, in the order's
// value then id, on both databases.
func TestScopedListSortsPageExactly(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		ctx := context.Background()
		enf, err := authz.New()
		if err != nil {
			t.Fatal(err)
		}
		pst, cst := proposals.NewStore(d.Gorm), contracts.NewStore(d.Gorm)
		var checked int
		for _, who := range []string{"admin", "wangjianguo", "zhaomin", "liwei"} {
			scope := enf.ListScope(subject(t, a, who), "customer", "read")
			for sort := range proposals.Sorts {
				for _, desc := range []bool{false, true} {
					checked += pagesExact(t, fmt.Sprintf("%s proposals by %s desc=%v", who, sort, desc), desc,
						func(limit, offset int, after []any) ([]proposals.Row, int64, error) {
							return pst.List(ctx, scope, proposals.Filter{Sort: sort, Desc: desc, Limit: limit, Offset: offset, After: after})
						},
						func(r *proposals.Row) uint { return r.ID },
						func(r *proposals.Row) []any { return proposals.Position(proposals.Filter{Sort: sort, Desc: desc}, r) })
				}
			}
			for sort := range contracts.Sorts {
				for _, desc := range []bool{false, true} {
					checked += pagesExact(t, fmt.Sprintf("%s contracts by %s desc=%v", who, sort, desc), desc,
						func(limit, offset int, after []any) ([]contracts.Row, int64, error) {
							return cst.List(ctx, scope, contracts.Filter{Sort: sort, Desc: desc, Limit: limit, Offset: offset, After: after})
						},
						func(r *contracts.Row) uint { return r.ID },
						func(r *contracts.Row) []any { return contracts.Position(contracts.Filter{Sort: sort, Desc: desc}, r) })
				}
			}
		}
		if checked == 0 {
			t.Fatal("no proposal or contract listed: the check proves nothing")
		}
	})
}

// TestScopedListSearchesPageExactly: searched, a branch's contracts are
// read as a set, then sorted, and the province's contract count and
// proposal totals of a term common among the customers and rare in the
// rows' own texts (a credit code's start: the demo's titles hold the
// customers' names) are read as the customers' part and the own texts'
// part added up (db.SearchParts, on PostgreSQL once ANALYZE has told how
// common the term is). For every
// role, term and order, the pages (by offset and keyset) are the whole
// list once each and the count is theirs, the proposals' totals the
// listed rows' sums; both databases.
func TestScopedListSearchesPageExactly(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		ctx := context.Background()
		if d.Dialect == db.Postgres {
			if err := d.Gorm.Exec("ANALYZE customers; ANALYZE contracts; ANALYZE proposals").Error; err != nil {
				t.Fatal(err)
			}
		}
		enf, err := authz.New()
		if err != nil {
			t.Fatal(err)
		}
		var split int
		cb := d.Gorm.Callback()
		var mu sync.Mutex
		seen := func(tx *gorm.DB) {
			if sql := tx.Statement.SQL.String(); strings.Contains(sql, " UNION ALL ") && strings.Contains(sql, "IS NOT TRUE") {
				mu.Lock()
				split++
				mu.Unlock()
			}
		}
		if err := cb.Query().After("gorm:query").Register("test:split", seen); err != nil {
			t.Fatal(err)
		}
		if err := cb.Row().After("gorm:row").Register("test:split", seen); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cb.Query().Remove("test:split"); _ = cb.Row().Remove("test:split") })
		// Fresh stores: they read the statistics ANALYZE just made.
		pst, cst := proposals.NewStore(d.Gorm), contracts.NewStore(d.Gorm)
		var checked int
		for _, who := range []string{"admin", "wangjianguo", "zhaomin", "liwei"} {
			scope := enf.ListScope(subject(t, a, who), "customer", "read")
			for _, q := range []string{"91230", "有限公司", "大庆", "哈尔滨", "专线", "不存在的名字"} {
				for _, sort := range []string{"updated", "number"} {
					desc := sort == "updated"
					checked += pagesExact(t, fmt.Sprintf("%s contracts of %q by %q", who, q, sort), desc,
						func(limit, offset int, after []any) ([]contracts.Row, int64, error) {
							return cst.List(ctx, scope, contracts.Filter{Q: q, Sort: sort, Desc: desc, Limit: limit, Offset: offset, After: after})
						},
						func(r *contracts.Row) uint { return r.ID },
						func(r *contracts.Row) []any { return contracts.Position(contracts.Filter{Sort: sort, Desc: desc}, r) })
				}
				rows, _, err := pst.List(ctx, scope, proposals.Filter{Q: q})
				if err != nil {
					t.Fatal(err)
				}
				tot, err := pst.ListTotals(ctx, scope, proposals.Filter{Q: q})
				if err != nil {
					t.Fatal(err)
				}
				var want proposals.Totals
				for _, r := range rows {
					want.Count++
					want.MonthlyFen += int64(r.MonthlyFen)
					want.OneTimeFen += int64(r.OneTimeFen)
					want.TotalFen += int64(r.TotalFen)
				}
				if tot != want {
					t.Errorf("%s proposals of %q: totals %+v, the rows add up to %+v", who, q, tot, want)
				}
			}
		}
		if checked == 0 {
			t.Fatal("no contract listed: the check proves nothing")
		}
		if (split > 0) != (d.Dialect == db.Postgres) {
			t.Errorf("%d aggregates read in two parts on %s", split, d.Dialect)
		}
	})
}

// pagesExact checks a list's pages of 7, read by offset and by keyset
// position (pos: a row's sort value, then its id), against the whole
// list read at once: every row exactly once, in order of its sort value
// then its id (reversed when desc). It returns how many rows it checked.
func pagesExact[R any](t *testing.T, name string, desc bool, list func(limit, offset int, after []any) ([]R, int64, error), id func(*R) uint, pos func(*R) []any) int {
	t.Helper()
	all, n, err := list(0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pages, keyset []uint
	var after []any
	for off := 0; off < int(n)+7; off += 7 {
		rows, _, err := list(7, off, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			pages = append(pages, id(&rows[i]))
		}
		if rows, _, err = list(7, 0, after); err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			keyset = append(keyset, id(&rows[i]))
			after = pos(&rows[i])
		}
	}
	ids := make([]uint, len(all))
	for i := range all {
		ids[i] = id(&all[i])
		if i == 0 {
			continue
		}
		c := compareAny(pos(&all[i-1])[0], pos(&all[i])[0])
		if c == 0 {
			c = cmp.Compare(ids[i-1], ids[i])
		}
		if desc {
			c = -c
		}
		if c >= 0 {
			t.Errorf("%s: %d before %d out of order", name, ids[i-1], ids[i])
		}
	}
	if len(ids) != int(n) || fmt.Sprint(pages) != fmt.Sprint(ids) || fmt.Sprint(keyset) != fmt.Sprint(ids) {
		t.Errorf("%s: %d rows counted, %d listed\n pages  %v\n keyset %v\n whole  %v", name, n, len(ids), pages, keyset, ids)
	}
	return len(ids)
}

// compareAny compares two sort values of one kind (text, number, time).
func compareAny(a, b any) int {
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case int64:
		return cmp.Compare(x, b.(int64))
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	panic(fmt.Sprintf("compareAny: %T", a))
}

// TestProposalAndContractSortsReadTheirIndex: the admin's proposals and
// contracts in every order their lists offer are read along an index
// (migration 00057), not sorted: with sorting priced out of PostgreSQL's
// reach (enable_sort off), a plan that still sorts has no index giving the
// order, whatever the tables' size. The customer sort follows the
// customers' name index through the join. PostgreSQL's plans; SQLite's
// pages are TestScopedListSortsPageExactly's.
func TestProposalAndContractSortsReadTheirIndex(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, db.Postgres)
	a := demoAppOn(t, d)
	ctx := context.Background()
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	scope := enf.ListScope(subject(t, a, "admin"), "customer", "read")
	plan := func(q *gorm.DB) string {
		stmt := q.Session(&gorm.Session{DryRun: true}).Find(&[]map[string]any{}).Statement
		var lines []string
		err := db.WithPlannerSetting(ctx, d.Gorm, "enable_sort", "off", func(ctx context.Context) error {
			return db.Conn(ctx, d.Gorm).Raw("EXPLAIN "+stmt.SQL.String(), stmt.Vars...).Scan(&lines).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	sorts := func(p string) bool {
		for _, l := range strings.Split(p, "\n") {
			if l = strings.TrimLeft(l, " ->"); strings.HasPrefix(l, "Sort  (") {
				return true
			}
		}
		return false
	}
	pst, cst := proposals.NewStore(d.Gorm), contracts.NewStore(d.Gorm)
	for sort := range proposals.Sorts {
		for _, desc := range []bool{false, true} {
			if p := plan(pst.PageQuery(ctx, scope, proposals.Filter{Sort: sort, Desc: desc, Latest: true, Limit: 25})); sorts(p) {
				t.Errorf("proposals by %s (desc %v) are sorted:\n%s", sort, desc, p)
			}
		}
	}
	for sort := range contracts.Sorts {
		for _, desc := range []bool{false, true} {
			if p := plan(cst.PageQuery(ctx, scope, contracts.Filter{Sort: sort, Desc: desc, Limit: 25})); sorts(p) {
				t.Errorf("contracts by %s (desc %v) are sorted:\n%s", sort, desc, p)
			}
		}
	}
}
