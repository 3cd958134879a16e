package proposals

import (
	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/prospects"
)

// newPick starts a new proposal from the proposals list: the customer
// picker, which leads to the customer's proposal builder.
func (h *handler) newPick(c *fiber.Ctx) error {
	return prospects.PickCustomerPage(h.srv, h.svc.prospects, c, "proposals.new", "/proposals/new", "/customers/{id}/proposals/new")
}
