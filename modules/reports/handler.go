package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv  *web.Server
	svc  *Service
	opts RouteOptions
}

// reportView is every report page: the filter form, the charts and the
// tables under them.
type reportView struct {
	web.Page
	Key    string
	Keys   []string
	Report *Report
	Filter Filter
	// Query is the filter as a query string, safe to put after "?".
	Query      template.URL
	Org        *Org
	Industries []string
	Grades     []string
	Periods    []string
	// Errors are the filter's field errors, translated.
	Errors map[string]string
	// Charts are the report's charts as JSON for the page's script.
	Charts []string
	Level  string
	// Groupable: the report offers the grouping by top-level group.
	Groupable bool
	// fieldErr is the filter's error as parsed (a 422 for downloads).
	fieldErr error
}

// Selected reports whether id is the chosen value v (for <option>).
func (v *reportView) Selected(id, chosen uint) bool { return id == chosen }

// The filter's branch, team and account-manager options, written here
// rather than by a range in the template: the admin's are the province's
// ~600 account managers, and the range's four reflective actions per
// option were most of a kept report's time (~5 of its 7 ms; renders run
// one or two at a time, so at 32 users the admin's report pages were
// served ~140 a second).
func (v *reportView) BranchOptions() template.HTML {
	return web.ChoiceOptions(v.Org.Branches, namedID, namedName, v.Filter.Branch)
}

// TeamOptions: see BranchOptions.
func (v *reportView) TeamOptions() template.HTML {
	return web.ChoiceOptions(v.Org.Teams, namedID, namedName, v.Filter.Team)
}

// PeopleOptions: see BranchOptions.
func (v *reportView) PeopleOptions() template.HTML {
	return web.ChoiceOptions(v.Org.People, func(p *Person) uint { return p.ID }, func(p *Person) string { return p.Name }, v.Filter.AM)
}

func namedID(n *Named) uint     { return n.ID }
func namedName(n *Named) string { return n.Name }

func (h *handler) index(c *fiber.Ctx) error {
	v := &reportView{Keys: Keys}
	v.Title = h.srv.I18n.T(web.Lang(c), "reports.title")
	return h.srv.View(c, "reports/index", v)
}

func (h *handler) filterView(c *fiber.Ctx, key string) (*reportView, error) {
	me := web.MustSubject(c)
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	lang := web.Lang(c)
	org, err := h.svc.Org(c.UserContext(), me)
	if err != nil {
		return nil, err
	}
	v := &reportView{Key: key, Keys: Keys, Org: org, Industries: h.svc.opts.Industries, Grades: grades,
		Periods: []string{PeriodMonth, PeriodQuarter, PeriodYear, PeriodCustom}, Level: h.svc.scope(me).Level(), Groupable: Groupable(key)}
	v.Title = h.srv.I18n.T(lang, "reports."+key+".title")
	f, err := h.svc.ParseFilter(q)
	v.Filter = f
	if err != nil {
		fields, ok := apperr.AsFields(err)
		if !ok {
			return nil, err
		}
		v.fieldErr = err
		v.Errors = map[string]string{}
		for k, id := range fields {
			v.Errors[k] = h.srv.I18n.T(lang, id)
		}
		return v, nil
	}
	v.Query = template.URL(f.QueryString())
	return v, nil
}

func (h *handler) page(key string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := h.filterView(c, key)
		if err != nil {
			return err
		}
		if v.Errors != nil {
			return h.srv.ViewStatus(c, fiber.StatusUnprocessableEntity, "reports/report", v)
		}
		lang := web.Lang(c)
		r, err := h.svc.Kept(c.UserContext(), web.MustSubject(c), key, v.Filter, lang, h.srv.I18n.For(lang).T)
		if err != nil {
			return err
		}
		v.Report = r
		for _, ch := range r.Charts {
			b, err := json.Marshal(ch)
			if err != nil {
				return err
			}
			v.Charts = append(v.Charts, string(b))
		}
		return h.srv.View(c, "reports/report", v)
	}
}

// filterLines are the filters as written above an exported table.
func (h *handler) filterLines(c *fiber.Ctx, v *reportView) []FilterLine {
	t := h.srv.I18n.For(web.Lang(c)).T
	me := web.MustSubject(c)
	all := t("reports.all")
	name := func(id uint, list []Named) string {
		if id == 0 {
			return all
		}
		for _, n := range list {
			if n.ID == id {
				return n.Name
			}
		}
		return "#" + strconv.FormatUint(uint64(id), 10)
	}
	am := all
	if v.Filter.AM != 0 {
		am = "#" + strconv.FormatUint(uint64(v.Filter.AM), 10)
		for _, p := range v.Org.People {
			if p.ID == v.Filter.AM {
				am = p.Name
			}
		}
	}
	ind, grade := all, all
	if v.Filter.Industry != "" {
		ind = t("industry." + v.Filter.Industry)
	}
	if v.Filter.Grade != "" {
		grade = t("grade." + v.Filter.Grade)
	}
	period := t("reports.period."+v.Filter.Period) + " " + v.Filter.From.Format("2006-01-02") + " – " + v.Filter.To.AddDate(0, 0, -1).Format("2006-01-02")
	lines := []FilterLine{
		{t("reports.f.viewer"), me.Name + " · " + t("role."+me.Role)},
		{t("reports.f.branch"), name(v.Filter.Branch, v.Org.Branches)},
		{t("reports.f.team"), name(v.Filter.Team, v.Org.Teams)},
		{t("reports.f.am"), am},
		{t("reports.f.industry"), ind},
		{t("reports.f.grade"), grade},
		{t("reports.f.period"), period},
	}
	if v.Filter.By == GroupTopGroup && Groupable(v.Key) {
		lines = append(lines, FilterLine{t("reports.f.group_by"), t("reports.group.top_group")})
	}
	return lines
}

func (h *handler) export(key, format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := h.filterView(c, key)
		if err != nil {
			return err
		}
		if v.Errors != nil {
			return fmt.Errorf("report export: %w", v.fieldErr)
		}
		lang := web.Lang(c)
		r, err := h.svc.Kept(c.UserContext(), web.MustSubject(c), key, v.Filter, lang, h.srv.I18n.For(lang).T)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		ctype := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			err = WriteXLSX(&buf, r, h.filterLines(c, v))
		} else {
			err = WriteCSV(&buf, r, h.filterLines(c, v))
		}
		if err != nil {
			return err
		}
		name := fmt.Sprintf("report-%s-%s.%s", key, v.Filter.From.Format("2006-01-02"), format)
		c.Set(fiber.HeaderContentType, ctype)
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(buf.Bytes())
	}
}

// pack is the printable monthly management pack (PDF) for the filter.
func (h *handler) pack(c *fiber.Ctx) error {
	v, err := h.filterView(c, KeyFunnel)
	if err != nil {
		return err
	}
	if v.Errors != nil {
		return fmt.Errorf("report pack: %w", v.fieldErr)
	}
	lang := web.Lang(c)
	b, err := h.svc.Pack(c.UserContext(), web.MustSubject(c), v.Filter, h.opts.Fonts, h.opts.Letterhead, lang, h.filterLines(c, v), h.srv.I18n.For(lang).T)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("report-pack-%s.pdf", v.Filter.From.Format("2006-01"))
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(b)
}

// tmplEscaper escapes as html/template does in element content and
// quoted attributes (it also writes '+' as &#43;), so that the part of
// the page HeadHTML writes is the bytes the template wrote.
var tmplEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// HeadHTML is the report page above the report: the title and downloads,
// the reports' tabs and the filter form with its errors, written here
// rather than by the template (~60 actions, most through reflection: about
// half of a kept report's CPU, inside the one render slot; issue 19). The
// markup is the template's, byte for byte; every text is escaped.
func (v *reportView) HeadHTML() (template.HTML, error) {
	esc, t := tmplEscaper.Replace, v.L.T
	var org Org
	if v.Org != nil {
		org = *v.Org
	}
	query := esc(string(v.Query))
	var b web.Markup
	b.Grow(4096 + 48*(len(org.Branches)+len(org.Teams)+len(org.People)))
	b.W(`<div class="page-header"><h1>`, esc(t("reports."+v.Key+".title")), "</h1>\n  <div class=\"actions\">\n    ")
	if v.Report != nil {
		b.W(`<a class="btn" id="export-xlsx" href="/reports/`, esc(v.Key), `/export.xlsx?`, query, `">`, esc(t("reports.export_xlsx")), "</a>\n    ",
			`<a class="btn" id="export-csv" href="/reports/`, esc(v.Key), `/export.csv?`, query, `">`, esc(t("reports.export_csv")), "</a>\n    ",
			`<a class="btn" id="export-pack" href="/reports/pack.pdf?`, query, `">`, esc(t("reports.pack.link")), "</a>")
	}
	b.W("\n  </div>\n</div>\n<nav class=\"tabs\" aria-label=\"", esc(t("reports.title")), "\">\n  ")
	for _, k := range v.Keys {
		b.W(`<a href="/reports/`, esc(k))
		if query != "" {
			b.W("?", query)
		}
		b.W(`"`)
		if k == v.Key {
			b.W(` class="active" aria-current="page"`)
		}
		b.W(">", esc(t("reports."+k+".short")), "</a>")
	}
	b.W("\n</nav>\n<form method=\"get\" action=\"/reports/", esc(v.Key), `" class="toolbar" id="report-filter" role="search" aria-label="`, esc(t("reports.filter")), "\">\n  ")
	all := esc(t("reports.all"))
	choice := func(show bool, label, name string, options template.HTML) {
		if show {
			b.W("<label>", esc(t(label)), "\n  <select name=\"", name, `"><option value="">`, all, "</option>\n    ", string(options), "\n  </select></label>")
		}
		b.W("\n  ")
	}
	choice(len(org.Branches) > 1, "reports.f.branch", "branch", v.BranchOptions())
	choice(len(org.Teams) > 1, "reports.f.team", "team", v.TeamOptions())
	choice(len(org.People) > 1, "reports.f.am", "am", v.PeopleOptions())
	for _, c := range []struct {
		label, name, prefix string
		codes               []string
		selected            string
	}{{"reports.f.industry", "industry", "industry.", v.Industries, v.Filter.Industry}, {"reports.f.grade", "grade", "grade.", v.Grades, v.Filter.Grade}} {
		opts, err := v.Options(c.prefix, c.codes, c.selected)
		if err != nil {
			return "", err
		}
		b.W("<label>", esc(t(c.label)), "\n  <select name=\"", c.name, `"><option value="">`, all, "</option>\n    ", string(opts), "\n  </select></label>\n  ")
	}
	if v.Groupable {
		b.W("<label>", esc(t("reports.f.group_by")), "\n  ", `<select name="by" id="report-group-by"><option value="">`, esc(t("reports.group.off")),
			`</option><option value="top_group"`)
		if v.Filter.By == "top_group" {
			b.W(" selected")
		}
		b.W(">", esc(t("reports.group.top_group")), "</option></select></label>")
	}
	periods, err := v.Options("reports.period.", v.Periods, v.Filter.Period)
	if err != nil {
		return "", err
	}
	invalid := func(field string) string {
		if v.Errors[field] != "" {
			return ` aria-invalid="true"`
		}
		return ""
	}
	from, to := "", ""
	if v.Filter.Period == "custom" {
		from, to = v.Filter.From.Format("2006-01-02"), v.Filter.To.AddDate(0, 0, -1).Format("2006-01-02")
	}
	b.W("\n  <label>", esc(t("reports.f.period")), "\n  <select name=\"period\">", string(periods), "</select></label>\n  ",
		"<label>", esc(t("reports.f.at")), ` <input name="at" value="`, esc(v.Filter.Anchor), `" placeholder="2026-03 · 2026-Q1 · 2026" size="9"`, invalid("at"), "></label>\n  ",
		"<label>", esc(t("reports.f.from")), ` <input type="date" name="from" value="`, from, `"`, invalid("from"), "></label>\n  ",
		"<label>", esc(t("reports.f.to")), ` <input type="date" name="to" value="`, to, `"`, invalid("to"), "></label>\n  ",
		`<label class="checkbox"><input type="checkbox" name="compare" value="1"`)
	if v.Filter.Compare {
		b.W(" checked")
	}
	b.W("> ", esc(t("reports.f.compare")), "</label>\n  ",
		`<button type="submit" class="btn btn-primary">`, esc(t("reports.apply")), "</button>\n  ",
		`<a class="btn btn-link" href="/reports/`, esc(v.Key), `">`, esc(t("reports.reset")), "</a>\n</form>\n")
	if len(v.Errors) > 0 {
		b.W(`<div class="alert alert-error" role="alert" id="filter-errors">`)
		for _, k := range slices.Sorted(maps.Keys(v.Errors)) {
			b.W("<p>", esc(v.Errors[k]), "</p>")
		}
		b.W("</div>")
	}
	return b.HTML(), nil
}
