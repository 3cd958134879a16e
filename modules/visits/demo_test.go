package visits

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

// demoClock is a fixed clock for the demo tests, on the hour near the real
// time: the demo customers are dated from the real clock, and every run in
// this process must agree.
var demoClock = time.Now().UTC().Truncate(time.Hour)

// demoSeeded loads the demo organisation and customers (as cmd/jike does)
// and returns a visits service whose clock is fixed at now.
func demoSeeded(t *testing.T, d *db.DB, now time.Time) (*Service, *org.Store) {
	t.Helper()
	ctx := context.Background()
	orgStore := org.NewStore(d.Gorm)
	if _, err := org.NewService(orgStore, org.Options{BcryptCost: bcrypt.MinCost}).SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	ps := prospects.NewService(prospects.NewStore(d.Gorm), orgStore, enf, &prospects.Timeline{})
	if _, err := ps.SeedDemo(ctx, 2026); err != nil {
		t.Fatal(err)
	}
	svc := NewService(NewStore(d.Gorm), ps, orgStore, shanghai)
	svc.SetClock(func() time.Time { return now })
	return svc, orgStore
}

func seedVisits(t *testing.T, svc *Service) (int, int) {
	t.Helper()
	start := time.Now()
	plans, records, err := svc.SeedDemo(context.Background(), 2026)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("seeded %d plans, %d records in %v", plans, records, took)
	return plans, records
}

func countSQL(t *testing.T, d *db.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Gorm.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestSeedDemoVisits(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := demoClock
		svc, orgStore := demoSeeded(t, d, now)
		nPlans, nRecords := seedVisits(t, svc)
		if nPlans <= 150 || nRecords <= 50 {
			t.Fatalf("%d plans, %d records; want > 150 and > 50", nPlans, nRecords)
		}
		var plans []Plan
		var records []Record
		var customers []prospects.Customer
		if err := d.Gorm.Order("id").Find(&plans).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Order("id").Find(&records).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Order("id").Find(&customers).Error; err != nil {
			t.Fatal(err)
		}
		if len(plans) != nPlans || len(records) != nRecords {
			t.Fatalf("reported %d/%d, stored %d/%d", nPlans, nRecords, len(plans), len(records))
		}
		liwei, err := orgStore.UserByUsername(ctx, "liwei")
		if err != nil {
			t.Fatal(err)
		}
		customer := map[uint]prospects.Customer{}
		for _, c := range customers {
			customer[c.ID] = c
		}
		plan := map[uint]Plan{}
		perCustomer := map[uint]int{}
		status := map[string]int{}
		for _, p := range plans {
			plan[p.ID] = p
			perCustomer[p.CustomerID]++
			status[p.Status]++
			c := customer[p.CustomerID]
			if p.OwnerID != c.OwnerID || *p.CreatedBy != p.OwnerID || *p.UpdatedBy != p.OwnerID || p.Version != 1 {
				t.Errorf("plan %d: owner %d, created/updated by %d/%d, version %d; customer owner %d", p.ID, p.OwnerID, *p.CreatedBy, *p.UpdatedBy, p.Version, c.OwnerID)
			}
			if !slices.Contains(Kinds, p.Kind) || p.Objective == "" || p.Location == "" {
				t.Errorf("plan %d: kind %q objective %q location %q", p.ID, p.Kind, p.Objective, p.Location)
			}
			if p.StartsAt.Before(now.AddDate(0, 0, -61)) || p.StartsAt.After(now.AddDate(0, 0, 31)) {
				t.Errorf("plan %d at %v, outside 60 days ago … 30 days ahead", p.ID, p.StartsAt)
			}
			if p.CreatedAt.After(p.StartsAt) || p.CreatedAt.After(now) || p.UpdatedAt.Before(p.CreatedAt) || p.UpdatedAt.After(now) {
				t.Errorf("plan %d starts %v, created %v, updated %v (now %v)", p.ID, p.StartsAt, p.CreatedAt, p.UpdatedAt, now)
			}
			l := p.StartsAt.In(shanghai)
			m := l.Hour()*60 + l.Minute()
			weekend := l.Weekday() == time.Saturday || l.Weekday() == time.Sunday
			if p.OwnerID != liwei.ID && (weekend || m < 9*60 || m+p.DurationMin > 17*60+30) {
				t.Errorf("plan %d at %s (%d min) is outside office hours", p.ID, l.Format("Mon 2006-01-02 15:04"), p.DurationMin)
			}
			past := p.EndsAt().Before(now)
			switch p.Status {
			case StatusPlanned:
			case StatusCancelled:
				if p.CancelReason == "" {
					t.Errorf("plan %d cancelled without a reason", p.ID)
				}
				fallthrough
			default:
				if !past {
					t.Errorf("plan %d is %s but not over yet", p.ID, p.Status)
				}
			}
			if !past && p.Status != StatusPlanned {
				t.Errorf("future plan %d is %s", p.ID, p.Status)
			}
		}
		for _, c := range customers {
			n := perCustomer[c.ID]
			if (c.Grade == "A" || c.Grade == "B") && (n < 2 || n > 6) {
				t.Errorf("%s customer %d has %d visits, want 2–4 (plus the demo user's)", c.Grade, c.ID, n)
			}
			if (c.Grade == "C" || c.Grade == "D") && n > 4 {
				t.Errorf("%s customer %d has %d visits, want 0–2", c.Grade, c.ID, n)
			}
		}
		if status[StatusCancelled] == 0 || status[StatusMissed] == 0 || status[StatusDone] != nRecords {
			t.Errorf("statuses %v, %d records", status, nRecords)
		}
		t.Logf("statuses %v", status)

		// To-dos: some agreed at recent visits, due today or before
		// (on the agenda, some overdue) and after; each matches its record.
		todos := countSQL(t, d, "SELECT COUNT(*) FROM visit_todos")
		matched := countSQL(t, d, "SELECT COUNT(*) FROM visit_todos JOIN visit_records ON visit_records.visit_id = visit_todos.visit_id AND visit_records.next_step = visit_todos.title AND visit_records.next_visit_id IS NULL")
		if todos == 0 || matched != todos {
			t.Errorf("demo to-dos: %d, %d matching their records", todos, matched)
		}

		// Records: only on done plans, written after the visit, some
		// chained to the next plan both ways.
		chained := 0
		for _, r := range records {
			p, ok := plan[r.VisitID]
			if !ok || p.Status != StatusDone {
				t.Errorf("record %d on visit %d (%s)", r.ID, r.VisitID, p.Status)
				continue
			}
			if r.CreatedAt.Before(p.EndsAt()) || r.CreatedAt.After(now) || r.UpdatedAt.Before(r.CreatedAt) || *r.CreatedBy != p.OwnerID ||
				r.Discussed == "" || !slices.Contains(Attitudes, r.Attitude) {
				t.Errorf("record %d: %+v for plan ending %v", r.ID, r, p.EndsAt())
			}
			if r.NextVisitID != nil {
				chained++
				next := plan[*r.NextVisitID]
				if next.PrevVisitID == nil || *next.PrevVisitID != p.ID || next.CustomerID != p.CustomerID ||
					!next.StartsAt.After(r.CreatedAt) || r.NextDate == nil || next.Objective != r.NextStep ||
					r.NextDate.Format("2006-01-02") != next.StartsAt.In(shanghai).Format("2006-01-02") {
					t.Errorf("record %d chains to plan %+v", r.ID, next)
				}
			} else if r.NextDate != nil && countSQL(t, d, "SELECT COUNT(*) FROM visit_todos WHERE visit_id = ?", r.VisitID) != 1 {
				t.Errorf("record %d has a next date but neither a next visit nor a to-do", r.ID)
			}
		}
		prevs := 0
		for _, p := range plans {
			if p.PrevVisitID != nil {
				prevs++
			}
		}
		if chained < 10 || prevs != chained {
			t.Errorf("%d records chained, %d plans with a previous visit", chained, prevs)
		}

		for q, what := range map[string]string{
			`SELECT COUNT(*) FROM visit_plans p JOIN customers c ON c.id = p.customer_id WHERE p.owner_id <> c.owner_id`:                                                      "plans not owned by their customer's owner",
			`SELECT COUNT(*) FROM visit_contacts vc JOIN visit_plans p ON p.id = vc.visit_id JOIN contacts ct ON ct.id = vc.contact_id WHERE ct.customer_id <> p.customer_id`: "key persons of another customer",
			`SELECT COUNT(*) FROM visit_records r JOIN visit_plans p ON p.id = r.visit_id WHERE p.status <> 'done'`:                                                           "records of plans not done",
			`SELECT COUNT(*) FROM visit_plans p WHERE NOT EXISTS (SELECT 1 FROM visit_contacts vc WHERE vc.visit_id = p.id)`:                                                  "plans without a key person",
			`SELECT COUNT(*) FROM visit_plans p JOIN customers c ON c.id = p.customer_id WHERE c.grade = 'A' AND c.chief_rep_id IS NOT NULL AND c.chief_rep_id <> c.owner_id
				AND NOT EXISTS (SELECT 1 FROM visit_participants vp WHERE vp.visit_id = p.id AND vp.user_id = c.chief_rep_id)`: "A-customer plans without the chief rep",
			`SELECT COUNT(*) FROM (SELECT visit_id FROM visit_contacts GROUP BY visit_id HAVING COUNT(*) > 2) x`: "plans with more than two key persons",
		} {
			if n := countSQL(t, d, q); n != 0 {
				t.Errorf("%d %s", n, what)
			}
		}
		if n := countSQL(t, d, `SELECT COUNT(*) FROM visit_participants`); n == 0 {
			t.Error("no chief rep goes along anywhere")
		}
		if n := countSQL(t, d, `SELECT COUNT(*) FROM audit_log WHERE entity = ? AND action = ?`, "visit", audit.ActionCreate); n != int64(nPlans) {
			t.Errorf("%d visit create entries, want %d", n, nPlans)
		}

		// The demo user's agenda shows visits today (or tomorrow morning),
		// one not yet prepared, and one overdue.
		a, err := svc.Agenda(ctx, liwei.Subject())
		if err != nil {
			t.Fatal(err)
		}
		soon := 0
		for _, p := range plans {
			if p.OwnerID == liwei.ID && p.Status == StatusPlanned && !p.StartsAt.Before(now.Add(3*time.Hour)) && p.StartsAt.Before(now.Add(24*time.Hour)) {
				soon++
			}
		}
		if len(a.Today)+soon < 2 || len(a.Unprepared) == 0 || len(a.Overdue) == 0 {
			t.Errorf("liwei's agenda: %d today, %d within 3–24 h, %d unprepared, %d overdue", len(a.Today), soon, len(a.Unprepared), len(a.Overdue))
		}
		overdue := 0
		for _, p := range plans {
			if p.Overdue(now) {
				overdue++
			}
		}
		if overdue < 2 || overdue > 5 {
			t.Errorf("%d overdue visits in all, want a few", overdue)
		}

		// Idempotent.
		if p, r, err := svc.SeedDemo(ctx, 2026); err != nil || p != 0 || r != 0 {
			t.Fatalf("second seed: %d plans, %d records, %v", p, r, err)
		}
		if n := countSQL(t, d, `SELECT COUNT(*) FROM visit_plans`); n != int64(nPlans) {
			t.Fatalf("second seed changed the plans: %d", n)
		}
	})
}

// TestSeedDemoVisitsDeterministic seeds two fresh databases with the same
// seed and clock: the visits come out the same.
func TestSeedDemoVisitsDeterministic(t *testing.T) {
	var runs [][]string
	for range 2 {
		d := testkit.SQLite(t)
		svc, _ := demoSeeded(t, d, demoClock)
		seedVisits(t, svc)
		var objectives []string
		if err := d.Gorm.Model(&Plan{}).Order("id").Limit(5).Pluck("objective", &objectives).Error; err != nil {
			t.Fatal(err)
		}
		runs = append(runs, objectives)
	}
	if len(runs[0]) != 5 || !slices.Equal(runs[0], runs[1]) {
		t.Fatalf("first objectives differ:\n%q\n%q", runs[0], runs[1])
	}
}

// TestSeedDemoVisitsDemoUserDay: whatever the time of day, the demo user
// has two visits from three hours ahead within the next 24 hours, the first
// not prepared, and one overdue.
func TestSeedDemoVisitsDemoUserDay(t *testing.T) {
	l := demoClock.In(shanghai)
	for _, hm := range [][2]int{{6, 0}, {11, 40}, {15, 10}, {23, 30}} {
		now := time.Date(l.Year(), l.Month(), l.Day(), hm[0], hm[1], 0, 0, shanghai).UTC()
		t.Run(now.In(shanghai).Format("15:04"), func(t *testing.T) {
			ctx := context.Background()
			d := testkit.SQLite(t)
			svc, orgStore := demoSeeded(t, d, now)
			seedVisits(t, svc)
			liwei, err := orgStore.UserByUsername(ctx, "liwei")
			if err != nil {
				t.Fatal(err)
			}
			var plans []Plan
			if err := d.Gorm.Where("owner_id = ? AND status = ? AND starts_at >= ? AND starts_at < ?", liwei.ID, StatusPlanned,
				now.Add(3*time.Hour), now.Add(24*time.Hour)).Order("starts_at").Find(&plans).Error; err != nil {
				t.Fatal(err)
			}
			if len(plans) < 2 || !plans[0].Unprepared(now) {
				t.Fatalf("liwei's next 24 h: %+v", plans)
			}
			local := now.In(shanghai)
			first := plans[0].StartsAt.In(shanghai)
			today := first.YearDay() == local.YearDay()
			if local.Hour() < 11 && !today {
				t.Errorf("at %s the first visit is on %s, want today", local.Format("15:04"), first.Format("01-02 15:04"))
			}
			a, err := svc.Agenda(ctx, liwei.Subject())
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Unprepared) == 0 || len(a.Overdue) == 0 {
				t.Errorf("agenda: %d unprepared, %d overdue", len(a.Unprepared), len(a.Overdue))
			}
		})
	}
}
