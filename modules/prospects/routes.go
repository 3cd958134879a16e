package prospects

import (
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Register mounts the module's pages. Every route names its permission;
// services then check each record against the same policy.
func Register(srv *web.Server, svc *Service) {
	h := &handler{srv: srv, svc: svc, staging: tabular.NewTempStaging("jike-import")}
	read, create, write := web.Allow("customer", "read"), web.Allow("customer", "create"), web.Allow("customer", "write")

	r := srv.Router()
	c := r.Group("/customers")
	c.Get("", read, srv.Keep(h.customers))
	c.Post("/default", read, h.saveDefaultFilter)
	c.Get("/export.csv", read, h.exportCSV)
	c.Get("/export.xlsx", read, h.exportXLSX)
	c.Get("/import", create, h.importPage)
	c.Get("/import/template.xlsx", create, h.importTemplate)
	c.Post("/import", create, h.importUpload)
	c.Get("/trash", web.Allow("customer", "delete"), h.trash)
	c.Get("/new", create, h.customerNew)
	// The customer picker's search: the same scoped query as the list.
	c.Get("/pick", read, h.customerPick)
	// The customer form's parent search and a group's tree, a level at a
	// time (htmx); both scoped like the list.
	c.Get("/parent-pick", read, h.parentPick)
	c.Get("/:id/members", read, h.members)
	c.Post("", create, h.customerCreate)
	c.Get("/:id", read, h.customerShow)
	c.Get("/:id/edit", write, h.customerEdit)
	c.Post("/:id", write, h.customerUpdate)
	c.Post("/:id/qualification", write, h.qualificationSave)
	c.Get("/:id/reassign", web.Allow("customer", "reassign"), h.reassignPage)
	c.Post("/:id/reassign", web.Allow("customer", "reassign"), h.reassign)
	c.Post("/:id/delete", web.Allow("customer", "delete"), h.customerDelete)
	c.Post("/:id/restore", web.Allow("customer", "delete"), h.customerRestore)
	c.Get("/:id/contacts/new", write, h.contactNew)
	c.Post("/:id/contacts", write, h.contactCreate)
	c.Get("/:id/contacts/:cid/edit", write, h.contactEdit)
	c.Post("/:id/contacts/:cid", write, h.contactUpdate)
	c.Post("/:id/contacts/:cid/delete", write, h.contactDelete)

	o := r.Group("/opportunities")
	o.Get("", read, srv.Keep(h.opportunities))
	o.Get("/export.csv", read, h.exportOpportunities("csv"))
	o.Get("/export.xlsx", read, h.exportOpportunities("xlsx"))
	o.Get("/new", write, h.opportunityNew)
	o.Post("", write, h.opportunityCreate)
	o.Get("/:id", read, h.opportunityShow)
	o.Get("/:id/edit", write, h.opportunityEdit)
	o.Post("/:id", write, h.opportunityUpdate)
	o.Post("/:id/stage", write, h.opportunityMove)
	r.Get("/pipeline", read, srv.Keep(h.pipeline))
	r.Get("/pipeline/more", read, h.boardMore)

	srv.AddNav(
		web.NavItem{Label: "nav.customers", Href: "/customers", Perm: read, Order: 100},
		web.NavItem{Label: "nav.pipeline", Href: "/pipeline", Perm: read, Order: 110},
		web.NavItem{Label: "nav.opportunities", Href: "/opportunities", Perm: read, Order: 120},
	)
	srv.AddHomePanel(web.HomePanel{Order: 15, Perm: read, Template: "prospects/panel_pipeline", Load: h.panelPipeline,
		Reads: []string{db.VersionOpportunities, db.VersionCustomers}})
	svc.Timeline().AddCustomerAction(CustomerLink{Label: "opportunities.new", Path: "/opportunities/new?customer={id}", Order: 10})
}
