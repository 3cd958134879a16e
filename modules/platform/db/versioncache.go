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

// Names of the data versions in cache_versions (migrations 00026, 00029,
// 00031 and 00033). The database bumps a name in the same transaction as every
// write to the tables behind it, by triggers, whoever writes: see
// TableVersions and the migrations for which writes bump which name.
const (
	VersionOpportunities = "opportunities"
	VersionProposals     = "proposals"
	VersionVisits        = "visits"
	VersionContracts     = "contracts"
	VersionNeeds         = "needs"
	VersionCustomers     = "customers"
	VersionOrg           = "org"
	VersionTodos         = "todos"
	VersionAftersale     = "aftersale"
	VersionRetention     = "retention"
	VersionTargets       = "targets"
	// VersionNotifications is bumped by any write to notifications (the
	// bell's count, notify.Service.Unread).
	VersionNotifications = "notifications"
)

// TableVersions is, for every table with version triggers, the names its
// writes bump (any insert, update or delete unless noted). What reads a
// table and is kept under versions must name one of these.
//   - customers, contacts → customers; a customer's owner, team, branch,
//     chief rep or deletion also bumps opportunities, proposals, visits,
//     contracts and needs (their scopes);
//   - users → org when a name, username, role, team, branch, e-mail,
//     phone or the disabled flag changes (not a sign-in or a language
//     switch); a team or name change also bumps visits; teams, branches
//     → org (a team's name also visits).
var TableVersions = map[string][]string{
	"opportunities":      {VersionOpportunities},
	"proposals":          {VersionProposals},
	"visit_plans":        {VersionVisits},
	"visit_participants": {VersionVisits},
	"visit_todos":        {VersionVisits},
	"contracts":          {VersionContracts},
	"contract_tasks":     {VersionContracts},
	"needs":              {VersionNeeds},
	"customers":          {VersionCustomers},
	"contacts":           {VersionCustomers},
	"users":              {VersionOrg},
	"teams":              {VersionOrg},
	"branches":           {VersionOrg},
	"todos":              {VersionTodos},
	"service_requests":   {VersionAftersale},
	"care_dates":         {VersionAftersale},
	"care_done":          {VersionAftersale},
	"care_last_contacts": {VersionAftersale},
	"aftersale_settings": {VersionAftersale},
	"customer_services":  {VersionAftersale},
	"retention_alerts":   {VersionRetention},
	"monthly_targets":    {VersionTargets},
	"monthly_reviews":    {VersionTargets},
	"notifications":      {VersionNotifications},
}

// DerivedTables names, for every table or view kept by triggers from
// other tables (the kept counts and sums of migrations 00035, 00045,
// 00046, 00047, 00050, 00052, 00053, 00064 and 00068), the tables it is kept
// from. It has no versions of its own: what reads it and is kept under
// versions must name a version of every source, since a write to any of
// them changes what it reads (a customer moving branch moves its
// opportunities' branch sums).
var DerivedTables = map[string][]string{
	"opportunity_stage_totals":  {"opportunities"},
	"opportunity_branch_totals": {"opportunities", "customers"},
	"care_contact_counts":       {"customers", "care_last_contacts"},
	"visit_week_counts":         {"visit_plans", "customers"},
	"contact_week_counts":       {"contacts", "customers"},
	"customer_owner_counts":     {"customers"},
	"opportunity_close_counts":  {"opportunities"},
	"stage_dwell_counts":        {"opportunities", "customers"}, // stage changes are written with their opportunity
}

// DataVersions reads the current versions of names in one statement, in
// their order (0 for a name never written). It reads the primary. In a
// request with a version memo (WithVersionMemo) and outside a
// transaction, it reads every version once and answers from the memo
// after.
func DataVersions(ctx context.Context, base *gorm.DB, names []string) ([]int64, error) {
	var v []int64
	var err error
	if m := memoOf(ctx); m != nil && !connInTx(ctx, base) {
		v, err = m.get(ctx, base, names)
	} else {
		v, err = readVersions(ctx, base, names)
	}
	if err == nil {
		consulted(ctx, names, v) // a page kept whole (TrackReads)
	}
	return v, err
}

// readVersions is DataVersions without the memo.
func readVersions(ctx context.Context, base *gorm.DB, names []string) ([]int64, error) {
	type row struct {
		Name    string
		Version int64
	}
	var rows []row
	err := Conn(keptLoad(primaryOnly(ctx)), base).Raw("SELECT name, version FROM cache_versions WHERE name IN ?", names).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("data versions %v: %w", names, err)
	}
	out := make([]int64, len(names))
	for i, n := range names {
		for _, r := range rows {
			if r.Name == n {
				out[i] = r.Version
			}
		}
	}
	return out, nil
}

// DataVersion reads the current version of name (0 when nothing was
// written yet). It reads the primary, never a lagging replica.
func DataVersion(ctx context.Context, base *gorm.DB, name string) (int64, error) {
	v, err := DataVersions(ctx, base, []string{name})
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// primaryOnly pins ctx to the primary (Pin): a cached aggregate and the
// version it is kept under must both come from the primary (two replicas
// may be at different moments), even when the aggregate's store marks
// its statement MayLag.
func primaryOnly(ctx context.Context) context.Context {
	if pinned, _ := ctx.Value(pinKey{}).(bool); pinned {
		return ctx
	}
	return Pin(ctx)
}

// connInTx is inTx(Conn(ctx, base)) without making the handle: Conn
// clones a GORM session and its statement (~1 KB), and the kept values
// ask this several times on every page (issue 19).
func connInTx(ctx context.Context, base *gorm.DB) bool {
	if v, ok := ctx.Value(txKey{}).(txValue); ok && v.pool == rootPool(base) {
		return true
	}
	return inTx(base)
}

// inTx reports whether g runs in a transaction.
func inTx(g *gorm.DB) bool {
	switch g.Statement.ConnPool.(type) {
	case *sql.Tx, gorm.TxCommitter:
		return true
	}
	return false
}

// VersionCache keeps aggregates (a scope's totals, a month's counts) in
// memory under the data version they were computed at, so a page reads
// one small row instead of aggregating tens of thousands when nothing was
// written since. It is exact, not "fresh enough": a value is served only
// while the version it was computed at is still the database's, and every
// write bumps the version in its own transaction, so no value computed
// before a write is shown after it — in this process or any other jike
// instance on the same database. The cost of a hit is the version read
// (a primary-key lookup); a miss adds the aggregate itself.
//
// Why a value cannot be stale: the version is read first and the
// aggregate after it, by separate statements on the primary; the second
// statement's snapshot is at least as new as the first's, so the value
// stored under version v is v's data or newer, never older. A value
// computed inside a transaction (which sees its own uncommitted writes)
// is never stored.
//
// Only the entries of the last version read are kept; at most max of
// them (the map is emptied when full: the keys are scopes and filters,
// a few hundred in a province).
type VersionCache[T any] struct {
	names []string
	max   int
	// weigh, when set, is a value's size (rows): the cache then also
	// holds at most maxWeight in all, and never a value above an eighth
	// of it (Weighed).
	weigh     func(T) int
	maxWeight int

	mu      sync.Mutex
	version []int64
	entries map[string]T
	weight  int
	// flights are the loads under way, by versions and key (shared).
	flights map[string]*flight[T]
}

// flight is one load of a key at some versions that later readers of
// the same key and versions wait for instead of loading it again.
type flight[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int // readers waiting (for tests)
}

// NewVersionCache returns an empty cache of the aggregates that depend on
// the data version name, holding at most max entries.
func NewVersionCache[T any](name string, max int) *VersionCache[T] {
	return NewVersionsCache[T]([]string{name}, max)
}

// NewVersionsCache is NewVersionCache for values that read the tables of
// several data versions (a board card: the opportunity and its
// customer's name): a value is served only while none of them moved.
func NewVersionsCache[T any](names []string, max int) *VersionCache[T] {
	return &VersionCache[T]{names: slices.Clone(names), max: max, entries: map[string]T{}}
}

// Weighed bounds c by the size of its values as well as their number,
// for values that are lists (a page of rows, a week of visits): at most
// maxWeight by weigh in all, and a value larger than an eighth of that is
// served but not kept. It returns c.
func (c *VersionCache[T]) Weighed(weigh func(T) int, maxWeight int) *VersionCache[T] {
	c.weigh, c.maxWeight = weigh, maxWeight
	return c
}

// Get returns the value of key: the stored one when it was computed at
// the current versions, else load's (run with a context that reads the
// primary), stored for the next reader. A nil cache, a context or handle
// in a transaction, and an empty key run load every time.
func (c *VersionCache[T]) Get(ctx context.Context, base *gorm.DB, key string, load func(ctx context.Context) (T, error)) (T, error) {
	if c == nil || key == "" || connInTx(ctx, base) {
		return load(ctx)
	}
	ctx = primaryOnly(ctx)
	v, err := DataVersions(ctx, base, c.names)
	if err != nil {
		var zero T
		return zero, err
	}
	if val, ok := c.lookup(v, key); ok {
		return val, nil
	}
	return c.shared(ctx, v, key, func() (T, error) { return load(keptLoad(ctx)) })
}

// shared runs load for key at versions v and stores its value, unless
// the same key at the same versions is being loaded already: then it
// waits for that load and answers its value. When a write moves a
// version, every user of a kept page misses at once; at 32 connections
// each computed the same report again (the admin's attainment, ~40 ms
// alone, reached a 95th percentile of 1.6 s with all versions moving
// every second). The value is the same for all of them: it depends only
// on the versions and the key (VersionCache). A load that fails does not
// fail its waiters — its error may be its own request's (a client gone)
// — they each load on their own.
func (c *VersionCache[T]) shared(ctx context.Context, v []int64, key string, load func() (T, error)) (T, error) {
	fk := flightKey(v, key)
	c.mu.Lock()
	if f, ok := c.flights[fk]; ok {
		f.waiters++
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		if f.err == nil {
			return f.val, nil
		}
		return load()
	}
	if c.flights == nil {
		c.flights = map[string]*flight[T]{}
	}
	f := &flight[T]{done: make(chan struct{})}
	c.flights[fk] = f
	c.mu.Unlock()
	defer func() {
		r := recover()
		if r != nil {
			f.err = fmt.Errorf("load of %q panicked: %v", key, r)
		}
		c.mu.Lock()
		delete(c.flights, fk)
		c.mu.Unlock()
		close(f.done)
		if r != nil {
			panic(r) // the waiters load on their own
		}
	}()
	f.val, f.err = load()
	if f.err == nil {
		c.store(v, key, f.val)
	}
	return f.val, f.err
}

// flightKey names key at versions v.
func flightKey(v []int64, key string) string {
	var b strings.Builder
	for _, n := range v {
		b.WriteString(strconv.FormatInt(n, 10))
		b.WriteByte(',')
	}
	b.WriteByte('|')
	b.WriteString(key)
	return b.String()
}

// GetSnapshot is Get for values read from a read replica (base, the
// replicas' handle): the versions and the value are read in one read-only
// snapshot on one server (ReadSnapshot), so a value is kept under exactly
// the versions of the data it was computed from — a replica a moment
// behind keeps its own moment, never one newer than it read — and served
// to a reader whose snapshot reads the same versions, whichever replica
// (or the primary they fall back to) that snapshot is on. Get cannot do
// this: it reads the versions on the primary, and a report read from a
// replica after them could be older than they say.
func (c *VersionCache[T]) GetSnapshot(ctx context.Context, base *gorm.DB, key string, load func(ctx context.Context) (T, error)) (T, error) {
	if c == nil || key == "" || connInTx(ctx, base) {
		return load(ctx)
	}
	var out T
	err := ReadSnapshot(ctx, base, func(ctx context.Context) error {
		v, err := readVersions(ctx, base, c.names)
		if err != nil {
			return err
		}
		consulted(ctx, c.names, v) // a page kept whole (TrackReads)
		if val, ok := c.lookup(v, key); ok {
			out = val
			return nil
		}
		// Not shared (Get's shared): a waiter would hold its snapshot's
		// connection while it waits, and readers of a replica are not
		// the primary's herd.
		if out, err = load(keptLoad(ctx)); err != nil {
			return err
		}
		c.store(v, key, out)
		return nil
	})
	return out, err
}

// lookup is key's value if it was stored at versions v.
func (c *VersionCache[T]) lookup(v []int64, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.Equal(c.version, v) {
		if val, ok := c.entries[key]; ok {
			return val, true
		}
	}
	var zero T
	return zero, false
}

// store keeps val as key's value at versions v.
func (c *VersionCache[T]) store(v []int64, key string, val T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// Any other version empties the map, an older one too (a reader that
	// read its version just before a write: one extra miss). A database
	// restored to an earlier version under running instances could bring
	// a number back with other data: restart them after a restore
	// (docs/operations.md § 9).
	w := 0
	if c.weigh != nil {
		if w = c.weigh(val); w > c.maxWeight/8 {
			return
		}
	}
	if !slices.Equal(v, c.version) || len(c.entries) >= c.max || c.weight+w > c.maxWeight && c.weigh != nil {
		c.version, c.entries, c.weight = v, map[string]T{}, 0
	}
	if old, ok := c.entries[key]; ok && c.weigh != nil {
		c.weight -= c.weigh(old) // two readers loaded the same key
	}
	c.weight += w
	c.entries[key] = val
}

// GetMany is Get for several keys at once (people by id): the values
// kept at the current versions, and load's for the keys missing, in one
// call, stored for the next reader. A key load does not answer (an
// unknown id) is absent from the result and not stored. A nil cache and
// a context or handle in a transaction load every key. For a cache
// without Weighed (each value one entry).
func (c *VersionCache[T]) GetMany(ctx context.Context, base *gorm.DB, keys []string, load func(ctx context.Context, keys []string) (map[string]T, error)) (map[string]T, error) {
	if c == nil || len(keys) == 0 || connInTx(ctx, base) {
		return load(ctx, keys)
	}
	ctx = primaryOnly(ctx)
	v, err := DataVersions(ctx, base, c.names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(keys))
	var missing []string
	asked := make(map[string]bool, len(keys))
	c.mu.Lock()
	current := slices.Equal(c.version, v)
	for _, k := range keys {
		if asked[k] {
			continue
		}
		asked[k] = true
		if val, ok := c.entries[k]; ok && current {
			out[k] = val
		} else {
			missing = append(missing, k)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := load(keptLoad(ctx), missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Equal(v, c.version) || len(c.entries)+len(loaded) > c.max {
		c.version, c.entries, c.weight = v, map[string]T{}, 0
	}
	for k, val := range loaded {
		c.entries[k] = val
		out[k] = val
	}
	return out, nil
}

// Len is the number of values held (for tests).
func (c *VersionCache[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
