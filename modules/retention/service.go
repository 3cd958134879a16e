package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/prospects"
)

// EntityAlert names alerts in the audit trail.
const EntityAlert = "retention_alert"

// Job names, registered in cmd/jike on the job runner.
const (
	JobScore    = "retention.score"
	JobEscalate = "retention.escalate"
)

// Default deadlines of an alert (docs/retention.md): an action within 7
// days of opening, an outcome within 30; the owner is warned 2 days before
// the running deadline, the chief rep told at it, the directors 3 days
// after it.
const (
	DefaultActionDays   = 7
	DefaultOutcomeDays  = 30
	DefaultWarnDays     = 2
	DefaultDirectorDays = 3
	// DefaultCooldownDays is how long after an outcome the customer gets
	// no new alert, however high its score stays: the outcome was just
	// decided, and the owner works from it.
	DefaultCooldownDays = 30
)

// directorLevel is the escalation level of the directors (1: the chief rep).
const directorLevel = 2

// Options are the module's clock, zone, weights and deadlines (zero
// values: the defaults).
type Options struct {
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
	// Weights define the score; nil: DefaultWeights.
	Weights *Weights
	// ActionDays, OutcomeDays, WarnDays and DirectorDays are the alert's
	// deadlines in days (see the Default… constants).
	ActionDays, OutcomeDays, WarnDays, DirectorDays int
	// CooldownDays: no new alert this long after an outcome.
	CooldownDays int
}

// Service holds the retention rules. Every user-facing method takes the
// acting user and checks the record's customer against the policy.
type Service struct {
	store *Store
	enf   *authz.Enforcer
	deps  Deps
	opts  Options
	w     Weights
}

// NewService wires the service.
func NewService(store *Store, enf *authz.Enforcer, deps Deps, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	for _, d := range []struct {
		v   *int
		def int
	}{{&o.ActionDays, DefaultActionDays}, {&o.OutcomeDays, DefaultOutcomeDays}, {&o.WarnDays, DefaultWarnDays}, {&o.DirectorDays, DefaultDirectorDays}, {&o.CooldownDays, DefaultCooldownDays}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	w := DefaultWeights()
	if o.Weights != nil {
		w = *o.Weights
	}
	return &Service{store: store, enf: enf, deps: deps, opts: o, w: w}
}

// Store exposes the store (demo data, tests).
func (s *Service) Store() *Store { return s.store }

// Weights are the score's weights and threshold as configured.
func (s *Service) Weights() Weights { return s.w }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.opts.Now().UTC() }

// Options are the deadlines as configured.
func (s *Service) Options() Options { return s.opts }

// today is the calendar date of now in the configured zone, as midnight
// UTC (how dates are stored).
func (s *Service) today(now time.Time) time.Time {
	y, m, d := now.In(s.opts.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Service) send(ctx context.Context, notices ...notify.Notice) error {
	if s.deps.Notify == nil || len(notices) == 0 {
		return nil
	}
	return s.deps.Notify.Send(ctx, notices...)
}

// --- the score

// Compute reads every customer's risk facts at now, set-based (one
// grouped statement per factor), and returns the scores of the customers
// with at least one contributing factor.
func (s *Service) Compute(ctx context.Context, now time.Time) (map[uint]Score, error) {
	w := s.w
	today := s.today(now)
	raws := map[uint]*Raw{}
	raw := func(id uint) *Raw {
		r, ok := raws[id]
		if !ok {
			r = &Raw{}
			raws[id] = r
		}
		return r
	}
	latest, err := s.store.LatestMonth(ctx)
	if err != nil {
		return nil, err
	}
	if latest != 0 {
		n := max(w.WindowMonths, 1)
		recentFrom, priorFrom := AddMonths(latest, -(n-1)), AddMonths(latest, -(2*n-1))
		rows, err := s.store.Revenue(ctx, priorFrom, recentFrom, latest)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.PriorFen > 0 && r.RecentFen < r.PriorFen {
				x := raw(r.CustomerID)
				x.RecentFen, x.PriorFen = r.RecentFen, r.PriorFen
			}
		}
		drops, err := s.store.Dropped(ctx, priorFrom, latest)
		if err != nil {
			return nil, err
		}
		for _, d := range drops {
			x := raw(d.CustomerID)
			x.Dropped = append(x.Dropped, ProductName{Zh: d.NameZh, En: d.NameEn})
		}
	}
	comps, err := s.store.CompetitorEnds(ctx, today, today.AddDate(0, 0, w.CompetitorDays))
	if err != nil {
		return nil, err
	}
	for _, c := range comps {
		if x := raw(c.CustomerID); x.CompetitorEnd == nil && c.EndOn.Valid {
			x.CompetitorEnd, x.CompetitorSupplier = &c.EndOn.Time, c.Name
		}
	}
	ours, err := s.store.ContractEnds(ctx, today, today.AddDate(0, 0, w.ContractDays))
	if err != nil {
		return nil, err
	}
	for _, c := range ours {
		if x := raw(c.CustomerID); x.ContractEnd == nil && c.EndOn.Valid {
			x.ContractEnd, x.ContractNumber = &c.EndOn.Time, c.Name
		}
	}
	since := now.AddDate(0, 0, -w.LookbackDays)
	complaints, err := s.store.Complaints(ctx, since)
	if err != nil {
		return nil, err
	}
	for _, c := range complaints {
		x := raw(c.CustomerID)
		x.OpenComplaints, x.BreachedComplaints = c.OpenN, c.BreachedN
	}
	cbs, err := s.store.LowCallbacks(ctx, since, w.LowCallbackScore)
	if err != nil {
		return nil, err
	}
	for _, c := range cbs {
		x := raw(c.CustomerID)
		x.LowCallbacks, x.LowestScore = c.N, c.Lowest
	}
	care, err := s.store.CareOverdue(ctx, today.AddDate(0, 0, -w.CareDays))
	if err != nil {
		return nil, err
	}
	for _, c := range care {
		x := raw(c.CustomerID)
		x.CareOverdue = true
		if c.LastContactOn.Valid {
			t := c.LastContactOn.Time
			x.LastContact = &t
		}
	}
	out := make(map[uint]Score, len(raws))
	for id, r := range raws {
		score, factors := w.Explain(*r)
		if len(factors) == 0 {
			continue
		}
		out[id] = Score{CustomerID: id, Score: score, Factors: encodeFactors(factors), ComputedAt: now}
	}
	return out, nil
}

// Recompute is the score job (nightly, and the hook after a usage
// import): it recomputes every customer's score, rewrites churn_scores,
// and opens an alert for each customer at or above the threshold that has
// no unfinished one. Running it twice opens nothing new: the second run
// finds the open alerts (and the partial unique index backs that up
// against two instances at once).
func (s *Service) Recompute(ctx context.Context, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	scores, err := s.Compute(ctx, now)
	if err != nil {
		return err
	}
	list := make([]Score, 0, len(scores))
	for _, sc := range scores {
		list = append(list, sc)
	}
	slices.SortFunc(list, func(a, b Score) int { return int(a.CustomerID) - int(b.CustomerID) })
	return db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.ReplaceScores(ctx, list); err != nil {
			return err
		}
		return s.openAlerts(ctx, now)
	})
}

// AfterImport is the hook a usage import calls once its transaction has
// committed: the scores follow the new month at once instead of the next
// night. It is Recompute at the service's clock.
func (s *Service) AfterImport(ctx context.Context) error { return s.Recompute(ctx, s.Now()) }

// deadlines sets an alert's running deadline to due, with its warning
// and the director's step.
func (s *Service) deadlines(a *Alert, due time.Time) {
	a.DueAt = due
	a.WarnAt = due.AddDate(0, 0, -s.opts.WarnDays)
	a.DirectorAt = due.AddDate(0, 0, s.opts.DirectorDays)
	a.WarnedAt, a.BreachedAt, a.Escalation = nil, nil, 0
}

func alertLink(id uint) string { return "/retention/alerts/" + strconv.FormatUint(uint64(id), 10) }

// openAlerts opens the alerts of the customers at or above the threshold
// without one, tells their owners and records each in the audit trail.
func (s *Service) openAlerts(ctx context.Context, now time.Time) error {
	cands, err := s.store.Candidates(ctx, s.w.Threshold, now.AddDate(0, 0, -s.opts.CooldownDays))
	if err != nil || len(cands) == 0 {
		return err
	}
	alerts := make([]Alert, len(cands))
	for i, c := range cands {
		a := Alert{CustomerID: c.CustomerID, OwnerID: c.OwnerID, Score: c.Score, Factors: c.Factors, Status: StatusOpen,
			OpenedAt: now, ActionDueAt: now.AddDate(0, 0, s.opts.ActionDays), OutcomeDueAt: now.AddDate(0, 0, s.opts.OutcomeDays),
			Version: 1, CreatedAt: now, UpdatedAt: now}
		s.deadlines(&a, a.ActionDueAt)
		alerts[i] = a
	}
	if err := s.store.InsertAlerts(ctx, alerts); err != nil {
		return err
	}
	opened, err := s.store.OpenedAt(ctx, now)
	if err != nil {
		return err
	}
	notices := make([]notify.Notice, 0, len(opened))
	for _, a := range opened {
		if err := audit.Record(ctx, db.Conn(ctx, s.store.DB()), 0, EntityAlert, a.ID, "open",
			map[string]audit.Change{"score": {To: strconv.Itoa(a.Score)}}); err != nil {
			return err
		}
		notices = append(notices, notify.Notice{UserID: a.OwnerID, Kind: "retention.alert", MsgID: "retention.notice.opened",
			Args: map[string]string{"Customer": a.CustomerName, "Score": strconv.Itoa(a.Score)}, Link: alertLink(a.ID),
			Key: fmt.Sprintf("retention.alert:%d:open", a.ID)})
	}
	return s.send(ctx, notices...)
}

// --- reading

// CanAct reports whether actor may record actions and outcomes on the
// customer's alerts.
func (s *Service) CanAct(actor authz.Subject, c *prospects.Customer) bool {
	return s.enf.Can(actor, "retention", "act", c.Ref())
}

// customer loads a customer the actor may read and checks act on its
// retention records: out of scope is a 404, seen but not allowed a 403.
func (s *Service) customer(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error) {
	c, err := s.deps.Customers.CustomerFor(ctx, actor, id, "read")
	if err != nil {
		return nil, err
	}
	if !s.enf.Can(actor, "retention", "read", c.Ref()) {
		return nil, fmt.Errorf("customer %d: %w", id, apperr.ErrNotFound)
	}
	if act != "read" && !s.enf.Can(actor, "retention", act, c.Ref()) {
		return nil, apperr.ErrForbidden
	}
	return c, nil
}

// Risk is a customer's score, its factors and its alerts (newest first).
type Risk struct {
	Customer *prospects.Customer
	Score    *Score
	Alerts   []Alert
	CanAct   bool
}

// Open is the customer's unfinished alert, if any.
func (r Risk) Open() *Alert {
	for i := range r.Alerts {
		if r.Alerts[i].IsOpen() {
			return &r.Alerts[i]
		}
	}
	return nil
}

// CustomerRisk returns a customer's risk for the customer page.
func (s *Service) CustomerRisk(ctx context.Context, actor authz.Subject, customerID uint) (*Risk, error) {
	c, err := s.customer(ctx, actor, customerID, "read")
	if err != nil {
		return nil, err
	}
	out := &Risk{Customer: c, CanAct: s.CanAct(actor, c)}
	if out.Score, err = s.store.ScoreOf(ctx, customerID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	if out.Alerts, err = s.store.AlertsOfCustomer(ctx, customerID); err != nil {
		return nil, err
	}
	return out, nil
}

// Alert returns an alert and its customer after checking act.
func (s *Service) Alert(ctx context.Context, actor authz.Subject, id uint, act string) (*Alert, *prospects.Customer, error) {
	a, err := s.store.Alert(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.customer(ctx, actor, a.CustomerID, act)
	if err != nil {
		return nil, nil, err
	}
	return a, c, nil
}

// queueScope is what actor may list: the queue permission's scope, or
// for the home panel the read scope.
func (s *Service) queueScope(actor authz.Subject) authz.ListScope {
	return s.enf.ListScope(actor, "retention", "queue")
}

// List returns a page of the queue.
func (s *Service) List(ctx context.Context, actor authz.Subject, f Filter) ([]AlertRow, int64, error) {
	f.Now = s.Now()
	return s.store.ListAlerts(ctx, s.queueScope(actor), f)
}

// Mine returns the actor's own customers' unfinished alerts (the home panel).
func (s *Service) Mine(ctx context.Context, actor authz.Subject, limit int) ([]AlertRow, int64, error) {
	return s.store.ListAlerts(ctx, s.enf.ListScope(actor, "retention", "read"), Filter{OwnerID: actor.ID, Sort: "due", Now: s.Now(), Limit: limit})
}

// Each walks the queue in batches (the export).
func (s *Service) Each(ctx context.Context, actor authz.Subject, f Filter, fn func([]AlertRow) error) error {
	f.Now = s.Now()
	return s.store.EachAlert(ctx, s.queueScope(actor), f, fn)
}

// AtRisk returns a page of the at-risk customers within the queue's scope.
func (s *Service) AtRisk(ctx context.Context, actor authz.Subject, teamID uint, limit, offset int) ([]RiskRow, int64, error) {
	return s.store.AtRisk(ctx, s.queueScope(actor), s.w.Threshold, teamID, limit, offset)
}

// EachAtRisk walks the at-risk customers in batches (the export).
func (s *Service) EachAtRisk(ctx context.Context, actor authz.Subject, teamID uint, fn func([]RiskRow) error) error {
	return s.store.EachAtRisk(ctx, s.queueScope(actor), s.w.Threshold, teamID, fn)
}

// TeamCounts counts the at-risk customers per team within the queue's scope.
func (s *Service) TeamCounts(ctx context.Context, actor authz.Subject) ([]TeamCount, error) {
	return s.store.TeamCounts(ctx, s.queueScope(actor), s.w.Threshold, s.Now())
}

// TeamsFor lists the teams the actor may filter the queue by.
func (s *Service) TeamsFor(ctx context.Context, actor authz.Subject) ([]org.Team, error) {
	switch s.enf.Level(actor, "retention", "queue") {
	case authz.ScopeAll:
		return s.deps.Org.Teams(ctx, 0, true)
	case authz.ScopeBranch:
		return s.deps.Org.Teams(ctx, actor.BranchID, true)
	}
	return nil, nil
}

// --- the workflow

func formErr(field, id string) error { return apperr.Fields{field: id} }

// change runs fn on an alert the actor may act on, in a transaction, then
// saves it under its version and records the step in the audit trail.
func (s *Service) change(ctx context.Context, actor authz.Subject, id uint, lock int, action string, fn func(ctx context.Context, a *Alert, c *prospects.Customer) error) (*Alert, error) {
	var out *Alert
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		a, c, err := s.Alert(ctx, actor, id, "act")
		if err != nil {
			return err
		}
		if lock == 0 || lock != a.Version {
			return apperr.ErrConflict
		}
		if !a.IsOpen() {
			return formErr("_form", "retention.err.closed")
		}
		before := *a
		if err := fn(ctx, a, c); err != nil {
			return err
		}
		a.Version++
		if err := s.store.SaveAlert(ctx, a, s.Now()); err != nil {
			return err
		}
		if err := audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityAlert, a.ID, action, audit.Diff(before, *a)); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}

// RecordAction records what the owner did about an alert: a retention
// visit planned, an offer proposed, or an escalation to the chief rep
// (told at once). The running deadline becomes the outcome's.
func (s *Service) RecordAction(ctx context.Context, actor authz.Subject, id uint, action, note string, lock int) (*Alert, error) {
	note = strings.TrimSpace(note)
	if !slices.Contains(Actions, action) {
		return nil, formErr("action", "retention.err.action")
	}
	if utf8.RuneCountInString(note) > 500 {
		return nil, formErr("note", "retention.err.too_long")
	}
	return s.change(ctx, actor, id, lock, "action_"+action, func(ctx context.Context, a *Alert, c *prospects.Customer) error {
		now := s.Now()
		a.Action, a.ActionNote, a.ActionAt, a.ActionBy = action, note, &now, &actor.ID
		a.Status = StatusActed
		s.deadlines(a, a.OutcomeDueAt)
		if action != ActionEscalate {
			return nil
		}
		to, err := s.chiefOf(ctx, c.ChiefRepID, c.TeamID)
		if err != nil {
			return err
		}
		var notices []notify.Notice
		for _, uid := range to {
			if uid != actor.ID {
				notices = append(notices, notify.Notice{UserID: uid, Kind: "retention.escalation", MsgID: "retention.notice.escalated_by_owner",
					Args: map[string]string{"Customer": c.Name, "Score": strconv.Itoa(a.Score)}, Link: alertLink(a.ID),
					Key: fmt.Sprintf("retention.alert:%d:manual:%d", a.ID, uid)})
			}
		}
		return s.send(ctx, notices...)
	})
}

// RecordOutcome closes an alert with its outcome; partly and lost need a
// reason.
func (s *Service) RecordOutcome(ctx context.Context, actor authz.Subject, id uint, outcome, reason string, lock int) (*Alert, error) {
	reason = strings.TrimSpace(reason)
	if !slices.Contains(Outcomes, outcome) {
		return nil, formErr("outcome", "retention.err.outcome")
	}
	if outcome != OutcomeRetained && reason == "" {
		return nil, formErr("reason", "retention.err.reason_required")
	}
	if utf8.RuneCountInString(reason) > 500 {
		return nil, formErr("reason", "retention.err.too_long")
	}
	return s.change(ctx, actor, id, lock, "outcome_"+outcome, func(_ context.Context, a *Alert, _ *prospects.Customer) error {
		now := s.Now()
		a.Outcome, a.OutcomeReason, a.OutcomeAt, a.OutcomeBy = outcome, reason, &now, &actor.ID
		a.Status = StatusClosed
		return nil
	})
}

// --- escalation

// Escalate is the escalation job (hourly). Each unfinished alert's
// running deadline (the action's, then the outcome's) warns the owner
// WarnDays before it, tells the chief rep (the customer's, else the team
// leader) at it and the branch's directors DirectorDays after it; each
// step is claimed with a conditional update, so it happens once however
// often and on however many instances the job runs.
func (s *Service) Escalate(ctx context.Context, now time.Time) error {
	now = now.UTC()
	rows, err := s.store.Due(ctx, now)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error { return s.step(ctx, r, now) }); err != nil {
			return fmt.Errorf("retention alert %d: %w", r.ID, err)
		}
	}
	return nil
}

func (s *Service) step(ctx context.Context, r DueRow, now time.Time) error {
	args := map[string]string{"Customer": r.CustomerName, "Score": strconv.Itoa(r.Score),
		"Due": r.DueAt.In(s.opts.Location).Format("2006-01-02 15:04")}
	link := alertLink(r.ID)
	stage := "action"
	if r.Status == StatusActed {
		stage = "outcome"
	}
	if r.WarnedAt == nil && !now.Before(r.WarnAt) && now.Before(r.DueAt) {
		ok, err := s.store.MarkWarned(ctx, r.ID, r.DueAt, now)
		if err != nil {
			return err
		}
		if ok {
			if err := audit.Record(ctx, db.Conn(ctx, s.store.DB()), 0, EntityAlert, r.ID, "warning", nil); err != nil {
				return err
			}
			if err := s.send(ctx, notify.Notice{UserID: r.OwnerID, Kind: "retention.warning", MsgID: "retention.notice.warning_" + stage,
				Args: args, Link: link, Key: fmt.Sprintf("retention.alert:%d:%s:warn", r.ID, stage)}); err != nil {
				return err
			}
		}
	}
	level := 0
	switch {
	case !now.Before(r.DirectorAt):
		level = directorLevel
	case !now.Before(r.DueAt):
		level = 1
	}
	for l := r.Escalation + 1; l <= level; l++ {
		ok, err := s.store.Escalate(ctx, r.ID, r.DueAt, l, now)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var to []uint
		action, msg := "escalate_chief", "retention.notice.escalate_chief"
		if l >= directorLevel {
			action, msg = "escalate_director", "retention.notice.escalate_director"
			to, err = s.directors(ctx, r.BranchID)
		} else {
			to, err = s.chiefOf(ctx, r.ChiefRepID, r.TeamID)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, db.Conn(ctx, s.store.DB()), 0, EntityAlert, r.ID, action, nil); err != nil {
			return err
		}
		var notices []notify.Notice
		for _, uid := range dedupe(append(to, r.OwnerID)) {
			notices = append(notices, notify.Notice{UserID: uid, Kind: "retention.escalation", MsgID: msg, Args: args, Link: link,
				Key: fmt.Sprintf("retention.alert:%d:%s:level%d:%d", r.ID, stage, l, uid)})
		}
		if err := s.send(ctx, notices...); err != nil {
			return err
		}
	}
	return nil
}

// chiefOf is the customer's chief rep, else its team's leader.
func (s *Service) chiefOf(ctx context.Context, chief *uint, teamID uint) ([]uint, error) {
	if chief != nil {
		return []uint{*chief}, nil
	}
	if teamID == 0 {
		return nil, nil
	}
	t, err := s.deps.Org.TeamByID(ctx, teamID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.LeaderID != nil {
		return []uint{*t.LeaderID}, nil
	}
	return nil, nil
}

// directors are the branch's active directors.
func (s *Service) directors(ctx context.Context, branchID uint) ([]uint, error) {
	users, _, err := s.deps.Org.ListUsers(ctx, org.UserFilter{Role: authz.RoleDirector, BranchID: branchID, Status: "active", Limit: 20})
	if err != nil {
		return nil, err
	}
	out := make([]uint, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out, nil
}

func dedupe(ids []uint) []uint {
	var out []uint
	for _, id := range ids {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
