package targets

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/tabular"

	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/web"
)

// RouteOptions configure the pages.
type RouteOptions struct {
	Fonts *pdf.Fonts
	// Letterhead is the operator's name printed on the review PDF.
	Letterhead string
	Location   *time.Location
	// ImportGate bounds concurrent imports per instance (shared with the
	// customer import; nil: unbounded).
	ImportGate *tabular.Gate
}

// Register mounts the module's pages. Every route names its permission;
// the service checks each manager's targets and reviews against the scope.
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	h := &handler{srv: srv, svc: svc, opts: o}
	read, set := web.Allow("target", "read"), web.Allow("target", "set")
	rread, rwrite := web.Allow("review", "read"), web.Allow("review", "write")
	r := srv.Router()
	t := r.Group("/targets")
	t.Get("", read, h.index)
	t.Get("/export.xlsx", read, h.export)
	t.Get("/am/:id", read, h.progress)
	t.Get("/set", set, h.setForm)
	t.Post("/set", set, h.setSave)
	t.Get("/quotas", set, h.quotas)
	t.Post("/quotas", set, h.quotasSave)
	t.Get("/quotas/import", set, h.quotaImportForm)
	t.Post("/quotas/import", set, h.quotaImport)
	t.Get("/review", rwrite, h.myReview)
	t.Post("/review", rwrite, h.myReviewSave)
	t.Get("/reviews", rread, h.reviews)
	t.Get("/reviews/:id", rread, h.review)
	t.Get("/reviews/:id/pdf", rread, h.reviewPDF)
	t.Post("/reviews/:id/comment", web.Allow("review", "comment"), h.decide(ActComment))
	t.Post("/reviews/:id/signoff", web.Allow("review", "signoff"), h.decide(ActSignOff))
	t.Post("/reviews/:id/return", web.Allow("review", "signoff"), h.decide(ActReturn))

	srv.AddNav(web.NavItem{Label: "nav.targets", Href: "/targets", Perm: read, Order: 150})
	// The manager's "this month so far"; the chief rep's and director's
	// reviews to read (only managers write reviews, only they get the first).
	srv.AddHomePanel(web.HomePanel{Order: 3, Perm: rwrite, Template: "targets/panel_progress", View: h.panelProgress,
		Reads: []string{db.VersionTargets, db.VersionContracts, db.VersionProposals, db.VersionVisits, db.VersionCustomers, db.VersionOrg}})
	srv.AddHomePanel(web.HomePanel{Order: 4, Perm: set, Template: "targets/panel_reviews", View: h.panelReviews,
		Reads: []string{db.VersionTargets, db.VersionOrg}})
}
