package aftersale

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions are what the pages need besides the service.
type RouteOptions struct {
	Location *time.Location
}

// Register mounts the module's pages. After-sale records follow their
// customer: reading needs customer:read, changing customer:write, and the
// service checks each record's customer, so a record of a customer one
// may not see is a 404 on every route. The branch settings need
// aftersale:configure (the director).
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	h := &handler{srv: srv, svc: svc, opts: o}
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	configure := web.Allow("aftersale", "configure")

	r := srv.Router()
	cu := r.Group("/customers")
	cu.Get("/:id/aftersale", read, h.customer)
	cu.Post("/:id/touches", write, h.addTouch)
	cu.Post("/:id/care-dates", write, h.addCareDate)
	cu.Post("/:id/care-done", write, h.careDone)
	cu.Get("/:id/requests/new", write, h.newRequest)
	cu.Post("/:id/requests", write, h.createRequest)

	a := r.Group("/aftersale")
	a.Get("/care", read, h.care)
	a.Get("/events", read, h.events)
	a.Get("/requests", read, h.requests)
	a.Get("/requests/export.csv", read, h.exportCSV)
	a.Get("/requests/export.xlsx", read, h.exportXLSX)
	a.Get("/requests/:id", read, h.request)
	a.Post("/requests/:id/start", write, h.start)
	a.Post("/requests/:id/transfer", write, h.transfer)
	a.Post("/requests/:id/resolve", write, h.resolve)
	a.Post("/requests/:id/close", write, h.close)
	a.Post("/requests/:id/reopen", write, h.reopen)
	a.Get("/callbacks", read, h.callbacks)
	a.Get("/callbacks/:id", read, h.callback)
	a.Post("/callbacks/:id", write, h.recordCallback)
	// Care touches and key dates: edit and delete (care_record edit: the
	// owner, the team's chief rep, the branch's director).
	editCare := web.Allow("care_record", "edit")
	a.Get("/touches/:id/edit", editCare, h.editTouch)
	a.Post("/touches/:id", editCare, h.updateTouch)
	a.Post("/touches/:id/delete", editCare, h.deleteTouch)
	a.Get("/care-dates/:id/edit", editCare, h.editCareDate)
	a.Post("/care-dates/:id", editCare, h.updateCareDate)
	a.Post("/care-dates/:id/delete", editCare, h.deleteCareDate)
	a.Get("/settings", configure, h.settings)
	a.Post("/settings", configure, h.saveSettings)

	srv.AddNav(web.NavItem{Label: "nav.aftersale", Href: "/aftersale/care", Perm: read, Order: 138})
	srv.AddHomePanel(web.HomePanel{Order: 9, Perm: read, Template: "aftersale/panel_events", View: h.panelEvents,
		Reads: []string{db.VersionAftersale, db.VersionContracts, db.VersionCustomers}})
	srv.AddHomePanel(web.HomePanel{Order: 10, Perm: read, Template: "aftersale/panel_requests", View: h.panelRequests,
		Reads: []string{db.VersionAftersale, db.VersionCustomers, db.VersionOrg}})
}
