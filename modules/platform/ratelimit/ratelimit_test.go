package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestLimitPerBucketAndWindow: the limit holds per bucket and window, a
// new window starts again, and two limiters on the same database (two
// instances) share the count.
func TestLimitPerBucketAndWindow(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 10, 9, 0, 5, 0, time.UTC)
		clock := func() time.Time { return now }
		a, b := New(d.Gorm), New(d.Gorm)
		a.SetClock(clock)
		b.SetClock(clock)
		rule := Rule{Limit: 3, Window: time.Minute}
		var got []bool
		for i := 0; i < 5; i++ {
			l := a
			if i%2 == 1 {
				l = b
			}
			ok, err := l.Allow(ctx, "dupcheck:1", rule)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ok)
		}
		if want := []bool{true, true, true, false, false}; !equal(got, want) {
			t.Fatalf("allowed %v, want %v", got, want)
		}
		if ok, _ := a.Allow(ctx, "dupcheck:2", rule); !ok {
			t.Fatal("another user's bucket is separate")
		}
		now = now.Add(time.Minute)
		if ok, _ := a.Allow(ctx, "dupcheck:1", rule); !ok {
			t.Fatal("a new window starts from zero")
		}
		// Old windows are swept.
		now = now.Add(48 * time.Hour)
		if _, err := a.Allow(ctx, "other", rule); err != nil {
			t.Fatal(err)
		}
		var n int64
		d.Gorm.Model(&Counter{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d counters left, want 1", n)
		}
	})
}

// TestConcurrentHitsAreCounted: simultaneous checks never let more than
// the limit through.
func TestConcurrentHitsAreCounted(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		l := New(d.Gorm)
		// A stopped clock: on the wall clock an hour could end during the
		// burst and let more than five through.
		now := time.Date(2026, 3, 10, 9, 59, 59, 900_000_000, time.UTC)
		l.SetClock(func() time.Time { return now })
		rule := Rule{Limit: 5, Window: time.Hour}
		var mu sync.Mutex
		allowed := 0
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := l.Allow(context.Background(), "burst", rule)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if allowed != 5 {
			t.Fatalf("%d allowed, want 5", allowed)
		}
	})
}

func equal(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
