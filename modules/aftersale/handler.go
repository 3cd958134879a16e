package aftersale

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv  *web.Server
	svc  *Service
	opts RouteOptions
}

func (h *handler) t(c *fiber.Ctx, id string, args ...any) string {
	return h.srv.I18n.T(web.Lang(c), id, args...)
}

func customerPath(id uint) string { return "/customers/" + strconv.FormatUint(uint64(id), 10) }

// --- care list and events

func (h *handler) care(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	pager := web.NewPager(c)
	v := &careView{Pager: pager, State: c.Query("state"), Owner: web.QueryID(c, "owner"), Team: web.QueryID(c, "team"),
		Today: h.svc.Today(), ShowOwner: h.svc.ListsOthers(me)}
	if !slices.Contains([]string{"", "all", CareOverdue, CareDueWeek, CareNever}, v.State) {
		v.State = ""
	}
	rows, counts, total, err := h.svc.CareList(ctx, me, CareListFilter{State: v.State, OwnerID: v.Owner, TeamID: v.Team, Limit: pager.Size, Offset: pager.Offset()})
	if err != nil {
		return err
	}
	v.Rows, v.Counts, pager.Total = rows, counts, int64(total)
	if v.Owners, err = h.svc.OwnersFor(ctx, me); err != nil {
		return err
	}
	if v.Teams, err = h.svc.TeamsFor(ctx, me); err != nil {
		return err
	}
	v.Title = h.t(c, "aftersale.care.title")
	return h.srv.View(c, "aftersale/care", v)
}

func (h *handler) events(c *fiber.Ctx) error {
	days := c.QueryInt("days", 30)
	if days < 1 || days > 366 {
		days = 30
	}
	evs, err := h.svc.CareEvents(c.UserContext(), web.MustSubject(c), days, true)
	if err != nil {
		return err
	}
	// A page of the events, each with its 已关怀 form (~1 KB): a director's
	// or the admin's 30 days at province scale are thousands of
	// anniversaries and festival greetings — cut at 500, the page was
	// ~540 KB and took 70–175 ms to write (issue 19: no page above
	// 300 KB, paginate everything).
	pager := web.NewPager(c)
	pager.Total = int64(len(evs))
	from := min(pager.Offset(), len(evs))
	v := &eventsView{Events: evs[from:min(from+pager.Size, len(evs))], Days: days, Hows: CareHows, Pager: pager,
		Next: pager.URL(pager.Page)}
	v.Title = h.t(c, "aftersale.events.title")
	return h.srv.View(c, "aftersale/events", v)
}

func (h *handler) panelEvents(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	evs, err := h.svc.CareEvents(ctx, me, 7, false)
	if err != nil {
		return nil, err
	}
	total := len(evs)
	if len(evs) > 8 {
		evs = evs[:8]
	}
	return &eventsPanel{Events: evs, Total: total, Hows: CareHows}, nil
}

func (h *handler) panelRequests(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	rows, total, err := h.svc.List(ctx, me, RequestFilter{View: "breached", Status: "open", Limit: 5})
	if err != nil {
		return nil, err
	}
	soon, soonTotal, err := h.svc.List(ctx, me, RequestFilter{View: "breaching", Limit: 5})
	if err != nil {
		return nil, err
	}
	return &requestsPanel{Breached: rows, BreachedTotal: total, Soon: soon, SoonTotal: soonTotal}, nil
}

func (h *handler) careDone(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = h.svc.MarkCareDone(c.UserContext(), web.MustSubject(c), id, c.FormValue("key"), c.FormValue("on"), c.FormValue("how"), c.FormValue("note"))
	back := web.SafeNext(c.FormValue("next"), "/aftersale/events")
	if _, _, ok := h.srv.FormErrors(c, err); ok {
		h.srv.Flash(c, "error", "aftersale.care.done_failed")
		return web.Redirect(c, back)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "aftersale.care.done_ok")
	return web.Redirect(c, back)
}

// --- a customer's after-sale tab

func (h *handler) customer(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderCustomer(c, fiber.StatusOK, id, nil)
}

func (h *handler) renderCustomer(c *fiber.Ctx, status int, id uint, errs map[string]string) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	cust, err := h.svc.CustomerFor(ctx, me, id, "read")
	if err != nil {
		return err
	}
	v := &customerView{Customer: cust, CanWrite: h.svc.CanWrite(me, cust), CanEditCare: h.svc.CanEditCare(me, cust), Today: h.svc.Today(), Errors: errs, Kinds: TouchKinds}
	if v.Care, err = h.svc.CareOf(ctx, me, id); err != nil {
		return err
	}
	if v.Touches, err = h.svc.Touches(ctx, id); err != nil {
		return err
	}
	if v.Dates, err = h.svc.CareDates(ctx, id); err != nil {
		return err
	}
	if v.Requests, _, err = h.svc.List(ctx, me, RequestFilter{CustomerID: id, Limit: 50}); err != nil {
		return err
	}
	if v.Callbacks, err = h.svc.Trend(ctx, me, id); err != nil {
		return err
	}
	if v.Open, _, err = h.svc.CallbackList(ctx, me, CallbackFilter{CustomerID: id, Status: "open", Limit: 20}); err != nil {
		return err
	}
	if v.Contacts, err = h.svc.Contacts(ctx, me, id); err != nil {
		return err
	}
	v.Title = cust.Name
	return h.srv.ViewStatus(c, status, "aftersale/customer", v)
}

func (h *handler) addTouch(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, err = h.svc.AddTouch(c.UserContext(), web.MustSubject(c), id, TouchInput{Kind: c.FormValue("kind"), On: c.FormValue("on"), Summary: c.FormValue("summary")})
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderCustomer(c, st, id, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "aftersale.touch.saved")
	return web.Redirect(c, customerPath(id)+"/aftersale")
}

func (h *handler) addCareDate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, err = h.svc.AddCareDate(c.UserContext(), web.MustSubject(c), id, CareDateInput{Kind: c.FormValue("date_kind"),
		ContactID: web.FormUint(c, "contact_id"), Date: c.FormValue("date"), Label: c.FormValue("label")})
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderCustomer(c, st, id, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, customerPath(id)+"/aftersale")
}

// --- requests

func (h *handler) newRequest(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cust, err := h.svc.CustomerFor(c.UserContext(), web.MustSubject(c), id, "write")
	if err != nil {
		return err
	}
	return h.renderRequestForm(c, fiber.StatusOK, &requestFormView{Customer: cust,
		Form: RequestInput{CustomerID: id, Kind: "complaint", Severity: SevMajor, Channel: "phone"}})
}

func (h *handler) renderRequestForm(c *fiber.Ctx, status int, v *requestFormView) error {
	ctx, me := c.UserContext(), web.MustSubject(c)
	var err error
	if v.Categories, err = h.svc.Categories(ctx, v.Customer.BranchID); err != nil {
		return err
	}
	if v.Contacts, err = h.svc.Contacts(ctx, me, v.Customer.ID); err != nil {
		return err
	}
	v.Title = h.t(c, "aftersale.request.new")
	return h.srv.ViewStatus(c, status, "aftersale/request_form", v)
}

func (h *handler) createRequest(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), web.MustSubject(c)
	cust, err := h.svc.CustomerFor(ctx, me, id, "write")
	if err != nil {
		return err
	}
	in := RequestInput{CustomerID: id, Kind: c.FormValue("kind"), Category: c.FormValue("category"), Severity: c.FormValue("severity"),
		Channel: c.FormValue("channel"), Description: c.FormValue("description"), Affected: c.FormValue("affected"), ContactID: web.FormUint(c, "contact_id")}
	r, err := h.svc.CreateRequest(ctx, me, in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderRequestForm(c, st, &requestFormView{Customer: cust, Form: in, Errors: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "aftersale.request.created")
	return web.Redirect(c, requestLink(r.ID))
}

// filterFrom reads a request list's filters; unknown values are dropped.
func filterFrom(c *fiber.Ctx) RequestFilter {
	f := RequestFilter{View: c.Query("view"), Status: c.Query("status"), Severity: c.Query("severity"), Kind: c.Query("kind"),
		Category: c.Query("category"), OwnerID: web.QueryID(c, "owner"), TeamID: web.QueryID(c, "team"), Q: strings.TrimSpace(c.Query("q"))}
	if !slices.Contains([]string{"", "mine", "team", "breaching", "breached"}, f.View) {
		f.View = ""
	}
	if f.Status != "open" && !slices.Contains(Statuses, f.Status) {
		f.Status = ""
	}
	if !slices.Contains(Severities, f.Severity) {
		f.Severity = ""
	}
	if !slices.Contains(Kinds, f.Kind) {
		f.Kind = ""
	}
	if len([]rune(f.Q)) > 100 {
		f.Q = string([]rune(f.Q)[:100])
	}
	return f
}

func (h *handler) requests(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	pager := web.NewPager(c)
	f := filterFrom(c)
	f.Limit, f.Offset = pager.Size, pager.Offset()
	v := &requestsView{Pager: pager, F: f, Query: web.ListQuery(c), Now: h.svc.Now(), Clock: h.svc.Clock()}
	var err error
	if v.Rows, pager.Total, err = h.svc.List(ctx, me, f); err != nil {
		return err
	}
	if v.Owners, err = h.svc.OwnersFor(ctx, me); err != nil {
		return err
	}
	if v.Teams, err = h.svc.TeamsFor(ctx, me); err != nil {
		return err
	}
	if v.Categories, err = h.svc.Categories(ctx, me.BranchID); err != nil {
		return err
	}
	v.Title = h.t(c, "aftersale.requests.title")
	return h.srv.View(c, "aftersale/requests", v)
}

func (h *handler) request(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderRequest(c, fiber.StatusOK, id, nil)
}

func (h *handler) renderRequest(c *fiber.Ctx, status int, id uint, errs map[string]string) error {
	d, err := h.svc.Get(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	v := &requestView{D: d, Now: h.svc.Now(), Errors: errs}
	v.Title = RequestNo(d.R.ID) + " · " + d.Customer.Name
	return h.srv.ViewStatus(c, status, "aftersale/request", v)
}

// step runs a change and comes back to the request; a broken rule shows
// on the page with its status.
func (h *handler) step(c *fiber.Ctx, okMsg string, fn func(id uint) (*Request, error)) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, err = fn(id)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderRequest(c, st, id, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", okMsg)
	return web.Redirect(c, requestLink(id))
}

func (h *handler) start(c *fiber.Ctx) error {
	return h.step(c, "aftersale.request.started", func(id uint) (*Request, error) {
		return h.svc.Start(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "version"))
	})
}

func (h *handler) transfer(c *fiber.Ctx) error {
	return h.step(c, "aftersale.request.transferred", func(id uint) (*Request, error) {
		return h.svc.Transfer(c.UserContext(), web.MustSubject(c), id, web.FormUint(c, "to_id"), c.FormValue("reason"), web.FormInt(c, "version"))
	})
}

func (h *handler) resolve(c *fiber.Ctx) error {
	return h.step(c, "aftersale.request.resolved", func(id uint) (*Request, error) {
		return h.svc.Resolve(c.UserContext(), web.MustSubject(c), id, ResolveInput{Resolution: c.FormValue("resolution"),
			RootCause: c.FormValue("root_cause"), Recovery: c.FormValue("recovery")}, web.FormInt(c, "version"))
	})
}

func (h *handler) close(c *fiber.Ctx) error {
	return h.step(c, "aftersale.request.closed", func(id uint) (*Request, error) {
		return h.svc.Close(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "version"))
	})
}

func (h *handler) reopen(c *fiber.Ctx) error {
	return h.step(c, "aftersale.request.reopened", func(id uint) (*Request, error) {
		return h.svc.Reopen(c.UserContext(), web.MustSubject(c), id, c.FormValue("reason"), web.FormInt(c, "version"))
	})
}

// --- exports

func (h *handler) exportCSV(c *fiber.Ctx) error  { return h.export(c, sheet.CSV) }
func (h *handler) exportXLSX(c *fiber.Ctx) error { return h.export(c, sheet.XLSX) }

func (h *handler) export(c *fiber.Ctx, format string) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	lang := web.Lang(c)
	t := func(id string) string { return h.srv.I18n.T(lang, id) }
	f := filterFrom(c)
	cols := []sheet.Column{
		{Header: t("aftersale.request.no"), Width: 12}, {Header: t("aftersale.customer"), Width: 30},
		{Header: t("aftersale.request.kind"), Width: 8}, {Header: t("aftersale.request.category"), Width: 12},
		{Header: t("aftersale.request.severity"), Width: 8}, {Header: t("aftersale.request.status"), Width: 10},
		{Header: t("aftersale.request.handler"), Width: 10}, {Header: t("aftersale.request.description"), Width: 40},
		{Header: t("aftersale.request.created_at"), Width: 18, Kind: sheet.DateTime},
		{Header: t("aftersale.request.resolve_due"), Width: 18, Kind: sheet.DateTime},
		{Header: t("aftersale.request.breached"), Width: 8},
	}
	now := h.svc.Now()
	file, size, err := sheet.Spool(format, t("aftersale.requests.title"), cols, h.opts.Location, func(w sheet.Writer) error {
		return h.svc.Each(ctx, me, f, func(rows []RequestRow) error {
			for i := range rows {
				r := &rows[i]
				breached := ""
				if r.Breached(now) {
					breached = t("aftersale.yes")
				}
				if err := w.Row(RequestNo(r.ID), r.CustomerName, t("aftersale.kind."+r.Kind), CategoryLabel(t, r.Category),
					t("aftersale.severity."+r.Severity), t("aftersale.status."+r.Status), r.HandlerName, r.Description,
					r.CreatedAt, r.ResolveDueAt, breached); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, sheet.ContentType(format))
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="service-requests.`+format+`"; filename*=UTF-8''`+url.PathEscape(t("aftersale.requests.title")+"."+format))
	return c.SendStream(file, int(size))
}

// CategoryLabel names a category: a built-in one in the reader's
// language, a configured one as typed.
func CategoryLabel(t func(string) string, code string) string {
	if slices.Contains(DefaultCategories, code) {
		return t("aftersale.category." + code)
	}
	return code
}

// --- call-backs

func (h *handler) callbacks(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	pager := web.NewPager(c)
	v := &callbacksView{Pager: pager, Status: c.Query("status", "open"), Today: h.svc.Today()}
	if v.Status != "done" {
		v.Status = "open"
	}
	var err error
	if v.Rows, pager.Total, err = h.svc.CallbackList(ctx, me, CallbackFilter{Status: v.Status, Limit: pager.Size, Offset: pager.Offset()}); err != nil {
		return err
	}
	if v.Owners, err = h.svc.ScoreStats(ctx, me, "owner"); err != nil {
		return err
	}
	if v.Teams, err = h.svc.ScoreStats(ctx, me, "team"); err != nil {
		return err
	}
	v.Title = h.t(c, "aftersale.callbacks.title")
	return h.srv.View(c, "aftersale/callbacks", v)
}

func (h *handler) callback(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderCallback(c, fiber.StatusOK, id, CallbackInput{}, nil)
}

func (h *handler) renderCallback(c *fiber.Ctx, status int, id uint, in CallbackInput, errs map[string]string) error {
	ctx, me := c.UserContext(), web.MustSubject(c)
	d, err := h.svc.GetCallback(ctx, me, id)
	if err != nil {
		return err
	}
	v := &callbackView{D: d, Form: in, Questions: Questions, Errors: errs}
	if in.Scores == nil {
		v.Form.Scores = map[string]string{}
	}
	if v.Contacts, err = h.svc.Contacts(ctx, me, d.Customer.ID); err != nil {
		return err
	}
	v.Title = h.t(c, "aftersale.callback.title") + " · " + d.Customer.Name
	return h.srv.ViewStatus(c, status, "aftersale/callback", v)
}

func (h *handler) recordCallback(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := CallbackInput{Scores: map[string]string{}, Recommend: c.FormValue("recommend"), Comment: c.FormValue("comment"),
		AnsweredBy: c.FormValue("answered_by"), Version: web.FormInt(c, "version")}
	for _, q := range Questions {
		in.Scores[q] = c.FormValue("q_" + q)
	}
	cb, err := h.svc.RecordCallback(c.UserContext(), web.MustSubject(c), id, in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderCallback(c, st, id, in, msgs)
	}
	if err != nil {
		return err
	}
	if cb.RequestID != nil {
		h.srv.Flash(c, "ok", "aftersale.callback.low_opened")
		return web.Redirect(c, requestLink(*cb.RequestID))
	}
	h.srv.Flash(c, "ok", "aftersale.callback.saved")
	return web.Redirect(c, "/aftersale/callbacks")
}

// --- settings

func (h *handler) settings(c *fiber.Ctx) error {
	st, err := h.svc.BranchSettings(c.UserContext(), web.MustSubject(c))
	if err != nil {
		return err
	}
	return h.renderSettings(c, fiber.StatusOK, st, formOf(st), nil)
}

func formOf(st Settings) SettingsInput {
	in := SettingsInput{Freq: map[string]string{}, RespH: map[string]string{}, ResH: map[string]string{}, AllDay: map[string]bool{},
		Categories: strings.Join(st.CategoryList(), "\n"), AutoCloseDays: strconv.Itoa(st.AutoCloseDays), Version: st.Version,
		DirectorPct: strconv.Itoa(st.SLA(SevNormal).DirectorPct)}
	for _, g := range Grades {
		in.Freq[g] = strconv.Itoa(st.Frequency(g))
	}
	for _, sev := range Severities {
		sla := st.SLA(sev)
		in.RespH[sev], in.ResH[sev], in.AllDay[sev] = strconv.Itoa(sla.ResponseH), strconv.Itoa(sla.ResolveH), sla.AllDay
	}
	return in
}

func (h *handler) renderSettings(c *fiber.Ctx, status int, st Settings, in SettingsInput, errs map[string]string) error {
	v := &settingsView{S: st, Form: in, Errors: errs}
	v.Title = h.t(c, "aftersale.settings.title")
	return h.srv.ViewStatus(c, status, "aftersale/settings", v)
}

func (h *handler) saveSettings(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	in := SettingsInput{Freq: map[string]string{}, RespH: map[string]string{}, ResH: map[string]string{}, AllDay: map[string]bool{},
		Categories: c.FormValue("categories"), AutoCloseDays: c.FormValue("auto_close_days"), Version: web.FormInt(c, "version"),
		DirectorPct: c.FormValue("director_pct")}
	for _, g := range Grades {
		in.Freq[g] = c.FormValue("freq_" + strings.ToLower(g))
	}
	for _, sev := range Severities {
		in.RespH[sev], in.ResH[sev], in.AllDay[sev] = c.FormValue("resp_"+sev), c.FormValue("res_"+sev), c.FormValue("allday_"+sev) == "1"
	}
	_, err := h.svc.SaveSettings(c.UserContext(), me, in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		cur, err := h.svc.BranchSettings(c.UserContext(), me)
		if err != nil {
			return err
		}
		return h.renderSettings(c, st, cur, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/aftersale/settings")
}
