package db

import (
	"database/sql/driver"
	"strconv"
	"strings"
)

// Int64s is a PostgreSQL bigint[] parameter, written as an array literal
// ("{1,2,3}"). Bulk writes pass a whole column as one parameter and
// unnest it server side (INSERT … SELECT * FROM unnest($1::bigint[], …)):
// one short statement for thousands of rows, where a multi-row VALUES
// list of the same rows costs PostgreSQL a parse and plan of thousands
// of placeholders. As a driver.Valuer it is also one placeholder to
// GORM, which would otherwise expand a slice into a list.
type Int64s []int64

// Value implements driver.Valuer.
func (a Int64s) Value() (driver.Value, error) {
	return arrayLiteral(a, func(v int64) string { return strconv.FormatInt(v, 10) }), nil
}

// Bools is a PostgreSQL boolean[] parameter, as Int64s.
type Bools []bool

// Value implements driver.Valuer.
func (a Bools) Value() (driver.Value, error) {
	return arrayLiteral(a, func(v bool) string {
		if v {
			return "t"
		}
		return "f"
	}), nil
}

// arrayLiteral writes a as a PostgreSQL array literal, each element as
// text shows it (elements that need no quoting: numbers, booleans).
func arrayLiteral[T any](a []T, text func(T) string) string {
	var b strings.Builder
	b.Grow(len(a)*8 + 2)
	b.WriteByte('{')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(text(v))
	}
	b.WriteByte('}')
	return b.String()
}
