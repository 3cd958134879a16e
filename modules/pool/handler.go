package pool

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

type handler struct {
	srv *web.Server
	svc *Service
}

func (h *handler) t(c *fiber.Ctx, id string, args ...any) string {
	return h.srv.I18n.T(web.Lang(c), id, args...)
}

func filterOf(c *fiber.Ctx) Filter {
	f := Filter{Q: c.Query("q"), Industry: c.Query("industry"), Grade: c.Query("grade"), Sort: c.Query("sort")}
	if f.Sort != "" && c.Query("dir") == "desc" {
		f.Sort = "-" + f.Sort
	}
	return f
}

func (h *handler) list(c *fiber.Ctx) error { return h.renderList(c, fiber.StatusOK, "") }

func (h *handler) renderList(c *fiber.Ctx, status int, msg string) error {
	me := web.MustSubject(c)
	pg := web.NewPager(c)
	f := filterOf(c)
	p, err := h.svc.List(c.UserContext(), me, f, pg.Offset(), pg.Size)
	if err != nil {
		return err
	}
	pg.Total = p.Total
	assignees, err := h.svc.Assignees(c.UserContext(), me)
	if err != nil {
		return err
	}
	v := &listView{Rule: p.Rule, Rows: p.Rows, Pager: pg, Filter: f, Claims: p.Claims, Industries: prospects.Industries,
		Grades: prospects.Grades, Assignees: assignees, CanClaim: h.srv.Enforcer.CanRoute(me, "pool", "claim"), Error: msg}
	v.Title = h.t(c, "pool.title")
	return h.srv.ViewStatus(c, status, "pool/list", v)
}

// moveError turns a claim's or assignment's refusal into the list page
// with the reason; anything else is the usual error page.
func (h *handler) moveError(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, ErrTaken):
		return h.renderList(c, fiber.StatusConflict, h.t(c, "pool.claim.taken"))
	case errors.Is(err, ErrLimit):
		return h.renderList(c, fiber.StatusUnprocessableEntity, h.t(c, "pool.claim.limit"))
	}
	if f, ok := apperr.AsFields(err); ok {
		for _, id := range f {
			return h.renderList(c, fiber.StatusUnprocessableEntity, h.t(c, id))
		}
	}
	return err
}

func (h *handler) claim(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Claim(c.UserContext(), web.MustSubject(c), id, web.FormInt(c, "version")); err != nil {
		return h.moveError(c, err)
	}
	h.srv.Flash(c, "ok", "pool.claim.done")
	return web.Redirect(c, "/customers/"+strconv.FormatUint(uint64(id), 10))
}

func (h *handler) assign(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Assign(c.UserContext(), web.MustSubject(c), id, web.FormUint(c, "owner_id"), web.FormInt(c, "version")); err != nil {
		return h.moveError(c, err)
	}
	h.srv.Flash(c, "ok", "pool.assign.done")
	return web.Redirect(c, "/pool")
}

func (h *handler) settings(c *fiber.Ctx) error {
	b := web.QueryID(c, "branch")
	me := web.MustSubject(c)
	if b == 0 && me.BranchID == 0 {
		// The admin belongs to no branch: choose one first.
		bs, err := h.svc.ConfigurableBranches(c.UserContext(), me)
		if err != nil {
			return err
		}
		v := &settingsView{Branches: bs}
		v.Title = h.t(c, "pool.settings.title")
		return h.srv.View(c, "pool/settings", v)
	}
	r, err := h.svc.Rule(c.UserContext(), me, b)
	if err != nil {
		return err
	}
	in := RuleInput{Enabled: r.Enabled, IdleDays: strconv.Itoa(r.IdleDays), WarnDays: strconv.Itoa(r.WarnDays),
		ClaimLimit: strconv.Itoa(r.ClaimLimit), Version: r.Version}
	return h.renderSettings(c, fiber.StatusOK, r, in, nil)
}

func (h *handler) renderSettings(c *fiber.Ctx, status int, r Rule, in RuleInput, errs map[string]string) error {
	v := &settingsView{Rule: r, Form: in, BranchID: r.BranchID, Errors: errs}
	v.Title = h.t(c, "pool.settings.title")
	return h.srv.ViewStatus(c, status, "pool/settings", v)
}

func (h *handler) saveSettings(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	b := web.FormUint(c, "branch")
	in := RuleInput{Enabled: c.FormValue("enabled") == "1", IdleDays: c.FormValue("idle_days"), WarnDays: c.FormValue("warn_days"),
		ClaimLimit: c.FormValue("claim_limit"), Version: web.FormInt(c, "version")}
	r, err := h.svc.SaveRule(c.UserContext(), me, b, in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		cur, lerr := h.svc.Rule(c.UserContext(), me, b)
		if lerr != nil {
			return lerr
		}
		return h.renderSettings(c, st, cur, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/pool/settings?branch="+strconv.FormatUint(uint64(r.BranchID), 10))
}
