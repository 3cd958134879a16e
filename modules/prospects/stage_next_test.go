package prospects

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestStageChangesKnowTheirNext: each stage change's next_at and
// next_stage (migration 00051, kept by the database for the velocity
// report) are those of its opportunity's next change in (at, id) order —
// after changes written now, back-dated ones, changes at the same
// instant, and deletions — on both databases, compared with the window
// function the report used to number them with.
func TestStageChangesKnowTheirNext(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		st := w.svc.store
		c := w.customer(t, "liwei", "松花江冷链物流有限公司")
		now := time.Now().UTC().Truncate(time.Second)
		var opps []uint
		for i := range 3 {
			w.addOpp(t, c, Stages[i], money.Fen(10_000*(i+1)), now)
		}
		if err := d.Gorm.Raw("SELECT id FROM opportunities ORDER BY id").Scan(&opps).Error; err != nil || len(opps) < 3 {
			t.Fatalf("opportunities %v: %v", opps, err)
		}
		check := func(step string) {
			t.Helper()
			type row struct {
				ID        uint
				NextAt    *time.Time
				NextStage *string
				WantAt    *time.Time
				WantStage *string
			}
			var rows []row
			if err := d.Gorm.Raw(`SELECT sc.id, sc.next_at, sc.next_stage, w.want_at, w.want_stage FROM stage_changes sc JOIN (
				SELECT id, LEAD(at) OVER o AS want_at, LEAD(to_stage) OVER o AS want_stage
				FROM stage_changes WINDOW o AS (PARTITION BY opportunity_id ORDER BY at, id)) w ON w.id = sc.id ORDER BY sc.id`).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			linked := 0
			for _, r := range rows {
				same := (r.NextAt == nil) == (r.WantAt == nil) && (r.NextAt == nil || r.NextAt.Equal(*r.WantAt)) &&
					fmt.Sprint(deref(r.NextStage)) == fmt.Sprint(deref(r.WantStage))
				if !same {
					t.Errorf("%s: change %d's next is %v %q; its opportunity's next is %v %q", step, r.ID, r.NextAt, deref(r.NextStage), r.WantAt, deref(r.WantStage))
				}
				if r.WantAt != nil {
					linked++
				}
			}
			if linked == 0 {
				t.Fatalf("%s: no change has a next: the test proves nothing", step)
			}
		}
		r := rand.New(rand.NewPCG(51, 1))
		add := func(opp uint, at time.Time) {
			t.Helper()
			if err := st.AddStageChange(ctx, &StageChange{OpportunityID: opp, FromStage: "identified", ToStage: Stages[r.IntN(len(Stages))], ByID: c.OwnerID, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 12 { // written as they happen
			add(opps[i%3], now.Add(time.Duration(i)*time.Hour))
		}
		check("in order")
		for range 12 { // back-dated, some at an instant already taken
			add(opps[r.IntN(3)], now.Add(time.Duration(r.IntN(24)-6)*time.Hour))
		}
		check("back-dated")
		for range 6 {
			if err := d.Gorm.Exec("DELETE FROM stage_changes WHERE id = (SELECT id FROM stage_changes ORDER BY (id * 7) % 13, id LIMIT 1)").Error; err != nil {
				t.Fatal(err)
			}
		}
		check("after deletions")
	})
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
