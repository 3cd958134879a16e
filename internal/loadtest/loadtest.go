// Package loadtest drives a running Jike portal over HTTP the way its users
// do and measures it: for each page and each role, Conns virtual users
// request the page again and again for Duration over keep-alive
// connections, and every request's time, status and size is recorded.
// It is the engine of `jike bench` (issue 19): the table it prints is the
// one docs/performance.md shows, reproducible by anyone against any
// server.
//
// It depends on nothing of the portal but its HTML: the login form (with
// its CSRF token) and the pages' paths, so it measures a server the way a
// browser would, from outside.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Page is one page to measure: a short name for the table and its path
// (with its query string).
type Page struct {
	Name, Path string
}

// Role is one signed-in user the pages are measured as.
type Role struct {
	Name, Username string
}

// Config says what to measure.
type Config struct {
	// BaseURL is the server, e.g. http://127.0.0.1:8080.
	BaseURL  string
	Password string
	Roles    []Role
	Pages    []Page
	// Conns are the concurrency levels; each page × role is measured at
	// each, for Duration.
	Conns    []int
	Duration time.Duration
	// Timeout bounds one request (default 30 s); a timeout is an error.
	Timeout time.Duration
	// Progress, when set, hears each result as it is finished.
	Progress func(Result)
}

// Result is one page × role × concurrency measurement. Times are in
// milliseconds, exact percentiles of every recorded request (nearest
// rank), errors included.
type Result struct {
	Page     string  `json:"page"`
	Path     string  `json:"path"`
	Role     string  `json:"role"`
	User     string  `json:"user"`
	Conns    int     `json:"conns"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	RPS      float64 `json:"requests_per_second"`
	// KB is the mean size of a successful response's body (decoded).
	KB float64 `json:"page_kb"`
	// Statuses counts the responses by HTTP status (0: no response).
	Statuses map[int]int `json:"statuses"`
	// FirstError describes the first failed request, if any.
	FirstError string `json:"first_error,omitempty"`
	// Skipped says why the page was not measured for the role: the role
	// may not open it (403), which is the portal working, not failing.
	Skipped string `json:"skipped,omitempty"`
}

// Report is a whole run.
type Report struct {
	BaseURL  string    `json:"base_url"`
	Started  time.Time `json:"started"`
	Duration string    `json:"duration_per_cell"`
	// LoadBefore and LoadAfter are the machine's load averages
	// (/proc/loadavg, empty elsewhere): the figures mean little on a busy
	// machine, so the table says how busy it was.
	LoadBefore string   `json:"load_average_before,omitempty"`
	LoadAfter  string   `json:"load_average_after,omitempty"`
	Results    []Result `json:"results"`
}

// Run signs every role in once, then measures each concurrency level,
// page and role in turn. Sign-in failures end the run (nothing could be
// measured); page failures are counted in the results.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Duration <= 0 {
		return nil, errors.New("loadtest: the duration must be positive")
	}
	if len(cfg.Roles) == 0 || len(cfg.Pages) == 0 || len(cfg.Conns) == 0 {
		return nil, errors.New("loadtest: nothing to measure (no roles, pages or connection counts)")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("loadtest: the server URL %q is not http(s)://host[:port]", cfg.BaseURL)
	}
	most := 1
	for _, n := range cfg.Conns {
		if n < 1 {
			return nil, fmt.Errorf("loadtest: %d connections", n)
		}
		most = max(most, n)
	}
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        most * 2,
		MaxIdleConnsPerHost: most * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	rep := &Report{BaseURL: base, Started: time.Now().UTC(), Duration: cfg.Duration.String(), LoadBefore: loadAverage()}
	sessions := map[string]jar{}
	for _, r := range cfg.Roles {
		j, err := login(ctx, client, base, r.Username, cfg.Password)
		if err != nil {
			return nil, fmt.Errorf("loadtest: sign in as %s (%s): %w", r.Username, r.Name, err)
		}
		sessions[r.Name] = j
	}
	for _, n := range cfg.Conns {
		for _, p := range cfg.Pages {
			for _, r := range cfg.Roles {
				if err := ctx.Err(); err != nil {
					return rep, err
				}
				res := measure(ctx, client, base, p, r, sessions[r.Name], n, cfg.Duration)
				rep.Results = append(rep.Results, res)
				if cfg.Progress != nil {
					cfg.Progress(res)
				}
			}
		}
	}
	rep.LoadAfter = loadAverage()
	return rep, nil
}

// jar is a user's cookies by name. Not net/http/cookiejar: that one
// never sends a Secure cookie over plain http, and a production server
// marks its session cookie Secure even when measured over loopback.
type jar map[string]string

func (j jar) clone() jar {
	c := make(jar, len(j))
	for k, v := range j {
		c[k] = v
	}
	return c
}

func (j jar) add(req *http.Request) {
	for k, v := range j {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
}

func (j jar) keep(res *http.Response) {
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(j, c.Name)
		} else {
			j[c.Name] = c.Value
		}
	}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login signs in through the login form, as a browser does: fetch the
// form (a pre-session cookie and the CSRF token), post it, expect the
// redirect into the portal.
func login(ctx context.Context, client *http.Client, base, username, password string) (jar, error) {
	j := jar{}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /login: status %d", res.StatusCode)
	}
	j.keep(res)
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		return nil, errors.New("GET /login: no CSRF token in the form")
	}
	form := url.Values{"username": {username}, "password": {password}, "_csrf": {string(m[1])}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	j.add(req)
	res, err = client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	j.keep(res)
	if res.StatusCode != http.StatusSeeOther || strings.Contains(res.Header.Get("Location"), "/login") {
		return nil, fmt.Errorf("POST /login: status %d (wrong username or password, or sign-in throttled)", res.StatusCode)
	}
	return j, nil
}

type sample struct {
	took   time.Duration
	status int
	bytes  int64
	err    string
}

// get requests one page with the user's cookies and reads the whole body.
func get(ctx context.Context, client *http.Client, url string, j jar) sample {
	began := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return sample{took: time.Since(began), err: err.Error()}
	}
	req.Header.Set("Accept", "text/html")
	j.add(req)
	res, err := client.Do(req)
	if err != nil {
		return sample{took: time.Since(began), err: err.Error()}
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	s := sample{took: time.Since(began), status: res.StatusCode, bytes: n}
	switch {
	case err != nil:
		s.err = err.Error()
	case res.StatusCode != http.StatusOK:
		s.err = fmt.Sprintf("status %d", res.StatusCode)
		if loc := res.Header.Get("Location"); loc != "" {
			s.err += " → " + loc
		}
	}
	return s
}

// measure runs one cell: a first request (it warms the server's caches
// and tells whether the role may open the page at all), then conns
// virtual users, each with its own copy of the role's session cookies,
// requesting the page back to back until the time is up.
func measure(ctx context.Context, client *http.Client, base string, p Page, r Role, session jar, conns int, d time.Duration) Result {
	res := Result{Page: p.Name, Path: p.Path, Role: r.Name, User: r.Username, Conns: conns, Statuses: map[int]int{}}
	target := base + p.Path
	if first := get(ctx, client, target, session.clone()); first.status == http.StatusForbidden {
		res.Skipped = "forbidden for this role"
		res.Statuses[first.status]++
		return res
	}
	all := make([][]sample, conns)
	var wg sync.WaitGroup
	began := time.Now()
	deadline := began.Add(d)
	for v := 0; v < conns; v++ {
		wg.Add(1)
		go func(v int) {
			defer wg.Done()
			j := session.clone()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				all[v] = append(all[v], get(ctx, client, target, j))
			}
		}(v)
	}
	wg.Wait()
	elapsed := time.Since(began)
	var durs []time.Duration
	var okBytes int64
	ok := 0
	for _, vs := range all {
		for _, s := range vs {
			durs = append(durs, s.took)
			res.Statuses[s.status]++
			if s.err != "" {
				res.Errors++
				if res.FirstError == "" {
					res.FirstError = s.err
				}
				continue
			}
			ok++
			okBytes += s.bytes
		}
	}
	res.Requests = len(durs)
	if res.Requests == 0 {
		return res
	}
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	res.P50, res.P95, res.P99 = ms(Percentile(durs, 50)), ms(Percentile(durs, 95)), ms(Percentile(durs, 99))
	res.Max = ms(durs[len(durs)-1])
	res.RPS = float64(res.Requests) / elapsed.Seconds()
	if ok > 0 {
		res.KB = float64(okBytes) / float64(ok) / 1024
	}
	return res
}

// Percentile is the nearest-rank p-th percentile of sorted durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// WriteTable prints the report as one text table per concurrency level:
// page × role with p50/p95/p99 (ms), requests/s, errors and page size.
func WriteTable(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "jike bench %s  started %s  %s per page and role", rep.BaseURL, rep.Started.Format(time.RFC3339), rep.Duration)
	if rep.LoadBefore != "" {
		fmt.Fprintf(w, "  load average before %s, after %s", rep.LoadBefore, rep.LoadAfter)
	}
	fmt.Fprintln(w)
	last := -1
	for _, r := range rep.Results {
		if r.Conns != last {
			last = r.Conns
			fmt.Fprintf(w, "\n%d connection(s)\n", r.Conns)
			fmt.Fprintf(w, "%-18s %-16s %8s %8s %8s %8s %9s %7s %9s\n", "page", "role", "p50 ms", "p95 ms", "p99 ms", "req/s", "requests", "errors", "KB")
		}
		if r.Skipped != "" {
			fmt.Fprintf(w, "%-18s %-16s %s\n", r.Page, r.Role, "— ("+r.Skipped+")")
			continue
		}
		fmt.Fprintf(w, "%-18s %-16s %8.1f %8.1f %8.1f %8.1f %9d %7d %9.1f", r.Page, r.Role, r.P50, r.P95, r.P99, r.RPS, r.Requests, r.Errors, r.KB)
		if r.FirstError != "" {
			fmt.Fprintf(w, "  first error: %s", r.FirstError)
		}
		fmt.Fprintln(w)
	}
}

// WriteMarkdown prints the report as Markdown tables (one per
// concurrency level), for docs/performance.md.
func WriteMarkdown(w io.Writer, rep *Report) {
	last := -1
	for _, r := range rep.Results {
		if r.Conns != last {
			last = r.Conns
			fmt.Fprintf(w, "\n**%d connection(s)**, %s per cell", r.Conns, rep.Duration)
			if rep.LoadBefore != "" {
				fmt.Fprintf(w, ", load average %s → %s", rep.LoadBefore, rep.LoadAfter)
			}
			fmt.Fprint(w, "\n\n| page | role | p50 ms | p95 ms | p99 ms | req/s | errors | KB |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
		}
		if r.Skipped != "" {
			fmt.Fprintf(w, "| %s | %s | — | — | — | — | — | — |\n", r.Page, r.Role)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %d | %.1f |\n", r.Page, r.Role, r.P50, r.P95, r.P99, r.RPS, r.Errors, r.KB)
	}
}
