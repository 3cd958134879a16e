package needs

import (
	"testing"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// needsViews maps every template under templates/needs to example views.
// A template still rendered from a fiber.Map is NotYetTyped: parsed, not
// executed, until its page gets a typed view.
func needsViews(b *i18n.Bundle) map[string][]web.Example {
	return map[string][]web.Example{
		"needs/analysis":       web.NotYetTyped,
		"needs/customer_needs": web.NotYetTyped,
		"needs/list":           web.NotYetTyped,
		"needs/need_fields":    web.NotYetTyped,
		"needs/need_form":      web.NotYetTyped,
		"needs/panel_expiring": web.NotYetTyped,
		"needs/status_actions": {func() any {
			// An open need moves to addressed (the primary button) or
			// closed (which asks first).
			return map[string]any{"N": Need{ID: 4, Status: StatusOpen, Version: 2}, "L": b.For(i18n.ZH), "CSRF": "token", "Next": "/needs"}
		}},
	}
}

// TestEveryNeedsTemplateRendersWithItsView renders every template under
// templates/needs with its example views, strictly (see web.CheckViews).
func TestEveryNeedsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "needs", needsViews(b)) {
		t.Error(err)
	}
}
