package retention

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions are what the pages need besides the service.
type RouteOptions struct {
	Location *time.Location
}

// Register mounts the module's pages. Retention records follow their
// customer: retention read (the customer page, an alert) and act (an
// action, an outcome) are checked on the alert's customer, so a customer
// one may not see is a 404 on every route; retention queue lists the
// alerts and at-risk customers within the role's scope.
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	h := &handler{srv: srv, svc: svc, opts: o}
	read, act, queue := web.Allow("retention", "read"), web.Allow("retention", "act"), web.Allow("retention", "queue")
	r := srv.Router()
	r.Get("/customers/:id/retention", read, h.customer)
	g := r.Group("/retention")
	g.Get("", queue, h.queue)
	g.Get("/export.csv", queue, h.exportQueue)
	g.Get("/at-risk", queue, h.atRisk)
	g.Get("/at-risk.csv", queue, h.exportAtRisk)
	g.Get("/alerts/:id", read, h.alert)
	g.Post("/alerts/:id/action", act, h.recordAction)
	g.Post("/alerts/:id/outcome", act, h.recordOutcome)
	srv.AddNav(web.NavItem{Label: "nav.retention", Href: "/retention", Perm: queue, Order: 139})
	srv.AddHomePanel(web.HomePanel{Order: 8, Perm: act, Template: "retention/panel", Load: h.panel,
		Reads: []string{db.VersionRetention, db.VersionCustomers, db.VersionOrg}})
}
