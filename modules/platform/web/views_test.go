package web

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/templates"
)

// exampleBundle loads the real catalogues once per test.
func exampleBundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withPage is the page data of a fiber.Map page (errors, home) plus its own keys.
func withPage(b *i18n.Bundle, kv fiber.Map) fiber.Map {
	m := ExamplePage(b).asMap()
	for k, v := range kv {
		m[k] = v
	}
	return m
}

// webViews are the shell's templates: partials, the error page and the
// home page (the layouts are written in Go: layout.go).
func webViews(b *i18n.Bundle) map[string]map[string][]Example {
	l := b.For(i18n.ZH)
	val := audit.Value{Text: "值", Link: "/x", Short: "值…", Muted: true}
	hv := &audit.View{Targets: true, Rows: []audit.Row{{At: "2026-01-02 10:00", Actor: val, Target: val, Entity: "客户", Action: "修改",
		Changes: []audit.FieldView{{Label: "名称", From: val, To: val}}}}}
	page := func() any { p := ExamplePage(b); return &p }
	return map[string]map[string][]Example{
		"partials": {
			"partials/audit_raw": {func() any {
				return map[string]any{"L": l, "V": hv, "Entries": []audit.Entry{{Entity: "customer", EntityID: 1, Action: "update",
					Changes: `{"name":{"from":"a","to":"b"}}`}}}
			}},
			"partials/audit_table": {func() any { return map[string]any{"L": l, "V": hv, "Targets": true} }},
			"partials/customer_matches": {func() any {
				return map[string]any{"L": l, "P": pickerExample{Q: "q", More: true, Matches: []pickerMatch{{ID: 1, Name: "n", Grade: "A", Region: "r", Href: "/h"}}}}
			}},
			"partials/customer_picker": {func() any {
				return map[string]any{"L": l, "P": pickerExample{Q: "q", Next: "/n", Action: "/a", SearchURL: "/s"}}
			}},
			"partials/field": {func() any {
				return map[string]any{"F": "f", "Label": "l", "Value": "v", "Type": "date", "Max": 3, "Req": true, "Ph": "p", "Mode": "numeric", "Help": "h",
					"E": map[string]string{"f": "bad"}}
			}},
			"partials/field_error":   {func() any { return map[string]any{"E": map[string]string{"f": "bad"}, "F": "f"} }},
			"partials/history_value": {func() any { return map[string]any{"L": l, "V": val} }},
			"partials/lang":          {page},
		},
		"errors": {
			"errors/error": {func() any {
				return withPage(b, fiber.Map{"Status": 500, "Title": "t", "Message": "m", "Details": []string{"d"}, "RequestID": "r", "Debug": "x"})
			}},
		},
		"home": {
			"home/index": {func() any { return withPage(b, fiber.Map{"Panels": []string{"<p>p</p>"}}) }},
		},
	}
}

// pickerExample and pickerMatch have the fields of prospects.Picker,
// which web cannot import; prospects' own test renders the real type.
type pickerExample struct {
	Q, Next, Action, SearchURL string
	More                       bool
	Matches                    []pickerMatch
}

type pickerMatch struct {
	ID                        uint
	Name, Grade, Region, Href string
}

// TestEveryShellTemplateRendersWithItsView renders the shell's templates
// with their example views, strictly.
func TestEveryShellTemplateRendersWithItsView(t *testing.T) {
	reg := webViews(exampleBundle(t))
	var errs []error
	errs = append(errs, CheckViews(templates.FS, "partials", reg["partials"])...)
	errs = append(errs, CheckViews(templates.FS, "errors", reg["errors"])...)
	errs = append(errs, CheckViews(templates.FS, "home", reg["home"])...)
	for _, err := range errs {
		t.Error(err)
	}
}

// TestCheckViewsCatchesMistakes proves the check can fail: a view of the
// wrong type (a misspelt field), a map without a key the template reads,
// a template without an entry and an entry without a template.
func TestCheckViewsCatchesMistakes(t *testing.T) {
	b := exampleBundle(t)
	set, err := StrictTemplates(templates.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	type misspelt struct {
		Page
		Statuss int // errors/error reads .Status
	}
	v := &misspelt{Page: ExamplePage(b)}
	if err := RenderExample(set, "errors/error", v); err == nil || !strings.Contains(err.Error(), "Status") {
		t.Errorf("a view without the field the template reads rendered: %v", err)
	}
	m := withPage(b, fiber.Map{"Title": "t", "Message": "m"}) // no "Status"
	if err := RenderExample(set, "errors/error", m); err == nil || !strings.Contains(err.Error(), "Status") {
		t.Errorf("a map without a key the template reads rendered: %v", err)
	}
	errs := CheckViews(templates.FS, "partials", map[string][]Example{"partials/nonesuch": nil})
	var missing, stray bool
	for _, e := range errs {
		missing = missing || strings.Contains(e.Error(), "partials/lang has no entry")
		stray = stray || strings.Contains(e.Error(), "partials/nonesuch")
	}
	if !missing || !stray {
		t.Errorf("registry gaps not reported: %v", errs)
	}
}

// viewRegistries names, for every directory of templates/, the test file
// (from this package's directory) whose registry renders its templates
// with their views through CheckViews. A new directory needs a line here
// and a registry there; a new template needs an entry in its registry.
var viewRegistries = map[string]string{
	"partials":  "views_test.go",
	"errors":    "views_test.go",
	"home":      "views_test.go",
	"aftersale": "../../aftersale/views_test.go",
	"api":       "../../api/views_test.go",
	"catalog":   "../../catalog/views_test.go",
	"contracts": "../../contracts/views_test.go",
	"jobs":      "../jobs/views_test.go",
	"needs":     "../../needs/views_test.go",
	"notify":    "../notify/views_test.go",
	"org":       "../../org/views_test.go",
	"pool":      "../../pool/views_test.go",
	"prospects": "../../prospects/views_test.go",
	"proposals": "../../proposals/views_test.go",
	"reports":   "../../reports/views_test.go",
	"retention": "../../retention/views_test.go",
	"targets":   "../../targets/views_test.go",
	"todos":     "../../todos/views_test.go",
	"usage":     "../../usage/views_test.go",
	"visits":    "../../visits/views_test.go",
}

// TestEveryTemplateDirectoryHasAViewRegistry walks templates/: each
// directory must be covered by a registry test that checks it.
func TestEveryTemplateDirectoryHasAViewRegistry(t *testing.T) {
	entries, err := fs.ReadDir(templates.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	dirs := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dirs++
		file, ok := viewRegistries[e.Name()]
		if !ok {
			t.Errorf("templates/%s/ has no view registry (add it to viewRegistries and write one)", e.Name())
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("templates/%s/: %v", e.Name(), err)
			continue
		}
		if !strings.Contains(string(b), `CheckViews(templates.FS, "`+e.Name()+`"`) {
			t.Errorf("%s does not check templates/%s/ with CheckViews", file, e.Name())
		}
	}
	if dirs != len(viewRegistries) {
		t.Errorf("templates/ has %d directories, viewRegistries names %d", dirs, len(viewRegistries))
	}
}
