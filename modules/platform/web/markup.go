package web

import "strings"

// Markup builds a fragment that a page writes in Go rather than through
// its template (rows, cards, a calendar's days). W appends its parts one
// by one: joining them first with + made a string per line that was then
// copied again. The caller escapes every text it writes.
type Markup struct{ strings.Builder }

// W appends parts in order.
func (m *Markup) W(parts ...string) {
	for _, s := range parts {
		m.WriteString(s)
	}
}
