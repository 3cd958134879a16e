package db_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"gorm.io/gorm"
)

func TestSearchPairs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		term string
		want []string
	}{
		{"华为", []string{"华为"}},
		{"不存在的名字", []string{"不存", "名字", "在的"}},
		{"ABc", []string{"ab", "bc"}},
		{"Ä科", []string{"Ä科"}}, // only ASCII is lowered, as LIKE does
		{"aaaa", []string{"aa"}},
		{"院", nil},
		{"", nil},
	} {
		if got := db.SearchPairs(c.term); !slices.Equal(got, c.want) {
			t.Errorf("SearchPairs(%q) = %q, want %q", c.term, got, c.want)
		}
	}
}

// itemSearch is a list like the opportunities: items of customers, with
// two texts of their own.
var itemSearch = db.ListSearch{Table: "items", CustomerCol: "items.customer_id", Own: []db.Searched{
	{Expr: "LOWER(items.title)", Index: "idx_items_title_bigrams"},
	{Expr: "LOWER(items.note)", Index: "idx_items_note_bigrams"},
}}

// pairsWorld is a schema of its own (customers and items, indexed as
// migrations 00036 and 00037 index the real ones) on a handle whose
// search_path reads it first. 60 % of the items' titles hold "千兆".
func pairsWorld(t *testing.T) *db.DB {
	t.Helper()
	base, url := testkit.PostgresWithURL(t)
	for _, ddl := range []string{
		`CREATE SCHEMA probe`,
		`CREATE TABLE probe.customers (id BIGSERIAL PRIMARY KEY, search_text TEXT NOT NULL, deleted_at TIMESTAMPTZ)`,
		`CREATE TABLE probe.items (id BIGSERIAL PRIMARY KEY, customer_id BIGINT NOT NULL REFERENCES probe.customers,
			title TEXT NOT NULL, note TEXT NOT NULL, deleted_at TIMESTAMPTZ)`,
		`CREATE INDEX idx_customers_bigrams ON probe.customers USING gin (public.search_bigrams(search_text))`,
		`CREATE INDEX idx_items_title_bigrams ON probe.items USING gin (public.search_bigrams(LOWER(title)))`,
		`CREATE INDEX idx_items_note_bigrams ON probe.items USING gin (public.search_bigrams(LOWER(note)))`,
	} {
		if err := base.Gorm.Exec(ddl).Error; err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.Open(context.Background(), db.Options{URL: url + "&search_path=probe,public"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	names := []string{"七台河华远公安局 91230903ma1b2c3d4x 张伟", "哈尔滨华为技术有限公司", "abc科技有限公司 李%娜",
		"大庆油田总医院", "鸡西矿业_集团", "ｆｕｌｌ宽度公司",
		// Every pair of "七台河华远" and of "哈尔滨华为", but neither.
		"七台河华X华远 哈尔滨华 滨华为",
		// The one customer holding "千兆", common in the titles: its
		// items match by the customer alone (7, 307, 607, 907).
		"千兆网络科技"}
	for i := range 300 {
		text := fmt.Sprintf("客户%03d 9123%014d", i, i)
		if i < len(names) {
			text = names[i]
		}
		if err := d.Gorm.Exec("INSERT INTO customers (search_text, deleted_at) VALUES (?, CASE WHEN ? THEN now() END)",
			text, i == 5).Error; err != nil {
			t.Fatal(err)
		}
	}
	for i := range 1000 {
		title, note := fmt.Sprintf("专线%d", i), ""
		if i%10 < 6 {
			title = "千兆专线扩容"
		}
		switch i {
		case 7:
			title, note = "HT-鸡西-2026-0001 合同", "客户希望上云"
		case 8:
			title = "ＡＢＣ 平台"
		case 9:
			note = "100%覆盖"
		case 10:
			title = "兆专线 千兆专" // every pair of "千兆专线", but not it
		}
		if err := d.Gorm.Exec("INSERT INTO items (customer_id, title, note, deleted_at) VALUES (?, ?, ?, CASE WHEN ? THEN now() END)",
			1+i%300, title, note, i == 17).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Gorm.Exec("ANALYZE customers; ANALYZE items").Error; err != nil {
		t.Fatal(err)
	}
	return d
}

// A list searched by the pairs' indexes finds exactly what the LIKE over
// its own texts and its customer's finds, for any term and breadth.
func TestListSearchFindsWhatLikeFinds(t *testing.T) {
	t.Parallel()
	d := pairsWorld(t)
	ctx := context.Background()
	ids := func(cond string, args []any) []int64 {
		t.Helper()
		return liveItems(t, d.Gorm, "customers", cond, args)
	}
	stats := db.NewPairStats()
	byPairs := 0
	for _, term := range []string{"千兆", "千兆专线", "华远", "七台河华远", "HT-鸡西-2026-0001", "ht-鸡西", "abc", "ＡＢＣ",
		"Abc科技", "李%娜", "%覆盖", "_集团", "矿业_", "full", "上云", "9123", "张伟", "油田", "不存在的名字", "院", "专线1", " 华为 "} {
		want := ids(lowerLike(term, "LOWER(items.title)", "LOWER(items.note)", "customers.search_text"))
		for _, b := range []db.Breadth{db.Narrow, db.Team, db.Branch, db.Province} {
			cond, args := itemSearch.Cond(ctx, d.Gorm, stats, b, term)
			if strings.Contains(cond, "search_bigrams") {
				byPairs++
			}
			if got := ids(cond, args); !slices.Equal(got, want) {
				t.Errorf("%q (breadth %d): %d items %v, the LIKE finds %d %v", term, b, len(got), got, len(want), want)
			}
		}
	}
	if byPairs < 30 {
		t.Errorf("only %d searches went by the pairs", byPairs)
	}
}

// lowerLike is the reference search: every expression, LOWER(…) and
// all, LIKE each term — what db.Contains wrote before it left a caseless
// term's LOWER off.
func lowerLike(q string, exprs ...string) (string, []any) {
	var parts []string
	var args []any
	for _, e := range exprs {
		for _, t := range textnorm.SearchTerms(q) {
			parts = append(parts, e+` LIKE ? ESCAPE '\'`)
			args = append(args, "%"+db.EscapeLike(t)+"%")
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// TestCaselessTermLooksInTheColumn: a term of Han characters and ASCII
// other than letters is looked for in the column as stored, not in
// LOWER(column) (every row's text lowered cost the province's
// opportunity search a third of its time), and finds exactly the rows
// the lowered search finds, among texts whose letters lowering changes
// (İ, Σ, ǅ, ẞ, full-width Ａ); a term with a letter keeps LOWER. Both
// databases.
func TestCaselessTermLooksInTheColumn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		term string
		want bool
	}{{"千兆", true}, {"2026-0001", true}, {"91230903", true}, {"%_", true}, {"七台河 华远", true},
		{"abc", false}, {"HT-2026", false}, {"ΣΊ", false}, {"ｆｕｌｌ", false}, {"千兆a", false}, {"ひらがな", false}, {"", true}} {
		if got := db.Caseless(c.term); got != c.want {
			t.Errorf("caseless(%q) = %v, want %v", c.term, got, c.want)
		}
	}
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		g := d.Gorm
		if err := g.Exec(`CREATE TABLE probe_texts (id INTEGER PRIMARY KEY, title TEXT NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		for i, text := range []string{"İstanbul千兆专线", "ΣΊΣΥΦΟΣ 2026-0001", "ǅemal-7 千兆", "ẞ 专线扩容", "ABC千兆DEF",
			"千兆", "abc", "ＡＢＣ 平台", "HT-2026-0001 合同", "七台河 华远", "100%_覆盖", "İ̇"} {
			if err := g.Exec("INSERT INTO probe_texts (id, title) VALUES (?, ?)", i+1, text).Error; err != nil {
				t.Fatal(err)
			}
		}
		ids := func(cond string, args []any) []int64 {
			t.Helper()
			var out []int64
			if err := g.Table("probe_texts").Select("id").Where(cond, args...).Order("id").Scan(&out).Error; err != nil {
				t.Fatalf("%s: %v", cond, err)
			}
			return out
		}
		for _, term := range []string{"千兆", "专线", "2026-0001", "-7", "千兆DEF", "ΣΥΦ", "abc", "ＡＢＣ", "ht-2026", "七台河 华远", "%_", "100%", "emal"} {
			cond, args := db.Contains(term, "LOWER(title)")
			if want := ids(lowerLike(term, "LOWER(title)")); !slices.Equal(ids(cond, args), want) {
				t.Errorf("%q: %v, the lowered search finds %v (%s)", term, ids(cond, args), want, cond)
			}
			if lowered := strings.Contains(cond, "LOWER("); lowered == db.Caseless(term) && d.Dialect == db.Postgres {
				t.Errorf("%q: %s (caseless %v)", term, cond, db.Caseless(term))
			}
		}
	})
}

// Which way a search goes: by the pairs on PostgreSQL over a team, a
// branch or the province for a term the statistics call rare; by the LIKE
// for a person's rows, a term of one character, a common term, and on
// SQLite.
func TestListSearchChoosesByBreadthAndStats(t *testing.T) {
	t.Parallel()
	d := pairsWorld(t)
	ctx := context.Background()
	stats := db.NewPairStats()
	// The forms: by the pairs' indexes, strpos (a common term over the
	// province: the planner then reads the list's order and stops at a
	// page), LIKE.
	form := func(cond string) string {
		switch {
		case cond == "":
			return ""
		case strings.Contains(cond, "search_bigrams") && strings.HasPrefix(cond, "(strpos(items.title"):
			return "split" // own texts by strpos, the customer's by the pairs
		case strings.Contains(cond, "search_bigrams"):
			return "pairs"
		case strings.Contains(cond, "strpos(") && !strings.Contains(cond, "LIKE"):
			return "strpos"
		case strings.Contains(cond, "LIKE") && !strings.Contains(cond, "strpos("):
			return "like"
		}
		return "mixed"
	}
	for _, c := range []struct {
		breadth db.Breadth
		term    string
		want    string
	}{
		{db.Province, "千兆", "split"},  // in 60 % of the titles, no customer's text
		{db.Province, "客户", "strpos"}, // in most customers' texts
		{db.Province, "华远", "pairs"},
		{db.Province, "上云", "pairs"},
		{db.Branch, "千兆", "like"},
		{db.Branch, "千兆专线扩容", "like"},
		{db.Branch, "七台河华远", "pairs"},
		{db.Branch, "上云", "pairs"},
		{db.Team, "七台河华远", "pairs"},
		{db.Team, "千兆", "like"},
		{db.Narrow, "七台河华远", "like"},
		{db.Province, "院", "like"},
		{db.Province, "", ""},
	} {
		cond, args := itemSearch.Cond(ctx, d.Gorm, stats, c.breadth, c.term)
		if got := form(cond); got != c.want {
			t.Errorf("%q (breadth %d): %s, want %s: %s", c.term, c.breadth, got, c.want, cond)
		}
		if c.want == "strpos" || c.want == "split" {
			// The literal terms, never a LIKE pattern.
			for _, a := range args {
				if s, _ := a.(string); strings.ContainsAny(s, "%\\") {
					t.Errorf("%q: strpos is given a pattern %q", c.term, s)
				}
			}
		}
	}
	// Without statistics (a Store on a transaction) every term is rare.
	if cond, _ := itemSearch.Cond(ctx, d.Gorm, nil, db.Branch, "千兆"); !strings.Contains(cond, "search_bigrams") {
		t.Errorf("without statistics, a branch's search: %s", cond)
	}
	sq := testkit.SQLite(t)
	if cond, _ := itemSearch.Cond(ctx, sq.Gorm, stats, db.Province, "七台河华远"); strings.Contains(cond, "search_bigrams") || cond == "" {
		t.Errorf("SQLite: %s", cond)
	}
}

// On SQLite a list searches its own texts without LOWER (sqliteOwn):
// the same rows as LOWER(col) LIKE, for ASCII in any case, letters
// beyond ASCII in either case (which neither lower() nor LIKE folds
// there), full width and LIKE's own characters. It fails when the
// expressions lose their LOWER and LIKE minds ASCII case, or when an
// expression that is not LOWER(…) is cut.
func TestListSearchOnSQLiteFindsWhatLowerFinds(t *testing.T) {
	t.Parallel()
	d := testkit.SQLite(t)
	ctx := context.Background()
	for _, ddl := range []string{
		`CREATE TABLE customers_probe (id INTEGER PRIMARY KEY, search_text TEXT NOT NULL, deleted_at DATETIME)`,
		`CREATE TABLE items (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, title TEXT NOT NULL, note TEXT NOT NULL, deleted_at DATETIME)`,
	} {
		if err := d.Gorm.Exec(ddl).Error; err != nil {
			t.Fatal(err)
		}
	}
	texts := []string{"ABC科技 Ärzte", "abc平台 ärzte", "HT-鸡西-2026-0001", "ＡＢＣ 全角", "李%娜 矿业_集团", "ΣΙΓΜΑ 通信", "σιγμα 通信", "千兆专线"}
	for i, s := range texts {
		if err := d.Gorm.Exec("INSERT INTO customers_probe (id, search_text) VALUES (?, ?)", i+1, strings.ToLower(s)).Error; err != nil {
			t.Fatal(err)
		}
		for _, other := range texts {
			if err := d.Gorm.Exec("INSERT INTO items (customer_id, title, note) VALUES (?, ?, ?)", i+1, s, other).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	search := db.ListSearch{Table: "items", CustomerCol: "items.customer_id", Own: []db.Searched{
		{Expr: "LOWER(items.title)"}, {Expr: "LOWER(items.note)"},
	}}
	ids := func(cond string, args []any) []int64 {
		t.Helper()
		return liveItems(t, d.Gorm, "customers_probe AS customers", cond, args)
	}
	for _, term := range []string{"abc", "ABC", "Abc科技", "ärzte", "Ärzte", "ht-鸡西", "ＡＢＣ", "李%娜", "_集团", "σιγμα", "ΣΙΓΜΑ", "千兆", "不存在"} {
		for _, b := range []db.Breadth{db.Narrow, db.Team, db.Province} {
			cond, args := search.Cond(ctx, d.Gorm, nil, b, term)
			if strings.Contains(cond, "LOWER(") {
				t.Errorf("%q: SQLite's condition still lowers every text: %s", term, cond)
			}
			want := ids(lowerLike(term, "LOWER(items.title)", "LOWER(items.note)", "customers.search_text"))
			if got := ids(cond, args); !slices.Equal(got, want) {
				t.Errorf("%q (breadth %d): %d items, LOWER(…) LIKE finds %d", term, b, len(got), len(want))
			}
		}
	}
}

// liveItems is the ids of the live items of live customers (customers:
// the table, or "probe AS customers") that cond selects, in id order.
func liveItems(t *testing.T, g *gorm.DB, customers, cond string, args []any) []int64 {
	t.Helper()
	var out []int64
	q := g.Table("items").Select("items.id").
		Joins("JOIN " + customers + " ON customers.id = items.customer_id AND customers.deleted_at IS NULL").
		Where("items.deleted_at IS NULL").Order("items.id")
	if cond != "" {
		q = q.Where(cond, args...)
	}
	if err := q.Scan(&out).Error; err != nil {
		t.Fatalf("%s: %v", cond, err)
	}
	return out
}

// TestSumPartsAddUpToTheSearch: an aggregate over a search read as
// SumParts' two parts added up (SearchParts.Sum) counts and sums exactly
// the rows the LIKE over the row's texts and its customer's finds — a
// row matching by both once, deleted rows and deleted customers' rows
// never — per group and in all, with the own texts' part joined to the
// customers and apart; it splits a term common among the customers and
// rare in the rows' own texts (by the customers' pairs up to
// aggregatePairShare, by their texts beyond), a common own term and a
// term of one character only when read apart, and leaves a term rare
// everywhere to Cond.
func TestSumPartsAddUpToTheSearch(t *testing.T) {
	t.Parallel()
	d := pairsWorld(t)
	g := d.Gorm
	// 90 of 390 customers hold "科技园" (23 %); 20 of 1,180 items' titles
	// do (1.7 %), ten of them of other customers; a few of each deleted.
	for i := range 90 {
		if err := g.Exec("INSERT INTO customers (search_text, deleted_at) VALUES (?, CASE WHEN ? THEN now() END)",
			fmt.Sprintf("科技园企业%02d", i), i == 3).Error; err != nil {
			t.Fatal(err)
		}
	}
	var first int64
	if err := g.Raw("SELECT min(id) FROM customers WHERE search_text LIKE '科技园企业%'").Scan(&first).Error; err != nil {
		t.Fatal(err)
	}
	for i := range 180 {
		customer, title := first+int64(i/2), fmt.Sprintf("接入%d", i)
		if i%9 == 0 {
			title = "科技园扩容"
		}
		if i%18 == 0 {
			customer = int64(20 + i) // not a 科技园 customer's
		}
		if err := g.Exec("INSERT INTO items (customer_id, title, note, deleted_at) VALUES (?, ?, '', CASE WHEN ? THEN now() END)",
			customer, title, i == 27).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Exec("ANALYZE customers; ANALYZE items").Error; err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type sums struct {
		Grp      int64
		N, IDSum int64
	}
	base := func() *gorm.DB {
		return g.Table("items").Joins("JOIN customers ON customers.id = items.customer_id AND customers.deleted_at IS NULL").
			Where("items.deleted_at IS NULL")
	}
	const sel = "items.id % 3 AS grp, COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum"
	read := func(q *gorm.DB) []sums {
		t.Helper()
		var out []sums
		if err := q.Order("grp").Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	apartBase := func(from string, first db.Where) *gorm.DB {
		return g.Table(from).Where(first.Cond, first.Args...).Where("items.deleted_at IS NULL AND " + db.LiveCustomerOf("items.customer_id"))
	}
	stats := db.NewPairStats()
	for _, c := range []struct {
		term               string
		split, apart, pair bool
	}{
		{"科技园", true, true, true}, {"客户", true, true, false}, {"科技园 客户", false, false, false}, {"企业", true, true, true},
		// Common in the titles and in no customer's text, or of one
		// character: split only when the titles are read apart.
		{"千兆", false, true, true}, {"园", false, true, false}, {"专线", false, true, true},
		{"华为", false, false, false}, {"上云", false, false, false},
	} {
		cond, args := lowerLike(c.term, "LOWER(items.title)", "LOWER(items.note)", "customers.search_text")
		want := read(base().Where(cond, args...).Select(sel).Group("grp"))
		var whole sums
		if err := base().Where(cond, args...).Select("COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum").Scan(&whole).Error; err != nil {
			t.Fatal(err)
		}
		for _, apart := range []bool{false, true} {
			parts, ok := itemSearch.SumParts(ctx, g, stats, c.term, apart)
			if wantOK := map[bool]bool{false: c.split, true: c.apart}[apart]; ok != wantOK {
				t.Errorf("%q (apart %v): split %v, want %v", c.term, apart, ok, wantOK)
			}
			if !ok {
				continue
			}
			if pair := strings.Contains(parts.Customer.Cond, "search_bigrams(customers.search_text)"); pair != c.pair {
				t.Errorf("%q: the customers by their pairs %v, want %v (%s)", c.term, pair, c.pair, parts.Customer.Cond)
			}
			var ab db.Apart
			if apart {
				ab = apartBase
			}
			if got := read(parts.Sum(g, base, ab, sel, []string{"grp"}, "n", "id_sum")); !slices.Equal(got, want) {
				t.Errorf("%q (apart %v) per group: %v, the LIKE finds %v", c.term, apart, got, want)
			}
			var all sums
			if err := parts.Sum(g, base, ab, "COUNT(*) AS n, COALESCE(SUM(items.id), 0) AS id_sum", nil, "n", "id_sum").Scan(&all).Error; err != nil {
				t.Fatal(err)
			}
			if all != whole || whole.N == 0 {
				t.Errorf("%q (apart %v) in all: %+v, the LIKE finds %+v", c.term, apart, all, whole)
			}
		}
	}
}
