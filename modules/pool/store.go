package pool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store is the pool's SQL.
type Store struct{ db *gorm.DB }

// NewStore returns the store on g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// DB is the handle (transactions, demo).
func (s *Store) DB() *gorm.DB { return s.db }

func (s *Store) conn(ctx context.Context) *gorm.DB { return db.Conn(ctx, s.db) }

func (s *Store) postgres() bool { return s.db.Dialector.Name() == db.Postgres }

// dateParam is a placeholder comparing with a DATE column.
func (s *Store) dateParam() string {
	if s.postgres() {
		return "CAST(? AS DATE)"
	}
	return "?"
}

// Rule loads a branch's rule; a branch without one has the disabled
// defaults (ID 0).
func (s *Store) Rule(ctx context.Context, branchID uint) (Rule, error) {
	var r Rule
	err := s.conn(ctx).Where("branch_id = ?", branchID).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return defaultRule(branchID), nil
	}
	return r, err
}

// LockRule reads the branch's rule FOR UPDATE (PostgreSQL), so claims in
// a branch are counted one at a time.
func (s *Store) LockRule(ctx context.Context, branchID uint) (Rule, error) {
	q := s.conn(ctx)
	if s.postgres() {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r Rule
	if err := q.Where("branch_id = ?", branchID).First(&r).Error; err != nil {
		return r, db.NotFound(err, fmt.Sprintf("pool rule of branch %d", branchID))
	}
	return r, nil
}

// EnabledRules lists the rules the nightly job applies.
func (s *Store) EnabledRules(ctx context.Context) ([]Rule, error) {
	var out []Rule
	err := s.conn(ctx).Where("enabled = ?", true).Order("branch_id").Find(&out).Error
	return out, err
}

// SaveRule creates or saves (versioned) a rule.
func (s *Store) SaveRule(ctx context.Context, r *Rule, now time.Time) error {
	if r.ID == 0 {
		r.Version = 1
		return db.ConnAt(ctx, s.db, now).Create(r).Error
	}
	return db.SaveVersioned(ctx, s.db, r, now)
}

// SetHolder records the branch's pool holder.
func (s *Store) SetHolder(ctx context.Context, ruleID, holderID uint) error {
	return s.conn(ctx).Model(&Rule{}).Where("id = ?", ruleID).Update("holder_id", holderID).Error
}

// Entry loads a pooled customer's entry.
func (s *Store) Entry(ctx context.Context, customerID uint) (*Entry, error) {
	var e Entry
	err := s.conn(ctx).Where("customer_id = ?", customerID).First(&e).Error
	if err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("pool entry %d", customerID))
	}
	return &e, nil
}

// listQuery is the branch's pool joined to what the list shows. Only
// customers still owned by the holder count (an entry is removed in the
// transaction that takes the customer out, this is a second guard).
func (s *Store) listQuery(ctx context.Context, branchID, holderID uint, f Filter) *gorm.DB {
	q := s.conn(ctx).Table("pool_entries").
		Joins("JOIN customers ON customers.id = pool_entries.customer_id AND customers.deleted_at IS NULL AND customers.owner_id = ?", holderID).
		Joins("LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = pool_entries.customer_id").
		Where("pool_entries.branch_id = ?", branchID)
	// The name only: search_text also holds key persons' names, which
	// the pool does not reveal.
	if cond, args := db.Contains(f.Q, "LOWER(customers.name)"); cond != "" {
		q = q.Where(cond, args...)
	}
	if f.Industry != "" {
		q = q.Where("customers.industry = ?", f.Industry)
	}
	if f.Grade != "" {
		q = q.Where("customers.grade = ?", f.Grade)
	}
	return q
}

var sorts = map[string]string{
	"name":    "customers.name",
	"grade":   "customers.grade",
	"contact": "care_last_contacts.last_contact_on",
	"pooled":  "pool_entries.pooled_at",
}

// List returns a page of the branch's pool and the total.
func (s *Store) List(ctx context.Context, branchID, holderID uint, f Filter, offset, limit int) ([]Row, int64, error) {
	var total int64
	if err := s.listQuery(ctx, branchID, holderID, f).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("pool list: %w", err)
	}
	key, desc := strings.TrimPrefix(f.Sort, "-"), strings.HasPrefix(f.Sort, "-")
	col, ok := sorts[key]
	if !ok {
		col, desc = sorts["pooled"], true
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	nulls := ""
	if key == "contact" {
		// Never contacted sorts as the oldest contact.
		nulls = "CASE WHEN care_last_contacts.last_contact_on IS NULL THEN 0 ELSE 1 END" + dir + ", "
	}
	var raw []struct {
		CustomerID  uint
		Name        string
		Industry    string
		Grade       string
		Version     int
		LastContact db.ScanTime
		PooledAt    db.ScanTime
	}
	err := s.listQuery(ctx, branchID, holderID, f).
		Select("pool_entries.customer_id, customers.name, customers.industry, customers.grade, customers.version, care_last_contacts.last_contact_on AS last_contact, pool_entries.pooled_at").
		Order(nulls + col + dir + ", pool_entries.customer_id DESC").Offset(offset).Limit(limit).Scan(&raw).Error
	if err != nil {
		return nil, 0, fmt.Errorf("pool list: %w", err)
	}
	out := make([]Row, len(raw))
	for i, r := range raw {
		out[i] = Row{CustomerID: r.CustomerID, Name: r.Name, Industry: r.Industry, Grade: r.Grade, Version: r.Version, PooledAt: r.PooledAt.Time}
		if r.LastContact.Valid {
			t := r.LastContact.Time
			out[i].LastContact = &t
		}
	}
	return out, total, nil
}

// ClaimsBetween counts userID's claims in [from, to).
func (s *Store) ClaimsBetween(ctx context.Context, userID uint, from, to time.Time) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Move{}).Where("to_owner_id = ? AND kind = ? AND at >= ? AND at < ?", userID, KindClaimed, from.UTC(), to.UTC()).Count(&n).Error
	return n, err
}

// TakeOut removes a customer from the pool and records the move.
func (s *Store) TakeOut(ctx context.Context, m *Move) error {
	if err := s.conn(ctx).Where("customer_id = ?", m.CustomerID).Delete(&Entry{}).Error; err != nil {
		return err
	}
	if err := s.conn(ctx).Where("customer_id = ?", m.CustomerID).Delete(&Warning{}).Error; err != nil {
		return err
	}
	return s.conn(ctx).Create(m).Error
}

// PutIn records customers moved into the pool (entries and moves) and
// drops their warnings.
func (s *Store) PutIn(ctx context.Context, entries []Entry, moves []Move) error {
	if len(entries) == 0 {
		return nil
	}
	g := s.conn(ctx)
	if err := g.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(entries, 200).Error; err != nil {
		return fmt.Errorf("pool entries: %w", err)
	}
	if err := g.CreateInBatches(moves, 200).Error; err != nil {
		return fmt.Errorf("pool moves: %w", err)
	}
	ids := make([]uint, len(entries))
	for i, e := range entries {
		ids[i] = e.CustomerID
	}
	for start := 0; start < len(ids); start += 500 {
		if err := g.Where("customer_id IN ?", ids[start:min(start+500, len(ids))]).Delete(&Warning{}).Error; err != nil {
			return fmt.Errorf("pool warnings: %w", err)
		}
	}
	return nil
}

// SaveWarnings upserts warnings.
func (s *Store) SaveWarnings(ctx context.Context, ws []Warning) error {
	if len(ws) == 0 {
		return nil
	}
	return s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"owner_id", "due_on", "warned_at"})}).CreateInBatches(ws, 200).Error
}

// Moves lists a customer's moves, oldest first (its timeline).
func (s *Store) Moves(ctx context.Context, customerID uint) ([]Move, error) {
	var out []Move
	err := s.conn(ctx).Where("customer_id = ?", customerID).Order("at, id").Find(&out).Error
	return out, err
}

// candidate is a customer the nightly job looks at.
type candidate struct {
	ID          uint
	OwnerID     uint
	Name        string
	CreatedAt   db.ScanTime
	LastContact db.ScanTime
	MovedAt     db.ScanTime
	// OwnerChangedAt is the last change of owner (a reassignment, a claim,
	// an assignment): the new owner's idle days start there.
	OwnerChangedAt db.ScanTime
	WarnedOwner    *uint
	WarnedDue      db.ScanTime
	WarnedAt       db.ScanTime
}

// InForce are the contract statuses that keep a customer out of the pool.
var InForce = []string{"signed", "active", "expiring"}

// Candidates finds, in one statement, the branch's customers that may be
// pooled and have had no activity (contact, creation, pool move, change
// of owner) since before cut (the first day that is not idle long enough
// to be warned): not A-grade, no chief rep, not the holder's, no contract in force, no
// open opportunity. The job decides per row between warning and moving.
func (s *Store) Candidates(ctx context.Context, branchID, holderID uint, cutDay string, cutAt time.Time) ([]candidate, error) {
	var out []candidate
	err := s.conn(ctx).Table("customers").
		Joins("LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id").
		Joins("LEFT JOIN pool_warnings ON pool_warnings.customer_id = customers.id").
		Where("customers.branch_id = ? AND customers.deleted_at IS NULL AND customers.owner_id <> ?", branchID, holderID).
		Where("customers.grade <> 'A' AND customers.chief_rep_id IS NULL AND customers.created_at < ?", cutAt.UTC()).
		Where("(customers.owner_changed_at IS NULL OR customers.owner_changed_at < ?)", cutAt.UTC()).
		Where("(care_last_contacts.last_contact_on IS NULL OR care_last_contacts.last_contact_on < "+s.dateParam()+")", cutDay).
		Where("NOT EXISTS (SELECT 1 FROM contracts WHERE contracts.customer_id = customers.id AND contracts.deleted_at IS NULL AND contracts.status IN ?)", InForce).
		Where("NOT EXISTS (SELECT 1 FROM opportunities WHERE opportunities.customer_id = customers.id AND opportunities.deleted_at IS NULL AND opportunities.stage NOT IN ('won', 'lost'))").
		Where("NOT EXISTS (SELECT 1 FROM pool_moves WHERE pool_moves.customer_id = customers.id AND pool_moves.at >= ?)", cutAt.UTC()).
		Select("customers.id, customers.owner_id, customers.name, customers.created_at, customers.owner_changed_at, care_last_contacts.last_contact_on AS last_contact, " +
			"(SELECT MAX(pool_moves.at) FROM pool_moves WHERE pool_moves.customer_id = customers.id) AS moved_at, " +
			"pool_warnings.owner_id AS warned_owner, pool_warnings.due_on AS warned_due, pool_warnings.warned_at").
		Order("customers.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("pool candidates of branch %d: %w", branchID, err)
	}
	return out, nil
}

// WasTaken reports whether the customer left the branch's pool by a
// claim or an assignment (so a late claimer hears "taken", not "not
// found").
func (s *Store) WasTaken(ctx context.Context, customerID, branchID uint) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Move{}).Where("customer_id = ? AND branch_id = ? AND kind IN ?", customerID, branchID, []string{KindClaimed, KindAssigned}).Count(&n).Error
	return n > 0, err
}

// RulesByIDs loads rules by id (the history names them).
func (s *Store) RulesByIDs(ctx context.Context, ids []uint) ([]Rule, error) {
	var out []Rule
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Where("id IN ?", ids).Find(&out).Error
	return out, err
}
