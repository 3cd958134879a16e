package web

import (
	"html/template"
	"strconv"
	"strings"
)

// bellIcon is the bell's SVG, fixed markup.
const bellIcon = `<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"/></svg>`

// TopBar is the signed-in page's navigation and user box (the menu
// toggle, the sections, the bell, the account, the role, the language
// switch and sign-out), written here rather than by the layout: it is on
// every page, and its ~40 template actions each looked their field up
// through the view's embedded Page by reflection (a few hundred µs of
// every page, issue 19). The markup is the layout's; every text is
// escaped. Empty without a signed-in user.
func (p *Page) TopBar() template.HTML {
	if p.Me == nil {
		return ""
	}
	esc := template.HTMLEscapeString
	menu := esc(p.L.T("nav.menu"))
	var b strings.Builder
	b.Grow(2500)
	b.WriteString(`<button class="nav-toggle" type="button" aria-controls="nav" aria-expanded="false"><span class="sr-only">` + menu + "</span></button>\n  ")
	b.WriteString(`<nav id="nav" class="nav" aria-label="` + menu + "\">\n    ")
	for _, n := range p.Nav {
		b.WriteString(`<a href="` + esc(n.Href) + `"`)
		if n.Active {
			b.WriteString(` class="active" aria-current="page"`)
		}
		b.WriteString(">" + esc(p.L.T(n.Label)) + "</a>")
	}
	b.WriteString("\n  </nav>\n  <div class=\"userbox\">\n    ")
	title := esc(p.L.T("notify.title"))
	label := title
	bell := "bell"
	if p.Unread != 0 {
		bell = "bell bell-on"
		label = esc(p.L.T("notify.bell_unread", "Count", p.Unread))
	}
	b.WriteString(`<a class="` + bell + `" href="/notifications" title="` + title + `" aria-label="` + label + `">` + bellIcon)
	if p.Unread != 0 {
		n := strconv.FormatInt(p.Unread, 10)
		if p.Unread > 99 {
			n = "99+"
		}
		b.WriteString(`<span class="bell-count">` + n + "</span>")
	}
	b.WriteString("</a>\n    ")
	b.WriteString(`<a href="/account/password" title="` + esc(p.L.T("nav.account")) + `">` + esc(p.Me.Name) + "</a>\n    ")
	b.WriteString(`<span class="badge badge-muted">` + esc(p.L.T("role."+p.Me.Role)) + "</span>\n    ")
	b.WriteString(string(p.LangSwitch()))
	b.WriteString("\n    <form method=\"post\" action=\"/logout\" class=\"inline-form\">\n      ")
	b.WriteString(`<input type="hidden" name="_csrf" value="` + esc(p.CSRF) + "\">\n      ")
	b.WriteString(`<button type="submit" class="btn btn-sm btn-secondary">` + esc(p.L.T("nav.logout")) + "</button>\n    </form>\n  </div>")
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

// LangSwitch is the language switch (partials/lang's markup): a form
// posting to /lang that comes back to this page.
func (p *Page) LangSwitch() template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	b.WriteString("<form method=\"post\" action=\"/lang\" class=\"lang-switch\">\n  ")
	b.WriteString(`<input type="hidden" name="_csrf" value="` + esc(p.CSRF) + "\">\n  ")
	b.WriteString(`<input type="hidden" name="next" value="` + esc(p.Path) + "\">\n  ")
	for _, l := range [][2]string{{"zh-CN", "中文"}, {"en", "EN"}} {
		b.WriteString(`<button type="submit" name="lang" value="` + l[0] + `" class="btn btn-sm`)
		if p.Lang == l[0] {
			b.WriteString(` active"` + ` aria-pressed="true">`)
		} else {
			b.WriteString(`">`)
		}
		b.WriteString(l[1] + "</button>\n")
		if l[0] == "zh-CN" {
			b.WriteString("  ")
		}
	}
	b.WriteString("</form>\n")
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}
