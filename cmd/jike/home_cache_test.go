package main

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/web"
	"gorm.io/gorm"
)

// panelStatements records, per home panel (web.PanelOf of the statement's
// context), the tables its statements read.
type panelStatements struct {
	mu     sync.Mutex
	tables map[string]map[string]bool
}

// tableRef finds the tables a statement reads: every name after FROM or
// JOIN, bare or quoted (PostgreSQL's "", SQLite's “); a subquery's
// parenthesis is not a name and is skipped, LATERAL is a keyword.
var tableRef = regexp.MustCompile("(?i)\\b(?:FROM|JOIN)\\s+[\"`]?([a-z_][a-z0-9_]*)")

func recordPanelTables(t *testing.T, d *db.DB) *panelStatements {
	t.Helper()
	r := &panelStatements{tables: map[string]map[string]bool{}}
	keep := func(tx *gorm.DB) {
		if tx.DryRun || tx.Statement == nil || tx.Statement.Context == nil || tx.Statement.SQL.Len() == 0 {
			return
		}
		panel := web.PanelOf(tx.Statement.Context)
		if panel == "" {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.tables[panel] == nil {
			r.tables[panel] = map[string]bool{}
		}
		for _, m := range tableRef.FindAllStringSubmatch(tx.Statement.SQL.String(), -1) {
			r.tables[panel][strings.ToLower(m[1])] = true
		}
	}
	afterReads(t, d, "home_cache_test:panels", keep)
	return r
}

// afterReads registers fn after every statement that reads (Query, Row,
// Raw callbacks) on g, for the rest of the test or benchmark.
func afterReads(t testing.TB, d *db.DB, name string, fn func(*gorm.DB)) {
	t.Helper()
	handles := []*gorm.DB{d.Gorm}
	if d.Lookup != nil && d.Lookup.Callback() != d.Gorm.Callback() {
		handles = append(handles, d.Lookup) // PostgreSQL's lookup pool: the session's read
	}
	for _, g := range handles {
		cb := g.Callback()
		for _, err := range []error{
			cb.Query().After("gorm:query").Register(name, fn),
			cb.Row().After("gorm:row").Register(name, fn),
			cb.Raw().After("gorm:raw").Register(name, fn),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			_ = cb.Query().Remove(name)
			_ = cb.Row().Remove(name)
			_ = cb.Raw().Remove(name)
		})
		// The session's read goes around GORM (db.QueryRow): fn sees it
		// as a statement of its own all the same.
		stop, err := db.Observe(g, name, func(sql string, vars []any) {
			tx := &gorm.DB{Config: &gorm.Config{}, Statement: &gorm.Statement{Vars: vars}}
			tx.Statement.SQL.WriteString(sql)
			fn(tx)
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
}

// TestHomePanelReads: every home panel names what it reads, and every
// table its statements read (as each demo role, on both databases) has a
// data version among those it names — so no write to anything a panel
// shows can leave the panel cache serving it unchanged. It fails with the
// panel, the table and the versions that would cover it.
func TestHomePanelReads(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		rec := recordPanelTables(t, a.DB)
		for _, user := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
			if r := loggedIn(t, a, user).Get("/"); r.Status != 200 {
				t.Fatalf("home as %s: %d", user, r.Status)
			}
		}
		reads := a.Server.PanelReads()
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.tables) < 10 {
			t.Fatalf("statements of only %d panels recorded: %v", len(rec.tables), rec.tables)
		}
		var panels []string
		for p := range reads {
			panels = append(panels, p)
		}
		sort.Strings(panels)
		for _, p := range panels {
			if len(reads[p]) == 0 {
				t.Errorf("panel %s names no data versions (HomePanel.Reads): it is loaded on every request", p)
			}
			for table := range rec.tables[p] {
				switch table {
				case "cache_versions", "lateral":
					continue
				case "audit_log":
					// Written in the transaction of the write it records,
					// which bumps that record's version.
					if len(reads[p]) > 0 {
						continue
					}
				}
				sources := []string{table}
				if from, ok := db.DerivedTables[table]; ok {
					// Kept by triggers from other tables: every
					// source's version must be named.
					sources = from
				}
				for _, src := range sources {
					covering := db.TableVersions[src]
					if len(covering) == 0 {
						t.Errorf("panel %s reads %s, which has no data version (db.TableVersions, db.DerivedTables, migration triggers)", p, src)
						continue
					}
					if !slices.ContainsFunc(covering, func(v string) bool { return slices.Contains(reads[p], v) }) {
						t.Errorf("panel %s reads %s (from %s) but names %v, not one of %v", p, table, src, reads[p], covering)
					}
				}
			}
		}
	})
}

// countingStatements counts the statements run on g while on.
type countingStatements struct {
	mu sync.Mutex
	n  int
}

func countStatements(t *testing.T, d *db.DB) *countingStatements {
	t.Helper()
	c := &countingStatements{}
	keep := func(tx *gorm.DB) {
		if tx.DryRun || tx.Statement == nil || tx.Statement.SQL.Len() == 0 {
			return
		}
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
	}
	afterReads(t, d, "home_cache_test:count", keep)
	return c
}

func (c *countingStatements) during(f func()) int {
	c.mu.Lock()
	before := c.n
	c.mu.Unlock()
	f()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n - before
}

// TestHomePanelCache: a second look at the home page serves the panels
// kept from the first (the same page, a handful of statements instead of
// dozens), yet shows a write made behind the portal's back (a customer
// renamed in SQL, as psql would) at once, keeps one user's panels from
// another, and renders again when the minute turns (what moves with the
// clock alone is at most a minute behind).
func TestHomePanelCache(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		var clockMu sync.Mutex
		now := time.Now().UTC()
		a, err := buildApp(d, func() appOptions {
			o := demoSeedOptions()
			o.Now = func() time.Time {
				clockMu.Lock()
				defer clockMu.Unlock()
				return now
			}
			return o
		}())
		if err != nil {
			t.Fatal(err)
		}
		counter := countStatements(t, a.DB)
		liwei := loggedIn(t, a, "liwei") // the sign-in lands on the home page
		// The minute turns: the panels kept at the sign-in are made again.
		clockMu.Lock()
		now = now.Add(time.Minute)
		clockMu.Unlock()
		var first, second string
		cold := counter.during(func() { first = liwei.Get("/").Body })
		warm := counter.during(func() { second = liwei.Get("/").Body })
		if first != second {
			t.Fatal("the second home page differs from the first with nothing written between")
		}
		if warm > 6 || warm*3 > cold {
			t.Fatalf("home page statements: %d cold, %d warm; want the warm one to read only the session, the bell and the versions", cold, warm)
		}

		// A customer of liwei's named on his home page, renamed in SQL.
		var names []string
		if err := d.Gorm.Raw(`SELECT customers.name FROM customers JOIN users ON users.id = customers.owner_id
			WHERE users.username = 'liwei' AND customers.deleted_at IS NULL ORDER BY customers.id`).Scan(&names).Error; err != nil {
			t.Fatal(err)
		}
		shown := ""
		for _, n := range names {
			if strings.Contains(first, n) {
				shown = n
				break
			}
		}
		if shown == "" {
			t.Fatalf("none of liwei's %d customers is named on his home page", len(names))
		}
		renamed := shown + "（已更名）"
		if err := d.Gorm.Exec("UPDATE customers SET name = ? WHERE name = ?", renamed, shown).Error; err != nil {
			t.Fatal(err)
		}
		after := liwei.Get("/").Body
		if !strings.Contains(after, renamed) {
			t.Fatalf("home page after renaming %q in SQL does not show %q: the cache hid a write", shown, renamed)
		}

		// Another user's home is their own, not liwei's kept panels.
		zhoujie := loggedIn(t, a, "zhoujie").Get("/").Body
		if strings.Contains(zhoujie, renamed) {
			t.Fatalf("zhoujie's home names liwei's customer %q", renamed)
		}

	})
}
