package needs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// needSearch is the need list's search box: the description and the
// customer.
var needSearch = db.ListSearch{Table: "needs", CustomerCol: "needs.customer_id", Own: []db.Searched{
	{Expr: "LOWER(needs.description)", Index: "idx_needs_description_bigrams"},
}}

// Store is the only place in the module that talks to GORM.
type Store struct {
	db *gorm.DB
	// pairs is what PostgreSQL knows of how common each pair of
	// characters is, for the list's search (db.ListSearch).
	pairs *db.PairStats
	// listCounts caches the list's capped count per scope and filter
	// (ListNeeds, and the home page's count per status, CountNeeds) until
	// the next need write (db.VersionCache); searchedCounts a search's,
	// under the customers version too (a customer's name and key persons
	// are searched; their edits do not bump the needs version). nil in a
	// transaction's Store.
	listCounts, searchedCounts *db.VersionCache[int64]
}

// NewStore wraps a database.
func NewStore(g *gorm.DB) *Store {
	return &Store{db: g, pairs: db.NewPairStats(),
		listCounts:     db.NewVersionCache[int64](db.VersionNeeds, countsCacheSize),
		searchedCounts: db.NewVersionsCache[int64]([]string{db.VersionNeeds, db.VersionCustomers}, countsCacheSize)}
}

// countsCacheSize bounds each counts cache (scopes × filters).
const countsCacheSize = 2000

// DB exposes the handle (audit writes, demo data).
func (s *Store) DB() *gorm.DB { return s.db }

// Tx runs fn in a transaction with a store bound to it.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return db.WithTx(ctx, s.db, func(ctx context.Context) error { return fn(&Store{db: db.Conn(ctx, s.db)}) })
}

// --- analysis

// Analysis loads a customer's analysis; ErrNotFound when there is none yet.
func (s *Store) Analysis(ctx context.Context, customerID uint) (*CustomerAnalysis, error) {
	var a CustomerAnalysis
	if err := db.Conn(ctx, s.db).Where("customer_id = ?", customerID).First(&a).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("analysis of customer %d", customerID))
	}
	return &a, nil
}

// CreateAnalysis inserts a; a second analysis of the same customer (two
// first saves at once) is ErrConflict.
func (s *Store) CreateAnalysis(ctx context.Context, a *CustomerAnalysis) error {
	a.Version = 1
	if err := db.Conn(ctx, s.db).Create(a).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create analysis of customer %d: %w", a.CustomerID, apperr.ErrConflict)
		}
		return fmt.Errorf("create analysis: %w", err)
	}
	return nil
}

// SaveAnalysis writes every column of a if its version is unchanged, and
// stamps updated_at with now.
func (s *Store) SaveAnalysis(ctx context.Context, a *CustomerAnalysis, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, a, now)
}

// --- current services

// Services lists a customer's live service rows, by service and supplier.
func (s *Store) Services(ctx context.Context, customerID uint) ([]CustomerService, error) {
	var out []CustomerService
	err := db.Conn(ctx, s.db).Where("customer_id = ?", customerID).Order("service, supplier, id").Find(&out).Error
	return out, err
}

// Service loads one live service row.
func (s *Store) Service(ctx context.Context, id uint) (*CustomerService, error) {
	var cs CustomerService
	if err := db.Conn(ctx, s.db).First(&cs, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("customer service %d", id))
	}
	return &cs, nil
}

// CreateService inserts cs.
func (s *Store) CreateService(ctx context.Context, cs *CustomerService) error {
	cs.Version = 1
	return db.Conn(ctx, s.db).Create(cs).Error
}

// SaveService writes every column of cs if its version is unchanged.
func (s *Store) SaveService(ctx context.Context, cs *CustomerService, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, cs, now)
}

// DeleteService soft-deletes a service row.
func (s *Store) DeleteService(ctx context.Context, id, by uint, now time.Time) error {
	res := db.Conn(ctx, s.db).Model(&CustomerService{}).Where("id = ?", id).
		Updates(map[string]any{"deleted_at": now.UTC(), "updated_by": by, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return fmt.Errorf("delete customer service %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("customer service %d: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// ExpiringContract is a competitor's service whose contract ends soon,
// with its customer.
type ExpiringContract struct {
	CustomerService
	CustomerName string
	OwnerID      uint
	// DaysLeft is filled in by the service (from its clock).
	DaysLeft int `gorm:"-"`
}

func (s *Store) expiringQuery(ctx context.Context, scope authz.ListScope, from, to time.Time) *gorm.DB {
	return prospects.ScopedCustomers(db.Conn(ctx, s.db).Model(&CustomerService{}).
		Joins("JOIN customers ON customers.id = customer_services.customer_id AND customers.deleted_at IS NULL"), scope).
		Where("customer_services.supplier <> ?", SupplierSelf).
		Where("customer_services.contract_end IS NOT NULL AND customer_services.contract_end >= ? AND customer_services.contract_end <= ?", from, to)
}

// Expiring lists competitor services in scope whose contract ends between
// from and to (dates, both included), soonest first, at most limit of
// them, and how many there are in all (up to prospects.CountCap+1).
func (s *Store) Expiring(ctx context.Context, scope authz.ListScope, from, to time.Time, limit int) ([]ExpiringContract, int64, error) {
	var total int64
	capped := s.expiringQuery(ctx, scope, from, to).Select("1").Limit(prospects.CountCap + 1)
	if err := countCapped(ctx, s.db, capped, &total); err != nil {
		return nil, 0, fmt.Errorf("count expiring contracts: %w", err)
	}
	var out []ExpiringContract
	q := s.expiringQuery(ctx, scope, from, to).
		Select("customer_services.*, customers.name AS customer_name, customers.owner_id AS owner_id").
		Order("customer_services.contract_end, customers.name, customer_services.id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list expiring contracts: %w", err)
	}
	return out, total, nil
}

// --- needs

// Need loads one live need.
func (s *Store) Need(ctx context.Context, id uint) (*Need, error) {
	var n Need
	if err := db.Conn(ctx, s.db).First(&n, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("need %d", id))
	}
	return &n, nil
}

// NeedsOf lists a customer's live needs, newest first.
func (s *Store) NeedsOf(ctx context.Context, customerID uint) ([]Need, error) {
	var out []Need
	err := db.Conn(ctx, s.db).Where("customer_id = ?", customerID).Order("created_at DESC, id DESC").Find(&out).Error
	return out, err
}

// CreateNeed inserts n.
func (s *Store) CreateNeed(ctx context.Context, n *Need) error {
	n.Version = 1
	return db.Conn(ctx, s.db).Create(n).Error
}

// SaveNeed writes every column of n if its version is unchanged.
func (s *Store) SaveNeed(ctx context.Context, n *Need, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, n, now)
}

// NeedFilter selects needs. The permission scope is not part of it: the
// query methods take an authz.ListScope, applied to the joined customer.
type NeedFilter struct {
	CustomerID uint
	OwnerID    uint
	Status     string
	Category   string
	Priority   string
	Q          string
	Sort       string
	Desc       bool
	Limit      int
	Offset     int
	// After keeps the rows after this position in the list's order
	// (NeedPosition), for keyset pages stable under inserts (the API).
	After []any
}

// NeedRow is a need with the names a list shows.
type NeedRow struct {
	Need
	CustomerName     string
	OwnerName        string
	ContactName      string
	OpportunityTitle string
}

// needSorts are the list's sort keys. Priority sorts high → low.
var needSorts = map[string]string{
	"updated":  "needs.updated_at",
	"created":  "needs.created_at",
	"priority": "CASE needs.priority WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END",
	"status":   "CASE needs.status WHEN 'open' THEN 1 WHEN 'addressed' THEN 2 ELSE 3 END",
	"customer": "customers.name",
	"category": "needs.category",
}

// needSortValues read a sort key's value from a loaded row (the CASE
// ranks as the SQL computes them), for keyset positions.
var needSortValues = map[string]func(*NeedRow) any{
	"updated":  func(r *NeedRow) any { return r.UpdatedAt },
	"created":  func(r *NeedRow) any { return r.CreatedAt },
	"priority": func(r *NeedRow) any { return rank(r.Priority, "high", "medium") },
	"status":   func(r *NeedRow) any { return rank(r.Status, "open", "addressed") },
	"customer": func(r *NeedRow) any { return r.CustomerName },
	"category": func(r *NeedRow) any { return r.Category },
}

// rank is the CASE of needSorts: 1 for first, 2 for second, else 3.
func rank(v, first, second string) int {
	switch v {
	case first:
		return 1
	case second:
		return 2
	}
	return 3
}

// needKeys is the list's total order: its sort (last updated first by
// default), then the id in the same direction.
func needKeys(f NeedFilter) ([]db.Key, func(*NeedRow) []any) {
	sort := f.Sort
	if _, ok := needSorts[sort]; !ok {
		sort, f.Desc = "updated", true
	}
	val := needSortValues[sort]
	keys := []db.Key{{Expr: needSorts[sort], Desc: f.Desc}, {Expr: "needs.id", Desc: f.Desc}}
	return keys, func(r *NeedRow) []any { return []any{val(r), r.ID} }
}

// NeedPosition is r's position in the order of f, for NeedFilter.After.
func NeedPosition(f NeedFilter, r *NeedRow) []any {
	_, keyOf := needKeys(f)
	return keyOf(r)
}

// NeedSortKinds names each sort's key kind ("time", "int", "text"), so a
// position can be read back typed.
var NeedSortKinds = map[string]string{
	"updated": "time", "created": "time", "priority": "int", "status": "int", "customer": "text", "category": "text",
}

func (s *Store) needQuery(ctx context.Context, scope authz.ListScope, f NeedFilter) *gorm.DB {
	q := prospects.ScopedCustomers(db.Conn(ctx, s.db).Model(&Need{}).
		Joins("JOIN customers ON customers.id = needs.customer_id AND customers.deleted_at IS NULL"), scope)
	if f.CustomerID != 0 {
		q = q.Where("needs.customer_id = ?", f.CustomerID)
	}
	// Per account manager means the customer's owner now: a need follows
	// its customer when the customer is reassigned (needs.owner_id keeps
	// who owned it when it was raised).
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.Status != "" {
		q = q.Where("needs.status = ?", f.Status)
	}
	if f.Category != "" {
		q = q.Where("needs.category = ?", f.Category)
	}
	if f.Priority != "" {
		q = q.Where("needs.priority = ?", f.Priority)
	}
	if f.Q != "" {
		cond, args := needSearch.Cond(ctx, q, s.pairs, scope.Breadth(), f.Q)
		q = q.Where(cond, args...)
	}
	return q
}

// ListNeeds returns a page of needs with names, and the total (which is
// prospects.CountCap+1 when there are more than CountCap).
func (s *Store) ListNeeds(ctx context.Context, scope authz.ListScope, f NeedFilter) ([]NeedRow, int64, error) {
	total, err := s.listCount(ctx, scope, f)
	if err != nil {
		return nil, 0, err
	}
	keys, _ := needKeys(f)
	q := s.needQuery(ctx, scope, f).
		Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Joins("LEFT JOIN contacts ON contacts.id = needs.contact_id AND contacts.deleted_at IS NULL").
		Joins("LEFT JOIN opportunities ON opportunities.id = needs.opportunity_id AND opportunities.deleted_at IS NULL").
		Select("needs.*, customers.name AS customer_name, users.name AS owner_name, " +
			"COALESCE(contacts.name, '') AS contact_name, COALESCE(opportunities.title, '') AS opportunity_title")
	q = db.Page(q, keys, f.After, f.Limit, f.Offset)
	var out []NeedRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list needs: %w", err)
	}
	return out, total, nil
}

// listCount is the list's capped count of f within scope. It is kept per
// scope and filter until the next write to a need or to a customer's
// owner, team, branch, chief rep or deletion (migration 00029 bumps the
// version in that transaction), a search's until the next write to a
// need or to any customer or key person (migration 00031): a common term
// over the province reads every need and its customer (the admin's
// 有限公司: ~130 ms), and every page of the pager shows the same count.
// A cursor page (the API) counts live.
func (s *Store) listCount(ctx context.Context, scope authz.ListScope, f NeedFilter) (int64, error) {
	load := func(ctx context.Context) (int64, error) {
		var n int64
		capped := s.needQuery(ctx, scope, f).Select("1").Limit(prospects.CountCap + 1)
		if err := countCapped(ctx, s.db, capped, &n); err != nil {
			return 0, fmt.Errorf("count needs: %w", err)
		}
		return n, nil
	}
	if scope.IsZero() || len(f.After) > 0 {
		return load(ctx)
	}
	key := fmt.Sprintf("%s|customer=%d|owner=%d|status=%s|category=%s|priority=%s|q=%q", scope.Key(),
		f.CustomerID, f.OwnerID, f.Status, f.Category, f.Priority, f.Q)
	if f.Q != "" {
		return s.searchedCounts.Get(ctx, s.db, key, load)
	}
	return s.listCounts.Get(ctx, s.db, key, load)
}

// CountNeeds counts the needs in scope with a status (all when "").
//
// A scope's count (the home panel's open needs: 30,000 for the admin of
// a province) is kept per scope and status until the next write to a
// need or to a customer's owner, team, branch, chief rep or deletion
// (migration 00029 bumps the version in that transaction), so it is
// exact.
func (s *Store) CountNeeds(ctx context.Context, scope authz.ListScope, status string) (int64, error) {
	return s.listCount(ctx, scope, NeedFilter{Status: status})
}

// StatusChanges lists the audit entries (updates touching the status) of
// the given needs, oldest first.
func (s *Store) StatusChanges(ctx context.Context, needIDs []uint) ([]audit.Entry, error) {
	var out []audit.Entry
	if len(needIDs) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Where("entity = ? AND action = ? AND entity_id IN ? AND changes LIKE ?", EntityNeed, audit.ActionUpdate, needIDs, `%"status"%`).
		Order("at, id").Find(&out).Error
	return out, err
}

// countCapped counts the rows of capped (a query limited to CountCap+1).
// An error already on capped (a zero scope) is returned as it is: GORM
// would otherwise render the failed subquery as empty SQL.
func countCapped(ctx context.Context, g *gorm.DB, capped *gorm.DB, n *int64) error {
	if capped.Error != nil {
		return capped.Error
	}
	return db.Conn(ctx, g).Table("(?) AS capped", capped).Count(n).Error
}
