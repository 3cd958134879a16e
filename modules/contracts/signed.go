package contracts

import (
	"context"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// SignedCount is what an account manager signed in a period: how many
// contracts, and the monthly recurring value of those that are new
// business (not renewals of a contract we already had).
type SignedCount struct {
	Count  int64
	NewMRC int64
}

// SignedByOwner counts, per owner, the contracts signed in each period
// between consecutive bounds (n+1 ascending instants for n periods, each
// period's end exclusive) that viewer may read: the monthly target's
// "signings" and "new MRC" lines, for a month or each month of a quarter
// or a year in one statement. An amendment is not a new signing (only a
// contract's first revision counts); a renewal is a signing but adds no
// new monthly revenue.
func (s *Service) SignedByOwner(ctx context.Context, viewer authz.Subject, owners []uint, bounds []time.Time) ([]map[uint]SignedCount, error) {
	out := make([]map[uint]SignedCount, len(bounds)-1)
	for i := range out {
		out[i] = map[uint]SignedCount{}
	}
	if len(owners) == 0 {
		return out, nil
	}
	rows, err := s.store.signedByOwner(ctx, s.enf.ListScope(viewer, "customer", "read"), owners, bounds)
	if err != nil {
		return nil, err
	}
	// Another owner's rows are read when the list of owners is long
	// (db.OwnedByAny); they are not the caller's to see counted.
	asked := db.OwnerSet(owners)
	for _, r := range rows {
		if r.Period >= 0 && r.Period < len(out) && asked[r.OwnerID] {
			out[r.Period][r.OwnerID] = SignedCount{Count: r.N, NewMRC: r.M}
		}
	}
	return out, nil
}
