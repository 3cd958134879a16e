package db

import (
	"context"
	"github.com/jike-crm/jike/modules/platform/par"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// sqliteSearchWorld is a migrated SQLite database whose customers hold
// names common and rare enough to cross sqliteRareCustomers, and a list
// (items, with the indexes a list's SQLite search reads) whose titles
// cross sqliteRareRows: 1,500 customers, 600 of them 科技 companies (one
// deleted), 12 holding 华为数据; three items each, 1,200 titled 千兆专线,
// 24 科技园扩容 under customers of both kinds (matched twice, counted
// once; one of them deleted).
func sqliteSearchWorld(t *testing.T) *gorm.DB {
	t.Helper()
	d := migratedSQLite(t)
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
		 INSERT INTO customers (name, search_text, credit_code, industry, grade, status, owner_id, team_id, branch_id, created_at, updated_at, deleted_at)
		 SELECT nm, lower(nm || ' 91230100ma' || printf('%08d', i)), printf('91230100MA%08d', i), 'gov', 'C', 'active',
		        (SELECT id FROM users), (SELECT id FROM teams), (SELECT id FROM branches), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,
		        CASE WHEN i = 6 THEN CURRENT_TIMESTAMP END
		 FROM (SELECT i, CASE WHEN i % 5 < 2 THEN '哈尔滨科技' || i || '有限公司' WHEN i % 125 = 3 THEN '华为数据' || i ELSE '客户' || i END AS nm FROM n)`,
		`CREATE TABLE items (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, title TEXT NOT NULL, deleted_at DATETIME)`,
		`CREATE INDEX idx_items_customer ON items (customer_id, id) WHERE deleted_at IS NULL`,
		`CREATE INDEX idx_items_title ON items (title, id) WHERE deleted_at IS NULL`,
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4499)
		 INSERT INTO items (customer_id, title, deleted_at)
		 SELECT i / 3 + 1, CASE WHEN i < 1200 THEN '千兆专线' || i WHEN i % 150 = 2 THEN '科技园扩容' ELSE '云主机' || i END,
		        CASE WHEN i = 1202 THEN CURRENT_TIMESTAMP END FROM n`,
		// A 科技 customer's (i % 5 < 2) item titled 科技 too, and one
		// of another customer.
		"UPDATE items SET title = '科技园扩容' WHERE id IN (3001, 3004)",
		// Titles holding 客户 (a word of most customers' names): one of a
		// 客户 customer (1003), one of another (1005).
		"UPDATE items SET title = '客户回访' WHERE id IN (3007, 3013)",
		// The titles' pairs, as SQLite's 00062 keeps the opportunities'.
		`CREATE TABLE item_bigrams (gram TEXT NOT NULL, item_id INTEGER NOT NULL, PRIMARY KEY (gram, item_id)) WITHOUT ROWID`,
		`INSERT OR IGNORE INTO item_bigrams (gram, item_id)
		 SELECT substr(lower(o.title), p.key + 1, 2), o.id
		 FROM items o, json_each('[' || rtrim(replace(hex(zeroblob(max(length(o.title) - 1, 0))), '00', '0,'), ',') || ']') p`,
		"ANALYZE",
	} {
		if err := d.Gorm.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	return d.Gorm
}

// untexted is sqliteItems without its TextIndex.
var untexted = ListSearch{Table: "items", CustomerCol: "items.customer_id", Own: []Searched{{Expr: "LOWER(items.title)"}},
	CustomerIndex: "idx_items_customer"}

var sqliteItems = ListSearch{Table: "items", CustomerCol: "items.customer_id", Own: []Searched{{Expr: "LOWER(items.title)"}},
	CustomerIndex: "idx_items_customer", TextIndex: "idx_items_title"}

// pairedItems is sqliteItems with its titles' pairs (as the
// opportunities' OwnPairs).
var pairedItems = ListSearch{Table: "items", CustomerCol: "items.customer_id", Own: []Searched{{Expr: "LOWER(items.title)"}},
	CustomerIndex: "idx_items_customer", TextIndex: "idx_items_title", OwnPairs: "item_bigrams", OwnPairsCol: "item_id"}

// TestSQLiteSearchPartsAndSets: on SQLite the province's search is split
// in two parts for its aggregates (sqliteParts) or read as a set found
// first (sqliteRare), by how common its terms are, and a person's, a
// team's or a branch's tests each row (a branch's customer by a set of
// those holding the term where its pairs find them cheaply); every way it finds
// and adds up exactly what the LIKE over each row and its joined
// customer finds — per group and in all, a row matching by its title and
// its customer once, a deleted customer's and a deleted row never. It
// fails with a part's rows counted twice or left out (a wrong NOT IN, a
// missing liveness test), with a pair taken for a term it is not, or
// with a common term read as a set.
func TestSQLiteSearchPartsAndSets(t *testing.T) {
	t.Parallel()
	g := sqliteSearchWorld(t)
	ctx := context.Background()
	type sums struct{ Grp, N, IDSum int64 }
	joined := func() *gorm.DB {
		return g.Table("items").Joins("JOIN customers ON customers.id = items.customer_id AND customers.deleted_at IS NULL").
			Where("items.deleted_at IS NULL")
	}
	apart := func(from string, first Where) *gorm.DB {
		return g.Table(from).Where(first.Cond, first.Args...).Where("items.deleted_at IS NULL AND " + LiveCustomer(g, "items.customer_id"))
	}
	const sel = "items.id % 3 AS grp, COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum"
	read := func(q *gorm.DB) []sums {
		t.Helper()
		var out []sums
		if err := q.Select(sel).Group("grp").Order("grp").Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	// addUp is qs read side by side and added up per group (AddUp), in
	// the groups' order, the empty ones left out as the LIKE's GROUP BY
	// has none.
	addUp := func(qs []*gorm.DB) []sums {
		t.Helper()
		out, err := AddUp(ctx, par.NewSpare(2), qs, func(r sums) int64 { return r.Grp },
			func(t *sums, r sums) { t.N, t.IDSum = t.N+r.N, t.IDSum+r.IDSum })
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(out, func(a, b sums) int { return int(a.Grp - b.Grp) })
		return slices.DeleteFunc(out, func(r sums) bool { return r.N == 0 })
	}
	ids := func(q *gorm.DB) []int64 {
		t.Helper()
		var out []int64
		if err := q.Select("items.id").Order("items.id").Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	stats := NewPairStats()
	for _, c := range []struct {
		term              string
		set, split, bySet bool
		ownPairs          bool // the paired list's titles found by their pairs
	}{
		{"科技", false, true, true, true},                 // 600 customers (one deleted), one pair: exactly the pair; 24 titles
		{"哈尔滨科技", false, true, true, true},              // 600 customers, three pairs and the text; no title
		{"科技园", true, false, true, true},                // no customer, 23 titles: a set
		{"华为数据", true, false, true, true},               // 12 customers: a set
		{"千兆", false, true, true, true},                 // 1,200 titles, no customer
		{"园", false, true, false, false},                // one character: every customer's text read, every title
		{"有限公司", false, true, true, true},               // 600 customers, by their pairs and the text; no title
		{"不存在", true, false, true, true},                // nothing anywhere
		{"91230100ma00000033", true, false, true, true}, // a credit code: ASCII, by its pairs and the LIKE
		{"客户", false, true, true, true},                 // 888 of the 1,500 customers: also as the rest taken from all
	} {
		cond, args := Contains(c.term, "items.title", "customers.search_text")
		want, wantIDs := read(joined().Where(cond, args...)), ids(joined().Where(cond, args...))
		if got := sqliteItems.ReadsAsSet(ctx, g, stats, Province, c.term); got != c.set {
			t.Errorf("%q: read as a set %v, want %v", c.term, got, c.set)
		}
		pc, pa := sqliteItems.Cond(ctx, g, stats, Province, c.term)
		if got := ids(joined().Where(pc, pa...)); !slices.Equal(got, wantIDs) {
			t.Errorf("%q: the province's condition finds %d items, the LIKE %d (%s)", c.term, len(got), len(wantIDs), pc)
		}
		// A list without a TextIndex (contracts, proposals) reads its
		// own texts from the table.
		tc, ta := untexted.Cond(ctx, g, NewPairStats(), Province, c.term)
		if got := ids(joined().Where(tc, ta...)); !slices.Equal(got, wantIDs) || strings.Contains(tc, "idx_items_title") {
			t.Errorf("%q without a text index: %d items, the LIKE %d (%s)", c.term, len(got), len(wantIDs), tc)
		}
		if c.set != strings.HasPrefix(pc, "items.id IN (") {
			t.Errorf("%q: condition %s", c.term, pc)
		}
		// A person's, a team's and a branch's rows are tested one by one;
		// a branch's customer by the set of those holding the term when
		// its pairs find them cheaply (a team's few thousand rows are
		// read sooner than the set is built).
		for _, b := range []Breadth{Narrow, Team, Branch} {
			bc, ba := sqliteItems.Cond(ctx, g, stats, b, c.term)
			if got := ids(joined().Where(bc, ba...)); !slices.Equal(got, wantIDs) {
				t.Errorf("%q (breadth %d): %d items, the LIKE %d (%s)", c.term, b, len(got), len(wantIDs), bc)
			}
			bySet := strings.Contains(bc, "customer_bigrams")
			if wantSet := b == Branch && c.bySet; bySet != wantSet {
				t.Errorf("%q (breadth %d): the customers as a set %v, want %v (%s)", c.term, b, bySet, wantSet, bc)
			}
		}
		parts, ok := sqliteItems.SumParts(ctx, g, stats, c.term, true)
		if ok != c.split {
			t.Fatalf("%q: split %v, want %v", c.term, ok, c.split)
		}
		if _, joinedOK := sqliteItems.SumParts(ctx, g, stats, c.term, false); joinedOK {
			t.Errorf("%q: split on SQLite without reading apart", c.term)
		}
		if !ok {
			continue
		}
		// The same sums with the titles found by their pairs.
		paired, pairedOK := pairedItems.SumParts(ctx, g, stats, c.term, true)
		if !pairedOK {
			t.Fatalf("%q: the paired list does not split", c.term)
		}
		if byPairs := strings.Contains(paired.OwnApart.Cond, "item_bigrams"); byPairs != c.ownPairs {
			t.Errorf("%q: the titles by their pairs %v, want %v (%s)", c.term, byPairs, c.ownPairs, paired.OwnApart.Cond)
		}
		for name, ps := range map[string]SearchParts{"": parts, " (titles by their pairs)": paired} {
			var got []sums
			if err := ps.Sum(g, joined, apart, sel, []string{"grp"}, "n", "id_sum").Order("grp").Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q%s per group: %v, the LIKE finds %v", c.term, name, got, want)
			}
			var all, whole struct{ N, IDSum int64 }
			if err := ps.Sum(g, joined, apart, "COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum", nil, "n", "id_sum").Scan(&all).Error; err != nil {
				t.Fatal(err)
			}
			if err := joined().Where(cond, args...).Select("COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum").Scan(&whole).Error; err != nil {
				t.Fatal(err)
			}
			if all != whole || (whole.N == 0 && c.term != "不存在") {
				t.Errorf("%q%s in all: %+v, the LIKE finds %+v", c.term, name, all, whole)
			}
			// The same, read as the halves of the ids side by side and
			// added up (Statements, AddUp): no row in both halves, none
			// in neither.
			qs := ps.Statements(g, joined, apart, sel, []string{"grp"}, "n", "id_sum")
			if len(qs) != 2 {
				t.Fatalf("%q%s: %d statements, want the two halves", c.term, name, len(qs))
			}
			if halves := addUp(qs); !slices.Equal(halves, want) {
				t.Errorf("%q%s per group in halves: %v, the LIKE finds %v", c.term, name, halves, want)
			}
			type total struct{ N, IDSum int64 }
			inAll, err := AddUp(ctx, nil, ps.Statements(g, joined, apart, "COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum", nil, "n", "id_sum"),
				func(total) bool { return true }, func(t *total, r total) { t.N, t.IDSum = t.N+r.N, t.IDSum+r.IDSum })
			if err != nil {
				t.Fatal(err)
			}
			if len(inAll) != 1 || inAll[0] != total(whole) {
				t.Errorf("%q%s in all, in halves: %+v, the LIKE finds %+v", c.term, name, inAll, whole)
			}
			// A term in most customers' texts: every live row's sums less
			// those of the rows it leaves out, in halves (Complement).
			every := g.Table("items").Where("items.deleted_at IS NULL AND " + LiveCustomer(g, "items.customer_id")).Select(sel).Group("grp")
			cqs, most := ps.Complement(g, every, apart, sel, []string{"grp"}, "n", "id_sum")
			if want := c.term == "客户"; most != want {
				t.Fatalf("%q%s: read as all less the rest %v, want %v", c.term, name, most, want)
			}
			if !most {
				continue
			}
			if rest := addUp(cqs); !slices.Equal(rest, want) {
				t.Errorf("%q%s per group, all less the rest: %v, the LIKE finds %v", c.term, name, rest, want)
			}
		}
	}
}

// TestSQLiteOwnSet: the rows sqliteOwnSet finds by their titles' pairs
// are exactly those whose title the LIKE finds — a term of two
// characters by its pair alone, a longer one by its rarest pair and then
// its text ("4949": both its pairs are in titles such as 云主机1494, the
// term in none) — and a term of one character is left to the pass.
func TestSQLiteOwnSet(t *testing.T) {
	t.Parallel()
	g := sqliteSearchWorld(t)
	ctx := context.Background()
	stats := NewPairStats()
	for _, c := range []struct {
		term string
		ok   bool
	}{{"科技", true}, {"千兆", true}, {"4949", true}, {"专线12", true}, {"科技园扩容", true}, {"不存在", true}, {"园", false}} {
		cond, args, ok := pairedItems.sqliteOwnSet(ctx, g, stats, []string{c.term})
		if ok != c.ok {
			t.Fatalf("%q: by the pairs %v, want %v", c.term, ok, c.ok)
		}
		if !ok {
			continue
		}
		like, likeArgs := Contains(c.term, "items.title")
		var got, want []int64
		if err := g.Table("items").Where(cond, args...).Order("id").Pluck("id", &got).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Table("items").Where(like, likeArgs...).Order("id").Pluck("id", &want).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: the pairs find %d items, the LIKE %d (%s)", c.term, len(got), len(want), cond)
		}
		if c.term != "不存在" && c.term != "4949" && len(want) == 0 {
			t.Errorf("%q: the LIKE finds nothing; the case proves little", c.term)
		}
	}
}
