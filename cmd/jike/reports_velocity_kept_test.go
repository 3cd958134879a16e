package main

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/reports"
)

// TestVelocityKeptMatchesStageChanges: on PostgreSQL the velocity of the
// province, a branch filter, an industry or a grade of the province
// (00061) and each director, over a month, a quarter
// and a year, read from the kept counts per month and whole days
// (migration 00052) — with the days of ranges cut inside months counted
// from the stage changes — equals the velocity read from the stage changes
// themselves — after the demo's history, stage moves through the portal,
// an opportunity deleted and restored, a customer moved to the other
// branch, a customer given another industry and grade, a change back-dated and one deleted, a
// customer deleted, and a fold of the deltas.
// A delta written by hand shows that the kept path is the one read.
func TestVelocityKeptMatchesStageChanges(t *testing.T) {
	t.Parallel()
	d := seededDemoDB(t, "postgres")
	a := demoAppOn(t, d)
	g := d.Gorm
	ctx := context.Background()
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	exec := mustExec(t, g)

	// Writes of every kind the counts follow.
	liwei := subject(t, a, "liwei")
	var opps []uint
	if err := g.Raw(`SELECT o.id FROM opportunities o JOIN customers c ON c.id = o.customer_id
		WHERE o.owner_id = ? AND o.deleted_at IS NULL AND c.deleted_at IS NULL AND o.stage IN ('identified', 'contacted', 'visited', 'needs')
		ORDER BY o.id LIMIT 4`, liwei.ID).Scan(&opps).Error; err != nil || len(opps) < 4 {
		t.Fatalf("four of liwei's open opportunities: %v %v", opps, err)
	}
	for i, id := range opps[:3] {
		to := []string{prospects.StageProposal, prospects.StageLost, prospects.StageNegotiation}[i]
		m := prospects.StageMove{To: to}
		if to == prospects.StageLost {
			m.LostReason, m.Note = prospects.LostReasons[0], "测试"
		}
		if _, err := a.Prospects.MoveStage(ctx, liwei, id, m); err != nil {
			t.Fatalf("move %d to %s: %v", id, to, err)
		}
	}
	exec(`UPDATE opportunities SET deleted_at = now() WHERE id = ?`, opps[3])
	if err := a.Prospects.FoldStageTotals(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE opportunities SET deleted_at = NULL WHERE id = ?`, opps[3])
	exec(`UPDATE opportunities SET deleted_at = now() WHERE id = ?`, opps[2])
	var other uint
	if err := g.Raw(`SELECT branch_id FROM users WHERE username = 'gaoyuan'`).Scan(&other).Error; err != nil || other == 0 {
		t.Fatalf("the other branch: %d %v", other, err)
	}
	exec(`UPDATE customers SET branch_id = ? WHERE id = (SELECT customer_id FROM opportunities WHERE id = ?)`, other, opps[0])
	// A customer of another industry and another grade: its changes move
	// between the province's parts (00061).
	var ind, grade string
	if err := g.Raw(`SELECT industry FROM customers WHERE deleted_at IS NULL AND industry <> (SELECT industry FROM customers WHERE id =
		(SELECT customer_id FROM opportunities WHERE id = ?)) ORDER BY id LIMIT 1`, opps[1]).Scan(&ind).Error; err != nil || ind == "" {
		t.Fatalf("another industry: %q %v", ind, err)
	}
	exec(`UPDATE customers SET industry = ?, grade = CASE grade WHEN 'A' THEN 'C' ELSE 'A' END WHERE id = (SELECT customer_id FROM opportunities WHERE id = ?)`, ind, opps[1])
	if err := g.Raw(`SELECT grade FROM customers WHERE id = (SELECT customer_id FROM opportunities WHERE id = ?)`, opps[1]).Scan(&grade).Error; err != nil || grade == "" {
		t.Fatalf("its grade: %q %v", grade, err)
	}
	exec(`INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at) VALUES (?, 'identified', 'contacted', ?,
		(SELECT MIN(at) FROM stage_changes WHERE opportunity_id = ?) + interval '30 hours')`, opps[1], liwei.ID, opps[1])
	exec(`DELETE FROM stage_changes WHERE id = (SELECT MAX(id) FROM stage_changes WHERE opportunity_id = ?)`, opps[0])
	// A customer deleted with its opportunities' changes: the province's
	// counted velocity subtracts them (deletedEntries), the kept counts
	// move them out (00052's customer trigger).
	var gone uint
	if err := g.Raw(`SELECT c.id FROM customers c JOIN opportunities o ON o.customer_id = c.id AND o.deleted_at IS NULL
		JOIN stage_changes sc ON sc.opportunity_id = o.id JOIN users u ON u.id = c.owner_id
		WHERE c.deleted_at IS NULL AND u.username = 'zhangjing' GROUP BY c.id ORDER BY COUNT(*) DESC, c.id LIMIT 1`).Scan(&gone).Error; err != nil || gone == 0 {
		t.Fatalf("a customer of 张静's with stage changes: %d %v", gone, err)
	}
	exec(`UPDATE customers SET deleted_at = now() WHERE id = ?`, gone)

	live := reports.NewStore(g, nil)
	kept := reports.NewStore(g, nil)
	kept.UseStageDwell(time.UTC)
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	quarter := time.Date(now.Year(), (now.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	// Whole months, and ranges cut inside months: their whole months
	// kept, their edges counted from the changes; within one month, all
	// from the changes.
	periods := [][2]time.Time{{month, month.AddDate(0, 1, 0)}, {quarter, quarter.AddDate(0, 3, 0)}, {year, year.AddDate(1, 0, 0)},
		{year.AddDate(-1, 0, 0), year}, {year.AddDate(-2, 0, 0), year.AddDate(1, 0, 0)},
		{month.AddDate(0, -2, 9), month.AddDate(0, 0, 19)}, {month.AddDate(0, 0, 3), month.AddDate(0, 0, 17)},
		{year.AddDate(0, 1, 14), year.AddDate(0, 7, 0)}, {year.AddDate(-1, 5, 0), year.AddDate(0, 4, 12)}}
	var left int64
	for _, who := range []string{"admin", "wangjianguo", "liuzhiqiang"} {
		viewer := subject(t, a, who)
		scope := enf.ListScope(viewer, "report", "read")
		filters := []reports.Filter{{}}
		if who == "admin" {
			// A branch; the province's parts (an industry, a grade,
			// each the moved customer's); both at once, which are not
			// kept and are counted from the changes.
			filters = append(filters, reports.Filter{Branch: other}, reports.Filter{Industry: ind}, reports.Filter{Grade: grade},
				reports.Filter{Industry: "finance"}, reports.Filter{Grade: "B"}, reports.Filter{Industry: ind, Grade: grade})
		}
		if who == "wangjianguo" {
			// A director's industry is counted from the changes.
			filters = append(filters, reports.Filter{Industry: ind})
		}
		for _, f := range filters {
			for _, p := range periods {
				name := fmt.Sprintf("%s branch %d %q %q %s–%s", who, f.Branch, f.Industry, f.Grade, p[0].Format(time.DateOnly), p[1].Format(time.DateOnly))
				want, err := live.Velocity(ctx, scope, f, p[0], p[1])
				if err != nil {
					t.Fatal(err)
				}
				got, err := kept.Velocity(ctx, scope, f, p[0], p[1])
				if err != nil {
					t.Fatal(err)
				}
				if msg := sameFlows(got, want); msg != "" {
					t.Errorf("%s: %s", name, msg)
				}
				for _, fl := range want {
					left += fl.Left
				}
			}
		}
	}
	if left < 50 {
		t.Errorf("only %d stage entries left in all the periods: the comparison proves little", left)
	}

	// A delta by hand moves the kept velocity and not the stage changes'.
	admin := adminReportScope(t, a)
	exec(`INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, n, forward, dwell_us) VALUES (0, ?, 'identified', 7, 1000, 0, 0)`, month.Format(time.DateOnly))
	got, err := kept.Velocity(ctx, admin, reports.Filter{}, month, month.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	want, err := live.Velocity(ctx, admin, reports.Filter{}, month, month.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if entered(got, "identified") != entered(want, "identified")+1000 {
		t.Errorf("a delta of 1,000 identified: kept %d, stage changes %d", entered(got, "identified"), entered(want, "identified"))
	}
	// And one in an industry's part moves that industry's kept velocity
	// alone.
	exec(`INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, part, n, forward, dwell_us) VALUES (0, ?, 'contacted', 3, ?, 500, 0, 0)`,
		month.Format(time.DateOnly), "i:"+ind)
	for _, f := range []reports.Filter{{Industry: ind}, {Grade: grade}} {
		got, err := kept.Velocity(ctx, admin, f, month, month.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		want, err := live.Velocity(ctx, admin, f, month, month.AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		add := int64(0)
		if f.Industry != "" {
			add = 500
		}
		if entered(got, "contacted") != entered(want, "contacted")+add {
			t.Errorf("%+v: a delta of 500 contacted in %s's part: kept %d, stage changes %d", f, ind, entered(got, "contacted"), entered(want, "contacted"))
		}
	}
}

// sameFlows says how two velocities differ, "" when they do not (the
// average to within float rounding: kept microseconds or summed days).
func sameFlows(got, want []reports.StageFlow) string {
	by := func(fs []reports.StageFlow) map[string]reports.StageFlow {
		out := map[string]reports.StageFlow{}
		for _, f := range fs {
			if f.Entered != 0 {
				out[f.Stage] = f
			}
		}
		return out
	}
	g, w := by(got), by(want)
	if len(g) != len(w) {
		return fmt.Sprintf("stages %v, want %v", got, want)
	}
	for st, wf := range w {
		gf := g[st]
		if gf.Entered != wf.Entered || gf.Forward != wf.Forward || gf.Left != wf.Left ||
			math.Abs(gf.AvgDays-wf.AvgDays) > 1e-9 || math.Abs(gf.P50-wf.P50) > 1e-9 || math.Abs(gf.P75-wf.P75) > 1e-9 {
			return fmt.Sprintf("%s: %+v, want %+v", st, gf, wf)
		}
	}
	return ""
}

func entered(fs []reports.StageFlow, stage string) int64 {
	for _, f := range fs {
		if f.Stage == stage {
			return f.Entered
		}
	}
	return 0
}

// TestVelocityCountsWholeDays: the median and the 75th percentile of
// days in a stage count whole days (30 hours are 1 day), the average
// keeps the hours — on both databases, so from the kept counts on
// PostgreSQL and from the stage changes on SQLite, for the admin and the
// director of the branch.
func TestVelocityCountsWholeDays(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		ctx := context.Background()
		g := d.Gorm
		am := subject(t, a, "liwei")
		var cust uint
		if err := g.Raw(`SELECT id FROM customers WHERE owner_id = ? AND deleted_at IS NULL ORDER BY id LIMIT 1`, am.ID).Scan(&cust).Error; err != nil || cust == 0 {
			t.Fatalf("a customer of liwei's: %d %v", cust, err)
		}
		// March 2019, before any of the demo's history: identified for
		// 36 hours, then contacted for 50 and for 98 (two opportunities),
		// then visited.
		t0 := time.Date(2019, 3, 4, 8, 0, 0, 0, time.UTC)
		for i, hours := range []int{50, 98} {
			o, err := a.Prospects.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: cust, Title: fmt.Sprintf("整天测试 %d", i), Monthly: "100"})
			if err != nil {
				t.Fatal(err)
			}
			if err := g.Exec(`UPDATE stage_changes SET at = ? WHERE opportunity_id = ?`, t0, o.ID).Error; err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				from, to string
				at       time.Time
			}{{"identified", "contacted", t0.Add(36 * time.Hour)}, {"contacted", "visited", t0.Add(time.Duration(36+hours) * time.Hour)}} {
				if err := g.Exec(`INSERT INTO stage_changes (opportunity_id, from_stage, to_stage, by_id, at) VALUES (?, ?, ?, ?, ?)`, o.ID, c.from, c.to, am.ID, c.at).Error; err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, who := range []string{"admin", "wangjianguo"} {
			f, err := a.Reports.ParseFilter(url.Values{"period": {"month"}, "at": {"2019-03"}})
			if err != nil {
				t.Fatal(err)
			}
			r, err := a.Reports.Build(ctx, subject(t, a, who), reports.KeyVelocity, f, func(id string, _ ...any) string { return id })
			if err != nil {
				t.Fatal(err)
			}
			wantRows(t, who, r.Tables[1],
				"stage.identified | 2 | 2 | 100.0% | 2 | 1.5 | 1.0 | 1.0",
				"stage.contacted | 2 | 2 | 100.0% | 2 | 3.1 | 3.0 | 3.5",
				"stage.visited | 2 | 0 | 0.0% | 0 | — | — | —",
				"stage.needs | 0 | 0 | — | 0 | — | — | —",
				"stage.proposal | 0 | 0 | — | 0 | — | — | —",
				"stage.negotiation | 0 | 0 | — | 0 | — | — | —")
			if len(r.Lines) == 0 || r.Lines[0] != "reports.velocity.days_note" {
				t.Errorf("%s: the report does not say how days are counted: %v", who, r.Lines)
			}
		}
	})
}
