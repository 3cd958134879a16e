package prospects

import (
	"net/url"
	"sort"

	"github.com/jike-crm/jike/modules/platform/apperr"
)

func urlValues(s string) (url.Values, error) { return url.ParseQuery(s) }

// firstField returns one validation message id of err (the first field by
// name), for places that show a single message in a flash.
func firstField(err error) string {
	f, ok := apperr.AsFields(err)
	if !ok || len(f) == 0 {
		return "errors.422"
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return f[keys[0]]
}
