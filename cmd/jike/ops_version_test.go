package main

import (
	"strings"
	"testing"
)

// TestVersionCommand: `jike version` prints the version and commit given
// at build time (-ldflags -X main.Version=… -X main.Commit=…), and without
// them what the Go toolchain recorded, never an empty field. Not
// parallel: it sets the package variables Version and Commit, which a
// parallel test running `jike version` would read.
func TestVersionCommand(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), []string{"version"}, func(string) string { return "" }, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "jike ") || strings.Contains(out.String(), "  ") || !strings.Contains(out.String(), "(commit ") {
		t.Fatalf("version without ldflags: %q", out.String())
	}
	Version, Commit = "1.8.0", "abc1234"
	defer func() { Version, Commit = "", "" }()
	out.Reset()
	if err := run(t.Context(), []string{"version"}, func(string) string { return "" }, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "jike 1.8.0 (commit abc1234)\n" {
		t.Fatalf("version with ldflags: %q", got)
	}
}
