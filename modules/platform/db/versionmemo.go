package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// versionMemo holds the data versions one request has read: every kept
// value of a page (a board's eight columns and totals, a list's page and
// count, the owners and teams of its filters) is served only at the
// versions of its tables, and reading them once per request instead of
// once per value saves a statement per value. Any write made through
// GORM while the memo is in the request's context empties it (the
// callbacks of registerMemoReset), so a request never serves a value
// from before its own write.
type versionMemo struct {
	mu sync.Mutex
	v  map[string]int64
}

type memoKey struct{}

// WithVersionMemo returns ctx with an empty memo of data versions, for
// one request: the first DataVersions in it reads every name at once
// (one statement) and the later ones read the memo. A value kept under
// versions read at the start of the request is still exact for the
// request: the data a kept value was computed from is at least as new as
// the versions it is stored under (VersionCache), and the request is one
// moment that began after the memo's read.
func WithVersionMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &versionMemo{})
}

func memoOf(ctx context.Context) *versionMemo {
	m, _ := ctx.Value(memoKey{}).(*versionMemo)
	return m
}

// allVersionNames is every name TableVersions bumps, in a fixed order.
var allVersionNames = func() []string {
	var out []string
	for _, names := range TableVersions {
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}()

// get returns the versions of names from the memo, reading every known
// name (and names) in one statement on the first call.
func (m *versionMemo) get(ctx context.Context, base *gorm.DB, names []string) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	missing := false
	for _, n := range names {
		if _, ok := m.v[n]; !ok {
			missing = true
			break
		}
	}
	if missing {
		all := slices.Clone(allVersionNames)
		for _, n := range names {
			if !slices.Contains(all, n) {
				all = append(all, n)
			}
		}
		v, err := readVersions(ctx, base, all)
		if err != nil {
			return nil, err
		}
		m.v = make(map[string]int64, len(all))
		for i, n := range all {
			m.v[n] = v[i]
		}
	}
	out := make([]int64, len(names))
	for i, n := range names {
		out[i] = m.v[n]
	}
	return out, nil
}

// MemoVersionsColumn is a select-list item, named col, that reads every
// data version into one text column, for the statement a page runs first
// (the session's): FillMemo then puts them in the request's memo, and the
// page's kept values need no statement of their own for their versions
// (one round trip and one planning fewer on every warm page, issue 19).
// It is "" when ctx has no empty memo to fill (a POST, or in a
// transaction): then the statement needs no such column. The versions
// are read by the statement that reads the session, so before anything
// the page keeps — the order the memo's exactness rests on
// (WithVersionMemo).
func MemoVersionsColumn(ctx context.Context, base *gorm.DB, col string) string {
	m := memoOf(ctx)
	if m == nil || connInTx(ctx, base) {
		return ""
	}
	m.mu.Lock()
	filled := m.v != nil
	m.mu.Unlock()
	if filled {
		return ""
	}
	agg := "group_concat"
	if base.Dialector.Name() == Postgres {
		agg = "string_agg"
	}
	return "(SELECT " + agg + "(name || '=' || version, ',') FROM cache_versions) AS " + col
}

// FillMemo puts into ctx's memo the versions a MemoVersionsColumn read
// ("name=version,…"; NULL when the table is empty). A name it does not
// list was never written: 0, as readVersions reads it. Text that does not
// parse leaves the memo empty, to be read by the first kept value.
func FillMemo(ctx context.Context, packed sql.NullString) {
	m := memoOf(ctx)
	if m == nil {
		return
	}
	v := make(map[string]int64, len(allVersionNames)+2)
	for _, n := range allVersionNames {
		v[n] = 0
	}
	if packed.Valid && packed.String != "" {
		for pair := range strings.SplitSeq(packed.String, ",") {
			name, num, ok := strings.Cut(pair, "=")
			n, err := strconv.ParseInt(num, 10, 64)
			if !ok || err != nil {
				return
			}
			v[name] = n
		}
	}
	m.mu.Lock()
	m.v = v
	m.mu.Unlock()
}

// forget empties the memo (after a write).
func (m *versionMemo) forget() {
	m.mu.Lock()
	m.v = nil
	m.mu.Unlock()
}

// registerMemoReset empties a request's version memo after every write
// made through g (create, update, delete, and Exec of raw SQL), whether
// it bumped a version or not: the next kept value of the request reads
// the versions again. A page being tracked (TrackReads) that writes is
// marked unkeepable by the same callbacks.
func registerMemoReset(g *gorm.DB) error {
	reset := func(tx *gorm.DB) {
		if m := memoOf(tx.Statement.Context); m != nil {
			m.forget()
		}
		readOutside(tx.Statement.Context, true) // a page that writes is not kept (TrackReads)
	}
	cb := g.Callback()
	for name, err := range map[string]error{
		"create": cb.Create().After("gorm:create").Register("jike:memo_reset_create", reset),
		"update": cb.Update().After("gorm:update").Register("jike:memo_reset_update", reset),
		"delete": cb.Delete().After("gorm:delete").Register("jike:memo_reset_delete", reset),
		"raw":    cb.Raw().After("gorm:raw").Register("jike:memo_reset_raw", reset),
	} {
		if err != nil {
			return fmt.Errorf("version memo %s callback: %w", name, err)
		}
	}
	return nil
}
