package web

import (
	"sort"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
)

type permKind int

const (
	permPublic permKind = iota + 1
	permLoggedIn
	permAllow
)

// Perm is the permission a route requires. Every route is registered with
// one, next to its handler, so the rule is visible where the route is
// declared and the route test can walk them all.
type Perm struct {
	kind permKind
	Obj  string
	Act  string
}

// Public routes need no session (login page, health checks, assets).
func Public() Perm { return Perm{kind: permPublic} }

// LoggedIn routes need a session but no particular permission (home,
// own password, logout). Records they show are still checked in services.
func LoggedIn() Perm { return Perm{kind: permLoggedIn} }

// Allow requires the role to have act on obj at some scope in the policy.
func Allow(obj, act string) Perm { return Perm{kind: permAllow, Obj: obj, Act: act} }

// IsPublic reports whether p lets anonymous requests through.
func (p Perm) IsPublic() bool { return p.kind == permPublic }

// Permits reports whether the subject (nil for anonymous) passes p.
func (p Perm) Permits(e *authz.Enforcer, s *authz.Subject) bool {
	switch p.kind {
	case permPublic:
		return true
	case permLoggedIn:
		return s != nil
	case permAllow:
		return s != nil && e.CanRoute(*s, p.Obj, p.Act)
	}
	return false
}

// String describes p for test output.
func (p Perm) String() string {
	switch p.kind {
	case permPublic:
		return "public"
	case permLoggedIn:
		return "logged-in"
	case permAllow:
		return p.Obj + ":" + p.Act
	}
	return "none"
}

// registry remembers the permission of every route registered through a
// Router, keyed by "METHOD /path".
type registry struct {
	mu     sync.Mutex
	routes map[string]Perm
}

func (r *registry) add(method, path string, p Perm) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[method+" "+path] = p
}

// RouteInfo is one registered route and its permission.
type RouteInfo struct {
	Method string
	Path   string
	Perm   Perm
}

// Routes lists every route registered through a Router, sorted.
func (s *Server) Routes() []RouteInfo {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	out := make([]RouteInfo, 0, len(s.reg.routes))
	for k, p := range s.reg.routes {
		method, path, _ := strings.Cut(k, " ")
		out = append(out, RouteInfo{Method: method, Path: path, Perm: p})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// PermFor returns the permission registered for method and path.
func (s *Server) PermFor(method, path string) (Perm, bool) {
	s.reg.mu.Lock()
	defer s.reg.mu.Unlock()
	p, ok := s.reg.routes[method+" "+path]
	return p, ok
}

// Router registers routes together with their permission.
type Router struct {
	srv    *Server
	fr     fiber.Router
	prefix string
}

// Router returns the root router.
func (s *Server) Router() *Router { return &Router{srv: s, fr: s.App} }

// Group returns a router for routes under prefix.
func (r *Router) Group(prefix string) *Router {
	return &Router{srv: r.srv, fr: r.fr.Group(prefix), prefix: r.prefix + prefix}
}

func (r *Router) handle(method, path string, p Perm, h []fiber.Handler) {
	full := r.prefix + path
	r.srv.reg.add(method, full, p)
	handlers := append([]fiber.Handler{r.srv.guard(p)}, h...)
	r.fr.Add(method, path, handlers...)
}

// Get registers a GET route, and HEAD for the same path: HEAD answers
// exactly like GET without the body (monitors and link checkers use it).
// HEAD is not listed in Routes; it shares the GET route's permission.
func (r *Router) Get(path string, p Perm, h ...fiber.Handler) {
	r.handle(fiber.MethodGet, path, p, h)
	r.fr.Add(fiber.MethodHead, path, append([]fiber.Handler{r.srv.guard(p)}, h...)...)
}

// Post registers a POST route.
func (r *Router) Post(path string, p Perm, h ...fiber.Handler) {
	r.handle(fiber.MethodPost, path, p, h)
}

// Put registers a PUT route.
func (r *Router) Put(path string, p Perm, h ...fiber.Handler) {
	r.handle(fiber.MethodPut, path, p, h)
}

// Patch registers a PATCH route.
func (r *Router) Patch(path string, p Perm, h ...fiber.Handler) {
	r.handle(fiber.MethodPatch, path, p, h)
}

// Delete registers a DELETE route.
func (r *Router) Delete(path string, p Perm, h ...fiber.Handler) {
	r.handle(fiber.MethodDelete, path, p, h)
}

// guard enforces p before the handler runs.
func (s *Server) guard(p Perm) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sub := Subject(c)
		if p.Permits(s.Enforcer, sub) {
			return c.Next()
		}
		if sub == nil {
			return apperr.ErrUnauthenticated
		}
		return apperr.ErrForbidden
	}
}
