package db

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/par"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"gorm.io/gorm"
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
// trigram index serves the LIKE); a caseless term (a Chinese name, a
// number) is looked for in the column as stored. An empty search is ""
// and no arguments: no condition.
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
			parts = append(parts, forTerm(e, t)+` LIKE ? ESCAPE '\'`)
			args = append(args, "%"+EscapeLike(t)+"%")
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// caseless reports whether t holds no character that lowering could
// produce from another: Han characters and ASCII other than letters (a
// Chinese name, a number, "HT-2026" aside). A lowered text holds such a
// term exactly where the text itself does — lowering maps letters to
// letters (or, in ICU's special cases, to a letter and a combining mark)
// and leaves every other character as it is, one for one — so the term
// is looked for in the text as stored, without lowering every row's
// (strpos(LOWER(title), '千兆') over the province's 211,692 opportunities:
// 87 ms, strpos(title, '千兆'): 42).
func caseless(t string) bool {
	for _, r := range t {
		if r < utf8.RuneSelf {
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				return false
			}
		} else if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// forTerm is the expression a search for t reads: expr, or the column
// inside its LOWER(…) when t is caseless.
func forTerm(expr, t string) string {
	if caseless(t) {
		return unLower(expr)
	}
	return expr
}

// unLower is expr with LOWER(…) taken off, if it has it.
func unLower(e string) string {
	if strings.HasPrefix(e, "LOWER(") && strings.HasSuffix(e, ")") {
		return e[len("LOWER(") : len(e)-1]
	}
	return e
}

// maxSearchPairs bounds the pairs a term is looked up by: its first, last
// and middle already narrow a name to a few rows; each pair more is one
// index lookup more.
const maxSearchPairs = 3

// SearchPairs are up to three distinct pairs of adjacent characters of t
// — its first, last and middle — lowered in ASCII only: the searched
// texts are lower case and LIKE ignores the case of ASCII letters alone
// (on SQLite; PostgreSQL's LIKE ignores none), so a text LIKE matches
// holds these pairs (migrations 00036, 00037 keep the texts' pairs). None
// for a term of one character.
func SearchPairs(t string) []string {
	r := asciiLower(t)
	if len(r) < 2 {
		return nil
	}
	out := make([]string, 0, maxSearchPairs)
	for _, at := range []int{0, len(r) - 2, (len(r) - 2) / 2} {
		if g := string(r[at : at+2]); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// asciiLower is t's characters with ASCII letters lowered, as LIKE
// ignores their case alone.
func asciiLower(t string) []rune {
	r := []rune(t)
	for i, c := range r {
		if 'A' <= c && c <= 'Z' {
			r[i] = c + ('a' - 'A')
		}
	}
	return r
}

// PairsContain is PostgreSQL's condition "expr contains term" read by the
// GIN index on search_bigrams(expr) (migrations 00036, 00037): the rows
// holding term's pairs, then strpos keeps exactly the matches. strpos,
// not LIKE: the same test (PostgreSQL's LIKE minds case) but one
// pg_trgm's index cannot serve — with a LIKE the planner ANDed both
// indexes, and the trigram index's recheck computed search_bigrams for
// every candidate (the admin's count of customers holding "有限公司":
// 381 ms instead of 22). pairs are SearchPairs(term), at least one.
func PairsContain(expr, term string, pairs []string) (string, []any) {
	args := make([]any, 0, len(pairs)+1)
	for _, p := range pairs {
		args = append(args, p)
	}
	args = append(args, term)
	return "(search_bigrams(" + expr + ") @> ARRAY[?" + strings.Repeat(", ?", len(pairs)-1) + "]::text[] AND strpos(" +
		expr + ", ?) > 0)", args
}

// maxIndexPairs bounds the pairs a list looks a term up by (ListSearch).
const maxIndexPairs = 8

// indexPairs are the distinct pairs of t (ASCII lowered, as SearchPairs),
// up to maxIndexPairs spread over it, for PostgreSQL's GIN indexes. More
// than SearchPairs' three: the index reads every pair's posting list
// anyway, and every row holding the pairs looked up is read and its pairs
// computed again (the recheck) — for a contract number "HT-鸡西-2026-0001"
// its first, middle and last pairs ("ht", "20", "01") are in 19,775 of
// 48,917 contracts (0.56 s); all its pairs, in the 100 that match (4 ms).
func indexPairs(t string) []string {
	r := asciiLower(t)
	n := min(len(r)-1, maxIndexPairs)
	out := SearchPairs(t)
	for k := 0; k < n && len(out) < maxIndexPairs; k++ {
		at := 0
		if n > 1 {
			at = k * (len(r) - 2) / (n - 1)
		}
		if g := string(r[at : at+2]); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// Breadth is how many rows a list's scope holds, for choosing how to
// search it: a person's few hundred, a team's few thousand, a branch's
// tens of thousands, the province's hundreds of thousands
// (authz.ListScope.Breadth).
type Breadth int

// The breadths of a list's scope.
const (
	Narrow Breadth = iota
	Team
	Branch
	Province
)

// ListSearch is the search box of a list whose rows have a customer: a
// row matches when one of its own texts or its customer's search_text
// contains one of the terms of the query.
type ListSearch struct {
	// Table is the list's table (with an id and soft delete), CustomerCol
	// its customer's id column; the list's query joins customers.
	Table, CustomerCol string
	// Own are the row's texts.
	Own []Searched
	// CustomerIndex is the index of the live rows by CustomerCol that
	// SQLite reads a search's customers' rows by (ListSearch.sqliteParts,
	// sqliteRare), best covering what the list adds up; empty: SQLite
	// tests every row of the scope.
	CustomerIndex string
	// TextIndex is an index of the live rows holding their own texts and
	// ids, which SQLite reads a rare term's own matches through
	// (ListSearch.sqliteRare): the province's titles, 30 ms against 45
	// through the table. Empty: the table is read.
	TextIndex string
	// OwnPairs is SQLite's table of the pairs of adjacent characters of
	// the list's one own text (Own[0], lower case), keyed (gram, row id),
	// and OwnPairsCol its row id column: SQLite's sums of a common search
	// learn by it which rows' own text may hold a term instead of reading
	// every row's (ListSearch.sqliteOwnSet). Empty: every text is read.
	OwnPairs, OwnPairsCol string
}

// Searched is one of a list's own texts: a lower-case expression of it
// and the GIN index of its pairs on PostgreSQL (search_bigrams(Expr),
// migration 00037).
type Searched struct{ Expr, Index string }

// customersPairsIndex is customers' index of search_bigrams(search_text)
// (migration 00036).
const customersPairsIndex = "idx_customers_bigrams"

// CustomerSearchText is the customer's searched text (name, credit code,
// key persons), lower case, in a query that joins customers.
const CustomerSearchText = "customers.search_text"

// teamPairShare is branchPairShare for a team's search: its rows are
// about a thirtieth of the province's, but "its own, its chief rep's or
// its team's customer" reads more than that — a chief rep's search of the
// opportunities for a name took 80 ms by the LIKE, 2–5 by the pairs.
const teamPairShare = 0.01

// branchPairShare is the largest share of a list's rows a term may be
// estimated to match for a branch's search to go by the pairs' indexes:
// they find the province's matches, then keep the branch's, so a common
// term ("千兆", in 12.5 % of the opportunities' titles) cost a director
// 160–350 ms where the LIKE over the branch's own rows (about 1/13 of
// the province) took 80–145. A name is far below it.
const branchPairShare = 0.03

// provincePairShare is branchPairShare for the province's search, where
// the LIKE reads every row: the pairs cost as much as it from about one
// row in twenty ("科技", in ~10 % of the customers: 320–450 ms by the
// pairs, 265–275 by the LIKE; "有限公司", in most: 0.9–2 s against
// 0.24–0.28).
const provincePairShare = 0.05

// Cond is the search's condition for q over a scope of the given
// breadth. On PostgreSQL over a team, a branch or the province, when the
// statistics estimate the term rare enough (teamPairShare,
// branchPairShare, provincePairShare), it is read by the pairs' indexes:
// "the row's id is among the rows found by them" — its own texts' by one
// bitmap scan, its customer's through customers' index and the list's
// customer_id. An OR across the row and its joined
// customer can use no index and read every row of the scope: the admin's
// first look at a rare name in 200,000 opportunities took 0.3–0.9 s, in
// 50,000 contracts 0.4–0.7 s. Otherwise — a person's rows, SQLite, a
// term of one character, a common term — it is Contains over the own
// texts and the customer's, written with strpos for a common term over
// the province (containsCommon). An empty search is "" and no arguments.
func (l ListSearch) Cond(ctx context.Context, g *gorm.DB, stats *PairStats, breadth Breadth, q string) (string, []any) {
	exprs := make([]string, 0, len(l.Own)+1)
	for _, o := range l.Own {
		exprs = append(exprs, o.Expr)
	}
	exprs = append(exprs, CustomerSearchText)
	terms := textnorm.SearchTerms(q)
	if g.Dialector.Name() != Postgres {
		return l.sqliteCond(ctx, g, stats, breadth, terms)
	}
	if breadth == Narrow || len(terms) == 0 {
		return Contains(q, exprs...)
	}
	pairs := make([][]string, len(terms))
	for i, t := range terms {
		if pairs[i] = indexPairs(t); len(pairs[i]) == 0 {
			return Contains(q, exprs...)
		}
	}
	limit := teamPairShare
	switch breadth {
	case Branch:
		limit = branchPairShare
	case Province:
		limit = provincePairShare
	}
	if own, cust := l.share(ctx, g, stats, pairs); max(own, cust) > limit {
		if breadth == Province && cust <= limit {
			return l.commonOwnRareCustomer(terms, pairs)
		}
		if breadth == Province {
			return containsCommon(terms, exprs)
		}
		return Contains(q, exprs...)
	}
	var ownParts, custParts []string
	var ownArgs, custArgs []any
	for i, t := range terms {
		for _, o := range l.Own {
			c, a := PairsContain(o.Expr, t, pairs[i])
			ownParts = append(ownParts, c)
			ownArgs = append(ownArgs, a...)
		}
		c, a := PairsContain(CustomerSearchText, t, pairs[i])
		custParts = append(custParts, c)
		custArgs = append(custArgs, a...)
	}
	// The live rows only (the list reads no others): the lists' indexes
	// of customer_id are of live rows, and without the condition the
	// planner read all 200,000 opportunities for a rare name's 21.
	live := l.Table + ".deleted_at IS NULL AND "
	sub := "SELECT " + l.Table + ".id FROM " + l.Table + " WHERE " + live + l.CustomerCol +
		" IN (SELECT customers.id FROM customers WHERE " + strings.Join(custParts, " OR ") + ")"
	args := custArgs
	if len(ownParts) > 0 {
		sub = "SELECT " + l.Table + ".id FROM " + l.Table + " WHERE " + live + "(" + strings.Join(ownParts, " OR ") +
			") UNION ALL " + sub
		args = append(ownArgs, custArgs...)
	}
	return l.Table + ".id IN (" + sub + ")", args
}

// Where is one condition of a query and its arguments.
type Where struct {
	Cond string
	Args []any
}

// SearchParts are a search's two disjoint parts (ListSearch.SumParts):
// the rows whose customer's text matches, and the rows whose own texts
// match while their customer's does not — Own for a statement joined to
// the customers, OwnApart for one that is not (its customer among the
// matching customers' ids, not by a joined column).
type SearchParts struct {
	Customer, Own, OwnApart Where
	// CustomerFrom and OwnFrom are the FROM of the parts read apart: the
	// table, on SQLite with the index each part must read
	// (ListSearch.sqliteParts). CustomerFrom empty: the customers' part
	// is read joined, over base.
	CustomerFrom, OwnFrom string
	// pieces are the same parts over ranges of ids whose results add up
	// to theirs (SQLite, sqliteParts), for Statements; none: one
	// statement.
	pieces []SearchParts
	// rest are, over the same ranges, the rows the search leaves out —
	// those of the customers not matching whose own texts do not match
	// either — when a term is in most customers' texts (sqliteParts), for
	// Complement; their Customer is the whole condition.
	rest []SearchParts
}

// Complement is Statements for a caller holding all, the aggregate of
// every row it searches kept apart (the province's kept totals, a dozen
// rows): all, less the rows the search leaves out, read as negated
// aggregates in the ranges of ids side by side (AddUp adds them up). ok
// is false unless the search's terms are in most customers' texts on
// SQLite (sqliteParts): "有限公司", in 70,000 of the 100,000 names, is
// ~140,000 opportunities to add up and ~60,000 to take away.
func (p SearchParts) Complement(conn, all *gorm.DB, apart Apart, sel string, keys []string, cols ...string) (qs []*gorm.DB, ok bool) {
	if len(p.rest) == 0 || apart == nil || all == nil {
		return nil, false
	}
	neg := slices.Clone(keys)
	for _, c := range cols {
		neg = append(neg, "-r."+c+" AS "+c)
	}
	qs = []*gorm.DB{all}
	for _, r := range p.rest {
		q := apart(r.CustomerFrom, r.Customer).Select(sel)
		if len(keys) > 0 {
			q = q.Group(strings.Join(keys, ", "))
		}
		qs = append(qs, conn.Table("(?) AS r", q).Select(strings.Join(neg, ", ")))
	}
	return qs, true
}

// Statements is Sum's aggregate as statements whose rows, added up per
// key, are its rows: Sum's one statement, or, when the parts were read
// apart on SQLite (sqliteParts), one per range of ids. The pure-Go SQLite
// runs a statement on one core; a word in most customers' names
// ("有限公司", 70,000 of them: 140,000 opportunities summed) or in a
// quarter of the titles ("云") took one core ~150 ms, two halves side by
// side ~80 (AddUp runs them). Each statement reads its own snapshot:
// a write committed between their starts may be counted in one half and
// not the other, as if the page had been read a moment earlier or later
// for that row.
func (p SearchParts) Statements(conn *gorm.DB, base func() *gorm.DB, apart Apart, sel string, keys []string, cols ...string) []*gorm.DB {
	if len(p.pieces) == 0 || apart == nil {
		return []*gorm.DB{p.Sum(conn, base, apart, sel, keys, cols...)}
	}
	out := make([]*gorm.DB, len(p.pieces))
	for i, piece := range p.pieces {
		out[i] = piece.Sum(conn, base, apart, sel, keys, cols...)
	}
	return out
}

// AddUp reads each of qs into rows of T, side by side while spare lends
// goroutines (one after the other in a transaction: AtOnce), and adds up
// the rows of equal key (add adds its second row into its first), in the
// order the keys are first read: the rows of SearchParts.Statements.
func AddUp[T any, K comparable](ctx context.Context, spare *par.Spare, qs []*gorm.DB, key func(T) K, add func(*T, T)) ([]T, error) {
	got := make([][]T, len(qs))
	err := spare.Each(len(qs), AtOnce(ctx, len(qs)), func(i int) error {
		return qs[i].Scan(&got[i]).Error
	})
	if err != nil {
		return nil, err
	}
	if len(got) == 1 {
		return got[0], nil
	}
	var out []T
	at := map[K]int{}
	for _, rows := range got {
		for _, r := range rows {
			k := key(r)
			if i, ok := at[k]; ok {
				add(&out[i], r)
				continue
			}
			at[k] = len(out)
			out = append(out, r)
		}
	}
	return out, nil
}

// Apart builds a list's rows read without joining their customers (the
// deleted customers' rows left out by an anti-join): from is the table as
// the FROM names it, first the condition written first — SQLite tests a
// row against a statement's conditions in the order written, so the
// search's test, which leaves out most rows, goes before the others.
type Apart func(from string, first Where) *gorm.DB

// Sum is the aggregate sel over the rows the search matches, read as the
// parts' aggregates added up (db.Sum): the customers' part over base (a
// fresh statement of the list's rows joined to their customers, without
// the search, per call) or, when CustomerFrom is set, over apart; the own
// texts' part over apart when given (the same rows read without joining
// the customers), else over base; grouped by keys, if any, summing cols.
func (p SearchParts) Sum(conn *gorm.DB, base func() *gorm.DB, apart Apart, sel string, keys []string, cols ...string) *gorm.DB {
	cust := func() *gorm.DB { return base().Where(p.Customer.Cond, p.Customer.Args...) }
	own := func() *gorm.DB { return base().Where(p.Own.Cond, p.Own.Args...) }
	if apart != nil {
		own = func() *gorm.DB { return apart(p.OwnFrom, p.OwnApart) }
		if p.CustomerFrom != "" {
			cust = func() *gorm.DB { return apart(p.CustomerFrom, p.Customer) }
		}
	}
	qs := []*gorm.DB{cust(), own()}
	for i, q := range qs {
		q = q.Select(sel)
		if len(keys) > 0 {
			q = q.Group(strings.Join(keys, ", "))
		}
		qs[i] = q
	}
	return Sum(conn, qs, keys, cols...)
}

// aggregatePairShare is the largest share of the customers a term may be
// estimated to be in for SumParts to find them by their pairs' index: an
// aggregate reads every match, so the pairs are quicker than reading every
// customer's text far beyond the share where a page's walk stops sooner
// (provincePairShare). "科技", in ~10 % of the customers: the admin's
// opportunity totals 151 ms by strpos over the join, 30 by the pairs.
const aggregatePairShare = 0.3

// SumParts is the search for q over the province split in two disjoint
// parts, for an aggregate (a count, sums) read as the parts' results
// added up (SearchParts.Sum): the rows whose customer's text matches, and
// the rows whose own texts match while their customer's does not. Cond's
// one condition across the row and its joined customer is a join filter:
// PostgreSQL hashed all 100,000 customers and tested every row of the
// list (the admin's totals line of "科技": 151 ms). Apart, the customers
// are found alone — by their pairs' index when rare enough
// (aggregatePairShare), else by reading their texts — and their rows
// along the list's customer_id, and the own texts by their pairs' index
// when rare (provincePairShare), else by reading them.
//
// apart tells that the caller reads the own texts' part without joining
// the customers (SearchParts.OwnApart): then a term common in the own
// texts splits too — "千兆" or "云", in an eighth or a quarter of the
// opportunities' titles and no customer's name, cost a join of every
// row to its customer (57-170 ms); read apart, one pass over the rows
// (~30). On SQLite, where Cond reads every row joined to its customer,
// the parts are always apart when the caller can read them so
// (sqliteParts). ok is false where Cond is as good: no terms, a term rare
// everywhere on PostgreSQL (Cond reads it by the pairs) and, unless
// apart, a term of one character or common in the own texts, or any term
// on SQLite.
func (l ListSearch) SumParts(ctx context.Context, g *gorm.DB, stats *PairStats, q string, apart bool) (parts SearchParts, ok bool) {
	terms := textnorm.SearchTerms(q)
	if len(terms) == 0 {
		return parts, false
	}
	if g.Dialector.Name() != Postgres {
		if !apart || l.CustomerIndex == "" {
			return parts, false
		}
		return l.sqliteParts(ctx, g, stats, terms)
	}
	parts.OwnFrom = l.Table
	pairs := make([][]string, len(terms))
	short := false
	for i, t := range terms {
		if pairs[i] = indexPairs(t); len(pairs[i]) == 0 {
			short = true
		}
	}
	own, cust := 1.0, 1.0 // a term of one character: every row read
	if !short {
		own, cust = l.share(ctx, g, stats, pairs)
	}
	switch {
	case own <= provincePairShare && cust <= provincePairShare:
		return parts, false // Cond's pairs already read a rare term's rows alone
	case !apart && (short || own > provincePairShare):
		return parts, false
	}
	var custParts, custText, ownParts []string
	var custArgs, textArgs, ownArgs []any
	for i, t := range terms {
		if cust <= aggregatePairShare {
			c, a := PairsContain(CustomerSearchText, t, pairs[i])
			custParts, custArgs = append(custParts, c), append(custArgs, a...)
		}
		custText, textArgs = append(custText, "strpos("+CustomerSearchText+", ?) > 0"), append(textArgs, t)
		for _, o := range l.Own {
			if own <= provincePairShare {
				c, a := PairsContain(o.Expr, t, pairs[i])
				ownParts, ownArgs = append(ownParts, c), append(ownArgs, a...)
			} else {
				ownParts, ownArgs = append(ownParts, "strpos("+forTerm(o.Expr, t)+", ?) > 0"), append(ownArgs, t)
			}
		}
	}
	if custParts == nil {
		custParts, custArgs = custText, textArgs
	}
	parts.Customer = Where{Cond: "(" + strings.Join(custParts, " OR ") + ")", Args: custArgs}
	if len(ownParts) == 0 {
		parts.Own, parts.OwnApart = Where{Cond: "FALSE"}, Where{Cond: "FALSE"}
		return parts, true
	}
	ownCond := "(" + strings.Join(ownParts, " OR ") + ")"
	// IS NOT TRUE: exactly the rows the first part leaves out.
	parts.Own = Where{Cond: ownCond + " AND (" + strings.Join(custText, " OR ") + ") IS NOT TRUE",
		Args: append(slices.Clone(ownArgs), textArgs...)}
	// Apart, the matching customers' ids: a hashed set, built only when
	// a row's own texts match.
	parts.OwnApart = Where{Cond: ownCond + " AND " + l.CustomerCol + " NOT IN (SELECT customers.id FROM customers WHERE " +
		strings.Join(custParts, " OR ") + ")", Args: append(slices.Clone(ownArgs), custArgs...)}
	return parts, true
}

// share estimates the largest share of the list's rows that one of the
// terms matches in one of their own texts, and of the customers in
// theirs.
func (l ListSearch) share(ctx context.Context, g *gorm.DB, stats *PairStats, pairs [][]string) (own, cust float64) {
	shares := stats.read(ctx, g)
	for _, ps := range pairs {
		cust = max(cust, shares.of(customersPairsIndex, ps))
		for _, o := range l.Own {
			own = max(own, shares.of(o.Index, ps))
		}
	}
	return own, cust
}

// commonOwnRareCustomer is the province's search for terms common in the
// list's own texts but rare among the customers' (a product, "千兆" or
// "专线", in an eighth of the opportunities' titles and no customer's
// name): the own texts by strpos, as containsCommon, and the customer's
// by the customers' pairs index, once per matching customer. As a join
// filter the customer's text was tested once per row of the list — the
// admin's count and totals of "千兆" tested 211,692 opportunities'
// customers' texts: ~410 ms of its ~450.
func (l ListSearch) commonOwnRareCustomer(terms []string, pairs [][]string) (string, []any) {
	var own, cust []string
	var args, custArgs []any
	for i, t := range terms {
		for _, o := range l.Own {
			own = append(own, "strpos("+forTerm(o.Expr, t)+", ?) > 0")
			args = append(args, t)
		}
		c, a := PairsContain(CustomerSearchText, t, pairs[i])
		cust = append(cust, c)
		custArgs = append(custArgs, a...)
	}
	cond := l.CustomerCol + " IN (SELECT customers.id FROM customers WHERE " + strings.Join(cust, " OR ") + ")"
	if len(own) > 0 {
		cond = strings.Join(own, " OR ") + " OR " + cond
	}
	return "(" + cond + ")", append(args, custArgs...)
}

// containsCommon is Contains for a term the statistics call common over
// the whole province, written with strpos: the same rows (strpos is
// literal, and the texts are lower case as for Contains' LIKE), but the
// planner estimates a function's test at a third of the rows where it
// takes a LIKE '%…%' for a handful. With the handful it joined and
// sorted every match of the province to show 25 (the admin's page 2 of
// 专线 among the opportunities: ~190 ms); with the third it reads the
// list's order along its index and stops at the 25th match, as a common
// term's matches come every few rows. The totals read every row either
// way. Only for the province: in a branch or a team the matches of a
// province-wide common term can be sparse along an index of the whole
// table, and such a walk would read far more than the scope.
func containsCommon(terms, exprs []string) (string, []any) {
	parts := make([]string, 0, len(terms)*len(exprs))
	args := make([]any, 0, len(terms)*len(exprs))
	for _, e := range exprs {
		for _, t := range terms {
			parts = append(parts, "strpos("+forTerm(e, t)+", ?) > 0")
			args = append(args, t)
		}
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// PairStats is what PostgreSQL's statistics (ANALYZE) say of the pairs'
// GIN indexes: the share of rows holding each of an index's most common
// pairs, read from pg_stats at most every pairStatsTTL. A Store keeps one;
// nil (a Store on a transaction) knows nothing, and every term is then
// taken for rare.
type PairStats struct {
	mu     sync.Mutex
	at     time.Time
	shares pairShares
	// counts are SQLite's counts for choosing a search's plan (how many
	// customers hold a pair, how many rows' own texts hold a term, both
	// capped), each trusted for pairStatsTTL like the shares.
	counts map[string]countAt
}

// countAt is a count and when it was taken.
type countAt struct {
	n  int
	at time.Time
}

// maxKeptCounts bounds PairStats' counts: past it they are dropped and
// counted again as asked.
const maxKeptCounts = 4096

// count is the count kept under key, or fn's, kept when fn succeeds. On
// a nil PairStats (a transaction's store) it is always fn's.
func (p *PairStats) count(key string, fn func() (int, error)) (int, error) {
	if p != nil {
		p.mu.Lock()
		c, ok := p.counts[key]
		p.mu.Unlock()
		if ok && time.Since(c.at) < pairStatsTTL {
			return c.n, nil
		}
	}
	n, err := fn()
	if err != nil || p == nil {
		return n, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.counts == nil || len(p.counts) >= maxKeptCounts {
		p.counts = map[string]countAt{}
	}
	p.counts[key] = countAt{n: n, at: time.Now()}
	return n, nil
}

// pairStatsTTL is how long PairStats trusts what it read: the shares move
// with autovacuum's ANALYZE, slowly.
const pairStatsTTL = 10 * time.Minute

// pairShares are, per index, its common pairs' shares and the share
// taken for a pair not among them: as PostgreSQL's planner takes it for
// an array's element (array_selfuncs.c), half the least listed share, at
// most 0.5 %.
type pairShares map[string]struct {
	share map[string]float64
	floor float64
}

// NewPairStats is an empty PairStats.
func NewPairStats() *PairStats { return &PairStats{} }

// read returns the shares, read again when older than pairStatsTTL. A
// failed read is logged by GORM's logger and leaves nothing known.
func (p *PairStats) read(ctx context.Context, g *gorm.DB) pairShares {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shares != nil && time.Since(p.at) < pairStatsTTL {
		return p.shares
	}
	var rows []struct {
		Index string
		Pair  string
		Share float64
	}
	// most_common_elems is an anyarray: through text to text[].
	err := g.WithContext(ctx).Raw(`SELECT s.tablename AS index, e.pair, e.share
		FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(pair, share)
		WHERE s.schemaname = current_schema() AND s.attname = 'search_bigrams' AND e.pair IS NOT NULL`).Scan(&rows).Error
	out := pairShares{}
	if err == nil {
		for _, r := range rows {
			ix, ok := out[r.Index]
			if !ok {
				ix.share, ix.floor = map[string]float64{}, r.Share
			}
			ix.share[r.Pair] = r.Share
			ix.floor = min(ix.floor, r.Share)
			out[r.Index] = ix
		}
		for name, ix := range out {
			ix.floor = min(ix.floor/2, 0.005)
			out[name] = ix
		}
	}
	p.shares, p.at = out, time.Now()
	return out
}

// of estimates the share of index's rows holding all of pairs: the
// smallest of the pairs' shares. An index without statistics: 0.
func (s pairShares) of(index string, pairs []string) float64 {
	ix, ok := s[index]
	if !ok {
		return 0
	}
	least := 1.0
	for _, p := range pairs {
		v, listed := ix.share[p]
		if !listed {
			v = ix.floor
		}
		least = min(least, v)
	}
	return least
}
