package catalog

import (
	"github.com/jike-crm/jike/modules/platform/web"
)

// Register mounts the catalogue's pages. Every signed-in role reads the
// catalogue (catalog:read); only the admin writes it (catalog:manage).
// /catalog/new is registered before /catalog/:id so that "new" is never
// taken for an id.
func Register(srv *web.Server, svc *Service) {
	h := &handler{srv: srv, svc: svc}
	read, manage := web.Allow("catalog", "read"), web.Allow("catalog", "manage")

	g := srv.Router().Group("/catalog")
	g.Get("", read, h.list)
	g.Get("/new", manage, h.newForm)
	g.Post("", manage, h.create)
	g.Get("/:id", read, h.show)
	g.Get("/:id/edit", manage, h.editForm)
	g.Post("/:id", manage, h.update)
	g.Post("/:id/retire", manage, h.retire)
	g.Post("/:id/activate", manage, h.activate)

	srv.AddNav(web.NavItem{Label: "nav.catalog", Href: "/catalog", Perm: read, Order: 140})
}
