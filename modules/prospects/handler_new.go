package prospects

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
)

// pickTarget keeps a picker target only when it is a local path with an
// "{id}" to fill in; anything else leads to the customer page.
func pickTarget(next string) string {
	t := web.SafeNext(next, "")
	if t == "" || !strings.Contains(t, "{id}") {
		return "/customers/{id}"
	}
	return t
}

// customerPick is the customer picker's search (GET /customers/pick?q=…
// &next=…). htmx gets the list of matches to swap in as one types; a plain
// request gets a page with the search form and the matches.
func (h *handler) customerPick(c *fiber.Ctx) error {
	target := pickTarget(c.Query("next"))
	if c.Get("HX-Request") == "true" {
		p, err := h.svc.NewPicker(c.UserContext(), web.MustSubject(c), c.Query("q"), "/customers/pick", target)
		if err != nil {
			return err
		}
		return h.srv.ViewFragment(c, "partials/customer_matches", &pickMatchesView{P: p})
	}
	return PickCustomerPage(h.srv, h.svc, c, "picker.title", "/customers/pick", target)
}

// PickCustomerPage renders the first step of a "new" action started
// without a customer (plan a visit, new opportunity, record a need, new
// proposal): the customer picker. title is the page's i18n id, action the
// page itself (it reads ?q= and lists the matches, so it works without
// JavaScript) and target where a chosen customer leads ("{id}" is
// replaced). The form that follows posts the customer id, and its service
// checks the customer again.
func PickCustomerPage(srv *web.Server, svc *Service, c *fiber.Ctx, title, action, target string) error {
	p, err := svc.NewPicker(c.UserContext(), web.MustSubject(c), c.Query("q"), action, target)
	if err != nil {
		return err
	}
	if action == "/customers/pick" {
		// Other pages know their target; the picker's own page is told.
		p.Next = target
	}
	v := &pickView{Heading: title, Picker: p}
	v.Title = srv.I18n.T(web.Lang(c), title)
	return srv.View(c, "prospects/pick_customer", v)
}
