package dbcopy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestConvert: SQLite's representations become the PostgreSQL column's
// type; what cannot be converted is an error, never a silent NULL.
func TestConvert(t *testing.T) {
	at := time.Date(2026, 3, 10, 1, 2, 3, 456789123, time.UTC)
	cases := []struct {
		v        any
		typ      string
		want     any
		wantErr  bool
		describe string
	}{
		{int64(1), "boolean", true, false, "0/1 boolean"},
		{int64(0), "boolean", false, false, "0/1 boolean"},
		{"true", "boolean", true, false, "text boolean"},
		{"maybe", "boolean", nil, true, "not a boolean"},
		{"2026-03-10 09:02:03.456789123+08:00", "timestamp with time zone", at.Truncate(time.Microsecond), false, "GORM text time in another zone"},
		{"2026-03-10T01:02:03.456789123Z", "timestamp with time zone", at.Truncate(time.Microsecond), false, "RFC 3339"},
		{at, "timestamp with time zone", at.Truncate(time.Microsecond), false, "time.Time"},
		{"yesterday", "timestamp with time zone", nil, true, "not a time"},
		{"2026-03-10", "date", "2026-03-10", false, "date text"},
		{[]byte(`{"a":1}`), "jsonb", `{"a":1}`, false, "json bytes"},
		{`{"a":`, "jsonb", nil, true, "broken json"},
		{"abc", "bytea", []byte("abc"), false, "text into bytea"},
		{"42", "bigint", int64(42), false, "text number"},
		{float64(4.5), "bigint", nil, true, "fraction into an integer"},
		{[]byte("李伟"), "text", "李伟", false, "bytes into text"},
		{"a\x00b", "text", nil, true, "NUL in text"},
		{nil, "boolean", nil, false, "NULL stays NULL"},
	}
	for _, c := range cases {
		got, err := convert(c.v, c.typ)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v", c.describe, err)
			continue
		}
		if b, ok := c.want.([]byte); ok {
			if string(got.([]byte)) != string(b) {
				t.Errorf("%s: %v, want %v", c.describe, got, c.want)
			}
			continue
		}
		if tm, ok := c.want.(time.Time); ok {
			if g, ok := got.(time.Time); !ok || !g.Equal(tm) {
				t.Errorf("%s: %v, want %v", c.describe, got, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: %#v, want %#v", c.describe, got, c.want)
		}
	}
}

// TestCopyIsOneTransaction: a value that cannot be converted, found after
// earlier tables were already written, leaves the target as empty as it
// was; the error names the table and column.
func TestCopyIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	src, dst := testkit.SQLite(t), testkit.Postgres(t)
	now := time.Now().UTC()
	if err := src.Gorm.Exec(`INSERT INTO audit_log (at, entity, entity_id, action, changes) VALUES (?, 'branch', 1, 'create', '{}')`, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := src.Gorm.Exec(`INSERT INTO branches (code, name, created_at, updated_at) VALUES ('HRB', '哈尔滨分公司', ?, 'not a time')`, now).Error; err != nil {
		t.Fatal(err)
	}
	_, err := Copy(ctx, src.Gorm, dst.Gorm, Options{})
	if err == nil || !strings.Contains(err.Error(), "branches") || !strings.Contains(err.Error(), "updated_at") {
		t.Fatalf("copy with a bad time: %v", err)
	}
	for _, tb := range []string{"audit_log", "branches"} {
		var n int64
		if err := dst.Gorm.Raw(`SELECT COUNT(*) FROM ` + tb).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows after a failed copy", tb, n)
		}
	}
	// Fixed, it copies; run again, it is refused.
	if err := src.Gorm.Exec(`UPDATE branches SET updated_at = created_at`).Error; err != nil {
		t.Fatal(err)
	}
	rep, err := Copy(ctx, src.Gorm, dst.Gorm, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows() != 2 {
		t.Fatalf("%d rows copied, want 2", rep.Rows())
	}
	if _, err := Copy(ctx, src.Gorm, dst.Gorm, Options{}); !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("second copy: %v", err)
	}
	// Copy goes one way only.
	if _, err := Copy(ctx, dst.Gorm, src.Gorm, Options{}); err == nil {
		t.Fatal("PostgreSQL into SQLite was accepted")
	}
}
