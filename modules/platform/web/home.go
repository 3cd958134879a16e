package web

import (
	"html/template"
	"sort"

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
		data, err := p.Load(c)
		if err != nil {
			return nil, err
		}
		html, err := s.renderToString(c, p.Template, data)
		if err != nil {
			return nil, err
		}
		out = append(out, html)
	}
	return out, nil
}
