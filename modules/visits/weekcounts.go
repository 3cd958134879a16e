package visits

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// KeepWeekCounts makes PostgreSQL's kept visit counts per manager and
// week piece (visit_week_counts, migration 00050) count in loc, the
// portal's zone: when the zone they were counted in is another, it is set
// to loc and the counts are made again from the visits (a few seconds at
// a province's million visits; writers wait for it). It reports whether
// the counts may be read as loc's. They may not on SQLite, which keeps
// none; without a zone (a command that serves no report); and in a zone
// PostgreSQL does not know by loc's name with loc's offsets (a fixed zone
// named "CST" is US Central there). Readers then count the visits.
//
// Every portal on one database must run in one zone: the last one started
// sets it.
func (s *Store) KeepWeekCounts(ctx context.Context, loc *time.Location) (bool, error) {
	if s.db.Dialector.Name() != db.Postgres || loc == nil {
		return false, nil
	}
	conn := s.db.WithContext(ctx)
	name := loc.String()
	if !s.sameOffsets(ctx, name, loc) {
		return false, nil
	}
	var zone string
	if err := conn.Raw("SELECT zone FROM visit_week_zone WHERE id = 1").Scan(&zone).Error; err != nil {
		return false, fmt.Errorf("visit week zone: %w", err)
	}
	if zone == name {
		return true, nil
	}
	err := conn.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE visit_week_zone SET zone = ? WHERE id = 1", name).Error; err != nil {
			return err
		}
		return tx.Exec("SELECT jike_refresh_visit_week_counts()").Error
	})
	if err != nil {
		return false, fmt.Errorf("visit week counts in %s: %w", name, err)
	}
	return true, nil
}

// sameOffsets tells whether PostgreSQL's zone name has loc's UTC offsets
// at a winter and a summer instant of three years (any daylight saving
// shows) and now.
func (s *Store) sameOffsets(ctx context.Context, name string, loc *time.Location) bool {
	instants := []time.Time{time.Now().UTC()}
	for _, y := range []int{2000, 2020, 2030} {
		instants = append(instants, time.Date(y, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(y, 7, 15, 12, 0, 0, 0, time.UTC))
	}
	for _, t := range instants {
		var off float64
		// An unknown name is an error here: not the same.
		err := s.db.WithContext(ctx).Raw("SELECT EXTRACT(EPOCH FROM (CAST(? AS timestamptz) AT TIME ZONE ?) - (CAST(? AS timestamptz) AT TIME ZONE 'UTC'))",
			t, name, t).Row().Scan(&off)
		if err != nil {
			return false
		}
		if _, want := t.In(loc).Zone(); int(off) != want {
			return false
		}
	}
	return true
}
