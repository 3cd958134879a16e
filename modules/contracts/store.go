package contracts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// contractSearch is the contract list's search box: the number, the title
// and the customer.
var contractSearch = db.ListSearch{Table: "contracts", CustomerCol: "contracts.customer_id", Own: []db.Searched{
	{Expr: "LOWER(contracts.number)", Index: "idx_contracts_number_bigrams"},
	{Expr: "LOWER(contracts.title)", Index: "idx_contracts_title_bigrams"},
}, CustomerIndex: "idx_contracts_customer"}

// Store is the only place in this module that talks to the database. Every
// query goes through db.Conn, so a store call inside db.WithTx (the
// signing transaction, which spans prospects too) joins that transaction.
type Store struct {
	db *gorm.DB
	// pairs is what PostgreSQL knows of how common each pair of
	// characters is, for the list's search (db.ListSearch).
	pairs *db.PairStats
	// counts caches the list's count per scope and filter until the next
	// contract write (db.VersionCache); nil in a Store made on a
	// transaction, which counts live.
	counts *db.VersionCache[int64]
	// searchedCounts is counts for a search, kept under the customers
	// version too (a customer's name is searched; a customer's edit does
	// not bump the contracts version); apart, so that the searches' keys
	// never empty the map the plain lists share.
	searchedCounts *db.VersionCache[int64]
}

// NewStore returns a Store on d.
func NewStore(d *gorm.DB) *Store {
	return &Store{db: d, pairs: db.NewPairStats(), counts: db.NewVersionCache[int64](db.VersionContracts, countsCacheSize),
		searchedCounts: db.NewVersionsCache[int64]([]string{db.VersionContracts, db.VersionCustomers}, countsCacheSize)}
}

// DB is the base handle (for db.WithTx and the audit reader).
func (s *Store) DB() *gorm.DB { return s.db }

func (s *Store) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

// customerJoin joins each contract's live customer, whose columns the
// permission scope reads: a contract is visible exactly when its
// customer is.
const customerJoin = "JOIN customers ON customers.id = contracts.customer_id AND customers.deleted_at IS NULL"

// scoped starts a query on contracts restricted to scope (applied to the
// customer's owner, chief rep, team and branch).
func (s *Store) scoped(ctx context.Context, scope authz.ListScope) *gorm.DB {
	return prospects.ScopedCustomers(s.conn(ctx).Model(&Contract{}).Joins(customerJoin), scope)
}

// --- contracts

// Contract loads one live revision.
func (s *Store) Contract(ctx context.Context, id uint) (*Contract, error) {
	var c Contract
	if err := s.conn(ctx).First(&c, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("contract %d", id))
	}
	return &c, nil
}

// Revisions lists the live revisions of a contract, newest first.
func (s *Store) Revisions(ctx context.Context, rootID uint) ([]Contract, error) {
	var out []Contract
	return out, s.conn(ctx).Where("root_id = ?", rootID).Order("revision DESC").Find(&out).Error
}

// Current returns the revision in force of a contract (by its root).
func (s *Store) Current(ctx context.Context, rootID uint) (*Contract, error) {
	var c Contract
	if err := s.conn(ctx).Where("root_id = ? AND is_current = ?", rootID, true).First(&c).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("current revision of contract %d", rootID))
	}
	return &c, nil
}

// Lines loads a revision's lines in order.
func (s *Store) Lines(ctx context.Context, id uint) ([]Line, error) {
	var out []Line
	return out, s.conn(ctx).Where("contract_id = ?", id).Order("position").Find(&out).Error
}

// Approvals loads a revision's decisions, oldest first.
func (s *Store) Approvals(ctx context.Context, id uint) ([]Approval, error) {
	var out []Approval
	return out, s.conn(ctx).Where("contract_id = ?", id).Order("at, id").Find(&out).Error
}

// NextNumber takes the next number of a branch and year. Inside the
// caller's transaction the counter row stays locked until commit, so two
// contracts never get the same number, and a number once given is never
// given again (the counter only goes up).
func (s *Store) NextNumber(ctx context.Context, branchID uint, year int) (int, error) {
	g := s.conn(ctx)
	if err := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&NumberSeq{BranchID: branchID, Year: year}).Error; err != nil {
		return 0, fmt.Errorf("contract number %d/%d: %w", branchID, year, err)
	}
	if err := g.Model(&NumberSeq{}).Where("branch_id = ? AND year = ?", branchID, year).
		Update("last_seq", gorm.Expr("last_seq + 1")).Error; err != nil {
		return 0, fmt.Errorf("contract number %d/%d: %w", branchID, year, err)
	}
	var seq NumberSeq
	if err := g.Where("branch_id = ? AND year = ?", branchID, year).First(&seq).Error; err != nil {
		return 0, fmt.Errorf("contract number %d/%d: %w", branchID, year, err)
	}
	return seq.LastSeq, nil
}

// Create inserts c (its root is itself when it has none) with its lines.
func (s *Store) Create(ctx context.Context, c *Contract, lines []Line) error {
	c.Version = 1
	g := s.conn(ctx)
	if err := g.Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create contract %s r%d: %w", c.Number, c.Revision, apperr.ErrConflict)
		}
		return fmt.Errorf("create contract: %w", err)
	}
	if c.RootID == nil {
		root := c.ID
		c.RootID = &root
		if err := g.Model(&Contract{}).Where("id = ?", c.ID).Update("root_id", root).Error; err != nil {
			return err
		}
	}
	return s.ReplaceLines(ctx, c.ID, lines)
}

// ReplaceLines writes a revision's lines (in the given order).
func (s *Store) ReplaceLines(ctx context.Context, id uint, lines []Line) error {
	g := s.conn(ctx)
	if err := g.Where("contract_id = ?", id).Delete(&Line{}).Error; err != nil {
		return err
	}
	for i := range lines {
		lines[i].ID, lines[i].ContractID, lines[i].Position = 0, id, i+1
	}
	if len(lines) == 0 {
		return nil
	}
	return g.Create(&lines).Error
}

// Save writes every column of c under optimistic locking.
func (s *Store) Save(ctx context.Context, c *Contract, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, c, now)
}

// Delete soft-deletes a revision.
func (s *Store) Delete(ctx context.Context, c *Contract, by uint, now time.Time) error {
	res := s.conn(ctx).Model(&Contract{}).Where("id = ? AND version = ?", c.ID, c.Version).
		Updates(map[string]any{"deleted_at": now.UTC(), "updated_by": by, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete contract %d: %w", c.ID, apperr.ErrConflict)
	}
	return nil
}

// ProposalTaken reports whether a live contract was made from the
// proposal version.
func (s *Store) ProposalTaken(ctx context.Context, proposalID uint) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Contract{}).Where("proposal_id = ?", proposalID).Count(&n).Error
	return n > 0, err
}

// TakenProposals reports which of the proposal versions a live contract
// was made from.
func (s *Store) TakenProposals(ctx context.Context, ids []uint) (map[uint]bool, error) {
	out := map[uint]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var taken []uint
	if err := s.conn(ctx).Model(&Contract{}).Where("proposal_id IN ?", ids).Distinct().Pluck("proposal_id", &taken).Error; err != nil {
		return nil, err
	}
	for _, id := range taken {
		out[id] = true
	}
	return out, nil
}

// Successor returns the live first revision renewing rootID, if any.
func (s *Store) Successor(ctx context.Context, rootID uint) (*Contract, error) {
	var out []Contract
	if err := s.conn(ctx).Where("predecessor_id = ? AND revision = 1", rootID).Limit(1).Find(&out).Error; err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// OpenAmendment returns a draft, pending or approved amendment of rootID.
func (s *Store) OpenAmendment(ctx context.Context, rootID uint) (*Contract, error) {
	var out []Contract
	if err := s.conn(ctx).Where("root_id = ? AND revision > 1 AND status IN ?", rootID,
		[]string{StatusDraft, StatusPending, StatusApproved}).Limit(1).Find(&out).Error; err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}

// AddApproval records a decision.
func (s *Store) AddApproval(ctx context.Context, a *Approval) error {
	return s.conn(ctx).Create(a).Error
}

// AddEvent records a step of a contract's life.
func (s *Store) AddEvent(ctx context.Context, e *Event) error {
	return s.conn(ctx).Create(e).Error
}

// --- lists (all scoped)

// Filter selects contracts for a list; every list shows current
// revisions only (an amendment in the making shows on its contract).
type Filter struct {
	CustomerID uint
	Statuses   []string
	// Q matches the number, the title or the customer (name, code, key
	// persons).
	Q string
	// OwnerID and TeamID follow the customer's current owner and team.
	OwnerID uint
	TeamID  uint
	// ExpiringWithin keeps contracts in force ending within that many
	// days of Today (0: no such filter).
	ExpiringWithin int
	Today          time.Time
	// MinFen and MaxFen bound the total value (nil: unbounded).
	MinFen, MaxFen *money.Fen
	// Sort is a key of Sorts ("" = last updated first); Desc reverses it.
	Sort   string
	Desc   bool
	Limit  int
	Offset int
	// After keeps the rows after this position in the list's order
	// (Position), for keyset pages stable under inserts (the API).
	After []any
}

// Sorts maps the list's sort keys to their columns; the id breaks ties.
var Sorts = map[string]string{
	"number":   "contracts.number",
	"customer": "customers.name",
	"status":   "contracts.status",
	"start":    "contracts.start_on",
	"end":      "contracts.end_on",
	"total":    "contracts.total_fen",
	"updated":  "contracts.updated_at",
}

// Row is a contract with its customer's name, current owner and place in
// the organisation.
type Row struct {
	Contract
	CustomerName       string
	CustomerOwnerID    uint
	CustomerChiefRepID *uint
	CustomerTeamID     uint
	CustomerBranchID   uint
	OwnerName          string
}

// rowColumns are the columns a Row reads besides the contract's.
const rowColumns = "contracts.*, customers.name AS customer_name, customers.owner_id AS customer_owner_id, " +
	"customers.chief_rep_id AS customer_chief_rep_id, customers.team_id AS customer_team_id, customers.branch_id AS customer_branch_id"

// CustomerRef places the row's customer in the organisation.
func (r Row) CustomerRef() authz.Ref {
	ref := authz.Ref{OwnerID: r.CustomerOwnerID, TeamID: r.CustomerTeamID, BranchID: r.CustomerBranchID}
	if r.CustomerChiefRepID != nil {
		ref.ChiefRepID = *r.CustomerChiefRepID
	}
	return ref
}

// DaysLeft is the number of calendar days from today to the end date.
func (r Row) DaysLeft(today time.Time) int { return daysBetween(today, r.EndOn) }

func (s *Store) listQuery(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	q := contractConds(s.scoped(ctx, scope), f)
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	if f.Q != "" {
		cond, args := contractSearch.Cond(ctx, q, s.pairs, scope.Breadth(), f.Q)
		q = q.Where(cond, args...)
	}
	return q
}

// searchParts is the province's search of f split in two for its count
// (db.ListSearch.SumParts), ok false for any other scope or filter.
func (s *Store) searchParts(ctx context.Context, scope authz.ListScope, f Filter) (db.SearchParts, bool) {
	if scope.Level() != authz.ScopeAll || f.Q == "" {
		return db.SearchParts{}, false
	}
	return contractSearch.SumParts(ctx, s.conn(ctx), s.pairs, f.Q, false)
}

// contractConds narrows q, a statement over contracts, to the current
// revisions matching f's conditions on the contracts' own columns (the
// owner, team and search are on the customer: listQuery's).
func contractConds(q *gorm.DB, f Filter) *gorm.DB {
	q = q.Where("contracts.is_current = ?", true)
	if f.CustomerID != 0 {
		q = q.Where("contracts.customer_id = ?", f.CustomerID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("contracts.status IN ?", f.Statuses)
	}
	if f.ExpiringWithin > 0 {
		q = q.Where("contracts.status IN ? AND contracts.end_on <= ?", InForce, f.Today.AddDate(0, 0, f.ExpiringWithin))
	}
	if f.MinFen != nil {
		q = q.Where("contracts.total_fen >= ?", *f.MinFen)
	}
	if f.MaxFen != nil {
		q = q.Where("contracts.total_fen <= ?", *f.MaxFen)
	}
	return q
}

// List returns a page of contracts matching f within scope, and how many
// match in all.
func (s *Store) List(ctx context.Context, scope authz.ListScope, f Filter) ([]Row, int64, error) {
	var out []Row
	var total int64
	err := s.probingBranch(ctx, scope, f, func(ctx context.Context) (err error) {
		if total, err = s.count(ctx, scope, f); err != nil {
			return err
		}
		if err := s.PageQuery(ctx, scope, f).Scan(&out).Error; err != nil {
			return fmt.Errorf("list contracts: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// probingBranch runs fn, a branch's reads of its contracts, letting
// PostgreSQL find them from the branch's customers (its ~7,700 probed
// along idx_contracts_customer): costing each probe as a read from disk
// it hashed or merged all 49,000 contracts of the province against them
// instead, for the count and again for the page (a director's list on a
// first look after a write ~48 ms; probed ~25). A filter on the
// contracts' own columns (a status, expiring, an amount, a customer)
// picks them along their own indexes, as does another scope; SQLite runs
// fn as it is.
func (s *Store) probingBranch(ctx context.Context, scope authz.ListScope, f Filter, fn func(context.Context) error) error {
	if scope.Level() != authz.ScopeBranch || len(f.Statuses) > 0 || f.ExpiringWithin > 0 || f.MinFen != nil || f.MaxFen != nil || f.CustomerID != 0 {
		return fn(ctx)
	}
	return db.WithPlannerSettings(ctx, s.db, append(db.ProbeFromCustomers(), db.PlannerSetting{Name: "enable_mergejoin", Value: "off"}), fn)
}

// PageQuery is the statement of List's page, with the owner's name
// (exported so that tests and benchmarks can read its plan). A person's,
// a team's or a branch's contracts in another order than last updated,
// and a branch's searched, are read first, then sorted (db.FencedPage):
// the director's by number walked the province's ~40,000 for 25 (~90 ms;
// ~34), and the latest updated holding "科技" ~15,000 (37-44 ms, page 2
// ~98; ~18 either). A team's search walks: its matches come sooner.
func (s *Store) PageQuery(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	keys, _ := listKeys(f)
	q := s.listQuery(ctx, scope, f).
		Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Select(rowColumns + ", users.name AS owner_name")
	if scope.Level() == authz.ScopeAll || ((f.Sort == "" || f.Sort == "updated") && (f.Q == "" || scope.Level() != authz.ScopeBranch)) {
		return db.Page(q, keys, f.After, f.Limit, f.Offset)
	}
	return db.FencedPage(s.conn(ctx), q, "contracts", keys, map[string]string{"customers.name": "contracts.customer_name"}, f.After, f.Limit, f.Offset)
}

// countsCacheSize bounds the list counts cache (scopes × filters).
const countsCacheSize = 2000

// countKey is the cache key of f's count within scope ("" for a zero
// scope: counted live). A search's key holds the text; it is kept in
// searchedCounts.
func countKey(scope authz.ListScope, f Filter) string {
	if scope.IsZero() {
		return ""
	}
	var lo, hi string
	if f.MinFen != nil {
		lo = fmt.Sprint(int64(*f.MinFen))
	}
	if f.MaxFen != nil {
		hi = fmt.Sprint(int64(*f.MaxFen))
	}
	return fmt.Sprintf("%s|customer=%d|statuses=%s|owner=%d|team=%d|within=%d|today=%s|min=%s|max=%s|q=%q", scope.Key(),
		f.CustomerID, strings.Join(f.Statuses, ","), f.OwnerID, f.TeamID, f.ExpiringWithin, f.Today.Format("2006-01-02"), lo, hi, f.Q)
}

// count counts the contracts matching f within scope (the list's pager,
// the home page's expiring panel). A scope's count — the admin's over
// every contract of the province — is kept per scope and filter until
// the next write to a contract or to a customer's owner, team, branch,
// chief rep or deletion (migration 00029 bumps the version in that
// transaction), so it is exact; the date is part of the key. A search's
// count is kept until the next write to a contract or to any customer or
// key person (migration 00031): a common term over the province reads
// every contract, and the pager's next pages need the same count.
func (s *Store) count(ctx context.Context, scope authz.ListScope, f Filter) (int64, error) {
	load := func(ctx context.Context) (int64, error) {
		var n int64
		if scope.Level() == authz.ScopeAll && f.OwnerID == 0 && f.TeamID == 0 && f.Q == "" {
			// The province's: every current contract less the deleted
			// customers' — one pass over an index of the contracts instead
			// of a probe of each one's customer (the admin's list on a
			// first look after a write: 47 → ~5 ms of SQL on PostgreSQL).
			conn := s.conn(ctx)
			all := contractConds(conn.Model(&Contract{}), f).Select("COUNT(*) AS n")
			gone := contractConds(db.OfDeletedCustomers(conn.Model(&Contract{}), "contracts"), f).Select("COUNT(*) AS n")
			if err := db.Difference(conn, all, gone, nil, "n").Scan(&n).Error; err != nil {
				return 0, fmt.Errorf("count contracts: %w", err)
			}
			return n, nil
		}
		q := s.listQuery(ctx, scope, f).Select("COUNT(*) AS n")
		if parts, ok := s.searchParts(ctx, scope, f); ok {
			unsearched := f
			unsearched.Q = ""
			q = parts.Sum(s.conn(ctx), func() *gorm.DB { return s.listQuery(ctx, scope, unsearched) }, nil, "COUNT(*) AS n", nil, "n")
		}
		if err := q.Scan(&n).Error; err != nil {
			return 0, fmt.Errorf("count contracts: %w", err)
		}
		return n, nil
	}
	key := countKey(scope, f)
	if key == "" {
		// A list's total may lag a replica's moment behind (db.MayLag).
		return load(db.MayLag(ctx))
	}
	if f.Q != "" {
		return s.searchedCounts.Get(ctx, s.db, key, load)
	}
	return s.counts.Get(ctx, s.db, key, load)
}

// sortValues read a sort column's value from a loaded row, for the
// keyset reader (exports).
var sortValues = map[string]func(*Row) any{
	"number":   func(r *Row) any { return r.Number },
	"customer": func(r *Row) any { return r.CustomerName },
	"status":   func(r *Row) any { return r.Status },
	"start":    func(r *Row) any { return r.StartOn },
	"end":      func(r *Row) any { return r.EndOn },
	"total":    func(r *Row) any { return int64(r.TotalFen) },
	"updated":  func(r *Row) any { return r.UpdatedAt },
}

// listKeys is the list's total order (List's ORDER BY): its sort, last
// updated first by default, then the id in the same direction.
func listKeys(f Filter) ([]db.Key, func(*Row) []any) {
	sort, desc := f.Sort, f.Desc
	if _, ok := Sorts[sort]; !ok {
		sort, desc = "updated", true
	}
	val := sortValues[sort]
	keys := []db.Key{{Expr: Sorts[sort], Desc: desc}, {Expr: "contracts.id", Desc: desc}}
	return keys, func(r *Row) []any { return []any{val(r), r.ID} }
}

// Position is r's position in the order of f, for Filter.After.
func Position(f Filter, r *Row) []any {
	_, keyOf := listKeys(f)
	return keyOf(r)
}

// Each calls fn with batches of the contracts matching f within scope, in
// list order (exports): one read snapshot, each row read once, however
// many rows are inserted or changed meanwhile (db.EachBatch), with the
// owner's name joined in (no lookup per batch).
func (s *Store) Each(ctx context.Context, scope authz.ListScope, f Filter, fn func([]Row) error) error {
	keys, keyOf := listKeys(f)
	f.Limit, f.Offset = 0, 0
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return (&Store{db: tx}).listQuery(ctx, scope, f).
			Joins("LEFT JOIN users ON users.id = customers.owner_id").
			Select(rowColumns + ", users.name AS owner_name")
	}, keys, keyOf, 1000, fn)
}

// Pending lists the revisions (amendments included) waiting for approval
// within scope (the approver's queue).
func (s *Store) Pending(ctx context.Context, scope authz.ListScope, limit int) ([]Row, error) {
	var out []Row
	err := s.scoped(ctx, scope).Where("contracts.status = ?", StatusPending).
		Select(rowColumns).
		Order("contracts.submitted_at, contracts.id").Limit(limit).Scan(&out).Error
	return out, err
}

// OfCustomer lists every live revision of a customer's contracts within
// scope (the customer's 合同 tab shows amendments in the making too).
func (s *Store) OfCustomer(ctx context.Context, scope authz.ListScope, customerID uint) ([]Contract, error) {
	var out []Contract
	err := s.scoped(ctx, scope).Where("contracts.customer_id = ?", customerID).
		Select("contracts.*").Order("contracts.number DESC, contracts.revision DESC").Limit(500).Find(&out).Error
	return out, err
}

// --- timeline (the caller has checked the customer)

// EventsOfCustomer lists the events of a customer's contracts.
func (s *Store) EventsOfCustomer(ctx context.Context, customerID uint) ([]EventRow, error) {
	var out []EventRow
	err := s.conn(ctx).Model(&Event{}).
		Joins("JOIN contracts ON contracts.id = contract_events.contract_id").
		Where("contract_events.customer_id = ?", customerID).
		Select("contract_events.*, contracts.number, contracts.revision, contracts.title").
		Order("contract_events.at, contract_events.id").Limit(1000).Scan(&out).Error
	return out, err
}

// EventRow is an event with its contract's number and title.
type EventRow struct {
	Event
	Number   string
	Revision int
	Title    string
}

// --- tasks

// Tasks lists a contract's live tasks (by root) in order.
func (s *Store) Tasks(ctx context.Context, rootID uint) ([]Task, error) {
	var out []Task
	return out, s.conn(ctx).Where("contract_id = ?", rootID).Order("position, id").Find(&out).Error
}

// Task loads one live task.
func (s *Store) Task(ctx context.Context, id uint) (*Task, error) {
	var t Task
	if err := s.conn(ctx).First(&t, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("contract task %d", id))
	}
	return &t, nil
}

// CreateTasks inserts tasks after the contract's existing ones.
func (s *Store) CreateTasks(ctx context.Context, rootID uint, tasks []Task) error {
	if len(tasks) == 0 {
		return nil
	}
	var last int
	if err := s.conn(ctx).Model(&Task{}).Unscoped().Where("contract_id = ?", rootID).
		Select("COALESCE(MAX(position), 0)").Scan(&last).Error; err != nil {
		return err
	}
	for i := range tasks {
		tasks[i].ContractID, tasks[i].Position, tasks[i].Version = rootID, last+i+1, 1
	}
	return s.conn(ctx).Create(&tasks).Error
}

// SaveTask writes every column of t under optimistic locking.
func (s *Store) SaveTask(ctx context.Context, t *Task, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, t, now)
}

// OpenTasks counts a contract's unfinished tasks.
func (s *Store) OpenTasks(ctx context.Context, rootID uint) (int64, error) {
	var n int64
	return n, s.conn(ctx).Model(&Task{}).Where("contract_id = ? AND status <> ?", rootID, TaskDone).Count(&n).Error
}

// TaskRow is an open task with its contract and customer, for the home
// panel and the overdue job.
type TaskRow struct {
	Task
	Number       string
	CustomerID   uint
	CustomerName string
	CurrentID    uint
}

// taskQuery joins a task to its contract's current revision (in force)
// and the live customer.
func (s *Store) taskQuery(ctx context.Context) *gorm.DB {
	return s.conn(ctx).Model(&Task{}).
		Joins("JOIN contracts ON contracts.root_id = contract_tasks.contract_id AND contracts.is_current = ? AND contracts.deleted_at IS NULL", true).
		Joins(customerJoin).
		Where("contract_tasks.status <> ? AND contracts.status IN ?", TaskDone, InForce)
}

const taskRowColumns = "contract_tasks.*, contracts.number, contracts.customer_id, customers.name AS customer_name, contracts.id AS current_id"

// OverdueTasksOf lists the unfinished tasks of owner due before today,
// within scope, oldest first (the owner's home panel).
func (s *Store) OverdueTasksOf(ctx context.Context, scope authz.ListScope, ownerID uint, today time.Time, limit int) ([]TaskRow, int64, error) {
	q := prospects.ScopedCustomers(s.taskQuery(ctx), scope).
		Where("contract_tasks.owner_id = ? AND contract_tasks.due_on < ?", ownerID, today)
	var n int64
	if err := q.Session(&gorm.Session{}).Count(&n).Error; err != nil {
		return nil, 0, err
	}
	var out []TaskRow
	err := q.Select(taskRowColumns).Order("contract_tasks.due_on, contract_tasks.id").Limit(limit).Scan(&out).Error
	return out, n, err
}

// OverdueTasks lists every unfinished task due before today on a
// contract in force, for the daily job (system-wide, no user's scope).
func (s *Store) OverdueTasks(ctx context.Context, today time.Time) ([]TaskRow, error) {
	var out []TaskRow
	err := s.taskQuery(ctx).Where("contract_tasks.due_on < ?", today).Select(taskRowColumns).
		Order("contract_tasks.due_on, contract_tasks.id").Limit(50_000).Scan(&out).Error
	return out, err
}

// --- attachments

// Attachments lists a contract's live attachments (by root), newest first.
func (s *Store) Attachments(ctx context.Context, rootID uint) ([]Attachment, error) {
	var out []Attachment
	return out, s.conn(ctx).Where("contract_id = ?", rootID).Order("created_at DESC, id DESC").Find(&out).Error
}

// Attachment loads one live attachment.
func (s *Store) Attachment(ctx context.Context, id uint) (*Attachment, error) {
	var a Attachment
	if err := s.conn(ctx).First(&a, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("attachment %d", id))
	}
	return &a, nil
}

// CreateAttachment inserts a.
func (s *Store) CreateAttachment(ctx context.Context, a *Attachment) error {
	return s.conn(ctx).Create(a).Error
}

// DeleteAttachment soft-deletes an attachment, recording who did it.
func (s *Store) DeleteAttachment(ctx context.Context, id, by uint, now time.Time) error {
	res := s.conn(ctx).Model(&Attachment{}).Where("id = ? AND deleted_at IS NULL", id).
		Updates(map[string]any{"deleted_at": now.UTC(), "deleted_by": by})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("attachment %d: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// --- the daily job (system-wide: no user's scope)

// DueRow is a contract in force with the people to remind.
type DueRow struct {
	Contract
	CustomerName    string
	CustomerOwnerID uint
	ChiefRepID      *uint
	TeamID          uint
}

// InForceEndingBy lists the current revisions in force ending on or before
// end (renewal reminders, expiring and expired).
func (s *Store) InForceEndingBy(ctx context.Context, end time.Time) ([]DueRow, error) {
	var out []DueRow
	err := s.conn(ctx).Model(&Contract{}).Joins(customerJoin).
		Where("contracts.is_current = ? AND contracts.status IN ? AND contracts.end_on <= ?", true, InForce, end).
		Select("contracts.*, customers.name AS customer_name, customers.owner_id AS customer_owner_id, customers.chief_rep_id, customers.team_id").
		Order("contracts.end_on, contracts.id").Limit(50_000).Scan(&out).Error
	return out, err
}

// ownerSigned is one owner's signed first revisions in a period (its
// index among the periods asked for).
type ownerSigned struct {
	OwnerID uint
	Period  int
	N       int64 // signed contracts
	M       int64 // new monthly revenue, fen (renewals add none)
}

// signedByOwner counts, per owner among owners and period between
// consecutive bounds, the contracts whose first revision was signed then,
// within scope. The column list is one SQL text so that no column name
// stands alone as a string.
func (s *Store) signedByOwner(ctx context.Context, scope authz.ListScope, owners []uint, bounds []time.Time) ([]ownerSigned, error) {
	from, to := bounds[0], bounds[len(bounds)-1]
	period, pargs := db.BucketOf(s.db.Dialector.Name(), "contracts.signed_at", bounds)
	var rows []ownerSigned
	q := s.scoped(ctx, scope)
	if scope.Level() == authz.ScopeAll {
		// The province's: no customer column limits the contracts, so the
		// deleted customers' few are left out by an anti-join instead of
		// hashing all 100,000 customers (9 → ~3 ms a month; the admin's
		// attainment for a year asks twelve months).
		q = s.conn(ctx).Model(&Contract{}).Where(db.LiveCustomerOf("contracts.customer_id"))
	}
	q = q.
		Select(`contracts.owner_id AS owner_id, `+period+` AS period, COUNT(*) AS n,
			COALESCE(SUM(CASE WHEN contracts.predecessor_id IS NULL THEN contracts.monthly_fen ELSE 0 END), 0) AS m`, pargs...).
		Where("contracts.revision = 1 AND contracts.signed_at >= ? AND contracts.signed_at < ?", from.UTC(), to.UTC())
	if err := db.OwnedByAny(q, "contracts.owner_id", owners).Group("1, 2").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("contracts signed by owner: %w", err)
	}
	return rows, nil
}
