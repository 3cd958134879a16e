package web

import (
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// The layouts are written in Go, not through a template: they wrap every
// page, and through html/template their thirty-odd actions (each a
// reflective field lookup, most a method call through reflect) were a
// fifth of what the lightest page cost the server (issue 19). Every text
// below is escaped here; TopBar and LangSwitch escape their own.

// writeLayout writes page inside the named layout: the portal's (with
// the top bar for a signed-in reader) or the sign-in page's.
func writeLayout(out io.Writer, layout string, p *Page, page []byte) error {
	if layout != layoutBase && layout != layoutAuth {
		return fmt.Errorf("render: layout %s does not exist", layout)
	}
	var m Markup
	m.Grow(3000)
	esc := template.HTMLEscapeString
	app := esc(p.L.T("app.name"))
	ver := esc(p.AssetVer)
	title := app
	if p.Title != "" {
		title = esc(p.Title) + " · " + app
	}
	m.W("<!doctype html>\n<html lang=\"", esc(p.Lang), "\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
		"<meta name=\"csrf-token\" content=\"", esc(p.CSRF), "\">\n",
		"<meta name=\"htmx-config\" content='{\"includeIndicatorStyles\":false,\"allowEval\":false}'>\n",
		"<title>", title, "</title>\n",
		"<link rel=\"icon\" href=\"/static/favicon.svg?v=", ver, "\" type=\"image/svg+xml\">\n",
		"<link rel=\"stylesheet\" href=\"/static/app.css?v=", ver, "\">\n")
	if layout == layoutBase {
		m.W("<script src=\"/static/vendor/htmx.min.js?v=", ver, "\" defer></script>\n")
	}
	m.W("<script src=\"/static/app.js?v=", ver, "\" defer></script>\n</head>\n")
	if layout == layoutBase {
		m.W("<body>\n<header class=\"topbar\">\n  <a class=\"brand\" href=\"/\">", app, "</a>\n  ")
		if p.Me != nil {
			m.W("\n  ", string(p.TopBar()), "\n  ")
		} else {
			m.W("\n  <div class=\"userbox\">", string(p.LangSwitch()), "<a class=\"btn btn-sm btn-primary\" href=\"/login\">",
				esc(p.L.T("login.submit")), "</a></div>\n  ")
		}
		m.W("\n</header>\n")
	} else {
		m.W("<body class=\"auth\">\n")
	}
	m.W("<main class=\"container\">\n", p.flashHTML(), "\n\n")
	if _, err := io.WriteString(out, m.String()); err != nil {
		return err
	}
	if _, err := out.Write(page); err != nil {
		return err
	}
	m.Reset()
	m.W("\n</main>\n")
	if layout == layoutBase {
		m.W("<footer class=\"footer muted\">© ", strconv.Itoa(p.Year), " ", app, " · ", esc(p.L.T("app.tagline")), "</footer>\n")
	}
	m.W("</body>\n</html>\n")
	_, err := io.WriteString(out, m.String())
	return err
}

// flashHTML is the one-time message a redirect left for this page, if any.
func (p *Page) flashHTML() string {
	if p.Flash == "" {
		return ""
	}
	kind := "alert-success"
	switch p.FlashKind {
	case "error":
		kind = "alert-error"
	case "info":
		kind = "alert-info"
	}
	return `<div class="alert ` + kind + `" role="status">` + template.HTMLEscapeString(p.Flash) + "</div>"
}

// layoutPage is the Page a binding carries: a typed view's own, or the
// one a map page was built from (Server.pageData), with what the map's
// data put in its place.
func layoutPage(binding any) (*Page, error) {
	switch b := binding.(type) {
	case Viewer:
		return b.page(), nil
	case fiber.Map:
		p := &Page{}
		p.L, _ = b["L"].(i18n.Localizer)
		p.Lang, _ = b["Lang"].(string)
		p.Me, _ = b["Me"].(*authz.Subject)
		p.CSRF, _ = b["CSRF"].(string)
		p.Path, _ = b["Path"].(string)
		p.AssetVer, _ = b["AssetVer"].(string)
		p.Year, _ = b["Year"].(int)
		p.Nav, _ = b["Nav"].([]navLink)
		p.Unread, _ = b["Unread"].(int64)
		p.Title, _ = b["Title"].(string)
		p.Flash, _ = b["Flash"].(string)
		p.FlashKind, _ = b["FlashKind"].(string)
		return p, nil
	default:
		return nil, fmt.Errorf("render: a page in a layout needs a Page or a fiber.Map, not %T", binding)
	}
}
