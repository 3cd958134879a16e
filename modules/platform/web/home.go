package web

import (
	"context"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// HomePanel is one card on the home page. Modules register panels for the
// roles they concern; the home page shows those whose Perm passes, in
// Order. Load returns the data for the panel's template.
//
// Load and View get the request's context and user, not the fiber.Ctx:
// the panels a home page must build are loaded at once, each in its own
// goroutine (HomePanels), and a fiber.Ctx is not safe for that. They read
// the database and return data; the rendering happens after, on the
// request's goroutine.
type HomePanel struct {
	Order    int
	Perm     Perm
	Template string
	Load     func(ctx context.Context, me authz.Subject) (fiber.Map, error)
	// View loads the panel's typed view (a struct embedding Page, whose
	// Page is filled in) instead of Load's map; a panel sets one of them.
	View func(ctx context.Context, me authz.Subject) (Viewer, error)
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

// homeLoads bounds the panels of one home page loaded at once: enough to
// overlap their statements (a director's or the admin's home builds a
// dozen panels after a write, 40–60 ms one after the other), few enough
// that one page does not take the connection pool from the others.
const homeLoads = 4

// homeSlot is one visible panel of a home page being built.
type homeSlot struct {
	p        HomePanel
	keep     bool    // kept in the panel cache
	versions []int64 // its Reads' current versions, when kept
	html     template.HTML
	done     bool // html is final (kept, or rendered)
	data     fiber.Map
	view     Viewer
}

// HomePanels loads and renders the panels the current user may see; those
// that name what they read come from the panel cache when nothing they
// read was written since (one statement reads every version they need).
// The others are loaded at once, at most homeLoads at a time, and then
// rendered in order.
func (s *Server) HomePanels(c *fiber.Ctx) ([]template.HTML, error) {
	me := Subject(c)
	var slots []*homeSlot
	for _, p := range s.panels {
		if p.Perm.Permits(s.Enforcer, me) {
			slots = append(slots, &homeSlot{p: p})
		}
	}
	if me != nil {
		// The bell is the layout's: counted before any panel, never
		// under a panel's context or kept with one.
		s.unreadOnce(c, me.ID)
	}
	pc := s.panelCache
	var who *panelKey
	if pc != nil {
		who = pc.who(c)
		visible := make([]HomePanel, len(slots))
		for i, sl := range slots {
			visible[i] = sl.p
		}
		if names := readNames(visible); len(names) > 0 {
			versions, err := pc.versions(pc.pin(c.UserContext()), names)
			if err != nil {
				return nil, err
			}
			for _, sl := range slots {
				if len(sl.p.Reads) > 0 {
					sl.keep, sl.versions = true, versionsOf(sl.p, names, versions)
					sl.html, sl.done = pc.lookup(who, sl.p, sl.versions)
				}
			}
		}
	}
	var subject authz.Subject
	if me != nil {
		subject = *me
	}
	if err := s.loadPanels(c.UserContext(), subject, slots, pc); err != nil {
		return nil, err
	}
	out := make([]template.HTML, 0, len(slots))
	for _, sl := range slots {
		if !sl.done {
			html, err := s.renderPanel(c, sl)
			if err != nil {
				return nil, err
			}
			if sl.keep {
				pc.store(who, sl.p, sl.versions, html)
			}
			sl.html = html
		}
		out = append(out, sl.html)
	}
	return out, nil
}

// loadPanels loads the data of every slot still to build, at most homeLoads
// at once when the process has goroutines to spare (par.Spare), each under a context naming its panel (PanelOf)
// and, for a panel to keep, pinned to the primary. A panel's error or
// panic is the page's error.
func (s *Server) loadPanels(ctx context.Context, me authz.Subject, slots []*homeSlot, pc *panelCache) error {
	var pending []*homeSlot
	for _, sl := range slots {
		if !sl.done {
			pending = append(pending, sl)
		}
	}
	return s.spare.Each(len(pending), homeLoads, func(i int) error {
		sl := pending[i]
		inner := context.WithValue(ctx, panelCtxKey{}, sl.p.Template)
		if sl.keep {
			inner = pc.pin(inner)
		}
		var err error
		if sl.p.View != nil {
			sl.view, err = sl.p.View(inner, me)
		} else {
			sl.data, err = sl.p.Load(inner, me)
		}
		if err != nil {
			return fmt.Errorf("home panel %s: %w", sl.p.Template, err)
		}
		return nil
	})
}

// renderPanel renders a loaded panel from its typed view (View) or its
// map (Load).
func (s *Server) renderPanel(c *fiber.Ctx, sl *homeSlot) (template.HTML, error) {
	if sl.p.View == nil {
		return s.renderToString(c, sl.p.Template, sl.data)
	}
	v := sl.view
	*v.page() = s.newPage(c)
	var b strings.Builder
	if err := s.engine.Render(&b, sl.p.Template, v); err != nil {
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
