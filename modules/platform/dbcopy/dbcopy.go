// Package dbcopy moves the data of an embedded SQLite installation into a
// PostgreSQL database of the same schema version: the way a team that
// started on the default moves up (`jike migrate-data`).
//
// Everything is copied inside one transaction on the target, so the
// target ends up with all of the data or none of it. Tables go in
// dependency order (a referenced table before the tables that reference
// it), ids are kept and every sequence is moved past the largest id, so
// the next insert on PostgreSQL does not collide. Values are converted to
// the target column's type (SQLite keeps booleans as 0/1 and times as
// text), and the row count of every table is compared with the source's
// before the commit.
package dbcopy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ErrTargetNotEmpty: the target already holds rows. A second run of the
// same move ends here and changes nothing; Options.Replace empties the
// target first instead.
var ErrTargetNotEmpty = errors.New("the target database already holds data")

// migrationsTable is goose's bookkeeping; each side keeps its own.
const migrationsTable = "goose_db_version"

// versionsTable holds the data versions of the cached aggregates
// (migration 00026); each side keeps its own too: the target's triggers
// bump it as the copy commits.
const versionsTable = "cache_versions"

// stageTotalsTable is the live opportunities' totals per stage that
// SQLite's triggers keep (migration 00035); on PostgreSQL it is a view of
// two tables of its own (stageBaseTable, stageDeltasTable, 00045), so
// neither side's is copied: the target's are summed again from the
// copied opportunities before the copy commits.
const (
	stageTotalsTable = "opportunity_stage_totals"
	stageBaseTable   = "opportunity_stage_base"
	stageDeltasTable = "opportunity_stage_deltas"
)

// Each branch's opportunity totals per stage on PostgreSQL (migration
// 00047), summed again from the copied rows.
const (
	branchBaseTable   = "opportunity_branch_base"
	branchDeltasTable = "opportunity_branch_deltas"
)

// The care list's counts per branch, grade and last contact (migration
// 00046): SQLite's table kept by its triggers, PostgreSQL's base and
// deltas. Neither side's is copied; the target counts its copied
// customers again before the copy commits.
const (
	careKeptTable   = "care_contact_kept"
	careBaseTable   = "care_contact_base"
	careDeltasTable = "care_contact_deltas"
)

// The visits counted per manager and week piece on PostgreSQL (migration
// 00050) and the zone they count in: counted again from the copied
// visits; the target's zone stays the one its portal set.
const (
	visitWeeksTable = "visit_week_counts"
	visitZoneTable  = "visit_week_zone"
)

// The key persons counted per creator and week piece on PostgreSQL
// (migration 00053): counted again from the copied key persons.
const contactWeeksTable = "contact_week_counts"

// The live customers counted per manager, branch and part on PostgreSQL
// (migration 00064): counted again from the copied customers.
const ownerCountsTable = "customer_owner_counts"

// The open opportunities counted per expected-close day and stage on
// PostgreSQL (migration 00068): counted again from the copied
// opportunities.
const closeCountsTable = "opportunity_close_counts"

// The stage changes counted per month, branch, stage and whole days on
// PostgreSQL (migration 00052): counted again from the copied changes.
const (
	dwellBaseTable   = "stage_dwell_base"
	dwellDeltasTable = "stage_dwell_deltas"
)

// customerPairsTable is each customer's pairs of adjacent characters for
// the search, which SQLite's triggers keep (migration 00036); PostgreSQL
// computes them in an index instead, so it is not copied either.
const customerPairsTable = "customer_bigrams"

// titlePairsTable is the same of each opportunity's title (SQLite's
// migration 00062; PostgreSQL's GIN index of 00037).
const titlePairsTable = "opportunity_bigrams"

// Options tune a copy.
type Options struct {
	// Replace empties every table of the target (in the same transaction)
	// instead of refusing a target that holds rows.
	Replace bool
	// BatchRows bounds the rows of one INSERT statement (default 500).
	BatchRows int
}

// TableResult is one table's row counts on both sides.
type TableResult struct {
	Table  string
	Source int64
	Copied int64
	// Deferred names foreign-key columns that were written after every
	// table, because they close a cycle (teams ↔ users).
	Deferred []string
}

// Report is what a copy did.
type Report struct {
	// SchemaVersion is the migration version both databases are at.
	SchemaVersion int64
	// Tables in the order they were copied.
	Tables []TableResult
	// Sequences is how many sequences were moved past their column's
	// largest value.
	Sequences int
	// Replaced is true when the target's rows were deleted first.
	Replaced bool
}

// Rows is the total number of rows copied.
func (r *Report) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Copied
	}
	return n
}

// column is a target column.
type column struct {
	name, dataType string
	nullable       bool
}

// table is a target table with what the copy needs to know about it.
type table struct {
	name string
	cols map[string]column
	// order is the target's column order.
	order []string
	// pk lists the primary key columns.
	pk []string
	// refs maps a foreign-key column to the table it references.
	refs map[string]string
}

// Copy copies every table of src (an SQLite database) into dst (a
// PostgreSQL database migrated to the same version) in one transaction on
// dst and verifies the row counts. src is read in one read transaction,
// so the copy is a consistent snapshot even if the source is in use.
func Copy(ctx context.Context, src, dst *gorm.DB, o Options) (*Report, error) {
	if src.Dialector.Name() != "sqlite" || dst.Dialector.Name() != "postgres" {
		return nil, fmt.Errorf("dbcopy copies SQLite into PostgreSQL, not %s into %s", src.Dialector.Name(), dst.Dialector.Name())
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 500
	}
	srcDB, err := src.DB()
	if err != nil {
		return nil, err
	}
	dstDB, err := dst.DB()
	if err != nil {
		return nil, err
	}
	stx, err := srcDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	defer func() { _ = stx.Rollback() }()
	dtx, err := dstDB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	defer func() { _ = dtx.Rollback() }()

	rep := &Report{}
	sv, err := schemaVersion(ctx, stx)
	if err != nil {
		return nil, fmt.Errorf("source schema version: %w", err)
	}
	dv, err := schemaVersion(ctx, dtx)
	if err != nil {
		return nil, fmt.Errorf("target schema version: %w", err)
	}
	if sv != dv {
		return nil, fmt.Errorf("the source is at schema version %d and the target at %d: migrate both with this binary first", sv, dv)
	}
	rep.SchemaVersion = sv

	tables, err := targetTables(ctx, dtx)
	if err != nil {
		return nil, fmt.Errorf("target schema: %w", err)
	}
	srcTables, err := sourceTables(ctx, stx)
	if err != nil {
		return nil, fmt.Errorf("source schema: %w", err)
	}
	srcCols := map[string][]string{}
	for _, name := range srcTables {
		t, ok := tables[name]
		if !ok {
			return nil, fmt.Errorf("source table %s has no counterpart in the target", name)
		}
		cols, err := sourceColumns(ctx, stx, name)
		if err != nil {
			return nil, fmt.Errorf("source table %s: %w", name, err)
		}
		for _, c := range cols {
			if _, ok := t.cols[c]; !ok {
				return nil, fmt.Errorf("source column %s.%s has no counterpart in the target", name, c)
			}
		}
		srcCols[name] = cols
	}
	for name := range tables {
		if _, ok := srcCols[name]; !ok {
			return nil, fmt.Errorf("target table %s has no counterpart in the source", name)
		}
	}

	// Refuse a target with data, or empty it when asked to.
	var full []string
	for _, name := range sortedKeys(tables) {
		var n int64
		if err := dtx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s on the target: %w", name, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s (%d rows)", name, n))
		}
	}
	if len(full) > 0 {
		if !o.Replace {
			if len(full) > 5 {
				full = append(full[:5], "…")
			}
			return nil, fmt.Errorf("%w: %s", ErrTargetNotEmpty, strings.Join(full, ", "))
		}
		names := make([]string, 0, len(tables))
		for _, name := range sortedKeys(tables) {
			names = append(names, quote(name))
		}
		if _, err := dtx.ExecContext(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
			return nil, fmt.Errorf("empty the target: %w", err)
		}
		rep.Replaced = true
	}

	order, deferred, err := dependencyOrder(tables)
	if err != nil {
		return nil, err
	}
	var later []pendingUpdate
	for _, name := range order {
		res, upd, err := copyTable(ctx, stx, dtx, tables[name], srcCols[name], deferred[name], o.BatchRows)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", name, err)
		}
		later = append(later, upd...)
		rep.Tables = append(rep.Tables, res)
	}
	for _, u := range later {
		if _, err := dtx.ExecContext(ctx, u.sql, u.args...); err != nil {
			return nil, fmt.Errorf("set %s: %w", u.what, err)
		}
	}
	if rep.Sequences, err = resetSequences(ctx, dtx); err != nil {
		return nil, err
	}
	// The copy's inserts appended a delta per opportunity (a TRUNCATE of
	// Replace none): the target's per-stage totals from its rows instead.
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_opportunity_stage_totals()`); err != nil {
		return nil, fmt.Errorf("opportunity totals per stage: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_opportunity_branch_totals()`); err != nil {
		return nil, fmt.Errorf("opportunity totals per branch: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_care_contact_counts()`); err != nil {
		return nil, fmt.Errorf("care counts: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_visit_week_counts()`); err != nil {
		return nil, fmt.Errorf("visit counts per week: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_stage_dwell_counts()`); err != nil {
		return nil, fmt.Errorf("stage changes per month: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_contact_week_counts()`); err != nil {
		return nil, fmt.Errorf("key persons per week: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_customer_owner_counts()`); err != nil {
		return nil, fmt.Errorf("customers per manager: %w", err)
	}
	if _, err := dtx.ExecContext(ctx, `SELECT jike_refresh_opportunity_close_counts()`); err != nil {
		return nil, fmt.Errorf("opportunities per close day: %w", err)
	}
	// Verify inside the transaction: a mismatch rolls everything back.
	for i, r := range rep.Tables {
		var n int64
		if err := dtx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(r.Table)).Scan(&n); err != nil {
			return nil, fmt.Errorf("verify %s: %w", r.Table, err)
		}
		rep.Tables[i].Copied = n
		if n != r.Source {
			return nil, fmt.Errorf("verify %s: %d rows in the source, %d in the target; nothing was copied", r.Table, r.Source, n)
		}
	}
	if err := dtx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return rep, nil
}

func quote(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q queryer) (int64, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+migrationsTable+` WHERE is_applied`).Scan(&v)
	return v.Int64, err
}

// sourceTables lists the SQLite tables to copy.
func sourceTables(ctx context.Context, q queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN (?, ?, ?, ?, ?, ?) ORDER BY name`, migrationsTable, versionsTable, stageTotalsTable, customerPairsTable, titlePairsTable, careKeptTable)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func sourceColumns(ctx context.Context, q queryer, name string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, name)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// targetTables reads the PostgreSQL schema: columns with their types,
// primary keys and foreign keys.
func targetTables(ctx context.Context, q queryer) (map[string]*table, error) {
	tables := map[string]*table{}
	rows, err := q.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'YES'
FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name NOT IN ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ORDER BY c.table_name, c.ordinal_position`, migrationsTable, versionsTable, stageBaseTable, stageDeltasTable, careBaseTable, careDeltasTable,
		branchBaseTable, branchDeltasTable, visitWeeksTable, visitZoneTable, dwellBaseTable, dwellDeltasTable, contactWeeksTable, ownerCountsTable, closeCountsTable)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tn string
		var c column
		if err := rows.Scan(&tn, &c.name, &c.dataType, &c.nullable); err != nil {
			rows.Close()
			return nil, err
		}
		t := tables[tn]
		if t == nil {
			t = &table{name: tn, cols: map[string]column{}, refs: map[string]string{}}
			tables[tn] = t
		}
		t.cols[c.name] = c
		t.order = append(t.order, c.name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Constraint columns in key order; conrelid::regclass is unqualified
	// for tables on the search path, which the current schema is.
	rows, err = q.QueryContext(ctx, `SELECT c.contype::text, c.conrelid::regclass::text, a.attname, COALESCE(c.confrelid::regclass::text, '')
FROM pg_constraint c
JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) ON true
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.contype IN ('p', 'f') AND c.connamespace = current_schema()::regnamespace
ORDER BY c.conname, k.n`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, tn, col, ref string
		if err := rows.Scan(&kind, &tn, &col, &ref); err != nil {
			return nil, err
		}
		t := tables[strings.Trim(tn, `"`)]
		if t == nil {
			continue
		}
		if kind == "p" {
			t.pk = append(t.pk, col)
		} else {
			t.refs[col] = strings.Trim(ref, `"`)
		}
	}
	return tables, rows.Err()
}

// dependencyOrder sorts the tables so that a referenced table comes before
// the tables referencing it. A cycle (teams.chief_id → users, users.team_id
// → teams) or a table referencing itself is broken by writing the foreign
// keys that point forward after every table is in (deferred), which needs
// those columns to be nullable.
func dependencyOrder(tables map[string]*table) ([]string, map[string][]string, error) {
	done := map[string]bool{}
	deferred := map[string][]string{}
	var order []string
	names := sortedKeys(tables)
	blockers := func(t *table) []string {
		var cols []string
		for col, ref := range t.refs {
			if !done[ref] {
				cols = append(cols, col)
			}
		}
		sort.Strings(cols)
		return cols
	}
	for len(order) < len(names) {
		progressed := false
		for _, n := range names {
			if done[n] {
				continue
			}
			ready := true
			for _, ref := range tables[n].refs {
				if ref != n && !done[ref] {
					ready = false
					break
				}
			}
			if ready {
				if self := blockers(tables[n]); len(self) > 0 { // references to itself
					deferred[n] = self
				}
				done[n] = true
				order = append(order, n)
				progressed = true
			}
		}
		if progressed {
			continue
		}
		// A cycle: take the first table whose forward references are all
		// nullable and write those columns at the end.
		broken := false
		for _, n := range names {
			if done[n] {
				continue
			}
			cols := blockers(tables[n])
			ok := true
			for _, c := range cols {
				if !tables[n].cols[c].nullable {
					ok = false
				}
			}
			if ok && len(tables[n].pk) > 0 {
				deferred[n] = cols
				done[n] = true
				order = append(order, n)
				broken = true
				break
			}
		}
		if !broken {
			return nil, nil, errors.New("the target's foreign keys form a cycle through NOT NULL columns; it cannot be copied table by table")
		}
	}
	return order, deferred, nil
}

// pendingUpdate writes a deferred foreign key after every table is in.
type pendingUpdate struct {
	what string
	sql  string
	args []any
}

// copyTable streams one table from the source into batched INSERTs.
func copyTable(ctx context.Context, stx, dtx *sql.Tx, t *table, srcCols, deferredCols []string, batchRows int) (TableResult, []pendingUpdate, error) {
	res := TableResult{Table: t.name, Deferred: deferredCols}
	if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(t.name)).Scan(&res.Source); err != nil {
		return res, nil, err
	}
	if res.Source == 0 {
		return res, nil, nil
	}
	isDeferred := map[string]bool{}
	for _, c := range deferredCols {
		isDeferred[c] = true
	}
	pkIdx := make([]int, 0, len(t.pk))
	for _, p := range t.pk {
		i := indexOf(srcCols, p)
		if i < 0 {
			return res, nil, fmt.Errorf("primary key column %s is not in the source", p)
		}
		pkIdx = append(pkIdx, i)
	}
	quoted := make([]string, len(srcCols))
	for i, c := range srcCols {
		quoted[i] = quote(c)
	}
	orderBy := ""
	if len(t.pk) > 0 {
		qs := make([]string, len(t.pk))
		for i, p := range t.pk {
			qs[i] = quote(p)
		}
		orderBy = " ORDER BY " + strings.Join(qs, ", ")
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quote(t.name)+orderBy)
	if err != nil {
		return res, nil, err
	}
	defer rows.Close()

	per := batchRows
	if max := 60000 / len(srcCols); per > max {
		per = max
	}
	head := `INSERT INTO ` + quote(t.name) + ` (` + strings.Join(quoted, ", ") + `) VALUES `
	var args []any
	var tuples []string
	flush := func() error {
		if len(tuples) == 0 {
			return nil
		}
		_, err := dtx.ExecContext(ctx, head+strings.Join(tuples, ", "), args...)
		args, tuples = args[:0], tuples[:0]
		return err
	}
	var later []pendingUpdate
	raw := make([]any, len(srcCols))
	ptrs := make([]any, len(srcCols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return res, nil, err
		}
		ph := make([]string, len(srcCols))
		var pending []string
		var pendingVals []any
		for i, c := range srcCols {
			v, err := convert(raw[i], t.cols[c].dataType)
			if err != nil {
				return res, nil, fmt.Errorf("column %s: %w", c, err)
			}
			if isDeferred[c] && v != nil {
				pending = append(pending, c)
				pendingVals = append(pendingVals, v)
				v = nil
			}
			args = append(args, v)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		tuples = append(tuples, "("+strings.Join(ph, ", ")+")")
		if len(pending) > 0 {
			set := make([]string, len(pending))
			uargs := append([]any{}, pendingVals...)
			for i, c := range pending {
				set[i] = quote(c) + " = $" + strconv.Itoa(i+1)
			}
			where := make([]string, len(t.pk))
			for i, p := range t.pk {
				pv, err := convert(raw[pkIdx[i]], t.cols[p].dataType)
				if err != nil {
					return res, nil, err
				}
				uargs = append(uargs, pv)
				where[i] = quote(p) + " = $" + strconv.Itoa(len(uargs))
			}
			later = append(later, pendingUpdate{
				what: t.name + "." + strings.Join(pending, ","),
				sql:  `UPDATE ` + quote(t.name) + ` SET ` + strings.Join(set, ", ") + ` WHERE ` + strings.Join(where, " AND "),
				args: uargs,
			})
		}
		if len(tuples) >= per {
			if err := flush(); err != nil {
				return res, nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return res, nil, err
	}
	if err := flush(); err != nil {
		return res, nil, err
	}
	return res, later, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// resetSequences moves every sequence owned by a column past the
// column's largest value, so the next insert gets a fresh id.
func resetSequences(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name)
FROM information_schema.columns c
WHERE c.table_schema = current_schema() AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL
ORDER BY 1, 2`)
	if err != nil {
		return 0, fmt.Errorf("list sequences: %w", err)
	}
	type seq struct{ table, col, name string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.table, &s.col, &s.name); err != nil {
			rows.Close()
			return 0, err
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, s := range seqs {
		// setval(seq, max+1, false): the next nextval returns max+1 (1 on
		// an empty table).
		q := `SELECT setval($1, COALESCE((SELECT MAX(` + quote(s.col) + `) FROM ` + quote(s.table) + `), 0) + 1, false)`
		if _, err := tx.ExecContext(ctx, q, s.name); err != nil {
			return 0, fmt.Errorf("reset sequence %s: %w", s.name, err)
		}
	}
	return len(seqs), nil
}

// timeLayouts are the ways SQLite files written by GORM and by hand hold
// a time.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// convert turns a value read from SQLite into what the PostgreSQL column
// of dataType (information_schema's name) takes.
func convert(v any, dataType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && dataType != "bytea" {
		v = string(b)
	}
	switch dataType {
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return nil, fmt.Errorf("%q is not a boolean", x)
			}
			return b, nil
		}
	case "timestamp with time zone", "timestamp without time zone":
		switch x := v.(type) {
		// PostgreSQL keeps microseconds and would round the rest; the
		// copy truncates, as a Go time.Time read back would.
		case time.Time:
			return x.UTC().Truncate(time.Microsecond), nil
		case string:
			t, err := parseTime(x)
			if err != nil {
				return nil, err
			}
			return t.UTC().Truncate(time.Microsecond), nil
		case int64:
			return time.Unix(x, 0).UTC(), nil
		}
	case "date":
		switch x := v.(type) {
		case time.Time:
			return x.Format(time.DateOnly), nil
		case string:
			t, err := parseTime(x)
			if err != nil {
				return nil, err
			}
			return t.Format(time.DateOnly), nil
		}
	case "json", "jsonb":
		if s, ok := v.(string); ok {
			if !json.Valid([]byte(s)) {
				return nil, fmt.Errorf("%.40q is not JSON", s)
			}
			return s, nil
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case "smallint", "integer", "bigint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if x != float64(int64(x)) {
				return nil, fmt.Errorf("%v is not a whole number", x)
			}
			return int64(x), nil
		case string:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not a whole number", x)
			}
			return n, nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case "text", "character varying", "character":
		switch x := v.(type) {
		case string:
			if !utf8.ValidString(x) {
				return nil, fmt.Errorf("%.40q is not UTF-8 text", x)
			}
			if strings.ContainsRune(x, 0) {
				return nil, fmt.Errorf("%.40q holds a NUL character, which PostgreSQL text cannot", x)
			}
			return x, nil
		case time.Time:
			return x.UTC().Format(time.RFC3339Nano), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("cannot store a %T (%v) in a %s column", v, v, dataType)
}
