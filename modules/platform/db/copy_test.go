package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// copyProbe has the kinds of fields the import copies: a serial id, a
// named integer, a nullable pointer, soft delete and GORM's timestamps.
type copyProbe struct {
	ID        uint `gorm:"primaryKey"`
	Name      string
	Amount    probeFen
	OwnerID   *uint
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt
}

type probeFen int64

func (copyProbe) TableName() string { return "copy_probes" }

func copyTable(t *testing.T, d *db.DB) {
	t.Helper()
	ddl := `CREATE TABLE copy_probes (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE,
		amount BIGINT NOT NULL, owner_id BIGINT, created_at TIMESTAMPTZ NOT NULL,
		updated_at TIMESTAMPTZ NOT NULL, deleted_at TIMESTAMPTZ)`
	if d.Dialect != db.Postgres {
		ddl = `CREATE TABLE copy_probes (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
			amount INTEGER NOT NULL, owner_id INTEGER, created_at DATETIME NOT NULL,
			updated_at DATETIME NOT NULL, deleted_at DATETIME)`
	}
	if err := d.Gorm.Exec(ddl).Error; err != nil {
		t.Fatal(err)
	}
}

// A bulk transaction can COPY only on PostgreSQL and only as the
// outermost transaction; anywhere else CanCopy says no and CopyIn refuses.
func TestBulkTxCanCopy(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		copyTable(t, d)
		pg := d.Dialect == db.Postgres
		var bulk, nested, plain bool
		err := db.WithBulkTx(ctx, d.Gorm, func(ctx context.Context) error {
			bulk = db.CanCopy(ctx, d.Gorm)
			return db.WithBulkTx(ctx, d.Gorm, func(ctx context.Context) error {
				nested = db.CanCopy(ctx, d.Gorm)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.WithTx(ctx, d.Gorm, func(ctx context.Context) error {
			plain = db.CanCopy(ctx, d.Gorm)
			inner := false
			err := db.WithBulkTx(ctx, d.Gorm, func(ctx context.Context) error {
				inner = db.CanCopy(ctx, d.Gorm)
				return nil
			})
			if inner {
				t.Error("a bulk transaction inside a plain one can copy")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if bulk != pg || nested != pg || plain {
			t.Errorf("can copy: bulk %v, nested %v, plain %v (PostgreSQL %v)", bulk, nested, plain, pg)
		}
		if db.CanCopy(ctx, d.Gorm) {
			t.Error("can copy outside any transaction")
		}
		if err := db.CopyIn(ctx, d.Gorm, []copyProbe{{Name: "x"}}); err == nil {
			t.Error("CopyIn outside a bulk transaction wrote")
		}
	})
}

// CopyIn writes what Create would: every column, NULLs for nil pointers
// and live rows, the clock's time where none was set, the ids it was
// given or the sequence's; the rows join the transaction (a rollback
// leaves none) and a duplicate is gorm.ErrDuplicatedKey.
func TestCopyIn(t *testing.T) {
	t.Parallel()
	d := testkit.Postgres(t)
	ctx := context.Background()
	copyTable(t, d)
	clock := time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)
	set := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	owner := uint(42)
	count := func() int64 {
		var n int64
		if err := d.Gorm.Raw("SELECT COUNT(*) FROM copy_probes").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	var ids []uint
	err := db.WithBulkTx(ctx, d.Gorm, func(ctx context.Context) error {
		if err := db.CopyIn(ctx, db.ConnAt(ctx, d.Gorm, clock), []*copyProbe{
			{Name: "甲", Amount: 12345, OwnerID: &owner},
			{Name: "乙", CreatedAt: set, UpdatedAt: set},
		}); err != nil {
			return err
		}
		var err error
		ids, err = db.ReserveIDs(ctx, d.Gorm, "copy_probes", 3)
		if err != nil {
			return err
		}
		return db.CopyIn(ctx, d.Gorm, []copyProbe{{ID: ids[2], Name: "丙"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || ids[0] >= ids[1] || ids[1] >= ids[2] {
		t.Fatalf("reserved ids %v, want three ascending", ids)
	}
	var got []copyProbe
	if err := d.Gorm.Order("name").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	byName := map[string]copyProbe{}
	for _, p := range got {
		byName[p.Name] = p
	}
	if a := byName["甲"]; a.Amount != 12345 || a.OwnerID == nil || *a.OwnerID != owner || !a.CreatedAt.Equal(clock) ||
		!a.UpdatedAt.Equal(clock) || a.DeletedAt.Valid || a.ID == 0 {
		t.Errorf("甲: %+v", a)
	}
	if b := byName["乙"]; b.OwnerID != nil || !b.CreatedAt.Equal(set) || !b.UpdatedAt.Equal(set) {
		t.Errorf("乙: %+v", b)
	}
	if c := byName["丙"]; c.ID != ids[2] {
		t.Errorf("丙: id %d, want the reserved %d", c.ID, ids[2])
	}
	if len(got) != 3 {
		t.Fatalf("%d rows, want 3", len(got))
	}

	boom := errors.New("boom")
	err = db.WithBulkTx(ctx, d.Gorm, func(ctx context.Context) error {
		if err := db.CopyIn(ctx, d.Gorm, []copyProbe{{Name: "丁"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count() != 3 {
		t.Errorf("rolled back: %v, %d rows, want 3", err, count())
	}
	err = db.WithBulkTx(ctx, d.Gorm, func(ctx context.Context) error {
		return db.CopyIn(ctx, d.Gorm, []copyProbe{{Name: "戊"}, {Name: "甲"}})
	})
	if !errors.Is(err, gorm.ErrDuplicatedKey) || count() != 3 {
		t.Errorf("a duplicate: %v, %d rows, want gorm.ErrDuplicatedKey and 3", err, count())
	}
}
