package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// txKey carries the open transaction in a context.
type txKey struct{}

// txValue is what the context holds: the transaction and the handle it was
// opened from, so a store bound to another database never joins it.
type txValue struct {
	tx   *gorm.DB
	pool gorm.ConnPool
	// conn is the connection a bulk transaction runs on (WithBulkTx), for
	// CopyIn; nil for any other.
	conn *sql.Conn
}

// WithTx runs fn inside one database transaction that every store joins
// through Conn, whichever module the store belongs to. This is how a change
// that spans modules (a contract signed → its opportunity won → the
// prospect made an active customer → timeline and audit) commits or rolls
// back as one: each module's store keeps its own SQL, and the transaction
// travels in ctx instead of being passed from store to store.
//
// A call inside a transaction joins it: only the outermost WithTx commits,
// and an error anywhere rolls everything back.
func WithTx(ctx context.Context, base *gorm.DB, fn func(ctx context.Context) error) error {
	if v, ok := ctx.Value(txKey{}).(txValue); ok && v.pool == rootPool(base) {
		return fn(ctx)
	}
	return base.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, txValue{tx: tx, pool: rootPool(base)}))
	})
}

// ReadSnapshot runs fn inside one read-only transaction that every store
// joins through Conn: at REPEATABLE READ on PostgreSQL and in SQLite's WAL
// snapshot, so everything fn reads (an export's batches and the names it
// looks up for them) comes from one moment, on one connection. If ctx
// already carries a transaction on this database, fn joins it.
//
// Nothing inside may write: the transaction is read-only. Under MayLag
// (an export) and with a replica routed (Replica.RouteLaggingReads), the
// snapshot is taken on a replica.
func ReadSnapshot(ctx context.Context, base *gorm.DB, fn func(ctx context.Context) error) error {
	if v, ok := ctx.Value(txKey{}).(txValue); ok && v.pool == rootPool(base) {
		return fn(ctx)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if base.Dialector.Name() == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	// Under MayLag the snapshot is taken on a replica when base has one;
	// the stores still join it through Conn(ctx, base).
	on := base
	if r := laggingReplica(ctx, base); r != nil {
		on = r
	}
	return on.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, txValue{tx: tx, pool: rootPool(base)}))
	}, opts)
}

// Conn returns the handle a store must use for ctx: the transaction ctx
// carries (when it was opened on the same database), else base bound to
// ctx. Stores call it at the start of every query instead of using their
// *gorm.DB directly, so they take part in a caller's transaction without
// knowing about it.
func Conn(ctx context.Context, base *gorm.DB) *gorm.DB {
	if v, ok := ctx.Value(txKey{}).(txValue); ok && v.pool == rootPool(base) {
		return v.tx.WithContext(ctx)
	}
	return base.WithContext(ctx)
}

// InTx reports whether ctx carries a transaction (for assertions in tests
// and for code that must not start slow work inside one).
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(txValue)
	return ok
}

// rootPool identifies the database a handle talks to. Inside a
// transaction GORM's ConnPool is the *sql.Tx, so the base handle (never a
// transaction itself) is what we compare.
func rootPool(g *gorm.DB) gorm.ConnPool {
	return g.Config.ConnPool
}

// WithTx is the package function on this database.
func (d *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return WithTx(ctx, d.Gorm, fn)
}

// Conn is the package function on this database.
func (d *DB) Conn(ctx context.Context) *gorm.DB { return Conn(ctx, d.Gorm) }

// UnionAll glues parts into one statement — SELECT * FROM (part) AS p0
// UNION ALL … — so that several aggregates (one GROUP BY per source) cost
// one round trip. The derived tables keep each part's GROUP BY valid in
// SQLite too. A part that carries an error (a store refusing a zero
// scope) is that error, before anything runs.
func UnionAll(conn *gorm.DB, parts []*gorm.DB) (*gorm.DB, error) {
	if len(parts) == 0 {
		return nil, errors.New("union of no queries")
	}
	stmts := make([]string, len(parts))
	args := make([]any, len(parts))
	for i, p := range parts {
		if p.Error != nil {
			return nil, p.Error
		}
		stmts[i] = fmt.Sprintf("SELECT * FROM (?) AS p%d", i)
		args[i] = p
	}
	return conn.Raw(strings.Join(stmts, " UNION ALL "), args...), nil
}

// WithPlannerSetting runs fn in a transaction of its own on PostgreSQL
// with one planner setting changed for that transaction only (SET LOCAL),
// for a statement whose plan the defaults get wrong at province scale
// (the care list with hash joins off, a team's velocity with
// random_page_cost 1.1). The setting is made with set_config(…, true),
// a read: an Exec would count as a write and empty the request's version
// memo. Elsewhere — SQLite, or inside a caller's transaction, whose
// settings it must not change — fn runs as it is.
func WithPlannerSetting(ctx context.Context, base *gorm.DB, name, value string, fn func(ctx context.Context) error) error {
	return WithPlannerSettings(ctx, base, []PlannerSetting{{name, value}}, fn)
}

// PlannerSetting is one setting's name and value for WithPlannerSettings.
type PlannerSetting struct{ Name, Value string }

// ProbeFromCustomers are the planner settings under which a statement over
// a branch's or a team's few thousand customers starts from them and
// probes their rows along an index: index reads priced as the memory they
// are in (random_page_cost 1.1), no hash joins. Costing each probe as a
// read from disk PostgreSQL otherwise hashed the province's whole table
// of visits, contracts, stage changes or care dates against the branch's
// customers (issue 19). A fresh slice: a caller may append its own.
func ProbeFromCustomers() []PlannerSetting {
	return []PlannerSetting{{Name: "random_page_cost", Value: "1.1"}, {Name: "enable_hashjoin", Value: "off"}}
}

// WithPlannerSettings is WithPlannerSetting for several settings at once,
// made in one statement.
func WithPlannerSettings(ctx context.Context, base *gorm.DB, settings []PlannerSetting, fn func(ctx context.Context) error) error {
	if base.Dialector.Name() != "postgres" || InTx(ctx) || len(settings) == 0 {
		return fn(ctx)
	}
	return WithTx(ctx, base, func(ctx context.Context) error {
		calls := make([]string, len(settings))
		args := make([]any, 0, 2*len(settings))
		for i, st := range settings {
			calls[i] = "set_config(?, ?, true)"
			args = append(args, st.Name, st.Value)
		}
		var was string
		if err := Conn(ctx, base).Raw("SELECT concat_ws(',', "+strings.Join(calls, ", ")+")", args...).Scan(&was).Error; err != nil {
			return fmt.Errorf("planner settings %v: %w", settings, err)
		}
		return fn(ctx)
	})
}

// AtOnce is how many of a page's independent reads may run at once: n,
// or one inside a transaction, whose one connection runs one statement
// at a time (par.Spare.Each's limit).
func AtOnce(ctx context.Context, n int) int {
	if InTx(ctx) {
		return 1
	}
	return n
}
