package web

import (
	"context"
	"html/template"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// HomePanel is one card on the home page. Modules register panels for the
// roles they concern; the home page shows those whose Perm passes, in
// Order. Load returns the data for the panel's template.
type HomePanel struct {
	Order    int
	Perm     Perm
	Template string
	Load     func(c *fiber.Ctx) (fiber.Map, error)
	// View loads the panel's typed view (a struct embedding Page, whose
	// Page is filled in) instead of Load's map; a panel sets one of them.
	View func(c *fiber.Ctx) (Viewer, error)
	// Reads names the data versions (db.Version…) of every table the
	// panel's statements read. A panel that names them is kept, rendered,
	// per user while none of them moves (SetPanelCache); one that names
	// none is loaded on every request. TestHomePanelReads (cmd/jike)
	// fails when a panel reads a table whose version it does not name.
	Reads []string
}

// AddHomePanel registers a panel.
func (s *Server) AddHomePanel(p HomePanel) {
	s.panels = append(s.panels, p)
	sort.SliceStable(s.panels, func(i, j int) bool { return s.panels[i].Order < s.panels[j].Order })
}

// RenderedPanel is a panel's HTML for the current request.
type RenderedPanel struct {
	HTML template.HTML
}

// HomePanels loads and renders the panels the current user may see; those
// that name what they read come from the panel cache when nothing they
// read was written since (one statement reads every version they need).
func (s *Server) HomePanels(c *fiber.Ctx) ([]template.HTML, error) {
	me := Subject(c)
	var visible []HomePanel
	for _, p := range s.panels {
		if p.Perm.Permits(s.Enforcer, me) {
			visible = append(visible, p)
		}
	}
	if me != nil {
		// The bell is the layout's: counted before any panel, never
		// under a panel's context or kept with one.
		s.unreadOnce(c, me.ID)
	}
	pc := s.panelCache
	var names []string
	var versions []int64
	var who *panelKey
	if pc != nil {
		who = pc.who(c)
		if names = readNames(visible); len(names) > 0 {
			var err error
			if versions, err = pc.versions(pc.pin(c.UserContext()), names); err != nil {
				return nil, err
			}
		}
	}
	out := make([]template.HTML, 0, len(visible))
	for _, p := range visible {
		var html template.HTML
		var err error
		if pc == nil || len(p.Reads) == 0 {
			html, err = s.loadPanel(c, p, nil)
		} else {
			html, err = pc.render(who, p, versionsOf(p, names, versions), func() (template.HTML, error) {
				return s.loadPanel(c, p, pc.pin)
			})
		}
		if err != nil {
			return nil, err
		}
		out = append(out, html)
	}
	return out, nil
}

// loadPanel renders p with the request's context naming the panel (and,
// for a panel to keep, pinned to the primary), then restores the context.
func (s *Server) loadPanel(c *fiber.Ctx, p HomePanel, pin func(context.Context) context.Context) (template.HTML, error) {
	ctx := c.UserContext()
	inner := context.WithValue(ctx, panelCtxKey{}, p.Template)
	if pin != nil {
		inner = pin(inner)
	}
	c.SetUserContext(inner)
	defer c.SetUserContext(ctx)
	return s.renderPanel(c, p)
}

// renderPanel renders one panel from its typed view (View) or its map
// (Load).
func (s *Server) renderPanel(c *fiber.Ctx, p HomePanel) (template.HTML, error) {
	if p.View == nil {
		data, err := p.Load(c)
		if err != nil {
			return "", err
		}
		return s.renderToString(c, p.Template, data)
	}
	v, err := p.View(c)
	if err != nil {
		return "", err
	}
	*v.page() = s.newPage(c)
	var b strings.Builder
	if err := s.engine.Render(&b, p.Template, v); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // output of html/template, already escaped
}

// PanelReads is, per registered home panel (by template), the data
// versions it names (for the test that checks them).
func (s *Server) PanelReads() map[string][]string {
	out := make(map[string][]string, len(s.panels))
	for _, p := range s.panels {
		out[p.Template] = p.Reads
	}
	return out
}
