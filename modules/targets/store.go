package targets

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// Store is the only caller of GORM in the module. Every method that
// returns several rows takes the caller's authz.ListScope and applies it
// to the table's own owner/team/branch columns.
type Store struct {
	db *gorm.DB
	// weeksIn is the zone PostgreSQL's kept visit counts per week piece
	// count in, nil when they may not be read (UseVisitWeeks).
	weeksIn *time.Location
}

// UseVisitWeeks lets the visit lines of the actuals read the visits' kept
// counts per manager and week piece (migration 00050) for a month in loc:
// call it once visits.Store.KeepWeekCounts said they count in loc.
func (s *Store) UseVisitWeeks(loc *time.Location) { s.weeksIn = loc }

// NewStore returns the store on g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// cols are the scope columns of the module's tables (no chief rep: a
// target is an account manager's, and a chief rep reaches it through the
// team the manager belongs to).
func cols(table string) authz.Columns {
	return authz.Columns{Owner: table + ".owner_id", Team: table + ".team_id", Branch: table + ".branch_id"}
}

func (s *Store) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

// Targets lists the targets of the months for the given owners (nil: any
// owner) inside scope.
func (s *Store) Targets(ctx context.Context, scope authz.ListScope, months []string, owners []uint) ([]Target, error) {
	var out []Target
	err := s.targetsOf(ctx, scope, months, owners).Find(&out).Error
	return out, err
}

// targetsOf is the targets of months (and owners, unless nil) within
// scope, by owner and month.
func (s *Store) targetsOf(ctx context.Context, scope authz.ListScope, months []string, owners []uint) *gorm.DB {
	q := s.conn(ctx).Model(&Target{}).Where("monthly_targets.month IN ?", months)
	if owners != nil {
		q = q.Where("monthly_targets.owner_id IN ?", owners)
	}
	return scope.Apply(q, cols("monthly_targets")).Order("monthly_targets.owner_id, monthly_targets.month")
}

// TargetLines are Targets with what a report reads of them — the month,
// the manager and their team and branch, the lines and the version — and
// not who set them when (zero). Read with database/sql's Scan: the admin's
// year is 600 managers × 12 months, which GORM's reflection over every
// column of the struct took ~35 % of the attainment report's CPU to fill.
func (s *Store) TargetLines(ctx context.Context, scope authz.ListScope, months []string, owners []uint) ([]Target, error) {
	rows, err := s.targetsOf(ctx, scope, months, owners).
		Select("monthly_targets.id, monthly_targets.month, monthly_targets.owner_id, monthly_targets.team_id, monthly_targets.branch_id, " +
			"monthly_targets.visits, monthly_targets.ab_visits, monthly_targets.contacts, monthly_targets.signings, monthly_targets.mrc_fen, " +
			"monthly_targets.proposals, monthly_targets.version").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Nearly every owner has a target each month: one allocation up front
	// rather than a slice doubled a dozen times (the admin's year is
	// 7,200 targets).
	out := make([]Target, 0, len(months)*len(owners))
	// The month as the driver's bytes, given the string of months it
	// equals rather than a new one per row.
	var month sql.RawBytes
	for rows.Next() {
		var t Target
		var mrc int64
		if err := rows.Scan(&t.ID, &month, &t.OwnerID, &t.TeamID, &t.BranchID, &t.Visits, &t.ABVisits, &t.Contacts, &t.Signings, &mrc, &t.Proposals, &t.Version); err != nil {
			return nil, fmt.Errorf("target lines: %w", err)
		}
		t.Month, t.MRCFen = monthOf(month, months), money.Fen(mrc)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TargetSums are each of owners' targets added up over months: one
// Target per owner that has any, with OwnerID and the lines set.
func (s *Store) TargetSums(ctx context.Context, scope authz.ListScope, months []string, owners []uint) ([]Target, error) {
	rows, err := scope.Apply(s.conn(ctx).Model(&Target{}).
		Select("monthly_targets.owner_id, SUM(monthly_targets.visits), SUM(monthly_targets.ab_visits), SUM(monthly_targets.contacts), "+
			"SUM(monthly_targets.signings), SUM(monthly_targets.mrc_fen), SUM(monthly_targets.proposals)").
		Where("monthly_targets.month IN ? AND monthly_targets.owner_id IN ?", months, owners), cols("monthly_targets")).
		Group("monthly_targets.owner_id").Rows()
	if err != nil {
		return nil, fmt.Errorf("target sums: %w", err)
	}
	defer rows.Close()
	out := make([]Target, 0, len(owners))
	for rows.Next() {
		var t Target
		var mrc int64
		if err := rows.Scan(&t.OwnerID, &t.Visits, &t.ABVisits, &t.Contacts, &t.Signings, &mrc, &t.Proposals); err != nil {
			return nil, fmt.Errorf("target sums: %w", err)
		}
		t.MRCFen = money.Fen(mrc)
		out = append(out, t)
	}
	return out, rows.Err()
}

// monthOf is the element of months that text spells, or text as a new
// string when none does.
func monthOf(text []byte, months []string) string {
	for _, m := range months {
		if m == string(text) {
			return m
		}
	}
	return string(text)
}

// TargetFor returns one manager's target for a month (ErrNotFound if none).
func (s *Store) TargetFor(ctx context.Context, ownerID uint, month string) (*Target, error) {
	var t Target
	if err := s.conn(ctx).Where("owner_id = ? AND month = ?", ownerID, month).First(&t).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("target %d %s", ownerID, month))
	}
	return &t, nil
}

// CreateTarget inserts a target.
func (s *Store) CreateTarget(ctx context.Context, t *Target) error {
	t.Version = 1
	return s.conn(ctx).Create(t).Error
}

// SaveTarget writes a target under optimistic locking.
func (s *Store) SaveTarget(ctx context.Context, t *Target, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, t, now)
}

// Quotas lists the quotas of a year inside scope (managers' and teams').
func (s *Store) Quotas(ctx context.Context, scope authz.ListScope, year int) ([]Quota, error) {
	var out []Quota
	q := s.conn(ctx).Model(&Quota{}).Where("target_quotas.year = ?", year)
	err := scope.Apply(q, cols("target_quotas")).Order("target_quotas.team_id, target_quotas.owner_id").Find(&out).Error
	return out, err
}

// QuotaFor returns a manager's quota (ownerID > 0) or a team's (ownerID
// 0) for a year, ErrNotFound if none.
func (s *Store) QuotaFor(ctx context.Context, ownerID, teamID uint, year int) (*Quota, error) {
	var q Quota
	c := s.conn(ctx).Where("year = ?", year)
	if ownerID > 0 {
		c = c.Where("owner_id = ?", ownerID)
	} else {
		c = c.Where("owner_id IS NULL AND team_id = ?", teamID)
	}
	if err := c.First(&q).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("quota %d/%d %d", ownerID, teamID, year))
	}
	return &q, nil
}

// CreateQuota inserts a quota.
func (s *Store) CreateQuota(ctx context.Context, q *Quota) error {
	q.Version = 1
	return s.conn(ctx).Create(q).Error
}

// SaveQuota writes a quota under optimistic locking.
func (s *Store) SaveQuota(ctx context.Context, q *Quota, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, q, now)
}

// Reviews lists the reviews of the months inside scope, without lines.
func (s *Store) Reviews(ctx context.Context, scope authz.ListScope, months []string) ([]Review, error) {
	var out []Review
	q := s.conn(ctx).Model(&Review{}).Where("monthly_reviews.month IN ?", months)
	err := scope.Apply(q, cols("monthly_reviews")).Order("monthly_reviews.month DESC, monthly_reviews.owner_id").Find(&out).Error
	return out, err
}

// ReviewsOf lists one manager's reviews inside scope, newest month first.
func (s *Store) ReviewsOf(ctx context.Context, scope authz.ListScope, ownerID uint, limit int) ([]Review, error) {
	var out []Review
	q := s.conn(ctx).Model(&Review{}).Where("monthly_reviews.owner_id = ?", ownerID)
	err := scope.Apply(q, cols("monthly_reviews")).Order("monthly_reviews.month DESC").Limit(limit).Find(&out).Error
	return out, err
}

// ReasonCount is how many missed lines got a reason in a month.
type ReasonCount struct {
	Month  string
	Reason string
	N      int64
}

// ReasonCounts counts the reasons of submitted and signed-off reviews of
// the months inside scope, in one grouped query.
func (s *Store) ReasonCounts(ctx context.Context, scope authz.ListScope, months []string) ([]ReasonCount, error) {
	var out []ReasonCount
	q := s.conn(ctx).Table("review_lines").
		Select("monthly_reviews.month AS month, review_lines.reason AS reason, COUNT(*) AS n").
		Joins("JOIN monthly_reviews ON monthly_reviews.id = review_lines.review_id").
		Where("monthly_reviews.month IN ? AND monthly_reviews.status IN ? AND review_lines.reason <> ''", months, []string{StatusSubmitted, StatusSignedOff})
	err := scope.Apply(q, cols("monthly_reviews")).Group("monthly_reviews.month, review_lines.reason").Scan(&out).Error
	return out, err
}

// Review loads a review with its lines and history.
func (s *Store) Review(ctx context.Context, id uint) (*Review, error) {
	var r Review
	err := s.conn(ctx).Preload("Lines", func(q *gorm.DB) *gorm.DB { return q.Order("id") }).
		Preload("Events", func(q *gorm.DB) *gorm.DB { return q.Order("at, id") }).First(&r, id).Error
	if err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("review %d", id))
	}
	return &r, nil
}

// ReviewFor finds a manager's review of a month (ErrNotFound if none).
func (s *Store) ReviewFor(ctx context.Context, ownerID uint, month string) (*Review, error) {
	var r Review
	if err := s.conn(ctx).Select("id").Where("owner_id = ? AND month = ?", ownerID, month).First(&r).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("review %d %s", ownerID, month))
	}
	return s.Review(ctx, r.ID)
}

// CreateReview inserts a review and its lines.
func (s *Store) CreateReview(ctx context.Context, r *Review) error {
	r.Version = 1
	lines := r.Lines
	r.Lines, r.Events = nil, nil
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return err
	}
	r.Lines = lines
	return s.replaceLines(ctx, r)
}

// SaveReview writes the review row under optimistic locking and replaces
// its lines.
func (s *Store) SaveReview(ctx context.Context, r *Review, now time.Time) error {
	lines, events := r.Lines, r.Events
	r.Lines, r.Events = nil, nil
	err := db.SaveVersioned(ctx, s.db, r, now)
	r.Lines, r.Events = lines, events
	if err != nil {
		return err
	}
	return s.replaceLines(ctx, r)
}

func (s *Store) replaceLines(ctx context.Context, r *Review) error {
	if err := s.conn(ctx).Where("review_id = ?", r.ID).Delete(&ReviewLine{}).Error; err != nil {
		return err
	}
	for i := range r.Lines {
		r.Lines[i].ID = 0
		r.Lines[i].ReviewID = r.ID
	}
	if len(r.Lines) == 0 {
		return nil
	}
	return s.conn(ctx).Create(&r.Lines).Error
}

// AddEvent appends to a review's history.
func (s *Store) AddEvent(ctx context.Context, e *ReviewEvent) error {
	return s.conn(ctx).Create(e).Error
}
