package testkit

import (
	"testing"

	"gorm.io/gorm"
)

// CountQueries counts, until the test ends, the queries run through g
// (GORM's query callback: Find, First, Scan, Pluck, Count) whose SQL
// match says yes to, for the tests that check a kept value is read
// once and then not again. name must be unique among g's callbacks.
func CountQueries(t testing.TB, g *gorm.DB, name string, match func(sql string) bool) *int {
	t.Helper()
	n := new(int)
	cb := g.Callback()
	if err := cb.Query().After("gorm:query").Register(name, func(tx *gorm.DB) {
		if match(tx.Statement.SQL.String()) {
			*n++
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cb.Query().Remove(name) })
	return n
}
