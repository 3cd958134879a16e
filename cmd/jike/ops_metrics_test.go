package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

const testMetricsToken = "metrics-token-0123456789abcdef"

// scrape fetches /metrics through the router with token.
func scrape(t *testing.T, a *app, token string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.Server.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, b.String()
}

// metricValue is the value of the sample whose name and labels start the
// line exactly as given (-1 when absent).
func metricValue(body, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// TestMetricsEndpoint: /metrics answers only with the token; it is in the
// Prometheus text format and counts requests per route pattern and status
// (count and latency histogram), refused sign-ins, job runs and failures,
// and shows the database pool and the looks at pages kept whole. Imported rows are counted through real
// imports in TestImportRowsMetricThroughRealImports.
func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) { o.MetricsToken = testMetricsToken })
		for _, tok := range []string{"", "wrong-token-0123456789abcdef"} {
			if code, body := scrape(t, a, tok); code != http.StatusUnauthorized || strings.Contains(body, "jike_") {
				t.Fatalf("/metrics with token %q: %d", tok, code)
			}
		}
		c := loggedIn(t, a, "")
		c.Get("/login")
		c.PostForm("/login", url.Values{"username": {"liwei"}, "password": {"wrong-pass1"}})
		c.PostForm("/login", url.Values{"username": {"nobody"}, "password": {"wrong-pass1"}})
		liwei := loggedIn(t, a, "liwei")
		liwei.Get("/customers/1")
		liwei.Get("/customers/999999")
		// A page kept whole: built and kept once, then served twice.
		for range 3 {
			liwei.Get("/opportunities?sort=amount")
		}
		if _, err := a.Jobs.RunNow(t.Context(), "notify.prune"); err != nil {
			t.Fatal(err)
		}

		code, body := scrape(t, a, testMetricsToken)
		if code != http.StatusOK {
			t.Fatalf("/metrics with the token: %d", code)
		}
		checks := map[string]float64{
			`jike_login_failures_total`: 2,
			`jike_http_requests_total{method="POST",route="/login",status="401"}`:                        2,
			`jike_http_requests_total{method="POST",route="/login",status="303"}`:                        1,
			`jike_http_requests_total{method="GET",route="/customers/:id",status="404"}`:                 2,
			`jike_http_request_duration_seconds_count{method="GET",route="/customers/:id",status="404"}`: 2,
			`jike_job_runs_total{job="notify.prune"}`:                                                    1,
			`jike_kept_pages_total{result="kept"}`:                                                       1,
			`jike_kept_pages_total{result="served"}`:                                                     2,
			`jike_kept_pages_total{result="unkept"}`:                                                     0,
		}
		for series, want := range checks {
			if got := metricValue(body, series); got != want {
				t.Errorf("%s = %v, want %v", series, got, want)
			}
		}
		for _, name := range []string{"go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total",
			`jike_http_request_duration_seconds_bucket{method="GET",route="/customers/:id",status="404",le="0.005"}`} {
			if !strings.Contains(body, name) {
				t.Errorf("the scrape lacks %s", name)
			}
		}
		if !strings.Contains(body, "# TYPE jike_http_request_duration_seconds histogram") {
			t.Error("latency is not a histogram")
		}
		if t.Failed() {
			for _, l := range strings.Split(body, "\n") {
				if strings.HasPrefix(l, "jike_http_requests_total") {
					t.Log(l)
				}
			}
		}
	})
}
