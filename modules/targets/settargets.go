package targets

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// ProposeFromQuota is the handbook's rule: this month's share of the
// annual quota (one twelfth), plus uplift percent, rounded up — to a whole
// count, or for money to a whole yuan — so the target is "slightly above"
// the share, never below it.
func ProposeFromQuota(annual int64, upliftPct int, isMoney bool) int64 {
	if annual <= 0 {
		return 0
	}
	num := annual * int64(100+upliftPct)
	const den = 12 * 100
	if isMoney {
		return ceilDiv(num, den*100) * 100
	}
	return ceilDiv(num, den)
}

// ProposeFromLast proposes a line without a quota from last month's
// result, plus the uplift, rounded up.
func ProposeFromLast(last int64, upliftPct int, isMoney bool) int64 {
	if last <= 0 {
		return 0
	}
	if isMoney {
		return ceilDiv(last*int64(100+upliftPct), 100*100) * 100
	}
	return ceilDiv(last*int64(100+upliftPct), 100)
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// SetRow is one manager in the target-setting grid.
type SetRow struct {
	Person Person
	// Target is the saved one (nil: none yet).
	Target *Target
	// Values are what the form shows: the saved target, else the proposal.
	Values Values
	// Proposal is the suggestion per line; Share the quota's monthly
	// share (without uplift) and Last last month's actual.
	Proposal Values
	Share    Values
	Last     Values
}

// Version is the saved target's version (0 for none).
func (r SetRow) Version() int {
	if r.Target == nil {
		return 0
	}
	return r.Target.Version
}

// Shown is a line's value as the form shows it (yuan for money).
func (r SetRow) Shown(l LineDef) string { return formatValue(l, r.Values[l.Key]) }

// SetGrid is the target-setting form of a month.
type SetGrid struct {
	Month Month
	Rows  []SetRow
	// Locked: the month has started; only a director may still change
	// its targets, with a reason.
	Locked      bool
	CanOverride bool
	Uplift      int
}

// formatValue shows a line's value for an input: a count, or yuan.
func formatValue(l LineDef, v int64) string {
	if l.Money {
		return money.Fen(v).Plain()
	}
	return strconv.FormatInt(v, 10)
}

// locked reports whether month m's targets are locked at now: from the
// first instant of the month in the configured zone.
func (s *Service) locked(m Month) bool { return !s.now().Before(m.Start()) }

// SetForm builds the grid for setting month m's targets of actor's
// members, with a proposal per line from the annual quota (the manager's
// own, else the team's split evenly among its managers) and last month's
// result.
func (s *Service) SetForm(ctx context.Context, actor authz.Subject, m Month) (*SetGrid, error) {
	people, err := s.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	var mine []Person
	canSet := s.canner(actor, "target", "set")
	for _, p := range people {
		if canSet(p.Ref()) {
			mine = append(mine, p)
		}
	}
	owners := ids(mine)
	g := &SetGrid{Month: m, Locked: s.locked(m), CanOverride: s.enf.CanRoute(actor, "target", "override_lock"), Uplift: s.uplift}
	targets, err := s.store.Targets(ctx, s.enf.ListScope(actor, "target", "read"), []string{m.String()}, owners)
	if err != nil {
		return nil, err
	}
	byOwner := map[uint]*Target{}
	for i := range targets {
		byOwner[targets[i].OwnerID] = &targets[i]
	}
	quotas, err := s.store.Quotas(ctx, s.enf.ListScope(actor, "target", "read"), m.Year())
	if err != nil {
		return nil, err
	}
	ownQuota, teamQuota := map[uint]*Quota{}, map[uint]*Quota{}
	for i := range quotas {
		if q := &quotas[i]; q.OwnerID != nil {
			ownQuota[*q.OwnerID] = q
		} else {
			teamQuota[q.TeamID] = q
		}
	}
	teamSize := map[uint]int64{}
	for _, p := range mine {
		teamSize[p.TeamID]++
	}
	last, err := s.Actuals(ctx, actor, owners, m.Add(-1))
	if err != nil {
		return nil, err
	}
	for _, p := range mine {
		row := SetRow{Person: p, Target: byOwner[p.ID], Proposal: Values{}, Share: Values{}, Last: last[p.ID]}
		for _, l := range Lines {
			var annual int64
			if q := ownQuota[p.ID]; q != nil {
				annual = q.Value(l.Key)
			} else if q := teamQuota[p.TeamID]; q != nil && teamSize[p.TeamID] > 0 {
				annual = q.Value(l.Key) / teamSize[p.TeamID]
			}
			if l.Quota && annual > 0 {
				row.Share[l.Key] = annual / 12
				row.Proposal[l.Key] = ProposeFromQuota(annual, s.uplift, l.Money)
			} else {
				row.Proposal[l.Key] = ProposeFromLast(row.Last[l.Key], s.uplift, l.Money)
			}
		}
		if row.Target != nil {
			row.Values = row.Target.Values()
		} else {
			row.Values = row.Proposal
		}
		g.Rows = append(g.Rows, row)
	}
	return g, nil
}

// TargetInput is one manager's row of the submitted grid: raw values per
// line as typed (counts, or yuan for money) and the version read.
type TargetInput struct {
	OwnerID uint
	Version int
	Values  map[string]string
}

// FieldKey names a grid cell in validation errors.
func FieldKey(ownerID uint, line string) string { return fmt.Sprintf("t_%d_%s", ownerID, line) }

// ParseValue reads a typed value of a line: a whole number, or an exact
// amount in yuan for money; negative or absurd values are errors.
func ParseValue(l LineDef, raw string) (int64, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, ""
	}
	var v int64
	if l.Money {
		f, err := money.Parse(raw)
		if err != nil {
			return 0, "targets.err.amount"
		}
		v = int64(f)
	} else {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			if strings.HasPrefix(raw, "-") {
				return 0, "targets.err.negative"
			}
			return 0, "targets.err.whole"
		}
		v = n
	}
	if v < 0 {
		return 0, "targets.err.negative"
	}
	if v > l.Max {
		return 0, tooBigPrefix + l.Key
	}
	return v, ""
}

// SaveTargets saves the grid of month m: all rows or none. A month that
// has started is locked: only who may override_lock targets (the
// director) may still change it, and must
// give a reason, which goes into the audit trail.
func (s *Service) SaveTargets(ctx context.Context, actor authz.Subject, m Month, rows []TargetInput, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	if s.locked(m) {
		if !s.enf.CanRoute(actor, "target", "override_lock") {
			return 0, apperr.Fields{"_form": "targets.err.locked"}
		}
		if reason == "" {
			return 0, apperr.Fields{"reason": "targets.err.reason"}
		}
		if len([]rune(reason)) > 500 {
			return 0, apperr.Fields{"reason": "targets.err.too_long"}
		}
	}
	errs := apperr.Fields{}
	parsed := make([]Values, len(rows))
	for i, r := range rows {
		parsed[i] = Values{}
		for _, l := range Lines {
			v, msg := ParseValue(l, r.Values[l.Key])
			if msg != "" {
				errs.Add(FieldKey(r.OwnerID, l.Key), msg)
			}
			parsed[i][l.Key] = v
		}
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	changed := 0
	err := db.WithTx(ctx, s.db, func(ctx context.Context) error {
		for i, r := range rows {
			p, err := s.person(ctx, actor, r.OwnerID, "target", "set")
			if err != nil {
				return err
			}
			cur, err := s.store.TargetFor(ctx, p.ID, m.String())
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
			action := audit.ActionUpdate
			if s.locked(m) {
				action = "override"
			}
			if cur == nil {
				if r.Version != 0 {
					return fmt.Errorf("target of %d for %s was removed: %w", p.ID, m, apperr.ErrConflict)
				}
				t := &Target{Month: m.String(), OwnerID: p.ID, TeamID: p.TeamID, BranchID: p.BranchID,
					CreatedBy: &actor.ID, UpdatedBy: &actor.ID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
				t.SetValues(parsed[i])
				if err := s.store.CreateTarget(ctx, t); err != nil {
					if errors.Is(err, gorm.ErrDuplicatedKey) {
						return fmt.Errorf("target of %d for %s: %w", p.ID, m, apperr.ErrConflict)
					}
					return err
				}
				ch := audit.Diff(nil, t)
				if reason != "" && s.locked(m) {
					ch["reason"] = audit.Change{To: reason}
				}
				if action == audit.ActionUpdate {
					action = audit.ActionCreate
				}
				if err := s.audit(ctx, actor, "monthly_target", t.ID, action, ch); err != nil {
					return err
				}
				changed++
				continue
			}
			if r.Version != cur.Version {
				return fmt.Errorf("target %d (read v%d, now v%d): %w", cur.ID, r.Version, cur.Version, apperr.ErrConflict)
			}
			before := *cur
			cur.SetValues(parsed[i])
			cur.TeamID, cur.BranchID, cur.UpdatedBy = p.TeamID, p.BranchID, &actor.ID
			ch := audit.Diff(&before, cur)
			delete(ch, "updated_by")
			if len(ch) == 0 {
				continue
			}
			if err := s.store.SaveTarget(ctx, cur, now); err != nil {
				return err
			}
			if s.locked(m) {
				ch["reason"] = audit.Change{To: reason}
			}
			if err := s.audit(ctx, actor, "monthly_target", cur.ID, action, ch); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, err
}
