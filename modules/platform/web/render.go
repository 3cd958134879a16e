package web

import (
	"errors"
	"fmt"
	"io"

	"html/template"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
	"github.com/valyala/bytebufferpool"
)

// Layouts: the portal's and the sign-in page's, written in Go
// (writeLayout). A render without one (an htmx fragment, a home panel)
// is the template alone.
const (
	layoutBase = "layouts/base"
	layoutAuth = "layouts/auth"
)

// views renders every template of the engine's set, and puts a page into
// its layout itself (writeLayout, in Go) rather than through the engine.
// The html engine (gofiber/template/html v2.1.3, the newest available)
// passes the page to the layout as a function ("embed") that it writes
// into the func map all templates share, so it holds the set's write lock
// for the whole of every render with a layout: two pages never rendered
// at once, and under 32 connections every page waited for the one
// rendering (a page's templates were two thirds of its CPU). Here the
// page is executed into a buffer, and the layout is written around it.
//
// At most one render fewer than there are processors runs at once
// (slots; at least one): a render is pure CPU, and the rest of every
// request — reading it, the database round trips, writing the answer,
// the collector — needs a processor too. Letting every request render
// at once (no slots) gave the worst p95 under 32 connections, a render
// per processor more pages per second but a worse p95 on the lighter
// pages, and one fewer (one on two cores) the lowest p95 on nearly every
// page; see docs/performance.md § Rendering.
type views struct {
	*html.Engine
	slots chan struct{}
}

func newViews(e *html.Engine) views {
	return views{Engine: e, slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
}

// Render renders name, inside layout when one is given (layoutBase or
// layoutAuth).
func (v views) Render(out io.Writer, name string, binding any, layout ...string) error {
	if v.PreRenderCheck() { // development: templates are read again
		if err := v.Load(); err != nil {
			return err
		}
	}
	tmpl, err := v.lookup(name)
	if err != nil {
		return err
	}
	var p *Page
	if len(layout) > 0 && layout[0] != "" {
		if layout[0] != layoutBase && layout[0] != layoutAuth {
			return fmt.Errorf("render: layout %s does not exist", layout[0])
		}
		if p, err = layoutPage(binding); err != nil {
			return err
		}
	}
	v.slots <- struct{}{}
	defer func() { <-v.slots }()
	if p == nil {
		return tmpl.Execute(out, binding)
	}
	page := bytebufferpool.Get()
	defer bytebufferpool.Put(page)
	if err := tmpl.Execute(page, binding); err != nil {
		return err
	}
	return writeLayout(out, layout[0], p, page.B)
}

// lookup finds a template of the set (read again first in development).
func (v views) lookup(name string) (*template.Template, error) {
	v.Mutex.RLock()
	tmpl := v.Templates.Lookup(name)
	v.Mutex.RUnlock()
	if tmpl == nil {
		return nil, fmt.Errorf("render: template %s does not exist", name)
	}
	return tmpl, nil
}

// execute renders the page name alone (no layout) into out, in a slot.
func (v views) execute(out io.Writer, name string, binding any) error {
	if v.PreRenderCheck() {
		if err := v.Load(); err != nil {
			return err
		}
	}
	tmpl, err := v.lookup(name)
	if err != nil {
		return err
	}
	v.slots <- struct{}{}
	defer func() { <-v.slots }()
	return tmpl.Execute(out, binding)
}

// Render renders a page inside the base layout (or the sign-in layout for
// anonymous requests) with the common data every page needs: .L
// (translator), .Me, .CSRF, .Nav, .Flash, .Can.
func (s *Server) Render(c *fiber.Ctx, name string, data fiber.Map) error {
	return s.RenderStatus(c, fiber.StatusOK, name, data)
}

// RenderStatus is Render with a status code (e.g. 422 for a form with
// errors).
func (s *Server) RenderStatus(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if done, err := pastTheEnd(c, status); done {
		return err
	}
	layout := layoutBase
	if Subject(c) == nil {
		layout = layoutAuth
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(status)
	return c.Render(name, s.pageData(c, data), layout)
}

// renderToString renders a template without a layout into HTML.
func (s *Server) renderToString(c *fiber.Ctx, name string, data fiber.Map) (template.HTML, error) {
	var b strings.Builder
	if err := s.engine.Render(&b, name, s.pageData(c, data)); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // output of html/template, already escaped
}

// Fragment renders a template without a layout, for htmx swaps.
func (s *Server) Fragment(c *fiber.Ctx, name string, data fiber.Map) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render(name, s.pageData(c, data))
}

func (s *Server) pageData(c *fiber.Ctx, data fiber.Map) fiber.Map {
	out := s.newPage(c).asMap()
	for k, v := range data {
		if k == "Title" && v == "" {
			continue // the default title (see newPage) stays
		}
		out[k] = v
	}
	return out
}

// navLink is a navigation entry prepared for the current request.
type navLink struct {
	Label  string
	Href   string
	Active bool
}

func (s *Server) navFor(c *fiber.Ctx) []navLink {
	me := Subject(c)
	path := c.Path()
	var out []navLink
	best := -1 // only the closest match is highlighted (/visits/calendar, not /visits too)
	for _, n := range s.nav {
		if !n.Perm.Permits(s.Enforcer, me) {
			continue
		}
		if path == n.Href || (n.Href != "/" && strings.HasPrefix(path, n.Href+"/")) {
			if best < 0 || len(n.Href) > len(out[best].Href) {
				best = len(out)
			}
		}
		out = append(out, navLink{Label: n.Label, Href: n.Href})
	}
	if best >= 0 {
		out[best].Active = true
	}
	return out
}

const flashCookie = "jike_flash"

var flashPattern = regexp.MustCompile(`^(ok|error|info):[a-z0-9_.]+$`)

// Flash shows a one-time message (an i18n id) on the next page; kind is
// "ok", "error" or "info".
func (s *Server) Flash(c *fiber.Ctx, kind, msgID string) {
	c.Cookie(&fiber.Cookie{
		Name: flashCookie, Value: kind + ":" + msgID, Path: "/",
		HTTPOnly: true, Secure: s.opts.Secure, SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: 60,
	})
}

func takeFlash(c *fiber.Ctx) (kind, msg string) {
	// Read once per request: panels and the page share the same message.
	if v, ok := c.Locals(flashCookie).([2]string); ok {
		return v[0], v[1]
	}
	kind, msg = readFlash(c)
	c.Locals(flashCookie, [2]string{kind, msg})
	return kind, msg
}

func readFlash(c *fiber.Ctx) (kind, msg string) {
	v := c.Cookies(flashCookie)
	if v == "" {
		return "", ""
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0)})
	if !flashPattern.MatchString(v) {
		return "", ""
	}
	kind, msg, _ = strings.Cut(v, ":")
	return kind, msg
}

// SafeNext returns next if it is a local path (no scheme, no host, no
// "//"), else fallback. It stops open redirects through ?next=.
func SafeNext(next, fallback string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return next
}

// Redirect sends a 303 to a local path, or an HX-Redirect for htmx.
func Redirect(c *fiber.Ctx, to string) error {
	if c.Get("HX-Request") == "true" {
		c.Set("HX-Redirect", to)
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// FormErrors turns a service error into translated messages for a form:
// validation errors by field, and a stale-version conflict under "_form".
// ok is false for any other error, which the caller returns as is.
func (s *Server) FormErrors(c *fiber.Ctx, err error) (msgs map[string]string, status int, ok bool) {
	if err == nil {
		return nil, 0, false
	}
	lang := Lang(c)
	if f, isFields := apperr.AsFields(err); isFields {
		msgs = make(map[string]string, len(f))
		for k, v := range f {
			msgs[k] = s.I18n.T(lang, v)
		}
		return msgs, fiber.StatusUnprocessableEntity, true
	}
	if errors.Is(err, apperr.ErrConflict) {
		return map[string]string{"_form": s.I18n.T(lang, "v.stale")}, fiber.StatusConflict, true
	}
	return nil, 0, false
}
