package main

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/reports"
	"gorm.io/gorm"
)

// cteName finds the names a statement's WITH clause defines (read like
// tables, but not tables).
var cteName = regexp.MustCompile(`(?i)(?:\bWITH(?:\s+RECURSIVE)?|,)\s+([a-z_][a-z0-9_]*)(?:\s*\([^)]*\))?\s+AS\s*(?:NOT\s+)?(?:MATERIALIZED\s*)?\(`)

// TestReportReads: each report names the data versions it is kept under
// (reports.Reads), and every table its statements read — built as each
// demo role, by each grouping, on both databases — has a data version
// among them, so a write to anything a report shows is never hidden by
// the report kept; and a write to something it does not read (a visit,
// for the funnel) leaves it kept. It fails with the report, the table and the versions that would
// cover it.
func TestReportReads(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		var mu sync.Mutex
		var on bool
		tables := map[string]bool{}
		afterReads(t, a.DB, "report_reads_test:tables", func(tx *gorm.DB) {
			if tx.DryRun || tx.Statement == nil || tx.Statement.SQL.Len() == 0 {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if !on {
				return
			}
			sql := tx.Statement.SQL.String()
			ctes := map[string]bool{}
			for _, m := range cteName.FindAllStringSubmatch(sql, -1) {
				ctes[strings.ToLower(m[1])] = true
			}
			for _, m := range tableRef.FindAllStringSubmatch(sql, -1) {
				if name := strings.ToLower(m[1]); !ctes[name] {
					tables[name] = true
				}
			}
		})
		tr := func(id string, _ ...any) string { return id }
		for _, key := range reports.Keys {
			names := reports.Reads(key)
			if len(names) == 0 {
				t.Fatalf("report %s names no data versions", key)
			}
			mu.Lock()
			on, tables = true, map[string]bool{}
			mu.Unlock()
			for _, user := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
				me := subject(t, a, user)
				for _, by := range []string{"", reports.GroupTopGroup} {
					q := url.Values{}
					if by != "" {
						q.Set("by", by)
					}
					f, err := a.Reports.ParseFilter(q)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := a.Reports.Build(t.Context(), me, key, f, tr); err != nil {
						t.Fatalf("%s as %s by %q: %v", key, user, by, err)
					}
				}
			}
			mu.Lock()
			on = false
			read := make([]string, 0, len(tables))
			for table := range tables {
				read = append(read, table)
			}
			mu.Unlock()
			sort.Strings(read)
			t.Logf("%s reads %v under %v", key, read, names)
			for _, table := range read {
				if table == "cache_versions" || table == "lateral" {
					continue
				}
				sources := []string{table}
				if w, ok := reports.WrittenWith[table]; ok {
					sources = []string{w}
				} else if from, ok := db.DerivedTables[table]; ok {
					sources = from // kept by triggers: every source's version
				}
				for _, src := range sources {
					covering := db.TableVersions[src]
					if len(covering) == 0 {
						t.Errorf("report %s reads %s, which has no data version (db.TableVersions, db.DerivedTables, reports.WrittenWith)", key, src)
						continue
					}
					if !slices.ContainsFunc(covering, func(v string) bool { return slices.Contains(names, v) }) {
						t.Errorf("report %s reads %s (from %s) but names %v, not one of %v", key, table, src, names, covering)
					}
				}
			}
		}

		// A visit recorded leaves the funnel kept (it reads no visit) and
		// the coverage built again.
		admin := subject(t, a, "admin")
		f, err := a.Reports.ParseFilter(url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		kept := func(key string) *reports.Report {
			r, err := a.Reports.Kept(t.Context(), admin, key, f, "zh-CN", tr)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		funnel, coverage := kept(reports.KeyFunnel), kept(reports.KeyCoverage)
		if err := a.DB.Gorm.Exec("UPDATE visit_plans SET status = 'done' WHERE id = (SELECT MIN(id) FROM visit_plans WHERE status = 'planned')").Error; err != nil {
			t.Fatal(err)
		}
		if kept(reports.KeyFunnel) != funnel {
			t.Error("a visit recorded built the funnel again")
		}
		if kept(reports.KeyCoverage) == coverage {
			t.Error("a visit recorded left the coverage kept")
		}
	})
}
