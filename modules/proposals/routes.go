package proposals

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions are what the pages need besides the service: the PDF's
// fonts and letterhead and the zone dates are shown in.
type RouteOptions struct {
	Fonts      *pdf.Fonts
	Letterhead Letterhead
	Location   *time.Location
	// Unit translates a catalogue unit (条, 个, 套, 成员 …) into lang for
	// the price table and the PDF (cmd/jike wires the catalogue's); nil
	// shows units as recorded.
	Unit func(lang, unit string) string
}

// Register mounts the module's pages. Proposals follow their customer:
// reading one needs customer:read, changing one customer:write, deciding
// an approval proposal:approve — and the service checks each proposal's
// customer against the same policy, so a proposal of a customer one may
// not see is a 404 on every route, its PDF included.
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	if o.Location == nil {
		o.Location = time.Local
	}
	h := &handler{srv: srv, svc: svc, opts: o}
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	approve := web.Allow("proposal", "approve")

	r := srv.Router()
	c := r.Group("/customers")
	c.Get("/:id/proposals", read, h.customerProposals)
	c.Get("/:id/proposals/new", write, h.newForm)
	c.Post("/:id/proposals", write, h.create)

	p := r.Group("/proposals")
	p.Get("", read, srv.Keep(h.list))
	p.Get("/new", write, h.newPick)
	p.Get("/export.csv", read, h.export("csv"))
	p.Get("/export.xlsx", read, h.export("xlsx"))
	p.Get("/:id", read, h.show)
	p.Get("/:id/pdf", read, h.pdf)
	p.Get("/:id/edit", write, h.editForm)
	p.Post("/:id", write, h.update)
	p.Post("/:id/submit", write, h.submit)
	p.Post("/:id/send", write, h.send)
	p.Post("/:id/customer", write, h.customerDecision)
	p.Post("/:id/decide", approve, h.decide)

	srv.AddNav(web.NavItem{Label: "nav.proposals", Href: "/proposals", Perm: read, Order: 135})
	srv.AddHomePanel(web.HomePanel{Order: 5, Perm: approve, Template: "proposals/panel_queue", View: h.panelQueue,
		Reads: []string{db.VersionProposals, db.VersionCustomers, db.VersionOrg}})
}
