package web

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestNormalizeInput: every query and form value reaches handlers cleaned
// (controls, bidi overrides and zero-width characters gone, trimmed), in
// urlencoded and multipart bodies alike, repeated keys kept in order;
// password fields arrive exactly as sent.
func TestNormalizeInput(t *testing.T) {
	app := fiber.New()
	app.Use(normalizeInput)
	var got map[string]string
	var multi []string
	handler := func(c *fiber.Ctx) error {
		got = map[string]string{}
		for _, k := range []string{"q", "name", "notes", "password", "current"} {
			got[k] = c.FormValue(k)
		}
		got["q"] = c.Query("q")
		multi = nil
		if form, err := c.MultipartForm(); err == nil {
			multi = form.Value["tag"]
		} else {
			for _, v := range c.Request().PostArgs().PeekMulti("tag") {
				multi = append(multi, string(v))
			}
		}
		return nil
	}
	app.Post("/f", handler)
	app.Get("/f", handler)

	want := map[string]string{
		"q": "银行", "name": "ABC\u202Bx", "notes": "第一行\n第二行", "password": " pa\u200Bss\x00 ", "current": "\tcur ",
	}
	sent := map[string]string{
		"name": "  ABC\x00\u202B\u202Ex\u200B ", "notes": "第一行\r\n第二行\x1b", "password": " pa\u200Bss\x00 ", "current": "\tcur ",
	}
	want["name"] = "ABCx"

	check := func(t *testing.T) {
		t.Helper()
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %q, want %q", k, got[k], w)
			}
		}
		if strings.Join(multi, "|") != "a|b" {
			t.Errorf("repeated field = %q", multi)
		}
	}
	t.Run("urlencoded", func(t *testing.T) {
		form := url.Values{}
		for k, v := range sent {
			form.Set(k, v)
		}
		form["tag"] = []string{" a\x00", "b\u200B"}
		req := httptest.NewRequest("POST", "/f?q="+url.QueryEscape("\u200B银行\x07"), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := app.Test(req); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("multipart", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range sent {
			_ = mw.WriteField(k, v)
		}
		_ = mw.WriteField("tag", " a\x00")
		_ = mw.WriteField("tag", "b\u200B")
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/f?q="+url.QueryEscape("银行\u202E"), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if _, err := app.Test(req); err != nil {
			t.Fatal(err)
		}
		check(t)
	})
	t.Run("query only", func(t *testing.T) {
		if _, err := app.Test(httptest.NewRequest("GET", "/f?q=%00%E9%93%B6%E8%A1%8C%20", nil)); err != nil {
			t.Fatal(err)
		}
		if got["q"] != "银行" {
			t.Errorf("q = %q", got["q"])
		}
	})
}
