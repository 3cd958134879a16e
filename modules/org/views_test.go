package org

import (
	"testing"

	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// orgViews maps every template under templates/org to example views.
// A template still rendered from a fiber.Map is NotYetTyped: parsed, not
// executed, until its page gets a typed view.
func orgViews() map[string][]web.Example {
	return map[string][]web.Example{
		"org/audit":       web.NotYetTyped,
		"org/branch_form": web.NotYetTyped,
		"org/branches":    web.NotYetTyped,
		"org/login":       web.NotYetTyped,
		"org/panel_admin": web.NotYetTyped,
		"org/panel_me":    web.NotYetTyped,
		"org/panel_team":  web.NotYetTyped,
		"org/password":    web.NotYetTyped,
		"org/team_form":   web.NotYetTyped,
		"org/teams":       web.NotYetTyped,
		"org/user_form":   web.NotYetTyped,
		"org/users":       web.NotYetTyped,
	}
}

// TestEveryOrgTemplateRendersWithItsView renders every template under
// templates/org with its example views, strictly (see web.CheckViews).
func TestEveryOrgTemplateRendersWithItsView(t *testing.T) {
	for _, err := range web.CheckViews(templates.FS, "org", orgViews()) {
		t.Error(err)
	}
}
