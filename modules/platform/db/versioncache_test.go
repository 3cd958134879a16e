package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// teamFixture makes a branch with three teams (a team's name is one of
// the writes that bump the visits version, migration 00026).
func teamFixture(t *testing.T, g *gorm.DB) []int64 {
	t.Helper()
	now := time.Now().UTC()
	if err := g.Exec("INSERT INTO branches (code, name, created_at, updated_at) VALUES ('VC', '缓存分公司', ?, ?)", now, now).Error; err != nil {
		t.Fatal(err)
	}
	var branch int64
	if err := g.Raw("SELECT id FROM branches WHERE code = 'VC'").Scan(&branch).Error; err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"一组", "二组", "三组"} {
		if err := g.Exec("INSERT INTO teams (branch_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)", branch, n, now, now).Error; err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	if err := g.Raw("SELECT id FROM teams WHERE branch_id = ? ORDER BY id", branch).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestVersionCache: a value is served from memory only while the data
// version it was computed at is current; every committed write bumps it
// (and only a committed one); nothing is cached inside a transaction.
func TestVersionCache(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := d.Gorm
		teams := teamFixture(t, g)
		version := func() int64 {
			t.Helper()
			v, err := db.DataVersion(ctx, g, db.VersionVisits)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		// Team inserts do not bump (a new team has no visits).
		if v := version(); v != 0 {
			t.Fatalf("version before any counted write: %d", v)
		}
		c := db.NewVersionCache[int](db.VersionVisits, 10)
		loads := 0
		value := 0
		get := func(ctx context.Context, key string) int {
			t.Helper()
			v, err := c.Get(ctx, g, key, func(context.Context) (int, error) { loads++; return value, nil })
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		value = 7
		first, second := get(ctx, "k"), get(ctx, "k")
		if first != 7 || second != 7 || loads != 1 {
			t.Fatalf("two reads at one version: %d loads, want 1", loads)
		}
		if get(ctx, "other") != 7 || loads != 2 {
			t.Fatal("another key is loaded on its own")
		}

		// A committed write: the next read loads again.
		if err := g.Exec("UPDATE teams SET name = '一组（新）' WHERE id = ?", teams[0]).Error; err != nil {
			t.Fatal(err)
		}
		if v := version(); v != 1 {
			t.Fatalf("version after one write: %d", v)
		}
		value = 8
		if get(ctx, "k") != 8 || loads != 3 {
			t.Fatalf("after a write: value %d, %d loads; a value from before the write was served", get(ctx, "k"), loads)
		}
		if c.Len() != 1 {
			t.Fatalf("values of the old version kept: %d", c.Len())
		}

		// A write that is not a counted change (same name) and a rolled
		// back one: the version stays, the value is served.
		if err := g.Exec("UPDATE teams SET updated_at = ? WHERE id = ?", time.Now().UTC(), teams[1]).Error; err != nil {
			t.Fatal(err)
		}
		boom := errors.New("roll back")
		if err := db.WithTx(ctx, g, func(ctx context.Context) error {
			if err := db.Conn(ctx, g).Exec("UPDATE teams SET name = '二组（撤销）' WHERE id = ?", teams[1]).Error; err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if v := version(); v != 1 {
			t.Fatalf("an unchanged name or a rolled back write bumped the version: %d", v)
		}
		if get(ctx, "k") != 8 || loads != 3 {
			t.Fatal("nothing changed, yet the value was loaded again")
		}

		// Inside a transaction: loaded every time, never stored (it would
		// see its own uncommitted writes).
		if err := db.WithTx(ctx, g, func(ctx context.Context) error {
			if err := db.Conn(ctx, g).Exec("UPDATE teams SET name = '二组（新）' WHERE id = ?", teams[1]).Error; err != nil {
				return err
			}
			value = 9
			first, second := get(ctx, "k"), get(ctx, "k")
			if first != 9 || second != 9 {
				t.Error("a read in a transaction was not loaded")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if loads != 5 {
			t.Fatalf("loads in the transaction: %d, want 2 more", loads-3)
		}

		// Several writes in one transaction: the version moves (once per
		// transaction on PostgreSQL, where the triggers are deferred).
		before := version()
		if err := db.WithTx(ctx, g, func(ctx context.Context) error {
			for i, id := range teams {
				if err := db.Conn(ctx, g).Exec("UPDATE teams SET name = ? WHERE id = ?", []string{"甲", "乙", "丙"}[i], id).Error; err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		after := version()
		if after <= before {
			t.Fatalf("three committed writes: version %d → %d", before, after)
		}
		if d.Dialect == db.Postgres && after != before+1 {
			t.Fatalf("PostgreSQL bumps once per transaction: %d → %d", before, after)
		}
		value = 10
		if get(ctx, "k") != 10 {
			t.Fatal("value from before the transaction served")
		}

		// A write not yet committed by someone else is not seen: the old
		// value stays right until the commit, then it is loaded again.
		sqlDB, err := g.DB()
		if err != nil {
			t.Fatal(err)
		}
		tx, err := sqlDB.BeginTx(ctx, &sql.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE teams SET name = '丁' WHERE id = %d", teams[2])); err != nil {
			_ = tx.Rollback()
			t.Fatal(err)
		}
		loadsBefore := loads
		value = 11
		if get(ctx, "k") != 10 || loads != loadsBefore {
			t.Fatal("an uncommitted write changed the cached value")
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if get(ctx, "k") != 11 {
			t.Fatal("committed write not seen")
		}
	})
}

// TestTableVersionsHaveTriggers: every table of db.TableVersions has, on
// both databases, triggers that bump each of its versions on insert,
// update and delete — the promise the home panel cache and the cached
// totals rest on (a table listed without its trigger would let a cached
// panel hide a write).
func TestTableVersionsHaveTriggers(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		for table, versions := range db.TableVersions {
			var defs []string
			if d.Dialect == db.SQLite {
				if err := d.Gorm.Raw("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", table).Scan(&defs).Error; err != nil {
					t.Fatal(err)
				}
			} else {
				if err := d.Gorm.Raw("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = ?::regclass AND NOT tgisinternal", table).Scan(&defs).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range versions {
				for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
					found := false
					for _, def := range defs {
						if strings.Contains(def, event) && strings.Contains(def, "'"+v+"'") {
							found = true
						}
					}
					if !found {
						t.Errorf("%s: no trigger bumps %q on %s (triggers: %q)", table, v, event, defs)
					}
				}
			}
		}
	})
}

// TestVersionCacheWeighed: a weighed cache holds at most its weight in
// all, and serves without keeping a value above an eighth of it.
func TestVersionCacheWeighed(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := db.NewVersionCache[[]int](db.VersionVisits, 100).Weighed(func(v []int) int { return len(v) }, 80)
		loads := 0
		get := func(key string, n int) {
			t.Helper()
			v, err := c.Get(ctx, d.Gorm, key, func(context.Context) ([]int, error) { loads++; return make([]int, n), nil })
			if err != nil || len(v) != n {
				t.Fatalf("%s: %d values, %v", key, len(v), err)
			}
		}
		get("big", 11) // above 80/8: served, not kept
		get("big", 11)
		if loads != 2 || c.Len() != 0 {
			t.Fatalf("a value above an eighth of the weight: %d loads, %d kept", loads, c.Len())
		}
		for i := range 8 {
			get(fmt.Sprint("k", i), 10) // 80 in all
		}
		if c.Len() != 8 {
			t.Fatalf("eight values of 10 within 80: %d kept", c.Len())
		}
		get("k0", 10)
		if loads != 10 {
			t.Fatalf("a kept value was loaded again: %d loads", loads)
		}
		get("k8", 10) // 90 > 80: the cache starts over
		if c.Len() != 1 {
			t.Fatalf("over the weight: %d values kept, want the last one", c.Len())
		}
	})
}

// countVersionReads counts the statements on g that read cache_versions
// (for the rest of the test).
func countVersionReads(t *testing.T, g *gorm.DB) *int {
	t.Helper()
	reads := new(int)
	count := func(tx *gorm.DB) {
		if strings.Contains(tx.Statement.SQL.String(), "cache_versions") {
			*reads++
		}
	}
	cb := g.Callback()
	if err := cb.Row().After("gorm:row").Register("test:version_reads", count); err != nil {
		t.Fatal(err)
	}
	if err := cb.Query().After("gorm:query").Register("test:version_reads", count); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cb.Row().Remove("test:version_reads"); _ = cb.Query().Remove("test:version_reads") })
	return reads
}

// TestVersionMemo: in a request with a version memo every kept value
// reads the versions once; a write in the request (through GORM, raw SQL
// included) makes the next read go to the database again, and sees the
// write; without a memo every read goes to the database.
func TestVersionMemo(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		g := d.Gorm
		teams := teamFixture(t, g)
		reads := countVersionReads(t, g)
		c := db.NewVersionCache[int](db.VersionVisits, 10)
		loads := 0
		get := func(ctx context.Context, key string) {
			t.Helper()
			if _, err := c.Get(ctx, g, key, func(context.Context) (int, error) { loads++; return loads, nil }); err != nil {
				t.Fatal(err)
			}
		}
		ctx := db.WithVersionMemo(context.Background())
		for _, k := range []string{"a", "b", "c", "a"} {
			get(ctx, k)
		}
		if v, err := db.DataVersions(ctx, g, []string{db.VersionOrg, db.VersionVisits}); err != nil || len(v) != 2 {
			t.Fatal(v, err)
		}
		if *reads != 1 || loads != 3 {
			t.Fatalf("four kept values and a version read in one request: %d version reads, %d loads; want 1 and 3", *reads, loads)
		}
		// A write in the request: the versions are read again.
		if err := g.WithContext(ctx).Exec("UPDATE teams SET name = '一组（改）' WHERE id = ?", teams[0]).Error; err != nil {
			t.Fatal(err)
		}
		get(ctx, "a")
		if *reads != 2 || loads != 4 {
			t.Fatalf("after a write in the request: %d version reads, %d loads; want 2 and 4", *reads, loads)
		}
		// Without a memo: a read per value.
		*reads = 0
		for _, k := range []string{"a", "b"} {
			get(context.Background(), k)
		}
		if *reads != 2 {
			t.Fatalf("two values without a memo: %d version reads, want 2", *reads)
		}
	})
}

// TestVersionCacheGetMany: several keys at once — the kept ones served,
// the missing ones loaded in one call, an unknown one absent and not
// kept, everything loaded again after a write.
func TestVersionCacheGetMany(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := d.Gorm
		teams := teamFixture(t, g)
		c := db.NewVersionCache[string](db.VersionVisits, 10)
		var calls [][]string
		suffix := "a"
		get := func(keys ...string) map[string]string {
			t.Helper()
			out, err := c.GetMany(ctx, g, keys, func(_ context.Context, keys []string) (map[string]string, error) {
				calls = append(calls, keys)
				m := map[string]string{}
				for _, k := range keys {
					if k != "unknown" {
						m[k] = k + suffix
					}
				}
				return m, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		if got := get("1", "2", "1", "unknown"); fmt.Sprint(got) != "map[1:1a 2:2a]" || fmt.Sprint(calls) != "[[1 2 unknown]]" {
			t.Fatalf("first look: %v, loads %v", got, calls)
		}
		if got := get("2", "3", "unknown"); fmt.Sprint(got) != "map[2:2a 3:3a]" || fmt.Sprint(calls[1:]) != "[[3 unknown]]" {
			t.Fatalf("second look: %v, loads %v (want only 3 and unknown loaded)", got, calls)
		}
		if err := g.Exec("UPDATE teams SET name = '一组（改）' WHERE id = ?", teams[0]).Error; err != nil {
			t.Fatal(err)
		}
		suffix = "b"
		if got := get("1", "2"); fmt.Sprint(got) != "map[1:1b 2:2b]" || fmt.Sprint(calls[2:]) != "[[1 2]]" {
			t.Fatalf("after a write: %v, loads %v", got, calls)
		}
	})
}

// TestMemoFilledBySessionStatement: a page's first statement (the
// session's) can read the versions for the memo (MemoVersionsColumn,
// FillMemo): the kept values after it read none, see what the database
// held, and a write in the request still sends the next read to the
// database. Where there is nothing to fill (no memo, a filled one, a
// transaction) no column is asked for, and text that does not parse
// leaves the memo to the first kept value.
func TestMemoFilledBySessionStatement(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		g := d.Gorm
		teams := teamFixture(t, g)
		reads := countVersionReads(t, g)
		names := []string{db.VersionOrg, db.VersionVisits, db.VersionCustomers, db.VersionTargets}
		want, err := db.DataVersions(context.Background(), g, names)
		if err != nil {
			t.Fatal(err)
		}
		if want[0] == 0 {
			t.Fatalf("the fixture's teams left the org version at 0: %v", want)
		}

		fill := func(ctx context.Context) {
			t.Helper()
			col := db.MemoVersionsColumn(ctx, g, "v")
			if col == "" {
				t.Fatal("a fresh memo asked for no versions column")
			}
			var row struct {
				One int
				V   sql.NullString
			}
			if err := g.WithContext(ctx).Raw("SELECT 1 AS one, " + col).Scan(&row).Error; err != nil {
				t.Fatal(err)
			}
			if row.One != 1 || !row.V.Valid || !strings.Contains(row.V.String, db.VersionOrg+"=") {
				t.Fatalf("versions column read %+v", row)
			}
			db.FillMemo(ctx, row.V)
		}
		ctx := db.WithVersionMemo(context.Background())
		fill(ctx)
		if col := db.MemoVersionsColumn(ctx, g, "v"); col != "" {
			t.Fatalf("a filled memo asked again for %q", col)
		}
		*reads = 0
		got, err := db.DataVersions(ctx, g, names)
		if err != nil {
			t.Fatal(err)
		}
		if *reads != 0 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after the fill: %d version reads and %v; want none and %v", *reads, got, want)
		}
		// A write elsewhere after the fill: the request is one moment and
		// keeps the versions it read; the next request sees the write.
		if err := g.Exec("UPDATE teams SET name = '一组（他处）' WHERE id = ?", teams[0]).Error; err != nil {
			t.Fatal(err)
		}
		if got, _ := db.DataVersions(ctx, g, names); got[0] != want[0] {
			t.Fatalf("org version moved inside the request: %d → %d", want[0], got[0])
		}
		next := db.WithVersionMemo(context.Background())
		fill(next)
		if got, _ := db.DataVersions(next, g, names); got[0] <= want[0] {
			t.Fatalf("the next request's org version %d, want above %d", got[0], want[0])
		}
		// A write in the request: the next kept value reads the database.
		if err := g.WithContext(next).Exec("UPDATE teams SET name = '一组（本请求）' WHERE id = ?", teams[0]).Error; err != nil {
			t.Fatal(err)
		}
		*reads = 0
		if _, err := db.DataVersions(next, g, names); err != nil || *reads != 1 {
			t.Fatalf("after a write in the request: %d version reads (err %v), want 1", *reads, err)
		}

		if col := db.MemoVersionsColumn(context.Background(), g, "v"); col != "" {
			t.Fatalf("no memo, yet asked for %q", col)
		}
		if err := db.WithTx(db.WithVersionMemo(context.Background()), g, func(ctx context.Context) error {
			if col := db.MemoVersionsColumn(ctx, g, "v"); col != "" {
				t.Errorf("in a transaction, asked for %q", col)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// NULL (an empty table) is every version at 0; text that does not
		// parse leaves the memo empty.
		empty := db.WithVersionMemo(context.Background())
		db.FillMemo(empty, sql.NullString{})
		*reads = 0
		if got, _ := db.DataVersions(empty, g, names); *reads != 0 || fmt.Sprint(got) != "[0 0 0 0]" {
			t.Fatalf("after a NULL fill: %d reads, %v", *reads, got)
		}
		bad := db.WithVersionMemo(context.Background())
		db.FillMemo(bad, sql.NullString{String: "org=x", Valid: true})
		now, err := db.DataVersions(context.Background(), g, names)
		if err != nil {
			t.Fatal(err)
		}
		*reads = 0
		if got, _ := db.DataVersions(bad, g, names); *reads != 1 || fmt.Sprint(got) != fmt.Sprint(now) {
			t.Fatalf("after a fill that does not parse: %d reads, %v; want 1 and %v", *reads, got, now)
		}
	})
}

// TestVersionCacheGetSnapshot: a value read from a replica is kept under
// the versions read in its own snapshot. A team renamed (which bumps the
// visits version) and committed while the value is being computed is not
// in that value, and the next reader — whose snapshot reads the new
// version — gets the new name, not the kept one. It fails when the
// versions are read outside the load's snapshot (after it: the old name
// kept under the new version). Inside a caller's transaction nothing is
// kept.
func TestVersionCacheGetSnapshot(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := d.Gorm
		teams := teamFixture(t, g)
		c := db.NewVersionCache[string](db.VersionVisits, 10)
		loads := 0
		name := func(ctx context.Context) (string, error) {
			loads++
			var n string
			err := db.Conn(ctx, g).Raw("SELECT name FROM teams WHERE id = ?", teams[0]).Scan(&n).Error
			return n, err
		}
		rename := func(to string) {
			t.Helper()
			if err := g.Exec("UPDATE teams SET name = ? WHERE id = ?", to, teams[0]).Error; err != nil {
				t.Fatal(err)
			}
		}
		got, err := c.GetSnapshot(ctx, g, "k", func(ctx context.Context) (string, error) {
			// The snapshot began with the versions; this write commits
			// outside it.
			rename("一组（改）")
			return name(ctx)
		})
		if err != nil || got != "一组" {
			t.Fatalf("first read: %q %v, want the name of its snapshot", got, err)
		}
		if got, err := c.GetSnapshot(ctx, g, "k", name); err != nil || got != "一组（改）" {
			t.Fatalf("after the rename: %q %v (loads %d), want the new name", got, err, loads)
		}
		before := loads
		if got, err := c.GetSnapshot(ctx, g, "k", name); err != nil || got != "一组（改）" || loads != before {
			t.Fatalf("unchanged: %q %v, %d loads more, want the kept value", got, err, loads-before)
		}
		err = db.WithTx(ctx, g, func(ctx context.Context) error {
			if _, err := c.GetSnapshot(ctx, g, "k", name); err != nil {
				return err
			}
			return nil
		})
		if err != nil || loads != before+1 {
			t.Fatalf("inside a transaction: %v, %d loads, want one", err, loads-before)
		}
	})
}
