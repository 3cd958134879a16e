package proposals

import (
	"context"
	"errors"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestStoreRefusesZeroScope: the list, totals and export queries take an
// authz.ListScope; a zero one fails with ErrNoScope, never "everything".
func TestStoreRefusesZeroScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx, s, zero := context.Background(), NewStore(d.Gorm), authz.ListScope{}
		calls := map[string]func() error{
			"List":       func() error { _, _, err := s.List(ctx, zero, Filter{}); return err },
			"ListTotals": func() error { _, err := s.ListTotals(ctx, zero, Filter{}); return err },
			"Each":       func() error { return s.Each(ctx, zero, Filter{}, func([]Row) error { return nil }) },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, authz.ErrNoScope) {
				t.Errorf("%s with a zero scope: err = %v, want ErrNoScope", name, err)
			}
		}
	})
}
