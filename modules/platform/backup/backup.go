// Package backup writes and restores whole-database backups: PostgreSQL
// through pg_dump's custom format and pg_restore (the client tools of the
// postgresql packages), the embedded SQLite file through VACUUM INTO, an
// online, consistent copy taken while the portal keeps serving. Contract
// attachments live in the database (contract_files), so a backup holds
// them.
package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Kinds of backup file, told apart by their first bytes.
const (
	KindPostgres = "postgres"
	KindSQLite   = "sqlite"
)

// Kind reads the first bytes of file: a pg_dump custom archive starts with
// PGDMP, an SQLite database with "SQLite format 3".
func Kind(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PGDMP")):
		return KindPostgres, nil
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return KindSQLite, nil
	}
	return "", fmt.Errorf("%s is neither a pg_dump custom archive nor an SQLite database", file)
}

// Tool finds a PostgreSQL client program: on PATH, else in the newest
// /usr/lib/postgresql/*/bin (Debian installs them there). The newest
// matters: pg_dump refuses a server newer than itself.
func Tool(name string) (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return n }
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found: install the PostgreSQL client (apt-get install postgresql-client)", name)
}

func runTool(ctx context.Context, name string, args ...string) error {
	p, err := Tool(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, p, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		// The URL (with its password) is in args; only stderr is shown.
		return fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Postgres dumps the database at url into file (custom format,
// compressed, without owners or grants, so it restores under another
// role). It writes file.partial and renames it, so file is whole or absent.
func Postgres(ctx context.Context, url, file string) error {
	tmp := file + ".partial"
	if err := runTool(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file="+tmp, "--dbname="+url); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, file)
}

// RestorePostgres restores file into the empty database at url in one
// transaction: on any error nothing is restored.
func RestorePostgres(ctx context.Context, url, file string) error {
	return runTool(ctx, "pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--dbname="+url, file)
}

// SQLite writes a consistent copy of the open SQLite database g into file
// (VACUUM INTO, which readers and writers may use meanwhile).
func SQLite(ctx context.Context, g *gorm.DB, file string) error {
	tmp := file + ".partial"
	os.Remove(tmp)
	if err := g.WithContext(ctx).Exec("VACUUM INTO ?", tmp).Error; err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sqlite backup: %w", err)
	}
	return os.Rename(tmp, file)
}

// ErrNotEmpty: a restore only goes into an empty database, never over
// data.
var ErrNotEmpty = errors.New("the target database is not empty; restore into a new, empty database")

// RestoreSQLite puts the backup file at path, which must not hold a
// database yet (absent or empty). The copy is written beside path and
// renamed, so path is whole or absent.
func RestoreSQLite(file, path string) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return fmt.Errorf("%s: %w", path, ErrNotEmpty)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if st, err := os.Stat(path + side); err == nil && st.Size() > 0 {
			return fmt.Errorf("%s%s: %w", path, side, ErrNotEmpty)
		}
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	}
	src, err := os.Open(file)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := path + ".partial"
	dst, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(tmp)
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		os.Remove(tmp)
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Tables lists the user tables of the database (both dialects), sorted.
func Tables(ctx context.Context, g *gorm.DB) ([]string, error) {
	var names []string
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`
	if g.Dialector.Name() == "sqlite" {
		q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1`
	}
	if err := g.WithContext(ctx).Raw(q).Scan(&names).Error; err != nil {
		return nil, err
	}
	return names, nil
}
