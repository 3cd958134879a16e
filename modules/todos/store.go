package todos

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// Store is the to-dos' SQL.
type Store struct{ db *gorm.DB }

// NewStore returns a store on g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// cols are the scope columns of the todos table.
var cols = authz.Columns{Owner: "todos.owner_id", Team: "todos.team_id", Branch: "todos.branch_id"}

// Todo loads a live to-do, or apperr.ErrNotFound.
func (s *Store) Todo(ctx context.Context, id uint) (*Todo, error) {
	var t Todo
	if err := db.Conn(ctx, s.db).First(&t, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("to-do %d", id))
	}
	return &t, nil
}

// Create inserts a to-do at now (the service clock).
func (s *Store) Create(ctx context.Context, t *Todo, now time.Time) error {
	if err := db.ConnAt(ctx, s.db, now).Create(t).Error; err != nil {
		return fmt.Errorf("create to-do: %w", err)
	}
	return nil
}

// Save writes every column under optimistic locking (apperr.ErrConflict
// when the version is stale).
func (s *Store) Save(ctx context.Context, t *Todo, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, t, now)
}

// SoftDelete marks the to-do deleted if its version is still version.
func (s *Store) SoftDelete(ctx context.Context, id uint, version int, now time.Time) (bool, error) {
	res := db.Conn(ctx, s.db).Model(&Todo{}).Where("id = ? AND version = ? AND deleted_at IS NULL", id, version).
		Updates(map[string]any{"deleted_at": now.UTC(), "version": version + 1, "updated_at": now.UTC()})
	return res.RowsAffected == 1, res.Error
}

// Filter selects to-dos for a list.
type Filter struct {
	// Mine: assigned to this user; By: made by this user for someone
	// else; neither: the whole scope.
	Mine, By uint
	// Status is open, done, overdue or "" (all).
	Status string
	Q      string
	// Until, when set, keeps open to-dos due before it (the agenda).
	Until         *time.Time
	Now           time.Time
	Limit, Offset int
}

// Statuses are the list's status filters.
var Statuses = []string{"open", "overdue", "done"}

func (s *Store) filtered(ctx context.Context, scope authz.ListScope, f Filter) *gorm.DB {
	q := scope.Apply(db.Conn(ctx, s.db).Model(&Todo{}), cols)
	if f.Mine != 0 {
		q = q.Where("todos.owner_id = ?", f.Mine)
	}
	if f.By != 0 {
		q = q.Where("todos.created_by = ? AND todos.owner_id <> ?", f.By, f.By)
	}
	now := f.Now.UTC()
	overdue := "todos.done_at IS NULL AND ((todos.all_day = ? AND todos.due_at <= ?) OR (todos.all_day = ? AND todos.due_at <= ?))"
	switch f.Status {
	case "open":
		q = q.Where("todos.done_at IS NULL")
	case "done":
		q = q.Where("todos.done_at IS NOT NULL")
	case "overdue":
		q = q.Where(overdue, false, now, true, now.AddDate(0, 0, -1))
	}
	if f.Until != nil {
		q = q.Where("todos.done_at IS NULL AND todos.due_at < ?", f.Until.UTC())
	}
	if cond, args := db.Contains(f.Q, "LOWER(todos.title)"); cond != "" {
		q = q.Where(cond, args...)
	}
	return q
}

// List returns one page of to-dos with their names, and the total.
func (s *Store) List(ctx context.Context, scope authz.ListScope, f Filter) ([]Row, int64, error) {
	var total int64
	if err := s.filtered(ctx, scope, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count to-dos: %w", err)
	}
	order := "todos.due_at, todos.id"
	if f.Status == "done" {
		order = "todos.done_at DESC, todos.id DESC"
	}
	var rows []linkedRow
	q := s.filtered(ctx, scope, f).
		Select(`todos.*, o.name AS owner_name, cr.name AS creator_name, customers.name AS customer_name,
			opportunities.title AS opp_title, contracts.number AS contract_number, contracts.title AS contract_title`).
		Joins("JOIN users o ON o.id = todos.owner_id").
		Joins("JOIN users cr ON cr.id = todos.created_by").
		Joins("LEFT JOIN customers ON customers.id = todos.customer_id AND customers.deleted_at IS NULL").
		Joins("LEFT JOIN opportunities ON todos.link_type = 'opportunity' AND opportunities.id = todos.link_id AND opportunities.deleted_at IS NULL").
		Joins("LEFT JOIN contracts ON todos.link_type = 'contract' AND contracts.id = todos.link_id").
		Order(order)
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list to-dos: %w", err)
	}
	out := make([]Row, len(rows))
	for i, r := range rows {
		out[i] = Row{Todo: r.Todo, OwnerName: r.OwnerName, CreatorName: r.CreatorName, LinkLabel: r.label()}
	}
	return out, total, nil
}

// linkedRow is a list row as scanned, before the link label is chosen.
type linkedRow struct {
	Todo
	OwnerName, CreatorName, CustomerName string
	OppTitle, ContractNumber             *string
	ContractTitle                        *string
}

func (r linkedRow) label() string {
	switch r.LinkType {
	case LinkCustomer:
		return r.CustomerName
	case LinkOpportunity:
		if r.OppTitle != nil {
			return *r.OppTitle + " · " + r.CustomerName
		}
	case LinkContract:
		if r.ContractNumber != nil {
			return *r.ContractNumber + " " + deref2(r.ContractTitle)
		}
	case LinkRequest:
		if r.LinkID != nil && r.CustomerName != "" {
			return fmt.Sprintf("#%d · %s", *r.LinkID, r.CustomerName)
		}
	}
	return ""
}

func deref2(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// VisibleCustomers returns which of ids the customer scope reaches (a
// link's label is shown only to readers who may open the record).
func (s *Store) VisibleCustomers(ctx context.Context, scope authz.ListScope, ids []uint) (map[uint]bool, error) {
	out := map[uint]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var got []uint
	q := scope.Apply(db.Conn(ctx, s.db).Table("customers").Where("customers.id IN ? AND customers.deleted_at IS NULL", ids), authz.StandardColumns("customers"))
	if err := q.Pluck("customers.id", &got).Error; err != nil {
		return nil, fmt.Errorf("visible customers: %w", err)
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// DueForNotice lists open to-dos overdue at now and not yet notified
// (idx_todos_overdue serves it). All-day to-dos are overdue a day after
// their start.
func (s *Store) DueForNotice(ctx context.Context, now time.Time, limit int) ([]Todo, error) {
	var out []Todo
	now = now.UTC()
	err := db.Conn(ctx, s.db).
		Where("done_at IS NULL AND overdue_notified_at IS NULL AND due_at <= ?", now).
		Where("all_day = ? OR due_at <= ?", false, now.AddDate(0, 0, -1)).
		Order("due_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("overdue to-dos: %w", err)
	}
	return out, nil
}

// MarkNotified records that the overdue notice of id was sent.
func (s *Store) MarkNotified(ctx context.Context, id uint, at time.Time) error {
	return db.Conn(ctx, s.db).Model(&Todo{}).Where("id = ?", id).UpdateColumn("overdue_notified_at", at.UTC()).Error
}

// ForFeed lists a user's to-dos for their calendar feed: open ones, and
// ones done since from.
func (s *Store) ForFeed(ctx context.Context, userID uint, from time.Time, limit int) ([]Todo, error) {
	var out []Todo
	err := db.Conn(ctx, s.db).Where("owner_id = ? AND (done_at IS NULL OR done_at >= ?)", userID, from.UTC()).
		Order("due_at, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("feed to-dos: %w", err)
	}
	return out, nil
}

// ByIDs loads to-dos (deleted ones too), for the history's names.
func (s *Store) ByIDs(ctx context.Context, ids []uint) ([]Todo, error) {
	var out []Todo
	if err := db.Conn(ctx, s.db).Unscoped().Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("to-dos by ids: %w", err)
	}
	return out, nil
}
