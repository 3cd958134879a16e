package par

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// meeting counts the calls running at once and lets the first k of them
// wait until all k have started (one after the other they would time
// out).
type meeting struct {
	mu      sync.Mutex
	running int
	most    int
	seen    map[int]int
	arrived int
	k       int
	all     chan struct{}
}

func newMeeting(k int) *meeting { return &meeting{k: k, all: make(chan struct{}), seen: map[int]int{}} }

func (m *meeting) call(i int) error {
	m.mu.Lock()
	m.running++
	m.most = max(m.most, m.running)
	m.seen[i]++
	m.arrived++
	if m.arrived == m.k {
		close(m.all)
	}
	m.mu.Unlock()
	defer func() { m.mu.Lock(); m.running--; m.mu.Unlock() }()
	select {
	case <-m.all:
		return nil
	case <-time.After(3 * time.Second):
		return errors.New("not run at once")
	}
}

// TestEachAtOnce: with budget to spare, up to limit calls run at once
// (the first limit wait for each other), never more, every i once, and
// the budget is whole again after.
func TestEachAtOnce(t *testing.T) {
	const n, limit = 10, 3
	s := NewSpare(8)
	m := newMeeting(limit)
	if err := s.Each(n, limit, m.call); err != nil {
		t.Fatal(err)
	}
	if m.most != limit {
		t.Fatalf("at most %d at once, want %d", m.most, limit)
	}
	for i := range n {
		if m.seen[i] != 1 {
			t.Fatalf("fn(%d) called %d times", i, m.seen[i])
		}
	}
	if len(s.tokens) != 0 {
		t.Fatalf("%d goroutines of the budget not given back", len(s.tokens))
	}
}

// TestEachWithinTheBudget: a call gets only what the budget has left
// (here one goroutine beside its own), and with the budget spent, or no
// budget, everything runs on the caller's goroutine, in order.
func TestEachWithinTheBudget(t *testing.T) {
	s := NewSpare(1)
	m := newMeeting(2)
	if err := s.Each(6, 4, m.call); err != nil {
		t.Fatal(err)
	}
	if m.most != 2 {
		t.Fatalf("at most %d at once with one spare goroutine, want 2", m.most)
	}
	s.tokens <- struct{}{} // another request holds the budget
	for _, sp := range []*Spare{s, nil, NewSpare(0)} {
		var order []int
		if err := sp.Each(4, 4, func(i int) error { order = append(order, i); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(order) != 4 || order[0] != 0 || order[3] != 3 {
			t.Fatalf("order %v", order)
		}
	}
}

// TestEachErrorsAndPanics: the errors come back joined in index order, a
// panic as an error naming it, and every i still runs.
func TestEachErrorsAndPanics(t *testing.T) {
	for _, limit := range []int{1, 4} {
		var mu sync.Mutex
		ran := 0
		err := NewSpare(4).Each(5, limit, func(i int) error {
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
	if err := NewSpare(4).Each(0, 4, func(int) error { return errors.New("called") }); err != nil {
		t.Fatal(err)
	}
}
