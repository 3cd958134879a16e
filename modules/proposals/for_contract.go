package proposals

import (
	"context"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// Accepted is an accepted version with its lines, for the contract made
// from it (read-only: an accepted version is closed to changes — Update
// refuses it and no new version can be made from it — so the contract
// links a version that stays as the customer accepted it).
type Accepted struct {
	Proposal
	Lines []Line
}

// AcceptedVersion returns an accepted version and its lines to an actor
// who may write its customer (a contract is made from it): ErrNotFound
// when the actor may not see the customer or there is no such version,
// a validation error when the version is not accepted.
func (s *Service) AcceptedVersion(ctx context.Context, actor authz.Subject, id uint) (*Accepted, error) {
	p, _, err := s.version(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if p.Status != StatusAccepted {
		return nil, apperr.Fields{"proposal_id": "contracts.v.proposal_not_accepted"}
	}
	lines, err := s.store.Lines(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return &Accepted{Proposal: *p, Lines: lines}, nil
}

// AcceptedOf lists a readable customer's accepted versions, newest first.
func (s *Service) AcceptedOf(ctx context.Context, actor authz.Subject, customerID uint) ([]Proposal, error) {
	if _, err := s.prospects.CustomerFor(ctx, actor, customerID, "read"); err != nil {
		return nil, err
	}
	all, err := s.store.OfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []Proposal
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Status == StatusAccepted {
			out = append(out, all[i])
		}
	}
	return out, nil
}
