package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
)

// Key is one column of a keyset order: the expression as it appears in
// ORDER BY and WHERE (customers.updated_at), its direction, and whether
// it may be NULL. The last key of an order must be unique and never NULL
// (the primary key), so the order is total and a position in it is exact.
type Key struct {
	Expr     string
	Desc     bool
	Nullable bool
}

// ErrBadKeys reports an order a keyset reader cannot walk.
var ErrBadKeys = errors.New("keyset: the last key must be a unique NOT NULL column")

// Order is the ORDER BY text for keys. A nullable key sorts its NULLs
// last in either direction, written out as NULLS LAST because PostgreSQL
// and SQLite disagree on the default (PostgreSQL puts NULLs last when
// ascending and first when descending, SQLite first when ascending).
func Order(keys []Key) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Expr
		if k.Desc {
			parts[i] += " DESC"
		} else {
			parts[i] += " ASC"
		}
		if k.Nullable {
			parts[i] += " NULLS LAST"
		}
	}
	return strings.Join(parts, ", ")
}

// OrderWithoutIndex is Order for SQLite with each key behind a unary
// "+", which changes no value and no collation but keeps the planner
// from reading the rows along an index in this order: for a filter few
// rows pass, reading the table and sorting them beats walking a whole
// index to find them (prospects' fewMatches).
func OrderWithoutIndex(keys []Key) string {
	plus := make([]Key, len(keys))
	for i, k := range keys {
		k.Expr = "+" + k.Expr
		plus[i] = k
	}
	return Order(plus)
}

// isNull reports whether a key value is SQL NULL: nil, or a nil pointer
// (a *time.Time expected close date that is not set).
func isNull(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return rv.IsNil()
	}
	return false
}

// After is the WHERE condition (parenthesised) and its arguments that keep
// the rows strictly after the position vals in the order keys: the same
// comparison the ORDER BY makes, so that a reader resuming from the last
// row it saw neither skips nor repeats a row, however many rows share a
// sort value.
//
// Keys of one direction without NULLs compare as a row value,
// "(a, b) > (?, ?)", which PostgreSQL answers from an index. Otherwise
// the condition is spelled out: (a after va) OR (a = va AND b after vb)
// OR …, where for a nullable key "after a value" includes NULL and
// nothing comes after NULL.
func After(keys []Key, vals []any) (string, []any) {
	if len(vals) != len(keys) {
		panic(fmt.Sprintf("keyset: %d values for %d keys", len(vals), len(keys)))
	}
	sameDir, nullable := true, false
	for _, k := range keys {
		sameDir = sameDir && k.Desc == keys[0].Desc
		nullable = nullable || k.Nullable
	}
	if sameDir && !nullable {
		exprs := make([]string, len(keys))
		marks := make([]string, len(keys))
		for i, k := range keys {
			exprs[i], marks[i] = k.Expr, "?"
		}
		op, bound := ">", ">="
		if keys[0].Desc {
			op, bound = "<", "<="
		}
		if len(keys) == 1 {
			return "(" + keys[0].Expr + " " + op + " ?)", vals
		}
		// The bound on the first key is redundant but lets SQLite start an
		// index range there: it does not for a row value on an index with
		// DESC columns, and walked the index from its start every batch.
		args := append([]any{vals[0]}, vals...)
		return "(" + keys[0].Expr + " " + bound + " ? AND (" + strings.Join(exprs, ", ") + ") " + op + " (" + strings.Join(marks, ", ") + "))", args
	}

	var ors []string
	var args []any
	var eqs []string
	var eqArgs []any
	for i, k := range keys {
		v := vals[i]
		op := ">"
		if k.Desc {
			op = "<"
		}
		var after string
		var afterArgs []any
		switch {
		case k.Nullable && isNull(v):
			// NULLs are last: nothing is after a NULL in this column.
		case k.Nullable:
			after, afterArgs = "("+k.Expr+" "+op+" ? OR "+k.Expr+" IS NULL)", []any{v}
		default:
			after, afterArgs = k.Expr+" "+op+" ?", []any{v}
		}
		if after != "" {
			ors = append(ors, "("+strings.Join(append(append([]string{}, eqs...), after), " AND ")+")")
			args = append(append(args, eqArgs...), afterArgs...)
		}
		if k.Nullable && isNull(v) {
			eqs = append(eqs, k.Expr+" IS NULL")
		} else {
			eqs = append(eqs, k.Expr+" = ?")
			eqArgs = append(eqArgs, v)
		}
	}
	if len(ors) == 0 {
		return "(1 = 0)", nil
	}
	cond := "(" + strings.Join(ors, " OR ") + ")"
	// A redundant bound on the first key lets the database start an index
	// range scan there instead of testing the OR on every row.
	first, v := keys[0], vals[0]
	op := ">="
	if first.Desc {
		op = "<="
	}
	switch {
	case first.Nullable && isNull(v):
		cond = "(" + first.Expr + " IS NULL AND " + cond + ")"
	case first.Nullable:
		cond = "((" + first.Expr + " " + op + " ? OR " + first.Expr + " IS NULL) AND " + cond + ")"
		args = append([]any{v}, args...)
	default:
		cond = "(" + first.Expr + " " + op + " ? AND " + cond + ")"
		args = append([]any{v}, args...)
	}
	return cond, args
}

// EachBatch reads every row of a query in the order keys, size rows at a
// time, and hands each batch to fn. query builds the unordered, unlimited
// query on the handle it is given; EachBatch adds the ORDER BY, the
// position after the previous batch (After, on the values keyOf returns
// for a batch's last row, in key order) and the LIMIT.
//
// This is keyset pagination on the same key as the ORDER BY. GORM's
// FindInBatches pages on "id > last id" whatever the order, which under
// any order other than the id skips and repeats rows: an export sorted by
// update time returned 1,999 rows for 20,065 customers.
//
// All batches are read in one read-only transaction (ReadSnapshot), so a
// row updated during a long export (and so moved in an order by update
// time) is still read exactly once. When ctx already carries a
// transaction on this database, EachBatch reads in it instead of opening
// another.
//
// The transaction holds a connection until the last batch. Lookups that
// fn makes per batch (names of owners, key persons) must therefore go
// through the same transaction — run EachBatch inside ReadSnapshot and
// give the lookups that ctx, so stores reach it through Conn — and never
// through another connection of the pool: with as many exports running as
// the pool has connections, each would hold one and wait for a second,
// forever.
func EachBatch[T any](ctx context.Context, g *gorm.DB, query func(*gorm.DB) *gorm.DB, keys []Key, keyOf func(*T) []any, size int, fn func([]T) error) error {
	if len(keys) == 0 || keys[len(keys)-1].Nullable {
		return ErrBadKeys
	}
	if size <= 0 {
		size = 1000
	}
	order := Order(keys)
	return ReadSnapshot(MayLag(ctx), g, func(ctx context.Context) error {
		tx := Conn(ctx, g)
		var last []any
		for {
			q := query(tx)
			if last != nil {
				cond, args := After(keys, last)
				q = q.Where(cond, args...)
			}
			var batch []T
			if err := q.Order(order).Limit(size).Find(&batch).Error; err != nil {
				return fmt.Errorf("keyset batch: %w", err)
			}
			if len(batch) == 0 {
				return nil
			}
			if err := fn(batch); err != nil {
				return err
			}
			if len(batch) < size {
				return nil
			}
			last = keyOf(&batch[len(batch)-1])
		}
	})
}

// Page orders q by keys and keeps one page of it: the rows strictly after
// the position after (a keyset cursor, when set; After), at most limit
// from offset (every row when limit is 0). The lists' one way to page.
func Page(q *gorm.DB, keys []Key, after []any, limit, offset int) *gorm.DB {
	q = q.Order(Order(keys))
	if len(after) > 0 {
		cond, args := After(keys, after)
		q = q.Where(cond, args...)
	}
	if limit > 0 {
		q = q.Limit(limit).Offset(offset)
	}
	return q
}

// FencedPage is Page over the rows q selects read first as a set of their
// own, on PostgreSQL: q, which selects every column the page shows, is
// fenced with OFFSET 0 under alias (the table the keys name), and a key
// naming a joined column is renamed to the column q selects it as
// (renamed: expression → alias.column). On SQLite it is Page.
//
// For a scope of a few thousand rows (a team's, a branch's). Given an
// index in the order's column, PostgreSQL walks it and tests each row for
// the scope, expecting the scope's rows spread evenly; where they are
// not — ids, numbers and dates follow the branch a province's data was
// loaded or created in — a director's contracts by number read ~40,000
// rows for 25 (~90 ms; fenced, the branch's ~4,000 sorted, ~10).
func FencedPage(conn, q *gorm.DB, alias string, keys []Key, renamed map[string]string, after []any, limit, offset int) *gorm.DB {
	if conn.Dialector.Name() != Postgres {
		return Page(q, keys, after, limit, offset)
	}
	fenced := make([]Key, len(keys))
	for i, k := range keys {
		if to, ok := renamed[k.Expr]; ok {
			k.Expr = to
		}
		fenced[i] = k
	}
	return Page(Fenced(conn, q, alias), fenced, after, limit, offset)
}

// Fenced is q read as a set of its own under alias: OFFSET 0 keeps
// PostgreSQL from pulling it into the statement around it, which could
// then walk an index of the whole table in the outer order and test each
// row for q's conditions (FencedPage).
func Fenced(conn, q *gorm.DB, alias string) *gorm.DB {
	return conn.Table("(? OFFSET 0) AS "+alias, q)
}
