package benchseed

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestFillProvince makes a two-manager province on each database: the
// counts are Expect()'s, the same seed makes the same records, two
// provinces with other codes fit in one database, and every open
// opportunity's stage history ends in its stage.
func TestFillProvince(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		end := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		spec := ProvinceScale(2)
		spec.End = end
		p, err := FillProvince(ctx, d.Gorm, spec)
		if err != nil {
			t.Fatal(err)
		}
		want := spec.Expect()
		got := p.Counts
		got.StageChanges = 0
		if got != want {
			t.Errorf("counts %+v, want %+v", got, want)
		}
		if len(p.Branches) != 1 || len(p.Branches[0].ManagerIDs) != 2 || p.Branches[0].DirectorID == 0 {
			t.Errorf("result %+v", p.Branches)
		}
		sum := func(q string, args ...any) int64 {
			var n int64
			if err := d.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := sum(`SELECT COUNT(*) FROM opportunities o WHERE o.stage <> (SELECT s.to_stage FROM stage_changes s WHERE s.opportunity_id = o.id ORDER BY s.at DESC, s.id DESC LIMIT 1)`); n != 0 {
			t.Errorf("%d opportunities whose history does not end in their stage", n)
		}
		var codes []string
		if err := d.Gorm.Raw(`SELECT credit_code FROM customers`).Scan(&codes).Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if err := prospects.ValidateCreditCode(c); err != nil {
				t.Errorf("credit code %s: %v", c, err)
			}
		}
		var names []string
		d.Gorm.Raw(`SELECT name FROM customers ORDER BY id LIMIT 3`).Scan(&names)
		for _, n := range names {
			if !strings.HasSuffix(n, "公司") && !strings.HasPrefix(n, "齐齐哈尔") {
				t.Errorf("customer name %q is not a Chinese organisation's", n)
			}
		}
		for what, q := range map[string]string{
			"done visits without a record":          `SELECT COUNT(*) FROM visit_plans v WHERE v.status = 'done' AND NOT EXISTS (SELECT 1 FROM visit_records r WHERE r.visit_id = v.id)`,
			"records of visits not done":            `SELECT COUNT(*) FROM visit_records r JOIN visit_plans v ON v.id = r.visit_id WHERE v.status <> 'done'`,
			"customers without a key person":        `SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id)`,
			"won opportunities without a contract":  `SELECT COUNT(*) FROM opportunities o WHERE o.stage = 'won' AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.opportunity_id = o.id)`,
			"contracts without their root":          `SELECT COUNT(*) FROM contracts WHERE root_id IS NULL OR root_id <> id`,
			"proposals without their root":          `SELECT COUNT(*) FROM proposals WHERE root_id IS NULL OR root_id <> id`,
			"contract numbers behind the contracts": `SELECT COUNT(*) FROM contracts c WHERE NOT EXISTS (SELECT 1 FROM contract_numbers n WHERE n.branch_id = c.branch_id AND n.last_seq >= 1)`,
			"customers created after today":         `SELECT COUNT(*) FROM customers WHERE created_at > (SELECT MAX(created_at) FROM contacts)`,
			"opportunities off their stage's probability": `SELECT COUNT(*) FROM opportunities WHERE probability <> CASE stage WHEN 'identified' THEN 10
				WHEN 'contacted' THEN 20 WHEN 'visited' THEN 30 WHEN 'needs' THEN 40 WHEN 'proposal' THEN 60
				WHEN 'negotiation' THEN 80 WHEN 'won' THEN 100 ELSE 0 END`,
		} {
			if n := sum(q); n != 0 {
				t.Errorf("%s: %d", what, n)
			}
		}
		// The load moved the versions of the cached aggregates on (the
		// triggers are paused for the COPY and run once after it).
		if n := sum(`SELECT COUNT(*) FROM cache_versions WHERE name IN ('opportunities', 'proposals', 'visits') AND version > 0`); n != 3 {
			t.Errorf("cache versions moved for %d of opportunities, proposals, visits", n)
		}
		// A review line's actual is the month's records: the visits line
		// of every review equals the done visits counted in SQL.
		var lines []struct {
			Owner  int64
			Month  string
			Actual int64
		}
		if err := d.Gorm.Raw(`SELECT r.owner_id AS owner, r.month AS month, l.actual AS actual FROM review_lines l JOIN monthly_reviews r ON r.id = l.review_id WHERE l.line = 'visits'`).Scan(&lines).Error; err != nil {
			t.Fatal(err)
		}
		if len(lines) != want.Reviews {
			t.Errorf("%d visits lines, want %d", len(lines), want.Reviews)
		}
		var visits []struct {
			Owner    int64
			StartsAt time.Time
		}
		d.Gorm.Raw(`SELECT owner_id AS owner, starts_at FROM visit_plans WHERE status = 'done'`).Scan(&visits)
		perMonth := map[string]int64{}
		for _, v := range visits {
			perMonth[strconv.FormatInt(v.Owner, 10)+" "+v.StartsAt.UTC().Format("2006-01")]++
		}
		for _, l := range lines {
			if got := perMonth[strconv.FormatInt(l.Owner, 10)+" "+l.Month]; got != l.Actual || got == 0 {
				t.Errorf("review of %d in %s: visits actual %d, records %d", l.Owner, l.Month, l.Actual, got)
			}
		}
		// The signings and new MRC lines are the contracts signed that
		// month (what the portal's attainment counts), and the year's
		// targets are near them (each manager ±15 %, rounded).
		var signedLines []struct {
			Owner        int64
			Month, Line  string
			Actual, Goal int64
		}
		if err := d.Gorm.Raw(`SELECT r.owner_id AS owner, r.month AS month, l.line AS line, l.actual AS actual, l.target AS goal FROM review_lines l
			JOIN monthly_reviews r ON r.id = l.review_id WHERE l.line IN ('signings', 'mrc')`).Scan(&signedLines).Error; err != nil {
			t.Fatal(err)
		}
		var contracts []struct {
			Owner    int64
			SignedAt time.Time
			Monthly  int64
		}
		d.Gorm.Raw(`SELECT owner_id AS owner, signed_at, monthly_fen AS monthly FROM contracts WHERE revision = 1 AND predecessor_id IS NULL`).Scan(&contracts)
		signedIn := map[string][2]int64{}
		for _, c := range contracts {
			k := strconv.FormatInt(c.Owner, 10) + " " + c.SignedAt.UTC().Format("2006-01")
			v := signedIn[k]
			signedIn[k] = [2]int64{v[0] + 1, v[1] + c.Monthly}
		}
		var actual, goal [2]int64
		for _, l := range signedLines {
			i := 0
			if l.Line == "mrc" {
				i = 1
			}
			if got := signedIn[strconv.FormatInt(l.Owner, 10)+" "+l.Month][i]; got != l.Actual {
				t.Errorf("review of %d in %s: %s actual %d, contracts %d", l.Owner, l.Month, l.Line, l.Actual, got)
			}
			actual[i], goal[i] = actual[i]+l.Actual, goal[i]+l.Goal
		}
		// Every industry's share of the contracts is near its share of
		// the customers (a tenth): none has the earlier ones alone.
		var shares []struct {
			Industry string
			N        int64
		}
		d.Gorm.Raw(`SELECT c.industry AS industry, COUNT(*) AS n FROM contracts k JOIN customers c ON c.id = k.customer_id GROUP BY c.industry`).Scan(&shares)
		for _, sh := range shares {
			if r := float64(sh.N) * float64(len(shares)) / float64(len(contracts)); r < 0.7 || r > 1.3 {
				t.Errorf("industry %s holds %d of %d contracts (%.2f of its share)", sh.Industry, sh.N, len(contracts), r)
			}
		}
		for i, line := range []string{"signings", "mrc"} {
			if r := float64(goal[i]) / float64(max(actual[i], 1)); r < 0.75 || r > 1.25 || actual[i] == 0 {
				t.Errorf("%s: targets %d for actuals %d (%.2f): not near what the records make", line, goal[i], actual[i], r)
			}
		}
		first := sum(`SELECT COALESCE(SUM(monthly_fen), 0) FROM opportunities`)
		spec.Code = "AGAIN"
		if _, err := FillProvince(ctx, d.Gorm, spec); err != nil {
			t.Fatalf("a second province: %v", err)
		}
		if total := sum(`SELECT COALESCE(SUM(monthly_fen), 0) FROM opportunities`); total != 2*first {
			t.Errorf("the same seed made other values: %d then %d", first, total-first)
		}
		if _, err := FillProvince(ctx, d.Gorm, spec); err == nil {
			t.Error("a province code used twice was accepted")
		}
	})
}
