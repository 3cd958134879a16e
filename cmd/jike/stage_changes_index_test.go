package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// indexOnlyOpp is a plan's line reading idx_stage_changes_opp alone, in
// either direction.
var indexOnlyOpp = regexp.MustCompile(`Index Only Scan (Backward )?using idx_stage_changes_opp on stage_changes`)

// TestStageChangesReadFromTheIndex: on PostgreSQL an opportunity's stage
// changes are read from idx_stage_changes_opp alone (migration 00060) in
// each shape the reports probe it: the funnel's stage at a past period's
// end (the change before it, its to_stage; the change after it, its
// from_stage) and the velocity's changes of a period with their next
// change. It fails when the index stops covering a column these read (the
// plan becomes an Index Scan that visits the table for every change).
func TestStageChangesReadFromTheIndex(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, db.Postgres)
	g := d.Gorm
	// The visibility map set, as on a served database, so that an
	// index-only scan is costed as one.
	if err := g.Exec("VACUUM ANALYZE stage_changes").Error; err != nil {
		t.Fatal(err)
	}
	var opp uint
	if err := g.Raw("SELECT opportunity_id FROM stage_changes GROUP BY opportunity_id ORDER BY COUNT(*) DESC, opportunity_id LIMIT 1").Scan(&opp).Error; err != nil || opp == 0 {
		t.Fatalf("an opportunity with stage changes: %d %v", opp, err)
	}
	end := time.Now().UTC().AddDate(0, -1, 0)
	probes := map[string]string{
		"the stage before the end":          "SELECT sc.to_stage FROM stage_changes sc WHERE sc.opportunity_id = ? AND sc.at < ? ORDER BY sc.at DESC, sc.id DESC LIMIT 1",
		"the stage left after the end":      "SELECT NULLIF(sc.from_stage, '') FROM stage_changes sc WHERE sc.opportunity_id = ? AND sc.at >= ? ORDER BY sc.at, sc.id LIMIT 1",
		"a period's changes and their next": "SELECT sc.to_stage, sc.at, sc.next_at, sc.next_stage FROM stage_changes sc WHERE sc.opportunity_id = ? AND sc.at >= ? AND sc.at < now()",
	}
	for name, q := range probes {
		var plan []string
		err := g.Transaction(func(tx *gorm.DB) error {
			// A handful of demo rows would be read by a scan of the
			// table; the question is which index serves the probe.
			if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
				return err
			}
			if err := tx.Exec("SET LOCAL enable_bitmapscan = off").Error; err != nil {
				return err
			}
			return tx.Raw("EXPLAIN "+q, opp, end).Scan(&plan).Error
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text := strings.Join(plan, "\n")
		if !indexOnlyOpp.MatchString(text) {
			t.Errorf("%s is not read from idx_stage_changes_opp alone:\n%s", name, text)
		}
	}
}

// TestChangedOpportunitiesIndexCarriesTheFunnel: the admin's funnel of a
// past period reads the opportunities that entered their stage since its
// end and existed at it — their id for the probe of their stage then, and
// what it sums — from idx_opps_changed_since alone (migrations 00067,
// 00069; on the province an index-only scan of ~106,000 entries instead
// of a read of the table's 211,000 rows). The demo's few hundred rows are
// too few for PostgreSQL's choice of plan to tell, so the index's own
// columns are checked: the test fails when it stops carrying one. The
// same for idx_stage_changes_next, which finds the change each of them
// was in at the end (00070).
func TestChangedOpportunitiesIndexCarriesTheFunnel(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, db.Postgres)
	var cols []string
	err := d.Gorm.Raw(`SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE c.relname = 'idx_opps_changed_since' ORDER BY a.attname`).Scan(&cols).Error
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stage_changed_at", "created_at", "id", "customer_id", "stage", "monthly_fen", "one_time_fen"} {
		if !slices.Contains(cols, want) {
			t.Errorf("idx_opps_changed_since does not carry %s: %v", want, cols)
		}
	}
	var pred string
	if err := d.Gorm.Raw(`SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = 'idx_opps_changed_since'`).Scan(&pred).Error; err != nil || !strings.Contains(pred, "deleted_at IS NULL") {
		t.Errorf("idx_opps_changed_since holds the live opportunities only: WHERE %q %v", pred, err)
	}
	// Their changes current at the end (made before it, left at or after
	// it) are one range of idx_stage_changes_next, read alone (00070).
	var next []string
	if err := d.Gorm.Raw(`SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE c.relname = 'idx_stage_changes_next'`).Scan(&next).Error; err != nil || !slices.Equal(next, []string{"next_at"}) {
		t.Errorf("idx_stage_changes_next is not ordered by next_at: %v %v", next, err)
	}
	cols = nil
	if err := d.Gorm.Raw(`SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
		WHERE c.relname = 'idx_stage_changes_next' ORDER BY a.attname`).Scan(&cols).Error; err != nil ||
		!slices.Equal(cols, []string{"at", "next_at", "opportunity_id", "to_stage"}) {
		t.Errorf("idx_stage_changes_next carries %v, want at, next_at, opportunity_id, to_stage (%v)", cols, err)
	}
}

// TestStageDwellKeyedByPartFirst: the kept stage dwell counts are keyed
// (branch_id, part, month, stage, days) (migration 00072), so that the
// velocity's read of one part over a span of months or days is one range
// of the key, not every part's rows of the span (the province keeps 31
// parts since the day rows of 00071). The order is checked on the
// catalog: the demo's few rows would be read whole either way.
func TestStageDwellKeyedByPartFirst(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, db.Postgres)
	cols := indexColumns(t, d.Gorm, "stage_dwell_base_pkey")
	if want := []string{"branch_id", "part", "month", "stage", "days"}; !slices.Equal(cols, want) {
		t.Errorf("stage_dwell_base is keyed %v, want %v", cols, want)
	}
}

// TestVisitsByCustomerCarryTheirID: a branch's or a team's deep page of
// visits is found from its customers, each reading its visits in start
// order with the id that breaks ties (visits' probedPage) from
// idx_visit_plans_customer alone (migration 00073: a director's page 400
// ~70 ms of SQL with a visit to the table per entry, ~21 index-only).
// The key's order is checked on the catalog.
func TestVisitsByCustomerCarryTheirID(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, db.Postgres)
	cols := indexColumns(t, d.Gorm, "idx_visit_plans_customer")
	if want := []string{"customer_id", "starts_at", "id", "owner_id", "status"}; !slices.Equal(cols, want) {
		t.Errorf("idx_visit_plans_customer holds %v, want %v (the last two included)", cols, want)
	}
}

// indexColumns are the columns of PostgreSQL's index name in the index's
// order, its key's first and then those it includes.
func indexColumns(t *testing.T, g *gorm.DB, name string) []string {
	t.Helper()
	var cols []string
	err := g.Raw(`SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE c.relname = ? ORDER BY k.pos`, name).Scan(&cols).Error
	if err != nil {
		t.Fatal(err)
	}
	return cols
}
