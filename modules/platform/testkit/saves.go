package testkit

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
)

// bookkeeping are the fields a save sets itself or never writes; every
// other field of a record is editable.
var bookkeeping = map[string]bool{
	"ID": true, "Version": true, "LockVersion": true, "CreatedAt": true, "CreatedBy": true,
	"UpdatedAt": true, "DeletedAt": true,
}

// SavesEveryField proves that a store's versioned save writes every
// editable column of a record, and still refuses a stale version. It
// changes every exported field of *rec except the bookkeeping ones (ID,
// Version, LockVersion, Created*, UpdatedAt, DeletedAt), saves, reads the
// record back and compares field by field; then saving the copy read
// before the change must be apperr.ErrConflict.
//
// Each field gets a value different from the one it has: values[name] when
// given, else one derived from its kind (a string with its last character
// changed — same length, so column sizes hold —, a flipped bool, a number
// one away, a time 36 hours later in whole seconds, a nil pointer for a set reference). A
// field that refers to another row (uint, or a nil *uint) has no derived
// value: the test fails until values names one, so a column added to the
// model is covered the day it is added.
func SavesEveryField[T any](t *testing.T, rec *T, values map[string]any, save func(*T) error, load func() (*T, error)) {
	t.Helper()
	stale := *rec
	changed := ChangeEveryField(t, rec, values)
	if err := save(rec); err != nil {
		t.Fatalf("save with every field changed: %v", err)
	}
	got, err := load()
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(rec).Elem()
	for _, name := range changed {
		if !sameValue(gv.FieldByName(name), wv.FieldByName(name)) {
			t.Errorf("%T.%s not saved: stored %v, want %v", rec, name, show(gv.FieldByName(name)), show(wv.FieldByName(name)))
		}
	}
	if err := save(&stale); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("saving a stale %T: %v, want apperr.ErrConflict", rec, err)
	}
}

// ChangeEveryField gives every editable field of *rec a different value
// (see SavesEveryField) and returns the names of the fields it changed.
func ChangeEveryField(t *testing.T, rec any, values map[string]any) []string {
	t.Helper()
	v := reflect.ValueOf(rec).Elem()
	var changed []string
	used := map[string]bool{}
	for i := 0; i < v.NumField(); i++ {
		sf := v.Type().Field(i)
		if !sf.IsExported() || sf.Anonymous || bookkeeping[sf.Name] || sf.Tag.Get("gorm") == "-" {
			continue
		}
		f := v.Field(i)
		if x, ok := values[sf.Name]; ok {
			used[sf.Name] = true
			nv := reflect.ValueOf(x)
			if x == nil {
				nv = reflect.Zero(f.Type())
			}
			if !nv.Type().ConvertibleTo(f.Type()) {
				t.Fatalf("value for %s: %T does not fit %s", sf.Name, x, f.Type())
			}
			nv = nv.Convert(f.Type())
			if sameValue(nv, f) {
				t.Fatalf("value for %s is the value it already has (%v)", sf.Name, show(f))
			}
			f.Set(nv)
			changed = append(changed, sf.Name)
			continue
		}
		if !derive(f) {
			t.Fatalf("%T.%s (%s) refers to another row or has no derived value: name one in values", rec, sf.Name, f.Type())
		}
		changed = append(changed, sf.Name)
	}
	for name := range values {
		if !used[name] {
			t.Fatalf("values names %s, which is no editable field of %T", name, rec)
		}
	}
	return changed
}

var timeType = reflect.TypeOf(time.Time{})

// derive changes f by its kind; false when it cannot.
func derive(f reflect.Value) bool {
	switch {
	case f.Type() == timeType:
		t := f.Interface().(time.Time)
		if t.IsZero() {
			t = time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC)
		}
		f.Set(reflect.ValueOf(t.Add(36 * time.Hour).Truncate(time.Second).UTC()))
		return true
	case f.Kind() == reflect.Pointer && f.Type().Elem() == timeType:
		if f.IsNil() {
			t := time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC)
			f.Set(reflect.ValueOf(&t))
		} else {
			t := f.Elem().Interface().(time.Time).AddDate(0, 0, 2).Truncate(time.Second).UTC()
			f.Set(reflect.ValueOf(&t))
		}
		return true
	case f.Kind() == reflect.Pointer:
		if f.IsNil() {
			return false
		}
		f.Set(reflect.Zero(f.Type()))
		return true
	case f.Kind() == reflect.String:
		r := []rune(f.String())
		if len(r) == 0 {
			f.SetString("x")
		} else if r[len(r)-1] == 'y' {
			r[len(r)-1] = 'z'
			f.SetString(string(r))
		} else {
			r[len(r)-1] = 'y'
			f.SetString(string(r))
		}
		return true
	case f.Kind() == reflect.Bool:
		f.SetBool(!f.Bool())
		return true
	case f.Kind() >= reflect.Int && f.Kind() <= reflect.Int64:
		if n := f.Int(); n > 1 {
			f.SetInt(n - 1)
		} else {
			f.SetInt(n + 1)
		}
		return true
	}
	return false // uint ids and anything else need a value
}

func sameValue(a, b reflect.Value) bool {
	if a.Kind() == reflect.Pointer {
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	}
	if a.Type() == timeType {
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func show(v reflect.Value) any {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Elem().Interface()
	}
	return v.Interface()
}
