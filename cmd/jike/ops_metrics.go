package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/jike-crm/jike/modules/platform/metrics"
	"github.com/jike-crm/jike/modules/platform/web"
)

// observeRequests feeds every finished request to the metrics; a refused
// sign-in (POST /login answered 401) is also a login failure.
func observeRequests(m *metrics.Metrics) web.RouteObserver {
	return func(method, route string, status int, d time.Duration) {
		m.Request(method, route, status, d)
		if method == http.MethodPost && route == "/login" && status == http.StatusUnauthorized {
			m.LoginFailed()
		}
	}
}

// registerMetrics serves /metrics on the portal when a token guards it
// (JIKE_METRICS_TOKEN). The route is public to the session layer: the
// bearer token is its permission, checked by the handler.
func registerMetrics(srv *web.Server, m *metrics.Metrics, token string) {
	if token == "" {
		return
	}
	srv.Router().Get("/metrics", web.Public(), adaptor.HTTPHandler(m.Handler(token)))
}

// serveMetrics serves /metrics (and nothing else) on its own address
// (JIKE_METRICS_ADDR) until ctx ends, for a scraper on a network users
// cannot reach; a token, when set, is required there too.
func serveMetrics(ctx context.Context, addr string, m *metrics.Metrics, token string, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on JIKE_METRICS_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(token))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}, nil
}
