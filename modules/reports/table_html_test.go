package reports

import (
	"strings"
	"testing"
)

// The rows a report page shows are written in Go, not by html/template:
// every text must still be escaped, and only a path on this site may
// become a link.
func TestTableHTMLEscapes(t *testing.T) {
	tb := Table{
		Rows: [][]Cell{
			{{Kind: Text, Str: `<script>alert("x")</script>`, Link: "/customers/7?a=1&b=2"}, {Kind: Money, Int: 123456}, {Kind: Text, Str: `O'Neil & "Co"`}},
			{{Kind: Text, Str: "evil", Link: "javascript:alert(1)"}, {Kind: Int, Int: 3, Link: "//evil.example/x"}, {Kind: Pct, Float: 12.34, Link: `/x"><img src=x>`}},
			{{Kind: Text, Str: "空", Empty: true}, {Kind: Days, Float: 2.5}, {Kind: Text, Str: "乙方"}},
		},
		Foot: []Cell{{Kind: Text, Str: "<b>合计</b>"}, {Kind: Money, Int: 100}, {Kind: Int, Int: 9}},
	}
	body, foot := string(tb.BodyHTML()), string(tb.FootHTML())
	for _, want := range []string{
		`<tr><th scope="row"><a href="/customers/7?a=1&amp;b=2">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a></th><td class="num">1,234.56</td><td>O&#39;Neil &amp; &#34;Co&#34;</td></tr>`,
		`<th scope="row">evil</th>`,
		`<td class="num">3</td>`,
		`<td class="num"><a href="/x&#34;&gt;&lt;img src=x&gt;">12.3%</a></td>`,
		`<th scope="row">—</th><td class="num">2.5</td><td>乙方</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s\n%s", want, body)
		}
	}
	for _, bad := range []string{"<script", "javascript:", "//evil", "<img"} {
		if strings.Contains(body+foot, bad) {
			t.Errorf("%q got through: %s %s", bad, body, foot)
		}
	}
	if want := `<tr><th scope="row">&lt;b&gt;合计&lt;/b&gt;</th><td class="num">1.00</td><td class="num">9</td></tr>`; foot != want {
		t.Errorf("foot = %s, want %s", foot, want)
	}
	if (Table{}).BodyHTML() != "" || (Table{}).FootHTML() != "" {
		t.Error("an empty table must give no rows (the page shows its empty state)")
	}
}

// A report table shows at most MaxShownRows rows on its page (the
// province's 600 account managers were 300 KB); Hidden counts the rest,
// which the page names and the downloads hold.
func TestTableShowsAtMostMaxRows(t *testing.T) {
	for _, n := range []int{0, 1, MaxShownRows, MaxShownRows + 1, 613} {
		tb := Table{}
		for i := range n {
			tb.Rows = append(tb.Rows, []Cell{{Kind: Int, Int: int64(i + 1)}, {Kind: Text, Str: "客户经理"}})
		}
		body := string(tb.BodyHTML())
		if got, want := strings.Count(body, "<tr>"), min(n, MaxShownRows); got != want {
			t.Errorf("%d rows: the page shows %d, want %d", n, got, want)
		}
		if got, want := tb.Hidden(), max(0, n-MaxShownRows); got != want {
			t.Errorf("%d rows: Hidden() = %d, want %d", n, got, want)
		}
		if n > 0 && !strings.HasPrefix(body, `<tr><th scope="row">1</th>`) {
			t.Errorf("%d rows: the page does not start with the first row: %.60s", n, body)
		}
	}
}
