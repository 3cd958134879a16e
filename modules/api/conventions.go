package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
)

// MaxLimit is the largest page a list returns; DefaultLimit the page
// without ?limit=.
const (
	MaxLimit     = 200
	DefaultLimit = 50
)

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// send writes v as JSON with status.
func send(c *fiber.Ctx, status int, v any) error {
	b, err := jsonMarshal(v)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Status(status).Send(b)
}

// decode reads a JSON body into v, refusing unknown fields and trailing
// data (a misspelt field must not be ignored silently).
func decode(c *fiber.Ctx, v any) error {
	ct := string(c.Request().Header.ContentType())
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return errProblem(fiber.StatusUnsupportedMediaType, "unsupported_media_type")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errProblem(fiber.StatusBadRequest, "invalid_json")
	}
	if dec.More() {
		return errProblem(fiber.StatusBadRequest, "invalid_json")
	}
	return nil
}

// Money is an amount as integer fen and the same as a decimal yuan string.
func yuan(f money.Fen) string { return f.Plain() }

// etag is a record's version as a strong entity tag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// setETag sets the ETag of a record read.
func setETag(c *fiber.Ctx, version int) { c.Set(fiber.HeaderETag, etag(version)) }

// ifMatch reads the version an update is based on: If-Match is required
// (428 without), and must name one version ("*" or a list is refused, as
// it would bypass the lock).
func ifMatch(c *fiber.Ctx) (int, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		return 0, errProblem(fiber.StatusPreconditionRequired, "precondition_required")
	}
	h = strings.TrimPrefix(h, "W/")
	if len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
		return 0, errProblem(fiber.StatusPreconditionFailed, "precondition_failed")
	}
	v, err := strconv.Atoi(h[1 : len(h)-1])
	if err != nil || v <= 0 {
		return 0, errProblem(fiber.StatusPreconditionFailed, "precondition_failed")
	}
	return v, nil
}

// ts is an instant in the configured zone (RFC 3339 with its offset).
func (a *API) ts(t time.Time) time.Time { return t.In(a.opts.Location) }

// tsPtr is ts of an optional instant.
func (a *API) tsPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := a.ts(*t)
	return &v
}

// date is a calendar day as YYYY-MM-DD (dates are stored as midnight
// UTC, see textnorm.ParseDate).
func (a *API) date(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02")
	return &s
}

// fieldErr is a 422 on one field.
func fieldErr(field, msgID string) error { return apperr.Fields{field: msgID} }

// limit reads ?limit= (1..MaxLimit, default DefaultLimit).
func limit(c *fiber.Ctx) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, apperr.Fields{"limit": "api.v.limit"}
	}
	return n, nil
}

// cursor is the opaque position of a list: its sort, direction and the
// last row's key values.
type cursor struct {
	Sort string `json:"s"`
	Desc bool   `json:"d"`
	Keys []any  `json:"k"`
}

func encodeCursor(cur cursor) string {
	b, _ := json.Marshal(cur)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads ?cursor= for a list sorted by sort/desc; kinds
// names the type of each key ("text", "time", "int"), so the values go
// back to the database typed. A cursor of another sort is refused.
func decodeCursor(s, sort string, desc bool, kinds ...string) ([]any, error) {
	if s == "" {
		return nil, nil
	}
	bad := errProblem(fiber.StatusBadRequest, "invalid_cursor")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var cur cursor
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&cur); err != nil || cur.Sort != sort || cur.Desc != desc || len(cur.Keys) != len(kinds) {
		return nil, bad
	}
	out := make([]any, len(kinds))
	for i, k := range kinds {
		if cur.Keys[i] == nil && i < len(kinds)-1 {
			// A null sort key (an expected close not set): the id after
			// it is never null.
			continue
		}
		switch k {
		case "time":
			str, ok := cur.Keys[i].(string)
			t, err := time.Parse(time.RFC3339Nano, str)
			if !ok || err != nil {
				return nil, bad
			}
			out[i] = t
		case "int":
			n, ok := cur.Keys[i].(json.Number)
			v, err := n.Int64()
			if !ok || err != nil {
				return nil, bad
			}
			out[i] = v
		default:
			str, ok := cur.Keys[i].(string)
			if !ok {
				return nil, bad
			}
			out[i] = str
		}
	}
	return out, nil
}

// cursorKeys turns a row's position into JSON-safe values (times in UTC
// with nanoseconds).
func cursorKeys(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case time.Time:
			out[i] = x.UTC().Format(time.RFC3339Nano)
		case uint:
			out[i] = int64(x)
		case int:
			out[i] = int64(x)
		default:
			out[i] = x
		}
	}
	return out
}

// listPage is the envelope of every list.
type listPage[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
	Total      *int64  `json:"total,omitempty"`
	// TotalCapped says the total stopped counting (it is a lower bound).
	TotalCapped bool `json:"total_capped,omitempty"`
}
