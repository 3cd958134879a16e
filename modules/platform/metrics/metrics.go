// Package metrics keeps the portal's Prometheus metrics and serves them
// in the text exposition format: requests per route pattern and status
// (count and latency), the database pool, job runs and failures, failed
// sign-ins and imported rows. Each instance counts its own; Prometheus
// sums the instances.
//
// The handler is guarded by a bearer token (JIKE_METRICS_TOKEN) or served
// on a separate listen address (JIKE_METRICS_ADDR) only operators reach:
// route names, volumes and error rates are not for users.
package metrics

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one instance's registry. Its methods are safe for
// concurrent use; a nil *Metrics ignores everything (commands that do not
// serve).
type Metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	jobRuns       *prometheus.CounterVec
	jobFailures   *prometheus.CounterVec
	jobDuration   *prometheus.HistogramVec
	loginFailures prometheus.Counter
	importRows    *prometheus.CounterVec
}

// New registers the metrics, the process and Go runtime collectors and,
// when pool is not nil, the database pool's statistics (connections in
// use, idle, waits and time waited: go_sql_* with db_name="jike").
func New(pool *sql.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jike_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jike_http_request_duration_seconds", Help: "HTTP request latency by method, route pattern and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "status"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jike_job_runs_total", Help: "Scheduled job runs on this instance.",
		}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jike_job_failures_total", Help: "Scheduled job runs that failed on this instance.",
		}, []string{"job"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jike_job_duration_seconds", Help: "Duration of scheduled job runs.",
			Buckets: []float64{.1, .5, 1, 5, 15, 60, 300, 600},
		}, []string{"job"}),
		loginFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "jike_login_failures_total", Help: "Refused sign-ins (wrong name or password, or a waiting network).",
		}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jike_import_rows_total", Help: "Rows saved by committed imports, by kind.",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.jobRuns, m.jobFailures, m.jobDuration, m.loginFailures, m.importRows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(pool, "jike"))
	}
	return m
}

// Request counts one finished request.
func (m *Metrics) Request(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, s).Inc()
	m.latency.WithLabelValues(method, route, s).Observe(d.Seconds())
}

// JobRun counts one run of job.
func (m *Metrics) JobRun(job string, d time.Duration, err error) {
	if m == nil {
		return
	}
	m.jobRuns.WithLabelValues(job).Inc()
	m.jobDuration.WithLabelValues(job).Observe(d.Seconds())
	if err != nil {
		m.jobFailures.WithLabelValues(job).Inc()
	}
}

// LoginFailed counts one refused sign-in.
func (m *Metrics) LoginFailed() {
	if m != nil {
		m.loginFailures.Inc()
	}
}

// Imported counts rows saved by an import of kind (customers, quotas).
func (m *Metrics) Imported(kind string, rows int) {
	if m != nil && rows > 0 {
		m.importRows.WithLabelValues(kind).Add(float64(rows))
	}
}

// KeptPages publishes the looks at pages kept whole
// (web.Server.KeptPageLooks) as jike_kept_pages_total by result: served
// from memory, built and kept, built and not kept. A low share served
// means writes move the pages' data versions faster than people look.
func (m *Metrics) KeptPages(looks func() (served, kept, unkept int64)) {
	if m == nil {
		return
	}
	for i, result := range []string{"served", "kept", "unkept"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jike_kept_pages_total", Help: "Looks at pages kept whole, by result.",
			ConstLabels: prometheus.Labels{"result": result},
		}, func() float64 {
			n := [3]int64{}
			n[0], n[1], n[2] = looks()
			return float64(n[i])
		}))
	}
}

// Handler serves the metrics. With a token, a request must carry
// "Authorization: Bearer <token>"; anything else is 401 (and tells
// nothing). An empty token serves everyone: use it only on a separate
// address that users cannot reach.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
