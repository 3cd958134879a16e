package main

import "runtime/debug"

// serveMemoryLimit is the soft memory limit `jike serve` gives the Go
// runtime unless the operator set one (GOMEMLIMIT; main applies it, for
// serve only: a province's seed or migration holds more on purpose). The collector runs
// when the heap has doubled since its last run (GOGC=100), so a peak
// that comes right after a collection of a full heap — 32 users each
// holding a 200 KB board while the kept lists are warm — can reach twice
// the live data: one full load test of six peaked at 185 MB resident
// against 126–141 for the rest (docs/performance.md § Memory). Near the
// limit the runtime collects sooner instead (at most half the CPU on
// collection, so it degrades rather than stalls). The province's live
// data is ~60–70 MB; exports and the load test ran as fast with the
// limit as without.
const serveMemoryLimit = 128 << 20

// applyMemoryLimit sets serveMemoryLimit unless GOMEMLIMIT is set (the
// runtime has applied that one itself), and reports the limit in force.
func applyMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	}
	debug.SetMemoryLimit(serveMemoryLimit)
	return serveMemoryLimit
}
