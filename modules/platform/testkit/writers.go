package testkit

import (
	"fmt"
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

// EachWrite applies each of writes on g in turn, times(i) times (with
// r's random choices), and calls after once each kind is done, named
// "write i": kept counts are checked after every kind of write alone
// before ConcurrentWrites mixes them.
func EachWrite(t testing.TB, g *gorm.DB, r *rand.Rand, writes []func(tx *gorm.DB, r *rand.Rand) error, times func(i int) int, after func(step string)) {
	t.Helper()
	for i, wr := range writes {
		for range times(i) {
			if err := wr(g, r); err != nil {
				t.Fatal(err)
			}
		}
		after(fmt.Sprintf("write %d", i))
	}
}

// CustomerMoves are the writes of a customer that move what is kept
// counted per its branch and team: one of custs moved to another of
// branches, to another of teams, deleted, restored — in that order, so
// that a caller appending them has the deletion second to last. Kept
// counts of a customer's rows are checked against each with EachWrite
// and ConcurrentWrites.
func CustomerMoves(custs, branches, teams []uint) []func(tx *gorm.DB, r *rand.Rand) error {
	pick := func(r *rand.Rand, ids []uint) uint { return ids[r.IntN(len(ids))] }
	return []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return tx.Exec("UPDATE customers SET branch_id = ? WHERE id = ?", pick(r, branches), pick(r, custs)).Error
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return tx.Exec("UPDATE customers SET team_id = ? WHERE id = ?", pick(r, teams), pick(r, custs)).Error
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return tx.Exec("UPDATE customers SET deleted_at = now() WHERE id = ?", pick(r, custs)).Error
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return tx.Exec("UPDATE customers SET deleted_at = NULL, name = name WHERE id = ?", pick(r, custs)).Error
		},
	}
}
