package aftersale

import (
	"time"
)

// WorkCalendar says which calendar days are working days (weekends and
// public holidays are not; 调休 weekend days are). targets.Calendar
// implements it; it is wired in cmd/jike so both modules read the same
// holiday list.
type WorkCalendar interface {
	Working(d time.Time) bool
}

// weekdays is the fallback calendar: Monday to Friday.
type weekdays struct{}

func (weekdays) Working(d time.Time) bool {
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// Business hours of the SLA clock in the configured zone: 09:00–18:00 on
// working days.
const (
	dayStartHour = 9
	dayEndHour   = 18
)

// Clock measures SLA time: around the clock (24×7), or business hours
// only, on the calendar's working days in loc.
type Clock struct {
	Cal WorkCalendar
	Loc *time.Location
}

func (k Clock) window(day time.Time) (from, to time.Time) {
	y, m, d := day.Date()
	return time.Date(y, m, d, dayStartHour, 0, 0, 0, k.Loc), time.Date(y, m, d, dayEndHour, 0, 0, 0, k.Loc)
}

// Add returns the instant d of SLA time after start.
func (k Clock) Add(start time.Time, d time.Duration, allDay bool) time.Time {
	if allDay {
		return start.Add(d)
	}
	t := start.In(k.Loc)
	for i := 0; i < 3660; i++ { // at most ten years of days
		from, to := k.window(t)
		if k.Cal.Working(from) && t.Before(to) {
			if t.Before(from) {
				t = from
			}
			if left := to.Sub(t); d <= left {
				return t.Add(d).UTC()
			} else {
				d -= left
			}
		}
		y, m, dd := t.Date()
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, k.Loc)
	}
	return t.UTC()
}

// Between is the SLA time from a to b (0 when b is not after a).
func (k Clock) Between(a, b time.Time, allDay bool) time.Duration {
	if !b.After(a) {
		return 0
	}
	if allDay {
		return b.Sub(a)
	}
	var total time.Duration
	t := a.In(k.Loc)
	for i := 0; i < 3660 && t.Before(b); i++ {
		from, to := k.window(t)
		if k.Cal.Working(from) {
			s, e := maxTime(t, from), minTime(to, b)
			if e.After(s) {
				total += e.Sub(s)
			}
		}
		y, m, dd := t.Date()
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, k.Loc)
	}
	return total
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Deadlines are a request's SLA instants from the start of its clock.
// Each of its two clocks (response, resolution) has its deadline, its
// warning at WarnPct and the director's step at the branch's DirectorPct
// of the allowance.
type Deadlines struct {
	Response, RespWarn, RespDirector time.Time
	Resolve, Warn, Director          time.Time
}

// Deadlines computes the SLA instants of sla from start.
func (k Clock) Deadlines(start time.Time, sla SLA) Deadlines {
	pct := sla.DirectorPct
	if pct <= 0 {
		pct = DefaultDirectorPct
	}
	at := func(hours, percent int) time.Time {
		return k.Add(start, time.Duration(hours)*time.Hour*time.Duration(percent)/100, sla.AllDay)
	}
	return Deadlines{
		Response: at(sla.ResponseH, 100), RespWarn: at(sla.ResponseH, WarnPct), RespDirector: at(sla.ResponseH, pct),
		Resolve: at(sla.ResolveH, 100), Warn: at(sla.ResolveH, WarnPct), Director: at(sla.ResolveH, pct),
	}
}

// Percent is how much of the resolution allowance is used at now (may be
// above 100).
func (k Clock) Percent(r *Request, now time.Time) int {
	total := k.Between(r.ClockFrom, r.ResolveDueAt, r.AllDay)
	if total <= 0 {
		return 100
	}
	end := now
	if r.ResolvedAt != nil && !r.IsOpen() {
		end = *r.ResolvedAt
	}
	return int(k.Between(r.ClockFrom, end, r.AllDay) * 100 / total)
}
