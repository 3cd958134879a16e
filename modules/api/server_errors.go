package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"
)

// serverError answers as a problem an error of an API request that
// reached the server's error handler instead of the API's middleware
// (web.Server.HandleErrorsUnder): one found while reading the request,
// before any middleware ran — above all a body over the server's limit
// (fiber's BodyLimit, refused by fasthttp on the announced length or
// while reading a chunked body) — or a panic the recovery turned into a
// 500. Without it such a request got the portal's HTML error page.
func (a *API) serverError(c *fiber.Ctx, err error) error {
	if _, ok := c.Locals(localLang).(string); !ok {
		// No middleware ran: the language is the request's own.
		c.Locals(localLang, a.srv.I18n.Match(c.Get(fiber.HeaderAcceptLanguage)))
		c.Set(fiber.HeaderContentLanguage, langOf(c))
		c.Set(fiber.HeaderVary, "Accept-Language, Authorization")
	}
	var fe *fiber.Error
	if errors.As(err, &fe) && fe.Code == fiber.StatusRequestEntityTooLarge {
		err = &codeError{status: fe.Code, code: "too_large", detail: "api.problem.body_limit.detail",
			args: []any{"MB", a.srv.App.Config().BodyLimit >> 20}}
	}
	return a.problem(c, err)
}
