package needs

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

type handler struct {
	srv *web.Server
	svc *Service
}

func customerPath(id uint, page string) string {
	return "/customers/" + strconv.FormatUint(uint64(id), 10) + "/" + page
}

// lines splits a text area's value for display, one entry per line.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// --- analysis page

// serviceView is a service row with its days to contract end.
type serviceView struct {
	CustomerService
	DaysLeft int
	// Soon marks a competitor contract ending within ExpiringWithinDays.
	Soon bool
	// Past marks a contract end date already gone.
	Past bool
}

// analysisPage is everything the analysis page shows; a failed post
// renders it again with the typed values and their errors.
type analysisPage struct {
	status int
	form   *AnalysisInput
	errs   map[string]string
	sid    uint
	sform  *ServiceInput
	serrs  map[string]string
}

func analysisInput(a *CustomerAnalysis) AnalysisInput {
	in := AnalysisInput{PainPoints: a.PainPoints, DecisionCalendar: a.DecisionCalendar, Notes: a.Notes, Version: a.Version}
	if a.ITBudgetFen != 0 {
		in.ITBudget = a.ITBudgetFen.Plain()
	}
	return in
}

func serviceInput(cs *CustomerService) ServiceInput {
	in := ServiceInput{Service: cs.Service, Supplier: cs.Supplier, Description: cs.Description, Version: cs.Version}
	if cs.MonthlySpendFen != 0 {
		in.MonthlySpend = cs.MonthlySpendFen.Plain()
	}
	if cs.ContractEnd != nil {
		in.ContractEnd = cs.ContractEnd.Format("2006-01-02")
	}
	return in
}

func (h *handler) renderAnalysis(c *fiber.Ctx, customerID uint, pg analysisPage) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	cu, err := h.svc.Customer(ctx, me, customerID, "read")
	if err != nil {
		return err
	}
	a, services, err := h.svc.Analysis(ctx, me, customerID)
	if err != nil {
		return err
	}
	views := make([]serviceView, len(services))
	for i, s := range services {
		views[i] = serviceView{CustomerService: s}
		if s.ContractEnd != nil {
			views[i].DaysLeft = h.svc.DaysUntil(*s.ContractEnd)
			views[i].Past = views[i].DaysLeft < 0
			views[i].Soon = s.Competitor() && !views[i].Past && views[i].DaysLeft <= ExpiringWithinDays
		}
	}
	if pg.form == nil {
		in := analysisInput(a)
		pg.form = &in
	}
	if pg.sform == nil {
		in := ServiceInput{Supplier: "cmcc"}
		if pg.sid != 0 {
			for _, s := range services {
				if s.ID == pg.sid {
					in = serviceInput(&s)
				}
			}
			if in.Version == 0 {
				pg.sid = 0 // not a row of this customer: offer the add form
			}
		}
		pg.sform = &in
	}
	all, comp := MonthlyTotals(services)
	ours, err := h.svc.Incumbents(ctx, me, customerID)
	if err != nil {
		return err
	}
	if pg.status == 0 {
		pg.status = fiber.StatusOK
	}
	v := &analysisView{C: cu, A: a, Form: pg.form, Errors: pg.errs,
		Services: views, Total: all, CompetitorTotal: comp,
		SID: pg.sid, SForm: pg.sform, SErrors: pg.serrs,
		CanWrite: h.svc.Can(me, "write", cu), ServiceKinds: servicecat.Keys(), Suppliers: Suppliers,
		PainLines: lines(a.PainPoints), CalendarLines: lines(a.DecisionCalendar), NoteLines: lines(a.Notes),
		Within: ExpiringWithinDays, Incumbents: ours}
	v.Title = cu.Name
	return h.srv.ViewStatus(c, pg.status, "needs/analysis", v)
}

func (h *handler) analysis(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderAnalysis(c, id, analysisPage{sid: web.QueryID(c, "edit")})
}

func (h *handler) analysisSave(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := AnalysisInput{
		PainPoints: c.FormValue("pain_points"), ITBudget: c.FormValue("it_budget"),
		DecisionCalendar: c.FormValue("decision_calendar"), Notes: c.FormValue("notes"), Version: web.FormInt(c, "version"),
	}
	_, err = h.svc.SaveAnalysis(c.UserContext(), web.MustSubject(c), id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderAnalysis(c, id, analysisPage{status: status, form: &in, errs: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "analysis.saved")
	return web.Redirect(c, customerPath(id, "analysis"))
}

func serviceInputFrom(c *fiber.Ctx) ServiceInput {
	return ServiceInput{
		Service: c.FormValue("service"), Supplier: c.FormValue("supplier"), Description: c.FormValue("description"),
		MonthlySpend: c.FormValue("monthly_spend"), ContractEnd: c.FormValue("contract_end"), Version: web.FormInt(c, "version"),
	}
}

func (h *handler) serviceSave(c *fiber.Ctx, sid uint) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := serviceInputFrom(c)
	_, err = h.svc.SaveService(c.UserContext(), web.MustSubject(c), id, sid, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderAnalysis(c, id, analysisPage{status: status, sid: sid, sform: &in, serrs: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "analysis.service_saved")
	return web.Redirect(c, customerPath(id, "analysis")+"#services")
}

func (h *handler) serviceCreate(c *fiber.Ctx) error { return h.serviceSave(c, 0) }

func (h *handler) serviceUpdate(c *fiber.Ctx) error {
	sid, err := web.ParamID(c, "sid")
	if err != nil {
		return err
	}
	return h.serviceSave(c, sid)
}

func (h *handler) serviceDelete(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	sid, err := web.ParamID(c, "sid")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteService(c.UserContext(), web.MustSubject(c), id, sid); err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "analysis.service_deleted")
	return web.Redirect(c, customerPath(id, "analysis")+"#services")
}

// --- needs of one customer

func needInputFrom(c *fiber.Ctx) NeedInput {
	return NeedInput{
		Category: c.FormValue("category"), Description: c.FormValue("description"), Priority: c.FormValue("priority"),
		ContactID: web.FormUint(c, "contact_id"), OpportunityID: web.FormUint(c, "opportunity_id"), Version: web.FormInt(c, "version"),
	}
}

// choices loads the customer's key persons and opportunities for the need
// form's selects.
func (h *handler) choices(c *fiber.Ctx, customerID uint) ([]prospects.Contact, []prospects.Opportunity, error) {
	me := web.MustSubject(c)
	contacts, err := h.svc.prospects.Contacts(c.UserContext(), me, customerID)
	if err != nil {
		return nil, nil, err
	}
	opps, err := h.svc.prospects.Opportunities(c.UserContext(), me, customerID)
	return contacts, opps, err
}

func (h *handler) renderCustomerNeeds(c *fiber.Ctx, status int, customerID uint, in NeedInput, errs map[string]string) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	cu, err := h.svc.Customer(ctx, me, customerID, "read")
	if err != nil {
		return err
	}
	rows, _, err := h.svc.ListNeeds(ctx, me, NeedFilter{CustomerID: cu.ID, Sort: "status"})
	if err != nil {
		return err
	}
	canWrite := h.svc.Can(me, "write", cu)
	v := &customerNeedsView{C: cu, Rows: rows, CanWrite: canWrite, Next: customerPath(cu.ID, "needs"),
		needFields: needFields{Form: in, Errors: errs, Categories: servicecat.Keys(), Priorities: Priorities}}
	v.Title = cu.Name
	if canWrite {
		contacts, opps, err := h.choices(c, cu.ID)
		if err != nil {
			return err
		}
		v.Contacts, v.Opps = contacts, opps
	}
	return h.srv.ViewStatus(c, status, "needs/customer_needs", v)
}

func (h *handler) customerNeeds(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderCustomerNeeds(c, fiber.StatusOK, id, NeedInput{Priority: "medium", ContactID: web.QueryID(c, "contact")}, nil)
}

func (h *handler) needCreate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := needInputFrom(c)
	n, err := h.svc.SaveNeed(c.UserContext(), web.MustSubject(c), id, 0, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderCustomerNeeds(c, status, id, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "needs.created")
	return web.Redirect(c, customerPath(id, "needs")+"#need-"+strconv.FormatUint(uint64(n.ID), 10))
}

// --- one need

func (h *handler) renderNeedForm(c *fiber.Ctx, status int, n *Need, cu *prospects.Customer, in NeedInput, errs map[string]string) error {
	contacts, opps, err := h.choices(c, cu.ID)
	if err != nil {
		return err
	}
	v := &needFormView{N: n, C: cu, Next: "/needs/" + strconv.FormatUint(uint64(n.ID), 10) + "/edit",
		needFields: needFields{Form: in, Errors: errs, Contacts: contacts, Opps: opps, Categories: servicecat.Keys(), Priorities: Priorities}}
	v.Title = n.Short()
	return h.srv.ViewStatus(c, status, "needs/need_form", v)
}

func (h *handler) needEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	n, cu, err := h.svc.Need(c.UserContext(), web.MustSubject(c), id, "write")
	if err != nil {
		return err
	}
	in := NeedInput{Category: n.Category, Description: n.Description, Priority: n.Priority,
		ContactID: derefID(n.ContactID), OpportunityID: derefID(n.OpportunityID), Version: n.Version}
	return h.renderNeedForm(c, fiber.StatusOK, n, cu, in, nil)
}

func (h *handler) needUpdate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	in := needInputFrom(c)
	n, err := h.svc.SaveNeed(c.UserContext(), me, 0, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		cur, cu, lerr := h.svc.Need(c.UserContext(), me, id, "write")
		if lerr != nil {
			return lerr
		}
		return h.renderNeedForm(c, status, cur, cu, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, customerPath(n.CustomerID, "needs")+"#need-"+strconv.FormatUint(uint64(n.ID), 10))
}

// needStatus changes a need's status from any page listing it and goes
// back there (next, a local path).
func (h *handler) needStatus(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	n, err := h.svc.SetNeedStatus(c.UserContext(), web.MustSubject(c), id, c.FormValue("status"), web.FormInt(c, "version"))
	back := web.SafeNext(c.FormValue("next"), "/needs")
	switch {
	case errors.Is(err, apperr.ErrConflict):
		h.srv.Flash(c, "error", "v.stale")
		return web.Redirect(c, back)
	case err != nil:
		if f, ok := apperr.AsFields(err); ok {
			for _, m := range f {
				h.srv.Flash(c, "error", m)
			}
			return web.Redirect(c, back)
		}
		return err
	}
	h.srv.Flash(c, "ok", "needs.status_changed."+n.Status)
	return web.Redirect(c, back)
}

// --- needs per account manager

func (h *handler) filterFrom(c *fiber.Ctx) NeedFilter {
	f := NeedFilter{
		Q: strings.TrimSpace(c.Query("q")), OwnerID: web.QueryID(c, "owner"), Status: c.Query("status"),
		Category: c.Query("category"), Priority: c.Query("priority"), Sort: c.Query("sort"), Desc: c.Query("dir") == "desc",
	}
	if !slices.Contains(Statuses, f.Status) {
		f.Status = ""
	}
	if !servicecat.Valid(f.Category) {
		f.Category = ""
	}
	if !slices.Contains(Priorities, f.Priority) {
		f.Priority = ""
	}
	if _, ok := needSorts[f.Sort]; !ok {
		f.Sort, f.Desc = "", false
	}
	return f
}

func (h *handler) needs(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	p := web.NewPager(c)
	f := h.filterFrom(c)
	f.Limit, f.Offset = p.Size, p.Offset()
	rows, total, err := h.svc.ListNeeds(ctx, me, f)
	if err != nil {
		return err
	}
	p.Total, p.Cap = total, prospects.CountCap
	owners, err := h.svc.prospects.Assignable(ctx, me)
	if err != nil {
		return err
	}
	return h.srv.View(c, "needs/list", &listView{
		Rows: rows, Pager: p, Filter: f, Owners: owners, Statuses: Statuses, Categories: servicecat.Keys(),
		Priorities: Priorities, Next: c.OriginalURL(), Filtered: len(c.Request().URI().QueryString()) > 0,
	})
}

// --- home panel

func (h *handler) panelExpiring(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	rows, total, err := h.svc.ExpiringContracts(ctx, me, ExpiringWithinDays, 8)
	if err != nil {
		return nil, err
	}
	open, err := h.svc.CountNeeds(ctx, me, StatusOpen)
	if err != nil {
		return nil, err
	}
	return &expiringPanel{Expiring: rows, ExpiringTotal: total, OpenNeeds: open, Within: ExpiringWithinDays}, nil
}
