package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// Cluster is a PostgreSQL server a test starts for itself (not the shared
// throwaway cluster), for tests that need a server of their own: a
// streaming standby made with pg_basebackup, a server that is stopped.
// It is built from the same binaries as the shared cluster
// (/usr/lib/postgresql/*/bin) and stopped when the test ends.
type Cluster struct {
	// Port is the TCP port on 127.0.0.1.
	Port string
	bin  string
	dir  string // owns data/, the socket and log
	cred *syscall.Credential
	up   bool
}

// URL is the connection URL of database name as the superuser postgres
// (trust authentication on loopback).
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", c.Port, name)
}

// Data is the cluster's data directory.
func (c *Cluster) Data() string { return filepath.Join(c.dir, "data") }

// Log is the server's log file, for failure messages.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return string(b)
}

// run runs a PostgreSQL program as the postgres user when the test runs
// as root (the server refuses to run as root).
func (c *Cluster) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// newClusterDir makes an empty cluster directory owned by the user the
// server will run as.
func newClusterDir(t testing.TB) *Cluster {
	t.Helper()
	bin, err := findPGBin()
	if err != nil {
		t.Fatalf("POSTGRESQL UNAVAILABLE — this test needs it: %v", err)
	}
	dir, err := os.MkdirTemp("", "jike-pgc-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL must run as the postgres user, which does not exist: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if c.Port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c.up {
			_ = c.run("pg_ctl", "-D", c.Data(), "-m", "immediate", "-w", "stop")
		}
		os.RemoveAll(dir)
	})
	return c
}

// Start starts the server (again) on its port.
func (c *Cluster) Start() error {
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100 -c hot_standby=on", c.Port, c.dir)
	if err := c.run("pg_ctl", "-D", c.Data(), "-o", opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "120", "start"); err != nil {
		return fmt.Errorf("%w\nserver log:\n%s", err, c.Log())
	}
	c.up = true
	return nil
}

// Stop shuts the server down (fast: sessions are ended).
func (c *Cluster) Stop() error {
	if err := c.run("pg_ctl", "-D", c.Data(), "-m", "fast", "-w", "stop"); err != nil {
		return err
	}
	c.up = false
	return nil
}

// NewCluster initialises and starts a PostgreSQL server of the test's
// own, ready to be a streaming primary (wal_level replica and replication
// connections from 127.0.0.1 are initdb's defaults).
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	c := newClusterDir(t)
	if err := c.run("initdb", "-D", c.Data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// NewStandby copies the primary with pg_basebackup (streaming the WAL it
// needs, -R writing standby.signal and primary_conninfo) and starts the
// copy as a hot standby on a port of its own: it replays the primary's
// changes as they are made and answers read-only queries.
func (c *Cluster) NewStandby(t testing.TB) *Cluster {
	t.Helper()
	s := newClusterDir(t)
	if err := s.run("pg_basebackup", "-h", "127.0.0.1", "-p", c.Port, "-U", "postgres", "-D", s.Data(),
		"-X", "stream", "-R", "--checkpoint=fast", "--no-sync"); err != nil {
		t.Fatalf("pg_basebackup from the primary: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Data(), "standby.signal")); err != nil {
		t.Fatalf("pg_basebackup -R wrote no standby.signal: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}
