package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestOldReleaseServesAfterExpandMigration: a newer release's additive
// (expand) migration — a new nullable column and an index, built
// CONCURRENTLY on PostgreSQL — is applied to the database while this
// release still runs: the database reports ready to it, and its queries
// (lists, a record, a form that inserts) keep working.
func TestOldReleaseServesAfterExpandMigration(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		_, latest, err := d.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := newTestApp(t, d)
		c := loggedIn(t, a, "liwei")
		// The next release's expand step, outside a transaction as a
		// CONCURRENTLY build must be.
		index := "CREATE INDEX CONCURRENTLY customers_next_note ON customers (next_note)"
		if d.Dialect == db.SQLite {
			index = "CREATE INDEX customers_next_note ON customers (next_note)"
		}
		for _, q := range []string{"ALTER TABLE customers ADD COLUMN next_note TEXT NULL", index} {
			if err := d.Gorm.Exec(q).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := d.Gorm.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", latest+1, true).Error; err != nil {
			t.Fatal(err)
		}
		if cur, _, err := d.SchemaVersion(ctx); err != nil || cur != latest+1 {
			t.Fatalf("schema version after the expand step: %d %v", cur, err)
		}
		if err := d.Ready(ctx); err != nil {
			t.Fatalf("the running release is not ready on a schema one additive step ahead: %v", err)
		}
		res := c.PostForm("/customers", url.Values{"name": {"升级测试集团"}, "credit_code": {creditCode("0198", 77)}, "industry": {"gov"}, "grade": {"C"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("create a customer during the upgrade: %d\n%.600s", res.Status, res.Body)
		}
		if res := c.Get(res.Location()); res.Status != http.StatusOK || !strings.Contains(res.Body, "升级测试集团") {
			t.Fatalf("the new customer's page: %d", res.Status)
		}
		if res := c.Get("/customers?q=升级"); res.Status != http.StatusOK || !strings.Contains(res.Body, "升级测试集团") {
			t.Fatalf("the customer list: %d", res.Status)
		}
		if res := c.Get("/opportunities"); res.Status != http.StatusOK {
			t.Fatalf("the opportunity list: %d", res.Status)
		}
	})
}
