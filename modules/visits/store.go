package visits

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// customerCols are where ownership lives: visits and to-dos are scoped
// by their customer.
var customerCols = authz.StandardColumns("customers")

// Store is the only place in this module that talks to the database.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on d.
func NewStore(d *gorm.DB) *Store { return &Store{db: d} }

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
}

// PlanRow is a plan with its customer's name and grade and its owner's
// name (lists that span several people show whose visit it is).
type PlanRow struct {
	Plan
	CustomerName  string
	CustomerGrade string
	OwnerName     string
}

func (s *Store) planQuery(ctx context.Context, scope authz.ListScope, f PlanFilter) *gorm.DB {
	q := scope.Apply(db.Conn(ctx, s.db).Model(&Plan{}).
		Joins("JOIN customers ON customers.id = visit_plans.customer_id AND customers.deleted_at IS NULL"), customerCols)
	if f.Mine != 0 {
		q = q.Where("(visit_plans.owner_id = ? OR visit_plans.id IN (SELECT visit_id FROM visit_participants WHERE user_id = ?))", f.Mine, f.Mine)
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
	if f.OverdueAt != nil {
		// Ends = starts + duration; compare in Go-independent SQL: a plan
		// is overdue once it started more than its duration ago. The
		// longest duration is 12 h, so filter coarsely here and exactly in Go.
		q = q.Where("visit_plans.status = ? AND visit_plans.starts_at < ?", StatusPlanned, *f.OverdueAt)
	}
	return q
}

// ListPlans returns plans with customer names, ordered by start time.
func (s *Store) ListPlans(ctx context.Context, scope authz.ListScope, f PlanFilter) ([]PlanRow, int64, error) {
	var total int64
	if err := s.planQuery(db.MayLag(ctx), scope, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count visits: %w", err)
	}
	var order any = "visit_plans.starts_at ASC, visit_plans.id ASC"
	switch {
	case f.UpcomingFrom != nil:
		// The two groups never mix, so the NULLs of the second key (which
		// the databases sort differently) only ever compare with each
		// other.
		order = clause.OrderBy{Expression: clause.Expr{
			SQL: "CASE WHEN visit_plans.starts_at >= ? THEN 0 ELSE 1 END, " +
				"CASE WHEN visit_plans.starts_at >= ? THEN visit_plans.starts_at END ASC, " +
				"visit_plans.starts_at DESC, visit_plans.id DESC",
			Vars: []any{*f.UpcomingFrom, *f.UpcomingFrom}, WithoutParentheses: true}}
	case f.Desc:
		order = "visit_plans.starts_at DESC, visit_plans.id DESC"
	}
	q := s.planQuery(ctx, scope, f).Joins("LEFT JOIN users AS owners ON owners.id = visit_plans.owner_id").
		Select("visit_plans.*, customers.name AS customer_name, customers.grade AS customer_grade, owners.name AS owner_name").Order(order)
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var out []PlanRow
	if err := q.Scan(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list visits: %w", err)
	}
	return out, total, nil
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
