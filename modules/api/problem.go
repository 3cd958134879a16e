package api

import (
	"errors"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/prospects"
)

// MIMEProblem is the media type of RFC 9457 problem details.
const MIMEProblem = "application/problem+json"

// Problem is an RFC 9457 problem detail. Code is stable (clients switch
// on it); Title and Detail are in the request's language.
type Problem struct {
	Type     string       `json:"type" doc:"A URI reference naming the kind of problem: the reference page's section about it."`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail"`
	Code     string       `json:"code" doc:"Stable machine-readable code."`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty" doc:"Field errors (422)."`
}

// FieldError is one invalid field of a 422.
type FieldError struct {
	Field string `json:"field"`
	// Row is the row of an imported file (as the spreadsheet numbers it).
	Row     *int   `json:"row,omitempty" doc:"The row of an imported file, as the spreadsheet numbers it."`
	Code    string `json:"code" doc:"Stable message id of the rule broken."`
	Message string `json:"message"`
}

// codeError is an error that is already a problem of a known code.
type codeError struct {
	status int
	code   string
	args   []any
	// detail is the message id of the detail when not the code's own.
	detail string
}

func (e *codeError) Error() string { return e.code }

func errProblem(status int, code string, args ...any) error {
	return &codeError{status: status, code: code, args: args}
}

// Codes lists every problem code with its status, for the reference page
// and the i18n test.
var Codes = []struct {
	Code   string
	Status int
}{
	{"bad_request", 400}, {"invalid_cursor", 400}, {"invalid_json", 400},
	{"unauthorized", 401}, {"token_in_query", 401}, {"token_invalid", 401}, {"token_expired", 401}, {"session_not_accepted", 401},
	{"forbidden", 403}, {"read_only_token", 403},
	{"not_found", 404}, {"method_not_allowed", 405},
	{"conflict", 409}, {"duplicate", 409}, {"idempotency_in_progress", 409},
	{"precondition_failed", 412}, {"too_large", 413}, {"unsupported_media_type", 415},
	{"validation_failed", 422}, {"idempotency_key_reused", 422},
	{"precondition_required", 428}, {"rate_limited", 429}, {"internal", 500}, {"unavailable", 503},
}

// classify turns an error of a route into a status and code. A stale
// version is 412 on a request that sent If-Match (the only way an update
// gets a version here), 409 otherwise.
func classify(c *fiber.Ctx, err error) (int, string) {
	var ce *codeError
	var dup *prospects.DuplicateError
	var cdup *prospects.ContactDuplicateError
	var fe *fiber.Error
	var rows *rowErrors
	switch {
	case errors.As(err, &ce):
		return ce.status, ce.code
	case errors.As(err, &rows):
		return fiber.StatusUnprocessableEntity, "validation_failed"
	case errors.As(err, &dup), errors.As(err, &cdup):
		return fiber.StatusConflict, "duplicate"
	case errors.Is(err, prospects.ErrTooManyChecks):
		// The duplicate check's own limit (per user, as in the portal).
		c.Set(fiber.HeaderRetryAfter, "60")
		return fiber.StatusTooManyRequests, "rate_limited"
	case errors.Is(err, apperr.ErrUnauthenticated):
		return fiber.StatusUnauthorized, "unauthorized"
	case errors.Is(err, apperr.ErrNotFound):
		return fiber.StatusNotFound, "not_found"
	case errors.Is(err, apperr.ErrForbidden):
		return fiber.StatusForbidden, "forbidden"
	case errors.Is(err, apperr.ErrConflict):
		if c.Get(fiber.HeaderIfMatch) != "" {
			return fiber.StatusPreconditionFailed, "precondition_failed"
		}
		return fiber.StatusConflict, "conflict"
	case errors.As(err, &fe):
		switch fe.Code {
		case 404:
			return 404, "not_found"
		case 405:
			return 405, "method_not_allowed"
		case 413:
			return 413, "too_large"
		case 429:
			return 429, "rate_limited"
		case 503:
			return 503, "unavailable"
		}
		if fe.Code >= 500 {
			return fe.Code, "internal"
		}
		return fe.Code, "bad_request"
	}
	if _, ok := apperr.AsFields(err); ok {
		return fiber.StatusUnprocessableEntity, "validation_failed"
	}
	return fiber.StatusInternalServerError, "internal"
}

// problem writes err as a problem in the request's language.
func (a *API) problem(c *fiber.Ctx, err error) error {
	status, code := classify(c, err)
	lang := langOf(c)
	var args []any
	detail := "api.problem." + code + ".detail"
	var ce *codeError
	if errors.As(err, &ce) {
		args = ce.args
		if ce.detail != "" {
			detail = ce.detail
		}
	}
	p := Problem{
		Type: "/api/docs#problem-" + code, Status: status, Code: code,
		Title:  a.srv.I18n.T(lang, "api.problem."+code+".title"),
		Detail: a.srv.I18n.T(lang, detail, args...),
	}
	if f, ok := apperr.AsFields(err); ok {
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p.Errors = append(p.Errors, FieldError{Field: apiField(k), Code: f[k], Message: a.srv.I18n.T(lang, f[k])})
		}
	}
	var rows *rowErrors
	if errors.As(err, &rows) {
		p.Errors = rows.errs
		if rows.total > 0 {
			p.Detail = a.srv.I18n.T(lang, "api.problem.import_rows", "Count", rows.total)
		}
	}
	var dup *prospects.DuplicateError
	if errors.As(err, &dup) && dup.Exact() {
		p.Detail = a.srv.I18n.T(lang, "api.problem.duplicate.exact")
	}
	if status >= 500 {
		a.opts.Logger.Error("api request failed", "err", err, "path", c.Route().Path, "status", status)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, MIMEProblem)
	c.Status(status)
	body, merr := jsonMarshal(p)
	if merr != nil {
		return merr
	}
	return c.Send(body)
}

// apiField names a service's form field as the API's JSON field (forms
// and JSON agree but for money, which the forms take in yuan).
func apiField(k string) string {
	switch k {
	case "annual_spend":
		return "annual_spend_fen"
	case "monthly":
		return "monthly_fen"
	case "one_time", "onetime":
		return "one_time_fen"
	}
	return k
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }
