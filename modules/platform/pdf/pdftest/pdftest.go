// Package pdftest checks rendered PDFs with the real tools — pdftotext,
// pdfinfo and pdffonts from poppler-utils, and qpdf — for the tests of
// platform/pdf and of every module that renders a document. It is imported
// by tests only.
package pdftest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// NeedTools skips the test locally but fails it loudly in CI (CI set)
// when one of the tools is missing: .ci/deps.sh installs them.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("!!! %s not found: install Debian packages poppler-utils and qpdf to run the PDF checks !!!", tool)
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// Run runs a tool and returns its combined output; a failure fails t.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Write stores a PDF in the test's temporary directory and returns its
// path.
func Write(t testing.TB, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// Pages is the page count pdfinfo reports.
func Pages(t testing.TB, path string) int {
	t.Helper()
	m := pagesLine.FindStringSubmatch(Run(t, "pdfinfo", path))
	if m == nil {
		t.Fatal("pdfinfo: no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// PageText is the text of one page (1-based), laid out as on the page.
func PageText(t testing.TB, path string, page int) string {
	t.Helper()
	n := strconv.Itoa(page)
	return Run(t, "pdftotext", "-layout", "-f", n, "-l", n, path, "-")
}

// NoSpace drops every whitespace rune, so that text can be compared
// across the line breaks the layout put in.
func NoSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
