package db_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestVersionCacheSharesALoad: readers that miss the same key at the
// same versions while it is being loaded wait for that one load and get
// its value (the herd after a write: 32 users, one report); a load that
// fails leaves each waiter to load on its own, and a waiter whose
// request ends stops waiting.
func TestVersionCacheSharesALoad(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := d.Gorm
		get := func(c *db.VersionCache[int], ctx context.Context, load func(context.Context) (int, error)) (int, error) {
			return c.Get(ctx, g, "k", load)
		}
		const readers = 8
		run := func(c *db.VersionCache[int], load func(context.Context) (int, error), first func()) ([]int, []error) {
			vals, errs := make([]int, readers), make([]error, readers)
			var wg sync.WaitGroup
			for i := range readers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					vals[i], errs[i] = get(c, ctx, load)
				}()
				if i == 0 {
					first()
				}
			}
			wg.Wait()
			return vals, errs
		}

		// One load for eight readers.
		c := db.NewVersionCache[int](db.VersionVisits, 10)
		var loads atomic.Int32
		started, release := make(chan struct{}), make(chan struct{})
		load := func(context.Context) (int, error) {
			if loads.Add(1) == 1 {
				close(started)
				<-release
			}
			return 42, nil
		}
		vals, errs := run(c, load, func() {
			<-started
			go func() {
				// Until the others wait, or a second load shows they do not.
				for c.Waiting("k") < readers-1 && loads.Load() == 1 {
					runtime.Gosched()
				}
				close(release)
			}()
		})
		if n := loads.Load(); n != 1 {
			t.Fatalf("%d loads for %d readers at once, want 1", n, readers)
		}
		for i := range readers {
			if errs[i] != nil || vals[i] != 42 {
				t.Fatalf("reader %d: %d %v, want the shared value", i, vals[i], errs[i])
			}
		}

		// The first load fails: each waiter loads on its own.
		c = db.NewVersionCache[int](db.VersionVisits, 10)
		loads.Store(0)
		started, release = make(chan struct{}), make(chan struct{})
		boom := errors.New("the first reader's request was cancelled")
		failing := func(context.Context) (int, error) {
			if loads.Add(1) == 1 {
				close(started)
				<-release
				return 0, boom
			}
			return 7, nil
		}
		vals, errs = run(c, failing, func() {
			<-started
			go func() {
				// Until the others wait, or a second load shows they do not.
				for c.Waiting("k") < readers-1 && loads.Load() == 1 {
					runtime.Gosched()
				}
				close(release)
			}()
		})
		if !errors.Is(errs[0], boom) {
			t.Fatalf("the failed load's reader: %v, want its error", errs[0])
		}
		for i := 1; i < readers; i++ {
			if errs[i] != nil || vals[i] != 7 {
				t.Fatalf("waiter %d after the failed load: %d %v, want its own load's value", i, vals[i], errs[i])
			}
		}
		if n := loads.Load(); n != readers {
			t.Fatalf("%d loads, want 1 failed and %d of the waiters", n, readers-1)
		}

		// A waiter whose context ends stops waiting.
		c = db.NewVersionCache[int](db.VersionVisits, 10)
		started, release = make(chan struct{}), make(chan struct{})
		var first atomic.Bool
		slow := func(context.Context) (int, error) {
			if first.CompareAndSwap(false, true) {
				close(started)
				<-release
			}
			return 1, nil
		}
		done := make(chan error, 1)
		go func() { _, err := get(c, ctx, slow); done <- err }()
		<-started
		wctx, cancel := context.WithCancel(ctx)
		waited := make(chan error, 1)
		go func() { _, err := get(c, wctx, slow); waited <- err }()
		for c.Waiting("k") < 1 && len(waited) == 0 {
			runtime.Gosched()
		}
		cancel()
		if err := <-waited; !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled waiter: %v, want context.Canceled", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
