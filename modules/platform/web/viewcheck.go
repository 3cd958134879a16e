package web

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// Example builds a populated example of the view a template is rendered
// with, for the template test: non-zero values, so that every {{if}} and
// {{with}} shows its body and every field it names is read.
type Example func() any

// StrictTemplates parses every template of fsys as the server names them
// (the path without ".html"), with the server's funcs, but strictly: a
// missing map key is an error (missingkey=error), as a missing struct
// field always is.
func StrictTemplates(fsys fs.FS, loc *time.Location) (*template.Template, error) {
	root := template.New("").Option("missingkey=error").Funcs(funcMap(loc)).
		Funcs(template.FuncMap{"dict": strictDict})
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if _, err := root.New(strings.TrimSuffix(p, ".html")).Parse(string(b)); err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		return nil
	})
	return root, err
}

// CheckViews executes every template under dir (e.g. "prospects") with
// each of its examples, and returns one error per problem: a template
// without an entry in examples or with an entry without examples, an
// entry without a template, an example
// the template fails on (a misspelt field, a missing key, a method that
// does not exist). A view that embeds Page is also executed inside the
// base layout.
func CheckViews(fsys fs.FS, dir string, examples map[string][]Example) []error {
	set, err := StrictTemplates(fsys, time.UTC)
	if err != nil {
		return []error{err}
	}
	var errs []error
	found := map[string]bool{}
	files, err := fs.Glob(fsys, dir+"/*.html")
	if err != nil {
		return []error{err}
	}
	for _, f := range files {
		name := strings.TrimSuffix(f, ".html")
		found[name] = true
		exs, ok := examples[name]
		if !ok {
			errs = append(errs, fmt.Errorf("template %s has no entry in the view registry", name))
			continue
		}
		// Every template is typed: an entry without an example would
		// only be parsed, which is the escape hatch this check closed.
		if len(exs) == 0 {
			errs = append(errs, fmt.Errorf("template %s has no example view in the registry", name))
			continue
		}
		for i, ex := range exs {
			if err := RenderExample(set, name, ex()); err != nil {
				errs = append(errs, fmt.Errorf("template %s, example %d: %w", name, i, err))
			}
		}
	}
	names := make([]string, 0, len(examples))
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !found[n] {
			errs = append(errs, fmt.Errorf("view registry names %s, which is not a template under %s/", n, dir))
		}
	}
	return errs
}

// RenderExample executes the template name of set with view v (and the
// base layout, when v embeds Page).
func RenderExample(set *template.Template, name string, v any) error {
	t := set.Lookup(name)
	if t == nil {
		return fmt.Errorf("no template %s", name)
	}
	if err := t.Execute(io.Discard, v); err != nil {
		return err
	}
	if _, page := v.(Viewer); page {
		p, err := layoutPage(v)
		if err != nil {
			return err
		}
		return writeLayout(io.Discard, layoutBase, p, nil)
	}
	return nil
}

// ExamplePage is a populated Page for example views: a signed-in user,
// a flash message, a navigation entry, a bell count and a translator
// over the real catalogues.
func ExamplePage(b *i18n.Bundle) Page {
	return Page{
		L: b.For(i18n.ZH), Lang: i18n.ZH, Langs: i18n.Langs,
		Me:   &authz.Subject{ID: 1, Username: "example", Name: "示例", Role: "director", TeamID: 1, BranchID: 1, Lang: i18n.ZH},
		CSRF: "token", Path: "/example", AssetVer: "v", Year: 2026,
		Can:   func(string, string) bool { return true },
		Nav:   []navLink{{Label: "nav.customers", Href: "/customers", Active: true}},
		Flash: "ok", FlashKind: "ok", Title: "示例", Unread: 3,
	}
}

// ExamplePanel is the data a home panel's template gets (see HomePanel):
// the keys of ExamplePage as a map, and the panel's own.
func ExamplePanel(b *i18n.Bundle, own map[string]any) map[string]any {
	m := ExamplePage(b).asMap()
	for k, v := range own {
		m[k] = v
	}
	return m
}

// optionalDictKeys are the keys partials read that a caller may leave out
// (partials/field's Value, E, Type, Max, Req, Ph, Mode and Help;
// audit_table's Targets). At run time an absent key reads as empty; under
// missingkey=error the strict dict puts them in as nil, so that only a
// misspelt or forgotten required key fails.
var optionalDictKeys = []string{"Value", "E", "Type", "Max", "Req", "Ph", "Mode", "Help", "Targets"}

func strictDict(kv ...any) map[string]any {
	m := funcMap(time.UTC)["dict"].(func(...any) map[string]any)(kv...)
	for _, k := range optionalDictKeys {
		if _, ok := m[k]; !ok {
			m[k] = nil
		}
	}
	return m
}
