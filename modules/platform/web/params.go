package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
)

// ParamID reads a positive id from the route parameter name. Anything
// else is ErrNotFound: a malformed id names no record. Ids stop at the
// largest BIGINT (2^63-1): a larger one would make PostgreSQL refuse the
// query, a server error instead of a 404.
func ParamID(c *fiber.Ctx, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Params(name), 10, 63)
	if err != nil || n == 0 {
		return 0, apperr.ErrNotFound
	}
	return uint(n), nil
}

// QueryID reads an optional id from the query string: 0 when absent,
// malformed, negative or beyond the largest BIGINT (like ParamID), so a
// filter such as ?owner=-1 filters on nothing instead of sending
// 18446744073709551615 to the database (a server error on PostgreSQL).
func QueryID(c *fiber.Ctx, key string) uint {
	n, err := strconv.ParseUint(strings.TrimSpace(c.Query(key)), 10, 63)
	if err != nil {
		return 0
	}
	return uint(n)
}

// FormUint reads an optional id from a form field (0 when empty, bad or
// beyond the largest BIGINT, like ParamID).
func FormUint(c *fiber.Ctx, key string) uint {
	n, err := strconv.ParseUint(strings.TrimSpace(c.FormValue(key)), 10, 63)
	if err != nil {
		return 0
	}
	return uint(n)
}

// FormInt reads an optional integer (e.g. a record version) from a form.
func FormInt(c *fiber.Ctx, key string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(c.FormValue(key)))
	return n
}
