package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
	"github.com/jike-crm/jike/static"
	"github.com/jike-crm/jike/templates"
)

// appOptions are what the wiring needs beyond the database.
type appOptions struct {
	Logger     *slog.Logger
	Secure     bool
	Production bool
	Location   *time.Location
	DevDir     string
	SessionTTL time.Duration
	BcryptCost int
	LoginRate  int
	// TrustedProxies are passed to the web server (JIKE_TRUSTED_PROXIES).
	TrustedProxies []string
	Now            func() time.Time
}

// app is the wired portal: every module registered on one web server.
type app struct {
	Server    *web.Server
	DB        *db.DB
	Org       *org.Service
	Prospects *prospects.Service
	Visits    *visits.Service
	Needs     *needs.Service
	Catalog   *catalog.Service
}

// buildApp wires the modules explicitly, in dependency order. It is used
// by `serve` and by the tests, so tests exercise the real router.
func buildApp(d *db.DB, o appOptions) (*app, error) {
	enf, err := authz.New()
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.New()
	if err != nil {
		return nil, err
	}
	srv, err := web.New(web.Options{
		Logger: o.Logger, Enforcer: enf, I18n: bundle,
		Templates: templates.FS, Static: static.FS, DevDir: o.DevDir,
		Secure: o.Secure, Production: o.Production, Location: o.Location,
		Ready: d.Ready, TrustedProxies: o.TrustedProxies,
	})
	if err != nil {
		return nil, err
	}
	orgSvc := org.NewService(org.NewStore(d.Gorm), org.Options{
		SessionTTL: o.SessionTTL, BcryptCost: o.BcryptCost, Logger: o.Logger, Now: o.Now,
	})
	// Order matters: who is asking, then in which language, then CSRF.
	srv.Use(org.SessionMiddleware(orgSvc, srv), srv.Language(), srv.CSRF())
	org.Register(srv, orgSvc, org.RouteOptions{LoginRate: o.LoginRate})
	// The timeline is the registration point later modules add to.
	timeline := &prospects.Timeline{}
	prospectSvc := prospects.NewService(prospects.NewStore(d.Gorm), orgSvc.Store(), enf, timeline)
	prospects.Register(srv, prospectSvc)
	// needs: customer analysis and needs, scoped through prospects; each
	// need appears on the customer's timeline.
	needSvc := needs.NewService(needs.NewStore(d.Gorm), prospectSvc, needs.Options{Now: o.Now, Location: o.Location})
	needs.Register(srv, needSvc)
	timeline.Register(needSvc.TimelineEntries)
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.analysis", Path: "analysis", Order: 10})
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.needs", Path: "needs", Order: 20})
	visitSvc := visits.NewService(visits.NewStore(d.Gorm), prospectSvc, orgSvc.Store(), o.Location)
	if o.Now != nil {
		visitSvc.SetClock(o.Now)
	}
	// Visits and needs are siblings; they meet here: a need discovered at
	// a visit becomes a need record, and the brief lists open needs.
	visitSvc.CreateNeed = func(ctx context.Context, actor authz.Subject, customerID uint, category, description string, contactID, visitID uint) error {
		_, err := needSvc.CreateFromVisit(ctx, actor, customerID, category, description, contactID, visitID)
		return err
	}
	visitSvc.AddBriefSection(openNeedsSection(needSvc))
	fonts := pdf.DefaultFonts()
	visits.Register(srv, visitSvc, visits.BriefPDF(fonts, o.Location))
	// The catalogue (业务目录): products and list prices for proposals.
	catalogSvc := catalog.NewService(catalog.NewStore(d.Gorm))
	catalog.Register(srv, catalogSvc)
	srv.Finish()
	return &app{Server: srv, DB: d, Org: orgSvc, Prospects: prospectSvc, Visits: visitSvc, Needs: needSvc,
		Catalog: catalogSvc}, nil
}

// allModels lists every GORM model, for the schema drift test.
func allModels() []any {
	models := append(org.Models(), &audit.Entry{})
	models = append(models, prospects.Models()...)
	models = append(models, needs.Models()...)
	models = append(models, visits.Models()...)
	return append(models, catalog.Models()...)
}

// sweepSessions deletes expired sessions every interval until ctx ends.
func sweepSessions(ctx context.Context, svc *org.Service, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n, err := svc.Store().DeleteExpiredSessions(ctx, now.UTC()); err != nil {
				log.Warn("sweep sessions", "err", err)
			} else if n > 0 {
				log.Info("swept expired sessions", "count", n)
			}
		}
	}
}

// openNeedsSection is the pre-visit brief's "open needs" part: each open
// need of the customer, the high-priority ones marked with a star.
func openNeedsSection(svc *needs.Service) visits.BriefSection {
	return func(ctx context.Context, actor authz.Subject, customerID uint) (string, []string, error) {
		rows, _, err := svc.ListNeeds(ctx, actor, needs.NeedFilter{CustomerID: customerID, Status: "open", Limit: 20})
		if err != nil {
			return "", nil, err
		}
		lines := make([]string, 0, len(rows))
		for _, r := range rows {
			line := r.Description
			if r.Priority == "high" {
				line = "★ " + line
			}
			lines = append(lines, line)
		}
		return "brief.open_needs", lines, nil
	}
}
