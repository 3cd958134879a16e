package prospects

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// keptPairs reads what the database holds as each customer's pairs: the
// customer_bigrams rows on SQLite, search_bigrams(search_text) on
// PostgreSQL (what its index holds).
func keptPairs(t *testing.T, d *db.DB) map[uint][]string {
	t.Helper()
	out := map[uint][]string{}
	type row struct {
		ID   uint
		Gram string
	}
	var rows []row
	q := "SELECT customer_id AS id, gram FROM customer_bigrams"
	if d.Dialect == db.Postgres {
		q = "SELECT DISTINCT id, unnest(search_bigrams(search_text)) AS gram FROM customers"
	}
	if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		out[r.ID] = append(out[r.ID], r.Gram)
	}
	for id := range out {
		sort.Strings(out[id])
	}
	return out
}

// TestSearchByPairsFindsWhatLikeFinds: the customer search looks up its
// terms' character pairs (migration 00036) and yet finds exactly what a
// LIKE over every customer in scope finds — for names, credit codes,
// ASCII in either case, punctuation, spaces, one character and nothing —
// for every role, also after customers are created, renamed, soft-deleted
// and deleted in plain SQL as another program would; and the pairs the
// database keeps are every customer's, as the triggers (SQLite) or the
// function (PostgreSQL) must keep them.
func TestSearchByPairsFindsWhatLikeFinds(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		live := &Store{db: d.Gorm} // no cache, no pairs: a LIKE over the scope
		hw := w.customer(t, "liwei", "华为技术有限公司")
		abc := w.customer(t, "liwei", "龙江ABC科技")
		w.customer(t, "zhangjing", "松北-物流（集团）")
		w.customer(t, "zhoujie", "江北科技三号")
		w.customer(t, "gaoyuan", "大庆石化科技 有限公司")
		queries := []string{"华为", "为技", "华为技术有限公司", "ABC", "abc", "Bc科", "科技", "-物", "（集", "司", "x", "不存在",
			hw.CreditCode[:6], hw.CreditCode, strings.ToLower(hw.CreditCode[8:]), "科技 有限", "技 有", "限公", "科_", "100%", `江\\北`}
		viewers := []string{"liwei", "zhaomin", "wangjianguo", "liuzhiqiang", "admin"}
		check := func(step string) {
			t.Helper()
			for _, name := range viewers {
				actor := w.as(name)
				for _, q := range queries {
					var want []uint
					cond, args := db.Contains(q, "customers.search_text")
					if err := live.customerQuery(ctx, w.svc.Scope(actor, "read"), CustomerFilter{}).Where(cond, args...).
						Order("customers.id").Pluck("customers.id", &want).Error; err != nil {
						t.Fatal(err)
					}
					rows, total, err := w.svc.ListCustomers(ctx, actor, CustomerFilter{Q: q, Limit: 50, Sort: "name"})
					if err != nil {
						t.Fatalf("%s: %s searching %q: %v", step, name, q, err)
					}
					got := make([]uint, len(rows))
					for i, c := range rows {
						got[i] = c.ID
					}
					slices.Sort(got)
					if !slices.Equal(got, want) || total != int64(len(want)) {
						t.Errorf("%s: %s searching %q finds %v (count %d), a LIKE finds %v", step, name, q, got, total, want)
					}
					// Pages in the list's order (on SQLite a search few
					// customers match is sorted without the order's index;
					// a page past the matches reads nothing).
					for _, page := range []CustomerFilter{{Q: q, Limit: 2}, {Q: q, Limit: 2, Offset: 2}, {Q: q, Limit: 2, Sort: "name", Desc: true},
						{Q: q, Limit: 2, Offset: 40}} {
						var want []uint
						f := page
						f.Q = ""
						if err := live.customerQuery(ctx, w.svc.Scope(actor, "read"), f).Where(cond, args...).Order(customerOrder(page)).
							Limit(page.Limit).Offset(page.Offset).Pluck("customers.id", &want).Error; err != nil {
							t.Fatal(err)
						}
						rows, _, err := w.svc.ListCustomers(ctx, actor, page)
						if err != nil {
							t.Fatal(err)
						}
						got := make([]uint, len(rows))
						for i, c := range rows {
							got[i] = c.ID
						}
						if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
							t.Errorf("%s: %s searching %q, page %+v: %v, SQL's order says %v", step, name, q, page, got, want)
						}
					}
				}
			}
			var texts []struct {
				ID         uint
				SearchText string
			}
			if err := d.Gorm.Raw("SELECT id, search_text FROM customers").Scan(&texts).Error; err != nil {
				t.Fatal(err)
			}
			kept := keptPairs(t, d)
			for _, c := range texts {
				if got, want := kept[c.ID], testkit.CharPairs(c.SearchText); !slices.Equal(got, want) {
					t.Errorf("%s: customer %d (%q) is kept under the pairs %q, want %q", step, c.ID, c.SearchText, got, want)
				}
				delete(kept, c.ID)
			}
			if len(kept) > 0 {
				t.Errorf("%s: pairs kept for customers that are gone: %v", step, kept)
			}
		}
		check("start")
		w.customer(t, "zhangjing", "哈尔滨华为体验中心")
		check("created")
		exec := func(q string, args ...any) {
			t.Helper()
			if err := d.Gorm.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE customers SET name = ?, search_text = ? WHERE id = ?", "龙江XYZ物联", "龙江xyz物联 "+strings.ToLower(abc.CreditCode), abc.ID)
		queries = append(queries, "xyz", "物联", "XYZ物")
		check("renamed in SQL")
		exec("UPDATE customers SET grade = 'A' WHERE id = ?", abc.ID) // not the text: the pairs stay
		exec("UPDATE customers SET deleted_at = CURRENT_TIMESTAMP WHERE id = ?", hw.ID)
		check("soft-deleted in SQL")
		exec("DELETE FROM customers WHERE id = ?", hw.ID)
		check("deleted in SQL")
	})
}

// TestSearchConditionReadsThePairs: a search of two characters or more
// on a branch or the province is read through the pairs (the table or
// the function), a person's and a team's searches and a one-character
// search by the LIKE alone, and on SQLite a search the count found in
// many customers reads its page by the LIKE alone.
func TestSearchConditionReadsThePairs(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		st := w.svc.store
		pairs := "customer_bigrams"
		if d.Dialect == db.Postgres {
			pairs = "search_bigrams"
		}
		for _, c := range []struct {
			who, q string
			many   bool
			want   bool
		}{
			{"admin", "华为", false, true},
			{"wangjianguo", "不存在的名字", false, true},
			{"wangjianguo", "院", false, false},
			{"liwei", "华为", false, false},
			{"zhaomin", "华为", false, false},
			{"admin", "华为", true, d.Dialect == db.Postgres},
		} {
			scope := w.svc.Scope(w.as(c.who), "read")
			cs, err := st.planSearch(ctx, scope, c.q, true)
			if err != nil {
				t.Fatal(err)
			}
			cond, _ := cs.cond(d.Dialect, c.many)
			if got := strings.Contains(cond, pairs); got != c.want {
				t.Errorf("%s (%s) searching %q (many %t): %s — through the pairs %t, want %t", c.who, scope.Level(), c.q, c.many, cond, got, c.want)
			}
		}
		// A search nothing matches reads no page, and neither does a page
		// past the last match.
		pages := testkit.CountQueries(t, d.Gorm, "test:pages", func(sql string) bool { return strings.Contains(sql, "ORDER BY") })
		w.customer(t, "liwei", "页外测试")
		*pages = 0
		for _, f := range []CustomerFilter{{Q: "没有这个客户", Limit: 25}, {Q: "页外测试", Limit: 25, Offset: 25}} {
			rows, total, err := w.svc.ListCustomers(ctx, w.as("admin"), f)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 0 || *pages != 0 {
				t.Errorf("searching %q from %d: %d rows (count %d) and %d page reads, want none", f.Q, f.Offset, len(rows), total, *pages)
			}
		}
		if _, _, err := w.svc.ListCustomers(ctx, w.as("admin"), CustomerFilter{Q: "页外测试", Limit: 25}); err != nil || *pages != 1 {
			t.Errorf("the first page of a match: %d page reads (%v), want 1", *pages, err)
		}
		if got := pairLimit(authz.ScopeOwn) + pairLimit(authz.ScopeTeam); got != 0 {
			t.Errorf("a person's or a team's search may use the pairs up to %d customers", got)
		}
	})
}
