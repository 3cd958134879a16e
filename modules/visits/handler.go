package visits

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// BriefRenderer turns a brief into a PDF in a language (wired in cmd/jike
// with platform/pdf, so handlers stay free of PDF details).
type BriefRenderer func(ctx context.Context, b *Brief, t func(id string, args ...any) string) ([]byte, error)

type handler struct {
	srv *web.Server
	svc *Service
	pdf BriefRenderer
}

func visitURL(id uint) string { return "/visits/" + strconv.FormatUint(uint64(id), 10) }

// canSeeScope reports whether the user may switch to the team/branch
// view (policy customer list_others).
func (h *handler) canSeeScope(me authz.Subject) bool {
	return h.svc.prospects.ListsOthers(me)
}

func (h *handler) viewOf(c *fiber.Ctx, me authz.Subject) string {
	if c.Query("who") == ViewScope && h.canSeeScope(me) {
		return ViewScope
	}
	if !h.svc.prospects.Sells(me) {
		return ViewScope // someone who sells nothing (the admin) has no visits of their own
	}
	return ViewMine
}

// --- list and calendar

func (h *handler) list(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	view := h.viewOf(c, me)
	p := web.NewPager(c)
	customerID := web.QueryID(c, "customer")
	var statuses []string
	if st := c.Query("status"); slices.Contains(Statuses, st) {
		statuses = []string{st}
	}
	q := HistoryQuery{CustomerID: customerID, Statuses: statuses, Limit: p.Size, Offset: p.Offset(),
		BranchID: web.QueryID(c, ByBranch), TeamID: web.QueryID(c, ByTeam), OwnerID: web.QueryID(c, ByOwner)}
	// The calendar's drill-down: one day (a date out of 1900–2100 is
	// ignored, as in the calendar).
	if d, err := textnorm.ParseDate(c.Query("day")); err == nil {
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, h.svc.Location())
		q.Day = &day
	}
	rows, total, err := h.svc.HistoryFor(c.UserContext(), me, view, q)
	if err != nil {
		return err
	}
	p.Total, p.Cap = total, CountCap
	overdue, err := h.svc.Overdue(c.UserContext(), me, view)
	if err != nil {
		return err
	}
	var customer *prospects.Customer
	if customerID != 0 {
		if customer, err = h.svc.prospects.Customer(c.UserContext(), me, customerID); err != nil {
			return err
		}
	}
	// The overdue list is read to the minute (Service.Overdue); each
	// row's flags change at their own moment.
	now := h.svc.Now()
	web.KeepUntil(c, now.Truncate(time.Minute).Add(time.Minute))
	keepUntilFlagsChange(c, rows, now)
	keepUntilFlagsChange(c, overdue, now)
	return h.srv.View(c, "visits/list", &listView{
		Rows: rows, Pager: p, Overdue: overdue, View: view, CanScope: h.canSeeScope(me),
		Statuses: Statuses, Status: c.Query("status"), Customer: customer, Now: now, Today: h.svc.Today(), Loc: h.svc.Location(),
		Day: q.Day, Drilled: q.Day != nil || q.BranchID != 0 || q.TeamID != 0 || q.OwnerID != 0,
	})
}

// day is one cell of the calendar.
type day struct {
	Date    time.Time
	InMonth bool
	Today   bool
	Visits  []PlanRow
	// Counts and Total replace Visits when the calendar counts (a
	// branch's, the province's or a team's month).
	Counts []DayCount
	Total  int64
}

func (h *handler) calendar(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	view := h.viewOf(c, me)
	loc := h.svc.Location()
	now := h.svc.Now().In(loc)
	anchor := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	// A date out of 1900–2100 (or none) shows today (textnorm.ParseDate).
	if d, err := textnorm.ParseDate(c.Query("date")); err == nil {
		anchor = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	}
	mode := c.Query("mode")
	if mode != "month" {
		mode = "week"
	}
	weekStart := func(t time.Time) time.Time { return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7)) }
	var from, to, prev, next time.Time
	if mode == "week" {
		from = weekStart(anchor)
		to, prev, next = from.AddDate(0, 0, 7), from.AddDate(0, 0, -7), from.AddDate(0, 0, 7)
	} else {
		first := time.Date(anchor.Year(), anchor.Month(), 1, 0, 0, 0, 0, loc)
		from = weekStart(first)
		last := first.AddDate(0, 1, 0)
		to = weekStart(last.AddDate(0, 0, 6))
		prev, next = first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
	}
	var days []day
	var bounds []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		bounds = append(bounds, d.UTC())
	}
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		days = append(days, day{Date: d, InMonth: mode == "week" || d.Month() == anchor.Month(), Today: d.Equal(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc))})
	}
	by := h.svc.CalendarGrouping(me, view)
	if by != "" {
		// A branch's or the province's visits: counts per day per team or
		// branch (or per person of a team in the month), each a link to
		// that day's list, not thousands of visits in one page (issue 19).
		counts, err := h.svc.CountByDay(c.UserContext(), me, view, bounds, by)
		if err != nil {
			return err
		}
		var total int64
		for _, n := range counts {
			total += n.N
		}
		if mode == "week" && total <= int64(h.svc.weekListMax) {
			by, counts = "", nil // a small scope's week: the visits themselves
		}
		for _, n := range counts {
			if n.Day >= 0 && n.Day < len(days) {
				days[n.Day].Counts = append(days[n.Day].Counts, n)
				days[n.Day].Total += n.N
			}
		}
	}
	if by == "" {
		rows, err := h.svc.List(c.UserContext(), me, view, from.UTC(), to.UTC(), 0)
		if err != nil {
			return err
		}
		keepUntilFlagsChange(c, rows, h.svc.Now())
		for i := range days {
			d, end := days[i].Date, days[i].Date.AddDate(0, 0, 1)
			for _, r := range rows {
				st := r.StartsAt.In(loc)
				if !st.Before(d) && st.Before(end) {
					days[i].Visits = append(days[i].Visits, r)
				}
			}
		}
	}
	q := url.Values{"mode": {mode}}
	if view == ViewScope {
		q.Set("who", ViewScope)
	}
	return h.srv.View(c, "visits/calendar", &calendarView{
		Days: days, Mode: mode, Anchor: anchor, View: view, CanScope: h.canSeeScope(me),
		PrevDate: prev.Format("2006-01-02"), NextDate: next.Format("2006-01-02"), Query: q.Encode(),
		TodayDate: now.Format("2006-01-02"), Loc: loc, Now: h.svc.Now(), By: by,
	})
}

// keepUntilFlagsChange bounds a kept page showing rows' overdue and
// unprepared flags by the first moment one of them changes.
func keepUntilFlagsChange(c *fiber.Ctx, rows []PlanRow, now time.Time) {
	for i := range rows {
		if t := rows[i].FlagsChangeAfter(now); !t.IsZero() {
			web.KeepUntil(c, t)
		}
	}
}

func (h *handler) panelAgenda(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	a, err := h.svc.Agenda(ctx, me)
	if err != nil {
		return nil, err
	}
	return &agendaPanel{Agenda: a, Now: h.svc.Now(), Loc: h.svc.Location()}, nil
}

func (h *handler) customerVisits(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.prospects.Customer(c.UserContext(), web.MustSubject(c), id); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/visits?customer=%d&who=scope", id), fiber.StatusSeeOther)
}

// --- plan form

func planInputFrom(c *fiber.Ctx) PlanInput {
	in := PlanInput{
		CustomerID: web.FormUint(c, "customer_id"), Date: c.FormValue("date"), Time: c.FormValue("time"),
		Duration: c.FormValue("duration"), Kind: c.FormValue("kind"), Objective: c.FormValue("objective"),
		Location: c.FormValue("location"), Version: web.FormInt(c, "version"), Checklist: map[string]bool{},
	}
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("contacts") {
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			in.Contacts = append(in.Contacts, uint(n))
		}
	}
	for _, v := range args.PeekMulti("participants") {
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			in.Participants = append(in.Participants, uint(n))
		}
	}
	for _, item := range ChecklistItems {
		in.Checklist[item] = c.FormValue("chk_"+item) == "1"
	}
	return in
}

func (h *handler) renderPlanForm(c *fiber.Ctx, status int, id uint, cu *prospects.Customer, in PlanInput, errs map[string]string) error {
	contacts, err := h.svc.prospects.Contacts(c.UserContext(), web.MustSubject(c), cu.ID)
	if err != nil {
		return err
	}
	colleagues, err := h.svc.Colleagues(c.UserContext(), cu)
	if err != nil {
		return err
	}
	sel := map[uint]bool{}
	for _, x := range in.Contacts {
		sel[x] = true
	}
	part := map[uint]bool{}
	for _, x := range in.Participants {
		part[x] = true
	}
	me := web.MustSubject(c)
	return h.srv.ViewStatus(c, status, "visits/form", &formView{
		ID: id, C: cu, Form: in, Errors: errs, Kinds: Kinds, Items: ChecklistItems,
		Contacts: contacts, Selected: sel, Colleagues: colleagues, Going: part, MeID: me.ID,
		SuggestChief: cu.Grade == "A" && cu.ChiefRepID != nil,
	})
}

func (h *handler) newPlan(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	cid := web.QueryID(c, "customer")
	if cid == 0 {
		return prospects.PickCustomerPage(h.srv, h.svc.prospects, c, "visits.new", "/visits/new", "/visits/new?customer={id}")
	}
	cu, err := h.svc.prospects.CustomerFor(c.UserContext(), me, cid, "write")
	if err != nil {
		return err
	}
	tomorrow := h.svc.Now().In(h.svc.Location()).AddDate(0, 0, 1)
	in := PlanInput{CustomerID: cid, Date: tomorrow.Format("2006-01-02"), Time: "09:30", Duration: "60", Kind: "first",
		Location: DefaultLocation(cu)}
	if cu.Grade == "A" && cu.ChiefRepID != nil {
		// The handbook: a key account's chief representative goes along.
		in.Participants = []uint{*cu.ChiefRepID}
	}
	return h.renderPlanForm(c, fiber.StatusOK, 0, cu, in, nil)
}

func (h *handler) createPlan(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	in := planInputFrom(c)
	p, err := h.svc.CreatePlan(c.UserContext(), me, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		cu, lerr := h.svc.prospects.CustomerFor(c.UserContext(), me, in.CustomerID, "write")
		if lerr != nil {
			return lerr
		}
		return h.renderPlanForm(c, status, 0, cu, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "visits.created")
	return web.Redirect(c, visitURL(p.ID))
}

func (h *handler) edit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	d, err := h.svc.Detail(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	if !d.CanWrite {
		return apperr.ErrForbidden
	}
	p := d.Plan
	st := p.StartsAt.In(h.svc.Location())
	in := PlanInput{CustomerID: p.CustomerID, Date: st.Format("2006-01-02"), Time: st.Format("15:04"),
		Duration: strconv.Itoa(p.DurationMin), Kind: p.Kind, Objective: p.Objective, Location: p.Location,
		Version: p.Version, Checklist: map[string]bool{}}
	for i, item := range ChecklistItems {
		in.Checklist[item] = p.Checklist()[i]
	}
	for _, ct := range d.Contacts {
		in.Contacts = append(in.Contacts, ct.ID)
	}
	for _, u := range d.Participants {
		in.Participants = append(in.Participants, u.ID)
	}
	return h.renderPlanForm(c, fiber.StatusOK, id, d.Customer, in, nil)
}

func (h *handler) update(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	in := planInputFrom(c)
	_, err = h.svc.UpdatePlan(c.UserContext(), me, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		d, lerr := h.svc.Detail(c.UserContext(), me, id)
		if lerr != nil {
			return lerr
		}
		return h.renderPlanForm(c, status, id, d.Customer, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, visitURL(id))
}

// --- visit page

func (h *handler) showData(d *Detail, errs map[string]string, rec *RecordInput) *showView {
	now := h.svc.Now()
	data := &showView{
		D: d, P: d.Plan, C: d.Customer, Items: ChecklistItems, Checks: d.Plan.Checklist(),
		Unprepared: d.Plan.Unprepared(now), Overdue: d.Plan.Overdue(now), Errors: errs,
		Attitudes: Attitudes, Kinds: Kinds, NeedCategories: servicecat.Keys(),
		// The record form is offered once the visit's time has come (the
		// service refuses earlier records too).
		CanRecord:   d.CanWrite && (d.Plan.Status == StatusDone || d.Plan.Status == StatusPlanned && !d.Plan.StartsAt.After(now)),
		RecordLater: d.CanWrite && d.Plan.Status == StatusPlanned && d.Plan.StartsAt.After(now),
		Late:        d.Record != nil && now.Sub(d.Record.CreatedAt) > lateEdit,
	}
	data.Title = d.Customer.Name
	if rec == nil {
		rec = &RecordInput{Attitude: "neutral", NextKind: "needs"}
		if d.Record != nil {
			rec.Discussed, rec.Attitude, rec.NeedsText, rec.NextStep, rec.Version = d.Record.Discussed, d.Record.Attitude, d.Record.NeedsText, d.Record.NextStep, d.Record.Version
			if d.Record.NextDate != nil {
				rec.NextDate = d.Record.NextDate.Format("2006-01-02")
			}
		}
	}
	data.Rec = rec
	// The need rows as typed (after a 422), by row.
	rows := make([]NeedLine, NeedLines)
	for i := range rows {
		rows[i].Line = i
	}
	for _, n := range rec.Needs {
		if n.Line >= 0 && n.Line < NeedLines {
			rows[n.Line] = n
		}
	}
	data.NeedRows = rows
	return data
}

func (h *handler) show(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Detail(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	data := h.showData(d, nil, nil)
	trail, err := h.svc.HistoryOf(c.UserContext(), d)
	if err != nil {
		return err
	}
	if data.History, err = h.srv.History.View(c.UserContext(), web.MustSubject(c), web.Lang(c), trail); err != nil {
		return err
	}
	return h.srv.View(c, "visits/show", data)
}

// check ticks a checklist item; htmx gets the refreshed checklist back.
func (h *handler) check(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	if _, err := h.svc.Check(c.UserContext(), me, id, c.FormValue("item"), c.FormValue("on") == "1"); err != nil {
		if f, ok := apperr.AsFields(err); ok {
			return fiber.NewError(fiber.StatusUnprocessableEntity, h.srv.I18n.T(web.Lang(c), f["item"]))
		}
		return err
	}
	if c.Get("HX-Request") == "true" {
		d, err := h.svc.Detail(c.UserContext(), me, id)
		if err != nil {
			return err
		}
		return h.srv.ViewFragment(c, "visits/checklist", h.showData(d, nil, nil))
	}
	return web.Redirect(c, visitURL(id))
}

func recordInputFrom(c *fiber.Ctx) RecordInput {
	in := RecordInput{
		Discussed: c.FormValue("discussed"), Attitude: c.FormValue("attitude"), NeedsText: c.FormValue("needs_text"),
		NextStep: c.FormValue("next_step"), NextDate: c.FormValue("next_date"), NextTime: c.FormValue("next_time"),
		NextKind: c.FormValue("next_kind"), Version: web.FormInt(c, "version"),
	}
	for i := 0; i < NeedLines; i++ {
		n := NeedLine{Line: i, Category: c.FormValue(needKey("category", i)), Description: c.FormValue(needKey("description", i)),
			ContactID: web.FormUint(c, needKey("contact", i))}
		if strings.TrimSpace(n.Description) != "" {
			in.Needs = append(in.Needs, n)
		}
	}
	return in
}

// recordFields are the record form's fields that show their own message.
var recordFields = func() map[string]bool {
	m := map[string]bool{"_form": true, "discussed": true, "attitude": true, "needs_text": true, "needs": true,
		"next_step": true, "next_date": true, "next_kind": true}
	for i := 0; i < NeedLines; i++ {
		for _, part := range []string{"category", "description", "contact"} {
			m[needKey(part, i)] = true
		}
	}
	return m
}()

// placeRecordErrors moves a message for a field the form does not show to
// the top of the form, so a 422 never comes back without saying why.
func placeRecordErrors(msgs map[string]string) map[string]string {
	for k, msg := range msgs {
		if recordFields[k] {
			continue
		}
		delete(msgs, k)
		if top := msgs["_form"]; top != "" {
			msg = top + " " + msg
		}
		msgs["_form"] = msg
	}
	return msgs
}

func (h *handler) record(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	in := recordInputFrom(c)
	res, err := h.svc.SaveRecord(c.UserContext(), me, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		// Nothing was saved: the form comes back as it was typed, each
		// message next to its field.
		d, lerr := h.svc.Detail(c.UserContext(), me, id)
		if lerr != nil {
			return lerr
		}
		return h.srv.ViewStatus(c, status, "visits/show", h.showData(d, placeRecordErrors(msgs), &in))
	}
	if err != nil {
		return err
	}
	if res.NextPlan != nil {
		h.srv.Flash(c, "ok", "visits.recorded_next")
	} else {
		h.srv.Flash(c, "ok", "visits.recorded")
	}
	return web.Redirect(c, visitURL(id))
}

func (h *handler) statusChange(c *fiber.Ctx, fn func(ctx context.Context, me authz.Subject, id uint) error, okMsg string) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = fn(c.UserContext(), web.MustSubject(c), id)
	if f, ok := apperr.AsFields(err); ok {
		for _, m := range f {
			h.srv.Flash(c, "error", m)
		}
		return web.Redirect(c, visitURL(id))
	}
	if errors.Is(err, apperr.ErrConflict) {
		h.srv.Flash(c, "error", "v.stale")
		return web.Redirect(c, visitURL(id))
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", okMsg)
	return web.Redirect(c, visitURL(id))
}

func (h *handler) cancel(c *fiber.Ctx) error {
	reason := c.FormValue("reason")
	return h.statusChange(c, func(ctx context.Context, me authz.Subject, id uint) error {
		return h.svc.Cancel(ctx, me, id, reason)
	}, "visits.cancelled")
}

func (h *handler) missed(c *fiber.Ctx) error {
	return h.statusChange(c, h.svc.MarkMissed, "visits.marked_missed")
}

// completeTodo ticks a to-do off and goes back where it was ticked (the
// home page's agenda or the visit page).
func (h *handler) completeTodo(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.CompleteTodo(c.UserContext(), web.MustSubject(c), id); err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "visits.todo_done")
	return web.Redirect(c, web.SafeNext(c.FormValue("next"), "/"))
}

// --- brief

func (h *handler) brief(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.svc.Brief(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	v := &briefView{B: b}
	v.Title = b.Customer.Name
	return h.srv.View(c, "visits/brief", v)
}

func (h *handler) briefPDF(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.svc.Brief(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	if h.pdf == nil {
		return fiber.ErrServiceUnavailable
	}
	lang := web.Lang(c)
	out, err := h.pdf(c.UserContext(), b, func(id string, args ...any) string { return h.srv.I18n.T(lang, id, args...) })
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="visit-brief-%d.pdf"`, id))
	return c.Send(out)
}

// --- calendar feed

func (h *handler) feedPage(c *fiber.Ctx) error {
	has, err := h.svc.HasFeedToken(c.UserContext(), web.MustSubject(c))
	if err != nil {
		return err
	}
	return h.srv.View(c, "visits/feed", &feedView{Has: has})
}

func (h *handler) feedCreate(c *fiber.Ctx) error {
	token, err := h.svc.NewFeedToken(c.UserContext(), web.MustSubject(c))
	if err != nil {
		return err
	}
	v := &feedView{Has: true, URL: c.BaseURL() + "/ics/" + token}
	if webcal, ok := WebcalURL(c.Hostname(), token); ok {
		v.WebcalURL = webcal
	}
	return h.srv.View(c, "visits/feed", v)
}

func (h *handler) feedRevoke(c *fiber.Ctx) error {
	if err := h.svc.RevokeFeedToken(c.UserContext(), web.MustSubject(c)); err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "visits.feed_revoked")
	return web.Redirect(c, "/visits/feed")
}

func (h *handler) feed(c *fiber.Ctx) error {
	token := strings.TrimSuffix(c.Params("token"), ".ics")
	u, rows, err := h.svc.FeedFor(c.UserContext(), token)
	if err != nil {
		return err
	}
	lang := u.Lang
	var buf bytes.Buffer
	name := h.srv.I18n.T(lang, "visits.feed_name", "Name", u.Name)
	kind := func(k string) string { return h.srv.I18n.T(lang, "visit_kind."+k) }
	var todos []FeedTodo
	if h.svc.FeedTodos != nil {
		if todos, err = h.svc.FeedTodos(c.UserContext(), u.Subject()); err != nil {
			return err
		}
	}
	if err := WriteICS(&buf, name, c.Hostname(), rows, kind, h.svc.Now(), todos...); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	return c.Send(buf.Bytes())
}
