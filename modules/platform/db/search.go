package db

import (
	"strings"

	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// likeEscaper makes text match literally inside LIKE ... ESCAPE '\': a "_"
// or "%" typed into a search box is not a wildcard.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike escapes s for LIKE ... ESCAPE '\'.
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// Contains is the WHERE condition (parenthesised) and its arguments of a
// list's search box: any of exprs contains any of textnorm.SearchTerms(q).
// Each expression must yield lower-case text: LOWER(column), or a column
// stored lower-cased such as customers.search_text (left bare so its
// trigram index serves the LIKE). An empty search is "" and no arguments:
// no condition.
//
// It is the one place where a search term is folded, so that "ＡＢＣ" and
// "abc" find "ABC" on every list, whichever store runs the query.
func Contains(q string, exprs ...string) (string, []any) {
	terms := textnorm.SearchTerms(q)
	if len(terms) == 0 || len(exprs) == 0 {
		return "", nil
	}
	parts := make([]string, 0, len(terms)*len(exprs))
	args := make([]any, 0, len(terms)*len(exprs))
	for _, e := range exprs {
		for _, t := range terms {
			parts = append(parts, e+` LIKE ? ESCAPE '\'`)
			args = append(args, "%"+EscapeLike(t)+"%")
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
