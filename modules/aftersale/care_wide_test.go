package aftersale

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestWideCareListKeepsItsPlannerSetting: a branch's or the province's
// care list tells PostgreSQL not to hash for its own statement only — on
// a pool of one connection, the next statement sees hash joins allowed
// again — and inside a caller's transaction it sets nothing (the
// setting would outlive the list there).
func TestWideCareListKeepsItsPlannerSetting(t *testing.T) {
	d := testkit.Postgres(t)
	sqlDB, err := d.Gorm.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	s := NewStore(d.Gorm)
	ctx := context.Background()
	today := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	hash := func(ctx context.Context) string {
		t.Helper()
		var v string
		if err := db.Conn(ctx, d.Gorm).Raw("SELECT current_setting('enable_hashjoin')").Scan(&v).Error; err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, wide := range []bool{false, true} {
		if _, _, _, err := s.CareList(ctx, nil, CareFilter{State: "all", Limit: 10, Wide: wide}, today); err != nil {
			t.Fatal(err)
		}
		if got := hash(ctx); got != "on" {
			t.Fatalf("wide %v: after the care list enable_hashjoin is %q on the pool's one connection", wide, got)
		}
	}
	err = db.WithTx(ctx, d.Gorm, func(ctx context.Context) error {
		if _, _, _, err := s.CareList(ctx, nil, CareFilter{State: "all", Limit: 10, Wide: true}, today); err != nil {
			return err
		}
		if got := hash(ctx); got != "on" {
			t.Errorf("in a transaction the care list left enable_hashjoin %q", got)
		}
		return nil
	})
	if err != nil && !strings.Contains(err.Error(), "enable_hashjoin") {
		t.Fatal(err)
	}
}
