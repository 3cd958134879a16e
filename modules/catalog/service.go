package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/servicecat"
)

// Service holds the catalogue's rules. Reads are for every signed-in
// role (catalog:read); writes (Save, SetActive, SeedDefaults) are the admin's —
// the routes require catalog:manage, as org's admin services rely on
// user:manage.
type Service struct {
	store *Store
	opts  Options
}

// Users names the people who changed a product, for its page. org's
// service implements it; the catalogue never reads org's tables itself.
type Users interface {
	UserNames(ctx context.Context, ids []uint) (map[uint]string, error)
}

// Options are the catalogue service's settings.
type Options struct {
	// Now is the clock that stamps saves (default: the system clock).
	Now func() time.Time
	// Users names actors on the product page (may be nil: no names).
	Users Users
}

// NewService returns a Service over store.
func NewService(store *Store, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: store, opts: o}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// UserNames maps the ids of people who changed products to their names.
func (s *Service) UserNames(ctx context.Context, ids []uint) (map[uint]string, error) {
	if s.opts.Users == nil || len(ids) == 0 {
		return map[uint]string{}, nil
	}
	return s.opts.Users.UserNames(ctx, ids)
}

// List returns a page of the catalogue and the total count. An unknown
// category or status in f is ignored rather than matching nothing.
func (s *Service) List(ctx context.Context, f Filter) ([]Product, int64, error) {
	if !servicecat.Valid(f.Category) {
		f.Category = ""
	}
	return s.store.List(ctx, f)
}

// Product loads one product, retired or not; apperr.ErrNotFound if none.
func (s *Service) Product(ctx context.Context, id uint) (*Product, error) {
	return s.store.ByID(ctx, id)
}

// ActiveProducts lists the products on sale, for pickers, ordered by
// category (in the order of servicecat.Keys), sort order and code.
func (s *Service) ActiveProducts(ctx context.Context) ([]Product, error) {
	return s.store.Active(ctx)
}

// ByIDs loads products by id, retired ones included (a proposal keeps the
// products it was made with). Unknown ids are simply absent from the map.
func (s *Service) ByIDs(ctx context.Context, ids []uint) (map[uint]Product, error) {
	return s.store.ByIDs(ctx, ids)
}

// Save creates (id 0) or edits a product. Errors: apperr.Fields for
// invalid input or a code already taken, apperr.ErrConflict (wrapped) when
// in.Version is not the stored version, apperr.ErrNotFound for an unknown
// id. The change and its audit entry (entity "product") are one
// transaction.
func (s *Service) Save(ctx context.Context, actorID, id uint, in ProductInput) (*Product, error) {
	var existing *Product
	if id != 0 {
		p, err := s.store.ByID(ctx, id)
		if err != nil {
			return nil, err
		}
		existing = p
	}
	v, f := in.Validate()
	if _, bad := f["code"]; !bad {
		taken, err := s.store.CodeTaken(ctx, in.Code, id)
		if err != nil {
			return nil, err
		}
		if taken {
			f.Add("code", "v.product_code_taken")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if existing == nil {
		p := newProduct(in, v, actorID)
		p.CreatedAt, p.UpdatedAt = s.now(), s.now()
		err := s.store.Tx(ctx, func(tx *Store) error {
			if err := tx.Create(ctx, p); err != nil {
				return err
			}
			return audit.Record(ctx, tx.DB(), actorID, AuditEntity, p.ID, audit.ActionCreate, audit.Diff(nil, p))
		})
		if errors.Is(err, apperr.ErrConflict) {
			// Another admin took the code between the check and the insert.
			return nil, apperr.Fields{"code": "v.product_code_taken"}
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	p := existing
	if in.Version != p.Version {
		return nil, fmt.Errorf("product %d edited by someone else: %w", id, apperr.ErrConflict)
	}
	before := *p
	p.Code, p.NameZh, p.NameEn, p.Category, p.Unit = in.Code, in.NameZh, in.NameEn, in.Category, in.Unit
	p.MonthlyFen, p.OneTimeFen, p.FloorRate, p.SortOrder = v.monthly, v.oneTime, v.floor, v.sort
	p.Description, p.UpdatedBy = in.Description, ptr(actorID)
	err := s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.Save(ctx, p, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, AuditEntity, p.ID, audit.ActionUpdate, audit.Diff(&before, p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// newProduct builds an active product from a validated input.
func newProduct(in ProductInput, v productValues, actorID uint) *Product {
	return &Product{
		Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn, Category: in.Category, Unit: in.Unit,
		MonthlyFen: v.monthly, OneTimeFen: v.oneTime, FloorRate: v.floor, Description: in.Description,
		Active: true, SortOrder: v.sort, CreatedBy: ptr(actorID), UpdatedBy: ptr(actorID),
	}
}

// SetActive retires (active false, 已下架) or reactivates (在售) a
// product. version, when not 0, must be the version the admin read.
// Setting the state it already has changes nothing and records nothing.
func (s *Service) SetActive(ctx context.Context, actorID, id uint, active bool, version int) error {
	p, err := s.store.ByID(ctx, id)
	if err != nil {
		return err
	}
	if version != 0 && version != p.Version {
		return fmt.Errorf("product %d: %w", id, apperr.ErrConflict)
	}
	if p.Active == active {
		return nil
	}
	before := *p
	p.Active, p.UpdatedBy = active, ptr(actorID)
	action := ActionActivate
	if !active {
		action = ActionRetire
	}
	return s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.Save(ctx, p, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actorID, AuditEntity, p.ID, action, audit.Diff(&before, p))
	})
}

// History is the audit trail of one product, newest first.
func (s *Service) History(ctx context.Context, id uint, limit int) ([]audit.Entry, error) {
	entries, _, err := audit.List(ctx, s.store.DB(), audit.Query{Entity: AuditEntity, EntityID: id, Limit: limit})
	return entries, err
}
