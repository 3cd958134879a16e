package visits

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestDayIndex: the month calendar's day of a visit, found by nested
// CASEs, is the day whose bounds hold it — for the first and the last
// second of each day of months of 1, 2, 28, 35 and 42 days, in SQL on
// both databases.
func TestDayIndex(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Gorm.Exec("CREATE TABLE day_probe (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL, want INTEGER NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
		for _, days := range []int{1, 2, 28, 35, 42} {
			if err := d.Gorm.Exec("DELETE FROM day_probe").Error; err != nil {
				t.Fatal(err)
			}
			first := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
			var bounds []time.Time
			for i := 0; i <= days; i++ {
				bounds = append(bounds, first.AddDate(0, 0, i).UTC())
			}
			id := 0
			for i := 0; i < days; i++ {
				for _, at := range []time.Time{bounds[i], bounds[i+1].Add(-time.Second)} {
					id++
					if err := d.Gorm.Exec("INSERT INTO day_probe (id, at, want) VALUES (?, ?, ?)", id, at, i).Error; err != nil {
						t.Fatal(err)
					}
				}
			}
			var expr strings.Builder
			var vars []any
			dayIndex(&expr, &vars, "day_probe.at", bounds, 0, days-1)
			var rows []struct {
				ID, Want, Got int
			}
			if err := d.Gorm.WithContext(ctx).Table("day_probe").Select("id, want, "+expr.String()+" AS got", vars...).Order("id").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2*days {
				t.Fatalf("%d days: %d probes read, want %d", days, len(rows), 2*days)
			}
			for _, r := range rows {
				if r.Got != r.Want {
					t.Errorf("%d days: probe %d on day %d, the SQL says %d", days, r.ID, r.Want, r.Got)
				}
			}
		}
	})
}
