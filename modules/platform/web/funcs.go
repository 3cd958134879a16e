package web

import (
	"fmt"
	"html/template"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
)

// funcMap holds the few helpers templates need. Translation is not here:
// it is per request, through .L.T.
func funcMap(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		// datetime shows a stored UTC time in the configured zone.
		"datetime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(loc).Format("2006-01-02 15:04")
			case *time.Time:
				if v == nil || v.IsZero() {
					return ""
				}
				return v.In(loc).Format("2006-01-02 15:04")
			}
			return ""
		},
		// date shows a calendar date (stored as a date, not converted).
		"date": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.Format("2006-01-02")
			case *time.Time:
				if v == nil || v.IsZero() {
					return ""
				}
				return v.Format("2006-01-02")
			}
			return ""
		},
		// fen shows an int64 amount of fen as yuan ("12,345.60").
		"fen": tplFen,
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		// dict builds a map for passing several values to a partial.
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				if k, ok := kv[i].(string); ok {
					m[k] = kv[i+1]
				}
			}
			return m
		},
		// list builds a slice literal in a template.
		"list": func(v ...any) []any { return v },
		// deref reads an optional id (nil shows as 0).
		"deref": func(p *uint) uint {
			if p == nil {
				return 0
			}
			return *p
		},
	}
}

// tplFen shows an amount in fen as yuan ("12,345.60"); it takes money.Fen
// itself (model fields) as well as plain integers (view structs).
func tplFen(v any) (string, error) {
	switch x := v.(type) {
	case money.Fen:
		return x.String(), nil
	case int64:
		return money.Fen(x).String(), nil
	case int:
		return money.Fen(x).String(), nil
	}
	return "", fmt.Errorf("fen: %T is not an amount", v)
}
