package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/i18n"
)

// TestTopBarEscapes: the navigation and user box written in Go show the
// sections (the active one marked), the bell's count (99+ above 99, none
// at 0), the role and the language switch in the page's language, and
// escape the user's name, the path and the token.
func TestTopBarEscapes(t *testing.T) {
	b := exampleBundle(t)
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		for _, unread := range []int64{0, 5, 150} {
			p := ExamplePage(b)
			p.L, p.Lang, p.Unread = b.For(lang), lang, unread
			p.Me.Name, p.Path, p.CSRF = `<b>王"建国"</b>`, `/customers?q=<x>&a="b"`, `tok"&`
			p.Nav = append(p.Nav, navLink{Label: "nav.pipeline", Href: "/pipeline"})
			got := string(p.TopBar())
			want := []string{
				`<a href="/customers" class="active" aria-current="page">` + template.HTMLEscapeString(p.L.T("nav.customers")) + `</a>`,
				`<a href="/pipeline">` + template.HTMLEscapeString(p.L.T("nav.pipeline")) + `</a>`,
				`>&lt;b&gt;王&#34;建国&#34;&lt;/b&gt;</a>`,
				`<span class="badge badge-muted">` + template.HTMLEscapeString(p.L.T("role.director")) + `</span>`,
				`<input type="hidden" name="next" value="/customers?q=&lt;x&gt;&amp;a=&#34;b&#34;">`,
				`name="_csrf" value="tok&#34;&amp;"`,
				`value="` + lang + `" class="btn btn-sm active" aria-pressed="true">`,
			}
			switch unread {
			case 0:
				want = append(want, `<a class="bell" href="/notifications"`)
			case 5:
				want = append(want, `<a class="bell bell-on"`, `<span class="bell-count">5</span>`,
					`aria-label="`+template.HTMLEscapeString(p.L.T("notify.bell_unread", "Count", unread))+`"`)
			default:
				want = append(want, `<span class="bell-count">99+</span>`)
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s, %d unread: no %q in\n%s", lang, unread, w, got)
				}
			}
			if strings.Contains(got, "<b>") || strings.Contains(got, "<x>") || (unread == 0 && strings.Contains(got, "bell-count")) {
				t.Errorf("%s, %d unread: unescaped text or a count of nothing in\n%s", lang, unread, got)
			}
		}
	}
	p := ExamplePage(b)
	p.Me = nil
	if p.TopBar() != "" {
		t.Error("a top bar without a signed-in user")
	}
}
