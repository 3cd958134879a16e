package web

import (
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

// HomePanels loads and renders the panels the current user may see.
func (s *Server) HomePanels(c *fiber.Ctx) ([]template.HTML, error) {
	me := Subject(c)
	var out []template.HTML
	for _, p := range s.panels {
		if !p.Perm.Permits(s.Enforcer, me) {
			continue
		}
		html, err := s.renderPanel(c, p)
		if err != nil {
			return nil, err
		}
		out = append(out, html)
	}
	return out, nil
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
