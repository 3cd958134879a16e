package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
)

var (
	calCount = regexp.MustCompile(`href="/visits\?who=scope&amp;day=(\d{4}-\d\d-\d\d)&amp;(branch|team|owner)=(\d+)">[^<]* <strong>(\d+)</strong>`)
	listRow  = regexp.MustCompile(`<tr>\s*<td><a href="/visits/(\d+)">`)
)

// TestCalendarCountsAtScale: the director's and the admin's month and a
// chief rep's month show counts per day per team (per branch for the admin)
// (per person for the chief rep) instead of every visit (issue 19), each
// count a link to that day's list, which lists exactly that many visits;
// one's own calendar still lists the visits.
func TestCalendarCountsAtScale(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		for _, c := range []struct{ user, path, by string }{
			{"wangjianguo", "/visits/calendar?mode=month&who=scope", "team"},
			{"admin", "/visits/calendar?mode=month", "branch"},
			{"zhaomin", "/visits/calendar?mode=month&who=scope", "owner"},
		} {
			cl := loggedIn(t, a, c.user)
			res := cl.Get(c.path)
			if res.Status != 200 {
				t.Fatalf("%s as %s: %d", c.path, c.user, res.Status)
			}
			if strings.Contains(res.Body, `class="cal-visit`) {
				t.Errorf("%s as %s lists single visits", c.path, c.user)
			}
			counts := calCount.FindAllStringSubmatch(res.Body, -1)
			if len(counts) == 0 {
				t.Fatalf("%s as %s shows no counts:\n%.3000s", c.path, c.user, res.Body)
			}
			for _, m := range counts {
				if m[2] != c.by {
					t.Errorf("%s as %s counts by %s, want %s", c.path, c.user, m[2], c.by)
				}
				want, _ := strconv.Atoi(m[4])
				list := cl.Get("/visits?who=scope&size=100&day=" + m[1] + "&" + m[2] + "=" + m[3])
				if got := len(listRow.FindAllString(list.Body, -1)); list.Status != 200 || got != want {
					t.Errorf("%s as %s: %s %s=%s counts %d, its list shows %d (%d)", c.path, c.user, m[1], m[2], m[3], want, got, list.Status)
				}
			}
		}
		// A director drilling into another branch's day sees none of its
		// visits: the branch narrows the list, the scope still applies.
		var other uint
		if err := d.Gorm.Raw("SELECT branch_id FROM users WHERE username = 'liuzhiqiang'").Scan(&other).Error; err != nil || other == 0 {
			t.Fatalf("the other branch: %d, %v", other, err)
		}
		admin, director := loggedIn(t, a, "admin"), loggedIn(t, a, "wangjianguo")
		month := admin.Get("/visits/calendar?mode=month")
		checked := 0
		for _, m := range calCount.FindAllStringSubmatch(month.Body, -1) {
			if m[2] != "branch" || m[3] != strconv.FormatUint(uint64(other), 10) {
				continue
			}
			checked++
			res := director.Get("/visits?who=scope&size=100&day=" + m[1] + "&branch=" + m[3])
			if n := len(listRow.FindAllString(res.Body, -1)); res.Status != 200 || n != 0 {
				t.Errorf("the director sees %d of the other branch's visits on %s (%d)", n, m[1], res.Status)
			}
		}
		if checked == 0 {
			t.Error("the admin's month shows no count of the other branch")
		}

		// One's own calendar: the visits themselves.
		res := loggedIn(t, a, "liwei").Get("/visits/calendar?mode=month")
		if res.Status != 200 || !strings.Contains(res.Body, `class="cal-visit`) || calCount.MatchString(res.Body) {
			t.Errorf("the account manager's month: %d, want the visits listed", res.Status)
		}
	})
}

// TestScopeWeekCountedAboveMax: a chief rep's and a director's week list
// their visits while they are few, and above the limit (lowered here: a
// demo week is far below the province's 300–700) show counts per person
// (the chief rep) or per team (the director) that add up to the listed
// visits, each count a link to a list of exactly that many visits. One's
// own week is always listed.
func TestScopeWeekCountedAboveMax(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		visit := regexp.MustCompile(`class="cal-visit[^"]*" href="/visits/(\d+)"`)
		for _, c := range []struct{ user, by string }{{"zhaomin", "owner"}, {"wangjianguo", "team"}} {
			cl := loggedIn(t, a, c.user)
			// The busiest of the weeks around today (the demo's visits are
			// spread over the months before and after it).
			path, listed := "", 0
			for w := -8; w <= 8; w++ {
				p := "/visits/calendar?mode=week&who=scope&date=" + time.Now().AddDate(0, 0, 7*w).Format("2006-01-02")
				if n := len(visit.FindAllString(cl.Get(p).Body, -1)); n > listed {
					path, listed = p, n
				}
			}
			if listed < 3 {
				t.Fatalf("%s: the busiest week lists %d visits; the demo should have more", c.user, listed)
			}
			// A server whose limit is one below (a page once seen is kept
			// whole, under what it read from the database: the limit is the
			// server's configuration, as fixed as its code).
			low := newTestApp(t, d)
			low.Visits.SetWeekListMax(listed - 1)
			lowCl := loggedIn(t, low, c.user)
			res := lowCl.Get(path)
			if res.Status != 200 || visit.MatchString(res.Body) {
				t.Fatalf("%s above the limit: %d, still lists visits", path, res.Status)
			}
			sum := 0
			for _, m := range calCount.FindAllStringSubmatch(res.Body, -1) {
				if m[2] != c.by {
					t.Errorf("%s as %s counts by %s, want %s", path, c.user, m[2], c.by)
				}
				n, _ := strconv.Atoi(m[4])
				sum += n
				list := cl.Get("/visits?who=scope&size=100&day=" + m[1] + "&" + m[2] + "=" + m[3])
				if got := len(listRow.FindAllString(list.Body, -1)); list.Status != 200 || got != n {
					t.Errorf("%s as %s: %s %s=%s counts %d, its list shows %d (%d)", path, c.user, m[1], m[2], m[3], n, got, list.Status)
				}
			}
			if sum != listed {
				t.Errorf("%s as %s: the counts add up to %d, the week listed %d", path, c.user, sum, listed)
			}
			// At the limit the same week lists its visits again; one's own
			// week is listed whatever the limit.
			if n := len(visit.FindAllString(cl.Get(path).Body, -1)); n != listed {
				t.Errorf("%s as %s at the limit lists %d visits, want %d", path, c.user, n, listed)
			}
			low.Visits.SetWeekListMax(0)
			if mine := lowCl.Get("/visits/calendar?mode=week&date=" + path[len(path)-10:]); mine.Status != 200 || calCount.MatchString(mine.Body) {
				t.Errorf("%s's own week with no limit: %d, shows counts", c.user, mine.Status)
			}
		}
	})
}

// TestVisitListPagesUpcomingFirst: the list read in pages of 4 (each page
// two queries: upcoming, then past) is the list read at once, in the same
// order, for one's own visits and for a director's branch.
func TestVisitListPagesUpcomingFirst(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, seededDemoDB(t, db.SQLite))
	for _, c := range []struct{ user, who string }{{"liwei", "mine"}, {"wangjianguo", "scope"}} {
		cl := loggedIn(t, a, c.user)
		ids := func(path string) []string {
			res := cl.Get(path)
			if res.Status != 200 {
				t.Fatalf("%s: %d", path, res.Status)
			}
			var out []string
			for _, m := range listRow.FindAllStringSubmatch(res.Body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		all := ids("/visits?who=" + c.who + "&size=24")
		if len(all) < 7 {
			t.Fatalf("%s sees %d visits: too few to page", c.user, len(all))
		}
		var paged []string
		for page := 1; len(paged) < len(all); page++ {
			got := ids("/visits?who=" + c.who + "&size=4&page=" + strconv.Itoa(page))
			if len(got) == 0 {
				break
			}
			paged = append(paged, got...)
		}
		if strings.Join(paged, ",") != strings.Join(all, ",") {
			t.Errorf("%s: paged %v, at once %v", c.user, paged, all)
		}
	}
}

// TestCareEventsWindowInSQL: the care events read only the key persons
// and key dates whose day falls in the window (in SQL, issue 19), and
// still find what the window holds: across the new year, and a 29
// February birthday on the 28th of a common year; nothing outside.
func TestCareEventsWindowInSQL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		today   time.Time
		in, out []string // birthdays (YYYY-MM-DD) inside / outside 30 days
		want    []string // the events' dates, in order
	}{
		{time.Date(2027, 2, 20, 9, 0, 0, 0, time.UTC), []string{"1980-02-29", "1985-03-05", "1970-02-20"}, []string{"1990-12-01", "1975-02-19", "1988-03-23"},
			[]string{"2027-02-20", "2027-02-28", "2027-03-05"}},
		{time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC), []string{"1981-01-05", "1982-12-31"}, []string{"1983-12-19", "1984-01-20"},
			[]string{"2026-12-31", "2027-01-05"}},
	} {
		t.Run(c.today.Format("2006-01-02"), func(t *testing.T) {
			// The demo is seeded with the real clock: the assertions read
			// only the birthdays the test itself sets.
			eachDemoDB(t, func(t *testing.T, d *db.DB) {
				now := c.today
				a := newTestApp(t, d, func(o *appOptions) { o.Now = func() time.Time { return now } })
				g := a.DB.Gorm
				if err := g.Exec("UPDATE contacts SET birthday = NULL").Error; err != nil {
					t.Fatal(err)
				}
				var ids []uint
				if err := g.Table("contacts").Where("deleted_at IS NULL").Order("id").Limit(len(c.in)+len(c.out)).Pluck("id", &ids).Error; err != nil {
					t.Fatal(err)
				}
				for i, day := range append(append([]string{}, c.in...), c.out...) {
					bd, _ := time.Parse("2006-01-02", day)
					if err := g.Model(&prospects.Contact{}).Where("id = ?", ids[i]).Update("birthday", bd).Error; err != nil {
						t.Fatal(err)
					}
				}
				evs, err := a.Aftersale.CareEvents(context.Background(), subject(t, a, "admin"), 30, true)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range evs {
					if e.Kind == "birthday" {
						got = append(got, e.On.Format("2006-01-02"))
					}
				}
				if strings.Join(got, ",") != strings.Join(c.want, ",") {
					t.Errorf("birthdays on %v, want %v", got, c.want)
				}
			})
		})
	}
}
