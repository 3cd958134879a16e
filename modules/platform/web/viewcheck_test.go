package web

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/templates"
)

// TestCheckViewsRefusesAnEntryWithoutExamples: a registry entry with no
// example (what web.NotYetTyped was: a template only parsed, never
// executed) is an error, so no template can be left untyped.
func TestCheckViewsRefusesAnEntryWithoutExamples(t *testing.T) {
	reg := webViews(exampleBundle(t))["partials"]
	reg["partials/lang"] = nil
	errs := CheckViews(templates.FS, "partials", reg)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "partials/lang has no example view") {
		t.Fatalf("an entry without examples passed: %v", errs)
	}
}
