package targets

import (
	"context"
	"testing"

	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestSeedDemo: every demo manager has seven months of targets, and the
// reviews come in every state, with a reason and an improvement on missed
// lines of the submitted ones; a second run adds nothing.
func TestSeedDemo(t *testing.T) {
	w := newWorld(t, testkit.SQLite(t))
	ctx := context.Background()
	w.visit("liwei", w.custA["liwei"], w.now.AddDate(0, -1, 0), "done")
	tg, rv, err := w.svc.SeedDemo(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if tg != 14*7 || rv < 14*5 {
		t.Fatalf("targets %d, reviews %d", tg, rv)
	}
	var states []struct {
		Status string
		N      int
	}
	w.d.Gorm.Raw("SELECT status, COUNT(*) AS n FROM monthly_reviews GROUP BY status").Scan(&states)
	if len(states) != 4 {
		t.Fatalf("review states: %+v", states)
	}
	var bad int64
	w.d.Gorm.Raw(`SELECT COUNT(*) FROM review_lines JOIN monthly_reviews ON monthly_reviews.id = review_lines.review_id
		WHERE monthly_reviews.status <> 'draft' AND review_lines.target > review_lines.actual AND (review_lines.reason = '' OR review_lines.note = '')`).Scan(&bad)
	if bad != 0 {
		t.Fatalf("%d missed lines of submitted reviews without reason or note", bad)
	}
	var reasons int64
	w.d.Gorm.Raw("SELECT COUNT(DISTINCT reason) FROM review_lines WHERE reason <> ''").Scan(&reasons)
	if reasons != 4 {
		t.Fatalf("reasons used: %d, want A–D", reasons)
	}
	if tg2, _, _ := w.svc.SeedDemo(ctx, 2026); tg2 != 0 {
		t.Fatal("second run seeded again")
	}
}
