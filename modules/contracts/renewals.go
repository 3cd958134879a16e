package contracts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
)

// Job names, registered in cmd/jike on the job runner.
const (
	JobRenewals     = "contracts.renewals"
	JobTasksOverdue = "contracts.tasks_overdue"
)

// threshold is the reminder due for a contract ending in days: the
// smallest reminder day at or above it (50 days left → the 60-day
// reminder), 0 when none is (more than the largest left, or past).
// A contract first seen inside the window gets only the reminder of where
// it is, not the earlier ones it missed.
func (s *Service) threshold(days int) int {
	if days < 0 {
		return 0
	}
	for _, d := range s.opts.ReminderDays {
		if days <= d {
			return d
		}
	}
	return 0
}

// RenewalKey is the dedupe key of a renewal reminder: one per contract,
// threshold and person, however often the job runs and on however many
// instances.
func RenewalKey(rootID uint, days int) string {
	return fmt.Sprintf("contract.renewal:%d:%d", rootID, days)
}

// Renewals is the daily job: contracts in force whose end has passed
// become expired; active ones inside the renewal window become expiring;
// and the owner and the chief rep of each contract in the window are
// reminded at 90, 60 and 30 days before the end (configurable), once per
// threshold. Everything one contract needs is one transaction.
func (s *Service) Renewals(ctx context.Context, now time.Time) error {
	today := dateOf(now.In(s.opts.Location))
	window := s.Window()
	rows, err := s.store.InForceEndingBy(ctx, today.AddDate(0, 0, window))
	if err != nil {
		return err
	}
	leaders := map[uint]uint{}
	for _, r := range rows {
		days := daysBetween(today, r.EndOn)
		err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
			c := r.Contract
			switch {
			case days < 0:
				return s.jobMove(ctx, &c, StatusExpired, "contract_expire", now)
			case c.Status == StatusActive:
				if err := s.jobMove(ctx, &c, StatusExpiring, "contract_expiring", now); err != nil {
					return err
				}
			}
			t := s.threshold(days)
			if t == 0 || r.RenewedByID != nil {
				return nil
			}
			chief, err := s.chiefID(ctx, r, leaders)
			if err != nil {
				return err
			}
			var notices []notify.Notice
			for _, uid := range dedupe([]uint{r.CustomerOwnerID, chief}) {
				notices = append(notices, notify.Notice{UserID: uid, Kind: "contract.renewal", MsgID: "contracts.notice.renewal",
					Args: map[string]string{"Number": c.Number, "Customer": r.CustomerName, "End": c.EndOn.Format("2006-01-02"), "Days": fmt.Sprint(days)},
					Link: contractLink(c.ID), Key: RenewalKey(c.Root(), t)})
			}
			return s.send(ctx, notices...)
		})
		if err != nil {
			return fmt.Errorf("renewals: contract %s: %w", r.Number, err)
		}
	}
	return nil
}

// chiefID is the row's customer's chief rep, or its team's leader.
func (s *Service) chiefID(ctx context.Context, r DueRow, leaders map[uint]uint) (uint, error) {
	if r.ChiefRepID != nil {
		return *r.ChiefRepID, nil
	}
	if id, ok := leaders[r.TeamID]; ok {
		return id, nil
	}
	var id uint
	if r.TeamID != 0 {
		t, err := s.deps.Org.TeamByID(ctx, r.TeamID)
		if err != nil && !isNotFound(err) {
			return 0, err
		}
		if t != nil && t.LeaderID != nil {
			id = *t.LeaderID
		}
	}
	leaders[r.TeamID] = id
	return id, nil
}

// jobMove changes a contract's status on the daily job's behalf.
func (s *Service) jobMove(ctx context.Context, c *Contract, to, action string, now time.Time) error {
	if c.Status == to {
		return nil
	}
	before := *c
	c.Status, c.UpdatedBy = to, nil
	if err := s.store.Save(ctx, c, now); err != nil {
		return err
	}
	return s.record(ctx, 0, c, action, before.Status, "", map[string]audit.Change{"status": {From: before.Status, To: to}})
}

// TaskOverdueKey is the dedupe key of an overdue task notice: one per task
// and due date (moving the date and missing it again tells again).
func TaskOverdueKey(t Task) string {
	return fmt.Sprintf("contract.task_overdue:%d:%s", t.ID, t.DueOn.Format("2006-01-02"))
}

// TasksOverdue is the daily job telling each owner of an unfinished
// implementation task past its due date, once per task and date.
func (s *Service) TasksOverdue(ctx context.Context, now time.Time) error {
	today := dateOf(now.In(s.opts.Location))
	rows, err := s.store.OverdueTasks(ctx, today)
	if err != nil {
		return err
	}
	notices := make([]notify.Notice, 0, len(rows))
	for _, r := range rows {
		// Generated cutover and acceptance tasks have no title of their
		// own: their notice names them in the reader's language.
		msg := "contracts.notice.task_overdue"
		switch r.Kind {
		case TaskCutover:
			msg = "contracts.notice.task_overdue_cutover"
		case TaskAcceptance:
			msg = "contracts.notice.task_overdue_acceptance"
		}
		notices = append(notices, notify.Notice{UserID: r.OwnerID, Kind: "contract.task_overdue", MsgID: msg,
			Args: map[string]string{"Number": r.Number, "Customer": r.CustomerName, "Task": r.Title, "Due": r.DueOn.Format("2006-01-02")},
			Link: contractLink(r.CurrentID) + "#tasks", Key: TaskOverdueKey(r.Task)})
	}
	return s.send(ctx, notices...)
}

func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
