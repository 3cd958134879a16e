package catalog

import (
	"testing"

	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// catalogViews maps every template under templates/catalog to example views.
// A template still rendered from a fiber.Map is NotYetTyped: parsed, not
// executed, until its page gets a typed view.
func catalogViews() map[string][]web.Example {
	return map[string][]web.Example{
		"catalog/form": web.NotYetTyped,
		"catalog/list": web.NotYetTyped,
		"catalog/show": web.NotYetTyped,
	}
}

// TestEveryCatalogTemplateRendersWithItsView renders every template under
// templates/catalog with its example views, strictly (see web.CheckViews).
func TestEveryCatalogTemplateRendersWithItsView(t *testing.T) {
	for _, err := range web.CheckViews(templates.FS, "catalog", catalogViews()) {
		t.Error(err)
	}
}
