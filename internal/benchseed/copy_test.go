package benchseed

import (
	"context"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/testkit"
)

// The COPY drops a table's secondary indexes and foreign keys and adds
// them again in the same transaction: they are all there afterwards, and
// a row that breaks a foreign key still fails the load and leaves the
// table as it was.
func TestCopyKeepsIndexesAndChecks(t *testing.T) {
	d := testkit.Postgres(t)
	ctx := context.Background()
	g := d.Gorm
	for _, q := range []string{
		"CREATE TABLE seed_parent (id BIGINT PRIMARY KEY)",
		"CREATE TABLE seed_child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES seed_parent (id), code TEXT NOT NULL UNIQUE, n INT NOT NULL)",
		"CREATE INDEX idx_seed_child_n ON seed_child (n) WHERE n > 0",
		"INSERT INTO seed_parent VALUES (1), (2)",
	} {
		if err := g.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	sqlDB, err := g.DB()
	if err != nil {
		t.Fatal(err)
	}
	w := &writer{ctx: ctx, db: sqlDB, pg: true}
	cols := []string{"id", "parent_id", "code", "n"}
	if err := w.copy("seed_child", cols, 100, func(i int, r []any) {
		r[0], r[1], r[2], r[3] = int64(i+1), int64(1+i%2), "c"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+string(rune('0'+i/26)), i
	}); err != nil {
		t.Fatal(err)
	}
	shape := func() string {
		var idx, fks []string
		g.Raw("SELECT indexname FROM pg_indexes WHERE tablename = 'seed_child' ORDER BY indexname").Scan(&idx)
		g.Raw("SELECT conname FROM pg_constraint WHERE conrelid = 'seed_child'::regclass AND contype = 'f' ORDER BY conname").Scan(&fks)
		return strings.Join(idx, ",") + " | " + strings.Join(fks, ",")
	}
	want := "idx_seed_child_n,seed_child_code_key,seed_child_pkey | seed_child_parent_id_fkey"
	if got := shape(); got != want {
		t.Fatalf("after the copy: %s, want %s", got, want)
	}
	// A row naming a parent that does not exist fails the whole load.
	err = w.copy("seed_child", cols, 2, func(i int, r []any) {
		r[0], r[1], r[2], r[3] = int64(1000+i), int64(1+i*99), "bad"+string(rune('a'+i)), 1
	})
	if err == nil || !strings.Contains(err.Error(), "foreign key") {
		t.Fatalf("bad parent: %v", err)
	}
	var n int64
	g.Raw("SELECT COUNT(*) FROM seed_child").Scan(&n)
	if n != 100 || shape() != want {
		t.Fatalf("after the failed load: %d rows, %s", n, shape())
	}
}

// A table's load on SQLite gives its connection's page cache back: the
// load raises it to 128 MB, and a connection left so (each has 256 MB of
// SQLite memory) ran out of memory in the next big statement on it — the
// province seed's care rebuild. With the pool at one connection, the
// cache after a load is SQLite's default again and the rows are there.
func TestSQLiteLoadGivesItsCacheBack(t *testing.T) {
	d := testkit.SQLite(t)
	ctx := context.Background()
	if err := d.Gorm.Exec("CREATE TABLE seed_rows (id INTEGER PRIMARY KEY, code TEXT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	var before int64
	if err := sqlDB.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&before); err != nil {
		t.Fatal(err)
	}
	w := &writer{ctx: ctx, db: sqlDB, batch: 50}
	if err := w.insert("seed_rows", []string{"id", "code"}, 120, func(i int, r []any) { r[0], r[1] = int64(i+1), "r" }); err != nil {
		t.Fatal(err)
	}
	var after, n int64
	if err := sqlDB.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if err := sqlDB.QueryRowContext(ctx, "SELECT COUNT(*) FROM seed_rows").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if after != -2000 || before != -2000 || n != 120 {
		t.Fatalf("page cache %d before the load, %d after (want SQLite's -2000 both); %d rows", before, after, n)
	}
}
