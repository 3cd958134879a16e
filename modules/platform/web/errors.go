package web

import (
	"errors"
	"net/url"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
)

// errCSRF is returned when a form or htmx request lacks a valid token.
var errCSRF = errors.New("csrf token missing or invalid")

func mapStatus(err error) int {
	var fe *fiber.Error
	switch {
	case errors.Is(err, apperr.ErrUnauthenticated):
		return fiber.StatusUnauthorized
	case errors.Is(err, apperr.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, apperr.ErrForbidden), errors.Is(err, errCSRF):
		return fiber.StatusForbidden
	case errors.Is(err, apperr.ErrConflict):
		return fiber.StatusConflict
	case errors.As(err, &fe):
		return fe.Code
	}
	if _, ok := apperr.AsFields(err); ok {
		return fiber.StatusUnprocessableEntity
	}
	return fiber.StatusInternalServerError
}

// handleError is the single place where errors become responses: HTML
// pages in the user's language, JSON for API clients, a redirect to the
// sign-in page for anonymous requests. A 500 is logged with the request id
// and shows no internals in production.
//
// Errors found while reading the request (a body over the limit, headers
// too large) reach it from fiber's server without any middleware having
// run, so it sets the security headers and picks the language itself.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	s.setSecurityHeaders(c)
	// An error response is never cached, even from a handler that had
	// opted into caching before it failed.
	c.Set(fiber.HeaderCacheControl, "no-store")
	if _, ok := c.Locals(localLang).(string); !ok {
		c.Locals(localLang, s.visitorLang(c))
	}
	status := mapStatus(err)
	if status == fiber.StatusUnauthorized {
		next := c.OriginalURL()
		if c.Method() != fiber.MethodGet {
			next = "/"
		}
		return Redirect(c, "/login?next="+url.QueryEscape(next))
	}
	if status >= 500 {
		s.Log.Error("request failed", "err", err, "route", routePattern(c), "path", logPath(c.Path()), "req", requestID(c))
	}
	msgID := "errors." + strconv.Itoa(status)
	if errors.Is(err, errCSRF) {
		msgID = "errors.csrf"
	}
	switch status {
	case 400, 401, 403, 404, 409, 413, 422, 429, 500, 503:
	default:
		if status >= 500 {
			msgID = "errors.500"
		} else {
			msgID = "errors.400"
		}
	}
	lang := Lang(c)
	message := s.I18n.T(lang, msgID)
	if status == fiber.StatusRequestEntityTooLarge {
		// Past the body limit: the largest file any route takes.
		message = s.I18n.T(lang, msgID, "MB", s.opts.MaxBodyBytes>>20)
	}
	if c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		body := fiber.Map{"error": message, "status": status}
		if f, ok := apperr.AsFields(err); ok {
			fields := fiber.Map{}
			for k, v := range f {
				fields[k] = s.I18n.T(lang, v)
			}
			body["fields"] = fields
		}
		return c.Status(status).JSON(body)
	}
	data := fiber.Map{
		"Status":  status,
		"Message": message,
		"Title":   s.I18n.T(lang, msgID+".title"),
	}
	if f, ok := apperr.AsFields(err); ok {
		var list []string
		for _, v := range f {
			list = append(list, s.I18n.T(lang, v))
		}
		sort.Strings(list)
		data["Details"] = list
	}
	// Every error page names the request, so a user can quote it.
	data["RequestID"] = requestID(c)
	if status >= 500 {
		if !s.opts.Production {
			data["Debug"] = err.Error()
		}
	}
	if rerr := s.RenderStatus(c, status, "errors/error", data); rerr != nil {
		s.Log.Error("render error page", "err", rerr, "original", err)
		return c.Status(status).Type("txt").SendString(strconv.Itoa(status) + " " + message)
	}
	return nil
}
