package testkit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// Client sends requests through the real fiber router (app.Test), keeping
// cookies like a browser and sending the CSRF token that the last page
// carried, so tests exercise the same path a person does.
type Client struct {
	t       testing.TB
	app     *fiber.App
	cookies map[string]string
	csrf    string
	// Lang, when set, is sent as Accept-Language.
	Lang string
}

// Response is what a request returned.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Location is the redirect target, if any.
func (r *Response) Location() string { return r.Header.Get("Location") }

// NewClient returns an anonymous client for app.
func NewClient(t testing.TB, app *fiber.App) *Client {
	return &Client{t: t, app: app, cookies: map[string]string{}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// Do sends req and records cookies and the page's CSRF token.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html")
	}
	res, err := c.app.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	body := string(b)
	if m := csrfMeta.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: body}
}

// Get fetches path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// PostForm posts form to path with the current CSRF token (fetching a page
// first if the client has none yet).
func (c *Client) PostForm(path string, form url.Values) *Response {
	c.t.Helper()
	if c.csrf == "" {
		c.Get("/login")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if _, ok := f["_csrf"]; !ok {
		f.Set("_csrf", c.csrf)
	}
	return c.PostRaw(path, f)
}

// PostRaw posts form exactly as given (no token added).
func (c *Client) PostRaw(path string, form url.Values) *Response {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Login signs in and fails the test unless it succeeded.
func (c *Client) Login(username, password string) {
	c.t.Helper()
	c.Get("/login")
	res := c.PostForm("/login", url.Values{"username": {username}, "password": {password}})
	if res.Status != http.StatusSeeOther {
		c.t.Fatalf("login as %s: status %d\n%s", username, res.Status, res.Body)
	}
	c.Get("/")
}

// Cookie returns a cookie's value.
func (c *Client) Cookie(name string) string { return c.cookies[name] }

// CSRF returns the token the client would send.
func (c *Client) CSRF() string { return c.csrf }

// SetApp sends the client's next requests to another app, keeping its
// cookies and CSRF token: a browser behind a balancer that switched
// instances (the several-instances test).
func (c *Client) SetApp(app *fiber.App) { c.app = app }
