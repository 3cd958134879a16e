package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestReportsAdminShortcuts checks the admin's province-wide reports,
// which take shortcuts the scoped ones do not (docs/reports.md § Speed):
// velocity reads the stage changes without joining the opportunities,
// forecast sums per day and stage first, coverage probes each customer
// once for both its sums and the uncovered list. The report world has a
// deleted customer with records of every kind; here a deleted
// opportunity of a live customer (DQ's c6) with stage changes and an
// expected close in March is added. Neither may count for the admin, and
// the admin's figures are the two branches' together — the directors'
// figures, which TestReportsWorld fixes exactly. With a branch filter the
// admin sees that branch's director's figures.
func TestReportsAdminShortcuts(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
		gy := w.users["gaoyuan"]
		w.exec(`INSERT INTO opportunities (customer_id, title, monthly_fen, one_time_fen, expected_close, stage, owner_id, lost_reason, stage_changed_at, created_at, updated_at, deleted_at)
			VALUES (?, '删除的商机', 5500000, 0, ?, 'proposal', ?, '', ?, ?, ?, ?)`, w.cust["c6"], day(3, 28), gy.ID, day(3, 6), day(2, 1), day(3, 6), day(3, 9))
		gone := w.lastID("opportunities")
		w.exec(`INSERT INTO stage_changes (opportunity_id, to_stage, by_id, at) VALUES (?, 'needs', 1, ?)`, gone, day(3, 2))
		w.exec(`INSERT INTO stage_changes (opportunity_id, to_stage, by_id, at) VALUES (?, 'proposal', 1, ?)`, gone, day(3, 6))
		month := "period=month&at=2026-03"
		dq := fmt.Sprintf("%s&branch=%d", month, w.users["gaoyuan"].BranchID)

		t.Run("velocity", func(t *testing.T) {
			// HRB's stages (TestReportsWorld) plus DQ's one proposal (o8,
			// nine days to won); the deleted customer's proposal and the
			// deleted opportunity's needs → proposal are not there.
			wantRows(t, "admin", w.build("admin", "velocity", month).Tables[1],
				"stage.identified | 1 | 1 | 100.0% | 1 | 2.0 | 2.0 | 2.0",
				"stage.contacted | 1 | 0 | 0.0% | 1 | 8.0 | 8.0 | 8.0",
				"stage.visited | 0 | 0 | — | 0 | — | — | —",
				"stage.needs | 3 | 2 | 66.7% | 2 | 5.0 | 5.0 | 5.5",
				"stage.proposal | 3 | 1 | 33.3% | 1 | 9.0 | 9.0 | 9.0",
				"stage.negotiation | 1 | 1 | 100.0% | 1 | 13.0 | 13.0 | 13.0")
			wantRows(t, "admin, summary", w.build("admin", "velocity", month).Tables[0],
				"reports.velocity.won | 2", "reports.velocity.lost | 2", "reports.velocity.win_rate | 50.0%", "reports.velocity.cycle | 44.5")
			wantRows(t, "admin, branch DQ", w.build("admin", "velocity", dq).Tables[1], rows(w.build("liuzhiqiang", "velocity", month).Tables[1])...)
		})
		t.Run("forecast", func(t *testing.T) {
			// March: HRB's o1 and o4 (2 | 5,000 | 2,500), DQ's o7 (1 |
			// 7,000 | 4,200); the targets are HRB's.
			wantRows(t, "admin", w.build("admin", "forecast", month).Tables[0],
				"2026-03 | 3 | 12,000.00 | 6,700.00 | 15,000.00 | 44.7%",
				"2026-04 | 2 | 7,000.00 | 5,200.00 | 12,000.00 | 43.3%",
				"2026-05 | 1 | 3,000.00 | 1,200.00 | 0.00 | —",
				"2026-06 | 0 | 0.00 | 0.00 | 0.00 | —",
				"2026-07 | 0 | 0.00 | 0.00 | 0.00 | —",
				"2026-08 | 0 | 0.00 | 0.00 | 0.00 | —",
				"= reports.total | 6 | 22,000.00 | 13,100.00 | 27,000.00 | 48.5%")
			wantRows(t, "admin, branch DQ", w.build("admin", "forecast", dq).Tables[0], rows(w.build("liuzhiqiang", "forecast", month).Tables[0])...)
		})
		t.Run("coverage", func(t *testing.T) {
			// HRB's managers and DQ's 高远; the deleted A customer of 李伟,
			// visited on 8 March, is neither counted nor covered.
			r := w.build("admin", "coverage", month)
			wantRows(t, "admin", r.Tables[0],
				"周杰 | 1 | 0 | 0.0% | 1 | 0 | 0.0% | 2",
				"张静 | 1 | 0 | 0.0% | 0 | 0 | — | 1",
				"李伟 | 1 | 1 | 100.0% | 1 | 1 | 100.0% | 0",
				"高远 | 1 | 1 | 100.0% | 1 | 0 | 0.0% | 1",
				"= reports.total | 4 | 2 | 50.0% | 3 | 1 | 33.3% | 4")
			// The uncovered list is HRB's (in its order) with DQ's c7 last:
			// by owner (高远 was created after HRB's managers), grade, name.
			want := append(rows(w.build("wangjianguo", "coverage", month).Tables[1]), "高远 | 客户c7 | B | reports.never")
			wantRows(t, "admin, uncovered", r.Tables[1], want...)
			wantRows(t, "admin, branch DQ", w.build("admin", "coverage", dq).Tables[0], rows(w.build("liuzhiqiang", "coverage", month).Tables[0])...)
		})
	})
}
