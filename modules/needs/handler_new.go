package needs

import (
	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/prospects"
)

// needNew starts "record a need" without a customer (from the needs list):
// the customer picker, which leads to the customer's need form.
func (h *handler) needNew(c *fiber.Ctx) error {
	return prospects.PickCustomerPage(h.srv, h.svc.prospects, c, "needs.new", "/needs/new", "/customers/{id}/needs#new-need")
}
