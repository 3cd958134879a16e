package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// A data directory may have any name an operator gives it: a '#', '?',
// '%' or space in the path must open (and create) exactly that file, not
// a truncated or mis-decoded one.
func TestSQLiteOpensAnyPath(t *testing.T) {
	for _, name := range []string{"a#b", "50%off", "what?", "with space", "100%25"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			path := filepath.Join(dir, "jike.db")
			d, err := db.Open(context.Background(), db.Options{SQLitePath: path})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Gorm.Exec("CREATE TABLE marker (id INTEGER)").Error; err != nil {
				t.Fatal(err)
			}
			d.Close()
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the database is not at %s: %v", path, err)
			}
			again, err := db.Open(context.Background(), db.Options{SQLitePath: path})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			var n int64
			if err := again.Gorm.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name = 'marker'").Scan(&n).Error; err != nil || n != 1 {
				t.Fatalf("reopened %s without its table (%d, %v)", path, n, err)
			}
		})
	}
}
