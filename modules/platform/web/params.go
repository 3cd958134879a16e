package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
)

// ParamID reads a positive id from the route parameter name. Anything
// else is ErrNotFound: a malformed id names no record.
func ParamID(c *fiber.Ctx, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Params(name), 10, 64)
	if err != nil || n == 0 {
		return 0, apperr.ErrNotFound
	}
	return uint(n), nil
}

// FormUint reads an optional id from a form field (0 when empty or bad).
func FormUint(c *fiber.Ctx, key string) uint {
	n, _ := strconv.ParseUint(strings.TrimSpace(c.FormValue(key)), 10, 64)
	return uint(n)
}

// FormInt reads an optional integer (e.g. a record version) from a form.
func FormInt(c *fiber.Ctx, key string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(key)))
	return n
}
