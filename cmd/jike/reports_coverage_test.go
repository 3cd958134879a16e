package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/reports"
)

// TestCoverageReportMatchesDefinition: the admin's coverage report —
// its sums read in shares of the customers and added up, its uncovered
// customers read in the list's order until enough are found — equals the
// definition written as plainly as SQL allows: per owner, the live A and
// B customers and those with a done visit in their window (A: the month
// before the period's end, B: the two months), and the uncovered ones by
// owner, grade and name. The demo's owners each have customers in both
// shares, so a share left out or added twice shows.
func TestCoverageReportMatchesDefinition(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		g := a.DB.Gorm
		f, err := a.Reports.ParseFilter(url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		end := f.To
		aFrom, bFrom := end.AddDate(0, -1, 0), end.AddDate(0, -2, 0)
		visited := `EXISTS (SELECT 1 FROM visit_plans v WHERE v.customer_id = c.id AND v.deleted_at IS NULL AND v.status = 'done'
 AND (c.grade = 'A' AND v.starts_at >= ? OR c.grade = 'B' AND v.starts_at >= ?) AND v.starts_at < ?)`

		var mixed int64
		if err := g.Raw(`SELECT COUNT(*) FROM (SELECT owner_id FROM customers WHERE deleted_at IS NULL AND grade IN ('A', 'B')
 GROUP BY owner_id HAVING MIN(id % 2) = 0 AND MAX(id % 2) = 1) x`).Scan(&mixed).Error; err != nil {
			t.Fatal(err)
		}
		if mixed < 2 {
			t.Fatalf("only %d owners have customers in both shares: the test proves nothing", mixed)
		}

		type sum struct {
			Name             string
			A, ACov, B, BCov int64
		}
		var want []sum
		if err := g.Raw(`SELECT u.name AS name,
 SUM(CASE WHEN c.grade = 'A' THEN 1 ELSE 0 END) AS a, SUM(CASE WHEN c.grade = 'A' AND `+visited+` THEN 1 ELSE 0 END) AS a_cov,
 SUM(CASE WHEN c.grade = 'B' THEN 1 ELSE 0 END) AS b, SUM(CASE WHEN c.grade = 'B' AND `+visited+` THEN 1 ELSE 0 END) AS b_cov
 FROM customers c JOIN users u ON u.id = c.owner_id WHERE c.deleted_at IS NULL AND c.grade IN ('A', 'B')
 GROUP BY u.name`, aFrom.UTC(), bFrom.UTC(), end.UTC(), aFrom.UTC(), bFrom.UTC(), end.UTC()).Scan(&want).Error; err != nil {
			t.Fatal(err)
		}
		var covered, all int64
		for _, w := range want {
			covered, all = covered+w.ACov+w.BCov, all+w.A+w.B
		}
		if covered == 0 || covered == all {
			t.Fatalf("%d of %d key customers covered: the test proves nothing", covered, all)
		}

		var uncovered []string
		if err := g.Raw(`SELECT c.name FROM customers c WHERE c.deleted_at IS NULL AND c.grade IN ('A', 'B') AND NOT `+visited+`
 ORDER BY c.owner_id, c.grade, c.name, c.id LIMIT ?`, aFrom.UTC(), bFrom.UTC(), end.UTC(), reports.UncoveredLimit).Scan(&uncovered).Error; err != nil {
			t.Fatal(err)
		}

		r, err := a.Reports.Build(context.Background(), subject(t, a, "admin"), reports.KeyCoverage, f, func(id string, _ ...any) string { return id })
		if err != nil {
			t.Fatal(err)
		}
		var got []sum
		for _, row := range r.Tables[0].Rows {
			got = append(got, sum{Name: row[0].Show(), A: row[1].Int, ACov: row[2].Int, B: row[4].Int, BCov: row[5].Int})
		}
		byName := func(x, y sum) int { return strings.Compare(x.Name, y.Name) }
		slices.SortFunc(got, byName)
		slices.SortFunc(want, byName) // Go's order, not the database's collation
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("coverage per owner:\n got %v\nwant %v", got, want)
		}
		var listed []string
		for _, row := range r.Tables[1].Rows {
			listed = append(listed, row[1].Show())
		}
		if !slices.Equal(listed, uncovered) {
			t.Errorf("uncovered customers:\n got %v\nwant %v", listed, uncovered)
		}
	})
}
