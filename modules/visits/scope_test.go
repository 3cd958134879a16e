package visits

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestStoreRefusesZeroScope: the visit and to-do lists take an
// authz.ListScope; a zero one fails with ErrNoScope, never "everything".
func TestStoreRefusesZeroScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx, s, zero := context.Background(), NewStore(d.Gorm), authz.ListScope{}
		calls := map[string]func() error{
			"ListPlans": func() error { _, _, err := s.ListPlans(ctx, zero, PlanFilter{}); return err },
			"OpenTodos": func() error { _, err := s.OpenTodos(ctx, zero, 1, time.Now(), 10); return err },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, authz.ErrNoScope) {
				t.Errorf("%s with a zero scope: err = %v, want ErrNoScope", name, err)
			}
		}
	})
}
