package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
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
		// ordered reports whether a's key sorts before b's, ids last.
		ordered := func(a, b any, ida, idb uint, desc bool) bool {
			c := compareAny(a, b)
			if c == 0 {
				c = cmp.Compare(ida, idb)
			}
			if desc {
				c = -c
			}
			return c < 0
		}
		var checked int
		for _, who := range []string{"admin", "wangjianguo", "zhaomin", "liwei"} {
			scope := enf.ListScope(subject(t, a, who), "customer", "read")
			for sort := range proposals.Sorts {
				for _, desc := range []bool{false, true} {
					name := fmt.Sprintf("%s proposals by %s desc=%v", who, sort, desc)
					all, n, err := pst.List(ctx, scope, proposals.Filter{Sort: sort, Desc: desc})
					if err != nil {
						t.Fatal(err)
					}
					var pages, keyset []uint
					var after []any
					for off := 0; off < int(n)+7; off += 7 {
						f := proposals.Filter{Sort: sort, Desc: desc, Limit: 7, Offset: off}
						rows, _, err := pst.List(ctx, scope, f)
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range rows {
							pages = append(pages, r.ID)
						}
						f.Offset, f.After = 0, after
						rows, _, err = pst.List(ctx, scope, f)
						if err != nil {
							t.Fatal(err)
						}
						for i := range rows {
							keyset = append(keyset, rows[i].ID)
							after = proposals.Position(f, &rows[i])
						}
					}
					ids := make([]uint, len(all))
					for i, r := range all {
						ids[i] = r.ID
						if i > 0 && !ordered(proposals.Position(proposals.Filter{Sort: sort}, &all[i-1])[0], proposals.Position(proposals.Filter{Sort: sort}, &r)[0], all[i-1].ID, r.ID, desc) {
							t.Errorf("%s: %d before %d out of order", name, all[i-1].ID, r.ID)
						}
					}
					if len(ids) != int(n) || fmt.Sprint(pages) != fmt.Sprint(ids) || fmt.Sprint(keyset) != fmt.Sprint(ids) {
						t.Errorf("%s: %d rows counted, %d listed\n pages  %v\n keyset %v\n whole  %v", name, n, len(ids), pages, keyset, ids)
					}
					checked += len(ids)
				}
			}
			for sort := range contracts.Sorts {
				for _, desc := range []bool{false, true} {
					name := fmt.Sprintf("%s contracts by %s desc=%v", who, sort, desc)
					all, n, err := cst.List(ctx, scope, contracts.Filter{Sort: sort, Desc: desc})
					if err != nil {
						t.Fatal(err)
					}
					var pages, keyset []uint
					var after []any
					for off := 0; off < int(n)+7; off += 7 {
						f := contracts.Filter{Sort: sort, Desc: desc, Limit: 7, Offset: off}
						rows, _, err := cst.List(ctx, scope, f)
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range rows {
							pages = append(pages, r.ID)
						}
						f.Offset, f.After = 0, after
						rows, _, err = cst.List(ctx, scope, f)
						if err != nil {
							t.Fatal(err)
						}
						for i := range rows {
							keyset = append(keyset, rows[i].ID)
							after = contracts.Position(f, &rows[i])
						}
					}
					ids := make([]uint, len(all))
					for i, r := range all {
						ids[i] = r.ID
						if i > 0 && !ordered(contracts.Position(contracts.Filter{Sort: sort}, &all[i-1])[0], contracts.Position(contracts.Filter{Sort: sort}, &r)[0], all[i-1].ID, r.ID, desc) {
							t.Errorf("%s: %d before %d out of order", name, all[i-1].ID, r.ID)
						}
					}
					if len(ids) != int(n) || fmt.Sprint(pages) != fmt.Sprint(ids) || fmt.Sprint(keyset) != fmt.Sprint(ids) {
						t.Errorf("%s: %d rows counted, %d listed\n pages  %v\n keyset %v\n whole  %v", name, n, len(ids), pages, keyset, ids)
					}
					checked += len(ids)
				}
			}
		}
		if checked == 0 {
			t.Fatal("no proposal or contract listed: the check proves nothing")
		}
	})
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
