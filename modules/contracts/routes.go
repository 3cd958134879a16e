package contracts

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions are what the pages need besides the service: the PDF's
// fonts and letterhead, and the zone dates are shown in.
type RouteOptions struct {
	Fonts      *pdf.Fonts
	Letterhead Letterhead
	Location   *time.Location
}

// Register mounts the module's pages. Contracts follow their customer:
// reading one (its PDF and attachments included) needs customer:read,
// changing one customer:write, deciding an approval contract:approve —
// and the service checks each contract's customer against the same
// policy, so a contract of a customer one may not see is a 404 on every
// route.
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	h := &handler{srv: srv, svc: svc, opts: o}
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	approve := web.Allow("contract", "approve")

	r := srv.Router()
	cu := r.Group("/customers")
	cu.Get("/:id/contracts", read, h.customerContracts)
	cu.Get("/:id/contracts/new", write, h.newForm)
	cu.Post("/:id/contracts", write, h.create)

	c := r.Group("/contracts")
	c.Get("", read, h.list)
	c.Get("/expiring", read, h.expiring)
	c.Get("/export.csv", read, h.export(sheet.CSV))
	c.Get("/export.xlsx", read, h.export(sheet.XLSX))
	c.Get("/:id", read, h.show)
	c.Get("/:id/pdf", read, h.pdf)
	c.Get("/:id/edit", write, h.editForm)
	c.Post("/:id", write, h.update)
	c.Post("/:id/submit", write, h.submit)
	c.Post("/:id/decide", approve, h.decide)
	c.Post("/:id/sign", write, h.sign)
	c.Post("/:id/activate", write, h.activate)
	c.Post("/:id/terminate", write, h.terminate)
	c.Post("/:id/renew", write, h.renew)
	c.Post("/:id/amend", write, h.amend)
	c.Post("/:id/delete", write, h.delete)
	c.Post("/:id/tasks", write, h.addTask)
	c.Post("/:id/tasks/:tid", write, h.updateTask)
	c.Post("/:id/attachments", write, h.upload)
	c.Get("/:id/attachments/:aid", read, h.download)
	c.Post("/:id/attachments/:aid/delete", write, h.deleteAttachment)

	srv.AddNav(web.NavItem{Label: "nav.contracts", Href: "/contracts", Perm: read, Order: 137})
	srv.AddHomePanel(web.HomePanel{Order: 6, Perm: approve, Template: "contracts/panel_queue", View: h.panelQueue,
		Reads: []string{db.VersionContracts, db.VersionCustomers, db.VersionOrg}})
	srv.AddHomePanel(web.HomePanel{Order: 7, Perm: write, Template: "contracts/panel_tasks", View: h.panelTasks,
		Reads: []string{db.VersionContracts, db.VersionCustomers}})
	srv.AddHomePanel(web.HomePanel{Order: 8, Perm: read, Template: "contracts/panel_expiring", View: h.panelExpiring,
		Reads: []string{db.VersionContracts, db.VersionCustomers, db.VersionOrg}})
}
