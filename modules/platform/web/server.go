// Package web is the portal's HTTP shell: the fiber app, the middleware
// every request passes (request id, recovery, security headers, language,
// CSRF), the router that ties each route to a permission, page rendering
// with the base layout and navigation, and the one place where errors
// become HTTP statuses. Modules register routes and navigation entries on
// it; it never imports a module.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/par"
)

// Options configures a Server.
type Options struct {
	Logger   *slog.Logger
	Enforcer *authz.Enforcer
	I18n     *i18n.Bundle
	// Templates and Static are the embedded file systems.
	Templates fs.FS
	Static    fs.FS
	// DevDir, when set, reloads templates/ and static/ from this source
	// tree on every request.
	DevDir string
	// Secure marks cookies Secure and sends HSTS (everything but dev).
	Secure bool
	// Production hides error details.
	Production bool
	// Location is the zone in which times are shown.
	Location *time.Location
	// TrustedProxies whose X-Forwarded-For names the client (c.IP()).
	TrustedProxies []string
	// Ready reports whether the app can serve (database up, schema current).
	Ready func(ctx context.Context) error
	// Spare is the process's budget of goroutines a request may add to
	// load its home panels at once (nil: one after the other).
	Spare *par.Spare
	// MaxUploadBytes is the largest file a form may upload
	// (JIKE_MAX_UPLOAD_MB); 0 means DefaultMaxUpload. The request body
	// limit is this plus UploadHeadroom, so the handler, not the server,
	// refuses a file that is only a little too large, with a message next
	// to the form.
	MaxUploadBytes int64
	// MaxBodyBytes is the largest file any route takes (a contract's
	// signed scan may be larger than an import); the request body limit is
	// the larger of the two plus UploadHeadroom. 0: MaxUploadBytes.
	MaxBodyBytes int64
	// Observe, when set, is told of every finished request (metrics).
	Observe RouteObserver
}

// DefaultMaxUpload is the upload limit when Options names none (10 MiB,
// the limit the documentation promises).
const DefaultMaxUpload int64 = 10 << 20

// UploadHeadroom is what the request body may carry beyond the file: the
// multipart envelope and the other form fields.
const UploadHeadroom int64 = 1 << 20

// Server is the portal.
type Server struct {
	// spare lends the home page goroutines to load its panels at once.
	spare *par.Spare

	App      *fiber.App
	Enforcer *authz.Enforcer
	I18n     *i18n.Bundle
	Log      *slog.Logger
	// History renders audit entries in words; every module describes
	// its records to it (in cmd/jike).
	History *audit.History
	opts    Options
	reg     *registry
	nav     []NavItem
	panels  []HomePanel
	// panelCache keeps rendered home panels (SetPanelCache); nil: none.
	panelCache *panelCache
	// pages keeps whole pages of the routes wrapped with Keep
	// (SetPageCache); nil: none.
	pages    *keptPages
	engine   views
	assetVer string
	// unread counts a user's unread notifications for the bell (nil: no bell).
	unread func(ctx context.Context, userID uint) (int64, error)
	// errorsUnder are the error handlers of path prefixes that answer in
	// their own format (the API's problems), see HandleErrorsUnder.
	errorsUnder []prefixErrors
	// reading holds, while its chunked body is read, the path, language
	// and cookies of a request, keyed by a weak pointer to its
	// fasthttp.RequestHeader (see headerReceived): an entry left by a
	// client that went away mid-body does not keep fasthttp's pooled
	// context alive, and the context's next request replaces it.
	reading  sync.Map
	readingN atomic.Int64
}

// NavItem is one entry of the main navigation, shown to roles that pass
// Perm. Label is an i18n message id.
type NavItem struct {
	Label string
	Href  string
	Perm  Perm
	Order int
}

// New builds the fiber app with the shell's middleware. Call Use for the
// session middleware, then register routes, then Finish.
func New(o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = DefaultMaxUpload
	}
	o.MaxBodyBytes = max(o.MaxBodyBytes, o.MaxUploadBytes)
	tfs, sfs := o.Templates, o.Static
	if o.DevDir != "" {
		tfs = os.DirFS(filepath.Join(o.DevDir, "templates"))
		sfs = os.DirFS(filepath.Join(o.DevDir, "static"))
	}
	engine := html.NewFileSystem(http.FS(tfs), ".html")
	engine.Reload(o.DevDir != "")
	engine.AddFuncMap(funcMap(o.Location))
	rv := newViews(engine)
	s := &Server{
		spare:    o.Spare,
		Enforcer: o.Enforcer,
		I18n:     o.I18n,
		Log:      o.Logger,
		History:  audit.NewHistory(o.I18n, o.Location),
		opts:     o,
		reg:      &registry{routes: map[string]Perm{}},
		assetVer: assetVersion(o.Static),
		engine:   rv,
	}
	cfg := fiber.Config{
		Views:                 rv,
		ViewsLayout:           "",
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		BodyLimit:             int(o.MaxBodyBytes + UploadHeadroom),
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		AppName:               "jike",
	}
	if len(o.TrustedProxies) > 0 {
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = o.TrustedProxies
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
	}
	s.App = fiber.New(cfg)
	s.App.Server().HeaderReceived = s.headerReceived
	s.App.Use(s.bodyRead)
	s.App.Use(assignRequestID)
	s.App.Use(recover.New(recover.Config{EnableStackTrace: !o.Production}))
	s.App.Use(s.accessLog)
	s.App.Use(s.securityHeaders)
	s.App.Use("/static", filesystem.New(filesystem.Config{
		Root:   http.FS(sfs),
		MaxAge: 86400,
	}))
	// Browsers ask for /favicon.ico whatever the page links: the icon is
	// the SVG of static/, cached like the other assets.
	s.App.Use("/favicon.ico", func(c *fiber.Ctx) error {
		if c.Path() != "/favicon.ico" || (c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) {
			return c.Next()
		}
		icon, err := fs.ReadFile(sfs, "favicon.svg")
		if err != nil {
			return c.Next()
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		c.Type("svg")
		return c.Send(icon)
	})
	// Everything after the static files is private: pages, fragments,
	// downloads (exports, PDFs, the calendar feed), redirects and errors.
	s.App.Use(noStore)
	// Every query and form value is cleaned before any handler sees it.
	s.App.Use(normalizeInput)
	r := s.Router()
	r.Get("/healthz", Public(), func(c *fiber.Ctx) error {
		return c.Type("txt").SendString("ok")
	})
	r.Get("/readyz", Public(), s.readyz)
	return s, nil
}

// MaxUploadBytes is the largest file a form may upload; handlers that
// accept files check against it (the body limit leaves UploadHeadroom).
func (s *Server) MaxUploadBytes() int64 { return s.opts.MaxUploadBytes }

// noStore forbids browsers and proxies to keep a copy of any response
// that is not a static asset: customer data in a download or a page must
// not linger in a shared computer's cache. It runs before the handler, so
// a handler that may be cached opts in explicitly by setting its own
// Cache-Control (and the route walk test must then allow it).
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// Use adds middleware that runs for every later route, in order.
func (s *Server) Use(h ...fiber.Handler) {
	for _, x := range h {
		s.App.Use(x)
	}
}

// AddNav registers a navigation entry.
func (s *Server) AddNav(items ...NavItem) {
	s.nav = append(s.nav, items...)
	sort.SliceStable(s.nav, func(i, j int) bool { return s.nav[i].Order < s.nav[j].Order })
}

// Finish installs the not-found handler; call it after all routes.
func (s *Server) Finish() {
	s.App.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

func (s *Server) readyz(c *fiber.Ctx) error {
	if s.opts.Ready == nil {
		return c.Type("txt").SendString("ready")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := s.opts.Ready(ctx); err != nil {
		s.Log.Warn("not ready", "err", err)
		msg := "not ready"
		if !s.opts.Production {
			msg += ": " + err.Error()
		}
		return c.Status(fiber.StatusServiceUnavailable).Type("txt").SendString(msg)
	}
	return c.Type("txt").SendString("ready")
}

func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status = statusOf(err)
	}
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelError
	}
	dur := time.Since(start)
	route := routePattern(c)
	var user uint
	if sub := Subject(c); sub != nil {
		user = sub.ID
	}
	// Never the raw path or query: they may carry a feed token or a
	// phone number (see logPath).
	s.Log.Log(c.UserContext(), lvl, "http",
		"method", c.Method(), "route", route, "path", logPath(c.Path()), "status", status,
		"ms", dur.Milliseconds(), "user", user, "req", requestID(c))
	if s.opts.Observe != nil {
		// fiber's strings point into buffers it reuses; an observer keeps
		// them (metric labels).
		s.opts.Observe(strings.Clone(c.Method()), strings.Clone(route), status, dur)
	}
	return err
}

func statusOf(err error) int {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return mapStatus(err)
}

func requestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(localRequestID).(string); ok {
		return v
	}
	return c.GetRespHeader(fiber.HeaderXRequestID)
}

// securityHeaders sets a strict CSP (no inline script or style, no
// framing) and the usual hardening headers on every response.
// Location is the zone times are shown in (pages, exports).
func (s *Server) Location() *time.Location { return s.opts.Location }

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders is also called by the error handler, which fiber
// calls without any middleware for errors found while reading the request
// (a body over the limit, headers too large).
func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), payment=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.opts.Secure {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// assetVersion hashes the static files so URLs change when they do.
func assetVersion(fsys fs.FS) string {
	h := sha256.New()
	if fsys != nil {
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := fs.ReadFile(fsys, p)
			if err == nil {
				h.Write([]byte(p))
				h.Write(b)
			}
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}
