package db

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"gorm.io/gorm"
)

// readTrack records what one page read while it was built (TrackReads):
// the data versions its kept values were served or loaded under, and
// whether it read anything outside them (a statement of its own, not
// inside a kept value's load) or wrote. Only a page whose every read was
// a kept value's may itself be kept under those versions.
type readTrack struct {
	mu       sync.Mutex
	versions map[string]int64
	outside  bool
	stopped  bool
}

type trackKey struct{}

// keptLoadKey marks a context inside a kept value's load (or the read of
// the versions themselves): its statements read under versions already
// consulted, so they are not reads outside them.
type keptLoadKey struct{}

// TrackReads starts recording what a page built with the returned
// context reads, for a page kept whole (web's kept pages). The returned
// function stops recording and answers the data versions the page
// consulted, sorted by name, with the values it saw, and whether the page
// may be kept under them: false when it ran a statement outside a kept
// value (a live read: its data is not covered by any version), wrote
// anything, saw one version at two values, or when ctx has no version
// memo (not a page: nothing is tracked).
//
// The page is then exact under those versions for the reason a kept value
// is (VersionCache): every version was read before the data it covers, so
// while the database's versions are still the recorded ones nothing the
// page showed has been written since.
func TrackReads(ctx context.Context) (context.Context, func() (names []string, versions []int64, ok bool)) {
	if memoOf(ctx) == nil {
		return ctx, func() ([]string, []int64, bool) { return nil, nil, false }
	}
	t := &readTrack{versions: map[string]int64{}}
	return context.WithValue(ctx, trackKey{}, t), func() ([]string, []int64, bool) {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.stopped = true
		if t.outside {
			return nil, nil, false
		}
		names := slices.Sorted(maps.Keys(t.versions))
		vals := make([]int64, len(names))
		for i, n := range names {
			vals[i] = t.versions[n]
		}
		return names, vals, true
	}
}

func trackOf(ctx context.Context) *readTrack {
	if ctx == nil {
		return nil
	}
	t, _ := ctx.Value(trackKey{}).(*readTrack)
	return t
}

// keptLoad returns ctx marked as inside a kept value's load.
func keptLoad(ctx context.Context) context.Context {
	if trackOf(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, keptLoadKey{}, true)
}

// consulted records that ctx's page was served names at versions.
func consulted(ctx context.Context, names []string, versions []int64) {
	t := trackOf(ctx)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	for i, n := range names {
		if old, ok := t.versions[n]; ok && old != versions[i] {
			t.outside = true // a version moved while the page was built
		}
		t.versions[n] = versions[i]
	}
}

// readOutside records a statement ctx's page ran: a read outside every
// kept value unless ctx is inside a load, and any write.
func readOutside(ctx context.Context, write bool) {
	t := trackOf(ctx)
	if t == nil || !write && ctx.Value(keptLoadKey{}) != nil {
		return
	}
	t.mu.Lock()
	if !t.stopped {
		t.outside = true
	}
	t.mu.Unlock()
}

// registerReadTrack lets TrackReads see every read made through g (its
// writes are seen by registerMemoReset's callbacks).
func registerReadTrack(g *gorm.DB) error {
	read := func(tx *gorm.DB) { readOutside(tx.Statement.Context, false) }
	if err := g.Callback().Query().Before("gorm:query").Register("jike:track_query", read); err != nil {
		return fmt.Errorf("read track query callback: %w", err)
	}
	if err := g.Callback().Row().Before("gorm:row").Register("jike:track_row", read); err != nil {
		return fmt.Errorf("read track row callback: %w", err)
	}
	return nil
}
