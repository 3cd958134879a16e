package db

import (
	"fmt"
	"strings"
	"time"
)

// BucketOf is the SQL, and its arguments, for the index (from 0) of the
// bucket among bounds (n+1 ascending instants for n buckets) that col, a
// timestamp, falls in; a value outside them is -1 on SQLite and outside
// 0..n-1 on PostgreSQL — callers bound col to [first, last) in their WHERE
// clause anyway. One bucket is the constant 0.
//
// PostgreSQL's width_bucket looks the bounds up by binary search, all of
// them one array parameter: a year's 53 weeks are 6 comparisons per row
// instead of up to 106 in a CASE, which cost a province's year of visits
// (~880,000 rows) ~300 ms. SQLite has no width_bucket: a CASE.
//
// Grouping by it, write the select list's position: the expression has
// parameters, which a GROUP BY clause cannot repeat.
func BucketOf(dialect, col string, bounds []time.Time) (string, []any) {
	if len(bounds) == 2 {
		return "0", nil
	}
	if dialect == Postgres {
		return "(width_bucket(" + col + ", CAST(? AS timestamptz[])) - 1)", []any{arrayOf(bounds, func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) })}
	}
	var b strings.Builder
	var args []any
	b.WriteString("CASE")
	for i := 0; i+1 < len(bounds); i++ {
		fmt.Fprintf(&b, " WHEN %s >= ? AND %s < ? THEN %d", col, col, i)
		args = append(args, bounds[i].UTC(), bounds[i+1].UTC())
	}
	b.WriteString(" ELSE -1 END")
	return b.String(), args
}

// DateBucketOf is BucketOf for a DATE column on PostgreSQL (the kept
// counts per day or week piece), the bounds being their local dates in
// their own zone.
func DateBucketOf(col string, bounds []time.Time) (string, []any) {
	if len(bounds) == 2 {
		return "0", nil
	}
	return "(width_bucket(" + col + ", CAST(? AS date[])) - 1)", []any{arrayOf(bounds, func(t time.Time) string { return t.Format(time.DateOnly) })}
}

// arrayOf is the PostgreSQL array literal of the bounds, each written by
// format: one parameter however many buckets there are.
func arrayOf(bounds []time.Time, format func(time.Time) string) string {
	parts := make([]string, len(bounds))
	for i, t := range bounds {
		parts[i] = format(t)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
