package reports

// Grouping by top-level group (集团, issue 17). A report whose rows belong
// to customers — the funnel's open opportunities, the forecast's expected
// closes, the expiring contracts — can add a table that sums the same rows
// per top-level group: the customer at the top of each customer's chain
// of parents (customers.parent_id). The rows are exactly the report's
// (scope and filter applied as for its other tables); only the grouping is
// new, so the group table's total is the report's total.
//
// The top of each chain is found in SQL with a recursive CTE walking up
// from the report's customers, in the same statement as the sums; nothing
// is loaded into Go but one row per group.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"gorm.io/gorm"
)

// GroupTopGroup is the `by` value that groups a report by top-level group.
const GroupTopGroup = "top_group"

// GroupedReports are the reports whose rows are a customer's and so can
// be grouped by top-level group; the others ignore `by` (their rows are
// people or weeks, not customers).
var GroupedReports = []string{KeyFunnel, KeyForecast, KeyExpiring}

// Groupable reports whether report key offers the grouping.
func Groupable(key string) bool { return slices.Contains(GroupedReports, key) }

// maxGroupDepth bounds the walk up a chain of parents. Real groups are a
// few levels deep; the bound only ends a walk through a cycle written into
// the table by hand (the customers service refuses to make one).
const maxGroupDepth = 64

// GroupListLimit is how many groups the table lists by name; the rest are
// summed in one row.
const GroupListLimit = 500

// GroupRows returns report key's rows for the top-level group table, as
// TopGroups wants them, for viewer and f.
func (s *Service) groupRows(ctx context.Context, viewer authz.Subject, key string, f Filter) (*gorm.DB, error) {
	scope := s.scope(viewer)
	switch key {
	case KeyFunnel:
		return s.store.conn(ctx).Table("(?) AS fr", s.store.funnelRows(ctx, scope, f, s.opts.Now())).
			Select("fr.customer_id, fr.monthly_fen AS a, fr.one_time_fen AS b"), nil
	case KeyForecast:
		from, to := s.forecastWindow(f)
		return s.store.forecastRows(ctx, scope, f, s.opts.Probabilities, from, to), nil
	case KeyExpiring:
		from, to := s.expiringWindow()
		return s.store.expiringRows(ctx, scope, f, from, to), nil
	}
	return nil, fmt.Errorf("report %q: no grouping by top-level group", key)
}

// forecastWindow is the forecast's six months from the period's first.
func (s *Service) forecastWindow(f Filter) (from, to time.Time) {
	from = time.Date(f.From.Year(), f.From.Month(), 1, 0, 0, 0, 0, s.opts.Location)
	return from, from.AddDate(0, ForecastMonths, 0)
}

// expiringWindow is today to today + ExpiringDays (dates, both included).
func (s *Service) expiringWindow() (from, to time.Time) {
	today := s.opts.Now().In(s.opts.Location)
	from = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 0, ExpiringDays)
}

// byTopGroup is the report's table by top-level group: one row per group
// whose top customer the viewer may see (linked to it), largest monthly
// value first; the groups whose top customer the viewer may not see in
// one row "其他集团" (never named, not even counted as groups); and the
// customers of no group in one row. The rows summed are the report's own,
// scope and filter included, so the total is the report's total.
func (s *Service) byTopGroup(ctx context.Context, viewer authz.Subject, key string, f Filter, t T, rowsTotal *GroupSum) (*Table, error) {
	rows, err := s.groupRows(ctx, viewer, key, f)
	if err != nil {
		return nil, err
	}
	sums, err := s.store.TopGroups(ctx, rows, rowsTotal)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, 0, len(sums))
	for _, g := range sums {
		if g.RootID != 0 {
			ids = append(ids, g.RootID)
		}
	}
	names, err := s.store.GroupNames(ctx, s.scope(viewer), ids)
	if err != nil {
		return nil, err
	}
	var named []GroupSum
	var hidden, none GroupSum
	for _, g := range sums {
		switch _, ok := names[g.RootID]; {
		case g.RootID == 0:
			none = g
		case ok:
			named = append(named, g)
		default:
			hidden.N, hidden.A, hidden.B = hidden.N+g.N, hidden.A+g.A, hidden.B+g.B
		}
	}
	sort.Slice(named, func(i, j int) bool {
		if named[i].A != named[j].A {
			return named[i].A > named[j].A
		}
		if ni, nj := names[named[i].RootID], names[named[j].RootID]; ni != nj {
			return ni < nj
		}
		return named[i].RootID < named[j].RootID
	})
	tb := &Table{Title: t("reports.group.table"), Cols: groupCols(key, t)}
	if len(named) > GroupListLimit {
		for _, g := range named[GroupListLimit:] {
			hidden.N, hidden.A, hidden.B = hidden.N+g.N, hidden.A+g.A, hidden.B+g.B
		}
		named = named[:GroupListLimit]
		tb.Note = t("reports.group.limited", "N", GroupListLimit)
	}
	var total GroupSum
	add := func(label Cell, g GroupSum) {
		tb.Rows = append(tb.Rows, groupCells(key, label, g))
		total.N, total.A, total.B = total.N+g.N, total.A+g.A, total.B+g.B
	}
	for _, g := range named {
		add(link(names[g.RootID], "/customers/"+strconv.FormatUint(uint64(g.RootID), 10)), g)
	}
	if hidden.N > 0 {
		add(txt(t("reports.group.others")), hidden)
	}
	if none.N > 0 {
		add(txt(t("reports.group.none")), none)
	}
	tb.Foot = groupCells(key, txt(t("reports.total")), total)
	return tb, nil
}

// groupCols are the group table's columns for report key.
func groupCols(key string, t T) []Col {
	first := Col{t("reports.group.top_group"), Text}
	switch key {
	case KeyForecast:
		return []Col{first, {t("reports.col.count"), Int}, {t("reports.col.monthly"), Money}, {t("reports.col.weighted"), Money}}
	case KeyExpiring:
		return []Col{first, {t("reports.col.count"), Int}, {t("reports.col.monthly"), Money}, {t("reports.col.contract_total"), Money}}
	}
	return []Col{first, {t("reports.col.count"), Int}, {t("reports.col.monthly"), Money}, {t("reports.col.one_time"), Money}, {t("reports.col.total_value"), Money}}
}

// groupCells is one row of the group table for report key.
func groupCells(key string, label Cell, g GroupSum) []Cell {
	switch key {
	case KeyForecast:
		return []Cell{label, num(g.N), fen(g.A), fen(roundDiv(g.B, 100))}
	case KeyExpiring:
		return []Cell{label, num(g.N), fen(g.A), fen(g.B)}
	}
	return []Cell{label, num(g.N), fen(g.A), fen(g.B), fen(g.A*12 + g.B)}
}
