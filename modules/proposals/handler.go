package proposals

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

type handler struct {
	srv  *web.Server
	svc  *Service
	opts RouteOptions
}

// Builder limits: rows offered, blank rows added by "add lines".
const (
	maxFormLines = 200
	blankLines   = 3
)

func proposalPath(id uint) string { return "/proposals/" + strconv.FormatUint(uint64(id), 10) }

// --- lists

// listFilter reads the proposal list's filters (search, status, owner,
// sort) from the request; the export uses the same.
func listFilter(c *fiber.Ctx) (Filter, string) {
	f := Filter{Q: strings.TrimSpace(c.Query("q")), OwnerID: web.QueryID(c, "owner"),
		Sort: c.Query("sort"), Desc: c.Query("dir") == "desc"}
	if _, ok := Sorts[f.Sort]; !ok {
		f.Sort, f.Desc = "", false
	}
	status := c.Query("status")
	if slices.Contains(Statuses, status) {
		f.Statuses = []string{status}
	} else {
		status = ""
	}
	return f, status
}

// listQuery is the filter as a query string for the export links (encoded
// here, so a template may put it after "?" as it is).
func listQuery(f Filter, status string) template.URL {
	q := url.Values{}
	if f.Q != "" {
		q.Set("q", f.Q)
	}
	if status != "" {
		q.Set("status", status)
	}
	if f.OwnerID != 0 {
		q.Set("owner", strconv.FormatUint(uint64(f.OwnerID), 10))
	}
	if f.Sort != "" {
		q.Set("sort", f.Sort)
		if f.Desc {
			q.Set("dir", "desc")
		}
	}
	return template.URL(q.Encode()) //nolint:gosec // url.Values.Encode output
}

func (h *handler) list(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	pager := web.NewPager(c)
	f, status := listFilter(c)
	totals, err := h.svc.ListTotals(ctx, me, f)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = pager.Size, pager.Offset()
	var rows []Row
	if totals.Count > 0 {
		if rows, _, err = h.svc.List(ctx, me, f); err != nil {
			return err
		}
	}
	pager.Total = totals.Count
	// The owner filter offers the account managers the user may see.
	owners, err := h.svc.prospects.Assignable(ctx, me)
	if err != nil {
		return err
	}
	showOwner := h.svc.prospects.ListsOthers(me)
	var users map[uint]org.User
	if showOwner {
		ids := make([]uint, len(rows))
		for i, r := range rows {
			ids[i] = r.OwnerID
		}
		if users, err = h.svc.opts.Users.Directory(ctx, ids); err != nil {
			return err
		}
	}
	v := &listView{Rows: rows, Pager: pager, Totals: totals,
		Q: f.Q, Status: status, Statuses: Statuses, Owners: owners, OwnerID: f.OwnerID,
		Filtered: f.Q != "" || status != "" || f.OwnerID != 0, Users: users, ShowOwner: showOwner,
		Query: listQuery(f, status), Loc: h.opts.Location}
	v.Title = h.srv.I18n.T(web.Lang(c), "proposals.title")
	return h.srv.View(c, "proposals/list", v)
}

func (h *handler) customerProposals(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	cu, err := h.svc.prospects.CustomerFor(c.UserContext(), me, id, "read")
	if err != nil {
		return err
	}
	rows, _, err := h.svc.List(c.UserContext(), me, Filter{CustomerID: cu.ID, Limit: 200})
	if err != nil {
		return err
	}
	v := &customerView{C: cu, Rows: rows, CanWrite: h.svc.prospects.Can(me, "write", cu), Loc: h.opts.Location}
	v.Title = cu.Name
	return h.srv.View(c, "proposals/customer", v)
}

func (h *handler) panelQueue(ctx context.Context, me authz.Subject) (web.Viewer, error) {
	rows, err := h.svc.Queue(ctx, me)
	if err != nil {
		return nil, err
	}
	return &queuePanel{Rows: rows}, nil
}

// --- builder

// builder is the state of the builder form: what was typed, the priced
// quote of it, and errors.
type builder struct {
	status int
	in     Input
	rows   []LineInput
	quote  *Quote
	errs   map[string]string
	p      *Proposal // the version being edited, nil for a new proposal
}

// inputFrom reads the builder form. Lines arrive as line_product_N,
// line_qty_N, line_term_N and line_rate_N for N below line_count; empty
// rows are kept in rows (so the form shows them again) and dropped from
// the input by the service.
func inputFrom(c *fiber.Ctx, customerID uint) (Input, []LineInput) {
	in := Input{
		CustomerID: customerID, OpportunityID: web.FormUint(c, "opportunity_id"),
		Title: c.FormValue("title"), ValidUntil: c.FormValue("valid_until"),
		Background: c.FormValue("background"), NeedsAnalysis: c.FormValue("needs_analysis"),
		Solution: c.FormValue("solution"), Implementation: c.FormValue("implementation"),
		Commitments: c.FormValue("commitments"), LockVersion: web.FormInt(c, "lock_version"),
	}
	n := web.FormInt(c, "line_count")
	if n < 0 {
		n = 0
	}
	if n > maxFormLines {
		n = maxFormLines
	}
	rows := make([]LineInput, n)
	for i := range rows {
		k := strconv.Itoa(i)
		rows[i] = LineInput{
			ProductID: web.FormUint(c, "line_product_"+k), Quantity: c.FormValue("line_qty_" + k),
			TermMonths: c.FormValue("line_term_" + k), Rate: c.FormValue("line_rate_" + k),
		}
	}
	in.Lines = rows
	for _, v := range c.Request().PostArgs().PeekMulti("need_id") {
		if id, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			in.NeedIDs = append(in.NeedIDs, uint(id))
		}
	}
	return in, rows
}

// linesToRows turns stored lines back into form rows.
func linesToRows(lines []Line) []LineInput {
	rows := make([]LineInput, len(lines))
	for i, l := range lines {
		rows[i] = LineInput{ProductID: l.ProductID, Quantity: strconv.FormatInt(l.Quantity, 10),
			TermMonths: strconv.Itoa(l.TermMonths), Rate: l.Rate.Percent()}
	}
	return rows
}

// productOption is one entry of the product picker.
type productOption struct {
	Priced
	Retired bool
}

func (h *handler) renderBuilder(c *fiber.Ctx, cu *prospects.Customer, b builder) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	onSale, err := h.svc.Products(ctx)
	if err != nil {
		return err
	}
	opts := make([]productOption, 0, len(onSale))
	seen := map[uint]bool{}
	for _, p := range onSale {
		opts = append(opts, productOption{Priced: p})
		seen[p.ID] = true
	}
	// Products the edited version already has stay choosable even when
	// the catalogue has retired them since.
	if b.p != nil {
		kept, err := h.svc.LinesOf(ctx, me, b.p.ID)
		if err != nil {
			return err
		}
		for _, l := range kept {
			if !seen[l.ProductID] {
				seen[l.ProductID] = true
				opts = append(opts, productOption{Retired: true, Priced: Priced{ID: l.ProductID, Code: l.ProductCode, Name: l.ProductName, NameEn: l.ProductNameEn,
					Unit: l.Unit, MonthlyFen: l.MonthlyListFen, OneTimeFen: l.OneTimeListFen, FloorRate: l.FloorRate}})
			}
		}
	}
	// The chosen products' full names, written out under their pickers
	// (a select cuts long names).
	byID := make(map[uint]*productOption, len(opts))
	for i := range opts {
		byID[opts[i].ID] = &opts[i]
	}
	opps, err := h.svc.prospects.Opportunities(ctx, me, cu.ID)
	if err != nil {
		return err
	}
	needs, err := h.svc.NeedChoices(ctx, me, cu.ID)
	if err != nil {
		return err
	}
	cited := map[uint]bool{}
	for _, id := range b.in.NeedIDs {
		cited[id] = true
	}
	rows := b.rows
	if len(rows) == 0 {
		rows = make([]LineInput, blankLines)
	}
	chief, director := h.svc.Thresholds()
	lang := web.Lang(c)
	title := h.srv.I18n.T(lang, "proposals.new")
	action := "/customers/" + strconv.FormatUint(uint64(cu.ID), 10) + "/proposals"
	if b.p != nil {
		title = b.p.Number + " · " + h.srv.I18n.T(lang, "proposals.version_n", "N", b.p.Version)
		action = proposalPath(b.p.ID)
	}
	if b.status == 0 {
		b.status = fiber.StatusOK
	}
	v := &builderView{
		C: cu, P: b.p, Form: b.in, Rows: rows, Products: opts, Opps: opps,
		NeedChoices: needs, Cited: cited, Quote: b.quote, Errors: b.errs, Action: action,
		ChiefThreshold: chief, DirectorThreshold: director, Sections: Sections,
		NewVersion:  b.p != nil && !b.p.Editable(),
		UnitName:    func(u string) string { return h.unitOr(lang, u) },
		ProductByID: byID,
	}
	v.Title = title
	return h.srv.ViewStatus(c, b.status, "proposals/builder", v)
}

func (h *handler) newForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cu, err := h.svc.prospects.CustomerFor(c.UserContext(), web.MustSubject(c), id, "write")
	if err != nil {
		return err
	}
	in := Input{CustomerID: cu.ID, OpportunityID: web.QueryID(c, "opportunity")}
	if n := web.QueryID(c, "need"); n != 0 {
		in.NeedIDs = []uint{n}
	}
	return h.renderBuilder(c, cu, builder{in: in})
}

func (h *handler) editForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	d, err := h.svc.Get(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	if !d.CanWrite {
		return fiber.ErrForbidden
	}
	p := d.P
	if !h.svc.Changeable(p) {
		h.srv.Flash(c, "error", "proposals.v.closed")
		return web.Redirect(c, proposalPath(p.ID))
	}
	in := Input{CustomerID: p.CustomerID, Title: p.Title, Background: p.Background, NeedsAnalysis: p.NeedsAnalysis,
		Solution: p.Solution, Implementation: p.Implementation, Commitments: p.Commitments,
		NeedIDs: d.NeedIDs, LockVersion: p.LockVersion}
	if p.OpportunityID != nil {
		in.OpportunityID = *p.OpportunityID
	}
	if p.ValidUntil != nil {
		in.ValidUntil = p.ValidUntil.Format("2006-01-02")
	}
	rows := append(linesToRows(d.Lines), make([]LineInput, 1)...)
	quote := &Quote{Lines: d.Lines, MonthlyFen: p.MonthlyFen, OneTimeFen: p.OneTimeFen, TotalFen: p.TotalFen, NeedsChief: p.NeedsChief, NeedsDirector: p.NeedsDirector}
	return h.renderBuilder(c, d.Customer, builder{in: in, rows: rows, p: p, quote: quote})
}

// builderAction handles the buttons that only re-render the builder:
// "preview" prices the lines on the server, "more" adds blank rows.
// It reports whether it handled the request.
func (h *handler) builderAction(c *fiber.Ctx, cu *prospects.Customer, b builder) (bool, error) {
	switch c.FormValue("action") {
	case "more":
		if len(b.rows)+blankLines <= maxFormLines {
			b.rows = append(b.rows, make([]LineInput, blankLines)...)
		}
	case "preview":
	default:
		return false, nil
	}
	var pid uint
	if b.p != nil {
		pid = b.p.ID
	}
	q, err := h.svc.Preview(c.UserContext(), web.MustSubject(c), cu.ID, pid, b.in.Lines)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		b.errs, b.status = msgs, status
	} else if err != nil {
		return true, err
	}
	b.quote = q
	return true, h.renderBuilder(c, cu, b)
}

func (h *handler) create(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := c.UserContext(), web.MustSubject(c)
	cu, err := h.svc.prospects.CustomerFor(ctx, me, id, "write")
	if err != nil {
		return err
	}
	in, rows := inputFrom(c, cu.ID)
	if done, err := h.builderAction(c, cu, builder{in: in, rows: rows}); done {
		return err
	}
	p, err := h.svc.Create(ctx, me, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderBuilder(c, cu, builder{status: status, in: in, rows: rows, errs: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "proposals.created")
	return web.Redirect(c, proposalPath(p.ID))
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
	in, rows := inputFrom(c, d.P.CustomerID)
	b := builder{in: in, rows: rows, p: d.P}
	if done, err := h.builderAction(c, d.Customer, b); done {
		return err
	}
	p, err := h.svc.Update(ctx, me, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		b.status, b.errs = status, msgs
		return h.renderBuilder(c, d.Customer, b)
	}
	if err != nil {
		return err
	}
	if p.ID != id {
		h.srv.Flash(c, "ok", "proposals.new_version_created")
	} else {
		h.srv.Flash(c, "ok", "common.saved")
	}
	return web.Redirect(c, proposalPath(p.ID))
}

// --- one proposal

// reasons explains, in lang, why a version needs approval.
func (h *handler) reasons(d *Detail, lang string) []string {
	chief, director := h.svc.Thresholds()
	t := func(id string, args ...any) string { return h.srv.I18n.T(lang, id, args...) }
	var out []string
	for _, l := range d.Lines {
		if l.BelowFloor() {
			out = append(out, t("proposals.reason.floor", "Product", l.Name(lang), "Rate", l.Rate.Percent(), "Floor", l.FloorRate.Percent()))
		}
	}
	switch {
	case d.P.TotalFen > director:
		out = append(out, t("proposals.reason.director", "Amount", director.Yuan()))
	case d.P.TotalFen > chief:
		out = append(out, t("proposals.reason.chief", "Amount", chief.Yuan()))
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
	d, err := h.svc.Get(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	history, err := h.srv.History.View(c.UserContext(), web.MustSubject(c), web.Lang(c), d.History)
	if err != nil {
		return err
	}
	var waiting []string
	for _, id := range d.Waiting {
		waiting = append(waiting, d.User(id).Name)
	}
	sep := "、"
	if i18n.Normalize(web.Lang(c)) == i18n.EN {
		sep = ", "
	}
	v := &showView{
		D: d, P: d.P, C: d.Customer, Reasons: h.reasons(d, web.Lang(c)), Errors: errs,
		WaitingNames: strings.Join(waiting, sep),
		PriceColumns: PriceColumns, PriceRows: PriceRows(d.Lines, h.unit(web.Lang(c))),
		Level: NextLevel(d.P), Changeable: h.svc.Changeable(d.P), Capital: "人民币" + d.P.TotalFen.Capital(),
		History: history,
	}
	v.Title = d.P.Title
	return h.srv.ViewStatus(c, status, "proposals/show", v)
}

// transition runs a state change and comes back to the proposal page:
// a rule it breaks is shown there, a follow-up that failed in another
// module is logged and flashed (the change was rolled back with it).
func (h *handler) transition(c *fiber.Ctx, okMsg string, fn func(id uint) (*Proposal, error)) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p, err := fn(id)
	if errors.Is(err, ErrFollowUp) {
		slog.Default().Warn("proposal follow-up failed", "proposal", id, "err", err)
		h.srv.Flash(c, "error", "proposals.follow_up_failed")
		return web.Redirect(c, proposalPath(p.ID))
	}
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderShow(c, status, id, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", okMsg)
	// A fallback approver from another branch reads a proposal only while
	// it waits for them: after their decision, home.
	if ok, err := h.svc.Readable(c.UserContext(), web.MustSubject(c), p.ID); err != nil {
		return err
	} else if !ok {
		return web.Redirect(c, "/")
	}
	return web.Redirect(c, proposalPath(p.ID))
}

func (h *handler) submit(c *fiber.Ctx) error {
	return h.transition(c, "proposals.submitted", func(id uint) (*Proposal, error) {
		return h.svc.Submit(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "lock_version"))
	})
}

func (h *handler) send(c *fiber.Ctx) error {
	return h.transition(c, "proposals.sent", func(id uint) (*Proposal, error) {
		return h.svc.Send(c.UserContext(), web.MustSubject(c), id)
	})
}

func (h *handler) customerDecision(c *fiber.Ctx) error {
	accepted := c.FormValue("decision") == "accept"
	msg := "proposals.customer_rejected"
	if accepted {
		msg = "proposals.customer_accepted"
	}
	return h.transition(c, msg, func(id uint) (*Proposal, error) {
		return h.svc.CustomerDecision(c.UserContext(), web.MustSubject(c), id, accepted)
	})
}

func (h *handler) decide(c *fiber.Ctx) error {
	approve := c.FormValue("decision") == "approve"
	msg := "proposals.rejected"
	if approve {
		msg = "proposals.approved"
	}
	return h.transition(c, msg, func(id uint) (*Proposal, error) {
		return h.svc.Decide(c.UserContext(), web.MustSubject(c), id, approve, c.FormValue("comment"))
	})
}

// pdf sends the version as a PDF in the user's language; the service's
// read check makes another team's proposal a 404 here as everywhere.
func (h *handler) pdf(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	out, disposition, err := h.svc.PDFFile(c.UserContext(), web.MustSubject(c), id, h.opts, lang,
		func(id string, args ...any) string { return h.srv.I18n.T(lang, id, args...) })
	if errors.Is(err, ErrNoFonts) {
		return fiber.ErrServiceUnavailable
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, disposition)
	return c.Send(out)
}

// pdfDisposition names the PDF after the version ("FA2026-000123-v2.pdf");
// a version that is not final gets the draft word too
// ("FA2026-000123-v2-草稿.pdf"), as RFC 6266 filename* (UTF-8) with an
// ASCII filename for old clients.
func pdfDisposition(p *Proposal, draft string) string {
	name := fmt.Sprintf("%s-v%d", p.Number, p.Version)
	if p.Final() {
		return fmt.Sprintf(`attachment; filename="%s.pdf"`, name)
	}
	return fmt.Sprintf(`attachment; filename="%s-draft.pdf"; filename*=UTF-8''%s.pdf`, name, url.PathEscape(name+"-"+draft))
}

// unitOr is unit in lang, or unit as recorded when no translator is wired.
func (h *handler) unitOr(lang, unit string) string {
	if h.opts.Unit == nil {
		return unit
	}
	return h.opts.Unit(lang, unit)
}

// unit translates catalogue units for lang (RouteOptions.Unit).
func (h *handler) unit(lang string) func(string) string {
	if h.opts.Unit == nil {
		return nil
	}
	return func(u string) string { return h.opts.Unit(lang, u) }
}
