package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/jobs"
	"github.com/jike-crm/jike/modules/platform/metrics"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/pool"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/reports"
	"github.com/jike-crm/jike/modules/retention"
	"github.com/jike-crm/jike/modules/targets"
	"github.com/jike-crm/jike/modules/todos"
	usagemod "github.com/jike-crm/jike/modules/usage"
	"github.com/jike-crm/jike/modules/visits"
	"github.com/jike-crm/jike/static"
	"github.com/jike-crm/jike/templates"
	"gorm.io/gorm"
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
	// Letterhead and the approval thresholds of proposals (zero values:
	// the package defaults).
	Letterhead                      proposals.Letterhead
	ChiefApproval, DirectorApproval money.Fen
	// MaxUploadBytes is JIKE_MAX_UPLOAD_MB in bytes (0: the default).
	MaxUploadBytes int64
	// Notify delivers the sign-in warnings of org (nil: log and audit only).
	Notify org.NotifyFunc
	// ApprovalFallback is JIKE_APPROVAL_FALLBACK (see proposals.Options).
	ApprovalFallback []string
	// TargetUplift is how far (percent) a proposed monthly target is above
	// the quota's share (nil: the default, 10); Holidays the working-day
	// calendar of the review window (nil: the shipped list).
	TargetUplift *int
	Holidays     *targets.Calendar
	// Contracts: approval thresholds, number prefix, the configured
	// fallback approver, renewal reminder days and the attachment limit
	// (zero values: the package defaults).
	Contracts contracts.Options
	// Metrics is the instance's registry (nil: a new one on d's pool);
	// MetricsToken, when set, serves it at /metrics behind that token.
	Metrics      *metrics.Metrics
	MetricsToken string
	// Replica is the read replica the reports read from (nil: the
	// primary); ReportProbabilities the forecast's stage probabilities
	// (nil: reports.DefaultProbabilities).
	Replica             *gorm.DB
	ReportProbabilities map[string]int
	// APIRate is the API's requests per minute per token (0: api.DefaultRate).
	APIRate int
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
	Proposals *proposals.Service
	Contracts *contracts.Service
	// ContractDeps are the other modules contracts work with, as wired
	// (tests wrap one to inject a failure).
	ContractDeps contracts.Deps
	Targets      *targets.Service
	Aftersale    *aftersale.Service
	Pool         *pool.Service
	Reports      *reports.Service
	Notify       *notify.Service
	Todos        *todos.Service
	// Jobs runs the scheduled work; `serve` starts it, tests call RunDue
	// with a fake clock.
	Jobs *jobs.Runner
	// Metrics counts requests, jobs, sign-in failures and imports.
	Metrics *metrics.Metrics
	// ProspectStore is the prospects store as wired, for tests that read
	// rows back (modules reach prospects through its service only).
	ProspectStore *prospects.Store

	// Retention is the churn score and the retention queue; a usage
	// import calls Retention.AfterImport once it has committed.
	Retention *retention.Service
	// API is the REST API (/api/v1) and Tokens its personal access tokens.
	API    *api.API
	Tokens *tokens.Service
	// Usage is billing's monthly usage: import, the customer's tab, lists.
	Usage *usagemod.Service
}

// buildApp wires the modules explicitly, in dependency order. It is used
// by `serve` and by the tests, so tests exercise the real router.
func buildApp(d *db.DB, o appOptions) (*app, error) {
	// One clock: GORM stamps created_at/updated_at with the services'
	// clock (o.Now), on this app's own session of d.
	d = d.WithClock(o.Now)
	enf, err := authz.New()
	if err != nil {
		return nil, err
	}
	bundle, err := i18n.New()
	if err != nil {
		return nil, err
	}
	if o.Metrics == nil {
		pool, err := d.Gorm.DB()
		if err != nil {
			return nil, err
		}
		o.Metrics = metrics.New(pool)
	}
	// One budget of goroutines for the requests that read a few things
	// at once (home panels, board columns): used only while spare.
	spare := par.DefaultSpare()
	srv, err := web.New(web.Options{
		Logger: o.Logger, Enforcer: enf, I18n: bundle, Spare: spare,
		Templates: templates.FS, Static: static.FS, DevDir: o.DevDir,
		Secure: o.Secure, Production: o.Production, Location: o.Location,
		Ready: d.Ready, TrustedProxies: o.TrustedProxies, MaxUploadBytes: o.MaxUploadBytes,
		MaxBodyBytes: attachmentLimit(o.Contracts), Observe: observeRequests(o.Metrics),
	})
	if err != nil {
		return nil, err
	}
	// The home panels are kept per user under the data versions of what
	// they read (HomePanel.Reads), read from the primary.
	srv.SetPanelCache(func(ctx context.Context, names []string) ([]int64, error) {
		return db.DataVersions(ctx, d.Gorm, names)
	}, o.Now, db.Pin)
	// Pages wrapped with web.Server.Keep are kept whole under the data
	// versions of everything they read (db.TrackReads).
	srv.SetPageCache(db.TrackReads, func(ctx context.Context, names []string) ([]int64, error) {
		return db.DataVersions(ctx, d.Gorm, names)
	}, o.Now)
	// A password reset or change, disabling and re-enabling revoke what
	// other modules issued to the user (calendar feed tokens); visitSvc
	// is built further down.
	var visitSvc *visits.Service
	// The notification inbox (the bell): every module may send notices.
	notifySvc := notify.New(d.Gorm, o.Now)
	if o.Notify == nil {
		o.Notify = orgNotices(notifySvc)
	}
	orgSvc := org.NewService(org.NewStore(d.Gorm).ReadSessionsFrom(d.Lookup), org.Options{
		SessionTTL: o.SessionTTL, BcryptCost: o.BcryptCost, Logger: o.Logger, Now: o.Now,
		Notify: o.Notify,
		OnCredentialsRevoked: func(ctx context.Context, userID uint) error {
			return visitSvc.RevokeUserFeeds(ctx, userID)
		},
	})
	// The job runner comes first: every module may register jobs.
	runner := jobs.New(d.Gorm, jobs.Options{Logger: o.Logger, Now: o.Now, Location: o.Location, OnRun: o.Metrics.JobRun})
	runner.MustRegister(jobs.Job{Name: "notify.prune", Schedule: "30 3 * * *", Run: func(ctx context.Context, now time.Time) error {
		_, err := notifySvc.Prune(ctx, now.AddDate(0, 0, -180))
		return err
	}})
	runner.MustRegister(jobs.Job{Name: "db.optimize", Schedule: "0 4 * * *", Run: func(ctx context.Context, _ time.Time) error {
		return d.Optimize(ctx)
	}})
	// Order matters: who is asking, then in which language, then CSRF.
	// The REST API (/api/v1) authenticates by bearer token only: neither
	// the session cookie nor the CSRF check applies there (api.SkipAPI).
	srv.Use(versionMemo, api.SkipAPI(org.SessionMiddleware(orgSvc, srv)), api.SkipAPI(srv.Language()), api.SkipAPI(srv.CSRF()))
	org.Register(srv, orgSvc, org.RouteOptions{LoginRate: o.LoginRate})
	notify.Register(srv, notifySvc)
	jobs.Register(srv, runner)
	// The timeline is the registration point later modules add to.
	timeline := &prospects.Timeline{}
	prospectStore := prospects.NewStore(d.Gorm)
	prospectSvc := prospects.NewService(prospectStore, orgSvc, enf, timeline)
	prospectSvc.SetSpare(spare)
	if o.Now != nil {
		prospectSvc.SetClock(o.Now)
	}
	prospectSvc.ImportGate().OnImported(o.Metrics.Imported)
	prospects.Register(srv, prospectSvc)
	if d.Gorm.Dialector.Name() == db.Postgres {
		runner.MustRegister(jobs.Job{Name: prospects.JobFoldStageTotals, Schedule: "@every 1m", Run: prospectSvc.FoldStageTotals})
	}
	// needs: customer analysis and needs, scoped through prospects; each
	// need appears on the customer's timeline.
	needSvc := needs.NewService(needs.NewStore(d.Gorm), prospectSvc, needs.Options{Now: o.Now, Location: o.Location})
	needs.Register(srv, needSvc)
	timeline.Register(needSvc.TimelineEntries)
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.analysis", Path: "analysis", Order: 10})
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.needs", Path: "needs", Order: 20})
	timeline.AddCustomerAction(prospects.CustomerLink{Label: "needs.new", Path: "needs#new-need", Order: 20})
	visitStore := visits.NewStore(d.Gorm)
	visitStore.SetSpare(spare)
	// The kept visit counts per week piece (PostgreSQL) count in the
	// portal's zone; the activity report and the attainment lines read
	// them when they do.
	visitWeeks, err := visitStore.KeepWeekCounts(context.Background(), o.Location)
	if err != nil {
		return nil, err
	}
	visitSvc = visits.NewService(visitStore, prospectSvc, orgSvc, o.Location)
	if o.Now != nil {
		visitSvc.SetClock(o.Now)
	}
	// Visits and needs are siblings; they meet here: a need discovered at
	// a visit becomes a need record, written in the visit record's
	// transaction (tx), and the brief lists open needs.
	visitSvc.CreateNeed = func(ctx context.Context, tx *gorm.DB, actor authz.Subject, n visits.NeedRequest) error {
		_, err := needSvc.WithDB(tx).CreateVisitNeed(ctx, actor, n.CustomerID, needs.VisitNeed{Category: n.Category,
			Description: n.Description, ContactID: n.ContactID, OpportunityID: n.OpportunityID, VisitID: n.VisitID})
		return err
	}
	visitSvc.AddBriefSection(openNeedsSection(needSvc))
	runner.MustRegister(jobs.Job{Name: "visits.reminders", Schedule: "@every 15m", Run: visitReminders(visitSvc, notifySvc, o.Location)})
	fonts := pdf.DefaultFonts()
	visits.Register(srv, visitSvc, visits.BriefPDF(fonts, o.Location))
	// The catalogue prices proposals; proposals know products only as
	// proposals.Priced, through these two adapters.
	catalogSvc := catalog.NewService(catalog.NewStore(d.Gorm), catalog.Options{Now: o.Now, Users: orgSvc})
	catalog.Register(srv, catalogSvc)
	proposalSvc := proposals.NewService(proposals.NewStore(d.Gorm), prospectSvc, enf, priceList(catalogSvc), proposals.Options{
		ChiefThreshold: o.ChiefApproval, DirectorThreshold: o.DirectorApproval, Now: o.Now,
		OnSale: onSale(catalogSvc), Users: orgSvc, Needs: proposalNeeds(needSvc),
		FallbackApprovers: o.ApprovalFallback,
		// Sending a proposal moves its opportunity to 方案提交; the
		// customer's acceptance to 商务谈判, where the contract (next
		// module) picks it up. Neither moves an opportunity backwards.
		OnSent:     advanceOpportunity(prospectSvc, prospects.StageProposal),
		OnAccepted: advanceOpportunity(prospectSvc, prospects.StageNegotiation),
	})
	proposalPages := proposals.RouteOptions{Fonts: fonts, Letterhead: o.Letterhead, Location: o.Location,
		Unit: func(lang, unit string) string {
			return catalog.UnitName(func(id string) string { return srv.I18n.T(lang, id) }, unit)
		}}
	proposals.Register(srv, proposalSvc, proposalPages)
	timeline.Register(proposalSvc.TimelineEntries)
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.proposals", Path: "proposals", Order: 30})
	timeline.AddCustomerAction(prospects.CustomerLink{Label: "proposals.new", Path: "proposals/new", Order: 30})
	visitSvc.AddBriefSection(openProposalsSection(proposalSvc))
	// Every module describes its records to the history (field labels,
	// enums, references) and names them for readers who may see them.
	if err := errors.Join(
		org.DescribeHistory(srv.History, orgSvc, enf),
		prospects.DescribeHistory(srv.History, prospectSvc),
		needs.DescribeHistory(srv.History, needSvc),
		visits.DescribeHistory(srv.History, visitSvc),
		catalog.DescribeHistory(srv.History, catalogSvc),
		proposals.DescribeHistory(srv.History, proposalSvc),
	); err != nil {
		return nil, err
	}
	// Contracts: made from accepted proposals (or by hand from the
	// catalogue); signing wins the opportunity and activates the customer
	// in prospects, inside the contract's transaction.
	cdeps := contracts.Deps{
		Customers: prospectSvc, Sales: contractSales{prospectSvc}, Proposals: contractProposals{proposalSvc},
		Products: contractProducts{catalogSvc}, Org: orgSvc, Notify: notifySvc,
	}
	copts := o.Contracts
	copts.Now, copts.Location, copts.Logger = o.Now, o.Location, o.Logger
	contractSvc := contracts.NewService(contracts.NewStore(d.Gorm), enf, cdeps, copts)
	contracts.Register(srv, contractSvc, contracts.RouteOptions{Fonts: fonts, Location: o.Location,
		Letterhead: contracts.Letterhead{Name: o.Letterhead.Name, Logo: o.Letterhead.Logo}})
	timeline.Register(contractSvc.TimelineEntries)
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.contracts", Path: "contracts", Order: 40})
	visitSvc.AddBriefSection(contractsSection(contractSvc))
	needSvc.SetIncumbents(incumbents(contractSvc))
	runner.MustRegister(jobs.Job{Name: contracts.JobRenewals, Schedule: "0 8 * * *", Run: contractSvc.Renewals})
	runner.MustRegister(jobs.Job{Name: contracts.JobTasksOverdue, Schedule: "30 8 * * *", Run: contractSvc.TasksOverdue})
	// After-sale: care plan, care events, service requests with their SLA
	// clock (business hours on the same working-day calendar as targets),
	// satisfaction call-backs.
	holidays := o.Holidays
	if holidays == nil {
		holidays = targets.DefaultCalendar()
	}
	afterSvc := aftersale.NewService(aftersale.NewStore(d.Gorm), enf, aftersale.Deps{Customers: prospectSvc, Org: orgSvc,
		Notify: notifySvc, Calendar: holidays}, aftersale.Options{Now: o.Now, Location: o.Location, Logger: o.Logger})
	aftersale.Register(srv, afterSvc, aftersale.RouteOptions{Location: o.Location})
	visitSvc.OnVisitDone = afterSvc.VisitDone // the care list's last contact, in the visit record's transaction
	timeline.Register(afterSvc.TimelineEntries)
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.aftersale", Path: "aftersale", Order: 50})
	timeline.AddCustomerAction(prospects.CustomerLink{Label: "aftersale.request.new", Path: "requests/new", Order: 50})
	visitSvc.AddBriefSection(afterSaleSection(afterSvc, o.Location))
	if err := aftersale.DescribeHistory(srv.History, afterSvc, prospectSvc); err != nil {
		return nil, err
	}
	runner.MustRegister(jobs.Job{Name: aftersale.JobSLA, Schedule: "@every 5m", Run: afterSvc.SLA})
	runner.MustRegister(jobs.Job{Name: aftersale.JobAutoClose, Schedule: "15 2 * * *", Run: afterSvc.AutoClose})
	runner.MustRegister(jobs.Job{Name: aftersale.JobCare, Schedule: "0 7 * * *", Run: afterSvc.CareOverdue})
	runner.MustRegister(jobs.Job{Name: aftersale.JobCallbacks, Schedule: "30 6 * * *", Run: afterSvc.Callbacks})
	if d.Gorm.Dialector.Name() == db.Postgres {
		runner.MustRegister(jobs.Job{Name: aftersale.JobFoldCareCounts, Schedule: "@every 1m", Run: afterSvc.FoldCareCounts})
	}
	// retention: the churn-risk score over usage, contracts, complaints,
	// call-backs and care (nightly, and after a usage import through
	// Retention.AfterImport), and the retention queue with its escalation.
	retentionSvc := retention.NewService(retention.NewStore(d.Gorm), enf, retention.Deps{Customers: prospectSvc, Org: orgSvc.Store(),
		Notify: notifySvc}, retention.Options{Now: o.Now, Location: o.Location, Logger: o.Logger})
	retention.Register(srv, retentionSvc, retention.RouteOptions{Location: o.Location})
	timeline.Register(retentionSvc.TimelineEntries)
	if err := retention.DescribeHistory(srv.History, retentionSvc, prospectSvc); err != nil {
		return nil, err
	}
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "retention.link", Path: "retention", Order: 55})
	runner.MustRegister(jobs.Job{Name: retention.JobScore, Schedule: "30 1 * * *", Run: retentionSvc.Recompute})
	runner.MustRegister(jobs.Job{Name: retention.JobEscalate, Schedule: "@every 1h", Run: retentionSvc.Escalate})
	// The customer pool (公海): reads contracts, opportunities and the
	// care list's last contacts; moves owners through prospects.
	poolSvc := newPool(d, enf, prospectSvc, orgSvc, notifySvc, o)
	pool.Register(srv, poolSvc)
	if err := pool.DescribeHistory(srv.History, poolSvc); err != nil {
		return nil, err
	}
	timeline.Register(poolSvc.TimelineEntries)
	runner.MustRegister(jobs.Job{Name: pool.JobReclaim, Schedule: "30 1 * * *", Run: poolSvc.Reclaim})
	// usage: billing's monthly usage and revenue per customer and product
	// (import, the customer's 业务使用 tab, risers/fallers and totals),
	// scoped through the customer; the import shares the import gate.
	usageSvc := usagemod.NewService(usagemod.NewStore(d.Gorm), enf, prospectSvc, usagemod.Options{
		Now: o.Now, Location: o.Location, Logger: o.Logger, Gate: prospectSvc.ImportGate(),
		AfterImport: retentionSvc.AfterImport})
	usagemod.Register(srv, usageSvc, usagemod.RouteOptions{Location: o.Location, Industries: prospects.Industries})
	timeline.AddCustomerLink(prospects.CustomerLink{Label: "nav.usage", Path: "usage", Order: 55})
	if err := usagemod.DescribeHistory(srv.History, usageSvc); err != nil {
		return nil, err
	}
	// targets: monthly targets and the month-end review. Actuals are read
	// by its own query file; signings and new MRC are the contracts
	// signed in the month.
	targetStore := targets.NewStore(d.Gorm)
	if visitWeeks {
		targetStore.UseVisitWeeks(o.Location)
	}
	targetSvc := targets.NewService(d.Gorm, targetStore, enf, newTargetDirectory(orgSvc.Store()), targets.Options{
		Now: o.Now, Location: o.Location, Calendar: o.Holidays, UpliftPct: o.TargetUplift, Notify: notifySvc,
		Contracts: signedContracts(contractSvc),
	})
	targetSvc.SetSpare(spare)
	targets.Register(srv, targetSvc, targets.RouteOptions{Fonts: fonts, Letterhead: o.Letterhead.Name, Location: o.Location, ImportGate: prospectSvc.ImportGate()})
	// Contracts and targets are wired after the other modules' history
	// descriptions; theirs join here.
	if err := errors.Join(
		contracts.DescribeHistory(srv.History, contractSvc),
		targets.DescribeHistory(srv.History, targetSvc),
	); err != nil {
		return nil, err
	}
	runner.MustRegister(jobs.Job{Name: "targets.review_reminders", Schedule: "0 9 * * *", Run: reviewReminders(targetSvc, notifySvc)})
	// reports: read-only aggregates over every module, through the replica
	// when one is configured; targets through the targets service.
	reportStore := reports.NewStore(d.Gorm, o.Replica)
	if visitWeeks {
		// The stage changes' kept counts per month (00052) share the
		// visits' zone.
		reportStore.UseVisitWeeks()
		reportStore.UseStageDwell(o.Location)
	}
	reportSvc := reports.NewService(reportStore, enf,
		newReportDirectory(orgSvc.Store(), enf),
		reportTargets(targetSvc, orgSvc.Store(), enf),
		reports.Options{Now: o.Now, Location: o.Location, Probabilities: o.ReportProbabilities, Industries: prospects.Industries})
	reportSvc.SetTargetTotals(reportTotals(targetSvc, orgSvc.Store(), enf))
	reportSvc.SetSpare(spare)
	reports.Register(srv, reportSvc, reports.RouteOptions{Fonts: fonts, Letterhead: o.Letterhead.Name, Location: o.Location})
	// to-dos: free-standing 待办, linked to records of the modules above,
	// shown on the visits agenda and feed (cmd/jike/todos.go).
	todoSvc, err := wireTodos(srv, d.Gorm, o, runner, timeline, visitSvc, prospectSvc, orgSvc, contractSvc, afterSvc, notifySvc, enf)
	if err != nil {
		return nil, err
	}
	// The REST API calls the same services as the pages above.
	tokenSvc := tokens.NewService(tokens.NewStore(d.Gorm), orgSvc, enf, o.Now)
	apiSrv := api.Register(srv, api.Deps{Tokens: tokenSvc, Org: orgSvc, Prospects: prospectSvc, Catalog: catalogSvc, Visits: visitSvc,
		Needs: needSvc, Proposals: proposalSvc, ProposalPDF: proposalPages, Contracts: contractSvc, Targets: targetSvc, Reports: reportSvc,
		Usage: usageSvc},
		api.Options{Rate: o.APIRate, Location: o.Location, Logger: o.Logger, Now: o.Now})
	if err := tokens.DescribeHistory(srv.History, tokenSvc); err != nil {
		return nil, err
	}
	runner.MustRegister(jobs.Job{Name: "api.idempotency_prune", Schedule: "45 3 * * *", Run: func(ctx context.Context, now time.Time) error {
		_, err := tokenSvc.Store().PruneIdempotent(ctx, now.Add(-api.IdempotencyKeep*time.Second))
		return err
	}})
	o.Metrics.KeptPages(srv.KeptPageLooks)
	registerMetrics(srv, o.Metrics, o.MetricsToken)
	srv.Finish()
	return &app{API: apiSrv, Tokens: tokenSvc, Metrics: o.Metrics, Server: srv, DB: d, Org: orgSvc, Prospects: prospectSvc, Visits: visitSvc, Needs: needSvc,
		Catalog: catalogSvc, Proposals: proposalSvc, Contracts: contractSvc, ContractDeps: cdeps, Targets: targetSvc, Aftersale: afterSvc, Retention: retentionSvc,
		Pool: poolSvc, Todos: todoSvc, Usage: usageSvc,
		Reports: reportSvc, Notify: notifySvc, Jobs: runner, ProspectStore: prospectStore}, nil
}

// attachmentLimit is the largest contract attachment (the body limit must
// take it).
func attachmentLimit(o contracts.Options) int64 {
	if o.MaxAttachmentBytes > 0 {
		return o.MaxAttachmentBytes
	}
	return contracts.DefaultMaxAttachment
}

// signedContracts is the targets module's source of signings and new
// monthly revenue: contracts signed in each month, as the viewer may see
// them.
func signedContracts(svc *contracts.Service) targets.ContractSource {
	return func(ctx context.Context, viewer authz.Subject, owners []uint, bounds []time.Time) ([]map[uint]targets.Signed, error) {
		periods, err := svc.SignedByOwner(ctx, viewer, owners, bounds)
		if err != nil {
			return nil, err
		}
		out := make([]map[uint]targets.Signed, len(periods))
		for i, counts := range periods {
			out[i] = make(map[uint]targets.Signed, len(counts))
			for id, c := range counts {
				out[i][id] = targets.Signed{Count: c.Count, MRCFen: c.NewMRC}
			}
		}
		return out, nil
	}
}

// contractSales adapts prospects to contracts.Sales: both methods join the
// contract's transaction.
type contractSales struct{ svc *prospects.Service }

func (a contractSales) CloseWon(ctx context.Context, actor authz.Subject, customerID, oppID uint, note string) error {
	return a.svc.CloseWonForContract(ctx, actor, customerID, oppID, note)
}

func (a contractSales) RenewalOpportunity(ctx context.Context, actor authz.Subject, customerID uint, title string, monthly, oneTime money.Fen, close time.Time) (uint, error) {
	return a.svc.RenewalOpportunityForContract(ctx, actor, customerID, title, monthly, oneTime, close)
}

// contractProposals adapts proposals to contracts.Proposals: an accepted
// version's lines are copied field by field, so the contract carries them
// over exactly.
type contractProposals struct{ svc *proposals.Service }

func acceptedFrom(p *proposals.Proposal, lines []proposals.Line) contracts.Accepted {
	out := contracts.Accepted{ID: p.ID, CustomerID: p.CustomerID, OpportunityID: p.OpportunityID, Number: p.Number, Version: p.Version,
		Title: p.Title, MonthlyFen: p.MonthlyFen, OneTimeFen: p.OneTimeFen, TotalFen: p.TotalFen}
	for _, l := range lines {
		out.Lines = append(out.Lines, contracts.Line{ProductID: l.ProductID, ProductCode: l.ProductCode, ProductName: l.ProductName,
			ProductNameEn: l.ProductNameEn, Unit: l.Unit, Quantity: l.Quantity, TermMonths: l.TermMonths,
			MonthlyListFen: l.MonthlyListFen, OneTimeListFen: l.OneTimeListFen, Rate: l.Rate, FloorRate: l.FloorRate,
			MonthlyNetFen: l.MonthlyNetFen, OneTimeNetFen: l.OneTimeNetFen, TotalFen: l.TotalFen})
	}
	return out
}

func (a contractProposals) Accepted(ctx context.Context, actor authz.Subject, id uint) (*contracts.Accepted, error) {
	acc, err := a.svc.AcceptedVersion(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	out := acceptedFrom(&acc.Proposal, acc.Lines)
	return &out, nil
}

func (a contractProposals) AcceptedOf(ctx context.Context, actor authz.Subject, customerID uint) ([]contracts.Accepted, error) {
	list, err := a.svc.AcceptedOf(ctx, actor, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]contracts.Accepted, len(list))
	for i := range list {
		out[i] = acceptedFrom(&list[i], nil)
	}
	return out, nil
}

// contractProducts adapts the catalogue to contracts.Products.
type contractProducts struct{ svc *catalog.Service }

func contractProduct(p catalog.Product) contracts.Product {
	return contracts.Product{ID: p.ID, Code: p.Code, Name: p.NameZh, NameEn: p.NameEn, Unit: p.Unit, Category: p.Category,
		MonthlyFen: p.MonthlyFen, OneTimeFen: p.OneTimeFen, FloorRate: p.FloorRate, Active: p.Active}
}

func (a contractProducts) ByIDs(ctx context.Context, ids []uint) (map[uint]contracts.Product, error) {
	products, err := a.svc.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint]contracts.Product, len(products))
	for id, p := range products {
		out[id] = contractProduct(p)
	}
	return out, nil
}

func (a contractProducts) OnSale(ctx context.Context) ([]contracts.Product, error) {
	products, err := a.svc.ActiveProducts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]contracts.Product, len(products))
	for i, p := range products {
		out[i] = contractProduct(p)
	}
	return out, nil
}

// incumbents marks our contracts in force on the customer analysis.
func incumbents(svc *contracts.Service) needs.IncumbentSource {
	return func(ctx context.Context, actor authz.Subject, customerID uint) ([]needs.Incumbent, error) {
		rows, err := svc.InForceOf(ctx, actor, customerID)
		if err != nil {
			return nil, err
		}
		out := make([]needs.Incumbent, len(rows))
		for i, r := range rows {
			out[i] = needs.Incumbent{Number: r.Number, Title: r.Title, Link: fmt.Sprintf("/contracts/%d", r.ID), End: r.EndOn, MonthlyFen: r.MonthlyFen}
		}
		return out, nil
	}
}

// contractsSection is the pre-visit brief's list of the customer's
// contracts in force with their end dates.
func contractsSection(svc *contracts.Service) visits.BriefSection {
	return func(ctx context.Context, actor authz.Subject, customerID uint) (string, []visits.BriefLine, error) {
		rows, err := svc.InForceOf(ctx, actor, customerID)
		if err != nil {
			return "", nil, err
		}
		lines := make([]visits.BriefLine, 0, len(rows))
		for _, r := range rows {
			lines = append(lines, visits.Line("brief.line.contract", "Number", r.Number, "Title", r.Title,
				"Start", r.StartOn.Format("2006-01-02"), "End", r.EndOn.Format("2006-01-02"), "Total", r.TotalFen.String()))
		}
		return "contracts.brief.title", lines, nil
	}
}

// priceList adapts the catalogue to proposals.PriceList.
func priceList(svc *catalog.Service) proposals.PriceList {
	return func(ctx context.Context, ids []uint) (map[uint]proposals.Priced, error) {
		products, err := svc.ByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]proposals.Priced, len(products))
		for id, p := range products {
			out[id] = priced(p)
		}
		return out, nil
	}
}

// onSale lists the catalogue's active products for the builder.
func onSale(svc *catalog.Service) func(ctx context.Context) ([]proposals.Priced, error) {
	return func(ctx context.Context) ([]proposals.Priced, error) {
		products, err := svc.ActiveProducts(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]proposals.Priced, len(products))
		for i, p := range products {
			out[i] = priced(p)
		}
		return out, nil
	}
}

// priced is a product as proposals record it: a line keeps both names it
// was quoted under.
func priced(p catalog.Product) proposals.Priced {
	return proposals.Priced{ID: p.ID, Code: p.Code, Name: p.NameZh, NameEn: p.NameEn, Unit: p.Unit, MonthlyFen: p.MonthlyFen,
		OneTimeFen: p.OneTimeFen, FloorRate: p.FloorRate, Active: p.Active, Category: p.Category}
}

// proposalNeeds lets the builder cite the customer's needs.
func proposalNeeds(svc *needs.Service) proposals.NeedSource {
	return func(ctx context.Context, actor authz.Subject, customerID uint) ([]proposals.NeedRef, error) {
		rows, _, err := svc.ListNeeds(ctx, actor, needs.NeedFilter{CustomerID: customerID, Sort: "status", Limit: 200})
		if err != nil {
			return nil, err
		}
		out := make([]proposals.NeedRef, len(rows))
		for i, r := range rows {
			out[i] = proposals.NeedRef{ID: r.ID, Text: r.Description, Status: r.Status}
		}
		return out, nil
	}
}

// advanceOpportunity moves a proposal's opportunity forward to stage,
// never back, and never out of won or lost.
func advanceOpportunity(svc *prospects.Service, stage string) func(context.Context, authz.Subject, *proposals.Proposal) error {
	rank := func(s string) int {
		for i, x := range prospects.OpenStages {
			if x == s {
				return i
			}
		}
		return len(prospects.OpenStages) // won, lost
	}
	return func(ctx context.Context, actor authz.Subject, p *proposals.Proposal) error {
		if p.OpportunityID == nil {
			return nil
		}
		o, _, err := svc.Opportunity(ctx, actor, *p.OpportunityID)
		if err != nil {
			return err
		}
		if rank(o.Stage) >= rank(stage) {
			return nil
		}
		_, err = svc.MoveStage(ctx, actor, o.ID, prospects.StageMove{To: stage, Note: fmt.Sprintf("%s v%d", p.Number, p.Version)})
		return err
	}
}

// openProposalsSection is the pre-visit brief's list of the customer's
// proposals still in play (draft to sent).
func openProposalsSection(svc *proposals.Service) visits.BriefSection {
	return func(ctx context.Context, actor authz.Subject, customerID uint) (string, []visits.BriefLine, error) {
		rows, _, err := svc.List(ctx, actor, proposals.Filter{CustomerID: customerID, Statuses: proposals.OpenStatuses, Limit: 10})
		if err != nil {
			return "", nil, err
		}
		lines := make([]visits.BriefLine, 0, len(rows))
		for _, r := range rows {
			lines = append(lines, visits.Line("brief.line.proposal", "Number", r.Number, "Version", r.Version, "Title", r.Title,
				"Total", r.TotalFen.String()))
		}
		return "brief.open_proposals", lines, nil
	}
}

// orgNotices delivers org's sign-in warnings (wrong passwords slowing a
// network down) to the account's owner and the admins, in their inbox.
func orgNotices(inbox *notify.Service) org.NotifyFunc {
	return func(ctx context.Context, userIDs []uint, msgID string, args map[string]string, link string) error {
		notices := make([]notify.Notice, 0, len(userIDs))
		for _, id := range userIDs {
			notices = append(notices, notify.Notice{UserID: id, Kind: "login.throttled", MsgID: msgID, Args: args, Link: link})
		}
		return inbox.Send(ctx, notices...)
	}
}

// visitReminders tells account managers, in their inbox, about visits
// less than 24 hours away whose preparation is not done, and visits whose
// time has passed without a record (once per visit and kind).
func visitReminders(svc *visits.Service, inbox *notify.Service, loc *time.Location) jobs.Func {
	return func(ctx context.Context, now time.Time) error {
		due, err := svc.Reminders(ctx, now)
		if err != nil {
			return err
		}
		notices := make([]notify.Notice, 0, len(due))
		for _, r := range due {
			notices = append(notices, notify.Notice{
				UserID: r.OwnerID, Kind: r.Kind, MsgID: "notice." + r.Kind, Key: visits.ReminderKey(r),
				Args: map[string]string{"Customer": r.CustomerName, "When": r.StartsAt.In(loc).Format("2006-01-02 15:04")},
				Link: fmt.Sprintf("/visits/%d", r.PlanID),
			})
		}
		if err := inbox.Send(ctx, notices...); err != nil {
			return err
		}
		// Marked only once sent; a failure here costs the next run a
		// resend that the keys keep from anyone's inbox.
		return svc.MarkReminded(ctx, due, now)
	}
}

// allModels lists every GORM model, for the schema drift test.
func allModels() []any {
	models := append(org.Models(), &audit.Entry{})
	models = append(models, jobs.Models()...)
	models = append(models, notify.Models()...)
	models = append(models, prospects.Models()...)
	models = append(models, needs.Models()...)
	models = append(models, visits.Models()...)
	models = append(models, catalog.Models()...)
	models = append(models, ratelimit.Models()...)
	models = append(models, targets.Models()...)
	models = append(models, contracts.Models()...)
	models = append(models, aftersale.Models()...)
	models = append(models, usagemod.Models()...)
	models = append(models, retention.Models()...)
	models = append(models, pool.Models()...)
	models = append(models, todos.Models()...)
	models = append(models, tokens.Models()...)
	return append(models, proposals.Models()...)
}

// targetDirectory adapts the organisation to targets.Directory.
type targetDirectory struct {
	st *org.Store
	// managers keeps AccountManagers per branch and team under the org
	// version (nil: read live): every report over targets asks for the
	// province's ~600 managers and their teams — a few milliseconds of
	// each first look after a write of anything but the organisation.
	managers *db.VersionCache[[]targets.Person]
}

// newTargetDirectory is the targets' directory with its managers kept.
func newTargetDirectory(st *org.Store) targetDirectory {
	return targetDirectory{st: st, managers: db.NewVersionCache[[]targets.Person](db.VersionOrg, 64)}
}

func (d targetDirectory) person(ctx context.Context, u org.User, teams map[uint]*org.Team) (targets.Person, error) {
	p := targets.Person{ID: u.ID, Username: u.Username, Name: u.Name}
	if u.TeamID != nil {
		p.TeamID = *u.TeamID
		t, ok := teams[p.TeamID]
		if !ok {
			var err error
			if t, err = d.st.TeamByID(ctx, p.TeamID); err != nil {
				return p, err
			}
			teams[p.TeamID] = t
		}
		p.TeamName = t.Name
		if t.LeaderID != nil {
			p.LeaderID = *t.LeaderID
		}
	}
	if u.BranchID != nil {
		p.BranchID = *u.BranchID
	}
	return p, nil
}

// AccountManagers lists the active account managers of a branch (and
// team): a copy of the kept list, the caller's to change.
func (d targetDirectory) AccountManagers(ctx context.Context, branchID, teamID uint) ([]targets.Person, error) {
	ps, err := d.managers.Get(ctx, d.st.DB(), fmt.Sprintf("%d|%d", branchID, teamID), func(ctx context.Context) ([]targets.Person, error) {
		return d.accountManagers(ctx, branchID, teamID)
	})
	return slices.Clone(ps), err
}

func (d targetDirectory) accountManagers(ctx context.Context, branchID, teamID uint) ([]targets.Person, error) {
	users, _, err := d.st.ListUsers(ctx, org.UserFilter{Role: authz.RoleAccountManager, BranchID: branchID, TeamID: teamID,
		Status: "active", Sort: "name", Limit: 100_000})
	if err != nil {
		return nil, err
	}
	// The branch's teams — every branch's when branchID is 0 — in one
	// query, not one per team (the admin's reports listed 56 teams one by
	// one); a team outside them is looked up on its own.
	teams := map[uint]*org.Team{}
	ts, err := d.st.Teams(ctx, branchID, false)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		teams[ts[i].ID] = &ts[i]
	}
	out := make([]targets.Person, 0, len(users))
	for _, u := range users {
		p, err := d.person(ctx, u, teams)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// AccountManager returns one active account manager.
func (d targetDirectory) AccountManager(ctx context.Context, id uint) (*targets.Person, error) {
	u, err := d.st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Role != authz.RoleAccountManager || u.Disabled {
		return nil, fmt.Errorf("account manager %d: %w", id, apperr.ErrNotFound)
	}
	p, err := d.person(ctx, *u, map[uint]*org.Team{})
	return &p, err
}

// Names returns users' names by id.
func (d targetDirectory) Names(ctx context.Context, ids []uint) (map[uint]string, error) {
	users, err := d.st.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint]string, len(users))
	for id, u := range users {
		out[id] = u.Name
	}
	return out, nil
}

// reviewReminders tells each account manager without a submitted review,
// from the month's last three working days on, to write it (once a month).
func reviewReminders(svc *targets.Service, inbox *notify.Service) jobs.Func {
	return func(ctx context.Context, now time.Time) error {
		due, err := svc.ReviewReminders(ctx, now)
		if err != nil {
			return err
		}
		notices := make([]notify.Notice, 0, len(due))
		for _, r := range due {
			notices = append(notices, notify.Notice{UserID: r.OwnerID, Kind: "target_review.due", MsgID: "notice.targets.review_due",
				Args: map[string]string{"Month": r.Month}, Link: "/targets/review?month=" + r.Month,
				Key: "target_review.due:" + r.Month})
		}
		return inbox.Send(ctx, notices...)
	}
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
	return func(ctx context.Context, actor authz.Subject, customerID uint) (string, []visits.BriefLine, error) {
		rows, _, err := svc.ListNeeds(ctx, actor, needs.NeedFilter{CustomerID: customerID, Status: "open", Limit: 20})
		if err != nil {
			return "", nil, err
		}
		lines := make([]visits.BriefLine, 0, len(rows))
		for _, r := range rows {
			id := "brief.line.need"
			if r.Priority == "high" {
				id = "brief.line.need_high"
			}
			lines = append(lines, visits.Line(id, "Description", r.Description))
		}
		return "brief.open_needs", lines, nil
	}
}

// afterSaleSection is the pre-visit brief's after-sale part: the
// customer's open service requests and complaints, and the last
// call-back's scores.
func afterSaleSection(svc *aftersale.Service, loc *time.Location) visits.BriefSection {
	if loc == nil {
		loc = time.UTC
	}
	return func(ctx context.Context, actor authz.Subject, customerID uint) (string, []visits.BriefLine, error) {
		open, err := svc.OpenOf(ctx, actor, customerID)
		if err != nil {
			return "", nil, err
		}
		lines := make([]visits.BriefLine, 0, len(open)+1)
		for _, r := range open {
			desc := []rune(r.Description)
			if len(desc) > 60 {
				desc = append(desc[:60], '…')
			}
			lines = append(lines, visits.Line("brief.line.request", "No", aftersale.RequestNo(r.ID),
				"Due", r.ResolveDueAt.In(loc).Format("2006-01-02 15:04"), "Description", string(desc)))
		}
		last, err := svc.LastScore(ctx, actor, customerID)
		if err != nil {
			return "", nil, err
		}
		if last != nil {
			id := "brief.line.callback_not_recommend"
			if last.Recommend {
				id = "brief.line.callback_recommend"
			}
			lines = append(lines, visits.Line(id, "Date", last.DoneAt.In(loc).Format("2006-01-02"),
				"Attitude", last.QAttitude, "Skill", last.QSkill, "Speed", last.QSpeed, "Result", last.QResult))
		}
		return "aftersale.brief.title", lines, nil
	}
}

// versionMemo gives a page (a GET or HEAD) one read of the data versions
// for all the values it serves from memory (db.WithVersionMemo): a board
// read them once per column, a list once for its page and once for its
// count. A write in the request empties the memo.
func versionMemo(c *fiber.Ctx) error {
	if m := c.Method(); m == fiber.MethodGet || m == fiber.MethodHead {
		c.SetUserContext(db.WithVersionMemo(c.UserContext()))
	}
	return c.Next()
}
