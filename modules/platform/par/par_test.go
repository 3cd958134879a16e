package par

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEachAtOnce: up to limit calls run at once (each of the first limit
// waits until all of them started; one after the other they would time
// out), never more, and every i is called once.
func TestEachAtOnce(t *testing.T) {
	const n, limit = 10, 3
	var mu sync.Mutex
	running, most := 0, 0
	seen := make([]int, n)
	started := make(chan struct{}, n)
	all := make(chan struct{})
	var once sync.Once
	err := Each(n, limit, func(i int) error {
		mu.Lock()
		running++
		most = max(most, running)
		seen[i]++
		mu.Unlock()
		defer func() { mu.Lock(); running--; mu.Unlock() }()
		started <- struct{}{}
		if len(started) >= limit {
			once.Do(func() { close(all) })
		}
		select {
		case <-all:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("not run at once")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if most != limit {
		t.Fatalf("at most %d at once, want %d", most, limit)
	}
	for i, k := range seen {
		if k != 1 {
			t.Fatalf("fn(%d) called %d times", i, k)
		}
	}
}

// TestEachErrorsAndPanics: the errors come back joined in index order, a
// panic as an error naming it, and every i still runs.
func TestEachErrorsAndPanics(t *testing.T) {
	for _, limit := range []int{1, 4} {
		var mu sync.Mutex
		ran := 0
		err := Each(5, limit, func(i int) error {
			mu.Lock()
			ran++
			mu.Unlock()
			switch i {
			case 1:
				return errors.New("one failed")
			case 3:
				panic("three panicked")
			}
			return nil
		})
		if ran != 5 {
			t.Fatalf("limit %d: %d calls ran", limit, ran)
		}
		if err == nil {
			t.Fatalf("limit %d: no error", limit)
		}
		msg := err.Error()
		if !strings.Contains(msg, "one failed") || !strings.Contains(msg, "panic: three panicked") ||
			strings.Index(msg, "one failed") > strings.Index(msg, "three panicked") {
			t.Fatalf("limit %d: %s", limit, msg)
		}
	}
	if err := Each(0, 4, func(int) error { return errors.New("called") }); err != nil {
		t.Fatal(err)
	}
}

// TestEachSequential: with a limit of 1 the calls run on the caller's
// goroutine in order (a transaction's statements).
func TestEachSequential(t *testing.T) {
	var order []int
	if err := Each(4, 1, func(i int) error { order = append(order, i); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(order) != 4 || order[0] != 0 || order[3] != 3 {
		t.Fatalf("order %v", order)
	}
}
