package db_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// switchProxy forwards a fixed loopback port to target and can be taken
// down and brought back on the same port: a replica that restarts.
type switchProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newSwitchProxy(t *testing.T, target string) *switchProxy {
	p := &switchProxy{t: t, addr: "127.0.0.1:" + closedPort(t), target: target}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *switchProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

// down refuses new connections and cuts the open ones.
func (p *switchProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// replicaURL points raw at addr with its own application_name, read-only
// like a hot standby (a write sent there fails).
func replicaURL(t *testing.T, raw, addr, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	q := u.Query()
	q.Set("application_name", name)
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	return u.String()
}

// TestReplicasShareReadsAndComeBack: with two replicas (here: the test
// database behind a read-only session, one of them through a proxy that
// can go down), reads marked MayLag take the replicas in turn; unmarked
// reads, writes and everything in a transaction stay on the primary; a
// read snapshot under MayLag (an export) is on a replica. A replica that
// goes down is left out at once without an error, and is read again once
// it is back and the retry time has passed.
func TestReplicasShareReadsAndComeBack(t *testing.T) {
	primary, raw := testkit.PostgresWithURL(t)
	pu, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newSwitchProxy(t, pu.Host)
	rep, err := db.OpenReplica(primary, []string{
		replicaURL(t, raw, pu.Host, "replica-a"),
		replicaURL(t, raw, proxy.addr, "replica-b"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rep.Close() })
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	rep.SetClock(func() time.Time { return time.Unix(0, clock.Load()) })
	if err := rep.RouteLaggingReads(primary); err != nil {
		t.Fatal(err)
	}
	if err := primary.Gorm.Exec(`CREATE TABLE lag_probe (n INT)`).Error; err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	lag := db.MayLag(ctx)
	who := func(ctx context.Context) string {
		t.Helper()
		var name string
		if err := db.Conn(ctx, primary.Gorm).Raw(`SELECT current_setting('application_name')`).Scan(&name).Error; err != nil {
			t.Fatal(err)
		}
		return name
	}
	seen := func(n int) map[string]int {
		out := map[string]int{}
		for range n {
			out[who(lag)]++
		}
		return out
	}

	if got := who(ctx); got != "jike" {
		t.Fatalf("an unmarked read went to %q, want the primary", got)
	}
	if got := seen(6); got["replica-a"] != 3 || got["replica-b"] != 3 {
		t.Fatalf("marked reads were not shared by the replicas: %v", got)
	}
	var n int64
	if err := primary.Gorm.WithContext(lag).Table("lag_probe").Count(&n).Error; err != nil {
		t.Fatalf("a count under MayLag: %v", err)
	}
	// Writes under MayLag reach the primary (the replicas are read-only).
	if err := primary.Gorm.WithContext(lag).Exec(`INSERT INTO lag_probe VALUES (1)`).Error; err != nil {
		t.Fatalf("a write under MayLag went to a replica: %v", err)
	}
	if err := primary.Gorm.WithContext(lag).Table("lag_probe").Create(map[string]any{"n": 2}).Error; err != nil {
		t.Fatalf("a create under MayLag went to a replica: %v", err)
	}
	// A transaction reads its own writes on the primary even under MayLag.
	err = db.WithTx(lag, primary.Gorm, func(ctx context.Context) error {
		if got := who(ctx); got != "jike" {
			t.Errorf("a read in a transaction went to %q", got)
		}
		return db.Conn(ctx, primary.Gorm).Table("lag_probe").Count(&n).Error
	})
	if err != nil || n != 2 {
		t.Fatalf("transaction under MayLag: %d rows, %v", n, err)
	}
	// A read snapshot under MayLag (an export) is taken on a replica;
	// without the mark, on the primary.
	for _, c := range []struct {
		ctx       context.Context
		onReplica bool
	}{{lag, true}, {ctx, false}} {
		err = db.ReadSnapshot(c.ctx, primary.Gorm, func(ctx context.Context) error {
			got := who(ctx)
			if (got != "jike") != c.onReplica {
				t.Errorf("read snapshot (replica wanted: %v) ran on %q", c.onReplica, got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Replica b goes down: every marked read is answered, by a.
	proxy.down()
	if got := seen(6); got["replica-a"] != 6 {
		t.Fatalf("with replica b down: %v", got)
	}
	if rep.ReplicasUp() != 1 || !rep.OnReplica() {
		t.Fatalf("replicas up: %d", rep.ReplicasUp())
	}
	// Back on the same address: still left out until the retry time.
	proxy.up()
	if got := seen(4); got["replica-b"] != 0 {
		t.Fatalf("replica b was read before its retry time: %v", got)
	}
	clock.Add(int64(11 * time.Second))
	if rep.ReplicasUp() != 2 {
		t.Fatalf("after the retry time %d replicas are up", rep.ReplicasUp())
	}
	if got := seen(6); got["replica-a"] != 3 || got["replica-b"] != 3 {
		t.Fatalf("replica b back: reads %v", got)
	}
}

// TestNoReplicaMayLagReadsThePrimary: without a replica the mark changes
// nothing.
func TestNoReplicaMayLagReadsThePrimary(t *testing.T) {
	for _, d := range []*db.DB{testkit.Postgres(t), testkit.SQLite(t)} {
		var one int
		if err := d.Gorm.WithContext(db.MayLag(context.Background())).Raw(`SELECT 1`).Scan(&one).Error; err != nil || one != 1 {
			t.Fatalf("%s: %d %v", d.Dialect, one, err)
		}
		err := db.ReadSnapshot(db.MayLag(context.Background()), d.Gorm, func(ctx context.Context) error {
			if !db.InTx(ctx) {
				t.Error("no snapshot")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
