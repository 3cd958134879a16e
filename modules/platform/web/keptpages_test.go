package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
)

type keptTestView struct {
	Page
	N int
	Q string
}

// keptFixture is a server with one kept page whose data versions, reads
// and clock the test sets.
type keptFixture struct {
	srv *Server

	mu       sync.Mutex
	versions map[string]int64
	outside  bool // the page reads outside its kept values
	builds   int
	now      time.Time
	unread   int64
	release  chan struct{} // a ?slow=1 build waits for it
}

func newKeptFixture(t *testing.T) *keptFixture {
	t.Helper()
	fsys := fstest.MapFS{"t/page.html": {Data: []byte(`<main><p id="n">{{.N}}</p><p id="q">{{.Q}}</p></main>`)}}
	srv, err := New(Options{I18n: exampleBundle(t), Templates: fsys, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	f := &keptFixture{srv: srv, versions: map[string]int64{"a": 1, "b": 1}, release: make(chan struct{}),
		now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	names := []string{"a", "b"}
	srv.SetPageCache(func(ctx context.Context) (context.Context, func() ([]string, []int64, bool)) {
		f.mu.Lock()
		seen := []int64{f.versions["a"], f.versions["b"]}
		f.mu.Unlock()
		return ctx, func() ([]string, []int64, bool) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return names, seen, !f.outside
		}
	}, func(_ context.Context, ns []string) ([]int64, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		out := make([]int64, len(ns))
		for i, n := range ns {
			out[i] = f.versions[n]
		}
		return out, nil
	}, func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now })
	srv.SetUnreadCounter(func(context.Context, uint) (int64, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.unread, nil
	})
	srv.App.Use(func(c *fiber.Ctx) error {
		if u := c.Get("X-User"); u != "" {
			id, _ := strconv.Atoi(u)
			SetSubject(c, &authz.Subject{ID: uint(id), Name: "用户" + u, Role: c.Get("X-Role")})
			SetSessionCSRF(c, "tok"+u)
		}
		if l := c.Get("X-Lang"); l != "" {
			c.Locals(localLang, l)
		}
		return c.Next()
	})
	srv.App.Get("/p", srv.Keep(func(c *fiber.Ctx) error {
		if c.Query("slow") != "" {
			<-f.release
		}
		f.mu.Lock()
		f.builds++
		n := f.builds
		until := f.now.Add(time.Minute)
		f.mu.Unlock()
		switch {
		case c.Query("cookie") != "":
			c.Cookie(&fiber.Cookie{Name: "pref", Value: "x"})
		case c.Query("until") != "":
			KeepUntil(c, until)
		case c.Query("gone") != "":
			return c.Status(fiber.StatusNotFound).SendString("gone")
		case c.Query("plain") != "":
			return c.SendString("plain " + strconv.Itoa(n))
		}
		return srv.View(c, "t/page", &keptTestView{N: n, Q: c.Query("q")})
	}))
	return f
}

func (f *keptFixture) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

// look requests path as user 7 (a director, zh-CN) unless headers say
// otherwise, and returns the status, the body and the builds so far.
func (f *keptFixture) look(t *testing.T, method, path string, header ...string) (int, string, int) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("X-User", "7")
	req.Header.Set("X-Role", "director")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	return res.StatusCode, string(b), f.builds
}

// TestKeepServesUntilSomethingMoves: a kept page is served again, the
// layout written afresh around it, only while its versions, its key (the
// user, the token, the language, the address, the cookies) and its
// clock's bound hold; and only a page built wholly from kept values,
// rendered through View with 200 and no cookie set, is kept.
func TestKeepServesUntilSomethingMoves(t *testing.T) {
	f := newKeptFixture(t)
	want := func(t *testing.T, label, path string, builds int, header ...string) string {
		t.Helper()
		status, body, got := f.look(t, http.MethodGet, path, header...)
		if status != http.StatusOK || got != builds {
			t.Fatalf("%s: status %d, %d builds, want 200 and %d", label, status, got, builds)
		}
		return body
	}
	first := want(t, "first look", "/p?q=a", 1)
	if !strings.Contains(first, `<p id="n">1</p>`) || !strings.Contains(first, "<!doctype html>") {
		t.Fatalf("first look is not the page in its layout:\n%s", first)
	}
	if again := want(t, "second look", "/p?q=a", 1); again != first {
		t.Fatalf("the kept page differs from the page built:\n%s\n----\n%s", again, first)
	}
	if served, kept, unkept := f.srv.KeptPageLooks(); served != 1 || kept != 1 || unkept != 0 {
		t.Fatalf("looks served %d kept %d unkept %d, want 1 1 0", served, kept, unkept)
	}

	// The layout is the request's: the bell counts what is unread now.
	f.set(func() { f.unread = 3 })
	if body := want(t, "a notice arrived", "/p?q=a", 1); !strings.Contains(body, `<span class="bell-count">3</span>`) ||
		!strings.Contains(body, `<p id="n">1</p>`) {
		t.Fatalf("a kept page in a stale layout:\n%s", body)
	}

	// Every part of the key is its own page.
	builds := 1
	for _, k := range []struct {
		label, path string
		header      []string
	}{
		{"another query", "/p?q=b", nil},
		{"another user", "/p?q=a", []string{"X-User", "8"}},
		{"another role", "/p?q=a", []string{"X-Role", "admin"}},
		{"another language", "/p?q=a", []string{"X-Lang", "en"}},
		{"another cookie", "/p?q=a", []string{"Cookie", "jike_filter=grade%3DA"}},
	} {
		builds++
		want(t, k.label, k.path, builds, k.header...)
		want(t, k.label+", again", k.path, builds, k.header...)
	}

	// A version the page read moved: built again, then kept again.
	f.set(func() { f.versions["b"]++ })
	builds++
	if body := want(t, "after a write", "/p?q=a", builds); !strings.Contains(body, `<p id="n">`+strconv.Itoa(builds)+`</p>`) {
		t.Fatalf("after a write the old page was served:\n%s", body)
	}
	want(t, "after a write, again", "/p?q=a", builds)
	// A version it did not read moves nothing.
	f.set(func() { f.versions["c"]++ })
	want(t, "a write elsewhere", "/p?q=a", builds)

	// The clock: KeepUntil's moment, and midnight for any page.
	builds++
	want(t, "until", "/p?until=1", builds)
	want(t, "until, before", "/p?until=1", builds)
	f.set(func() { f.now = f.now.Add(time.Minute) })
	builds++
	want(t, "until, reached", "/p?until=1", builds)
	f.set(func() { f.now = time.Date(2026, 12, 2, 23, 59, 59, 0, time.UTC) })
	want(t, "before midnight", "/p?q=a", builds)
	f.set(func() { f.now = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC) })
	builds++
	want(t, "after midnight", "/p?q=a", builds)

	// Never kept: read outside its kept values, set a cookie, not 200,
	// not through View; and never served to htmx or with a message.
	never := []struct {
		label, path string
		status      int
		header      []string
	}{
		{"cookie set", "/p?cookie=1", 200, nil},
		{"not found", "/p?gone=1", 404, nil},
		{"not a view", "/p?plain=1", 200, nil},
		{"htmx", "/p?q=a", 200, []string{"HX-Request", "true"}},
		{"a message", "/p?q=a", 200, []string{"Cookie", flashCookie + "=ok:saved"}},
	}
	for _, n := range never {
		for range 2 {
			builds++
			status, _, got := f.look(t, http.MethodGet, n.path, n.header...)
			if status != n.status || got != builds {
				t.Fatalf("%s: status %d, %d builds, want %d and %d", n.label, status, got, n.status, builds)
			}
		}
	}
	f.set(func() { f.outside = true })
	for range 2 {
		builds++
		want(t, "read outside", "/p?q=outside", builds)
	}
	// Signed out: not kept.
	for range 2 {
		if _, err := f.srv.App.Test(httptest.NewRequest(http.MethodGet, "/p?plain=1", nil), -1); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, got := f.look(t, http.MethodGet, "/p?q=a"); got != builds+2 {
		t.Fatalf("signed-out looks: %d builds, want %d", got, builds+2)
	}
}

// TestKeptPagesBounded: the pages kept stay under their byte budget; the
// ones past their bound go first.
func TestKeptPagesBounded(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	kp := &keptPages{now: func() time.Time { return now }, maxBytes: 64 << 10, entries: map[pageKey]*keptPage{}}
	page := func(i int, until time.Time) (pageKey, *keptPage) {
		return pageKey{url: "/p?" + strconv.Itoa(i)}, &keptPage{until: until, main: make([]byte, 4<<10)}
	}
	for i := range 40 {
		k, e := page(i, now.Add(time.Duration(i%2)*time.Hour))
		kp.put(k, e)
		if kp.bytes > kp.maxBytes {
			t.Fatalf("after %d pages %d bytes kept, above %d", i+1, kp.bytes, kp.maxBytes)
		}
	}
	if kp.get(pageKey{url: "/p?39"}) == nil {
		t.Fatal("the last page put is not kept")
	}
	k, e := page(99, now.Add(time.Hour))
	e.main = make([]byte, kp.maxBytes/8+1)
	kp.put(k, e)
	if kp.get(k) != nil {
		t.Fatal("a page above an eighth of the budget was kept")
	}
	keys := make([]string, 0)
	for k := range kp.entries {
		keys = append(keys, k.url)
	}
	slices.Sort(keys)
	total := 0
	for _, e := range kp.entries {
		total += e.size
	}
	if total != kp.bytes {
		t.Fatalf("bytes counted %d, held %d (%v)", kp.bytes, total, keys)
	}
}

// TestKeepBuildsOncePerPage: looks at a page while it is being built wait
// for that build and are served its page (one build, not one per look);
// looks at a page that cannot be kept do not wait for each other.
func TestKeepBuildsOncePerPage(t *testing.T) {
	for _, c := range []struct {
		name, path string
		builds     int
	}{{"keepable", "/p?slow=1", 1}, {"not keepable", "/p?slow=1&cookie=1", 8}} {
		t.Run(c.name, func(t *testing.T) {
			f := newKeptFixture(t)
			if c.builds > 1 {
				// A first look marks the page not keepable.
				go func() { f.release <- struct{}{} }()
				f.look(t, http.MethodGet, c.path)
			}
			before := f.builds
			const looks = 8
			bodies := make(chan string, looks)
			for range looks {
				go func() {
					_, body, _ := f.look(t, http.MethodGet, c.path)
					bodies <- body
				}()
			}
			if c.builds == 1 {
				// Every look but the builder's waits for the build.
				for deadline := time.Now().Add(10 * time.Second); f.srv.pages.waits.Load() < looks-1; {
					if time.Now().After(deadline) {
						t.Fatalf("%d looks wait for the build, want %d", f.srv.pages.waits.Load(), looks-1)
					}
					time.Sleep(time.Millisecond)
				}
				close(f.release)
			} else {
				for range looks {
					f.release <- struct{}{} // each look builds: none waits for another
				}
			}
			first := <-bodies
			for range looks - 1 {
				if b := <-bodies; b != first && c.builds == 1 {
					t.Fatal("looks that waited were served another page than the one built")
				}
			}
			if got := f.builds - before; got != c.builds {
				t.Fatalf("%d builds for %d looks, want %d", got, looks, c.builds)
			}
			if c.builds > 1 && f.srv.pages.waits.Load() != 0 {
				t.Fatalf("%d looks waited for a page that cannot be kept", f.srv.pages.waits.Load())
			}
		})
	}
}
