package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// apiRes is one API answer.
type apiRes struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v (failing the test on bad JSON).
func (r *apiRes) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d %s: %v", r.Status, r.Body, err)
	}
}

// Problem decodes an RFC 9457 problem and checks its media type.
func (r *apiRes) Problem(t testing.TB) api.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != api.MIMEProblem {
		t.Fatalf("problem media type %q (status %d, %s)", ct, r.Status, r.Body)
	}
	var p api.Problem
	r.JSON(t, &p)
	if p.Status != r.Status || p.Code == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem for %d: %+v", r.Status, p)
	}
	return p
}

// apiClient calls the API with a bearer token and checks every answer
// against the OpenAPI document (status declared, body valid).
type apiClient struct {
	t      testing.TB
	a      *app
	secret string
	Lang   string
	spec   *specChecker
}

// newToken creates a token for username through the service, as the
// settings page does.
func newToken(t testing.TB, a *app, username string, in tokens.Input) (*tokens.Token, string) {
	t.Helper()
	if in.Name == "" {
		in.Name = "test"
	}
	if in.ExpiryDays == 0 {
		in.ExpiryDays = 30
	}
	tok, secret, err := a.Tokens.Create(context.Background(), apiSubject(t, a, username), in)
	if err != nil {
		t.Fatal(err)
	}
	return tok, secret
}

func newAPIClient(t testing.TB, a *app, username string) *apiClient {
	t.Helper()
	_, secret := newToken(t, a, username, tokens.Input{})
	return &apiClient{t: t, a: a, secret: secret, spec: specFor(t, a)}
}

func (c *apiClient) do(method, path string, body any, hdr map[string]string) *apiRes {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			buf, err := json.Marshal(b)
			if err != nil {
				c.t.Fatal(err)
			}
			rd = bytes.NewReader(buf)
		}
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.secret != "" {
		req.Header.Set("Authorization", "Bearer "+c.secret)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.a.Server.App.Test(req, -1)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := &apiRes{Status: res.StatusCode, Header: res.Header, Body: b}
	c.spec.check(c.t, method, path, out)
	return out
}

func (c *apiClient) get(path string) *apiRes { return c.do(http.MethodGet, path, nil, nil) }

// specChecker validates answers against the served OpenAPI document.
type specChecker struct {
	doc *openapi3.T
}

var (
	specMu    sync.Mutex
	specCache = map[*app]*specChecker{}
)

// specFor loads and validates the app's OpenAPI document with
// kin-openapi (once per app).
func specFor(t testing.TB, a *app) *specChecker {
	t.Helper()
	specMu.Lock()
	defer specMu.Unlock()
	if s, ok := specCache[a]; ok {
		return s
	}
	raw, err := json.Marshal(a.API.Spec())
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.IsOpenAPI31OrLater()); err != nil {
		t.Fatalf("OpenAPI document invalid: %v", err)
	}
	s := &specChecker{doc: doc}
	specCache[a] = s
	return s
}

// operation finds the operation of method and a concrete path
// (/api/v1/customers/12 matches /customers/{id}).
func (s *specChecker) operation(method, path string) (*openapi3.Operation, string) {
	path, _, _ = strings.Cut(path, "?")
	rel := strings.TrimPrefix(path, api.Prefix)
	parts := strings.Split(rel, "/")
	for tmpl, item := range s.doc.Paths.Map() {
		tp := strings.Split(tmpl, "/")
		if len(tp) != len(parts) {
			continue
		}
		ok := true
		for i := range tp {
			if !(strings.HasPrefix(tp[i], "{") || tp[i] == parts[i]) {
				ok = false
				break
			}
		}
		if ok {
			if op := item.GetOperation(strings.ToUpper(method)); op != nil {
				return op, tmpl
			}
		}
	}
	return nil, ""
}

// check fails the test when an answer of a documented operation has a
// status the document does not declare or a body its schema refuses.
// Answers of paths the document does not have must be problems (404).
func (s *specChecker) check(t testing.TB, method, path string, r *apiRes) {
	t.Helper()
	op, tmpl := s.operation(method, path)
	if op == nil {
		if r.Status < 400 {
			t.Fatalf("%s %s answered %d but is not in the OpenAPI document", method, path, r.Status)
		}
		return
	}
	resp := op.Responses.Status(r.Status)
	if resp == nil || resp.Value == nil {
		t.Fatalf("%s %s (%s): status %d is not declared in the OpenAPI document: %s", method, path, tmpl, r.Status, r.Body)
	}
	ct := r.Header.Get("Content-Type")
	mt, _, _ := strings.Cut(ct, ";")
	media := resp.Value.Content.Get(mt)
	if media == nil {
		t.Fatalf("%s %s: %d answered %q, not declared", method, path, r.Status, ct)
	}
	if mt != "application/json" && mt != api.MIMEProblem {
		return
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	if err := media.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors()); err != nil {
		t.Fatalf("%s %s: %d body does not match its schema: %v\n%s", method, path, r.Status, err, r.Body)
	}
}

// ids lists the ids of a list answer's data.
func ids(t testing.TB, r *apiRes) []uint {
	t.Helper()
	var page struct {
		Data []struct {
			ID uint `json:"id"`
		} `json:"data"`
	}
	r.JSON(t, &page)
	out := make([]uint, len(page.Data))
	for i, d := range page.Data {
		out[i] = d.ID
	}
	return out
}

// walkAll follows next_cursor to the end and returns every id.
func walkAll(t testing.TB, c *apiClient, path string) []uint {
	t.Helper()
	var all []uint
	next := path
	for n := 0; n < 10_000; n++ {
		r := c.get(next)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %s", next, r.Status, r.Body)
		}
		all = append(all, ids(t, r)...)
		var page struct {
			Next *string `json:"next_cursor"`
		}
		r.JSON(t, &page)
		if page.Next == nil {
			return all
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next = path + sep + "cursor=" + *page.Next
	}
	t.Fatal("pagination never ends")
	return nil
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// apiSubject is a user as the services see them.
func apiSubject(t testing.TB, a *app, username string) authz.Subject {
	t.Helper()
	u, err := a.Org.Store().UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.Subject()
}

var _ = fmt.Sprintf

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	must(t, err)
	return loc
}
