package web

import (
	"runtime"
	"testing"

	"github.com/valyala/fasthttp"
)

// A chunked request whose client went away leaves its kept state behind;
// once fasthttp's pool drops the context, the sweep must drop the entry,
// or a stream of such clients grows the map for the life of the process.
// Entries of requests still alive must survive the sweep.
func TestSweepReadingDropsGoneRequests(t *testing.T) {
	s := &Server{}
	chunked := func(path string) *fasthttp.RequestHeader {
		h := new(fasthttp.RequestHeader)
		h.SetRequestURI(path)
		h.SetContentLength(-1)
		return h
	}
	var live []*fasthttp.RequestHeader
	for i := 0; i < maxReading; i++ {
		h := chunked("/api/v1/contracts")
		s.headerReceived(h)
		if i < 10 {
			live = append(live, h)
		}
	}
	if n := s.readingN.Load(); n != maxReading {
		t.Fatalf("kept %d states, want %d", n, maxReading)
	}
	runtime.GC()
	last := chunked("/api/v1/customers")
	s.headerReceived(last) // one over the bound: sweeps
	if n := s.readingN.Load(); n < 11 || n > 12 {
		t.Fatalf("after the sweep %d states are kept, want the 11 live ones", n)
	}
	for _, h := range append(live, last) {
		st, ok := s.forgetRead(h)
		if !ok || st.path == "" {
			t.Fatalf("a live request's state was swept: %+v %v", st, ok)
		}
	}
}
