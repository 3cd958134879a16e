package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

const (
	csrfCookie = "jike_csrf"
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

// CSRF protects every unsafe request. A signed-in user's token lives in
// their session row (set by the session middleware through
// SetSessionCSRF); an anonymous visitor (the sign-in form) gets a random
// token in an HttpOnly cookie, checked double-submit style. The token comes
// back in the _csrf form field or the X-CSRF-Token header (htmx).
func (s *Server) CSRF() fiber.Handler {
	return func(c *fiber.Ctx) error {
		expected := CSRFToken(c)
		if expected == "" {
			expected = c.Cookies(csrfCookie)
			if len(expected) < 20 {
				expected = RandomToken(32)
				c.Cookie(&fiber.Cookie{
					Name: csrfCookie, Value: expected, Path: "/", HTTPOnly: true,
					Secure: s.opts.Secure, SameSite: fiber.CookieSameSiteLaxMode,
				})
				// A fresh cookie cannot match anything sent with this request.
				if !isSafe(c.Method()) {
					return errCSRF
				}
			}
			SetSessionCSRF(c, expected)
		}
		if isSafe(c.Method()) {
			return c.Next()
		}
		got := c.Get(CSRFHeader)
		if got == "" {
			got = c.FormValue(CSRFField)
		}
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(expected)) != 1 {
			return errCSRF
		}
		return c.Next()
	}
}

func isSafe(method string) bool {
	return method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions
}

// Language picks the request's language: the signed-in user's setting,
// else the jike_lang cookie, else Accept-Language, else Chinese.
func (s *Server) Language() fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := ""
		if me := Subject(c); me != nil {
			lang = i18n.Normalize(me.Lang)
		}
		if lang == "" {
			lang = i18n.Normalize(c.Cookies(langCookie))
		}
		if lang == "" {
			lang = s.I18n.Match(c.Get(fiber.HeaderAcceptLanguage))
		}
		c.Locals(localLang, lang)
		c.Set(fiber.HeaderContentLanguage, lang)
		return c.Next()
	}
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
