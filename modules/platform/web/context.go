package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// Keys under which request-scoped values live in fiber's Locals.
const (
	localSubject = "jike.subject"
	localCSRF    = "jike.csrf"
	localLang    = "jike.lang"
	localPager   = "jike.pager"
)

// SetSubject records the signed-in user for this request.
func SetSubject(c *fiber.Ctx, s *authz.Subject) { c.Locals(localSubject, s) }

// Subject returns the signed-in user, or nil for an anonymous request.
func Subject(c *fiber.Ctx) *authz.Subject {
	s, _ := c.Locals(localSubject).(*authz.Subject)
	return s
}

// MustSubject returns the signed-in user of a route guarded by LoggedIn or
// Allow; the guard guarantees there is one.
func MustSubject(c *fiber.Ctx) authz.Subject {
	if s := Subject(c); s != nil {
		return *s
	}
	return authz.Subject{}
}

// SetSessionCSRF records the CSRF token bound to the current session.
func SetSessionCSRF(c *fiber.Ctx, token string) { c.Locals(localCSRF, token) }

// CSRFToken is the token forms of this request must send back.
func CSRFToken(c *fiber.Ctx) string {
	s, _ := c.Locals(localCSRF).(string)
	return s
}

// Lang is the language chosen for this request.
func Lang(c *fiber.Ctx) string {
	if s, ok := c.Locals(localLang).(string); ok && s != "" {
		return s
	}
	return "zh-CN"
}
