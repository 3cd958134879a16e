package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/backup"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

// seededDemo opens the database at url (PostgreSQL) or path (SQLite),
// migrates it and loads the whole demo, as `jike seed --demo` does.
func seededDemo(t *testing.T, o db.Options) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, a, io.Discard); err != nil {
		t.Fatal(err)
	}
	return d
}

// tableDigest is every table's row count and a checksum of its rows (each
// row's columns in name order, the rows sorted, so the order rows come
// back in does not matter).
func tableDigest(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	tables, err := backup.Tables(ctx, d.Gorm)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		if tb == "goose_db_version" {
			continue
		}
		var rows []map[string]any
		if err := d.Gorm.Raw(`SELECT * FROM "` + tb + `"`).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		lines := make([]string, len(rows))
		for i, r := range rows {
			keys := make([]string, 0, len(r))
			for k := range r {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				v := r[k]
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				fmt.Fprintf(&b, "%s=%v\x1f", k, v)
			}
			lines[i] = b.String()
		}
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\x1e")))
		out[tb] = fmt.Sprintf("%d rows %s", len(rows), hex.EncodeToString(h[:8]))
	}
	return out
}

// compareDigests fails unless both databases have the same tables with
// the same rows; key tables must not be empty, or the test proves little.
func compareDigests(t *testing.T, want, got map[string]string) {
	t.Helper()
	for tb, w := range want {
		if got[tb] != w {
			t.Errorf("%s: restored %q, original %q", tb, got[tb], w)
		}
	}
	for tb := range got {
		if _, ok := want[tb]; !ok {
			t.Errorf("restored database has an extra table %s", tb)
		}
	}
	for _, key := range []string{"users", "customers", "contacts", "opportunities", "proposals", "contracts", "audit_log", "visit_plans"} {
		if strings.HasPrefix(want[key], "0 rows") || want[key] == "" {
			t.Errorf("key table %s is empty or missing in the demo (%q)", key, want[key])
		}
	}
}

// TestBackupRestore: the demo is seeded, `jike backup` writes it while
// the database is open, `jike restore` puts it into a new, empty database,
// and every table has the same rows (count and checksum), on PostgreSQL
// (pg_dump/pg_restore) and SQLite (VACUUM INTO). A restore over data is
// refused and a backup of the other engine is refused with a pointer to
// migrate-data.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := func(t *testing.T) string { return filepath.Join(t.TempDir(), "jike.backup") }
	t.Run("postgres", func(t *testing.T) {
		orig, src := testkit.SeededWithURL(t, demoTemplate, seedDemoTemplate)
		f := file(t)
		env := map[string]string{"JIKE_DATABASE_URL": src}
		if err := run(ctx, []string{"backup", "--to", f}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard); err != nil {
			t.Fatalf("backup: %v", err)
		}
		dst := emptyPostgres(t)
		env["JIKE_DATABASE_URL"] = dst
		var out strings.Builder
		if err := run(ctx, []string{"restore", "--from", f}, func(k string) string { return env[k] }, nil, &out, io.Discard); err != nil {
			t.Fatalf("restore: %v", err)
		}
		compareDigests(t, tableDigest(t, orig), tableDigest(t, openURL(t, dst)))
		err := run(ctx, []string{"restore", "--from", f}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
		if !errors.Is(err, backup.ErrNotEmpty) {
			t.Fatalf("a restore over data: %v, want ErrNotEmpty", err)
		}
		sqliteEnv := map[string]string{"JIKE_DATA_DIR": t.TempDir()}
		if err := run(ctx, []string{"restore", "--from", f}, func(k string) string { return sqliteEnv[k] }, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "migrate-data") {
			t.Fatalf("a PostgreSQL backup into SQLite: %v", err)
		}
	})
	t.Run("sqlite", func(t *testing.T) {
		srcDir := t.TempDir()
		orig := testkit.SeededSQLiteAt(t, demoTemplate, seedDemoTemplate, filepath.Join(srcDir, "jike.db"))
		f := file(t)
		env := map[string]string{"JIKE_DATA_DIR": srcDir}
		if err := run(ctx, []string{"backup", "--to", f}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard); err != nil {
			t.Fatalf("backup: %v", err)
		}
		dstDir := t.TempDir()
		env["JIKE_DATA_DIR"] = dstDir
		if err := run(ctx, []string{"restore", "--from", f}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard); err != nil {
			t.Fatalf("restore: %v", err)
		}
		restored, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dstDir, "jike.db")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = restored.Close() })
		compareDigests(t, tableDigest(t, orig), tableDigest(t, restored))
		err = run(ctx, []string{"restore", "--from", f}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
		if !errors.Is(err, backup.ErrNotEmpty) {
			t.Fatalf("a restore over data: %v, want ErrNotEmpty", err)
		}
	})
}
