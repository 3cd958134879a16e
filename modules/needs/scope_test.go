package needs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestStoreRefusesZeroScope: the list, count and expiring queries take an
// authz.ListScope; a zero one fails with ErrNoScope, never "everything".
func TestStoreRefusesZeroScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx, s, zero := context.Background(), NewStore(d.Gorm), authz.ListScope{}
		now := time.Now()
		calls := map[string]func() error{
			"ListNeeds":  func() error { _, _, err := s.ListNeeds(ctx, zero, NeedFilter{}); return err },
			"CountNeeds": func() error { _, err := s.CountNeeds(ctx, zero, ""); return err },
			"Expiring":   func() error { _, _, err := s.Expiring(ctx, zero, now, now.AddDate(0, 3, 0), 10); return err },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, authz.ErrNoScope) {
				t.Errorf("%s with a zero scope: err = %v, want ErrNoScope", name, err)
			}
		}
	})
}
