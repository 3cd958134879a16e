package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// bigTables grow with the province (issue 19): a query that returns their
// rows must be bounded.
var bigTables = []string{"customers", "opportunities", "visit_plans", "key_persons", "proposals", "contracts", "service_requests"}

var (
	// fromBig finds a big table read as a row source (FROM or JOIN).
	fromBig = regexp.MustCompile(`(?i)\b(from|join)\s+"?(` + strings.Join(bigTables, "|") + `)"?\b`)
	// limited: the statement has a LIMIT (a page, a "first N", a probe).
	limited = regexp.MustCompile(`(?i)\blimit\b`)
	// aggregate: it folds rows into a few numbers.
	aggregate = regexp.MustCompile(`(?i)\b(count|sum|min|max|avg)\s*\(|\bgroup\s+by\b`)
	// byKey: it looks rows up by id or by a list of keys the page already
	// holds (a page's parents, the ids of its cards).
	byKey = regexp.MustCompile(`(?i)(^|[^a-z_])"?id"?\s*=\s*(\$\d+|\?|\d+)|(^|[^a-z_])"?(id|[a-z_]+_id)"?\s+in\s*\(\s*(\$\d+|\?|\d+)`)
)

// unbounded reports whether a statement reads rows of a big table without
// a bound. The rule, applied to the statement's text:
//
//   - only statements that read (SELECT, or WITH … SELECT) count;
//   - one counts only if a big table (bigTables) appears after FROM or
//     JOIN;
//   - it is bounded if it has a LIMIT anywhere (a page, the first N cards
//     of a column, an EXISTS probe written as LIMIT 1);
//   - or if it aggregates: an aggregate function (COUNT, SUM, MIN, MAX,
//     AVG) or GROUP BY, which returns one row per group, not per record;
//   - or if it looks records up by key: a condition id = <value> (the
//     record of a detail page, a by-id load; the column is exactly "id")
//     or <id or …_id column> IN (<values>) with bound values (the
//     children of the rows a bounded page already holds: preloads, names
//     of the owners of its cards). A filter such as owner_id = ? or
//     status IN (…) is no key lookup: it selects a share of the table.
//
// Anything else is a list that grows with the table and fails the test.
// Exports (CSV/XLSX/PDF/ICS downloads) are not walked: they stream every
// row of the scope by design.
func unbounded(sql string) bool {
	s := strings.TrimSpace(strings.ToLower(sql))
	if !strings.HasPrefix(s, "select") && !strings.HasPrefix(s, "with") {
		return false
	}
	if !fromBig.MatchString(s) {
		return false
	}
	return !limited.MatchString(s) && !aggregate.MatchString(s) && !byKey.MatchString(s)
}

func TestUnboundedRule(t *testing.T) {
	t.Parallel()
	for sql, want := range map[string]bool{
		`SELECT * FROM "visit_plans" WHERE owner_id = ? AND starts_at >= ?`:                                   true,
		`SELECT visit_plans.* FROM visit_plans JOIN customers ON customers.id = visit_plans.customer_id`:      true,
		`SELECT * FROM visit_plans WHERE owner_id = $1 ORDER BY starts_at LIMIT 50`:                           false,
		`SELECT count(*) FROM "opportunities" WHERE stage = $1`:                                               false,
		`SELECT stage, SUM(monthly_fen) FROM opportunities GROUP BY stage`:                                    false,
		`SELECT * FROM "customers" WHERE "customers"."id" = $1 AND "customers"."deleted_at" IS NULL`:          false,
		`SELECT * FROM "key_persons" WHERE "key_persons"."customer_id" IN ($1,$2,$3)`:                         false,
		`SELECT * FROM users WHERE team_id = ?`:                                                               false,
		`UPDATE customers SET name = ? WHERE id = ?`:                                                          false,
		`SELECT * FROM "proposals" WHERE status = 'pending' AND "proposals"."deleted_at" IS NULL ORDER BY id`: true,
	} {
		if got := unbounded(sql); got != want {
			t.Errorf("unbounded(%q) = %v, want %v", sql, got, want)
		}
	}
}

// TestListQueriesAreBounded walks every GET route without a parameter
// (the lists, the boards, the calendar, the home page, the reports) as
// each role on the demo data and fails on any statement that reads a big
// table without a bound (the rule is unbounded's doc comment): such a
// query loads 100,000 customers or 1,000,000 visits at province scale.
func TestListQueriesAreBounded(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, seededDemoDB(t, db.SQLite))
	rec := recordStatements(t, a.DB, "bounded_test:record")
	var paths []string
	for _, info := range a.Server.Routes() {
		if info.Method != http.MethodGet || strings.Contains(info.Path, ":") || isDownload(info.Path) {
			continue
		}
		paths = append(paths, info.Path)
	}
	// The scope views and the month calendar, which the bare paths do not
	// show every role.
	paths = append(paths, "/visits?who=scope", "/visits/calendar?mode=month", "/visits/calendar?mode=month&who=scope",
		"/visits/calendar?who=scope", "/opportunities?view=board")
	for _, role := range []string{"account_manager", "chief_rep", "director", "admin"} {
		c := loggedIn(t, a, demoUsers[role])
		seen := map[string]bool{}
		for _, path := range paths {
			list := rec.during(func() { c.Get(path) })
			for _, s := range list {
				if unbounded(s.SQL) && !seen[path+s.SQL] {
					seen[path+s.SQL] = true
					t.Errorf("GET %s as %s reads a big table without a bound:\n%s", path, role, s.SQL)
				}
			}
		}
	}
}

// isDownload tells the export and file routes, which stream every row by
// design.
func isDownload(path string) bool {
	for _, ext := range []string{".csv", ".xlsx", ".pdf", ".ics", ".zip", ".json"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return strings.Contains(path, "/export")
}
