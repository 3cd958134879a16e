package targets

import (
	"context"
	"errors"
	"fmt"
	"github.com/jike-crm/jike/modules/platform/money"
	"strings"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// QuotaLines are the lines an annual quota is set for.
func QuotaLines() []LineDef {
	var out []LineDef
	for _, l := range Lines {
		if l.Quota {
			out = append(out, l)
		}
	}
	return out
}

// quotaMax bounds an annual quota line: twelve months at the monthly most.
func quotaMax(l LineDef) int64 { return l.Max * 12 }

// QuotaRow is one line of the quota form: a manager's quota, or (OwnerID
// 0) a team's.
type QuotaRow struct {
	OwnerID  uint
	TeamID   uint
	Name     string
	TeamName string
	Quota    *Quota
}

// IsTeam reports whether the row is a team's quota.
func (r QuotaRow) IsTeam() bool { return r.OwnerID == 0 }

// Key names the row's fields ("q_<owner>" or "team_<team>").
func (r QuotaRow) Key() string {
	if r.IsTeam() {
		return fmt.Sprintf("team_%d", r.TeamID)
	}
	return fmt.Sprintf("q_%d", r.OwnerID)
}

// Shown is a line's saved value for the form ("" for none).
func (r QuotaRow) Shown(l LineDef) string {
	if r.Quota == nil {
		return ""
	}
	return formatValue(l, r.Quota.Value(l.Key))
}

// Version is the saved quota's version (0: none).
func (r QuotaRow) Version() int {
	if r.Quota == nil {
		return 0
	}
	return r.Quota.Version
}

// QuotaForm lists the quotas of year actor may set: the team's managers
// for a chief rep; for a director also each team's own quota.
func (s *Service) QuotaForm(ctx context.Context, actor authz.Subject, year int) ([]QuotaRow, error) {
	people, err := s.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	quotas, err := s.store.Quotas(ctx, s.enf.ListScope(actor, "target", "read"), year)
	if err != nil {
		return nil, err
	}
	own, team := map[uint]*Quota{}, map[uint]*Quota{}
	for i := range quotas {
		if q := &quotas[i]; q.OwnerID != nil {
			own[*q.OwnerID] = q
		} else {
			team[q.TeamID] = q
		}
	}
	var rows []QuotaRow
	seen := map[uint]bool{}
	for _, p := range people {
		if !s.enf.Can(actor, "target", "set", p.Ref()) {
			continue
		}
		if s.enf.CanRoute(actor, "target", "set_team") && !seen[p.TeamID] {
			seen[p.TeamID] = true
			rows = append(rows, QuotaRow{TeamID: p.TeamID, TeamName: p.TeamName, Name: p.TeamName, Quota: team[p.TeamID]})
		}
		rows = append(rows, QuotaRow{OwnerID: p.ID, TeamID: p.TeamID, Name: p.Name, TeamName: p.TeamName, Quota: own[p.ID]})
	}
	return rows, nil
}

// QuotaInput is one row as submitted or imported: a manager (OwnerID) or
// a team (TeamID with OwnerID 0), raw values per line.
type QuotaInput struct {
	OwnerID uint
	TeamID  uint
	Version int
	Values  map[string]string
	// Field prefixes error keys (the form's row key, or "row N" of an import).
	Field string
}

// SaveQuotas saves annual quotas for year, all or none. A team's quota is
// the director's; a chief rep sets their managers'.
func (s *Service) SaveQuotas(ctx context.Context, actor authz.Subject, year int, rows []QuotaInput) (int, error) {
	if year < 2000 || year > 2100 {
		return 0, apperr.Fields{"year": "targets.err.year"}
	}
	errs := apperr.Fields{}
	parsed := make([]Values, len(rows))
	for i, r := range rows {
		parsed[i] = Values{}
		for _, l := range QuotaLines() {
			lim := l
			lim.Max = quotaMax(l)
			v, msg := ParseValue(lim, r.Values[l.Key])
			if strings.HasPrefix(msg, tooBigPrefix) {
				msg = "targets.err.quota_too_big"
			}
			if msg != "" {
				errs.Add(r.Field+"_"+l.Key, msg)
			}
			parsed[i][l.Key] = v
		}
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	err := db.WithTx(ctx, s.db, func(ctx context.Context) error {
		people, err := s.Members(ctx, actor)
		if err != nil {
			return err
		}
		teams := map[uint]Person{}
		for _, p := range people {
			teams[p.TeamID] = p
		}
		for i, r := range rows {
			var owner *uint
			var teamID, branchID uint
			if r.OwnerID != 0 {
				p, err := s.person(ctx, actor, r.OwnerID, "target", "set")
				if err != nil {
					return err
				}
				id := p.ID
				owner, teamID, branchID = &id, p.TeamID, p.BranchID
			} else {
				p, ok := teams[r.TeamID]
				if !ok || !s.enf.CanRoute(actor, "target", "set_team") {
					return fmt.Errorf("team quota %d: %w", r.TeamID, apperr.ErrNotFound)
				}
				teamID, branchID = p.TeamID, p.BranchID
			}
			cur, err := s.store.QuotaFor(ctx, r.OwnerID, teamID, year)
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
			v := parsed[i]
			if cur == nil {
				q := &Quota{Year: year, OwnerID: owner, TeamID: teamID, BranchID: branchID, Visits: v[LineVisits], Signings: v[LineSignings],
					MRCFen: 0, CreatedBy: &actor.ID, UpdatedBy: &actor.ID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
				q.MRCFen = fenOf(v[LineMRC])
				if err := s.store.CreateQuota(ctx, q); err != nil {
					return err
				}
				if err := s.audit(ctx, actor, "target_quota", q.ID, audit.ActionCreate, audit.Diff(nil, q)); err != nil {
					return err
				}
				n++
				continue
			}
			if r.Version != 0 && r.Version != cur.Version {
				return fmt.Errorf("quota %d: %w", cur.ID, apperr.ErrConflict)
			}
			before := *cur
			cur.Visits, cur.Signings, cur.MRCFen, cur.UpdatedBy = v[LineVisits], v[LineSignings], fenOf(v[LineMRC]), &actor.ID
			ch := audit.Diff(&before, cur)
			delete(ch, "updated_by")
			if len(ch) == 0 {
				continue
			}
			if err := s.store.SaveQuota(ctx, cur, now); err != nil {
				return err
			}
			if err := s.audit(ctx, actor, "target_quota", cur.ID, audit.ActionUpdate, ch); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

func fenOf(v int64) money.Fen { return money.Fen(v) }

// tooBigPrefix starts the "too large" message of every line.
const tooBigPrefix = "targets.err.too_big."
