package needs

import (
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Register mounts the module's pages. Every route names its permission on
// customers (analyses and needs follow their customer); the service then
// checks each record's customer against the same policy.
func Register(srv *web.Server, svc *Service) {
	h := &handler{srv: srv, svc: svc}
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")

	r := srv.Router()
	c := r.Group("/customers")
	c.Get("/:id/analysis", read, h.analysis)
	c.Post("/:id/analysis", write, h.analysisSave)
	c.Post("/:id/analysis/services", write, h.serviceCreate)
	c.Post("/:id/analysis/services/:sid", write, h.serviceUpdate)
	c.Post("/:id/analysis/services/:sid/delete", write, h.serviceDelete)
	c.Get("/:id/needs", read, h.customerNeeds)
	c.Post("/:id/needs", write, h.needCreate)

	n := r.Group("/needs")
	n.Get("", read, h.needs)
	n.Get("/new", write, h.needNew)
	n.Get("/:id/edit", write, h.needEdit)
	n.Post("/:id", write, h.needUpdate)
	n.Post("/:id/status", write, h.needStatus)

	srv.AddNav(web.NavItem{Label: "nav.needs", Href: "/needs", Perm: read, Order: 130})
	srv.AddHomePanel(web.HomePanel{Order: 25, Perm: read, Template: "needs/panel_expiring", View: h.panelExpiring,
		Reads: []string{db.VersionNeeds, db.VersionAftersale, db.VersionCustomers}})
}
