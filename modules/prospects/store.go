package prospects

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/par"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// opportunitySearch is the opportunity list's search box: the title and
// the customer.
var opportunitySearch = db.ListSearch{Table: "opportunities", CustomerCol: "opportunities.customer_id", Own: []db.Searched{
	{Expr: "LOWER(opportunities.title)", Index: "idx_opps_title_bigrams"},
}, CustomerIndex: "idx_opps_customer_totals", TextIndex: "idx_opps_title",
	OwnPairs: "opportunity_bigrams", OwnPairsCol: "opportunity_id"}

// Store is the only place in this module that talks to the database.
type Store struct {
	db *gorm.DB
	// pairs is what PostgreSQL knows of how common each pair of
	// characters is, for the list's search (db.ListSearch).
	pairs *db.PairStats
	// totals caches the opportunity totals of scopes (opp_totals.go); nil
	// in a transaction's Store, which reads them live.
	totals *oppTotalsCache
	// spare lends a searched province's totals goroutines to read their
	// halves at once (SQLite, partsSums); nil: one after the other.
	spare *par.Spare
}

// NewStore returns a Store on g.
func NewStore(g *gorm.DB) *Store {
	return &Store{db: g, pairs: db.NewPairStats(), totals: newOppTotalsCache()}
}

// DB exposes the handle for the audit writer inside a transaction.
func (s *Store) DB() *gorm.DB { return s.db }

// Tx runs fn in a transaction with a Store bound to it; inside db.WithTx
// it joins the caller's transaction, so a change spanning modules commits once.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return db.WithTx(ctx, s.db, func(ctx context.Context) error { return fn(&Store{db: db.Conn(ctx, s.db)}) })
}

// teamCustomers narrows q, a query of or joined to live customers under
// scope, to the team's customers read as a union of three index ranges,
// on SQLite and for a team scope only (a no-op otherwise): SQLite reads
// "owner OR chief rep OR team" by scanning every customer of the
// province (36 ms for a chief rep's count, 42 ms for the team's
// opportunity totals, 33 ms for the upcoming visits), and with the union
// it starts from the team's ~2,000 customers (2–17 ms). The condition is
// the scope's own (authz.ListScope.Apply keeps it too), so the rows are
// the same; it needs the live customers, so the trash does not use it.
func teamCustomers(q *gorm.DB, scope authz.ListScope) *gorm.DB {
	if q.Dialector.Name() != db.SQLite || scope.Level() != authz.ScopeTeam {
		return q
	}
	me := scope.Subject()
	sql := "customers.id IN (SELECT id FROM customers WHERE owner_id = ? AND deleted_at IS NULL" +
		" UNION SELECT id FROM customers WHERE chief_rep_id = ? AND deleted_at IS NULL"
	args := []any{me.ID, me.ID}
	if me.TeamID != 0 {
		sql += " UNION SELECT id FROM customers WHERE team_id = ? AND deleted_at IS NULL"
		args = append(args, me.TeamID)
	}
	return q.Where(sql+")", args...)
}

// ScopedCustomers narrows q, a query of or joined to live customers (as
// "customers"), to scope: the scope's condition on the customer's
// ownership columns, and on SQLite a chief rep's team read as a union
// (teamCustomers). Every module's scoped query of customers goes through
// it, so none forgets the union.
func ScopedCustomers(q *gorm.DB, scope authz.ListScope) *gorm.DB {
	return teamCustomers(scope.Apply(q, customerCols), scope)
}

// customerCols are where a customer's ownership lives, for every scoped
// query (opportunities join customers and are scoped by their customer).
var customerCols = authz.StandardColumns("customers")

// --- customers

// Customer loads a live customer.
func (s *Store) Customer(ctx context.Context, id uint) (*Customer, error) {
	var c Customer
	if err := db.Conn(ctx, s.db).First(&c, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("customer %d", id))
	}
	return &c, nil
}

// LockCustomer loads a live customer inside the caller's transaction and
// keeps others from writing it until that transaction ends: FOR NO KEY
// UPDATE on PostgreSQL; on SQLite the transaction already holds the
// database's one write lock (_txlock=immediate), so the read is current.
//
// A transaction that writes a customer's opportunity, visit or care
// contact and then the customer itself calls it first. Those rows'
// triggers lock their customer FOR SHARE (migrations 00046, 00047,
// 00050); two such transactions both holding the share lock and both
// wanting to write the customer deadlock (TestConcurrentWinsOfOneProspect).
// Taken first, the lock makes the second wait, and it then decides from
// the customer as the first left it.
func (s *Store) LockCustomer(ctx context.Context, id uint) (*Customer, error) {
	q := db.Conn(ctx, s.db)
	if q.Dialector.Name() == db.Postgres {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	var c Customer
	if err := q.First(&c, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("customer %d", id))
	}
	return &c, nil
}

// DeletedCustomer loads a soft-deleted customer.
func (s *Store) DeletedCustomer(ctx context.Context, id uint) (*Customer, error) {
	var c Customer
	if err := db.Conn(ctx, s.db).Unscoped().Where("deleted_at IS NOT NULL").First(&c, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("deleted customer %d", id))
	}
	return &c, nil
}

// CustomerByCode finds the live customer with a credit code.
func (s *Store) CustomerByCode(ctx context.Context, code string) (*Customer, error) {
	var c Customer
	if err := db.Conn(ctx, s.db).Where("credit_code = ?", code).First(&c).Error; err != nil {
		return nil, db.NotFound(err, "customer "+code)
	}
	return &c, nil
}

// CustomersByCodes finds live customers by credit code (for imports).
func (s *Store) CustomersByCodes(ctx context.Context, codes []string) (map[string]Customer, error) {
	out := map[string]Customer{}
	for start := 0; start < len(codes); start += 500 {
		end := min(start+500, len(codes))
		var list []Customer
		if err := db.Conn(ctx, s.db).Where("credit_code IN ?", codes[start:end]).Find(&list).Error; err != nil {
			return nil, err
		}
		for _, c := range list {
			out[c.CreditCode] = c
		}
	}
	return out, nil
}

// SimilarNamesIn returns up to limit live customers within scope whose
// search text contains core (a name stripped of legal suffixes),
// excluding exceptID.
func (s *Store) SimilarNamesIn(ctx context.Context, scope authz.ListScope, core string, exceptID uint, limit int) ([]Customer, error) {
	var out []Customer
	err := scope.Apply(db.Conn(ctx, s.db).Model(&Customer{}), customerCols).
		Where("search_text LIKE ? ESCAPE '\\' AND id <> ?", "%"+escapeLike(strings.ToLower(core))+"%", exceptID).
		Order("customers.id").Limit(limit).Find(&out).Error
	return out, err
}

// ShortestWithCore returns up to limit live customers of any scope whose
// search text contains core, shortest names first: the candidates for a
// name whose core is exactly core (the name plus at most a suffix or a
// bracket).
func (s *Store) ShortestWithCore(ctx context.Context, core string, exceptID uint, limit int) ([]Customer, error) {
	var out []Customer
	err := db.Conn(ctx, s.db).Where("search_text LIKE ? ESCAPE '\\' AND id <> ?", "%"+escapeLike(strings.ToLower(core))+"%", exceptID).
		Order("LENGTH(name), id").Limit(limit).Find(&out).Error
	return out, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CustomerFilter selects customers for lists and exports. The permission
// scope is not part of it: every query method takes an authz.ListScope.
type CustomerFilter struct {
	Q        string
	Grade    string
	Industry string
	Status   string
	OwnerID  uint
	TeamID   uint
	Region   string
	// MinScore keeps customers whose qualification score is at least it.
	MinScore int
	Sort     string
	Desc     bool
	Limit    int
	Offset   int
	Deleted  bool
	// Group keeps the customer Group and every member below it, at any
	// depth (the list's "this group and its members").
	Group uint
	// Tree keeps only the customers whose parent the filter drops (or
	// who have none): the roots of the list's tree view, under which
	// TreeMembers places the rest.
	Tree bool
	// NotUnder drops the customer NotUnder and every member below it
	// (the parent picker: none of them can become its parent).
	NotUnder uint
	// After, when set, keeps the rows strictly after this position in the
	// list's order (CustomerPosition of the last row seen): the API's
	// cursor, stable under inserts where an offset is not.
	After []any
	// search is how Q is read (planSearch), planned once per first look;
	// manyMatch: the count found more than manyMatches customers for Q,
	// so the page reads them in the list's order and stops at a page
	// instead of sorting every candidate their character pairs find.
	search    customerSearch
	manyMatch bool
}

func (s *Store) customerQuery(ctx context.Context, scope authz.ListScope, f CustomerFilter) *gorm.DB {
	q := scope.Apply(db.Conn(ctx, s.db).Model(&Customer{}), customerCols)
	if f.Deleted {
		q = q.Unscoped().Where("customers.deleted_at IS NOT NULL")
	} else {
		q = teamCustomers(q, scope)
	}
	if f.Q != "" {
		cs := f.search
		if cs == nil {
			cs, _ = s.planSearch(ctx, scope, f.Q, false) // no statement without probe
		}
		if cond, args := cs.cond(s.db.Dialector.Name(), f.manyMatch); cond != "" {
			q = q.Where(cond, args...)
		}
	}
	if f.Grade != "" {
		q = q.Where("customers.grade = ?", f.Grade)
	}
	if f.Industry != "" {
		q = q.Where("customers.industry = ?", f.Industry)
	}
	if f.Status != "" {
		q = q.Where("customers.status = ?", f.Status)
	}
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	if f.Region != "" {
		q = q.Where("customers.region = ?", f.Region)
	}
	if f.MinScore > 0 {
		q = q.Where("customers.qual_score >= ?", f.MinScore)
	}
	if f.Group != 0 {
		q = q.Where(subtreeIn("customers.id"), f.Group)
	}
	if f.NotUnder != 0 {
		q = q.Where("NOT "+subtreeIn("customers.id"), f.NotUnder)
	}
	if f.Tree && !f.Deleted {
		kept := f
		kept.Tree, kept.Limit, kept.Offset = false, 0, 0
		q = q.Where("(customers.parent_id IS NULL OR customers.parent_id NOT IN (?))", s.customerQuery(ctx, scope, kept).Select("customers.id"))
	}
	return q
}

// CountCap bounds how far list counts go: past it a list says "10,000+"
// instead of counting every row, which keeps a director's or admin's list
// fast however many customers there are.
const CountCap = 10_000

// ListQueries returns the two queries ListCustomers runs (capped count,
// page), unexecuted, so benchmarks can show their plans.
func (s *Store) ListQueries(ctx context.Context, scope authz.ListScope, f CustomerFilter) []*gorm.DB {
	capped := s.customerQuery(ctx, scope, f).Select("1").Limit(CountCap + 1)
	return []*gorm.DB{
		db.Conn(ctx, s.db).Table("(?) AS capped", capped).Select("COUNT(*)"),
		s.pageQuery(ctx, scope, f).Order(customerOrder(f)).Limit(f.Limit).Offset(f.Offset),
	}
}

// manyMatches is the count above which a search's page is read in the
// list's order rather than from its candidates on SQLite (CustomerFilter.manyMatch):
// with one customer in a hundred matching, a page of 25 is ~2,500 rows
// along the order's index; sorting 1,000 candidates costs about as much.
const manyMatches = 1000

// fewMatches is the count up to which a search's page is read on SQLite
// without the list order's index: along it, a search that a hundred of
// the province's customers match walks ~25,000 rows (each a lookup of
// the row) for a page of 25, and one that a handful match walks all
// 100,000 — 0.3 s — where reading the table and sorting the matches
// takes ~80 ms.
const fewMatches = 100

// ListCustomers returns a page of customers and the total count, which is
// CountCap+1 when there are more than CountCap.
func (s *Store) ListCustomers(ctx context.Context, scope authz.ListScope, f CustomerFilter) ([]Customer, int64, error) {
	// Planned on a first look only: a kept count and page need no plan.
	plan := func(ctx context.Context) error {
		if f.Q == "" || f.search != nil {
			return nil
		}
		var err error
		f.search, err = s.planSearch(ctx, scope, f.Q, true)
		return err
	}
	total, err := s.totals.customerCountCache().Get(ctx, s.db, customerCountKey(scope, f), func(ctx context.Context) (int64, error) {
		if err := plan(ctx); err != nil {
			return 0, err
		}
		var n int64
		capped := s.customerQuery(ctx, scope, f).Select("1").Limit(CountCap + 1)
		if err := countCapped(ctx, s.db, capped, &n); err != nil {
			return 0, fmt.Errorf("count customers: %w", err)
		}
		return n, nil
	})
	if err != nil {
		return nil, 0, err
	}
	if total == 0 || (len(f.After) == 0 && total <= CountCap && int64(f.Offset) >= total) {
		// Nothing on this page: no need to look (a search for what no
		// customer holds walked the province's update-time index).
		return nil, total, nil
	}
	f.manyMatch = total > manyMatches
	out, err := s.totals.customerRowsCache().Get(ctx, s.db, customerRowsKey(scope, f), func(ctx context.Context) ([]Customer, error) {
		if err := plan(ctx); err != nil {
			return nil, err
		}
		var out []Customer
		order := customerOrder(f)
		if f.Q != "" && total <= fewMatches && s.db.Dialector.Name() == db.SQLite {
			keys, _ := customerKeys(f)
			order = db.OrderWithoutIndex(keys)
		}
		q := s.pageQuery(ctx, scope, f).Order(order).Limit(f.Limit).Offset(f.Offset)
		if len(f.After) > 0 {
			keys, _ := customerKeys(f)
			cond, args := db.After(keys, f.After)
			q = q.Where(cond, args...)
		}
		if err := q.Find(&out).Error; err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		return out, nil
	})
	if err != nil {
		return nil, 0, err
	}
	// The caller's own copy: what it changes does not reach the next one.
	return slices.Clone(out), total, nil
}

// pageQuery is customerQuery for one page of the list. On PostgreSQL a
// team's customers (a few thousand of the province's 100,000, matched by
// owner, chief rep or team) are read first and then sorted: OFFSET 0
// keeps them a query of its own. Otherwise PostgreSQL walks the whole
// province in the sort's index and tests each customer for the scope and
// the filter, expecting matches spread evenly: a chief rep's search for
// "科技" read 14,733 customers for 25 (17 ms; 1.2 ms fenced), and a
// search that matches nothing in the team read all 100,000. One person's
// customers have their own index in update order (idx_customers_owner),
// which a fence would only make sort; the province is large enough for
// the index walk to stop early. So is a branch in update order, which
// idx_customers_branch keeps; sorted by another column (migration 00056's
// indexes) the walk meets the branch's customers wherever the ids put
// them — a director's customers by score walked the province's 100,000
// for 26 (21 ms; fenced, the branch's ~8,000 sorted, 3 ms).
func (s *Store) pageQuery(ctx context.Context, scope authz.ListScope, f CustomerFilter) *gorm.DB {
	q := s.customerQuery(ctx, scope, f)
	if s.db.Dialector.Name() != db.Postgres {
		return q
	}
	if l := scope.Level(); l != authz.ScopeTeam && (l != authz.ScopeBranch || f.Sort == "" || f.Sort == "updated") {
		return q
	}
	// The inner query already says which customers, deleted ones included
	// for the trash: the outer one only sorts and pages (Unscoped).
	return db.Fenced(db.Conn(ctx, s.db).Unscoped().Model(&Customer{}), q, "customers")
}

// CustomerPosition is c's position in the order of f (the sort key's
// value, then the id), for CustomerFilter.After.
func CustomerPosition(f CustomerFilter, c *Customer) []any {
	_, keyOf := customerKeys(f)
	return keyOf(c)
}

// CustomerSortKinds names the customer list's sorts and the kind of their
// key ("text", "time", "int"), so a cursor can be read back typed.
var CustomerSortKinds = map[string]string{
	"name": "text", "updated": "time", "grade": "text", "score": "int", "spend": "int", "headcount": "int",
}

// customerSortKey is one sort of the customer list: its column and how
// to read that column's value from a loaded row (for keyset reads).
type customerSortKey struct {
	col string
	val func(*Customer) any
}

var customerSorts = map[string]customerSortKey{
	"name":      {"customers.name", func(c *Customer) any { return c.Name }},
	"updated":   {"customers.updated_at", func(c *Customer) any { return c.UpdatedAt }},
	"grade":     {"customers.grade", func(c *Customer) any { return c.Grade }},
	"score":     {"customers.qual_score", func(c *Customer) any { return c.QualScore }},
	"spend":     {"customers.annual_spend_fen", func(c *Customer) any { return int64(c.AnnualSpendFen) }},
	"headcount": {"customers.headcount", func(c *Customer) any { return c.Headcount }},
}

// customerKeys is the list's total order: the sort column, then the id in
// the same direction (the default is last updated first).
func customerKeys(f CustomerFilter) ([]db.Key, func(*Customer) []any) {
	sk, ok := customerSorts[f.Sort]
	if !ok {
		sk, f.Desc = customerSorts["updated"], true
	}
	keys := []db.Key{{Expr: sk.col, Desc: f.Desc}, {Expr: "customers.id", Desc: f.Desc}}
	return keys, func(c *Customer) []any { return []any{sk.val(c), c.ID} }
}

func customerOrder(f CustomerFilter) string {
	keys, _ := customerKeys(f)
	return db.Order(keys)
}

// EachCustomer reads every customer matching f (no paging) in the list's
// order, 1,000 at a time, for exports: keyset pagination on the sort key
// and the id, in one read snapshot, so each customer comes exactly once.
func (s *Store) EachCustomer(ctx context.Context, scope authz.ListScope, f CustomerFilter, batch func([]Customer) error) error {
	keys, keyOf := customerKeys(f)
	f.Limit, f.Offset = 0, 0
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB { return (&Store{db: tx}).customerQuery(ctx, scope, f) },
		keys, keyOf, 1000, batch)
}

// maxRegions is how many districts the list's filter offers at most.
const maxRegions = 200

// Regions lists the distinct regions of the customers in scope, in order,
// at most maxRegions, kept per scope under the customers version (any
// write to a customer bumps it, so a new district is offered on the next
// look). For a branch or the province they are walked from one to the
// next along idx_customers_branch_region / idx_customers_region (00034):
// one index probe per district instead of a DISTINCT over every customer
// in scope (the province's: 92 ms on SQLite, 108 ms on PostgreSQL). A
// person's or a team's few hundred customers are read as they are.
func (s *Store) Regions(ctx context.Context, scope authz.ListScope) ([]string, error) {
	out, err := s.totals.regionsCache().Get(ctx, s.db, scope.Key(), func(ctx context.Context) ([]string, error) {
		return s.regions(ctx, scope)
	})
	return slices.Clone(out), err // the kept list stays as read
}

func (s *Store) regions(ctx context.Context, scope authz.ListScope) ([]string, error) {
	var out []string
	switch me := scope.Subject(); {
	case scope.Level() == authz.ScopeAll:
		return out, s.walkRegions(ctx, "", nil, &out)
	case scope.Level() == authz.ScopeBranch && me.BranchID != 0:
		return out, s.walkRegions(ctx, "branch_id = ? AND ", []any{me.BranchID}, &out)
	}
	err := ScopedCustomers(db.Conn(ctx, s.db).Model(&Customer{}), scope).Where("region <> ''").
		Distinct("region").Order("region").Limit(maxRegions).Pluck("region", &out).Error
	return out, err
}

// walkRegions reads the live customers' districts matching cond (a
// condition on indexed columns followed by AND, or "") in order: a
// recursive query whose every step is the first district after the last
// one (ORDER BY … LIMIT 1 along the index, which both databases read as
// one probe).
func (s *Store) walkRegions(ctx context.Context, cond string, args []any, out *[]string) error {
	next := "(SELECT region FROM customers WHERE " + cond + "deleted_at IS NULL AND region > %s ORDER BY region LIMIT 1)"
	sql := "WITH RECURSIVE r(region) AS (SELECT " + fmt.Sprintf(next, "''") +
		" UNION ALL SELECT " + fmt.Sprintf(next, "r.region") + " FROM r WHERE r.region IS NOT NULL)" +
		" SELECT region FROM r WHERE region IS NOT NULL LIMIT ?"
	all := append(append(append([]any{}, args...), args...), maxRegions)
	if err := db.Conn(ctx, s.db).Raw(sql, all...).Scan(out).Error; err != nil {
		return fmt.Errorf("regions: %w", err)
	}
	return nil
}

// CreateCustomer inserts c, stamped created_at/updated_at with now (the
// service's clock: the pool's idle days count from it).
func (s *Store) CreateCustomer(ctx context.Context, c *Customer, now time.Time) error {
	c.Version = 1
	if err := db.ConnAt(ctx, s.db, now).Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create customer %s: %w", c.CreditCode, apperr.ErrConflict)
		}
		return fmt.Errorf("create customer: %w", err)
	}
	return nil
}

// SaveCustomer writes every column of c if the version is unchanged, and
// stamps updated_at with now. A save that changes the owner also stamps
// owner_changed_at with now, whichever path changed it (a reassignment, a
// claim or an assignment from the pool, a future one), so the pool's idle
// clock restarts for the new owner (issue 17).
func (s *Store) SaveCustomer(ctx context.Context, c *Customer, now time.Time) error {
	var stored []uint
	if err := db.Conn(ctx, s.db).Unscoped().Model(&Customer{}).Where("id = ?", c.ID).Limit(1).Pluck("owner_id", &stored).Error; err != nil {
		return fmt.Errorf("save customer %d: owner: %w", c.ID, err)
	}
	if len(stored) == 1 && stored[0] != c.OwnerID {
		at := now.UTC()
		c.OwnerChangedAt = &at
	}
	return db.SaveVersioned(ctx, s.db, c, now)
}

// SetSearchText rewrites a customer's search column (its key persons
// changed); it is derived data, so the version stays.
func (s *Store) SetSearchText(ctx context.Context, id uint, text string) error {
	return db.Conn(ctx, s.db).Model(&Customer{}).Where("id = ?", id).Update("search_text", text).Error
}

// SetCustomerDeleted soft-deletes (or restores) a customer.
func (s *Store) SetCustomerDeleted(ctx context.Context, id uint, deleted bool, by uint, now time.Time) error {
	var at any
	if deleted {
		at = now.UTC()
	}
	res := db.Conn(ctx, s.db).Unscoped().Model(&Customer{}).Where("id = ?", id).
		Updates(map[string]any{"deleted_at": at, "updated_by": by, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("set customer %d deleted=%v: %w", id, deleted, apperr.ErrConflict)
		}
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("customer %d: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// --- contacts

// Contacts lists a customer's live key persons by role and name.
func (s *Store) Contacts(ctx context.Context, customerID uint) ([]Contact, error) {
	var out []Contact
	err := db.Conn(ctx, s.db).Where("customer_id = ?", customerID).Order("role, name").Find(&out).Error
	return out, err
}

// ContactNames returns the key person names per customer, for lists.
func (s *Store) ContactNames(ctx context.Context, customerIDs []uint) (map[uint][]string, error) {
	out := map[uint][]string{}
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []Contact
	// Conn: the export reads these inside its read snapshot (db.EachBatch).
	if err := db.Conn(ctx, s.db).Select("customer_id, name").Where("customer_id IN ?", customerIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.CustomerID] = append(out[r.CustomerID], r.Name)
	}
	return out, nil
}

// Contact loads one live key person.
func (s *Store) Contact(ctx context.Context, id uint) (*Contact, error) {
	var c Contact
	if err := db.Conn(ctx, s.db).First(&c, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("contact %d", id))
	}
	return &c, nil
}

// CreateContact inserts c.
func (s *Store) CreateContact(ctx context.Context, c *Contact) error {
	c.Version = 1
	return db.Conn(ctx, s.db).Create(c).Error
}

// SaveContact writes every column of c under optimistic locking.
func (s *Store) SaveContact(ctx context.Context, c *Contact, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, c, now)
}

// DeleteContact soft-deletes a key person.
func (s *Store) DeleteContact(ctx context.Context, id uint, now time.Time) error {
	return db.ConnAt(ctx, s.db, now).Delete(&Contact{}, id).Error
}

// --- opportunities

// Opportunity loads one live opportunity.
func (s *Store) Opportunity(ctx context.Context, id uint) (*Opportunity, error) {
	var o Opportunity
	if err := db.Conn(ctx, s.db).First(&o, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("opportunity %d", id))
	}
	return &o, nil
}

// OpportunitiesOf lists a customer's opportunities, open ones first.
func (s *Store) OpportunitiesOf(ctx context.Context, customerID uint) ([]Opportunity, error) {
	var out []Opportunity
	err := db.Conn(ctx, s.db).Where("customer_id = ?", customerID).Order("updated_at DESC").Find(&out).Error
	return out, err
}

// OpportunityFilter selects opportunities. Every query method takes an
// authz.ListScope, applied to the joined customer, so an opportunity is
// visible exactly when its customer is.
type OpportunityFilter struct {
	Q        string
	Stages   []string
	OwnerID  uint
	TeamID   uint
	Grade    string
	Industry string
	// CloseMonth keeps opportunities expected to close in that month
	// ("2026-03"); CloseFrom and CloseBefore are its bounds.
	CloseMonth  string
	CloseFrom   *time.Time
	CloseBefore *time.Time
	// MinScore keeps opportunities of customers qualified at least this.
	MinScore int
	// ClosedSince keeps won/lost opportunities only if they changed stage
	// after it (the board shows recent results, not all history).
	ClosedSince *time.Time
	Sort        string
	Desc        bool
	Limit       int
	Offset      int
	// After keeps the rows after this position in the order (the sort
	// key's value, then the id: OpportunityPosition), for keyset pages
	// that stay stable while rows are inserted (the API's cursor).
	After []any
}

// OpportunityRow is an opportunity with its customer's name, grade and
// qualification score (the board shows how real the prospect is).
type OpportunityRow struct {
	Opportunity
	CustomerName  string
	CustomerCode  string
	CustomerGrade string
	CustomerScore int
	Industry      string
	TeamID        uint
}

// opportunityColumns are what list, board and export read: the
// opportunity and the customer columns they show.
const opportunityColumns = "opportunities.*, customers.name AS customer_name, customers.credit_code AS customer_code, " +
	"customers.grade AS customer_grade, customers.qual_score AS customer_score, customers.industry AS industry, customers.team_id AS team_id"

// opportunityQuery is the live opportunities of live customers in scope
// matching f, joined to their customer.
//
// On SQLite, for the province, the customer's being live is asked of the
// opportunity (not among the deleted customers' ids, a handful along
// their index) rather than of the joined customer: with a condition of
// its own on customers, SQLite built a Bloom filter of all 100,000
// customers before the first row of any such query — 46 ms for the
// admin's first 25 opportunities, which an index walk finds in 0.3 ms;
// 40 ms of the 42 of a page searched for 科技. The rows are the same
// (every opportunity has its customer: a foreign key).
func (s *Store) opportunityQuery(ctx context.Context, scope authz.ListScope, f OpportunityFilter) *gorm.DB {
	return s.opportunitiesSearched(ctx, scope, f, scope.Breadth())
}

// opportunitiesSearched is opportunityQuery with its search planned for
// breadth: on SQLite db.Narrow for a statement that reads few rows
// whatever the term (the recent won and lost along their index), so that
// a rare term is not read as the set of the province's matches (a pass
// over every title, 30 ms).
func (s *Store) opportunitiesSearched(ctx context.Context, scope authz.ListScope, f OpportunityFilter, breadth db.Breadth) *gorm.DB {
	conn := db.Conn(ctx, s.db).Model(&Opportunity{})
	var q *gorm.DB
	if conn.Dialector.Name() == db.SQLite && scope.Level() == authz.ScopeAll {
		q = conn.Joins("JOIN customers ON customers.id = opportunities.customer_id").
			Where("opportunities.customer_id NOT IN (SELECT id FROM customers WHERE deleted_at IS NOT NULL)")
		if !f.customerSide() {
			return opportunityConds(q, f)
		}
	} else {
		q = ScopedCustomers(conn.
			Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL"), scope)
	}
	if f.Q != "" {
		cond, args := opportunitySearch.Cond(ctx, q, s.pairs, breadth, f.Q)
		q = q.Where(cond, args...)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	if f.Grade != "" {
		q = q.Where("customers.grade = ?", f.Grade)
	}
	if f.Industry != "" {
		q = q.Where("customers.industry = ?", f.Industry)
	}
	if f.MinScore > 0 {
		q = q.Where("customers.qual_score >= ?", f.MinScore)
	}
	return opportunityConds(q, f)
}

// customerSide reports whether f filters on the customer's columns (its
// search text, team, grade, industry or qualification).
func (f OpportunityFilter) customerSide() bool {
	return f.Q != "" || f.TeamID != 0 || f.Grade != "" || f.Industry != "" || f.MinScore > 0
}

// opportunityConds adds f's conditions on the opportunity's own columns.
func opportunityConds(q *gorm.DB, f OpportunityFilter) *gorm.DB {
	if len(f.Stages) > 0 {
		q = q.Where("opportunities.stage IN ?", f.Stages)
	}
	if f.OwnerID != 0 {
		q = q.Where("opportunities.owner_id = ?", f.OwnerID)
	}
	if f.CloseFrom != nil {
		q = q.Where("opportunities.expected_close >= ?", *f.CloseFrom)
	}
	if f.CloseBefore != nil {
		q = q.Where("opportunities.expected_close < ?", *f.CloseBefore)
	}
	if f.ClosedSince != nil {
		q = q.Where("(opportunities.stage NOT IN ? OR opportunities.stage_changed_at >= ?)", []string{StageWon, StageLost}, *f.ClosedSince)
	}
	return q
}

// oppSortKey is one sort of opportunities: the column (or expression) and
// how to read its value from a loaded row, for keyset reads.
type oppSortKey struct {
	expr     string
	nullable bool
	val      func(*OpportunityRow) any
}

// stageRank orders stages as the pipeline does, not alphabetically.
var stageRank = func() string {
	var b strings.Builder
	b.WriteString("CASE opportunities.stage")
	for i, st := range Stages {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, i)
	}
	b.WriteString(" END")
	return b.String()
}()

// OpportunitySorts are the sort keys of the opportunity list and board.
// "close" is the expected close date, NULL (not set) last either way.
var OpportunitySorts = map[string]oppSortKey{
	"close": {"opportunities.expected_close", true, func(r *OpportunityRow) any {
		if r.ExpectedClose == nil {
			return nil
		}
		return *r.ExpectedClose
	}},
	"value":   {"opportunities.monthly_fen", false, func(r *OpportunityRow) any { return int64(r.MonthlyFen) }},
	"updated": {"opportunities.updated_at", false, func(r *OpportunityRow) any { return r.UpdatedAt }},
	"stage":   {stageRank, false, func(r *OpportunityRow) any { return slices.Index(Stages, r.Stage) }},
	"title":   {"opportunities.title", false, func(r *OpportunityRow) any { return r.Title }},
	// changed is the board's order for won and lost: latest result first.
	"changed": {"opportunities.stage_changed_at", false, func(r *OpportunityRow) any { return r.StageChangedAt }},
}

// opportunityKeys is a total order for f: its sort (last updated first by
// default), then the id in the same direction.
func opportunityKeys(f OpportunityFilter) ([]db.Key, func(*OpportunityRow) []any) {
	sk, ok := OpportunitySorts[f.Sort]
	if !ok {
		sk, f.Desc = OpportunitySorts["updated"], true
	}
	keys := []db.Key{{Expr: sk.expr, Desc: f.Desc, Nullable: sk.nullable}, {Expr: "opportunities.id", Desc: f.Desc}}
	return keys, func(r *OpportunityRow) []any { return []any{sk.val(r), r.ID} }
}

// OpportunityPosition is r's position in the order of f, for
// OpportunityFilter.After.
func OpportunityPosition(f OpportunityFilter, r *OpportunityRow) []any {
	_, keyOf := opportunityKeys(f)
	return keyOf(r)
}

// ListOpportunities returns a page of opportunities with customer names
// and the capped count.
func (s *Store) ListOpportunities(ctx context.Context, scope authz.ListScope, f OpportunityFilter) ([]OpportunityRow, int64, error) {
	var total int64
	capped := s.opportunityQuery(ctx, scope, f).Select("1").Limit(CountCap + 1)
	if err := countCapped(ctx, s.db, capped, &total); err != nil {
		return nil, 0, fmt.Errorf("count opportunities: %w", err)
	}
	out, err := s.OpportunityRows(ctx, scope, f)
	return out, total, err
}

// OpportunityRows is one page of opportunities matching f (no count).
func (s *Store) OpportunityRows(ctx context.Context, scope authz.ListScope, f OpportunityFilter) ([]OpportunityRow, error) {
	var out []OpportunityRow
	err := s.probingCustomers(ctx, scope, f, func(ctx context.Context) error {
		return s.opportunityPage(ctx, scope, f).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("list opportunities: %w", err)
	}
	return out, nil
}

// opportunityPage is the query of one page of opportunities matching f.
func (s *Store) opportunityPage(ctx context.Context, scope authz.ListScope, f OpportunityFilter) *gorm.DB {
	keys, _ := opportunityKeys(f)
	q := s.opportunityQuery(ctx, scope, f).Select(opportunityColumns)
	if scope.Level() == authz.ScopeTeam && f.Q != "" {
		return db.FencedPage(db.Conn(ctx, s.db), q, "opportunities", keys, nil, f.After, f.Limit, f.Offset)
	}
	return db.Page(q, keys, f.After, f.Limit, f.Offset)
}

// fenceScope reports whether a board column of f under scope is read as
// a set, then sorted (on PostgreSQL): a branch's under a grade, an
// industry, a team or a score, and a team's search.
func fenceScope(scope authz.ListScope, f OpportunityFilter) bool {
	switch scope.Level() {
	case authz.ScopeBranch:
		return f.customerSide() && f.Q == ""
	case authz.ScopeTeam:
		return f.Q != ""
	}
	return false
}

// BoardCard returns opportunity id if f selects it, else nil.
func (s *Store) BoardCard(ctx context.Context, scope authz.ListScope, f OpportunityFilter, id uint) (*OpportunityRow, error) {
	var out []OpportunityRow
	if err := s.opportunityQuery(ctx, scope, f).Select(opportunityColumns).Where("opportunities.id = ?", id).Limit(1).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("board card %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// OppTotals are the count and sums of a set of opportunities, in fen.
// Weighted is the monthly value times the win probability.
type OppTotals struct {
	Count      int64
	MonthlyFen int64
	OneTimeFen int64
	Weighted   int64
}

// oppTotalsRow is one GROUP BY row; the weighted sum is still in
// fen × percent, divided once at the end so rounding happens once.
type oppTotalsRow struct {
	Stage           string
	N               int64
	Monthly         int64
	OneTime         int64
	WeightedPercent int64
}

const oppTotalsSelect = "COUNT(*) AS n, COALESCE(SUM(opportunities.monthly_fen), 0) AS monthly, " +
	"COALESCE(SUM(opportunities.one_time_fen), 0) AS one_time, " +
	"COALESCE(SUM(opportunities.monthly_fen * opportunities.probability), 0) AS weighted_percent"

func (r oppTotalsRow) totals() OppTotals {
	return OppTotals{Count: r.N, MonthlyFen: r.Monthly, OneTimeFen: r.OneTime, Weighted: r.WeightedPercent / 100}
}

// OpportunityTotals counts and sums every opportunity matching f (not
// just a page), in one SQL aggregate, cached per scope and filter until
// the next opportunity write (opp_totals.go).
func (s *Store) OpportunityTotals(ctx context.Context, scope authz.ListScope, f OpportunityFilter) (OppTotals, error) {
	key, customer := oppTotalsKey(scope, f)
	if key == "" {
		// A list's totals line may lag a replica's moment behind (db.MayLag).
		return s.opportunityTotals(db.MayLag(ctx), scope, f)
	}
	return s.totals.listCache(customer).Get(ctx, s.db, key, func(ctx context.Context) (OppTotals, error) {
		return s.opportunityTotals(ctx, scope, f)
	})
}

func (s *Store) opportunityTotals(ctx context.Context, scope authz.ListScope, f OpportunityFilter) (OppTotals, error) {
	var r oppTotalsRow
	if parts, ok := s.searchParts(ctx, scope, f); ok {
		err := searchedSums(ctx, s.db, func(ctx context.Context) error {
			rows, err := s.partsSums(ctx, scope, f, parts, false)
			if len(rows) > 0 {
				r = rows[0]
			}
			return err
		})
		if err != nil {
			return OppTotals{}, fmt.Errorf("opportunity totals: %w", err)
		}
		return r.totals(), nil
	}
	err := s.probingCustomers(ctx, scope, f, func(ctx context.Context) error {
		q := s.opportunityQuery(ctx, scope, f).Select(oppTotalsSelect)
		switch {
		case scope.Level() == authz.ScopeAll && !f.customerSide():
			q = s.provinceTotalsQuery(ctx, f)
		case s.byBranchCustomers(scope, f, nil):
			// A director's list: the per-stage sums of branchStageTotals
			// added up (the join of the branch's customers and the
			// province's opportunities, ~44 ms a first look, hashed them).
			q = db.Conn(ctx, s.db).Table("(?) AS per", s.branchStageTotals(ctx, scope, f)).
				Select("COALESCE(SUM(per.n), 0) AS n, COALESCE(SUM(per.monthly), 0) AS monthly, " +
					"COALESCE(SUM(per.one_time), 0) AS one_time, COALESCE(SUM(per.weighted_percent), 0) AS weighted_percent")
		}
		return q.Scan(&r).Error
	})
	if err != nil {
		return OppTotals{}, fmt.Errorf("opportunity totals: %w", err)
	}
	return r.totals(), nil
}

// searchParts is the province's search of f split in two for its
// totals (db.ListSearch.SumParts), ok false for any other scope or filter.
func (s *Store) searchParts(ctx context.Context, scope authz.ListScope, f OpportunityFilter) (db.SearchParts, bool) {
	if scope.Level() != authz.ScopeAll || f.Q == "" {
		return db.SearchParts{}, false
	}
	return opportunitySearch.SumParts(ctx, db.Conn(ctx, s.db), s.pairs, f.Q, searchedApart(f))
}

// searchedApart reports whether the province's opportunities matching f
// but its search can be read without joining their customers: f has no
// other condition on the customer (team, grade, industry, score).
func searchedApart(f OpportunityFilter) bool {
	f.Q = ""
	return !f.customerSide()
}

// searchedSums runs fn, the sums of a search's parts, letting PostgreSQL
// probe the matching customers' opportunities along
// idx_opps_customer_totals (random_page_cost 1.1, as probingCustomers):
// "科技"'s 9,600 customers' 20,000 opportunities, 42 → 30 ms.
func searchedSums(ctx context.Context, g *gorm.DB, fn func(context.Context) error) error {
	return db.WithPlannerSetting(ctx, g, "random_page_cost", "1.1", fn)
}

// partsSums are the totals of f (per stage when byStage) read as the
// search's two parts added up — on SQLite each half of the ids read side
// by side while goroutines are spare (db.SearchParts.Statements).
func (s *Store) partsSums(ctx context.Context, scope authz.ListScope, f OpportunityFilter, parts db.SearchParts, byStage bool) ([]oppTotalsRow, error) {
	unsearched := f
	unsearched.Q = ""
	conn := db.Conn(ctx, s.db)
	base := func() *gorm.DB { return s.opportunityQuery(ctx, scope, unsearched) }
	var apart db.Apart
	if searchedApart(f) {
		// Every live opportunity of a live customer, not joined to it
		// (db.LiveCustomer: the deleted customers are a handful).
		apart = func(from string, first db.Where) *gorm.DB {
			q := conn.Model(&Opportunity{}).Table(from).Where(first.Cond, first.Args...).
				Where(db.LiveCustomer(conn, "opportunities.customer_id"))
			return opportunityConds(q, unsearched)
		}
	}
	sel, keys := oppTotalsSelect, []string(nil)
	if byStage {
		sel, keys = "opportunities.stage AS stage, "+oppTotalsSelect, []string{"stage"}
	}
	qs := parts.Statements(conn, base, apart, sel, keys, oppTotalsCols...)
	if unsearched.OwnerID == 0 && unsearched.CloseFrom == nil && unsearched.CloseBefore == nil && unsearched.ClosedSince == nil {
		// The province's totals are kept (provinceTotals): a term in
		// most customers' names is those less the rows it leaves out.
		if c, ok := parts.Complement(conn, s.provinceTotals(ctx, unsearched, byStage), apart, sel, keys, oppTotalsCols...); ok {
			qs = c
		}
	}
	return db.AddUp(ctx, s.spare, qs, func(r oppTotalsRow) string { return r.Stage }, (*oppTotalsRow).add)
}

// add adds r's sums into t's (a stage's, or all of them).
func (t *oppTotalsRow) add(r oppTotalsRow) {
	t.N, t.Monthly, t.OneTime, t.WeightedPercent = t.N+r.N, t.Monthly+r.Monthly, t.OneTime+r.OneTime, t.WeightedPercent+r.WeightedPercent
}

// oppTotalsCols are the columns oppTotalsSelect sums.
var oppTotalsCols = []string{"n", "monthly", "one_time", "weighted_percent"}

// probingCustomers runs fn, an aggregate over the opportunities of the
// customers a grade, an industry, a team or a qualification picks out
// of the province or a branch, letting PostgreSQL probe those customers'
// opportunities along idx_opps_customer_totals (random_page_cost 1.1:
// the province's tables are in memory). Costing a probe as a read from
// disk it hashed the grade's 10,000 customers against all 200,000
// opportunities: the admin's board under grade A ~44 ms of SQL for its
// column totals, ~19 probing. A search (its pairs' plans are tuned
// already), a team's or a person's scope and SQLite run fn as it is.
func (s *Store) probingCustomers(ctx context.Context, scope authz.ListScope, f OpportunityFilter, fn func(context.Context) error) error {
	return db.WithPlannerSettings(ctx, s.db, probeSettings(scope, f), fn)
}

func probeSettings(scope authz.ListScope, f OpportunityFilter) []db.PlannerSetting {
	l := scope.Level()
	probe := []db.PlannerSetting{{Name: "random_page_cost", Value: "1.1"}}
	switch {
	case f.Q != "" && l == authz.ScopeBranch:
		return db.ProbeFromCustomers()
	case f.Q != "" && l == authz.ScopeTeam:
		return probe
	case f.Q == "" && f.customerSide() && (l == authz.ScopeAll || l == authz.ScopeBranch):
		return probe
	}
	return nil
}

// provinceTotalsQuery is the totals of every live opportunity matching f
// (no customer-side filter) of a live customer, read as all the live
// opportunities' totals less those of the deleted customers'. Joined to
// the live customers, the province's 200,000 opportunities each probed
// their customer; alone they are one pass, and a deleted customer's
// opportunities are a handful along its index (the admin's list on a
// first look after a write: 145 → 74 ms on PostgreSQL; with
// opportunityQuery's SQLite path, ~250 → ~130 ms on SQLite). One statement, so both parts read one
// snapshot.
//
// When f narrows by stage at most, the live opportunities' totals are the
// per-stage sums kept as they are written (opportunity_stage_totals: on
// SQLite a table its triggers keep, migration 00035; on PostgreSQL a
// view of folded base rows and appended deltas, 00045): a dozen rows
// instead of a pass over the province's 200,000 opportunities (85 ms in
// the pure-Go SQLite, ~22 ms index-only on PostgreSQL).
func (s *Store) provinceTotalsQuery(ctx context.Context, f OpportunityFilter) *gorm.DB {
	return s.provinceTotals(ctx, f, false)
}

// provinceTotals is provinceTotalsQuery, per stage when byStage (the
// board's and home's columns for the admin; joined to the live customers
// it was ~100 ms on PostgreSQL on a first look after a write). With other
// filters the live opportunities' part is a pass over them (on
// PostgreSQL index-only over idx_opps_live_totals, migration 00041).
func (s *Store) provinceTotals(ctx context.Context, f OpportunityFilter, byStage bool) *gorm.DB {
	conn := db.Conn(ctx, s.db)
	sel := oppTotalsSelect
	if byStage {
		sel = "opportunities.stage AS stage, " + oppTotalsSelect
	}
	all := opportunityConds(conn.Model(&Opportunity{}), f).Select(sel)
	if byStage {
		all = all.Group("opportunities.stage")
	}
	if f.OwnerID == 0 && f.CloseFrom == nil && f.CloseBefore == nil && f.ClosedSince == nil {
		if byStage {
			all = conn.Table("opportunity_stage_totals").Select("stage, n, monthly, one_time, weighted_percent")
		} else {
			all = conn.Table("opportunity_stage_totals").Select("COALESCE(SUM(n), 0) AS n, COALESCE(SUM(monthly), 0) AS monthly, " +
				"COALESCE(SUM(one_time), 0) AS one_time, COALESCE(SUM(weighted_percent), 0) AS weighted_percent")
		}
		if len(f.Stages) > 0 {
			all = all.Where("stage IN ?", f.Stages)
		}
	}
	gone := opportunityConds(db.OfDeletedCustomers(conn.Model(&Opportunity{}), "opportunities"), f).Select(sel)
	var keys []string
	if byStage {
		keys, gone = []string{"stage"}, gone.Group("opportunities.stage")
	}
	return db.Difference(conn, all, gone, keys, oppTotalsCols...)
}

// FoldStageTotals moves PostgreSQL's appended per-stage deltas into the
// base rows, the province's (migration 00045) and the branches' (00047),
// and the stage changes' counts per month and days (00052), each in one
// statement, so the views opportunity_stage_totals and
// opportunity_branch_totals keep reading a dozen rows per branch plus the
// last minute's writes. The totals they show do not change: a reader sees
// the deltas or the base they were folded into, never both or neither.
// It returns how many deltas it folded; on SQLite, which keeps the
// province's sums in the writing transaction, it does nothing.
func (s *Store) FoldStageTotals(ctx context.Context) (int64, error) {
	if s.db.Dialector.Name() != db.Postgres {
		return 0, nil
	}
	var total int64
	for _, k := range []struct{ deltas, base, key string }{
		{"opportunity_stage_deltas", "opportunity_stage_base", "stage"},
		{"opportunity_branch_deltas", "opportunity_branch_base", "branch_id, stage"},
	} {
		var folded int64
		err := db.Conn(ctx, s.db).Raw(`WITH d AS (DELETE FROM ` + k.deltas + ` RETURNING ` + k.key + `, n, monthly, one_time, weighted_percent),
	s AS (SELECT ` + k.key + `, SUM(n) AS n, SUM(monthly) AS monthly, SUM(one_time) AS one_time, SUM(weighted_percent) AS weighted_percent, COUNT(*) AS rows
		FROM d GROUP BY ` + k.key + `),
	up AS (INSERT INTO ` + k.base + ` AS b (` + k.key + `, n, monthly, one_time, weighted_percent)
		SELECT ` + k.key + `, n, monthly, one_time, weighted_percent FROM s
		ON CONFLICT (` + k.key + `) DO UPDATE SET n = b.n + EXCLUDED.n, monthly = b.monthly + EXCLUDED.monthly,
			one_time = b.one_time + EXCLUDED.one_time, weighted_percent = b.weighted_percent + EXCLUDED.weighted_percent)
	SELECT COALESCE(SUM(rows), 0) FROM s`).Scan(&folded).Error
		if err != nil {
			return 0, fmt.Errorf("fold stage totals: %w", err)
		}
		total += folded
	}
	// The stage changes' counts per month, branch, stage and days (00052),
	// and the province's per industry and per grade (00061).
	var folded int64
	err := db.Conn(ctx, s.db).Raw(`WITH d AS (DELETE FROM stage_dwell_deltas RETURNING branch_id, month, stage, days, part, n, forward, dwell_us),
	s AS (SELECT branch_id, month, stage, days, part, SUM(n) AS n, SUM(forward) AS forward, SUM(dwell_us) AS dwell_us, COUNT(*) AS rows
		FROM d GROUP BY branch_id, month, stage, days, part),
	up AS (INSERT INTO stage_dwell_base AS b (branch_id, month, stage, days, part, n, forward, dwell_us)
		SELECT branch_id, month, stage, days, part, n, forward, dwell_us FROM s
		ON CONFLICT (branch_id, month, stage, days, part) DO UPDATE SET n = b.n + EXCLUDED.n, forward = b.forward + EXCLUDED.forward,
			dwell_us = b.dwell_us + EXCLUDED.dwell_us)
	SELECT COALESCE(SUM(rows), 0) FROM s`).Scan(&folded).Error
	if err != nil {
		return 0, fmt.Errorf("fold stage dwell counts: %w", err)
	}
	return total + folded, nil
}

// StageTotals is OpportunityTotals per stage (GROUP BY), for the board's
// column headers and the home panel. With f.ClosedSince (the board: won
// and lost of the last days only) the open stages come from the cache and
// the recent won and lost are read live (a few hundred rows along
// idx_opps_closed_recent): the window moves with the clock, not only with
// writes.
func (s *Store) StageTotals(ctx context.Context, scope authz.ListScope, f OpportunityFilter) (map[string]OppTotals, error) {
	open, closed := f, f
	open.ClosedSince, closed.ClosedSince = nil, nil
	open.Stages, closed.Stages = stagesWithin(f.Stages, OpenStages), stagesWithin(f.Stages, []string{StageWon, StageLost})
	key, customer := oppTotalsKey(scope, open)
	stages := s.totals.stagesCache(customer)
	if f.ClosedSince == nil || key == "" {
		if key == "" {
			return s.stageTotals(ctx, scope, f, nil)
		}
		whole, _ := oppTotalsKey(scope, f)
		out, err := stages.Get(ctx, s.db, whole, func(ctx context.Context) (map[string]OppTotals, error) {
			return s.stageTotals(ctx, scope, f, nil)
		})
		return maps.Clone(out), err // the cached map stays as computed
	}
	out := map[string]OppTotals{}
	if len(open.Stages) > 0 {
		cached, err := stages.Get(ctx, s.db, key, func(ctx context.Context) (map[string]OppTotals, error) {
			return s.stageTotals(ctx, scope, open, nil)
		})
		if err != nil {
			return nil, err
		}
		for st, t := range cached {
			out[st] = t
		}
	}
	if len(closed.Stages) > 0 {
		// The recent results, kept per minute of the window's start
		// (the board's is to the minute) under the same version.
		closedKey, _ := oppTotalsKey(scope, closed)
		recentKey := fmt.Sprintf("%s|since=%d", closedKey, f.ClosedSince.Unix())
		recent, err := stages.Get(ctx, s.db, recentKey, func(ctx context.Context) (map[string]OppTotals, error) {
			return s.stageTotals(ctx, scope, closed, f.ClosedSince)
		})
		if err != nil {
			return nil, err
		}
		for st, t := range recent {
			out[st] = t
		}
	}
	return out, nil
}

// stageTotals is the GROUP BY stage of f; closedSince, when set, keeps
// only opportunities that changed stage since then (f then selects won and
// lost only: the literal stage list lets both databases use the partial
// index of recent results).
func (s *Store) stageTotals(ctx context.Context, scope authz.ListScope, f OpportunityFilter, closedSince *time.Time) (map[string]OppTotals, error) {
	var rows []oppTotalsRow
	read := s.probingCustomers
	// The recent won and lost (closedSince) are a few hundred rows along
	// their own index: one condition.
	parts, split := s.searchParts(ctx, scope, f)
	if split = split && closedSince == nil; split {
		read = func(ctx context.Context, _ authz.ListScope, _ OpportunityFilter, fn func(context.Context) error) error {
			return searchedSums(ctx, s.db, fn)
		}
	}
	err := read(ctx, scope, f, func(ctx context.Context) error {
		var q *gorm.DB
		switch {
		case split:
			var err error
			rows, err = s.partsSums(ctx, scope, f, parts, true)
			return err
		case scope.Level() == authz.ScopeAll && !f.customerSide() && closedSince == nil:
			q = s.provinceTotals(ctx, f, true)
		case s.byBranchCustomers(scope, f, closedSince):
			q = s.branchStageTotals(ctx, scope, f)
		case closedSince != nil:
			breadth := scope.Breadth()
			if s.db.Dialector.Name() != db.Postgres {
				breadth = db.Narrow
			}
			q = s.opportunitiesSearched(ctx, scope, f, breadth).
				Where("opportunities.stage IN ('won', 'lost') AND opportunities.stage_changed_at >= ?", *closedSince).
				Select("opportunities.stage AS stage, " + oppTotalsSelect).Group("opportunities.stage")
		default:
			q = s.opportunityQuery(ctx, scope, f)
			q = q.Select("opportunities.stage AS stage, " + oppTotalsSelect).Group("opportunities.stage")
		}
		return q.Scan(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("stage totals: %w", err)
	}
	out := make(map[string]OppTotals, len(rows))
	for _, r := range rows {
		if r.N != 0 { // a stage whose totals row is left at zero (SQLite's kept rows)
			out[r.Stage] = r.totals()
		}
	}
	return out, nil
}

// byBranchCustomers reports whether branchStageTotals answers f's
// totals: a branch on PostgreSQL, f narrowing by stage at most.
func (s *Store) byBranchCustomers(scope authz.ListScope, f OpportunityFilter, closedSince *time.Time) bool {
	return scope.Level() == authz.ScopeBranch && s.db.Dialector.Name() == db.Postgres && !f.customerSide() && closedSince == nil &&
		f.OwnerID == 0 && f.CloseFrom == nil && f.CloseBefore == nil && f.ClosedSince == nil
}

// branchStageTotals is stageTotals of a branch on PostgreSQL for a filter
// of stages at most (the board's columns, home's pipeline, the list's
// totals line): the branch's rows of opportunity_branch_totals (migration
// 00047), kept per branch and stage as opportunities and customers are
// written, added up — a dozen rows, where the branch's ~8,000 customers
// each probing their opportunities' index took ~15 ms on every first
// look after a write. A director without a branch reads nothing, as the
// scope's condition would.
func (s *Store) branchStageTotals(ctx context.Context, scope authz.ListScope, f OpportunityFilter) *gorm.DB {
	q := db.Conn(ctx, s.db).Table("opportunity_branch_totals").Where("branch_id = ?", scope.Subject().BranchID)
	if len(f.Stages) > 0 {
		q = q.Where("stage IN ?", f.Stages)
	}
	return q.Select("stage, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(monthly) AS BIGINT) AS monthly, " +
		"CAST(SUM(one_time) AS BIGINT) AS one_time, CAST(SUM(weighted_percent) AS BIGINT) AS weighted_percent").
		Group("stage")
}

// BoardCards returns up to limit opportunities of one stage matching f in
// the order f.Sort, starting after the opportunity afterID when it is not
// 0 (the last card shown: "更多" on the board). The position is that
// opportunity's sort values, read from the database, so the next cards
// follow exactly whatever happened to it since.
func (s *Store) BoardCards(ctx context.Context, scope authz.ListScope, f OpportunityFilter, stage string, afterID uint, limit int) ([]OpportunityRow, error) {
	f.Stages = []string{stage}
	var out []OpportunityRow
	err := s.probingCustomers(ctx, scope, f, func(ctx context.Context) error {
		var err error
		out, err = s.boardCards(ctx, scope, f, stage, afterID, limit)
		return err
	})
	return out, err
}

// boardCards is BoardCards with f narrowed to the stage.
func (s *Store) boardCards(ctx context.Context, scope authz.ListScope, f OpportunityFilter, stage string, afterID uint, limit int) ([]OpportunityRow, error) {
	keys, keyOf := opportunityKeys(f)
	q := s.opportunityQuery(ctx, scope, f)
	walk, err := s.branchWalk(ctx, q, scope, f, stage, limit)
	if err != nil {
		return nil, err
	}
	if walk {
		q = s.branchCardsQuery(ctx, scope, f)
	}
	q = q.Select(opportunityColumns)
	if !walk && fenceScope(scope, f) && s.db.Dialector.Name() == db.Postgres {
		// A branch's column under a grade, an industry, a team or a
		// score: its few cards are read as a set, then sorted. Walked
		// in the column's order along the stage's index, each card of
		// the province tested for the branch and the filter, a column
		// took 10-85 ms for its ~20 cards (fenced ~4). A search keeps
		// its pairs' plan (fenced, a common word's board got slower).
		q = db.Fenced(db.Conn(ctx, s.db), q, "opportunities")
	}
	if afterID != 0 {
		var last OpportunityRow
		err := db.Conn(ctx, s.db).Unscoped().Model(&Opportunity{}).
			Joins("JOIN customers ON customers.id = opportunities.customer_id").
			Select(opportunityColumns).Where("opportunities.id = ?", afterID).Take(&last).Error
		if err != nil {
			return nil, db.NotFound(err, fmt.Sprintf("opportunity %d", afterID))
		}
		cond, args := db.After(keys, keyOf(&last))
		q = q.Where(cond, args...)
	}
	var out []OpportunityRow
	if err := q.Order(db.Order(keys)).Limit(limit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("board cards %s: %w", stage, err)
	}
	return out, nil
}

// branchWalk reports whether a branch's board column is read by walking
// the stage's opportunities in the column's order (branchCardsQuery): on
// SQLite, for a branch, with no filter that narrows the branch further,
// by value (idx_opps_stage_value keeps that order per stage), and when
// the walk is short. It stops at the limit-th card of the branch, so it
// takes about limit × (the province's opportunities in the stage ÷ the
// branch's) steps; a branch with few of them would walk the whole stage
// (33,000 opportunities, 0.4-0.7 s). So: only when the branch has more
// than limit in the stage and at least 1/walkShare of the province's
// (the branch's count is the board's kept totals, the province's the
// per-stage row of migration 00035).
func (s *Store) branchWalk(ctx context.Context, q *gorm.DB, scope authz.ListScope, f OpportunityFilter, stage string, limit int) (bool, error) {
	if q.Dialector.Name() != db.SQLite || scope.Level() != authz.ScopeBranch || f.customerSide() || f.OwnerID != 0 ||
		f.CloseFrom != nil || f.CloseBefore != nil || f.Sort != "value" || !f.Desc || !slices.Contains(OpenStages, stage) {
		return false, nil
	}
	board := f
	board.Stages = nil // the board's own totals, kept (StageTotals)
	totals, err := s.StageTotals(ctx, scope, board)
	if err != nil {
		return false, err
	}
	branch := totals[stage].Count
	var province int64
	if err := db.Conn(ctx, s.db).Raw("SELECT n FROM opportunity_stage_totals WHERE stage = ?", stage).Scan(&province).Error; err != nil {
		return false, fmt.Errorf("stage totals of %s: %w", stage, err)
	}
	return branch > int64(limit) && branch*walkShare >= province, nil
}

// walkShare bounds branchWalk's steps at about walkShare × limit (~1,100
// for a column of 20, ~15 ms in the pure-Go SQLite).
const walkShare = 50

// branchCardsQuery is opportunityQuery for branchWalk: SQLite started
// from the branch's ~8,000 customers and probed each for the stage, then
// sorted (~10 ms a column, a director's first look at the board 92-127
// ms). A branch holds about one opportunity in thirteen of the province,
// so walking the stage's index in the column's order and keeping the
// branch's finds a column's first cards in a few hundred steps; CROSS
// JOIN makes SQLite take the opportunities first. The rows are those of
// opportunityQuery: the same join and conditions, only the order of the
// loops differs.
func (s *Store) branchCardsQuery(ctx context.Context, scope authz.ListScope, f OpportunityFilter) *gorm.DB {
	conn := db.Conn(ctx, s.db).Model(&Opportunity{})
	return opportunityConds(scope.Apply(conn.
		Joins("CROSS JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL"), customerCols), f)
}

// EachOpportunity reads every opportunity matching f (no paging) in the
// list's order, 1,000 at a time, for exports (keyset pagination, one read
// snapshot: each row exactly once).
func (s *Store) EachOpportunity(ctx context.Context, scope authz.ListScope, f OpportunityFilter, batch func([]OpportunityRow) error) error {
	keys, keyOf := opportunityKeys(f)
	f.Limit, f.Offset = 0, 0
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return (&Store{db: tx}).opportunityQuery(ctx, scope, f).Select(opportunityColumns)
	}, keys, keyOf, 1000, batch)
}

// CreateOpportunity inserts o.
func (s *Store) CreateOpportunity(ctx context.Context, o *Opportunity) error {
	o.Version = 1
	return db.Conn(ctx, s.db).Create(o).Error
}

// SaveOpportunity writes every column of o under optimistic locking.
func (s *Store) SaveOpportunity(ctx context.Context, o *Opportunity, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, o, now)
}

// ReassignOpportunities moves a customer's open opportunities to owner.
func (s *Store) ReassignOpportunities(ctx context.Context, customerID, owner, by uint, now time.Time) error {
	return db.Conn(ctx, s.db).Model(&Opportunity{}).
		Where("customer_id = ? AND stage NOT IN ?", customerID, []string{StageWon, StageLost}).
		Updates(map[string]any{"owner_id": owner, "updated_by": by, "version": gorm.Expr("version + 1"), "updated_at": now.UTC()}).Error
}

// AddStageChange records a move.
func (s *Store) AddStageChange(ctx context.Context, c *StageChange) error {
	return db.Conn(ctx, s.db).Create(c).Error
}

// StageChanges lists an opportunity's moves, oldest first.
func (s *Store) StageChanges(ctx context.Context, oppIDs ...uint) ([]StageChange, error) {
	var out []StageChange
	if len(oppIDs) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Where("opportunity_id IN ?", oppIDs).Order("at, id").Find(&out).Error
	return out, err
}

// countCapped counts the rows of capped (a query limited to CountCap+1).
// An error already on capped (a zero scope) is returned as it is: GORM
// would otherwise render the failed subquery as empty SQL.
func countCapped(ctx context.Context, g *gorm.DB, capped *gorm.DB, n *int64) error {
	if capped.Error != nil {
		return capped.Error
	}
	return db.Conn(db.MayLag(ctx), g).Table("(?) AS capped", capped).Count(n).Error
}
