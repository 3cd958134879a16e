package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/backup"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/dbcopy"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

// crossValue writes a value the way both engines agree on: SQLite hands
// back booleans as 0/1 and times as text, PostgreSQL as bool and
// time.Time; the value itself must be the same.
func crossValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return crossValue(string(x))
	case time.Time:
		// PostgreSQL keeps microseconds; the copy truncates to them.
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case string:
		for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02"} {
			if tm, err := time.Parse(l, x); err == nil {
				return crossValue(tm)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}

// crossDigest is every table's row count and a checksum of all of its
// rows' values (columns in name order, rows sorted), comparable between
// SQLite and PostgreSQL.
func crossDigest(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	tables, err := backup.Tables(context.Background(), d.Gorm)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		switch tb {
		case "goose_db_version", "cache_versions", // each side's own (dbcopy)
			"opportunity_stage_totals", "customer_bigrams", "opportunity_bigrams", "care_contact_kept", // SQLite's alone
			"opportunity_stage_base", "opportunity_stage_deltas", // PostgreSQL's alone (checked by stageTotalsExact)
			"opportunity_branch_base", "opportunity_branch_deltas",
			"care_contact_base", "care_contact_deltas", // and by careCountsExact
			"visit_week_counts", "visit_week_zone", // and by visitWeeksExact
			"contact_week_counts",                    // and by contactWeeksExact
			"customer_owner_counts",                  // and by ownerCountsExact
			"opportunity_close_counts",               // and by closeCountsExact
			"stage_dwell_base", "stage_dwell_deltas": // and by stageDwellExact
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
				fmt.Fprintf(&b, "%s=%s\x1f", k, crossValue(r[k]))
			}
			lines[i] = b.String()
		}
		sort.Strings(lines)
		h := sha256.Sum256([]byte(strings.Join(lines, "\x1e")))
		out[tb] = fmt.Sprintf("%d rows %s", len(rows), hex.EncodeToString(h[:8]))
	}
	return out
}

// TestMigrateDataSQLiteToPostgres: the whole demo is seeded into SQLite
// (with a contract attachment and a flagged visit, so bytes and booleans
// travel too); `jike migrate-data` copies it into an empty PostgreSQL
// database; every table has the same row count and the same checksum of
// all row values; a user signs in on the PostgreSQL app with the demo
// password, opens pages showing the moved data and creates a customer
// (the sequences were reset, so the new id does not collide). A second
// run is refused and changes nothing; --replace copies again.
func TestMigrateDataSQLiteToPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jike.db")
	src := testkit.SeededSQLiteAt(t, demoTemplate, seedDemoTemplate, path)
	// Kinds of value the demo may not hold: bytes and a true boolean.
	if err := src.Gorm.Exec(`INSERT INTO contract_files (file_key, data, size_bytes, created_at) VALUES ('migrate-data-test', ?, 8, ?)`,
		[]byte{0, 1, 2, 0xff, 'j', 'i', 'k', 'e'}, time.Now().UTC()).Error; err != nil {
		t.Fatalf("attachment bytes: %v", err)
	}
	if err := src.Gorm.Exec(`UPDATE visit_plans SET chk_appointment = 1 WHERE id = (SELECT MIN(id) FROM visit_plans)`).Error; err != nil {
		t.Fatalf("flag a visit: %v", err)
	}
	want := crossDigest(t, src)

	dst := emptyPostgres(t)
	env := func(string) string { return "" }
	var out strings.Builder
	if err := run(ctx, []string{"migrate-data", "--from", "sqlite:" + path, "--to", dst}, env, nil, &out, io.Discard); err != nil {
		t.Fatalf("migrate-data: %v", err)
	}
	for _, s := range []string{"in one transaction", "customers", "every count verified", "sequences moved"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the report lacks %q:\n%s", s, out.String())
		}
	}
	if u, _ := url.Parse(dst); u == nil || strings.Contains(out.String(), func() string { p, _ := u.User.Password(); return p }()) {
		t.Error("the report shows the URL's password")
	}
	pg := openURL(t, dst)
	compareDigests(t, want, crossDigest(t, pg))
	stageTotalsExact(t, pg)
	careCountsExact(t, pg)
	visitWeeksExact(t, pg)
	contactWeeksExact(t, pg)
	ownerCountsExact(t, pg)
	closeCountsExact(t, pg)
	stageDwellExact(t, pg)
	if want["contract_files"] == "" || strings.HasPrefix(want["contract_files"], "0 rows") {
		t.Fatalf("no attachment in the source: %q", want["contract_files"])
	}
	var flagged int64
	pg.Gorm.Raw(`SELECT COUNT(*) FROM visit_plans WHERE chk_appointment`).Scan(&flagged)
	if flagged < 1 {
		t.Fatal("the boolean did not travel")
	}

	// The PostgreSQL app works on the moved data.
	a, err := buildApp(pg, appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	c := loggedIn(t, a, "liwei")
	var cust struct {
		ID   uint
		Name string
	}
	pg.Gorm.Raw(`SELECT customers.id, customers.name FROM customers JOIN users ON users.id = customers.owner_id
WHERE users.username = 'liwei' AND customers.deleted_at IS NULL ORDER BY customers.id LIMIT 1`).Scan(&cust)
	if cust.ID == 0 {
		t.Fatal("liwei owns no customer after the move")
	}
	for _, p := range []string{"/", "/customers", "/customers/" + itoa(cust.ID), "/pipeline", "/contracts", "/visits", "/reports"} {
		res := c.Get(p)
		if res.Status != http.StatusOK {
			t.Errorf("GET %s on PostgreSQL after the move: %d", p, res.Status)
		}
		if p == "/customers/"+itoa(cust.ID) && !strings.Contains(res.Body, cust.Name) {
			t.Errorf("the customer page lacks %q", cust.Name)
		}
	}
	var maxID uint
	pg.Gorm.Raw(`SELECT MAX(id) FROM customers`).Scan(&maxID)
	res := c.PostForm("/customers", url.Values{"name": {"迁移后新客户"}, "credit_code": {prospects.MakeCreditCode("91230103MA1000091")}, "industry": {"gov"}, "grade": {"C"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("new customer after the move: %d\n%.1500s", res.Status, res.Body)
	}
	var newID uint
	pg.Gorm.Raw(`SELECT id FROM customers WHERE name = '迁移后新客户'`).Scan(&newID)
	if newID != maxID+1 {
		t.Fatalf("the new customer got id %d, want %d (the sequence after the largest copied id)", newID, maxID+1)
	}

	// A second run is refused and changes nothing.
	moved := crossDigest(t, pg)
	err = run(ctx, []string{"migrate-data", "--from", "sqlite:" + path, "--to", dst}, env, nil, io.Discard, io.Discard)
	if !errors.Is(err, dbcopy.ErrTargetNotEmpty) {
		t.Fatalf("second run: %v, want ErrTargetNotEmpty", err)
	}
	if again := crossDigest(t, pg); fmt.Sprint(again) != fmt.Sprint(moved) {
		t.Fatal("the refused second run changed the target")
	}
	// --replace empties the target and copies again: the new customer is gone.
	if err := run(ctx, []string{"migrate-data", "--from", "sqlite:" + path, "--to", dst, "--replace"}, env, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("--replace: %v", err)
	}
	compareDigests(t, want, crossDigest(t, pg))
	stageTotalsExact(t, pg)
	careCountsExact(t, pg)
	visitWeeksExact(t, pg)
	contactWeeksExact(t, pg)
	ownerCountsExact(t, pg)
	closeCountsExact(t, pg)
	stageDwellExact(t, pg)

	// Bad arguments change nothing and say what is wrong.
	for _, args := range [][]string{
		{"migrate-data", "--to", dst},
		{"migrate-data", "--from", path, "--to", dst},
		{"migrate-data", "--from", "sqlite:" + filepath.Join(t.TempDir(), "missing.db"), "--to", dst},
		{"migrate-data", "--from", "sqlite:" + path},
	} {
		if err := run(ctx, args, env, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "migrate-data") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// stageTotalsExact fails unless PostgreSQL's per-stage opportunity totals
// (the view over opportunity_stage_base and _deltas, migration 00045)
// are the copied opportunities' sums, with nothing left in the deltas:
// the copy sums them again rather than taking a delta per row.
func stageTotalsExact(t *testing.T, pg *db.DB) {
	t.Helper()
	type row struct {
		Stage                                string
		N, Monthly, OneTime, WeightedPercent int64
	}
	read := func(q string) string {
		var rows []row
		if err := pg.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read("SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_base WHERE n <> 0 ORDER BY stage")
	truth := read(`SELECT stage, COUNT(*) AS n, SUM(monthly_fen) AS monthly, SUM(one_time_fen) AS one_time, SUM(monthly_fen * probability) AS weighted_percent
		FROM opportunities WHERE deleted_at IS NULL GROUP BY stage ORDER BY stage`)
	if kept != truth || kept == "[]" {
		t.Errorf("per-stage totals after the copy: %s, the rows say %s", kept, truth)
	}
	var deltas int64
	if err := pg.Gorm.Raw("SELECT COUNT(*) FROM opportunity_stage_deltas").Scan(&deltas).Error; err != nil || deltas != 0 {
		t.Errorf("%d deltas left after the copy (%v)", deltas, err)
	}
	// And each branch's (migration 00047), of live customers only.
	type branchRow struct {
		BranchID uint
		row
	}
	readBranches := func(q string) string {
		var rows []branchRow
		if err := pg.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept = readBranches(`SELECT branch_id, stage, SUM(n) AS n, SUM(monthly) AS monthly, SUM(one_time) AS one_time, SUM(weighted_percent) AS weighted_percent
		FROM opportunity_branch_totals GROUP BY 1, 2 HAVING SUM(n) <> 0 ORDER BY 1, 2`)
	truth = readBranches(`SELECT customers.branch_id, opportunities.stage, COUNT(*) AS n, SUM(opportunities.monthly_fen) AS monthly,
		SUM(opportunities.one_time_fen) AS one_time, SUM(opportunities.monthly_fen * opportunities.probability) AS weighted_percent
		FROM opportunities JOIN customers ON customers.id = opportunities.customer_id
		WHERE opportunities.deleted_at IS NULL AND customers.deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2`)
	if kept != truth || kept == "[]" {
		t.Errorf("per-branch totals after the copy: %s, the rows say %s", kept, truth)
	}
	if err := pg.Gorm.Raw("SELECT COUNT(*) FROM opportunity_branch_deltas").Scan(&deltas).Error; err != nil || deltas != 0 {
		t.Errorf("%d branch deltas left after the copy (%v)", deltas, err)
	}
}

// visitWeeksExact checks PostgreSQL's kept visit counts (migrations 00050, 00063, 00066)
// against the visits per part, customer's branch, team, A/B grade and owner
// (the pieces are checked by the visits module's TestVisitWeekCountsKept).
func visitWeeksExact(t *testing.T, d *db.DB) {
	t.Helper()
	read := func(q string) string {
		var rows []struct {
			Part                      string
			BranchID, TeamID, OwnerID uint
			AB                        bool
			Planned, Done, Open       int64
		}
		if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read(`SELECT part, branch_id, team_id, owner_id, ab, SUM(planned) AS planned, SUM(done) AS done, SUM(open) AS open
		FROM visit_week_counts GROUP BY 1, 2, 3, 4, 5 HAVING SUM(planned) <> 0 OR SUM(done) <> 0 OR SUM(open) <> 0 ORDER BY 1, 2, 3, 4, 5`)
	truth := read(`SELECT p.part, c.branch_id, c.team_id, v.owner_id, c.grade IN ('A', 'B') AS ab,
		SUM(CASE WHEN v.status <> 'cancelled' THEN 1 ELSE 0 END) AS planned, SUM(CASE WHEN v.status = 'done' THEN 1 ELSE 0 END) AS done,
		SUM(CASE WHEN v.status = 'planned' THEN 1 ELSE 0 END) AS open
		FROM visit_plans v JOIN customers c ON c.id = v.customer_id
		CROSS JOIN LATERAL (VALUES (''), ('i:' || c.industry), ('g:' || c.grade), ('m:'), ('m:i:' || c.industry), ('m:g:' || c.grade)) AS p(part)
		WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL AND v.status <> 'cancelled'
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`)
	if kept != truth || kept == "[]" {
		t.Errorf("visit counts per week: %s, the visits say %s", kept, truth)
	}
}

// contactWeeksExact checks PostgreSQL's kept key persons per week piece
// (migrations 00053, 00066) against the key persons per piece or month, customer's branch
// and team, and creator (the writes are checked by the prospects
// module's TestContactWeekCountsKept).
func contactWeeksExact(t *testing.T, d *db.DB) {
	t.Helper()
	read := func(q string) string {
		var rows []struct {
			Part, Piece               string
			BranchID, TeamID, OwnerID uint
			N                         int64
		}
		if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read(`SELECT part, CAST(piece AS TEXT) AS piece, branch_id, team_id, owner_id, n FROM contact_week_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5`)
	truth := read(`SELECT p.part, CAST(CASE WHEN p.monthly THEN date_trunc('month', k.created_at AT TIME ZONE z.zone)
		ELSE GREATEST(date_trunc('week', k.created_at AT TIME ZONE z.zone), date_trunc('month', k.created_at AT TIME ZONE z.zone)) END AS DATE)::text AS piece,
		c.branch_id, c.team_id, COALESCE(k.created_by, 0) AS owner_id, COUNT(*) AS n
		FROM contacts k JOIN customers c ON c.id = k.customer_id CROSS JOIN visit_week_zone z
		CROSS JOIN LATERAL (VALUES ('', false), ('i:' || c.industry, false), ('g:' || c.grade, false),
			('m:', true), ('m:i:' || c.industry, true), ('m:g:' || c.grade, true)) AS p(part, monthly)
		WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`)
	if kept != truth || kept == "[]" {
		t.Errorf("key persons per week:\n kept %s\n rows %s", kept, truth)
	}
}

// ownerCountsExact checks PostgreSQL's live customers kept per manager,
// branch and part (migration 00064) against the customers.
func ownerCountsExact(t *testing.T, d *db.DB) {
	t.Helper()
	read := func(q string) string {
		var rows []struct {
			Part              string
			OwnerID, BranchID uint
			N                 int64
		}
		if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read(`SELECT part, owner_id, branch_id, n FROM customer_owner_counts WHERE n <> 0 ORDER BY 1, 2, 3`)
	truth := read(`SELECT p.part, c.owner_id, c.branch_id, COUNT(*) AS n FROM customers c
		CROSS JOIN LATERAL (VALUES (''), ('i:' || c.industry), ('g:' || c.grade)) AS p(part)
		WHERE c.deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if kept != truth || kept == "[]" {
		t.Errorf("customers per manager:\n kept %s\n rows %s", kept, truth)
	}
}

// closeCountsExact checks PostgreSQL's open opportunities kept per
// expected-close day and stage (migration 00068) against the
// opportunities.
func closeCountsExact(t *testing.T, d *db.DB) {
	t.Helper()
	read := func(q string) string {
		var rows []struct {
			Day, Stage string
			N, Monthly int64
		}
		if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read(`SELECT CAST(close_on AS TEXT) AS day, stage, n, monthly FROM opportunity_close_counts WHERE n <> 0 OR monthly <> 0 ORDER BY 1, 2`)
	truth := read(`SELECT CAST(expected_close AS TEXT) AS day, stage, COUNT(*) AS n, SUM(monthly_fen) AS monthly FROM opportunities
		WHERE deleted_at IS NULL AND expected_close IS NOT NULL AND stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation')
		GROUP BY 1, 2 ORDER BY 1, 2`)
	if kept != truth || kept == "[]" {
		t.Errorf("open opportunities per close day:\n kept %s\n rows %s", kept, truth)
	}
}

// stageDwellExact fails unless PostgreSQL's stage changes counted per
// month, branch, stage and whole days (the view stage_dwell_counts,
// migration 00052) are those of the live opportunities' changes, for
// each branch and for the province (branch 0), and the province's per
// industry and per grade (the parts of 00061), each also per day (the
// 'd:' parts of 00071).
func stageDwellExact(t *testing.T, d *db.DB) {
	t.Helper()
	read := func(q string) string {
		var rows []struct {
			BranchID       uint
			Part           string
			Month          string
			Stage          string
			Days           int
			N, Forward, Us int64
		}
		if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read(`SELECT branch_id, part, CAST(month AS TEXT) AS month, stage, days, SUM(n) AS n, SUM(forward) AS forward, SUM(dwell_us) AS us
		FROM stage_dwell_counts GROUP BY 1, 2, 3, 4, 5 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4, 5`)
	truth := read(`SELECT COALESCE(g.branch_id, 0) AS branch_id,
			CASE WHEN GROUPING(g.day) = 0 THEN 'd:' ELSE '' END ||
			CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END AS part,
			CASE WHEN GROUPING(g.day) = 0 THEN g.day ELSE g.month END AS month, g.stage, g.days, COUNT(*) AS n, SUM(g.forward) AS forward, SUM(g.us) AS us
		FROM (SELECT c.branch_id, c.industry, c.grade, CAST(date_trunc('month', sc.at AT TIME ZONE (SELECT zone FROM visit_week_zone)) AS DATE)::text AS month,
			CAST(sc.at AT TIME ZONE (SELECT zone FROM visit_week_zone) AS DATE)::text AS day,
			sc.to_stage AS stage, CASE WHEN sc.next_at IS NULL THEN -1 ELSE floor(EXTRACT(EPOCH FROM (sc.next_at - sc.at)) / 86400.0)::int END AS days,
			CASE WHEN sc.next_stage IS NOT NULL AND array_position(ARRAY['identified','contacted','visited','needs','proposal','negotiation','won'], sc.next_stage)
				> COALESCE(array_position(ARRAY['identified','contacted','visited','needs','proposal','negotiation','won'], sc.to_stage), 99) THEN 1 ELSE 0 END AS forward,
			CASE WHEN sc.next_at IS NULL THEN 0 ELSE (EXTRACT(EPOCH FROM (sc.next_at - sc.at)) * 1000000)::bigint END AS us
			FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN customers c ON c.id = o.customer_id
			WHERE o.deleted_at IS NULL AND c.deleted_at IS NULL) g
		GROUP BY GROUPING SETS ((g.branch_id, g.month, g.stage, g.days), (g.month, g.stage, g.days),
			(g.industry, g.month, g.stage, g.days), (g.grade, g.month, g.stage, g.days),
			(g.branch_id, g.day, g.stage, g.days), (g.day, g.stage, g.days),
			(g.industry, g.day, g.stage, g.days), (g.grade, g.day, g.stage, g.days)) ORDER BY 1, 2, 3, 4, 5`)
	if kept != truth || kept == "[]" {
		t.Errorf("stage changes per month and days:\n kept %s\n rows %s", kept, truth)
	}
}

// careCountsExact fails unless the care list's counts per branch, grade
// and last contact (the view care_contact_counts, migration 00046) are
// those of the customers and their last contacts, with nothing left in
// PostgreSQL's deltas after a copy.
func careCountsExact(t *testing.T, d *db.DB) {
	t.Helper()
	type row struct {
		BranchID uint
		Grade    string
		Last     string
		N        int64
	}
	day := "CAST(%s AS DATE)"
	if d.Dialect != db.Postgres {
		day = "date(%s)"
	}
	read := func(q string) string {
		var rows []row
		if err := d.Gorm.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	kept := read(`SELECT branch_id, grade, COALESCE(CAST(` + fmt.Sprintf(day, "last_contact_on") + ` AS TEXT), '-') AS last, SUM(n) AS n
		FROM care_contact_counts WHERE n <> 0 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	truth := read(`SELECT customers.branch_id, customers.grade, COALESCE(CAST(` + fmt.Sprintf(day, "care_last_contacts.last_contact_on") + ` AS TEXT), '-') AS last, COUNT(*) AS n
		FROM customers LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id
		WHERE customers.deleted_at IS NULL AND customers.status IN ('active', 'dormant') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if kept != truth || kept == "[]" {
		t.Errorf("care counts: %s, the rows say %s", kept, truth)
	}
	if d.Dialect == db.Postgres {
		var deltas int64
		if err := d.Gorm.Raw("SELECT COUNT(*) FROM care_contact_deltas").Scan(&deltas).Error; err != nil || deltas != 0 {
			t.Errorf("%d care count deltas left after the copy (%v)", deltas, err)
		}
	}
}
