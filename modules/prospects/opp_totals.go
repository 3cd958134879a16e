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
	list      *db.VersionCache[OppTotals]
	stages    *db.VersionCache[map[string]OppTotals]
	customers *db.VersionCache[int64]
	cards     *db.VersionCache[[]OpportunityRow]
	// customerRows are the customer list's pages (ListCustomers).
	customerRows *db.VersionCache[[]Customer]
	// regions are the district filter's choices per scope (Regions).
	regions *db.VersionCache[[]string]
}

func newOppTotalsCache() *oppTotalsCache {
	return &oppTotalsCache{
		list:      db.NewVersionCache[OppTotals](db.VersionOpportunities, oppTotalsCacheSize),
		stages:    db.NewVersionCache[map[string]OppTotals](db.VersionOpportunities, oppTotalsCacheSize),
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
// without caches: one bound to a transaction.
func (c *oppTotalsCache) listCache() *db.VersionCache[OppTotals] {
	if c == nil {
		return nil
	}
	return c.list
}

func (c *oppTotalsCache) stagesCache() *db.VersionCache[map[string]OppTotals] {
	if c == nil {
		return nil
	}
	return c.stages
}

// oppTotalsKey is the cache key of the totals of f within scope, or ""
// when f filters on what the opportunity version does not follow (the
// customer's name, grade, industry or qualification: customer edits do
// not bump it) or on the time (won and lost since a moment): those totals
// are read live.
func oppTotalsKey(scope authz.ListScope, f OpportunityFilter) string {
	if scope.IsZero() || f.Q != "" || f.Grade != "" || f.Industry != "" || f.MinScore != 0 || f.ClosedSince != nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(scope.Key())
	fmt.Fprintf(&b, "|stages=%s|owner=%d|team=%d", strings.Join(f.Stages, ","), f.OwnerID, f.TeamID)
	writeCloseBounds(&b, f)
	return b.String()
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
