package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// freeAddr is a 127.0.0.1 address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var csrfInPage = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)"`)

// TestServeGracefulShutdown runs `jike serve` on a throwaway PostgreSQL
// database, with /metrics on its own address, signs in over real HTTP and
// starts a request that the test holds up with a table lock; then the
// serve context ends (what SIGTERM does through signal.NotifyContext).
// The listener stops accepting, the held request completes with its page
// once the lock goes, serve returns without error, and the instance's
// database connections are closed.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	dbURL := sharedPostgres(t)
	addr, maddr := freeAddr(t), freeAddr(t)
	env := map[string]string{"JIKE_DATABASE_URL": dbURL, "JIKE_ADDR": addr, "JIKE_METRICS_ADDR": maddr,
		"JIKE_METRICS_TOKEN": testMetricsToken}
	getenv := func(k string) string { return env[k] }
	const password = "Shutdown-2026"
	var out strings.Builder
	if err := run(t.Context(), []string{"user", "create", "--username", "opsadmin", "--name", "运维", "--role", "admin", "--password-stdin"},
		getenv, strings.NewReader(password+"\n"), &out, io.Discard); err != nil {
		t.Fatalf("user create: %v", err)
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), io.Discard, io.Discard) }()
	base := "http://" + addr
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := hc.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %v", err)
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	get := func(path string) (int, string) {
		t.Helper()
		res, err := hc.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	_, page := get("/login")
	m := csrfInPage.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	res, err := hc.PostForm(base+"/login", url.Values{"_csrf": {m[1]}, "username": {"opsadmin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}

	// The metrics address serves the scrape, with the token only.
	mget := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+maddr+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := mget(""); code != http.StatusUnauthorized {
		t.Fatalf("metrics address without the token: %d", code)
	}
	if code, body := mget(testMetricsToken); code != 200 || metricValue(body, `jike_http_requests_total{method="POST",route="/login",status="303"}`) != 1 {
		t.Fatalf("metrics address: %d\n%.2000s", code, body)
	}

	// Hold the next request up: the customer list waits for this lock.
	lockDB := openURL(t, dbURL+"&application_name=jike-test-lock")
	tx := lockDB.Gorm.Begin()
	if err := tx.Exec("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE").Error; err != nil {
		t.Fatal(err)
	}
	type reply struct {
		code int
		body string
		err  error
	}
	inflight := make(chan reply, 1)
	go func() {
		res, err := hc.Get(base + "/customers")
		if err != nil {
			inflight <- reply{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		inflight <- reply{res.StatusCode, string(b), err}
	}()
	waiting := func() bool {
		var n int64
		lockDB.Gorm.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = 'jike' AND wait_event_type = 'Lock'`).Scan(&n)
		return n > 0
	}
	for deadline := time.Now().Add(30 * time.Second); !waiting(); {
		if time.Now().After(deadline) {
			t.Fatal("the request never waited for the lock")
		}
		time.Sleep(20 * time.Millisecond)
	}

	stop() // SIGTERM
	// New connections are refused while the held request is still running.
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts after shutdown began")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case r := <-inflight:
		t.Fatalf("the held request ended before its lock was released: %+v", r.err)
	case err := <-done:
		t.Fatalf("serve returned with a request in flight: %v", err)
	default:
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-inflight:
		if r.err != nil || r.code != http.StatusOK || !strings.Contains(r.body, "</html>") {
			t.Fatalf("the request in flight during shutdown: %d %v", r.code, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the request in flight never completed")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return")
	}
	// The pool closed its connections when serve returned; a backend
	// leaves pg_stat_activity when its process has exited, which on a
	// busy machine takes a moment after the client hung up.
	var conns int64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		lockDB.Gorm.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'jike'`).Scan(&conns)
		if conns == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections of the instance are still open 5 s after serve returned", conns)
		}
	}
}
