package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A large fragment comes back in pieces no larger than fmt pools, cut on
// character boundaries, that join to exactly what was written; a small
// one is one piece and an empty one none.
func TestMarkupChunks(t *testing.T) {
	for _, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 5*chunkSize + 7} {
		var m Markup
		// three-byte characters with ASCII between: cuts must step back
		for m.Len() < n {
			m.W("客", "<a>")
		}
		want := m.String()
		got := m.Chunks()
		if got.String() != want {
			t.Fatalf("%d bytes: the pieces join to %d bytes, not the markup", n, len(got.String()))
		}
		if wantN := (len(want) + chunkSize - 1) / chunkSize; len(got) < wantN || len(got) > wantN+1 {
			t.Errorf("%d bytes: %d pieces, want about %d", len(want), len(got), wantN)
		}
		for i, p := range got {
			if len(p) == 0 || len(p) > chunkSize {
				t.Errorf("%d bytes: piece %d is %d bytes", len(want), i, len(p))
			}
			if !utf8.ValidString(string(p)) {
				t.Errorf("%d bytes: piece %d cuts a character", len(want), i)
			}
		}
	}
	var m Markup
	m.W("<p>", strings.Repeat("x", 3), "</p>")
	if got := m.HTML(); got != "<p>xxx</p>" {
		t.Errorf("HTML = %q", got)
	}
}

// SortTh writes a sortable column header: the link escaped for its
// attribute, the class only when given, the label as given (escaped by
// the caller).
func TestMarkupSortTh(t *testing.T) {
	var m Markup
	m.SortTh("num", `/c?dir=asc&sort=a"b`, "金额 &amp; 税")
	m.SortTh("", "/c?sort=name", "名称")
	want := `<th class="num"><a href="/c?dir=asc&amp;sort=a&#34;b">金额 &amp; 税</a></th><th><a href="/c?sort=name">名称</a></th>`
	if m.String() != want {
		t.Errorf("SortTh = %s, want %s", m.String(), want)
	}
}
