package prospects

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv *web.Server
	svc *Service
	// staging keeps a checked import file between the dry run and the
	// commit.
	staging *tabular.Staging
}

func customerURL(id uint) string { return "/customers/" + strconv.FormatUint(uint64(id), 10) }

// people resolves the people a page names (the org directory, kept under
// the org version).
func (h *handler) people(c *fiber.Ctx, ids ...uint) (map[uint]org.User, error) {
	return h.svc.org.Directory(c.UserContext(), ids)
}

// --- customer list

const filterCookie = "jike_customer_filter"

var filterKeys = []string{"q", "grade", "industry", "status", "owner", "team", "region", "score", "sort", "dir", "size"}

func (h *handler) filterFrom(c *fiber.Ctx) CustomerFilter {
	f := CustomerFilter{
		Q: strings.TrimSpace(c.Query("q")), Grade: c.Query("grade"), Industry: c.Query("industry"),
		Status: c.Query("status"), OwnerID: web.QueryID(c, "owner"), TeamID: web.QueryID(c, "team"),
		Region: c.Query("region"), MinScore: c.QueryInt("score"), Sort: c.Query("sort"), Desc: c.Query("dir") == "desc",
		Group: web.QueryID(c, "group"),
	}
	if c.Query("mine") == "1" {
		f.OwnerID = web.MustSubject(c).ID
	}
	if !slices.Contains(Grades, f.Grade) {
		f.Grade = ""
	}
	if !slices.Contains(Industries, f.Industry) {
		f.Industry = ""
	}
	if !slices.Contains(Statuses, f.Status) {
		f.Status = ""
	}
	if _, ok := customerSorts[f.Sort]; !ok {
		f.Sort, f.Desc = "", false
	}
	return f
}

func (h *handler) customers(c *fiber.Ctx) error {
	// A bare /customers opens the user's saved default filter, if any.
	if len(c.Request().URI().QueryString()) == 0 {
		if saved := c.Cookies(filterCookie); saved != "" {
			if _, err := url.ParseQuery(saved); err == nil {
				return c.Redirect("/customers?"+saved, fiber.StatusSeeOther)
			}
		}
	}
	me := web.MustSubject(c)
	p := web.NewPager(c)
	f := h.filterFrom(c)
	f.Limit, f.Offset = p.Size, p.Offset()
	// The tree view pages over the customers whose parent the filter
	// drops and places the members the filter keeps under them.
	f.Tree = c.Query("view") == "tree"
	var group *Customer
	if f.Group != 0 {
		g, err := h.svc.Customer(c.UserContext(), me, f.Group)
		if err != nil {
			return err
		}
		group = g
	}
	list, total, err := h.svc.ListCustomers(c.UserContext(), me, f)
	if err != nil {
		return err
	}
	p.Total, p.Cap = total, CountCap
	tree := &listTree{}
	if f.Tree {
		if list, tree, err = h.treeRows(c, f, list); err != nil {
			return err
		}
	}
	v := &customersView{Customers: list, Pager: p, Filter: f, Query: web.ListQuery(c), ShowOwner: h.showOwner(me), Group: group, Tree: tree,
		Loc: h.srv.Location()}
	if err := h.listLookups(c, v); err != nil {
		return err
	}
	v.TreeURL, v.FlatURL, v.NoGroupURL = viewURLs(c)
	v.Title = h.srv.I18n.T(web.Lang(c), "customers.title")
	return h.srv.View(c, "prospects/customers", v)
}

// listLookups loads the names and choices the customer list v shows,
// with one query per kind (never per row).
func (h *handler) listLookups(c *fiber.Ctx, v *customersView) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	ids := make([]uint, 0, len(v.Customers)*2)
	for _, cu := range v.Customers {
		ids = append(ids, cu.OwnerID)
		if cu.ChiefRepID != nil {
			ids = append(ids, *cu.ChiefRepID)
		}
	}
	var err error
	if v.Users, err = h.people(c, ids...); err != nil {
		return err
	}
	if v.Owners, err = h.svc.Assignable(ctx, me); err != nil {
		return err
	}
	if h.svc.ListsTeams(me) {
		if v.Teams, err = h.svc.Teams(ctx, me.BranchID, false); err != nil {
			return err
		}
	}
	if v.Regions, err = h.svc.Regions(ctx, me); err != nil {
		return err
	}
	v.Grades, v.Industries, v.Statuses = Grades, Industries, Statuses
	return nil
}

// saveDefaultFilter remembers the current filter as the user's default
// view of /customers (a cookie: it is a preference, not business data).
func (h *handler) saveDefaultFilter(c *fiber.Ctx) error {
	q := url.Values{}
	for _, k := range append(filterKeys, "mine") {
		if v := strings.TrimSpace(c.FormValue(k)); v != "" {
			q.Set(k, v)
		}
	}
	c.Cookie(&fiber.Cookie{Name: filterCookie, Value: q.Encode(), Path: "/customers", MaxAge: 365 * 24 * 3600,
		HTTPOnly: true, Secure: h.srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode})
	h.srv.Flash(c, "ok", "customers.default_saved")
	if len(q) == 0 {
		return web.Redirect(c, "/customers?all=1")
	}
	return web.Redirect(c, "/customers?"+q.Encode())
}

// --- customer form

func customerInputFrom(c *fiber.Ctx) CustomerInput {
	form, _ := c.MultipartForm()
	var comps []string
	if form != nil {
		comps = form.Value["competitors"]
	} else {
		args := c.Request().PostArgs()
		for _, v := range args.PeekMulti("competitors") {
			comps = append(comps, string(v))
		}
	}
	return CustomerInput{
		Name: c.FormValue("name"), CreditCode: c.FormValue("credit_code"), Industry: c.FormValue("industry"),
		Grade: c.FormValue("grade"), Headcount: c.FormValue("headcount"), AnnualSpend: c.FormValue("annual_spend"),
		Address: c.FormValue("address"), Region: c.FormValue("region"), Status: c.FormValue("status"),
		Competitors: comps, OwnerID: web.FormUint(c, "owner_id"), ChiefRepID: web.FormUint(c, "chief_rep_id"),
		ParentID: parentFromForm(c), Version: web.FormInt(c, "version"),
	}
}

// assignment lists who the current user may make owner of a new
// customer, and the chief reps they may name on it.
func (h *handler) assignment(c *fiber.Ctx) (owners, reps []org.User, err error) {
	me := web.MustSubject(c)
	if owners, err = h.svc.Assignable(c.UserContext(), me); err != nil {
		return nil, nil, err
	}
	reps, err = h.svc.FormChiefReps(c.UserContext(), me)
	return owners, reps, err
}

func (h *handler) renderCustomerForm(c *fiber.Ctx, status int, id uint, in CustomerInput, errs map[string]string, dups []Duplicate) error {
	owners, reps, err := h.assignment(c)
	if err != nil {
		return err
	}
	comp := map[string]bool{}
	for _, x := range in.Competitors {
		comp[x] = true
	}
	return h.srv.ViewStatus(c, status, "prospects/customer_form", &customerFormView{
		ID: id, Form: in, Errors: errs, Duplicates: dups, Owners: owners, ChiefReps: reps,
		Grades: Grades, Industries: Industries, Statuses: Statuses, Competitors: Competitors, CompSet: comp,
		Parent: h.parentOf(c, in),
	})
}

func (h *handler) customerNew(c *fiber.Ctx) error {
	return h.renderCustomerForm(c, fiber.StatusOK, 0, CustomerInput{Status: "prospect", Grade: "C"}, nil, nil)
}

// formError renders the customer form again for validation errors,
// conflicts and duplicates; ok is false for any other error.
func (h *handler) customerFormError(c *fiber.Ctx, id uint, in CustomerInput, err error) (bool, error) {
	if msg, ok := h.cycleMessage(c, err); ok {
		return true, h.renderCustomerForm(c, fiber.StatusUnprocessableEntity, id, in, map[string]string{"parent_id": msg}, nil)
	}
	if errors.Is(err, ErrTooManyChecks) {
		errs := map[string]string{"_form": h.srv.I18n.T(web.Lang(c), "customers.too_many_checks")}
		return true, h.renderCustomerForm(c, fiber.StatusTooManyRequests, id, in, errs, nil)
	}
	var dup *DuplicateError
	if errors.As(err, &dup) {
		msg := "customers.similar_found"
		if dup.Exact() {
			msg = "v.credit_code_taken"
		}
		errs := map[string]string{"_form": h.srv.I18n.T(web.Lang(c), msg)}
		return true, h.renderCustomerForm(c, fiber.StatusConflict, id, in, errs, dup.Found)
	}
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return true, h.renderCustomerForm(c, status, id, in, msgs, nil)
	}
	return false, nil
}

func (h *handler) customerCreate(c *fiber.Ctx) error {
	in := customerInputFrom(c)
	cu, err := h.svc.CreateCustomer(c.UserContext(), web.MustSubject(c), in, c.FormValue("confirm_similar") == "1")
	if handled, rerr := h.customerFormError(c, 0, in, err); handled {
		return rerr
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "customers.created")
	return web.Redirect(c, customerURL(cu.ID))
}

func (h *handler) customerEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cu, err := h.svc.customerFor(c.UserContext(), web.MustSubject(c), id, "write")
	if err != nil {
		return err
	}
	in := CustomerInput{Name: cu.Name, CreditCode: cu.CreditCode, Industry: cu.Industry, Grade: cu.Grade,
		Headcount: strconv.Itoa(cu.Headcount), AnnualSpend: cu.AnnualSpendFen.Plain(), Address: cu.Address,
		Region: cu.Region, Status: cu.Status, Competitors: cu.CompetitorList(), Version: cu.Version}
	parent := derefID(cu.ParentID)
	in.ParentID = &parent
	return h.renderCustomerForm(c, fiber.StatusOK, id, in, nil, nil)
}

func (h *handler) customerUpdate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := customerInputFrom(c)
	_, err = h.svc.UpdateCustomer(c.UserContext(), web.MustSubject(c), id, in, c.FormValue("confirm_similar") == "1")
	if handled, rerr := h.customerFormError(c, id, in, err); handled {
		return rerr
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, customerURL(id))
}

// --- customer page

func (h *handler) customerShow(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	me := web.MustSubject(c)
	cu, err := h.svc.Customer(ctx, me, id)
	if err != nil {
		return err
	}
	contacts, err := h.svc.store.Contacts(ctx, id)
	if err != nil {
		return err
	}
	full := h.svc.CanSeePhones(ctx, me, cu)
	chain := map[string][]contactView{}
	for _, ct := range contacts {
		v := contactView{Contact: ct, MobileShown: ct.Mobile, PhoneShown: ct.Phone}
		if !full {
			v.MobileShown, v.PhoneShown = MaskPhone(ct.Mobile), MaskPhone(ct.Phone)
		}
		chain[ct.Role] = append(chain[ct.Role], v)
	}
	opps, err := h.svc.store.OpportunitiesOf(ctx, id)
	if err != nil {
		return err
	}
	entries, err := h.svc.timeline.For(ctx, id, 50)
	if err != nil {
		return err
	}
	ids := []uint{cu.OwnerID}
	if cu.ChiefRepID != nil {
		ids = append(ids, *cu.ChiefRepID)
	}
	for _, e := range entries {
		ids = append(ids, e.ActorID)
	}
	users, err := h.people(c, ids...)
	if err != nil {
		return err
	}
	team, err := h.svc.org.TeamByID(ctx, cu.TeamID)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	tl := make([]timelineView, 0, len(entries))
	for _, e := range entries {
		args := make([]any, len(e.Args))
		copy(args, e.Args)
		for i := 1; i < len(args); i += 2 {
			if s, ok := args[i].(string); ok && strings.HasPrefix(s, "stage.") {
				args[i] = h.srv.I18n.T(lang, s)
			}
		}
		if len(e.Fields) > 0 {
			e.Detail = h.srv.History.FieldLabels(lang, e.Entity, e.Fields)
		}
		tl = append(tl, timelineView{TimelineEntry: e, Text: h.srv.I18n.T(lang, e.MsgID, args...), Actor: users[e.ActorID].Name})
	}
	v := &customerView{
		C: cu, Chain: chain, Roles: ContactRoles, HasContacts: len(contacts) > 0,
		Opps: opps, Timeline: tl, Users: users, Team: team, FullPhones: full,
		CanWrite: h.svc.Can(me, "write", cu), CanReassign: h.svc.Can(me, "reassign", cu),
		CanDelete: h.svc.Can(me, "delete", cu), QualAnswers: []string{QualYes, QualPartly, QualNo},
		Links:   h.svc.timeline.CustomerLinks(),
		Actions: h.svc.timeline.CustomerActions(),
	}
	v.Title = cu.Name
	if err := h.hierarchyFor(c, v); err != nil {
		return err
	}
	return h.srv.View(c, "prospects/customer", v)
}

func (h *handler) qualificationSave(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := QualInput{
		Pay: c.FormValue("qual_pay"), PayNote: c.FormValue("qual_pay_note"),
		Need: c.FormValue("qual_need"), NeedNote: c.FormValue("qual_need_note"),
		Authority: c.FormValue("qual_authority"), AuthorityNote: c.FormValue("qual_authority_note"),
		Acceptance: c.FormValue("qual_acceptance"), AcceptanceNote: c.FormValue("qual_acceptance_note"),
		Version: web.FormInt(c, "version"),
	}
	_, err = h.svc.SaveQualification(c.UserContext(), web.MustSubject(c), id, in)
	if errors.Is(err, apperr.ErrConflict) {
		h.srv.Flash(c, "error", "v.stale")
		return web.Redirect(c, customerURL(id))
	}
	if f, ok := apperr.AsFields(err); ok {
		for _, m := range f {
			h.srv.Flash(c, "error", m)
		}
		return web.Redirect(c, customerURL(id)+"#qualification")
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "customers.qual_saved")
	return web.Redirect(c, customerURL(id)+"#qualification")
}

// --- reassign, delete, restore

func (h *handler) reassignPage(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cu, err := h.svc.customerFor(c.UserContext(), web.MustSubject(c), id, "reassign")
	if err != nil {
		return err
	}
	return h.renderReassign(c, fiber.StatusOK, cu, nil)
}

func (h *handler) renderReassign(c *fiber.Ctx, status int, cu *Customer, errs map[string]string) error {
	me := web.MustSubject(c)
	owners, err := h.svc.ReassignOwners(c.UserContext(), me, cu)
	if err != nil {
		return err
	}
	reps, err := h.svc.ReassignChiefReps(c.UserContext(), me, cu)
	if err != nil {
		return err
	}
	return h.srv.ViewStatus(c, status, "prospects/reassign", &reassignView{C: cu, Owners: owners, ChiefReps: reps, Errors: errs})
}

func (h *handler) reassign(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	_, err = h.svc.Reassign(c.UserContext(), me, id, web.FormUint(c, "owner_id"), web.FormUint(c, "chief_rep_id"), web.FormInt(c, "version"))
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		cu, lerr := h.svc.customerFor(c.UserContext(), me, id, "reassign")
		if lerr != nil {
			return lerr
		}
		return h.renderReassign(c, status, cu, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "customers.reassigned")
	return web.Redirect(c, customerURL(id))
}

func (h *handler) customerDelete(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCustomer(c.UserContext(), web.MustSubject(c), id); errors.Is(err, ErrHasMembers) {
		h.srv.Flash(c, "error", "hierarchy.v.has_members")
		return web.Redirect(c, customerURL(id)+"#group")
	} else if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "customers.deleted")
	return web.Redirect(c, "/customers")
}

func (h *handler) customerRestore(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = h.svc.RestoreCustomer(c.UserContext(), web.MustSubject(c), id)
	if f, ok := apperr.AsFields(err); ok {
		h.srv.Flash(c, "error", f["credit_code"])
		return web.Redirect(c, "/customers/trash")
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "customers.restored")
	return web.Redirect(c, customerURL(id))
}

func (h *handler) trash(c *fiber.Ctx) error {
	p := web.NewPager(c)
	f := CustomerFilter{Q: strings.TrimSpace(c.Query("q")), Limit: p.Size, Offset: p.Offset(), Sort: "updated", Desc: true}
	list, total, err := h.svc.ListDeleted(c.UserContext(), web.MustSubject(c), f)
	if err != nil {
		return err
	}
	p.Total, p.Cap = total, CountCap
	ids := make([]uint, len(list))
	for i, cu := range list {
		ids[i] = cu.OwnerID
	}
	users, err := h.people(c, ids...)
	if err != nil {
		return err
	}
	return h.srv.View(c, "prospects/trash", &trashView{Customers: list, Pager: p, Users: users, Q: f.Q})
}

// --- key persons

func contactInputFrom(c *fiber.Ctx) ContactInput {
	return ContactInput{
		Name: c.FormValue("contact_name"), Title: c.FormValue("title"), Mobile: c.FormValue("mobile"),
		Phone: c.FormValue("phone"), Email: c.FormValue("email"), Role: c.FormValue("role"),
		Attitude: c.FormValue("attitude"), Birthday: c.FormValue("birthday"), Preferences: c.FormValue("preferences"),
		Notes: c.FormValue("notes"), Version: web.FormInt(c, "version"), Confirm: c.FormValue("confirm_duplicate") == "1",
	}
}

func (h *handler) renderContactForm(c *fiber.Ctx, status int, cu *Customer, id uint, in ContactInput, errs map[string]string, dups ...Contact) error {
	return h.srv.ViewStatus(c, status, "prospects/contact_form", &contactFormView{
		C: cu, ID: id, Form: in, Errors: errs, Roles: ContactRoles, Attitudes: Attitudes, Duplicates: dups,
	})
}

func (h *handler) contactNew(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cu, err := h.svc.customerFor(c.UserContext(), web.MustSubject(c), id, "write")
	if err != nil {
		return err
	}
	return h.renderContactForm(c, fiber.StatusOK, cu, 0, ContactInput{Role: "decision", Attitude: "neutral"}, nil)
}

func (h *handler) contactSave(c *fiber.Ctx, contactID uint) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	in := contactInputFrom(c)
	_, err = h.svc.SaveContact(c.UserContext(), me, id, contactID, in)
	var dup *ContactDuplicateError
	if errors.As(err, &dup) {
		cu, lerr := h.svc.customerFor(c.UserContext(), me, id, "write")
		if lerr != nil {
			return lerr
		}
		errs := map[string]string{"_form": h.srv.I18n.T(web.Lang(c), "contacts.similar_found")}
		return h.renderContactForm(c, fiber.StatusConflict, cu, contactID, in, errs, dup.Found...)
	}
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		cu, lerr := h.svc.customerFor(c.UserContext(), me, id, "write")
		if lerr != nil {
			return lerr
		}
		return h.renderContactForm(c, status, cu, contactID, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, customerURL(id)+"#contacts")
}

func (h *handler) contactCreate(c *fiber.Ctx) error { return h.contactSave(c, 0) }

func (h *handler) contactUpdate(c *fiber.Ctx) error {
	cid, err := web.ParamID(c, "cid")
	if err != nil {
		return err
	}
	return h.contactSave(c, cid)
}

func (h *handler) contactEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cid, err := web.ParamID(c, "cid")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	cu, err := h.svc.customerFor(c.UserContext(), me, id, "write")
	if err != nil {
		return err
	}
	ct, err := h.svc.store.Contact(c.UserContext(), cid)
	if err != nil || ct.CustomerID != cu.ID {
		return apperr.ErrNotFound
	}
	in := ContactInput{Name: ct.Name, Title: ct.Title, Mobile: ct.Mobile, Phone: ct.Phone, Email: ct.Email,
		Role: ct.Role, Attitude: ct.Attitude, Preferences: ct.Preferences, Notes: ct.Notes, Version: ct.Version}
	if ct.Birthday != nil {
		in.Birthday = ct.Birthday.Format("2006-01-02")
	}
	return h.renderContactForm(c, fiber.StatusOK, cu, cid, in, nil)
}

func (h *handler) contactDelete(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	cid, err := web.ParamID(c, "cid")
	if err != nil {
		return err
	}
	if err := h.svc.DeleteContact(c.UserContext(), web.MustSubject(c), id, cid); err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "contacts.deleted")
	return web.Redirect(c, customerURL(id)+"#contacts")
}
