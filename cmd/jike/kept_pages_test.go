package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// keptPaths are the pages kept whole (web.Server.Keep), as every role
// opens them.
var keptPaths = []string{
	"/customers", "/customers?q=" + url.QueryEscape("科技"), "/customers?sort=name&dir=asc&size=5&page=2",
	"/opportunities", "/opportunities?stage=negotiation",
	"/visits/calendar", "/visits/calendar?mode=month", "/visits/calendar?mode=week&who=scope",
	"/visits/calendar?mode=month&who=scope",
	"/pipeline", "/pipeline?sort=close", "/proposals", "/visits", "/visits?who=scope", "/visits?who=scope&status=planned&size=5&page=2",
}

// TestKeptPagesExactAfterWrites: on both databases, the second look at
// each kept page of four roles is served whole from memory (nothing the
// page reads is outside the data versions), the same bytes as the first;
// and after a write in plain SQL to each kind of data these pages show —
// a customer's name, an opportunity's title, a visit's kind, an account
// manager's name — every page is what it would be built afresh (the same
// page under another key: a cookie it ignores), and the write shows.
func TestKeptPagesExactAfterWrites(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		// A clock that stands still: the board and the visit list are
		// kept to the minute (TestKeptCalendarFollowsTheClock moves it).
		o := demoSeedOptions()
		at := time.Now()
		o.Now = func() time.Time { return at }
		a, err := buildApp(d, o)
		if err != nil {
			t.Fatal(err)
		}
		users := []string{"liwei", "zhaomin", "wangjianguo", "admin"}
		clients := map[string]*testkit.Client{}
		for _, u := range users {
			clients[u] = loggedIn(t, a, u)
		}
		probe := 0
		// fresh builds the page again: another cookie is another key.
		fresh := func(u, p string) string {
			t.Helper()
			probe++
			req := httptest.NewRequest(http.MethodGet, p, nil)
			req.AddCookie(&http.Cookie{Name: "probe", Value: strconv.Itoa(probe)})
			r := clients[u].Do(req)
			if r.Status != http.StatusOK {
				t.Fatalf("%s %s afresh: %d", u, p, r.Status)
			}
			return r.Body
		}
		look := func(u, p string) string {
			t.Helper()
			r := clients[u].Get(p)
			if r.Status != http.StatusOK {
				t.Fatalf("%s %s: %d", u, p, r.Status)
			}
			return r.Body
		}
		before := map[string]string{}
		for _, u := range users {
			for _, p := range keptPaths {
				first := look(u, p)
				served, _, _ := a.Server.KeptPageLooks()
				second := look(u, p)
				if s, _, _ := a.Server.KeptPageLooks(); s != served+1 {
					t.Errorf("%s %s: the second look was built again, not served kept", u, p)
				}
				if second != first {
					t.Errorf("%s %s: the kept page differs from the one built", u, p)
				}
				before[u+" "+p] = second
			}
		}
		for _, w := range []struct {
			name, sql, shows string
			pages            []string // where the write must show
		}{
			{"a customer renamed", "UPDATE customers SET name = name || '改名'", "改名", []string{"/customers", "/opportunities", "/pipeline", "/proposals", "/visits"}},
			{"an opportunity retitled", "UPDATE opportunities SET title = title || '新题'", "新题", []string{"/opportunities", "/pipeline"}},
			{"a proposal retitled", "UPDATE proposals SET title = title || '新案'", "新案", []string{"/proposals"}},
			{"a visit's kind", "UPDATE visit_plans SET kind = 'complaint'", "", []string{"/visits/calendar?mode=week&who=scope", "/visits/calendar", "/visits"}},
			{"an account manager renamed", "UPDATE users SET name = name || '新名' WHERE username = 'liwei'", "新名", []string{"/customers", "/opportunities", "/pipeline", "/visits?who=scope"}},
		} {
			if err := d.Gorm.Exec(w.sql).Error; err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			changed := 0
			for _, u := range users {
				for _, p := range keptPaths {
					got, want := look(u, p), fresh(u, p)
					if got != want {
						t.Errorf("after %s, %s %s is not the page built afresh", w.name, u, p)
					}
					for _, sp := range w.pages {
						if sp == p && got != before[u+" "+p] && (w.shows == "" || strings.Contains(got, w.shows)) {
							changed++
						}
					}
					before[u+" "+p] = got
				}
			}
			if changed == 0 {
				t.Errorf("after %s no page shows it: the test writes nothing the pages show", w.name)
			}
		}
	})
}

// TestKeptCalendarFollowsTheClock: a kept calendar shows a planned visit
// becoming unprepared (a day before it starts, its checklist not done)
// and overdue (once it has ended) at the moment it does, as a page built
// afresh would, and is served kept in between.
func TestKeptCalendarFollowsTheClock(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		var v struct {
			ID          uint
			StartsAt    time.Time
			DurationMin int
		}
		if err := d.Gorm.Raw(`SELECT p.id, p.starts_at, p.duration_min FROM visit_plans p JOIN users u ON u.id = p.owner_id
			WHERE u.username = 'liwei' AND p.status = 'planned' AND p.deleted_at IS NULL AND p.chk_demo = ?
			ORDER BY p.starts_at, p.id LIMIT 1`, false).Scan(&v).Error; err != nil || v.ID == 0 {
			t.Fatalf("a planned visit of liwei's with its checklist not done: %v (id %d)", err, v.ID)
		}
		var mu sync.Mutex
		now := v.StartsAt.Add(-30 * time.Hour)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
		o := demoSeedOptions()
		o.Now, o.SessionTTL = clock, 30*24*time.Hour
		a, err := buildApp(d, o)
		if err != nil {
			t.Fatal(err)
		}
		c := loggedIn(t, a, "liwei")
		path := "/visits/calendar?date=" + v.StartsAt.UTC().Format("2006-01-02")
		anchor := `href="/visits/` + itoa(v.ID) + `"`
		classes := func(body string) string {
			i := strings.Index(body, anchor)
			if i < 0 {
				t.Fatalf("visit %d not on %s", v.ID, path)
			}
			j := strings.LastIndex(body[:i], `class="cal-visit`)
			return body[j:i]
		}
		probe := 0
		step := func(label string, at time.Time, want string) {
			t.Helper()
			set(at)
			got := c.Get(path)
			served, _, _ := a.Server.KeptPageLooks()
			again := c.Get(path)
			if s, _, _ := a.Server.KeptPageLooks(); s != served+1 || again.Body != got.Body {
				t.Errorf("%s: the second look was not the kept page", label)
			}
			probe++
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.AddCookie(&http.Cookie{Name: "probe", Value: strconv.Itoa(probe)})
			if fresh := c.Do(req); fresh.Body != got.Body {
				t.Errorf("%s: the kept page is not the page built afresh", label)
			}
			if cl := classes(got.Body); !strings.Contains(cl, want) || want == "" && (strings.Contains(cl, "unprepared") || strings.Contains(cl, "overdue")) {
				t.Errorf("%s: visit classes %q, want %q", label, cl, want)
			}
		}
		end := v.StartsAt.Add(time.Duration(v.DurationMin) * time.Minute)
		// Each moment right after one a minute earlier, on the same day: the
		// page kept then is still within its day when the flag changes.
		step("a day and a minute before", v.StartsAt.Add(-24*time.Hour-time.Minute), "")
		step("a day before", v.StartsAt.Add(-24*time.Hour).Add(time.Second), "unprepared")
		step("a minute before the end", end.Add(-time.Minute), "unprepared")
		step("after it ended", end.Add(time.Second), "overdue")
	})
}
