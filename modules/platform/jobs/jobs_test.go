package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/jobs"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// clock is a fake clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// TestScheduleWithFakeClock: a daily 02:00 job (Asia/Shanghai) runs once
// when its time comes, not before, not twice; a late tick runs it once.
func TestScheduleWithFakeClock(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 1, 1, 0, 0, 0, shanghai)}
		r := jobs.New(d.Gorm, jobs.Options{Now: clk.Now, Location: shanghai, Instance: "a"})
		var runs []time.Time
		r.MustRegister(jobs.Job{Name: "daily", Schedule: "0 2 * * *", Run: func(_ context.Context, now time.Time) error {
			runs = append(runs, now)
			return nil
		}})
		step := func(at time.Time, want int) {
			t.Helper()
			clk.Set(at)
			if _, err := r.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			if len(runs) != want {
				t.Fatalf("at %s: %d runs, want %d", at, len(runs), want)
			}
		}
		step(time.Date(2026, 3, 1, 1, 59, 0, 0, shanghai), 0)
		step(time.Date(2026, 3, 1, 2, 0, 0, 0, shanghai), 1)
		step(time.Date(2026, 3, 1, 2, 0, 30, 0, shanghai), 1)
		step(time.Date(2026, 3, 1, 23, 0, 0, 0, shanghai), 1)
		// Three days late: one run, then the next slot is the next 02:00.
		step(time.Date(2026, 3, 4, 9, 0, 0, 0, shanghai), 2)
		step(time.Date(2026, 3, 4, 23, 59, 0, 0, shanghai), 2)
		step(time.Date(2026, 3, 5, 2, 0, 0, 0, shanghai), 3)

		states, recent, err := r.States(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(states) != 1 || states[0].Runs != 3 || states[0].LastError != "" || states[0].LockedBy != "" {
			t.Fatalf("state %+v", states)
		}
		if want := time.Date(2026, 3, 6, 2, 0, 0, 0, shanghai); !states[0].NextRunAt.Equal(want) {
			t.Fatalf("next run %s, want %s", states[0].NextRunAt.In(shanghai), want)
		}
		if len(recent["daily"]) != 3 {
			t.Fatalf("%d recorded runs, want 3", len(recent["daily"]))
		}
	})
}

// TestOneRunAcrossInstances: several instances on one database tick at the
// same moment; the due run happens exactly once.
func TestOneRunAcrossInstances(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
		var count atomic.Int32
		var runners []*jobs.Runner
		for _, name := range []string{"a", "b", "c", "d"} {
			r := jobs.New(d.Gorm, jobs.Options{Now: clk.Now, Instance: name})
			r.MustRegister(jobs.Job{Name: "every-hour", Schedule: "@every 1h", Run: func(context.Context, time.Time) error {
				count.Add(1)
				time.Sleep(20 * time.Millisecond) // overlap the others' claims
				return nil
			}})
			runners = append(runners, r)
		}
		// The instances start: the job's first slot is an hour away.
		for _, r := range runners {
			if ran, err := r.RunDue(ctx); err != nil || len(ran) != 0 {
				t.Fatalf("at start: ran %v, %v", ran, err)
			}
		}
		for round := 1; round <= 3; round++ {
			clk.Set(clk.Now().Add(61 * time.Minute))
			var wg sync.WaitGroup
			for _, r := range runners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := r.RunDue(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if got := count.Load(); got != int32(round) {
				t.Fatalf("round %d: the job ran %d times in all, want %d", round, got, round)
			}
		}
	})
}

// TestFailureRecordedAndIsolated: an error and a panic are recorded with
// the run, counted, and do not stop the other jobs; the job runs again at
// its next slot.
func TestFailureRecordedAndIsolated(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
		r := jobs.New(d.Gorm, jobs.Options{Now: clk.Now, Instance: "a"})
		var okRuns int
		r.MustRegister(jobs.Job{Name: "a-fails", Schedule: "@every 1m", Run: func(context.Context, time.Time) error { return errors.New("billing file missing") }})
		r.MustRegister(jobs.Job{Name: "b-panics", Schedule: "@every 1m", Run: func(context.Context, time.Time) error { panic("nil map") }})
		r.MustRegister(jobs.Job{Name: "c-works", Schedule: "@every 1m", Run: func(context.Context, time.Time) error { okRuns++; return nil }})
		if _, err := r.RunDue(ctx); err != nil { // start: first slots a minute away
			t.Fatal(err)
		}
		clk.Set(clk.Now().Add(2 * time.Minute))
		ran, err := r.RunDue(ctx)
		if err != nil {
			t.Fatal(err) // bookkeeping errors only; job errors are recorded
		}
		if len(ran) != 3 || okRuns != 1 {
			t.Fatalf("ran %v, ok runs %d", ran, okRuns)
		}
		states, _, err := r.States(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]jobs.State{}
		for _, s := range states {
			byName[s.Name] = s
		}
		if s := byName["a-fails"]; s.Failures != 1 || s.LastError != "billing file missing" {
			t.Fatalf("a-fails: %+v", s)
		}
		if s := byName["b-panics"]; s.Failures != 1 || !strings.HasPrefix(s.LastError, "panic: nil map") {
			t.Fatalf("b-panics: %+v", s)
		}
		if s := byName["c-works"]; s.Failures != 0 || s.Runs != 1 {
			t.Fatalf("c-works: %+v", s)
		}
		// Next slot: they all run again.
		clk.Set(clk.Now().Add(time.Minute))
		if ran, _ := r.RunDue(ctx); len(ran) != 3 {
			t.Fatalf("second slot ran %v", ran)
		}
	})
}

// TestStaleClaimTakenOver: a claim left by a crashed instance stops
// blocking the job once its timeout has passed.
func TestStaleClaimTakenOver(t *testing.T) {
	d := testkit.SQLite(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	var runs int
	job := jobs.Job{Name: "j", Schedule: "@every 1m", Timeout: 5 * time.Minute, Run: func(context.Context, time.Time) error { runs++; return nil }}
	r := jobs.New(d.Gorm, jobs.Options{Now: clk.Now, Instance: "survivor"})
	r.MustRegister(job)
	if _, _, err := r.States(ctx, 1); err != nil { // creates the row
		t.Fatal(err)
	}
	// A crashed instance claimed it a minute ago and never finished.
	crashed := clk.Now().Add(time.Minute)
	if err := d.Gorm.Exec("UPDATE jobs SET locked_by = 'crashed', locked_until = ?, next_run_at = ?", crashed.Add(5*time.Minute), crashed).Error; err != nil {
		t.Fatal(err)
	}
	clk.Set(crashed.Add(2 * time.Minute))
	if ran, _ := r.RunDue(ctx); len(ran) != 0 || runs != 0 {
		t.Fatalf("ran %v under a live claim", ran)
	}
	clk.Set(crashed.Add(6 * time.Minute))
	if ran, _ := r.RunDue(ctx); len(ran) != 1 || runs != 1 {
		t.Fatalf("stale claim not taken over: ran %v", ran)
	}
}

// TestRunNowAndBadSchedule: the admin's "run now" runs a job outside its
// schedule; a malformed schedule fails registration.
func TestRunNowAndBadSchedule(t *testing.T) {
	d := testkit.SQLite(t)
	clk := &clock{t: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	r := jobs.New(d.Gorm, jobs.Options{Now: clk.Now})
	var runs int
	r.MustRegister(jobs.Job{Name: "monthly", Schedule: "0 3 1 * *", Run: func(context.Context, time.Time) error { runs++; return nil }})
	ran, err := r.RunNow(context.Background(), "monthly")
	if err != nil || !ran || runs != 1 {
		t.Fatalf("RunNow: ran=%v runs=%d err=%v", ran, runs, err)
	}
	if _, err := r.RunNow(context.Background(), "nope"); err == nil {
		t.Fatal("RunNow of an unknown job succeeded")
	}
	if err := r.Register(jobs.Job{Name: "bad", Schedule: "every day", Run: func(context.Context, time.Time) error { return nil }}); err == nil {
		t.Fatal("a malformed schedule was accepted")
	}
	if err := r.Register(jobs.Job{Name: "monthly", Schedule: "@daily", Run: func(context.Context, time.Time) error { return nil }}); err == nil {
		t.Fatal("a duplicate name was accepted")
	}
}
