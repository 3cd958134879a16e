// Command jike runs the Jike CRM portal and its maintenance tasks:
//
//	jike serve [--addr :8080] [--demo]   start the portal (migrates first)
//	jike migrate                         apply database migrations
//	jike seed --demo                     load the demo organisation
//	jike seed --scale province           generate a benchmark province
//	jike bench --url http://127.0.0.1:8080  measure a running server's pages
//	jike user create|passwd|disable ...  manage accounts from the shell
//
// Settings come from JIKE_* environment variables (see docs/operations.md),
// overridden by flags.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jike-crm/jike/internal/benchseed"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/config"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/reports"
	"github.com/jike-crm/jike/modules/targets"
	usagemod "github.com/jike-crm/jike/modules/usage"
	"gorm.io/gorm"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A runtime setting of the whole process: here, not in run, which the
	// tests call in-process (their binary holds far more than a server).
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		applyMemoryLimit(os.Getenv)
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "jike:", err)
		os.Exit(1)
	}
}

const usage = `usage: jike <command> [flags]

commands:
  serve [--addr host:port] [--demo]   start the portal (migrates the database first)
  migrate                             apply pending database migrations
  seed --demo                         load the demo organisation and customers into an empty database
  seed --scale province|team|N [--password P] [--seed S]
                                      generate a benchmark province (600 managers, one team, or N) into an empty database
  user create --username U --name N --role R [--team ID] [--branch CODE] [--password-stdin]
  user passwd --username U [--password-stdin]
  user disable --username U
  backup --to FILE                    write a backup (pg_dump custom format / SQLite copy) of the database
  restore --from FILE                 restore a backup into the configured, empty database
  migrate-data --from sqlite:PATH [--to URL] [--replace]
                                      copy an SQLite database into an empty PostgreSQL one (default JIKE_DATABASE_URL)
  bench [--url URL] [--conns 1,32] [--duration 10s] [--json]
                                      measure a running server's main pages per role (docs/performance.md)
  version                             print the version and commit

environment: JIKE_DATABASE_URL (PostgreSQL; empty = SQLite under JIKE_DATA_DIR),
  JIKE_DATA_DIR, JIKE_ADDR, JIKE_SECRET, JIKE_ENV (dev|prod), JIKE_TIMEZONE,
  JIKE_LOG_LEVEL, JIKE_SESSION_TTL, JIKE_AUTO_MIGRATE, JIKE_TRUSTED_PROXIES,
  JIKE_DEV_RELOAD_DIR, JIKE_METRICS_TOKEN, JIKE_METRICS_ADDR, JIKE_DATABASE_REPLICA_URL (reports),
  JIKE_REPORT_PROBABILITIES
`

// run is main without the process: arguments, environment and streams
// come in, so tests can drive every command.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if args[0] == "version" || args[0] == "--version" {
		return cmdVersion(stdout)
	}
	if args[0] == "bench" { // a client of a running server: no configuration, no database
		return cmdBench(ctx, args[1:], stdout, stderr)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, cfg, args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, cfg, args[1:], stdout, stderr)
	case "seed":
		return cmdSeed(ctx, cfg, args[1:], stdout, stderr)
	case "user":
		return cmdUser(ctx, cfg, args[1:], stdin, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, cfg, args[1:], stdout, stderr)
	case "restore":
		return cmdRestore(ctx, cfg, args[1:], stdout, stderr)
	case "migrate-data":
		return cmdMigrateData(ctx, cfg, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Env == config.EnvProd {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB validates the config, opens the database and, when migrate is
// true, brings the schema up to date.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*db.DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid configuration:\n%w", err)
	}
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), Logger: log,
		Pool: db.Pool{MaxOpen: cfg.DBMaxOpenConns, MaxIdle: cfg.DBMaxIdleConns, MaxLifetime: cfg.DBConnMaxLifetime}})
	if err != nil {
		return nil, err
	}
	if migrate {
		n, err := d.Migrate(ctx)
		if err != nil {
			d.Close()
			return nil, err
		}
		if n > 0 {
			log.Info("migrations applied", "count", n, "dialect", d.Dialect)
		}
	}
	return d, nil
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func cmdServe(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", cfg.Addr, "listen address host:port (JIKE_ADDR)")
	demo := fs.Bool("demo", false, "load the demo organisation and customers if the database is empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Addr = *addr
	log := newLogger(cfg, stderr)
	d, err := openDB(ctx, cfg, log, cfg.RunMigrations)
	if err != nil {
		return err
	}
	defer d.Close()
	if !cfg.RunMigrations {
		if err := d.Ready(ctx); err != nil {
			return fmt.Errorf("refusing to start: %w (or set JIKE_AUTO_MIGRATE=true)", err)
		}
	}
	loc, _ := time.LoadLocation(cfg.TimeZone)
	lh, err := letterhead(cfg)
	if err != nil {
		return err
	}
	holidays, err := targets.LoadCalendar(cfg.HolidaysFile)
	if err != nil {
		return err
	}
	probs, err := reports.ParseProbabilities(cfg.ReportProbabilities)
	if err != nil {
		return err
	}
	// Reports, list totals and exports read from the replicas when some
	// are configured, and from the primary while none can be reached
	// (db.OpenReplica, db.MayLag).
	var replica *gorm.DB
	if urls := cfg.ReplicaURLs(); len(urls) > 0 {
		r, err := db.OpenReplica(d, urls, log)
		if err != nil {
			return fmt.Errorf("read replica: %w", err)
		}
		defer r.Close()
		if err := r.RouteLaggingReads(d); err != nil {
			return fmt.Errorf("read replica: %w", err)
		}
		replica = r.Gorm
	}
	a, err := buildApp(d, appOptions{
		Replica: replica, ReportProbabilities: probs,
		Logger: log, Secure: cfg.Secure(), Production: cfg.Env == config.EnvProd,
		Location: loc, DevDir: cfg.TemplatesDir, SessionTTL: cfg.SessionTTL,
		TrustedProxies: cfg.TrustedProxies, Letterhead: lh,
		ChiefApproval: cfg.ChiefApproval, DirectorApproval: cfg.DirectorApproval, ApprovalFallback: cfg.ApprovalFallback,
		MaxUploadBytes: cfg.MaxUploadBytes(), TargetUplift: &cfg.TargetUplift, Holidays: holidays,
		Contracts: contractOptions(cfg), MetricsToken: cfg.MetricsToken,
	})
	if err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(ctx, cfg.MetricsAddr, a.Metrics, cfg.MetricsToken, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	if *demo {
		if err := seedDemo(ctx, a, stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	where := d.Dialect
	if d.Dialect == db.SQLite {
		where += " " + cfg.SQLitePath()
	}
	fmt.Fprintf(stdout, "Jike CRM listening on http://%s (database: %s)\n", displayAddr(ln.Addr().String()), where)
	go sweepSessions(ctx, a.Org, log, time.Hour)
	// Scheduled jobs (reminders, clocks, overdue lists): safe with several
	// instances on one database; each due run happens once.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	a.Jobs.Start(jobsCtx)
	errc := make(chan error, 1)
	go func() { errc <- a.Server.App.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	err = a.Server.App.ShutdownWithTimeout(15 * time.Second)
	// Jobs stop between runs: a running job finishes its run first.
	stopJobs()
	a.Jobs.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	a.Org.Wait()
	return nil
}

func displayAddr(a string) string {
	if strings.HasPrefix(a, "[::]:") {
		return "localhost:" + strings.TrimPrefix(a, "[::]:")
	}
	if strings.HasPrefix(a, "0.0.0.0:") {
		return "localhost:" + strings.TrimPrefix(a, "0.0.0.0:")
	}
	return a
}

func printDemo(w io.Writer, logins []org.DemoLogin) {
	if len(logins) == 0 {
		fmt.Fprintln(w, "Demo data: the database already has users; nothing seeded. Demo password (if seeded earlier):", org.DemoPassword)
		return
	}
	fmt.Fprintf(w, "Demo data loaded. Every demo account's password is %q:\n", org.DemoPassword)
	for _, l := range logins {
		fmt.Fprintf(w, "  %-14s %-8s %-16s %s\n", l.Username, l.Name, l.Role, l.Where)
	}
}

// demoSeed makes every demo database hold the same customers.
const demoSeed = 2026

// seedDemo loads the demo organisation and, only when it was just loaded
// (an empty database), the demo customers: a database with real users
// never receives demo business data.
func seedDemo(ctx context.Context, a *app, w io.Writer) error {
	logins, err := a.Org.SeedDemo(ctx)
	if err != nil {
		return err
	}
	printDemo(w, logins)
	if len(logins) == 0 {
		return nil
	}
	return seedDemoData(ctx, a, w)
}

// seedDemoData loads the demo business data (customers to reviews) on a
// database that has the demo organisation.
func seedDemoData(ctx context.Context, a *app, w io.Writer) error {
	st, err := a.Prospects.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo customers: %d, key persons: %d, opportunities: %d\n", st.Customers, st.Contacts, st.Opportunities)
	groupUnits, err := a.Prospects.SeedGroupDemo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo group customers (华东能源集团 and its members): %d\n", groupUnits)
	analyses, needCount, err := a.Needs.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo customer analyses: %d, needs: %d\n", analyses, needCount)
	vp, vr, err := a.Visits.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo visits: %d plans, %d records\n", vp, vr)
	admin, err := a.Org.Store().UserByUsername(ctx, "admin")
	if err != nil {
		return err
	}
	products, err := a.Catalog.SeedDefaults(ctx, admin.ID)
	if err != nil {
		return err
	}
	props, err := a.Proposals.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo catalogue: %d products; proposals: %d\n", products, props)
	cts, err := a.Contracts.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo contracts: %d\n", cts)
	reqs, err := a.Aftersale.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo after-sale: %d service requests, care touches, key dates and call-backs\n", reqs)
	pooled, err := seedPoolDemo(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo customer pool: %d customers\n", pooled)
	usageRows, err := a.Usage.SeedDemo(ctx, demoSeed, admin.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo usage: %d rows over %d months\n", usageRows, usagemod.DemoMonths)
	tg, rv, err := a.Targets.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo monthly targets: %d, month-end reviews: %d\n", tg, rv)
	alerts, err := a.Retention.SeedDemo(ctx, demoSeed)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo churn scores and retention alerts: %d open\n", alerts)
	tds, err := a.Todos.SeedDemo(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Demo to-dos: %d\n", tds)
	// A read-only API token for liwei, printed once (see docs/api.md).
	if liwei, err := a.Org.Store().UserByUsername(ctx, "liwei"); err == nil {
		secret, err := a.Tokens.SeedDemo(ctx, liwei.Subject())
		if err != nil {
			return err
		}
		if secret != "" {
			fmt.Fprintf(w, "Demo API token (liwei, read-only): %s\n", secret)
		}
	}
	// The planner's statistics were gathered on empty tables when the
	// database opened (SQLite) or not yet (PostgreSQL).
	return a.DB.AfterLoad(ctx)
}

func cmdMigrate(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if err := newFlags("migrate", stderr).Parse(args); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	d, err := openDB(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer d.Close()
	cur, _, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database (%s) at schema version %d\n", d.Dialect, cur)
	return nil
}

func cmdSeed(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", stderr)
	demo := fs.Bool("demo", false, "load the demo organisation and customers")
	scale := fs.String("scale", "", "generate a benchmark province: \"province\", \"team\" or a number of account managers (see docs/performance.md)")
	password := fs.String("password", org.DemoPassword, "with --scale: every user's password (the generated ones and the demo organisation's)")
	seed := fs.Uint64("seed", 2026, "with --scale: the generator's seed (the same seed makes the same records)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo && *scale == "" {
		return errors.New("seed: say what to load: --demo or --scale province")
	}
	if *demo && *scale != "" {
		return errors.New("seed: --demo and --scale load different data; choose one")
	}
	var spec benchseed.ProvinceSpec
	if *scale != "" {
		var err error
		if spec, err = parseScale(*scale); err != nil {
			return err
		}
		if msg := org.PasswordProblem(*password); msg != "" {
			return errors.New("seed: --password must be 8 to 72 characters with a letter and a digit")
		}
		spec.Seed = *seed
	}
	log := newLogger(cfg, stderr)
	d, err := openDB(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer d.Close()
	// The demo's visits are planned in office hours of the display zone.
	loc, _ := time.LoadLocation(cfg.TimeZone)
	holidays, err := targets.LoadCalendar(cfg.HolidaysFile)
	if err != nil {
		return err
	}
	a, err := buildApp(d, appOptions{Logger: log, Location: loc, ChiefApproval: cfg.ChiefApproval, DirectorApproval: cfg.DirectorApproval,
		ApprovalFallback: cfg.ApprovalFallback, TargetUplift: &cfg.TargetUplift, Holidays: holidays, Contracts: contractOptions(cfg)})
	if err != nil {
		return err
	}
	if *scale != "" {
		return seedScale(ctx, a, spec, *password, stdout)
	}
	return seedDemo(ctx, a, stdout)
}

// contractOptions are the contract settings of cfg.
func contractOptions(cfg config.Config) contracts.Options {
	return contracts.Options{
		ChiefThreshold: cfg.ContractChiefApproval, DirectorThreshold: cfg.ContractDirectorApproval,
		NumberPrefix: cfg.ContractPrefix, Fallback: cfg.ContractApprover, ReminderDays: cfg.ContractReminderDays,
		MaxAttachmentBytes: int64(cfg.MaxAttachmentMB) << 20,
	}
}

// letterhead is the operator's name and logo for proposal PDFs; the logo
// file was checked by config.Validate.
func letterhead(cfg config.Config) (proposals.Letterhead, error) {
	lh := proposals.Letterhead{Name: cfg.OperatorName}
	if cfg.OperatorLogo != "" {
		b, err := os.ReadFile(cfg.OperatorLogo)
		if err != nil {
			return lh, fmt.Errorf("JIKE_OPERATOR_LOGO: %w", err)
		}
		// The header draws it on every page: fail at start, not per PDF.
		if err := pdf.CheckImage(b); err != nil {
			return lh, fmt.Errorf("JIKE_OPERATOR_LOGO %s: %w", cfg.OperatorLogo, err)
		}
		lh.Logo = b
	}
	return lh, nil
}

func readPassword(stdin io.Reader, fromStdin bool, flagValue string) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	if flagValue == "" {
		return "", errors.New("give the password with --password-stdin (preferred) or --password")
	}
	return flagValue, nil
}

func cmdUser(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: expected create, passwd or disable")
	}
	sub := args[0]
	fs := newFlags("user "+sub, stderr)
	username := fs.String("username", "", "login name")
	name := fs.String("name", "", "display name (create)")
	role := fs.String("role", "", "account_manager | chief_rep | director | admin (create)")
	team := fs.Uint("team", 0, "team id (account managers and chief reps)")
	branch := fs.String("branch", "", "branch code (directors)")
	email := fs.String("email", "", "email (create)")
	phone := fs.String("phone", "", "phone (create)")
	password := fs.String("password", "", "password (visible in the process list; prefer --password-stdin)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return errors.New("user: --username is required")
	}
	log := newLogger(cfg, stderr)
	d, err := openDB(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer d.Close()
	// The whole app, so that passwd and disable revoke the user's other
	// credentials (calendar feeds) exactly as the admin pages do.
	a, err := buildApp(d, appOptions{Logger: log})
	if err != nil {
		return err
	}
	svc := a.Org
	switch sub {
	case "create":
		pw, err := readPassword(stdin, *pwStdin, *password)
		if err != nil {
			return err
		}
		in := org.UserInput{Username: *username, Name: *name, Role: *role, TeamID: *team, Email: *email, Phone: *phone, Password: pw}
		if *branch != "" {
			b, err := svc.Store().BranchByCode(ctx, strings.ToUpper(*branch))
			if err != nil {
				return fmt.Errorf("branch %q not found", *branch)
			}
			in.BranchID = b.ID
		}
		u, err := svc.CreateUser(ctx, 0, in)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "created user %s (id %d, %s)\n", u.Username, u.ID, u.Role)
	case "passwd":
		pw, err := readPassword(stdin, *pwStdin, *password)
		if err != nil {
			return err
		}
		if err := svc.ResetPasswordByName(ctx, *username, pw); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions were ended\n", *username)
	case "disable":
		if err := svc.DisableByName(ctx, *username); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "user %s disabled; their sessions were ended\n", *username)
	default:
		return fmt.Errorf("user: unknown subcommand %q (create, passwd, disable)", sub)
	}
	return nil
}
