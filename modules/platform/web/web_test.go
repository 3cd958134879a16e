package web

import (
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
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
