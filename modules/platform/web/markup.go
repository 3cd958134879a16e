package web

import (
	"html/template"
	"strings"
	"unicode/utf8"
)

// Markup builds a fragment that a page writes in Go rather than through
// its template (rows, cards, a calendar's days). W appends its parts one
// by one: joining them first with + made a string per line that was then
// copied again. Call W on the builder itself (b.W(...)), never through a
// func value (w := b.W): through one the compiler cannot see that the
// parts stay on the stack, and every call allocated its slice (a third
// of the province board's garbage). The caller escapes every text it
// writes.
type Markup struct{ strings.Builder }

// W appends parts in order.
func (m *Markup) W(parts ...string) {
	for _, s := range parts {
		m.WriteString(s)
	}
}

// Select writes a filter form's <select> that submits its form when it
// changes (data-autosubmit): an empty-valued first option (all: "全部等级")
// and then options, the <option>s of Options or ChoiceOptions. label
// (the aria-label) and all are escaped texts (Labels.Get).
func (m *Markup) Select(name, label, all string, options template.HTML) {
	m.SelectOpen(name, label, all)
	m.WriteString(string(options))
	m.SelectClose()
}

// SelectOpen and SelectClose are Select with the options written between
// them straight into m (WriteCodeOptions, WriteChoiceOptions): a list
// page's filters (the province's teams and regions for the admin) made
// each option list a string of its own, grown by doubling and then
// copied into the form — ~50 KB of garbage per page (issue 19).
func (m *Markup) SelectOpen(name, label, all string) {
	m.W(`<select name="`, name, `" data-autosubmit aria-label="`, label, "\">\n    <option value=\"\">", all,
		"</option>\n    ")
}

// SelectClose ends what SelectOpen began.
func (m *Markup) SelectClose() { m.WriteString("\n  </select>") }

// SortTh writes a list's column header that sorts by its column: label
// is an escaped text, href (a Pager.SortURL) is escaped here; class is
// the cell's, "" for none.
func (m *Markup) SortTh(class, href, label string) {
	m.W("<th")
	if class != "" {
		m.W(` class="`, class, `"`)
	}
	m.W(`><a href="`, template.HTMLEscapeString(href), `">`, label, "</a></th>")
}

// Hidden writes a hidden input; value is escaped here.
func (m *Markup) Hidden(name, value string) {
	m.W(`<input type="hidden" name="`, name, `" value="`, template.HTMLEscapeString(value), `">`)
}

// HTML is the markup as one piece, for fragments that stay small.
func (m *Markup) HTML() template.HTML {
	return template.HTML(m.String()) //nolint:gosec // the caller escaped every text (see Markup)
}

// chunkSize is the most a Chunks piece holds. text/template prints every
// value through fmt, whose buffers above 64 KiB are not pooled: a 200 KB
// fragment printed whole allocated and copied ~400 KB per page.
const chunkSize = 32 << 10

// Chunks is a large fragment in pieces, each small enough for fmt's pooled
// buffers. A template writes it with {{range .X}}{{.}}{{end}}; the pieces
// are concatenated verbatim, so where one ends does not matter to the
// markup (cuts fall on a character boundary all the same).
type Chunks []template.HTML

// Chunks is the markup cut into pieces of at most chunkSize bytes; the
// pieces share the builder's memory.
func (m *Markup) Chunks() Chunks {
	s := m.String()
	out := make(Chunks, 0, len(s)/chunkSize+1)
	for len(s) > chunkSize {
		cut := chunkSize
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		out = append(out, template.HTML(s[:cut])) //nolint:gosec // see HTML
		s = s[cut:]
	}
	if s != "" {
		out = append(out, template.HTML(s)) //nolint:gosec // see HTML
	}
	return out
}

// String is the pieces joined (for tests and logs; a page ranges over
// them).
func (c Chunks) String() string {
	var b strings.Builder
	for _, p := range c {
		b.WriteString(string(p))
	}
	return b.String()
}
