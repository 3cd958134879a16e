package targets

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// Actions recorded besides create and update: a target changed after
// its month was locked (with a reason), a review handed in, signed off or
// returned (a comment changes nothing and is not recorded).
const actOverride = "override"

// reviewStatuses are the statuses a review may have.
var reviewStatuses = []string{StatusDraft, StatusSubmitted, StatusReturned, StatusSignedOff}

// historyEntities describe annual quotas, monthly targets and month-end
// reviews. The lines' labels are the ones the pages use.
func historyEntities() []audit.Entity {
	org := func() []audit.Field {
		return []audit.Field{
			audit.Ref("owner_id", "targets.col.member", "user"),
			audit.Ref("team_id", "targets.col.team", "team"),
			audit.Ref("branch_id", "users.branch", "branch"),
		}
	}
	quota := append([]audit.Field{audit.Hidden("id"), audit.Number("year", "targets.year")}, org()...)
	quota = append(quota,
		audit.Number("visits", "targets.line.visits"),
		audit.Number("signings", "targets.line.signings"),
		audit.Money("mrc_fen", "targets.line.mrc"))
	target := append([]audit.Field{audit.Hidden("id"), audit.Text("month", "targets.month")}, org()...)
	target = append(target,
		audit.Number("visits", "targets.line.visits"),
		audit.Number("ab_visits", "targets.line.ab_visits"),
		audit.Number("contacts", "targets.line.contacts"),
		audit.Number("signings", "targets.line.signings"),
		audit.Money("mrc_fen", "targets.line.mrc"),
		audit.Number("proposals", "targets.line.proposals"),
		// Not a column: the reason given for a change to a locked month.
		audit.LongText("reason", "targets.set.reason"))
	review := append([]audit.Field{audit.Hidden("id"), audit.Text("month", "targets.month")}, org()...)
	review = append(review,
		audit.Enum("status", "history2.f.review_status", "targets.status.", reviewStatuses...),
		audit.LongText("summary", "history2.f.review_summary"),
		audit.DateTime("submitted_at", "targets.review.submitted_at"),
		audit.DateTime("signed_off_at", "targets.review.signed_off_at"),
		audit.Ref("signed_off_by", "history2.f.signed_off_by", "user"))
	return []audit.Entity{
		{Name: "target_quota", Label: "audit.entity.target_quota", Model: &Quota{}, Fields: quota},
		{Name: "monthly_target", Label: "audit.entity.monthly_target", Model: &Target{}, Fields: target,
			Actions: []string{actOverride}},
		{Name: "monthly_review", Label: "audit.entity.monthly_review", Model: &Review{}, Fields: review,
			Actions: []string{ActSubmit, ActSignOff, ActReturn}},
	}
}

// DescribeHistory tells the history how quotas, targets and reviews read,
// and names them for readers who may see them: a quota or a target to
// whoever may read targets in its scope, a review to whoever may read
// reviews (the same scopes as the pages), linked to its page. No page
// shows these records' history but the audit log, whose reader (the
// admin, who reads no targets) sees every entry's changes, owner and
// month included; the log names them too, without a link.
func DescribeHistory(h *audit.History, svc *Service) error {
	for _, e := range historyEntities() {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	// A record reads as whose and when: "李伟 · 2026", a team's quota
	// "团队：一组 · 2026" (the history names the type beside it). A quota
	// links to the quota form for those who may set quotas.
	h.Resolve("target_quota", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.namedRecords(ctx, "target_quotas", "CAST(target_quotas.year AS TEXT)", svc.historyScope(r.Subject, "target"), ids)
		if err != nil {
			return nil, err
		}
		setter := svc.enf.Level(r.Subject, "target", "set") != authz.ScopeNone
		reader := svc.enf.Level(r.Subject, "target", "read") != authz.ScopeNone
		out := make(map[uint]audit.Name, len(rows))
		for _, q := range rows {
			who := q.OwnerName
			if q.OwnerID == nil {
				who = r.L.T("targets.quotas.team", "Team", q.TeamName)
			}
			n := audit.Name{Text: who + " · " + q.Period}
			if setter && reader {
				n.Link = "/targets/quotas?year=" + url.QueryEscape(q.Period)
			}
			out[q.ID] = n
		}
		return out, nil
	})
	// A target links to the manager's month.
	h.Resolve("monthly_target", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.namedRecords(ctx, "monthly_targets", "monthly_targets.month", svc.historyScope(r.Subject, "target"), ids)
		if err != nil {
			return nil, err
		}
		reader := svc.enf.Level(r.Subject, "target", "read") != authz.ScopeNone
		out := make(map[uint]audit.Name, len(rows))
		for _, t := range rows {
			n := audit.Name{Text: t.OwnerName + " · " + t.Period}
			if reader {
				n.Link = "/targets/am/" + strconv.FormatUint(uint64(derefID(t.OwnerID)), 10) + "?month=" + url.QueryEscape(t.Period)
			}
			out[t.ID] = n
		}
		return out, nil
	})
	// A review links to its page.
	h.Resolve("monthly_review", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.namedRecords(ctx, "monthly_reviews", "monthly_reviews.month", svc.historyScope(r.Subject, "review"), ids)
		if err != nil {
			return nil, err
		}
		reader := svc.enf.Level(r.Subject, "review", "read") != authz.ScopeNone
		out := make(map[uint]audit.Name, len(rows))
		for _, v := range rows {
			n := audit.Name{Text: v.OwnerName + " · " + v.Period}
			if reader {
				n.Link = "/targets/reviews/" + strconv.FormatUint(uint64(v.ID), 10)
			}
			out[v.ID] = n
		}
		return out, nil
	})
	return nil
}

// historyScope is whom the history names obj's records to: the readers
// of obj in their scope, or, failing that, whoever reads the whole audit
// log (nil: no restriction).
func (s *Service) historyScope(reader authz.Subject, obj string) *authz.ListScope {
	if s.enf.Level(reader, obj, "read") == authz.ScopeNone && s.enf.Level(reader, "audit", "read") == authz.ScopeAll {
		return nil
	}
	scope := s.enf.ListScope(reader, obj, "read")
	return &scope
}

func derefID(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// --- store: the lookups the history needs, one query each

// namedRecord is a quota, target or review with what names it: its year
// or month, its manager's name and its team's.
type namedRecord struct {
	ID        uint
	OwnerID   *uint
	Period    string
	OwnerName string
	TeamName  string
}

// namedRecords loads the records among ids of table (target_quotas,
// monthly_targets or monthly_reviews) inside scope (nil: all of them),
// with period (the year or month column) and the names of their manager
// and team.
func (s *Store) namedRecords(ctx context.Context, table, period string, scope *authz.ListScope, ids []uint) ([]namedRecord, error) {
	var out []namedRecord
	if len(ids) == 0 {
		return out, nil
	}
	q := s.conn(ctx).Table(table).
		Select(table+".id, "+table+".owner_id, "+period+" AS period, COALESCE(users.name, '') AS owner_name, COALESCE(teams.name, '') AS team_name").
		Joins("LEFT JOIN users ON users.id = "+table+".owner_id").
		Joins("LEFT JOIN teams ON teams.id = "+table+".team_id").
		Where(table+".id IN ?", ids)
	if scope != nil {
		q = scope.Apply(q, cols(table))
	}
	if err := q.Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("%s by ids: %w", table, err)
	}
	return out, nil
}
