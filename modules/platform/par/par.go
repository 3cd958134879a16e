// Package par runs the independent reads of one request at once: the
// panels of a home page, the columns of a board. On two cores with the
// database beside the server, a page that waits for a dozen statements
// one after the other spends most of its time waiting; a few at a time
// overlap the database's work with the server's.
//
// Only with spare capacity: the goroutines a request adds come from one
// budget for the whole process (Spare), taken without waiting. When many
// requests are being served they are the parallelism already, the budget
// is spent, and each request's pieces run one after the other on its
// own goroutine as before; more goroutines would only queue for the same
// cores and connections.
package par

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Spare is the process's budget of goroutines added to requests. A nil
// *Spare has none: Each then runs everything on the caller's goroutine.
type Spare struct {
	tokens chan struct{}
}

// NewSpare makes a budget of n goroutines (n < 1: none).
func NewSpare(n int) *Spare {
	return &Spare{tokens: make(chan struct{}, max(n, 0))}
}

// DefaultSpare is the budget for this machine: two goroutines per core
// (a piece spends about half its time waiting for the database).
func DefaultSpare() *Spare { return NewSpare(2 * runtime.GOMAXPROCS(0)) }

// Each calls fn(i) for every i in [0, n) and returns once all have
// returned: their errors joined, in index order (nil when none failed).
// The caller's goroutine takes pieces one after the other, helped by up
// to limit-1 goroutines taken from the budget without waiting (none when
// it is spent). A panic in fn is returned as an error: a goroutine's
// panic would end the process, the server's recover only covers the
// request's own goroutine. Callers in a transaction pass limit 1 (a
// transaction's statements must not run at once on its one connection).
func (s *Spare) Each(n, limit int, fn func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						errs[i] = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
					}
				}()
				errs[i] = fn(i)
			}()
		}
	}
	var wg sync.WaitGroup
	if s != nil {
	take:
		for range min(limit, n) - 1 {
			select {
			case s.tokens <- struct{}{}:
				wg.Add(1)
				go func() {
					defer func() { <-s.tokens; wg.Done() }()
					work()
				}()
			default:
				break take // the budget is spent: the others are busy
			}
		}
	}
	work()
	wg.Wait()
	return errors.Join(errs...)
}
