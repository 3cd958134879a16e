package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// Page is what every page's layout reads: the translator, the user, the
// CSRF token, the navigation, the flash message, the bell. A typed view
// model embeds it, so a template reads {{.L.T "id"}} and {{.Me.Name}} as
// before and the page's own fields by name — a misspelt field is then a
// template execution error that the template test catches, not an empty
// string on screen.
//
//	type customerView struct {
//		web.Page
//		Customer *Customer
//		CanEdit  bool
//	}
//	return h.srv.View(c, "prospects/customer", &customerView{Customer: cu, CanEdit: ok})
type Page struct {
	L        i18n.Localizer
	Lang     string
	Langs    []string
	Me       *authz.Subject
	CSRF     string
	Path     string
	AssetVer string
	Year     int
	// Can answers the route-level question, only to hide buttons.
	Can       func(obj, act string) bool
	Nav       []navLink
	Flash     string
	FlashKind string
	// Title is the page's name in the browser tab ("<Title> · 集客 CRM").
	Title string
	// Unread is the bell's count of unread notifications.
	Unread int64
	// lb is the page's label memo (Labels).
	lb *Labels
}

// Labels are the page's translated labels, made on first use and shared
// by every part of the page written in Go (its header, filters, rows), so
// each label is translated once per page, not once per part.
func (p *Page) Labels() *Labels {
	if p.lb == nil {
		p.lb = NewLabels(p.L)
	}
	return p.lb
}

// page returns the embedded Page, so View can fill it in.
func (p *Page) page() *Page { return p }

// Viewer is a typed view model: any struct that embeds Page.
type Viewer interface{ page() *Page }

// View renders a typed view model inside the layout, filling in its Page
// (the title the handler set is kept).
func (s *Server) View(c *fiber.Ctx, name string, v Viewer) error {
	return s.ViewStatus(c, fiber.StatusOK, name, v)
}

// ViewStatus is View with a status code.
func (s *Server) ViewStatus(c *fiber.Ctx, status int, name string, v Viewer) error {
	if done, err := pastTheEnd(c, status); done {
		return err
	}
	if b, ok := c.Locals(localPageBuild).(*pageBuild); ok && b != nil && b.main == nil && status == fiber.StatusOK && Subject(c) != nil {
		return s.viewForKeeping(c, b, name, v)
	}
	p := v.page()
	title := p.Title
	*p = s.newPage(c)
	if title != "" {
		p.Title = title
	}
	layout := layoutBase
	if Subject(c) == nil {
		layout = layoutAuth
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(status)
	return c.Render(name, v, layout)
}

// ViewFragment renders a typed view model without a layout (htmx swaps).
func (s *Server) ViewFragment(c *fiber.Ctx, name string, v Viewer) error {
	p := v.page()
	title := p.Title
	*p = s.newPage(c)
	p.Title = title
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render(name, v)
}

// newPage builds the common page data for the request.
func (s *Server) newPage(c *fiber.Ctx) Page {
	lang := Lang(c)
	me := Subject(c)
	p := Page{
		L: s.I18n.For(lang), Lang: lang, Langs: i18n.Langs, Me: me, CSRF: CSRFToken(c),
		Path: c.Path(), AssetVer: s.assetVer, Year: time.Now().In(s.opts.Location).Year(),
		Can: func(obj, act string) bool { return me != nil && s.Enforcer.CanRoute(*me, obj, act) },
	}
	if me != nil {
		p.Nav = s.navFor(c)
		// A page that names itself keeps its name; any other is named by
		// the section of the navigation it belongs to, so no tab reads
		// only "集客 CRM".
		for _, n := range p.Nav {
			if n.Active {
				p.Title = p.L.T(n.Label)
			}
		}
		p.Unread = s.unreadOnce(c, me.ID)
	}
	if kind, msg := takeFlash(c); msg != "" {
		p.Flash = s.I18n.T(lang, msg)
		p.FlashKind = kind
	}
	return p
}

// unreadLocal keeps the bell's count for the rest of a request.
const unreadLocal = "web.unread"

// unreadOnce counts the user's unread notifications once per request:
// the home page builds a Page for each of its panels (a dozen), which
// counted them a dozen times.
func (s *Server) unreadOnce(c *fiber.Ctx, userID uint) int64 {
	if n, ok := c.Locals(unreadLocal).(int64); ok {
		return n
	}
	if s.unread == nil {
		return 0
	}
	n, err := s.unread(c.UserContext(), userID)
	if err != nil {
		s.Log.Warn("unread count", "err", err)
		return 0
	}
	c.Locals(unreadLocal, n)
	return n
}

// asMap is the Page as the map that fiber.Map pages are merged into.
func (p Page) asMap() fiber.Map {
	m := fiber.Map{
		"L": p.L, "Lang": p.Lang, "Langs": p.Langs, "Me": p.Me, "CSRF": p.CSRF, "Path": p.Path,
		"AssetVer": p.AssetVer, "Year": p.Year, "Can": p.Can, "Unread": p.Unread,
	}
	if p.Title != "" {
		m["Title"] = p.Title
	}
	if p.Me != nil {
		m["Nav"] = p.Nav
	}
	m["TopBar"], m["LangSwitch"] = p.TopBar(), p.LangSwitch()
	if p.Flash != "" {
		m["Flash"], m["FlashKind"] = p.Flash, p.FlashKind
	}
	return m
}

// SetUnreadCounter installs the bell's counter (the notification inbox).
func (s *Server) SetUnreadCounter(f func(ctx context.Context, userID uint) (int64, error)) {
	s.unread = f
}
