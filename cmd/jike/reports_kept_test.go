package main

import (
	"context"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
)

// TestReportsKeptUntilWrite: a kept report (reports.Service.Kept) is the
// report built afresh, for every report, four roles and two periods, on
// the first look, on the next, and after a write in plain SQL to each
// kind of data the reports read — an opportunity, a visit, a contract, a
// customer's grade, a person's name, a target, a proposal, a need, a
// stage change with its opportunity. Each write must change some report
// (or the comparison proves nothing). Both databases.
func TestReportsKeptUntilWrite(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		ctx := context.Background()
		tr := func(id string, args ...any) string { return id }
		seen := map[string]*reports.Report{}
		check := func(label string) (changed int) {
			t.Helper()
			for _, user := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
				for _, query := range []string{"period=month&at=2026-03", "period=quarter&at=2026-Q1&compare=1"} {
					q, _ := url.ParseQuery(query)
					f, err := w.a.Reports.ParseFilter(q)
					if err != nil {
						t.Fatal(err)
					}
					for _, key := range reports.Keys {
						kept, err := w.a.Reports.Kept(ctx, w.users[user], key, f, "zh-CN", tr)
						if err != nil {
							t.Fatal(err)
						}
						fresh, err := w.a.Reports.Build(ctx, w.users[user], key, f, tr)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(reportParts(kept), reportParts(fresh)) || len(kept.Tables) > 0 &&
							kept.Tables[0].BodyHTML() != fresh.Tables[0].BodyHTML() {
							t.Errorf("%s: %s's %s (%s): the kept report differs from the one built afresh", label, user, key, query)
						}
						id := user + key + query
						if before, ok := seen[id]; ok && !reflect.DeepEqual(reportParts(before), reportParts(fresh)) {
							changed++
						}
						seen[id] = fresh
					}
				}
			}
			return changed
		}
		check("first look")
		if n := check("second look"); n != 0 {
			t.Fatalf("%d reports changed with nothing written: a report is not deterministic", n)
		}
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
		for _, wr := range []struct {
			label string
			sql   string
			args  []any
		}{
			{"an opportunity's value", "UPDATE opportunities SET monthly_fen = monthly_fen + 1000 WHERE id = ?", []any{w.opp["o2"]}},
			{"a stage change with its opportunity", "UPDATE opportunities SET stage = 'won', stage_changed_at = ? WHERE id = ?", []any{day(3, 14), w.opp["o4"]}},
			{"a visit done", "UPDATE visit_plans SET status = 'done' WHERE status = 'planned' AND customer_id = ?", []any{w.cust["c4"]}},
			{"a contract's end", "UPDATE contracts SET end_on = ? WHERE number = 'HT-3'", []any{day(3, 25)}},
			{"a customer's grade", "UPDATE customers SET grade = 'C' WHERE id = ?", []any{w.cust["c1"]}},
			{"a person's name", "UPDATE users SET name = '李伟二' WHERE username = 'liwei'", nil},
			{"a target", "UPDATE monthly_targets SET mrc_fen = mrc_fen + 100 WHERE month = '2026-03'", nil},
			{"a proposal sent in February", "UPDATE proposals SET sent_at = ? WHERE number = 'P-1'", []any{day(2, 2)}},
		} {
			w.exec(wr.sql, wr.args...)
			if n := check(wr.label); n == 0 {
				t.Errorf("%s changed no report: the comparison proves nothing", wr.label)
			}
		}
		// The filter's choices are kept too (under org): the name written
		// above, and a person added in SQL, show in them.
		lw := w.users["liwei"]
		w.exec(`INSERT INTO users (username, name, role, team_id, branch_id, password_hash, disabled, version, created_at, updated_at)
			VALUES ('newam', '新客户经理', 'account_manager', ?, ?, 'x', ?, 1, ?, ?)`, lw.TeamID, lw.BranchID, false, day(3, 1), day(3, 1))
		for _, user := range []string{"zhaomin", "wangjianguo", "admin"} {
			o, err := w.a.Reports.Org(ctx, w.users[user])
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, p := range o.People {
				names[p.Name] = true
			}
			if !names["李伟二"] || !names["新客户经理"] || names["李伟"] {
				t.Errorf("%s's report choices after the writes: %v", user, names)
			}
		}
	})
}

// reportParts is what a report shows, its tables' exported fields (a
// kept report's tables also hold their rows written as HTML).
func reportParts(r *reports.Report) any {
	type table struct {
		Title string
		Cols  []reports.Col
		Rows  [][]reports.Cell
		Foot  []reports.Cell
		Note  string
	}
	tables := make([]table, len(r.Tables))
	for i, t := range r.Tables {
		tables[i] = table{t.Title, t.Cols, t.Rows, t.Foot, t.Note}
	}
	return struct {
		Key, Title string
		Lines      []string
		Charts     []reports.Chart
		Tables     []table
	}{r.Key, r.Title, r.Lines, r.Charts, tables}
}
