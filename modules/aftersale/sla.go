package aftersale

import (
	"time"
)

// slaTimer is one of a request's two SLA clocks, described by its columns
// and texts so that one code path (Service.slaStep, Store.SLADue,
// Store.MarkWarned, Store.Escalate) runs both: the response clock until
// the request is taken in hand (RespondedAt), the resolution clock until
// it is resolved. Each warns at WarnPct of its allowance, records the
// breach and tells the chief rep at its deadline, and tells the
// directors at the branch's DirectorPct; each level once per clock cycle.
type slaTimer struct {
	Name string
	// Due, Warn, Director, Warned, Breached and Level are the clock's
	// columns in service_requests.
	Due, Warn, Director, Warned, Breached, Level string
	// Running is the SQL condition (besides an open status) under which
	// the clock still runs.
	Running string
	// Event actions of the warning and the two escalation levels (also
	// the audit actions and, after "aftersale.notice.", the notices).
	WarnAction, ChiefAction, DirectorAction string
	// WarnMsg, ChiefMsg and DirectorMsg are the notices' message ids,
	// written out so the catalogue test sees them.
	WarnMsg, ChiefMsg, DirectorMsg string
	// WarnKind and EscalationKind are the notices' kinds.
	WarnKind, EscalationKind string
	view                     func(r *Request) timerView
}

// timerView is a clock's state on a loaded request.
type timerView struct {
	Due, Warn, Director time.Time
	WarnedAt            *time.Time
	Level               int
	Running             bool
}

// Action returns the event action of an escalation level.
func (t slaTimer) action(level int) (action, msg string) {
	if level >= directorLevel {
		return t.DirectorAction, t.DirectorMsg
	}
	return t.ChiefAction, t.ChiefMsg
}

var (
	responseTimer = slaTimer{Name: "response",
		Due: "response_due_at", Warn: "resp_warn_at", Director: "resp_director_at",
		Warned: "resp_warned_at", Breached: "resp_breached_at", Level: "resp_escalation",
		Running:    "service_requests.responded_at IS NULL",
		WarnAction: "response_warning", ChiefAction: "response_escalate_chief", DirectorAction: "response_escalate_director",
		WarnMsg: "aftersale.notice.response_warning", ChiefMsg: "aftersale.notice.response_escalate_chief",
		DirectorMsg: "aftersale.notice.response_escalate_director",
		WarnKind:    "aftersale.response_warning", EscalationKind: "aftersale.response_escalation",
		view: func(r *Request) timerView {
			return timerView{Due: r.ResponseDueAt, Warn: r.RespWarnAt, Director: r.RespDirectorAt, WarnedAt: r.RespWarnedAt,
				Level: r.RespEscalation, Running: r.IsOpen() && r.RespondedAt == nil}
		}}
	resolveTimer = slaTimer{Name: "resolve",
		Due: "resolve_due_at", Warn: "warn_at", Director: "director_at",
		Warned: "warned_at", Breached: "breached_at", Level: "escalation",
		Running:    "1 = 1",
		WarnAction: "sla_warning", ChiefAction: "escalate_chief", DirectorAction: "escalate_director",
		WarnMsg: "aftersale.notice.warning", ChiefMsg: "aftersale.notice.escalate_chief",
		DirectorMsg: "aftersale.notice.escalate_director",
		WarnKind:    "aftersale.sla_warning", EscalationKind: "aftersale.escalation",
		view: func(r *Request) timerView {
			return timerView{Due: r.ResolveDueAt, Warn: r.WarnAt, Director: r.DirectorAt, WarnedAt: r.WarnedAt,
				Level: r.Escalation, Running: r.IsOpen()}
		}}
	// slaTimers are both clocks, the response first (it falls due first).
	slaTimers = []slaTimer{responseTimer, resolveTimer}
)

// ResponseBreached reports whether the response deadline passed before
// the request was taken in hand (recorded, or still unanswered now).
func (r Request) ResponseBreached(now time.Time) bool {
	if r.RespBreachedAt != nil {
		return true
	}
	return r.IsOpen() && r.RespondedAt == nil && !now.Before(r.ResponseDueAt)
}
