package prospects

import (
	"context"
	"errors"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestStoreRefusesZeroScope: every method that returns several customers
// or opportunities takes an authz.ListScope, and a zero one (not made by
// the enforcer) fails with ErrNoScope instead of meaning "everything".
func TestStoreRefusesZeroScope(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx, s, zero := context.Background(), NewStore(d.Gorm), authz.ListScope{}
		calls := map[string]func() error{
			"ListCustomers": func() error { _, _, err := s.ListCustomers(ctx, zero, CustomerFilter{}); return err },
			"EachCustomer": func() error {
				return s.EachCustomer(ctx, zero, CustomerFilter{}, func([]Customer) error { return nil })
			},
			"Regions":           func() error { _, err := s.Regions(ctx, zero); return err },
			"SimilarNamesIn":    func() error { _, err := s.SimilarNamesIn(ctx, zero, "零范围", 0, 5); return err },
			"customerNames":     func() error { _, err := s.customerNames(ctx, zero, []uint{1}, true); return err },
			"ListOpportunities": func() error { _, _, err := s.ListOpportunities(ctx, zero, OpportunityFilter{}); return err },
			"OpportunityRows":   func() error { _, err := s.OpportunityRows(ctx, zero, OpportunityFilter{}); return err },
			"OpportunityTotals": func() error { _, err := s.OpportunityTotals(ctx, zero, OpportunityFilter{}); return err },
			"StageTotals":       func() error { _, err := s.StageTotals(ctx, zero, OpportunityFilter{}); return err },
			"BoardCard":         func() error { _, err := s.BoardCard(ctx, zero, OpportunityFilter{}, 1); return err },
			"BoardCards":        func() error { _, err := s.BoardCards(ctx, zero, OpportunityFilter{}, StageNeeds, 0, 5); return err },
			"EachOpportunity": func() error {
				return s.EachOpportunity(ctx, zero, OpportunityFilter{}, func([]OpportunityRow) error { return nil })
			},
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, authz.ErrNoScope) {
				t.Errorf("%s with a zero scope: err = %v, want ErrNoScope", name, err)
			}
		}
	})
}
