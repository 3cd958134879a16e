package contracts

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/i18n"
)

// TestMessageIDsExist: every literal contracts.* message id in this
// module's Go code is in both catalogues (the platform's scan does not
// know this module's prefix; SQL lives in store.go, job names are not
// messages).
func TestMessageIDsExist(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`"(contracts\.[a-z0-9_.]+)"`)
	notMessages := map[string]bool{JobRenewals: true, JobTasksOverdue: true}
	files, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "store.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range id.FindAllStringSubmatch(string(src), -1) {
			if strings.HasSuffix(m[1], ".") || notMessages[m[1]] {
				continue
			}
			seen++
			for _, lang := range []string{i18n.ZH, i18n.EN} {
				if !b.Has(lang, m[1]) {
					t.Errorf("%s: %s has no %s text", f, m[1], lang)
				}
			}
		}
	}
	if seen < 50 {
		t.Fatalf("only %d ids found; the scan is not seeing the code", seen)
	}
}
