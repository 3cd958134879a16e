package api

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/web"
)

// tokensView is the settings page of one's own tokens (and, for an
// admin, everyone's at /admin/tokens).
type tokensView struct {
	web.Page
	Tokens []tokenRow
	// Secret is the token just created, shown this once.
	Secret     string
	SecretName string
	In         tokens.Input
	Errors     map[string]string
	Days       []int
	// Admin: the list of everyone's tokens (with their owners).
	Admin    bool
	CanAdmin bool
}

type tokenRow struct {
	tokens.Token
	Owner    string
	StateKey string
	Loc      *time.Location
}

// Expires and LastUsed are the times in the configured zone.
func (r tokenRow) Expires() string { return r.ExpiresAt.In(r.Loc).Format("2006-01-02 15:04") }
func (r tokenRow) Created() string { return r.CreatedAt.In(r.Loc).Format("2006-01-02 15:04") }
func (r tokenRow) LastUsed() string {
	if r.LastUsedAt == nil {
		return ""
	}
	return r.LastUsedAt.In(r.Loc).Format("2006-01-02 15:04")
}

// IsActive says the token still works (revoke button shown).
func (r tokenRow) IsActive() bool { return r.StateKey == "active" }

// StateTone is the badge colour of the state.
func (r tokenRow) StateTone() string {
	switch r.StateKey {
	case "active":
		return "ok"
	case "expired":
		return "muted"
	}
	return "danger"
}

// docsView is the API reference, rendered from the OpenAPI document.
type docsView struct {
	web.Page
	Groups  []docGroup
	Schemas []docSchema
	Codes   []docCode
	Rate    int
}

type docGroup struct {
	Tag    string
	Routes []docRoute
}

type docRoute struct {
	Method, Path, Summary, Perm string
	Query                       []Param
	Body, Result                string
	List, Update, Versioned     bool
	Status                      int
}

type docSchema struct {
	Name   string
	Fields []docField
}

type docField struct {
	Name, Type, Doc string
	Required        bool
}

type docCode struct {
	Code   string
	Status int
	Title  string
	Detail string
}

func (a *API) registerPages(spec *Document) {
	r := a.srv.Router()
	r.Get("/settings/tokens", web.LoggedIn(), a.tokensPage)
	r.Post("/settings/tokens", web.LoggedIn(), a.tokenCreate)
	r.Post("/settings/tokens/:id/revoke", web.LoggedIn(), a.tokenRevoke)
	r.Get("/admin/tokens", web.Allow("user", "manage"), a.adminTokens)
	r.Post("/admin/tokens/:id/revoke", web.Allow("user", "manage"), a.tokenRevoke)
	r.Get("/api/docs", web.LoggedIn(), func(c *fiber.Ctx) error { return a.docsPage(c, spec) })
}

func (a *API) rows(c *fiber.Ctx, list []tokens.Token) ([]tokenRow, error) {
	now := a.deps.Tokens.Now()
	ids := make([]uint, 0, len(list))
	for _, t := range list {
		ids = append(ids, t.UserID)
	}
	names, err := a.deps.Org.Store().UsersByIDs(c.UserContext(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]tokenRow, len(list))
	for i, t := range list {
		out[i] = tokenRow{Token: t, Owner: names[t.UserID].Name, StateKey: t.State(now), Loc: a.opts.Location}
	}
	return out, nil
}

func (a *API) renderTokens(c *fiber.Ctx, status int, v *tokensView) error {
	me := web.MustSubject(c)
	var list []tokens.Token
	var err error
	if v.Admin {
		list, err = a.deps.Tokens.All(c.UserContext(), me)
	} else {
		list, err = a.deps.Tokens.Mine(c.UserContext(), me)
	}
	if err != nil {
		return err
	}
	if v.Tokens, err = a.rows(c, list); err != nil {
		return err
	}
	v.Days = tokens.ExpiryDays
	v.CanAdmin = a.srv.Enforcer.CanRoute(me, "user", "manage")
	lang := web.Lang(c)
	if v.Admin {
		v.Title = a.srv.I18n.T(lang, "api.tokens.admin_title")
	} else {
		v.Title = a.srv.I18n.T(lang, "api.tokens.title")
	}
	if v.In.ExpiryDays == 0 {
		v.In.ExpiryDays = tokens.DefaultExpiryDays
	}
	return a.srv.ViewStatus(c, status, "api/tokens", v)
}

func (a *API) tokensPage(c *fiber.Ctx) error {
	return a.renderTokens(c, fiber.StatusOK, &tokensView{})
}

func (a *API) adminTokens(c *fiber.Ctx) error {
	return a.renderTokens(c, fiber.StatusOK, &tokensView{Admin: true})
}

func (a *API) tokenCreate(c *fiber.Ctx) error {
	days, _ := strconv.Atoi(c.FormValue("expiry_days"))
	in := tokens.Input{Name: c.FormValue("name"), ExpiryDays: days, ReadOnly: c.FormValue("read_only") == "1"}
	t, secret, err := a.deps.Tokens.Create(c.UserContext(), web.MustSubject(c), in)
	if msgs, status, ok := a.srv.FormErrors(c, err); ok {
		return a.renderTokens(c, status, &tokensView{In: in, Errors: msgs})
	}
	if err != nil {
		return err
	}
	// The secret is shown on this answer only (no redirect: it would have
	// to be carried somewhere to survive it).
	return a.renderTokens(c, fiber.StatusOK, &tokensView{Secret: secret, SecretName: t.Name})
}

func (a *API) tokenRevoke(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if err := a.deps.Tokens.Revoke(c.UserContext(), web.MustSubject(c), id); err != nil {
		return err
	}
	a.srv.Flash(c, "ok", "api.tokens.revoked")
	if strings.HasPrefix(c.Path(), "/admin/") {
		return web.Redirect(c, "/admin/tokens")
	}
	return web.Redirect(c, "/settings/tokens")
}

func (a *API) docsPage(c *fiber.Ctx, spec *Document) error {
	lang := web.Lang(c)
	v := &docsView{Rate: a.opts.Rate}
	v.Title = a.srv.I18n.T(lang, "api.docs.title")
	byTag := map[string]*docGroup{}
	var order []string
	for _, r := range a.routes {
		g := byTag[r.Op.Tag]
		if g == nil {
			g = &docGroup{Tag: r.Op.Tag}
			byTag[r.Op.Tag] = g
			order = append(order, r.Op.Tag)
		}
		d := docRoute{Method: r.Method, Path: Prefix + OpenAPIPath(r.Path), Summary: r.Op.Summary, Perm: r.Perm.String(),
			Query: r.Op.Query, List: r.Op.List, Update: r.Op.Update, Versioned: r.Op.Versioned, Status: r.Op.Status}
		if d.Status == 0 {
			d.Status = 200
		}
		if r.Op.Body != nil {
			d.Body = typeName(r.Op.Body)
		}
		if r.Op.Upload {
			d.Body = "text/csv | " + MIMEXLSX + " | multipart/form-data (file)"
		}
		if r.Op.Result != nil {
			d.Result = typeName(r.Op.Result)
		} else if r.Op.Media != "" {
			d.Result = r.Op.Media
		}
		g.Routes = append(g.Routes, d)
	}
	for _, t := range order {
		v.Groups = append(v.Groups, *byTag[t])
	}
	schemas, _ := spec.Components["schemas"].(map[string]*Schema)
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := schemas[n]
		ds := docSchema{Name: n}
		props := make([]string, 0, len(s.Properties))
		for p := range s.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			ps := s.Properties[p]
			ds.Fields = append(ds.Fields, docField{Name: p, Type: describeType(ps), Doc: ps.Description,
				Required: contains(s.Required, p)})
		}
		v.Schemas = append(v.Schemas, ds)
	}
	for _, pc := range Codes {
		v.Codes = append(v.Codes, docCode{Code: pc.Code, Status: pc.Status,
			Title: a.srv.I18n.T(lang, "api.problem."+pc.Code+".title"), Detail: a.srv.I18n.T(lang, "api.problem."+pc.Code+".detail")})
	}
	return a.srv.View(c, "api/docs", v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func typeName(v any) string {
	return schemaName(reflectType(v))
}

// describeType is a schema's type in a few words ("string (date-time)",
// "array of Contact", "integer | null", "one of: a, b").
func describeType(s *Schema) string {
	if s.Ref != "" {
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	if len(s.OneOf) > 0 {
		parts := make([]string, len(s.OneOf))
		for i, o := range s.OneOf {
			parts[i] = describeType(o)
		}
		return strings.Join(parts, " | ")
	}
	var t string
	switch x := s.Type.(type) {
	case string:
		t = x
	case []string:
		t = strings.Join(x, " | ")
	}
	if s.Items != nil {
		t += " of " + describeType(s.Items)
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		vals := make([]string, 0, len(s.Enum))
		for _, e := range s.Enum {
			if e != nil {
				vals = append(vals, e.(string))
			}
		}
		t += ": " + strings.Join(vals, ", ")
	}
	return t
}
