package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/internal/benchseed"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/targets"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkTargetsBranchGrid measures the director's branch grid — 600
// account managers × every line, a year of records — on PostgreSQL: the
// service call (targets, reviews and the four aggregate actuals queries)
// and the whole page through the router. With -v it logs the plans of the
// actuals queries (docs/targets.md shows them).
//
//	go test -run '^$' -bench TargetsBranchGrid -benchmem -v ./cmd/jike/
func BenchmarkTargetsBranchGrid(b *testing.B) {
	d := testkit.Postgres(b)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, Location: loc, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := a.Org.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	res, err := benchseed.Fill(ctx, d.Gorm, benchseed.Spec{Managers: 600, Months: 12, End: now})
	if err != nil {
		b.Fatal(err)
	}
	// targets for the month, as the director would have set them
	if err := d.Gorm.Exec(`INSERT INTO monthly_targets (month, owner_id, team_id, branch_id, visits, ab_visits, contacts, signings, mrc_fen, proposals, created_at, updated_at)
		SELECT '2026-11', id, team_id, branch_id, 12, 6, 4, 2, 2000000, 3, now(), now() FROM users WHERE branch_id = ? AND role = 'account_manager'`, res.BranchID).Error; err != nil {
		b.Fatal(err)
	}
	dir, err := a.Org.Store().UserByID(ctx, res.DirectorID)
	if err != nil {
		b.Fatal(err)
	}
	me := dir.Subject()
	m, _ := targets.ParseMonth("2026-11", loc)
	g, err := a.Targets.Grid(ctx, me, m, "visits", true)
	if err != nil {
		b.Fatal(err)
	}
	if len(g.Rows) != 600 || g.Rows[0].Lines[0].Actual == 0 {
		b.Fatalf("grid: %d rows, first %+v", len(g.Rows), g.Rows[0].Lines[0])
	}
	if testing.Verbose() {
		explainActuals(b, a, res.BranchID, res.ManagerIDs, m)
	}
	b.Run("service", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Targets.Grid(ctx, me, m, "visits", true); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The parts, to see where the time goes.
	b.Run("members", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Targets.Members(ctx, me); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("actuals", func(b *testing.B) {
		for b.Loop() {
			if _, err := a.Targets.Actuals(ctx, me, res.ManagerIDs, m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page", func(b *testing.B) {
		// A session for the director, as the login page would make it.
		if err := d.Gorm.Exec("UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE username = 'wangjianguo') WHERE id = ?", res.DirectorID).Error; err != nil {
			b.Fatal(err)
		}
		c := testkit.NewClient(b, a.Server.App)
		c.Login(dir.Username, org.DemoPassword)
		req := httptest.NewRequest("GET", "/targets?month=2026-11&sort=visits&dir=desc", nil)
		for b.Loop() {
			r := c.Do(req.Clone(ctx))
			if r.Status != 200 || !strings.Contains(r.Body, "压测经理") {
				b.Fatalf("page: %d", r.Status)
			}
		}
	})
}

// explainActuals logs the plans of the four actuals queries as the
// store runs them for the director (customer scope: the branch).
func explainActuals(b *testing.B, a *app, branchID uint, owners []uint, m targets.Month) {
	from, to := m.Start().UTC(), m.End().UTC()
	queries := map[string]string{
		"visits": `SELECT visit_plans.owner_id, COUNT(*), SUM(CASE WHEN customers.grade IN ('A','B') THEN 1 ELSE 0 END)
			FROM visit_plans JOIN customers ON customers.id = visit_plans.customer_id AND customers.deleted_at IS NULL
			WHERE visit_plans.deleted_at IS NULL AND visit_plans.status = 'done' AND visit_plans.starts_at >= ? AND visit_plans.starts_at < ?
			  AND visit_plans.owner_id IN ? AND customers.branch_id = ? GROUP BY visit_plans.owner_id`,
		"contacts": `SELECT contacts.created_by, COUNT(*) FROM contacts JOIN customers ON customers.id = contacts.customer_id AND customers.deleted_at IS NULL
			WHERE contacts.deleted_at IS NULL AND contacts.created_at >= ? AND contacts.created_at < ? AND contacts.created_by IN ? AND customers.branch_id = ?
			GROUP BY contacts.created_by`,
		"won": `SELECT opportunities.owner_id, COUNT(*), COALESCE(SUM(opportunities.monthly_fen), 0) FROM opportunities
			JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL
			WHERE opportunities.deleted_at IS NULL AND opportunities.stage = 'won' AND opportunities.stage_changed_at >= ? AND opportunities.stage_changed_at < ?
			  AND opportunities.owner_id IN ? AND customers.branch_id = ? GROUP BY opportunities.owner_id`,
		"proposals": `SELECT proposals.owner_id, COUNT(DISTINCT proposals.number) FROM proposals
			JOIN customers ON customers.id = proposals.customer_id AND customers.deleted_at IS NULL
			WHERE proposals.deleted_at IS NULL AND proposals.sent_at >= ? AND proposals.sent_at < ? AND proposals.owner_id IN ? AND customers.branch_id = ?
			GROUP BY proposals.owner_id`,
	}
	for _, name := range []string{"visits", "contacts", "won", "proposals"} {
		var plan []string
		if err := a.DB.Gorm.Raw("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+queries[name], from, to, owners, branchID).Scan(&plan).Error; err != nil {
			b.Fatal(err)
		}
		b.Logf("%s actuals plan:\n%s", name, strings.Join(plan, "\n"))
	}
}
