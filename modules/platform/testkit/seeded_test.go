package testkit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// uniqueName is a seed name no earlier run used, so that on a long-lived
// server (JIKE_TEST_DATABASE_URL) the template is made by this run and the
// seed's calls can be counted.
func uniqueName(what string) string {
	return fmt.Sprintf("testkit-%s-%d-%d", what, os.Getpid(), time.Now().UnixNano())
}

// dropSeededTemplate removes the PostgreSQL template of name when the test
// ends, so testkit's own tests leave nothing on an external server.
func dropSeededTemplate(t *testing.T, name string) {
	t.Cleanup(func() {
		seededMigrators.mu.Lock()
		m := seededMigrators.m[name]
		seededMigrators.mu.Unlock()
		if m == nil {
			return
		}
		m.mu.Lock()
		tpl := m.template
		m.mu.Unlock()
		if tpl == "" {
			return
		}
		base, err := PostgresConfig(t).Connect()
		if err != nil {
			t.Errorf("drop %s: %v", tpl, err)
			return
		}
		defer base.Close()
		ctx := context.Background()
		if _, err := base.ExecContext(ctx, `UPDATE pg_database SET datistemplate = false WHERE datname = $1`, tpl); err != nil {
			t.Errorf("drop %s: %v", tpl, err)
		}
		if _, err := base.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS "%s"`, tpl)); err != nil {
			t.Errorf("drop %s: %v", tpl, err)
		}
	})
}

func markers(t testing.TB, d *db.DB) []string {
	t.Helper()
	var vs []string
	if err := d.Gorm.Raw(`SELECT v FROM seeded_marker ORDER BY v`).Scan(&vs).Error; err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestSeededOnceForParallelCallers: eight parallel tests ask for one
// seeded template on each engine; the seed runs once per engine, each
// test sees what it wrote on top of the migrations, and each gets its own
// copy: a row one test adds is not in another's database.
func TestSeededOnceForParallelCallers(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{db.Postgres, db.SQLite} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			name := uniqueName("once")
			if engine == db.Postgres {
				dropSeededTemplate(t, name) // after the callers' databases are gone (cleanups are LIFO)
			}
			var calls atomic.Int32
			seed := func(ctx context.Context, d *db.DB) error {
				calls.Add(1)
				time.Sleep(50 * time.Millisecond) // let the other callers pile up on the template
				if err := d.Gorm.WithContext(ctx).Exec(`CREATE TABLE seeded_marker (v VARCHAR(40))`).Error; err != nil {
					return err
				}
				return d.Gorm.WithContext(ctx).Exec(`INSERT INTO seeded_marker (v) VALUES ('seed')`).Error
			}
			t.Run("callers", func(t *testing.T) {
				for i := range 8 {
					t.Run(fmt.Sprint(i), func(t *testing.T) {
						t.Parallel()
						d := Seeded(t, engine, name, seed)
						var users int64
						if err := d.Gorm.Raw(`SELECT COUNT(*) FROM users`).Scan(&users).Error; err != nil {
							t.Fatalf("not migrated: %v", err)
						}
						if got := markers(t, d); strings.Join(got, ",") != "seed" {
							t.Fatalf("the copy holds %v, want the seed's row", got)
						}
						mine := fmt.Sprintf("caller-%d", i)
						if err := d.Gorm.Exec(`INSERT INTO seeded_marker (v) VALUES (?)`, mine).Error; err != nil {
							t.Fatal(err)
						}
						// Give the others time to write theirs, then see only ours.
						time.Sleep(20 * time.Millisecond)
						if got := markers(t, d); strings.Join(got, ",") != mine+",seed" {
							t.Errorf("caller %d sees %v: not its own copy", i, got)
						}
					})
				}
			})
			if n := calls.Load(); n != 1 {
				t.Errorf("the seed ran %d times for 8 callers, want once", n)
			}
		})
	}
}

// fatalTB records a Fatal and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	mu    sync.Mutex
	fatal string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fatalTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func (f *fatalTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fatal != "" || f.TB.Failed()
}

// TestSeededFailureFailsEveryCaller: a seed that fails fails every test
// that asks for its template, each with the seed's error, and is not run
// again for the second one.
func TestSeededFailureFailsEveryCaller(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{db.Postgres, db.SQLite} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			name := uniqueName("fail")
			if engine == db.Postgres {
				dropSeededTemplate(t, name)
			}
			var calls atomic.Int32
			seed := func(context.Context, *db.DB) error {
				calls.Add(1)
				return errors.New("the demo would not load")
			}
			for i := range 2 {
				f := &fatalTB{TB: t}
				var got *db.DB
				done := make(chan struct{})
				go func() {
					defer close(done)
					got = Seeded(f, engine, name, seed)
				}()
				<-done
				if got != nil || !strings.Contains(f.fatal, "the demo would not load") {
					t.Errorf("caller %d: database %v, failure %q; want no database and the seed's error", i, got, f.fatal)
				}
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("the failing seed ran %d times, want once", n)
			}
		})
	}
}
