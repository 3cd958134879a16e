package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// ReplicaAppName is the application_name of the replica pool's
// connections (unless the URL names one), so pg_stat_activity on the
// standby shows which sessions are the portal's report readers.
const ReplicaAppName = "jike-replica"

// replicaRetry is how long reads stay on the primary after the replica
// failed, before the replica is tried again.
const replicaRetry = 10 * time.Second

// Replica is a read-only handle on a PostgreSQL streaming replica that
// falls back to the primary: while the replica cannot be reached (refused,
// shut down, starting up, too many connections) every read goes to the
// primary, and the replica is tried again after a few seconds. A report
// must not fail because the standby is being restarted; it reads slightly
// fresher data from the primary meanwhile.
type Replica struct {
	// Gorm is the handle reports read through.
	Gorm *gorm.DB
	pool *fallbackPool
}

// OpenReplica opens the replica at url beside primary. It does not
// connect yet, so a replica that is down when jike starts only sends the
// reads to the primary until it is back.
func OpenReplica(primary *DB, rawURL string, log *slog.Logger) (*Replica, error) {
	if primary.Dialect != Postgres {
		return nil, errors.New("a read replica needs a PostgreSQL primary")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("read replica URL: %w", err)
	}
	q := u.Query()
	if q.Get("application_name") == "" {
		q.Set("application_name", ReplicaAppName)
	}
	// A replica host that drops packets must not hold a report for the
	// system's TCP timeout: give up quickly and read the primary.
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", "3")
	}
	u.RawQuery = q.Encode()
	cfg := gormConfig(log)
	cfg.DisableAutomaticPing = true
	rg, err := gorm.Open(postgres.Open(withSessionDefaults(u.String())), cfg)
	if err != nil {
		return nil, fmt.Errorf("open read replica: %w", err)
	}
	replicaSQL, err := rg.DB()
	if err != nil {
		return nil, err
	}
	replicaSQL.SetMaxOpenConns(20)
	replicaSQL.SetMaxIdleConns(10)
	replicaSQL.SetConnMaxIdleTime(5 * time.Minute)
	primarySQL, err := primary.Gorm.DB()
	if err != nil {
		return nil, err
	}
	pool := &fallbackPool{replica: replicaSQL, primary: primarySQL, log: log, now: time.Now}
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: pool}), gormConfig(log))
	if err != nil {
		replicaSQL.Close()
		return nil, fmt.Errorf("open read replica: %w", err)
	}
	return &Replica{Gorm: g, pool: pool}, nil
}

// Close closes the replica's connections (not the primary's).
func (r *Replica) Close() error { return r.pool.replica.Close() }

// OnReplica reports whether reads go to the replica now (false while they
// fall back to the primary).
func (r *Replica) OnReplica() bool { return !r.pool.down() }

// fallbackPool is a gorm.ConnPool that reads from the replica and, when
// the replica is unavailable, from the primary.
type fallbackPool struct {
	replica, primary *sql.DB
	log              *slog.Logger
	now              func() time.Time

	mu        sync.Mutex
	downUntil time.Time
}

func (p *fallbackPool) down() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now().Before(p.downUntil)
}

// pick is the pool to try first.
func (p *fallbackPool) pick() *sql.DB {
	if p.down() {
		return p.primary
	}
	return p.replica
}

// failed records that the replica is unavailable, when err says so, and
// reports whether the statement should be run on the primary instead.
func (p *fallbackPool) failed(ctx context.Context, used *sql.DB, err error) bool {
	if used != p.replica || !unavailable(ctx, err) {
		return false
	}
	p.mu.Lock()
	wasUp := !p.now().Before(p.downUntil)
	p.downUntil = p.now().Add(replicaRetry)
	p.mu.Unlock()
	if wasUp {
		p.log.Warn("read replica unavailable; reading from the primary", "err", err, "retry_in", replicaRetry.String())
	}
	return true
}

// unavailable tells an error of the replica being unreachable or not
// serving (which the primary would not have) from an error of the
// statement (which the primary would repeat).
func unavailable(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil || errors.Is(err, sql.ErrNoRows) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"): // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, starting up
			return true
		case pgErr.Code == "53300": // too many connections
			return true
		case pgErr.Code == "40001" && strings.Contains(pgErr.Message, "recovery"): // conflict with recovery
			return true
		}
		return false
	}
	// No answer from the server at all: refused, reset, closed, timed out.
	return true
}

func (p *fallbackPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	db := p.pick()
	st, err := db.PrepareContext(ctx, query)
	if p.failed(ctx, db, err) {
		return p.primary.PrepareContext(ctx, query)
	}
	return st, err
}

func (p *fallbackPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	db := p.pick()
	res, err := db.ExecContext(ctx, query, args...)
	if p.failed(ctx, db, err) {
		return p.primary.ExecContext(ctx, query, args...)
	}
	return res, err
}

func (p *fallbackPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	db := p.pick()
	rows, err := db.QueryContext(ctx, query, args...)
	if p.failed(ctx, db, err) {
		return p.primary.QueryContext(ctx, query, args...)
	}
	return rows, err
}

func (p *fallbackPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	db := p.pick()
	row := db.QueryRowContext(ctx, query, args...)
	if p.failed(ctx, db, row.Err()) {
		return p.primary.QueryRowContext(ctx, query, args...)
	}
	return row
}

// BeginTx makes GORM's transactions (a read snapshot over several report
// queries) work on the pool.
func (p *fallbackPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	db := p.pick()
	tx, err := db.BeginTx(ctx, opts)
	if err == nil {
		// BeginTx does not always reach the server; make sure it did.
		if _, err = tx.ExecContext(ctx, "SELECT 1"); err != nil {
			_ = tx.Rollback()
		}
	}
	if p.failed(ctx, db, err) {
		return p.primary.BeginTx(ctx, opts)
	}
	return tx, err
}

// GetDBConn gives gorm (and the pool metrics) the replica's *sql.DB.
func (p *fallbackPool) GetDBConn() (*sql.DB, error) { return p.replica, nil }
