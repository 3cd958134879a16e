package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
	"gorm.io/gorm"
)

// groupReportWorld is the report world with a hand-built two-level tree:
//
//	客户c1 (liwei, HRB team 1)      客户c5 (zhoujie, HRB team 2)
//	├─ 客户c2 (liwei)               └─ 客户c6 (gaoyuan, DQ)
//	│  └─ 客户c3 (zhangjing)
//	└─ 客户c4 (zhoujie, team 2; chief rep zhaomin)
//
// and 客户c7 (gaoyuan) in no group, with one more open opportunity
// (800.00 a month) so the "no group" row has something.
func groupReportWorld(t *testing.T, d *db.DB) *reportWorld {
	t.Helper()
	w := newReportWorld(t, d)
	for child, parent := range map[string]string{"c2": "c1", "c3": "c2", "c4": "c1", "c6": "c5"} {
		w.exec(`UPDATE customers SET parent_id = ? WHERE id = ?`, w.cust[parent], w.cust[child])
	}
	w.exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, owner_id, lost_reason, stage_changed_at, created_at, updated_at)
		VALUES (?, '专线', 80000, 0, ?, 'identified', ?, '', ?, ?, ?)`, w.cust["c7"], reportNow.AddDate(0, 1, 0), w.users["gaoyuan"].ID, reportNow, reportNow, reportNow)
	return w
}

// groupTable is the report's table by top-level group (the last one).
func groupTable(t *testing.T, r *reports.Report) *reports.Table {
	t.Helper()
	tb := r.Tables[len(r.Tables)-1]
	if tb.Title != "reports.group.table" {
		t.Fatalf("%s: no table by group: %q", r.Key, tb.Title)
	}
	return tb
}

// TestReportByTopGroup: funnel, forecast and expiring contracts grouped by
// top-level group (集团) on a hand-built two-level tree, per role, on both
// databases. Each role's group table sums exactly the rows of its report
// (its total is the report's total): a chief rep's never counts another
// team's rows, a director's never another branch's; a group whose top
// customer the viewer may not see is summed in "其他集团" and never named;
// customers of no group are a row of their own.
func TestReportByTopGroup(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := groupReportWorld(t, d)
		month := "period=month&at=2026-03&by=top_group"
		funnel := map[string][]string{
			"wangjianguo": {"客户c1 | 5 | 15,000.00 | 5,000.00 | 185,000.00", "客户c5 | 1 | 6,000.00 | 0.00 | 72,000.00",
				"= reports.total | 6 | 21,000.00 | 5,000.00 | 257,000.00"},
			// zhaomin: his team's customers and c4 (his as chief rep), all in
			// c1's group; c5's opportunity is team 2's and not counted.
			"zhaomin": {"客户c1 | 5 | 15,000.00 | 5,000.00 | 185,000.00", "= reports.total | 5 | 15,000.00 | 5,000.00 | 185,000.00"},
			// sunli: c5's group by name; c4 belongs to c1's group, whose top
			// customer is team 1's: summed, not named.
			"sunli": {"客户c5 | 1 | 6,000.00 | 0.00 | 72,000.00", "reports.group.others | 1 | 5,000.00 | 0.00 | 60,000.00",
				"= reports.total | 2 | 11,000.00 | 0.00 | 132,000.00"},
			"liwei": {"客户c1 | 3 | 6,000.00 | 5,000.00 | 77,000.00", "= reports.total | 3 | 6,000.00 | 5,000.00 | 77,000.00"},
			// DQ's director: c6 is in c5's group (HRB's): not named.
			"liuzhiqiang": {"reports.group.others | 1 | 7,000.00 | 0.00 | 84,000.00", "reports.group.none | 1 | 800.00 | 0.00 | 9,600.00",
				"= reports.total | 2 | 7,800.00 | 0.00 | 93,600.00"},
			"admin": {"客户c1 | 5 | 15,000.00 | 5,000.00 | 185,000.00", "客户c5 | 2 | 13,000.00 | 0.00 | 156,000.00",
				"reports.group.none | 1 | 800.00 | 0.00 | 9,600.00", "= reports.total | 8 | 28,800.00 | 5,000.00 | 350,600.00"},
		}
		for who, want := range funnel {
			r := w.build(who, "funnel", month)
			tb := groupTable(t, r)
			wantRows(t, who+" funnel by group", tb, want...)
			// The group table's total is the funnel's.
			stages := rows(r.Tables[0])
			if g := rows(tb); strings.TrimPrefix(stages[len(stages)-1], "= reports.total") != strings.TrimPrefix(g[len(g)-1], "= reports.total") {
				t.Errorf("%s: group total %q, funnel total %q", who, g[len(g)-1], stages[len(stages)-1])
			}
		}
		// A past period groups the funnel as it stood then (February: o1…o7
		// existed, o3's stage came on 10 March).
		wantRows(t, "director, February", groupTable(t, w.build("wangjianguo", "funnel", "period=month&at=2026-02&by=top_group")),
			"客户c1 | 5 | 15,000.00 | 5,000.00 | 185,000.00", "客户c5 | 1 | 6,000.00 | 0.00 | 72,000.00",
			"= reports.total | 6 | 21,000.00 | 5,000.00 | 257,000.00")
		// Filters narrow the grouped rows as the report's.
		wantRows(t, "director, grade B", groupTable(t, w.build("wangjianguo", "funnel", month+"&grade=B")),
			"客户c5 | 1 | 6,000.00 | 0.00 | 72,000.00", "客户c1 | 1 | 3,000.00 | 0.00 | 36,000.00",
			"= reports.total | 2 | 9,000.00 | 0.00 | 108,000.00")
		// Forecast: March to August by expected close (o6 closes in
		// September); weighted by the default probabilities.
		wantRows(t, "director forecast", groupTable(t, w.build("wangjianguo", "forecast", month)),
			"客户c1 | 5 | 15,000.00 | 8,900.00", "= reports.total | 5 | 15,000.00 | 8,900.00")
		wantRows(t, "sunli forecast", groupTable(t, w.build("sunli", "forecast", month)),
			"reports.group.others | 1 | 5,000.00 | 4,000.00", "= reports.total | 1 | 5,000.00 | 4,000.00")
		wantRows(t, "DQ forecast", groupTable(t, w.build("liuzhiqiang", "forecast", month)),
			"reports.group.others | 1 | 7,000.00 | 4,200.00", "reports.group.none | 1 | 800.00 | 80.00",
			"= reports.total | 2 | 7,800.00 | 4,280.00")
		// Expiring contracts (15 March + 90 days): HT-1 (c1) and HT-3 (c3)
		// in c1's group, HT-4 (c6) in c5's.
		wantRows(t, "director expiring", groupTable(t, w.build("wangjianguo", "expiring", month)),
			"客户c1 | 2 | 1,300.00 | 15,600.00", "= reports.total | 2 | 1,300.00 | 15,600.00")
		wantRows(t, "zhaomin expiring", groupTable(t, w.build("zhaomin", "expiring", month)),
			"客户c1 | 2 | 1,300.00 | 15,600.00", "= reports.total | 2 | 1,300.00 | 15,600.00")
		wantRows(t, "liwei expiring", groupTable(t, w.build("liwei", "expiring", month)),
			"客户c1 | 1 | 1,000.00 | 12,000.00", "= reports.total | 1 | 1,000.00 | 12,000.00")
		wantRows(t, "DQ expiring", groupTable(t, w.build("liuzhiqiang", "expiring", month)),
			"reports.group.others | 1 | 200.00 | 2,400.00", "= reports.total | 1 | 200.00 | 2,400.00")
		// Without by, and on reports that do not group, no group table.
		for _, k := range []string{"funnel", "velocity", "attainment", "coverage", "activity"} {
			q := "period=month&at=2026-03"
			if k != "funnel" {
				q += "&by=top_group"
			}
			for _, tb := range w.build("wangjianguo", k, q).Tables {
				if tb.Title == "reports.group.table" {
					t.Errorf("%s (%s) has a table by group", k, q)
				}
			}
		}
	})
}

// TestReportByTopGroupOverHTTP: the funnel page offers the grouping and
// shows the table by group with the group linked; another team's group is
// never named on the page or in the exports; a bad grouping is a
// localized 422 (page and download); the grouping rides along in the
// export and tab links.
func TestReportByTopGroupOverHTTP(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := groupReportWorld(t, d)
		boss := loggedIn(t, w.a, "wangjianguo")
		r := boss.Get("/reports/funnel?period=month&at=2026-03")
		if r.Status != 200 || !strings.Contains(r.Body, `id="report-group-by"`) || strings.Contains(r.Body, "按集团汇总") {
			t.Fatalf("funnel without grouping: %d", r.Status)
		}
		r = boss.Get("/reports/funnel?period=month&at=2026-03&by=top_group")
		if r.Status != 200 || !strings.Contains(r.Body, "按集团汇总") || !strings.Contains(r.Body, `<a href="/customers/`+itoa(w.cust["c1"])+`">客户c1</a>`) ||
			!strings.Contains(r.Body, `value="top_group" selected`) || !strings.Contains(r.Body, "export.xlsx?at=2026-03&amp;by=top_group") {
			t.Fatalf("funnel by group: %d %.2000s", r.Status, r.Body)
		}
		sunli := loggedIn(t, w.a, "sunli")
		for _, p := range []string{"/reports/funnel?by=top_group&period=month&at=2026-03", "/reports/funnel/export.csv?by=top_group&period=month&at=2026-03"} {
			r := sunli.Get(p)
			if r.Status != 200 || !strings.Contains(r.Body, "其他集团") || strings.Contains(r.Body, "客户c1") || !strings.Contains(r.Body, "客户c5") {
				t.Errorf("sunli %s: %d %.1500s", p, r.Status, r.Body)
			}
		}
		if r := sunli.Get("/reports/funnel/export.csv?by=top_group&period=month&at=2026-03"); !strings.Contains(r.Body, "分组") {
			t.Error("the export does not say it is grouped")
		}
		for _, p := range []string{"/reports/funnel?by=owner", "/reports/funnel/export.csv?by=x"} {
			r := boss.Get(p)
			if r.Status != 422 || !strings.Contains(r.Body, "分组方式无效") {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		// Reports without the grouping do not offer it.
		if r := boss.Get("/reports/activity?by=top_group"); r.Status != 200 || strings.Contains(r.Body, `id="report-group-by"`) {
			t.Errorf("activity: %d", r.Status)
		}
	})
}

// topGroupsByWalkingAll is the grouping by top-level group as first
// written (issue 17): a walk up from every customer of the rows. It is
// the definition TopGroups must keep while walking from the customers of
// a tree alone.
const topGroupsByWalkingAll = `WITH RECURSIVE x AS (?),
up(cid, id, parent_id, depth) AS (
  SELECT c.id, c.id, c.parent_id, 0 FROM customers c WHERE c.id IN (SELECT customer_id FROM x)
  UNION ALL
  SELECT up.cid, p.id, p.parent_id, up.depth + 1 FROM up JOIN customers p ON p.id = up.parent_id
  WHERE p.deleted_at IS NULL AND up.depth < 64
),
top(cid, root_id) AS (SELECT cid, id FROM up WHERE parent_id IS NULL),
g(cid, gid) AS (
  SELECT t.cid, CASE WHEN t.root_id = t.cid AND NOT EXISTS (
    SELECT 1 FROM customers m WHERE m.parent_id = t.cid AND m.deleted_at IS NULL) THEN 0 ELSE t.root_id END
  FROM top t
)
SELECT COALESCE(g.gid, 0) AS root_id, COUNT(*) AS n, COALESCE(SUM(x.a), 0) AS a, COALESCE(SUM(x.b), 0) AS b
FROM x LEFT JOIN g ON g.cid = x.customer_id
GROUP BY COALESCE(g.gid, 0) ORDER BY 1`

// TestTopGroupsKeepTheirDefinition: on the demo's customers made into
// random trees — several levels, members deleted, a deleted parent
// cutting a chain, a top customer whose only member is deleted, a cycle
// written by hand — TopGroups sums every group as a walk from every
// customer does, and the rest as "no group", on both databases.
func TestTopGroupsKeepTheirDefinition(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		g := a.DB.Gorm
		ctx := context.Background()
		var ids []uint
		if err := g.Raw("SELECT id FROM customers WHERE deleted_at IS NULL ORDER BY id").Scan(&ids).Error; err != nil || len(ids) < 60 {
			t.Fatalf("demo customers: %d %v", len(ids), err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		r := rand.New(rand.NewPCG(17, 4))
		// Trees: each of the customers from the 11th on takes a parent
		// among those before it, half of the time.
		for i := 10; i < len(ids); i++ {
			if r.IntN(2) == 0 {
				exec("UPDATE customers SET parent_id = ? WHERE id = ?", ids[r.IntN(i)], ids[i])
			}
		}
		exec("UPDATE customers SET parent_id = ? WHERE id = ?", ids[1], ids[0]) // a cycle: 0 → 1 → 0
		exec("UPDATE customers SET parent_id = ? WHERE id = ?", ids[0], ids[1])
		exec("UPDATE customers SET parent_id = ? WHERE id = ?", ids[2], ids[3]) // 2's only member, deleted below
		exec("UPDATE customers SET parent_id = NULL WHERE id = ?", ids[2])
		exec("UPDATE customers SET deleted_at = ? WHERE id IN ?", time.Now(), []uint{ids[3], ids[12], ids[25], ids[40]})
		rows := func() *gorm.DB {
			return g.Table("opportunities").Select("opportunities.customer_id, opportunities.monthly_fen AS a, opportunities.one_time_fen AS b").
				Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL").
				Where("opportunities.deleted_at IS NULL")
		}
		var want []reports.GroupSum
		if err := g.Raw(topGroupsByWalkingAll, rows()).Scan(&want).Error; err != nil {
			t.Fatal(err)
		}
		// Read with the total of the rows, and given it (as the funnel
		// gives its own).
		var total reports.GroupSum
		for _, w := range want {
			total.N, total.A, total.B = total.N+w.N, total.A+w.A, total.B+w.B
		}
		for _, given := range []*reports.GroupSum{nil, &total} {
			got, err := reports.NewStore(g, nil).TopGroups(ctx, rows(), given)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got, func(x, y reports.GroupSum) int { return cmp.Compare(x.RootID, y.RootID) })
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("by top-level group (total given: %v):\n got  %v\n want %v", given != nil, got, want)
			}
		}
		if len(want) < 4 || want[0].RootID != 0 {
			t.Errorf("%d groups and no \"no group\" row: the check proves little (%v)", len(want), want)
		}
	})
}
