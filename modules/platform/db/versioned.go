package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"gorm.io/gorm"
)

// neverWritten are the columns a save leaves alone: the key, who made the
// row and when, and the soft-delete mark (deleting is its own action).
var neverWritten = []string{"id", "created_at", "created_by", "deleted_at"}

// SaveVersioned writes every column of rec under optimistic locking: the
// row is updated only if its version is still rec's, the version goes up
// by one, and updated_at is now (the service's clock). No row updated
// means someone saved first: apperr.ErrConflict. A unique-key violation is
// apperr.ErrConflict too (wrapped with what collided).
//
// rec is a pointer to a model with an ID (uint) field and a lock field:
// LockVersion (column lock_version) when the model has one — a proposal's
// Version is its business version number, not its lock — else Version
// (column version). Every other column is written, so a column added to
// the model is saved without anyone listing it — the hand-written column
// maps this replaces silently dropped the ones they forgot. On success the
// lock field holds the new version.
func SaveVersioned(ctx context.Context, base *gorm.DB, rec any, now time.Time) error {
	v := reflect.ValueOf(rec)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("db.SaveVersioned: want a pointer to a struct, got %T", rec)
	}
	e := v.Elem()
	lockCol := "version"
	idField, verField := e.FieldByName("ID"), e.FieldByName("Version")
	if f := e.FieldByName("LockVersion"); f.IsValid() {
		verField, lockCol = f, "lock_version"
	}
	if !idField.IsValid() || !verField.IsValid() || !verField.CanSet() {
		return fmt.Errorf("db.SaveVersioned: %T needs ID and Version (or LockVersion) fields", rec)
	}
	id, old := idField.Uint(), verField.Int()
	if id == 0 {
		return fmt.Errorf("db.SaveVersioned: %T has no id", rec)
	}
	verField.SetInt(old + 1)
	if f := e.FieldByName("UpdatedAt"); f.IsValid() && f.Type() == reflect.TypeOf(time.Time{}) {
		f.Set(reflect.ValueOf(now.UTC()))
	}
	res := ConnAt(ctx, base, now).Model(rec).Where(lockCol+" = ?", old).Select("*").Omit(neverWritten...).Updates(rec)
	if res.Error != nil {
		verField.SetInt(old)
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("save %T %d: %w: %w", rec, id, apperr.ErrConflict, res.Error)
		}
		return fmt.Errorf("save %T %d: %w", rec, id, res.Error)
	}
	if res.RowsAffected == 0 {
		verField.SetInt(old)
		return fmt.Errorf("save %T %d (stale version %d): %w", rec, id, old, apperr.ErrConflict)
	}
	return nil
}

// ConnAt is Conn whose automatic timestamps (created_at and updated_at
// on create, deleted_at on a soft delete) read now — the service's clock —
// instead of the system clock.
func ConnAt(ctx context.Context, base *gorm.DB, now time.Time) *gorm.DB {
	return Conn(ctx, base).Session(&gorm.Session{NowFunc: func() time.Time { return now.UTC() }})
}
