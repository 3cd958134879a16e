package proposals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// proposalSearch is the proposal list's search box: the title, the number
// and the customer.
var proposalSearch = db.ListSearch{Table: "proposals", CustomerCol: "proposals.customer_id", Own: []db.Searched{
	{Expr: "LOWER(proposals.title)", Index: "idx_proposals_title_bigrams"},
	{Expr: "LOWER(proposals.number)", Index: "idx_proposals_number_bigrams"},
}, CustomerIndex: "idx_proposals_customer"}

// Store is the only place in this module that talks to the database.
type Store struct {
	db *gorm.DB
	// pairs is what PostgreSQL knows of how common each pair of
	// characters is, for the list's search (db.ListSearch).
	pairs *db.PairStats
	// totals caches the list's count and sums per scope and filter until
	// the next proposal write (db.VersionCache); nil in a transaction's
	// Store, which reads them live.
	totals *db.VersionCache[Totals]
	// searchedTotals is totals for a search, kept under the customers
	// version too (a customer's name is searched; a customer's edit does
	// not bump the proposals version). Apart from totals, so that the
	// many searches' keys never empty the map the plain lists share.
	searchedTotals *db.VersionCache[Totals]
	// rows keeps the list's pages per scope and filter until a proposal
	// or a customer is written (List); nil in a transaction's Store.
	rows *db.VersionCache[[]Row]
}

// rowsCacheRows bounds the rows the kept pages hold in all (~20 MB).
const rowsCacheRows = 40_000

// NewStore returns a Store on d.
func NewStore(d *gorm.DB) *Store {
	return &Store{db: d, pairs: db.NewPairStats(), totals: db.NewVersionCache[Totals](db.VersionProposals, totalsCacheSize),
		searchedTotals: db.NewVersionsCache[Totals]([]string{db.VersionProposals, db.VersionCustomers}, totalsCacheSize),
		// A row is the proposal and its customer's name.
		rows: db.NewVersionsCache[[]Row]([]string{db.VersionProposals, db.VersionCustomers}, totalsCacheSize).
			Weighed(func(r []Row) int { return len(r) + 1 }, rowsCacheRows)}
}

// DB exposes the handle for the audit writer inside a transaction.
func (s *Store) DB() *gorm.DB { return s.db }

// Tx runs fn in a transaction with a Store bound to it; inside db.WithTx
// it joins the caller's transaction, so a change spanning modules commits once.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return db.WithTx(ctx, s.db, func(ctx context.Context) error { return fn(&Store{db: db.Conn(ctx, s.db)}) })
}

// Proposal loads one live version.
func (s *Store) Proposal(ctx context.Context, id uint) (*Proposal, error) {
	var p Proposal
	if err := db.Conn(ctx, s.db).First(&p, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("proposal %d", id))
	}
	return &p, nil
}

// Lines loads a version's lines in order.
func (s *Store) Lines(ctx context.Context, id uint) ([]Line, error) {
	var out []Line
	return out, db.Conn(ctx, s.db).Where("proposal_id = ?", id).Order("position").Find(&out).Error
}

// NeedIDs loads the needs a version answers.
func (s *Store) NeedIDs(ctx context.Context, id uint) ([]uint, error) {
	var out []uint
	return out, db.Conn(ctx, s.db).Model(&NeedLink{}).Where("proposal_id = ?", id).Order("need_id").Pluck("need_id", &out).Error
}

// Approvals loads a version's decisions, oldest first.
func (s *Store) Approvals(ctx context.Context, id uint) ([]Approval, error) {
	var out []Approval
	return out, db.Conn(ctx, s.db).Where("proposal_id = ?", id).Order("at, id").Find(&out).Error
}

// Versions lists every version of a proposal, newest first.
func (s *Store) Versions(ctx context.Context, rootID uint) ([]Proposal, error) {
	var out []Proposal
	return out, db.Conn(ctx, s.db).Where("root_id = ?", rootID).Order("version DESC").Find(&out).Error
}

// Create inserts p (giving it its number and root) with its lines and needs.
func (s *Store) Create(ctx context.Context, p *Proposal, lines []Line, needs []uint) error {
	p.LockVersion = 1
	if p.Number == "" {
		// A placeholder unique among concurrent inserts, replaced by the
		// real number below in the same transaction; not a timestamp.
		p.Number = fmt.Sprintf("TMP-%d", time.Now().UnixNano())
	}
	if err := db.Conn(ctx, s.db).Create(p).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			// Two people made version n+1 of the same proposal at once.
			return fmt.Errorf("create proposal %s v%d: %w", p.Number, p.Version, apperr.ErrConflict)
		}
		return fmt.Errorf("create proposal: %w", err)
	}
	if p.RootID == nil {
		root := p.ID
		p.RootID = &root
		p.Number = fmt.Sprintf("FA%s-%06d", p.CreatedAt.Format("2006"), p.ID)
		if err := db.Conn(ctx, s.db).Model(&Proposal{}).Where("id = ?", p.ID).
			Updates(map[string]any{"root_id": root, "number": p.Number}).Error; err != nil {
			return err
		}
	}
	return s.replaceChildren(ctx, p.ID, lines, needs)
}

func (s *Store) replaceChildren(ctx context.Context, id uint, lines []Line, needs []uint) error {
	tx := db.Conn(ctx, s.db)
	if err := tx.Where("proposal_id = ?", id).Delete(&Line{}).Error; err != nil {
		return err
	}
	if err := tx.Where("proposal_id = ?", id).Delete(&NeedLink{}).Error; err != nil {
		return err
	}
	for i := range lines {
		lines[i].ID, lines[i].ProposalID, lines[i].Position = 0, id, i+1
	}
	if len(lines) > 0 {
		if err := tx.Create(&lines).Error; err != nil {
			return err
		}
	}
	for _, n := range needs {
		if err := tx.Create(&NeedLink{ProposalID: id, NeedID: n}).Error; err != nil {
			return err
		}
	}
	return nil
}

// Save writes every column of p (and, when lines is not nil, its lines
// and needs) if its lock version is still the one read, stamping
// updated_at with now.
func (s *Store) Save(ctx context.Context, p *Proposal, lines []Line, needs []uint, now time.Time) error {
	if err := db.SaveVersioned(ctx, s.db, p, now); err != nil {
		return err
	}
	if lines != nil {
		return s.replaceChildren(ctx, p.ID, lines, needs)
	}
	return nil
}

// Supersede closes the open versions of root other than keep: all of
// them when the customer accepts keep, only the older ones (below
// belowVersion, when not 0) when keep is sent, so that a newer draft
// someone is working on stays open.
func (s *Store) Supersede(ctx context.Context, rootID, keep uint, belowVersion int, now time.Time) error {
	q := db.Conn(ctx, s.db).Model(&Proposal{}).
		Where("root_id = ? AND id <> ? AND status IN ?", rootID, keep, []string{StatusDraft, StatusPending, StatusApproved, StatusSent})
	if belowVersion != 0 {
		q = q.Where("version < ?", belowVersion)
	}
	return q.Updates(map[string]any{"status": StatusSuperseded, "lock_version": gorm.Expr("lock_version + 1"), "updated_at": now.UTC()}).Error
}

// AddApproval records a decision.
func (s *Store) AddApproval(ctx context.Context, a *Approval) error {
	return db.Conn(ctx, s.db).Create(a).Error
}

// Filter selects proposals. The permission scope is not part of it: the
// query methods take an authz.ListScope, applied to the joined customer.
type Filter struct {
	CustomerID uint
	Statuses   []string
	Q          string
	// Latest keeps only the newest version of each proposal.
	Latest bool
	// OwnerID keeps the proposals of one account manager.
	OwnerID uint
	// Sort is a key of Sorts ("" = last updated first); Desc reverses it.
	Sort   string
	Desc   bool
	Limit  int
	Offset int
	// After keeps the rows after this position in the list's order
	// (Position), for keyset pages stable under inserts (the API).
	After []any
}

// Sorts maps the list's sort keys to their columns; the id breaks ties so
// that pages never overlap.
var Sorts = map[string]string{
	"updated":  "proposals.updated_at",
	"total":    "proposals.total_fen",
	"number":   "proposals.number",
	"customer": "customers.name",
	"status":   "proposals.status",
}

// sortValues read a sort column's value from a loaded row, for keyset
// reads (exports).
var sortValues = map[string]func(*Row) any{
	"updated":  func(r *Row) any { return r.UpdatedAt },
	"total":    func(r *Row) any { return int64(r.TotalFen) },
	"number":   func(r *Row) any { return r.Number },
	"customer": func(r *Row) any { return r.CustomerName },
	"status":   func(r *Row) any { return r.Status },
}

// listKeys is the list's total order: its sort (last updated first by
// default), then the id in the same direction.
func listKeys(f Filter) ([]db.Key, func(*Row) []any) {
	sort := f.Sort
	if _, ok := Sorts[sort]; !ok {
		sort, f.Desc = "updated", true
	}
	val := sortValues[sort]
	keys := []db.Key{{Expr: Sorts[sort], Desc: f.Desc}, {Expr: "proposals.id", Desc: f.Desc}}
	return keys, func(r *Row) []any { return []any{val(r), r.ID} }
}

// Position is r's position in the order of f, for Filter.After.
func Position(f Filter, r *Row) []any {
	_, keyOf := listKeys(f)
	return keyOf(r)
}

// Row is a proposal with its customer's name.
type Row struct {
	Proposal
	CustomerName string
}

const rowColumns = "proposals.*, customers.name AS customer_name"

// listQuery selects the proposals f matches within scope (joined to their
// customer, which the scope applies to), unordered.
func (s *Store) listQuery(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	q := prospects.ScopedCustomers(db.Conn(ctx, s.db).Model(&Proposal{}).
		Joins("JOIN customers ON customers.id = proposals.customer_id AND customers.deleted_at IS NULL"), scope)
	if f.CustomerID != 0 {
		q = q.Where("proposals.customer_id = ?", f.CustomerID)
	}
	if f.Q != "" {
		cond, args := proposalSearch.Cond(ctx, q, s.pairs, scope.Breadth(), f.Q)
		q = q.Where(cond, args...)
	}
	return proposalConds(q, f)
}

// List returns proposals matching f, newest first, and the total (the
// count of ListTotals, cached like it).
func (s *Store) List(ctx context.Context, scope authz.ListScope, f Filter) ([]Row, int64, error) {
	t, err := s.ListTotals(ctx, scope, f)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.rows.Get(ctx, s.db, rowsKey(scope, f), func(ctx context.Context) ([]Row, error) {
		var out []Row
		return out, s.PageQuery(ctx, scope, f).Scan(&out).Error
	})
	// The caller's own copy: what it changes does not reach the next one.
	return slices.Clone(rows), t.Count, err
}

// PageQuery is the statement of List's page (exported so that tests and
// benchmarks can read its plan). A person's, a team's or a branch's
// proposals in another order than last updated (whose index the scope's
// rows follow closely enough) are read first, then sorted
// (db.FencedPage): the director's by number walked the province's for 26
// (~40 ms; ~18).
func (s *Store) PageQuery(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	keys, _ := listKeys(f)
	q := s.listQuery(ctx, scope, f).Select(rowColumns)
	if scope.Level() == authz.ScopeAll || f.Sort == "" || f.Sort == "updated" {
		return db.Page(q, keys, f.After, f.Limit, f.Offset)
	}
	return db.FencedPage(db.Conn(ctx, s.db), q, "proposals", keys, map[string]string{"customers.name": "proposals.customer_name"}, f.After, f.Limit, f.Offset)
}

// rowsKey is the cache key of f's page within scope: every field of f
// ("" for a zero scope or a cursor page). The rows read proposals and
// their customers (name, scope, deletion): a director's list sorted
// ~16,000 latest versions of the branch for 25 on every look (8.7 ms).
func rowsKey(scope authz.ListScope, f Filter) string {
	if scope.IsZero() || len(f.After) > 0 {
		return ""
	}
	return fmt.Sprintf("%s|customer=%d|owner=%d|statuses=%s|q=%q|latest=%t|sort=%s|desc=%t|limit=%d|offset=%d", scope.Key(),
		f.CustomerID, f.OwnerID, strings.Join(f.Statuses, ","), f.Q, f.Latest, f.Sort, f.Desc, f.Limit, f.Offset)
}

// Totals are the count and sums of the proposals a filter selects.
type Totals struct {
	Count      int64
	MonthlyFen int64
	OneTimeFen int64
	TotalFen   int64
}

// totalsCacheSize bounds the totals cache (scopes × filters).
const totalsCacheSize = 2000

// totalsKey is the cache key of f's totals within scope ("" for a zero
// scope: read live). A search's key holds the text; it is kept in
// searchedTotals (the customers version too): a common term over the
// province is a pass over every proposal and its customer (the admin's
// 专线: ~85 ms), so the pager's next pages and the way back to the list
// are served from the cache.
func totalsKey(scope authz.ListScope, f Filter) string {
	if scope.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s|customer=%d|owner=%d|statuses=%s|latest=%t|q=%q", scope.Key(),
		f.CustomerID, f.OwnerID, strings.Join(f.Statuses, ","), f.Latest, f.Q)
}

// totalsSelect is the count and sums of a list's proposals.
const totalsSelect = "COUNT(*) AS count, COALESCE(SUM(proposals.monthly_fen), 0) AS monthly_fen, " +
	"COALESCE(SUM(proposals.one_time_fen), 0) AS one_time_fen, COALESCE(SUM(proposals.total_fen), 0) AS total_fen"

// proposalConds adds f's conditions on the proposal's own columns.
func proposalConds(q *gorm.DB, f Filter) *gorm.DB {
	if f.OwnerID != 0 {
		q = q.Where("proposals.owner_id = ?", f.OwnerID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("proposals.status IN ?", f.Statuses)
	}
	if f.Latest {
		// No live later version: an anti-join, which PostgreSQL
		// estimates as keeping most rows. Written as "version = the
		// latest's" it guessed one row in two hundred, and sorted by the
		// customer's name it walked the customers and scanned every
		// proposal for each (the admin's list ~250 ms; this way 5).
		q = q.Where("NOT EXISTS (SELECT 1 FROM proposals p2 WHERE p2.root_id = proposals.root_id AND p2.deleted_at IS NULL AND p2.version > proposals.version)")
	}
	return q
}

// provinceTotals are the whole province's totals of f (no customer or
// search term): every live proposal's less those of the deleted
// customers' (a few along idx_customers_deleted), in one statement.
// Joined to the live customers, the admin's latest versions were hashed
// against all 100,000 customers (57-74 ms on the first look after any
// proposal written); alone they are ~20 ms.
func (s *Store) provinceTotals(ctx context.Context, f Filter) *gorm.DB {
	conn := db.Conn(ctx, s.db)
	all := proposalConds(conn.Model(&Proposal{}), f).Select(totalsSelect)
	gone := proposalConds(db.OfDeletedCustomers(conn.Model(&Proposal{}), "proposals"), f).Select(totalsSelect)
	return db.Difference(conn, all, gone, nil, totalsCols...)
}

// totalsCols are the columns totalsSelect sums.
var totalsCols = []string{"count", "monthly_fen", "one_time_fen", "total_fen"}

// searchParts is the province's search of f split in two for its totals
// (db.ListSearch.SumParts), ok false for any other scope or filter.
func (s *Store) searchParts(ctx context.Context, scope authz.ListScope, f Filter) (db.SearchParts, bool) {
	if scope.Level() != authz.ScopeAll || f.Q == "" || f.CustomerID != 0 {
		return db.SearchParts{}, false
	}
	return proposalSearch.SumParts(ctx, db.Conn(ctx, s.db), s.pairs, f.Q, false)
}

// ListTotals counts and sums every proposal matching f (not only a
// page), in one SQL aggregate. A director's count (the list's pager and
// totals line, the home page's queue) is kept per scope and filter until
// the next write to a proposal or to a customer's owner, team, branch,
// chief rep or deletion (migration 00026 bumps the version in that
// transaction), so it is exact; a search's until the next write to a
// proposal or to any customer or key person (migration 00031).
func (s *Store) ListTotals(ctx context.Context, scope authz.ListScope, f Filter) (Totals, error) {
	load := func(ctx context.Context) (Totals, error) {
		var t Totals
		q := s.listQuery(ctx, scope, f).Select(totalsSelect)
		if scope.Level() == authz.ScopeAll && f.CustomerID == 0 && f.Q == "" {
			q = s.provinceTotals(ctx, f)
		}
		if parts, ok := s.searchParts(ctx, scope, f); ok {
			unsearched := f
			unsearched.Q = ""
			q = parts.Sum(db.Conn(ctx, s.db), func() *gorm.DB { return s.listQuery(ctx, scope, unsearched) }, nil, totalsSelect, nil, totalsCols...)
		}
		err := q.Scan(&t).Error
		if err != nil {
			return Totals{}, fmt.Errorf("proposal totals: %w", err)
		}
		return t, nil
	}
	key := totalsKey(scope, f)
	if key == "" {
		// A list's total may lag a replica's moment behind (db.MayLag).
		return load(db.MayLag(ctx))
	}
	if f.Q != "" {
		return s.searchedTotals.Get(ctx, s.db, key, load)
	}
	return s.totals.Get(ctx, s.db, key, load)
}

// Each reads every proposal matching f (no paging) in the list's order,
// 1,000 at a time, for exports: keyset pagination on the sort key and the
// id in one read snapshot, so each proposal comes exactly once.
func (s *Store) Each(ctx context.Context, scope authz.ListScope, f Filter, fn func([]Row) error) error {
	keys, keyOf := listKeys(f)
	f.Limit, f.Offset = 0, 0
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return (&Store{db: tx}).listQuery(ctx, scope, f).Select(rowColumns)
	}, keys, keyOf, 1000, fn)
}

// OfCustomer lists every version of every proposal of a customer.
func (s *Store) OfCustomer(ctx context.Context, customerID uint) ([]Proposal, error) {
	var out []Proposal
	return out, db.Conn(ctx, s.db).Where("customer_id = ?", customerID).Order("id").Find(&out).Error
}

// ApprovalsOfCustomer lists the decisions on a customer's proposals.
func (s *Store) ApprovalsOfCustomer(ctx context.Context, customerID uint) ([]Approval, error) {
	var out []Approval
	return out, db.Conn(ctx, s.db).
		Joins("JOIN proposals ON proposals.id = proposal_approvals.proposal_id AND proposals.deleted_at IS NULL").
		Where("proposals.customer_id = ?", customerID).Order("proposal_approvals.at").Find(&out).Error
}

// Authors maps each of the versions ids to the people whose audit entries
// with one of actions (create, update, submit …) make them its authors.
func (s *Store) Authors(ctx context.Context, ids []uint, actions []string) (map[uint][]uint, error) {
	var rows []struct {
		EntityID uint
		ActorID  uint
	}
	err := db.Conn(ctx, s.db).Table("audit_log").Select("DISTINCT entity_id, actor_id").
		Where("entity = ? AND entity_id IN ? AND action IN ? AND actor_id IS NOT NULL", "proposal", ids, actions).
		Order("entity_id, actor_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("proposal authors: %w", err)
	}
	out := make(map[uint][]uint, len(ids))
	for _, r := range rows {
		out[r.EntityID] = append(out[r.EntityID], r.ActorID)
	}
	return out, nil
}

// Customers loads the live customers ids in one query (the approval
// queue routes each pending version by its customer).
func (s *Store) Customers(ctx context.Context, ids []uint) (map[uint]*prospects.Customer, error) {
	var list []prospects.Customer
	if err := db.Conn(ctx, s.db).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("customers of proposals: %w", err)
	}
	out := make(map[uint]*prospects.Customer, len(list))
	for i := range list {
		out[list[i].ID] = &list[i]
	}
	return out, nil
}
