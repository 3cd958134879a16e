package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// WithBulkTx is WithTx for a change of many thousand rows (an import): on
// PostgreSQL the transaction runs on one connection that the context
// remembers, so CopyIn can stream rows into it with COPY instead of
// multi-row INSERTs. COPY skips what makes an INSERT of 500 rows × 30
// columns slow at 100,000 customers: the 15,000 parameters parsed and
// planned per statement on the server and GORM's reflection per row on
// ours, and pgx encodes the next rows while the server stores the last
// ones (issue 19). On SQLite, or inside another transaction (which it
// joins), it is WithTx and CanCopy is false.
func WithBulkTx(ctx context.Context, base *gorm.DB, fn func(ctx context.Context) error) error {
	if InTx(ctx) || base.Dialector.Name() != Postgres {
		return WithTx(ctx, base, fn)
	}
	pool, err := base.DB()
	if err != nil {
		return fmt.Errorf("bulk transaction: %w", err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk transaction: %w", err)
	}
	defer conn.Close()
	on := base.Session(&gorm.Session{NewDB: true, Context: ctx})
	on.Statement.ConnPool = conn
	return on.Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, txValue{tx: tx, pool: rootPool(base), conn: conn}))
	})
}

// CanCopy reports whether ctx carries a bulk transaction on base's
// database that CopyIn can write to.
func CanCopy(ctx context.Context, base *gorm.DB) bool {
	v, ok := ctx.Value(txKey{}).(txValue)
	return ok && v.conn != nil && v.pool == rootPool(base)
}

// ReserveIDs takes n values from table's id sequence in one statement, in
// ascending order, for rows that CopyIn writes with their ids set (COPY
// returns none; a customer's members and key persons need it first).
func ReserveIDs(ctx context.Context, base *gorm.DB, table string, n int) ([]uint, error) {
	ids := make([]uint, 0, n)
	if n == 0 {
		return ids, nil
	}
	err := Conn(ctx, base).
		Raw("SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?) ORDER BY 1", table, n).
		Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("reserve %d ids of %s: %w", n, table, err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserve ids of %s: got %d, want %d", table, len(ids), n)
	}
	return ids, nil
}

// CopyIn writes rows, a slice of one model's structs or pointers to
// them, with COPY into the bulk transaction ctx carries (see CanCopy). It
// writes every column GORM would create, the primary key only when the
// first row has one (set them all with ReserveIDs, or none to take the
// column's default), and stamps zero create/update times with g's clock
// as Create does (pass ConnAt's handle for the service's clock). A unique
// violation is gorm.ErrDuplicatedKey, as from Create.
func CopyIn(ctx context.Context, g *gorm.DB, rows any) error {
	v, ok := ctx.Value(txKey{}).(txValue)
	if !ok || v.conn == nil || v.pool != rootPool(g) {
		return errors.New("copy: not in a bulk transaction on this database")
	}
	list := reflect.ValueOf(rows)
	if list.Kind() != reflect.Slice {
		return fmt.Errorf("copy: %T is not a slice", rows)
	}
	if list.Len() == 0 {
		return nil
	}
	stmt := &gorm.Statement{DB: g}
	if err := stmt.Parse(list.Index(0).Interface()); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	sch := stmt.Schema
	first := reflect.Indirect(list.Index(0))
	var fields []*schema.Field
	for _, f := range sch.Fields {
		if f.DBName == "" || !f.Creatable {
			continue
		}
		if f.Serializer != nil {
			return fmt.Errorf("copy %s: field %s has a serializer", sch.Table, f.Name)
		}
		if f.PrimaryKey {
			if _, zero := f.ValueOf(ctx, first); zero {
				continue
			}
		}
		fields = append(fields, f)
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = f.DBName
	}
	now := g.NowFunc()
	i, n := 0, list.Len()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		rv := reflect.Indirect(list.Index(i))
		i++
		vals := make([]any, len(fields))
		for k, f := range fields {
			val, zero := f.ValueOf(ctx, rv)
			if zero && (f.AutoCreateTime > 0 || f.AutoUpdateTime > 0) && f.FieldType == reflect.TypeOf(now) {
				if err := f.Set(ctx, rv, now); err != nil {
					return nil, err
				}
				val = now
			}
			vals[k] = val
		}
		return vals, nil
	})
	var copied int64
	err := v.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("PostgreSQL through %T, not pgx", dc)
		}
		var err error
		copied, err = sc.Conn().CopyFrom(ctx, pgx.Identifier{sch.Table}, cols, src)
		return err
	})
	if err != nil {
		if t, ok := g.Dialector.(gorm.ErrorTranslator); ok {
			err = t.Translate(err)
		}
		return fmt.Errorf("copy %s: %w", sch.Table, err)
	}
	if copied != int64(n) {
		return fmt.Errorf("copy %s: %d rows written, want %d", sch.Table, copied, n)
	}
	return nil
}
