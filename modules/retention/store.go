package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store is the only place in this module that talks to the database. The
// score reads usage_months, customer_services, contracts,
// service_requests, callbacks and care_last_contacts read-only, each in
// one grouped statement over every customer (no query per customer).
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on d.
func NewStore(d *gorm.DB) *Store { return &Store{db: d} }

// DB is the base handle (db.WithTx, the audit writer).
func (s *Store) DB() *gorm.DB { return s.db }

func (s *Store) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

func (s *Store) postgres() bool { return s.db.Dialector.Name() == db.Postgres }

// liveCustomer joins each row's live customer, whose columns the scope
// reads: a score or an alert is visible exactly when its customer is.
func liveCustomer(table string) string {
	return "JOIN customers ON customers.id = " + table + ".customer_id AND customers.deleted_at IS NULL"
}

// --- facts of the score

// LatestMonth is the latest month with usage rows (0: none).
func (s *Store) LatestMonth(ctx context.Context) (int, error) {
	var ym *int
	if err := s.conn(ctx).Table("usage_months").Select("MAX(ym)").Scan(&ym).Error; err != nil {
		return 0, fmt.Errorf("latest usage month: %w", err)
	}
	if ym == nil {
		return 0, nil
	}
	return *ym, nil
}

// revenueRow is one customer's revenue of the two windows.
type revenueRow struct {
	CustomerID uint
	RecentFen  money.Fen
	PriorFen   money.Fen
}

// Revenue sums each customer's revenue in the recent window (from
// recentFrom to latest) and the prior one (from priorFrom to before
// recentFrom), over every source.
func (s *Store) Revenue(ctx context.Context, priorFrom, recentFrom, latest int) ([]revenueRow, error) {
	var out []revenueRow
	err := s.conn(ctx).Table("usage_months").Joins(liveCustomer("usage_months")).
		Select("usage_months.customer_id, SUM(CASE WHEN usage_months.ym >= ? THEN usage_months.revenue_fen ELSE 0 END) AS recent_fen, "+
			"SUM(CASE WHEN usage_months.ym < ? THEN usage_months.revenue_fen ELSE 0 END) AS prior_fen", recentFrom, recentFrom).
		Where("usage_months.ym BETWEEN ? AND ?", priorFrom, latest).
		Group("usage_months.customer_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("revenue windows: %w", err)
	}
	return out, nil
}

// droppedRow is a product a customer dropped, named in both languages.
type droppedRow struct {
	CustomerID     uint
	NameZh, NameEn string
}

// Dropped lists the products each customer paid for between from and the
// month before latest and not in latest.
func (s *Store) Dropped(ctx context.Context, from, latest int) ([]droppedRow, error) {
	var out []droppedRow
	err := s.conn(ctx).Table("usage_months").Joins(liveCustomer("usage_months")).
		Joins("JOIN products ON products.id = usage_months.product_id").
		Select("usage_months.customer_id, products.name_zh, products.name_en").
		Where("usage_months.ym BETWEEN ? AND ?", from, latest).
		Group("usage_months.customer_id, usage_months.product_id, products.name_zh, products.name_en").
		Having("SUM(CASE WHEN usage_months.ym < ? THEN usage_months.revenue_fen ELSE 0 END) > 0 AND SUM(CASE WHEN usage_months.ym = ? THEN usage_months.revenue_fen ELSE 0 END) <= 0", latest, latest).
		Order("usage_months.customer_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("dropped products: %w", err)
	}
	return out, nil
}

// endRow is a customer's contract ending on a day.
type endRow struct {
	CustomerID uint
	EndOn      db.ScanTime
	Name       string
}

// CompetitorEnds lists the competitors' contracts of the customer
// analyses ending between from and to, soonest first per customer.
func (s *Store) CompetitorEnds(ctx context.Context, from, to time.Time) ([]endRow, error) {
	var out []endRow
	err := s.conn(ctx).Table("customer_services").Joins(liveCustomer("customer_services")).
		Select("customer_services.customer_id, customer_services.contract_end AS end_on, customer_services.supplier AS name").
		Where("customer_services.deleted_at IS NULL AND customer_services.supplier <> ?", "self").
		Where("customer_services.contract_end >= ? AND customer_services.contract_end <= ?", from, to).
		Order("customer_services.customer_id, customer_services.contract_end").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("competitor contracts: %w", err)
	}
	return out, nil
}

// inForce are the contract statuses of a contract in force (as
// contracts.InForce).
var inForce = []string{"signed", "active", "expiring"}

// ContractEnds lists our contracts in force ending between from and to
// that nobody has started to renew: no renewal (a contract naming it as
// predecessor, draft or later, not terminated) exists.
func (s *Store) ContractEnds(ctx context.Context, from, to time.Time) ([]endRow, error) {
	var out []endRow
	err := s.conn(ctx).Table("contracts").Joins(liveCustomer("contracts")).
		Select("contracts.customer_id, contracts.end_on, contracts.number AS name").
		Where("contracts.deleted_at IS NULL AND contracts.is_current = ? AND contracts.status IN ? AND contracts.renewed_by_id IS NULL", true, inForce).
		Where("contracts.end_on >= ? AND contracts.end_on <= ?", from, to).
		Where("NOT EXISTS (SELECT 1 FROM contracts AS renewal WHERE renewal.predecessor_id = COALESCE(contracts.root_id, contracts.id) AND renewal.deleted_at IS NULL AND renewal.status NOT IN ?)",
			[]string{"terminated", "superseded"}).
		Order("contracts.customer_id, contracts.end_on").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("contracts ending: %w", err)
	}
	return out, nil
}

// complaintRow counts a customer's open and recently breached complaints.
type complaintRow struct {
	CustomerID uint
	OpenN      int
	BreachedN  int
}

// openRequestStatuses are aftersale's open statuses (aftersale.OpenStatuses).
var openRequestStatuses = []string{"open", "in_progress", "reopened"}

// Complaints counts each customer's open complaints and the complaints
// logged since whose response or resolution deadline was breached.
func (s *Store) Complaints(ctx context.Context, since time.Time) ([]complaintRow, error) {
	breached := "(service_requests.breached_at IS NOT NULL OR service_requests.resp_breached_at IS NOT NULL) AND service_requests.created_at >= ?"
	var out []complaintRow
	err := s.conn(ctx).Table("service_requests").Joins(liveCustomer("service_requests")).
		Select("service_requests.customer_id, SUM(CASE WHEN service_requests.status IN ? THEN 1 ELSE 0 END) AS open_n, "+
			"SUM(CASE WHEN "+breached+" THEN 1 ELSE 0 END) AS breached_n", openRequestStatuses, since).
		Where("service_requests.deleted_at IS NULL AND service_requests.kind = ?", "complaint").
		Where("(service_requests.status IN ? OR ("+breached+"))", openRequestStatuses, since).
		Group("service_requests.customer_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	return out, nil
}

// callbackRow counts a customer's low call-backs and their lowest answer.
type callbackRow struct {
	CustomerID uint
	N          int
	Lowest     int
}

// LowCallbacks counts the call-backs done since with an answer (1–5) at
// or below low, and the lowest answer among them.
func (s *Store) LowCallbacks(ctx context.Context, since time.Time, low int) ([]callbackRow, error) {
	least := "MIN(callbacks.q_attitude, callbacks.q_skill, callbacks.q_speed, callbacks.q_result)"
	if s.postgres() {
		least = "LEAST(callbacks.q_attitude, callbacks.q_skill, callbacks.q_speed, callbacks.q_result)"
	}
	var out []callbackRow
	err := s.conn(ctx).Table("callbacks").Joins(liveCustomer("callbacks")).
		Select("callbacks.customer_id, COUNT(*) AS n, MIN("+least+") AS lowest").
		Where("callbacks.status = ? AND callbacks.done_at >= ?", "done", since).
		Where(least+" BETWEEN 1 AND ?", low).
		Group("callbacks.customer_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("low call-backs: %w", err)
	}
	return out, nil
}

// careRow is a customer whose last care contact is before the cutoff (or
// who has none).
type careRow struct {
	CustomerID    uint
	LastContactOn db.ScanTime
}

// careStatuses are the customers the care plan covers (aftersale.CareStatuses).
var careStatuses = []string{"active", "dormant"}

// CareOverdue lists the customers of the care plan with no care contact
// on or after cutoff.
func (s *Store) CareOverdue(ctx context.Context, cutoff time.Time) ([]careRow, error) {
	var out []careRow
	err := s.conn(ctx).Table("customers").
		Joins("LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id").
		Select("customers.id AS customer_id, care_last_contacts.last_contact_on").
		Where("customers.deleted_at IS NULL AND customers.status IN ?", careStatuses).
		Where("(care_last_contacts.last_contact_on IS NULL OR care_last_contacts.last_contact_on < ?)", cutoff).
		Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("care overdue: %w", err)
	}
	return out, nil
}

// ReplaceScores rewrites churn_scores with scores, in batches, in ctx's
// transaction.
func (s *Store) ReplaceScores(ctx context.Context, scores []Score) error {
	g := s.conn(ctx)
	if err := g.Exec("DELETE FROM churn_scores").Error; err != nil {
		return fmt.Errorf("clear churn scores: %w", err)
	}
	if len(scores) == 0 {
		return nil
	}
	if err := g.CreateInBatches(scores, 500).Error; err != nil {
		return fmt.Errorf("write churn scores: %w", err)
	}
	return nil
}

// ScoreOf returns a customer's score (ErrNotFound: no risk factor at the
// last run, or no run yet).
func (s *Store) ScoreOf(ctx context.Context, customerID uint) (*Score, error) {
	var out Score
	err := s.conn(ctx).Where("customer_id = ?", customerID).Take(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("churn score %d: %w", customerID, err)
	}
	return &out, nil
}

// candidate is a customer at or above the threshold without an open alert.
type candidate struct {
	CustomerID uint
	OwnerID    uint
	Score      int
	Factors    string
}

// Candidates lists the customers scoring at least threshold that have no
// unfinished alert and no alert closed since closedSince (an outcome was
// just recorded; the next alert waits for the cool-down).
func (s *Store) Candidates(ctx context.Context, threshold int, closedSince time.Time) ([]candidate, error) {
	var out []candidate
	err := s.conn(ctx).Table("churn_scores").Joins(liveCustomer("churn_scores")).
		Select("churn_scores.customer_id, customers.owner_id, churn_scores.score, churn_scores.factors").
		Where("churn_scores.score >= ?", threshold).
		Where("NOT EXISTS (SELECT 1 FROM retention_alerts WHERE retention_alerts.customer_id = churn_scores.customer_id AND retention_alerts.deleted_at IS NULL AND (retention_alerts.status <> ? OR retention_alerts.outcome_at >= ?))", StatusClosed, closedSince).
		Order("churn_scores.customer_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("alert candidates: %w", err)
	}
	return out, nil
}

// InsertAlerts inserts alerts in batches; a customer that got an
// unfinished alert meanwhile (the partial unique index) is skipped.
func (s *Store) InsertAlerts(ctx context.Context, alerts []Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(alerts, 500).Error; err != nil {
		return fmt.Errorf("open alerts: %w", err)
	}
	return nil
}

// OpenedAt lists the alerts opened at exactly at (the job's run), with
// their customers' names.
func (s *Store) OpenedAt(ctx context.Context, at time.Time) ([]AlertRow, error) {
	var out []AlertRow
	err := s.conn(ctx).Model(&Alert{}).Joins(liveCustomer("retention_alerts")).
		Select(alertColumns).Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Where("retention_alerts.opened_at = ? AND retention_alerts.deleted_at IS NULL", at).
		Order("retention_alerts.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("alerts opened: %w", err)
	}
	return out, nil
}

// --- alerts

// Alert reads a live alert.
func (s *Store) Alert(ctx context.Context, id uint) (*Alert, error) {
	var out Alert
	err := s.conn(ctx).Where("id = ? AND deleted_at IS NULL", id).Take(&out).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("retention alert %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("retention alert %d: %w", id, err)
	}
	return &out, nil
}

// SaveAlert writes a changed alert if its version is still version-1's
// predecessor (optimistic lock): the caller bumped Version.
func (s *Store) SaveAlert(ctx context.Context, a *Alert, now time.Time) error {
	a.UpdatedAt = now
	res := s.conn(ctx).Model(&Alert{}).Where("id = ? AND version = ? AND deleted_at IS NULL", a.ID, a.Version-1).
		Select("*").Omit("id", "created_at").Updates(a)
	if res.Error != nil {
		return fmt.Errorf("save retention alert %d: %w", a.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.ErrConflict
	}
	return nil
}

// AlertsOfCustomer lists a customer's alerts, newest first.
func (s *Store) AlertsOfCustomer(ctx context.Context, customerID uint) ([]Alert, error) {
	var out []Alert
	err := s.conn(ctx).Where("customer_id = ? AND deleted_at IS NULL", customerID).Order("opened_at DESC, id DESC").Limit(50).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("alerts of customer %d: %w", customerID, err)
	}
	return out, nil
}

// Filter narrows the queue.
type Filter struct {
	// Status: "" unfinished (open or acted), open, acted, closed,
	// overdue (unfinished past its running deadline), all.
	Status string
	TeamID uint
	// OwnerID narrows to one owner's customers (the home panel: mine).
	OwnerID uint
	// Sort: score (default, highest first), due, opened.
	Sort   string
	Now    time.Time
	Limit  int
	Offset int
}

// Sorts are the queue's sort keys.
var Sorts = []string{"score", "due", "opened"}

// AlertRow is an alert in the queue with its customer and owner.
type AlertRow struct {
	Alert
	CustomerName string
	OwnerName    string
	TeamID       uint
}

const alertColumns = "retention_alerts.*, customers.name AS customer_name, customers.team_id AS team_id, users.name AS owner_name"

func (s *Store) alertQuery(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	q := prospects.ScopedCustomers(s.conn(ctx).Model(&Alert{}).Joins(liveCustomer("retention_alerts")), scope).
		Where("retention_alerts.deleted_at IS NULL")
	switch f.Status {
	case "all":
	case StatusOpen, StatusActed, StatusClosed:
		q = q.Where("retention_alerts.status = ?", f.Status)
	case "overdue":
		q = q.Where("retention_alerts.status <> ? AND retention_alerts.due_at <= ?", StatusClosed, f.Now)
	default:
		q = q.Where("retention_alerts.status <> ?", StatusClosed)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	return q
}

func alertOrder(sort string) []db.Key {
	switch sort {
	case "due":
		return []db.Key{{Expr: "retention_alerts.due_at"}, {Expr: "retention_alerts.id"}}
	case "opened":
		return []db.Key{{Expr: "retention_alerts.opened_at", Desc: true}, {Expr: "retention_alerts.id", Desc: true}}
	}
	return []db.Key{{Expr: "retention_alerts.score", Desc: true}, {Expr: "retention_alerts.id"}}
}

// ListAlerts returns a page of the alerts within scope and their count.
func (s *Store) ListAlerts(ctx context.Context, scope authz.ListScope, f Filter) ([]AlertRow, int64, error) {
	var total int64
	if err := s.alertQuery(ctx, scope, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count retention alerts: %w", err)
	}
	q := s.alertQuery(ctx, scope, f).Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Select(alertColumns).Order(db.Order(alertOrder(f.Sort)))
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var out []AlertRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list retention alerts: %w", err)
	}
	return out, total, nil
}

// EachAlert calls fn with batches of the alerts matching f within scope
// (the export), in the list's order, through the keyset reader.
func (s *Store) EachAlert(ctx context.Context, scope authz.ListScope, f Filter, fn func([]AlertRow) error) error {
	f.Limit, f.Offset = 0, 0
	keys := alertOrder(f.Sort)
	keyOf := func(r *AlertRow) []any {
		switch f.Sort {
		case "due":
			return []any{r.DueAt, r.ID}
		case "opened":
			return []any{r.OpenedAt, r.ID}
		}
		return []any{r.Score, r.ID}
	}
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return (&Store{db: tx}).alertQuery(ctx, scope, f).Joins("LEFT JOIN users ON users.id = customers.owner_id").Select(alertColumns)
	}, keys, keyOf, 1000, fn)
}

// RiskRow is an at-risk customer: its score, team and owner, and its
// unfinished alert if any.
type RiskRow struct {
	CustomerID   uint
	CustomerName string
	Score        int
	TeamID       uint
	TeamName     string
	OwnerName    string
	AlertID      uint
	AlertStatus  string
}

func (s *Store) riskQuery(ctx context.Context, scope authz.ListScope, threshold int, teamID uint) *gorm.DB {
	q := prospects.ScopedCustomers(s.conn(ctx).Table("churn_scores").Joins(liveCustomer("churn_scores")), scope).
		Where("churn_scores.score >= ?", threshold)
	if teamID != 0 {
		q = q.Where("customers.team_id = ?", teamID)
	}
	return q
}

const riskColumns = "churn_scores.customer_id, customers.name AS customer_name, churn_scores.score, customers.team_id, teams.name AS team_name, users.name AS owner_name, COALESCE(retention_alerts.id, 0) AS alert_id, COALESCE(retention_alerts.status, '') AS alert_status"

func riskJoins(q *gorm.DB) *gorm.DB {
	return q.Joins("LEFT JOIN teams ON teams.id = customers.team_id").
		Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Joins("LEFT JOIN retention_alerts ON retention_alerts.customer_id = churn_scores.customer_id AND retention_alerts.status <> ? AND retention_alerts.deleted_at IS NULL", StatusClosed).
		Select(riskColumns)
}

// AtRisk returns a page of the customers at or above threshold within
// scope, by team then score, and their count.
func (s *Store) AtRisk(ctx context.Context, scope authz.ListScope, threshold int, teamID uint, limit, offset int) ([]RiskRow, int64, error) {
	var total int64
	if err := s.riskQuery(ctx, scope, threshold, teamID).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count at-risk customers: %w", err)
	}
	var out []RiskRow
	q := riskJoins(s.riskQuery(ctx, scope, threshold, teamID)).Order(db.Order(riskOrder))
	if limit > 0 {
		q = q.Limit(limit).Offset(offset)
	}
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("at-risk customers: %w", err)
	}
	return out, total, nil
}

var riskOrder = []db.Key{{Expr: "customers.team_id"}, {Expr: "churn_scores.score", Desc: true}, {Expr: "churn_scores.customer_id"}}

// EachAtRisk is AtRisk in batches (the export).
func (s *Store) EachAtRisk(ctx context.Context, scope authz.ListScope, threshold int, teamID uint, fn func([]RiskRow) error) error {
	keyOf := func(r *RiskRow) []any { return []any{r.TeamID, r.Score, r.CustomerID} }
	return db.EachBatch(ctx, s.db, func(tx *gorm.DB) *gorm.DB {
		return riskJoins((&Store{db: tx}).riskQuery(ctx, scope, threshold, teamID))
	}, riskOrder, keyOf, 1000, fn)
}

// DueRow is an unfinished alert the escalation job looks at.
type DueRow struct {
	Alert
	CustomerName string
	ChiefRepID   *uint
	TeamID       uint
	BranchID     uint
}

// Due lists the unfinished alerts with a warning or an escalation due at
// now (the job; no permission scope: it acts for the system).
func (s *Store) Due(ctx context.Context, now time.Time) ([]DueRow, error) {
	var out []DueRow
	err := s.conn(ctx).Model(&Alert{}).Joins(liveCustomer("retention_alerts")).
		Select("retention_alerts.*, customers.name AS customer_name, customers.chief_rep_id, customers.team_id, customers.branch_id").
		Where("retention_alerts.status <> ? AND retention_alerts.deleted_at IS NULL", StatusClosed).
		Where("((retention_alerts.warned_at IS NULL AND retention_alerts.warn_at <= ? AND retention_alerts.due_at > ?) OR (retention_alerts.escalation < 1 AND retention_alerts.due_at <= ?) OR (retention_alerts.escalation < 2 AND retention_alerts.director_at <= ?))",
			now, now, now, now).
		Order("retention_alerts.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("retention alerts due: %w", err)
	}
	return out, nil
}

// MarkWarned sets an alert's warning; it reports whether this call set it.
// It bumps the version, so a form read before it is a conflict.
func (s *Store) MarkWarned(ctx context.Context, id uint, dueAt, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Alert{}).
		Where("id = ? AND status <> ? AND warned_at IS NULL AND due_at = ?", id, StatusClosed, dueAt).
		UpdateColumns(map[string]any{"warned_at": now, "version": gorm.Expr("version + 1"), "updated_at": now})
	return res.RowsAffected == 1, res.Error
}

// Escalate raises an alert's escalation to level (recording the breach at
// the first); it reports whether this call raised it.
func (s *Store) Escalate(ctx context.Context, id uint, dueAt time.Time, level int, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Alert{}).
		Where("id = ? AND status <> ? AND escalation < ? AND due_at = ?", id, StatusClosed, level, dueAt).
		UpdateColumns(map[string]any{"escalation": level, "breached_at": gorm.Expr("COALESCE(breached_at, ?)", now),
			"version": gorm.Expr("version + 1"), "updated_at": now})
	return res.RowsAffected == 1, res.Error
}

// TeamCount is a team's at-risk customers and unfinished alerts.
type TeamCount struct {
	TeamID   uint
	TeamName string
	AtRisk   int
	Open     int
	Overdue  int
}

// TeamCounts counts per team the customers at or above threshold within
// scope, their unfinished alerts and those past their deadline.
func (s *Store) TeamCounts(ctx context.Context, scope authz.ListScope, threshold int, now time.Time) ([]TeamCount, error) {
	var out []TeamCount
	err := s.riskQuery(ctx, scope, threshold, 0).
		Joins("LEFT JOIN teams ON teams.id = customers.team_id").
		Joins("LEFT JOIN retention_alerts ON retention_alerts.customer_id = churn_scores.customer_id AND retention_alerts.status <> ? AND retention_alerts.deleted_at IS NULL", StatusClosed).
		Select("customers.team_id, teams.name AS team_name, COUNT(*) AS at_risk, COUNT(retention_alerts.id) AS open, "+
			"SUM(CASE WHEN retention_alerts.due_at <= ? THEN 1 ELSE 0 END) AS overdue", now).
		Group("customers.team_id, teams.name").Order("customers.team_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("at-risk by team: %w", err)
	}
	return out, nil
}
