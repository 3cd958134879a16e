package needs

import (
	"testing"

	"github.com/jike-crm/jike/modules/platform/testkit"
)

// The list's search names the indexes migration 00037 made for it.
func TestSearchPairIndexes(t *testing.T) {
	t.Parallel()
	testkit.PairIndexes(t, needSearch)
}
