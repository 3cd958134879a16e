package targets

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv  *web.Server
	svc  *Service
	opts RouteOptions
}

// monthParam reads ?month= (default: the current month); a bad month is a
// 422 on the page's own form.
func (h *handler) month(c *fiber.Ctx) (Month, error) {
	return h.svc.ParseMonth(c.Query("month", c.FormValue("month")))
}

// monthNav is the month picker of a page.
type monthNav struct {
	Month Month
	Prev  string
	Next  string
}

func navFor(m Month) monthNav {
	return monthNav{Month: m, Prev: m.Add(-1).String(), Next: m.Add(1).String()}
}

// ---- grid / own progress ----

type gridView struct {
	web.Page
	Months monthNav
	Grid   *Grid
	// Rows are the grid's rows as strings, made once in Go: a 600-row
	// grid renders in a fraction of the time template method calls take.
	Rows    []gridRowView
	Reasons *ReasonStats
	Lines   []LineDef
	Sort    string
	Dir     string
	CanSet  bool
}

// SortURL links a column header: sorting by key, toggling the direction.
func (v *gridView) SortURL(key string) string {
	dir := "desc"
	if v.Sort == key && v.Dir == "desc" {
		dir = "asc"
	}
	return fmt.Sprintf("/targets?month=%s&sort=%s&dir=%s", v.Months.Month, key, dir)
}

func (h *handler) index(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	m, err := h.month(c)
	if err != nil {
		return err
	}
	if h.svc.enf.Level(me, "target", "read") == authz.ScopeOwn {
		return h.showProgress(c, me, me.ID, m)
	}
	sortKey, dir := c.Query("sort", "name"), c.Query("dir", "asc")
	g, err := h.svc.Grid(c.UserContext(), me, m, sortKey, dir == "desc")
	if err != nil {
		return err
	}
	st, err := h.svc.Reasons(c.UserContext(), me, m)
	if err != nil {
		return err
	}
	v := &gridView{Months: navFor(m), Grid: g, Reasons: st, Lines: Lines, Sort: sortKey, Dir: dir,
		CanSet: h.svc.enf.CanRoute(me, "target", "set"), Rows: gridRows(g, h.srv.I18n.For(web.Lang(c)).T)}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.title")
	return h.srv.View(c, "targets/grid", v)
}

type progressView struct {
	web.Page
	Months   monthNav
	P        *Progress
	Self     bool
	Reviews  []Review
	MyReview *Review
}

func (h *handler) progress(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	m, err := h.month(c)
	if err != nil {
		return err
	}
	return h.showProgress(c, web.MustSubject(c), id, m)
}

func (h *handler) showProgress(c *fiber.Ctx, me authz.Subject, id uint, m Month) error {
	ctx := c.UserContext()
	p, err := h.svc.Progress(ctx, me, id, m)
	if err != nil {
		return err
	}
	v := &progressView{Months: navFor(m), P: p, Self: id == me.ID}
	if h.svc.enf.Level(me, "review", "read") != authz.ScopeNone {
		rs, err := h.svc.store.ReviewsOf(ctx, h.svc.enf.ListScope(me, "review", "read"), id, 12)
		if err != nil {
			return err
		}
		v.Reviews = rs
		for i := range rs {
			if rs[i].Month == m.String() {
				v.MyReview = &rs[i]
			}
		}
	}
	v.Title = p.Person.Name
	return h.srv.View(c, "targets/progress", v)
}

// ---- setting targets ----

type setView struct {
	web.Page
	Months monthNav
	G      *SetGrid
	Lines  []LineDef
	Errors map[string]string
	// Input holds the values as typed when the form comes back with errors.
	Input  map[string]string
	Reason string
	Saved  int
}

// Cell is the value a grid cell shows: as typed after an error, else the
// saved target or the proposal.
func (v *setView) Cell(r SetRow, l LineDef) string {
	if s, ok := v.Input[FieldKey(r.Person.ID, l.Key)]; ok {
		return s
	}
	return r.Shown(l)
}

// Err is the error of a cell ("" for none).
func (v *setView) Err(r SetRow, l LineDef) string { return v.Errors[FieldKey(r.Person.ID, l.Key)] }

// Hint shows a line's proposal basis: the quota's monthly share and last
// month's result.
func (v *setView) Hint(r SetRow, l LineDef) string {
	s := ShowValue(l, r.Last[l.Key])
	if sh, ok := r.Share[l.Key]; ok {
		return ShowValue(l, sh) + " / " + s
	}
	return s
}

func (h *handler) setForm(c *fiber.Ctx) error {
	m, err := h.month(c)
	if err != nil {
		return err
	}
	return h.renderSet(c, m, nil, nil, "", fiber.StatusOK)
}

func (h *handler) renderSet(c *fiber.Ctx, m Month, errs map[string]string, input map[string]string, reason string, status int) error {
	g, err := h.svc.SetForm(c.UserContext(), web.MustSubject(c), m)
	if err != nil {
		return err
	}
	v := &setView{Months: navFor(m), G: g, Lines: Lines, Errors: errs, Input: input, Reason: reason}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.set.title")
	return h.srv.ViewStatus(c, status, "targets/set", v)
}

func (h *handler) setSave(c *fiber.Ctx) error {
	m, err := h.svc.ParseMonth(c.FormValue("month"))
	if err != nil {
		return err
	}
	var rows []TargetInput
	input := map[string]string{}
	args := c.Request().PostArgs()
	for _, raw := range args.PeekMulti("owner") {
		id, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil || id == 0 {
			continue
		}
		in := TargetInput{OwnerID: uint(id), Version: web.FormInt(c, fmt.Sprintf("v_%d", id)), Values: map[string]string{}}
		for _, l := range Lines {
			k := FieldKey(uint(id), l.Key)
			in.Values[l.Key] = c.FormValue(k)
			input[k] = c.FormValue(k)
		}
		rows = append(rows, in)
	}
	reason := c.FormValue("reason")
	_, err = h.svc.SaveTargets(c.UserContext(), web.MustSubject(c), m, rows, reason)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderSet(c, m, msgs, input, reason, status)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "targets.set.saved")
	return web.Redirect(c, "/targets?month="+m.String())
}

// ---- reviews ----

type reviewView struct {
	web.Page
	V       *ReviewView
	Reasons []string
	Errors  map[string]string
	Input   *ReviewInput
	Names   map[uint]string
}

// Reason is the reason shown for a line (as typed after an error).
func (v *reviewView) Reason(key string) string {
	if v.Input != nil {
		return v.Input.Reasons[key]
	}
	for _, l := range v.V.Lines {
		if l.Def.Key == key {
			return l.Reason
		}
	}
	return ""
}

// Note is the improvement shown for a line (as typed after an error).
func (v *reviewView) Note(key string) string {
	if v.Input != nil {
		return v.Input.Notes[key]
	}
	for _, l := range v.V.Lines {
		if l.Def.Key == key {
			return l.Note
		}
	}
	return ""
}

// Summary is the month's free text (as typed after an error).
func (v *reviewView) Summary() string {
	if v.Input != nil {
		return v.Input.Summary
	}
	return v.V.Review.Summary
}

func (h *handler) myReview(c *fiber.Ctx) error {
	m, err := h.month(c)
	if err != nil {
		return err
	}
	rv, err := h.svc.MyReview(c.UserContext(), web.MustSubject(c), m)
	if err != nil {
		return err
	}
	if rv.Review.ID != 0 && !rv.Review.Editable() {
		return web.Redirect(c, fmt.Sprintf("/targets/reviews/%d", rv.Review.ID))
	}
	return h.renderReview(c, rv, nil, nil, fiber.StatusOK)
}

func (h *handler) renderReview(c *fiber.Ctx, rv *ReviewView, errs map[string]string, in *ReviewInput, status int) error {
	ids := []uint{rv.Person.ID}
	for _, e := range rv.Review.Events {
		ids = append(ids, e.ActorID)
	}
	if rv.Review.SignedOffBy != nil {
		ids = append(ids, *rv.Review.SignedOffBy)
	}
	names, err := h.svc.dir.Names(c.UserContext(), ids)
	if err != nil {
		return err
	}
	v := &reviewView{V: rv, Reasons: Reasons, Errors: errs, Input: in, Names: names}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.review.title") + " " + rv.Month.String()
	return h.srv.ViewStatus(c, status, "targets/review", v)
}

func readReviewInput(c *fiber.Ctx) ReviewInput {
	in := ReviewInput{Version: web.FormInt(c, "version"), Summary: c.FormValue("summary"), Reasons: map[string]string{}, Notes: map[string]string{}}
	for _, l := range Lines {
		in.Reasons[l.Key] = c.FormValue("reason_" + l.Key)
		in.Notes[l.Key] = c.FormValue("note_" + l.Key)
	}
	return in
}

func (h *handler) myReviewSave(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	m, err := h.svc.ParseMonth(c.FormValue("month"))
	if err != nil {
		return err
	}
	in := readReviewInput(c)
	submit := c.FormValue("submit") == "1"
	r, err := h.svc.SaveReview(c.UserContext(), me, m, in, submit)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		rv, err2 := h.svc.MyReview(c.UserContext(), me, m)
		if err2 != nil {
			return err2
		}
		return h.renderReview(c, rv, msgs, &in, status)
	}
	if err != nil {
		return err
	}
	if submit {
		h.srv.Flash(c, "ok", "targets.review.submitted")
		return web.Redirect(c, fmt.Sprintf("/targets/reviews/%d", r.ID))
	}
	h.srv.Flash(c, "ok", "targets.review.saved")
	return web.Redirect(c, "/targets/review?month="+m.String())
}

func (h *handler) review(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	rv, err := h.svc.Review(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	return h.renderReview(c, rv, nil, nil, fiber.StatusOK)
}

func (h *handler) decide(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return err
		}
		me := web.MustSubject(c)
		_, err = h.svc.Decide(c.UserContext(), me, id, action, web.FormInt(c, "version"), c.FormValue("body"))
		if msgs, status, ok := h.srv.FormErrors(c, err); ok {
			rv, err2 := h.svc.Review(c.UserContext(), me, id)
			if err2 != nil {
				return err2
			}
			return h.renderReview(c, rv, msgs, nil, status)
		}
		if err != nil {
			return err
		}
		h.srv.Flash(c, "ok", DecisionFlash[action])
		return web.Redirect(c, fmt.Sprintf("/targets/reviews/%d", id))
	}
}

type reviewsView struct {
	web.Page
	Months monthNav
	Grid   *Grid
}

func (h *handler) reviews(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	m, err := h.month(c)
	if err != nil {
		return err
	}
	if h.svc.enf.Level(me, "review", "read") == authz.ScopeOwn {
		return web.Redirect(c, "/targets?month="+m.String())
	}
	g, err := h.svc.ReviewList(c.UserContext(), me, m)
	if err != nil {
		return err
	}
	v := &reviewsView{Months: navFor(m), Grid: g}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.reviews.title")
	return h.srv.View(c, "targets/reviews", v)
}

// ---- home panels ----

// progressPanel is the reader's month on the home page
// (targets/panel_progress); P is nil when they have no target, and the
// panel shows nothing.
type progressPanel struct {
	web.Page
	P *Progress
}

// reviewsPanel lists the month's reviews waiting for the reader
// (targets/panel_reviews) and how many are not in.
type reviewsPanel struct {
	web.Page
	Month   Month
	Waiting []GridRow
	Missing []Person
	Total   int
}

func (h *handler) panelProgress(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	p, err := h.svc.Progress(ctx, me, me.ID, h.svc.CurrentMonth())
	if errors.Is(err, apperr.ErrNotFound) {
		return &progressPanel{}, nil // no target this month: no card
	}
	if err != nil {
		return nil, err
	}
	return &progressPanel{P: p}, nil
}

func (h *handler) panelReviews(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	// Last month's reviews until the current month's window opens.
	m := h.svc.CurrentMonth()
	if h.svc.now().Before(h.svc.opts.Calendar.ReviewOpens(m)) {
		m = m.Add(-1)
	}
	g, err := h.svc.ReviewList(ctx, me, m)
	if err != nil {
		return nil, err
	}
	var waiting []GridRow
	for _, r := range g.Rows {
		if r.Review != nil && r.Review.IsSubmitted() {
			waiting = append(waiting, r)
		}
	}
	return &reviewsPanel{Month: m, Waiting: waiting, Missing: g.Missing(), Total: len(g.Rows)}, nil
}

// gridRowView is a grid row ready to print.
type gridRowView struct {
	ID          uint
	Name, Team  string
	Cells       []gridCell
	ReviewID    uint
	Status      string
	StatusLabel string
}

// gridCell is one line of a row: colour class, actual, target, attainment.
type gridCell struct {
	Class, Actual, Target, Pct string
}

func gridRows(g *Grid, t func(id string, args ...any) string) []gridRowView {
	labels := map[string]string{}
	out := make([]gridRowView, len(g.Rows))
	for i, r := range g.Rows {
		st := r.ReviewStatus()
		if _, ok := labels[st]; !ok {
			labels[st] = t("targets.status." + st)
		}
		v := gridRowView{ID: r.Person.ID, Name: r.Person.Name, Team: r.Person.TeamName, Status: st, StatusLabel: labels[st],
			Cells: make([]gridCell, len(r.Lines))}
		if r.Review != nil {
			v.ReviewID = r.Review.ID
		}
		for j, a := range r.Lines {
			c := gridCell{Class: a.Class(), Actual: a.ActualText(), Target: a.TargetText()}
			if a.Has {
				c.Pct = strconv.Itoa(a.Pct()) + "%"
			}
			v.Cells[j] = c
		}
		out[i] = v
	}
	return out
}
