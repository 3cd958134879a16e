package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// memConn is a connection whose client has sent req and which keeps what
// the server writes back. Serving it with fasthttp's ServeConn shows the
// answer to a request refused while it is read (app.Test returns the
// refusal as an error instead; over TCP the client may lose the answer
// to the reset of a body the server did not read).
type memConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (c *memConn) Read(p []byte) (int, error)       { return c.in.Read(p) }
func (c *memConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *memConn) Close() error                     { return nil }
func (c *memConn) LocalAddr() net.Addr              { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
func (c *memConn) RemoteAddr() net.Addr             { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
func (c *memConn) answer(t *testing.T) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(bufio.NewReader(&c.out), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// oversized sends a POST of n body bytes, announced by Content-Length or
// sent chunked, with the given headers, and returns the server's answer.
func oversized(t *testing.T, a *app, path string, headers map[string]string, n int, chunked bool) (*http.Response, string) {
	t.Helper()
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: jike.test\r\n", path)
	for k, v := range headers {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	if chunked {
		req.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for sent := 0; sent < n; sent += len(chunk) {
			fmt.Fprintf(&req, "%x\r\n%s\r\n", len(chunk), chunk)
		}
		req.WriteString("0\r\n\r\n")
	} else {
		// Only the start of the body: the length alone must be refused.
		fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n{\"title\":\"", n)
	}
	c := &memConn{in: bytes.NewReader(req.Bytes())}
	_ = a.Server.App.Server().ServeConn(c)
	return c.answer(t)
}

// TestAPIBodyLimit: a body over the server's own limit (fiber's
// BodyLimit, refused by fasthttp while it reads the request, before any
// middleware or handler runs) is on an API route an RFC 9457 problem —
// 413 too_large with the limit in the request's language, valid against
// the OpenAPI document — whether the length is announced or the body
// comes chunked; on the portal it stays the localized error page (HTML,
// the page's language, the usual headers) for a plain form post too.
// Before the API's handler for these errors the API answered with the
// portal's HTML page.
func TestAPIBodyLimit(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	a := newTestApp(t, testkit.SQLite(t), func(o *appOptions) {
		o.MaxUploadBytes = mb
		o.Contracts.MaxAttachmentBytes = mb
	})
	// Build the router as the first request would.
	if res, err := a.Server.App.Test(httptest.NewRequest(http.MethodGet, "/healthz", nil)); err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	limit := a.Server.App.Config().BodyLimit
	if limit != 2*mb {
		t.Fatalf("body limit %d, want the upload limit and its headroom", limit)
	}
	_, secret := newToken(t, a, "liwei", tokens.Input{})
	spec := specFor(t, a)
	for _, chunked := range []bool{false, true} {
		for lang, want := range map[string][2]string{"en": {"Request too large", "at most 2 MB"}, "zh-CN": {"请求过大", "上限 2 MB"}} {
			name := fmt.Sprintf("api %s chunked=%v", lang, chunked)
			res, body := oversized(t, a, "/api/v1/contracts", map[string]string{"Authorization": "Bearer " + secret,
				"Content-Type": "application/json", "Accept-Language": lang}, limit+mb, chunked)
			r := &apiRes{Status: res.StatusCode, Header: res.Header, Body: []byte(body)}
			p := r.Problem(t)
			if p.Status != 413 || p.Code != "too_large" || p.Title != want[0] || !strings.Contains(p.Detail, want[1]) ||
				res.Header.Get("Content-Language") != lang {
				t.Fatalf("%s: %d %v %s", name, res.StatusCode, res.Header, body)
			}
			if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("%s: headers %v", name, res.Header)
			}
			spec.check(t, http.MethodPost, "/api/v1/contracts", r)
		}
		// The portal: its own error page, in the visitor's language.
		for lang, want := range map[string]string{"en": "at most 1 MB", "zh-CN": "文件不能超过 1 MB"} {
			name := fmt.Sprintf("portal %s chunked=%v", lang, chunked)
			res, body := oversized(t, a, "/customers", map[string]string{"Content-Type": "application/x-www-form-urlencoded",
				"Accept": "text/html", "Accept-Language": lang}, limit+mb, chunked)
			if res.StatusCode != 413 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, want) ||
				!strings.Contains(body, `lang="`+lang+`"`) || res.Header.Get("X-Frame-Options") != "DENY" {
				t.Fatalf("%s: %d %v\n%.600s", name, res.StatusCode, res.Header, body)
			}
		}
	}
	// A body within the limit reaches the API as usual.
	c := newAPIClient(t, a, "liwei")
	if p := c.do(http.MethodPost, "/api/v1/contracts", map[string]any{"title": strings.Repeat("长", mb/4)}, nil).Problem(t); p.Status != 422 {
		t.Fatalf("under the limit: %+v", p)
	}
}
