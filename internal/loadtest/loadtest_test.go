package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakePortal is the smallest server with the portal's sign-in: a form
// with a CSRF token bound to a pre-session cookie, a session cookie after
// a right password, pages only for signed-in users.
func fakePortal(t *testing.T, served *atomic.Int64) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			http.SetCookie(w, &http.Cookie{Name: "pre", Value: "tok1", Secure: true})
			w.Write([]byte(`<form><input type="hidden" name="_csrf" value="tok1"></form>`))
			return
		}
		c, err := r.Cookie("pre")
		if err != nil || r.FormValue("_csrf") != c.Value || r.FormValue("password") != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: r.FormValue("username"), Secure: true})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		served.Add(1)
		switch r.URL.Path {
		case "/ok":
			w.Write(bytes.Repeat([]byte("x"), 2048))
		case "/admin-only":
			if c.Value != "boss" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			w.Write([]byte("ok"))
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestRun measures a fake portal: every page × role × concurrency has a
// row; a good page has no errors and its size; a missing page's every
// request is an error; a page the role may not open is skipped, not
// failed; a wrong password ends the run.
func TestRun(t *testing.T) {
	var served atomic.Int64
	srv := fakePortal(t, &served)
	cfg := Config{
		BaseURL: srv.URL, Password: "pw",
		Roles:    []Role{{"am", "worker"}, {"admin", "boss"}},
		Pages:    []Page{{"ok", "/ok"}, {"bad", "/nope"}, {"admin", "/admin-only"}},
		Conns:    []int{1, 4},
		Duration: 50 * time.Millisecond,
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2*3*2 {
		t.Fatalf("%d results, want 12", len(rep.Results))
	}
	for _, r := range rep.Results {
		switch {
		case r.Page == "ok":
			if r.Requests == 0 || r.Errors != 0 || r.KB != 2 || r.Statuses[200] != r.Requests || r.P50 <= 0 || r.P99 < r.P50 || r.RPS <= 0 {
				t.Errorf("ok page: %+v", r)
			}
		case r.Page == "bad":
			if r.Requests == 0 || r.Errors != r.Requests || r.Statuses[404] != r.Requests || !strings.Contains(r.FirstError, "404") {
				t.Errorf("bad page: %+v", r)
			}
		case r.Role == "am":
			if r.Skipped == "" || r.Requests != 0 {
				t.Errorf("forbidden page measured: %+v", r)
			}
		default:
			if r.Skipped != "" || r.Errors != 0 || r.Requests == 0 {
				t.Errorf("admin's page: %+v", r)
			}
		}
	}
	var buf bytes.Buffer
	WriteTable(&buf, rep)
	if !strings.Contains(buf.String(), "4 connection(s)") || strings.Count(buf.String(), "\nbad ") != 4 {
		t.Errorf("table:\n%s", buf.String())
	}
	if err := json.NewEncoder(&buf).Encode(rep); err != nil {
		t.Fatal(err)
	}

	cfg.Password = "wrong"
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "sign in as worker") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := Percentile(d, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := Percentile(d[:1], 99); got != time.Millisecond {
		t.Errorf("one sample: %v", got)
	}
}
