package web

import (
	"context"
	"fmt"
	"html/template"
	"slices"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// DataVersions reads the current versions of the named data sets (the
// database's cache_versions, see db.DataVersions), in the order given. It
// must read the primary: a panel is kept under these versions and must
// not be older than they say.
type DataVersions func(ctx context.Context, names []string) ([]int64, error)

// panelCache keeps each user's rendered home panels under the versions of
// the data they read (HomePanel.Reads) and the minute they were made.
//
// A panel is served from it only while every version it read is still
// the database's and the minute has not turned: no write, by anyone in
// any jike instance, is ever hidden by it (every write bumps the versions
// of its tables in its own transaction, by trigger), and what moves with
// the clock alone (a visit becoming overdue, a service request's
// response time running out, today's agenda) is at most a minute behind.
// The versions are read before the panel's own statements, so a panel
// kept under version v shows v's data or newer, never older; its
// statements are pinned to the primary (Options.Pin) so that a lagging
// replica cannot make it older either.
//
// The key is the user as the request sees them (every field of the
// subject: a change of role, team or name is a new key), the session's
// CSRF token (panels carry forms), the language and the panel. At most
// max entries are kept; when full the map is emptied (a province's
// signed-in users times a dozen panels; each a few KB).
//
// Not a db.VersionCache: each panel reads its own set of versions, and a
// home page reads the union of them in one statement (DataVersions) for a
// dozen panels; each entry therefore keeps the versions it was made at.
// The web package learns the versions through that function only, so it
// does not depend on the database package.
type panelCache struct {
	versions DataVersions
	now      func() time.Time
	pin      func(context.Context) context.Context
	max      int

	mu      sync.Mutex
	entries map[panelKey]panelEntry
}

type panelKey struct {
	subject  string
	csrf     string
	lang     string
	template string
	minute   int64
}

type panelEntry struct {
	versions []int64
	html     template.HTML
}

// panelCacheMax bounds the entries kept (about 20 MB at 4 KB each).
const panelCacheMax = 5000

// SetPanelCache keeps the rendered home panels that declare what they
// read (HomePanel.Reads) under the versions versions reads; now is the
// clock of the minute in the key (nil: time.Now), pin marks a context
// whose reads must all go to the primary (nil: none, when there is no
// replica). Without it every panel is loaded on every request.
func (s *Server) SetPanelCache(versions DataVersions, now func() time.Time, pin func(context.Context) context.Context) {
	if now == nil {
		now = time.Now
	}
	if pin == nil {
		pin = func(ctx context.Context) context.Context { return ctx }
	}
	s.panelCache = &panelCache{versions: versions, now: now, pin: pin, max: panelCacheMax, entries: map[panelKey]panelEntry{}}
}

// panelCtxKey names, in a request's context, the home panel being loaded.
type panelCtxKey struct{}

// PanelOf tells which home panel (its template) a context is loading for,
// or "": for logs and for the test that checks each panel's Reads against
// the tables its statements read.
func PanelOf(ctx context.Context) string {
	name, _ := ctx.Value(panelCtxKey{}).(string)
	return name
}

// readNames is the union of the cached panels' Reads, sorted.
func readNames(panels []HomePanel) []string {
	var names []string
	for _, p := range panels {
		names = append(names, p.Reads...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// versionsOf picks a panel's versions out of all read ones.
func versionsOf(p HomePanel, names []string, all []int64) []int64 {
	out := make([]int64, len(p.Reads))
	for i, n := range p.Reads {
		j, _ := slices.BinarySearch(names, n)
		out[i] = all[j]
	}
	return out
}

// who is the part of a panel's key that names the request's user, made
// once per home page (nil: not signed in, nothing is kept).
func (pc *panelCache) who(c *fiber.Ctx) *panelKey {
	me := Subject(c)
	if me == nil {
		return nil
	}
	return &panelKey{subject: fmt.Sprintf("%+v", *me), csrf: CSRFToken(c), lang: Lang(c), minute: pc.now().Unix() / 60}
}

// lookup returns p's kept HTML for the user who, if it was made at
// versions (p's current ones).
func (pc *panelCache) lookup(who *panelKey, p HomePanel, versions []int64) (template.HTML, bool) {
	if who == nil {
		return "", false
	}
	key := *who
	key.template = p.Template
	pc.mu.Lock()
	e, ok := pc.entries[key]
	pc.mu.Unlock()
	if ok && slices.Equal(e.versions, versions) {
		return e.html, true
	}
	return "", false
}

// store keeps p's HTML for the user who, made at versions (read before
// the panel's statements).
func (pc *panelCache) store(who *panelKey, p HomePanel, versions []int64, html template.HTML) {
	if who == nil {
		return
	}
	key := *who
	key.template = p.Template
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.entries) >= pc.max {
		pc.entries = map[panelKey]panelEntry{}
	}
	pc.entries[key] = panelEntry{versions: versions, html: html}
}
