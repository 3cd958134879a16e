package usage

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions are what the pages need besides the service.
type RouteOptions struct {
	Location *time.Location
	// Industries are the customers' industries in the UI's order.
	Industries []string
}

// Register mounts the module's pages. Reading follows the customer:
// usage:read, scoped like customer:read, and the customer's tab is a 404
// for a customer out of reach. Importing a month needs usage:import (the
// admin).
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	h := &handler{srv: srv, svc: svc, industries: o.Industries, loc: o.Location, staging: tabular.NewTempStaging("jike-usage-import")}
	read, imp := web.Allow("usage", "read"), web.Allow("usage", "import")
	r := srv.Router()
	r.Get("/customers/:id/usage", read, h.customer)
	u := r.Group("/usage")
	u.Get("", read, h.list)
	u.Get("/export.csv", read, h.exportCSV)
	u.Get("/export.xlsx", read, h.exportXLSX)
	u.Get("/import", imp, h.importPage)
	u.Post("/import", imp, h.upload)
	u.Get("/import/template.csv", imp, h.template)
	srv.AddNav(web.NavItem{Label: "nav.usage", Href: "/usage", Perm: read, Order: 139})
}
