package db

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// lagKey marks a context whose reads may come from a read replica.
type lagKey struct{}

// MayLag marks ctx: the reads made under it may be answered by a read
// replica, a moment behind the primary. Use it for what nobody reads back
// right after writing it — a list's total, an export, a report — never
// around a read that decides a write. Writes under it still go to the
// primary (only SELECTs are routed), and so does everything inside a
// transaction the context carries. Without a replica it changes nothing.
func MayLag(ctx context.Context) context.Context {
	return context.WithValue(ctx, lagKey{}, true)
}

// pinKey marks a context whose reads must all come from the primary.
type pinKey struct{}

// Pin marks ctx: every read under it goes to the primary, even one a
// store marks MayLag further down. For what is kept under a data version
// read from the primary (VersionCache, the home panels): a replica a
// moment behind would make it older than its version says.
func Pin(ctx context.Context) context.Context {
	return context.WithValue(ctx, pinKey{}, true)
}

func mayLag(ctx context.Context) bool {
	if pinned, _ := ctx.Value(pinKey{}).(bool); pinned {
		return false
	}
	v, _ := ctx.Value(lagKey{}).(bool)
	return v
}

// lagRouterName is the router's plugin name on the primary's handle.
const lagRouterName = "jike:replica-router"

// lagRouter sends the primary handle's SELECTs made under MayLag to the
// replicas. It is a GORM plugin on the primary's *gorm.DB, so every store
// already holding that handle takes part without knowing about replicas,
// and a database without a replica has no router and reads the primary.
type lagRouter struct{ replica *Replica }

func (l *lagRouter) Name() string { return lagRouterName }

func (l *lagRouter) Initialize(g *gorm.DB) error {
	if err := g.Callback().Query().Before("gorm:query").Register(lagRouterName, l.route); err != nil {
		return err
	}
	return g.Callback().Row().Before("gorm:row").Register(lagRouterName, l.route)
}

// route switches a statement to the replicas' pool when its context may
// lag and it is not part of a transaction (a transaction must see its own
// writes, and it lives on one connection of the primary).
func (l *lagRouter) route(g *gorm.DB) {
	ctx := g.Statement.Context
	if ctx == nil || !mayLag(ctx) {
		return
	}
	if _, inTx := g.Statement.ConnPool.(*sql.Tx); inTx {
		return
	}
	if _, inTx := g.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return
	}
	g.Statement.ConnPool = l.replica.pool
}

// RouteLaggingReads makes primary's reads under MayLag (list totals,
// exports) go to the replicas. Call it once after OpenReplica.
func (r *Replica) RouteLaggingReads(primary *DB) error {
	return primary.Gorm.Use(&lagRouter{replica: r})
}

// laggingReplica is the replica handle a read snapshot under MayLag is
// opened on, or nil when base has no replica.
func laggingReplica(ctx context.Context, base *gorm.DB) *gorm.DB {
	if !mayLag(ctx) {
		return nil
	}
	p, ok := base.Config.Plugins[lagRouterName].(*lagRouter)
	if !ok {
		return nil
	}
	return p.replica.Gorm
}
