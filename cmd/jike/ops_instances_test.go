package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/migrations"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/jobs"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/goosemigrator"
)

// sharedPostgres returns the URL of a fresh, migrated PostgreSQL database
// of the throwaway cluster, for tests that open it more than once (several
// instances) or hand it to a command.
func sharedPostgres(t *testing.T) string {
	t.Helper()
	fsys, err := migrations.For(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	return pgtestdb.Custom(t, testkit.PostgresConfig(t), goosemigrator.New(".", goosemigrator.WithFS(fsys))).URL()
}

// emptyPostgres returns the URL of a fresh PostgreSQL database with no
// tables at all (a restore's or a data move's target).
func emptyPostgres(t *testing.T) string {
	t.Helper()
	return pgtestdb.Custom(t, testkit.PostgresConfig(t), pgtestdb.NoopMigrator{}).URL()
}

// openURL opens url as its own pool: a second pool on one database is what
// a second `jike serve` process is to PostgreSQL.
func openURL(t *testing.T, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// TestSeveralInstancesOnePostgres: two app instances, each with its own
// connection pool, on one PostgreSQL database behave as one: a session and
// its CSRF token made on one are good on the other; the sign-in rate limit
// and the wrong-password throttle earned on one hold on the other; a
// scheduled job that both runners find due runs once.
func TestSeveralInstancesOnePostgres(t *testing.T) {
	t.Parallel()
	url0 := sharedPostgres(t)
	const loginRate = 10
	clk := &testClock{t: time.Now().UTC()}
	mk := func() *app {
		return newTestApp(t, openURL(t, url0), func(o *appOptions) {
			o.LoginRate, o.Now = loginRate, clk.now
			o.TrustedProxies = []string{"0.0.0.0/0", "::/0"}
		})
	}
	a, b := mk(), mk()

	t.Run("session and CSRF", func(t *testing.T) {
		c := loggedIn(t, a, "liwei")
		c.SetApp(b.Server.App)
		if res := c.Get("/"); res.Status != http.StatusOK || !strings.Contains(res.Body, "李伟") {
			t.Fatalf("the session made on A is not good on B: %d", res.Status)
		}
		// A form post on B with the token A's page carried.
		c.SetApp(a.Server.App)
		c.Get("/account/password")
		c.SetApp(b.Server.App)
		res := c.PostForm("/lang", url.Values{"lang": {"en"}})
		if res.Status >= 400 {
			t.Fatalf("a post on B with A's CSRF token: %d", res.Status)
		}
		c.SetApp(a.Server.App)
		if res := c.PostForm("/logout", nil); res.Status != http.StatusSeeOther {
			t.Fatalf("logout on A: %d", res.Status)
		}
		c.SetApp(b.Server.App)
		if res := c.Get("/"); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/login") {
			t.Fatalf("after logout on A, B still serves the session: %d %s", res.Status, res.Location())
		}
	})

	t.Run("sign-in rate limit", func(t *testing.T) {
		// The limit counts loginRate posts a minute from one address,
		// whichever instance gets them (the clock stands still).
		c := loggedIn(t, a, "")
		c.Get("/login")
		codes := []int{}
		for i := 0; i < loginRate+1; i++ {
			c.SetApp([]*app{a, b}[i%2].Server.App)
			res := postFrom(c, "192.0.2.1", "/login", url.Values{"username": {"nobody-" + itoa(uint(i))}, "password": {"wrong-pass1"}})
			codes = append(codes, res.Status)
		}
		for i, code := range codes[:loginRate] {
			if code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401 (codes %v)", i+1, code, codes)
			}
		}
		if codes[loginRate] != http.StatusTooManyRequests {
			t.Fatalf("attempt %d, over the limit across both instances: %d, want 429 (codes %v)", loginRate+1, codes[loginRate], codes)
		}
	})

	t.Run("wrong-password throttle", func(t *testing.T) {
		const attackerIP = "203.0.113.7"
		attacker := loggedIn(t, a, "")
		attacker.Get("/login")
		for i := 0; i < org.FreeFailures+1; i++ {
			if res := postFrom(attacker, attackerIP, "/login", url.Values{"username": {"zhangjing"}, "password": {"wrong-pass1"}}); res.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d on A: %d", i+1, res.Status)
			}
		}
		attacker.SetApp(b.Server.App)
		res := postFrom(attacker, attackerIP, "/login", url.Values{"username": {"zhangjing"}, "password": {org.DemoPassword}})
		if res.Status != http.StatusUnauthorized {
			t.Fatalf("the right password on B while A's throttle holds: %d, want 401", res.Status)
		}
		st, err := b.Org.Throttled(t.Context(), "zhangjing")
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Waiting) == 0 {
			t.Fatal("B does not see the throttle A recorded")
		}
	})

	t.Run("job runs once", func(t *testing.T) {
		var runs atomic.Int32
		job := jobs.Job{Name: "ops.test", Schedule: "@every 1h", Run: func(context.Context, time.Time) error {
			runs.Add(1)
			time.Sleep(50 * time.Millisecond) // overlap the other runner's tick
			return nil
		}}
		a.Jobs.MustRegister(job)
		b.Jobs.MustRegister(job)
		ctx := t.Context()
		// The first tick creates the row, due in an hour.
		if _, err := a.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		for round := 1; round <= 3; round++ {
			clk.add(time.Hour + time.Minute)
			var wg sync.WaitGroup
			for _, x := range []*app{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := x.Jobs.RunDue(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if n := runs.Load(); n != int32(round) {
				t.Fatalf("after %d due times and both runners ticking: %d runs", round, n)
			}
		}
	})
}
