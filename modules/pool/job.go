package pool

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
)

// Reclaim is the nightly job: for every branch whose rule is enabled it
// warns owners W days before a customer goes to the pool and moves the
// customers that reached N idle days and were warned at least W days ago
// (so a rule switched on over a stale customer base warns everyone first
// and moves them a week later, never without notice). now is the job's
// clock.
func (s *Service) Reclaim(ctx context.Context, now time.Time) error {
	rules, err := s.store.EnabledRules(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range rules {
		if err := s.ReclaimBranch(ctx, &rules[i], now); err != nil {
			errs = append(errs, fmt.Errorf("branch %d: %w", rules[i].BranchID, err))
		}
	}
	return errors.Join(errs...)
}

// ReclaimStats says what a run did in one branch.
type ReclaimStats struct{ Warned, Pooled int }

// ReclaimBranch applies one branch's rule at now.
func (s *Service) ReclaimBranch(ctx context.Context, r *Rule, now time.Time) error {
	_, err := s.reclaim(ctx, r, now)
	return err
}

func (s *Service) reclaim(ctx context.Context, r *Rule, now time.Time) (ReclaimStats, error) {
	var st ReclaimStats
	holder, err := s.holder(ctx, r)
	if err != nil {
		return st, err
	}
	now = now.UTC()
	today := s.dateOf(now)
	// A customer is looked at once its last activity is at least N−W days
	// old: on or before today−(N−W), i.e. before the next day.
	cut := today.AddDate(0, 0, -(r.IdleDays-r.WarnDays)+1)
	cands, err := s.store.Candidates(ctx, r.BranchID, holder, cut.Format("2006-01-02"), s.startOf(cut))
	if err != nil {
		return st, err
	}
	var warns []Warning
	var notices []notify.Notice
	move := map[uint]uint{}
	names := map[uint]string{}
	for _, c := range cands {
		last := s.dateOf(c.CreatedAt.Time)
		if c.LastContact.Valid {
			// A DATE: its calendar day as stored, in no zone.
			last = maxDay(last, dayOnly(c.LastContact.Time))
		}
		if c.MovedAt.Valid {
			last = maxDay(last, s.dateOf(c.MovedAt.Time))
		}
		if c.OwnerChangedAt.Valid {
			// A new owner gets the whole N days (issue 17: a customer
			// reassigned yesterday was warned or pooled tonight).
			last = maxDay(last, s.dateOf(c.OwnerChangedAt.Time))
		}
		idle := int(today.Sub(last).Hours() / 24)
		warned := c.WarnedOwner != nil && *c.WarnedOwner == c.OwnerID && c.WarnedAt.Valid && s.dateOf(c.WarnedAt.Time).After(last)
		switch {
		case warned && idle >= r.IdleDays && c.WarnedDue.Valid && !today.Before(dayOnly(c.WarnedDue.Time)):
			move[c.ID], names[c.ID] = c.OwnerID, c.Name
		case !warned && idle >= r.IdleDays-r.WarnDays:
			due := last.AddDate(0, 0, r.IdleDays)
			if min := today.AddDate(0, 0, r.WarnDays); due.Before(min) {
				due = min
			}
			warns = append(warns, Warning{CustomerID: c.ID, OwnerID: c.OwnerID, DueOn: due, WarnedAt: now})
			ds := due.Format("2006-01-02")
			notices = append(notices, notify.Notice{UserID: c.OwnerID, Kind: "pool.warning", MsgID: "pool.notice.warning",
				Args: map[string]string{"Customer": c.Name, "Date": ds, "Days": strconv.Itoa(r.IdleDays)},
				Link: "/customers/" + strconv.FormatUint(uint64(c.ID), 10), Key: "pool.warn:" + strconv.FormatUint(uint64(c.ID), 10) + ":" + ds})
		}
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.SaveWarnings(ctx, warns); err != nil {
			return err
		}
		if s.deps.Notify != nil {
			if err := s.deps.Notify.Send(ctx, notices...); err != nil {
				return err
			}
		}
		n, err := s.putIn(ctx, r.BranchID, holder, move, names, now)
		st.Pooled = n
		return err
	})
	if err != nil {
		return ReclaimStats{}, err
	}
	st.Warned = len(warns)
	s.opts.Logger.Info("pool reclaim", "branch", r.BranchID, "warned", st.Warned, "pooled", st.Pooled)
	return st, nil
}

func dayOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func maxDay(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// putIn moves the customers (id → the owner read) to the branch's pool in
// ctx's transaction: owner to the holder through prospects, the entries
// and moves, and a notice to each old owner.
func (s *Service) putIn(ctx context.Context, branchID, holder uint, move map[uint]uint, names map[uint]string, now time.Time) (int, error) {
	if len(move) == 0 {
		return 0, nil
	}
	moved, err := s.deps.Customers.MoveToPool(ctx, holder, move, now)
	if err != nil {
		return 0, err
	}
	day := s.dateOf(now).Format("2006-01-02")
	entries := make([]Entry, 0, len(moved))
	moves := make([]Move, 0, len(moved))
	told := make([]notify.Notice, 0, len(moved))
	for _, id := range moved {
		from := move[id]
		entries = append(entries, Entry{CustomerID: id, BranchID: branchID, FromOwnerID: &from, PooledAt: now})
		moves = append(moves, Move{CustomerID: id, BranchID: branchID, Kind: KindPooled, FromOwnerID: &from, ToOwnerID: &holder, At: now})
		told = append(told, notify.Notice{UserID: from, Kind: "pool.pooled", MsgID: "pool.notice.pooled",
			Args: map[string]string{"Customer": names[id]}, Link: "/pool", Key: "pool.in:" + strconv.FormatUint(uint64(id), 10) + ":" + day})
	}
	if err := s.store.PutIn(ctx, entries, moves); err != nil {
		return 0, err
	}
	if s.deps.Notify != nil {
		if err := s.deps.Notify.Send(ctx, told...); err != nil {
			return 0, err
		}
	}
	return len(moved), nil
}
