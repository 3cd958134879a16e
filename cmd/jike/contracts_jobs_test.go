package main

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

// fakeClock is a settable clock safe for concurrent readers.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// TestContractRenewalReminders drives the daily renewal job with a fake
// clock on two app instances sharing the database: at 90, 60 and 30 days
// before the end the owner and the chief rep get exactly one notice each
// (not one per instance, not one per run), the active contract becomes
// expiring inside the window and expired after its end.
func TestContractRenewalReminders(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &fakeClock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
		w := newContractWorld(t, d, func(o *appOptions) { o.Now = clk.Now })
		b, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		am := subject(t, w.a, "liwei")
		c := w.signed(t)
		if !c.EndOn.Equal(time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("end %s", c.EndOn)
		}
		w.finishTasks(t, c)
		if c, err = w.a.Contracts.Activate(ctx, am, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		chief, _ := w.approvers(t, w.cu)
		// The first tick registers the jobs; they are due at 08:00.
		for _, x := range []*app{w.a, b} {
			if _, err := x.Jobs.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		day := func(date string) {
			t.Helper()
			at, _ := time.Parse("2006-01-02", date)
			clk.Set(at.Add(8*time.Hour + 30*time.Second))
			var wg sync.WaitGroup
			ran := make([][]string, 2)
			for i, x := range []*app{w.a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					names, err := x.Jobs.RunDue(ctx)
					if err != nil {
						t.Error(err)
					}
					ran[i] = names
				}()
			}
			wg.Wait()
			n := 0
			for _, r := range ran {
				if slices.Contains(r, contracts.JobRenewals) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%s: %d instances ran %s (%v), want exactly one", date, n, contracts.JobRenewals, ran)
			}
			// Running it again the same day tells nobody twice.
			if _, err := w.a.Jobs.RunNow(ctx, contracts.JobRenewals); err != nil {
				t.Fatal(err)
			}
		}
		notices := func(user uint) []string {
			var rows []notify.Notification
			if err := d.Gorm.Where("user_id = ? AND kind = ?", user, "contract.renewal").Order("id").Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, r := range rows {
				keys = append(keys, *r.DedupeKey)
			}
			return keys
		}
		status := func() string {
			cc, err := w.a.Contracts.Store().Contract(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return cc.Status
		}
		root := c.Root()
		want := func(keys ...string) {
			t.Helper()
			for _, u := range []uint{w.cu.OwnerID, chief.ID} {
				if got := notices(u); !slices.Equal(got, keys) {
					t.Fatalf("user %d has renewal notices %v, want %v", u, got, keys)
				}
			}
		}
		k := func(days int) string { return contracts.RenewalKey(root, days) }

		day("2026-09-30") // 96 days left
		want()
		if s := status(); s != contracts.StatusActive {
			t.Fatalf("96 days before the end: %s", s)
		}
		day("2026-10-06") // 90 days left
		want(k(90))
		if s := status(); s != contracts.StatusExpiring {
			t.Fatalf("inside the window: %s", s)
		}
		day("2026-10-20") // 76
		want(k(90))
		day("2026-11-05") // 60
		want(k(90), k(60))
		day("2026-11-20") // 45
		want(k(90), k(60))
		day("2026-12-05") // 30
		want(k(90), k(60), k(30))
		day("2026-12-20") // 15
		want(k(90), k(60), k(30))
		if s := status(); s != contracts.StatusExpiring {
			t.Fatalf("15 days before the end: %s", s)
		}
		day("2027-01-05") // the day after the end
		want(k(90), k(60), k(30))
		if s := status(); s != contracts.StatusExpired {
			t.Fatalf("after the end: %s", s)
		}
		// The notice reads in the reader's language with a link.
		var n notify.Notification
		if err := d.Gorm.Where("user_id = ? AND kind = ?", w.cu.OwnerID, "contract.renewal").First(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n.Link != "/contracts/"+itoa(c.ID) || n.MsgID != "contracts.notice.renewal" {
			t.Fatalf("notice %+v", n)
		}
	})
}

// finishTasks marks every implementation task of c done.
func (w *contractWorld) finishTasks(t *testing.T, c *contracts.Contract) {
	t.Helper()
	ctx := context.Background()
	tasks, err := w.a.Contracts.Store().Tasks(ctx, c.Root())
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tasks {
		if _, err := w.a.Contracts.UpdateTask(ctx, subject(t, w.a, "liwei"), c.ID, tk.ID, contracts.TaskInput{
			Title: tk.Title, OwnerID: tk.OwnerID, DueOn: tk.DueOn.Format("2006-01-02"), Status: contracts.TaskDone, Version: tk.Version}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestContractTasksOverdue: an unfinished task past its due date is told
// to its owner once (per due date), shows on the owner's home, and the
// job does not tell again on the next run.
func TestContractTasksOverdue(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		w := newContractWorld(t, d, func(o *appOptions) { o.Now = clk.Now })
		c := w.signed(t)
		tasks, err := w.a.Contracts.Store().Tasks(ctx, c.Root())
		if err != nil || len(tasks) != 3 {
			t.Fatalf("tasks %v %v", tasks, err)
		}
		// The service opens today (due today), cutover in a week, acceptance in two.
		count := func() int64 {
			return countRows(t, d, &notify.Notification{}, "kind = ? AND user_id = ?", "contract.task_overdue", w.cu.OwnerID)
		}
		run := func() {
			t.Helper()
			if _, err := w.a.Jobs.RunNow(ctx, contracts.JobTasksOverdue); err != nil {
				t.Fatal(err)
			}
		}
		run()
		if n := count(); n != 0 {
			t.Fatalf("nothing is overdue on the due day, got %d notices", n)
		}
		clk.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)) // open (due 2 March) and cutover (9 March) late
		run()
		run()
		if n := count(); n != 2 {
			t.Fatalf("%d overdue notices, want 2 (once per task)", n)
		}
		runScenarios(t, w.a, []scenario{
			{name: "the owner's home lists them", as: "liwei", path: "/", status: 200, want: []string{"我逾期的实施事项", "开通：互联网专线 100M", "割接", "2026-03-02 到期"}},
			{name: "not on another manager's home", as: "zhoujie", path: "/", status: 200, want: []string{"没有逾期的实施事项"}, wantNot: []string{"开通：互联网专线 100M"}},
		})
		w.finishTasks(t, c)
		clk.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
		run()
		if n := count(); n != 2 {
			t.Fatalf("finished tasks are told again: %d", n)
		}
	})
}
