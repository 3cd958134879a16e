package db_test

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/migrations"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestDialectsHaveSameVersions keeps the two migration folders in step:
// every schema change needs a file for each dialect with one version.
func TestDialectsHaveSameVersions(t *testing.T) {
	versions := func(dialect string) []string {
		fsys, err := migrations.For(dialect)
		if err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range names {
			out = append(out, strings.SplitN(n, "_", 2)[0])
		}
		return out
	}
	pg, lite := versions(db.Postgres), versions(db.SQLite)
	if len(pg) == 0 {
		t.Fatal("no migrations embedded")
	}
	if !reflect.DeepEqual(pg, lite) {
		t.Fatalf("migration versions differ: postgres %v, sqlite %v", pg, lite)
	}
}

func TestMigrateFromZeroSQLite(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(t.TempDir(), "sub", "jike.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	checkMigrate(t, d)
}

func TestMigrateFromZeroPostgres(t *testing.T) {
	g, _ := unmigratedPostgres(t)
	checkMigrate(t, &db.DB{Gorm: g, Dialect: db.Postgres})
}

func checkMigrate(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	if err := d.Ready(ctx); err == nil {
		t.Fatal("an empty database must not be ready")
	}
	n, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("expected migrations to run on an empty database")
	}
	cur, latest, err := d.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cur != latest || cur == 0 {
		t.Fatalf("schema at %d, latest %d", cur, latest)
	}
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("migrated database must be ready: %v", err)
	}
	again, err := d.Migrate(ctx)
	if err != nil || again != 0 {
		t.Fatalf("second migrate must be a no-op, ran %d, err %v", again, err)
	}
	for _, table := range []string{"users", "teams", "branches", "sessions", "audit_log"} {
		if !d.Gorm.Migrator().HasTable(table) {
			t.Errorf("table %s missing", table)
		}
	}
}

func TestOpenRejectsNothingConfigured(t *testing.T) {
	if _, err := db.Open(context.Background(), db.Options{}); err == nil {
		t.Fatal("want an error without URL or path")
	}
}

func TestOpenPostgresBadURL(t *testing.T) {
	_, err := db.Open(context.Background(), db.Options{URL: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"})
	if err == nil {
		t.Fatal("want a connection error")
	}
}

// TestPostgresSessionSettings: connections opened by Open use custom
// plans, no JIT compilation and no parallel workers (see
// withSessionDefaults) and name the application.
func TestPostgresSessionSettings(t *testing.T) {
	d := testkit.Postgres(t)
	var mode, app, jit string
	if err := d.Gorm.Raw("SHOW plan_cache_mode").Scan(&mode).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.Gorm.Raw("SHOW jit").Scan(&jit).Error; err != nil || jit != "off" {
		t.Fatalf("jit=%q %v: JIT compilation must be off for the portal's sessions", jit, err)
	}
	if err := d.Gorm.Raw("SHOW application_name").Scan(&app).Error; err != nil {
		t.Fatal(err)
	}
	var workers string
	if err := d.Gorm.Raw("SHOW max_parallel_workers_per_gather").Scan(&workers).Error; err != nil || workers != "0" {
		t.Fatalf("max_parallel_workers_per_gather=%q %v: the portal's sessions start no parallel workers", workers, err)
	}
	if mode != "force_custom_plan" || app != "jike" {
		t.Fatalf("plan_cache_mode=%q application_name=%q", mode, app)
	}
}

// TestLookupPoolPlansOnce: the lookup pool (DB.Lookup) keeps one generic
// plan for a prepared statement on each connection, whatever the URL says
// about plans, while the main pool plans the same statement afresh on
// every run; PostgreSQL counts both in pg_prepared_statements. Statements
// run one at a time, so each pool uses one connection and the count read
// after them is that connection's.
func TestLookupPoolPlansOnce(t *testing.T) {
	t.Parallel()
	d, url := testkit.PostgresWithURL(t)
	if d.Lookup == nil || d.Lookup == d.Gorm {
		t.Fatal("PostgreSQL has no pool of its own for lookups")
	}
	sqlDB, err := d.Lookup.DB()
	if err != nil {
		t.Fatal(err)
	}
	if n := sqlDB.Stats().MaxOpenConnections; n != db.LookupConns(db.DefaultMaxOpenConns) {
		t.Fatalf("lookup pool opens %d connections, want %d", n, db.LookupConns(db.DefaultMaxOpenConns))
	}
	const probe = "SELECT id FROM users WHERE id = $1 AND username <> 'lookup-probe'"
	plans := func(g *gorm.DB) (generic, custom int64) {
		for i := range 7 {
			var ids []int64
			if err := g.Raw(probe, i+1).Scan(&ids).Error; err != nil {
				t.Fatal(err)
			}
		}
		row := struct{ Generic, Custom int64 }{}
		if err := g.Raw("SELECT coalesce(sum(generic_plans), 0) AS generic, coalesce(sum(custom_plans), 0) AS custom " +
			"FROM pg_prepared_statements WHERE statement LIKE '%lookup-probe%' AND statement NOT LIKE '%pg_prepared%'").Scan(&row).Error; err != nil {
			t.Fatal(err)
		}
		return row.Generic, row.Custom
	}
	if g, c := plans(d.Lookup); g < 7 || c != 0 {
		t.Errorf("lookup pool: %d generic and %d custom plans for 7 runs, want only generic ones", g, c)
	}
	if g, c := plans(d.Gorm); g != 0 || c < 7 {
		t.Errorf("main pool: %d generic and %d custom plans for 7 runs, want a custom plan each", g, c)
	}

	// The operator's plan_cache_mode is the main pool's, never the lookups'.
	d2, err := db.Open(context.Background(), db.Options{URL: url + "&plan_cache_mode=auto"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d2.Close() })
	for _, c := range []struct {
		g    *gorm.DB
		want string
	}{{d2.Lookup, "force_generic_plan"}, {d2.Gorm, "auto"}} {
		var mode string
		if err := c.g.Raw("SHOW plan_cache_mode").Scan(&mode).Error; err != nil || mode != c.want {
			t.Errorf("plan_cache_mode=%q %v, want %s", mode, err, c.want)
		}
	}
}

// TestPoolKeepsConnectionsAfterBurst: a burst as wide as the pool leaves
// every connection open for the next one (the default idle count is the
// open count), so the next burst forks no new backend and plans nothing
// again. With a smaller idle count the first burst's extra connections
// are closed on return (Stats().MaxIdleClosed) and the second reopens
// them.
func TestPoolKeepsConnectionsAfterBurst(t *testing.T) {
	d := testkit.Postgres(t)
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	width := sqlDB.Stats().MaxOpenConnections
	if width != db.DefaultMaxOpenConns {
		t.Fatalf("pool opens %d connections, want the default %d", width, db.DefaultMaxOpenConns)
	}
	burst := func() {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, width)
		for range width {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each holds its connection long enough that the whole
				// burst needs every one of them at once.
				if _, err := sqlDB.Exec("SELECT pg_sleep(0.2)"); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	burst()
	after := sqlDB.Stats()
	if after.OpenConnections != width || after.Idle != width || after.MaxIdleClosed != 0 {
		t.Fatalf("after a burst of %d: open %d idle %d closed as surplus %d; want all %d kept idle",
			width, after.OpenConnections, after.Idle, after.MaxIdleClosed, width)
	}
	var backends int
	if err := sqlDB.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").Scan(&backends); err != nil {
		t.Fatal(err)
	}
	burst()
	again := sqlDB.Stats()
	if again.MaxIdleClosed != 0 || again.OpenConnections != width {
		t.Fatalf("second burst: open %d closed as surplus %d", again.OpenConnections, again.MaxIdleClosed)
	}
	if backends < width {
		t.Fatalf("PostgreSQL shows %d backends for this database, want the pool's %d kept", backends, width)
	}
}

// TestOptimizeSeesCommonValues: on SQLite, Optimize's statistics say that
// an index whose every entry has the same value (deleted_at of the live
// rows) matches them all, not the few hundred a 400-entry analysis limit
// claims — the estimate that made the planner read a whole table through
// such an index (docs/performance.md § SQLite). SQLite only: PostgreSQL
// keeps its statistics itself (Optimize is a no-op there).
func TestOptimizeSeesCommonValues(t *testing.T) {
	t.Parallel()
	d := testkit.SQLite(t)
	ctx := context.Background()
	const rows = 5000
	for _, q := range []string{
		"CREATE TABLE optimize_probe (id INTEGER PRIMARY KEY, deleted_at DATETIME, owner_id INTEGER NOT NULL)",
		"CREATE INDEX idx_optimize_probe_deleted ON optimize_probe (deleted_at)",
		"CREATE INDEX idx_optimize_probe_owner ON optimize_probe (owner_id)",
		fmt.Sprintf("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO optimize_probe (id, owner_id) SELECT i, i %% 50 FROM n", rows),
	} {
		if err := d.Gorm.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	var stat string
	if err := d.Gorm.Raw("SELECT stat FROM sqlite_stat1 WHERE idx = 'idx_optimize_probe_deleted'").Scan(&stat).Error; err != nil || stat == "" {
		t.Fatalf("no statistics for the probe's index after Optimize: %q %v", stat, err)
	}
	var total, perValue int
	if _, err := fmt.Sscanf(stat, "%d %d", &total, &perValue); err != nil {
		t.Fatalf("stat %q: %v", stat, err)
	}
	if total != rows || perValue < rows {
		t.Fatalf("sqlite_stat1 says %q for an index of %d equal entries: %d rows per value, want all %d", stat, rows, perValue, rows)
	}
	var plan []struct {
		ID, Parent, Notused int
		Detail              string
	}
	if err := d.Gorm.Raw("EXPLAIN QUERY PLAN SELECT * FROM optimize_probe WHERE owner_id = 7 AND deleted_at IS NULL").Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	for _, p := range plan {
		if strings.Contains(p.Detail, "idx_optimize_probe_deleted") {
			t.Fatalf("the planner reads every live row through the deleted_at index: %v", plan)
		}
	}
}
