package db_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jike-crm/jike/migrations"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// The version that introduced the one list of service categories.
const serviceCatVersion = 15

// TestServiceCategoryMigrationMapsOldKeys seeds rows with every key the
// three old lists stored (needs, products, customer_services) at the
// version before 00015, migrates, and checks each row now holds the key the
// one list (servicecat) gives it, keeps its id, and that the new check
// constraints refuse an old key and accept every key of the list — on
// PostgreSQL and on SQLite (where the tables are rebuilt).
func TestServiceCategoryMigrationMapsOldKeys(t *testing.T) {
	t.Run(db.SQLite, func(t *testing.T) {
		g, sqlDB := unmigratedSQLite(t)
		checkServiceCatMigration(t, g, sqlDB, db.SQLite)
	})
	t.Run(db.Postgres, func(t *testing.T) {
		g, sqlDB := unmigratedPostgres(t)
		checkServiceCatMigration(t, g, sqlDB, db.Postgres)
	})
}

// unmigratedSQLite opens an empty SQLite file (db.Open migrates nothing
// unless asked), closed with the test, for beforeMigration.
func unmigratedSQLite(t *testing.T) (*gorm.DB, *sql.DB) {
	t.Helper()
	d, err := db.Open(context.Background(), db.Options{SQLitePath: filepath.Join(t.TempDir(), "old.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	return d.Gorm, sqlDB
}

// unmigratedPostgres is an empty PostgreSQL database of its own, with no
// migration applied, for a test of one migration.
func unmigratedPostgres(t *testing.T) (*gorm.DB, *sql.DB) {
	t.Helper()
	sqlDB := testkit.RawPostgres(t)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return g, sqlDB
}

// beforeMigration migrates sqlDB up to the version before version and
// writes one branch, team, account manager (id 1) and customer (id 1),
// for a test of what migration version does to rows it finds. It returns
// the migrations' provider and a statement runner that fails the test.
func beforeMigration(t *testing.T, g *gorm.DB, sqlDB *sql.DB, dialect string, version int64) (*goose.Provider, func(q string, args ...any)) {
	t.Helper()
	fsys, err := migrations.For(dialect)
	if err != nil {
		t.Fatal(err)
	}
	gd := goose.DialectPostgres
	if dialect == db.SQLite {
		gd = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(gd, sqlDB, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version-1); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := g.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	now := time.Now().UTC()
	exec("INSERT INTO branches (code, name, created_at, updated_at) VALUES ('B1', '测试分公司', ?, ?)", now, now)
	exec("INSERT INTO teams (branch_id, name, created_at, updated_at) VALUES (1, '一组', ?, ?)", now, now)
	exec("INSERT INTO users (username, name, role, password_hash, branch_id, team_id, created_at, updated_at) VALUES ('am', '客户经理', 'account_manager', 'x', 1, 1, ?, ?)", now, now)
	exec(`INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, created_at, updated_at)
		VALUES ('迁移测试集团', '91110000000000000X', 'gov', 'B', 'prospect', 1, 1, 1, ?, ?)`, now, now)
	return p, exec
}

func checkServiceCatMigration(t *testing.T, g *gorm.DB, sqlDB *sql.DB, dialect string) {
	t.Helper()
	ctx := context.Background()
	p, exec := beforeMigration(t, g, sqlDB, dialect, serviceCatVersion)
	now := time.Now().UTC()

	// Every key each old list allowed, so the mapping is checked for all.
	oldNeeds := []string{"voice", "data", "cloud", "iot", "industry_app", "other"}
	oldProducts := []string{"voice", "data", "cloud", "iot", "messaging", "video", "other"}
	oldServices := []string{"voice", "mobile", "broadband", "dedicated_line", "idc_cloud", "iot", "other"}
	for _, k := range oldNeeds {
		exec("INSERT INTO needs (customer_id, category, description, priority, status, owner_id, created_at, updated_at) VALUES (1, ?, ?, 'medium', 'open', 1, ?, ?)", k, "need "+k, now, now)
	}
	for _, k := range oldProducts {
		exec("INSERT INTO products (code, name_zh, name_en, category, unit, monthly_fen, created_at, updated_at) VALUES (?, ?, ?, ?, '条', 100, ?, ?)", "P-"+k, "产品"+k, "Product "+k, k, now, now)
	}
	for _, k := range oldServices {
		exec("INSERT INTO customer_services (customer_id, service, supplier, description, created_at, updated_at) VALUES (1, ?, 'ctcc', ?, ?, ?)", k, "svc "+k, now, now)
	}

	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("migrate past %d: %v", serviceCatVersion, err)
	}

	want := func(old string) string {
		t.Helper()
		k, ok := servicecat.Canonical(old)
		if !ok {
			t.Fatalf("old key %q has no key in servicecat", old)
		}
		return k
	}
	check := func(table, col, keyCol, prefix string, olds []string) {
		t.Helper()
		type row struct {
			ID  uint
			Key string
			Cat string
		}
		var rows []row
		if err := g.Raw("SELECT id, " + keyCol + " AS key, " + col + " AS cat FROM " + table + " ORDER BY id").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(olds) {
			t.Fatalf("%s: %d rows after the migration, want %d", table, len(rows), len(olds))
		}
		for i, r := range rows {
			old := olds[i]
			if r.ID != uint(i+1) || r.Key != prefix+old {
				t.Errorf("%s row %d: id %d %q, want id %d %q (rows kept with their ids)", table, i, r.ID, r.Key, i+1, prefix+old)
			}
			if r.Cat != want(old) {
				t.Errorf("%s: %q became %q, want %q", table, old, r.Cat, want(old))
			}
			if !servicecat.Valid(r.Cat) {
				t.Errorf("%s: %q is not in the one list", table, r.Cat)
			}
		}
	}
	check("needs", "category", "description", "need ", oldNeeds)
	check("products", "category", "code", "P-", oldProducts)
	check("customer_services", "service", "description", "svc ", oldServices)

	// The constraints now are the one list: an old key is refused, every
	// key of the list is taken, in each of the three tables.
	for _, k := range servicecat.Keys() {
		exec("INSERT INTO needs (customer_id, category, description, priority, status, owner_id, created_at, updated_at) VALUES (1, ?, 'new', 'low', 'open', 1, ?, ?)", k, now, now)
		exec("INSERT INTO products (code, name_zh, name_en, category, unit, monthly_fen, created_at, updated_at) VALUES (?, 'x', 'x', ?, '条', 100, ?, ?)", "N-"+k, k, now, now)
		exec("INSERT INTO customer_services (customer_id, service, supplier, created_at, updated_at) VALUES (1, ?, 'self', ?, ?)", k, now, now)
	}
	for old := range servicecat.Legacy() {
		if err := g.Exec("INSERT INTO needs (customer_id, category, description, priority, status, owner_id, created_at, updated_at) VALUES (1, ?, 'old', 'low', 'open', 1, ?, ?)", old, now, now).Error; err == nil {
			t.Errorf("needs took the old key %q", old)
		}
		if err := g.Exec("INSERT INTO products (code, name_zh, name_en, category, unit, monthly_fen, created_at, updated_at) VALUES (?, 'x', 'x', ?, '条', 100, ?, ?)", "O-"+old, old, now, now).Error; err == nil {
			t.Errorf("products took the old key %q", old)
		}
		if err := g.Exec("INSERT INTO customer_services (customer_id, service, supplier, created_at, updated_at) VALUES (1, ?, 'self', ?, ?)", old, now, now).Error; err == nil {
			t.Errorf("customer_services took the old key %q", old)
		}
	}

	// The rebuilt tables (SQLite) keep their indexes — the same ones a
	// database migrated from scratch has (later migrations may change
	// them) — and their ids go on from where they were.
	if dialect == db.SQLite {
		const indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('needs', 'products', 'customer_services') AND name NOT LIKE 'sqlite_%' ORDER BY name"
		var idx, wantIdx []string
		if err := g.Raw(indexes).Scan(&idx).Error; err != nil {
			t.Fatal(err)
		}
		fresh, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(t.TempDir(), "fresh.db")})
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		if _, err := fresh.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := fresh.Gorm.Raw(indexes).Scan(&wantIdx).Error; err != nil {
			t.Fatal(err)
		}
		if len(wantIdx) < 9 || !slices.Equal(idx, wantIdx) {
			t.Errorf("indexes after the rebuild: %v, want %v", idx, wantIdx)
		}
		var leftover int64
		g.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE '%_new'").Scan(&leftover)
		if leftover != 0 {
			t.Errorf("%d *_new tables left behind", leftover)
		}
	}
	var maxID uint
	g.Raw("SELECT MAX(id) FROM needs").Scan(&maxID)
	if maxID != uint(len(oldNeeds)+len(servicecat.Keys())) {
		t.Errorf("needs ids went on to %d, want %d", maxID, len(oldNeeds)+len(servicecat.Keys()))
	}
}
