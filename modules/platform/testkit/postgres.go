// Package testkit gives tests real databases and an HTTP client for the
// real router. PostgreSQL tests never fall back to a mock and never skip:
// when no server can be had they fail with a message saying why.
//
// PostgreSQL: when JIKE_TEST_DATABASE_URL is set it is used; otherwise a
// throwaway cluster is started from the installed binaries
// (/usr/lib/postgresql/*/bin), as the postgres user when running as root,
// with fsync off, once per test binary, and stopped by Main. pgtestdb then
// gives each test its own database cloned from a migrated template.
package testkit

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for pgtestdb
	"github.com/jike-crm/jike/migrations"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/goosemigrator"
)

// server is the PostgreSQL server shared by the tests of one binary. It is
// package state on purpose: one cluster per `go test` process, started on
// first use and stopped by Main.
var server struct {
	once sync.Once
	conf pgtestdb.Config
	err  error
	stop func()
}

// Main runs the tests of a package and stops the throwaway PostgreSQL
// afterwards. Use it from TestMain: func TestMain(m *testing.M) { testkit.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if server.stop != nil {
		server.stop()
	}
	if sqliteTemplate.dir != "" {
		os.RemoveAll(sqliteTemplate.dir)
	}
	if seededFiles.dir != "" {
		os.RemoveAll(seededFiles.dir)
	}
	os.Exit(code)
}

func startServer() {
	if u := os.Getenv("JIKE_TEST_DATABASE_URL"); u != "" {
		server.conf, server.err = confFromURL(u)
		return
	}
	binDir, err := findPGBin()
	if err != nil {
		server.err = err
		return
	}
	server.conf, server.stop, server.err = startCluster(binDir)
	if server.err == nil {
		fmt.Fprintf(os.Stderr, "testkit: PostgreSQL started from %s on 127.0.0.1:%s\n", binDir, server.conf.Port)
	}
}

func confFromURL(raw string) (pgtestdb.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("JIKE_TEST_DATABASE_URL: %w", err)
	}
	pass, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	opts := u.RawQuery
	if opts == "" {
		opts = "sslmode=disable"
	}
	return pgtestdb.Config{
		DriverName: "pgx", Host: u.Hostname(), Port: port, User: u.User.Username(), Password: pass,
		Database: strings.TrimPrefix(u.Path, "/"), Options: opts, ForceTerminateConnections: true,
	}, nil
}

func findPGBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL is required for these tests and none was found: " +
		"install it (`apt-get install postgresql`, or run `make test`, which does) " +
		"or set JIKE_TEST_DATABASE_URL=postgres://user:pass@host:port/db")
}

func pgMajor(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// startCluster runs initdb and pg_ctl start in a temporary directory.
func startCluster(binDir string) (pgtestdb.Config, func(), error) {
	dir, err := os.MkdirTemp("", "jike-pg-")
	if err != nil {
		return pgtestdb.Config{}, nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return pgtestdb.Config{}, nil, fmt.Errorf("running as root, PostgreSQL must run as the postgres user, which does not exist (install the postgresql package): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return pgtestdb.Config{}, nil, err
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(binDir, name), args...)
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		if err2 := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err2 != nil {
			os.RemoveAll(dir)
			return pgtestdb.Config{}, nil, fmt.Errorf("initdb failed: %v / %v", err, err2)
		}
	}
	port, err := freePort()
	if err != nil {
		return pgtestdb.Config{}, nil, err
	}
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=128MB", port, dir)
	if err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return pgtestdb.Config{}, nil, fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	stop := func() {
		_ = run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
	conf := pgtestdb.Config{
		DriverName: "pgx", Host: "127.0.0.1", Port: port, User: "postgres",
		Database: "postgres", Options: "sslmode=disable", ForceTerminateConnections: true,
	}
	return conf, stop, nil
}

// PostgresConfig returns the test server's connection settings, starting
// the server on first use. It fails the test when PostgreSQL is missing.
func PostgresConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	server.once.Do(startServer)
	if server.err != nil {
		t.Fatalf("POSTGRESQL UNAVAILABLE — this test needs it: %v", server.err)
	}
	return server.conf
}

// Postgres returns a fresh, migrated PostgreSQL database for this test.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	d, _ := PostgresWithURL(t)
	return d
}

// PostgresWithURL is Postgres with the database's URL, for tests that
// open more connections to it the way production would (a replica pool
// pointed at the same database). Close them in t.Cleanup: the database is
// dropped after the test and refuses while connections are open.
func PostgresWithURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	fsys, err := migrations.For(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	return postgresFrom(t, goosemigrator.New(".", goosemigrator.WithFS(fsys)))
}

// postgresFrom clones a fresh database from the template m makes (once).
func postgresFrom(t testing.TB, m pgtestdb.Migrator) (*db.DB, string) {
	t.Helper()
	conf := PostgresConfig(t)
	// Open the test database the way production does (db.Open), so its
	// session settings are exercised too.
	inst := pgtestdb.Custom(t, conf, m)
	if inst == nil {
		return nil, "" // t.Fatalf was called (only a fake TB gets here)
	}
	d, err := db.Open(context.Background(), db.Options{URL: inst.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d, inst.URL()
}

// sqliteTemplate is a migrated SQLite file made once per test binary (like
// pgtestdb's template database on PostgreSQL); SQLite copies it for each
// test instead of running every migration again. Package state on purpose,
// like server; Main removes it.
var sqliteTemplate struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func makeSQLiteTemplate() {
	dir, err := os.MkdirTemp("", "jike-sqlite-tpl-")
	if err != nil {
		sqliteTemplate.err = err
		return
	}
	sqliteTemplate.dir = dir
	path := filepath.Join(dir, "template.db")
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{SQLitePath: path})
	if err != nil {
		sqliteTemplate.err = err
		return
	}
	_, err = d.Migrate(ctx)
	if err == nil {
		// Everything into the main file, so that copying it alone is a
		// whole database (closing the last connection does this too).
		err = d.Gorm.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		sqliteTemplate.err = fmt.Errorf("migrate the SQLite template: %w", err)
		return
	}
	sqliteTemplate.path = path
}

// SQLite returns a fresh, migrated SQLite database file for this test: a
// copy of a template migrated once per test binary.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	sqliteTemplate.once.Do(makeSQLiteTemplate)
	if sqliteTemplate.err != nil {
		t.Fatal(sqliteTemplate.err)
	}
	return openSQLiteCopy(t, sqliteTemplate.path, "")
}

// openSQLiteCopy copies the SQLite file src to dst (a new temporary file
// when dst is "") and opens the copy until the test ends.
func openSQLiteCopy(t testing.TB, src, dst string) *db.DB {
	t.Helper()
	path := dst
	if path == "" {
		// Not t.TempDir(): its name is the test's, and a repeated subtest name
		// ("sqlite#01") or a "%" would end or escape the path in the file: URI
		// db.Open builds, which then opens another, empty database.
		dir, err := os.MkdirTemp("", "jike-sqlite-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) }) // runs after Close below (cleanups are LIFO)
		path = filepath.Join(dir, "test.db")
	}
	if err := CopyFile(src, path); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(context.Background(), db.Options{SQLitePath: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// CopyFile streams from into a new file to (a seeded template may be tens
// of megabytes, copied by several parallel tests at once); to must not
// exist. Tests use it to put a template where a command looks for its
// database.
func CopyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Engines lists the databases tests run against.
var Engines = []struct {
	Name string
	Open func(testing.TB) *db.DB
}{
	{db.Postgres, Postgres},
	{db.SQLite, SQLite},
}

// EachDB runs fn as a subtest against a fresh database of every engine.
// The subtests run in parallel with each other (t.Parallel), so fn must not
// share mutable state between its runs, and code after EachDB in the
// calling test runs before them (use t.Cleanup for checks across engines;
// see docs/testing.md).
func EachDB(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.Open(t))
		})
	}
}

// RawPostgres opens a plain database/sql connection to a fresh empty
// PostgreSQL database (not migrated), for the migration test.
func RawPostgres(t testing.TB) *sql.DB {
	t.Helper()
	conf := PostgresConfig(t)
	return pgtestdb.New(t, conf, pgtestdb.NoopMigrator{})
}
