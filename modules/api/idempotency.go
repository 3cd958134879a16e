package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/apperr"
)

// HeaderIdempotencyKey names the header that makes a POST idempotent.
const HeaderIdempotencyKey = "Idempotency-Key"

// IdempotencyKeep is how long a stored answer is replayed.
const IdempotencyKeep = 24 * 60 * 60 // seconds, documented as 24 hours

// idempotent runs a POST that carries an Idempotency-Key at most once per
// token and key: the key is claimed by inserting its row (the primary key
// decides between concurrent requests), the answer stored with it, and a
// retry with the same body gets that answer back; the same key with
// another request is 422. A failure on our side (5xx) releases the key so
// the retry runs again.
func (a *API) idempotent(c *fiber.Ctx, key string) error {
	if len(key) > 200 || !utf8.ValidString(key) {
		return a.problem(c, apperr.Fields{"Idempotency-Key": "api.v.idempotency_key"})
	}
	tok := tokenOf(c)
	st := a.deps.Tokens.Store()
	h := sha256.New()
	h.Write([]byte(c.Method() + " " + c.Path() + "\n"))
	h.Write(c.Body())
	sum := hex.EncodeToString(h.Sum(nil))
	ctx := c.UserContext()
	prev, err := st.Idempotent(ctx, tok.ID, key)
	switch {
	case err == nil:
		return a.replay(c, prev, sum)
	case !errors.Is(err, apperr.ErrNotFound):
		return a.problem(c, err)
	}
	claim := &tokens.Idempotent{TokenID: tok.ID, IdemKey: key, RequestHash: sum, CreatedAt: a.opts.Now().UTC()}
	if err := st.ClaimIdempotent(ctx, claim); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			if prev, err := st.Idempotent(ctx, tok.ID, key); err == nil {
				return a.replay(c, prev, sum)
			}
		}
		return a.problem(c, err)
	}
	if err := c.Next(); err != nil {
		_ = a.problem(c, err)
	}
	res := c.Response()
	status := res.StatusCode()
	if status >= 500 {
		if err := st.ReleaseIdempotent(ctx, tok.ID, key); err != nil {
			a.opts.Logger.Error("release idempotency key", "err", err)
		}
		return nil
	}
	claim.Status = status
	claim.ContentType = string(res.Header.ContentType())
	claim.Location = string(res.Header.Peek(fiber.HeaderLocation))
	claim.Etag = string(res.Header.Peek(fiber.HeaderETag))
	claim.Body = string(res.Body())
	if err := st.FinishIdempotent(ctx, claim); err != nil {
		a.opts.Logger.Error("store idempotent answer", "err", err)
	}
	return nil
}

// replay answers with a stored answer, or refuses a key reused for
// another request or still running.
func (a *API) replay(c *fiber.Ctx, prev *tokens.Idempotent, sum string) error {
	if prev.RequestHash != sum {
		return a.problem(c, errProblem(fiber.StatusUnprocessableEntity, "idempotency_key_reused"))
	}
	if prev.Status == 0 {
		return a.problem(c, errProblem(fiber.StatusConflict, "idempotency_in_progress"))
	}
	c.Set("Idempotent-Replayed", "true")
	if prev.Location != "" {
		c.Set(fiber.HeaderLocation, prev.Location)
	}
	if prev.Etag != "" {
		c.Set(fiber.HeaderETag, prev.Etag)
	}
	c.Set(fiber.HeaderContentType, prev.ContentType)
	return c.Status(prev.Status).SendString(prev.Body)
}
