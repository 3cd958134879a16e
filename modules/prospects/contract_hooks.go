package prospects

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
)

// CloseWonForContract is what signing a contract changes here: the
// opportunity (if oppID is not 0) is won (签约) and the customer becomes
// active if it is not. Every read and write goes through the store's
// transaction, which joins the one ctx carries (the contract's signing,
// db.WithTx), so a failure anywhere in the signing leaves the opportunity,
// its stage history, the customer and their audit entries as they were.
// note goes on the stage change (the contract number).
func (s *Service) CloseWonForContract(ctx context.Context, actor authz.Subject, customerID, oppID uint, note string) error {
	return s.store.Tx(ctx, func(tx *Store) error {
		// The opportunity is written before the customer: lock the
		// customer first (LockCustomer).
		c, err := tx.LockCustomer(ctx, customerID)
		if err != nil {
			return err
		}
		if !s.Can(actor, "read", c) {
			return fmt.Errorf("customer %d: %w", customerID, apperr.ErrNotFound)
		}
		if !s.Can(actor, "write", c) {
			return fmt.Errorf("customer %d write: %w", customerID, apperr.ErrForbidden)
		}
		now := s.now()
		if oppID != 0 {
			o, err := tx.Opportunity(ctx, oppID)
			if err != nil {
				return err
			}
			if o.CustomerID != c.ID {
				return fmt.Errorf("opportunity %d of customer %d: %w", oppID, customerID, apperr.ErrNotFound)
			}
			if o.Stage != StageWon {
				before := *o
				from := o.Stage
				o.Stage, o.Probability, o.StageChangedAt, o.UpdatedBy = StageWon, DefaultProbability[StageWon], now, &actor.ID
				o.LostReason, o.LostNote = "", ""
				if err := tx.SaveOpportunity(ctx, o, s.now()); err != nil {
					return err
				}
				if err := tx.AddStageChange(ctx, &StageChange{OpportunityID: o.ID, FromStage: from, ToStage: StageWon, ByID: actor.ID, At: now, Note: strings.TrimSpace(note)}); err != nil {
					return err
				}
				if err := audit.Record(ctx, tx.DB(), actor.ID, "opportunity", o.ID, audit.ActionUpdate, audit.Diff(&before, o)); err != nil {
					return err
				}
			}
		}
		if c.Status == "active" {
			return nil
		}
		before := *c
		c.Status, c.UpdatedBy = "active", &actor.ID
		if err := tx.SaveCustomer(ctx, c, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionUpdate, audit.Diff(&before, c))
	})
}

// RenewalOpportunityForContract opens a renewal opportunity (续约) for a
// customer the actor may write: in negotiation, expected to close when
// the contract ends, with the contract's values. It joins ctx's
// transaction like CloseWonForContract.
func (s *Service) RenewalOpportunityForContract(ctx context.Context, actor authz.Subject, customerID uint, title string, monthly, oneTime money.Fen, close time.Time) (uint, error) {
	var id uint
	err := s.store.Tx(ctx, func(tx *Store) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		if !s.Can(actor, "read", c) {
			return fmt.Errorf("customer %d: %w", customerID, apperr.ErrNotFound)
		}
		if !s.Can(actor, "write", c) {
			return fmt.Errorf("customer %d write: %w", customerID, apperr.ErrForbidden)
		}
		now := s.now()
		end := time.Date(close.Year(), close.Month(), close.Day(), 0, 0, 0, 0, time.UTC)
		r := []rune(strings.TrimSpace(title))
		if len(r) > 190 {
			r = r[:190]
		}
		o := &Opportunity{CustomerID: c.ID, Title: "续约：" + string(r), MonthlyFen: monthly, OneTimeFen: oneTime, ExpectedClose: &end,
			Stage: StageNegotiation, Probability: DefaultProbability[StageNegotiation], OwnerID: c.OwnerID, StageChangedAt: now,
			CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
		if err := tx.CreateOpportunity(ctx, o); err != nil {
			return err
		}
		if err := tx.AddStageChange(ctx, &StageChange{OpportunityID: o.ID, ToStage: o.Stage, ByID: actor.ID, At: now}); err != nil {
			return err
		}
		id = o.ID
		return audit.Record(ctx, tx.DB(), actor.ID, "opportunity", o.ID, audit.ActionCreate, audit.Diff(nil, o))
	})
	return id, err
}
