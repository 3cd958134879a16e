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

// Reminders lists the reminders due at now and not yet marked sent
// (MarkReminded). Sending stays idempotent on its own: the caller sends
// each with a key per visit and kind, so a run that repeats, or one whose
// marking failed, tells nobody twice.
func (s *Service) Reminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	rows, err := s.store.remindable(ctx, now.Add(-reminderWindow), now.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, r := range rows {
		p := r.Plan
		switch {
		case p.Unprepared(now) && p.PrepRemindedAt == nil:
			out = append(out, Reminder{Kind: ReminderPrep, PlanID: p.ID, OwnerID: p.OwnerID, CustomerName: r.CustomerName, StartsAt: p.StartsAt})
		case p.Overdue(now):
			out = append(out, Reminder{Kind: ReminderRecord, PlanID: p.ID, OwnerID: p.OwnerID, CustomerName: r.CustomerName, StartsAt: p.StartsAt})
		}
	}
	return out, nil
}

// MarkReminded records that the reminders were sent at now, so the next
// run reads past them: a visit whose record reminder is sent leaves the
// job's index (idx_visit_plans_to_remind) for good. Only the marks are
// written: not the plan's version (an owner editing the plan meanwhile
// keeps their edit) nor its updated_at.
func (s *Service) MarkReminded(ctx context.Context, sent []Reminder, now time.Time) error {
	ids := map[string][]uint{}
	for _, r := range sent {
		ids[r.Kind] = append(ids[r.Kind], r.PlanID)
	}
	for kind, col := range map[string]string{ReminderPrep: "prep_reminded_at", ReminderRecord: "record_reminded_at"} {
		if err := s.store.markReminded(ctx, col, ids[kind], now); err != nil {
			return fmt.Errorf("visits: mark %d %s reminders sent: %w", len(ids[kind]), kind, err)
		}
	}
	return nil
}

// ReminderKey is the dedupe key of a reminder: one per visit and kind.
func ReminderKey(r Reminder) string { return fmt.Sprintf("%s:%d", r.Kind, r.PlanID) }

// planWithCustomer is a plan and its customer's name.
type planWithCustomer struct {
	Plan
	CustomerName string
}

// remindable loads the planned visits starting between from and to whose
// record reminder is not sent yet, with their customers' names, over
// idx_visit_plans_to_remind (its predicate written out: SQLite takes a
// partial index only then). The name is looked up per visit rather than
// joined: the planner, unable to tell how few visits the index holds,
// hashed all 100,000 customers of a province for the ~2,000 it needed.
// A visit whose customer is deleted has no name and no reminder.
func (s *Store) remindable(ctx context.Context, from, to time.Time) ([]planWithCustomer, error) {
	var rows []struct {
		Plan
		CustomerName *string
	}
	table := "visit_plans"
	if s.db.Dialector.Name() != db.Postgres {
		// SQLite preferred idx_visit_plans_status and read the window's
		// ~36,000 planned visits from the table to drop the marked ones
		// (0.8-1.4 s a run on the province's file).
		table += " INDEXED BY idx_visit_plans_to_remind"
	}
	err := db.Conn(ctx, s.db).Model(&Plan{}).Table(table).
		Select("visit_plans.*, (SELECT c.name FROM customers c WHERE c.id = visit_plans.customer_id AND c.deleted_at IS NULL) AS customer_name").
		Where("visit_plans.status = 'planned' AND visit_plans.record_reminded_at IS NULL").
		Where("visit_plans.starts_at >= ? AND visit_plans.starts_at <= ?", from.UTC(), to.UTC()).
		Order("visit_plans.starts_at, visit_plans.id").Limit(50_000).
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]planWithCustomer, 0, len(rows))
	for _, r := range rows {
		if r.CustomerName != nil {
			out = append(out, planWithCustomer{Plan: r.Plan, CustomerName: *r.CustomerName})
		}
	}
	return out, nil
}

// markBatch bounds the ids of one UPDATE (SQLite's parameters).
const markBatch = 1000

// markReminded sets col (a reminder's mark) to now on the plans, in
// batches, without the hooks that bump the plan's version.
func (s *Store) markReminded(ctx context.Context, col string, ids []uint, now time.Time) error {
	for start := 0; start < len(ids); start += markBatch {
		batch := ids[start:min(start+markBatch, len(ids))]
		if err := db.Conn(ctx, s.db).Model(&Plan{}).Where("id IN ?", batch).UpdateColumn(col, now.UTC()).Error; err != nil {
			return err
		}
	}
	return nil
}
