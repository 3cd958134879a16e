package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/internal/benchseed"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// provinceUsers are the four people of issue 19 in a generated province:
// an account manager (~167 customers), a chief rep (a team of 20), a
// director (a branch of ~16,700 customers) and the admin (all ~100,000).
var provinceUsers = []struct{ role, username string }{
	{"am", "prov1_am001"},
	{"chief", "prov1_chief1"},
	{"director", "prov1_director"},
	{"admin", "admin"},
}

// provincePages are the pages issue 19 measures, per role: the account
// manager's own view and everyone else's whole scope (who=scope), as the
// people who watch a team open them.
var provincePages = []struct{ name, mine, scope string }{
	{"home", "/", "/"},
	{"board", "/pipeline", "/pipeline"},
	{"visits", "/visits", "/visits?who=scope"},
	{"calendar_month", "/visits/calendar?mode=month", "/visits/calendar?mode=month&who=scope"},
	{"calendar_week", "/visits/calendar?mode=week", "/visits/calendar?mode=week&who=scope"},
	{"opportunities", "/opportunities", "/opportunities"},
	{"proposals", "/proposals", "/proposals"},
	{"customers", "/customers", "/customers"},
	{"customer_search", "/customers?q=%E7%A7%91%E6%8A%80", "/customers?q=%E7%A7%91%E6%8A%80"}, // q=科技
	// A name nobody has: every search for a new name is a first look
	// (migration 00036, docs/performance.md § Search by character pairs).
	{"customer_search_name", "/customers?q=%E5%8D%8E%E4%B8%BA", "/customers?q=%E5%8D%8E%E4%B8%BA"}, // q=华为
	// The same name on lists that search their own text and their
	// customer's (migration 00037, § Search on the other lists).
	{"opportunity_search_name", "/opportunities?q=%E5%8D%8E%E4%B8%BA", "/opportunities?q=%E5%8D%8E%E4%B8%BA"},
	{"contract_search_name", "/contracts?q=%E5%8D%8E%E4%B8%BA", "/contracts?q=%E5%8D%8E%E4%B8%BA"},
}

// sqlitePages are the pages issue 19 asks of the embedded SQLite at
// province scale (list, search, board, home ≤ 100 ms one at a time), and
// the opportunity list and visits beside them.
var sqlitePages = []struct{ name, mine, scope string }{
	{"home", "/", "/"},
	{"board", "/pipeline", "/pipeline"},
	{"customers", "/customers", "/customers"},
	{"customer_search", "/customers?q=%E7%A7%91%E6%8A%80", "/customers?q=%E7%A7%91%E6%8A%80"},      // q=科技
	{"customer_search_name", "/customers?q=%E5%8D%8E%E4%B8%BA", "/customers?q=%E5%8D%8E%E4%B8%BA"}, // q=华为
	{"opportunities", "/opportunities", "/opportunities"},
	// Searches, as parts or as a set (docs/performance.md § SQLite's
	// province searched).
	{"board_search", "/pipeline?q=%E7%A7%91%E6%8A%80", "/pipeline?q=%E7%A7%91%E6%8A%80"},                      // q=科技
	{"board_search_name", "/pipeline?q=%E5%8D%8E%E4%B8%BA", "/pipeline?q=%E5%8D%8E%E4%B8%BA"},                 // q=华为
	{"opportunity_search", "/opportunities?q=%E7%A7%91%E6%8A%80", "/opportunities?q=%E7%A7%91%E6%8A%80"},      // q=科技
	{"opportunity_search_name", "/opportunities?q=%E5%8D%8E%E4%B8%BA", "/opportunities?q=%E5%8D%8E%E4%B8%BA"}, // q=华为
	{"contract_search_name", "/contracts?q=%E5%8D%8E%E4%B8%BA", "/contracts?q=%E5%8D%8E%E4%B8%BA"},            // q=华为
	{"visits", "/visits", "/visits?who=scope"},
}

// province is the benchmarks' shared province: built once per test binary
// (sync.Once) by provinceApp.
var province struct {
	once sync.Once
	app  *app
	err  error
}

// sqliteProvince is the same for the SQLite file of sqliteProvinceApp.
var sqliteProvince struct {
	once sync.Once
	app  *app
	err  error
}

// sqliteProvinceApp returns the app over the SQLite file at
// JIKE_BENCH_SQLITE (made by `JIKE_DATA_DIR=dir jike seed --scale
// province`: dir/jike.db), migrated; the benchmark is skipped without it
// (filling a province into SQLite takes longer than a benchmark should).
func sqliteProvinceApp(b *testing.B) *app {
	b.Helper()
	path := os.Getenv("JIKE_BENCH_SQLITE")
	if path == "" {
		b.Skip("JIKE_BENCH_SQLITE names no SQLite file made by jike seed --scale province")
	}
	sqliteProvince.once.Do(func() {
		ctx := context.Background()
		d, err := db.Open(ctx, db.Options{SQLitePath: path})
		if err != nil {
			sqliteProvince.err = err
			return
		}
		if _, err := d.Migrate(ctx); err != nil {
			sqliteProvince.err = err
			return
		}
		sqliteProvince.app, sqliteProvince.err = buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, Location: time.UTC})
	})
	if sqliteProvince.err != nil {
		b.Fatal(sqliteProvince.err)
	}
	return sqliteProvince.app
}

// provinceApp returns the app over a province-sized PostgreSQL database.
// With JIKE_BENCH_DATABASE_URL it opens a database filled once by
// `jike seed --scale province` (and applies pending migrations, so the
// branch's indexes are there); otherwise it fills a throwaway database
// with benchseed.FillProvince (minutes), which lives as long as the first
// benchmark that asked for it. Every generated user's password is the
// demo password.
func provinceApp(b *testing.B) *app {
	b.Helper()
	province.once.Do(func() {
		ctx := context.Background()
		var d *db.DB
		url := os.Getenv("JIKE_BENCH_DATABASE_URL")
		if url != "" {
			if d, province.err = db.Open(ctx, db.Options{URL: url}); province.err != nil {
				return
			}
			if _, province.err = d.Migrate(ctx); province.err != nil {
				return
			}
		} else {
			d = testkit.Postgres(b)
		}
		a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, LoginRate: 1 << 20, Location: time.UTC})
		if err != nil {
			province.err = err
			return
		}
		province.app = a
		if url != "" {
			return
		}
		if _, err := a.Org.SeedDemo(ctx); err != nil {
			province.err = err
			return
		}
		spec := benchseed.ProvinceScale(provinceManagers)
		if spec.PasswordHash, err = a.Org.HashPassword(org.DemoPassword); err != nil {
			province.err = err
			return
		}
		start := time.Now()
		p, err := benchseed.FillProvince(ctx, d.Gorm, spec)
		if err != nil {
			province.err = err
			return
		}
		b.Logf("province filled in %s: %+v", time.Since(start).Round(time.Second), p.Counts)
	})
	if province.err != nil {
		b.Fatal(province.err)
	}
	return province.app
}

// stmt is one SQL statement a page ran, with its arguments.
type stmt struct {
	SQL  string
	Vars []any
}

// statementRecorder keeps the statements that read (Query, Row, Raw
// callbacks) while it is on: the SQL a page runs, to count it (N+1) and
// to replay it alone with the same parameters.
type statementRecorder struct {
	mu   sync.Mutex
	on   bool
	list []stmt
}

// recordStatements registers the recorder's callbacks on g (once per
// name; the callbacks stay for the life of g and cost a mutex when off).
func recordStatements(tb testing.TB, d *db.DB, name string) *statementRecorder {
	tb.Helper()
	r := &statementRecorder{}
	keep := func(tx *gorm.DB) {
		r.mu.Lock()
		defer r.mu.Unlock()
		// A dry run only builds SQL (a part of a larger statement).
		if !r.on || tx.DryRun || tx.Statement == nil || tx.Statement.SQL.Len() == 0 {
			return
		}
		r.list = append(r.list, stmt{SQL: tx.Statement.SQL.String(), Vars: append([]any(nil), tx.Statement.Vars...)})
	}
	afterReads(tb, d, name, keep)
	return r
}

// during returns the statements fn ran.
func (r *statementRecorder) during(fn func()) []stmt {
	r.mu.Lock()
	r.on, r.list = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	out := r.list
	r.list = nil
	return out
}

// replay runs statements one after the other on sqlDB and reads every
// row, as the page did: the time of the page's own SQL.
func replay(tb testing.TB, sqlDB *sql.DB, list []stmt) {
	for _, s := range list {
		rows, err := sqlDB.Query(s.SQL, s.Vars...)
		if err != nil {
			tb.Fatalf("%s: %v", s.SQL, err)
		}
		cols, _ := rows.Columns()
		dst := make([]any, len(cols))
		for i := range dst {
			dst[i] = new(any)
		}
		for rows.Next() {
			if err := rows.Scan(dst...); err != nil {
				tb.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
	}
}

// pageGetter signs username in and returns a function that GETs a path
// through the router, failing on anything but 200, and returns the body.
func pageGetter(b *testing.B, a *app, username string) func(path string) []byte {
	b.Helper()
	cl := testkit.NewClient(b, a.Server.App)
	// A province seeded with --password P: JIKE_BENCH_PASSWORD=P.
	password := os.Getenv("JIKE_BENCH_PASSWORD")
	if password == "" {
		password = org.DemoPassword
	}
	cl.Login(username, password)
	cookie := &http.Cookie{Name: org.SessionCookie, Value: cl.Cookie(org.SessionCookie)}
	return func(path string) []byte {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		if strings.Contains(path, "/more") {
			req.Header.Set("HX-Request", "true")
		}
		res, err := a.Server.App.Test(req, -1)
		if err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d\n%.500s", path, res.StatusCode, body)
		}
		return body
	}
}

// BenchmarkPagesProvince measures each page of issue 19 for each of the
// four roles at province scale on PostgreSQL, through the real router:
// <page>/<role>/page is the server's time for the whole page (with the
// page's size as B/page and its statements as stmts/page), and
// <page>/<role>/sql the same statements with the same parameters replayed
// alone on the same database, so the two times compare directly (goal:
// page ≤ 1.5 × sql). With JIKE_BENCH_EXPLAIN=1 and -v it logs, per page,
// the EXPLAIN ANALYZE of its slowest statement (docs/performance.md).
//
//	jike seed --scale province   # once, into JIKE_DATABASE_URL
//	JIKE_BENCH_DATABASE_URL=… go test -run '^$' -bench PagesProvince -benchtime 20x ./cmd/jike/
func BenchmarkPagesProvince(b *testing.B) {
	measurePages(b, provinceApp(b), provincePages)
}

// BenchmarkPagesProvinceSQLite is BenchmarkPagesProvince on the embedded
// SQLite (docs/performance.md § SQLite), for the pages of sqlitePages:
//
//	JIKE_DATA_DIR=/tmp/prov jike seed --scale province --password …   # once
//	JIKE_BENCH_SQLITE=/tmp/prov/jike.db go test -run '^$' -bench PagesProvinceSQLite -benchtime 10x ./cmd/jike/
//
// A province seeded with another --password than the demo one needs
// JIKE_BENCH_PASSWORD (both benchmarks).
func BenchmarkPagesProvinceSQLite(b *testing.B) {
	measurePages(b, sqliteProvinceApp(b), sqlitePages)
}

// measurePages measures pages as the four roles of provinceUsers: page and
// replayed SQL, with the page's size and statement count.
func measurePages(b *testing.B, a *app, pages []struct{ name, mine, scope string }) {
	rec := recordStatements(b, a.DB, "bench_pages:record")
	sqlDB, err := a.DB.Gorm.DB()
	if err != nil {
		b.Fatal(err)
	}
	for _, pg := range pages {
		for _, who := range provinceUsers {
			get := pageGetter(b, a, who.username)
			path := pg.scope
			if who.role == "am" {
				path = pg.mine
			}
			var list []stmt
			var body []byte
			recorded := false
			record := func() {
				if !recorded {
					list = rec.during(func() { body = get(path) })
					recorded = true
				}
			}
			b.Run(pg.name+"/"+who.role+"/page", func(b *testing.B) {
				record()
				for b.Loop() {
					get(path)
				}
				b.ReportMetric(float64(len(body)), "B/page")
				b.ReportMetric(float64(len(list)), "stmts/page")
			})
			b.Run(pg.name+"/"+who.role+"/sql", func(b *testing.B) {
				record()
				for b.Loop() {
					replay(b, sqlDB, list)
				}
				b.ReportMetric(float64(len(list)), "stmts/page")
			})
			if !recorded {
				continue // both filtered out by -bench: no request, no plans
			}
			switch os.Getenv("JIKE_BENCH_EXPLAIN") {
			case "":
			case "all":
				explainEach(b, sqlDB, a.DB.Dialect, pg.name+" as "+who.role, list)
			default:
				explainSlowest(b, sqlDB, a.DB.Dialect, pg.name+" as "+who.role, list)
			}
		}
	}
}

// explainEach logs every statement of a page with its time alone and its
// arguments, slowest first, and the plan (EXPLAIN (ANALYZE, BUFFERS) on
// PostgreSQL, EXPLAIN QUERY PLAN on SQLite) of each that took 1 ms or
// more (JIKE_BENCH_EXPLAIN=all): which statement of which panel costs
// what.
func explainEach(b *testing.B, sqlDB *sql.DB, dialect, what string, list []stmt) {
	b.Helper()
	type timed struct {
		s stmt
		d time.Duration
	}
	var ts []timed
	var total time.Duration
	for _, s := range list {
		replay(b, sqlDB, []stmt{s}) // warm
		start := time.Now()
		replay(b, sqlDB, []stmt{s})
		d := time.Since(start)
		total += d
		ts = append(ts, timed{s, d})
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].d > ts[j].d })
	var out strings.Builder
	fmt.Fprintf(&out, "%s: %d statements, %s alone\n", what, len(ts), total.Round(10*time.Microsecond))
	for _, t := range ts {
		fmt.Fprintf(&out, "\n%s  %s\n  args %v\n", t.d.Round(10*time.Microsecond), t.s.SQL, t.s.Vars)
		if t.d < time.Millisecond {
			continue
		}
		explain := "EXPLAIN (ANALYZE, BUFFERS) "
		if dialect == db.SQLite {
			explain = "EXPLAIN QUERY PLAN "
		}
		for _, line := range queryPlan(b, sqlDB, explain+t.s.SQL, t.s.Vars) {
			out.WriteString("    " + line + "\n")
		}
	}
	b.Log(out.String())
}

// queryPlan runs an EXPLAIN and returns its lines (PostgreSQL: one text
// column; SQLite: id, parent, notused, detail — the last is kept).
func queryPlan(b *testing.B, sqlDB *sql.DB, q string, vars []any) []string {
	b.Helper()
	rows, err := sqlDB.Query(q, vars...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			b.Fatal(err)
		}
		line := *(vals[len(vals)-1].(*any))
		if bs, ok := line.([]byte); ok {
			line = string(bs)
		}
		plan = append(plan, fmt.Sprint(line))
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return plan
}

// explainSlowest logs the plan (EXPLAIN ANALYZE; on SQLite EXPLAIN QUERY
// PLAN) of the slowest of a page's statements, and the time of each of
// the three slowest.
func explainSlowest(b *testing.B, sqlDB *sql.DB, dialect, what string, list []stmt) {
	b.Helper()
	type timed struct {
		s stmt
		d time.Duration
	}
	var ts []timed
	for _, s := range list {
		start := time.Now()
		replay(b, sqlDB, []stmt{s})
		ts = append(ts, timed{s, time.Since(start)})
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].d > ts[j].d })
	if len(ts) == 0 {
		return
	}
	var top []string
	for i := 0; i < len(ts) && i < 3; i++ {
		top = append(top, ts[i].d.Round(10*time.Microsecond).String()+"  "+ts[i].s.SQL)
	}
	explain := "EXPLAIN ANALYZE "
	if dialect == db.SQLite {
		explain = "EXPLAIN QUERY PLAN "
	}
	plan := queryPlan(b, sqlDB, explain+ts[0].s.SQL, ts[0].s.Vars)
	b.Logf("%s: slowest statements:\n%s\nplan of the slowest:\n%s", what, strings.Join(top, "\n"), strings.Join(plan, "\n"))
}
