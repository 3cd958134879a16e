package reports

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions configure the pages.
type RouteOptions struct {
	Fonts *pdf.Fonts
	// Letterhead is the operator's name printed on the management pack.
	Letterhead string
	Location   *time.Location
}

// Register mounts the reports. Every route needs report read; the store
// narrows every figure to the viewer's report scope.
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	h := &handler{srv: srv, svc: svc, opts: o}
	read := web.Allow("report", "read")
	r := srv.Router()
	g := r.Group("/reports")
	g.Get("", read, h.index)
	g.Get("/pack.pdf", read, h.pack)
	for _, k := range Keys {
		g.Get("/"+k, read, h.page(k))
		g.Get("/"+k+"/export.xlsx", read, h.export(k, "xlsx"))
		g.Get("/"+k+"/export.csv", read, h.export(k, "csv"))
	}
	srv.AddNav(web.NavItem{Label: "nav.reports", Href: "/reports", Perm: read, Order: 160})
}
