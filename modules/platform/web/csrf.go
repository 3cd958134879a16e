package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

const (
	langCookie = "jike_lang"
	// CSRFField is the form field forms carry the token in.
	CSRFField = "_csrf"
	// CSRFHeader is the header htmx requests carry the token in.
	CSRFHeader = "X-CSRF-Token"
)

// RandomToken returns n random bytes, URL-safe base64 encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CSRF protects every unsafe request. The request must carry, in the
// _csrf form field or the X-CSRF-Token header (htmx), the token stored
// server-side with the caller's session, or, for an anonymous visitor
// (the sign-in and language forms), with their pre-session. The session
// middleware finds either and hands its token over through SetSessionCSRF.
// A request with neither is refused: there is no cookie-only (double
// submit) fallback, because a cookie can be planted by a sibling domain
// and a token from the attacker's own pre-session proves nothing.
func (s *Server) CSRF() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if isSafe(c.Method()) {
			return c.Next()
		}
		expected := CSRFToken(c)
		got := c.Get(CSRFHeader)
		if got == "" {
			got = c.FormValue(CSRFField)
		}
		if expected == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(expected)) != 1 {
			return errCSRF
		}
		return c.Next()
	}
}

func isSafe(method string) bool {
	return method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions
}

// Language picks the request's language: the signed-in user's setting,
// else the jike_lang cookie, else Accept-Language, else Chinese. A
// signed-in user's setting is mirrored into the cookie, so that the few
// error pages rendered before the session is known (a body over the
// upload limit) speak their language too.
func (s *Server) Language() fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := ""
		if me := Subject(c); me != nil {
			lang = i18n.Normalize(me.Lang)
			if lang != "" && c.Cookies(langCookie) != lang {
				s.SetLangCookie(c, lang)
			}
		}
		if lang == "" {
			lang = s.visitorLang(c)
		}
		c.Locals(localLang, lang)
		c.Set(fiber.HeaderContentLanguage, lang)
		return c.Next()
	}
}

// visitorLang is the language known without a session: the jike_lang
// cookie, else Accept-Language, else Chinese.
func (s *Server) visitorLang(c *fiber.Ctx) string {
	if lang := i18n.Normalize(c.Cookies(langCookie)); lang != "" {
		return lang
	}
	return s.I18n.Match(c.Get(fiber.HeaderAcceptLanguage))
}

// SetLangCookie remembers an anonymous visitor's language choice.
func (s *Server) SetLangCookie(c *fiber.Ctx, lang string) {
	c.Cookie(&fiber.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HTTPOnly: true, Secure: s.opts.Secure, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// CookieSecure reports whether cookies must be marked Secure.
func (s *Server) CookieSecure() bool { return s.opts.Secure }
