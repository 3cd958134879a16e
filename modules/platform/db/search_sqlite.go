package db

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// sqlitePairLimit is how many customers a term's rarest pair may hold for
// SQLite to find a search's customers by their pairs (customer_bigrams,
// migration 00036) rather than by reading every customer's text: about a
// fifth of the province. Each candidate is then a lookup; beyond it the
// pass over the 100,000 texts (~45 ms in the pure-Go SQLite) is as quick.
const sqlitePairLimit = 20000

// sqliteParts is SumParts on SQLite, for a caller that reads its rows
// apart from their customers. SQLite's Cond is a LIKE over every row
// joined to its customer, and its planner, whose statistics of
// customer_bigrams are an average over common and rare pairs alike, walked
// a stage's index through every opportunity: the admin's board searched
// for a rare name took 1.6 s for its column totals, the list's totals line
// 216 ms. Apart:
//
//   - the matching customers (customerSet) are a set, their rows read
//     along CustomerIndex (INDEXED BY: named, not left to those statistics);
//   - the rows whose own texts match are one pass over the table (NOT
//     INDEXED), the own texts tested first and the set probed only for
//     the rows that pass.
//
// "科技" (a tenth of the customers) on the board: 1.6 s → ~75 ms; "千兆"
// (an eighth of the titles): ~70.
func (l ListSearch) sqliteParts(ctx context.Context, g *gorm.DB, stats *PairStats, terms []string) (SearchParts, bool) {
	counted, err := sqliteTerms(ctx, g, stats, terms)
	if err != nil {
		// Logged by GORM's logger; Cond still answers, slower.
		return SearchParts{}, false
	}
	if _, _, rare := l.sqliteRare(ctx, g, stats, counted); rare {
		// Cond's set: one pass over TextIndex, not over the table.
		return SearchParts{}, false
	}
	set, args := customerSet(counted, nil)
	own, ownArgs := l.sqliteOwn(terms)
	ownCond := "(" + strings.Join(own, " OR ") + ")"
	if c, a, ok := l.sqliteOwnSet(ctx, g, stats, terms); ok {
		ownCond, ownArgs = c, a
	}
	// part is the parts over the customers of ids custIDs (nil: all) and
	// the rows of ids ownIDs (nil: all); the own texts' part leaves out
	// the rows of every matching customer, whatever its id.
	part := func(custIDs, ownIDs []any) SearchParts {
		ranged, rangedArgs := customerSet(counted, custIDs)
		parts := SearchParts{
			Customer:     Where{Cond: l.CustomerCol + " IN (" + ranged + ")", Args: rangedArgs},
			CustomerFrom: l.Table + " INDEXED BY " + l.CustomerIndex,
			// NOT INDEXED still looks rows up by their id (an own set)
			// and reads a range of ids as one.
			OwnFrom: l.Table + " NOT INDEXED",
		}
		parts.Own, parts.OwnApart = Where{Cond: "FALSE"}, Where{Cond: "FALSE"}
		if len(own) > 0 {
			cond, condArgs := ownCond, slices.Clone(ownArgs)
			if ownIDs != nil {
				cond = l.Table + ".id >= ? AND " + l.Table + ".id < ? AND " + cond
				condArgs = append(slices.Clone(ownIDs), condArgs...)
			}
			parts.OwnApart = Where{Cond: cond + " AND " + l.CustomerCol + " NOT IN (" + set + ")",
				Args: append(condArgs, args...)}
		}
		return parts
	}
	parts := part(nil, nil)
	// Two halves by id, read side by side (Statements): of the customers
	// (the set is built from each half's texts or pairs) and of the rows
	// (the own texts' pass reads each half's).
	var maxCust, maxRow int64
	if err := Conn(ctx, g).Raw("SELECT COALESCE(MAX(id), 0) FROM customers").Scan(&maxCust).Error; err != nil {
		return parts, true // logged by GORM's logger; one statement
	}
	if err := Conn(ctx, g).Raw("SELECT COALESCE(MAX(id), 0) FROM " + l.Table).Scan(&maxRow).Error; err != nil {
		return parts, true
	}
	midCust, midRow := maxCust/2+1, maxRow/2+1
	lo, hi := []any{int64(math.MinInt64), midCust}, []any{midCust, int64(math.MaxInt64)}
	parts.pieces = []SearchParts{
		part(lo, []any{int64(math.MinInt64), midRow}),
		part(hi, []any{midRow, int64(math.MaxInt64)}),
	}
	if mostCustomers(ctx, g, stats, counted, maxCust) {
		// The rows left out: of the customers holding no term (their
		// texts read in each half) whose own texts hold none either.
		texts := make([]string, len(counted))
		var textArgs []any
		for i, c := range counted {
			t, a := sqliteContains("customers.search_text", c.term)
			texts[i], textArgs = t, append(textArgs, a...)
		}
		rest := func(ids []any) SearchParts {
			cond := l.CustomerCol + " IN (SELECT customers.id FROM customers WHERE customers.id >= ? AND customers.id < ? AND NOT (" + strings.Join(texts, " OR ") + "))"
			args := append(slices.Clone(ids), textArgs...)
			if len(own) > 0 {
				cond += " AND " + ownCond + " IS NOT TRUE"
				args = append(args, ownArgs...)
			}
			return SearchParts{Customer: Where{Cond: cond, Args: args}, CustomerFrom: l.Table + " INDEXED BY " + l.CustomerIndex}
		}
		parts.rest = []SearchParts{rest(lo), rest(hi)}
	}
	return parts, true
}

// mostCustomers tells whether every term is likely in more than half of
// the maxID customers' texts: its rarest pair is. The pair's holders were
// counted up to sqlitePairLimit+1 (sqliteTerms); beyond, they are counted
// up to half the customers, kept in stats as the other counts. A term of
// one character has no pair and is not.
func mostCustomers(ctx context.Context, g *gorm.DB, stats *PairStats, terms []sqliteTerm, maxID int64) bool {
	half := int(maxID / 2)
	for _, t := range terms {
		if len(t.pairs) == 0 {
			return false
		}
		p := t.pairs[0]
		n := t.held[p]
		if n > sqlitePairLimit && half > sqlitePairLimit {
			var err error
			n, err = stats.count(fmt.Sprintf("customer_bigrams|%s|%d", p, half), func() (int, error) {
				var n int
				err := Conn(ctx, g).Raw("SELECT COUNT(*) FROM (SELECT 1 FROM customer_bigrams WHERE gram = ? LIMIT ?)", p, half+1).Scan(&n).Error
				return n, err
			})
			if err != nil {
				return false // logged by GORM's logger; the parts as they are
			}
		}
		if n <= half {
			return false
		}
	}
	return len(terms) > 0
}

// sqliteOwnPairRows is how many rows the rarest own pair of a term may be
// held by for sqliteOwnSet to read the rows by their ids rather than every
// row's text: a lookup each, where the pass over the province's 211,692
// titles costs ~45 ms (26,000 lookups cost more).
const sqliteOwnPairRows = 5000

// sqliteOwnSet is the test "an own text holds one of terms" as the rows
// found by their pairs (OwnPairs): a term of two characters is exactly
// its pair, a longer one's rows hold its rarest pair and are then tested
// by their text. A word of customers' names that no title holds (科技,
// 银行) is then no row at all instead of a pass over every title. ok is
// false without OwnPairs, for a term of one character, or when a term's
// rarest pair is held by more than sqliteOwnPairRows rows (a product's
// word: the pass is quicker); the counts are kept in stats as the
// customers' pairs' are.
func (l ListSearch) sqliteOwnSet(ctx context.Context, g *gorm.DB, stats *PairStats, terms []string) (string, []any, bool) {
	if l.OwnPairs == "" || len(l.Own) != 1 || len(terms) == 0 {
		return "", nil, false
	}
	counted, err := countedPairs(ctx, g, stats, l.OwnPairs, sqliteOwnPairRows, terms)
	if err != nil {
		return "", nil, false // logged by GORM's logger; the texts are read
	}
	sets := make([]string, 0, len(terms))
	var args []any
	for _, c := range counted {
		if !c.byPairs(sqliteOwnPairRows) {
			return "", nil, false
		}
		t := c.term
		rows := l.Table + ".id IN (SELECT " + l.OwnPairsCol + " FROM " + l.OwnPairs + " WHERE gram = ?)"
		args = append(args, c.pairs[0])
		if utf8.RuneCountInString(t) == 2 {
			sets = append(sets, rows)
			continue
		}
		own, ownArgs := l.sqliteOwn([]string{t})
		sets = append(sets, "("+rows+" AND "+own[0]+")")
		args = append(args, ownArgs...)
	}
	return "(" + strings.Join(sets, " OR ") + ")", args, true
}

// sqliteSetCandidates is how many customers the rarest pair of a term of
// three characters or more may hold for a team's or a branch's search on
// SQLite to test the customers by the set of those holding the term
// (each candidate read once, ~2.3 µs) rather than each row's customer's
// text.
const sqliteSetCandidates = 2000

// sqliteCond is Cond on SQLite. Over the province a rare term is read as
// a set (sqliteRare). Otherwise each row is tested, its own texts and
// its customer's: a caseless term by instr (the LIKE with its escape
// cost a director's 16,000 opportunities ~110 of a page's ~155 ms; instr
// ~45 with the customers as a set), and over a branch or the province the
// customer by the set of the customers holding the term when its pairs
// find them cheaply — a term of two characters is its pair, a longer
// one's candidates are few (sqliteSetCandidates) — a probe of a set
// built once instead of a LIKE over a long text per row (for a list
// that names its CustomerIndex, whose customers are the customers
// table's).
func (l ListSearch) sqliteCond(ctx context.Context, g *gorm.DB, stats *PairStats, breadth Breadth, terms []string) (string, []any) {
	if len(terms) == 0 {
		return "", nil
	}
	var counted []sqliteTerm
	if (breadth == Branch || breadth == Province) && l.CustomerIndex != "" {
		var err error
		if counted, err = sqliteTerms(ctx, g, stats, terms); err != nil {
			counted = nil // logged by GORM's logger; the texts are read
		}
	}
	if breadth == Province && counted != nil {
		if cond, args, ok := l.sqliteRare(ctx, g, stats, counted); ok {
			return cond, args
		}
	}
	parts, args := l.sqliteOwn(terms)
	for i, t := range terms {
		if counted != nil && (counted[i].byPairs(sqlitePairLimit) && utf8.RuneCountInString(t) == 2 || counted[i].byPairs(sqliteSetCandidates)) {
			set, a := customerSet(counted[i:i+1], nil)
			parts, args = append(parts, l.CustomerCol+" IN ("+set+")"), append(args, a...)
			continue
		}
		c, a := sqliteContains(CustomerSearchText, t)
		parts, args = append(parts, c), append(args, a...)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// sqliteRareCustomers is how many customers the rarest pair of each term
// may hold for SQLite to read the province's search as a set
// (sqliteRare). Beyond it a term's matches come every few hundred rows
// at most, and a page's walk along the list's order reaches its 25th
// sooner than the pass over the own texts the set needs.
const sqliteRareCustomers = 500

// sqliteRareRows is how many rows' own texts may hold a term for the
// province's search to be read as a set (sqliteRare).
const sqliteRareRows = 1000

// ReadsAsSet reports whether Cond reads the search for q over breadth as
// a set of rows found first (a rare term on SQLite's province), so that
// a statement ranking every match (a board's open columns at once) reads
// no more than the matches.
func (l ListSearch) ReadsAsSet(ctx context.Context, g *gorm.DB, stats *PairStats, breadth Breadth, q string) bool {
	terms := textnorm.SearchTerms(q)
	if g.Dialector.Name() == Postgres || breadth != Province || len(terms) == 0 {
		return false
	}
	counted, err := sqliteTerms(ctx, g, stats, terms)
	if err != nil {
		return false
	}
	_, _, ok := l.sqliteRare(ctx, g, stats, counted)
	return ok
}

// sqliteRare is Cond on SQLite over the province for terms whose rarest
// pairs are held by at most sqliteRareCustomers customers (a customer's
// name): the rows are found first — the own texts' matches in one pass
// over TextIndex, the matching customers' rows along CustomerIndex — and
// the statement reads those. As a LIKE over every row joined to its
// customer, a page walked the whole list's order for a name's two
// opportunities (the admin's list: 1.7 s) and each column of the board
// its whole stage (0.3–0.5 s for the board). ok is false for a common
// term, a term of one character, or a list without a CustomerIndex;
// without a TextIndex the own texts are read from the table (a small
// one: contracts, proposals). counted are the terms (sqliteTerms).
func (l ListSearch) sqliteRare(ctx context.Context, g *gorm.DB, stats *PairStats, counted []sqliteTerm) (string, []any, bool) {
	if l.CustomerIndex == "" {
		return "", nil, false
	}
	texts := l.Table + " NOT INDEXED" // a small table: its rows
	if l.TextIndex != "" {
		texts = l.Table + " INDEXED BY " + l.TextIndex
	}
	terms := make([]string, len(counted))
	for i, t := range counted {
		terms[i] = t.term
	}
	for _, t := range counted {
		if !t.byPairs(sqliteRareCustomers) {
			return "", nil, false
		}
	}
	own, args := l.sqliteOwn(terms)
	live := " WHERE " + l.Table + ".deleted_at IS NULL AND "
	if len(own) > 0 {
		// A product's word is in no customer's name and in an eighth of
		// the titles ("千兆": 26,000): as a set its matches were all read
		// and sorted (the admin's board 95 → 340 ms). Counted up to one
		// past sqliteRareRows, which a common word reaches within a few
		// thousand rows.
		key := "own|" + l.Table + "|" + strings.Join(terms, "\x00")
		n, err := stats.count(key, func() (int, error) {
			var n int
			err := Conn(ctx, g).Raw("SELECT COUNT(*) FROM (SELECT 1 FROM "+texts+live+
				"("+strings.Join(own, " OR ")+") LIMIT ?)", append(slices.Clone(args), sqliteRareRows+1)...).Scan(&n).Error
			return n, err
		})
		if err != nil || n > sqliteRareRows {
			return "", nil, false
		}
	}
	set, setArgs := customerSet(counted, nil)
	sub := "SELECT " + l.Table + ".id FROM " + l.Table + " INDEXED BY " + l.CustomerIndex + live + l.CustomerCol + " IN (" + set + ")"
	if len(own) > 0 {
		sub = "SELECT " + l.Table + ".id FROM " + texts + live + "(" + strings.Join(own, " OR ") + ") UNION " + sub
	}
	return l.Table + ".id IN (" + sub + ")", append(args, setArgs...), true
}

// sqliteTerm is one term of a search on SQLite and its pairs, the rarest
// first, with how many customers hold each (counted up to
// sqlitePairLimit+1).
type sqliteTerm struct {
	term  string
	pairs []string
	held  map[string]int
}

// byPairs reports whether the term's customers are found by its pairs:
// it has some, and its rarest is held by at most limit customers.
func (t sqliteTerm) byPairs(limit int) bool {
	return len(t.pairs) > 0 && t.held[t.pairs[0]] <= limit
}

// sqliteTerms counts the customers holding each pair of each term, once
// per pair (kept in stats for pairStatsTTL: a count of a common pair
// reads up to 20,000 entries).
func sqliteTerms(ctx context.Context, g *gorm.DB, stats *PairStats, terms []string) ([]sqliteTerm, error) {
	return countedPairs(ctx, g, stats, "customer_bigrams", sqlitePairLimit, terms)
}

// countedPairs is each term with its pairs, the rarest first, and how
// many rows of the pairs table (gram, id) hold each, counted up to
// limit+1 once per pair and kept in stats (the customers' pairs for
// sqliteTerms, a list's own texts' for sqliteOwnSet).
func countedPairs(ctx context.Context, g *gorm.DB, stats *PairStats, table string, limit int, terms []string) ([]sqliteTerm, error) {
	held := map[string]int{}
	out := make([]sqliteTerm, len(terms))
	for i, t := range terms {
		pairs := SearchPairs(t)
		for _, p := range pairs {
			if _, ok := held[p]; ok {
				continue
			}
			n, err := stats.count(table+"|"+p, func() (int, error) {
				var n int
				err := Conn(ctx, g).Raw("SELECT COUNT(*) FROM (SELECT 1 FROM "+table+" WHERE gram = ? LIMIT ?)", p, limit+1).Scan(&n).Error
				return n, err
			})
			if err != nil {
				return nil, err
			}
			held[p] = n
		}
		slices.SortStableFunc(pairs, func(a, b string) int { return held[a] - held[b] })
		out[i] = sqliteTerm{term: t, pairs: pairs, held: held}
	}
	return out, nil
}

// customerSet is the statement of the ids of the customers (deleted ones
// included) whose search text holds one of terms, and its arguments —
// those of ids in [ids[0], ids[1]) when ids is given. A
// term is looked up by its pairs when its rarest pair is held by at most
// sqlitePairLimit customers: a term of two characters is its one pair,
// exactly (the pairs are cut from the same lower-case text), without
// reading a customer; a longer one's candidates hold all its pairs and
// are then read for the term. Else, and for a term of one character,
// every customer's text is read.
func customerSet(terms []sqliteTerm, ids []any) (string, []any) {
	sets := make([]string, 0, len(terms))
	var args []any
	for _, t := range terms {
		// conds are the set's conditions in the order written (SQLite
		// tests them so), each with its arguments: the range first —
		// SQLite reads a range of a table's ids, or of a pair's entries,
		// as one.
		var conds []string
		where := func(col string, cond string, a ...any) {
			if ids != nil && col != "" {
				conds = append(conds, col+" >= ? AND "+col+" < ?")
				args = append(args, ids...)
			}
			conds = append(conds, cond)
			args = append(args, a...)
		}
		text, textArgs := sqliteContains("customers.search_text", t.term)
		switch {
		case !t.byPairs(sqlitePairLimit):
			where("customers.id", text, textArgs...)
			sets = append(sets, "SELECT customers.id FROM customers WHERE "+strings.Join(conds, " AND "))
		case utf8.RuneCountInString(t.term) == 2:
			conds = append(conds, "gram = ?")
			args = append(args, t.pairs[0])
			where("customer_id", "TRUE")
			sets = append(sets, "SELECT customer_id FROM customer_bigrams WHERE "+strings.Join(conds, " AND "))
		default:
			where("customers.id", "customers.id IN (SELECT customer_id FROM customer_bigrams WHERE gram = ?)", t.pairs[0])
			for _, p := range t.pairs[1:] {
				where("", "EXISTS (SELECT 1 FROM customer_bigrams b WHERE b.gram = ? AND b.customer_id = customers.id)", p)
			}
			where("", text, textArgs...)
			sets = append(sets, "SELECT customers.id FROM customers WHERE "+strings.Join(conds, " AND "))
		}
	}
	return strings.Join(sets, " UNION "), args
}

// sqliteOwn are the tests "an own text contains a term" on SQLite, one
// per text and term, and their arguments. The texts' LOWER(…) is taken
// off: there lower() folds ASCII letters only and LIKE already ignores
// the case of ASCII letters alone, so "LOWER(col) LIKE p" and "col LIKE
// p" hold for the same rows, and the pure-Go SQLite spent a third of a
// list's search copying every title in lower case.
func (l ListSearch) sqliteOwn(terms []string) ([]string, []any) {
	var own []string
	var args []any
	for _, t := range terms {
		for _, o := range l.Own {
			c, a := sqliteContains(unLower(o.Expr), t)
			own, args = append(own, c), append(args, a...)
		}
	}
	return own, args
}

// sqliteContains is "expr contains t" on SQLite: instr for a caseless
// term (a Chinese name, a number), which reads a text without LIKE's
// pattern machinery (~15 % quicker over the province's titles), else
// Contains' LIKE, which ignores the case of ASCII letters as the lowered
// texts need.
func sqliteContains(expr, t string) (string, []any) {
	if caseless(t) {
		return "instr(" + expr + ", ?) > 0", []any{t}
	}
	return expr + " LIKE ? ESCAPE '\\'", []any{"%" + EscapeLike(t) + "%"}
}
