package visits

import (
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// Register mounts the module's pages. Every route names its permission;
// the service checks each visit against its customer's scope.
func Register(srv *web.Server, svc *Service, pdf BriefRenderer) {
	h := &handler{srv: srv, svc: svc, pdf: pdf}
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	r := srv.Router()
	v := r.Group("/visits")
	v.Get("", read, srv.Keep(h.list))
	v.Get("/calendar", read, srv.Keep(h.calendar))
	v.Get("/feed", read, h.feedPage)
	v.Post("/feed", read, h.feedCreate)
	v.Post("/feed/revoke", read, h.feedRevoke)
	v.Get("/new", write, h.newPlan)
	v.Post("", write, h.createPlan)
	v.Get("/:id", read, h.show)
	v.Get("/:id/edit", write, h.edit)
	v.Post("/:id", write, h.update)
	v.Post("/:id/check", write, h.check)
	v.Post("/:id/record", write, h.record)
	v.Post("/:id/cancel", write, h.cancel)
	v.Post("/:id/missed", write, h.missed)
	v.Get("/:id/brief", read, h.brief)
	v.Get("/:id/brief.pdf", read, h.briefPDF)
	r.Get("/customers/:id/visits", read, h.customerVisits)
	r.Post("/todos/:id/done", write, h.completeTodo)
	// The feed is fetched by phone calendars, which cannot sign in: the
	// secret token in the URL is the credential.
	r.Get("/ics/:token", web.Public(), h.feed)

	srv.AddNav(
		web.NavItem{Label: "nav.visits", Href: "/visits", Perm: read, Order: 105},
		web.NavItem{Label: "nav.calendar", Href: "/visits/calendar", Perm: read, Order: 106},
	)
	srv.AddHomePanel(web.HomePanel{Order: 5, Perm: read, Template: "visits/panel_agenda", View: h.panelAgenda,
		Reads: []string{db.VersionVisits, db.VersionTodos, db.VersionOpportunities, db.VersionContracts, db.VersionCustomers, db.VersionOrg}})
	svc.prospects.Timeline().AddCustomerLink(prospects.CustomerLink{Label: "nav.visits", Path: "visits", Order: 5})
	svc.prospects.Timeline().AddCustomerAction(prospects.CustomerLink{Label: "visits.new", Path: "/visits/new?customer={id}", Order: 5})
}
