package db_test

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// TestScanTime: every layout SQLite gives back reads as the same instant;
// NULL is not valid; anything else is an error, not a zero time.
func TestScanTime(t *testing.T) {
	want := time.Date(2026, 11, 29, 15, 4, 5, 0, time.UTC)
	for _, v := range []any{want, "2026-11-29T15:04:05Z", "2026-11-29 15:04:05+00:00", "2026-11-29 23:04:05+08:00", "2026-11-29 15:04:05", []byte("2026-11-29T15:04:05.000000000Z")} {
		var st db.ScanTime
		if err := st.Scan(v); err != nil || !st.Valid || !st.Time.Equal(want) {
			t.Errorf("%v: %v %v %v", v, st.Time, st.Valid, err)
		}
	}
	var st db.ScanTime
	if err := st.Scan("2026-11-29"); err != nil || !st.Valid || !st.Time.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a date: %v %v", st, err)
	}
	if err := st.Scan(nil); err != nil || st.Valid {
		t.Errorf("NULL: %v %v", st, err)
	}
	if err := st.Scan("soon"); err == nil {
		t.Error("text that is no time was accepted")
	}
	if err := st.Scan(42); err == nil {
		t.Error("a number was accepted")
	}
	if v, err := (db.ScanTime{}).Value(); v != nil || err != nil {
		t.Errorf("NULL value: %v %v", v, err)
	}
}
