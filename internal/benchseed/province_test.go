package benchseed

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestFillProvince makes a two-manager province on each database: the
// counts are Expect()'s, the same seed makes the same records, two
// provinces with other codes fit in one database, and every open
// opportunity's stage history ends in its stage.
func TestFillProvince(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		end := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		spec := ProvinceScale(2)
		spec.End = end
		p, err := FillProvince(ctx, d.Gorm, spec)
		if err != nil {
			t.Fatal(err)
		}
		want := spec.Expect()
		got := p.Counts
		got.StageChanges = 0
		if got != want {
			t.Errorf("counts %+v, want %+v", got, want)
		}
		if len(p.Branches) != 1 || len(p.Branches[0].ManagerIDs) != 2 || p.Branches[0].DirectorID == 0 {
			t.Errorf("result %+v", p.Branches)
		}
		sum := func(q string, args ...any) int64 {
			var n int64
			if err := d.Gorm.Raw(q, args...).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := sum(`SELECT COUNT(*) FROM opportunities o WHERE o.stage <> (SELECT s.to_stage FROM stage_changes s WHERE s.opportunity_id = o.id ORDER BY s.at DESC, s.id DESC LIMIT 1)`); n != 0 {
			t.Errorf("%d opportunities whose history does not end in their stage", n)
		}
		first := sum(`SELECT COALESCE(SUM(monthly_fen), 0) FROM opportunities`)
		spec.Code = "AGAIN"
		if _, err := FillProvince(ctx, d.Gorm, spec); err != nil {
			t.Fatalf("a second province: %v", err)
		}
		if total := sum(`SELECT COALESCE(SUM(monthly_fen), 0) FROM opportunities`); total != 2*first {
			t.Errorf("the same seed made other values: %d then %d", first, total-first)
		}
		if _, err := FillProvince(ctx, d.Gorm, spec); err == nil {
			t.Error("a province code used twice was accepted")
		}
	})
}
