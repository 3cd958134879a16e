package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"gorm.io/gorm"
)

// Store is the only place in this module that talks to the database.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Tx runs fn in a transaction with a Store bound to it; inside db.WithTx
// it joins the caller's transaction, so a change spanning modules commits once.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return db.WithTx(ctx, s.db, func(ctx context.Context) error { return fn(&Store{db: db.Conn(ctx, s.db)}) })
}

// DB exposes the handle for the audit writer inside a transaction.
func (s *Store) DB() *gorm.DB { return s.db }

// Filter selects products for the catalogue list.
type Filter struct {
	// Q matches the code or either name (case-insensitive substring).
	Q        string
	Category string
	// Status is "active" (在售), "retired" (已下架) or "" / "all".
	Status string
	// Sort is one of code, name, category, monthly, one_time, floor; the
	// default is the catalogue order (category, sort order, code).
	Sort string
	Desc bool
	// Lang picks which name "name" sorts by.
	Lang   string
	Limit  int
	Offset int
}

// Filter statuses.
const (
	StatusActive  = "active"
	StatusRetired = "retired"
	StatusAll     = "all"
)

var productSorts = map[string]string{
	"code": "products.code", "name": "products.name_zh", "monthly": "products.monthly_fen",
	"one_time": "products.one_time_fen", "floor": "products.floor_rate",
}

// categoryOrder sorts by the position of the category in the one list of
// categories (servicecat.Keys, not alphabetically), the same in both
// databases.
func categoryOrder() string {
	var b strings.Builder
	b.WriteString("CASE products.category")
	cats := servicecat.Keys()
	for i, c := range cats {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", c, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(cats))
	return b.String()
}

// List returns a page of products and the total count.
func (s *Store) List(ctx context.Context, f Filter) ([]Product, int64, error) {
	q := db.Conn(ctx, s.db).Model(&Product{})
	if f.Q != "" {
		cond, args := db.Contains(f.Q, "LOWER(products.code)", "LOWER(products.name_zh)", "LOWER(products.name_en)")
		q = q.Where(cond, args...)
	}
	if f.Category != "" {
		q = q.Where("products.category = ?", f.Category)
	}
	switch f.Status {
	case StatusActive:
		q = q.Where("products.active = ?", true)
	case StatusRetired:
		q = q.Where("products.active = ?", false)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count products: %w", err)
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	switch col, ok := productSorts[f.Sort]; {
	case f.Sort == "name" && f.Lang == "en":
		q = q.Order("products.name_en" + dir)
	case ok:
		q = q.Order(col + dir)
	case f.Sort == "category":
		q = q.Order(categoryOrder() + dir).Order("products.sort_order").Order("products.code")
	default:
		q = q.Order(categoryOrder()).Order("products.sort_order").Order("products.code")
	}
	if f.Limit <= 0 {
		f.Limit = 25
	}
	var out []Product
	if err := q.Order("products.id").Limit(f.Limit).Offset(f.Offset).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list products: %w", err)
	}
	return out, total, nil
}

// ByID loads one product.
func (s *Store) ByID(ctx context.Context, id uint) (*Product, error) {
	var p Product
	if err := db.Conn(ctx, s.db).First(&p, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("product %d", id))
	}
	return &p, nil
}

// ByCode loads one product by its code.
func (s *Store) ByCode(ctx context.Context, code string) (*Product, error) {
	var p Product
	if err := db.Conn(ctx, s.db).Where("code = ?", strings.ToUpper(code)).First(&p).Error; err != nil {
		return nil, db.NotFound(err, "product "+code)
	}
	return &p, nil
}

// ByIDs loads products by id, retired ones included, in one query.
func (s *Store) ByIDs(ctx context.Context, ids []uint) (map[uint]Product, error) {
	out := map[uint]Product{}
	if len(ids) == 0 {
		return out, nil
	}
	var ps []Product
	if err := db.Conn(ctx, s.db).Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("products by id: %w", err)
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// Active lists the products on sale in catalogue order (category, sort
// order, code).
func (s *Store) Active(ctx context.Context) ([]Product, error) {
	var out []Product
	err := db.Conn(ctx, s.db).Where("active = ?", true).
		Order(categoryOrder()).Order("products.sort_order").Order("products.code").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("active products: %w", err)
	}
	return out, nil
}

// Count counts every product, retired ones included.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&Product{}).Count(&n).Error
	return n, err
}

// CodeTaken reports whether another product has code.
func (s *Store) CodeTaken(ctx context.Context, code string, exceptID uint) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&Product{}).Where("code = ? AND id <> ?", code, exceptID).Count(&n).Error
	return n > 0, err
}

// Create inserts p at version 1.
func (s *Store) Create(ctx context.Context, p *Product) error {
	p.Version = 1
	if err := db.Conn(ctx, s.db).Create(p).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create product %s: %w", p.Code, apperr.ErrConflict)
		}
		return fmt.Errorf("create product: %w", err)
	}
	return nil
}

// Save writes every column of p if its version is still the one read
// (optimistic locking), bumps the version and stamps updated_at with now.
func (s *Store) Save(ctx context.Context, p *Product, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, p, now)
}
