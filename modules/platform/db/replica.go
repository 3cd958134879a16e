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

// Replica is a read-only handle on one or more PostgreSQL streaming
// replicas that falls back to the primary: reads take the replicas in
// turn; while one cannot be reached (refused, shut down, starting up, too
// many connections) it is left out and tried again after a few seconds,
// and while none can be, every read goes to the primary. A report must
// not fail because a standby is being restarted; it reads slightly
// fresher data from another standby or the primary meanwhile.
type Replica struct {
	// Gorm is the handle reports read through.
	Gorm *gorm.DB
	pool *fallbackPool
}

// OpenReplica opens the replicas at urls beside primary. It does not
// connect yet, so a replica that is down when jike starts only sends its
// share of the reads elsewhere until it is back.
func OpenReplica(primary *DB, urls []string, log *slog.Logger) (*Replica, error) {
	if primary.Dialect != Postgres {
		return nil, errors.New("a read replica needs a PostgreSQL primary")
	}
	if len(urls) == 0 {
		return nil, errors.New("read replica: no URL")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	primarySQL, err := primary.Gorm.DB()
	if err != nil {
		return nil, err
	}
	pool := &fallbackPool{primary: primarySQL, log: log, now: time.Now}
	for i, raw := range urls {
		rs, err := openReplicaSQL(raw, log, primary.pool)
		if err != nil {
			pool.close()
			return nil, fmt.Errorf("read replica %d: %w", i+1, err)
		}
		pool.replicas = append(pool.replicas, &replicaMember{db: rs, n: i + 1})
	}
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: pool}), gormConfig(log))
	if err != nil {
		pool.close()
		return nil, fmt.Errorf("open read replica: %w", err)
	}
	if err := registerReadTrack(g); err != nil {
		pool.close()
		return nil, err
	}
	return &Replica{Gorm: g, pool: pool}, nil
}

// openReplicaSQL opens one replica's pool without connecting.
func openReplicaSQL(rawURL string, log *slog.Logger, pool Pool) (*sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("URL: %w", err)
	}
	q := u.Query()
	if q.Get("application_name") == "" {
		q.Set("application_name", ReplicaAppName)
	}
	// A replica host that drops packets must not hold a report for the
	// system's TCP timeout: give up quickly and read elsewhere.
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", "3")
	}
	u.RawQuery = q.Encode()
	cfg := gormConfig(log)
	cfg.DisableAutomaticPing = true
	rg, err := gorm.Open(postgres.Open(withSessionDefaults(u.String())), cfg)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	rs, err := rg.DB()
	if err != nil {
		return nil, err
	}
	pool.apply(rs)
	return rs, nil
}

// Close closes the replicas' connections (not the primary's).
func (r *Replica) Close() error { return r.pool.close() }

// OnReplica reports whether reads go to a replica now (false while every
// replica is left out and reads fall back to the primary).
func (r *Replica) OnReplica() bool { return r.pool.up() > 0 }

// ReplicasUp is how many of the replicas take reads now.
func (r *Replica) ReplicasUp() int { return r.pool.up() }

// SetClock replaces the pool's clock (tests: "ten seconds later").
func (r *Replica) SetClock(now func() time.Time) {
	r.pool.mu.Lock()
	defer r.pool.mu.Unlock()
	r.pool.now = now
}

// replicaMember is one replica of the pool and until when it is left out.
type replicaMember struct {
	db        *sql.DB
	n         int // 1-based, for the log
	downUntil time.Time
}

// fallbackPool is a gorm.ConnPool that reads from the replicas in turn
// and, when none is available, from the primary.
type fallbackPool struct {
	replicas []*replicaMember
	primary  *sql.DB
	log      *slog.Logger

	mu   sync.Mutex
	now  func() time.Time
	next int // round-robin position
}

func (p *fallbackPool) close() error {
	var errs []error
	for _, r := range p.replicas {
		errs = append(errs, r.db.Close())
	}
	return errors.Join(errs...)
}

// up counts the replicas that take reads now.
func (p *fallbackPool) up() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	now, n := p.now(), 0
	for _, r := range p.replicas {
		if !now.Before(r.downUntil) {
			n++
		}
	}
	return n
}

// pick is the pool to try next: the next replica in turn that is not
// left out, else the primary.
func (p *fallbackPool) pick() *sql.DB {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for range p.replicas {
		r := p.replicas[p.next%len(p.replicas)]
		p.next++
		if !now.Before(r.downUntil) {
			return r.db
		}
	}
	return p.primary
}

// failed records that the replica used is unavailable, when err says so,
// and reports whether the statement should be tried again elsewhere (the
// next replica or the primary). The primary is never left out, so a retry
// loop over failed ends.
func (p *fallbackPool) failed(ctx context.Context, used *sql.DB, err error) bool {
	if used == p.primary || !unavailable(ctx, err) {
		return false
	}
	p.mu.Lock()
	var m *replicaMember
	for _, r := range p.replicas {
		if r.db == used {
			m = r
		}
	}
	if m == nil {
		p.mu.Unlock()
		return false
	}
	wasUp := !p.now().Before(m.downUntil)
	m.downUntil = p.now().Add(replicaRetry)
	p.mu.Unlock()
	if wasUp {
		p.log.Warn("read replica unavailable; reading from another replica or the primary", "replica", m.n, "err", err, "retry_in", replicaRetry.String())
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
	for {
		db := p.pick()
		st, err := db.PrepareContext(ctx, query)
		if !p.failed(ctx, db, err) {
			return st, err
		}
	}
}

func (p *fallbackPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	for {
		db := p.pick()
		res, err := db.ExecContext(ctx, query, args...)
		if !p.failed(ctx, db, err) {
			return res, err
		}
	}
}

func (p *fallbackPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	for {
		db := p.pick()
		rows, err := db.QueryContext(ctx, query, args...)
		if !p.failed(ctx, db, err) {
			return rows, err
		}
	}
}

func (p *fallbackPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	for {
		db := p.pick()
		row := db.QueryRowContext(ctx, query, args...)
		if !p.failed(ctx, db, row.Err()) {
			return row
		}
	}
}

// BeginTx makes GORM's transactions (a read snapshot over several report
// queries) work on the pool.
func (p *fallbackPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	for {
		db := p.pick()
		tx, err := db.BeginTx(ctx, opts)
		if err == nil {
			// BeginTx does not always reach the server; make sure it did.
			if _, err = tx.ExecContext(ctx, "SELECT 1"); err != nil {
				_ = tx.Rollback()
			}
		}
		if !p.failed(ctx, db, err) {
			return tx, err
		}
	}
}

// GetDBConn gives gorm (and the pool metrics) the first replica's *sql.DB.
func (p *fallbackPool) GetDBConn() (*sql.DB, error) { return p.replicas[0].db, nil }
