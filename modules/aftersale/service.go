package aftersale

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
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
)

// Entity names in the audit trail.
const (
	EntityRequest  = "service_request"
	EntityCallback = "callback"
	EntityTouch    = "care_touch"
	EntityCareDate = "care_date"
	EntitySettings = "aftersale_settings"
	EntityCareDone = "care_done"
)

// Options are the module's clock and zone.
type Options struct {
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
	// CallbackDays is how long after its cause a call-back is due (default 3).
	CallbackDays int
}

// Service holds the after-sale rules. Every method takes the acting user
// and checks the record's customer against the permission policy.
type Service struct {
	store *Store
	enf   *authz.Enforcer
	deps  Deps
	opts  Options
	clock Clock
	// festivals caches the care festivals' dates (lunar conversion).
	festivals *festivalDates
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
	if o.CallbackDays <= 0 {
		o.CallbackDays = 3
	}
	if deps.Calendar == nil {
		deps.Calendar = weekdays{}
	}
	return &Service{store: store, enf: enf, deps: deps, opts: o, clock: Clock{Cal: deps.Calendar, Loc: o.Location}, festivals: &festivalDates{}}
}

// Store exposes the store (demo data, tests).
func (s *Service) Store() *Store { return s.store }

// Clock is the SLA clock.
func (s *Service) Clock() Clock { return s.clock }

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Today is the calendar date now in the configured zone (midnight UTC).
func (s *Service) Today() time.Time { return dateOf(s.opts.Now().In(s.opts.Location)) }

// Now is the service's clock (the views' SLA clocks).
func (s *Service) Now() time.Time { return s.now() }

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysBetween(a, b time.Time) int { return int(dateOf(b).Sub(dateOf(a)).Hours() / 24) }

func (s *Service) send(ctx context.Context, notices ...notify.Notice) error {
	if s.deps.Notify == nil || len(notices) == 0 {
		return nil
	}
	return s.deps.Notify.Send(ctx, notices...)
}

func ptr[T any](v T) *T { return &v }

func dedupe(ids []uint) []uint {
	var out []uint
	for _, id := range ids {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// --- settings

// SettingsInput is the director's settings form as typed.
type SettingsInput struct {
	Freq          map[string]string
	Categories    string
	AutoCloseDays string
	RespH, ResH   map[string]string
	AllDay        map[string]bool
	// DirectorPct is the director's escalation step in percent of a
	// clock's allowance (110–300); blank keeps the current value.
	DirectorPct string
	Version     int
}

// BranchSettings returns the settings of the actor's branch.
func (s *Service) BranchSettings(ctx context.Context, actor authz.Subject) (Settings, error) {
	return s.store.Settings(ctx, actor.BranchID)
}

// SettingsOf returns a branch's settings (the job and forms).
func (s *Service) SettingsOf(ctx context.Context, branchID uint) (Settings, error) {
	return s.store.Settings(ctx, branchID)
}

func atoi(v string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return n, err == nil
}

// SaveSettings validates and stores the director's branch settings.
// Nothing is saved when any field is wrong.
func (s *Service) SaveSettings(ctx context.Context, actor authz.Subject, in SettingsInput) (*Settings, error) {
	if !s.enf.Can(actor, "aftersale", "configure", authz.Ref{BranchID: actor.BranchID}) || actor.BranchID == 0 {
		return nil, apperr.ErrForbidden
	}
	cur, err := s.store.Settings(ctx, actor.BranchID)
	if err != nil {
		return nil, err
	}
	if in.Version != cur.Version {
		return nil, fmt.Errorf("aftersale settings: %w", apperr.ErrConflict)
	}
	before := cur
	f := apperr.Fields{}
	freq := map[string]*int{"A": &cur.FreqA, "B": &cur.FreqB, "C": &cur.FreqC, "D": &cur.FreqD}
	for _, g := range Grades {
		n, ok := atoi(in.Freq[g])
		if !ok || n < 1 || n > 24 {
			f.Add("freq_"+strings.ToLower(g), "aftersale.v.frequency")
			continue
		}
		*freq[g] = n
	}
	if n, ok := atoi(in.AutoCloseDays); !ok || n < 1 || n > 90 {
		f.Add("auto_close_days", "aftersale.v.auto_close")
	} else {
		cur.AutoCloseDays = n
	}
	if strings.TrimSpace(in.DirectorPct) != "" {
		if n, ok := atoi(in.DirectorPct); !ok || n < 110 || n > 300 {
			f.Add("director_pct", "aftersale.v.director_pct")
		} else {
			cur.DirectorPct = n
		}
	}
	if cur.DirectorPct == 0 {
		cur.DirectorPct = DefaultDirectorPct
	}
	var cats []string
	for _, l := range splitLines(textnorm.Clean(in.Categories)) {
		if utf8.RuneCountInString(l) > 30 {
			f.Add("categories", "aftersale.v.category_long")
			break
		}
		if !slices.Contains(cats, l) {
			cats = append(cats, l)
		}
	}
	if len(cats) > 20 {
		f.Add("categories", "aftersale.v.category_many")
	}
	cur.Categories = strings.Join(cats, "\n")
	slas := map[string][3]any{
		SevUrgent: {&cur.UrgentRespH, &cur.UrgentResH, &cur.UrgentAllDay},
		SevMajor:  {&cur.MajorRespH, &cur.MajorResH, &cur.MajorAllDay},
		SevNormal: {&cur.NormalRespH, &cur.NormalResH, &cur.NormalAllDay},
	}
	for _, sev := range Severities {
		p := slas[sev]
		resp, ok1 := atoi(in.RespH[sev])
		res, ok2 := atoi(in.ResH[sev])
		if !ok1 || resp < 1 || resp > 720 {
			f.Add("resp_"+sev, "aftersale.v.sla_hours")
		}
		if !ok2 || res < 1 || res > 720 {
			f.Add("res_"+sev, "aftersale.v.sla_hours")
		}
		if ok1 && ok2 && resp >= 1 && res >= 1 && resp > res {
			f.Add("res_"+sev, "aftersale.v.sla_order")
		}
		*p[0].(*int), *p[1].(*int), *p[2].(*bool) = resp, res, in.AllDay[sev]
	}
	if len(f) > 0 {
		return nil, f
	}
	now := s.now()
	cur.UpdatedBy = &actor.ID
	if cur.Version == 0 {
		cur.CreatedBy = &actor.ID
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.SaveSettings(ctx, &cur, now); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntitySettings, cur.BranchID, "update", audit.Diff(before, cur))
	})
	if err != nil {
		return nil, err
	}
	return &cur, nil
}

// --- service requests

// RequestInput is the request form.
type RequestInput struct {
	CustomerID  uint
	Kind        string
	Category    string
	Severity    string
	Channel     string
	Description string
	Affected    string
	ContactID   uint
}

func (s *Service) validRequest(ctx context.Context, actor authz.Subject, cust *prospects.Customer, st *Settings, in *RequestInput) error {
	f := apperr.Fields{}
	in.Description = textnorm.Clean(in.Description)
	in.Affected = textnorm.Line(in.Affected)
	in.Category = textnorm.Line(in.Category)
	if !slices.Contains(Kinds, in.Kind) {
		f.Add("kind", "v.required")
	}
	if !slices.Contains(st.CategoryList(), in.Category) {
		f.Add("category", "aftersale.v.category")
	}
	if !slices.Contains(Severities, in.Severity) {
		f.Add("severity", "v.required")
	}
	if !slices.Contains(Channels, in.Channel) {
		f.Add("channel", "v.required")
	}
	if n := utf8.RuneCountInString(in.Description); n == 0 {
		f.Add("description", "v.required")
	} else if n > 2000 {
		f.Add("description", "v.too_long")
	}
	if utf8.RuneCountInString(in.Affected) > 300 {
		f.Add("affected", "v.too_long")
	}
	if in.ContactID != 0 {
		contacts, err := s.deps.Customers.Contacts(ctx, actor, cust.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(contacts, func(c prospects.Contact) bool { return c.ID == in.ContactID }) {
			f.Add("contact_id", "aftersale.v.contact")
		}
	}
	if len(f) > 0 {
		return f
	}
	return nil
}

// startClock sets a request's SLA deadlines from now.
func (s *Service) startClock(r *Request, st *Settings, now time.Time) {
	sla := st.SLA(r.Severity)
	d := s.clock.Deadlines(now, sla)
	r.AllDay, r.ClockFrom = sla.AllDay, now
	r.ResponseDueAt, r.RespWarnAt, r.RespDirectorAt = d.Response, d.RespWarn, d.RespDirector
	r.ResolveDueAt, r.WarnAt, r.DirectorAt = d.Resolve, d.Warn, d.Director
	r.WarnedAt, r.BreachedAt, r.Escalation = nil, nil, 0
	// A new cycle (a reopening) must be answered again: its response
	// clock runs until someone takes it in hand.
	r.RespondedAt, r.RespWarnedAt, r.RespBreachedAt, r.RespEscalation = nil, nil, nil, 0
}

// CreateRequest logs a service request or complaint for a customer the
// actor may write. The actor is its first responder (首问负责制) and
// handles it until they transfer it.
func (s *Service) CreateRequest(ctx context.Context, actor authz.Subject, in RequestInput) (*Request, error) {
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, in.CustomerID, "write")
	if err != nil {
		return nil, err
	}
	st, err := s.store.Settings(ctx, cust.BranchID)
	if err != nil {
		return nil, err
	}
	if err := s.validRequest(ctx, actor, cust, &st, &in); err != nil {
		return nil, err
	}
	var r *Request
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		var err error
		r, err = s.createRequest(ctx, actor.ID, cust, &st, in, nil)
		return err
	})
	return r, err
}

func (s *Service) createRequest(ctx context.Context, actorID uint, cust *prospects.Customer, st *Settings, in RequestInput, callbackID *uint) (*Request, error) {
	now := s.now()
	r := &Request{CustomerID: cust.ID, Kind: in.Kind, Category: in.Category, Severity: in.Severity, Channel: in.Channel,
		Description: in.Description, Affected: in.Affected, Status: StatusOpen, FirstResponderID: actorID, HandlerID: actorID,
		Cycle: 1, CallbackID: callbackID, CreatedBy: &actorID, UpdatedBy: &actorID}
	if in.ContactID != 0 {
		r.ContactID = ptr(in.ContactID)
	}
	s.startClock(r, st, now)
	if err := s.store.CreateRequest(ctx, r); err != nil {
		return nil, err
	}
	if err := s.record(ctx, actorID, r, "create", "", nil, "", audit.Diff(nil, r)); err != nil {
		return nil, err
	}
	if cust.OwnerID != actorID {
		return r, s.send(ctx, notify.Notice{UserID: cust.OwnerID, Kind: "aftersale.request", MsgID: "aftersale.notice.created",
			Args: s.noticeArgs(r, cust.Name), Link: requestLink(r.ID)})
	}
	return r, nil
}

func requestLink(id uint) string { return "/aftersale/requests/" + strconv.FormatUint(uint64(id), 10) }

// RequestNo is how a request is named: SR-000123.
func RequestNo(id uint) string { return fmt.Sprintf("SR-%06d", id) }

func (s *Service) noticeArgs(r *Request, customer string) map[string]string {
	return map[string]string{"No": RequestNo(r.ID), "Customer": customer,
		"Due": r.ResolveDueAt.In(s.opts.Location).Format("2006-01-02 15:04")}
}

// record writes a step's event and audit entry in ctx's transaction.
func (s *Service) record(ctx context.Context, actor uint, r *Request, action, from string, to *uint, note string, changes map[string]audit.Change) error {
	e := &Event{RequestID: r.ID, CustomerID: r.CustomerID, Action: action, FromStatus: from, ToStatus: r.Status, At: s.now(), Note: note, ToUserID: to}
	if actor != 0 {
		e.ByID = ptr(actor)
	}
	if err := s.store.AddEvent(ctx, e); err != nil {
		return err
	}
	return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor, EntityRequest, r.ID, action, changes)
}

// loadRequest reads a request and checks act on its customer (404 out of
// reach, 403 when seen but not allowed).
func (s *Service) loadRequest(ctx context.Context, actor authz.Subject, id uint, act string) (*Request, *prospects.Customer, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, r.CustomerID, "read")
	if err != nil {
		return nil, nil, err
	}
	if act != "read" && !s.deps.Customers.Can(actor, act, cust) {
		return nil, nil, apperr.ErrForbidden
	}
	return r, cust, nil
}

func checkLock(version, lock int) error {
	if lock != 0 && lock != version {
		return apperr.ErrConflict
	}
	return nil
}

func formErr(field, id string) error { return apperr.Fields{field: id} }

// change runs fn on a request the actor may write, inside a transaction,
// then saves it and records the step.
func (s *Service) change(ctx context.Context, actor authz.Subject, id uint, lock int, action string, fn func(ctx context.Context, r *Request, cust *prospects.Customer) (to *uint, note string, err error)) (*Request, error) {
	var out *Request
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		r, cust, err := s.loadRequest(ctx, actor, id, "write")
		if err != nil {
			return err
		}
		if err := checkLock(r.Version, lock); err != nil {
			return err
		}
		before := *r
		to, note, err := fn(ctx, r, cust)
		if err != nil {
			return err
		}
		r.UpdatedBy = &actor.ID
		if err := s.store.SaveRequest(ctx, r, s.now()); err != nil {
			return err
		}
		if err := s.record(ctx, actor.ID, r, action, before.Status, to, note, audit.Diff(before, *r)); err != nil {
			return err
		}
		out = r
		return s.afterChange(ctx, actor, action, r, cust, to)
	})
	return out, err
}

// afterChange tells people about a step and makes the call-back of a
// resolved complaint.
func (s *Service) afterChange(ctx context.Context, actor authz.Subject, action string, r *Request, cust *prospects.Customer, to *uint) error {
	args := s.noticeArgs(r, cust.Name)
	switch action {
	case "transfer":
		// The new handler takes it; the first responder stays informed.
		var notices []notify.Notice
		for _, uid := range dedupe([]uint{*to, r.FirstResponderID}) {
			if uid == actor.ID {
				continue
			}
			notices = append(notices, notify.Notice{UserID: uid, Kind: "aftersale.transfer", MsgID: "aftersale.notice.transferred", Args: args, Link: requestLink(r.ID)})
		}
		return s.send(ctx, notices...)
	case "resolve":
		if r.FirstResponderID != actor.ID {
			if err := s.send(ctx, notify.Notice{UserID: r.FirstResponderID, Kind: "aftersale.resolved", MsgID: "aftersale.notice.resolved", Args: args, Link: requestLink(r.ID)}); err != nil {
				return err
			}
		}
		if r.IsComplaint() {
			_, err := s.store.CreateCallback(ctx, &Callback{CustomerID: r.CustomerID, Reason: ReasonComplaint,
				SourceKey: fmt.Sprintf("request:%d:%d", r.ID, r.Cycle), SourceID: ptr(r.ID),
				DueOn: s.Today().AddDate(0, 0, s.opts.CallbackDays), Status: "open", CreatedBy: &actor.ID})
			return err
		}
	}
	return nil
}

// Start takes a request in hand (open or reopened → in progress), which
// is its response.
func (s *Service) Start(ctx context.Context, actor authz.Subject, id uint, lock int) (*Request, error) {
	return s.change(ctx, actor, id, lock, "start", func(ctx context.Context, r *Request, _ *prospects.Customer) (*uint, string, error) {
		if r.Status != StatusOpen && r.Status != StatusReopened {
			return nil, "", formErr("_form", "aftersale.v.status")
		}
		r.Status = StatusInProgress
		if r.RespondedAt == nil {
			r.RespondedAt = ptr(s.now())
		}
		return nil, "", nil
	})
}

// Transfer hands an open request to a colleague who may work on the
// customer, with the reason. The first responder stays accountable.
func (s *Service) Transfer(ctx context.Context, actor authz.Subject, id, toID uint, reason string, lock int) (*Request, error) {
	reason = textnorm.Clean(reason)
	return s.change(ctx, actor, id, lock, "transfer", func(ctx context.Context, r *Request, cust *prospects.Customer) (*uint, string, error) {
		f := apperr.Fields{}
		if !r.IsOpen() {
			return nil, "", formErr("_form", "aftersale.v.status")
		}
		if reason == "" {
			f.Add("reason", "v.required")
		} else if utf8.RuneCountInString(reason) > 500 {
			f.Add("reason", "v.too_long")
		}
		if toID == 0 || toID == r.HandlerID {
			f.Add("to_id", "aftersale.v.transfer_to")
		} else {
			u, err := s.deps.Org.UserByID(ctx, toID)
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return nil, "", err
			}
			if u == nil || u.Disabled || !s.deps.Customers.Can(u.Subject(), "write", cust) {
				f.Add("to_id", "aftersale.v.transfer_to")
			}
		}
		if len(f) > 0 {
			return nil, "", f
		}
		r.HandlerID = toID
		return ptr(toID), reason, nil
	})
}

// ResolveInput is the resolution form.
type ResolveInput struct {
	Resolution, RootCause, Recovery string
}

// Resolve records the resolution (root cause, service recovery offered);
// a resolved complaint gets a call-back task.
func (s *Service) Resolve(ctx context.Context, actor authz.Subject, id uint, in ResolveInput, lock int) (*Request, error) {
	in.Resolution, in.RootCause, in.Recovery = textnorm.Clean(in.Resolution), textnorm.Clean(in.RootCause), textnorm.Clean(in.Recovery)
	return s.change(ctx, actor, id, lock, "resolve", func(ctx context.Context, r *Request, _ *prospects.Customer) (*uint, string, error) {
		if !r.IsOpen() {
			return nil, "", formErr("_form", "aftersale.v.status")
		}
		f := apperr.Fields{}
		if n := utf8.RuneCountInString(in.Resolution); n == 0 {
			f.Add("resolution", "v.required")
		} else if n > 2000 {
			f.Add("resolution", "v.too_long")
		}
		if utf8.RuneCountInString(in.RootCause) > 500 {
			f.Add("root_cause", "v.too_long")
		}
		if utf8.RuneCountInString(in.Recovery) > 500 {
			f.Add("recovery", "v.too_long")
		}
		if len(f) > 0 {
			return nil, "", f
		}
		now := s.now()
		r.Status, r.Resolution, r.RootCause, r.Recovery, r.ResolvedAt = StatusResolved, in.Resolution, in.RootCause, in.Recovery, &now
		if r.RespondedAt == nil {
			r.RespondedAt = &now
		}
		return nil, in.Resolution, nil
	})
}

// Close closes a resolved request once the customer confirmed.
func (s *Service) Close(ctx context.Context, actor authz.Subject, id uint, lock int) (*Request, error) {
	return s.change(ctx, actor, id, lock, "close", func(ctx context.Context, r *Request, _ *prospects.Customer) (*uint, string, error) {
		if !r.IsResolved() {
			return nil, "", formErr("_form", "aftersale.v.status")
		}
		r.Status, r.ClosedAt = StatusClosed, ptr(s.now())
		return nil, "", nil
	})
}

// Reopen reopens a resolved or closed request with a reason; its SLA
// clock starts again (a new cycle, warned and escalated afresh).
func (s *Service) Reopen(ctx context.Context, actor authz.Subject, id uint, reason string, lock int) (*Request, error) {
	reason = textnorm.Clean(reason)
	return s.change(ctx, actor, id, lock, "reopen", func(ctx context.Context, r *Request, cust *prospects.Customer) (*uint, string, error) {
		if reason == "" {
			return nil, "", formErr("reason", "v.required")
		}
		return nil, reason, s.reopen(ctx, r, cust)
	})
}

func (s *Service) reopen(ctx context.Context, r *Request, cust *prospects.Customer) error {
	if !r.IsResolved() && !r.IsClosed() {
		return formErr("_form", "aftersale.v.status")
	}
	st, err := s.store.Settings(ctx, cust.BranchID)
	if err != nil {
		return err
	}
	r.Status, r.ResolvedAt, r.ClosedAt, r.Cycle = StatusReopened, nil, nil, r.Cycle+1
	s.startClock(r, &st, s.now())
	return nil
}

// --- jobs: SLA clock and auto-close

// Job names, registered in cmd/jike on the job runner.
const (
	JobSLA       = "aftersale.sla"
	JobAutoClose = "aftersale.autoclose"
	JobCare      = "aftersale.care_overdue"
	JobCallbacks = "aftersale.callbacks"
	// JobFoldCareCounts folds the care list's appended count deltas
	// (PostgreSQL; Store.FoldCareCounts). Every minute: between folds a
	// read of the counts adds the deltas written since, two rows per
	// last contact changed.
	JobFoldCareCounts = "aftersale.fold_care_counts"
	directorLevel     = 2
)

// FoldCareCounts is the JobFoldCareCounts job.
func (s *Service) FoldCareCounts(ctx context.Context, _ time.Time) error {
	_, err := s.store.FoldCareCounts(ctx)
	return err
}

// SLAKey is the dedupe key of an SLA notice: one per request, clock cycle,
// level and person.
func SLAKey(id uint, cycle int, what string) string {
	return fmt.Sprintf("aftersale.sla:%d:%d:%s", id, cycle, what)
}

// SLA is the SLA job (every few minutes). Each of a request's two clocks
// (slaTimers: the response until it is taken in hand, the resolution
// until it is resolved) runs through the same step: at 80 % of its
// allowance the handler and the first responder are warned; at its
// deadline the breach is recorded and the chief rep (the customer's, or
// the team leader) is told; at the branch's director step (150 % by
// default) the branch's directors. Each level is claimed with a
// conditional update, so it happens once even when two instances run the
// job at the same moment or a run is repeated.
func (s *Service) SLA(ctx context.Context, now time.Time) error {
	now = now.UTC()
	rows, err := s.store.SLADue(ctx, now)
	if err != nil {
		return err
	}
	for _, r := range rows {
		err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
			for _, t := range slaTimers {
				if err := s.slaStep(ctx, t, r, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("sla %s: %w", RequestNo(r.ID), err)
		}
	}
	return nil
}

// slaStep moves one clock of a request on to where now is.
func (s *Service) slaStep(ctx context.Context, t slaTimer, r DueRow, now time.Time) error {
	v := t.view(&r.Request)
	if !v.Running {
		return nil
	}
	args := s.noticeArgs(&r.Request, r.CustomerName)
	args["Due"] = v.Due.In(s.opts.Location).Format("2006-01-02 15:04")
	link := requestLink(r.ID)
	if v.WarnedAt == nil && !now.Before(v.Warn) && now.Before(v.Due) {
		ok, err := s.store.MarkWarned(ctx, t, r.ID, r.Cycle, now)
		if err != nil {
			return err
		}
		if ok {
			if err := s.record(ctx, 0, &r.Request, t.WarnAction, r.Status, nil, "", nil); err != nil {
				return err
			}
			var notices []notify.Notice
			for _, uid := range dedupe([]uint{r.HandlerID, r.FirstResponderID}) {
				notices = append(notices, notify.Notice{UserID: uid, Kind: t.WarnKind, MsgID: t.WarnMsg,
					Args: args, Link: link, Key: SLAKey(r.ID, r.Cycle, fmt.Sprintf("%s:warn:%d", t.Name, uid))})
			}
			if err := s.send(ctx, notices...); err != nil {
				return err
			}
		}
	}
	level := 0
	switch {
	case !now.Before(v.Director):
		level = directorLevel
	case !now.Before(v.Due):
		level = 1
	}
	for l := v.Level + 1; l <= level; l++ {
		ok, err := s.store.Escalate(ctx, t, r.ID, r.Cycle, l, now)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		to, err := s.escalationTargets(ctx, r, l)
		if err != nil {
			return err
		}
		action, msg := t.action(l)
		if err := s.record(ctx, 0, &r.Request, action, r.Status, nil, "", nil); err != nil {
			return err
		}
		var notices []notify.Notice
		for _, uid := range dedupe(append(to, r.HandlerID)) {
			notices = append(notices, notify.Notice{UserID: uid, Kind: t.EscalationKind, MsgID: msg,
				Args: args, Link: link, Key: SLAKey(r.ID, r.Cycle, fmt.Sprintf("%s:level%d:%d", t.Name, l, uid))})
		}
		if err := s.send(ctx, notices...); err != nil {
			return err
		}
	}
	return nil
}

// escalationTargets are who a breach goes to at level: the chief rep (the
// customer's, else the team leader), then the branch's directors.
func (s *Service) escalationTargets(ctx context.Context, r DueRow, level int) ([]uint, error) {
	if level == 1 {
		if r.ChiefRepID != nil {
			return []uint{*r.ChiefRepID}, nil
		}
		if r.TeamID == 0 {
			return nil, nil
		}
		t, err := s.deps.Org.TeamByID(ctx, r.TeamID)
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
	users, _, err := s.deps.Org.ListUsers(ctx, org.UserFilter{Role: authz.RoleDirector, BranchID: r.BranchID, Status: "active", Limit: 20})
	if err != nil {
		return nil, err
	}
	out := make([]uint, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out, nil
}

// AutoClose is the daily job closing requests resolved more than the
// branch's N days ago without the customer's confirmation.
func (s *Service) AutoClose(ctx context.Context, now time.Time) error {
	now = now.UTC()
	rows, err := s.store.ResolvedBefore(ctx, now.AddDate(0, 0, -1))
	if err != nil {
		return err
	}
	settings := map[uint]Settings{}
	for _, row := range rows {
		st, ok := settings[row.BranchID]
		if !ok {
			if st, err = s.store.Settings(ctx, row.BranchID); err != nil {
				return err
			}
			settings[row.BranchID] = st
		}
		if row.ResolvedAt == nil || now.Before(row.ResolvedAt.AddDate(0, 0, st.AutoCloseDays)) {
			continue
		}
		err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
			r, err := s.store.Request(ctx, row.ID)
			if err != nil || !r.IsResolved() {
				return err
			}
			before := *r
			r.Status, r.ClosedAt, r.UpdatedBy = StatusClosed, &now, nil
			if err := s.store.SaveRequest(ctx, r, now); err != nil {
				return err
			}
			return s.record(ctx, 0, r, "auto_close", before.Status, nil, "", audit.Diff(before, *r))
		})
		if err != nil {
			return fmt.Errorf("auto-close %s: %w", RequestNo(row.ID), err)
		}
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, apperr.ErrNotFound) }
