package org

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/web"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "jike_session"

// PreSessionCookie holds an anonymous visitor's pre-session (see
// PreSession): the sign-in form's CSRF token is bound to it.
const PreSessionCookie = "jike_pre"

// RouteOptions tunes the module's HTTP side.
type RouteOptions struct {
	// LoginRate is how many sign-in attempts one IP may make per minute.
	LoginRate int
}

// Register mounts the module's pages, navigation and home panels. Every
// route names its permission here, next to the handler.
func Register(srv *web.Server, svc *Service, o RouteOptions) {
	if o.LoginRate == 0 {
		o.LoginRate = 20
	}
	h := &handler{srv: srv, svc: svc}
	// Both limits count in the database (ratelimit), not in this process:
	// behind a balancer, N instances must not give a client N times the
	// attempts.
	lim := ratelimit.New(svc.store.DB())
	lim.SetClock(svc.now)
	loginLimit := limitByIP(lim, "login", ratelimit.Rule{Limit: o.LoginRate, Window: time.Minute}, nil)

	// Opening a pre-session writes a row; one client may open only a few
	// a minute (a visitor who has one is not counted).
	preLimit := limitByIP(lim, "presession", ratelimit.Rule{Limit: 3 * o.LoginRate, Window: time.Minute},
		func(c *fiber.Ctx) bool { return web.CSRFToken(c) != "" || web.Subject(c) != nil })

	r := srv.Router()
	r.Get("/login", web.Public(), preLimit, h.loginPage)
	r.Post("/login", web.Public(), loginLimit, h.login)
	r.Post("/logout", web.LoggedIn(), h.logout)
	r.Post("/lang", web.Public(), h.setLang)
	r.Get("/", web.LoggedIn(), h.home)
	r.Get("/account/password", web.LoggedIn(), h.passwordPage)
	r.Post("/account/password", web.LoggedIn(), h.changePassword)

	users := r.Group("/admin/users")
	users.Get("", web.Allow("user", "manage"), h.users)
	users.Get("/new", web.Allow("user", "manage"), h.userNew)
	users.Post("", web.Allow("user", "manage"), h.userCreate)
	users.Get("/:id/edit", web.Allow("user", "manage"), h.userEdit)
	users.Post("/:id", web.Allow("user", "manage"), h.userUpdate)
	users.Post("/:id/disable", web.Allow("user", "manage"), h.userDisable)
	users.Post("/:id/enable", web.Allow("user", "manage"), h.userEnable)
	users.Post("/:id/password", web.Allow("user", "manage"), h.userResetPassword)

	teams := r.Group("/admin/teams")
	teams.Get("", web.Allow("team", "manage"), h.teams)
	teams.Get("/new", web.Allow("team", "manage"), h.teamNew)
	teams.Post("", web.Allow("team", "manage"), h.teamCreate)
	teams.Get("/:id/edit", web.Allow("team", "manage"), h.teamEdit)
	teams.Post("/:id", web.Allow("team", "manage"), h.teamUpdate)
	teams.Post("/:id/disable", web.Allow("team", "manage"), h.teamDisable)
	teams.Post("/:id/enable", web.Allow("team", "manage"), h.teamEnable)

	branches := r.Group("/admin/branches")
	branches.Get("", web.Allow("branch", "manage"), h.branches)
	branches.Get("/new", web.Allow("branch", "manage"), h.branchNew)
	branches.Post("", web.Allow("branch", "manage"), h.branchCreate)
	branches.Get("/:id/edit", web.Allow("branch", "manage"), h.branchEdit)
	branches.Post("/:id", web.Allow("branch", "manage"), h.branchUpdate)

	r.Get("/admin/audit", web.Allow("audit", "read"), h.auditLog)

	srv.AddNav(
		web.NavItem{Label: "nav.home", Href: "/", Perm: web.LoggedIn(), Order: 0},
		web.NavItem{Label: "nav.users", Href: "/admin/users", Perm: web.Allow("user", "manage"), Order: 900},
		web.NavItem{Label: "nav.teams", Href: "/admin/teams", Perm: web.Allow("team", "manage"), Order: 910},
		web.NavItem{Label: "nav.branches", Href: "/admin/branches", Perm: web.Allow("branch", "manage"), Order: 920},
		web.NavItem{Label: "nav.audit", Href: "/admin/audit", Perm: web.Allow("audit", "read"), Order: 930},
	)
	srv.AddHomePanel(web.HomePanel{Order: 10, Perm: web.LoggedIn(), Template: "org/panel_me", Load: h.panelMe,
		Reads: []string{db.VersionOrg}})
	srv.AddHomePanel(web.HomePanel{Order: 20, Perm: web.LoggedIn(), Template: "org/panel_team", Load: h.panelTeam,
		Reads: []string{db.VersionOrg}})
	srv.AddHomePanel(web.HomePanel{Order: 30, Perm: web.Allow("user", "manage"), Template: "org/panel_admin", Load: h.panelAdmin,
		Reads: []string{db.VersionOrg}})
}

// SessionMiddleware resolves the session cookie to the signed-in user on
// every request (one query), and drops a cookie that no longer works. An
// anonymous visitor's pre-session cookie is resolved the same way, and its
// CSRF token handed to the CSRF check.
func SessionMiddleware(svc *Service, srv *web.Server) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token := c.Cookies(SessionCookie)
		if token == "" {
			return preSession(c, svc, srv)
		}
		sess, u, err := svc.Authenticate(c.UserContext(), token)
		if err != nil {
			clearSessionCookie(c, srv)
			return preSession(c, svc, srv)
		}
		if sess.Renewed {
			setSessionCookie(c, srv, token, svc.SessionTTL())
		}
		s := u.Subject()
		web.SetSubject(c, &s)
		web.SetSessionCSRF(c, sess.CSRFToken)
		return c.Next()
	}
}

// preSession continues an anonymous request, with the CSRF token of its
// pre-session when the cookie names a live one.
func preSession(c *fiber.Ctx, svc *Service, srv *web.Server) error {
	token := c.Cookies(PreSessionCookie)
	if token == "" {
		return c.Next()
	}
	p, err := svc.PreSession(c.UserContext(), token)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		clearPreSessionCookie(c, srv)
	case err != nil:
		return err
	default:
		web.SetSessionCSRF(c, p.CSRFToken)
	}
	return c.Next()
}

func setPreSessionCookie(c *fiber.Ctx, srv *web.Server, token string) {
	c.Cookie(&fiber.Cookie{
		Name: PreSessionCookie, Value: token, Path: "/", HTTPOnly: true,
		Secure: srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: int(PreSessionTTL.Seconds()),
	})
}

func clearPreSessionCookie(c *fiber.Ctx, srv *web.Server) {
	c.Cookie(&fiber.Cookie{Name: PreSessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode})
}

func setSessionCookie(c *fiber.Ctx, srv *web.Server, token string, ttl time.Duration) {
	c.Cookie(&fiber.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HTTPOnly: true,
		Secure: srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode,
		MaxAge: int(ttl.Seconds()),
	})
}

func clearSessionCookie(c *fiber.Ctx, srv *web.Server) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, Secure: srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode})
}

// limitByIP refuses a client (c.IP()) over rule with 429; skip exempts a
// request from counting. The count is shared by every instance on the
// database.
func limitByIP(lim *ratelimit.Limiter, name string, rule ratelimit.Rule, skip func(*fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if skip != nil && skip(c) {
			return c.Next()
		}
		ok, err := lim.Allow(c.UserContext(), name+":"+c.IP(), rule)
		if err != nil {
			return err
		}
		if !ok {
			return fiber.ErrTooManyRequests
		}
		return c.Next()
	}
}
