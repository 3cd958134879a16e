// Package db opens the database (PostgreSQL in production, an embedded
// SQLite file by default) and runs the embedded goose migrations. It is the
// only place that knows which driver is in use; the rest of the code talks
// to *gorm.DB and asks Dialect() where SQL differs.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/jike-crm/jike/migrations"
	"github.com/ncruces/go-sqlite3/gormlite"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names, matching the folders under migrations/.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// DB is an open database with its dialect.
type DB struct {
	Gorm *gorm.DB
	// Lookup is for the few statements whose best plan is the same
	// whatever their parameters: the primary-key read of the session that
	// runs before every signed-in request (org.Store.ReadSessionsFrom).
	// On PostgreSQL it is a second, small pool whose sessions plan a
	// prepared statement once (plan_cache_mode=force_generic_plan): on
	// the main pool every statement is planned afresh on every run
	// (withSessionDefaults), and for the session's join that was ~0.4 ms
	// of PostgreSQL's CPU per request, a third of what the lightest page
	// cost the machine in all (issue 19). On SQLite it is Gorm.
	Lookup  *gorm.DB
	Dialect string
	// pool is the PostgreSQL pool's sizing, which the read replicas'
	// pools follow too.
	pool Pool
}

// Options says which database to open.
type Options struct {
	// URL is a postgres:// URL; empty selects SQLite at SQLitePath.
	URL        string
	SQLitePath string
	Logger     *slog.Logger
	// Pool sizes the PostgreSQL connection pool (zero fields: the
	// defaults); SQLite keeps its own (4 connections, one writer).
	Pool Pool
}

// Pool sizes a PostgreSQL connection pool (JIKE_DB_MAX_OPEN_CONNS,
// JIKE_DB_MAX_IDLE_CONNS, JIKE_DB_CONN_MAX_LIFETIME; docs/performance.md
// § Connection pool). A zero field takes its default.
type Pool struct {
	// MaxOpen bounds the connections open at once; requests beyond it
	// wait in Go's pool, which is cheaper than PostgreSQL running more
	// queries than it has cores.
	MaxOpen int
	// MaxIdle is how many connections stay open while unused.
	MaxIdle int
	// MaxLifetime closes a connection this long after it was opened
	// (behind a load balancer or pgbouncer that drops old ones); 0 never.
	MaxLifetime time.Duration
}

// AnalysisLimit is how many entries of each index Optimize's ANALYZE
// reads on SQLite (see Optimize).
const AnalysisLimit = 100_000

// DefaultMaxOpenConns is Pool.MaxOpen when not given.
const DefaultMaxOpenConns = 20

// withDefaults fills p's zero fields. The idle count defaults to the open
// count: with fewer, every connection above it is closed as soon as a
// burst ends and a new one is opened on the next request — a backend fork,
// its catalogue caches loaded again and every statement planned again,
// which under 32 users took two thirds of the machine's CPU
// (docs/performance.md § Connection pool).
func (p Pool) withDefaults() Pool {
	if p.MaxOpen <= 0 {
		p.MaxOpen = DefaultMaxOpenConns
	}
	if p.MaxIdle <= 0 {
		p.MaxIdle = p.MaxOpen
	}
	return p
}

// apply sizes sqlDB's pool.
func (p Pool) apply(sqlDB *sql.DB) {
	p = p.withDefaults()
	sqlDB.SetMaxOpenConns(p.MaxOpen)
	sqlDB.SetMaxIdleConns(p.MaxIdle)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	sqlDB.SetConnMaxLifetime(p.MaxLifetime)
}

// Open connects and configures the pool. It does not migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := gormConfig(log)
	if o.URL != "" {
		g, err := gorm.Open(postgres.Open(withSessionDefaults(o.URL)), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		o.Pool.apply(sqlDB)
		if err := sqlDB.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		if err := registerMemoReset(g); err != nil {
			return nil, err
		}
		if err := registerReadTrack(g); err != nil {
			return nil, err
		}
		lookup, err := openLookup(ctx, o.URL, gormConfig(log), o.Pool)
		if err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
		return &DB{Gorm: g, Lookup: lookup, Dialect: Postgres, pool: o.Pool}, nil
	}
	if o.SQLitePath == "" {
		return nil, errors.New("no database configured: set a postgres URL or an SQLite path")
	}
	if dir := dirOf(o.SQLitePath); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
	}
	// WAL lets readers run beside the single writer; busy_timeout makes a
	// second writer wait instead of failing; foreign keys are off in SQLite
	// unless asked for. Nothing here may write: a connection opened while
	// another holds the write lock (a request inside WithTx that reads
	// through the pool) would wait for that lock and fail with "database is
	// locked" — which is what PRAGMA optimize in this list once did.
	// The path is escaped for the file: URI: a data directory whose name
	// has a '#', '?' or '%' would otherwise cut or break the URI, and
	// SQLite would open (and create) another file.
	dsn := "file:" + (&url.URL{Path: o.SQLitePath}).EscapedPath() + "?_pragma=foreign_keys(1)&_pragma=journal_mode(wal)&_pragma=busy_timeout(10000)&_pragma=synchronous(normal)" +
		"&_txlock=immediate"
	g, err := gorm.Open(gormlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", o.SQLitePath, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(4)
	if err := sqlDB.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", o.SQLitePath, err)
	}
	if err := registerMemoReset(g); err != nil {
		return nil, err
	}
	if err := registerReadTrack(g); err != nil {
		return nil, err
	}
	d := &DB{Gorm: g, Lookup: g, Dialect: SQLite}
	if err := d.Optimize(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// openLookup opens DB.Lookup's pool on PostgreSQL: the URL's settings
// with plan_cache_mode=force_generic_plan, whatever the URL says (the
// operator's choice is for the main pool's lists), and a quarter of the
// main pool's connections (at least two): a session's read takes a
// fraction of a millisecond, so a few connections serve every request.
// cfg must be its own: GORM keeps the pool and the callbacks in the
// Config it is given, and a shared one would point the main handle at
// this pool.
func openLookup(ctx context.Context, rawURL string, cfg *gorm.Config, p Pool) (*gorm.DB, error) {
	u, err := url.Parse(withSessionDefaults(rawURL))
	if err != nil {
		return nil, fmt.Errorf("lookup pool: %w", err)
	}
	q := u.Query()
	q.Set("plan_cache_mode", "force_generic_plan")
	u.RawQuery = q.Encode()
	g, err := gorm.Open(postgres.Open(u.String()), cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres lookup pool: %w", err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	p = p.withDefaults()
	p.MaxOpen = LookupConns(p.MaxOpen)
	p.MaxIdle = p.MaxOpen
	p.apply(sqlDB)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to postgres (lookup pool): %w", err)
	}
	if err := registerMemoReset(g); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if err := registerReadTrack(g); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return g, nil
}

// LookupConns is the size of DB.Lookup's pool beside a main pool of
// mainOpen connections.
func LookupConns(mainOpen int) int { return max(2, mainOpen/4) }

// gormConfig is the GORM configuration of every handle: UTC times,
// translated errors, no implicit transaction around single statements.
func gormConfig(log *slog.Logger) *gorm.Config {
	return &gorm.Config{
		Logger:                 NewLogger(log),
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
		SkipDefaultTransaction: true,
	}
}

// WithClock is d whose GORM handle stamps its automatic timestamps
// (created_at and updated_at of autoCreateTime/autoUpdateTime, deleted_at
// of a soft delete) from now — the app's clock, the one its services get
// (a fake clock in tests) — in UTC, so that a store that lets GORM stamp a
// row and a service that reads its clock agree. The handle is a new GORM
// session on the same pool: d itself keeps the system clock (gormConfig),
// so two apps built on one database each keep their own clock. A nil now
// is d unchanged.
func (d *DB) WithClock(now func() time.Time) *DB {
	if now == nil {
		return d
	}
	c := *d
	c.Gorm = d.Gorm.Session(&gorm.Session{NewDB: true, NowFunc: func() time.Time { return now().UTC() }})
	return &c
}

// AfterLoad refreshes the planner's statistics after a bulk load (the
// demo's seed): Optimize on SQLite, an ANALYZE of every table on
// PostgreSQL. There autovacuum's own comes a minute or more later, and
// until then the planner takes the new tables for nearly empty: a list's
// search by pairs (ListSearch) became nested loops that read the pairs'
// subquery again for every row — 0.6 s a statement on the demo's 200
// customers instead of a millisecond.
func (d *DB) AfterLoad(ctx context.Context) error {
	if d.Dialect != Postgres {
		return d.Optimize(ctx)
	}
	if err := d.Gorm.WithContext(ctx).Exec("ANALYZE").Error; err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// Optimize refreshes the SQLite planner's statistics (a bounded ANALYZE of
// the tables that need it). Without them SQLite joined customers first and
// sorted a whole branch for every page of a list or batch of an export,
// instead of walking the index of the order. It runs when the database
// opens, after a seed and nightly as a job; PostgreSQL's autovacuum does
// the same there, so it is a no-op on PostgreSQL.
//
// The bound is AnalysisLimit entries per index. SQLite estimates rows per
// value from the entries it reads, so its estimate can never exceed the
// bound: at the 400 SQLite suggests, the index of deleted_at (NULL for
// every live customer) looked like 401 rows per value among 100,000, the
// planner chose it for every "deleted_at IS NULL" and read the whole
// table for a chief rep's customer page (161 ms, 49 ms of it one
// statement; 27 ms with true statistics). At 100,000 the whole province
// (3.3 million rows) is analysed in under half a second.
func (d *DB) Optimize(ctx context.Context) error {
	if d.Dialect != SQLite {
		return nil
	}
	// analysis_limit holds per connection, so both run on one.
	return d.Gorm.WithContext(ctx).Connection(func(c *gorm.DB) error {
		if err := c.Exec(fmt.Sprintf("PRAGMA analysis_limit=%d", AnalysisLimit)).Error; err != nil {
			return fmt.Errorf("sqlite analysis_limit: %w", err)
		}
		if err := c.Exec("PRAGMA optimize=0x10002").Error; err != nil {
			return fmt.Errorf("sqlite optimize: %w", err)
		}
		return nil
	})
}

// slowStatement is how long a statement runs before it is logged.
const slowStatement = 200 * time.Millisecond

// NewLogger is GORM's logger on log: slow (over 200 ms) and failed
// statements, without their values, which are phone numbers, credit
// codes, password and token hashes.
func NewLogger(log *slog.Logger) logger.Interface {
	return lazyLogger{Interface: logger.NewSlogLogger(log, logger.Config{
		SlowThreshold:             slowStatement,
		LogLevel:                  logger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
	}), level: logger.Warn}
}

// lazyLogger asks GORM for a statement's text only when it logs the
// statement. GORM's slog logger builds the text of every statement
// before it decides (logger.ExplainSQL: regular expressions over the
// SQL), ~2 % of a page's CPU and its largest allocator after the page
// itself (issue 19); below the Info level only a failed or a slow
// statement is logged, so the others return here first.
type lazyLogger struct {
	logger.Interface
	level logger.LogLevel
}

// LogMode keeps the laziness at the new level.
func (l lazyLogger) LogMode(level logger.LogLevel) logger.Interface {
	return lazyLogger{Interface: l.Interface.LogMode(level), level: level}
}

// Trace passes on what the wrapped logger would log.
func (l lazyLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	quiet := err == nil || errors.Is(err, gorm.ErrRecordNotFound)
	if l.level < logger.Info && quiet && time.Since(begin) <= slowStatement {
		return
	}
	l.Interface.Trace(ctx, begin, fc, err)
}

// ParamsFilter is the wrapped logger's (it leaves the values out).
func (l lazyLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := l.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, params
}

// withSessionDefaults adds the session settings Jike relies on to a
// postgres URL, unless the operator set them. plan_cache_mode: pgx prepares
// and caches statements, and after five runs PostgreSQL may switch to a
// generic plan that ignores the parameter values; for scoped lists (one
// owner's 5,000 rows among 100,000) that plan was ten times slower than
// the custom one (bitmap heap scan instead of an index-only scan). Custom
// plans cost a fraction of a millisecond to make. jit: the portal's
// statements are short aggregates and lists run by many sessions, where
// JIT compilation only adds time — it took 258 ms of a 1.5 s coverage
// report at province scale (docs/reports.md) — so it is off unless the
// URL turns it on. max_parallel_workers_per_gather: starting a parallel
// worker took 20–25 ms on the two-core reference machine even idle, more
// than the work it shared (a chief rep's week calendar: 3.5 ms of work
// behind a 24 ms Gather), and under concurrent users the workers only
// compete with other sessions for the same cores; measured at province
// scale, every report and all but one page were as fast or faster
// without them (docs/performance.md § Parallel query). 0 unless the URL
// sets it.
func withSessionDefaults(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
	}
	if q.Get("application_name") == "" {
		q.Set("application_name", "jike")
	}
	if q.Get("jit") == "" {
		q.Set("jit", "off")
	}
	if q.Get("max_parallel_workers_per_gather") == "" {
		q.Set("max_parallel_workers_per_gather", "0")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i]
		}
	}
	return ""
}

// Close releases the pools.
func (d *DB) Close() error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	err = sqlDB.Close()
	// On SQLite Lookup is the main pool itself.
	if d.Lookup != nil {
		if lookup, lerr := d.Lookup.DB(); lerr == nil && lookup != sqlDB {
			err = errors.Join(err, lookup.Close())
		}
	}
	return err
}

func provider(sqlDB *sql.DB, dialect string) (*goose.Provider, error) {
	fsys, err := migrations.For(dialect)
	if err != nil {
		return nil, err
	}
	gd := goose.DialectPostgres
	if dialect == SQLite {
		gd = goose.DialectSQLite3
	}
	return goose.NewProvider(gd, sqlDB, fsys)
}

// Migrate applies every pending migration and returns how many ran.
// When some ran, SQLite's statistics are refreshed (Optimize): the
// database was analysed when it opened, before them, and an index a
// migration adds has none until then — SQLite's planner, guessing,
// started a report of a three-day month narrowed to an industry from the
// industry's 10,000 customers under migration 00055's new index (26 ->
// 43 ms) until the nightly job analysed it.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return 0, err
	}
	n, err := MigrateSQL(ctx, sqlDB, d.Dialect)
	if err != nil || n == 0 {
		return n, err
	}
	return n, d.Optimize(ctx)
}

// MigrateSQL is Migrate for a plain *sql.DB (used by the test kit).
func MigrateSQL(ctx context.Context, sqlDB *sql.DB, dialect string) (int, error) {
	p, err := provider(sqlDB, dialect)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate %s: %w", dialect, err)
	}
	return len(res), nil
}

// SchemaVersion returns the applied and the latest embedded version.
func (d *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return 0, 0, err
	}
	p, err := provider(sqlDB, d.Dialect)
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

// Ready reports nil when the database answers and its schema is current
// (or ahead of this binary, during a rolling upgrade).
func (d *DB) Ready(ctx context.Context) error {
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	cur, latest, err := d.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	// A schema ahead of the binary is the middle of a rolling upgrade:
	// the new release's migrations are additive (expand, deploy, then
	// contract: docs/operations.md), so this release's queries still work
	// and its instances keep serving until they are replaced.
	if cur < latest {
		return fmt.Errorf("schema at version %d, binary expects %d: run `jike migrate`", cur, latest)
	}
	return nil
}
