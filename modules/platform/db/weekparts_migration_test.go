package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps the visits and key persons per week piece also
// per industry and per grade.
const weekPartsVersion = 63

// TestWeekPartsMigration (PostgreSQL; SQLite keeps no week counts):
// 00063 counts the visits and key persons already there into their
// customer's industry and grade parts beside the whole (part ”), its
// triggers count a new visit and key person in every part and move them
// when the customer changes industry, and down gives back the rows of
// 00050 and 00053, kept by the old triggers — and up again the parts.
func TestWeekPartsMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, weekPartsVersion)
	now := time.Now().UTC()
	visit := func(status string) {
		t.Helper()
		exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, duration_min, kind, objective, status, version, created_at, updated_at)
			VALUES (1, 1, ?, 60, 'needs', '了解需求', ?, 1, ?, ?)`, now, status, now, now)
	}
	contact := func() {
		t.Helper()
		exec(`INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (1, '王主任', 'decision', 1, ?, ?)`, now, now)
	}
	visit("done")
	visit("planned")
	contact()

	// counted is the done visits and the key persons kept in part ("-":
	// every row, as before 00063).
	counted := func(part string) (done, contacts int64) {
		t.Helper()
		where, args := "", []any{}
		if part != "-" {
			where, args = " WHERE part = ?", []any{part}
		}
		if err := g.Raw("SELECT COALESCE(SUM(done), 0) FROM visit_week_counts"+where, args...).Scan(&done).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Raw("SELECT COALESCE(SUM(n), 0) FROM contact_week_counts"+where, args...).Scan(&contacts).Error; err != nil {
			t.Fatal(err)
		}
		return done, contacts
	}
	want := func(step, part string, done, contacts int64) {
		t.Helper()
		if d, c := counted(part); d != done || c != contacts {
			t.Errorf("%s: part %q keeps %d done visits and %d key persons, want %d and %d", step, part, d, c, done, contacts)
		}
	}
	want("before 00063", "-", 1, 1)
	if _, err := p.UpTo(ctx, weekPartsVersion); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"", "i:gov", "g:B"} {
		want("after 00063", part, 1, 1)
	}
	visit("done")
	contact()
	exec(`UPDATE customers SET industry = 'finance' WHERE id = 1`)
	for _, c := range []struct {
		part string
		n    int64
	}{{"", 2}, {"i:gov", 0}, {"i:finance", 2}, {"g:B", 2}} {
		want("a visit, a key person and a new industry later", c.part, c.n, c.n)
	}

	if _, err := p.DownTo(ctx, weekPartsVersion-1); err != nil {
		t.Fatal(err)
	}
	visit("done")
	contact()
	want("after down, one more of each", "-", 3, 3)
	if _, err := p.UpTo(ctx, weekPartsVersion); err != nil {
		t.Fatal(err)
	}
	want("up again", "i:finance", 3, 3)
	want("up again", "", 3, 3)
}
