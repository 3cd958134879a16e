package db

import (
	"strings"

	"gorm.io/gorm"
)

// Difference is the statement whose columns are all's less gone's, both
// aggregates selecting cols (and, when key is not "", grouped by key and
// selecting it): the province's totals read as every live row's less
// those of the deleted customers' rows, one pass over a table and a few
// rows along the deleted customers' index, instead of probing each row's
// customer (issue 19: opportunity and proposal totals, the funnel). A key
// that gone lacks subtracts nothing. One statement, so both parts read
// one snapshot.
func Difference(conn *gorm.DB, all, gone *gorm.DB, key string, cols ...string) *gorm.DB {
	sel := make([]string, 0, len(cols)+1)
	from := "(?) AS a, (?) AS d"
	if key != "" {
		sel = append(sel, "a."+key+" AS "+key)
		from = "(?) AS a LEFT JOIN (?) AS d ON d." + key + " = a." + key
	}
	for _, c := range cols {
		sel = append(sel, "a."+c+" - COALESCE(d."+c+", 0) AS "+c)
	}
	return conn.Table(from, all, gone).Select(strings.Join(sel, ", "))
}
