package catalog

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv *web.Server
	svc *Service
}

// historyLimit is how many audit entries the product page shows.
const historyLimit = 50

func productPath(id uint) string { return "/catalog/" + strconv.FormatUint(uint64(id), 10) }

// --- list

// listSorts are the sort keys the list's column headers offer.
var listSorts = map[string]bool{"code": true, "name": true, "category": true, "monthly": true, "one_time": true, "floor": true}

func (h *handler) filterFrom(c *fiber.Ctx) Filter {
	f := Filter{
		Q: strings.TrimSpace(c.Query("q")), Category: c.Query("category"), Status: c.Query("status"),
		Sort: c.Query("sort"), Desc: c.Query("dir") == "desc", Lang: web.Lang(c),
	}
	if !servicecat.Valid(f.Category) {
		f.Category = ""
	}
	if f.Status != StatusActive && f.Status != StatusRetired {
		f.Status = ""
	}
	if !listSorts[f.Sort] {
		f.Sort, f.Desc = "", false
	}
	if len([]rune(f.Q)) > 100 {
		f.Q = string([]rune(f.Q)[:100])
	}
	return f
}

func (h *handler) list(c *fiber.Ctx) error {
	p := web.NewPager(c)
	f := h.filterFrom(c)
	f.Limit, f.Offset = p.Size, p.Offset()
	rows, total, err := h.svc.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.Total = total
	v := &listView{
		Rows: rows, Pager: p, Filter: f, Categories: servicecat.Keys(),
		Statuses: []string{StatusActive, StatusRetired},
		Filtered: f.Q != "" || f.Category != "" || f.Status != "",
		UnitName: h.unitName(c),
	}
	v.Title = h.srv.I18n.T(web.Lang(c), "catalog.title")
	return h.srv.View(c, "catalog/list", v)
}

// --- one product

// renderShow shows a product with its history; errs carries a message for
// a refused retire / activate (a stale page).
func (h *handler) renderShow(c *fiber.Ctx, status int, id uint, errs map[string]string) error {
	ctx := c.UserContext()
	p, err := h.svc.Product(ctx, id)
	if err != nil {
		return err
	}
	history, err := h.svc.History(ctx, id, historyLimit)
	if err != nil {
		return err
	}
	var ids []uint
	for _, e := range history {
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
	}
	for _, x := range []*uint{p.CreatedBy, p.UpdatedBy} {
		if x != nil {
			ids = append(ids, *x)
		}
	}
	names, err := h.svc.UserNames(ctx, ids)
	if err != nil {
		return err
	}
	view, err := h.srv.History.View(ctx, web.MustSubject(c), web.Lang(c), history)
	if err != nil {
		return err
	}
	v := &showView{P: p, History: view, Actors: names, Errors: errs, UnitName: h.unitName(c)}
	v.Title = p.Name(web.Lang(c))
	return h.srv.ViewStatus(c, status, "catalog/show", v)
}

// unitName translates catalogue units into the user's language, for the
// templates ({{call .UnitName .Unit}}).
func (h *handler) unitName(c *fiber.Ctx) func(string) string {
	lang := web.Lang(c)
	return func(u string) string { return UnitName(func(id string) string { return h.srv.I18n.T(lang, id) }, u) }
}

func (h *handler) show(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderShow(c, fiber.StatusOK, id, nil)
}

// --- create and edit

func inputFrom(c *fiber.Ctx) ProductInput {
	return ProductInput{
		Code: c.FormValue("code"), NameZh: c.FormValue("name_zh"), NameEn: c.FormValue("name_en"),
		Category: c.FormValue("category"), Unit: c.FormValue("unit"), Monthly: c.FormValue("monthly"),
		OneTime: c.FormValue("one_time"), FloorPercent: c.FormValue("floor_rate"), SortOrder: c.FormValue("sort_order"),
		Description: c.FormValue("description"), Version: web.FormInt(c, "version"),
	}
}

// renderForm shows the new (p nil) or edit form with the typed values.
func (h *handler) renderForm(c *fiber.Ctx, status int, p *Product, in ProductInput, errs map[string]string) error {
	lang := web.Lang(c)
	v := &formView{Form: in, Errors: errs, Categories: servicecat.Keys()}
	if p != nil {
		v.P, v.ID, v.Title = p, p.ID, p.Name(lang)
	} else {
		v.Title = h.srv.I18n.T(lang, "catalog.new")
	}
	return h.srv.ViewStatus(c, status, "catalog/form", v)
}

func (h *handler) newForm(c *fiber.Ctx) error {
	in := ProductInput{Category: c.Query("category")}
	if !servicecat.Valid(in.Category) {
		in.Category = ""
	}
	return h.renderForm(c, fiber.StatusOK, nil, in, nil)
}

func (h *handler) create(c *fiber.Ctx) error {
	in := inputFrom(c)
	p, err := h.svc.Save(c.UserContext(), web.MustSubject(c).ID, 0, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderForm(c, status, nil, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "catalog.created")
	return web.Redirect(c, productPath(p.ID))
}

func (h *handler) editForm(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.svc.Product(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderForm(c, fiber.StatusOK, p, inputOf(p), nil)
}

func (h *handler) update(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := inputFrom(c)
	p, err := h.svc.Save(c.UserContext(), web.MustSubject(c).ID, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		// Show the typed values against the product as it is now, so the
		// admin can compare after a conflict.
		cur, lerr := h.svc.Product(c.UserContext(), id)
		if lerr != nil {
			return lerr
		}
		return h.renderForm(c, status, cur, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "catalog.saved")
	return web.Redirect(c, productPath(p.ID))
}

// --- retire and activate

func (h *handler) setActive(c *fiber.Ctx, active bool) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = h.svc.SetActive(c.UserContext(), web.MustSubject(c).ID, id, active, web.FormInt(c, "version"))
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderShow(c, status, id, msgs)
	}
	if err != nil {
		return err
	}
	msg := "catalog.retired"
	if active {
		msg = "catalog.activated"
	}
	h.srv.Flash(c, "ok", msg)
	return web.Redirect(c, productPath(id))
}

func (h *handler) retire(c *fiber.Ctx) error { return h.setActive(c, false) }

func (h *handler) activate(c *fiber.Ctx) error { return h.setActive(c, true) }
