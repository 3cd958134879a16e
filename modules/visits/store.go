package visits

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
	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// customerCols are where ownership lives: visits and to-dos are scoped
// by their customer.
var customerCols = authz.StandardColumns("customers")

// Store is the only place in this module that talks to the database.
type Store struct {
	db *gorm.DB
	// dayCounts caches the month calendar's counts per scope and month
	// until the next visit write (CountByDay); nil in a transaction's
	// Store, which reads them live.
	dayCounts *db.VersionCache[[]DayCount]
	// overdue keeps the overdue panel of the visit list per scope, view
	// and minute (OverduePlans); nil in a transaction's Store.
	overdue *db.VersionCache[[]PlanRow]
	// pages keeps the pages of the visit list and the calendar's visits
	// (a PlanFilter marked keep) per scope and filter; nil in a
	// transaction's Store.
	pages *db.VersionCache[planPage]
	// spare lends the calendar's counts a goroutine to count the two
	// halves of a month at once (CountByDay); nil: one statement.
	spare *par.Spare
	// probeFrom is the offset from which a branch's or a team's page of
	// visits is found from its customers (probedPage, PostgreSQL); 0
	// never. NewStore sets probeOffset.
	probeFrom int
}

// probeOffset is where probedPage starts to pay: a director's page 40 of
// upcoming visits (offset 975) walked ~13,000 of the province's upcoming
// visits in time order, probing each one's customer for the branch (~30
// ms of SQL), a chief rep's page 100 (the past visits from offset ~1,200)
// ~110,000; the branch's ~7,700 customers each reading their visits
// take ~9 (upcoming) to ~20 (past, offset 10,000), a team's ~5, where
// the walk's first pages take 1–4 (offset 400: 12).
const probeOffset = 250

// SetSpare lends the store the process's spare goroutines.
func (s *Store) SetSpare(sp *par.Spare) { s.spare = sp }

// planPage is one ListPlans answer.
type planPage struct {
	rows  []PlanRow
	total int64
}

// pageCacheRows bounds the rows the kept pages hold in all (a row is a
// few hundred bytes: ~10 MB); a calendar of more than an eighth of it is
// read every time.
const pageCacheRows = 40_000

// NewStore returns a Store on d.
func NewStore(d *gorm.DB) *Store {
	// The counts name branches, teams and owners, and group by who works
	// where: the visits and the org versions.
	return &Store{db: d, probeFrom: probeOffset, dayCounts: db.NewVersionsCache[[]DayCount]([]string{db.VersionVisits, db.VersionOrg}, dayCountsCacheSize),
		// The rows show the visit, its customer's name and grade and its
		// owner's name: the visits, customers and org versions.
		overdue: db.NewVersionsCache[[]PlanRow]([]string{db.VersionVisits, db.VersionCustomers, db.VersionOrg}, dayCountsCacheSize),
		// The same reads as the overdue panel, and the participants
		// (visit_participants bumps visits).
		pages: db.NewVersionsCache[planPage]([]string{db.VersionVisits, db.VersionCustomers, db.VersionOrg}, dayCountsCacheSize).
			Weighed(func(p planPage) int { return len(p.rows) + 1 }, pageCacheRows)}
}

// OverduePlans is ListPlans of f (an OverdueAt filter without count),
// kept under key while no visit, customer or person was written. The
// caller puts in key everything f depends on: the scope, whose visits
// (f.Mine) and f.OverdueAt, which it takes to the minute.
func (s *Store) OverduePlans(ctx context.Context, scope authz.ListScope, f PlanFilter, key string) ([]PlanRow, error) {
	return s.overdue.Get(ctx, s.db, key, func(ctx context.Context) ([]PlanRow, error) {
		rows, _, err := s.ListPlans(ctx, scope, f)
		return rows, err
	})
}

// DB exposes the handle for the audit writer inside a transaction.
func (s *Store) DB() *gorm.DB { return s.db }

// Tx runs fn in a transaction with a Store bound to it; inside db.WithTx
// it joins the caller's transaction, so a change spanning modules commits once.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return db.WithTx(ctx, s.db, func(ctx context.Context) error { return fn(&Store{db: db.Conn(ctx, s.db)}) })
}

// Plan loads a live plan.
func (s *Store) Plan(ctx context.Context, id uint) (*Plan, error) {
	var p Plan
	if err := db.Conn(ctx, s.db).First(&p, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("visit %d", id))
	}
	return &p, nil
}

// CreatePlan inserts p with its key persons and participants.
func (s *Store) CreatePlan(ctx context.Context, p *Plan, contacts, participants []uint) error {
	p.Version = 1
	if err := db.Conn(ctx, s.db).Create(p).Error; err != nil {
		return fmt.Errorf("create visit: %w", err)
	}
	return s.setLinks(ctx, p.ID, contacts, participants)
}

func (s *Store) setLinks(ctx context.Context, visitID uint, contacts, participants []uint) error {
	tx := db.Conn(ctx, s.db)
	if err := tx.Where("visit_id = ?", visitID).Delete(&VisitContact{}).Error; err != nil {
		return err
	}
	if err := tx.Where("visit_id = ?", visitID).Delete(&Participant{}).Error; err != nil {
		return err
	}
	for _, c := range contacts {
		if err := tx.Create(&VisitContact{VisitID: visitID, ContactID: c}).Error; err != nil {
			return err
		}
	}
	for _, u := range participants {
		if err := tx.Create(&Participant{VisitID: visitID, UserID: u}).Error; err != nil {
			return err
		}
	}
	return nil
}

// SavePlan writes every column of p (and replaces its links when given)
// under optimistic locking, stamping updated_at with now.
func (s *Store) SavePlan(ctx context.Context, p *Plan, contacts, participants []uint, links bool, now time.Time) error {
	if err := db.SaveVersioned(ctx, s.db, p, now); err != nil {
		return err
	}
	if links {
		return s.setLinks(ctx, p.ID, contacts, participants)
	}
	return nil
}

// Links returns the key persons and participants of plans.
func (s *Store) Links(ctx context.Context, ids []uint) (contacts, participants map[uint][]uint, err error) {
	contacts, participants = map[uint][]uint{}, map[uint][]uint{}
	if len(ids) == 0 {
		return contacts, participants, nil
	}
	var vc []VisitContact
	if err := db.Conn(ctx, s.db).Where("visit_id IN ?", ids).Find(&vc).Error; err != nil {
		return nil, nil, err
	}
	for _, x := range vc {
		contacts[x.VisitID] = append(contacts[x.VisitID], x.ContactID)
	}
	var vp []Participant
	if err := db.Conn(ctx, s.db).Where("visit_id IN ?", ids).Find(&vp).Error; err != nil {
		return nil, nil, err
	}
	for _, x := range vp {
		participants[x.VisitID] = append(participants[x.VisitID], x.UserID)
	}
	return contacts, participants, nil
}

// Record loads the record of a visit, or ErrNotFound.
func (s *Store) Record(ctx context.Context, visitID uint) (*Record, error) {
	var r Record
	if err := db.Conn(ctx, s.db).Where("visit_id = ?", visitID).First(&r).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("record of visit %d", visitID))
	}
	return &r, nil
}

// Records loads the records of visits, by visit id.
func (s *Store) Records(ctx context.Context, visitIDs []uint) (map[uint]Record, error) {
	out := map[uint]Record{}
	if len(visitIDs) == 0 {
		return out, nil
	}
	var rs []Record
	if err := db.Conn(ctx, s.db).Where("visit_id IN ?", visitIDs).Find(&rs).Error; err != nil {
		return nil, err
	}
	for _, r := range rs {
		out[r.VisitID] = r
	}
	return out, nil
}

// CreateRecord inserts r.
func (s *Store) CreateRecord(ctx context.Context, r *Record) error {
	r.Version = 1
	return db.Conn(ctx, s.db).Create(r).Error
}

// SaveRecord writes every column of r under optimistic locking.
func (s *Store) SaveRecord(ctx context.Context, r *Record, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, r, now)
}

// PlanFilter selects plans. The permission scope is not part of it: the
// query methods take an authz.ListScope (applied on the customers table).
// Mine, when set, keeps plans the user owns or joins.
type PlanFilter struct {
	Mine       uint
	CustomerID uint
	From, To   *time.Time
	Statuses   []string
	// OverdueAt keeps planned visits that ended before it.
	OverdueAt *time.Time
	Desc      bool
	// UpcomingFrom, when set, orders the visits from it on first, soonest
	// first, then the earlier ones, latest first (Desc is then ignored).
	UpcomingFrom *time.Time
	Limit        int
	Offset       int
	// OwnerID keeps the plans of one owner; TeamID those whose owner is
	// in the team; BranchID those whose owner works in the branch (the
	// calendar's drill-downs from a day's count).
	OwnerID, TeamID, BranchID uint
	// NoCount skips the total (ListPlans then returns -1): callers that
	// show no pager must not pay for counting the scope.
	NoCount bool
	// After keeps the plans after this position in the order by start
	// (PlanPosition), for keyset pages stable under inserts (the API);
	// not with UpcomingFrom.
	After []any
	// joined are the plans Mine takes part in without owning them
	// (resolveMine).
	joined []uint
	// keep lets ListPlans keep the answer under the data versions: set
	// only where the bounds are day boundaries (the list, the calendar),
	// never "now".
	keep bool
}

// maxJoined bounds the visits one takes part in that "mine" lists
// besides one's own: the latest ones (a person joins a few a week).
const maxJoined = 1000

// resolveMine looks up the visits f.Mine takes part in (one indexed
// query), so planQuery can filter "mine" with values.
func (s *Store) resolveMine(ctx context.Context, f PlanFilter) (PlanFilter, error) {
	if f.Mine == 0 {
		return f, nil
	}
	f.joined = nil
	err := db.Conn(ctx, s.db).Table("visit_participants").Where("user_id = ?", f.Mine).
		Order("visit_id DESC").Limit(maxJoined).Pluck("visit_id", &f.joined).Error
	if err != nil {
		return f, fmt.Errorf("visits joined: %w", err)
	}
	return f, nil
}

// CountCap bounds how far a visit list counts: past it the pager says
// "10,000+" instead of counting a director's or the admin's hundreds of
// thousands of visits on every page.
const CountCap = 10_000

// PlanRow is a plan with its customer's name and grade and its owner's
// name (lists that span several people show whose visit it is).
type PlanRow struct {
	Plan
	CustomerName  string
	CustomerGrade string
	OwnerName     string
}

func (s *Store) planQuery(ctx context.Context, scope authz.ListScope, f PlanFilter) *gorm.DB {
	q := planConds(prospects.ScopedCustomers(db.Conn(ctx, s.db).Model(&Plan{}).
		Joins("JOIN customers ON customers.id = visit_plans.customer_id AND customers.deleted_at IS NULL"), scope), f)
	if f.OverdueAt != nil {
		// Ends = starts + duration; compare in Go-independent SQL: a plan
		// is overdue once it started more than its duration ago. The
		// longest duration is 12 h, so filter coarsely here and exactly in Go.
		q = q.Where("visit_plans.status = ? AND visit_plans.starts_at < ?", StatusPlanned, *f.OverdueAt)
		if lvl := scope.Level(); lvl == authz.ScopeOwn || lvl == authz.ScopeTeam {
			// Start from the scope's customers (a team's 2,000 of the
			// province's 100,000) and read each one's planned visits
			// (idx_visit_plans_customer_planned): PostgreSQL takes planned
			// visits to be mostly past, so it otherwise read every overdue
			// visit of the province backwards and probed its customer
			// (38 ms for a chief rep, docs/performance.md § Overdue
			// visits). On PostgreSQL OFFSET 0 keeps the customers a query
			// of their own, which the planner joins first (SQLite has no
			// such estimate to correct, and wants LIMIT before OFFSET);
			// the scope on the outer query stays as it is.
			customers := prospects.ScopedCustomers(db.Conn(ctx, s.db).Table("customers").Select("customers.id").
				Where("customers.deleted_at IS NULL"), scope)
			fence := ""
			if s.db.Dialector.Name() == db.Postgres {
				fence = " OFFSET 0"
			}
			q = q.Where("visit_plans.customer_id IN (SELECT id FROM (?) AS scoped"+fence+")", customers)
		}
	}
	return q
}

// planConds narrows q, a statement over visit_plans, to f's own
// conditions (those on the visits' columns; the overdue filter and the
// scope are planQuery's, over the customers it joins).
func planConds(q *gorm.DB, f PlanFilter) *gorm.DB {
	if f.Mine != 0 {
		// The visits one joins are looked up first (resolveMine): "owner_id
		// = ? OR id IN (SELECT … participants)" cannot use an index, so
		// PostgreSQL read every planned visit of the province for a chief
		// rep's home (issue 19); with the ids as values both halves are an
		// index range.
		if len(f.joined) == 0 {
			q = q.Where("visit_plans.owner_id = ?", f.Mine)
		} else {
			q = q.Where("(visit_plans.owner_id = ? OR visit_plans.id IN ?)", f.Mine, f.joined)
		}
	}
	if f.OwnerID != 0 {
		q = q.Where("visit_plans.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		q = q.Where("visit_plans.owner_id IN (SELECT id FROM users WHERE team_id = ?)", f.TeamID)
	}
	if f.BranchID != 0 {
		q = q.Where("visit_plans.owner_id IN (SELECT users.id FROM users LEFT JOIN teams ON teams.id = users.team_id WHERE "+
			ownerBranch+" = ?)", f.BranchID)
	}
	if f.CustomerID != 0 {
		q = q.Where("visit_plans.customer_id = ?", f.CustomerID)
	}
	if f.From != nil {
		q = q.Where("visit_plans.starts_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("visit_plans.starts_at < ?", *f.To)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("visit_plans.status IN ?", f.Statuses)
	}
	return q
}

// MaxPlans bounds every visit list: a list without a page size (a
// calendar week, a day's agenda) gets at most this many rows, so no page
// loads a scope's whole year of visits.
const MaxPlans = 2000

// ListPlans returns plans with customer names, ordered by start time, at
// most f.Limit (MaxPlans when unset), and their total capped at
// CountCap+1 (-1 with f.NoCount).
//
// A filter marked keep (the visit list's pages, the calendar's weeks and
// months) is kept per scope and filter until a visit, a participant, a
// customer or a person is written (the visits, customers and org
// versions): a chief rep's team list tests ~1,300 upcoming visits of the
// province for the team's customers and counts up to 10,001, and the
// same page is opened again and again while nothing changed. Its bounds
// are the caller's day boundaries, never "now". The rows are the
// caller's own copy.
func (s *Store) ListPlans(ctx context.Context, scope authz.ListScope, f PlanFilter) ([]PlanRow, int64, error) {
	key := ""
	if f.keep && s.pages != nil {
		key = planPageKey(scope, f)
	}
	p, err := s.pages.Get(ctx, s.db, key, func(ctx context.Context) (planPage, error) {
		rows, total, err := s.listPlans(ctx, scope, f)
		return planPage{rows, total}, err
	})
	return slices.Clone(p.rows), p.total, err
}

// planPageKey names everything a kept ListPlans depends on: the scope
// and every field of f ("" for a zero scope or a cursor page).
func planPageKey(scope authz.ListScope, f PlanFilter) string {
	if scope.IsZero() || len(f.After) > 0 || f.OverdueAt != nil {
		return ""
	}
	at := func(t *time.Time) int64 {
		if t == nil {
			return -1
		}
		return t.UnixNano()
	}
	return fmt.Sprintf("%s|mine=%d|customer=%d|from=%d|to=%d|up=%d|st=%q|desc=%t|limit=%d|offset=%d|owner=%d|team=%d|branch=%d|nocount=%t",
		scope.Key(), f.Mine, f.CustomerID, at(f.From), at(f.To), at(f.UpcomingFrom), f.Statuses, f.Desc, f.Limit, f.Offset,
		f.OwnerID, f.TeamID, f.BranchID, f.NoCount)
}

func (s *Store) listPlans(ctx context.Context, scope authz.ListScope, f PlanFilter) ([]PlanRow, int64, error) {
	f, err := s.resolveMine(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	total := int64(-1)
	if !f.NoCount {
		count := func(ctx context.Context) error {
			return s.countCapped(ctx, s.planQuery(ctx, scope, f), CountCap+1, &total)
		}
		if scope.Level() == authz.ScopeBranch && len(f.Statuses) > 0 {
			// A branch's visits in a status: the planner read every such
			// visit of the province (50,000 cancelled: 38-200 ms) and
			// hashed the branch's customers, where the branch's ~7,700
			// customers each probing their visits' index-only entries
			// take ~22.
			err = db.WithPlannerSettings(ctx, s.db, db.ProbeFromCustomers(), count)
		} else {
			err = count(db.MayLag(ctx))
		}
		if err != nil {
			return nil, 0, fmt.Errorf("count visits: %w", err)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPlans {
		limit = MaxPlans
	}
	if f.UpcomingFrom != nil {
		out, err := s.upcomingFirst(ctx, scope, f, limit)
		return out, total, err
	}
	var out []PlanRow
	if err := db.Page(s.rowQuery(ctx, scope, f), planKeys(f.Desc), f.After, limit, f.Offset).Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list visits: %w", err)
	}
	return out, total, nil
}

// planKeys is the order by start time, then the id.
func planKeys(desc bool) []db.Key {
	return []db.Key{{Expr: "visit_plans.starts_at", Desc: desc}, {Expr: "visit_plans.id", Desc: desc}}
}

// PlanPosition is r's position in the order by start, for PlanFilter.After.
func PlanPosition(r *PlanRow) []any { return []any{r.StartsAt, r.ID} }

// countCapped counts the rows of q, at most limit of them. The error of
// q (a zero scope) is returned as is: the wrapping query would lose it.
func (s *Store) countCapped(ctx context.Context, q *gorm.DB, limit int, n *int64) error {
	capped := q.Select("1").Limit(limit)
	if capped.Error != nil {
		return capped.Error
	}
	return db.Conn(ctx, s.db).Table("(?) AS capped", capped).Count(n).Error
}

// rowQuery is planQuery with the columns of a PlanRow.
func (s *Store) rowQuery(ctx context.Context, scope authz.ListScope, f PlanFilter) *gorm.DB {
	return s.planQuery(ctx, scope, f).Joins("LEFT JOIN users AS owners ON owners.id = visit_plans.owner_id").
		Select("visit_plans.*, customers.name AS customer_name, customers.grade AS customer_grade, owners.name AS owner_name")
}

// upcomingFirst reads a page of "from f.UpcomingFrom on first, soonest
// first, then the earlier ones, latest first" as two queries that each
// read a range of starts_at in index order: one ORDER BY CASE … over both
// groups sorted every visit of the scope (3.6 s for the admin's list at
// province scale, issue 19). The first query counts the upcoming visits
// only as far as the page needs (offset + limit).
func (s *Store) upcomingFirst(ctx context.Context, scope authz.ListScope, f PlanFilter, limit int) ([]PlanRow, error) {
	at := *f.UpcomingFrom
	var up int64
	none, err := s.noneUpcoming(ctx, f.Statuses, at)
	if err != nil {
		return nil, err
	}
	if !none {
		if err := s.countCapped(ctx, s.planQuery(ctx, scope, f).Where("visit_plans.starts_at >= ?", at), f.Offset+limit, &up); err != nil {
			return nil, fmt.Errorf("count upcoming visits: %w", err)
		}
	}
	var out []PlanRow
	if int64(f.Offset) < up {
		q := s.rowQuery(ctx, scope, f).Where("visit_plans.starts_at >= ?", at).Order("visit_plans.starts_at ASC, visit_plans.id ASC").Limit(limit)
		if s.probes(scope, f, f.Offset) {
			q = q.Where("visit_plans.id IN (?)", s.probedPage(ctx, scope, f, at, false, f.Offset, limit))
		} else {
			q = q.Offset(f.Offset)
		}
		if err := q.Scan(&out).Error; err != nil {
			return nil, fmt.Errorf("list upcoming visits: %w", err)
		}
	}
	if rest := limit - len(out); rest > 0 {
		var past []PlanRow
		offset := int(max(int64(f.Offset)-up, 0))
		q := s.rowQuery(ctx, scope, f).Where("visit_plans.starts_at < ?", at).Order("visit_plans.starts_at DESC, visit_plans.id DESC").Limit(rest)
		if s.probes(scope, f, offset) {
			q = q.Where("visit_plans.id IN (?)", s.probedPage(ctx, scope, f, at, true, offset, rest))
		} else {
			q = q.Offset(offset)
		}
		if err := q.Scan(&past).Error; err != nil {
			return nil, fmt.Errorf("list past visits: %w", err)
		}
		out = append(out, past...)
	}
	return out, nil
}

// probes tells whether upcomingFirst finds a page at offset by its ids
// first (probedPage): on PostgreSQL, from probeFrom rows on, for a
// branch's or a team's list (the customers bound the scope) and for the
// whole province's.
func (s *Store) probes(scope authz.ListScope, f PlanFilter, offset int) bool {
	lvl := scope.Level()
	return s.probeFrom > 0 && offset >= s.probeFrom && f.OverdueAt == nil && s.db.Dialector.Name() == db.Postgres &&
		(lvl == authz.ScopeBranch || lvl == authz.ScopeTeam || lvl == authz.ScopeAll)
}

// probedPage is the ids of a page (offset, limit) of the scope's visits
// from at on in start order, or (past) before at latest first; the rows
// are then read by id.
//
// A branch's or a team's: each customer of the scope reads its first
// offset+limit such visits along idx_visit_plans_customer (customer,
// start, id: index-only, migration 00073) through a fenced LATERAL, and
// those are sorted and the page's ids kept. The province's: the visits
// alone in start order, each tested against the few deleted customers
// (an anti-join), instead of joined to its customer and its owner before
// the offset was skipped (the admin's page 400: ~50 -> ~4 ms of SQL).
func (s *Store) probedPage(ctx context.Context, scope authz.ListScope, f PlanFilter, at time.Time, past bool, offset, limit int) *gorm.DB {
	conn := db.Conn(ctx, s.db)
	when, order, outer := "visit_plans.starts_at >= ?", "visit_plans.starts_at ASC, visit_plans.id ASC", "v.starts_at ASC, v.id ASC"
	if past {
		when, order, outer = "visit_plans.starts_at < ?", "visit_plans.starts_at DESC, visit_plans.id DESC", "v.starts_at DESC, v.id DESC"
	}
	if scope.Level() == authz.ScopeAll {
		return planConds(conn.Table("visit_plans").Select("visit_plans.id").
			Where("visit_plans.deleted_at IS NULL AND "+db.LiveCustomerOf("visit_plans.customer_id")).Where(when, at), f).
			Order(order).Limit(limit).Offset(offset)
	}
	customers := prospects.ScopedCustomers(conn.Table("customers").Select("customers.id").Where("customers.deleted_at IS NULL"), scope)
	theirs := planConds(conn.Table("visit_plans").Select("visit_plans.id, visit_plans.starts_at").
		Where("visit_plans.customer_id = scoped.id AND visit_plans.deleted_at IS NULL").Where(when, at), f).
		Order(order).Limit(offset + limit)
	return conn.Table("(?) AS scoped", customers).Joins("CROSS JOIN LATERAL (SELECT * FROM (?) AS theirs OFFSET 0) AS v", theirs).
		Select("v.id").Order(outer).Limit(limit).Offset(offset)
}

// noneUpcoming reports whether no visit of the province in one of
// statuses, none of them planned, starts at or after at: a visit done,
// missed or cancelled lies in the past but for a few. PostgreSQL,
// estimating the status and the time apart, expected thousands of a
// branch's visits done from today on, and to find a page of them early
// in a walk of the branch's customers read all 100,000 customers for
// none (a director's visits filtered to done: 28-33 ms of the page's
// ~48). One probe of (status, starts_at) answers it for every scope.
func (s *Store) noneUpcoming(ctx context.Context, statuses []string, at time.Time) (bool, error) {
	if len(statuses) == 0 || slices.Contains(statuses, StatusPlanned) {
		return false, nil
	}
	var found []int
	err := db.Conn(ctx, s.db).Raw("SELECT 1 FROM visit_plans WHERE status IN ? AND starts_at >= ? AND deleted_at IS NULL LIMIT 1",
		statuses, at).Scan(&found).Error
	if err != nil {
		return false, fmt.Errorf("upcoming visits %v: %w", statuses, err)
	}
	return len(found) == 0, nil
}

// SetToken stores the hash of a user's calendar token, replacing any.
func (s *Store) SetToken(ctx context.Context, userID uint, hash string, now time.Time) error {
	return db.Conn(ctx, s.db).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", userID).Delete(&CalendarToken{}).Error; err != nil {
			return err
		}
		return tx.Create(&CalendarToken{UserID: userID, TokenHash: hash, CreatedAt: now.UTC()}).Error
	})
}

// DeleteToken revokes a user's calendar token.
func (s *Store) DeleteToken(ctx context.Context, userID uint) error {
	return db.Conn(ctx, s.db).Where("user_id = ?", userID).Delete(&CalendarToken{}).Error
}

// TokenOf returns a user's token row, or ErrNotFound.
func (s *Store) TokenOf(ctx context.Context, userID uint) (*CalendarToken, error) {
	var t CalendarToken
	if err := db.Conn(ctx, s.db).Where("user_id = ?", userID).First(&t).Error; err != nil {
		return nil, db.NotFound(err, "calendar token")
	}
	return &t, nil
}

// UserByToken returns the user id of a token hash, or ErrNotFound.
func (s *Store) UserByToken(ctx context.Context, hash string) (uint, error) {
	var t CalendarToken
	err := db.Conn(ctx, s.db).Where("token_hash = ?", hash).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, apperr.ErrNotFound
	}
	return t.UserID, err
}

// CreateTodo inserts a to-do.
func (s *Store) CreateTodo(ctx context.Context, t *Todo) error {
	if err := db.Conn(ctx, s.db).Create(t).Error; err != nil {
		return fmt.Errorf("create to-do: %w", err)
	}
	return nil
}

// Todo loads a to-do by id, or apperr.ErrNotFound.
func (s *Store) Todo(ctx context.Context, id uint) (*Todo, error) {
	var t Todo
	if err := db.Conn(ctx, s.db).First(&t, id).Error; err != nil {
		return nil, db.NotFound(err, "to-do")
	}
	return &t, nil
}

// TodoOfVisit returns the to-do a visit's record made, or ErrNotFound.
func (s *Store) TodoOfVisit(ctx context.Context, visitID uint) (*Todo, error) {
	var t Todo
	if err := db.Conn(ctx, s.db).Where("visit_id = ?", visitID).First(&t).Error; err != nil {
		return nil, db.NotFound(err, "to-do")
	}
	return &t, nil
}

// CompleteTodo marks an open to-do done; false when it was done already.
func (s *Store) CompleteTodo(ctx context.Context, id, by uint, at time.Time) (bool, error) {
	res := db.Conn(ctx, s.db).Model(&Todo{}).Where("id = ? AND done_at IS NULL", id).
		Updates(map[string]any{"done_at": at, "done_by": by, "updated_at": at})
	return res.RowsAffected == 1, res.Error
}

// OpenTodos lists an owner's open to-dos due on or before until, within
// scope, oldest first.
func (s *Store) OpenTodos(ctx context.Context, scope authz.ListScope, ownerID uint, until time.Time, limit int) ([]TodoRow, error) {
	var out []TodoRow
	err := scope.Apply(db.Conn(ctx, s.db).Model(&Todo{}).
		Joins("JOIN customers ON customers.id = visit_todos.customer_id AND customers.deleted_at IS NULL"), customerCols).
		Where("visit_todos.owner_id = ? AND visit_todos.done_at IS NULL AND visit_todos.due_date <= ?", ownerID, until).
		Select("visit_todos.*, customers.name AS customer_name").
		Order("visit_todos.due_date, visit_todos.id").Limit(limit).Scan(&out).Error
	return out, err
}

// DayCount is how many plans of one group (a branch, a team, or one
// owner) fall on one day of a calendar.
type DayCount struct {
	Day  int    `gorm:"column:day_ix"`   // the day's index: bounds[Day] ≤ starts_at < bounds[Day+1]
	Key  uint   `gorm:"column:grp_key"`  // the branch's or team's id (0: an owner in none) or the owner's id
	Name string `gorm:"column:grp_name"` // the branch's, team's or owner's name
	N    int64  `gorm:"column:n"`
}

// Calendar groupings of CountByDay. Each is also the visit list's query
// parameter of the drill-down from a count (…&team=7).
const (
	ByBranch = "branch"
	ByTeam   = "team"
	ByOwner  = "owner"
)

// ownerBranch is the branch a visit's owner works in, in SQL over users
// and their team: a seller's team's branch, or a director's own (no team).
const ownerBranch = "COALESCE(teams.branch_id, users.branch_id, 0)"

// dayCountsCacheSize bounds the calendar counts cache (scopes × months).
const dayCountsCacheSize = 1000

// dayCountsKey is the cache key of CountByDay, or "" for what the visits
// version does not follow: "mine" (the visits one joins) and the overdue
// filter (it moves with the clock).
func dayCountsKey(scope authz.ListScope, f PlanFilter, bounds []time.Time, by string) string {
	if scope.IsZero() || f.Mine != 0 || f.OverdueAt != nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s|by=%s|customer=%d|owner=%d|team=%d|branch=%d|statuses=%s|", scope.Key(), by, f.CustomerID, f.OwnerID, f.TeamID, f.BranchID, strings.Join(f.Statuses, ","))
	for _, t := range bounds {
		fmt.Fprintf(&b, "%d,", t.UnixNano())
	}
	return b.String()
}

// dayIndex writes, for a row whose col is in [bounds[lo], bounds[hi+1]),
// the SQL of its day's index (bounds[i] ≤ col < bounds[i+1]) and appends
// its parameters: CASEs nested as a binary search, so each visit of a
// month is compared with five or six day boundaries, not with half of
// its 35 one after the other (the admin's month counts ~80,000 visits:
// first look after a write ~57 → ~47 ms on PostgreSQL, ~600 → ~520 on
// SQLite).
func dayIndex(b *strings.Builder, vars *[]any, col string, bounds []time.Time, lo, hi int) {
	if lo == hi {
		fmt.Fprintf(b, "%d", lo)
		return
	}
	mid := (lo + hi + 1) / 2
	b.WriteString("CASE WHEN " + col + " < ? THEN ")
	*vars = append(*vars, bounds[mid])
	dayIndex(b, vars, col, bounds, lo, mid-1)
	b.WriteString(" ELSE ")
	dayIndex(b, vars, col, bounds, mid, hi)
	b.WriteString(" END")
}

// CountByDay counts the plans of f per day and per branch or team of
// their owner (by ByBranch, ByTeam) or per owner (ByOwner), the days
// given by consecutive bounds in the caller's time zone (so days need no
// time-zone arithmetic in SQL). One aggregate statement: a director's
// month is ~30 × 5 rows, not the ~14,000 visits of the branch. The
// admin's month still counts ~96,000 visits, so the counts are kept per
// scope, filter and days until the next write to a visit, to a
// customer's owner, team, branch, chief rep or deletion (migration 00026
// bumps the visits version in that transaction), or to a user, team or
// branch (the org version, migration 00031).
func (s *Store) CountByDay(ctx context.Context, scope authz.ListScope, f PlanFilter, bounds []time.Time, by string) ([]DayCount, error) {
	if len(bounds) < 2 {
		return nil, nil
	}
	load := func(ctx context.Context) ([]DayCount, error) { return s.countByDay(ctx, scope, f, bounds, by) }
	if key := dayCountsKey(scope, f, bounds, by); key != "" {
		out, err := s.dayCounts.Get(ctx, s.db, key, load)
		return slices.Clone(out), err // the cached slice stays as computed
	}
	return load(ctx)
}

// halfMonthDays is how many days a calendar's counts must span for
// countByDay to count them in two halves side by side: a month's view
// (35 days) of the province is ~96,000 visits, one statement on one core
// (the admin's first look after a write ~64 ms on PostgreSQL, ~283 on
// SQLite).
const halfMonthDays = 14

func (s *Store) countByDay(ctx context.Context, scope authz.ListScope, f PlanFilter, bounds []time.Time, by string) ([]DayCount, error) {
	f, err := s.resolveMine(ctx, f)
	if err != nil {
		return nil, err
	}
	days := len(bounds) - 1
	if days < halfMonthDays || s.spare == nil {
		return s.countDays(ctx, scope, f, bounds, by)
	}
	// The halves' days are apart, so their rows are too: the second's
	// days shifted by the first's, after it in the order (day first).
	mid := days / 2
	var halves [2][]DayCount
	err = s.spare.Each(2, db.AtOnce(ctx, 2), func(i int) (err error) {
		if i == 0 {
			halves[0], err = s.countDays(ctx, scope, f, bounds[:mid+1], by)
		} else {
			halves[1], err = s.countDays(ctx, scope, f, bounds[mid:], by)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range halves[1] {
		halves[1][i].Day += mid
	}
	return append(halves[0], halves[1]...), nil
}

// countDays is countByDay in one statement, f's Mine resolved.
func (s *Store) countDays(ctx context.Context, scope authz.ListScope, f PlanFilter, bounds []time.Time, by string) ([]DayCount, error) {
	f.From, f.To = &bounds[0], &bounds[len(bounds)-1]
	var day strings.Builder
	vars := make([]any, 0, len(bounds))
	dayIndex(&day, &vars, "visit_plans.starts_at", bounds, 0, len(bounds)-2)
	// First per day and owner, then the owners' few thousand rows joined
	// to their team and branch: joined before, each of the admin's ~80,000
	// visits of a month probed its owner, team and branch.
	perOwner := func(q *gorm.DB) *gorm.DB {
		return q.Select(day.String()+" AS day_ix, visit_plans.owner_id AS owner_id, COUNT(*) AS n", vars...).Group("1, 2")
	}
	conn := db.Conn(ctx, s.db)
	var counts *gorm.DB
	if scope.Level() == authz.ScopeAll && f.OverdueAt == nil {
		// The province: every live visit less the deleted customers', one
		// pass along idx_visit_plans_starts_cover instead of a probe of
		// each visit's customer (first look after a write: ~140 → ~55 ms
		// on PostgreSQL).
		all := perOwner(planConds(conn.Model(&Plan{}), f))
		gone := perOwner(planConds(db.OfDeletedCustomers(conn.Model(&Plan{}), "visit_plans"), f))
		counts = db.Difference(conn, all, gone, []string{"day_ix", "owner_id"}, "n")
	} else {
		counts = perOwner(s.planQuery(ctx, scope, f))
	}
	q := conn.Table("(?) AS per", counts).Where("per.n > 0").Joins("LEFT JOIN users ON users.id = per.owner_id")
	key, name := "per.owner_id", "COALESCE(users.name, '')"
	switch by {
	case ByTeam:
		q = q.Joins("LEFT JOIN teams ON teams.id = users.team_id")
		key, name = "COALESCE(users.team_id, 0)", "COALESCE(teams.name, '')"
	case ByBranch:
		q = q.Joins("LEFT JOIN teams ON teams.id = users.team_id").
			Joins("LEFT JOIN branches ON branches.id = " + ownerBranch)
		key, name = ownerBranch, "COALESCE(branches.name, '')"
	}
	var out []DayCount
	// Positional GROUP BY: "name" would be ambiguous with the joined
	// tables' columns.
	err := q.Select("per.day_ix AS day_ix, " + key + " AS grp_key, " + name + " AS grp_name, CAST(SUM(per.n) AS BIGINT) AS n").
		Group("1, 2, 3").Order("1, 3, 2").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("count visits by day: %w", err)
	}
	return out, nil
}
