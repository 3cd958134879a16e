package usage

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv        *web.Server
	svc        *Service
	industries []string
	loc        *time.Location
	// staging keeps a checked upload between the dry run and the commit.
	staging *tabular.Staging
}

func (h *handler) t(c *fiber.Ctx, id string, args ...any) string {
	return h.srv.I18n.T(web.Lang(c), id, args...)
}

// --- the customer's tab

func (h *handler) customer(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	t, err := h.svc.CustomerTab(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	lang := web.Lang(c)
	v := &customerView{T: t}
	for _, p := range t.Products {
		v.Names = append(v.Names, p.Name(lang))
		v.Units = append(v.Units, p.Unit)
	}
	if !t.Empty() {
		v.Chart = chartJSON(t, v.Names, h.t(c, "usage.total"))
	}
	v.Title = t.Customer.Name + " · " + h.t(c, "nav.usage")
	return h.srv.View(c, "usage/customer", v)
}

// --- lists

var tabs = []string{"risers", "fallers", "industry", "product"}

// filter reads the list's query: tab, month, window, industry, product,
// sort and direction; anything unknown falls back to the default.
func (h *handler) filter(c *fiber.Ctx) (string, ListFilter, error) {
	tab := c.Query("tab")
	if !slices.Contains(tabs, tab) {
		tab = "risers"
	}
	f := ListFilter{Window: 1, Sort: c.Query("sort"), Desc: c.Query("dir") == "desc", Fallers: tab == "fallers"}
	if c.Query("window") == "3" {
		f.Window = 3
	}
	if ym, ok := ParseYM(c.Query("month")); ok {
		f.YM = ym
	} else {
		ym, err := h.svc.DefaultMonth(c.UserContext(), web.MustSubject(c))
		if err != nil {
			return "", f, err
		}
		f.YM = ym
	}
	if slices.Contains(h.industries, c.Query("industry")) {
		f.Industry = c.Query("industry")
	}
	if n, err := strconv.ParseUint(c.Query("product"), 10, 32); err == nil {
		f.ProductID = uint(n)
	}
	if !slices.Contains([]string{"delta", "cur", "prev", "name"}, f.Sort) {
		f.Sort = "delta"
		// Risers: the biggest rise first; fallers: the deepest fall first.
		f.Desc = c.Query("dir") == "" && !f.Fallers || c.Query("dir") == "desc"
	}
	return tab, f, nil
}

func (h *handler) list(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	tab, f, err := h.filter(c)
	if err != nil {
		return err
	}
	pager := web.NewPager(c)
	v := &listView{Tab: tab, F: f, Month: FormatYM(f.YM), Industries: h.industries, Pager: pager, CanImport: h.svc.CanImport(me)}
	if v.Products, err = h.svc.Products(ctx); err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range []string{"tab", "month", "window", "industry", "product", "sort", "dir"} {
		if s := c.Query(k); s != "" {
			q.Set(k, s)
		}
	}
	q.Set("tab", tab)
	v.Query = template.URL(q.Encode()) //nolint:gosec // url.Values.Encode output
	if v.IsMovers() {
		f.Limit, f.Offset = pager.Size, pager.Offset()
		if v.Movers, pager.Total, err = h.svc.Movers(ctx, me, f); err != nil {
			return err
		}
	} else if v.Groups, err = h.groups(c, tab, f); err != nil {
		return err
	}
	v.Title = h.t(c, "usage.title")
	return h.srv.View(c, "usage/index", v)
}

// groups are the industry or product totals, named and sorted.
func (h *handler) groups(c *fiber.Ctx, tab string, f ListFilter) ([]GroupRow, error) {
	me, ctx, lang := web.MustSubject(c), c.UserContext(), web.Lang(c)
	if c.Query("sort") == "" {
		f.Sort, f.Desc = "cur", true
	}
	var gs []Group
	var err error
	names := map[string]string{}
	if tab == "industry" {
		gs, err = h.svc.ByIndustry(ctx, me, f)
		for _, ind := range h.industries {
			names[ind] = h.t(c, "industry."+ind)
		}
	} else {
		gs, err = h.svc.ByProduct(ctx, me, f)
		ps, perr := h.svc.Products(ctx)
		if perr != nil {
			return nil, perr
		}
		for _, p := range ps {
			names[strconv.FormatUint(uint64(p.ID), 10)] = p.Code + " " + p.Name(lang)
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]GroupRow, len(gs))
	for i, g := range gs {
		out[i] = GroupRow{Group: g, Name: names[g.Key]}
		if out[i].Name == "" {
			out[i].Name = g.Key
		}
	}
	slices.SortStableFunc(out, func(a, b GroupRow) int {
		var d int
		switch f.Sort {
		case "name":
			d = strings.Compare(a.Name, b.Name)
		case "prev":
			d = cmpFen(a.PrevFen, b.PrevFen)
		case "delta":
			d = cmpFen(a.CurFen-a.PrevFen, b.CurFen-b.PrevFen)
		default:
			d = cmpFen(a.CurFen, b.CurFen)
		}
		if f.Desc {
			d = -d
		}
		return d
	})
	return out, nil
}

func cmpFen[T ~int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// maxExport bounds one export; beyond it the user is asked to filter.
const maxExport = 100_000

func (h *handler) exportCSV(c *fiber.Ctx) error  { return h.export(c, sheet.CSV) }
func (h *handler) exportXLSX(c *fiber.Ctx) error { return h.export(c, sheet.XLSX) }

// export writes the list as shown (same scope and filters), every row.
func (h *handler) export(c *fiber.Ctx, format string) error {
	me := web.MustSubject(c)
	tab, f, err := h.filter(c)
	if err != nil {
		return err
	}
	money := sheet.Money
	var cols []sheet.Column
	var fill func(w sheet.Writer) error
	if tab == "risers" || tab == "fallers" {
		cols = []sheet.Column{{Header: h.t(c, "usage.col.customer"), Width: 30}, {Header: h.t(c, "usage.col.industry"), Width: 10},
			{Header: h.t(c, "usage.col.owner"), Width: 10}, {Header: h.t(c, "usage.col.prev"), Width: 14, Kind: money},
			{Header: h.t(c, "usage.col.cur"), Width: 14, Kind: money}, {Header: h.t(c, "usage.col.delta"), Width: 14, Kind: money},
			{Header: h.t(c, "usage.col.change"), Width: 10}}
		f.Limit = maxExport + 1
		rows, _, err := h.svc.Movers(c.UserContext(), me, f)
		if err != nil {
			return err
		}
		if len(rows) > maxExport {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, "too many rows")
		}
		fill = func(w sheet.Writer) error {
			for _, r := range rows {
				if err := w.Row(r.Name, h.t(c, "industry."+r.Industry), r.OwnerName, r.PrevFen, r.CurFen, r.DeltaFen(), PctOf(r.CurFen, r.PrevFen)); err != nil {
					return err
				}
			}
			return nil
		}
	} else {
		gs, err := h.groups(c, tab, f)
		if err != nil {
			return err
		}
		head := "usage.col.industry"
		if tab == "product" {
			head = "usage.col.product"
		}
		cols = []sheet.Column{{Header: h.t(c, head), Width: 30}, {Header: h.t(c, "usage.col.customers"), Width: 10, Kind: sheet.Int},
			{Header: h.t(c, "usage.col.quantity"), Width: 12, Kind: sheet.Int}, {Header: h.t(c, "usage.col.prev"), Width: 14, Kind: money},
			{Header: h.t(c, "usage.col.cur"), Width: 14, Kind: money}, {Header: h.t(c, "usage.col.change"), Width: 10}}
		fill = func(w sheet.Writer) error {
			for _, g := range gs {
				if err := w.Row(g.Name, g.Customers, g.Quantity, g.PrevFen, g.CurFen, PctOf(g.CurFen, g.PrevFen)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	file, size, err := sheet.Spool(format, h.t(c, "usage.title"), cols, h.loc, fill)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, sheet.ContentType(format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Attachment(fmt.Sprintf("usage-%s-%s.%s", tab, FormatYM(f.YM), format))
	return c.SendStream(file, int(size))
}

// --- import

func (h *handler) template(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Attachment("usage-import-template.csv")
	return c.SendString(TemplateCSV)
}

func (h *handler) importPage(c *fiber.Ctx) error {
	return h.renderImport(c, fiber.StatusOK, &importView{Source: DefaultSource})
}

func (h *handler) renderImport(c *fiber.Ctx, status int, v *importView) error {
	var err error
	v.Sources = Sources
	if v.Imports, err = h.svc.Imports(c.UserContext(), web.MustSubject(c)); err != nil {
		return err
	}
	if v.Report != nil {
		for _, e := range v.Report.Errors {
			v.Messages = append(v.Messages, h.t(c, "usage.row", "Row", e.Row)+" "+h.t(c, e.MsgID, e.Args...))
		}
	}
	v.Title = h.t(c, "usage.import.title")
	return h.srv.ViewStatus(c, status, "usage/import", v)
}

func (h *handler) upload(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	v := &importView{Source: c.FormValue("source", DefaultSource)}
	fail := func(status int, msgID string, args ...any) error {
		v.Error = h.t(c, msgID, args...)
		return h.renderImport(c, status, v)
	}
	if !validSource(v.Source) {
		v.Source = DefaultSource
		return fail(fiber.StatusUnprocessableEntity, "usage.err.source")
	}
	release, err := h.svc.Gate().Enter(c.UserContext(), 3*time.Second)
	if errors.Is(err, tabular.ErrBusy) {
		c.Set(fiber.HeaderRetryAfter, "5")
		return fail(fiber.StatusServiceUnavailable, "usage.err.busy")
	}
	if err != nil {
		return err
	}
	defer release()

	var src io.ReaderAt
	var size int64
	var name string
	commit := c.FormValue("action") == "commit"
	if commit {
		ext := c.FormValue("ext")
		f, err := h.staging.Open(me.ID, c.FormValue("token"), ext)
		if errors.Is(err, tabular.ErrStagedToken) {
			return fiber.ErrBadRequest
		}
		if errors.Is(err, tabular.ErrStagedGone) {
			return fail(fiber.StatusUnprocessableEntity, "usage.err.expired")
		}
		if err != nil {
			return err
		}
		defer f.Close()
		src, size = f, f.Size
		name = strings.TrimSpace(c.FormValue("file_name"))
		if name == "" || !strings.EqualFold(filepath.Ext(name), ext) {
			name = "upload" + ext
		}
	} else {
		fh, err := c.FormFile("file")
		if err != nil {
			return fail(fiber.StatusUnprocessableEntity, "usage.err.no_file")
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		src, size, name = f, fh.Size, filepath.Base(fh.Filename)
	}
	rep, err := h.svc.Import(c.UserContext(), me, ImportRequest{Source: v.Source, FileName: name, Src: src, Size: size,
		MaxBytes: h.srv.MaxUploadBytes(), Commit: commit})
	var fe *FileError
	if errors.As(err, &fe) {
		return fail(fiber.StatusUnprocessableEntity, fe.MsgID, fe.Args...)
	}
	if err != nil {
		return err
	}
	if rep.Committed {
		h.srv.Flash(c, "ok", "usage.import.done")
		return web.Redirect(c, "/usage/import")
	}
	v.Report, v.FileName = rep, name
	if rep.OK() {
		v.Ext = strings.ToLower(filepath.Ext(name))
		if v.Token, err = h.staging.Put(me.ID, v.Ext, io.NewSectionReader(src, 0, size), h.srv.MaxUploadBytes()); err != nil {
			return err
		}
		return h.renderImport(c, fiber.StatusOK, v)
	}
	return h.renderImport(c, fiber.StatusUnprocessableEntity, v)
}
