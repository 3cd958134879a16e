package main

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// careRef is the care list as it was computed before the last-contact
// column (the reference the SQL list must equal): every customer in the
// reader's scope with its latest visit done, touch and done call-back
// read by subqueries, the state computed in Go by aftersale.Due, sorted
// in Go (overdue longest first, never, due this week soonest first, the
// rest; then grade; then id).
type careRef struct {
	ID       uint
	State    string
	DueOn    time.Time
	Days     int
	Months   int
	HasLast  bool
	LastDate time.Time
}

func careReference(t *testing.T, a *app, actor authz.Subject, today time.Time, loc *time.Location) []careRef {
	t.Helper()
	ctx := context.Background()
	var raw []struct {
		ID           uint
		Grade        string
		BranchID     uint
		LastVisit    *time.Time
		LastTouch    *time.Time
		LastCallback *time.Time
	}
	q := a.Prospects.Scope(actor, "read").Apply(db.Conn(ctx, a.DB.Gorm).Table("customers"), authz.StandardColumns("customers"))
	err := q.Where("customers.deleted_at IS NULL AND customers.status IN ?", aftersale.CareStatuses).
		Select("customers.id, customers.grade, customers.branch_id").Order("customers.id").Scan(&raw).Error
	if err != nil {
		t.Fatal(err)
	}
	out := make([]careRef, 0, len(raw))
	for _, r := range raw {
		// One query per customer on purpose: the reference is the slow,
		// obvious definition.
		var visits, touches, cbs []time.Time
		g := a.DB.Gorm
		if err := g.Table("visit_plans").Where("customer_id = ? AND status = 'done' AND deleted_at IS NULL", r.ID).Pluck("starts_at", &visits).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Table("care_touches").Where("customer_id = ? AND deleted_at IS NULL", r.ID).Pluck("touched_on", &touches).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Table("callbacks").Where("customer_id = ? AND status = 'done'", r.ID).Pluck("done_at", &cbs).Error; err != nil {
			t.Fatal(err)
		}
		var last *time.Time
		consider := func(ts []time.Time, local bool) {
			for _, x := range ts {
				if local {
					x = x.In(loc)
				} else {
					x = x.UTC()
				}
				d := time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
				if last == nil || d.After(*last) {
					last = &d
				}
			}
		}
		consider(visits, true)
		consider(touches, false)
		consider(cbs, true)
		st, err := a.Aftersale.SettingsOf(ctx, r.BranchID)
		if err != nil {
			t.Fatal(err)
		}
		months := st.Frequency(r.Grade)
		due := aftersale.Due(last, months, today)
		ref := careRef{ID: r.ID, State: due.State, DueOn: due.DueOn, Days: due.Days, Months: months, HasLast: last != nil}
		if last != nil {
			ref.LastDate = *last
		}
		out = append(out, ref)
	}
	grade := map[uint]string{}
	for _, r := range raw {
		grade[r.ID] = r.Grade
	}
	rank := map[string]int{aftersale.CareOverdue: 0, aftersale.CareNever: 1, aftersale.CareDueWeek: 2, aftersale.CareOK: 3}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if rank[a.State] != rank[b.State] {
			return rank[a.State] < rank[b.State]
		}
		if a.State == aftersale.CareOverdue && a.Days != b.Days {
			return a.Days > b.Days
		}
		if a.State == aftersale.CareDueWeek && !a.DueOn.Equal(b.DueOn) {
			return a.DueOn.Before(b.DueOn)
		}
		return grade[a.ID] < grade[b.ID]
	})
	return out
}

// careWorld fills the database with n customers of the demo managers in
// both branches, every grade and status, and contacts at random around
// month ends over the last 14 months: visits done (and some planned,
// cancelled or deleted ones, which do not count), touches and done
// call-backs written directly, then the last-contact rows rebuilt.
func careWorld(t *testing.T, a *app, n int, seed uint64, now time.Time) []uint {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 16))
	managers := []string{"liwei", "zhangjing", "zhoujie", "gaoyuan", "xupeng"}
	statuses := []string{"active", "active", "active", "dormant", "prospect", "churned"}
	var ids []uint
	g := a.DB.Gorm
	for i := 0; i < n; i++ {
		owner := subject(t, a, managers[i%len(managers)])
		c := prospects.Customer{Name: fmt.Sprintf("关怀世界客户%03d", i), CreditCode: prospects.MakeCreditCode(fmt.Sprintf("91230103MA6%06d", i)),
			Industry: "finance", Grade: aftersale.Grades[r.IntN(4)], Status: statuses[r.IntN(len(statuses))],
			OwnerID: owner.ID, TeamID: owner.TeamID, BranchID: owner.BranchID, Version: 1}
		if err := g.Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		day := func() time.Time {
			// Month ends and starts are where AddMonths clamps.
			m := now.AddDate(0, -r.IntN(14), 0)
			d := []int{1, 28, 29, 30, 31, 15, 1 + r.IntN(31)}[r.IntN(7)]
			first := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC)
			last := first.AddDate(0, 1, -1).Day()
			return first.AddDate(0, 0, min(d, last)-1)
		}
		for k := r.IntN(3); k > 0; k-- {
			status := []string{"done", "done", "planned", "cancelled"}[r.IntN(4)]
			at := day().Add(time.Duration(r.IntN(24*60)) * time.Minute) // any hour: the zone decides the day
			row := map[string]any{"customer_id": c.ID, "owner_id": owner.ID, "starts_at": at, "duration_min": 60, "kind": "care",
				"objective": "关怀", "status": status, "version": 1, "created_at": now, "updated_at": now}
			if r.IntN(6) == 0 {
				row["deleted_at"] = now
			}
			if err := g.Table("visit_plans").Create(row).Error; err != nil {
				t.Fatal(err)
			}
		}
		for k := r.IntN(3); k > 0; k-- {
			tc := &aftersale.Touch{CustomerID: c.ID, Kind: "call", TouchedOn: day(), UserID: owner.ID, Summary: "电话", Version: 1}
			if err := g.Create(tc).Error; err != nil {
				t.Fatal(err)
			}
		}
		if r.IntN(4) == 0 {
			done := day().Add(time.Duration(r.IntN(24*60)) * time.Minute)
			cb := &aftersale.Callback{CustomerID: c.ID, Reason: aftersale.ReasonQuarterly, SourceKey: fmt.Sprintf("world:%d", c.ID),
				DueOn: done, Status: "done", QAttitude: 4, QSkill: 4, QSpeed: 4, QResult: 4, DoneAt: &done, Version: 1}
			if err := g.Create(cb).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.Aftersale.RebuildLastContacts(ctx); err != nil {
		t.Fatal(err)
	}
	return ids
}

// careBoundaries adds, for both branches, every grade and the
// frequencies of the defaults and of the test's branch settings,
// customers last contacted on the latest day still due by the end of
// today's week and on the day after (the care list reads only the
// customers due by then).
func careBoundaries(t *testing.T, a *app, today time.Time) {
	t.Helper()
	g := a.DB.Gorm
	weekEnd := today.AddDate(0, 0, (7-int(today.Weekday()))%7)
	i := 0
	for _, who := range []string{"liwei", "gaoyuan"} {
		owner := subject(t, a, who)
		for _, grade := range aftersale.Grades {
			for _, m := range []int{1, 2, 3, 4, 6, 12} {
				for _, after := range []int{0, 1} {
					i++
					c := prospects.Customer{Name: fmt.Sprintf("关怀边界客户%03d", i), CreditCode: prospects.MakeCreditCode(fmt.Sprintf("91230103MB6%06d", i)),
						Industry: "finance", Grade: grade, Status: "active", OwnerID: owner.ID, TeamID: owner.TeamID, BranchID: owner.BranchID, Version: 1}
					if err := g.Create(&c).Error; err != nil {
						t.Fatal(err)
					}
					tc := &aftersale.Touch{CustomerID: c.ID, Kind: "call", TouchedOn: aftersale.LatestDueBy(weekEnd, m).AddDate(0, 0, after),
						UserID: owner.ID, Summary: "电话", Version: 1}
					if err := g.Create(tc).Error; err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	if err := a.Aftersale.RebuildLastContacts(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestCareListSQLMatchesDefinition: on a generated world (150 customers,
// contacts around month ends, on the last day due by the week's end and
// the day after, a branch with its own frequencies, a
// zone east of UTC) the care list computed in SQL from the last-contact
// column equals the old definition — per reader (manager, chief rep,
// director, admin), per state filter, walked page by page — and so do
// the counts. Then contacts saved through the services (a touch, a visit
// record, a call-back) move the column in their own transaction.
func TestCareListSQLMatchesDefinition(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		loc := time.FixedZone("CST", 8*3600)
		now := time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC) // already 1 April in loc
		clk := &fakeClock{t: now}
		a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now; o.Location = loc })
		in := aftersale.SettingsInput{Freq: map[string]string{"A": "2", "B": "1", "C": "4", "D": "12"}, AutoCloseDays: "7",
			RespH: map[string]string{"urgent": "2", "major": "4", "normal": "8"}, ResH: map[string]string{"urgent": "8", "major": "24", "normal": "40"},
			AllDay: map[string]bool{"urgent": true}}
		if _, err := a.Aftersale.SaveSettings(ctx, subject(t, a, "wangjianguo"), in); err != nil {
			t.Fatal(err)
		}
		ids := careWorld(t, a, 150, 7, now)
		careBoundaries(t, a, a.Aftersale.Today())
		backfillMatchesRebuild(t, a)
		today := a.Aftersale.Today()
		compare := func(label string) {
			t.Helper()
			for _, who := range []string{"liwei", "zhaomin", "wangjianguo", "liuzhiqiang", "admin"} {
				actor := subject(t, a, who)
				ref := careReference(t, a, actor, today, loc)
				for _, state := range []string{"", aftersale.CareOverdue, aftersale.CareDueWeek, aftersale.CareNever, "all"} {
					var want []careRef
					wantCounts := aftersale.CareCounts{}
					for _, r := range ref {
						switch r.State {
						case aftersale.CareOverdue:
							wantCounts.Overdue++
						case aftersale.CareDueWeek:
							wantCounts.DueWeek++
						case aftersale.CareNever:
							wantCounts.Never++
						}
						if state == "all" || r.State == state || (state == "" && r.State != aftersale.CareOK) {
							want = append(want, r)
						}
					}
					var got []careRef
					for off := 0; ; off += 7 {
						rows, counts, total, err := a.Aftersale.CareList(ctx, actor, aftersale.CareListFilter{State: state, Limit: 7, Offset: off})
						if err != nil {
							t.Fatal(err)
						}
						if total != len(want) {
							t.Fatalf("%s %s %q: total %d, want %d", label, who, state, total, len(want))
						}
						if state == "" && counts != wantCounts {
							t.Fatalf("%s %s: counts %+v, want %+v", label, who, counts, wantCounts)
						}
						for _, r := range rows {
							c := careRef{ID: r.CustomerID, State: r.State, DueOn: r.DueOn, Days: r.Days, Months: r.Months, HasLast: r.LastContact != nil}
							if r.LastContact != nil {
								c.LastDate = *r.LastContact
							}
							got = append(got, c)
						}
						if len(rows) < 7 {
							break
						}
					}
					if !slices.EqualFunc(got, want, func(x, y careRef) bool {
						return x.ID == y.ID && x.State == y.State && x.DueOn.Equal(y.DueOn) && x.Days == y.Days && x.Months == y.Months &&
							x.HasLast == y.HasLast && x.LastDate.Equal(y.LastDate)
					}) {
						t.Fatalf("%s %s %q: SQL care list differs from the definition\n got %v\nwant %v", label, who, state, got, want)
					}
					if state == "" && len(want) == 0 && who != "admin" {
						t.Fatalf("%s %s: the world gives nothing to care for; the comparison proves nothing", label, who)
					}
				}
			}
		}
		compare("world")
		// The column moves with contacts saved through the services, in
		// their transaction: a touch today for one never-contacted or
		// overdue customer of liwei's, and a later rebuild agrees.
		liwei := subject(t, a, "liwei")
		rows, _, _, err := a.Aftersale.CareList(ctx, liwei, aftersale.CareListFilter{})
		if err != nil || len(rows) == 0 {
			t.Fatalf("liwei's care list: %v %v", rows, err)
		}
		target := rows[0].CustomerID
		if _, err := a.Aftersale.AddTouch(ctx, liwei, target, aftersale.TouchInput{Kind: "wechat", On: today.Format("2006-01-02"), Summary: "问候"}); err != nil {
			t.Fatal(err)
		}
		one, err := a.Aftersale.CareOf(ctx, liwei, target)
		if err != nil || one == nil || one.LastContact == nil || !one.LastContact.Equal(today) || one.State != aftersale.CareOK {
			t.Fatalf("after a touch today: %+v %v", one, err)
		}
		compare("after touch")
		if err := a.Aftersale.RebuildLastContacts(ctx); err != nil {
			t.Fatal(err)
		}
		compare("after rebuild")
		// The list is kept under the versions of what it reads
		// (KeptCareList): writes in plain SQL to each of those tables show
		// on the next look.
		for _, w := range []struct {
			label string
			sql   string
			args  []any
		}{
			{"a grade written in SQL", "UPDATE customers SET grade = CASE grade WHEN 'A' THEN 'D' ELSE 'A' END WHERE id = ?", []any{target}},
			{"a frequency written in SQL", "UPDATE aftersale_settings SET freq_a = 12, freq_d = 1", nil},
			{"a status written in SQL", "UPDATE customers SET status = 'churned' WHERE id = ?", []any{ids[1]}},
		} {
			if err := a.DB.Gorm.Exec(w.sql, w.args...).Error; err != nil {
				t.Fatal(err)
			}
			compare(w.label)
		}
		// A touch and its last contact written directly (care_touches has
		// no version: the last contact's row is what the list reads).
		overdue, _, _, err := a.Aftersale.CareList(ctx, subject(t, a, "wangjianguo"), aftersale.CareListFilter{State: aftersale.CareOverdue})
		if err != nil || len(overdue) == 0 {
			t.Fatalf("the director's overdue customers: %v %v", overdue, err)
		}
		touched := overdue[0].CustomerID
		if err := a.DB.Gorm.Create(&aftersale.Touch{CustomerID: touched, Kind: "wechat", TouchedOn: today, UserID: liwei.ID, Summary: "问候", Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Gorm.Exec("INSERT INTO care_last_contacts (customer_id, last_contact_on, updated_at) VALUES (?, ?, ?) "+
			"ON CONFLICT (customer_id) DO UPDATE SET last_contact_on = excluded.last_contact_on", touched, today, now).Error; err != nil {
			t.Fatal(err)
		}
		compare("a touch and its last contact written in SQL")
		all := aftersale.CareListFilter{State: "all", Limit: 500}
		if _, _, _, err := a.Aftersale.CareList(ctx, subject(t, a, "wangjianguo"), all); err != nil { // kept before the rename
			t.Fatal(err)
		}
		if err := a.DB.Gorm.Exec("UPDATE users SET name = '李伟（改名）' WHERE username = 'liwei'").Error; err != nil {
			t.Fatal(err)
		}
		rows, _, _, err = a.Aftersale.CareList(ctx, subject(t, a, "wangjianguo"), all)
		if err != nil {
			t.Fatal(err)
		}
		renamed := 0
		for _, r := range rows {
			if r.OwnerID == liwei.ID {
				if r.OwnerName != "李伟（改名）" {
					t.Fatalf("an owner renamed in SQL: the kept list still says %q", r.OwnerName)
				}
				renamed++
			}
		}
		if renamed == 0 {
			t.Fatal("the director's list shows none of liwei's customers")
		}
	})
}

// backfillMatchesRebuild runs migration 00016's backfill statement (its
// zone is the default, UTC+8, as the test world's) on the world and
// checks it gives the rows the service's rebuild gave.
func backfillMatchesRebuild(t *testing.T, a *app) {
	t.Helper()
	dialect := "sqlite"
	if a.DB.Dialect == db.Postgres {
		dialect = "postgres"
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "migrations", dialect, "00016_aftersale_sla_care.sql"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	from := strings.Index(text, "INSERT INTO care_last_contacts")
	if from < 0 {
		t.Fatal("no backfill in migration 00016")
	}
	stmt := text[from : from+strings.Index(text[from:], ";")]
	read := func() map[uint]string {
		var rows []aftersale.LastContact
		if err := a.DB.Gorm.Order("customer_id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		out := map[uint]string{}
		for _, r := range rows {
			out[r.CustomerID] = r.LastContactOn.UTC().Format("2006-01-02")
		}
		return out
	}
	want := read()
	if len(want) == 0 {
		t.Fatal("the world has no contacts")
	}
	if err := a.DB.Gorm.Exec("DELETE FROM care_last_contacts").Error; err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Gorm.Exec(stmt).Error; err != nil {
		t.Fatal(err)
	}
	if got := read(); !maps.Equal(got, want) {
		t.Fatalf("the migration's backfill differs from the rebuild:\n got %v\nwant %v", got, want)
	}
}

// TestCareListOwnerColumnByPolicy: the care list names owners for whom the
// policy lets see others' customers (customer list_others) — the same
// rule as the customers list, not a role comparison in the handler.
func TestCareListOwnerColumnByPolicy(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	for who, want := range map[string]bool{"liwei": false, "zhaomin": true, "wangjianguo": true, "admin": true} {
		s := subject(t, a, who)
		if got := a.Aftersale.ListsOthers(s); got != want || got != a.Prospects.ListsOthers(s) {
			t.Errorf("%s: owner column %v, want %v (customers list: %v)", who, got, want, a.Prospects.ListsOthers(s))
		}
	}
}
