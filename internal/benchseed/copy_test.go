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
