package main

import (
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestConcurrentPagesRender: home pages (a layout render with panels
// rendered as fragments) in parallel never fail. With the html engine's
// shared layout function, a fragment rendered without a layout set it to
// nil while another page was executing its layout: "call of nil function",
// a 500 about once in two hundred requests at three connections (web.views
// now renders every template through a layout, under the engine's lock).
func TestConcurrentPagesRender(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	const workers, rounds = 8, 40
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds)
	for w := range workers {
		c := loggedIn(t, a, []string{"admin", "wangjianguo", "zhaomin", "liwei"}[w%4])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if res := c.Get("/"); res.Status != 200 {
					errs <- res.Body
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for body := range errs {
		if n == 0 {
			t.Errorf("a home page failed: %.300s", body)
		}
		n++
	}
	if n > 0 {
		t.Fatalf("%d of %d home pages failed", n, workers*rounds)
	}
}
