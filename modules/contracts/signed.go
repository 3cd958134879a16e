package contracts

import (
	"context"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// SignedCount is what an account manager signed in a period: how many
// contracts, and the monthly recurring value of those that are new
// business (not renewals of a contract we already had).
type SignedCount struct {
	Count  int64
	NewMRC int64
}

// SignedByOwner counts, per owner, the contracts signed between from and
// to (UTC instants, to exclusive) that viewer may read: the monthly
// target's "signings" and "new MRC" lines. An amendment is not a new
// signing (only a contract's first revision counts); a renewal is a
// signing but adds no new monthly revenue.
func (s *Service) SignedByOwner(ctx context.Context, viewer authz.Subject, owners []uint, from, to time.Time) (map[uint]SignedCount, error) {
	out := map[uint]SignedCount{}
	if len(owners) == 0 {
		return out, nil
	}
	rows, err := s.store.signedByOwner(ctx, s.enf.ListScope(viewer, "customer", "read"), owners, from, to)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.OwnerID] = SignedCount{Count: r.N, NewMRC: r.M}
	}
	return out, nil
}
