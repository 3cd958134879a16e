// Package audit keeps the trail of who changed which business record, when,
// and the before/after of every changed field. Writers call Record inside
// the same transaction as the change, so a change and its trail are saved
// or lost together.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// Actions.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionDelete  = "delete"
	ActionRestore = "restore"
	ActionDisable = "disable"
	ActionEnable  = "enable"
	ActionLogin   = "login"
	ActionLock    = "lock"
	ActionReset   = "password_reset"
)

// Entry is one row of the audit trail.
type Entry struct {
	ID       uint      `gorm:"primaryKey"`
	At       time.Time `gorm:"not null"`
	ActorID  *uint
	Entity   string `gorm:"size:64;not null"`
	EntityID uint   `gorm:"not null"`
	Action   string `gorm:"size:32;not null"`
	Changes  string `gorm:"not null"`
}

// TableName keeps the table name explicit.
func (Entry) TableName() string { return "audit_log" }

// Change is the before and after of one field.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Fields decodes the recorded changes, sorted by field name.
func (e Entry) Fields() []FieldChange {
	var m map[string]Change
	// UseNumber keeps integers exact: amounts in fen and ids beyond 2^53
	// would otherwise come back as floats (1.1904e+08).
	dec := json.NewDecoder(strings.NewReader(e.Changes))
	dec.UseNumber()
	_ = dec.Decode(&m)
	out := make([]FieldChange, 0, len(m))
	for k, v := range m {
		out = append(out, FieldChange{Field: k, From: fmtVal(k, v.From), To: fmtVal(k, v.To)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// FieldChange is a change prepared for display.
type FieldChange struct {
	Field, From, To string
}

// fmtVal shows a recorded value; a column named *_fen is money and is
// shown in yuan ("119,040.00").
func fmtVal(field string, v any) string {
	if v == nil {
		return ""
	}
	if n, ok := v.(json.Number); ok && strings.HasSuffix(field, "_fen") {
		if i, err := n.Int64(); err == nil {
			return money.Fen(i).String()
		}
	}
	return fmt.Sprint(v)
}

// Diff compares two values of the same struct type field by field and
// returns the changed fields keyed by their column name. Fields tagged
// `audit:"-"` are skipped; `audit:"secret"` records that the value changed
// without storing it. before may be nil (a creation), as may after (a
// deletion).
func Diff(before, after any) map[string]Change {
	out := map[string]Change{}
	bv, av := deref(before), deref(after)
	var t reflect.Type
	switch {
	case bv.IsValid():
		t = bv.Type()
	case av.IsValid():
		t = av.Type()
	default:
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("audit")
		if tag == "-" || skipByDefault(f.Name) {
			continue
		}
		var b, a any
		if bv.IsValid() {
			b = plain(bv.Field(i))
		}
		if av.IsValid() {
			a = plain(av.Field(i))
		}
		if reflect.DeepEqual(b, a) {
			continue
		}
		if tag == "secret" {
			b, a = mask(b), mask(a)
		}
		out[column(f)] = Change{From: b, To: a}
	}
	return out
}

// mask hides a secret value but keeps whether there was one.
func mask(v any) any {
	if v == nil {
		return nil
	}
	return "***"
}

func skipByDefault(name string) bool {
	switch name {
	case "CreatedAt", "UpdatedAt", "DeletedAt", "Version", "CreatedBy", "UpdatedBy":
		return true
	}
	return false
}

func deref(v any) reflect.Value {
	if v == nil {
		return reflect.Value{}
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return reflect.Value{}
		}
		rv = rv.Elem()
	}
	return rv
}

// plain turns pointers into their values (or nil) and times into RFC 3339
// strings, so JSON shows what a person would read.
func plain(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(time.RFC3339)
	}
	if v.Kind() == reflect.Struct || v.Kind() == reflect.Slice || v.Kind() == reflect.Map {
		b, _ := json.Marshal(v.Interface())
		return string(b)
	}
	return v.Interface()
}

func column(f reflect.StructField) string {
	for _, part := range strings.Split(f.Tag.Get("gorm"), ";") {
		if c, ok := strings.CutPrefix(part, "column:"); ok {
			return c
		}
	}
	// GORM's default naming: CamelCase → snake_case.
	var b strings.Builder
	runes := []rune(f.Name)
	for i, r := range runes {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && (runes[i-1] < 'A' || runes[i-1] > 'Z' || (i+1 < len(runes) && runes[i+1] >= 'a' && runes[i+1] <= 'z')) {
				b.WriteByte('_')
			}
			b.WriteRune(r + 32)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Record writes one entry to the trail using tx (the caller's transaction).
// An update that changed nothing is not recorded. The entry's time is tx's
// clock (its NowFunc): the system clock, or the service's clock when the
// caller passes db.ConnAt(ctx, tx, now), so a record written under a fake
// clock (tests) or a job's run time carries that time.
func Record(ctx context.Context, tx *gorm.DB, actorID uint, entity string, entityID uint, action string, changes map[string]Change) error {
	if action == ActionUpdate && len(changes) == 0 {
		return nil
	}
	if changes == nil {
		changes = map[string]Change{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit: encode changes: %w", err)
	}
	e := Entry{At: clockOf(tx), Entity: entity, EntityID: entityID, Action: action, Changes: string(b)}
	if actorID != 0 {
		e.ActorID = &actorID
	}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("audit: write %s %d: %w", entity, entityID, err)
	}
	return nil
}

// Query selects entries.
type Query struct {
	Entity   string
	EntityID uint
	ActorID  uint
	// Of, if set, keeps the entries of any of these records (a page about
	// a visit shows the visit's, its record's and its to-do's entries).
	Of     []Target
	Limit  int
	Offset int
}

// Target is one record of the trail.
type Target struct {
	Entity string
	ID     uint
}

// List returns entries matching q, newest first, and their total count.
func List(ctx context.Context, db *gorm.DB, q Query) ([]Entry, int64, error) {
	tx := db.WithContext(ctx).Model(&Entry{})
	if q.Entity != "" {
		tx = tx.Where("entity = ?", q.Entity)
	}
	if q.EntityID != 0 {
		tx = tx.Where("entity_id = ?", q.EntityID)
	}
	if q.ActorID != 0 {
		tx = tx.Where("actor_id = ?", q.ActorID)
	}
	if len(q.Of) > 0 {
		var conds []string
		var args []any
		for _, t := range q.Of {
			conds = append(conds, "(entity = ? AND entity_id = ?)")
			args = append(args, t.Entity, t.ID)
		}
		tx = tx.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	var total int64
	if err := tx.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var out []Entry
	err := tx.Order("at DESC, id DESC").Limit(q.Limit).Offset(q.Offset).Find(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("audit: list: %w", err)
	}
	return out, total, nil
}

// clockOf is the time tx's automatic timestamps would read.
func clockOf(tx *gorm.DB) time.Time {
	if tx != nil && tx.Config != nil && tx.NowFunc != nil {
		return tx.NowFunc().UTC()
	}
	return time.Now().UTC()
}
