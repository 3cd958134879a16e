package db

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// ScanTime is a nullable time read from either database. PostgreSQL
// returns a time.Time; SQLite returns text where a column's declared type
// is lost — an aggregate (MAX over a time column), a subquery or a raw
// select — in one of a few layouts. sql.NullTime refuses that text, so
// every store that reads such a time scans into ScanTime.
type ScanTime struct {
	Time  time.Time
	Valid bool
}

// scanLayouts are the texts SQLite gives back for times and dates.
var scanLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05Z",
	"2006-01-02",
}

// Scan implements sql.Scanner.
func (t *ScanTime) Scan(v any) error {
	t.Time, t.Valid = time.Time{}, false
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		t.Time, t.Valid = x, true
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("db.ScanTime: cannot scan %T", v)
}

func (t *ScanTime) parse(s string) error {
	for _, layout := range scanLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time, t.Valid = p, true
			return nil
		}
	}
	return fmt.Errorf("db.ScanTime: cannot parse %q", s)
}

// Value implements driver.Valuer: GORM treats a struct as one column only
// when it is both a Scanner and a Valuer.
func (t ScanTime) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return t.Time, nil
}

// Ptr is the time, or nil when the column was NULL (a *time.Time field).
func (t ScanTime) Ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}
