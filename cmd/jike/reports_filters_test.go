package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
)

// pageRows fetches a report page through the router and returns its
// table ti as "cell | cell …" lines (rows, then the total).
func pageRows(t *testing.T, c *testkit.Client, path string, ti int) []string {
	t.Helper()
	r := c.Get(path)
	if r.Status != 200 {
		t.Fatalf("%s: %d", path, r.Status)
	}
	tables := pageTables(r.Body)
	if len(tables) <= ti {
		t.Fatalf("%s: %d tables", path, len(tables))
	}
	var out []string
	for _, row := range tables[ti] {
		out = append(out, strings.Join(row, " | "))
	}
	return out
}

func wantPageRows(t *testing.T, label string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", label, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestReportFunnelPeriod: the funnel is the pipeline open at the end of
// the period, in the stage each opportunity was in then (docs/reports.md).
// The world's clock is 15 March 2026: March's funnel is today's pipeline;
// February's puts o2 back in 发现 (it reached 方案提交 on 2 March) and
// counts o12, in 方案提交 at the end of February and won on 3 March.
func TestReportFunnelPeriod(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		day := func(m time.Month, dd int) time.Time { return time.Date(2026, m, dd, 0, 0, 0, 0, time.UTC) }
		w.oppWithHistory("c1", "liwei", 100000, 0, day(3, 3), stageStep{"", "identified", day(2, 5)},
			stageStep{"identified", "proposal", day(2, 15)}, stageStep{"proposal", "won", day(3, 3)})
		c := loggedIn(t, w.a, "wangjianguo")
		current := []string{
			"发现 | 2 | 7,000.00 | 5,000.00 | 89,000.00",
			"已建联 | 0 | 0.00 | 0.00 | 0.00",
			"已走访 | 0 | 0.00 | 0.00 | 0.00",
			"需求确认 | 1 | 3,000.00 | 0.00 | 36,000.00",
			"方案提交 | 2 | 6,000.00 | 0.00 | 72,000.00",
			"商务谈判 | 1 | 5,000.00 | 0.00 | 60,000.00",
			"合计 | 6 | 21,000.00 | 5,000.00 | 257,000.00"}
		wantPageRows(t, "March (ends after today)", pageRows(t, c, "/reports/funnel?period=month&at=2026-03", 0), current...)
		wantPageRows(t, "Q1 (ends after today)", pageRows(t, c, "/reports/funnel?period=quarter&at=2026-Q1", 0), current...)
		wantPageRows(t, "end of February", pageRows(t, c, "/reports/funnel?period=month&at=2026-02", 0),
			"发现 | 3 | 9,000.00 | 5,000.00 | 113,000.00",
			"已建联 | 0 | 0.00 | 0.00 | 0.00",
			"已走访 | 0 | 0.00 | 0.00 | 0.00",
			"需求确认 | 1 | 3,000.00 | 0.00 | 36,000.00",
			"方案提交 | 2 | 5,000.00 | 0.00 | 60,000.00",
			"商务谈判 | 1 | 5,000.00 | 0.00 | 60,000.00",
			"合计 | 7 | 22,000.00 | 5,000.00 | 269,000.00")
		// Before anything was created: nothing open.
		wantPageRows(t, "custom period in January", pageRows(t, c, "/reports/funnel?period=custom&from=2026-01-01&to=2026-01-20", 0)[6:],
			"合计 | 0 | 0.00 | 0.00 | 0.00")
	})
}

// TestReportTargetsNarrowedByIndustryAndGrade: targets are set per
// manager; under an industry or grade filter each manager's target is
// apportioned to his share of matching customers (managers without one
// drop out), and attainment's actuals count only those customers' records.
func TestReportTargetsNarrowedByIndustryAndGrade(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		c := loggedIn(t, w.a, "wangjianguo")
		// March's new-MRC targets: 李伟 5,000.00 (c1 manufacturing A, c2
		// finance B), 张静 10,000.00 (c3 finance A); April: 李伟 3,000.00.
		got := pageRows(t, c, "/reports/forecast?period=month&at=2026-03&industry=finance", 0)
		if len(got) != 7 || got[0] != "2026-03 | 1 | 4,000.00 | 2,400.00 | 12,500.00 | 19.2%" || got[1] != "2026-04 | 1 | 5,000.00 | 4,000.00 | 1,500.00 | 266.7%" {
			t.Errorf("forecast, finance (targets 李伟 ½ + 张静 all):\n  %s", strings.Join(got, "\n  "))
		}
		got = pageRows(t, c, "/reports/forecast?period=month&at=2026-03&grade=B", 0)
		if len(got) != 7 || !strings.HasSuffix(got[0], " | 2,500.00 | 0.0%") || !strings.HasSuffix(got[1], " | 1,500.00 | 0.0%") {
			t.Errorf("forecast, grade B (李伟 ½, 张静 has no B customer):\n  %s", strings.Join(got, "\n  "))
		}
		got = pageRows(t, c, "/reports/forecast?period=month&at=2026-03&grade=A&industry=manufacturing", 0)
		if len(got) != 7 || got[0] != "2026-03 | 1 | 1,000.00 | 100.00 | 2,500.00 | 4.0%" {
			t.Errorf("forecast, A manufacturing (李伟 ½):\n  %s", strings.Join(got, "\n  "))
		}
		// Attainment as the chief rep: 李伟's visits target 2 → 1 and his
		// one done March visit (c1, manufacturing) is not a finance one.
		z := loggedIn(t, w.a, "zhaomin")
		all := pageRows(t, z, "/reports/attainment?period=month&at=2026-03", 0)
		fin := pageRows(t, z, "/reports/attainment?period=month&at=2026-03&industry=finance", 0)
		find := func(rows []string, name string) string {
			for _, r := range rows {
				if strings.Contains(r, " | "+name+" | ") {
					return r
				}
			}
			return ""
		}
		if r := find(all, "李伟"); !strings.Contains(r, " | 1 | 2 | 50.0% | ") || !strings.Contains(r, " | 0.00 | 5,000.00 | 0.0% | ") {
			t.Errorf("李伟, all industries: %q", r)
		}
		if r := find(fin, "李伟"); !strings.Contains(r, " | 0 | 1 | 0.0% | ") || !strings.Contains(r, " | 0.00 | 2,500.00 | 0.0% | ") {
			t.Errorf("李伟, finance: %q", r)
		}
		// 张静: all her customers are finance; her March key person (c3) counts.
		if r, ra := find(fin, "张静"), find(all, "张静"); r == "" || strings.SplitN(r, " | ", 2)[1] != strings.SplitN(ra, " | ", 2)[1] {
			t.Errorf("张静, finance %q differs from all industries %q", r, ra)
		}
		if r := find(fin, "杨帆"); r != "" {
			t.Errorf("a manager without finance customers is listed: %q", r)
		}
	})
}

// TestReportBadFilterClass: every malformed filter — an id that is not a
// number, a period or date that does not exist, a range the wrong way
// round, a key that is not a filter, a key repeated with another value, a
// compare flag that is not 0 or 1 — is a 422 with the localized message on
// the page, the downloads and the PDF pack, on both databases.
func TestReportBadFilterClass(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		c := loggedIn(t, w.a, "wangjianguo")
		cases := []struct{ q, zh, en string }{
			{"owner=abc", "请选择列表中的项目。", "Choose an entry from the list."},
			{"am=abc", "请选择列表中的项目。", "Choose an entry from the list."},
			{"team=x", "请选择列表中的项目。", "Choose an entry from the list."},
			{"branch=-1", "请选择列表中的项目。", "Choose an entry from the list."},
			{"period=2026-13", "期间只能是月、季度、年或自定义。", "The period must be month, quarter, year or custom."},
			{"period=month&at=2026-13", "月份格式应为 2026-03。", "Write the month as 2026-03."},
			{"period=custom&from=2026-03-10&to=2026-03-01", "结束日期不能早于开始日期。", "The end date cannot be before the start date."},
			{"period=custom&from=2026-02-30&to=2026-03-01", "日期格式应为 2026-03-01。", "Write the date as 2026-03-01."},
			{"manager=1", "网址中有无法识别的筛选条件", "The address holds a filter this report does not know"},
			{"team=1&team=2", "同一筛选条件出现了两次且取值不同。", "A filter is given twice with different values."},
			{"compare=yes", "“与上期对比”只能是 0 或 1。", "“Compare with the previous period” must be 0 or 1."},
			{"owner=" + itoa(w.users["liwei"].ID) + "&am=" + itoa(w.users["zhoujie"].ID), "owner 与 am 都指客户经理，两者不一致。", "owner and am both name the account manager, and they differ."},
		}
		check := func(lang string) {
			for _, tc := range cases {
				msg := tc.zh
				if lang == "en" {
					msg = tc.en
				}
				for _, path := range []string{"/reports/funnel?", "/reports/attainment?", "/reports/funnel/export.xlsx?", "/reports/coverage/export.csv?", "/reports/pack.pdf?"} {
					r := c.Get(path + tc.q)
					if r.Status != 422 || !strings.Contains(r.Body, msg) {
						t.Errorf("%s %s%s: %d, message %q missing", lang, path, tc.q, r.Status, msg)
					}
					if strings.HasSuffix(path, "/funnel?") && !strings.Contains(r.Body, `id="filter-errors"`) {
						t.Errorf("%s%s: the message is not next to the form", path, tc.q)
					}
				}
			}
		}
		check("zh")
		c.PostForm("/lang", url.Values{"lang": {"en"}})
		check("en")
		// owner is another name of am; a key repeated with the same value is fine.
		byAM := pageRows(t, c, "/reports/funnel?am="+itoa(w.users["liwei"].ID), 0)
		byOwner := pageRows(t, c, "/reports/funnel?owner="+itoa(w.users["liwei"].ID)+"&am="+itoa(w.users["liwei"].ID)+"&team=&team=", 0)
		if strings.Join(byAM, "\n") != strings.Join(byOwner, "\n") || !strings.Contains(byAM[6], " | 3 | 6,000.00 | ") {
			t.Errorf("owner= differs from am=:\n%v\n%v", byAM, byOwner)
		}
	})
}

// TestReportPastFunnelIsItsBranches: the admin's funnel of a period that
// has ended is read in two parts (the opportunities unchanged since its
// end, and those changed since, each in its stage then: Store.pastFunnel);
// a director's in one statement through the branch's customers. The
// province's must be its two branches' added up, stage by stage, for
// ends before, between and after the world's stage changes, on both
// databases — the deleted customer's opportunities in none of them.
func TestReportPastFunnelIsItsBranches(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		// o13: created in February, moved to 需求确认 on 10 February and
		// back to 已建联 on 5 March — open before and after.
		day := func(m time.Month, dd int) time.Time { return time.Date(2026, m, dd, 0, 0, 0, 0, time.UTC) }
		w.oppWithHistory("c6", "gaoyuan", 120000, 3000, day(6, 1), stageStep{"", "identified", day(2, 3)},
			stageStep{"identified", "needs", day(2, 10)}, stageStep{"needs", "contacted", day(3, 5)})
		admin := loggedIn(t, w.a, "admin")
		directors := []*testkit.Client{loggedIn(t, w.a, "wangjianguo"), loggedIn(t, w.a, "liuzhiqiang")}
		// cells reads the funnel's rows as stage → count, monthly, one-time.
		cells := func(c *testkit.Client, q string) map[string][3]int64 {
			out := map[string][3]int64{}
			for _, row := range pageRows(t, c, "/reports/funnel?"+q, 0) {
				p := strings.Split(row, " | ")
				var v [3]int64
				for i := range v {
					n, err := strconv.ParseInt(strings.NewReplacer(",", "", ".", "").Replace(p[i+1]), 10, 64)
					if err != nil {
						t.Fatalf("%s: %q: %v", q, row, err)
					}
					v[i] = n
				}
				out[p[0]] = v
			}
			return out
		}
		var open int64
		for _, q := range []string{"period=month&at=2026-01", "period=custom&from=2026-02-01&to=2026-02-09",
			"period=custom&from=2026-02-01&to=2026-02-12", "period=month&at=2026-02", "period=custom&from=2026-03-01&to=2026-03-04",
			"period=custom&from=2026-03-01&to=2026-03-11", "period=custom&from=2026-03-01&to=2026-03-14"} {
			got := cells(admin, q)
			sum := map[string][3]int64{}
			for _, c := range directors {
				for st, v := range cells(c, q) {
					s := sum[st]
					for i := range s {
						s[i] += v[i]
					}
					sum[st] = s
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(sum) {
				t.Errorf("%s: the province %v, its branches added up %v", q, got, sum)
			}
			open += got["合计"][0]
		}
		if open == 0 {
			t.Error("nothing open at any of the ends: the sums prove nothing")
		}
		// o13 was in 需求确认 at the end of February, in 已建联 after 5 March.
		if feb := cells(directors[1], "period=month&at=2026-02"); feb["需求确认"][0] < 1 {
			t.Errorf("o13 is not in 需求确认 at the end of February: %v", feb)
		}
	})
}

// TestReportAdminBranchIsItsDirector: the admin narrowed to a branch
// reads some reports another way than the branch's director (today's
// funnel through the branch's customers since issue 19, the province's
// kept counts elsewhere); every table of every report must be the
// director's, for the current month, a past one and a quarter, on both
// databases.
func TestReportAdminBranchIsItsDirector(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		admin := loggedIn(t, w.a, "admin")
		var rows int
		for _, who := range []string{"wangjianguo", "liuzhiqiang"} {
			dir := loggedIn(t, w.a, who)
			branch := itoa(w.users[who].BranchID)
			for _, k := range reports.Keys {
				for _, q := range []string{"period=month&at=2026-03", "period=month&at=2026-02", "period=quarter&at=2026-Q1&grade=A"} {
					a := pageTables(admin.Get("/reports/" + k + "?" + q + "&branch=" + branch).Body)
					b := pageTables(dir.Get("/reports/" + k + "?" + q).Body)
					if len(a) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
						t.Errorf("%s %s: the admin narrowed to %s's branch\n  %v\nthe director\n  %v", k, q, who, a, b)
					}
					for _, tb := range a {
						rows += len(tb)
					}
				}
			}
		}
		if rows == 0 {
			t.Error("no rows compared")
		}
	})
}

// stageStep is one stage change of oppWithHistory.
type stageStep struct {
	from, to string
	at       time.Time
}

// oppWithHistory adds an opportunity of customer cust owned by owner,
// created at its first step and now in its last step's stage since then,
// with every step recorded as a stage change; it returns its id.
func (w *reportWorld) oppWithHistory(cust, owner string, monthly, oneTime int64, close time.Time, steps ...stageStep) uint {
	w.t.Helper()
	first, last := steps[0], steps[len(steps)-1]
	w.exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, owner_id, lost_reason, stage_changed_at, created_at, updated_at)
		VALUES (?, '专线', ?, ?, ?, ?, ?, '', ?, ?, ?)`, w.cust[cust], monthly, oneTime, close, last.to, w.users[owner].ID, last.at, first.at, last.at)
	id := w.lastID("opportunities")
	for _, s := range steps {
		w.exec(`INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at) VALUES (?, ?, ?, 1, ?)`, id, s.from, s.to, s.at)
	}
	return id
}
