// Package apperr defines the few error kinds that the web layer maps to HTTP
// statuses in one place. Domain code wraps these sentinels with %w so that
// handlers never decide status codes themselves.
package apperr

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors. Wrap them with fmt.Errorf("...: %w", apperr.ErrNotFound).
var (
	// ErrNotFound means the record does not exist or the caller may not see it.
	// Both cases look the same on purpose, so ids cannot be probed.
	ErrNotFound = errors.New("not found")
	// ErrForbidden means the caller may see the record but not do the action.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict means the record changed since the caller read it
	// (optimistic locking) or a unique value is already taken.
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated means there is no valid session.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// Fields is a set of validation errors keyed by form field name. Values are
// i18n message ids, so that the web layer can show them in the user's
// language. An empty Fields is not an error; use Err() to get nil then.
type Fields map[string]string

// Error lists the fields in a stable order, for logs and tests.
func (f Fields) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+f[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a message id for field unless the field already has one, so
// the first (most basic) problem found is the one shown.
func (f Fields) Add(field, msgID string) {
	if _, ok := f[field]; !ok {
		f[field] = msgID
	}
}

// Err returns f as an error, or nil when there is nothing to report.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f
}

// AsFields extracts validation errors from err, if any.
func AsFields(err error) (Fields, bool) {
	var f Fields
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}
