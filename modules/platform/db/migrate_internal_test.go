package db

import (
	"context"
	"path/filepath"
	"testing"
)

// TestMigrateAnalysesWhatItAdds: the database is analysed when it opens,
// before its migrations run, so what a migration adds (an index) had no
// statistics until the nightly job, and SQLite's planner guessed at it.
// Migrate analyses again when it applied something. Here, on an analysed
// database holding customers, the latest migration is taken back and an
// index is added to the customers without statistics, as a migration adds
// one; Migrate applies the latest again: the new index must have its
// statistics after it.
func TestMigrateAnalysesWhatItAdds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := migratedSQLite(t)
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
		 INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, created_at, updated_at)
		 SELECT '客户' || i, printf('91230100MA%08d', i), CASE i % 3 WHEN 0 THEN 'gov' WHEN 1 THEN 'finance' ELSE 'energy' END, 'C', 'active',
		        (SELECT id FROM users), (SELECT id FROM teams), (SELECT id FROM branches), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n`,
		"ANALYZE",
	} {
		if err := d.Gorm.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	p, err := provider(sqlDB, d.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Down(ctx); err != nil {
		t.Fatalf("taking the latest migration back: %v", err)
	}
	if err := d.Gorm.Exec("CREATE INDEX idx_probe_customers ON customers (industry, name)").Error; err != nil {
		t.Fatal(err)
	}
	n, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("Migrate applied %d migrations, want the latest again", n)
	}
	var stats int64
	if err := d.Gorm.Raw("SELECT COUNT(*) FROM sqlite_stat1 WHERE idx = 'idx_probe_customers'").Scan(&stats).Error; err != nil {
		t.Fatal(err)
	}
	if stats != 1 {
		t.Fatalf("the index added before Migrate applied a migration has %d rows of statistics, want 1", stats)
	}
}

// migratedSQLite is a migrated SQLite file holding one branch, one team
// and one account manager, for tests that add customers by SQL.
func migratedSQLite(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, Options{SQLitePath: filepath.Join(t.TempDir(), "jike.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO branches (code, name, created_at, updated_at) VALUES ('B1', '一分', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
		"INSERT INTO teams (branch_id, name, created_at, updated_at) SELECT id, '一组', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM branches",
		"INSERT INTO users (username, name, role, password_hash, created_at, updated_at) VALUES ('am', '经理', 'account_manager', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
	} {
		if err := d.Gorm.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	return d
}
