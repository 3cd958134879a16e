package testkit

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
)

// ConcurrentWrites runs four writers at once on g, each committing 30
// transactions of two calls of step (random writes chosen with the
// writer's own generator, seeded from seed), and returns when all are
// done. The kept counts and sums that triggers maintain are checked
// against their rows with it: transactions touching the same rows in
// either order. A transaction the database gives up to break a deadlock
// (or SQLite's lock) is no failure — nothing of it stays; any other
// error fails t.
func ConcurrentWrites(t testing.TB, g *gorm.DB, seed uint64, step func(tx *gorm.DB, r *rand.Rand) error) {
	t.Helper()
	var writers sync.WaitGroup
	for wi := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			r := rand.New(rand.NewPCG(uint64(wi), seed))
			for range 30 {
				err := g.Transaction(func(tx *gorm.DB) error {
					for range 2 {
						if err := step(tx, r); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil && !strings.Contains(err.Error(), "deadlock") && !strings.Contains(err.Error(), "locked") {
					t.Errorf("writer %d: %v", wi, err)
					return
				}
			}
		}()
	}
	writers.Wait()
}
