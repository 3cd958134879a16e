package aftersale

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
)

// The edit and delete pages of care touches and key dates. The service
// checks the record's customer (404 out of reach) and the care_record
// edit policy (403) on every one of them.

func (h *handler) editTouch(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	t, _, err := h.svc.Touch(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	return h.renderTouch(c, fiber.StatusOK, id, TouchInput{Kind: t.Kind, On: t.TouchedOn.Format("2006-01-02"), Summary: t.Summary}, t.Version, nil)
}

func (h *handler) renderTouch(c *fiber.Ctx, status int, id uint, in TouchInput, version int, errs map[string]string) error {
	t, cust, err := h.svc.Touch(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	v := &careEditView{Customer: cust, Touch: t, Kinds: TouchKinds, TouchIn: in, Version: version, Errors: errs}
	v.Title = h.t(c, "aftersale.touch.edit")
	return h.srv.ViewStatus(c, status, "aftersale/care_edit", v)
}

func (h *handler) updateTouch(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := TouchInput{Kind: c.FormValue("kind"), On: c.FormValue("on"), Summary: c.FormValue("summary")}
	version := web.FormInt(c, "version")
	t, err := h.svc.UpdateTouch(c.UserContext(), web.MustSubject(c), id, in, version)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderTouch(c, st, id, in, version, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, customerPath(t.CustomerID)+"/aftersale")
}

func (h *handler) deleteTouch(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	t, _, err := h.svc.Touch(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	err = h.svc.DeleteTouch(c.UserContext(), me, id, web.FormInt(c, "version"), c.FormValue("confirm") == "1")
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderTouch(c, st, id, TouchInput{Kind: t.Kind, On: t.TouchedOn.Format("2006-01-02"), Summary: t.Summary}, t.Version, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "aftersale.care_record.deleted")
	return web.Redirect(c, customerPath(t.CustomerID)+"/aftersale")
}

func dateInputOf(d *CareDate) CareDateInput {
	in := CareDateInput{Kind: d.Kind, Date: fmt.Sprintf("%02d-%02d", d.Month, d.Day), Label: d.Label}
	if d.Year != nil {
		in.Date = strconv.Itoa(*d.Year) + "-" + in.Date
	}
	if d.ContactID != nil {
		in.ContactID = *d.ContactID
	}
	return in
}

func (h *handler) editCareDate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, _, err := h.svc.CareDate(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	return h.renderCareDate(c, fiber.StatusOK, id, dateInputOf(d), d.Version, nil)
}

func (h *handler) renderCareDate(c *fiber.Ctx, status int, id uint, in CareDateInput, version int, errs map[string]string) error {
	me := web.MustSubject(c)
	d, cust, err := h.svc.CareDate(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	v := &careEditView{Customer: cust, Date: d, DateIn: in, Version: version, Errors: errs}
	if v.Contacts, err = h.svc.Contacts(c.UserContext(), me, cust.ID); err != nil {
		return err
	}
	v.Title = h.t(c, "aftersale.dates.edit")
	return h.srv.ViewStatus(c, status, "aftersale/care_edit", v)
}

func (h *handler) updateCareDate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := CareDateInput{Kind: c.FormValue("date_kind"), ContactID: web.FormUint(c, "contact_id"), Date: c.FormValue("date"), Label: c.FormValue("label")}
	version := web.FormInt(c, "version")
	d, err := h.svc.UpdateCareDate(c.UserContext(), web.MustSubject(c), id, in, version)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderCareDate(c, st, id, in, version, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, customerPath(d.CustomerID)+"/aftersale")
}

func (h *handler) deleteCareDate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	d, _, err := h.svc.CareDate(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	err = h.svc.DeleteCareDate(c.UserContext(), me, id, web.FormInt(c, "version"), c.FormValue("confirm") == "1")
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.renderCareDate(c, st, id, dateInputOf(d), d.Version, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "aftersale.care_record.deleted")
	return web.Redirect(c, customerPath(d.CustomerID)+"/aftersale")
}
