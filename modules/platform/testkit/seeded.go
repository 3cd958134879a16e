package testkit

// Seeded templates: a database that some seed function filled, made once
// per test binary and copied for every test that asks for it, the way the
// migrated templates are (see docs/testing.md, "Seeded templates"). A
// seed that takes seconds (the whole demo) is then paid once per binary
// instead of once per test.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/migrations"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/goosemigrator"
)

// SeedFunc writes what a seeded template holds into d, an empty migrated
// database of either engine. It runs once per test binary per (engine,
// name), in no test's context: it must not call t.Fatal or keep d.
type SeedFunc func(ctx context.Context, d *db.DB) error

// Seeded returns a fresh database of engine (db.Postgres or db.SQLite) that
// holds what seed wrote into an empty migrated database. seed runs once per
// test binary per (engine, name), however many tests (parallel or not) ask
// for it; every call gets its own copy, so a test may change it freely.
// If seed fails, every test that asks for the template fails with its
// error.
//
// name identifies the seed: two calls with one name must pass the same
// seed (the first one's wins). On PostgreSQL the template's name also
// hashes the migrations and the test binary, so a template left on an
// external server (JIKE_TEST_DATABASE_URL) is never reused by changed
// code; such templates accumulate there like the migration templates do.
func Seeded(t testing.TB, engine, name string, seed SeedFunc) *db.DB {
	t.Helper()
	switch engine {
	case db.Postgres:
		d, _ := SeededWithURL(t, name, seed)
		return d
	case db.SQLite:
		path := seededSQLitePath(t, name, seed)
		if path == "" {
			return nil // t.Fatal was called (only a fake TB gets here)
		}
		return openSQLiteCopy(t, path, "")
	}
	t.Fatalf("testkit.Seeded: unknown engine %q", engine)
	return nil
}

// SeededWithURL is Seeded on PostgreSQL with the database's URL, for tests
// that hand the database to a command (`jike backup`) or open more pools on
// it. Close those in t.Cleanup, as with PostgresWithURL.
func SeededWithURL(t testing.TB, name string, seed SeedFunc) (*db.DB, string) {
	t.Helper()
	m, err := seededMigratorFor(name, seed)
	if err != nil {
		t.Fatalf("testkit.Seeded %q: %v", name, err)
		return nil, ""
	}
	return postgresFrom(t, m)
}

// SeededSQLiteAt is Seeded on SQLite with the copy written to path (which
// must not exist), for tests that need the file where a command looks for
// it (JIKE_DATA_DIR/jike.db). The caller removes it (t.TempDir).
func SeededSQLiteAt(t testing.TB, name string, seed SeedFunc, path string) *db.DB {
	t.Helper()
	src := seededSQLitePath(t, name, seed)
	if src == "" {
		return nil
	}
	return openSQLiteCopy(t, src, path)
}

// SeededFile returns the path of a file that mk wrote once per test
// binary for name: mk gets a path that does not exist yet and must leave
// a whole file there (for SQLite: checkpointed, no -wal beside it). The file
// is shared: copy it, never open it for writing. Main removes it. Use it
// for a database made by something other than a SeedFunc, such as the
// real `jike seed --demo`.
func SeededFile(t testing.TB, name string, mk func(ctx context.Context, path string) error) string {
	t.Helper()
	e := seededFiles.entry("file\x00" + name)
	e.once.Do(func() {
		// Set first: a make that panics leaves this error behind for the
		// other callers rather than a half-written file.
		e.err = errors.New("the seed panicked")
		e.path, e.err = makeSeededFile(mk)
	})
	if e.err != nil {
		t.Fatalf("testkit: seeded file %q: %v", name, e.err)
		return ""
	}
	return e.path
}

// seededFiles are the seeded files of this test binary, one per key, in
// one directory that Main removes. Package state on purpose, like
// sqliteTemplate.
var seededFiles = &seedRegistry{entries: map[string]*seedEntry{}}

type seedRegistry struct {
	mu      sync.Mutex
	entries map[string]*seedEntry
	dirOnce sync.Once
	dir     string
	dirErr  error
	n       int
}

type seedEntry struct {
	once sync.Once
	path string
	err  error
}

func (r *seedRegistry) entry(key string) *seedEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[key]
	if !ok {
		e = &seedEntry{}
		r.entries[key] = e
	}
	return e
}

// newPath is a fresh file name in the registry's directory.
func (r *seedRegistry) newPath() (string, error) {
	r.dirOnce.Do(func() { r.dir, r.dirErr = os.MkdirTemp("", "jike-seeded-") })
	if r.dirErr != nil {
		return "", r.dirErr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return filepath.Join(r.dir, fmt.Sprintf("seeded-%d.db", r.n)), nil
}

// makeSeededFile runs mk on a new path.
func makeSeededFile(mk func(ctx context.Context, path string) error) (string, error) {
	path, err := seededFiles.newPath()
	if err != nil {
		return "", err
	}
	if err := mk(context.Background(), path); err != nil {
		return "", err
	}
	return path, nil
}

// seededSQLitePath makes (once) and returns the seeded SQLite template of
// name: a copy of the migrated template that seed filled, checkpointed so
// the file alone is the whole database.
func seededSQLitePath(t testing.TB, name string, seed SeedFunc) string {
	t.Helper()
	return SeededFile(t, "sqlite\x00"+name, func(ctx context.Context, path string) error {
		sqliteTemplate.once.Do(makeSQLiteTemplate)
		if sqliteTemplate.err != nil {
			return sqliteTemplate.err
		}
		if err := CopyFile(sqliteTemplate.path, path); err != nil {
			return err
		}
		d, err := db.Open(ctx, db.Options{SQLitePath: path})
		if err != nil {
			return err
		}
		err = seed(ctx, d)
		if err == nil {
			err = checkpoint(d)
		}
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			// The copies take the file alone: a WAL left with frames in
			// it would be writes they silently lack.
			if fi, serr := os.Stat(path + "-wal"); serr == nil && fi.Size() > 0 {
				err = fmt.Errorf("seeded template %s: %d bytes of WAL left after the checkpoint", name, fi.Size())
			}
		}
		return err
	})
}

// checkpoint moves every frame of d's WAL into the database file and
// empties the WAL. SQLite answers a checkpoint that a reader kept from
// finishing with busy = 1 and no error: it is tried again until it
// finishes, for up to ten seconds.
func checkpoint(d *db.DB) error {
	for i := 0; ; i++ {
		var busy, frames, moved int
		if err := d.Gorm.Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&busy, &frames, &moved); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if i == 100 {
			return fmt.Errorf("checkpoint still busy after 10 s (%d of %d frames moved)", moved, frames)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// seedMigrator is pgtestdb's goose migrator followed by a seed. pgtestdb
// makes one template database per Hash (once per program, under an
// advisory lock across programs) and clones it for each test.
type seedMigrator struct {
	goose *goosemigrator.GooseMigrator
	name  string
	seed  SeedFunc
	hash  string

	mu       sync.Mutex
	template string // the template database's name, once Migrate ran (for testkit's own tests)
}

// seededMigrators keeps one migrator per name, so its hash is computed once.
var seededMigrators = struct {
	mu sync.Mutex
	m  map[string]*seedMigrator
}{m: map[string]*seedMigrator{}}

func seededMigratorFor(name string, seed SeedFunc) (*seedMigrator, error) {
	seededMigrators.mu.Lock()
	defer seededMigrators.mu.Unlock()
	if m, ok := seededMigrators.m[name]; ok {
		return m, nil
	}
	fsys, err := migrations.For(db.Postgres)
	if err != nil {
		return nil, err
	}
	g := goosemigrator.New(".", goosemigrator.WithFS(fsys))
	gh, err := g.Hash()
	if err != nil {
		return nil, err
	}
	bh, err := binaryHash()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "seeded\x00%s\x00%s\x00%s", gh, name, bh)
	m := &seedMigrator{goose: g, name: name, seed: seed, hash: hex.EncodeToString(h.Sum(nil))}
	seededMigrators.m[name] = m
	return m, nil
}

// Hash names the template: the migrations, the seed's name and the test
// binary. The binary stands for the seeding code, which Go cannot hash
// otherwise: any change to it (or to anything it calls) makes a new binary,
// hence a new template, so a stale one on a long-lived server is never
// reused.
func (m *seedMigrator) Hash() (string, error) { return m.hash, nil }

func (m *seedMigrator) Migrate(ctx context.Context, conn *sql.DB, conf pgtestdb.Config) error {
	m.mu.Lock()
	m.template = conf.Database
	m.mu.Unlock()
	if err := m.goose.Migrate(ctx, conn, conf); err != nil {
		return err
	}
	d, err := db.Open(ctx, db.Options{URL: conf.URL()})
	if err != nil {
		return err
	}
	err = m.seed(ctx, d)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seed %q: %w", m.name, err)
	}
	return nil
}

// binaryHash is the SHA-256 of the running test binary, computed once.
var binaryHash = sync.OnceValues(func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
})
