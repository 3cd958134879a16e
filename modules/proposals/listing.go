package proposals

import (
	"context"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// ListTotals counts and sums the proposals the actor may read that f
// selects (the newest version of each, like List), for the list's totals
// line and the export's row limit.
func (s *Service) ListTotals(ctx context.Context, actor authz.Subject, f Filter) (Totals, error) {
	f.Latest = true
	return s.store.ListTotals(ctx, s.prospects.Scope(actor, "read"), f)
}

// Each streams every proposal List would show for f (all pages), in its
// order, to fn in batches, for exports.
func (s *Service) Each(ctx context.Context, actor authz.Subject, f Filter, fn func([]Row) error) error {
	f.Latest = true
	return s.store.Each(ctx, s.prospects.Scope(actor, "read"), f, fn)
}
