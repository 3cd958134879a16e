package targets

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// TestHistoryDescriptions: quotas, targets and reviews register with
// every recorded column described (the Model check), and every label,
// status and action is in both catalogues.
func TestHistoryDescriptions(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	h := audit.NewHistory(b, nil)
	for _, e := range historyEntities() {
		if err := h.Describe(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range h.Check() {
		// Resolvers are checked on the wired app (TestHistory).
		if strings.Contains(bad, " lacks ") {
			t.Error(bad)
		}
	}
	if got := h.FieldLabels(i18n.ZH, "monthly_target", []string{"mrc_fen", "reason", "updated_by"}); got != "新增月收入、调整原因" {
		t.Errorf("a locked month's change lists %q", got)
	}
}
