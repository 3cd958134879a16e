package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// boardCardsKey is the cache key of the first cards of a stage's column
// for f within scope, or "" when they are read live: a cursor, or no
// scope. The cards read opportunities and their customers only (the
// owners' names come after, by id), so they are kept under those two data
// versions (VersionsCache): any write to an opportunity, a stage change,
// or any write to a customer moves them. A won or lost column covers the
// results since f.ClosedSince (the last BoardClosedDays, to the minute:
// boardFilter), which is in its key, so it is kept for at most the minute;
// the open columns ignore ClosedSince.
func boardCardsKey(scope authz.ListScope, f OpportunityFilter, stage string, limit int) string {
	if scope.IsZero() || len(f.After) > 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s|stage=%s|limit=%d|q=%q|owner=%d|team=%d|grade=%q|industry=%q|score=%d|sort=%s|desc=%t",
		scope.Key(), stage, limit, f.Q, f.OwnerID, f.TeamID, f.Grade, f.Industry, f.MinScore, f.Sort, f.Desc)
	if stage == StageWon || stage == StageLost {
		if f.ClosedSince == nil {
			return ""
		}
		fmt.Fprintf(&b, "|since=%d", f.ClosedSince.Unix())
	}
	writeCloseBounds(&b, f)
	return b.String()
}

// FirstBoardCards is BoardCards from the top of the column (no "更多"
// cursor), kept per scope, filter and stage while no opportunity and no
// customer was written.
func (s *Store) FirstBoardCards(ctx context.Context, scope authz.ListScope, f OpportunityFilter, stage string, limit int) ([]OpportunityRow, error) {
	return s.totals.boardCardsCache().Get(ctx, s.db, boardCardsKey(scope, f, stage, limit), func(ctx context.Context) ([]OpportunityRow, error) {
		return s.BoardCards(ctx, scope, f, stage, 0, limit)
	})
}

// OpenCardsAtOnce reports whether a board's open columns under f within
// scope are read in one statement (FirstOpenCards): a team's or a
// branch's search, and the province's search for a rare term on SQLite
// (read as a set: db.ListSearch.ReadsAsSet). Each column apart walked the
// province's stage in the column's order testing every card for the
// scope and the term — a director's 科技 ~1,500-2,000 cards a column,
// 10-27 ms each, six columns; on SQLite each column read the branch's
// customers and their opportunities of the stage again (~50 ms each),
// and a customer's name walked every stage of the province whole
// (0.3–0.5 s); the matches read once and ranked per stage take one such
// read.
func (s *Store) OpenCardsAtOnce(ctx context.Context, scope authz.ListScope, f OpportunityFilter) bool {
	l := scope.Level()
	if f.Q == "" {
		return false
	}
	switch {
	case l == authz.ScopeTeam || l == authz.ScopeBranch:
		return true
	case l == authz.ScopeAll && s.db.Dialector.Name() != db.Postgres:
		return opportunitySearch.ReadsAsSet(ctx, db.Conn(ctx, s.db), s.pairs, scope.Breadth(), f.Q)
	}
	return false
}

// FirstOpenCards is FirstBoardCards of every stage of stages at once, by
// stage: the first limit cards of each in the order of f, read as the
// scope's matches ranked per stage, kept as FirstBoardCards keeps a
// column.
func (s *Store) FirstOpenCards(ctx context.Context, scope authz.ListScope, f OpportunityFilter, stages []string, limit int) (map[string][]OpportunityRow, error) {
	key := boardCardsKey(scope, f, "open:"+strings.Join(stages, ","), limit)
	rows, err := s.totals.boardCardsCache().Get(ctx, s.db, key, func(ctx context.Context) ([]OpportunityRow, error) {
		return s.openCards(ctx, scope, f, stages, limit)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]OpportunityRow, len(stages))
	for _, r := range rows {
		out[r.Stage] = append(out[r.Stage], r)
	}
	return out, nil
}

func (s *Store) openCards(ctx context.Context, scope authz.ListScope, f OpportunityFilter, stages []string, limit int) ([]OpportunityRow, error) {
	f.Stages = stages
	keys, _ := opportunityKeys(f)
	var out []OpportunityRow
	err := s.probingCustomers(ctx, scope, f, func(ctx context.Context) error {
		ranked := s.opportunityQuery(ctx, scope, f).
			Select(opportunityColumns + ", ROW_NUMBER() OVER (PARTITION BY opportunities.stage ORDER BY " + db.Order(keys) + ") AS board_rank")
		return db.Conn(ctx, s.db).Table("(?) AS opportunities", ranked).Where("board_rank <= ?", limit).
			Order("opportunities.stage, " + db.Order(keys)).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("board cards of %v: %w", stages, err)
	}
	return out, nil
}

// KeptOpportunityRows is OpportunityRows kept per scope and filter while
// no opportunity and no customer was written: a list page is opened
// again and again, and a chief rep's walked ~1,450 opportunities of the
// province in update order, probing each one's customer for the team
// (7.6 ms). The rows are the caller's own copy.
func (s *Store) KeptOpportunityRows(ctx context.Context, scope authz.ListScope, f OpportunityFilter) ([]OpportunityRow, error) {
	rows, err := s.totals.boardCardsCache().Get(ctx, s.db, opportunityRowsKey(scope, f), func(ctx context.Context) ([]OpportunityRow, error) {
		return s.OpportunityRows(ctx, scope, f)
	})
	return slices.Clone(rows), err
}

// opportunityRowsKey names every field of f a list page depends on, or
// "" for a zero scope, a cursor page and results since a moment.
func opportunityRowsKey(scope authz.ListScope, f OpportunityFilter) string {
	if scope.IsZero() || len(f.After) > 0 || f.ClosedSince != nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "list|%s|stages=%s|q=%q|owner=%d|team=%d|grade=%q|industry=%q|score=%d|sort=%s|desc=%t|limit=%d|offset=%d",
		scope.Key(), strings.Join(f.Stages, ","), f.Q, f.OwnerID, f.TeamID, f.Grade, f.Industry, f.MinScore, f.Sort, f.Desc, f.Limit, f.Offset)
	writeCloseBounds(&b, f)
	return b.String()
}

// boardRowsCacheRows bounds the cards and rows kept in all (~20 MB).
const boardRowsCacheRows = 40_000

// newBoardCardsCache keeps the open columns' first cards and the list's
// pages (KeptOpportunityRows), at most boardRowsCacheRows rows in all; a
// branch's directors and the admins share their scope's entries.
func newBoardCardsCache() *db.VersionCache[[]OpportunityRow] {
	return db.NewVersionsCache[[]OpportunityRow]([]string{db.VersionOpportunities, db.VersionCustomers}, oppTotalsCacheSize).
		Weighed(func(r []OpportunityRow) int { return len(r) + 1 }, boardRowsCacheRows)
}
