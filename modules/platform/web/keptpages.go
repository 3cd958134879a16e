package web

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/valyala/bytebufferpool"
)

// PageReads starts recording what a page reads while it is built (see
// db.TrackReads): it returns the context to build the page in and a
// function that, once the page is built, answers the data versions the
// page's kept values were served under, with their values, and whether
// everything the page read was read under them.
type PageReads func(ctx context.Context) (context.Context, func() (names []string, versions []int64, ok bool))

// keptPages keeps whole pages — the HTML inside the layout — of the
// routes wrapped with Keep, per user, address and language, under the
// data versions of what each page read. A page rendered again from the
// same data is the same bytes, so while none of those versions moved, its
// next look is the layout written around the bytes kept: no statement
// beyond the session's (which reads the versions too), no template.
//
// Exact, as every kept value is: a page is kept only when everything it
// read came from kept values (a statement of its own, or any write,
// leaves it unkept: PageReads), and so under the versions of all of its
// data, each read before the data it covers. Everything else a page
// depends on is in its key: the user as the request sees them (every
// field of the subject, so a change of role, team or name is another
// key), the session's CSRF token, the language, the whole address with
// its query, and the request's cookies (a saved filter). What moves with
// the clock alone is bounded by the page's until: the next local midnight
// (today's date, the months offered), earlier when the handler says so
// (KeepUntil: a planned visit becoming overdue). A request with a flash
// message or from htmx is served afresh and not kept.
type keptPages struct {
	track    PageReads
	versions DataVersions
	now      func() time.Time
	loc      *time.Location
	maxBytes int

	mu      sync.Mutex
	entries map[pageKey]*keptPage
	bytes   int
	// inflight holds a channel per page being built, closed when done.
	inflight map[pageKey]chan struct{}

	// served, kept and unkept count the looks: answered from a kept
	// page, built and kept, built and not kept (KeptPageLooks).
	served, kept, unkept atomic.Int64
	// waits counts the looks that waited for another's build (tests).
	waits atomic.Int64
}

type pageKey struct {
	subject authz.Subject
	csrf    string
	lang    string
	url     string
	cookies string
}

// cookieKey is the request's cookies in a fixed order (a client may send
// them in any).
func cookieKey(c *fiber.Ctx) string {
	var pairs []string
	c.Request().Header.VisitAllCookie(func(k, v []byte) {
		pairs = append(pairs, string(k)+"="+string(v))
	})
	slices.Sort(pairs)
	return strings.Join(pairs, "; ")
}

// owned is k with every string copied: fiber's strings of a request
// (its address, headers and cookies) share the request's buffers, which
// the next request on the connection reuses; a key kept in the map must
// own its bytes.
func (k pageKey) owned() pageKey {
	k.subject.Username, k.subject.Name = strings.Clone(k.subject.Username), strings.Clone(k.subject.Name)
	k.subject.Role, k.subject.Lang = strings.Clone(k.subject.Role), strings.Clone(k.subject.Lang)
	k.csrf, k.lang, k.url, k.cookies = strings.Clone(k.csrf), strings.Clone(k.lang), strings.Clone(k.url), strings.Clone(k.cookies)
	return k
}

// keptPage is a page kept, or (main nil) a mark that the page at its key
// could not be kept, so that looks do not wait for each other's builds.
type keptPage struct {
	names    []string
	versions []int64
	until    time.Time
	title    string
	main     []byte
	size     int
}

// keptPagesMaxBytes bounds the pages kept (~16 MB: a thousand list pages
// of ~16 KB). When full, the pages past their until go first, then all.
const keptPagesMaxBytes = 16 << 20

// localPageBuild names, in a request being built for keeping, its
// pageBuild.
const localPageBuild = "web.pagebuild"

// pageBuild is what ViewStatus learns about a page being built for
// keeping.
type pageBuild struct {
	until time.Time
	done  func() ([]string, []int64, bool)

	names    []string
	versions []int64
	ok       bool
	main     []byte
	title    string
}

// SetPageCache keeps the pages of the routes wrapped with Keep: track
// records what a page reads, versions reads the current data versions
// (from the request's memo), now is the clock of the pages' until (nil:
// time.Now). Without it Keep serves every page afresh.
func (s *Server) SetPageCache(track PageReads, versions DataVersions, now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.pages = &keptPages{track: track, versions: versions, now: now, loc: s.opts.Location,
		maxBytes: keptPagesMaxBytes, entries: map[pageKey]*keptPage{}, inflight: map[pageKey]chan struct{}{}}
}

// Keep wraps a page's handler so that its page is kept and served again
// while nothing it shows can have changed (keptPages). For GET pages
// whose content depends only on the database, the request's address and
// cookies, the user and the clock's day (or KeepUntil).
func (s *Server) Keep(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		kp := s.pages
		me := Subject(c)
		if kp == nil || me == nil || c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead ||
			len(c.Request().Header.Peek("HX-Request")) > 0 || c.Cookies(flashCookie) != "" {
			return h(c)
		}
		key := pageKey{subject: *me, csrf: CSRFToken(c), lang: Lang(c), url: c.OriginalURL(),
			cookies: cookieKey(c)}
		now := kp.now()
		ctx := c.UserContext()
		// One build per page at a time: a look that finds the page being
		// built waits for it (32 people at a board when its minute turns
		// would build it 32 times), once; a page found not keepable is
		// built by each look without waiting, for a minute.
		for waited := false; ; waited = true {
			e := kp.get(key)
			if e != nil && now.Before(e.until) {
				if e.main == nil {
					break
				}
				cur, err := kp.versions(ctx, e.names)
				if err != nil {
					return err
				}
				if slices.Equal(cur, e.versions) {
					kp.served.Add(1)
					return s.serveKept(c, e)
				}
			}
			if waited {
				break
			}
			ch, mine := kp.building(key)
			if mine {
				defer kp.built(key, ch)
				break
			}
			kp.waits.Add(1)
			<-ch
		}
		tracked, done := kp.track(ctx)
		c.SetUserContext(tracked)
		b := &pageBuild{until: nextMidnight(now, kp.loc), done: done}
		c.Locals(localPageBuild, b)
		cookies := setCookies(c)
		err := h(c)
		c.Locals(localPageBuild, nil)
		c.SetUserContext(ctx)
		if err == nil && b.ok && b.main != nil && c.Response().StatusCode() == fiber.StatusOK &&
			setCookies(c) == cookies && now.Before(b.until) {
			kp.put(key, &keptPage{names: b.names, versions: b.versions, until: b.until, title: b.title, main: b.main})
			kp.kept.Add(1)
		} else {
			kp.put(key, &keptPage{until: now.Add(time.Minute)}) // not keepable: no waiting for a minute
			kp.unkept.Add(1)
		}
		return err
	}
}

// building registers the caller as the one building k, or returns the
// channel closed when the one building it is done.
func (kp *keptPages) building(k pageKey) (ch chan struct{}, mine bool) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if ch, ok := kp.inflight[k]; ok {
		return ch, false
	}
	ch = make(chan struct{})
	kp.inflight[k.owned()] = ch
	return ch, true
}

// built ends the build of k: the looks waiting for it go on.
func (kp *keptPages) built(k pageKey, ch chan struct{}) {
	kp.mu.Lock()
	delete(kp.inflight, k)
	kp.mu.Unlock()
	close(ch)
}

// setCookies counts the cookies the response sets: a page that sets one
// (a saved filter, a consumed message) is not kept, since serving it
// again would not set it again.
func setCookies(c *fiber.Ctx) int {
	n := 0
	c.Response().Header.VisitAllCookie(func(_, _ []byte) { n++ })
	return n
}

// KeepUntil tells a page being kept that what it shows changes by the
// clock at t (a visit becoming overdue): it is built afresh from then on.
func KeepUntil(c *fiber.Ctx, t time.Time) {
	if b, ok := c.Locals(localPageBuild).(*pageBuild); ok && b != nil && t.Before(b.until) {
		b.until = t
	}
}

// nextMidnight is the start of the local day after now's.
func nextMidnight(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.Local
	}
	n := now.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day()+1, 0, 0, 0, 0, loc)
}

func (kp *keptPages) get(k pageKey) *keptPage {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	return kp.entries[k]
}

func (kp *keptPages) put(k pageKey, e *keptPage) {
	e.size = len(e.main) + len(e.title) + len(k.url) + len(k.cookies) + 64*len(e.names) + 256
	if e.size > kp.maxBytes/8 {
		return
	}
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if old, ok := kp.entries[k]; ok {
		kp.bytes -= old.size
		delete(kp.entries, k)
	}
	if kp.bytes+e.size > kp.maxBytes {
		now := kp.now()
		for key, old := range kp.entries {
			if !now.Before(old.until) {
				kp.bytes -= old.size
				delete(kp.entries, key)
			}
		}
		if kp.bytes+e.size > kp.maxBytes*3/4 {
			kp.entries, kp.bytes = map[pageKey]*keptPage{}, 0
		}
	}
	kp.entries[k.owned()] = e
	kp.bytes += e.size
}

// KeptPageLooks counts the looks at pages wrapped with Keep since the
// start: served from a kept page, built and kept, and built but not kept
// (a read outside kept values, a cookie set, an error; an htmx request
// or one with a message is not counted). For the metrics and tests.
func (s *Server) KeptPageLooks() (served, kept, unkept int64) {
	if s.pages == nil {
		return 0, 0, 0
	}
	return s.pages.served.Load(), s.pages.kept.Load(), s.pages.unkept.Load()
}

// serveKept writes the layout around a kept page.
func (s *Server) serveKept(c *fiber.Ctx, e *keptPage) error {
	p := s.newPage(c)
	p.Title = e.title
	out := bytebufferpool.Get()
	defer bytebufferpool.Put(out)
	if err := writeLayout(out, layoutBase, &p, e.main); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(fiber.StatusOK)
	c.Response().Header.SetContentType(fiber.MIMETextHTMLCharsetUTF8)
	c.Response().SetBody(out.B)
	return nil
}

// viewForKeeping renders the page of a request being built for keeping
// (Keep): the page's reads end here, before the layout's (the bell's
// count is the layout's, not the page's), and its HTML is kept apart
// from the layout.
func (s *Server) viewForKeeping(c *fiber.Ctx, b *pageBuild, name string, v Viewer) error {
	b.names, b.versions, b.ok = b.done()
	p := v.page()
	title := p.Title
	*p = s.newPage(c)
	if title != "" {
		p.Title = title
	}
	main := bytebufferpool.Get()
	defer bytebufferpool.Put(main)
	if err := s.engine.execute(main, name, v); err != nil {
		return err
	}
	out := bytebufferpool.Get()
	defer bytebufferpool.Put(out)
	if err := writeLayout(out, layoutBase, p, main.B); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(fiber.StatusOK)
	c.Response().Header.SetContentType(fiber.MIMETextHTMLCharsetUTF8)
	c.Response().SetBody(out.B)
	b.main, b.title = bytes.Clone(main.B), p.Title
	return nil
}
