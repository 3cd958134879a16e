package visits

import (
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// showView is the visit page (visits/show) and its checklist fragment
// (visits/checklist).
type showView struct {
	web.Page
	D *Detail
	P *Plan
	C *prospects.Customer
	// Items are the checklist's items; Checks whether each is ticked.
	Items  []string
	Checks []bool
	// Unprepared and Overdue are the page's two warnings.
	Unprepared bool
	Overdue    bool
	Errors     map[string]string
	Attitudes  []string
	Kinds      []string
	// NeedCategories are the choices of a discovered need's category.
	NeedCategories []string
	// CanRecord: the record form is offered (the visit's time has come);
	// RecordLater: it will be, once it has.
	CanRecord   bool
	RecordLater bool
	// Late: the record is older than the free-edit window.
	Late bool
	// Rec is the record form as typed (or as stored); NeedRows its need
	// rows by form row.
	Rec      *RecordInput
	NeedRows []NeedLine
	History  *audit.View
}

// IsPlanned reports whether the visit is still planned (neither done,
// cancelled nor missed).
func (p Plan) IsPlanned() bool { return p.Status == StatusPlanned }

// IsDone reports whether the visit took place and was recorded.
func (p Plan) IsDone() bool { return p.Status == StatusDone }

// NextIsTodo reports whether the form's next step is a to-do rather than
// a visit.
func (in RecordInput) NextIsTodo() bool { return in.NextKind == NextTodo }

// listView is the visits list (visits/list): one's own visits or, for
// those who see others', the team's or branch's (View).
type listView struct {
	web.Page
	Rows    []PlanRow
	Pager   *web.Pager
	Overdue []PlanRow
	// View is ViewMine or ViewScope; CanScope: the user may switch.
	View     string
	CanScope bool
	Statuses []string
	Status   string
	// Customer narrows the list to one customer (nil: all).
	Customer *prospects.Customer
	Now      time.Time
	Today    time.Time
	// Loc is the zone times are shown in (the layout's datetime).
	Loc *time.Location
	// Day is the calendar's drill-down day; Drilled: the list is narrowed
	// by day, team or owner.
	Day     *time.Time
	Drilled bool
}

// Scoped reports whether the list shows the team's or branch's visits.
func (v *listView) Scoped() bool { return v.View == ViewScope }

// OverdueItems is the overdue panel's list items, written here rather than
// by the template: a branch's panel lists up to 200 visits, and
// html/template spent ~10 µs on each item through reflection (a date, a
// translation, three fields). The markup is the template's; every text is
// escaped here.
func (v *listView) OverdueItems() template.HTML {
	return v.overdueItems(v.Overdue[:min(len(v.Overdue), overdueShown)])
}

// overdueShown is how many overdue visits the panel shows open; the rest
// fold under "show N more" (a branch's 200 pushed the list it tops out of
// sight, on a phone by some 60 screens).
const overdueShown = 10

// OverdueRest is the overdue visits after the first overdueShown, folded.
func (v *listView) OverdueRest() template.HTML {
	if len(v.Overdue) <= overdueShown {
		return ""
	}
	return v.overdueItems(v.Overdue[overdueShown:])
}

// OverdueMore is how many overdue visits are folded.
func (v *listView) OverdueMore() int { return max(len(v.Overdue)-overdueShown, 0) }

// OverdueCount is the panel's badge: the count, or "200+" at the cap.
func (v *listView) OverdueCount() string {
	if len(v.Overdue) >= OverdueMax {
		return strconv.Itoa(OverdueMax) + "+"
	}
	return strconv.Itoa(len(v.Overdue))
}

func (v *listView) overdueItems(rows []PlanRow) template.HTML {
	var b strings.Builder
	labels := v.Labels()
	for i := range rows {
		r := &rows[i]
		kind := labels.Get("visit_kind." + r.Kind)
		b.WriteString(`<li><a href="/visits/` + strconv.FormatUint(uint64(r.ID), 10) + `">` + r.StartsAt.In(v.Loc).Format("2006-01-02 15:04") +
			" · " + template.HTMLEscapeString(r.CustomerName) + `</a> <span class="muted">` + kind)
		if v.Scoped() {
			b.WriteString(" · " + template.HTMLEscapeString(r.OwnerName))
		}
		b.WriteString("</span></li>")
	}
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

// RowsHTML is the list's table rows (with the "past" divider before the
// first visit before today), written here rather than by the template: a
// page has up to 100 rows of ten fields, a date, two translations and
// three method calls each, and html/template spent most of the page's
// CPU on them through reflection. The markup is the template's; every
// text is escaped here.
func (v *listView) RowsHTML() template.HTML {
	var b web.Markup
	b.Grow(len(v.Rows) * 700)
	esc := template.HTMLEscapeString
	labels := v.Labels()
	scoped := v.Scoped()
	past := false
	for i := range v.Rows {
		r := &v.Rows[i]
		if !past && r.StartsAt.Before(v.Today) {
			past = true
			cols := "6"
			if scoped {
				cols = "7"
			}
			b.W(`<tr class="list-divider"><th colspan="`, cols, `" scope="rowgroup">`, labels.Get("visits.past"), `</th></tr>`)
		}
		when := ""
		if !r.StartsAt.IsZero() {
			when = r.StartsAt.In(v.Loc).Format("2006-01-02 15:04")
		}
		grade := esc(r.CustomerGrade)
		b.W("<tr>\n    <td><a href=\"/visits/", strconv.FormatUint(uint64(r.ID), 10), `">`, when, "</a></td>\n    ",
			`<td class="wrap"><a href="/customers/`, strconv.FormatUint(uint64(r.CustomerID), 10), `">`, esc(r.CustomerName),
			`</a> <span class="badge grade-`, grade, `">`, grade, "</span></td>\n    ")
		if scoped {
			b.W("<td>", esc(r.OwnerName), "</td>")
		}
		b.W("\n    <td>", labels.Get("visit_kind."+r.Kind), "</td>\n    <td class=\"wrap\">", esc(r.Objective), "</td>\n    <td>")
		if r.Overdue(v.Now) {
			b.W(`<span class="badge badge-danger">`, labels.Get("visits.overdue_badge"), `</span>`)
		} else {
			b.W(`<span class="badge vs-`, esc(r.Status), `">`, labels.Get("visit_status."+r.Status), `</span>`)
		}
		b.W("</td>\n    <td>")
		if r.IsPlanned() {
			if r.Unprepared(v.Now) {
				b.W(`<span class="badge badge-warn">`, labels.Get("visits.unprepared"), `</span>`)
			} else {
				b.W(strconv.Itoa(r.ChecklistDone()), "/6")
			}
		}
		b.W("</td>\n  </tr>")
	}
	return b.HTML() // every text above is escaped
}

// Mine reports whether the list shows one's own visits.
func (v *listView) Mine() bool { return v.View == ViewMine }

// calendarView is the calendar (visits/calendar), by week or by month.
type calendarView struct {
	web.Page
	Days []day
	// Mode is "week" or "month"; templates ask IsWeek/IsMonth.
	Mode     string
	Anchor   time.Time
	View     string
	CanScope bool
	PrevDate string
	NextDate string
	// Query is mode and who, for the navigation links.
	Query     string
	TodayDate string
	Loc       *time.Location
	Now       time.Time
	// By is the grouping of the day counts ("" when the visits are listed).
	By string
}

// Body is one day's counts or visits, written here rather than by the
// template: the province's month has ~2,100 count links and a team's week
// ~150 visits, and html/template spent several microseconds on each
// (reflection for every field, method and translation: 16 ms of the
// admin's month, issue 19). The markup is the template's; every text is
// escaped here.
func (v *calendarView) Body(d day) template.HTML {
	var b web.Markup
	v.writeBody(&b, d)
	return b.HTML()
}

func (v *calendarView) writeBody(b *web.Markup, d day) {
	if v.By != "" {
		date := d.Date.Format("2006-01-02")
		if len(d.Counts) > 0 {
			b.W(`<p class="small muted cal-total">`, template.HTMLEscapeString(v.L.T("perf19.calendar.total", "N", d.Total)), "</p>\n")
		}
		none := ""
		for _, n := range d.Counts {
			name := n.Name
			if name == "" {
				if none == "" {
					none = v.L.T("perf19.calendar.no_" + v.By)
				}
				name = none
			}
			b.W(`<a class="cal-count" href="/visits?who=scope&amp;day=`, date, `&amp;`, v.By, `=`, strconv.FormatUint(uint64(n.Key), 10), `">`,
				template.HTMLEscapeString(name), " <strong>", strconv.FormatInt(n.N, 10), "</strong></a>")
		}
	}
	for i := range d.Visits {
		r := &d.Visits[i]
		b.W(`<a class="cal-visit vs-`, template.HTMLEscapeString(r.Status))
		if r.Unprepared(v.Now) {
			b.W(" unprepared")
		}
		if r.Overdue(v.Now) {
			b.W(" overdue")
		}
		b.W(`" href="/visits/`, strconv.FormatUint(uint64(r.ID), 10), `">`, "\n      <time>", r.StartsAt.In(v.Loc).Format("15:04"), "</time> ",
			template.HTMLEscapeString(r.CustomerName), ` <span class="small muted">`, v.Labels().Get("visit_kind."+r.Kind))
		if v.Scoped() {
			b.W(` · <span class="cal-owner">`, template.HTMLEscapeString(r.OwnerName), `</span>`)
		}
		b.W("</span></a>")
	}
}

// Grid is the calendar's days, each a section with its weekday, date and
// Body, written here rather than by the template: a month is 35–42 days
// of eight actions each (two formats, a printf, a translation), a
// quarter of the page's template time. The markup is the template's; in
// pieces (web.Chunks), as a team's week is ~80 KB.
func (v *calendarView) Grid() web.Chunks {
	var b web.Markup
	n := 0
	for i := range v.Days {
		n += 160 + 110*len(v.Days[i].Counts) + 200*len(v.Days[i].Visits)
	}
	b.Grow(n)
	for _, d := range v.Days {
		b.W("\n  <section class=\"cal-day")
		if !d.InMonth {
			b.W(" out")
		}
		if d.Today {
			b.W(" today")
		}
		b.W(`" aria-label="`, d.Date.Format("2006-01-02"), "\">\n    <h3>", v.Labels().Get("weekday."+strconv.Itoa(int(d.Date.Weekday()))),
			" <span>", d.Date.Format("01-02"), "</span></h3>\n    ")
		v.writeBody(&b, d)
		b.W("\n  </section>\n  ")
	}
	return b.Chunks() // writeBody escapes; the rest is dates and escaped labels
}

// NavHTML is the page's title and actions and the calendar's navigation
// (previous, today, next, week or month, mine or the scope's), written
// here rather than by the template (~30 actions, each a reflective lookup
// or call; issue 19). Query is written as the query it is: through the
// template, as a string after "?", it was escaped as one value
// (mode%3dmonth%26who%3dscope) and the previous, today and next links
// forgot the month and the scope. Every text is escaped.
func (v *calendarView) NavHTML() template.HTML {
	lb, esc := v.Labels(), template.HTMLEscapeString
	var b web.Markup
	b.Grow(2048)
	b.W("<div class=\"page-header\"><h1>", lb.Get("nav.calendar"), "</h1>\n  <div class=\"actions\"><a class=\"btn\" href=\"/visits\">",
		lb.Get("visits.title"), "</a><a class=\"btn btn-link\" href=\"/visits/feed\">", lb.Get("visits.feed"), "</a></div></div>\n",
		"<div class=\"toolbar cal-nav\">\n  ")
	link := "/visits/calendar?" + esc(v.Query) + "&amp;date="
	prev, next := "calendar.prev_week", "calendar.next_week"
	if v.IsMonth() {
		prev, next = "calendar.prev_month", "calendar.next_month"
	}
	b.W(`<a class="btn btn-sm" href="`, link, esc(v.PrevDate), `" rel="prev">‹ `, lb.Get(prev), "</a>\n  ",
		`<a class="btn btn-sm" href="`, link, esc(v.TodayDate), `">`, lb.Get("calendar.today"), "</a>\n  ",
		`<a class="btn btn-sm" href="`, link, esc(v.NextDate), `" rel="next">`, lb.Get(next), " ›</a>\n  <strong>")
	if v.IsMonth() {
		b.W(v.Anchor.Format("2006-01"))
	} else if len(v.Days) == 7 {
		b.W(v.Days[0].Date.Format("2006-01-02"), " – ", v.Days[6].Date.Format("01-02"))
	}
	b.W("</strong>\n  ")
	anchor := v.Anchor.Format("2006-01-02")
	scope := ""
	if v.Scoped() {
		scope = "&amp;who=scope"
	}
	for _, m := range []string{"week", "month"} {
		b.W(`<a class="btn btn-sm`)
		if v.Mode == m {
			b.W(" btn-primary")
		}
		b.W(`" href="/visits/calendar?mode=`, m, scope, "&amp;date=", anchor, `">`, lb.Get("calendar."+m), "</a>\n  ")
	}
	if v.CanScope {
		b.W(`<a class="btn btn-sm" href="/visits/calendar?mode=`, esc(v.Mode), "&amp;date=", anchor)
		if v.Scoped() {
			b.W(`">`, lb.Get("visits.who_mine"))
		} else {
			b.W(`&amp;who=scope">`, lb.Get("visits.who_scope."+v.Me.Role))
		}
		b.W("</a>")
	}
	b.W("\n</div>")
	return b.HTML()
}

// IsWeek reports whether the calendar shows a week.
func (v *calendarView) IsWeek() bool { return v.Mode == "week" }

// IsMonth reports whether the calendar shows a month.
func (v *calendarView) IsMonth() bool { return v.Mode == "month" }

// Scoped reports whether the calendar shows the team's or branch's visits.
func (v *calendarView) Scoped() bool { return v.View == ViewScope }

// formView is the visit plan form (visits/form), new (ID 0) or edit.
type formView struct {
	web.Page
	ID     uint
	C      *prospects.Customer
	Form   PlanInput
	Errors map[string]string
	Kinds  []string
	Items  []string
	// Contacts are the customer's people to meet; Selected those ticked.
	Contacts []prospects.Contact
	Selected map[uint]bool
	// Colleagues may go along; Going those ticked.
	Colleagues []org.User
	Going      map[uint]bool
	MeID       uint
	// SuggestChief: an A-grade customer with a chief rep (the form
	// suggests taking them along).
	SuggestChief bool
}

// briefView is the pre-visit brief (visits/brief).
type briefView struct {
	web.Page
	B *Brief
}

// feedView is the calendar feed page (visits/feed); URL and WebcalURL
// are shown once, right after a feed was made.
type feedView struct {
	web.Page
	Has       bool
	URL       string
	WebcalURL template.URL
}

// agendaPanel is the reader's day on the home page (visits/panel_agenda).
type agendaPanel struct {
	web.Page
	Agenda *Agenda
	Now    time.Time
	Loc    *time.Location
}
