package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// The version that keeps the visits and key persons per month beside
// their week pieces.
const monthPiecesVersion = 66

// TestMonthPiecesMigration (PostgreSQL; SQLite keeps no week counts):
// 00066 sums the week pieces already kept into their months ('m:' parts,
// under the month's first day), its triggers count a new visit, a key
// person and a statement's key persons in the months too and move them
// with a customer's industry, refresh counts the same rows as the
// triggers keep, and down leaves the week pieces alone, with triggers
// that no longer write months — and up again counts them.
func TestMonthPiecesMigration(t *testing.T) {
	ctx := context.Background()
	g, sqlDB := unmigratedPostgres(t)
	p, exec := beforeMigration(t, g, sqlDB, db.Postgres, monthPiecesVersion)
	// Noon UTC of the 5th and the 25th of two months: another week piece
	// each, whatever the portal's zone, and two months.
	thisMonth := time.Now().UTC().AddDate(0, 0, 1-time.Now().UTC().Day())
	at := func(month, day int) time.Time {
		return time.Date(thisMonth.Year(), thisMonth.Month()+time.Month(month), day, 12, 0, 0, 0, time.UTC)
	}
	visit := func(when time.Time) {
		t.Helper()
		exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, duration_min, kind, objective, status, version, created_at, updated_at)
			VALUES (1, 1, ?, 60, 'needs', '了解需求', 'done', 1, ?, ?)`, when, when, when)
	}
	contacts := func(when ...time.Time) {
		t.Helper()
		q, args := "INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES ", []any{}
		for i, w := range when {
			if i > 0 {
				q += ", "
			}
			q += "(1, '王主任', 'decision', 1, ?, ?)"
			args = append(args, w, w)
		}
		exec(q, args...)
	}
	visit(at(-1, 5))
	visit(at(-1, 25))
	visit(at(0, 5))
	contacts(at(-1, 5), at(-1, 25))

	// kept is each month's done visits and key persons in part, as
	// "month:visits/contacts" in month order, and how many rows hold them.
	kept := func(part string) string {
		t.Helper()
		var rows []struct {
			Piece   time.Time
			Done, N int64
			Rows    int
		}
		if err := g.Raw(`SELECT piece, SUM(done) AS done, SUM(n) AS n, COUNT(*) AS rows FROM (
			SELECT piece, done, 0 AS n FROM visit_week_counts WHERE part = ? AND done <> 0
			UNION ALL SELECT piece, 0, n FROM contact_week_counts WHERE part = ? AND n <> 0) k
			GROUP BY piece ORDER BY piece`, part, part).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, r := range rows {
			out += fmt.Sprintf("%s:%d/%d(%d) ", r.Piece.Format("2006-01-02"), r.Done, r.N, r.Rows)
		}
		return out
	}
	m := func(month int) string { return at(month, 1).Format("2006-01-02") }
	want := func(step, part, wantKept string) {
		t.Helper()
		if got := kept(part); got != wantKept {
			t.Errorf("%s: part %q keeps %q, want %q", step, part, got, wantKept)
		}
	}
	want("before 00066", "m:", "")

	if _, err := p.UpTo(ctx, monthPiecesVersion); err != nil {
		t.Fatal(err)
	}
	// Two visits and two key persons in two pieces of last month: one
	// row each of visits and key persons under its first day.
	twoMonths := fmt.Sprintf("%s:2/2(2) %s:1/0(1) ", m(-1), m(0))
	for _, part := range []string{"m:", "m:i:gov", "m:g:B"} {
		want("after 00066", part, twoMonths)
	}
	want("after 00066, the week pieces", "", fmt.Sprintf("%s:1/1(2) %s:1/1(2) %s:1/0(1) ", weekPiece(at(-1, 5)),
		weekPiece(at(-1, 25)), weekPiece(at(0, 5))))

	// A visit (row trigger), two key persons in one statement (statement
	// trigger), then another industry: the months follow.
	visit(at(0, 25))
	contacts(at(0, 5), at(0, 25))
	exec(`UPDATE customers SET industry = 'finance' WHERE id = 1`)
	after := fmt.Sprintf("%s:2/2(2) %s:2/2(2) ", m(-1), m(0))
	for _, c := range []struct{ part, kept string }{{"m:", after}, {"m:i:finance", after}, {"m:i:gov", ""}, {"m:g:B", after}} {
		want("a visit, two key persons and a new industry later", c.part, c.kept)
	}
	// What the triggers keep is what a refresh counts.
	for _, f := range []string{"visit", "contact"} {
		snapshot := func() string {
			var s string
			q := fmt.Sprintf(`SELECT COALESCE(string_agg(k::text, ';' ORDER BY k::text), '') FROM %s_week_counts k`, f)
			if f == "visit" {
				q += " WHERE planned <> 0 OR done <> 0 OR open <> 0"
			} else {
				q += " WHERE n <> 0"
			}
			if err := g.Raw(q).Scan(&s).Error; err != nil {
				t.Fatal(err)
			}
			return s
		}
		before := snapshot()
		exec(fmt.Sprintf("SELECT jike_refresh_%s_week_counts()", f))
		if got := snapshot(); got != before || got == "" {
			t.Errorf("%s counts: refreshed %s, kept %s", f, got, before)
		}
	}

	if _, err := p.DownTo(ctx, monthPiecesVersion-1); err != nil {
		t.Fatal(err)
	}
	want("after down", "m:", "")
	visit(at(0, 25))
	contacts(at(0, 25))
	want("after down, one more of each", "m:", "")
	want("after down, one more of each", "i:finance", fmt.Sprintf("%s:1/1(2) %s:1/1(2) %s:1/1(2) %s:2/2(2) ",
		weekPiece(at(-1, 5)), weekPiece(at(-1, 25)), weekPiece(at(0, 5)), weekPiece(at(0, 25))))
	if _, err := p.UpTo(ctx, monthPiecesVersion); err != nil {
		t.Fatal(err)
	}
	want("up again", "m:i:finance", fmt.Sprintf("%s:2/2(2) %s:3/3(2) ", m(-1), m(0)))
}

// weekPiece is the first day of the week piece holding t (noon UTC, the
// same date in any zone of the portal's: the later of its Monday and its
// month's first day).
func weekPiece(t time.Time) string {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	if first := day.AddDate(0, 0, 1-day.Day()); first.After(monday) {
		return first.Format("2006-01-02")
	}
	return monday.Format("2006-01-02")
}
