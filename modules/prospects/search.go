package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// The customer list's search is a LIKE '%…%' on search_text (name,
// credit code, key persons), which no B-tree serves: for the admin, at
// 100,000 customers, a rare name ("华为", "不存在的名字", a credit code)
// was read from every customer twice — the capped count, then the page
// along the update-time index — 0.3–0.8 s on SQLite and up to 180 ms on
// PostgreSQL; and every search is a first look (a kept page serves only
// the same words again). Migration 00036 keeps each customer's pairs of
// adjacent characters (the customer_bigrams table on SQLite, a GIN index
// on search_bigrams(search_text) on PostgreSQL). A text containing a term
// contains each of its pairs, so the customers holding the term's pairs
// are every match and a few more, and the LIKE beside them keeps exactly
// the matches.

// searchForm is one form of the query (textnorm.SearchTerms) and the
// pairs it is looked up by, the rarest first on SQLite; none: a LIKE
// alone.
type searchForm struct {
	term  string
	pairs []string
}

// customerSearch is how a list reads its search.
type customerSearch []searchForm

// pairLimit is, per scope, how many customers a term's rarest pair may
// hold on SQLite for the pairs to be the quicker way in: below it the
// candidates are read by id (each a lookup); above it the term is common,
// and the LIKE over the scope's own customers finds a page — and the
// capped count — sooner. Measured on the province (a branch holds ~7,700
// customers): "银行", 3,200 customers province-wide, took a director
// 31 ms by its pairs and 18 by the LIKE; "科技", 9,600, the admin 46 ms
// by its pairs and 97 by the LIKE. A person's or a team's customers are a few
// hundred along their own index: always the LIKE.
func pairLimit(level string) int {
	switch level {
	case authz.ScopeAll:
		return 20000
	case authz.ScopeBranch:
		return 1500
	}
	return 0
}

// planSearch decides how the customers of scope are searched for q: on
// a branch or the province, by the pairs of each form of two characters
// or more. On SQLite, whose planner cannot tell a rare pair from a common
// one, it counts (at most pairLimit+1 of) each pair's customers: the
// rarest drives, and a form whose rarest pair is too common is a LIKE.
// PostgreSQL's planner knows the pairs' frequencies (ANALYZE) and picks
// between the GIN index and the scope's own indexes itself. Without
// probe (an export, which reads in batches and has no count to plan by)
// SQLite reads by the LIKE alone.
func (s *Store) planSearch(ctx context.Context, scope authz.ListScope, q string, probe bool) (customerSearch, error) {
	terms := textnorm.SearchTerms(q)
	out := make(customerSearch, len(terms))
	limit := pairLimit(scope.Level())
	held := map[string]int{} // a pair's customers, counted once for every form
	for i, t := range terms {
		out[i].term = t
		if limit == 0 {
			continue
		}
		pairs := db.SearchPairs(t)
		if s.db.Dialector.Name() == db.Postgres || len(pairs) == 0 {
			out[i].pairs = pairs
			continue
		}
		if !probe {
			continue
		}
		for _, p := range pairs {
			if _, ok := held[p]; ok {
				continue
			}
			var n int
			if err := db.Conn(ctx, s.db).Raw("SELECT COUNT(*) FROM (SELECT 1 FROM customer_bigrams WHERE gram = ? LIMIT ?)", p, limit+1).
				Scan(&n).Error; err != nil {
				return nil, fmt.Errorf("search pairs: %w", err)
			}
			held[p] = n
		}
		slices.SortStableFunc(pairs, func(a, b string) int { return held[a] - held[b] })
		if held[pairs[0]] <= limit {
			out[i].pairs = pairs
		}
	}
	return out, nil
}

// cond is the search's condition. manyMatch (the count found more than
// manyMatches customers) reads every form by its LIKE alone on SQLite:
// its page is then reached sooner along the list's order than by a sort
// of every candidate. PostgreSQL's planner makes that choice itself (and
// without the pairs misjudged a LIKE '%银行%' as rare: a sequential scan,
// 48 ms instead of 7).
func (cs customerSearch) cond(dialect string, manyMatch bool) (string, []any) {
	if len(cs) == 0 {
		return "", nil
	}
	byPairs := dialect == db.Postgres || !manyMatch
	parts := make([]string, 0, len(cs))
	var args []any
	for _, f := range cs {
		pattern := "%" + db.EscapeLike(f.term) + "%"
		switch {
		case !byPairs || len(f.pairs) == 0:
			parts = append(parts, "customers.search_text LIKE ? ESCAPE '\\'")
			args = append(args, pattern)
		case dialect == db.Postgres:
			// strpos, not LIKE: the same test (PostgreSQL's LIKE minds
			// case) but one pg_trgm's index cannot serve — with a LIKE
			// the planner ANDed both indexes, and the trigram index's
			// recheck computed search_bigrams for every candidate (the
			// admin's count of "有限公司": 381 ms instead of 22).
			c, a := db.PairsContain(db.CustomerSearchText, f.term, f.pairs)
			parts = append(parts, c)
			args = append(args, a...)
		default:
			// The rarest pair's customers, each then probed for the
			// other pairs by the primary key (gram, customer_id).
			parts = append(parts, "(customers.id IN (SELECT customer_id FROM customer_bigrams WHERE gram = ?)"+
				strings.Repeat(" AND EXISTS (SELECT 1 FROM customer_bigrams b WHERE b.gram = ? AND b.customer_id = customers.id)", len(f.pairs)-1)+
				" AND customers.search_text LIKE ? ESCAPE '\\')")
			for _, p := range f.pairs {
				args = append(args, p)
			}
			args = append(args, pattern)
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
