package contracts

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// TestHistoryDescriptions: the descriptions register, every label and
// enum value is in both catalogues, and every column an attachment entry
// records on the contract (an upload's diff of the attachment, a
// deletion's file name and id) is described, since the Model check sees
// only the contract's own columns.
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
		// Resolvers are registered by DescribeHistory on the wired app
		// (TestHistory checks them there); labels must be complete here.
		if strings.Contains(bad, " lacks ") {
			t.Error(bad)
		}
	}
	described := map[string]bool{}
	for _, e := range historyEntities() {
		if e.Name != "contract" {
			continue
		}
		for _, f := range e.Fields {
			described[f.Column] = true
		}
	}
	deletion := []string{"file_name", "attachment_id"}
	for _, col := range append(audit.Columns(&Attachment{}), deletion...) {
		if !described[col] {
			t.Errorf("an attachment entry records %s, which the contract's history does not describe", col)
		}
	}
}
