package pool

import "github.com/jike-crm/jike/modules/platform/web"

// Register mounts the pool's pages: the list (pool read: account
// managers, chief reps and directors, each their own branch's), claiming
// (pool claim), assigning (pool assign) and the branch's rule (pool
// configure: director, admin).
func Register(srv *web.Server, svc *Service) {
	h := &handler{srv: srv, svc: svc}
	read := web.Allow("pool", "read")
	r := srv.Router()
	g := r.Group("/pool")
	g.Get("", read, h.list)
	g.Post("/:id/claim", web.Allow("pool", "claim"), h.claim)
	g.Post("/:id/assign", web.Allow("pool", "assign"), h.assign)
	configure := web.Allow("pool", "configure")
	g.Get("/settings", configure, h.settings)
	g.Post("/settings", configure, h.saveSettings)
	srv.AddNav(web.NavItem{Label: "nav.pool", Href: "/pool", Perm: read, Order: 105})
}
