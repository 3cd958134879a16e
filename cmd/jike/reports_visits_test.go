package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/reports"
)

// TestReportVisitsMatchDefinition: the visit counts of the activity
// report (planned, done, overdue per account manager) and of the
// attainment report (visits and A/B visits done, per manager) equal the
// definition counted from the visits themselves by their start time, for
// the admin, a director and a chief rep, over a month, a quarter, a year,
// a custom range that starts mid-week, a team filter, an industry, a
// grade and both. On PostgreSQL the reports read the kept counts per week
// piece (migration 00050; per industry and per grade, 00063; both at once
// are not kept), so this checks that the pieces, their parts, their zone
// and the piece under way add up to the visits; on SQLite they count the
// visits. The activity's table per week
// adds up, column by column, to the same totals as its table per manager:
// PostgreSQL rolls the two up in SQL (grouping sets), SQLite in Go.
func TestReportVisitsMatchDefinition(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		g := a.DB.Gorm
		ctx := context.Background()
		var team uint
		if err := g.Raw(`SELECT c.team_id FROM customers c JOIN users u ON u.username = 'wangjianguo' AND u.branch_id = c.branch_id
			WHERE c.deleted_at IS NULL GROUP BY c.team_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&team).Error; err != nil || team == 0 {
			t.Fatalf("a team of the director's branch: %d %v", team, err)
		}
		// The industry and grade most visited in the director's branch.
		var top struct{ Industry, Grade string }
		if err := g.Raw(`SELECT c.industry, c.grade FROM visit_plans v JOIN customers c ON c.id = v.customer_id JOIN users u ON u.username = 'wangjianguo' AND u.branch_id = c.branch_id
			WHERE c.deleted_at IS NULL AND v.deleted_at IS NULL AND v.status = 'done' GROUP BY 1, 2 ORDER BY COUNT(*) DESC, 1, 2 LIMIT 1`).Scan(&top).Error; err != nil || top.Industry == "" {
			t.Fatalf("the industry and grade most visited in the director's branch: %+v %v", top, err)
		}
		for _, who := range []string{"admin", "wangjianguo", "zhaomin"} {
			viewer := subject(t, a, who)
			// Custom ranges that start and end inside week pieces: their
			// whole pieces kept, their edges counted from the records
			// (reports.Service.activityRows); one from a month's first
			// day, which starts a piece whatever the weekday.
			ago := func(months int) string { return time.Now().AddDate(0, -months, 0).Format("2006-01") }
			for _, q := range []string{"period=month", "period=quarter", "period=year", "period=custom&from=" + ago(1) + "-10&to=" + time.Now().Format(time.DateOnly),
				"period=custom&from=" + ago(3) + "-03&to=" + ago(1) + "-20", "period=custom&from=" + ago(2) + "-01&to=" + ago(1) + "-13",
				fmt.Sprintf("period=year&team=%d", team), "period=year&industry=" + top.Industry, "period=quarter&grade=" + top.Grade,
				"period=year&industry=" + top.Industry + "&grade=" + top.Grade} {
				t.Run(who+"/"+q, func(t *testing.T) {
					vals, _ := url.ParseQuery(q)
					f, err := a.Reports.ParseFilter(vals)
					if err != nil {
						t.Fatal(err)
					}
					scope, args := "", []any{}
					switch viewer.Role {
					case authz.RoleDirector:
						scope += " AND c.branch_id = ?"
						args = append(args, viewer.BranchID)
					case authz.RoleChiefRep:
						scope += " AND (c.team_id = ? OR c.owner_id = ? OR c.chief_rep_id = ?)"
						args = append(args, viewer.TeamID, viewer.ID, viewer.ID)
					}
					if f.Team != 0 {
						scope += " AND c.team_id = ?"
						args = append(args, f.Team)
					}
					if f.Industry != "" {
						scope += " AND c.industry = ?"
						args = append(args, f.Industry)
					}
					if f.Grade != "" {
						scope += " AND c.grade = ?"
						args = append(args, f.Grade)
					}
					type counts struct{ Planned, Done, Overdue, AB int64 }
					truth := func(now, from, to time.Time) map[string]counts {
						var rows []struct {
							Name                       string
							Planned, Done, Overdue, AB int64
						}
						err := g.Raw(`SELECT u.name AS name, SUM(CASE WHEN v.status <> 'cancelled' THEN 1 ELSE 0 END) AS planned,
							SUM(CASE WHEN v.status = 'done' THEN 1 ELSE 0 END) AS done,
							SUM(CASE WHEN v.status = 'planned' AND v.starts_at < ? THEN 1 ELSE 0 END) AS overdue,
							SUM(CASE WHEN v.status = 'done' AND c.grade IN ('A', 'B') THEN 1 ELSE 0 END) AS ab
							FROM visit_plans v JOIN customers c ON c.id = v.customer_id JOIN users u ON u.id = v.owner_id
							WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL AND v.starts_at >= ? AND v.starts_at < ?`+scope+`
							GROUP BY u.name`, append([]any{now.UTC(), from.UTC(), to.UTC()}, args...)...).Scan(&rows).Error
						if err != nil {
							t.Fatal(err)
						}
						out := map[string]counts{}
						for _, r := range rows {
							out[r.Name] = counts{r.Planned, r.Done, r.Overdue, r.AB}
						}
						return out
					}
					// New key persons per creator: the activity's and the
					// attainment's contacts (kept per week piece on
					// PostgreSQL, migration 00053).
					keyPersons := func(from, to time.Time) map[string]int64 {
						var rows []struct {
							Name string
							N    int64
						}
						err := g.Raw(`SELECT u.name AS name, COUNT(*) AS n FROM contacts k JOIN customers c ON c.id = k.customer_id JOIN users u ON u.id = k.created_by
							WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL AND k.created_at >= ? AND k.created_at < ?`+scope+`
							GROUP BY u.name`, append([]any{from.UTC(), to.UTC()}, args...)...).Scan(&rows).Error
						if err != nil {
							t.Fatal(err)
						}
						out := map[string]int64{}
						for _, r := range rows {
							out[r.Name] = r.N
						}
						return out
					}
					tr := func(id string, _ ...any) string { return id }
					// A visit that starts while the reports are built moves
					// the overdue count: build again.
					var act, att *reports.Report
					var want, months map[string]counts
					// Targets are monthly: the attainment of a custom range
					// counts the months it touches.
					mFrom := time.Date(f.From.Year(), f.From.Month(), 1, 0, 0, 0, 0, f.From.Location())
					last := f.To.Add(-time.Nanosecond)
					mTo := time.Date(last.Year(), last.Month()+1, 1, 0, 0, 0, 0, last.Location())
					for try := 0; ; try++ {
						before := time.Now()
						if act, err = a.Reports.Build(ctx, viewer, reports.KeyActivity, f, tr); err != nil {
							t.Fatal(err)
						}
						if att, err = a.Reports.Build(ctx, viewer, reports.KeyAttainment, f, tr); err != nil {
							t.Fatal(err)
						}
						want, months = truth(before, f.From, f.To), truth(before, mFrom, mTo)
						if fmt.Sprint(truth(time.Now(), f.From, f.To)) == fmt.Sprint(want) {
							break
						}
						if try == 3 {
							t.Fatal("the overdue visits kept moving while the reports were built")
						}
					}
					var seen, persons int64
					kp, kpMonths := keyPersons(f.From, f.To), keyPersons(mFrom, mTo)
					for _, row := range act.Tables[0].Rows {
						w := want[row[0].Show()]
						if got := (counts{row[1].Int, row[2].Int, row[3].Int, w.AB}); got != w {
							t.Errorf("activity of %s: planned, done, overdue %v; the visits give %v", row[0].Show(), got, w)
						}
						// Column 4: new key persons.
						if row[4].Int != kp[row[0].Show()] {
							t.Errorf("activity of %s: %d new key persons; the key persons give %d", row[0].Show(), row[4].Int, kp[row[0].Show()])
						}
						seen += row[1].Int
						persons += row[4].Int
					}
					if q == "period=year" && persons == 0 {
						t.Errorf("no key person in the year's activity: the check proves nothing")
					}
					var all int64
					for _, w := range want {
						all += w.Planned
					}
					if seen != all || all == 0 {
						t.Errorf("activity lists %d visits planned; the visits give %d", seen, all)
					}
					byAM, byWeek := act.Tables[0], act.Tables[1]
					for col := 1; col < len(byAM.Cols); col++ {
						var am, wk int64
						for _, row := range byAM.Rows {
							am += row[col].Int
						}
						for _, row := range byWeek.Rows {
							wk += row[col].Int
						}
						if am != wk || am != byAM.Foot[col].Int {
							t.Errorf("activity %s: the managers add up to %d, the weeks to %d, the total says %d", byAM.Cols[col].Header, am, wk, byAM.Foot[col].Int)
						}
					}
					// Week by week: each week's visits and key persons are
					// its own records' (a week cut by the range's edge
					// counted partly kept, partly from the records).
					weeks := reports.WeeksOf(f)
					if len(byWeek.Rows) != len(weeks)-1 {
						t.Fatalf("%d weeks listed for %d bounds", len(byWeek.Rows), len(weeks))
					}
					for i, row := range byWeek.Rows {
						var w counts
						for _, c := range truth(time.Now(), weeks[i], weeks[i+1]) {
							w.Planned, w.Done = w.Planned+c.Planned, w.Done+c.Done
						}
						var k int64
						for _, n := range keyPersons(weeks[i], weeks[i+1]) {
							k += n
						}
						if row[1].Int != w.Planned || row[2].Int != w.Done || row[4].Int != k {
							t.Errorf("week %d (%s): planned, done, key persons %d, %d, %d; the records give %d, %d, %d",
								i, row[0].Show(), row[1].Int, row[2].Int, row[4].Int, w.Planned, w.Done, k)
						}
					}
					var done int64
					for _, row := range att.Tables[0].Rows {
						w := months[row[1].Show()]
						// Columns: rank, manager, team, then per line actual, target, %.
						if row[3].Int != w.Done || row[6].Int != w.AB {
							t.Errorf("attainment of %s: visits %d, A/B visits %d; the visits give %d, %d", row[1].Show(), row[3].Int, row[6].Int, w.Done, w.AB)
						}
						if row[9].Int != kpMonths[row[1].Show()] {
							t.Errorf("attainment of %s: %d new key persons; the key persons give %d", row[1].Show(), row[9].Int, kpMonths[row[1].Show()])
						}
						done += row[3].Int
					}
					if done == 0 {
						t.Errorf("no visit done in the attainment report: the test proves nothing")
					}
				})
			}
		}
	})
}

// TestActivityHalvesAreTheWhole: the activity's two halves, read side by
// side for the province and a branch (reports.Service.activityRows), are
// between them exactly the rows of the one statement — each source in
// one half only — for the admin and a director over a month, a quarter
// and a year, on both databases.
func TestActivityHalvesAreTheWhole(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		ctx := context.Background()
		enf, err := authz.New()
		if err != nil {
			t.Fatal(err)
		}
		st := reports.NewStore(a.DB.Gorm, nil)
		if d.Gorm.Dialector.Name() == db.Postgres {
			st.UseVisitWeeks() // as the portal on PostgreSQL (buildApp)
		}
		sorted := func(rows []reports.ActivityCount) string {
			out := make([]string, len(rows))
			for i, r := range rows {
				out[i] = fmt.Sprintf("%s/%d/%d/%d/%d", r.Src, r.OwnerID, r.Week, r.Roll, r.N)
			}
			slices.Sort(out)
			return strings.Join(out, " ")
		}
		proposalSrc := map[string]bool{"sent": true, "approved": true, "accepted": true}
		for _, who := range []string{"admin", "wangjianguo"} {
			viewer := subject(t, a, who)
			scope := enf.ListScope(viewer, "report", "read")
			for _, q := range []string{"period=month", "period=quarter", "period=year"} {
				vals, _ := url.ParseQuery(q)
				f, err := a.Reports.ParseFilter(vals)
				if err != nil {
					t.Fatal(err)
				}
				weeks, now := reports.WeeksOf(f), time.Now()
				whole, err := st.Activity(ctx, scope, f, weeks, now, -1)
				if err != nil {
					t.Fatal(err)
				}
				var halves []reports.ActivityCount
				srcs := map[string]bool{}
				for half := range reports.ActivityHalves {
					rows, err := st.Activity(ctx, scope, f, weeks, now, half)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rows {
						if proposalSrc[r.Src] != (half == 1) {
							t.Errorf("%s %s: %s counted in half %d", who, q, r.Src, half)
						}
						srcs[r.Src] = true
					}
					halves = append(halves, rows...)
				}
				if got, want := sorted(halves), sorted(whole); got != want {
					t.Errorf("%s %s: the halves give\n %s\nthe whole\n %s", who, q, got, want)
				}
				if q == "period=year" && (!srcs["sent"] || !srcs["done"] || !srcs["contacts"]) {
					t.Errorf("%s over a year: sources %v; the check proves little", who, srcs)
				}
			}
		}
	})
}
