package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/par"
)

// homeFixture is a server whose /home writes the home panels one per
// line, with panels the test registers.
type homeFixture struct {
	srv *Server

	mu       sync.Mutex
	versions map[string]int64
	loads    map[string]int
	running  int // panels loading now
	most     int // the most loading at once
}

// newHomeFixture makes the server, with a template h/<name> for each
// panel the test will register: views (typed, with their Page) and maps.
func newHomeFixture(t *testing.T, views, maps []string) *homeFixture {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, n := range views {
		fsys["h/"+n+".html"] = &fstest.MapFile{Data: []byte(`<p>{{.Name}} {{.N}} {{.Lang}}</p>`)}
	}
	for _, n := range maps {
		fsys["h/"+n+".html"] = &fstest.MapFile{Data: []byte(`<p>{{.Name}} {{.N}}</p>`)}
	}
	srv, err := New(Options{I18n: exampleBundle(t), Templates: fsys, Location: time.UTC, Spare: par.NewSpare(8)})
	if err != nil {
		t.Fatal(err)
	}
	f := &homeFixture{srv: srv, versions: map[string]int64{"a": 1}, loads: map[string]int{}}
	srv.SetUnreadCounter(func(context.Context, uint) (int64, error) { return 0, nil })
	srv.App.Use(func(c *fiber.Ctx) error {
		SetSubject(c, &authz.Subject{ID: 7, Name: "用户7", Role: "director"})
		SetSessionCSRF(c, "tok7")
		return c.Next()
	})
	srv.App.Get("/home", func(c *fiber.Ctx) error {
		panels, err := srv.HomePanels(c)
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, p := range panels {
			b.WriteString(string(p) + "\n")
		}
		return c.SendString(b.String())
	})
	return f
}

// panel registers the panel name (template h/<name>, a typed view or a
// map) whose load runs wait first, then counts itself.
func (f *homeFixture) panel(t *testing.T, order int, name string, view bool, reads []string, wait func(ctx context.Context) error) {
	t.Helper()
	tmpl := "h/" + name
	load := func(ctx context.Context, me authz.Subject) (string, int, error) {
		if got := PanelOf(ctx); got != tmpl {
			return "", 0, fmt.Errorf("panel %s loads under PanelOf %q", name, got)
		}
		if me.ID != 7 {
			return "", 0, fmt.Errorf("panel %s got user %d", name, me.ID)
		}
		f.mu.Lock()
		f.running++
		f.most = max(f.most, f.running)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.running--
			f.mu.Unlock()
		}()
		if wait != nil {
			if err := wait(ctx); err != nil {
				return "", 0, err
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.loads[name]++
		return name, f.loads[name], nil
	}
	p := HomePanel{Order: order, Perm: LoggedIn(), Template: tmpl, Reads: reads}
	if view {
		p.View = func(ctx context.Context, me authz.Subject) (Viewer, error) {
			n, i, err := load(ctx, me)
			if err != nil {
				return nil, err
			}
			return &homeTestView{Name: n, N: i}, nil
		}
	} else {
		p.Load = func(ctx context.Context, me authz.Subject) (fiber.Map, error) {
			n, i, err := load(ctx, me)
			return fiber.Map{"Name": n, "N": i}, err
		}
	}
	f.srv.AddHomePanel(p)
}

type homeTestView struct {
	Page
	Name string
	N    int
}

func (f *homeFixture) home(t *testing.T) (int, string) {
	t.Helper()
	res, err := f.srv.App.Test(httptest.NewRequest("GET", "/home", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// barrier is a wait that returns once n loads have reached it (or fails
// after a while: the loads were not running at once).
func barrier(n int) func(ctx context.Context) error {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return func(ctx context.Context) error {
		mu.Lock()
		arrived++
		if arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return nil
		case <-time.After(5 * time.Second):
			return errors.New("the panels were not loaded at once")
		}
	}
}

// TestHomePanelsLoadAtOnce: the panels a home page must build are loaded
// at once with goroutines to spare (panels that each wait for the others
// finish), at most homeLoads at a time, each under its own PanelOf and the user, and come
// out rendered in the panels' order, typed views with their Page.
func TestHomePanelsLoadAtOnce(t *testing.T) {
	f := newHomeFixture(t, []string{"p1", "p3"}, []string{"p0", "p2", "last"})
	meet := barrier(homeLoads)
	for i := range homeLoads {
		f.panel(t, i, fmt.Sprintf("p%d", i), i%2 == 1, nil, meet)
	}
	f.panel(t, 99, "last", false, nil, nil)
	status, body := f.home(t)
	if status != fiber.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	want := "<p>p0 1</p>\n<p>p1 1 zh-CN</p>\n<p>p2 1</p>\n<p>p3 1 zh-CN</p>\n<p>last 1</p>\n"
	if body != want {
		t.Fatalf("home:\n%s\nwant:\n%s", body, want)
	}
	if f.most < 2 || f.most > homeLoads {
		t.Fatalf("at most %d panels loaded at once, want 2..%d", f.most, homeLoads)
	}
}

// TestHomePanelFailures: a panel's error or panic is the page's error
// (500), not the process's end, and the next home page is served.
func TestHomePanelFailures(t *testing.T) {
	f := newHomeFixture(t, []string{"bad"}, []string{"ok"})
	fail := errors.New("boom")
	var mode string
	f.panel(t, 1, "ok", false, nil, nil)
	f.panel(t, 2, "bad", true, nil, func(context.Context) error {
		switch mode {
		case "error":
			return fail
		case "panic":
			panic("panel panicked")
		}
		return nil
	})
	for _, m := range []string{"error", "panic", ""} {
		mode = m
		status, body := f.home(t)
		if m == "" {
			if status != fiber.StatusOK || !strings.Contains(body, "<p>bad") {
				t.Fatalf("after the failures: %d %s", status, body)
			}
			continue
		}
		if status != fiber.StatusInternalServerError {
			t.Fatalf("%s: status %d, want 500: %s", m, status, body)
		}
	}
}

// TestHomePanelsKept: with the panel cache, a panel that names its reads
// is loaded again only when one of its versions moves; one that names
// none is loaded on every page; the kept and the fresh come out in order.
func TestHomePanelsKept(t *testing.T) {
	f := newHomeFixture(t, []string{"live", "kept2"}, []string{"kept"})
	f.srv.SetPanelCache(func(_ context.Context, names []string) ([]int64, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		out := make([]int64, len(names))
		for i, n := range names {
			out[i] = f.versions[n]
		}
		return out, nil
	}, func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) }, nil)
	f.panel(t, 1, "kept", false, []string{"a"}, nil)
	f.panel(t, 2, "live", true, nil, nil)
	f.panel(t, 3, "kept2", true, []string{"a"}, nil)
	for i, want := range []string{
		"<p>kept 1</p>\n<p>live 1 zh-CN</p>\n<p>kept2 1 zh-CN</p>\n",
		"<p>kept 1</p>\n<p>live 2 zh-CN</p>\n<p>kept2 1 zh-CN</p>\n",
		"<p>kept 2</p>\n<p>live 3 zh-CN</p>\n<p>kept2 2 zh-CN</p>\n",
	} {
		if i == 2 {
			f.mu.Lock()
			f.versions["a"]++
			f.mu.Unlock()
		}
		status, body := f.home(t)
		if status != fiber.StatusOK || body != want {
			t.Fatalf("look %d: %d\n%s\nwant:\n%s", i+1, status, body, want)
		}
	}
}
