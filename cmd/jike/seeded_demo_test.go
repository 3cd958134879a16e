package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

// demoTemplate names the seeded template that holds the whole demo, as
// `serve --demo` loads it on an empty database, seeded by an app with
// demoSeedOptions. The tests that only read the demo (or change their own
// copy of it) take a copy instead of seeding the demo again: the seed is
// seconds of CPU per database, the copy milliseconds (docs/testing.md,
// "Seeded templates").
const demoTemplate = "cmd/jike: the whole demo, seeded with demoSeedOptions"

// demoSeedOptions are the options of the app that seeds demoTemplate: the
// test apps' (newTestApp), in UTC. A test whose assertions depend on the
// seeding app's options (a clock, a zone, a letterhead) must seed itself
// or use a template of its own.
func demoSeedOptions() appOptions {
	return appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000}
}

// seedDemoTemplate loads the whole demo into the empty migrated d.
func seedDemoTemplate(ctx context.Context, d *db.DB) error {
	a, err := buildApp(d, demoSeedOptions())
	if err != nil {
		return err
	}
	return seedDemo(ctx, a, io.Discard)
}

// seededDemoDB is a fresh database of engine that holds the whole demo: a
// copy of demoTemplate, seeded once per test binary.
func seededDemoDB(t testing.TB, engine string) *db.DB {
	t.Helper()
	return testkit.Seeded(t, engine, demoTemplate, seedDemoTemplate)
}

// eachDemoDB is testkit.EachDB on copies of the demo: fn runs as a
// parallel subtest per engine with its own seeded database.
func eachDemoDB(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range testkit.Engines {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, seededDemoDB(t, e.Name))
		})
	}
}

// demoAppOn wires the app with demoSeedOptions on d, which already holds
// the demo (seededDemoDB): demoApp without the seeding.
func demoAppOn(t *testing.T, d *db.DB) *app {
	t.Helper()
	a, err := buildApp(d, demoSeedOptions())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// e2eDemoFile is the SQLite database that the real `jike seed --demo`
// makes on an empty data directory (migrations, the demo organisation with
// the real bcrypt cost, the demo data in the configured zone), made once
// per test binary and checkpointed into one file. The browser journeys
// copy it (e2eStartServer) instead of each `serve --demo` seeding anew.
func e2eDemoFile(t *testing.T) string {
	t.Helper()
	return testkit.SeededFile(t, "cmd/jike: jike seed --demo on SQLite", func(ctx context.Context, path string) error {
		dir, err := os.MkdirTemp("", "jike-e2e-seed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		env := map[string]string{"JIKE_DATA_DIR": dir, "JIKE_ENV": "dev", "JIKE_LOG_LEVEL": "warn"}
		var stderr strings.Builder
		if err := run(ctx, []string{"seed", "--demo"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, &stderr); err != nil {
			return fmt.Errorf("jike seed --demo: %w\n%s", err, stderr.String())
		}
		src := filepath.Join(dir, "jike.db")
		// Everything into the main file, so that the file alone is the
		// whole database.
		d, err := db.Open(ctx, db.Options{SQLitePath: src})
		if err != nil {
			return err
		}
		err = d.Gorm.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		return testkit.CopyFile(src, path)
	})
}

// TestDemoSeedLeavesStatistics: the planner knows the demo's tables as
// soon as the seed ends (db.AfterLoad), on both databases — without, a
// fresh PostgreSQL demo planned every searched list as nested loops over
// "empty" tables (0.6 s a statement) until autovacuum came by. It fails
// when the seed's ANALYZE is dropped.
func TestDemoSeedLeavesStatistics(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		q := "SELECT COUNT(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename IN ('customers', 'opportunities', 'needs', 'contracts', 'proposals')"
		if d.Dialect == db.SQLite {
			q = "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl IN ('customers', 'opportunities', 'needs', 'contracts', 'proposals')"
		}
		var n int64
		if err := d.Gorm.Raw(q).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n < 5 {
			t.Fatalf("the demo's tables have %d statistics rows after the seed: not analysed", n)
		}
	})
}
