package aftersale

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store is the only place in this module that talks to the database.
// Every query goes through db.Conn, so a call inside db.WithTx joins the
// caller's transaction. The care list reads visit plans and customers,
// and the care events contacts and contracts, read-only (care_store.go).
type Store struct {
	db *gorm.DB
	// carePages keeps the care list's pages with their counts
	// (KeptCareList).
	carePages *db.VersionCache[keptCarePage]
}

// NewStore returns a Store on d.
func NewStore(d *gorm.DB) *Store {
	return &Store{db: d, carePages: db.NewVersionsCache[keptCarePage](careListVersions, careListsKept)}
}

// DB is the base handle (for db.WithTx and the audit writer).
func (s *Store) DB() *gorm.DB { return s.db }

func (s *Store) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

// customerJoin joins each row's live customer, whose columns the
// permission scope reads: an after-sale record is visible exactly when its
// customer is.
func customerJoin(table string) string {
	return "JOIN customers ON customers.id = " + table + ".customer_id AND customers.deleted_at IS NULL"
}

// --- settings

// Settings returns a branch's settings, or the defaults when it has none.
func (s *Store) Settings(ctx context.Context, branchID uint) (Settings, error) {
	var out Settings
	err := s.conn(ctx).Where("branch_id = ?", branchID).Take(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Defaults(branchID), nil
	}
	if err != nil {
		return out, fmt.Errorf("aftersale settings %d: %w", branchID, err)
	}
	return out, nil
}

// SettingsFor returns the settings of several branches at once.
func (s *Store) SettingsFor(ctx context.Context, branchIDs []uint) (map[uint]Settings, error) {
	out := make(map[uint]Settings, len(branchIDs))
	var rows []Settings
	if len(branchIDs) > 0 {
		if err := s.conn(ctx).Where("branch_id IN ?", branchIDs).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("aftersale settings: %w", err)
		}
	}
	for _, r := range rows {
		out[r.BranchID] = r
	}
	for _, id := range branchIDs {
		if _, ok := out[id]; !ok {
			out[id] = Defaults(id)
		}
	}
	return out, nil
}

// SaveSettings inserts a branch's first settings or updates them under
// optimistic locking.
func (s *Store) SaveSettings(ctx context.Context, st *Settings, now time.Time) error {
	if st.Version == 0 {
		st.Version, st.CreatedAt, st.UpdatedAt = 1, now, now
		if err := s.conn(ctx).Create(st).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return fmt.Errorf("aftersale settings %d: %w", st.BranchID, apperr.ErrConflict)
			}
			return fmt.Errorf("aftersale settings: %w", err)
		}
		return nil
	}
	return db.SaveVersioned(ctx, s.db, st, now)
}

// --- touches

// AddTouch records a light care contact.
func (s *Store) AddTouch(ctx context.Context, t *Touch) error {
	t.Version = 1
	if err := s.conn(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("care touch: %w", err)
	}
	return nil
}

// Touch loads one live touch.
func (s *Store) Touch(ctx context.Context, id uint) (*Touch, error) {
	var t Touch
	if err := s.conn(ctx).First(&t, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("care touch %d", id))
	}
	return &t, nil
}

// SaveTouch writes t under optimistic locking.
func (s *Store) SaveTouch(ctx context.Context, t *Touch, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, t, now)
}

// SoftDelete marks a live touch or key date (model) deleted at version;
// a changed or already deleted row is a conflict.
func (s *Store) SoftDelete(ctx context.Context, model any, id uint, version int, by uint, now time.Time) error {
	res := s.conn(ctx).Model(model).Where("id = ? AND version = ?", id, version).
		UpdateColumns(map[string]any{"deleted_at": now, "updated_by": by, "updated_at": now, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return fmt.Errorf("delete %T %d: %w", model, id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete %T %d (stale version %d): %w", model, id, version, apperr.ErrConflict)
	}
	return nil
}

// TouchesOf lists a customer's touches, newest first.
func (s *Store) TouchesOf(ctx context.Context, customerID uint, limit int) ([]Touch, error) {
	var out []Touch
	return out, s.conn(ctx).Where("customer_id = ?", customerID).Order("touched_on DESC, id DESC").Limit(limit).Find(&out).Error
}

// --- requests

// CreateRequest inserts a request.
func (s *Store) CreateRequest(ctx context.Context, r *Request) error {
	r.Version = 1
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("create service request: %w", err)
	}
	return nil
}

// Request loads one live request.
func (s *Store) Request(ctx context.Context, id uint) (*Request, error) {
	var r Request
	if err := s.conn(ctx).First(&r, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("service request %d", id))
	}
	return &r, nil
}

// SaveRequest writes r under optimistic locking.
func (s *Store) SaveRequest(ctx context.Context, r *Request, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, r, now)
}

// AddEvent records a step of a request.
func (s *Store) AddEvent(ctx context.Context, e *Event) error {
	if err := s.conn(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("service request event: %w", err)
	}
	return nil
}

// Events lists a request's steps, oldest first.
func (s *Store) Events(ctx context.Context, requestID uint) ([]Event, error) {
	var out []Event
	return out, s.conn(ctx).Where("request_id = ?", requestID).Order("at, id").Find(&out).Error
}

// EventsOfCustomer lists the steps of every request of a customer.
func (s *Store) EventsOfCustomer(ctx context.Context, customerID uint) ([]Event, error) {
	var out []Event
	return out, s.conn(ctx).Where("customer_id = ?", customerID).Order("at, id").Limit(500).Find(&out).Error
}

// RequestFilter narrows the request lists. View is "" (all in scope),
// "mine" (first responder or handler), "breaching" (open, either clock —
// response or resolution — past its 80 % mark and not yet breached) or
// "breached" (either clock breached).
type RequestFilter struct {
	View       string
	Me         uint
	Now        time.Time
	CustomerID uint
	Status     string
	Severity   string
	Kind       string
	Category   string
	OwnerID    uint
	TeamID     uint
	Q          string
	Limit      int
	Offset     int
}

// RequestRow is a request in a list, with its customer and people.
type RequestRow struct {
	Request
	CustomerName string
	OwnerID      uint
	TeamID       uint
	HandlerName  string
}

func (s *Store) requestQuery(ctx context.Context, scope authz.ListScope, f RequestFilter) *gorm.DB {
	q := prospects.ScopedCustomers(s.conn(ctx).Model(&Request{}).Joins(customerJoin("service_requests")), scope)
	switch f.View {
	case "mine":
		q = q.Where("(service_requests.handler_id = ? OR service_requests.first_responder_id = ?)", f.Me, f.Me)
	case "team":
		// the scope is the team already; nothing narrower
	case "breaching":
		// Either clock past its 80 % mark and not yet breached.
		var conds []string
		var args []any
		for _, t := range slaTimers {
			conds = append(conds, fmt.Sprintf("(%s AND service_requests.%s <= ? AND service_requests.%s > ?)", t.Running, t.Warn, t.Due))
			args = append(args, f.Now, f.Now)
		}
		q = q.Where("service_requests.status IN ?", OpenStatuses).Where("("+strings.Join(conds, " OR ")+")", args...)
	case "breached":
		// Either clock's breach recorded, or its deadline passed while
		// it runs (before the job's next run).
		var conds []string
		var args []any
		for _, t := range slaTimers {
			conds = append(conds, fmt.Sprintf("service_requests.%s IS NOT NULL OR (service_requests.status IN ? AND %s AND service_requests.%s <= ?)", t.Breached, t.Running, t.Due))
			args = append(args, OpenStatuses, f.Now)
		}
		q = q.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	if f.CustomerID != 0 {
		q = q.Where("service_requests.customer_id = ?", f.CustomerID)
	}
	if f.Status == "open" {
		q = q.Where("service_requests.status IN ?", OpenStatuses)
	} else if f.Status != "" {
		q = q.Where("service_requests.status = ?", f.Status)
	}
	if f.Severity != "" {
		q = q.Where("service_requests.severity = ?", f.Severity)
	}
	if f.Kind != "" {
		q = q.Where("service_requests.kind = ?", f.Kind)
	}
	if f.Category != "" {
		q = q.Where("service_requests.category = ?", f.Category)
	}
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	if f.Q != "" {
		// The one search fold (db.Contains): width, case and LIKE escapes.
		cond, args := db.Contains(f.Q, "customers.search_text", "LOWER(service_requests.description)")
		q = q.Where(cond, args...)
	}
	return q
}

// ListRequests returns a page of requests within scope and their count.
func (s *Store) ListRequests(ctx context.Context, scope authz.ListScope, f RequestFilter) ([]RequestRow, int64, error) {
	var total int64
	if err := s.requestQuery(db.MayLag(ctx), scope, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count service requests: %w", err)
	}
	q := s.requestQuery(ctx, scope, f).
		Joins("LEFT JOIN users ON users.id = service_requests.handler_id").
		Select(requestColumns).
		Order("service_requests.resolve_due_at ASC, service_requests.id DESC")
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var out []RequestRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list service requests: %w", err)
	}
	return out, total, nil
}

// requestColumns are what a RequestRow reads.
const requestColumns = "service_requests.*, customers.name AS customer_name, customers.owner_id AS owner_id, customers.team_id AS team_id, users.name AS handler_name"

// EachRequest calls fn with batches of the requests matching f within
// scope (exports), in the list's order (due first, then newest): the
// keyset reader walks that same order in one read snapshot, so every row
// comes exactly once however many there are (paging with OFFSET dropped
// and repeated rows as the list changed underneath).
func (s *Store) EachRequest(ctx context.Context, scope authz.ListScope, f RequestFilter, fn func([]RequestRow) error) error {
	f.Limit, f.Offset = 0, 0
	keys := []db.Key{{Expr: "service_requests.resolve_due_at"}, {Expr: "service_requests.id", Desc: true}}
	keyOf := func(r *RequestRow) []any { return []any{r.ResolveDueAt, r.ID} }
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return (&Store{db: tx}).requestQuery(ctx, scope, f).
			Joins("LEFT JOIN users ON users.id = service_requests.handler_id").
			Select(requestColumns)
	}, keys, keyOf, 1000, fn)
}

// DueRow is an open request the SLA job looks at, with whom to tell.
type DueRow struct {
	Request
	CustomerName string
	OwnerID      uint
	ChiefRepID   *uint
	TeamID       uint
	BranchID     uint
}

// SLADue lists the open requests with a warning or an escalation due at
// now on either clock (job; no permission scope: it acts for the system).
func (s *Store) SLADue(ctx context.Context, now time.Time) ([]DueRow, error) {
	var conds []string
	var args []any
	for _, t := range slaTimers {
		conds = append(conds, fmt.Sprintf("(%s AND ((service_requests.%s IS NULL AND service_requests.%s <= ?) OR (service_requests.%s < 1 AND service_requests.%s <= ?) OR (service_requests.%s < 2 AND service_requests.%s <= ?)))",
			t.Running, t.Warned, t.Warn, t.Level, t.Due, t.Level, t.Director))
		args = append(args, now, now, now)
	}
	var out []DueRow
	err := s.conn(ctx).Model(&Request{}).Joins(customerJoin("service_requests")).
		Select("service_requests.*, customers.name AS customer_name, customers.owner_id AS owner_id, customers.chief_rep_id AS chief_rep_id, customers.team_id AS team_id, customers.branch_id AS branch_id").
		Where("service_requests.status IN ?", OpenStatuses).
		Where(strings.Join(conds, " OR "), args...).
		Order("service_requests.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("sla due: %w", err)
	}
	return out, nil
}

// MarkWarned sets the 80 % warning of one clock of a request's cycle; it
// reports whether this call set it (false: someone already did, or the
// clock stopped meanwhile). It bumps the version, so a user's save of a
// copy read before it is a conflict instead of wiping the mark.
func (s *Store) MarkWarned(ctx context.Context, t slaTimer, id uint, cycle int, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Request{}).
		Where("id = ? AND cycle = ? AND status IN ? AND "+t.Warned+" IS NULL AND "+t.Running, id, cycle, OpenStatuses).
		UpdateColumns(map[string]any{t.Warned: now, "version": gorm.Expr("version + 1")})
	return res.RowsAffected == 1, res.Error
}

// Escalate raises one clock's escalation to level (recording its breach
// at the first); it reports whether this call raised it. The condition
// level < level makes each level happen once, whichever instance gets
// there first; like MarkWarned it bumps the version.
func (s *Store) Escalate(ctx context.Context, t slaTimer, id uint, cycle, level int, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Request{}).
		Where("id = ? AND cycle = ? AND status IN ? AND "+t.Level+" < ? AND "+t.Running, id, cycle, OpenStatuses, level).
		UpdateColumns(map[string]any{t.Level: level, t.Breached: gorm.Expr("COALESCE("+t.Breached+", ?)", now), "version": gorm.Expr("version + 1")})
	return res.RowsAffected == 1, res.Error
}

// ResolvedBefore lists the requests resolved before cutoff per branch
// (the auto-close job): each with its customer's branch.
func (s *Store) ResolvedBefore(ctx context.Context, cutoff time.Time) ([]DueRow, error) {
	var out []DueRow
	err := s.conn(ctx).Model(&Request{}).Joins(customerJoin("service_requests")).
		Select("service_requests.*, customers.name AS customer_name, customers.owner_id AS owner_id, customers.branch_id AS branch_id").
		Where("service_requests.status = ? AND service_requests.resolved_at <= ?", StatusResolved, cutoff).
		Order("service_requests.id").Scan(&out).Error
	return out, err
}

// OpenOfCustomer lists a customer's open requests (the pre-visit brief).
func (s *Store) OpenOfCustomer(ctx context.Context, customerID uint) ([]Request, error) {
	var out []Request
	return out, s.conn(ctx).Where("customer_id = ? AND status IN ?", customerID, OpenStatuses).Order("resolve_due_at").Limit(20).Find(&out).Error
}

// --- callbacks

// CreateCallback inserts a task unless one with its source key exists; it
// reports whether it did.
func (s *Store) CreateCallback(ctx context.Context, c *Callback) (bool, error) {
	c.Version = 1
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "source_key"}}, DoNothing: true}).Create(c)
	if res.Error != nil {
		return false, fmt.Errorf("create callback: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// Callback loads one task.
func (s *Store) Callback(ctx context.Context, id uint) (*Callback, error) {
	var c Callback
	if err := s.conn(ctx).First(&c, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("callback %d", id))
	}
	return &c, nil
}

// SaveCallback writes c under optimistic locking.
func (s *Store) SaveCallback(ctx context.Context, c *Callback, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, c, now)
}

// CallbackFilter narrows the call-back lists.
type CallbackFilter struct {
	Status     string
	CustomerID uint
	OwnerID    uint
	TeamID     uint
	Limit      int
	Offset     int
}

// CallbackRow is a call-back with its customer.
type CallbackRow struct {
	Callback
	CustomerName string
	OwnerID      uint
	TeamID       uint
	OwnerName    string
}

func (s *Store) callbackQuery(ctx context.Context, scope authz.ListScope, f CallbackFilter) *gorm.DB {
	q := prospects.ScopedCustomers(s.conn(ctx).Model(&Callback{}).Joins(customerJoin("callbacks")), scope)
	if f.Status != "" {
		q = q.Where("callbacks.status = ?", f.Status)
	}
	if f.CustomerID != 0 {
		q = q.Where("callbacks.customer_id = ?", f.CustomerID)
	}
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	return q
}

// ListCallbacks returns a page of call-backs within scope and their count
// (open ones by due date, done ones newest first).
func (s *Store) ListCallbacks(ctx context.Context, scope authz.ListScope, f CallbackFilter) ([]CallbackRow, int64, error) {
	var total int64
	if err := s.callbackQuery(db.MayLag(ctx), scope, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count callbacks: %w", err)
	}
	order := "callbacks.due_on ASC, callbacks.id"
	if f.Status == "done" {
		order = "callbacks.done_at DESC, callbacks.id DESC"
	}
	q := s.callbackQuery(ctx, scope, f).Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Select("callbacks.*, customers.name AS customer_name, customers.owner_id AS owner_id, customers.team_id AS team_id, users.name AS owner_name").
		Order(order)
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var out []CallbackRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list callbacks: %w", err)
	}
	return out, total, nil
}

// ScoreStat is the call-back results of one manager or team.
type ScoreStat struct {
	ID     uint
	Name   string
	Count  int64
	SumAll int64
	Yes    int64
}

// Average is the mean score (all four questions) in tenths.
func (s ScoreStat) Average() int64 {
	if s.Count == 0 {
		return 0
	}
	return s.SumAll * 10 / (s.Count * 4)
}

// RecommendPct is the share answering "would recommend" in percent.
func (s ScoreStat) RecommendPct() int64 {
	if s.Count == 0 {
		return 0
	}
	return s.Yes * 100 / s.Count
}

// ScoreStats sums the done call-backs within scope per manager ("owner")
// or team ("team").
func (s *Store) ScoreStats(ctx context.Context, scope authz.ListScope, by string) ([]ScoreStat, error) {
	key, name, join := "customers.owner_id", "users.name", "LEFT JOIN users ON users.id = customers.owner_id"
	if by == "team" {
		key, name, join = "customers.team_id", "teams.name", "LEFT JOIN teams ON teams.id = customers.team_id"
	}
	var out []ScoreStat
	err := s.callbackQuery(ctx, scope, CallbackFilter{Status: "done"}).Joins(join).
		Select(key + " AS id, " + name + " AS name, COUNT(*) AS count, SUM(callbacks.q_attitude + callbacks.q_skill + callbacks.q_speed + callbacks.q_result) AS sum_all, SUM(CASE WHEN callbacks.recommend THEN 1 ELSE 0 END) AS yes").
		Group(key + ", " + name).Order(name).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("callback stats: %w", err)
	}
	return out, nil
}

// DoneOfCustomer lists a customer's done call-backs, oldest first (the
// trend).
func (s *Store) DoneOfCustomer(ctx context.Context, customerID uint) ([]Callback, error) {
	var out []Callback
	return out, s.conn(ctx).Where("customer_id = ? AND status = ?", customerID, "done").Order("done_at, id").Limit(200).Find(&out).Error
}

// --- care dates and done marks

// AddCareDate inserts a key date.
func (s *Store) AddCareDate(ctx context.Context, d *CareDate) error {
	d.Version = 1
	if err := s.conn(ctx).Create(d).Error; err != nil {
		return fmt.Errorf("care date: %w", err)
	}
	return nil
}

// CareDate loads one live key date.
func (s *Store) CareDate(ctx context.Context, id uint) (*CareDate, error) {
	var d CareDate
	if err := s.conn(ctx).First(&d, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("care date %d", id))
	}
	return &d, nil
}

// SaveCareDate writes d under optimistic locking.
func (s *Store) SaveCareDate(ctx context.Context, d *CareDate, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, d, now)
}

// CareDatesOf lists a customer's key dates.
func (s *Store) CareDatesOf(ctx context.Context, customerID uint) ([]CareDate, error) {
	var out []CareDate
	return out, s.conn(ctx).Where("customer_id = ?", customerID).Order("month, day, id").Find(&out).Error
}

// MarkDone records a care event as done; a second mark is a conflict.
func (s *Store) MarkDone(ctx context.Context, d *CareDone) error {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(d)
	if res.Error != nil {
		return fmt.Errorf("care done: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("care event %s already done: %w", d.EventKey, apperr.ErrConflict)
	}
	return nil
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// AverageText is the mean score with one decimal ("4.3").
func (s ScoreStat) AverageText() string {
	a := s.Average()
	return fmt.Sprintf("%d.%d", a/10, a%10)
}
