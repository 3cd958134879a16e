package targets

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

// ---- exports ----

func (h *handler) export(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	m, err := h.month(c)
	if err != nil {
		return err
	}
	g, err := h.svc.Grid(c.UserContext(), me, m, c.Query("sort", "name"), c.Query("dir") == "desc")
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	var buf bytes.Buffer
	if err := WriteGridXLSX(&buf, g, func(id string) string { return h.srv.I18n.T(lang, id) }); err != nil {
		return err
	}
	name := fmt.Sprintf("targets-%s.xlsx", m)
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(name)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

func (h *handler) reviewPDF(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	rv, err := h.svc.Review(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
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
	if rv.Person.Name == "" {
		rv.Person.Name = names[rv.Person.ID]
	}
	lang := web.Lang(c)
	b, err := ReviewPDF(h.opts.Fonts, h.opts.Letterhead, h.svc.opts.Location, lang, rv, names,
		func(id string, args ...any) string { return h.srv.I18n.T(lang, id, args...) })
	if err != nil {
		return err
	}
	name := fmt.Sprintf("review-%s-%d.pdf", rv.Month, rv.Review.ID)
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s"`, name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

// ---- annual quotas ----

type quotasView struct {
	web.Page
	Year   int
	Rows   []QuotaRow
	Lines  []LineDef
	Errors map[string]string
	Input  map[string]string
}

// Cell is a quota cell's value: as typed after an error, else saved.
func (v *quotasView) Cell(r QuotaRow, l LineDef) string {
	if s, ok := v.Input[r.Key()+"_"+l.Key]; ok {
		return s
	}
	return r.Shown(l)
}

// Err is a quota cell's error.
func (v *quotasView) Err(r QuotaRow, l LineDef) string { return v.Errors[r.Key()+"_"+l.Key] }

func (h *handler) year(c *fiber.Ctx) int {
	if y, err := strconv.Atoi(strings.TrimSpace(c.Query("year", c.FormValue("year")))); err == nil {
		return y
	}
	return h.svc.CurrentMonth().Year()
}

func (h *handler) quotas(c *fiber.Ctx) error {
	return h.renderQuotas(c, h.year(c), nil, nil, fiber.StatusOK)
}

func (h *handler) renderQuotas(c *fiber.Ctx, year int, errs, input map[string]string, status int) error {
	if year < 2000 || year > 2100 {
		year = h.svc.CurrentMonth().Year()
	}
	rows, err := h.svc.QuotaForm(c.UserContext(), web.MustSubject(c), year)
	if err != nil {
		return err
	}
	v := &quotasView{Year: year, Rows: rows, Lines: QuotaLines(), Errors: errs, Input: input}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.quotas.title")
	return h.srv.ViewStatus(c, status, "targets/quotas", v)
}

func (h *handler) quotasSave(c *fiber.Ctx) error {
	year := h.year(c)
	var rows []QuotaInput
	input := map[string]string{}
	args := c.Request().PostArgs()
	for _, raw := range args.PeekMulti("row") {
		key := string(raw)
		in := QuotaInput{Field: key, Version: web.FormInt(c, "v_"+key), Values: map[string]string{}}
		switch {
		case strings.HasPrefix(key, "q_"):
			n, _ := strconv.ParseUint(strings.TrimPrefix(key, "q_"), 10, 64)
			in.OwnerID = uint(n)
		case strings.HasPrefix(key, "team_"):
			n, _ := strconv.ParseUint(strings.TrimPrefix(key, "team_"), 10, 64)
			in.TeamID = uint(n)
		}
		if in.OwnerID == 0 && in.TeamID == 0 {
			continue
		}
		for _, l := range QuotaLines() {
			in.Values[l.Key] = c.FormValue(key + "_" + l.Key)
			input[key+"_"+l.Key] = in.Values[l.Key]
		}
		rows = append(rows, in)
	}
	_, err := h.svc.SaveQuotas(c.UserContext(), web.MustSubject(c), year, rows)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderQuotas(c, year, msgs, input, status)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "targets.quotas.saved")
	return web.Redirect(c, fmt.Sprintf("/targets/quotas?year=%d", year))
}

// ---- quota import ----

type importView struct {
	web.Page
	Year   int
	Result *ImportResult
	Errors map[string]string
}

func (h *handler) quotaImportForm(c *fiber.Ctx) error {
	v := &importView{Year: h.year(c)}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.import.title")
	return h.srv.View(c, "targets/quotas_import", v)
}

func (h *handler) quotaImport(c *fiber.Ctx) error {
	year := h.year(c)
	v := &importView{Year: year}
	v.Title = h.srv.I18n.T(web.Lang(c), "targets.import.title")
	fail := func(err error) error {
		if msgs, status, ok := h.srv.FormErrors(c, err); ok {
			v.Errors = msgs
			return h.srv.ViewStatus(c, status, "targets/quotas_import", v)
		}
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return fail(apperr.Fields{"file": "targets.import.no_file"})
	}
	if fh.Size > MaxQuotaImportBytes {
		return fail(apperr.Fields{"file": "targets.import.too_big"})
	}
	if h.opts.ImportGate != nil {
		release, err := h.opts.ImportGate.Enter(c.UserContext(), 3*time.Second)
		if errors.Is(err, tabular.ErrBusy) {
			c.Set(fiber.HeaderRetryAfter, "5")
			return fail(apperr.Fields{"file": "import.busy"})
		}
		if err != nil {
			return err
		}
		defer release()
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := OpenRows(fh.Filename, f, fh.Size)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	res, err := h.svc.ImportQuotas(c.UserContext(), web.MustSubject(c), year, rows, c.FormValue("dry_run") == "1")
	if err != nil {
		return fail(err)
	}
	v.Result = res
	if !res.DryRun && len(res.Errors) == 0 {
		h.opts.ImportGate.Imported("quotas", res.Saved)
	}
	status := fiber.StatusOK
	if len(res.Errors) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return h.srv.ViewStatus(c, status, "targets/quotas_import", v)
}
