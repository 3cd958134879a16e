package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"gorm.io/gorm"
)

// QueryRow runs query on conn's connection — its transaction inside one,
// else its pool — and scans the first row into dest, reporting whether
// there was one. It goes around GORM: no statement built from clauses, no
// callbacks, no reflection over a destination struct. For the one read
// that runs before every signed-in request (the session's): through
// GORM's Raw and Find it cost ~85 µs of CPU and 13 KB of garbage, through
// database/sql ~40 µs and 5.6 KB (issue 19). Write the query's parameters
// with Param. Statements run here are shown to the functions Observe
// registered, since GORM's callbacks never see them.
func QueryRow(ctx context.Context, conn *gorm.DB, query string, args []any, dest ...any) (bool, error) {
	if o, ok := conn.Config.Plugins[observerName].(*observer); ok {
		o.notify(query, args)
	}
	readOutside(ctx, false) // a page kept whole read outside its kept values (TrackReads)
	rows, err := conn.Statement.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, rows.Close()
}

// Param is the n-th parameter (from 1) of a statement for QueryRow in
// dialect's spelling: $n on PostgreSQL, ? on SQLite. GORM rewrites ? for
// the statements it builds; QueryRow hands the text to the driver as is.
func Param(dialect string, n int) string {
	if dialect == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// observerName is the observer's plugin name on a handle.
const observerName = "jike:query-observer"

// observer holds the functions Observe registered on one handle.
type observer struct {
	mu  sync.Mutex
	fns map[string]func(sql string, vars []any)
}

func (o *observer) Name() string              { return observerName }
func (o *observer) Initialize(*gorm.DB) error { return nil }

func (o *observer) notify(query string, args []any) {
	o.mu.Lock()
	fns := make([]func(string, []any), 0, len(o.fns))
	for _, fn := range o.fns {
		fns = append(fns, fn)
	}
	o.mu.Unlock()
	for _, fn := range fns {
		fn(query, args)
	}
}

// Observe makes fn see every statement QueryRow runs on g (and on its
// sessions and transactions, which share g's plugins), under name; the
// returned function takes it away. For tests that count or replay a
// page's statements alongside GORM's callbacks.
func Observe(g *gorm.DB, name string, fn func(sql string, vars []any)) (func(), error) {
	o, ok := g.Config.Plugins[observerName].(*observer)
	if !ok {
		o = &observer{fns: map[string]func(string, []any){}}
		if err := g.Use(o); err != nil && !errors.Is(err, gorm.ErrRegistered) {
			return nil, fmt.Errorf("observe: %w", err)
		}
		o, _ = g.Config.Plugins[observerName].(*observer)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.fns[name]; dup {
		return nil, fmt.Errorf("observe: %q is registered", name)
	}
	o.fns[name] = fn
	return func() {
		o.mu.Lock()
		delete(o.fns, name)
		o.mu.Unlock()
	}, nil
}
