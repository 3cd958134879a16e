package prospects

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// The customer pool (modules/pool, 公海) changes owners only through the
// two methods below, so a pool move is saved, audited ("reassign", the
// owner's change) and followed by the open opportunities exactly as a
// reassignment on /customers/:id/reassign is. The pool's permission rules
// (who may claim, the monthly limit, the branch) live in the pool service;
// these methods trust their caller and join its transaction (db.WithTx).

// poolChunk bounds one set-based UPDATE's IN list.
const poolChunk = 500

// MoveToPool hands the customers ids to holderID, the disabled user that
// stands for a branch's pool, set-based in chunks. The UPDATE itself
// re-checks the rules that must never be broken (not A-grade, no chief
// rep, live), so a customer changed meanwhile is skipped. before maps
// each id to the owner the caller read (for the audit). It returns the ids
// moved.
func (s *Service) MoveToPool(ctx context.Context, holderID uint, before map[uint]uint, now time.Time) ([]uint, error) {
	ids := make([]uint, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	var moved []uint
	err := s.store.Tx(ctx, func(tx *Store) error {
		for start := 0; start < len(ids); start += poolChunk {
			chunk := ids[start:min(start+poolChunk, len(ids))]
			g := db.Conn(ctx, tx.db)
			err := g.Model(&Customer{}).
				Where("id IN ? AND owner_id <> ? AND grade <> 'A' AND chief_rep_id IS NULL AND deleted_at IS NULL", chunk, holderID).
				Updates(map[string]any{"owner_id": holderID, "owner_changed_at": now.UTC(), "version": gorm.Expr("version + 1"), "updated_at": now.UTC()}).Error
			if err != nil {
				return fmt.Errorf("pool customers: %w", err)
			}
			var got []uint
			if err := g.Model(&Customer{}).Where("id IN ? AND owner_id = ?", chunk, holderID).
				Order("id").Pluck("id", &got).Error; err != nil {
				return fmt.Errorf("pool customers: %w", err)
			}
			entries := make([]audit.Entry, 0, len(got))
			for _, id := range got {
				ch := fmt.Sprintf(`{"owner_id":{"from":%d,"to":%d}}`, before[id], holderID)
				entries = append(entries, audit.Entry{At: now.UTC(), Entity: "customer", EntityID: id, Action: "reassign", Changes: ch})
			}
			if len(entries) > 0 {
				if err := g.CreateInBatches(entries, 200).Error; err != nil {
					return fmt.Errorf("pool customers: audit: %w", err)
				}
			}
			moved = append(moved, got...)
		}
		return nil
	})
	return moved, err
}

// TakeFromPool gives the pooled customer id to owner (a claim or a
// chief rep's or director's assignment from the pool). The customer must
// still be the pool's (owned by holderID) at version: the versioned save
// is a conditional UPDATE, so of two people taking the same customer at
// once exactly one wins and the other gets apperr.ErrConflict.
func (s *Service) TakeFromPool(ctx context.Context, actorID, id, holderID uint, version int, owner *org.User, now time.Time) (*Customer, error) {
	var out *Customer
	err := s.store.Tx(ctx, func(tx *Store) error {
		c, err := tx.Customer(ctx, id)
		if err != nil {
			return err
		}
		if c.OwnerID != holderID || c.Version != version {
			return fmt.Errorf("customer %d left the pool: %w", id, apperr.ErrConflict)
		}
		before := *c
		c.OwnerID, c.TeamID, c.BranchID, c.UpdatedBy = owner.ID, derefID(owner.TeamID), derefID(owner.BranchID), &actorID
		if err := tx.SaveCustomer(ctx, c, now); err != nil {
			return err
		}
		if err := tx.ReassignOpportunities(ctx, c.ID, c.OwnerID, actorID, now); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, tx.DBAt(ctx, now), actorID, "customer", c.ID, "reassign", audit.Diff(&before, c))
	})
	return out, err
}

// PoolCustomer loads a customer without a permission check, for the pool
// service, which decides who may see a pooled customer's summary.
func (s *Service) PoolCustomer(ctx context.Context, id uint) (*Customer, error) {
	return s.store.Customer(ctx, id)
}

// DBAt is the store's connection (ctx's transaction, if any) whose
// automatic timestamps — and audit.Record's time — read now, the
// service's clock, instead of the system clock.
func (s *Store) DBAt(ctx context.Context, now time.Time) *gorm.DB { return db.ConnAt(ctx, s.db, now) }
