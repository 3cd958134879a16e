package aftersale

import (
	"testing"
	"time"
)

// TestLatestDueBy: for every day of two years around month ends and leap
// days and every frequency the settings allow, a last contact is due by
// the day (AddMonths(last, m) ≤ day) exactly when it is at most
// LatestDueBy(day, m) — the care list reads only those.
func TestLatestDueBy(t *testing.T) {
	start := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for day := start; day.Before(start.AddDate(2, 0, 0)); day = day.AddDate(0, 0, 1) {
		for m := 1; m <= maxFrequency; m++ {
			cut := LatestDueBy(day, m)
			for last := AddMonths(day, -m).AddDate(0, 0, -5); !last.After(AddMonths(day, -m).AddDate(0, 0, 5)); last = last.AddDate(0, 0, 1) {
				due := !AddMonths(last, m).After(day)
				if within := !last.After(cut); due != within {
					t.Fatalf("day %s, %d months: last %s due %v, LatestDueBy %s", day.Format(time.DateOnly), m, last.Format(time.DateOnly), due, cut.Format(time.DateOnly))
				}
			}
		}
	}
}
