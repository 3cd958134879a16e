package needs

import (
	"context"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
)

// Incumbent is one of our own contracts in force with the customer: the
// analysis marks us as the incumbent (在网) for what it covers. Contracts
// are a module above this one; cmd/jike wires the source.
type Incumbent struct {
	Number, Title, Link string
	End                 time.Time
	MonthlyFen          money.Fen
}

// IncumbentSource lists a customer's contracts in force that the actor
// may read.
type IncumbentSource func(ctx context.Context, actor authz.Subject, customerID uint) ([]Incumbent, error)

// SetIncumbents installs the source of our contracts (nil: none shown).
func (s *Service) SetIncumbents(src IncumbentSource) { s.incumbents = src }

// Incumbents lists our contracts in force with the customer.
func (s *Service) Incumbents(ctx context.Context, actor authz.Subject, customerID uint) ([]Incumbent, error) {
	if s.incumbents == nil {
		return nil, nil
	}
	return s.incumbents(ctx, actor, customerID)
}
