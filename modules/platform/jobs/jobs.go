// Package jobs runs the application's scheduled work (renewal reminders,
// SLA clocks, overdue lists, month-end reminders, churn scores…) safely
// when several app instances share one database.
//
// Each job has a row in the jobs table with its next due time. An instance
// claims a due run with one conditional UPDATE (due, and not locked by a
// live claim); the database lets exactly one instance win, on PostgreSQL
// and SQLite alike, so a run happens once however many instances tick.
// Every run is recorded (start, duration, error) for the admin page.
//
// Time comes from an injected clock, and RunDue can be called directly, so
// tests drive the schedule with a fake clock instead of sleeping.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/robfig/cron/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Func is the work of a job. now is the scheduled clock's time of the run
// (the fake clock's in tests); it must return when ctx ends.
type Func func(ctx context.Context, now time.Time) error

// Job is one named piece of scheduled work.
type Job struct {
	// Name is unique and stable (it keys the jobs table): the module,
	// a dot and the job, such as visits.reminders.
	Name string
	// Schedule is a standard five-field cron expression read in the
	// runner's time zone ("0 2 * * *" is 02:00 every day) or a descriptor
	// such as "@every 15m" or "@daily".
	Schedule string
	// Timeout bounds one run (default 10 minutes); a crashed instance's
	// claim expires after it, so another instance can take the job over.
	Timeout time.Duration
	Run     Func
}

// Options configure a Runner.
type Options struct {
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Location is the zone schedules are read in (default UTC).
	Location *time.Location
	// Instance names this process in the run log (default host:pid).
	Instance string
	// Tick is how often Start looks for due jobs (default 30 s).
	Tick time.Duration
	// KeepRuns is how many runs per job the log keeps (default 50).
	KeepRuns int
	// OnRun, when set, is told of every run this instance made (metrics).
	OnRun func(job string, d time.Duration, err error)
}

// Runner holds the registered jobs and runs them when due.
type Runner struct {
	db   *gorm.DB
	opts Options
	mu   sync.Mutex
	jobs map[string]registered
	wg   sync.WaitGroup
}

type registered struct {
	Job
	sched cron.Schedule
}

// parser reads standard cron lines and descriptors (@daily, @every 1h).
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// New returns a runner on the database.
func New(g *gorm.DB, o Options) *Runner {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Instance == "" {
		host, _ := os.Hostname()
		o.Instance = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if o.Tick <= 0 {
		o.Tick = 30 * time.Second
	}
	if o.KeepRuns <= 0 {
		o.KeepRuns = 50
	}
	return &Runner{db: g, opts: o, jobs: map[string]registered{}}
}

// SetClock replaces the clock (tests).
func (r *Runner) SetClock(now func() time.Time) { r.opts.Now = now }

// Register adds a job. A bad schedule or a duplicate name is a programming
// error and is returned so that start-up fails loudly.
func (r *Runner) Register(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("jobs: a job needs a name and a Run func")
	}
	sched, err := parser.Parse(j.Schedule)
	if err != nil {
		return fmt.Errorf("jobs: %s: schedule %q: %w", j.Name, j.Schedule, err)
	}
	if j.Timeout <= 0 {
		j.Timeout = 10 * time.Minute
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.jobs[j.Name]; dup {
		return fmt.Errorf("jobs: %s registered twice", j.Name)
	}
	r.jobs[j.Name] = registered{Job: j, sched: sched}
	return nil
}

// MustRegister is Register for wiring code, panicking on a programming
// error (bad schedule, duplicate name).
func (r *Runner) MustRegister(j Job) {
	if err := r.Register(j); err != nil {
		panic(err)
	}
}

// Names lists the registered jobs, sorted.
func (r *Runner) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.jobs))
	for n := range r.jobs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// State is a job's row: its schedule and its last run.
type State struct {
	Name           string `gorm:"primaryKey"`
	Schedule       string
	NextRunAt      time.Time
	LockedBy       string
	LockedUntil    *time.Time
	LastStartedAt  *time.Time
	LastFinishedAt *time.Time
	LastDurationMs int64
	LastError      string
	Runs           int64
	Failures       int64
}

// TableName is the jobs table.
func (State) TableName() string { return "jobs" }

// Run is one recorded run of a job.
type Run struct {
	ID         uint `gorm:"primaryKey"`
	Job        string
	Instance   string
	StartedAt  time.Time
	DurationMs int64
	Error      string
}

// TableName is the run log.
func (Run) TableName() string { return "job_runs" }

// Models lists the package's GORM models (schema drift test).
func Models() []any { return []any{&State{}, &Run{}} }

func (r *Runner) now() time.Time { return r.opts.Now().UTC() }

// ensure creates the job's row the first time, due at the schedule's next
// time after now; an existing row keeps its due time unless the schedule
// changed.
func (r *Runner) ensure(ctx context.Context, j registered, now time.Time) error {
	next := j.sched.Next(now.In(r.opts.Location)).UTC()
	row := State{Name: j.Name, Schedule: j.Schedule, NextRunAt: next}
	if err := r.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("jobs: register %s: %w", j.Name, err)
	}
	return r.db.WithContext(ctx).Model(&State{}).Where("name = ? AND schedule <> ?", j.Name, j.Schedule).
		Updates(map[string]any{"schedule": j.Schedule, "next_run_at": next}).Error
}

// claim marks the job as running by this instance if it is due and not
// claimed by a live run. Exactly one concurrent caller gets true.
func (r *Runner) claim(ctx context.Context, j registered, now time.Time) (bool, error) {
	until := now.Add(j.Timeout)
	res := r.db.WithContext(ctx).Model(&State{}).
		Where("name = ? AND next_run_at <= ? AND (locked_until IS NULL OR locked_until < ?)", j.Name, now, now).
		Updates(map[string]any{"locked_by": r.opts.Instance, "locked_until": until, "last_started_at": now})
	if res.Error != nil {
		return false, fmt.Errorf("jobs: claim %s: %w", j.Name, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// RunDue runs every registered job that is due at the clock's time, one
// after another, and returns the names of those this instance ran. Jobs
// due on another instance's claim are skipped. A failing job is recorded
// and does not stop the others.
func (r *Runner) RunDue(ctx context.Context) ([]string, error) {
	return r.runDue(ctx, ctx)
}

// runDue runs due jobs with ctx, checking stop before each one, so that a
// shutdown lets the running job finish and starts no other.
func (r *Runner) runDue(ctx, stop context.Context) ([]string, error) {
	var ran []string
	var errs []error
	for _, name := range r.Names() {
		if stop.Err() != nil {
			break
		}
		ok, err := r.runIfDue(ctx, name, false)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			ran = append(ran, name)
		}
	}
	return ran, errors.Join(errs...)
}

// RunNow runs one job at once, whatever its schedule (the admin's "run
// now" and tests), unless another instance is running it. It reports
// whether it ran.
func (r *Runner) RunNow(ctx context.Context, name string) (bool, error) {
	return r.runIfDue(ctx, name, true)
}

func (r *Runner) runIfDue(ctx context.Context, name string, force bool) (bool, error) {
	r.mu.Lock()
	j, ok := r.jobs[name]
	r.mu.Unlock()
	if !ok {
		return false, fmt.Errorf("jobs: no job %q", name)
	}
	now := r.now()
	if err := r.ensure(ctx, j, now); err != nil {
		return false, err
	}
	if force {
		if err := r.db.WithContext(ctx).Model(&State{}).Where("name = ?", name).Update("next_run_at", now).Error; err != nil {
			return false, err
		}
	}
	won, err := r.claim(ctx, j, now)
	if err != nil || !won {
		return false, err
	}
	r.wg.Add(1)
	defer r.wg.Done()
	runErr := r.execute(ctx, j, now)
	return true, r.finish(ctx, j, now, runErr)
}

// execute runs the job with its timeout, turning a panic into an error so
// that one bad job cannot take the process down.
func (r *Runner) execute(ctx context.Context, j registered, now time.Time) (err error) {
	ctx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return j.Run(ctx, now)
}

// finish records the run and schedules the next one after the run's time
// (a job late by hours runs once, not once per missed slot).
func (r *Runner) finish(ctx context.Context, j registered, started time.Time, runErr error) error {
	// The run's own context may have ended (timeout); bookkeeping must
	// still be written.
	ctx = context.WithoutCancel(ctx)
	finished := r.now()
	dur := finished.Sub(started).Milliseconds()
	if dur < 0 {
		dur = 0 // a fake clock may stand still or jump back
	}
	msg := ""
	if runErr != nil {
		msg = truncate(runErr.Error(), 4000)
		r.opts.Logger.Error("job failed", "job", j.Name, "ms", dur, "err", runErr)
	} else {
		r.opts.Logger.Info("job ran", "job", j.Name, "ms", dur)
	}
	if r.opts.OnRun != nil {
		r.opts.OnRun(j.Name, time.Duration(dur)*time.Millisecond, runErr)
	}
	next := j.sched.Next(started.In(r.opts.Location)).UTC()
	updates := map[string]any{
		"next_run_at": next, "locked_by": "", "locked_until": nil, "last_finished_at": finished,
		"last_duration_ms": dur, "last_error": msg, "runs": gorm.Expr("runs + 1"),
	}
	if runErr != nil {
		updates["failures"] = gorm.Expr("failures + 1")
	}
	return db.WithTx(ctx, r.db, func(ctx context.Context) error {
		tx := db.Conn(ctx, r.db)
		if err := tx.Model(&State{}).Where("name = ? AND locked_by = ?", j.Name, r.opts.Instance).Updates(updates).Error; err != nil {
			return fmt.Errorf("jobs: finish %s: %w", j.Name, err)
		}
		if err := tx.Create(&Run{Job: j.Name, Instance: r.opts.Instance, StartedAt: started, DurationMs: dur, Error: msg}).Error; err != nil {
			return err
		}
		// Keep the latest KeepRuns runs of this job.
		return tx.Exec(`DELETE FROM job_runs WHERE job = ? AND id NOT IN
			(SELECT id FROM (SELECT id FROM job_runs WHERE job = ? ORDER BY id DESC LIMIT ?) AS keep)`,
			j.Name, j.Name, r.opts.KeepRuns).Error
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// Start ticks until ctx ends, running due jobs. Ending ctx stops the runner
// between runs: a job that is running finishes (within its Timeout), so
// call Wait after ctx ends for a graceful shutdown.
func (r *Runner) Start(ctx context.Context) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(r.opts.Tick)
		defer t.Stop()
		run := context.WithoutCancel(ctx)
		for {
			if ctx.Err() != nil {
				return
			}
			if _, err := r.runDue(run, ctx); err != nil {
				r.opts.Logger.Warn("jobs tick", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Wait blocks until the ticker and any running job have returned.
func (r *Runner) Wait() { r.wg.Wait() }

// States returns every job's row and its latest runs, for the admin page.
func (r *Runner) States(ctx context.Context, runsPerJob int) ([]State, map[string][]Run, error) {
	now := r.now()
	for _, name := range r.Names() {
		r.mu.Lock()
		j := r.jobs[name]
		r.mu.Unlock()
		if err := r.ensure(ctx, j, now); err != nil {
			return nil, nil, err
		}
	}
	var states []State
	if err := r.db.WithContext(ctx).Order("name").Find(&states).Error; err != nil {
		return nil, nil, err
	}
	// The latest runs of every job in one query.
	var rs []Run
	err := r.db.WithContext(ctx).Raw(`SELECT id, job, instance, started_at, duration_ms, error FROM
		(SELECT job_runs.*, ROW_NUMBER() OVER (PARTITION BY job ORDER BY id DESC) AS n FROM job_runs) AS ranked
		WHERE n <= ? ORDER BY job, id DESC`, runsPerJob).Scan(&rs).Error
	if err != nil {
		return nil, nil, err
	}
	runs := map[string][]Run{}
	for _, x := range rs {
		runs[x.Job] = append(runs[x.Job], x)
	}
	return states, runs, nil
}

// has reports whether a job of that name is registered.
func (r *Runner) has(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.jobs[name]
	return ok
}
