// Package par runs the independent reads of one request at once: the
// panels of a home page, the columns of a board. On two cores with the
// database beside the server, a page that waits for a dozen statements
// one after the other spends most of its time waiting; a few at a time
// overlap the database's work with the server's.
package par

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// Each calls fn(i) for every i in [0, n), at most limit at a time, and
// returns once all have returned: their errors joined, in index order
// (nil when none failed). A panic in fn is returned as an error: a
// goroutine's panic would end the process, the server's recover only
// covers the request's own goroutine. With n or limit at most 1, fn runs
// on the caller's goroutine, one i after the other (a transaction's
// statements must not run at once on its one connection: callers in a
// transaction pass 1).
func Each(n, limit int, fn func(i int) error) error {
	errs := make([]error, n)
	call := func(i int) {
		defer func() {
			if r := recover(); r != nil {
				errs[i] = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		errs[i] = fn(i)
	}
	if n <= 1 || limit <= 1 {
		for i := range n {
			call(i)
		}
		return errors.Join(errs...)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, limit)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			call(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
