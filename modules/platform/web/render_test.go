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
		"layouts/base.html": {Data: []byte(`<main title="{{.Title}}">{{.Main}}</main>`)},
		"page.html":         {Data: []byte(`{{meet}}<p>{{.Title}}</p>`)},
		// a layout that shows .Main as text, not as markup
		"layouts/quoted.html": {Data: []byte(`<main title="{{.Main}}"></main>`)},
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

	type result struct {
		out string
		err error
	}
	results := make(chan result, n)
	for i := range n {
		go func() {
			var b strings.Builder
			p := &Page{Title: []string{"甲 <a>", "乙"}[i]}
			err := v.Render(&b, "page", p, layoutBase)
			results <- result{b.String(), err}
		}()
	}
	got := map[string]bool{}
	for range n {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatal(r.err)
			}
			got[r.out] = true
		case <-time.After(10 * time.Second):
			t.Fatal("the renders did not run at once: one waited for the other")
		}
	}
	for _, want := range []string{
		`<main title="甲 &lt;a&gt;"><p>甲 &lt;a&gt;</p></main>`,
		`<main title="乙"><p>乙</p></main>`,
	} {
		if !got[want] {
			t.Errorf("no render gave %s; got %v", want, got)
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
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := v.Render(io.Discard, "page", &Page{}, layoutBase); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d renders ran at once with one slot", most.Load())
	}
}

// A map page gets its markup as "Main"; no layout renders the template
// alone; an unknown layout or a binding the layout cannot carry the page
// in is an error, not an empty page.
func TestRenderBindings(t *testing.T) {
	v := testViews(t, func() string { return "" })
	var b strings.Builder
	if err := v.Render(&b, "page", fiber.Map{"Title": "图"}, layoutBase); err != nil {
		t.Fatal(err)
	}
	if want := `<main title="图"><p>图</p></main>`; b.String() != want {
		t.Errorf("map page = %s, want %s", b.String(), want)
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

// The page goes where the layout writes .Main, straight from its buffer:
// a title holding the mark itself is escaped, not replaced, and a layout
// that shows .Main other than as markup is an error rather than a page
// without its body.
func TestRenderMainMark(t *testing.T) {
	v := testViews(t, func() string { return "" })
	var b strings.Builder
	title := "a" + string(mainMark) + "b"
	if err := v.Render(&b, "page", &Page{Title: title}, layoutBase); err != nil {
		t.Fatal(err)
	}
	if want := "<main title=\"a\uFFFDjike:main\uFFFDb\"><p>a\uFFFDjike:main\uFFFDb</p></main>"; b.String() != want {
		t.Errorf("page = %q, want %q", b.String(), want)
	}
	big := strings.Repeat("长", 100<<10) // larger than any pooled buffer
	b.Reset()
	if err := v.Render(&b, "page", &Page{Title: big}, layoutBase); err != nil {
		t.Fatal(err)
	}
	if want := `<main title="` + big + `"><p>` + big + `</p></main>`; b.String() != want {
		t.Errorf("a 300 KB page came out as %d bytes, want %d", b.Len(), len(want))
	}
	b.Reset()
	if err := v.Render(&b, "page", &Page{Title: "x"}, "layouts/quoted"); err == nil || !strings.Contains(err.Error(), ".Main") {
		t.Errorf("a layout quoting .Main rendered: %q, %v", b.String(), err)
	}
}
