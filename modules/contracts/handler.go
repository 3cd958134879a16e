package contracts

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

type handler struct {
	srv  *web.Server
	svc  *Service
	opts RouteOptions
}

// Form limits: rows offered, blank rows added by "add lines".
const (
	maxFormLines = 200
	blankLines   = 3
)

func contractPath(id uint) string { return "/contracts/" + strconv.FormatUint(uint64(id), 10) }

func customerPath(id uint) string { return "/customers/" + strconv.FormatUint(uint64(id), 10) }

func (h *handler) t(c *fiber.Ctx, id string, args ...any) string {
	return h.srv.I18n.T(web.Lang(c), id, args...)
}

// --- lists

// filterFrom reads the list's filters from the query; bad amounts are
// reported, not ignored.
func (h *handler) filterFrom(c *fiber.Ctx, pager *web.Pager) (Filter, listForm, map[string]string) {
	form := listForm{
		Q: strings.TrimSpace(c.Query("q")), Status: c.Query("status"),
		OwnerID: web.QueryID(c, "owner"), TeamID: web.QueryID(c, "team"), Within: c.QueryInt("within"),
		MinYuan: strings.TrimSpace(c.Query("min")), MaxYuan: strings.TrimSpace(c.Query("max")),
	}
	f := Filter{Q: form.Q, OwnerID: form.OwnerID, TeamID: form.TeamID, Sort: c.Query("sort"), Desc: c.Query("dir") == "desc"}
	if pager != nil {
		f.Limit, f.Offset = pager.Size, pager.Offset()
	}
	if _, ok := Sorts[f.Sort]; !ok {
		f.Sort, f.Desc = "", false
	}
	if slices.Contains(Statuses, form.Status) {
		f.Statuses = []string{form.Status}
	} else {
		form.Status = ""
	}
	if form.Within < 0 || form.Within > 3650 {
		form.Within = 0
	}
	f.ExpiringWithin = form.Within
	errs := map[string]string{}
	for _, a := range []struct {
		in, field string
		dst       **money.Fen
	}{{form.MinYuan, "min", &f.MinFen}, {form.MaxYuan, "max", &f.MaxFen}} {
		if a.in == "" {
			continue
		}
		v, err := money.Parse(a.in)
		if err != nil || v < 0 {
			errs[a.field] = h.t(c, "v.money")
			continue
		}
		*a.dst = &v
	}
	return f, form, errs
}

func (h *handler) listView(c *fiber.Ctx, expiring bool) (*listView, Filter, error) {
	me := web.MustSubject(c)
	pager := web.NewPager(c)
	f, form, errs := h.filterFrom(c, pager)
	if expiring && form.Within == 0 {
		form.Within = h.svc.Window()
		f.ExpiringWithin = form.Within
	}
	v := &listView{Pager: pager, Form: form, Statuses: Statuses, Today: h.svc.Today(), Windows: h.svc.ReminderDays(), Errors: errs,
		Query: web.ListQuery(c)}
	if expiring {
		v.Query = setQuery(v.Query, "within", strconv.Itoa(form.Within))
		if f.Sort == "" {
			f.Sort = "end"
		}
	}
	v.Filtered = form.Q != "" || form.Status != "" || form.OwnerID != 0 || form.TeamID != 0 || (!expiring && form.Within != 0) || form.MinYuan != "" || form.MaxYuan != ""
	ctx := c.UserContext()
	var err error
	if v.Rows, pager.Total, err = h.svc.List(ctx, me, f); err != nil {
		return nil, f, err
	}
	if v.Owners, err = h.svc.OwnersFor(ctx, me); err != nil {
		return nil, f, err
	}
	if v.Teams, err = h.svc.TeamsFor(ctx, me); err != nil {
		return nil, f, err
	}
	return v, f, nil
}

// setQuery sets one key of a raw query string.
func setQuery(raw template.URL, key, value string) template.URL {
	q, _ := url.ParseQuery(string(raw))
	q.Set(key, value)
	q.Del("page")
	return template.URL(q.Encode()) //nolint:gosec // url.Values.Encode output
}

func (h *handler) list(c *fiber.Ctx) error {
	v, _, err := h.listView(c, false)
	if err != nil {
		return err
	}
	v.Title = h.t(c, "contracts.title")
	return h.srv.View(c, "contracts/list", v)
}

func (h *handler) expiring(c *fiber.Ctx) error {
	v, _, err := h.listView(c, true)
	if err != nil {
		return err
	}
	v.Title = h.t(c, "contracts.expiring.title")
	return h.srv.View(c, "contracts/expiring", v)
}

func (h *handler) customerContracts(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	cust, list, err := h.svc.OfCustomer(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	v := &customerView{Customer: cust, Contracts: list, CanWrite: h.svc.CanWriteCustomer(me, cust), Today: h.svc.Today()}
	if v.CanWrite {
		if v.Awaiting, err = h.svc.AwaitingContract(c.UserContext(), me, cust.ID); err != nil {
			return err
		}
	}
	v.Title = cust.Name
	return h.srv.View(c, "contracts/customer", v)
}

// --- panels

func (h *handler) panelQueue(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	rows, err := h.svc.Queue(ctx, me)
	if err != nil {
		return nil, err
	}
	return &queuePanel{Rows: rows}, nil
}

func (h *handler) panelTasks(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	rows, total, err := h.svc.OverdueTasks(ctx, me, 8)
	if err != nil {
		return nil, err
	}
	return &tasksPanel{Rows: rows, Total: total, Today: h.svc.Today()}, nil
}

func (h *handler) panelExpiring(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	rows, total, err := h.svc.Expiring(ctx, me, Filter{Limit: 8})
	if err != nil {
		return nil, err
	}
	today := h.svc.Today()
	items := make([]expiringItem, len(rows))
	for i, r := range rows {
		items[i] = expiringItem{Row: r, DaysLeft: r.DaysLeft(today)}
	}
	return &expiringPanel{Rows: items, Total: total, Within: h.svc.Window()}, nil
}

// --- the form

// inputFrom reads the contract form. Lines arrive as line_product_N,
// line_qty_N, line_term_N and line_rate_N for N below line_count; empty
// rows are kept in rows (the form shows them again) and skipped by the
// service.
func inputFrom(c *fiber.Ctx, customerID uint) (Input, []LineInput) {
	in := Input{
		CustomerID: customerID, ProposalID: web.FormUint(c, "proposal_id"), OpportunityID: web.FormUint(c, "opportunity_id"),
		Title: c.FormValue("title"), StartOn: c.FormValue("start_on"), EndOn: c.FormValue("end_on"),
		PaymentTerms: c.FormValue("payment_terms"), PaymentDueDay: c.FormValue("payment_due_day"),
		OurSignatoryID: web.FormUint(c, "our_signatory_id"), CustomerSignatoryID: web.FormUint(c, "customer_signatory_id"),
		Notes: c.FormValue("notes"), Version: web.FormInt(c, "version"),
	}
	n := min(max(web.FormInt(c, "line_count"), 0), maxFormLines)
	rows := make([]LineInput, n)
	for i := range rows {
		k := strconv.Itoa(i)
		rows[i] = LineInput{ProductID: web.FormUint(c, "line_product_"+k), Quantity: c.FormValue("line_qty_" + k),
			TermMonths: c.FormValue("line_term_" + k), Rate: c.FormValue("line_rate_" + k)}
	}
	in.Lines = rows
	return in, rows
}

func (h *handler) renderForm(c *fiber.Ctx, status int, v *formView) error {
	me := web.MustSubject(c)
	ch, err := h.svc.Choices(c.UserContext(), me, v.Customer, v.Fixed == nil)
	if err != nil {
		return err
	}
	v.Choices = ch
	if v.Fixed == nil && len(v.Rows) == 0 {
		v.Rows = make([]LineInput, blankLines)
	}
	v.Chief, v.Dir = h.svc.Thresholds()
	if v.C == nil {
		v.Title = h.t(c, "contracts.new")
		v.Action = customerPath(v.Customer.ID) + "/contracts"
		v.Cancel = customerPath(v.Customer.ID) + "/contracts"
	} else {
		v.Title = v.C.Number + " · " + h.t(c, "contracts.edit")
		v.Action = contractPath(v.C.ID)
		v.Cancel = contractPath(v.C.ID)
	}
	if status == 0 {
		status = fiber.StatusOK
	}
	return h.srv.ViewStatus(c, status, "contracts/form", v)
}

// defaults prefills a new contract's form: today's start, a term that
// covers the longest line, monthly payment, our signatory the customer's
// owner and theirs the decision maker.
func (h *handler) defaults(c *fiber.Ctx, cust *prospects.Customer, in *Input, longest int) {
	ctx, me := c.UserContext(), web.MustSubject(c)
	today := h.svc.Today()
	if longest <= 0 {
		longest = 12
	}
	in.StartOn, in.EndOn = today.Format("2006-01-02"), EndFor(today, longest).Format("2006-01-02")
	in.PaymentTerms, in.PaymentDueDay = "monthly", "10"
	in.OurSignatoryID = cust.OwnerID
	if contacts, err := h.svc.deps.Customers.Contacts(ctx, me, cust.ID); err == nil {
		for _, k := range contacts {
			if k.Role == "decision" {
				in.CustomerSignatoryID = k.ID
				break
			}
		}
	}
}

func (h *handler) newForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), web.MustSubject(c)
	cust, err := h.svc.Customer(ctx, me, id, "write")
	if err != nil {
		return err
	}
	v := &formView{Customer: cust, Form: Input{CustomerID: cust.ID}}
	longest := 0
	if pid := web.QueryID(c, "proposal"); pid != 0 {
		acc, err := h.svc.Accepted(ctx, me, cust, pid)
		if f, ok := apperr.AsFields(err); ok {
			for _, id := range f {
				h.srv.Flash(c, "error", id)
			}
			return web.Redirect(c, customerPath(cust.ID)+"/contracts")
		}
		if err != nil {
			return err
		}
		v.Proposal, v.Fixed = acc, acc.Lines
		v.Form.ProposalID, v.Form.Title = acc.ID, acc.Title
		if acc.OpportunityID != nil {
			v.Form.OpportunityID = *acc.OpportunityID
		}
		for _, l := range acc.Lines {
			longest = max(longest, l.TermMonths)
		}
		v.Quote = &Quote{Lines: acc.Lines, MonthlyFen: acc.MonthlyFen, OneTimeFen: acc.OneTimeFen, TotalFen: acc.TotalFen}
	}
	h.defaults(c, cust, &v.Form, longest)
	return h.renderForm(c, fiber.StatusOK, v)
}

// formAction handles the buttons that only re-render the form: "preview"
// prices the lines on the server, "more" adds blank rows. It reports
// whether it handled the request.
func (h *handler) formAction(c *fiber.Ctx, v *formView) (bool, error) {
	switch c.FormValue("action") {
	case "more":
		if len(v.Rows)+blankLines <= maxFormLines {
			v.Rows = append(v.Rows, make([]LineInput, blankLines)...)
		}
	case "preview":
	default:
		return false, nil
	}
	if v.Fixed != nil {
		return true, h.renderForm(c, fiber.StatusOK, v)
	}
	var cid uint
	if v.C != nil {
		cid = v.C.ID
	}
	status := fiber.StatusOK
	q, err := h.svc.Preview(c.UserContext(), web.MustSubject(c), v.Customer.ID, cid, v.Form)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		v.Errors, status = msgs, st
	} else if err != nil {
		return true, err
	}
	v.Quote = q
	return true, h.renderForm(c, status, v)
}

func (h *handler) create(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), web.MustSubject(c)
	cust, err := h.svc.Customer(ctx, me, id, "write")
	if err != nil {
		return err
	}
	in, rows := inputFrom(c, cust.ID)
	v := &formView{Customer: cust, Form: in, Rows: rows}
	if in.ProposalID != 0 {
		acc, err := h.svc.Accepted(ctx, me, cust, in.ProposalID)
		if msgs, st, ok := h.srv.FormErrors(c, err); ok {
			v.Errors = msgs
			v.Form.ProposalID = 0
			return h.renderForm(c, st, v)
		}
		if err != nil {
			return err
		}
		v.Proposal, v.Fixed = acc, acc.Lines
		v.Quote = &Quote{Lines: acc.Lines, MonthlyFen: acc.MonthlyFen, OneTimeFen: acc.OneTimeFen, TotalFen: acc.TotalFen}
	}
	if done, err := h.formAction(c, v); done {
		return err
	}
	ct, err := h.svc.Create(ctx, me, in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		v.Errors = msgs
		return h.renderForm(c, st, v)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "contracts.created")
	return web.Redirect(c, contractPath(ct.ID))
}

func (h *handler) editForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Get(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	if !d.Can[ActEdit] {
		if err := Allowed(h.svc.enf, web.MustSubject(c), ActEdit, d.C, d.Customer.Ref()); errors.Is(err, apperr.ErrForbidden) {
			return err
		} else if f, ok := apperr.AsFields(err); ok {
			h.srv.Flash(c, "error", f["_form"])
		}
		return web.Redirect(c, contractPath(id))
	}
	v := &formView{Customer: d.Customer, C: d.C, Form: InputOf(d.C, d.Lines)}
	if LinesFixed(d.C) {
		v.Fixed = d.Lines
	} else {
		v.Rows = append(slices.Clone(v.Form.Lines), make([]LineInput, 1)...)
	}
	v.Quote = &Quote{Lines: d.Lines, MonthlyFen: d.C.MonthlyFen, OneTimeFen: d.C.OneTimeFen, TotalFen: d.C.TotalFen, NeedsChief: d.C.NeedsChief, NeedsDirector: d.C.NeedsDirector}
	return h.renderForm(c, fiber.StatusOK, v)
}

func (h *handler) update(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), web.MustSubject(c)
	d, err := h.svc.Get(ctx, me, id)
	if err != nil {
		return err
	}
	in, rows := inputFrom(c, d.C.CustomerID)
	v := &formView{Customer: d.Customer, C: d.C, Form: in, Rows: rows}
	if LinesFixed(d.C) {
		v.Fixed, v.Rows = d.Lines, nil
		v.Quote = &Quote{Lines: d.Lines, MonthlyFen: d.C.MonthlyFen, OneTimeFen: d.C.OneTimeFen, TotalFen: d.C.TotalFen}
	}
	if done, err := h.formAction(c, v); done {
		return err
	}
	if _, err := h.svc.Update(ctx, me, id, in); err != nil {
		if msgs, st, ok := h.srv.FormErrors(c, err); ok {
			v.Errors = msgs
			return h.renderForm(c, st, v)
		}
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, contractPath(id))
}

// --- one contract

// reasons explains, in the reader's language, why a revision needs
// approval.
func (h *handler) reasons(c *fiber.Ctx, d *Detail) []string {
	chief, director := h.svc.Thresholds()
	var out []string
	if !LinesFixed(d.C) {
		for _, l := range d.Lines {
			if l.BelowFloor() {
				out = append(out, h.t(c, "contracts.reason.floor", "Product", l.Name(web.Lang(c)), "Rate", l.Rate.Percent(), "Floor", l.FloorRate.Percent()))
			}
		}
	}
	switch {
	case d.C.TotalFen > director:
		out = append(out, h.t(c, "contracts.reason.director", "Amount", director.Yuan()))
	case d.C.TotalFen > chief:
		out = append(out, h.t(c, "contracts.reason.chief", "Amount", chief.Yuan()))
	}
	if d.C.IsAmendment() {
		out = append(out, h.t(c, "contracts.reason.amendment"))
	}
	return out
}

func (h *handler) show(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderShow(c, fiber.StatusOK, id, nil)
}

func (h *handler) renderShow(c *fiber.Ctx, status int, id uint, errs map[string]string) error {
	ctx := c.UserContext()
	d, err := h.svc.Get(ctx, web.MustSubject(c), id)
	if err != nil {
		return err
	}
	v := &showView{D: d, Errors: errs, Capital: "人民币" + d.C.TotalFen.Capital(), Reasons: h.reasons(c, d),
		MaxMB: h.svc.MaxAttachmentBytes() >> 20}
	if v.History, err = h.srv.History.View(ctx, web.MustSubject(c), web.Lang(c), d.History); err != nil {
		return err
	}
	if d.Can[ActTasks] {
		if v.TaskOwners, err = h.svc.Signatories(ctx, d.Customer); err != nil {
			return err
		}
	}
	v.Title = d.C.Number + " · " + d.C.Title
	return h.srv.ViewStatus(c, status, "contracts/show", v)
}

// transition runs a change and comes back to the contract page (to
// another one when the change made a new contract); a rule it breaks is
// shown on the page with a 422.
func (h *handler) transition(c *fiber.Ctx, okMsg string, fn func(id uint) (*Contract, error)) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ct, err := fn(id)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderShow(c, status, id, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", okMsg)
	if ct == nil {
		return web.Redirect(c, "/contracts")
	}
	return web.Redirect(c, contractPath(ct.ID))
}

func (h *handler) submit(c *fiber.Ctx) error {
	return h.transition(c, "contracts.submitted", func(id uint) (*Contract, error) {
		return h.svc.Submit(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "version"))
	})
}

func (h *handler) decide(c *fiber.Ctx) error {
	approve := c.FormValue("decision") == "approve"
	msg := "contracts.rejected"
	if approve {
		msg = "contracts.approved"
	}
	return h.transition(c, msg, func(id uint) (*Contract, error) {
		return h.svc.Decide(c.UserContext(), web.MustSubject(c), id, approve, c.FormValue("comment"))
	})
}

func (h *handler) sign(c *fiber.Ctx) error {
	return h.transition(c, "contracts.signed", func(id uint) (*Contract, error) {
		return h.svc.Sign(c.UserContext(), web.MustSubject(c), id, c.FormValue("signed_on"), web.FormInt(c, "version"))
	})
}

func (h *handler) activate(c *fiber.Ctx) error {
	return h.transition(c, "contracts.activated", func(id uint) (*Contract, error) {
		return h.svc.Activate(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "version"))
	})
}

func (h *handler) terminate(c *fiber.Ctx) error {
	return h.transition(c, "contracts.terminated", func(id uint) (*Contract, error) {
		return h.svc.Terminate(c.UserContext(), web.MustSubject(c), id, c.FormValue("reason"), web.FormInt(c, "version"))
	})
}

func (h *handler) renew(c *fiber.Ctx) error {
	return h.transition(c, "contracts.renewal_created", func(id uint) (*Contract, error) {
		return h.svc.Renew(c.UserContext(), web.MustSubject(c), id, c.FormValue("opportunity") == "1")
	})
}

func (h *handler) amend(c *fiber.Ctx) error {
	return h.transition(c, "contracts.amendment_created", func(id uint) (*Contract, error) {
		return h.svc.Amend(c.UserContext(), web.MustSubject(c), id)
	})
}

func (h *handler) delete(c *fiber.Ctx) error {
	return h.transition(c, "contracts.deleted", func(id uint) (*Contract, error) {
		return nil, h.svc.Delete(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "version"))
	})
}

// --- implementation tasks

func taskInputFrom(c *fiber.Ctx) TaskInput {
	return TaskInput{Title: c.FormValue("title"), OwnerID: web.FormUint(c, "owner_id"), DueOn: c.FormValue("due_on"),
		Status: c.FormValue("status"), Note: c.FormValue("note"), Version: web.FormInt(c, "version")}
}

func (h *handler) taskDone(c *fiber.Ctx, id uint, err error) error {
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderShow(c, status, id, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, contractPath(id)+"#tasks")
}

func (h *handler) addTask(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	_, err = h.svc.AddTask(c.UserContext(), web.MustSubject(c), id, taskInputFrom(c))
	return h.taskDone(c, id, err)
}

func (h *handler) updateTask(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	tid, err := web.ParamID(c, "tid")
	if err != nil {
		return err
	}
	_, err = h.svc.UpdateTask(c.UserContext(), web.MustSubject(c), id, tid, taskInputFrom(c))
	return h.taskDone(c, id, err)
}

// --- attachments

// upload reads the multipart file itself and checks its size before
// reading it whole; the server's body limit must be at least the
// attachment limit for the check to be this one's.
func (h *handler) upload(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), web.MustSubject(c)
	if _, _, err := h.svc.load(ctx, me, id, ActAttach); err != nil {
		return h.taskDone(c, id, err)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return h.renderShow(c, fiber.StatusUnprocessableEntity, id, map[string]string{"file": h.t(c, "contracts.v.file_missing")})
	}
	limit := h.svc.MaxAttachmentBytes()
	if fh.Size > limit {
		return h.renderShow(c, fiber.StatusUnprocessableEntity, id, map[string]string{"file": h.t(c, "contracts.v.file_too_large")})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return err
	}
	if _, err := h.svc.Upload(ctx, me, id, fh.Filename, data); err != nil {
		return h.taskDone(c, id, err)
	}
	h.srv.Flash(c, "ok", "contracts.attachment_added")
	return web.Redirect(c, contractPath(id)+"#attachments")
}

func (h *handler) download(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	aid, err := web.ParamID(c, "aid")
	if err != nil {
		return err
	}
	a, data, err := h.svc.Download(c.UserContext(), web.MustSubject(c), id, aid)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, contentDisposition(a.FileName))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(data)
}

// contentDisposition names a download in ASCII and, for Chinese names,
// in UTF-8 (RFC 6266).
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(name))
}

// rfc5987 percent-encodes every byte of s that is not an attr-char.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte(attr, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (h *handler) deleteAttachment(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	aid, err := web.ParamID(c, "aid")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteAttachment(c.UserContext(), web.MustSubject(c), id, aid); err != nil {
		return h.taskDone(c, id, err)
	}
	h.srv.Flash(c, "ok", "contracts.attachment_deleted")
	return web.Redirect(c, contractPath(id)+"#attachments")
}
