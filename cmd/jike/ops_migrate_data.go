package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/jike-crm/jike/modules/platform/config"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/dbcopy"
)

// cmdMigrateData moves an embedded SQLite installation into PostgreSQL:
// both databases are brought to this binary's schema, then every table is
// copied in one transaction on the target (dbcopy) and the row counts are
// printed per table. A target that already holds data is refused (so a
// second run changes nothing) unless --replace says to empty it first.
func cmdMigrateData(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate-data", stderr)
	from := fs.String("from", "", "the SQLite database to copy, as sqlite:PATH")
	to := fs.String("to", cfg.DatabaseURL, "the PostgreSQL database to copy into (default JIKE_DATABASE_URL)")
	replace := fs.Bool("replace", false, "empty the target's tables first instead of refusing a target that holds data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path, ok := strings.CutPrefix(*from, "sqlite:")
	if !ok || path == "" {
		return errors.New("migrate-data: say what to copy: --from sqlite:PATH (the jike.db file)")
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return errors.New("migrate-data: say where to: --to postgres://… (or set JIKE_DATABASE_URL)")
	}
	// db.Open would create a missing file: a typo must not copy nothing.
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		return fmt.Errorf("migrate-data: %s is not an SQLite database file", path)
	}
	log := newLogger(cfg, stderr)
	src, err := db.Open(ctx, db.Options{SQLitePath: path, Logger: log})
	if err != nil {
		return fmt.Errorf("migrate-data: source: %w", err)
	}
	defer src.Close()
	dst, err := db.Open(ctx, db.Options{URL: *to, Logger: log})
	if err != nil {
		return fmt.Errorf("migrate-data: target: %w", err)
	}
	defer dst.Close()
	for _, d := range []*db.DB{src, dst} {
		if _, err := d.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate-data: %w", err)
		}
	}
	rep, err := dbcopy.Copy(ctx, src.Gorm, dst.Gorm, dbcopy.Options{Replace: *replace})
	if err != nil {
		if errors.Is(err, dbcopy.ErrTargetNotEmpty) {
			return fmt.Errorf("migrate-data: %w; nothing was copied (was the move already done? --replace empties the target first)", err)
		}
		return fmt.Errorf("migrate-data: %w", err)
	}
	target := *to
	if u, err := url.Parse(*to); err == nil {
		target = u.Redacted()
	}
	fmt.Fprintf(stdout, "copied sqlite:%s into %s at schema version %d, in one transaction\n", path, target, rep.SchemaVersion)
	if rep.Replaced {
		fmt.Fprintln(stdout, "(the target's rows were deleted first: --replace)")
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "table\tsource rows\tcopied rows\t")
	for _, t := range rep.Tables {
		note := "ok"
		if len(t.Deferred) > 0 {
			note = "ok (" + strings.Join(t.Deferred, ", ") + " set last)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", t.Table, t.Source, t.Copied, note)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d tables, %d rows, every count verified; %d sequences moved past their largest id\n", len(rep.Tables), rep.Rows(), rep.Sequences)
	fmt.Fprintln(stdout, "next: point JIKE_DATABASE_URL at the target and start jike serve; keep the SQLite file as a backup")
	return nil
}
