package main

import (
	"runtime/debug"
	"testing"
)

// The default soft memory limit applies when the operator set none, and
// an operator's GOMEMLIMIT (already applied by the runtime) is kept.
func TestServeMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	if got := applyMemoryLimit(func(string) string { return "" }); got != serveMemoryLimit || debug.SetMemoryLimit(-1) != serveMemoryLimit {
		t.Fatalf("no GOMEMLIMIT: limit %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), serveMemoryLimit)
	}
	debug.SetMemoryLimit(1 << 30) // as the runtime does for GOMEMLIMIT=1GiB
	env := map[string]string{"GOMEMLIMIT": "1GiB"}
	if got := applyMemoryLimit(func(k string) string { return env[k] }); got != 1<<30 || debug.SetMemoryLimit(-1) != 1<<30 {
		t.Fatalf("GOMEMLIMIT=1GiB: limit %d (runtime %d), want the operator's", got, debug.SetMemoryLimit(-1))
	}
}
