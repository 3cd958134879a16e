package web

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"weak"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/valyala/fasthttp"
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
	path := c.Path()
	if rs, ok := s.forgetRead(&c.Request().Header); ok {
		// fasthttp reset the request whose chunked body it could not
		// read: put back what the prefix's handler needs.
		path = rs.path
		for k, v := range map[string]string{fiber.HeaderAcceptLanguage: rs.lang, fiber.HeaderCookie: rs.cookie} {
			if v != "" {
				c.Request().Header.Set(k, v)
			}
		}
	}
	if h := s.errorHandlerFor(path); h != nil {
		return h(c, err)
	}
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

// prefixErrors is the error handler of the requests under a path prefix.
type prefixErrors struct {
	prefix string
	h      fiber.ErrorHandler
}

// HandleErrorsUnder sends every error of a request under prefix that
// reaches the server's error handler to h instead of the portal's error
// page: a JSON API answers in its own format. Besides what the prefix's
// own middleware lets through, that is what no middleware saw — a body
// over the server's limit, a request fiber could not read — and a panic
// the recovery turned into an error. Security headers and no-store are
// set before h runs.
func (s *Server) HandleErrorsUnder(prefix string, h fiber.ErrorHandler) {
	s.errorsUnder = append(s.errorsUnder, prefixErrors{prefix: strings.TrimSuffix(prefix, "/"), h: h})
}

func (s *Server) errorHandlerFor(path string) fiber.ErrorHandler {
	for _, e := range s.errorsUnder {
		if path == e.prefix || strings.HasPrefix(path, e.prefix+"/") {
			return e.h
		}
	}
	return nil
}

// readState is what the error handler must know of a request whose body
// fasthttp failed to read.
type readState struct {
	path, lang, cookie string
}

// headerReceived runs when fasthttp has read a request's headers, before
// its body. A chunked body over the limit makes fasthttp reset the
// request (path and headers) before it calls the error handler, which
// then could tell neither an API request from a portal one nor the
// visitor's language; so the path, Accept-Language and cookies of a
// chunked request (browsers send forms with a length: these are API
// clients, rare) are kept until the request reaches the middleware
// (bodyRead) or the error handler. The request's limits stay the
// server's (the zero RequestConfig).
func (s *Server) headerReceived(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if h.ContentLength() == -1 {
		path, _, _ := strings.Cut(string(h.RequestURI()), "?")
		st := readState{path: path, lang: string(h.Peek(fiber.HeaderAcceptLanguage)), cookie: string(h.Peek(fiber.HeaderCookie))}
		if _, loaded := s.reading.Swap(weak.Make(h), st); !loaded {
			if s.readingN.Add(1) > maxReading {
				s.sweepReading()
			}
		}
		return fasthttp.RequestConfig{}
	}
	// A request read on a pooled context after one that never got this
	// far (the client went away) must not inherit its state.
	s.forgetRead(h)
	return fasthttp.RequestConfig{}
}

// forgetRead removes and returns the state kept for a request; without
// any kept (the usual case) it costs an atomic load.
func (s *Server) forgetRead(h *fasthttp.RequestHeader) (readState, bool) {
	if s.readingN.Load() == 0 {
		return readState{}, false
	}
	v, ok := s.reading.LoadAndDelete(weak.Make(h))
	if !ok {
		return readState{}, false
	}
	s.readingN.Add(-1)
	return v.(readState), true
}

// maxReading is how many kept states trigger a sweep. A client that
// goes away mid-body leaves its entry behind; when fasthttp's pool later
// drops that context its weak key can never be looked up again, so
// without a sweep such entries would accumulate for the life of the
// process.
const maxReading = 1024

// sweepReading deletes the entries whose request context is gone.
func (s *Server) sweepReading() {
	s.reading.Range(func(k, _ any) bool {
		if k.(weak.Pointer[fasthttp.RequestHeader]).Value() == nil {
			if _, ok := s.reading.LoadAndDelete(k); ok {
				s.readingN.Add(-1)
			}
		}
		return true
	})
}

// bodyRead forgets the state headerReceived kept: the body was read, the
// request has its path and headers.
func (s *Server) bodyRead(c *fiber.Ctx) error {
	s.forgetRead(&c.Request().Header)
	return c.Next()
}
