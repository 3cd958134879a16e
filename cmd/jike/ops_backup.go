package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/jike-crm/jike/modules/platform/backup"
	"github.com/jike-crm/jike/modules/platform/config"
	"github.com/jike-crm/jike/modules/platform/db"
)

// cmdBackup writes a backup of the configured database to --to: a pg_dump
// custom archive for PostgreSQL, an SQLite file (VACUUM INTO) for the
// embedded database. Attachments are in the database, so they are in it.
func cmdBackup(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	to := fs.String("to", "", "file to write the backup to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup: say where: --to FILE")
	}
	d, err := openDB(ctx, cfg, newLogger(cfg, stderr), false)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Dialect == db.Postgres {
		err = backup.Postgres(ctx, cfg.DatabaseURL, *to)
	} else {
		err = backup.SQLite(ctx, d.Gorm, *to)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup of the %s database written to %s\n", d.Dialect, *to)
	return nil
}

// cmdRestore restores --from into the configured database, which must be
// empty: a backup never overwrites data.
func cmdRestore(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	from := fs.String("from", "", "backup file written by jike backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: say what: --from FILE")
	}
	kind, err := backup.Kind(*from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	want := backup.KindSQLite
	if cfg.DatabaseURL != "" {
		want = backup.KindPostgres
	}
	if kind != want {
		return fmt.Errorf("restore: %s is a %s backup but the configured database is %s (to move from SQLite to PostgreSQL use jike migrate-data)", *from, kind, want)
	}
	log := newLogger(cfg, stderr)
	if kind == backup.KindSQLite {
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("invalid configuration:\n%w", err)
		}
		if err := backup.RestoreSQLite(*from, cfg.SQLitePath()); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	} else {
		d, err := openDB(ctx, cfg, log, false)
		if err != nil {
			return err
		}
		tables, err := backup.Tables(ctx, d.Gorm)
		d.Close()
		if err != nil {
			return err
		}
		if len(tables) > 0 {
			return fmt.Errorf("restore: %w (it has %d tables)", backup.ErrNotEmpty, len(tables))
		}
		if err := backup.RestorePostgres(ctx, cfg.DatabaseURL, *from); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	d, err := openDB(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer d.Close()
	cur, _, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s into the %s database (schema version %d; jike serve or jike migrate applies newer migrations)\n", *from, d.Dialect, cur)
	return nil
}

// Version and Commit are set at build time:
//
//	go build -ldflags "-X main.Version=1.4.0 -X main.Commit=$(git rev-parse --short HEAD)"
//
// Without them, the module version and VCS revision Go records in the
// binary are used.
var (
	Version = ""
	Commit  = ""
)

// versionInfo is the version and commit of this binary.
func versionInfo() (version, commit string) {
	version, commit = Version, Commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" && bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && commit == "" {
				commit = s.Value
			}
			if s.Key == "vcs.modified" && s.Value == "true" && commit != "" && Commit == "" {
				commit += "-dirty"
			}
		}
	}
	if version == "" {
		version = "(devel)"
	}
	if commit == "" {
		commit = "unknown"
	}
	return version, commit
}

func cmdVersion(stdout io.Writer) error {
	v, c := versionInfo()
	fmt.Fprintf(stdout, "jike %s (commit %s)\n", v, c)
	return nil
}
