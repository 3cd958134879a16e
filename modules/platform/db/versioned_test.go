package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

type gadget struct {
	ID        uint `gorm:"primaryKey"`
	Name      string
	Note      string
	Count     int
	Flag      bool
	Version   int
	CreatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TestSaveVersioned: every column is written (zero values too), the
// creation columns never, the version goes up, updated_at is the given
// clock's, and a stale version is a conflict that changes nothing.
func TestSaveVersioned(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Gorm.Exec(`CREATE TABLE gadgets (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE, note VARCHAR(50) NOT NULL,
			count INTEGER NOT NULL, flag BOOLEAN NOT NULL, version INTEGER NOT NULL, created_by INTEGER,
			created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		maker := uint(7)
		created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		g := gadget{ID: 1, Name: "a", Note: "n", Count: 5, Flag: true, Version: 1, CreatedBy: &maker, CreatedAt: created, UpdatedAt: created}
		if err := d.Gorm.Create(&g).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Create(&gadget{ID: 2, Name: "b", Version: 1, CreatedAt: created, UpdatedAt: created}).Error; err != nil {
			t.Fatal(err)
		}
		stale := g
		clock := time.Date(2026, 6, 1, 8, 30, 0, 0, time.UTC)
		edit := g
		edit.Note, edit.Count, edit.Flag, edit.CreatedBy, edit.CreatedAt = "", 0, false, nil, time.Time{}
		if err := db.SaveVersioned(ctx, d.Gorm, &edit, clock); err != nil {
			t.Fatal(err)
		}
		if edit.Version != 2 {
			t.Fatalf("version %d after save, want 2", edit.Version)
		}
		var got gadget
		if err := d.Gorm.First(&got, 1).Error; err != nil {
			t.Fatal(err)
		}
		if got.Note != "" || got.Count != 0 || got.Flag || got.Version != 2 {
			t.Fatalf("zero values not written: %+v", got)
		}
		if got.CreatedBy == nil || *got.CreatedBy != 7 || !got.CreatedAt.Equal(created) {
			t.Fatalf("creation columns were overwritten: %+v", got)
		}
		if !got.UpdatedAt.Equal(clock) {
			t.Fatalf("updated_at %s, want the clock's %s", got.UpdatedAt, clock)
		}
		// The earlier copy is stale now.
		stale.Note = "lost update"
		err := db.SaveVersioned(ctx, d.Gorm, &stale, clock)
		if !errors.Is(err, apperr.ErrConflict) || stale.Version != 1 {
			t.Fatalf("stale save: %v (version %d)", err, stale.Version)
		}
		// A unique-key collision is a conflict too, and changes nothing.
		edit.Name = "b"
		if err := db.SaveVersioned(ctx, d.Gorm, &edit, clock); !errors.Is(err, apperr.ErrConflict) || edit.Version != 2 {
			t.Fatalf("duplicate name: %v (version %d)", err, edit.Version)
		}
		if err := d.Gorm.First(&got, 1).Error; err != nil || got.Name != "a" || got.Note != "" {
			t.Fatalf("row changed by failed saves: %+v %v", got, err)
		}
	})
}

type memo struct {
	ID          uint `gorm:"primaryKey"`
	Title       string
	Version     int // the business version number, not the lock
	LockVersion int
	UpdatedAt   time.Time
}

// TestSaveVersionedLockVersion: a model with LockVersion is locked on
// lock_version; its Version is an ordinary column that is written as is.
func TestSaveVersionedLockVersion(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.Gorm.Exec(`CREATE TABLE memos (id INTEGER PRIMARY KEY, title VARCHAR(50) NOT NULL,
			version INTEGER NOT NULL, lock_version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		m := memo{ID: 1, Title: "a", Version: 3, LockVersion: 1, UpdatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := d.Gorm.Create(&m).Error; err != nil {
			t.Fatal(err)
		}
		stale := m
		m.Title, m.Version = "b", 4
		clock := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		if err := db.SaveVersioned(ctx, d.Gorm, &m, clock); err != nil {
			t.Fatal(err)
		}
		var got memo
		if err := d.Gorm.First(&got, 1).Error; err != nil {
			t.Fatal(err)
		}
		if got.Title != "b" || got.Version != 4 || got.LockVersion != 2 || m.LockVersion != 2 || !got.UpdatedAt.Equal(clock) {
			t.Fatalf("after save: stored %+v, in memory %+v", got, m)
		}
		stale.Title = "lost"
		if err := db.SaveVersioned(ctx, d.Gorm, &stale, clock); !errors.Is(err, apperr.ErrConflict) || stale.LockVersion != 1 {
			t.Fatalf("stale lock_version: %v (%d)", err, stale.LockVersion)
		}
	})
}
