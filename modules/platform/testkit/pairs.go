package testkit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// CharPairs is every distinct pair of adjacent characters of s, sorted:
// what migration 00036 keeps of a customer's search text (the
// customer_bigrams table on SQLite, search_bigrams on PostgreSQL), for
// the tests that check what is kept against the text.
func CharPairs(s string) []string {
	r := []rune(s)
	var out []string
	for i := 0; i+1 < len(r); i++ {
		if g := string(r[i : i+2]); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

// PairIndexes fails t unless, on PostgreSQL, each of the list's own texts
// has the GIN index of its pairs it names, on its expression (migration
// 00037): a misnamed index leaves the list's search without statistics,
// and one on another expression is never used.
func PairIndexes(t *testing.T, l db.ListSearch) {
	t.Helper()
	d := Postgres(t)
	for _, o := range l.Own {
		var def string
		if err := d.Gorm.Raw("SELECT indexdef FROM pg_indexes WHERE indexname = ?", o.Index).Scan(&def).Error; err != nil {
			t.Fatal(err)
		}
		table, column, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(o.Expr, "LOWER("), ")"), ".")
		on := fmt.Sprintf(" ON public.%s USING gin (search_bigrams(", table)
		if !ok || !strings.Contains(def, on) || !(strings.HasSuffix(def, "(lower(("+column+")::text)))") ||
			strings.HasSuffix(def, "(lower("+column+")))")) {
			t.Errorf("%s: index %s is %q, want search_bigrams(lower(%s)) on %s", o.Expr, o.Index, def, column, table)
		}
	}
}
