// Package api is Jike's versioned JSON REST API under /api/v1: personal
// access tokens (Authorization: Bearer) instead of the portal's session
// and CSRF, RFC 9457 problems, cursor pagination, ETag/If-Match on the
// records' versions, idempotent creates and a per-token rate limit. Every
// endpoint calls the same service method as the portal's page for the
// same action, with the subject built from the token's user exactly as
// the session middleware builds it, so validation, scope (404), audit and
// optimistic locking are the portal's code, not a copy.
//
// Routes are declared with their OpenAPI operation next to the handler
// (see route); the document at /api/v1/openapi.json is generated from
// them and from the Go types of the bodies.
package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/reports"
	"github.com/jike-crm/jike/modules/targets"
	"github.com/jike-crm/jike/modules/usage"
	"github.com/jike-crm/jike/modules/visits"
)

// Prefix is where the API lives; the portal's session, language and CSRF
// middleware skip it (SkipAPI).
const Prefix = "/api/v1"

// DefaultRate is how many requests one token may make per minute.
const DefaultRate = 600

// Deps are the services the API calls: the portal's own.
type Deps struct {
	Tokens    *tokens.Service
	Org       *org.Service
	Prospects *prospects.Service
	Catalog   *catalog.Service
	Visits    *visits.Service
	Needs     *needs.Service
	Proposals *proposals.Service
	// ProposalPDF are the proposal pages' options (fonts, letterhead,
	// zone, units), so the API's PDF is the portal's.
	ProposalPDF proposals.RouteOptions
	Contracts   *contracts.Service
	Targets     *targets.Service
	Reports     *reports.Service
	Usage       *usage.Service
}

// Options tune the API.
type Options struct {
	// Rate is the requests per minute per token (0: DefaultRate).
	Rate     int
	Location *time.Location
	Logger   *slog.Logger
	Now      func() time.Time
}

// API is the registered API: its routes with their operations, from which
// the OpenAPI document is built.
type API struct {
	srv    *web.Server
	deps   Deps
	opts   Options
	lim    *ratelimit.Limiter
	routes []*route
	r      *web.Router
}

// IsAPIPath reports whether path is under Prefix.
func IsAPIPath(path string) bool {
	return path == Prefix || strings.HasPrefix(path, Prefix+"/")
}

// SkipAPI wraps a portal middleware so that it does not run for API
// requests: the API authenticates by token only (a session cookie is
// not accepted there) and has no CSRF token to check, since no browser
// sends a bearer token by itself.
func SkipAPI(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if IsAPIPath(c.Path()) {
			return c.Next()
		}
		return h(c)
	}
}

// Register mounts the API, its OpenAPI document, the reference page and
// the token settings pages.
func Register(srv *web.Server, d Deps, o Options) *API {
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &API{srv: srv, deps: d, opts: o, lim: ratelimit.New(d.Tokens.Store().DB())}
	a.lim.SetClock(o.Now)
	srv.App.Use(Prefix, a.middleware)
	srv.HandleErrorsUnder(Prefix, a.serverError)
	a.r = srv.Router().Group(Prefix)
	a.routesMe()
	a.routesCustomers()
	a.routesContacts()
	a.routesOpportunities()
	a.routesCatalog()
	a.routesVisits()
	a.routesNeeds()
	a.routesProposals()
	a.routesContracts()
	a.routesFigures()
	a.routesUsage()
	// The document itself needs a token like everything else under the
	// prefix: it is no secret, but one rule for the whole API is simpler
	// to reason about than exceptions.
	spec := a.Spec()
	a.r.Get("/openapi.json", web.LoggedIn(), func(c *fiber.Ctx) error {
		return c.JSON(spec)
	})
	a.registerPages(spec)
	return a
}

// Local keys of the API's request state.
const (
	localToken = "jike.api.token"
	localLang  = "jike.api.lang"
)

func tokenOf(c *fiber.Ctx) *tokens.Token {
	t, _ := c.Locals(localToken).(*tokens.Token)
	return t
}

func langOf(c *fiber.Ctx) string {
	if l, ok := c.Locals(localLang).(string); ok {
		return l
	}
	return "zh-CN"
}

// queryTokenNames are query parameters that would carry a token in a URL
// (logged by proxies, kept in histories): refused outright.
var queryTokenNames = []string{"access_token", "token", "api_key", "apikey", "bearer"}

// middleware authenticates every API request by its bearer token, checks
// the token's limits, and turns any error of the route (the guard's, the
// handler's, the 404 of an unknown path) into a problem.
func (a *API) middleware(c *fiber.Ctx) error {
	// No session on the API: the portal's middleware skipped it, and the
	// subject is only ever the token's user.
	web.SetSubject(c, nil)
	c.Locals(localLang, a.srv.I18n.Match(c.Get(fiber.HeaderAcceptLanguage)))
	c.Set(fiber.HeaderContentLanguage, langOf(c))
	c.Set(fiber.HeaderVary, "Accept-Language, Authorization")
	if err := a.authenticate(c); err != nil {
		return a.problem(c, err)
	}
	if key := c.Get(HeaderIdempotencyKey); key != "" && c.Method() == fiber.MethodPost {
		return a.idempotent(c, key)
	}
	if err := c.Next(); err != nil {
		return a.problem(c, err)
	}
	return nil
}

// authenticate finds the request's token and user, or fails with a
// problem error.
func (a *API) authenticate(c *fiber.Ctx) error {
	args := c.Request().URI().QueryArgs()
	for _, n := range queryTokenNames {
		if args.Has(n) {
			return errProblem(fiber.StatusUnauthorized, "token_in_query")
		}
	}
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		if c.Cookies(org.SessionCookie) != "" {
			return errProblem(fiber.StatusUnauthorized, "session_not_accepted")
		}
		return errProblem(fiber.StatusUnauthorized, "unauthorized")
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return errProblem(fiber.StatusUnauthorized, "unauthorized")
	}
	tok, sub, err := a.deps.Tokens.Authenticate(c.UserContext(), strings.TrimSpace(secret))
	switch {
	case errors.Is(err, tokens.ErrExpired):
		return errProblem(fiber.StatusUnauthorized, "token_expired")
	case errors.Is(err, tokens.ErrUnknown), errors.Is(err, tokens.ErrRevoked), errors.Is(err, tokens.ErrDisabled):
		a.opts.Logger.Info("api token refused", "reason", err.Error(), "ip", c.IP())
		return errProblem(fiber.StatusUnauthorized, "token_invalid")
	case err != nil:
		return err
	}
	c.Locals(localToken, tok)
	web.SetSubject(c, &sub)
	if tok.ReadOnly && !isSafe(c.Method()) {
		return errProblem(fiber.StatusForbidden, "read_only_token")
	}
	ok, err = a.lim.Allow(c.UserContext(), "api:"+itoa(tok.ID), ratelimit.Rule{Limit: a.opts.Rate, Window: time.Minute})
	if err != nil {
		return err
	}
	if !ok {
		now := a.opts.Now()
		c.Set(fiber.HeaderRetryAfter, itoa(uint(60-now.Unix()%60)))
		return errProblem(fiber.StatusTooManyRequests, "rate_limited")
	}
	return nil
}

func isSafe(method string) bool {
	return method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions
}

// subject is the token's user as the services see it (the guard has
// made sure there is one).
func subject(c *fiber.Ctx) authz.Subject { return web.MustSubject(c) }

func ctxOf(c *fiber.Ctx) context.Context { return c.UserContext() }
