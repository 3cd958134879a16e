package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
)

// reportNow is the clock of the report world: mid-March 2026.
var reportNow = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

// reportWorld is a small hand-built world on the demo organisation: two
// branches (哈尔滨 HRB, 大庆 DQ); in HRB the team of chief rep zhaomin
// (liwei, zhangjing) and the team of sunli (zhoujie); in DQ gaoyuan.
// Customer c4 belongs to zhoujie's team but names zhaomin its chief rep.
type reportWorld struct {
	t     *testing.T
	a     *app
	users map[string]authz.Subject
	cust  map[string]uint
	opp   map[string]uint
	team  map[string]uint
}

func newReportWorld(t *testing.T, d *db.DB) *reportWorld {
	t.Helper()
	a := newTestApp(t, d, func(o *appOptions) { o.Now = func() time.Time { return reportNow } })
	w := &reportWorld{t: t, a: a, users: map[string]authz.Subject{}, cust: map[string]uint{}, opp: map[string]uint{}, team: map[string]uint{}}
	ctx := context.Background()
	for _, n := range []string{"admin", "wangjianguo", "liuzhiqiang", "zhaomin", "sunli", "liwei", "zhangjing", "zhoujie", "gaoyuan"} {
		u, err := a.Org.Store().UserByUsername(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		w.users[n] = u.Subject()
	}
	w.team["zhaomin"] = w.users["liwei"].TeamID
	w.team["sunli"] = w.users["zhoujie"].TeamID
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	// customers: key, owner, grade, industry, chief rep
	for i, c := range []struct{ key, owner, grade, industry, chief string }{
		{"c1", "liwei", "A", "manufacturing", ""}, {"c2", "liwei", "B", "finance", ""},
		{"c3", "zhangjing", "A", "finance", ""}, {"c4", "zhoujie", "A", "finance", "zhaomin"},
		{"c5", "zhoujie", "B", "manufacturing", ""}, {"c6", "gaoyuan", "A", "energy", ""}, {"c7", "gaoyuan", "B", "energy", ""},
	} {
		o := w.users[c.owner]
		var chief any
		if c.chief != "" {
			chief = w.users[c.chief].ID
		}
		w.exec(`INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, chief_rep_id, team_id, branch_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)`, "客户"+c.key, fmt.Sprintf("91230100MA%08d", i), c.industry, c.grade, o.ID, chief, o.TeamID, o.BranchID, day(1, 1), day(1, 1))
		w.cust[c.key] = w.lastID("customers")
	}
	// opportunities: key, customer, owner, stage, monthly, one-time, expected close, created, stage changed, lost reason
	for _, o := range []struct {
		key, cust, owner, stage string
		monthly, oneTime        int64
		close, created, changed time.Time
		lost                    string
	}{
		{"o1", "c1", "liwei", "identified", 100000, 500000, day(3, 20), day(2, 1), day(2, 1), ""},
		{"o2", "c1", "liwei", "proposal", 200000, 0, day(4, 10), day(2, 1), day(3, 2), ""},
		{"o3", "c2", "liwei", "needs", 300000, 0, day(5, 1), day(2, 1), at(3, 10, 12), ""},
		{"o4", "c3", "zhangjing", "proposal", 400000, 0, day(3, 31), day(2, 1), day(3, 5), ""},
		{"o5", "c4", "zhoujie", "negotiation", 500000, 0, day(4, 30), day(2, 1), day(2, 1), ""},
		{"o6", "c5", "zhoujie", "identified", 600000, 0, day(9, 15), day(2, 1), day(2, 1), ""},
		{"o7", "c6", "gaoyuan", "proposal", 700000, 0, day(3, 5), day(2, 1), day(2, 1), ""},
		{"o8", "c7", "gaoyuan", "won", 800000, 0, day(3, 10), day(1, 10), day(3, 10), ""},
		{"o9", "c2", "liwei", "lost", 90000, 0, day(3, 31), day(2, 1), day(3, 12), "price"},
		{"o10", "c3", "zhangjing", "lost", 50000, 0, day(3, 31), day(2, 20), day(3, 3), "competitor"},
		{"o11", "c4", "zhoujie", "won", 110000, 0, day(3, 31), day(2, 18), day(3, 20), ""},
	} {
		w.exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, owner_id, lost_reason, stage_changed_at, created_at, updated_at)
			VALUES (?, '专线', ?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.cust[o.cust], o.monthly, o.oneTime, o.close, o.stage, w.users[o.owner].ID, o.lost, o.changed, o.created, o.changed)
		w.opp[o.key] = w.lastID("opportunities")
	}
	// stage history
	for _, s := range []struct {
		opp, to string
		at      time.Time
	}{
		{"o2", "identified", day(2, 20)}, {"o2", "proposal", day(3, 2)},
		{"o4", "needs", day(3, 1)}, {"o4", "proposal", day(3, 5)},
		{"o8", "proposal", day(3, 1)}, {"o8", "won", day(3, 10)},
		{"o9", "identified", day(3, 2)}, {"o9", "contacted", day(3, 4)}, {"o9", "lost", day(3, 12)},
		{"o11", "needs", day(3, 1)}, {"o11", "negotiation", day(3, 7)}, {"o11", "won", day(3, 20)},
		{"o3", "needs", at(3, 10, 12)},
	} {
		w.exec(`INSERT INTO stage_changes (opportunity_id, to_stage, by_id, at) VALUES (?, ?, 1, ?)`, w.opp[s.opp], s.to, s.at)
	}
	// visits: customer, owner, start, status
	for _, v := range []struct {
		cust, owner string
		at          time.Time
		status      string
	}{
		{"c1", "liwei", at(3, 5, 10), "done"}, {"c2", "liwei", at(2, 10, 10), "done"},
		{"c3", "zhangjing", at(2, 20, 10), "done"}, {"c4", "zhoujie", at(3, 10, 10), "planned"},
		{"c5", "zhoujie", at(1, 15, 10), "done"}, {"c6", "gaoyuan", at(3, 2, 10), "done"},
		{"c1", "liwei", at(3, 12, 10), "cancelled"}, {"c1", "liwei", at(3, 20, 10), "planned"},
	} {
		w.exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
			VALUES (?, ?, ?, 'care', '回访', ?, ?, ?)`, w.cust[v.cust], w.users[v.owner].ID, v.at, v.status, v.at, v.at)
	}
	w.exec(`INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (?, '王主任', 'decision', ?, ?, ?)`,
		w.cust["c3"], w.users["zhangjing"].ID, at(3, 3, 9), at(3, 3, 9))
	w.exec(`INSERT INTO proposals (number, version, customer_id, owner_id, title, status, sent_at, decided_at, created_at, updated_at)
		VALUES ('P-1', 1, ?, ?, '方案', 'accepted', ?, ?, ?, ?)`, w.cust["c1"], w.users["liwei"].ID, at(3, 6, 9), at(3, 10, 9), at(3, 1, 9), at(3, 10, 9))
	pid := w.lastID("proposals")
	w.exec(`INSERT INTO proposal_approvals (proposal_id, level, decision, by_id, at) VALUES (?, 'chief', 'approved', ?, ?)`, pid, w.users["zhaomin"].ID, at(3, 4, 9))
	// targets and reviews
	for _, tg := range []struct {
		owner, month string
		visits, mrc  int64
	}{{"liwei", "2026-03", 2, 500000}, {"zhangjing", "2026-03", 1, 1000000}, {"liwei", "2026-04", 0, 300000}, {"gaoyuan", "2026-04", 0, 900000}} {
		u := w.users[tg.owner]
		w.exec(`INSERT INTO monthly_targets (month, owner_id, team_id, branch_id, visits, mrc_fen, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			tg.month, u.ID, u.TeamID, u.BranchID, tg.visits, tg.mrc, day(2, 25), day(2, 25))
	}
	for _, rv := range []struct{ owner, line, reason string }{{"liwei", "visits", "B"}, {"zhoujie", "mrc", "A"}} {
		u := w.users[rv.owner]
		w.exec(`INSERT INTO monthly_reviews (month, owner_id, team_id, branch_id, status, created_at, updated_at) VALUES ('2026-03', ?, ?, ?, 'submitted', ?, ?)`,
			u.ID, u.TeamID, u.BranchID, day(3, 31), day(3, 31))
		w.exec(`INSERT INTO review_lines (review_id, line, target, actual, reason) VALUES (?, ?, 2, 1, ?)`, w.lastID("monthly_reviews"), rv.line, rv.reason)
	}
	// contracts: customer, owner, status, end, monthly, total
	for i, k := range []struct {
		cust, owner, status string
		end                 time.Time
		monthly, total      int64
	}{
		{"c1", "liwei", "active", day(4, 30), 100000, 1200000}, {"c4", "zhoujie", "expiring", day(6, 20), 70000, 840000},
		{"c3", "zhangjing", "active", day(6, 10), 30000, 360000}, {"c6", "gaoyuan", "active", day(4, 1), 20000, 240000},
		{"c1", "liwei", "renewed", day(4, 10), 99000, 99000},
	} {
		u := w.users[k.owner]
		w.exec(`INSERT INTO contracts (number, customer_id, owner_id, branch_id, title, status, start_on, end_on, term_months, payment_terms, payment_due_day, monthly_fen, total_fen, created_at, updated_at, is_current)
			VALUES (?, ?, ?, ?, '合同', ?, ?, ?, 12, 'monthly', 5, ?, ?, ?, ?, TRUE)`, fmt.Sprintf("HT-%d", i+1), w.cust[k.cust], u.ID, u.BranchID, k.status,
			k.end.AddDate(-1, 0, 0), k.end, k.monthly, k.total, day(1, 1), day(1, 1))
	}
	// A deleted customer with a record of every kind the reports count:
	// none of them may count anywhere, for any role — whether the report
	// joins the customers (a scope or filter reads them) or only leaves
	// the deleted ones out (the admin's whole province).
	lw := w.users["liwei"]
	w.exec(`INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, created_at, updated_at, deleted_at)
		VALUES ('已删除客户', '91230100MA99999999', 'finance', 'A', 'active', ?, ?, ?, ?, ?, ?)`, lw.ID, lw.TeamID, lw.BranchID, day(1, 1), day(1, 1), day(3, 28))
	gone := w.lastID("customers")
	w.exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, owner_id, lost_reason, stage_changed_at, created_at, updated_at)
		VALUES (?, '专线', 9900000, 0, ?, 'proposal', ?, '', ?, ?, ?)`, gone, day(3, 25), lw.ID, day(3, 3), day(2, 1), day(3, 3))
	w.exec(`INSERT INTO stage_changes (opportunity_id, to_stage, by_id, at) VALUES (?, 'proposal', 1, ?)`, w.lastID("opportunities"), day(3, 3))
	w.exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, owner_id, lost_reason, stage_changed_at, created_at, updated_at)
		VALUES (?, '专线', 8800000, 0, ?, 'won', ?, '', ?, ?, ?)`, gone, day(3, 15), lw.ID, day(3, 15), day(2, 1), day(3, 15))
	w.exec(`INSERT INTO stage_changes (opportunity_id, to_stage, by_id, at) VALUES (?, 'won', 1, ?)`, w.lastID("opportunities"), day(3, 15))
	w.exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
		VALUES (?, ?, ?, 'care', '回访', 'done', ?, ?)`, gone, lw.ID, at(3, 8, 10), at(3, 8, 10), at(3, 8, 10))
	w.exec(`INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (?, '赵经理', 'decision', ?, ?, ?)`,
		gone, lw.ID, at(3, 3, 9), at(3, 3, 9))
	w.exec(`INSERT INTO proposals (number, version, customer_id, owner_id, title, status, sent_at, decided_at, created_at, updated_at)
		VALUES ('P-9', 1, ?, ?, '方案', 'accepted', ?, ?, ?, ?)`, gone, lw.ID, at(3, 6, 9), at(3, 10, 9), at(3, 1, 9), at(3, 10, 9))
	w.exec(`INSERT INTO contracts (number, customer_id, owner_id, branch_id, title, status, start_on, end_on, term_months, payment_terms, payment_due_day, monthly_fen, total_fen, created_at, updated_at, is_current)
		VALUES ('HT-9', ?, ?, ?, '合同', 'active', ?, ?, 12, 'monthly', 5, 7700000, 92400000, ?, ?, TRUE)`, gone, lw.ID, lw.BranchID, day(5, 1).AddDate(-1, 0, 0), day(5, 1), day(1, 1), day(1, 1))
	return w
}

func (w *reportWorld) exec(sql string, args ...any) {
	w.t.Helper()
	if err := w.a.DB.Gorm.Exec(sql, args...).Error; err != nil {
		w.t.Fatal(err)
	}
}

func (w *reportWorld) lastID(table string) uint {
	w.t.Helper()
	var id uint
	if err := w.a.DB.Gorm.Raw("SELECT MAX(id) FROM " + table).Scan(&id).Error; err != nil {
		w.t.Fatal(err)
	}
	return id
}

// build runs a report as user with the query; labels are message ids.
func (w *reportWorld) build(user, key, query string) *reports.Report {
	w.t.Helper()
	q, _ := url.ParseQuery(query)
	f, err := w.a.Reports.ParseFilter(q)
	if err != nil {
		w.t.Fatal(err)
	}
	r, err := w.a.Reports.Build(context.Background(), w.users[user], key, f, func(id string, args ...any) string { return id })
	if err != nil {
		w.t.Fatalf("%s %s: %v", user, key, err)
	}
	return r
}

// rows renders a table as "first cell: cell | cell …" lines (rows, then
// the total), which is what the expectations compare.
func rows(tb *reports.Table) []string {
	var out []string
	line := func(cells []reports.Cell) string {
		parts := make([]string, len(cells))
		for i, c := range cells {
			parts[i] = c.Show()
		}
		return strings.Join(parts, " | ")
	}
	for _, r := range tb.Rows {
		out = append(out, line(r))
	}
	if tb.Foot != nil {
		out = append(out, "= "+line(tb.Foot))
	}
	return out
}

func wantRows(t *testing.T, label string, tb *reports.Table, want ...string) {
	t.Helper()
	got := rows(tb)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", label, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestReportsWorld(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		month := "period=month&at=2026-03"
		t.Run("funnel", func(t *testing.T) {
			wantRows(t, "director HRB", w.build("wangjianguo", "funnel", month).Tables[0],
				"stage.identified | 2 | 7,000.00 | 5,000.00 | 89,000.00",
				"stage.contacted | 0 | 0.00 | 0.00 | 0.00",
				"stage.visited | 0 | 0.00 | 0.00 | 0.00",
				"stage.needs | 1 | 3,000.00 | 0.00 | 36,000.00",
				"stage.proposal | 2 | 6,000.00 | 0.00 | 72,000.00",
				"stage.negotiation | 1 | 5,000.00 | 0.00 | 60,000.00",
				"= reports.total | 6 | 21,000.00 | 5,000.00 | 257,000.00")
			wantRows(t, "director DQ", w.build("liuzhiqiang", "funnel", month).Tables[0],
				"stage.identified | 0 | 0.00 | 0.00 | 0.00", "stage.contacted | 0 | 0.00 | 0.00 | 0.00", "stage.visited | 0 | 0.00 | 0.00 | 0.00",
				"stage.needs | 0 | 0.00 | 0.00 | 0.00", "stage.proposal | 1 | 7,000.00 | 0.00 | 84,000.00", "stage.negotiation | 0 | 0.00 | 0.00 | 0.00",
				"= reports.total | 1 | 7,000.00 | 0.00 | 84,000.00")
			if got := rows(w.build("admin", "funnel", month).Tables[0]); got[6] != "= reports.total | 7 | 28,000.00 | 5,000.00 | 341,000.00" {
				t.Errorf("admin total %q", got[6])
			}
			// zhaomin: his team (liwei, zhangjing) and c4, where he is chief rep.
			if got := rows(w.build("zhaomin", "funnel", month).Tables[0]); got[0] != "stage.identified | 1 | 1,000.00 | 5,000.00 | 17,000.00" ||
				got[5] != "stage.negotiation | 1 | 5,000.00 | 0.00 | 60,000.00" || got[6] != "= reports.total | 5 | 15,000.00 | 5,000.00 | 185,000.00" {
				t.Errorf("chief rep zhaomin:\n%s", strings.Join(got, "\n"))
			}
			if got := rows(w.build("sunli", "funnel", month).Tables[0]); got[6] != "= reports.total | 2 | 11,000.00 | 0.00 | 132,000.00" {
				t.Errorf("chief rep sunli %q", got[6])
			}
			if got := rows(w.build("liwei", "funnel", month).Tables[0]); got[6] != "= reports.total | 3 | 6,000.00 | 5,000.00 | 77,000.00" {
				t.Errorf("account manager liwei %q", got[6])
			}
			// Filters narrow within the scope, never beyond it.
			team2 := fmt.Sprintf("%s&team=%d", month, w.team["sunli"])
			if got := rows(w.build("wangjianguo", "funnel", team2).Tables[0]); got[6] != "= reports.total | 2 | 11,000.00 | 0.00 | 132,000.00" {
				t.Errorf("director, team 2: %q", got[6])
			}
			if got := rows(w.build("liuzhiqiang", "funnel", team2).Tables[0]); got[6] != "= reports.total | 0 | 0.00 | 0.00 | 0.00" {
				t.Errorf("DQ director asking for HRB's team: %q", got[6])
			}
			if got := rows(w.build("liwei", "funnel", month+"&am="+itoa(w.users["zhoujie"].ID)).Tables[0]); got[6] != "= reports.total | 0 | 0.00 | 0.00 | 0.00" {
				t.Errorf("AM asking for another AM: %q", got[6])
			}
			if got := rows(w.build("wangjianguo", "funnel", month+"&grade=B&industry=finance").Tables[0]); got[6] != "= reports.total | 1 | 3,000.00 | 0.00 | 36,000.00" {
				t.Errorf("director, B finance: %q", got[6])
			}
			if link := w.build("wangjianguo", "funnel", team2).Tables[0].Rows[4][0].Link; link != "/opportunities?stage=proposal&team="+itoa(w.team["sunli"]) {
				t.Errorf("drill-down link %q", link)
			}
		})
		t.Run("forecast", func(t *testing.T) {
			wantRows(t, "director HRB", w.build("wangjianguo", "forecast", month).Tables[0],
				"2026-03 | 2 | 5,000.00 | 2,500.00 | 15,000.00 | 16.7%",
				"2026-04 | 2 | 7,000.00 | 5,200.00 | 3,000.00 | 173.3%",
				"2026-05 | 1 | 3,000.00 | 1,200.00 | 0.00 | —",
				"2026-06 | 0 | 0.00 | 0.00 | 0.00 | —",
				"2026-07 | 0 | 0.00 | 0.00 | 0.00 | —",
				"2026-08 | 0 | 0.00 | 0.00 | 0.00 | —",
				"= reports.total | 5 | 15,000.00 | 8,900.00 | 18,000.00 | 49.4%")
			if got := rows(w.build("admin", "forecast", month).Tables[0]); got[1] != "2026-04 | 2 | 7,000.00 | 5,200.00 | 12,000.00 | 43.3%" {
				t.Errorf("admin April %q", got[1])
			}
			if got := rows(w.build("liuzhiqiang", "forecast", month).Tables[0]); got[0] != "2026-03 | 1 | 7,000.00 | 4,200.00 | 0.00 | —" || got[1] != "2026-04 | 0 | 0.00 | 0.00 | 9,000.00 | 0.0%" {
				t.Errorf("DQ director:\n%s", strings.Join(got, "\n"))
			}
			if got := rows(w.build("liwei", "forecast", month).Tables[0]); got[6] != "= reports.total | 3 | 6,000.00 | 2,500.00 | 8,000.00 | 31.3%" {
				t.Errorf("liwei %q", got[6])
			}
		})
		t.Run("attainment", func(t *testing.T) {
			r := w.build("zhaomin", "attainment", month)
			// rank | AM | team | visits actual/target/% | ab visits … | mrc … | proposals …
			got := rows(r.Tables[0])
			// Every AM of the team; 张静 and 李伟 both at 0 % of new MRC,
			// without signings targets or MRC, so by name; then those
			// without an MRC target.
			if len(got) != 4 || !strings.HasPrefix(got[0], "1 | 张静 | ") || !strings.HasPrefix(got[1], "2 | 李伟 | ") ||
				!strings.Contains(got[1], " | 1 | 2 | 50.0% | ") || !strings.Contains(got[0], " | 0 | 1 | 0.0% | ") ||
				!strings.Contains(got[1], " | 0.00 | 5,000.00 | 0.0% | 1 | 0 | —") || !strings.HasPrefix(got[2], "3 | 杨帆 | ") {
				t.Errorf("chief rep's ranking:\n%s", strings.Join(got, "\n"))
			}
			wantRows(t, "chief rep's reasons", r.Tables[2],
				"B targets.reason.B | 1 | 1 | 0 | 0 | 0 | 0 | 0",
				"A targets.reason.A | 0 | 0 | 0 | 0 | 0 | 0 | 0",
				"C targets.reason.C | 0 | 0 | 0 | 0 | 0 | 0 | 0",
				"D targets.reason.D | 0 | 0 | 0 | 0 | 0 | 0 | 0")
			rd := w.build("wangjianguo", "attainment", month)
			if n := len(rd.Tables[0].Rows); n != 7 { // every AM of HRB
				t.Errorf("director sees %d managers", n)
			}
			if got := rows(rd.Tables[2]); got[0] != "A targets.reason.A | 1 | 0 | 0 | 0 | 0 | 1 | 0" || got[1] != "B targets.reason.B | 1 | 1 | 0 | 0 | 0 | 0 | 0" {
				t.Errorf("director's reasons:\n%s", strings.Join(got, "\n"))
			}
			if got := rows(w.build("liwei", "attainment", month).Tables[0]); len(got) != 1 || !strings.HasPrefix(got[0], "1 | 李伟 | ") {
				t.Errorf("AM sees %v", got)
			}
			if got := rows(w.build("liuzhiqiang", "attainment", month).Tables[2]); got[0] != "A targets.reason.A | 0 | 0 | 0 | 0 | 0 | 0 | 0" {
				t.Errorf("DQ director counts HRB's reasons: %v", got)
			}
			adminRows := rows(w.build("admin", "attainment", month).Tables[0])
			if len(adminRows) != 14 {
				t.Errorf("admin sees %d managers, want all 14", len(adminRows))
			}
			// The admin counts each manager's records as the team's chief
			// rep does (rank aside): the province-wide path leaves the
			// deleted customer's visit, key person, proposal and won
			// opportunity out without joining the customers.
			byName := func(lines []string) map[string]string {
				m := map[string]string{}
				for _, l := range lines {
					if _, rest, ok := strings.Cut(l, " | "); ok {
						name, _, _ := strings.Cut(rest, " | ")
						m[name] = rest
					}
				}
				return m
			}
			admin := byName(adminRows)
			for name, line := range byName(got) {
				if admin[name] != line {
					t.Errorf("admin's %s:\n got %s\nwant %s", name, admin[name], line)
				}
			}
		})
		t.Run("coverage", func(t *testing.T) {
			r := w.build("wangjianguo", "coverage", month)
			wantRows(t, "director HRB", r.Tables[0],
				"周杰 | 1 | 0 | 0.0% | 1 | 0 | 0.0% | 2",
				"张静 | 1 | 0 | 0.0% | 0 | 0 | — | 1",
				"李伟 | 1 | 1 | 100.0% | 1 | 1 | 100.0% | 0",
				"= reports.total | 3 | 1 | 33.3% | 2 | 1 | 50.0% | 3")
			wantRows(t, "uncovered", r.Tables[1],
				"张静 | 客户c3 | A | 2026-02-20",
				"周杰 | 客户c4 | A | reports.never",
				"周杰 | 客户c5 | B | 2026-01-15")
			wantRows(t, "chief rep zhaomin", w.build("zhaomin", "coverage", month).Tables[0],
				"周杰 | 1 | 0 | 0.0% | 0 | 0 | — | 1",
				"张静 | 1 | 0 | 0.0% | 0 | 0 | — | 1",
				"李伟 | 1 | 1 | 100.0% | 1 | 1 | 100.0% | 0",
				"= reports.total | 3 | 1 | 33.3% | 1 | 1 | 100.0% | 2")
			wantRows(t, "AM liwei", w.build("liwei", "coverage", month).Tables[0],
				"李伟 | 1 | 1 | 100.0% | 1 | 1 | 100.0% | 0",
				"= reports.total | 1 | 1 | 100.0% | 1 | 1 | 100.0% | 0")
			wantRows(t, "director DQ", w.build("liuzhiqiang", "coverage", month).Tables[0],
				"高远 | 1 | 1 | 100.0% | 1 | 0 | 0.0% | 1",
				"= reports.total | 1 | 1 | 100.0% | 1 | 0 | 0.0% | 1")
		})
		t.Run("velocity", func(t *testing.T) {
			r := w.build("wangjianguo", "velocity", month+"&compare=1")
			wantRows(t, "summary", r.Tables[0],
				"reports.velocity.won | 1", "reports.velocity.lost | 2", "reports.velocity.win_rate | 33.3%",
				"reports.velocity.cycle | 30.0", "reports.velocity.win_rate_prev | —")
			wantRows(t, "stages", r.Tables[1],
				"stage.identified | 1 | 1 | 100.0% | 1 | 2.0 | 2.0 | 2.0",
				"stage.contacted | 1 | 0 | 0.0% | 1 | 8.0 | 8.0 | 8.0",
				"stage.visited | 0 | 0 | — | 0 | — | — | —",
				"stage.needs | 3 | 2 | 66.7% | 2 | 5.0 | 5.0 | 5.5",
				"stage.proposal | 2 | 0 | 0.0% | 0 | — | — | —",
				"stage.negotiation | 1 | 1 | 100.0% | 1 | 13.0 | 13.0 | 13.0")
			wantRows(t, "lost reasons", r.Tables[2], "lost.price | 1 | 900.00 | 0.00", "lost.competitor | 1 | 500.00 | 0.00")
			rq := w.build("liuzhiqiang", "velocity", month)
			wantRows(t, "DQ summary", rq.Tables[0],
				"reports.velocity.won | 1", "reports.velocity.lost | 0", "reports.velocity.win_rate | 100.0%", "reports.velocity.cycle | 59.0")
			if got := rows(rq.Tables[1]); got[4] != "stage.proposal | 1 | 1 | 100.0% | 1 | 9.0 | 9.0 | 9.0" {
				t.Errorf("DQ proposal %q", got[4])
			}
			if got := rows(w.build("liwei", "velocity", month).Tables[0]); got[0] != "reports.velocity.won | 0" || got[1] != "reports.velocity.lost | 1" {
				t.Errorf("liwei %v", got)
			}
		})
		t.Run("activity", func(t *testing.T) {
			r := w.build("wangjianguo", "activity", month)
			wantRows(t, "by AM", r.Tables[0],
				"周杰 | 1 | 0 | 1 | 0 | 0 | 0 | 0",
				"张静 | 0 | 0 | 0 | 1 | 0 | 0 | 0",
				"李伟 | 2 | 1 | 0 | 0 | 1 | 1 | 1",
				"= reports.total | 3 | 1 | 1 | 1 | 1 | 1 | 1")
			wantRows(t, "by week", r.Tables[1],
				"03-01–03-01 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
				"03-02–03-08 | 1 | 1 | 0 | 1 | 1 | 1 | 0",
				"03-09–03-15 | 1 | 0 | 1 | 0 | 0 | 0 | 1",
				"03-16–03-22 | 1 | 0 | 0 | 0 | 0 | 0 | 0",
				"03-23–03-29 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
				"03-30–03-31 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
				"= reports.total | 3 | 1 | 1 | 1 | 1 | 1 | 1")
			wantRows(t, "DQ", w.build("liuzhiqiang", "activity", month).Tables[0], "高远 | 1 | 1 | 0 | 0 | 0 | 0 | 0", "= reports.total | 1 | 1 | 0 | 0 | 0 | 0 | 0")
		})
		t.Run("expiring", func(t *testing.T) {
			wantRows(t, "director HRB", w.build("wangjianguo", "expiring", month).Tables[0],
				"HT-1 合同 | 客户c1 | 李伟 | 2026-04-30 | 1,000.00 | 12,000.00",
				"HT-3 合同 | 客户c3 | 张静 | 2026-06-10 | 300.00 | 3,600.00",
				"= reports.total | 2 |  |  | 1,300.00 | 15,600.00")
			wantRows(t, "AM liwei", w.build("liwei", "expiring", month).Tables[0],
				"HT-1 合同 | 客户c1 | 李伟 | 2026-04-30 | 1,000.00 | 12,000.00",
				"= reports.total | 1 |  |  | 1,000.00 | 12,000.00")
			wantRows(t, "director DQ", w.build("liuzhiqiang", "expiring", month).Tables[0],
				"HT-4 合同 | 客户c6 | 高远 | 2026-04-01 | 200.00 | 2,400.00",
				"= reports.total | 1 |  |  | 200.00 | 2,400.00")
		})
	})
}
