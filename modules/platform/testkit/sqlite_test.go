package testkit

import (
	"context"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// TestSQLiteUnderAnyTestName: a test named like a repeated subtest
// ("sqlite#01") or with a "%" still gets the migrated copy. Its file used
// to live under t.TempDir(), which is named after the test, and the "#"
// ended the path in the file: URI db.Open builds, so SQLite opened
// another, empty database ("no such table").
func TestSQLiteUnderAnyTestName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sqlite", "sqlite", "100% done", "a?b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := SQLite(t)
			var n int64
			if err := d.Gorm.WithContext(context.Background()).Raw("SELECT COUNT(*) FROM users").Scan(&n).Error; err != nil {
				t.Fatalf("%s: %v", t.Name(), err)
			}
		})
	}
}
