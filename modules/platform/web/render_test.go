package web

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"
)

// testViews is the renderer over a small template set whose page calls
// meet: a barrier that returns only when n renders are inside it at once.
func testViews(t *testing.T, meet func() string) views {
	t.Helper()
	fsys := fstest.MapFS{
		"page.html": {Data: []byte(`{{meet}}<p>{{.Title}}</p>`)},
	}
	e := html.NewFileSystem(http.FS(fsys), ".html")
	e.AddFunc("meet", meet)
	if err := e.Load(); err != nil {
		t.Fatal(err)
	}
	return newViews(e)
}

// Pages are rendered in their layout at the same time: the engine's own
// layout path held one lock for every render, so a second page waited
// for the first to finish (and here would wait for ever: the first waits
// for the second at the barrier). Each page gets its own markup in its
// own layout.
func TestLayoutRendersRunAtOnce(t *testing.T) {
	const n = 2
	var arrived sync.WaitGroup
	arrived.Add(n)
	v := testViews(t, func() string { arrived.Done(); arrived.Wait(); return "" })
	v.slots = make(chan struct{}, n) // as on a machine with n processors
	l := exampleBundle(t).For("zh-CN")

	type result struct {
		out string
		err error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			var b strings.Builder
			p := &Page{L: l, Title: []string{"甲 <a>", "乙"}[i]}
			err := v.Render(&b, "page", p, layoutBase)
			results <- result{b.String(), err}
		}()
	}
	var got []string
	for range n {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatal(r.err)
			}
			got = append(got, r.out)
		case <-time.After(10 * time.Second):
			t.Fatal("the renders did not run at once: one waited for the other")
		}
	}
	for _, title := range []string{"甲 &lt;a&gt;", "乙"} {
		n := 0
		for _, out := range got {
			if strings.Contains(out, "<title>"+title+" · 集客 CRM</title>") &&
				strings.Contains(out, "<main class=\"container\">\n\n\n<p>"+title+"</p>\n</main>") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d renders gave the page titled %s in its layout; got %q", n, title, got)
		}
	}
}

// No more renders run at once than there are slots: with one slot the
// second render starts only when the first has finished.
func TestRenderSlots(t *testing.T) {
	var inside, most atomic.Int32
	v := testViews(t, func() string {
		n := inside.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		time.Sleep(20 * time.Millisecond)
		inside.Add(-1)
		return ""
	})
	v.slots = make(chan struct{}, 1)
	l := exampleBundle(t).For("zh-CN")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := v.Render(io.Discard, "page", &Page{L: l}, layoutBase); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d renders ran at once with one slot", most.Load())
	}
}

// A map page is put in its layout like a typed one (its title is the
// map's); no layout renders the template alone; an unknown layout or a
// binding without a page is an error, not an empty page.
func TestRenderBindings(t *testing.T) {
	v := testViews(t, func() string { return "" })
	l := exampleBundle(t).For("zh-CN")
	var b strings.Builder
	if err := v.Render(&b, "page", fiber.Map{"L": l, "Title": "图"}, layoutBase); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "<title>图 · 集客 CRM</title>") || !strings.Contains(b.String(), "\n<p>图</p>\n</main>") {
		t.Errorf("map page = %s", b.String())
	}
	b.Reset()
	if err := v.Render(&b, "page", fiber.Map{"Title": "片"}); err != nil || b.String() != `<p>片</p>` {
		t.Errorf("fragment = %q, %v", b.String(), err)
	}
	if err := v.Render(&b, "page", fiber.Map{}, "layouts/none"); err == nil {
		t.Error("an unknown layout rendered")
	}
	if err := v.Render(&b, "page", struct{ Title string }{"x"}, layoutBase); err == nil {
		t.Error("a binding without a Page rendered in a layout")
	}
}

// A page larger than any pooled buffer comes out whole, between the
// layout's head and its foot.
func TestRenderLargePage(t *testing.T) {
	v := testViews(t, func() string { return "" })
	l := exampleBundle(t).For("zh-CN")
	big := strings.Repeat("长", 100<<10)
	var b strings.Builder
	if err := v.Render(&b, "page", &Page{L: l, Title: big}, layoutBase); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "\n<p>"+big+"</p>\n</main>\n") || !strings.HasSuffix(out, "</body>\n</html>\n") {
		t.Errorf("a 300 KB page came out as %d bytes", len(out))
	}
}
