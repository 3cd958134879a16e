package main

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// TestWarmPagesReadOnlyTheSession: a main page looked at again with
// nothing written between runs one statement, the session's, which reads
// the data versions too (db.MemoVersionsColumn) — every value the page
// shows is kept under those versions (issue 19: two statements a page
// before, the session and the versions). For every role of the demo, on
// both databases; the best of three looks, since the home page's panels
// are made again when the minute turns.
func TestWarmPagesReadOnlyTheSession(t *testing.T) {
	t.Parallel()
	pages := []string{"/", "/pipeline", "/customers", "/customers?q=" + url.QueryEscape("科技"), "/opportunities",
		"/proposals", "/visits?who=scope", "/visits/calendar?mode=week&who=scope",
		"/visits/calendar?mode=month&who=scope", "/account/password"}
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		var mu sync.Mutex
		var ran []string
		afterReads(t, a.DB, "warm_pages_test:record", func(tx *gorm.DB) {
			if tx.DryRun || tx.Statement == nil || tx.Statement.SQL.Len() == 0 {
				return
			}
			mu.Lock()
			ran = append(ran, tx.Statement.SQL.String())
			mu.Unlock()
		})
		during := func(f func()) []string {
			mu.Lock()
			ran = nil
			mu.Unlock()
			f()
			mu.Lock()
			defer mu.Unlock()
			return append([]string(nil), ran...)
		}
		for _, user := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
			c := loggedIn(t, a, user)
			for _, p := range pages {
				if r := c.Get(p); r.Status != 200 {
					t.Fatalf("%s %s: %d", user, p, r.Status)
				}
				var best []string
				for range 3 {
					got := during(func() { c.Get(p) })
					if best == nil || len(got) < len(best) {
						best = got
					}
				}
				if len(best) != 1 || !strings.Contains(best[0], "sessions") || !strings.Contains(best[0], "cache_versions") {
					t.Errorf("%s %s warm: %d statements, want the session's alone (reading the versions):\n%s",
						user, p, len(best), strings.Join(best, "\n"))
				}
			}
		}
	})
}
