package prospects

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// oppTotalsCacheSize bounds each totals cache: a province has ~700 people
// and a few filters each.
const oppTotalsCacheSize = 2000

// oppTotalsCache holds the totals of scopes at the current opportunity
// data version (db.VersionCache): the board's column headers, the home
// page's pipeline panel and the opportunity list's totals line aggregate
// a director's ~35,000 or the admin's ~200,000 opportunities, and are read
// far more often than opportunities change. Every write to an opportunity,
// and every change of a customer's owner, team, branch, chief rep or
// deletion, bumps the version in its transaction (migration 00026), so a
// total is never shown after a write that changed it.
//
// It also holds the customer list's capped counts (customer_counts.go)
// and the board's first cards per open column (board_cards.go).
type oppTotalsCache struct {
	list   *db.VersionCache[OppTotals]
	stages *db.VersionCache[map[string]OppTotals]
	// searchedList and searchedStages are list and stages for the
	// filters on the customer's own columns (a search text, a grade, an
	// industry, a qualification score), kept under the customers version
	// too: a customer's edit does not bump the opportunities version.
	// Apart, so that an edit of some customer's phone number leaves the
	// unfiltered boards and totals — every director's home — kept.
	searchedList   *db.VersionCache[OppTotals]
	searchedStages *db.VersionCache[map[string]OppTotals]
	customers      *db.VersionCache[int64]
	cards          *db.VersionCache[[]OpportunityRow]
	// customerRows are the customer list's pages (ListCustomers).
	customerRows *db.VersionCache[[]Customer]
	// regions are the district filter's choices per scope (Regions).
	regions *db.VersionCache[[]string]
}

func newOppTotalsCache() *oppTotalsCache {
	return &oppTotalsCache{
		list:   db.NewVersionCache[OppTotals](db.VersionOpportunities, oppTotalsCacheSize),
		stages: db.NewVersionCache[map[string]OppTotals](db.VersionOpportunities, oppTotalsCacheSize),
		searchedList: db.NewVersionsCache[OppTotals]([]string{db.VersionOpportunities, db.VersionCustomers},
			oppTotalsCacheSize),
		searchedStages: db.NewVersionsCache[map[string]OppTotals]([]string{db.VersionOpportunities, db.VersionCustomers},
			oppTotalsCacheSize),
		customers: db.NewVersionCache[int64](db.VersionCustomers, oppTotalsCacheSize),
		cards:     newBoardCardsCache(),
		customerRows: db.NewVersionCache[[]Customer](db.VersionCustomers, oppTotalsCacheSize).
			Weighed(func(c []Customer) int { return len(c) + 1 }, customerRowsCacheRows),
		regions: db.NewVersionCache[[]string](db.VersionCustomers, oppTotalsCacheSize),
	}
}

// regionsCache is nil (every list live) for a Store without caches.
func (c *oppTotalsCache) regionsCache() *db.VersionCache[[]string] {
	if c == nil {
		return nil
	}
	return c.regions
}

// customerRowsCacheRows bounds the customer rows kept in all (a row with
// its search text is about a kilobyte: ~20 MB).
const customerRowsCacheRows = 20_000

// customerRowsCache is nil (every page live) for a Store without caches.
func (c *oppTotalsCache) customerRowsCache() *db.VersionCache[[]Customer] {
	if c == nil {
		return nil
	}
	return c.customerRows
}

// boardCardsCache is nil (every column live) for a Store without caches.
func (c *oppTotalsCache) boardCardsCache() *db.VersionCache[[]OpportunityRow] {
	if c == nil {
		return nil
	}
	return c.cards
}

// customerCountCache is nil (every count live) for a Store without
// caches.
func (c *oppTotalsCache) customerCountCache() *db.VersionCache[int64] {
	if c == nil {
		return nil
	}
	return c.customers
}

// listCache and stagesCache are nil (every read live) for a Store
// without caches: one bound to a transaction. customer picks the caches
// of the filters on the customer's own columns (oppTotalsKey).
func (c *oppTotalsCache) listCache(customer bool) *db.VersionCache[OppTotals] {
	switch {
	case c == nil:
		return nil
	case customer:
		return c.searchedList
	}
	return c.list
}

func (c *oppTotalsCache) stagesCache(customer bool) *db.VersionCache[map[string]OppTotals] {
	switch {
	case c == nil:
		return nil
	case customer:
		return c.searchedStages
	}
	return c.stages
}

// oppTotalsKey is the cache key of the totals of f within scope, or ""
// when they are read live: a zero scope, or won and lost since a moment
// (the window moves with the clock). customer reports that f filters on
// the customer's own columns — its search text (name, code, key
// persons), grade, industry or qualification — which customer writes
// change without bumping the opportunities version: those totals go to
// the caches kept under the customers version too. A common search term
// over the province is a pass over every opportunity and its customer
// (the admin's 千兆: ~0.3 s), so its pager, its next pages and the way
// back from an opportunity are served from the cache.
func oppTotalsKey(scope authz.ListScope, f OpportunityFilter) (key string, customer bool) {
	if scope.IsZero() || f.ClosedSince != nil {
		return "", false
	}
	var b strings.Builder
	b.WriteString(scope.Key())
	fmt.Fprintf(&b, "|stages=%s|owner=%d|team=%d", strings.Join(f.Stages, ","), f.OwnerID, f.TeamID)
	writeCloseBounds(&b, f)
	customer = f.Q != "" || f.Grade != "" || f.Industry != "" || f.MinScore != 0
	if customer {
		fmt.Fprintf(&b, "|q=%q|grade=%q|industry=%q|score=%d", f.Q, f.Grade, f.Industry, f.MinScore)
	}
	return b.String(), customer
}

// writeCloseBounds adds f's expected-close bounds to a cache key ("-"
// for an open end).
func writeCloseBounds(b *strings.Builder, f OpportunityFilter) {
	for _, t := range []*time.Time{f.CloseFrom, f.CloseBefore} {
		if t == nil {
			b.WriteString("|-")
		} else {
			fmt.Fprintf(b, "|%d", t.UnixNano())
		}
	}
}

// stagesWithin is the stages of f (all when empty) that are among of.
func stagesWithin(f, of []string) []string {
	if len(f) == 0 {
		return slices.Clone(of)
	}
	var out []string
	for _, st := range of {
		if slices.Contains(f, st) {
			out = append(out, st)
		}
	}
	return out
}
