package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
)

// TestReportNarrowedPeriodsAddTheirMonths: under an industry or grade the
// attainment's actuals over a quarter are read in one pass bucketed by
// month (Store.OwnerActuals), and its targets apportioned month by month.
// Each manager's actual and target of every line over the quarter must be
// the three months' added up — a proposal sent in two months counting in
// both — for the province (its sources read side by side), a branch and a
// team (one statement), on both databases.
func TestReportNarrowedPeriodsAddTheirMonths(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		at := func(m time.Month, day, h int) time.Time { return time.Date(2026, m, day, h, 0, 0, 0, time.UTC) }
		lw, zj := w.users["liwei"], w.users["zhangjing"]
		// c2 is 李伟's finance B customer, c3 张静's finance A one.
		w.exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
			VALUES (?, ?, ?, 'care', '回访', 'done', ?, ?)`, w.cust["c2"], lw.ID, at(1, 20, 10), at(1, 20, 10), at(1, 20, 10))
		w.exec(`INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (?, '钱处长', 'influencer', ?, ?, ?)`,
			w.cust["c2"], lw.ID, at(2, 3, 9), at(2, 3, 9))
		for v, sent := range []time.Time{at(2, 10, 9), at(3, 10, 9)} {
			w.exec(`INSERT INTO proposals (number, version, customer_id, owner_id, title, status, sent_at, created_at, updated_at)
				VALUES ('P-2', ?, ?, ?, '方案', 'sent', ?, ?, ?)`, v+1, w.cust["c2"], lw.ID, sent, sent, sent)
		}
		w.exec(`INSERT INTO contracts (number, customer_id, owner_id, branch_id, title, status, start_on, end_on, term_months, payment_terms, payment_due_day, monthly_fen, total_fen, created_at, updated_at, is_current, revision, signed_at)
			VALUES ('HT-Q1', ?, ?, ?, '合同', 'active', ?, ?, 12, 'monthly', 5, 45000, 540000, ?, ?, TRUE, 1, ?)`,
			w.cust["c3"], zj.ID, zj.BranchID, at(2, 1, 0), at(2, 1, 0).AddDate(1, 0, 0), at(2, 1, 0), at(2, 1, 0), at(2, 14, 11))
		for _, tg := range []struct {
			owner, month string
			visits, mrc  int64
		}{{"liwei", "2026-01", 3, 200000}, {"liwei", "2026-02", 1, 100001}, {"zhangjing", "2026-02", 2, 300000}, {"zhangjing", "2026-01", 1, 7}} {
			u := w.users[tg.owner]
			w.exec(`INSERT INTO monthly_targets (month, owner_id, team_id, branch_id, visits, mrc_fen, proposals, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
				tg.month, u.ID, u.TeamID, u.BranchID, tg.visits, tg.mrc, at(1, 1, 0), at(1, 1, 0))
		}

		// lines reads the attainment's table by manager: per name, the
		// actual and target of every line (the percentages left out).
		lines := func(user, query string) map[string][]int64 {
			r := w.build(user, reports.KeyAttainment, query)
			tb := r.Tables[0]
			out := map[string][]int64{}
			for _, row := range tb.Rows {
				var v []int64
				for i, c := range row[3:] {
					if i%3 != 2 {
						v = append(v, c.Int)
					}
				}
				out[row[1].Str] = v
			}
			return out
		}
		var counted int64
		for _, user := range []string{"admin", "wangjianguo", "zhaomin"} {
			for _, f := range []string{"industry=finance", "grade=A", "grade=B&industry=finance", "industry=manufacturing"} {
				quarter := lines(user, "period=quarter&at=2026-Q1&"+f)
				sum := map[string][]int64{}
				for _, mo := range []string{"2026-01", "2026-02", "2026-03"} {
					for name, v := range lines(user, "period=month&at="+mo+"&"+f) {
						if sum[name] == nil {
							sum[name] = make([]int64, len(v))
						}
						for i := range v {
							sum[name][i] += v[i]
						}
					}
				}
				if len(quarter) != len(sum) {
					t.Errorf("%s %s: %d managers over the quarter, %d in its months", user, f, len(quarter), len(sum))
				}
				for name, v := range sum {
					if fmt.Sprint(quarter[name]) != fmt.Sprint(v) {
						t.Errorf("%s %s: %s over the quarter %v, its months added up %v", user, f, name, quarter[name], v)
					}
					for _, n := range v {
						counted += n
					}
				}
				if user != "admin" || f != "industry=finance" {
					continue
				}
				// actual, target per line: visits, A/B visits, key persons,
				// signings, new MRC, proposals.
				if l := quarter["李伟"]; len(l) != 12 || l[0] != 2 || l[2] != 2 || l[4] != 1 || l[10] != 2 {
					t.Errorf("李伟, finance, Q1: %v, want 2 done visits (Jan, Feb), both to a B customer, 1 key person, P-2 in Feb and in Mar", l)
				}
				if l := quarter["张静"]; len(l) != 12 || l[6] != 1 || l[8] != 45000 {
					t.Errorf("张静, finance, Q1: %v, want the signing HT-Q1 with its 450.00", l)
				}
			}
		}
		if counted == 0 {
			t.Error("nothing counted: the sums prove nothing")
		}

		// More owners than an IN list names: read unlisted, the rows of
		// the owners asked for kept, each exactly as when listed.
		enf, err := authz.New()
		if err != nil {
			t.Fatal(err)
		}
		st := reports.NewStore(d.Gorm, nil)
		scope := enf.ListScope(w.users["admin"], "report", "read")
		bounds := []time.Time{at(1, 1, 0), at(2, 1, 0), at(3, 1, 0), at(4, 1, 0)}
		asked := []uint{lw.ID, zj.ID}
		long := append([]uint{}, asked...)
		for id := uint(900_001); len(long) < 300; id++ {
			long = append(long, id)
		}
		f := reports.Filter{Industry: "finance"}
		short, err := st.OwnerActuals(context.Background(), scope, f, asked, bounds, false)
		if err != nil {
			t.Fatal(err)
		}
		all, err := st.OwnerActuals(context.Background(), scope, f, long, bounds, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(short) != 3 || len(all) != 3 {
			t.Fatalf("months: %d listed, %d unlisted, want 3", len(short), len(all))
		}
		for m := range short {
			for _, id := range asked {
				if fmt.Sprint(short[m][id]) != fmt.Sprint(all[m][id]) {
					t.Errorf("month %d owner %d: %v listed, %v unlisted", m, id, short[m][id], all[m][id])
				}
			}
			if len(all[m]) != len(long) {
				t.Errorf("month %d: %d owners answered, %d asked", m, len(all[m]), len(long))
			}
		}
		if short[1][lw.ID]["proposals"] != 1 || short[2][lw.ID]["proposals"] != 1 || short[0][lw.ID]["visits"] != 1 {
			t.Errorf("李伟 by month: %v", []map[string]int64{short[0][lw.ID], short[1][lw.ID], short[2][lw.ID]})
		}
		// 周杰 has finance records (c4) but was not asked for.
		for m := range all {
			if _, ok := all[m][w.users["zhoujie"].ID]; ok {
				t.Errorf("month %d: an owner nobody asked for is answered", m)
			}
		}

		// No list (nil): every owner in scope answered — 周杰 too, for a
		// key person he adds to c4 now — and those asked for exactly as
		// listed.
		w.exec(`INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (?, '孙科长', 'influencer', ?, ?, ?)`,
			w.cust["c4"], w.users["zhoujie"].ID, at(1, 15, 9), at(1, 15, 9))
		every, err := st.OwnerActuals(context.Background(), scope, f, nil, bounds, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(every) != 3 {
			t.Fatalf("months, every owner: %d, want 3", len(every))
		}
		for m := range short {
			for _, id := range asked {
				if fmt.Sprint(short[m][id]) != fmt.Sprint(every[m][id]) {
					t.Errorf("month %d owner %d: %v listed, %v with every owner", m, id, short[m][id], every[m][id])
				}
			}
		}
		if got := every[0][w.users["zhoujie"].ID]["contacts"]; got != 1 {
			t.Errorf("every owner: 周杰's key person in January counted %d, want 1: %v", got, every)
		}

		// Summed, listed or not: one period, each owner's months added
		// up — 李伟's proposal P-2, sent in February and in March,
		// counting twice.
		for _, owners := range [][]uint{asked, long, nil} {
			sum, err := st.OwnerActuals(context.Background(), scope, f, owners, bounds, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum) != 1 {
				t.Fatalf("summed: %d periods, want 1", len(sum))
			}
			for _, id := range asked {
				want := map[string]int64{}
				for m := range short {
					for k, n := range short[m][id] {
						want[k] += n
					}
				}
				if fmt.Sprint(sum[0][id]) != fmt.Sprint(want) {
					t.Errorf("owner %d summed over %d owners asked: %v, want the months' %v", id, len(owners), sum[0][id], want)
				}
			}
			if sum[0][lw.ID]["proposals"] != 2 {
				t.Errorf("李伟 summed: %v, want P-2 counted in both months", sum[0][lw.ID])
			}
		}
	})
}
