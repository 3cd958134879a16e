package db_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// probe is a row of the keyset test table: few distinct values per
// column, so that every order has long runs of ties, and a nullable date.
type probe struct {
	ID   uint `gorm:"primaryKey"`
	Grp  string
	N    int
	At   time.Time
	D    *time.Time
	Name string
}

func (probe) TableName() string { return "keyset_probe" }

var probeDDL = map[string]string{
	db.Postgres: `CREATE TABLE keyset_probe (id BIGSERIAL PRIMARY KEY, grp TEXT NOT NULL, n INTEGER NOT NULL,
		at TIMESTAMPTZ NOT NULL, d DATE, name TEXT NOT NULL)`,
	db.SQLite: `CREATE TABLE keyset_probe (id INTEGER PRIMARY KEY AUTOINCREMENT, grp TEXT NOT NULL, n INTEGER NOT NULL,
		at DATETIME NOT NULL, d DATE, name TEXT NOT NULL)`,
}

// fillProbe inserts n rows. Times have fractions of differing lengths
// (whole seconds, milliseconds, microseconds), which SQLite stores as
// RFC 3339 text of differing lengths.
func fillProbe(t *testing.T, d *db.DB, n int) {
	t.Helper()
	if err := d.Gorm.Exec(probeDDL[d.Dialect]).Error; err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	rows := make([]probe, n)
	for i := range rows {
		at := base.Add(time.Duration(i%37) * time.Second)
		switch i % 3 {
		case 1:
			at = at.Add(time.Duration(i%7) * 125 * time.Millisecond)
		case 2:
			at = at.Add(time.Duration(i%11) * 1001 * time.Microsecond)
		}
		rows[i] = probe{Grp: []string{"甲", "乙", "丙", "b", "A"}[i%5], N: (i * 7919) % 13, At: at,
			Name: fmt.Sprintf("客户%d", (i*31)%97)}
		if i%4 != 0 {
			day := time.Date(2026, 4, 1+(i*13)%29, 0, 0, 0, 0, time.UTC)
			rows[i].D = &day
		}
	}
	if err := d.Gorm.CreateInBatches(rows, 500).Error; err != nil {
		t.Fatal(err)
	}
}

func probeKey(p *probe) map[string]any {
	var d any
	if p.D != nil {
		d = *p.D
	}
	return map[string]any{"grp": p.Grp, "n": p.N, "at": p.At, "d": d, "name": p.Name, "id": p.ID}
}

// TestEachBatchWalksEveryOrder reads a table with many ties and NULLs in
// small batches, in orders of one direction, of mixed directions and with
// a nullable key first, in the middle and alone, and checks that the
// batches, joined, are exactly the rows of one ORDER BY query: every row
// once, in the same order. It runs on PostgreSQL and SQLite, whose time
// storage, NULL ordering and row-value support differ.
func TestEachBatchWalksEveryOrder(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		const rows = 3000
		fillProbe(t, d, rows)
		k := func(expr string, desc, null bool) db.Key { return db.Key{Expr: expr, Desc: desc, Nullable: null} }
		orders := [][]db.Key{
			{k("id", false, false)},
			{k("n", false, false), k("id", false, false)},
			{k("n", true, false), k("id", true, false)},
			{k("at", true, false), k("id", true, false)},
			{k("at", false, false), k("id", false, false)},
			{k("d", false, true), k("id", false, false)},
			{k("d", true, true), k("id", true, false)},
			{k("grp", false, false), k("n", true, false), k("id", false, false)},
			{k("name", true, false), k("at", false, false), k("id", true, false)},
			{k("d", false, true), k("n", true, false), k("id", false, false)},
			{k("grp", false, false), k("d", true, true), k("id", true, false)},
			{k("keyset_probe.d", true, true), k("keyset_probe.at", true, false), k("keyset_probe.id", false, false)},
		}
		ctx := context.Background()
		for _, keys := range orders {
			name := strings.ReplaceAll(db.Order(keys), " ", "_")
			t.Run(name, func(t *testing.T) {
				var want []uint
				if err := d.Gorm.Model(&probe{}).Order(db.Order(keys)).Pluck("id", &want).Error; err != nil {
					t.Fatal(err)
				}
				if len(want) != rows {
					t.Fatalf("reference query returned %d rows, want %d", len(want), rows)
				}
				for _, size := range []int{7, 1000} {
					var got []uint
					batches := 0
					err := db.EachBatch(ctx, d.Gorm, func(tx *gorm.DB) *gorm.DB { return tx.Model(&probe{}) }, keys,
						func(p *probe) []any {
							m := probeKey(p)
							out := make([]any, len(keys))
							for i, k := range keys {
								out[i] = m[strings.TrimPrefix(k.Expr, "keyset_probe.")]
							}
							return out
						}, size, func(batch []probe) error {
							batches++
							if len(batch) > size {
								t.Fatalf("batch of %d rows, size %d", len(batch), size)
							}
							for _, p := range batch {
								got = append(got, p.ID)
							}
							return nil
						})
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got, want) {
						seen := map[uint]int{}
						for _, id := range got {
							seen[id]++
						}
						dup := 0
						for _, c := range seen {
							if c > 1 {
								dup++
							}
						}
						t.Fatalf("batch size %d: %d rows (%d distinct, %d repeated) in %d batches, want the %d rows of the ORDER BY in its order",
							size, len(got), len(seen), dup, batches, len(want))
					}
				}
			})
		}
	})
}

// TestEachBatchFilterAndStop: the caller's WHERE stays (an OR in it is not
// loosened by the keyset condition), an error from fn stops the walk and
// is returned, and an order without a unique last key is refused.
func TestEachBatchFilterAndStop(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		fillProbe(t, d, 500)
		ctx := context.Background()
		keys := []db.Key{{Expr: "n", Desc: true}, {Expr: "id"}}
		keyOf := func(p *probe) []any { return []any{p.N, p.ID} }
		filtered := func(tx *gorm.DB) *gorm.DB { return tx.Model(&probe{}).Where("grp = ? OR grp = ?", "甲", "乙") }
		var want int64
		if err := filtered(d.Gorm).Count(&want).Error; err != nil {
			t.Fatal(err)
		}
		var got int64
		err := db.EachBatch(ctx, d.Gorm, filtered, keys, keyOf, 9, func(batch []probe) error {
			for _, p := range batch {
				if p.Grp != "甲" && p.Grp != "乙" {
					t.Fatalf("row %d of group %q escaped the filter", p.ID, p.Grp)
				}
			}
			got += int64(len(batch))
			return nil
		})
		if err != nil || got != want || want == 0 {
			t.Fatalf("filtered walk: %v, %d rows, want %d", err, got, want)
		}
		stop := fmt.Errorf("enough")
		calls := 0
		err = db.EachBatch(ctx, d.Gorm, filtered, keys, keyOf, 9, func([]probe) error { calls++; return stop })
		if err != stop || calls != 1 {
			t.Fatalf("stop: err %v after %d calls", err, calls)
		}
		bad := []db.Key{{Expr: "id"}, {Expr: "d", Nullable: true}}
		if err := db.EachBatch(ctx, d.Gorm, filtered, bad, keyOf, 9, func([]probe) error { return nil }); err != db.ErrBadKeys {
			t.Fatalf("nullable last key: %v", err)
		}
	})
}

// TestAfterSQL pins the two shapes of the condition.
func TestAfterSQL(t *testing.T) {
	cond, args := db.After([]db.Key{{Expr: "a", Desc: true}, {Expr: "id", Desc: true}}, []any{5, 9})
	if cond != "(a <= ? AND (a, id) < (?, ?))" || len(args) != 3 {
		t.Fatalf("row value: %s %v", cond, args)
	}
	cond, args = db.After([]db.Key{{Expr: "d", Nullable: true}, {Expr: "id"}}, []any{nil, 9})
	if cond != "(d IS NULL AND ((d IS NULL AND id > ?)))" || len(args) != 1 {
		t.Fatalf("after a NULL: %s %v", cond, args)
	}
	if got := db.Order([]db.Key{{Expr: "d", Desc: true, Nullable: true}, {Expr: "id"}}); got != "d DESC NULLS LAST, id ASC" {
		t.Fatalf("order: %s", got)
	}
}
