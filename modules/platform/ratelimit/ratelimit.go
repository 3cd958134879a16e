// Package ratelimit counts actions per key in fixed time windows, in the
// database, so that every instance of the portal sharing it enforces one
// limit: a user cannot get N checks per instance by spreading requests
// over a load balancer.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Counter is one key's count in one window (table rate_limits).
type Counter struct {
	// Bucket names what is counted and for whom, e.g. "dupcheck:42".
	Bucket string `gorm:"primaryKey;size:200"`
	// WindowStart is the window's start in Unix seconds.
	WindowStart int64 `gorm:"primaryKey;autoIncrement:false"`
	Hits        int   `gorm:"not null"`
}

// TableName keeps the table name explicit.
func (Counter) TableName() string { return "rate_limits" }

// Models lists the package's GORM models, for the schema drift test.
func Models() []any { return []any{&Counter{}} }

// Rule is a limit: at most Limit actions per Window.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Limiter counts in the database.
type Limiter struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a limiter on db.
func New(db *gorm.DB) *Limiter {
	return &Limiter{db: db, now: time.Now}
}

// SetClock replaces the clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

// keep is how long old windows stay before they are swept.
const keep = 24 * time.Hour

// Allow counts one action for bucket and reports whether it is within the
// rule. A refused action still counts, so hammering does not help. Windows
// older than a day are swept on the way.
func (l *Limiter) Allow(ctx context.Context, bucket string, r Rule) (bool, error) {
	if r.Limit <= 0 || r.Window <= 0 {
		return true, nil
	}
	now := l.now().UTC()
	secs := int64(r.Window / time.Second)
	if secs < 1 {
		secs = 1
	}
	start := now.Unix() / secs * secs
	var hits int
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM rate_limits WHERE window_start < ?", now.Add(-keep).Unix()).Error; err != nil {
			return err
		}
		return tx.Raw(`INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
RETURNING hits`, bucket, start).Scan(&hits).Error
	})
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", bucket, err)
	}
	return hits <= r.Limit, nil
}
