package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// formArgs is the part of fasthttp's Args that normalizeArgs uses.
type formArgs interface {
	VisitAll(func(k, v []byte))
	Reset()
	AddBytesKV(k, v []byte)
}

// normalizeInput passes every query and form value of a request through
// textnorm.Clean before any handler reads it: control characters (NUL,
// ESC…), bidirectional overrides, zero-width characters and invalid UTF-8
// are removed and the value trimmed. It runs for every route, so a new
// form cannot forget it; forms then apply the stricter level a field needs
// (textnorm.Line, Name, Fold) in their Validate. Password fields
// (textnorm.IsSecretField) pass untouched.
func normalizeInput(c *fiber.Ctx) error {
	normalizeArgs(c.Request().URI().QueryArgs())
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		ct := c.Request().Header.ContentType()
		switch {
		case bytes.HasPrefix(ct, []byte(fiber.MIMEApplicationForm)):
			normalizeArgs(c.Request().PostArgs())
		case bytes.HasPrefix(ct, []byte(fiber.MIMEMultipartForm)):
			if form, err := c.MultipartForm(); err == nil {
				for k, vs := range form.Value {
					if textnorm.IsSecretField(k) {
						continue
					}
					for i, v := range vs {
						vs[i] = textnorm.Clean(v)
					}
				}
			}
		}
	}
	return c.Next()
}

// normalizeArgs cleans the values of args in place, keeping their order
// and repeated keys. Args that are already clean are not rewritten.
func normalizeArgs(args formArgs) {
	type kv struct{ k, v []byte }
	var all []kv
	changed := false
	args.VisitAll(func(k, v []byte) {
		key := string(k)
		nv := string(v)
		if !textnorm.IsSecretField(key) {
			if clean := textnorm.Clean(nv); clean != nv {
				nv, changed = clean, true
			}
		}
		all = append(all, kv{[]byte(key), []byte(nv)})
	})
	if !changed {
		return
	}
	args.Reset()
	for _, p := range all {
		args.AddBytesKV(p.k, p.v)
	}
}
