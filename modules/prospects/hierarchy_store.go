package prospects

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// The customer hierarchy (集团 → 成员单位) is walked with recursive CTEs,
// which PostgreSQL and SQLite both run. Each walk uses UNION rather than
// UNION ALL over the id alone, so a cycle written into the table by hand
// ends the walk instead of looping (the service refuses to create one).

// subtreeCTE selects the live customer ? and every live customer below
// it, at any depth, as sub(id).
const subtreeCTE = `sub(id) AS (
  SELECT customers.id FROM customers WHERE customers.id = ? AND customers.deleted_at IS NULL
  UNION
  SELECT m.id FROM customers m JOIN sub ON m.parent_id = sub.id WHERE m.deleted_at IS NULL
)`

// rollupSubCTE is subtreeCTE carrying each member's ownership columns,
// so the roll-up decides who may see a member from the walk's own rows
// instead of reading every member again by primary key (2,000 probes for
// a 2,000-member group). The index walk reads each member's row anyway.
const rollupSubCTE = `sub(id, owner_id, chief_rep_id, team_id, branch_id) AS (
  SELECT customers.id, customers.owner_id, customers.chief_rep_id, customers.team_id, customers.branch_id
  FROM customers WHERE customers.id = ? AND customers.deleted_at IS NULL
  UNION
  SELECT m.id, m.owner_id, m.chief_rep_id, m.team_id, m.branch_id FROM customers m JOIN sub ON m.parent_id = sub.id WHERE m.deleted_at IS NULL
)`

// subCols are the ownership columns of the roll-up's sub rows.
var subCols = authz.Columns{Owner: "sub.owner_id", ChiefRep: "sub.chief_rep_id", Team: "sub.team_id", Branch: "sub.branch_id"}

// maxAncestors bounds the walk up from a customer. Real groups are a few
// levels deep; the bound only stops a walk through a cycle made by hand.
const maxAncestors = 1000

// AncestorIDs returns the live chain above customer id, nearest first
// (its parent, the parent's parent, …), without id itself. It is not
// scoped: the cycle check must see every link.
func (s *Store) AncestorIDs(ctx context.Context, id uint) ([]uint, error) {
	var rows []struct {
		ID    uint
		Depth int
	}
	err := db.Conn(ctx, s.db).Raw(`WITH RECURSIVE up(id, parent_id, depth) AS (
  SELECT customers.id, customers.parent_id, 0 FROM customers WHERE customers.id = ? AND customers.deleted_at IS NULL
  UNION ALL
  SELECT p.id, p.parent_id, up.depth + 1 FROM customers p JOIN up ON p.id = up.parent_id
  WHERE p.deleted_at IS NULL AND up.depth < ?
)
SELECT id, depth FROM up WHERE depth > 0 ORDER BY depth`, id, maxAncestors).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("ancestors of customer %d: %w", id, err)
	}
	out := make([]uint, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out, nil
}

// CustomersByIDs loads the live customers among ids, unscoped (the
// caller decides what to show of each), keyed by id.
func (s *Store) CustomersByIDs(ctx context.Context, ids []uint) (map[uint]Customer, error) {
	out := make(map[uint]Customer, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var list []Customer
	if err := db.Conn(ctx, s.db).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("customers by ids: %w", err)
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

// LiveMemberCount counts the live customers whose parent is id.
func (s *Store) LiveMemberCount(ctx context.Context, id uint) (int64, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&Customer{}).Where("parent_id = ?", id).Count(&n).Error
	return n, err
}

// SetParent writes a customer's parent under optimistic locking.
func (s *Store) SetParent(ctx context.Context, id uint, parent *uint, version int, by uint, now time.Time) error {
	res := db.Conn(ctx, s.db).Model(&Customer{}).Where("id = ? AND version = ?", id, version).
		Updates(map[string]any{"parent_id": parent, "updated_by": by, "version": gorm.Expr("version + 1"), "updated_at": now.UTC()})
	if res.Error != nil {
		return fmt.Errorf("set parent of customer %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("customer %d: %w", id, apperr.ErrConflict)
	}
	return nil
}

// LockHierarchy serialises changes of parent links for the rest of the
// transaction, so that two concurrent moves cannot each pass the cycle
// check and together close a loop (A under B while B goes under A). On
// PostgreSQL a transaction-scoped advisory lock; SQLite has one writer
// at a time already.
func (s *Store) LockHierarchy(ctx context.Context) error {
	conn := db.Conn(ctx, s.db)
	if conn.Dialector.Name() != db.Postgres {
		return nil
	}
	return conn.Exec("SELECT pg_advisory_xact_lock(?)", hierarchyLockKey).Error
}

// hierarchyLockKey is the advisory lock id of parent changes ("JKHIER").
const hierarchyLockKey int64 = 0x4a4b48494552

// Children is one page of one level of a customer's member tree as a
// viewer sees it, by name, and the counts around it.
//
// A level is what hangs below the customer down to the nearest members
// the viewer may see: its direct members the viewer may see, and, below
// each direct member the viewer may not see, the nearest visible members
// under it (at any depth, through hidden units only). Those are listed on
// this level too (Via), attached to their nearest visible ancestor, so a
// member the viewer may see is always reachable in the tree even when the
// unit between is another team's. The hidden units themselves are only
// counted (Hidden), never named: every hidden unit is counted on exactly
// one level, that of its nearest visible ancestor.
type Children struct {
	Rows []Customer
	// Via marks the listed members reached through a unit the viewer may
	// not see (their parent is hidden).
	Via map[uint]bool
	// Grandchildren counts each listed member's own live members, so the
	// tree knows which nodes can be expanded.
	Grandchildren map[uint]int64
	// Total counts the level: visible members listed (on any page) and
	// the hidden units between; Hidden the hidden units.
	Total  int64
	Hidden int64
}

// levelCTE walks one level of parent's tree as scope sees it: lvl(id,
// vis, depth) holds parent's direct members and, below each member scope
// hides, its members, down to the first visible ones (vis = 1), at any
// depth (bounded, so a cycle written by hand ends). Visibility is the
// customer list's scope, probed per member by primary key.
func (s *Store) levelCTE(ctx context.Context, scope authz.ListScope, parent uint) (string, []any) {
	visible := func() *gorm.DB {
		return scope.Apply(db.Conn(ctx, s.db).Session(&gorm.Session{NewDB: true}).Table("customers v").Select("1").
			Where("v.id = m.id AND v.deleted_at IS NULL"), authz.StandardColumns("v"))
	}
	return `WITH RECURSIVE lvl(id, vis, depth) AS (
  SELECT m.id, CASE WHEN EXISTS (?) THEN 1 ELSE 0 END, 1 FROM customers m WHERE m.parent_id = ? AND m.deleted_at IS NULL
  UNION
  SELECT m.id, CASE WHEN EXISTS (?) THEN 1 ELSE 0 END, lvl.depth + 1 FROM customers m JOIN lvl ON m.parent_id = lvl.id
  WHERE lvl.vis = 0 AND m.deleted_at IS NULL AND lvl.depth < ?
)
`, []any{visible(), parent, visible(), maxAncestors}
}

// ChildrenOf returns up to limit visible members of parent's level (see
// Children) from offset, in four statements whatever the level's size.
func (s *Store) ChildrenOf(ctx context.Context, scope authz.ListScope, parent uint, offset, limit int) (*Children, error) {
	out := &Children{Via: map[uint]bool{}, Grandchildren: map[uint]int64{}}
	if scope.IsZero() {
		return nil, authz.ErrNoScope
	}
	cte, args := s.levelCTE(ctx, scope, parent)
	conn := db.Conn(ctx, s.db)
	var n struct{ Total, Visible int64 }
	if err := conn.Raw(cte+`SELECT COUNT(*) AS total, COALESCE(SUM(vis), 0) AS visible FROM lvl`, args...).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("members of %d: %w", parent, err)
	}
	out.Total, out.Hidden = n.Total, n.Total-n.Visible
	var page []struct {
		ID    uint
		Depth int
	}
	if err := conn.Raw(cte+`SELECT lvl.id, MIN(lvl.depth) AS depth FROM lvl JOIN customers c ON c.id = lvl.id
WHERE lvl.vis = 1 GROUP BY lvl.id, c.name ORDER BY c.name, lvl.id LIMIT ? OFFSET ?`, append(args, limit, offset)...).Scan(&page).Error; err != nil {
		return nil, fmt.Errorf("page of members of %d: %w", parent, err)
	}
	ids := make([]uint, len(page))
	for i, r := range page {
		ids[i] = r.ID
		if r.Depth > 1 {
			out.Via[r.ID] = true
		}
	}
	byID, err := s.CustomersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out.Rows = append(out.Rows, c)
		}
	}
	counts, err := s.memberCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out.Grandchildren = counts
	return out, nil
}

// memberCounts counts the live members of each of ids, in one query.
func (s *Store) memberCounts(ctx context.Context, ids []uint) (map[uint]int64, error) {
	out := map[uint]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ParentID uint
		N        int64
	}
	if err := db.Conn(ctx, s.db).Model(&Customer{}).Select("parent_id, COUNT(*) AS n").
		Where("parent_id IN ?", ids).Group("parent_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("member counts: %w", err)
	}
	for _, r := range rows {
		out[r.ParentID] = r.N
	}
	return out, nil
}

// Rollup is the sum of figures over a customer's whole subtree (the
// customer and every member below it, any depth), counting only the
// members the viewer may see; Hidden says how many were left out.
type Rollup struct {
	// Members counts the live members below the customer (not itself);
	// Hidden how many of them the viewer may not see.
	Members int64
	Hidden  int64
	// OpenOpps and OpenMonthlyFen: open opportunities and their monthly
	// value (the pipeline).
	OpenOpps       int64
	OpenMonthlyFen money.Fen
	// WonOpps and WonMonthlyFen: opportunities won since YearStart.
	WonOpps       int64
	WonMonthlyFen money.Fen
	// Contracts and ContractMonthlyFen: current contracts in force
	// (signed, active, expiring) and their monthly value.
	Contracts          int64
	ContractMonthlyFen money.Fen
	// RevenueMonth is the latest billing month loaded (yyyymm, 0 when
	// no usage was ever imported); RevenueFen the subtree's revenue in it.
	RevenueMonth int
	RevenueFen   money.Fen
	KeyPersons   int64
	LastVisit    *time.Time
	// OpenComplaints counts complaints not yet resolved.
	OpenComplaints int64
}

// rollupRow is the one row the roll-up query returns.
type rollupRow struct {
	Total, Visible                         int64
	OpenOpps, OpenFen, WonOpps, WonFen     int64
	Contracts, ContractFen                 int64
	RevenueMonth                           *int
	RevenueFen, KeyPersons, OpenComplaints int64
	LastVisit                              db.ScanTime
}

// inForceContracts are the contract statuses counted as active (the
// reports' "in force": signed and not ended).
var inForceContracts = []string{"signed", "active", "expiring"}

// openComplaintStatuses are the after-sale statuses of an unresolved
// request (aftersale.OpenStatuses).
var openComplaintStatuses = []string{"open", "in_progress", "reopened"}

// RollupQuery is the roll-up statement for customer id as scope sees it,
// unexecuted, so the benchmark can show its plan.
func (s *Store) RollupQuery(ctx context.Context, scope authz.ListScope, id uint, yearStart time.Time) *gorm.DB {
	conn := db.Conn(ctx, s.db)
	// vis: the subtree's members the viewer may read (the scope applied
	// as on the customer list, to the columns the walk carried).
	vis := scope.Apply(conn.Session(&gorm.Session{NewDB: true}).Table("sub").Select("sub.id"), subCols)
	in := " IN (SELECT id FROM vis)"
	// One pass per table: each derived table reads its rows of the
	// visible members once and sums every figure of that table with CASE.
	return conn.Raw(`WITH RECURSIVE `+rollupSubCTE+`, vis(id) AS (?)
SELECT n.total, n.visible, o.open_opps, o.open_fen, o.won_opps, o.won_fen, k.contracts, k.contract_fen,
  u.revenue_month, u.revenue_fen, ct.key_persons, v.last_visit, r.open_complaints
FROM (SELECT (SELECT COUNT(*) FROM sub) AS total, (SELECT COUNT(*) FROM vis) AS visible) n,
  (SELECT COALESCE(SUM(CASE WHEN o.stage IN ? THEN 1 ELSE 0 END), 0) AS open_opps,
     COALESCE(SUM(CASE WHEN o.stage IN ? THEN o.monthly_fen ELSE 0 END), 0) AS open_fen,
     COALESCE(SUM(CASE WHEN o.stage = ? AND o.stage_changed_at >= ? THEN 1 ELSE 0 END), 0) AS won_opps,
     COALESCE(SUM(CASE WHEN o.stage = ? AND o.stage_changed_at >= ? THEN o.monthly_fen ELSE 0 END), 0) AS won_fen
   FROM opportunities o WHERE o.customer_id`+in+` AND o.deleted_at IS NULL) o,
  (SELECT COUNT(*) AS contracts, COALESCE(SUM(k.monthly_fen), 0) AS contract_fen
   FROM contracts k WHERE k.customer_id`+in+` AND k.deleted_at IS NULL AND k.is_current = ? AND k.status IN ?) k,
  (SELECT m.ym AS revenue_month,
     (SELECT COALESCE(SUM(x.revenue_fen), 0) FROM usage_months x WHERE x.customer_id`+in+` AND x.ym = m.ym) AS revenue_fen
   FROM (SELECT MAX(l.ym) AS ym FROM usage_months l) m) u,
  (SELECT COUNT(*) AS key_persons FROM contacts ct WHERE ct.customer_id`+in+` AND ct.deleted_at IS NULL) ct,
  (SELECT MAX(v.starts_at) AS last_visit FROM visit_plans v WHERE v.customer_id`+in+` AND v.deleted_at IS NULL AND v.status = ?) v,
  (SELECT COUNT(*) AS open_complaints FROM service_requests r
   WHERE r.customer_id`+in+` AND r.deleted_at IS NULL AND r.kind = ? AND r.status IN ?) r`,
		id, vis, OpenStages, OpenStages, StageWon, yearStart.UTC(), StageWon, yearStart.UTC(),
		true, inForceContracts, "done", "complaint", openComplaintStatuses)
}

// RollupOf computes the roll-up of customer id's subtree in one statement.
func (s *Store) RollupOf(ctx context.Context, scope authz.ListScope, id uint, yearStart time.Time) (*Rollup, error) {
	var r rollupRow
	if err := s.RollupQuery(ctx, scope, id, yearStart).Scan(&r).Error; err != nil {
		return nil, fmt.Errorf("roll-up of customer %d: %w", id, err)
	}
	out := &Rollup{
		Members: max(r.Total-1, 0), Hidden: r.Total - r.Visible,
		OpenOpps: r.OpenOpps, OpenMonthlyFen: money.Fen(r.OpenFen), WonOpps: r.WonOpps, WonMonthlyFen: money.Fen(r.WonFen),
		Contracts: r.Contracts, ContractMonthlyFen: money.Fen(r.ContractFen), RevenueFen: money.Fen(r.RevenueFen),
		KeyPersons: r.KeyPersons, OpenComplaints: r.OpenComplaints,
	}
	if r.RevenueMonth != nil {
		out.RevenueMonth = *r.RevenueMonth
	}
	if r.LastVisit.Valid {
		t := r.LastVisit.Time
		out.LastVisit = &t
	}
	return out, nil
}

// subtreeIn is the condition "column is customer ? or below it", for
// list filters (the recursive CTE inside IN works on both databases).
func subtreeIn(column string) string {
	return column + " IN (WITH RECURSIVE " + subtreeCTE + " SELECT id FROM sub)"
}

// TreeMembers returns, for each of roots, its members at any depth that
// the filter f keeps (scope included), walking down only through members
// that f keeps too: a member whose parent the filter drops is a root of
// its own on the list. Depth is each member's level below its root (1 =
// direct member). At most limit rows per call, nearest levels first.
func (s *Store) TreeMembers(ctx context.Context, scope authz.ListScope, f CustomerFilter, roots []uint, limit int) ([]TreeRow, error) {
	if len(roots) == 0 {
		return nil, nil
	}
	f.Tree, f.Limit, f.Offset, f.Group = false, 0, 0, 0
	kept := s.customerQuery(ctx, scope, f).Select("customers.id")
	var rows []TreeRow
	err := db.Conn(ctx, s.db).Raw(`WITH RECURSIVE t(id, parent_id, depth) AS (
  SELECT customers.id, customers.parent_id, 0 FROM customers WHERE customers.id IN ?
  UNION
  SELECT m.id, m.parent_id, t.depth + 1 FROM customers m JOIN t ON m.parent_id = t.id
  WHERE m.deleted_at IS NULL AND m.id IN (?) AND t.depth < ?
)
SELECT id, parent_id, depth FROM t WHERE depth > 0 ORDER BY depth LIMIT ?`, roots, kept, maxAncestors, limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("tree members: %w", err)
	}
	return rows, nil
}

// TreeRow places one member under its parent in the list's tree view.
type TreeRow struct {
	ID       uint
	ParentID uint
	Depth    int
}
