package web

import (
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// localRequestID is where the request id is kept for handlers, the access
// log and the error page.
const localRequestID = "requestid"

// saneRequestID is what an incoming X-Request-ID must look like to be
// kept (a balancer's or a client's id, so logs can be joined across
// hops): short, and nothing a log reader or a page could trip over.
var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,64}$`)

// assignRequestID takes the request id from X-Request-ID when it is sane,
// else makes one, and returns it in the response header.
func assignRequestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !saneRequestID.MatchString(id) {
		id = RandomToken(12)
	}
	c.Locals(localRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

// RequestID is the request's id (the X-Request-ID response header).
func RequestID(c *fiber.Ctx) string { return requestID(c) }

// RouteObserver is told of every finished request: its route pattern
// (RouteUnmatched when no route took it), status and duration. The
// metrics are one.
type RouteObserver func(method, route string, status int, d time.Duration)

// RouteUnmatched is the route of a request no registered route answered
// (a 404, or refused by middleware such as the CSRF check before its
// route ran).
const RouteUnmatched = "unmatched"

// routePattern is the registered pattern of the route that answered c
// ("/customers/:id"), never the concrete path: a pattern carries no record
// ids, tokens or search terms, and there are few of them (metric labels).
func routePattern(c *fiber.Ctx) string {
	r := c.Route()
	if r == nil || r.Method == "USE" || r.Path == "" {
		return RouteUnmatched
	}
	return r.Path
}

var (
	idSegment   = regexp.MustCompile(`^[0-9]{1,10}$`)
	wordSegment = regexp.MustCompile(`^[a-z][a-z_.-]{0,23}$`)
)

// logPath is the request path as it may be logged: words of routes and
// record ids are kept, any other segment (a feed token, a phone number or
// credit code someone put in a URL) becomes "*". The query string is never
// logged.
func logPath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if s == "" || idSegment.MatchString(s) || wordSegment.MatchString(s) {
			continue
		}
		segs[i] = "*"
	}
	return strings.Join(segs, "/")
}
