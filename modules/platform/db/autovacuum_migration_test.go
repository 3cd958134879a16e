package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that vacuums the busy tables after a fixed number of rows.
const autovacuumVersion = 49

// TestBusyTablesVacuumAfterAFewThousandRows (PostgreSQL; SQLite has no
// vacuum of the kind): after 00049 each big table the pages read through
// index-only scans is vacuumed after 2,000 changed or inserted rows
// whatever its size, so its pages are soon all visible again; down gives
// the defaults back. The tables are those whose index-only scans the
// province's pages depend on (docs/operations.md § 4.8).
func TestBusyTablesVacuumAfterAFewThousandRows(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, _ := beforeMigration(t, g, sqlDB, db.Postgres, autovacuumVersion)
	tables := []string{"visit_plans", "visit_records", "opportunities", "stage_changes", "customers", "contacts", "care_last_contacts", "contracts"}
	options := func(table string) []string {
		t.Helper()
		var opts []string
		if err := g.Raw("SELECT unnest(COALESCE(reloptions, '{}')) FROM pg_class WHERE oid = ?::regclass", table).Scan(&opts).Error; err != nil {
			t.Fatal(err)
		}
		return opts
	}
	for _, table := range tables {
		if opts := options(table); len(opts) != 0 {
			t.Fatalf("%s has options before 00049: %v", table, opts)
		}
	}
	if _, err := p.UpTo(ctx, autovacuumVersion); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		opts := options(table)
		for _, want := range []string{"autovacuum_vacuum_scale_factor=0", "autovacuum_vacuum_threshold=2000",
			"autovacuum_vacuum_insert_scale_factor=0", "autovacuum_vacuum_insert_threshold=2000"} {
			if !slices.Contains(opts, want) {
				t.Errorf("%s: %s missing from %v", table, want, opts)
			}
		}
	}
	if _, err := p.DownTo(ctx, autovacuumVersion-1); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if opts := options(table); len(opts) != 0 {
			t.Errorf("%s keeps %s after down", table, strings.Join(opts, ", "))
		}
	}
}
