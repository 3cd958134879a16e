package testkit

import (
	"slices"
	"sort"
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
