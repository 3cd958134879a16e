package visits

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
)

// Reminder is something an account manager must be told about a planned
// visit: its preparation is not done with the visit less than 24 hours
// away (handbook: 客户走访前准备), or its time has passed and no record has
// been written.
type Reminder struct {
	Kind         string // ReminderPrep or ReminderRecord
	PlanID       uint
	OwnerID      uint
	CustomerName string
	StartsAt     time.Time
}

// Kinds of reminder.
const (
	ReminderPrep   = "visit.prep_due"
	ReminderRecord = "visit.record_overdue"
)

// reminderWindow bounds how far back an unrecorded visit is still chased:
// a reminder is sent once per visit, and a visit missed for a month has
// been dealt with on the list (missed/cancelled) or never will be.
const reminderWindow = 30 * 24 * time.Hour

// Reminders lists the reminders due at now. It is idempotent: the caller
// sends each with a key per visit and kind, so a run that repeats tells
// nobody twice.
func (s *Service) Reminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	rows, err := s.store.remindable(ctx, now.Add(-reminderWindow), now.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, r := range rows {
		p := r.Plan
		switch {
		case p.Unprepared(now):
			out = append(out, Reminder{Kind: ReminderPrep, PlanID: p.ID, OwnerID: p.OwnerID, CustomerName: r.CustomerName, StartsAt: p.StartsAt})
		case p.Overdue(now):
			out = append(out, Reminder{Kind: ReminderRecord, PlanID: p.ID, OwnerID: p.OwnerID, CustomerName: r.CustomerName, StartsAt: p.StartsAt})
		}
	}
	return out, nil
}

// ReminderKey is the dedupe key of a reminder: one per visit and kind.
func ReminderKey(r Reminder) string { return fmt.Sprintf("%s:%d", r.Kind, r.PlanID) }

// planWithCustomer is a plan and its customer's name.
type planWithCustomer struct {
	Plan
	CustomerName string
}

// remindable loads the planned visits starting between from and to, with
// their customers' names, in one query (idx_visit_plans_status serves it).
func (s *Store) remindable(ctx context.Context, from, to time.Time) ([]planWithCustomer, error) {
	var out []planWithCustomer
	err := db.Conn(ctx, s.db).Model(&Plan{}).
		Select("visit_plans.*, customers.name AS customer_name").
		Joins("JOIN customers ON customers.id = visit_plans.customer_id AND customers.deleted_at IS NULL").
		Where("visit_plans.status = ? AND visit_plans.starts_at >= ? AND visit_plans.starts_at <= ?", StatusPlanned, from.UTC(), to.UTC()).
		Order("visit_plans.starts_at, visit_plans.id").Limit(50_000).
		Scan(&out).Error
	return out, err
}
