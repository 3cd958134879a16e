package db_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestQueryRow: QueryRow reads the first row with the dialect's
// parameters (a time, a bool, a NULL), answers "none" for no row, reads a
// transaction's own uncommitted row through the transaction's handle,
// returns the driver's error for a bad statement, and shows every
// statement to the functions Observe registered until they are taken
// away (a second function under the same name is refused).
func TestQueryRow(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := d.Gorm
		if err := g.Exec("CREATE TABLE probe_row (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, " +
			"on_hold BOOLEAN NOT NULL, seen_at TIMESTAMP, due_at TIMESTAMP)").Error; err != nil {
			t.Fatal(err)
		}
		due := time.Date(2026, 11, 30, 8, 30, 0, 0, time.UTC)
		if err := g.Exec("INSERT INTO probe_row (id, name, on_hold, seen_at, due_at) VALUES (1, 'a', ?, NULL, ?), (2, 'b', ?, NULL, ?)",
			false, due, true, due).Error; err != nil {
			t.Fatal(err)
		}
		var seen []string
		stop, err := db.Observe(g, "probe", func(sql string, vars []any) { seen = append(seen, sql) })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Observe(g, "probe", func(string, []any) {}); err == nil {
			t.Fatal("a second observer under one name was taken")
		}
		p := func(n int) string { return db.Param(d.Dialect, n) }
		q := "SELECT name, seen_at, due_at FROM probe_row WHERE on_hold = " + p(1) + " AND due_at > " + p(2) + " ORDER BY id"
		var (
			name  string
			seen1 db.ScanTime
			dueAt db.ScanTime
		)
		found, err := db.QueryRow(ctx, g, q, []any{true, due.Add(-time.Hour)}, &name, &seen1, &dueAt)
		if err != nil || !found || name != "b" || seen1.Valid || seen1.Ptr() != nil || !dueAt.Time.Equal(due) {
			t.Fatalf("row: found %v, %q, seen %+v, due %v (%v); want b, NULL, %v", found, name, seen1, dueAt.Time, err, due)
		}
		found, err = db.QueryRow(ctx, g, q, []any{true, due}, &name, &seen1, &dueAt)
		if err != nil || found {
			t.Fatalf("no row: found %v, %v", found, err)
		}
		if _, err := db.QueryRow(ctx, g, "SELECT nothing FROM no_such_table", nil, &name); err == nil {
			t.Fatal("a bad statement gave no error")
		}
		if len(seen) != 3 || seen[0] != q {
			t.Fatalf("observed %q, want the three statements", seen)
		}
		err = db.WithTx(ctx, g, func(ctx context.Context) error {
			if err := db.Conn(ctx, g).Exec("UPDATE probe_row SET name = 'c' WHERE id = 2").Error; err != nil {
				return err
			}
			var n sql.NullString
			found, err := db.QueryRow(ctx, db.Conn(ctx, g), "SELECT name FROM probe_row WHERE id = "+p(1), []any{2}, &n)
			if err != nil || !found || n.String != "c" {
				t.Errorf("in the transaction: %v %q %v, want its own c", found, n.String, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		stop()
		before := len(seen)
		if _, err := db.QueryRow(ctx, g, q, []any{true, due}, &name, &seen1, &dueAt); err != nil {
			t.Fatal(err)
		}
		if len(seen) != before {
			t.Fatal("a statement reached an observer taken away")
		}
		if !strings.Contains(q, map[string]string{db.Postgres: "$2", db.SQLite: "?"}[d.Dialect]) {
			t.Fatalf("parameters of %s: %s", d.Dialect, q)
		}
	})
}
