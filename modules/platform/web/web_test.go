package web

import (
	"html/template"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

func TestSafeNext(t *testing.T) {
	cases := map[string]string{
		"":                    "/home",
		"/customers?x=1":      "/customers?x=1",
		"//evil.com":          "/home",
		"/\\evil.com":         "/home",
		"https://evil.com/":   "/home",
		"javascript:alert(1)": "/home",
		"relative":            "/home",
	}
	for in, want := range cases {
		if got := SafeNext(in, "/home"); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPager(t *testing.T) {
	app := fiber.New()
	var p *Pager
	app.Get("/list", func(c *fiber.Ctx) error { p = NewPager(c); return nil })
	if _, err := app.Test(httptest.NewRequest("GET", "/list?page=3&size=500&q=%E5%BC%A0&sort=name&dir=asc", nil)); err != nil {
		t.Fatal(err)
	}
	if p.Page != 3 || p.Size != 100 || p.Offset() != 200 {
		t.Fatalf("page %d size %d offset %d", p.Page, p.Size, p.Offset())
	}
	p.Total = 250
	if p.Pages() != 3 || !p.HasPrev() || p.HasNext() {
		t.Fatalf("pages %d prev %v next %v", p.Pages(), p.HasPrev(), p.HasNext())
	}
	if got := p.PrevURL(); got != "/list?dir=asc&page=2&q=%E5%BC%A0&size=500&sort=name" {
		t.Fatalf("prev url keeps filters: %s", got)
	}
	if got := p.SortURL("name"); got != "/list?dir=desc&q=%E5%BC%A0&size=500&sort=name" {
		t.Fatalf("sort toggles and resets page: %s", got)
	}
	p.Total = 0
	if p.Pages() != 1 || p.HasNext() {
		t.Fatal("empty list has one page")
	}
	if _, err := app.Test(httptest.NewRequest("GET", "/list?page=-4&size=x", nil)); err != nil {
		t.Fatal(err)
	}
	if p.Page != 1 || p.Size != DefaultPageSize {
		t.Fatalf("bad input falls back to defaults: %d %d", p.Page, p.Size)
	}
}

// TestPagerClampsHugePages: no ?page= value, however large or odd, gives
// a negative, overflowing or absurd offset.
func TestPagerClampsHugePages(t *testing.T) {
	app := fiber.New()
	var p *Pager
	app.Get("/list", func(c *fiber.Ctx) error { p = NewPager(c); return nil })
	cases := []struct {
		query      string
		page, size int
	}{
		{"page=99999999999999999999", MaxPage, DefaultPageSize},
		{"page=9223372036854775807&size=100", MaxPage, MaxPageSize},
		{"page=368934881474191033&size=50", MaxPage, 50},
		{"page=2147483648", MaxPage, DefaultPageSize},
		{"page=10001", MaxPage, DefaultPageSize},
		{"page=10000", MaxPage, DefaultPageSize},
		{"page=-1", 1, DefaultPageSize},
		{"page=-99999999999999999999", 1, DefaultPageSize},
		{"page=1e9", 1, DefaultPageSize},
		{"page=0x10", 1, DefaultPageSize},
		{"page=+7", 7, DefaultPageSize},
		{"page=%207%20", 7, DefaultPageSize},
		{"page=2&size=99999999999999999999", 2, MaxPageSize},
		{"page=2&size=-5", 2, DefaultPageSize},
	}
	for _, tc := range cases {
		if _, err := app.Test(httptest.NewRequest("GET", "/list?"+tc.query, nil)); err != nil {
			t.Fatal(err)
		}
		off := p.Offset()
		if p.Page != tc.page || p.Size != tc.size || off != (tc.page-1)*tc.size {
			t.Errorf("%s: page %d size %d offset %d, want page %d size %d", tc.query, p.Page, p.Size, off, tc.page, tc.size)
		}
		if off < 0 || off > (MaxPage-1)*MaxPageSize {
			t.Errorf("%s: offset %d out of range", tc.query, off)
		}
	}
	// A pager built by hand is clamped too.
	hand := &Pager{Page: 1 << 62, Size: 1 << 20}
	if off := hand.Offset(); off != (MaxPage-1)*MaxPageSize {
		t.Fatalf("hand-built pager offset %d", off)
	}
	if off := (&Pager{Page: -3, Size: 0}).Offset(); off != 0 {
		t.Fatalf("negative page offset %d", off)
	}
}

// TestPagerHTML: the page navigation written in Go links the previous and
// next pages with the list's filters (escaped for the attribute), shows
// disabled ends on the first and last page, "page n of m, t rows" or the
// capped "n, more than t" in the reader's language, and nothing for a
// list without a pager.
func TestPagerHTML(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	p := &Pager{Page: 2, Size: 20, Total: 60, path: "/customers", query: url.Values{"q": {`"<x>`}, "page": {"2"}}}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		l := b.For(lang)
		got := string(p.HTML(l))
		for _, want := range []string{
			`<a href="/customers?page=1&amp;q=%22%3Cx%3E" rel="prev">‹ ` + template.HTMLEscapeString(l.T("pager.prev")) + `</a>`,
			`<a href="/customers?page=3&amp;q=%22%3Cx%3E" rel="next">` + template.HTMLEscapeString(l.T("pager.next")) + ` ›</a>`,
			`<span>` + template.HTMLEscapeString(l.T("pager.info", "Page", 2, "Pages", 3, "Total", int64(60))) + `</span>`,
			`aria-label="` + template.HTMLEscapeString(l.T("pager.label")) + `"`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: pager lacks %s in\n%s", lang, want, got)
			}
		}
	}
	l := b.For(i18n.ZH)
	first := &Pager{Page: 1, Size: 20, Total: 20_000, Cap: 10_000, path: "/x"}
	got := string(first.HTML(l))
	if !strings.Contains(got, `<span class="disabled">‹ `) || !strings.Contains(got, `rel="next"`) ||
		!strings.Contains(got, template.HTMLEscapeString(l.T("pager.info_more", "Page", 1, "Total", int64(10_000)))) {
		t.Errorf("first page of a capped count:\n%s", got)
	}
	last := &Pager{Page: 3, Size: 20, Total: 60, path: "/x"}
	if got := string(last.HTML(l)); !strings.Contains(got, `rel="prev"`) || strings.Contains(got, `rel="next"`) {
		t.Errorf("last page:\n%s", got)
	}
	if got := (*Pager)(nil).HTML(l); strings.Contains(string(got), "<nav") {
		t.Errorf("a nil pager wrote %q", got)
	}
}

// TestPagerPastTheEnd: a list page past its last page (an old link, the
// last row of the last page deleted) is redirected to its last page with
// its filters, typed views and maps alike; not a page within the list,
// not a count that stopped at its cap (the rows go on), not a form
// re-shown or a POST; an empty list's page 3 goes to page 1.
func TestPagerPastTheEnd(t *testing.T) {
	fsys := fstest.MapFS{"t/list.html": {Data: []byte(`<p>{{.N}}</p>`)}}
	srv, err := New(Options{I18n: exampleBundle(t), Templates: fsys, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	list := func(c *fiber.Ctx) (*Pager, int) {
		p := NewPager(c)
		total, _ := strconv.Atoi(c.Query("total"))
		p.Total = int64(total)
		if c.Query("cap") != "" {
			p.Cap = 20
		}
		status := fiber.StatusOK
		if c.Query("invalid") != "" {
			status = fiber.StatusUnprocessableEntity
		}
		return p, status
	}
	srv.App.Use(func(c *fiber.Ctx) error {
		SetSubject(c, &authz.Subject{ID: 7, Name: "用户7", Role: "director"})
		return c.Next()
	})
	srv.App.All("/view", func(c *fiber.Ctx) error {
		p, status := list(c)
		return srv.ViewStatus(c, status, "t/list", &keptTestView{N: p.Page})
	})
	srv.App.Get("/map", func(c *fiber.Ctx) error {
		p, _ := list(c)
		return srv.Render(c, "t/list", fiber.Map{"N": p.Page})
	})
	cases := []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/view?page=5&q=%E5%BC%A0&total=30", fiber.StatusSeeOther, "/view?page=2&q=%E5%BC%A0&total=30"},
		{"GET", "/map?page=9&size=10&total=30", fiber.StatusSeeOther, "/map?page=3&size=10&total=30"},
		{"GET", "/view?page=3&total=0", fiber.StatusSeeOther, "/view?page=1&total=0"},
		{"GET", "/view?page=2&total=30", fiber.StatusOK, ""},
		{"GET", "/view?total=0", fiber.StatusOK, ""},
		{"GET", "/view?page=9&total=21&cap=1", fiber.StatusOK, ""},
		{"GET", "/view?page=9&total=30&invalid=1", fiber.StatusUnprocessableEntity, ""},
		{"POST", "/view?page=9&total=30", fiber.StatusOK, ""},
	}
	for _, tc := range cases {
		res, err := srv.App.Test(httptest.NewRequest(tc.method, tc.path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
			t.Errorf("%s %s: %d to %q, want %d to %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Location"), tc.status, tc.location)
		}
	}
}
