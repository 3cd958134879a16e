package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

// TestReplicaDownReadsThePrimary: a replica that cannot be reached (here:
// nothing listens) neither stops OpenReplica nor a read: the read is
// answered by the primary, and the handle says it is off the replica. The
// real standby, its replay and its shutdown are in cmd/jike
// (TestReportsReadFromStreamingReplica).
func TestReplicaDownReadsThePrimary(t *testing.T) {
	primary := testkit.Postgres(t)
	if err := primary.Gorm.Exec(`CREATE TABLE replica_probe (n INT); INSERT INTO replica_probe VALUES (7)`).Error; err != nil {
		t.Fatal(err)
	}
	rep, err := db.OpenReplica(primary, []string{"postgres://postgres@127.0.0.1:" + closedPort(t) + "/jike?sslmode=disable"}, nil)
	if err != nil {
		t.Fatalf("a replica that is down stopped the start: %v", err)
	}
	defer rep.Close()
	if !rep.OnReplica() {
		t.Fatal("before any read the replica is presumed up")
	}
	var n int
	if err := rep.Gorm.WithContext(context.Background()).Raw(`SELECT n FROM replica_probe`).Scan(&n).Error; err != nil || n != 7 {
		t.Fatalf("read with the replica down: %d %v", n, err)
	}
	if rep.OnReplica() {
		t.Fatal("the handle did not notice the replica is down")
	}
	// A transaction (a report's read snapshot) falls back too.
	err = db.ReadSnapshot(context.Background(), rep.Gorm, func(ctx context.Context) error {
		return db.Conn(ctx, rep.Gorm).Raw(`SELECT n FROM replica_probe`).Scan(&n).Error
	})
	if err != nil || n != 7 {
		t.Fatalf("read snapshot with the replica down: %d %v", n, err)
	}
}

// TestReplicaErrorKinds: only errors of the replica being unreachable or
// not serving send a read to the primary; a statement's own error (which
// the primary would repeat) and a cancelled request do not.
func TestReplicaErrorKinds(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := []struct {
		ctx  context.Context
		err  error
		want bool
	}{
		{ctx, nil, false},
		{ctx, sql.ErrNoRows, false},
		{ctx, &pgconn.PgError{Code: "42P01", Message: "relation does not exist"}, false},
		{ctx, &pgconn.PgError{Code: "22P02", Message: "invalid input syntax"}, false},
		{ctx, &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{ctx, &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}, true},
		{ctx, &pgconn.PgError{Code: "08006", Message: "connection failure"}, true},
		{ctx, &pgconn.PgError{Code: "53300", Message: "too many connections"}, true},
		{ctx, &pgconn.PgError{Code: "40001", Message: "canceling statement due to conflict with recovery"}, true},
		{ctx, &pgconn.PgError{Code: "40001", Message: "could not serialize access"}, false},
		{ctx, fmt.Errorf("query: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), true},
		{cancelled, fmt.Errorf("query: %w", context.Canceled), false},
	}
	for _, c := range cases {
		if got := db.ReplicaUnavailable(c.ctx, c.err); got != c.want {
			t.Errorf("%v: %v, want %v", c.err, got, c.want)
		}
	}
}
