package main

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// TestReportsReadFromStreamingReplica runs the reports on a real
// streaming replica: the test starts its own PostgreSQL primary, seeds
// the demo, copies it with pg_basebackup into a hot standby on another
// port (standby.signal, primary_conninfo) and points the replica handle
// (JIKE_DATABASE_REPLICA_URL's db.OpenReplica) at it.
//
//   - With replay paused on the standby, a change written to the primary
//     (the 发现 stage's opportunities deleted) is not in the report: the
//     report is the standby's. It is served while the primary holds an
//     ACCESS EXCLUSIVE lock on opportunities (busy), and no statement of
//     the app waits for that lock; pg_stat_activity on the standby shows
//     the replica pool's session (application_name jike-replica).
//   - The report page is kept on the replica: a second look runs one
//     statement there (the versions, in the report's snapshot), and so
//     does a look with replay paused after the primary's versions moved.
//   - Replay resumed, the change reaches the report and its page.
//   - The standby shut down, the report is still served, from the primary:
//     it shows a change the stopped standby never replayed.
func TestReportsReadFromStreamingReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary := testkit.NewCluster(t)
	admin := openURL(t, primary.URL("postgres"))
	if err := admin.Gorm.Exec(`CREATE DATABASE jike`).Error; err != nil {
		t.Fatal(err)
	}
	pd := seededDemo(t, db.Options{URL: primary.URL("jike")})
	standby := primary.NewStandby(t)
	sd := openURL(t, standby.URL("jike"))
	var inRecovery bool
	if err := sd.Gorm.Raw(`SELECT pg_is_in_recovery()`).Scan(&inRecovery).Error; err != nil || !inRecovery {
		t.Fatalf("the standby is not in recovery: %v %v", inRecovery, err)
	}

	waitFor := func(what string, cond func() bool) {
		t.Helper()
		// A guard against hanging, not a timing assertion.
		for deadline := time.Now().Add(2 * time.Minute); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waited two minutes for %s\nstandby log:\n%s", what, standby.Log())
			}
		}
	}
	identified := func(d *db.DB) int64 {
		var n int64
		if err := d.Gorm.Raw(`SELECT COUNT(*) FROM opportunities WHERE stage = 'identified' AND deleted_at IS NULL`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := identified(pd)
	if base == 0 {
		t.Fatal("the demo has no opportunity in the 发现 stage")
	}
	waitFor("the standby to catch up", func() bool { return identified(sd) == base })

	rep, err := db.OpenReplica(pd, []string{standby.URL("jike")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rep.Close() })
	if err := rep.RouteLaggingReads(pd); err != nil {
		t.Fatal(err)
	}
	a, err := buildApp(pd, appOptions{Replica: rep.Gorm, BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	c := loggedIn(t, a, "admin")
	funnel := func() string {
		t.Helper()
		res := c.Get("/reports/funnel/export.csv")
		if res.Status != http.StatusOK {
			t.Fatalf("funnel export: %d\n%.1000s", res.Status, res.Body)
		}
		return res.Body
	}
	baseline := funnel()
	// The report page is kept on the replica: its tables, and how many
	// statements a look runs on the replica's handle.
	var onReplica atomic.Int64
	count := func(*gorm.DB) { onReplica.Add(1) }
	if err := rep.Gorm.Callback().Query().After("gorm:query").Register("test:count", count); err != nil {
		t.Fatal(err)
	}
	if err := rep.Gorm.Callback().Row().After("gorm:row").Register("test:count", count); err != nil {
		t.Fatal(err)
	}
	page := func() (string, int64) {
		t.Helper()
		before := onReplica.Load()
		res := c.Get("/reports/funnel")
		if res.Status != http.StatusOK {
			t.Fatalf("funnel page: %d\n%.1000s", res.Status, res.Body)
		}
		i, j := strings.Index(res.Body, "<table"), strings.LastIndex(res.Body, "</table>")
		if i < 0 || j < i {
			t.Fatalf("the funnel page has no table:\n%.1500s", res.Body)
		}
		return res.Body[i:j], onReplica.Load() - before
	}
	basePage, _ := page()
	if again, n := page(); again != basePage || n != 1 {
		t.Fatalf("the funnel page again: same %v, %d statements on the replica, want the kept page and its versions only", again == basePage, n)
	}

	// Replay paused, the primary changes: only the primary has it.
	if err := sd.Gorm.Exec(`SELECT pg_wal_replay_pause()`).Error; err != nil {
		t.Fatal(err)
	}
	waitFor("replay to pause", func() bool {
		var st string
		sd.Gorm.Raw(`SELECT pg_get_wal_replay_pause_state()`).Scan(&st)
		return st == "paused"
	})
	var deleted []uint
	if err := pd.Gorm.Raw(`UPDATE opportunities SET deleted_at = now() WHERE stage = 'identified' AND deleted_at IS NULL RETURNING id`).Scan(&deleted).Error; err != nil {
		t.Fatal(err)
	}
	if identified(pd) != 0 || identified(sd) != base {
		t.Fatalf("primary %d, standby %d identified", identified(pd), identified(sd))
	}

	// Exports and list totals may lag (db.MayLag): they read the standby,
	// while the list's rows are the primary's (read your own writes).
	live := func(d *db.DB) int64 {
		var n int64
		if err := d.Gorm.Raw(`SELECT COUNT(*) FROM opportunities WHERE deleted_at IS NULL`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	exp := c.Get("/opportunities/export.csv")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(exp.Body, "\ufeff"))).ReadAll()
	if exp.Status != http.StatusOK || err != nil || len(recs) < 2 {
		t.Fatalf("opportunity export: %d %v\n%.500s", exp.Status, err, exp.Body)
	}
	if got := int64(len(recs) - 1); got != live(sd) || got == live(pd) {
		t.Fatalf("the export has %d rows; the standby %d, the primary %d: it did not read the replica", got, live(sd), live(pd))
	}
	list := c.Get("/opportunities?stage=identified")
	if list.Status != http.StatusOK {
		t.Fatalf("opportunity list: %d", list.Status)
	}
	var title string
	pd.Gorm.Raw(`SELECT title FROM opportunities WHERE id = ?`, deleted[0]).Scan(&title)
	if strings.Contains(list.Body, ">"+title+"<") {
		t.Fatalf("the list shows %q, deleted on the primary: its rows must be the primary's", title)
	}

	// The primary is busy: a transaction holds opportunities exclusively.
	lockDB, err := pd.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	lockTx, err := lockDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockTx.ExecContext(ctx, `LOCK TABLE opportunities IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		res := c.Get("/reports/funnel/export.csv")
		done <- res.Body
	}()
	var stale string
	waitFor("the report while the primary is busy", func() bool {
		select {
		case stale = <-done:
			return true
		default:
		}
		var waiting int64
		pd.Gorm.Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = 'jike' AND backend_type = 'client backend' AND wait_event_type = 'Lock'`).Scan(&waiting)
		if waiting > 0 {
			_ = lockTx.Rollback()
			t.Fatal("the report waited for the busy primary's lock: it did not read the replica")
		}
		return false
	})
	if err := lockTx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if stale != baseline {
		t.Fatalf("with replay paused the report changed: it read the primary\nbefore:\n%s\nnow:\n%s", baseline, stale)
	}
	// The primary's versions moved, the replica's did not: the page kept
	// at the replica's moment is still the replica's.
	if p, n := page(); p != basePage || n != 1 {
		t.Fatalf("with replay paused: the page changed %v, %d statements on the replica", p != basePage, n)
	}
	var sessions int64
	// A report is read in a snapshot whose last statement is its COMMIT
	// (and, kept, its only query the versions): the replica pool's
	// sessions are on the standby.
	sd.Gorm.Raw(`SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?`, db.ReplicaAppName).Scan(&sessions)
	if sessions == 0 {
		t.Fatal("pg_stat_activity on the standby shows no session of the replica pool")
	}

	// Replay resumed: the change reaches the report.
	if err := sd.Gorm.Exec(`SELECT pg_wal_replay_resume()`).Error; err != nil {
		t.Fatal(err)
	}
	waitFor("the standby to replay the change", func() bool { return identified(sd) == 0 })
	if p, n := page(); p == basePage || n <= 1 {
		t.Fatalf("after replay the page is the kept one (changed %v, %d statements on the replica)", p != basePage, n)
	}
	replayed := funnel()
	if replayed == baseline {
		t.Fatal("after replay the report still shows the deleted opportunities")
	}

	// The standby goes down while the primary changes again: the report
	// is served from the primary (it shows the opportunities back, which
	// the stopped standby never saw).
	if err := sd.Gorm.Exec(`SELECT pg_wal_replay_pause()`).Error; err != nil {
		t.Fatal(err)
	}
	if err := pd.Gorm.Exec(`UPDATE opportunities SET deleted_at = NULL WHERE id IN ?`, deleted).Error; err != nil {
		t.Fatal(err)
	}
	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := funnel(); got != baseline {
		t.Fatalf("with the standby down the report is not the primary's\nwant:\n%s\ngot:\n%s", baseline, got)
	}
	if p, _ := page(); p != basePage {
		t.Fatal("with the standby down the page is not the primary's")
	}
	if rep.OnReplica() {
		t.Fatal("the replica handle does not know the standby is down")
	}
	if !strings.Contains(baseline, "\n") {
		t.Fatalf("the funnel export is empty: %q", baseline)
	}
}
