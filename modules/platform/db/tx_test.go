package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// probeStore stands for a module's store: it holds the base handle and
// reaches the database only through db.Conn.
type probeStore struct{ base *gorm.DB }

func (s probeStore) insert(ctx context.Context, table, v string) error {
	return db.Conn(ctx, s.base).Exec("INSERT INTO "+table+" (v) VALUES (?)", v).Error
}

func count(t *testing.T, g *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := g.Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWithTxSpansStores is the cross-module rule: two stores (two modules)
// writing in one WithTx commit together, and a failure injected in the
// second module's step rolls back the first module's write.
func TestWithTxSpansStores(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, tbl := range []string{"probe_a", "probe_b"} {
			if err := d.Gorm.Exec("CREATE TABLE " + tbl + " (v VARCHAR(20) NOT NULL)").Error; err != nil {
				t.Fatal(err)
			}
		}
		a, b := probeStore{d.Gorm}, probeStore{d.Gorm}

		// Committed together.
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if !db.InTx(ctx) {
				t.Error("ctx inside WithTx carries no transaction")
			}
			if err := a.insert(ctx, "probe_a", "one"); err != nil {
				return err
			}
			return b.insert(ctx, "probe_b", "one")
		})
		if err != nil {
			t.Fatal(err)
		}
		if count(t, d.Gorm, "probe_a") != 1 || count(t, d.Gorm, "probe_b") != 1 {
			t.Fatal("committed transaction did not write both rows")
		}

		// A failure in the second store's step undoes the first store's write.
		injected := errors.New("injected failure in module b")
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if err := a.insert(ctx, "probe_a", "two"); err != nil {
				return err
			}
			return injected
		})
		if !errors.Is(err, injected) {
			t.Fatalf("WithTx returned %v, want the injected error", err)
		}
		if n := count(t, d.Gorm, "probe_a"); n != 1 {
			t.Fatalf("probe_a has %d rows after a rolled-back transaction, want 1", n)
		}

		// A nested WithTx joins the outer one: its write is rolled back
		// with the outer failure.
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if err := d.WithTx(ctx, func(ctx context.Context) error { return b.insert(ctx, "probe_b", "nested") }); err != nil {
				return err
			}
			return injected
		})
		if !errors.Is(err, injected) {
			t.Fatalf("nested: %v", err)
		}
		if n := count(t, d.Gorm, "probe_b"); n != 1 {
			t.Fatalf("probe_b has %d rows after the outer transaction failed, want 1", n)
		}

		// Outside any transaction, Conn is the plain handle.
		if db.InTx(ctx) {
			t.Fatal("background context reports a transaction")
		}
		if err := b.insert(ctx, "probe_b", "plain"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d.Gorm, "probe_b"); n != 2 {
			t.Fatalf("probe_b has %d rows, want 2", n)
		}
	})
}

// TestConnIgnoresTransactionOfAnotherDatabase: a context carrying a
// transaction on one database must not leak it into a store of another.
func TestConnIgnoresTransactionOfAnotherDatabase(t *testing.T) {
	one, two := testkit.SQLite(t), testkit.SQLite(t)
	ctx := context.Background()
	for _, d := range []*db.DB{one, two} {
		if err := d.Gorm.Exec("CREATE TABLE probe_a (v VARCHAR(20) NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
	}
	err := one.WithTx(ctx, func(ctx context.Context) error {
		if err := (probeStore{two.Gorm}).insert(ctx, "probe_a", "other db"); err != nil {
			return err
		}
		return errors.New("roll back the first database")
	})
	if err == nil {
		t.Fatal("want the error back")
	}
	if n := count(t, two.Gorm, "probe_a"); n != 1 {
		t.Fatalf("the second database's write was tied to the first's transaction (%d rows)", n)
	}
}

// TestPoolReadInsideTx: while a transaction holds SQLite's write lock, a
// read through the pool (a store that does not join the transaction, or a
// lookup on another connection) opens new connections and must not wait
// for the lock. Opening a connection once ran PRAGMA optimize, which
// writes, and every such read failed after the busy timeout with
// "database is locked".
func TestPoolReadInsideTx(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Gorm.Exec("CREATE TABLE probe_r (v VARCHAR(20) NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
		sqlDB, err := d.Gorm.DB()
		if err != nil {
			t.Fatal(err)
		}
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if err := db.Conn(ctx, d.Gorm).Exec("INSERT INTO probe_r (v) VALUES ('x')").Error; err != nil {
				return err
			}
			// Three connections at once beside the transaction's: at least
			// one of them is opened now, under the held write lock.
			tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			for i := range 3 {
				c, err := sqlDB.Conn(tctx)
				if err != nil {
					return fmt.Errorf("connection %d: %w", i, err)
				}
				defer c.Close()
				var n int
				if err := c.QueryRowContext(tctx, "SELECT COUNT(*) FROM probe_r").Scan(&n); err != nil {
					return fmt.Errorf("read on connection %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestUnionAll: grouped parts glued into one statement answer together on
// both databases; a part carrying an error is that error
// and nothing runs.
func TestUnionAll(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		if err := d.Gorm.Exec("CREATE TABLE probe_u (src VARCHAR(10) NOT NULL, v INTEGER NOT NULL)").Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Exec("INSERT INTO probe_u (src, v) VALUES ('a', 1), ('a', 2), ('b', 5)").Error; err != nil {
			t.Fatal(err)
		}
		part := func(src string) *gorm.DB {
			return d.Gorm.Table("probe_u").Select("src, SUM(v) AS n").Where("src = ?", src).Group("src")
		}
		union, err := db.UnionAll(d.Gorm, []*gorm.DB{part("a"), part("b")})
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Src string
			N   int64
		}
		if err := union.Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		// UNION ALL promises no order.
		if len(rows) == 2 && rows[0].Src > rows[1].Src {
			rows[0], rows[1] = rows[1], rows[0]
		}
		if len(rows) != 2 || rows[0].Src != "a" || rows[0].N != 3 || rows[1].Src != "b" || rows[1].N != 5 {
			t.Fatalf("union = %+v", rows)
		}
		bad := part("b")
		_ = bad.AddError(errBoom)
		if _, err := db.UnionAll(d.Gorm, []*gorm.DB{part("a"), bad}); !errors.Is(err, errBoom) {
			t.Fatalf("a part's error: %v", err)
		}
		if _, err := db.UnionAll(d.Gorm, nil); err == nil {
			t.Fatal("a union of nothing is accepted")
		}
	})
}

var errBoom = errors.New("boom")
