package aftersale

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// This file holds the module's read-only queries on other modules' tables
// (customers, visit_plans, contacts, contracts), as targets does in its
// actuals_store.go: the care list joins the customers in scope to their
// last contact (care_last_contacts, this module's), and the last contact
// is recomputed from visits, touches and call-backs, which no other
// module's service offers in one query.

// CareStatuses are the customers the care plan covers: in service (在网)
// and dormant (沉默) ones.
var CareStatuses = []string{"active", "dormant"}

// careStatusesSQL is CareStatuses as an SQL list, written into the care
// list's statement (idx_customers_care is partial on exactly them, and a
// partial index serves only a condition the planner can read).
var careStatusesSQL = "('" + strings.Join(CareStatuses, "', '") + "')"

// CareFilter narrows the care list's customers.
type CareFilter struct {
	OwnerID, TeamID uint
	CustomerID      uint
	// State is "" (needing care: overdue, due this week, never
	// contacted), one of those, or "all".
	State         string
	Limit, Offset int
	// Wide is set for a branch's customers or more (a director, the
	// admin, the system): on PostgreSQL their last contacts are merged
	// in id order, not hashed (CareList).
	Wide bool
	// Counted is set when the reader's scope is exactly Branch's
	// customers, or every customer when Branch is 0 (a director, the
	// admin, the system): their counts per state come from
	// care_contact_counts (CareList).
	Counted bool
	Branch  uint
	// before, when set, keeps to the customers last contacted before it
	// (a date): the overdue customers a page of them can hold.
	before *time.Time
}

// careListRow is a customer on the care list as the query returns it.
type careListRow struct {
	CustomerID    uint
	CustomerName  string
	Grade         string
	OwnerID       uint
	OwnerName     string
	TeamID        uint
	Months        int
	LastContactOn db.ScanTime
	DueOn         db.ScanTime
	State         string
	// Part and N are CareListQuery's parts: a state's count (Part 0, N
	// customers) or a row of the page (Part 1).
	Part, N int
}

// careDay is the day the care list is computed for: today, the end of
// its week (Sunday), the latest last contact that can still be due by
// then (every frequency is at least a month, at least 28 days), and that
// latest last contact per frequency in months (DueBy[m-1]).
type careDay struct {
	Today, WeekEnd string
	Cutoff         time.Time
	DueBy          [maxFrequency]time.Time
}

// maxFrequency is the longest care frequency in months (the settings'
// check constraint, migration 00014).
const maxFrequency = 24

func careDayOf(today time.Time) careDay {
	today = dateOf(today)
	weekEnd := today.AddDate(0, 0, (7-int(today.Weekday()))%7)
	const f = "2006-01-02"
	d := careDay{Today: today.Format(f), WeekEnd: weekEnd.Format(f), Cutoff: weekEnd.AddDate(0, 0, -28)}
	for m := 1; m <= maxFrequency; m++ {
		d.DueBy[m-1] = LatestDueBy(weekEnd, m)
	}
	return d
}

// LatestDueBy is the latest last contact whose next contact, m months on
// (AddMonths), falls on or before day: AddMonths(last, m) ≤ day exactly
// when last ≤ LatestDueBy(day, m), as AddMonths never goes back when its
// date goes forward.
func LatestDueBy(day time.Time, m int) time.Time {
	last := AddMonths(day, -m)
	for !AddMonths(last.AddDate(0, 0, 1), m).After(day) {
		last = last.AddDate(0, 0, 1)
	}
	for AddMonths(last, m).After(day) {
		last = last.AddDate(0, 0, -1)
	}
	return last
}

func (s *Store) postgres() bool { return s.db.Dialector.Name() == db.Postgres }

// lastContactArg is day as a value to compare care_last_contacts'
// last_contact_on with: a date on PostgreSQL (cast there), and on SQLite
// the time the driver writes the column as (midnight UTC, the backfill's
// format too) — a bare YYYY-MM-DD would sort before its own day's value.
func (s *Store) lastContactArg(day time.Time) any {
	if s.postgres() {
		return day.Format(time.DateOnly)
	}
	return day
}

// careFrequencies are the branches' care frequencies in months (their
// after-sale settings: A, B, C and D), for the branches that set them.
type careFrequencies map[uint][4]int

// careFrequencies reads every branch's settings (a row per branch that
// saved them, at most one per branch).
func (s *Store) careFrequencies(ctx context.Context) (careFrequencies, error) {
	var rows []struct {
		BranchID                   uint
		FreqA, FreqB, FreqC, FreqD int
	}
	if err := s.conn(ctx).Raw("SELECT branch_id, freq_a, freq_b, freq_c, freq_d FROM aftersale_settings").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("care frequencies: %w", err)
	}
	out := make(careFrequencies, len(rows))
	for _, r := range rows {
		out[r.BranchID] = [4]int{r.FreqA, r.FreqB, r.FreqC, r.FreqD}
	}
	return out, nil
}

// monthsSQL is a customer's care frequency in months as an SQL
// expression of its branch and grade, the settings written out: joined
// to aftersale_settings instead, each of the province's ~100,000
// customers probed it, and the join kept PostgreSQL from merging the
// customers with their last contacts in id order (the care list's
// statement 100 → 45 ms for the admin, 50 → 20 for a director, issue
// 19). The numbers come from integer columns checked 1–24 (migration
// 00014), written with %d.
// The columns are table's (customers, or care_contact_counts).
func (f careFrequencies) monthsSQL(table string) string {
	grades := func(a, b, c, d int) string {
		return fmt.Sprintf("CASE "+table+".grade WHEN 'A' THEN %d WHEN 'B' THEN %d WHEN 'C' THEN %d ELSE %d END", a, b, c, d)
	}
	defaults := grades(DefaultFrequency["A"], DefaultFrequency["B"], DefaultFrequency["C"], DefaultFrequency["D"])
	if len(f) == 0 {
		return defaults
	}
	var b strings.Builder
	b.WriteString("CASE " + table + ".branch_id")
	for _, id := range slices.Sorted(maps.Keys(f)) {
		m := f[id]
		fmt.Fprintf(&b, " WHEN %d THEN %s", id, grades(m[0], m[1], m[2], m[3]))
	}
	b.WriteString(" ELSE " + defaults + " END")
	return b.String()
}

// careQuery is the care list in SQL: each customer the care plan covers
// (apply narrows them to a reader's scope; nil for the system), its grade's
// frequency in its branch's settings (freqs, or the defaults), its last contact
// (care_last_contacts), the next due date — the last contact plus the
// frequency in months, clamped to the month's end like AddMonths — and
// its state on day d: never, overdue, due_week or ok. Unless every
// customer is asked for, only those due by the week's end are read (no
// "ok" one).
func (s *Store) careQuery(ctx context.Context, apply func(*gorm.DB) *gorm.DB, f CareFilter, d careDay, freqs careFrequencies) *gorm.DB {
	months := freqs.monthsSQL("customers")
	due, param := s.dueSQL("care_last_contacts.last_contact_on", months)
	inner := s.conn(ctx).Table("customers")
	if apply != nil {
		inner = apply(inner)
	}
	// The statuses written out, not bound: idx_customers_care (migration
	// 00042) is partial on exactly them.
	inner = inner.Joins("LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id").
		Where("customers.deleted_at IS NULL AND customers.status IN " + careStatusesSQL)
	if f.OwnerID != 0 {
		inner = inner.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		inner = inner.Where("customers.team_id = ?", f.TeamID)
	}
	if f.CustomerID != 0 {
		inner = inner.Where("customers.id = ?", f.CustomerID)
	}
	if f.before != nil {
		inner = inner.Where("care_last_contacts.last_contact_on < "+param, s.lastContactArg(*f.before))
	}
	if f.State != "all" {
		// Only the customers due by the week's end (or never contacted)
		// can be on the list: the last contact at most d.Cutoff (the
		// indexed column alone) and at most the latest one due by then
		// for the customer's frequency, so the due date and state are
		// computed for those only — for the admin ~17,000 of the
		// province's ~60,000 contacted four weeks ago or more (issue 19).
		var due strings.Builder
		vars := make([]any, 0, maxFrequency+2)
		vars = append(vars, s.lastContactArg(d.Cutoff))
		due.WriteString("CASE " + months)
		for m := 1; m <= maxFrequency; m++ {
			fmt.Fprintf(&due, " WHEN %d THEN %s", m, param)
			vars = append(vars, s.lastContactArg(d.DueBy[m-1]))
		}
		due.WriteString(" ELSE " + param + " END")
		vars = append(vars, s.lastContactArg(d.DueBy[0]))
		inner = inner.Where("(care_last_contacts.last_contact_on IS NULL OR care_last_contacts.last_contact_on <= "+param+
			" AND care_last_contacts.last_contact_on <= ("+due.String()+"))", vars...)
	}
	inner = inner.Select("customers.id AS customer_id, customers.grade, " + months + " AS months, care_last_contacts.last_contact_on, " + due + " AS due_on")
	withState := s.conn(ctx).Table("(?) AS care", inner).Select("care.*, "+stateSQL("care", param), d.Today, d.WeekEnd)
	return s.conn(ctx).Table("(?) AS cared", withState)
}

// dueSQL is the next contact's date in SQL, last (a date column) plus
// months (an SQL expression), and how the dialect writes a date
// parameter.
func (s *Store) dueSQL(last, months string) (due, param string) {
	if s.postgres() {
		// date + interval adds calendar months and clamps to the month's
		// end (31 Jan + 1 month = 28/29 Feb), as AddMonths does.
		return "CAST(" + last + " + make_interval(months => (" + months + ")) AS DATE)", "CAST(? AS DATE)"
	}
	return "date(" + last + ", '+' || (" + months + ") || ' months', 'floor')", "?"
}

// stateSQL is the care state of table's row (its last_contact_on and
// due_on) on a day, the day and its week's end bound in that order.
func stateSQL(table, param string) string {
	return "CASE WHEN " + table + ".last_contact_on IS NULL THEN 'never' WHEN " + table + ".due_on < " + param +
		" THEN 'overdue' WHEN " + table + ".due_on <= " + param + " THEN 'due_week' ELSE 'ok' END AS state"
}

// careOrder is the care list's order: overdue (longest first), never
// contacted, due this week (soonest first), fine; then by grade and id.
const careOrder = "CASE cared.state WHEN 'overdue' THEN 0 WHEN 'never' THEN 1 WHEN 'due_week' THEN 2 ELSE 3 END, CASE WHEN cared.state IN ('overdue', 'due_week') THEN cared.due_on END, cared.grade, cared.customer_id"

// careColumns are a care list row's columns after its state and count,
// each as the page part of CareListQuery selects it: the counts part
// selects NULL under each name, in this order (a union's columns are
// matched by position and named by its first part).
var careColumns = [][2]string{
	{"customer_id", "cared.customer_id"}, {"customer_name", "customers.name"}, {"grade", "cared.grade"},
	{"owner_id", "customers.owner_id"}, {"owner_name", "users.name"}, {"team_id", "customers.team_id"},
	{"months", "cared.months"}, {"last_contact_on", "cared.last_contact_on"}, {"due_on", "cared.due_on"},
}

// careCountsCols and carePageCols are careColumns as each part of
// CareListQuery selects them.
var careCountsCols, carePageCols = func() (string, string) {
	var counts, page []string
	for _, c := range careColumns {
		counts = append(counts, "NULL AS "+c[0])
		page = append(page, c[1]+" AS "+c[0])
	}
	return strings.Join(counts, ", "), strings.Join(page, ", ")
}()

// CareListQuery is a care list page and its counts per state in one
// statement (benchmarks EXPLAIN it): the state of each customer is
// computed once (a materialized CTE), counted per state over the whole
// list (part 0 rows) and f's page read from it in the list's order (part
// 1 rows). As two statements each computed the state of every customer
// of the scope: the admin's first look after a write computed the
// province's ~60,000 due candidates twice (issue 19).
func (s *Store) CareListQuery(ctx context.Context, apply func(*gorm.DB) *gorm.DB, f CareFilter, today time.Time) (*gorm.DB, error) {
	freqs, err := s.careFrequencies(ctx)
	if err != nil {
		return nil, err
	}
	cared := s.careQuery(ctx, apply, CareFilter{OwnerID: f.OwnerID, TeamID: f.TeamID, CustomerID: f.CustomerID, State: f.State, before: f.before}, careDayOf(today), freqs).
		Select("cared.*")
	// The page's customers are named after the page is cut: the states
	// need only a customer's id, grade and branch (for the admin an
	// index-only pass over idx_customers_care), not its name and owner.
	rows := s.conn(ctx).Table("cared").Select("cared.*")
	switch f.State {
	case "all":
	case "":
		rows = rows.Where("cared.state <> ?", CareOK)
	default:
		rows = rows.Where("cared.state = ?", f.State)
	}
	rows = rows.Order(careOrder)
	if f.Limit > 0 {
		rows = rows.Limit(f.Limit).Offset(f.Offset)
	}
	page := s.conn(ctx).Table("(?) AS cared", rows).
		Joins("JOIN customers ON customers.id = cared.customer_id").
		Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Select("1 AS part, cared.state, 0 AS n, " + carePageCols)
	return s.conn(ctx).Raw("WITH cared AS MATERIALIZED (?) SELECT * FROM (SELECT 0 AS part, cared.state, COUNT(*) AS n, "+careCountsCols+
		" FROM cared GROUP BY cared.state UNION ALL SELECT * FROM (?) AS page) AS cared ORDER BY cared.part, "+careOrder, cared, page), nil
}

// CareList returns a page of the care list on today and, over the whole
// list (not the page), the number of customers per state and the list's
// total.
func (s *Store) CareList(ctx context.Context, apply func(*gorm.DB) *gorm.DB, f CareFilter, today time.Time) ([]careListRow, map[string]int, int, error) {
	if f.Counted && f.Limit > 0 && f.OwnerID == 0 && f.TeamID == 0 && f.CustomerID == 0 && (f.State == "" || f.State == CareOverdue) {
		rows, byState, total, ok, err := s.countedCareList(ctx, apply, f, today)
		if err != nil || ok {
			return rows, byState, total, err
		}
	}
	var parts []careListRow
	read := func(ctx context.Context) error {
		q, err := s.CareListQuery(ctx, apply, f, today)
		if err != nil {
			return err
		}
		return q.Scan(&parts).Error
	}
	var err error
	if f.Wide {
		// A branch or the province: the planner hashed all the
		// customers' last contacts (100,000 rows for the admin) where
		// merging them in id order, both sides read index-only
		// (idx_customers_care, idx_care_last_contacts_cover, migration
		// 00043), costs half; it is told so for this statement only.
		err = db.WithPlannerSetting(ctx, s.db, "enable_hashjoin", "off", read)
	} else {
		err = read(ctx)
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("care list: %w", err)
	}
	byState := map[string]int{}
	out := make([]careListRow, 0, len(parts))
	for _, p := range parts {
		if p.Part == 0 {
			byState[p.State] = p.N
		} else {
			out = append(out, p)
		}
	}
	total := 0
	switch f.State {
	case "all":
		for _, n := range byState {
			total += n
		}
	case "":
		total = byState[CareOverdue] + byState[CareDueWeek] + byState[CareNever]
	default:
		total = byState[f.State]
	}
	return out, byState, total, nil
}

// careTally is the care list of a branch or the province counted from
// care_contact_counts (migration 00046): the customers per state, and the
// overdue ones per due date, earliest first.
type careTally struct {
	byState map[string]int
	overdue []dueStep
}

// dueStep is how many overdue customers are due on one day, and the
// latest last contact among them.
type dueStep struct {
	Last db.ScanTime
	N    int
}

// careTally counts f's customers per state on day d from their counts
// per branch, grade and last contact: ~10,000 rows for the province, not
// its ~100,000 customers.
func (s *Store) careTally(ctx context.Context, f CareFilter, d careDay, freqs careFrequencies) (careTally, error) {
	// Added up per frequency and last contact first (~4,000 rows for the
	// province's ~10,000), so each due date is computed once.
	kept := s.conn(ctx).Table("care_contact_counts AS k").Select(freqs.monthsSQL("k") + " AS months, k.last_contact_on, SUM(k.n) AS n")
	if f.Branch != 0 {
		kept = kept.Where("k.branch_id = ?", f.Branch)
	}
	kept = kept.Group("1, 2")
	due, param := s.dueSQL("g.last_contact_on", "g.months")
	dated := s.conn(ctx).Table("(?) AS g", kept).Select("g.n, g.last_contact_on, " + due + " AS due_on")
	withState := s.conn(ctx).Table("(?) AS t", dated).Select("t.n, t.last_contact_on, t.due_on, "+stateSQL("t", param), d.Today, d.WeekEnd)
	var rows []struct {
		State string
		DueOn db.ScanTime
		Last  db.ScanTime
		N     int
	}
	// Positional GROUP BY: due_on is also the view's column name.
	err := s.conn(ctx).Table("(?) AS s", withState).
		Select("s.state, CASE WHEN s.state = ? THEN s.due_on END AS due_on, MAX(s.last_contact_on) AS last, CAST(SUM(s.n) AS BIGINT) AS n", CareOverdue).
		Group("1, 2").Order("1, 2").Scan(&rows).Error
	if err != nil {
		return careTally{}, fmt.Errorf("care list counts: %w", err)
	}
	t := careTally{byState: map[string]int{}}
	for _, r := range rows {
		t.byState[r.State] += r.N
		if r.State == CareOverdue {
			t.overdue = append(t.overdue, dueStep{Last: r.Last, N: r.N})
		}
	}
	return t, nil
}

// before is the day after the latest last contact among the overdue
// customers due no later than the end-th of them (every customer due on
// that day too): a page of the overdue ones ending at end holds only
// customers contacted before it. ok is false when there are fewer than
// end (before then covers them all).
func (t careTally) before(end int) (before time.Time, ok bool) {
	n := 0
	var latest time.Time
	for _, st := range t.overdue {
		n += st.N
		if st.Last.Time.After(latest) {
			latest = st.Last.Time
		}
		if n >= end {
			return dateOf(latest).AddDate(0, 0, 1), true
		}
	}
	return dateOf(latest).AddDate(0, 0, 1), false
}

// countedCareList is CareList for a branch or the province (f.Counted)
// where the page lies among the overdue customers, which come first (the
// default list's first pages, every page of the overdue tab): the counts
// per state from care_contact_counts, and the page from the customers
// contacted before the latest last contact it can hold (tally.before),
// along idx_care_last_contacts_on — for the admin's first page a hundred
// customers instead of the province's 100,000 (issue 19). ok is false
// when the page reaches past the overdue customers: CareList reads it
// the long way.
func (s *Store) countedCareList(ctx context.Context, apply func(*gorm.DB) *gorm.DB, f CareFilter, today time.Time) (rows []careListRow, byState map[string]int, total int, ok bool, err error) {
	freqs, err := s.careFrequencies(ctx)
	if err != nil {
		return nil, nil, 0, false, err
	}
	tally, err := s.careTally(ctx, f, careDayOf(today), freqs)
	if err != nil {
		return nil, nil, 0, false, err
	}
	before, within := tally.before(f.Offset + f.Limit)
	if !within && f.State == "" {
		return nil, nil, 0, false, nil
	}
	total = tally.byState[CareOverdue]
	if f.State == "" {
		total += tally.byState[CareDueWeek] + tally.byState[CareNever]
	}
	if len(tally.overdue) == 0 {
		return nil, tally.byState, total, true, nil
	}
	f.before = &before
	q, err := s.CareListQuery(ctx, apply, f, today)
	if err != nil {
		return nil, nil, 0, false, err
	}
	var parts []careListRow
	if err := q.Scan(&parts).Error; err != nil {
		return nil, nil, 0, false, fmt.Errorf("care list: %w", err)
	}
	for _, p := range parts {
		if p.Part == 1 {
			rows = append(rows, p)
		}
	}
	return rows, tally.byState, total, true, nil
}

// careListVersions are what a care list page reads: the customers
// (name, grade, status, owner, team, branch), the owners' names (org),
// and the last contacts and the branches' frequencies (aftersale,
// migration 00040).
var careListVersions = []string{db.VersionCustomers, db.VersionOrg, db.VersionAftersale}

// careListsKept bounds the kept care list pages (scopes × filters ×
// pages).
const careListsKept = 512

// keptCarePage is a care list page with its list's counts as CareList
// returns them; callers read them, never change them.
type keptCarePage struct {
	rows    []careListRow
	byState map[string]int
	total   int
}

// KeptCareList is CareList kept under the versions of what it reads, per
// key — the reader's scope, which the caller writes (empty: read live) —
// the filter, the page and the day. The admin's care list computes the
// state of each of a province's ~100,000 customers and sorts them: ~450
// ms on each look (issue 19); a director's branch ~70 ms.
func (s *Store) KeptCareList(ctx context.Context, key string, apply func(*gorm.DB) *gorm.DB, f CareFilter, today time.Time) ([]careListRow, map[string]int, int, error) {
	if key == "" || f.CustomerID != 0 {
		return s.CareList(ctx, apply, f, today)
	}
	key = fmt.Sprintf("%s|%s|%d|%d|%s|%d|%d", key, f.State, f.OwnerID, f.TeamID, careDayOf(today).Today, f.Limit, f.Offset)
	kept, err := s.carePages.Get(ctx, s.db, key, func(ctx context.Context) (keptCarePage, error) {
		rows, byState, total, err := s.CareList(ctx, apply, f, today)
		return keptCarePage{rows: rows, byState: byState, total: total}, err
	})
	if err != nil {
		return nil, nil, 0, err
	}
	return kept.rows, kept.byState, kept.total, nil
}

// lastContactSources are a customer's latest visit done, care touch and
// done call-back, as read.
type lastContactSources struct {
	LastVisit, LastTouch, LastCallback db.ScanTime
}

// RefreshLastContact rewrites a customer's last-contact row from its
// visits, touches and call-backs (in ctx's transaction): the latest date,
// visits and call-backs on their day in loc; no row when there is none.
func (s *Store) RefreshLastContact(ctx context.Context, customerID uint, loc *time.Location, now time.Time) error {
	var src lastContactSources
	err := s.conn(ctx).Raw(`SELECT
 (SELECT MAX(starts_at) FROM visit_plans WHERE customer_id = ? AND status = 'done' AND deleted_at IS NULL) AS last_visit,
 (SELECT MAX(touched_on) FROM care_touches WHERE customer_id = ? AND deleted_at IS NULL) AS last_touch,
 (SELECT MAX(done_at) FROM callbacks WHERE customer_id = ? AND status = 'done') AS last_callback`, customerID, customerID, customerID).
		Scan(&src).Error
	if err != nil {
		return fmt.Errorf("last contact of customer %d: %w", customerID, err)
	}
	last := lastOf(src, loc)
	if last == nil {
		if err := s.conn(ctx).Where("customer_id = ?", customerID).Delete(&LastContact{}).Error; err != nil {
			return fmt.Errorf("last contact of customer %d: %w", customerID, err)
		}
		return nil
	}
	row := LastContact{CustomerID: customerID, LastContactOn: *last, UpdatedAt: now}
	err = s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"last_contact_on", "updated_at"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("last contact of customer %d: %w", customerID, err)
	}
	return nil
}

// lastOf is the latest of a customer's contact dates (nil: none).
func lastOf(src lastContactSources, loc *time.Location) *time.Time {
	var last *time.Time
	take := func(ft db.ScanTime, local bool) {
		if !ft.Valid {
			return
		}
		d := dateOf(ft.Time)
		if local {
			d = dateOf(ft.Time.In(loc))
		}
		if last == nil || d.After(*last) {
			last = &d
		}
	}
	take(src.LastVisit, true)
	take(src.LastTouch, false)
	take(src.LastCallback, true)
	return last
}

// RebuildLastContacts recomputes every customer's last-contact row from
// the source tables in one transaction (after seeding demo data, which
// writes visits directly; and as a repair tool).
func (s *Store) RebuildLastContacts(ctx context.Context, loc *time.Location, now time.Time) error {
	type agg struct {
		CustomerID uint
		Last       db.ScanTime
	}
	srcs := map[uint]*lastContactSources{}
	for _, q := range []struct {
		sql string
		set func(*lastContactSources, db.ScanTime)
	}{
		{"SELECT customer_id, MAX(starts_at) AS last FROM visit_plans WHERE status = 'done' AND deleted_at IS NULL GROUP BY customer_id",
			func(x *lastContactSources, t db.ScanTime) { x.LastVisit = t }},
		{"SELECT customer_id, MAX(touched_on) AS last FROM care_touches WHERE deleted_at IS NULL GROUP BY customer_id",
			func(x *lastContactSources, t db.ScanTime) { x.LastTouch = t }},
		{"SELECT customer_id, MAX(done_at) AS last FROM callbacks WHERE status = 'done' GROUP BY customer_id",
			func(x *lastContactSources, t db.ScanTime) { x.LastCallback = t }},
	} {
		var rows []agg
		if err := s.conn(ctx).Raw(q.sql).Scan(&rows).Error; err != nil {
			return fmt.Errorf("rebuild last contacts: %w", err)
		}
		for _, r := range rows {
			if srcs[r.CustomerID] == nil {
				srcs[r.CustomerID] = &lastContactSources{}
			}
			q.set(srcs[r.CustomerID], r.Last)
		}
	}
	rows := make([]LastContact, 0, len(srcs))
	for id, src := range srcs {
		if last := lastOf(*src, loc); last != nil {
			rows = append(rows, LastContact{CustomerID: id, LastContactOn: *last, UpdatedAt: now})
		}
	}
	return db.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.conn(ctx).Where("1 = 1").Delete(&LastContact{}).Error; err != nil {
			return fmt.Errorf("rebuild last contacts: %w", err)
		}
		if len(rows) > 0 {
			if err := s.conn(ctx).CreateInBatches(rows, 500).Error; err != nil {
				return fmt.Errorf("rebuild last contacts: %w", err)
			}
		}
		// A delta per row deleted and inserted: the counts from the rows
		// instead.
		return s.refreshCareCounts(ctx)
	})
}

// FoldCareCounts moves PostgreSQL's appended care count deltas into the
// base rows (migration 00046) in one statement, then drops the rows that
// count nobody, so the view care_contact_counts keeps reading ~10,000
// base rows plus the last minute's changes. The counts it shows do not
// change: a reader sees the deltas or the base they were folded into,
// never both or neither. It returns how many deltas it folded; on SQLite,
// which keeps the counts in the writing transaction, it does nothing.
func (s *Store) FoldCareCounts(ctx context.Context) (int64, error) {
	if !s.postgres() {
		return 0, nil
	}
	var folded int64
	err := db.WithTx(ctx, s.db, func(ctx context.Context) error {
		err := s.conn(ctx).Raw(`WITH d AS (DELETE FROM care_contact_deltas RETURNING branch_id, grade, last_contact_on, n),
	s AS (SELECT branch_id, grade, last_contact_on, SUM(n) AS n, COUNT(*) AS rows FROM d GROUP BY 1, 2, 3),
	up AS (INSERT INTO care_contact_base AS b (branch_id, grade, last_contact_on, n)
		SELECT branch_id, grade, last_contact_on, n FROM s
		ON CONFLICT (branch_id, grade, last_contact_on) DO UPDATE SET n = b.n + EXCLUDED.n)
	SELECT COALESCE(SUM(rows), 0) FROM s`).Scan(&folded).Error
		if err != nil {
			return err
		}
		return s.conn(ctx).Exec("DELETE FROM care_contact_base WHERE n = 0").Error
	})
	if err != nil {
		return 0, fmt.Errorf("fold care counts: %w", err)
	}
	return folded, nil
}

// refreshCareCounts counts the care list's customers again from the rows
// on PostgreSQL (jike_refresh_care_contact_counts, migration 00046), in
// ctx's transaction; SQLite's triggers keep them exact.
func (s *Store) refreshCareCounts(ctx context.Context) error {
	if !s.postgres() {
		return nil
	}
	if err := s.conn(ctx).Exec("SELECT jike_refresh_care_contact_counts()").Error; err != nil {
		return fmt.Errorf("care counts: %w", err)
	}
	return nil
}

// eventSource is a dated thing a care event comes from.
type eventSource struct {
	CustomerID   uint
	CustomerName string
	OwnerID      uint
	Grade        string
	RefID        uint
	Name         string
	On           db.ScanTime
}

// EventWindow is the days a care list looks at, as month*100+day values
// (a 29 February also falls on the 28th in a common year), and the first
// of them: rows are read in order of their next occurrence from it, at
// most maxEvents of each kind, so a province's 300,000 key persons are
// never all loaded to find this week's birthdays (issue 19).
type EventWindow struct {
	MonthDays []int
	From      int
}

// maxEvents bounds each kind of care event read for one list (the pages
// show at most 500).
const maxEvents = 2000

// monthDay is col's month*100+day in SQL.
func (s *Store) monthDay(ctx context.Context, col string) string {
	if s.conn(ctx).Dialector.Name() == "postgres" {
		return "(EXTRACT(MONTH FROM " + col + ")::int * 100 + EXTRACT(DAY FROM " + col + ")::int)"
	}
	// SQLite keeps dates as text that starts YYYY-MM-DD.
	return "(CAST(substr(" + col + ", 6, 2) AS INTEGER) * 100 + CAST(substr(" + col + ", 9, 2) AS INTEGER))"
}

// windowRows reads the rows of build whose month-day expression md falls
// in w, in order of their next occurrence, at most maxEvents.
//
// For the province (walk) the days from w.From to the year's end come
// first, then those after the turn of the year, each a range of md read
// in md's order — which the dated columns' expression indexes give
// (idx_contacts_birthday_md, idx_contracts_signed_md) — so the read
// stops at its maxEvents-th row: as a list of month-days sorted by a CASE
// no index gives, the admin's year of anniversaries probed the customers
// of all ~49,000 contracts in force and sorted them for 2,000 (~160 ms
// the page; ~38 this way). A branch, a team or a person starts from its
// own customers, where walking the index would test the province's rows
// one by one for the scope (a chief rep's year 38 -> 77 ms): those read
// their window's rows and sort them.
func windowRows[T any](build func() *gorm.DB, md string, w EventWindow, walk bool) ([]T, error) {
	if len(w.MonthDays) == 0 {
		return nil, nil
	}
	var out []T
	if !walk {
		err := build().Where(md+" IN ?", w.MonthDays).
			Order(clause.OrderBy{Expression: clause.Expr{SQL: "CASE WHEN " + md + " >= ? THEN " + md + " ELSE " + md + " + 10000 END", Vars: []any{w.From}, WithoutParentheses: true}}).
			Limit(maxEvents).Scan(&out).Error
		return out, err
	}
	for _, r := range windowRanges(w) {
		var part []T
		err := build().Where(md+" BETWEEN ? AND ?", r[0], r[1]).
			Order(clause.OrderBy{Expression: clause.Expr{SQL: md, WithoutParentheses: true}}).
			Limit(maxEvents - len(out)).Scan(&part).Error
		if err != nil {
			return nil, err
		}
		if out = append(out, part...); len(out) >= maxEvents {
			break
		}
	}
	return out, nil
}

// windowRanges are w's month-days as the ranges they form in order of
// occurrence: from w.From to the last before the year ends, then from the
// first of the next year to the window's end (a window is consecutive
// days, at most a year). A range may hold month-days no date has (0231);
// no row has them either.
func windowRanges(w EventWindow) [][2]int {
	var hi, lo [][2]int
	for _, md := range w.MonthDays {
		ranges := &lo
		if md >= w.From {
			ranges = &hi
		}
		if n := len(*ranges); n == 0 {
			*ranges = append(*ranges, [2]int{md, md})
		} else {
			(*ranges)[n-1][1] = md
		}
	}
	return append(hi, lo...)
}

// eventCustomerJoin joins each dated row of table to its customer. For a
// branch or the province it is one primary-key probe per row: with a
// plain join PostgreSQL hashed the whole customers table for the admin's
// home (a sequential scan of 100,000 rows, 41 of the statement's 52 ms)
// to name the week's ~800 anniversaries, and a LATERAL subquery with
// OFFSET 0 cannot become a hash join. An own or team scope keeps the
// plain join, which starts from the scope's few customers instead of
// probing the whole province's week of events (with the probe an account
// manager's home read ~800 rows to keep a handful). SQLite has no
// LATERAL, and its planner probes already.
//
// A branch over more than a month of days joins its customers too: its
// share of a province's quarter or year of events is read faster from
// its ~8,000 customers than by probing every event's customer (a
// director's year of anniversaries ~94 ms probed, ~25 joined).
func (s *Store) eventCustomerJoin(ctx context.Context, scope authz.ListScope, table string, w EventWindow) string {
	lvl := scope.Level()
	if s.conn(ctx).Dialector.Name() != "postgres" || lvl == authz.ScopeOwn || lvl == authz.ScopeTeam || lvl == authz.ScopeBranch && len(w.MonthDays) > 31 {
		return customerJoin(table)
	}
	// Only the columns the events and the scope read: SELECT * would
	// form every customer's whole row (3.5 kB on average).
	return "JOIN LATERAL (SELECT c.id, c.name, c.owner_id, c.grade, c.chief_rep_id, c.team_id, c.branch_id FROM customers AS c" +
		" WHERE c.id = " + table + ".customer_id AND c.deleted_at IS NULL OFFSET 0) AS customers ON true"
}

// branchWindow runs read, a branch's events over more than a month
// (eventCustomerJoin's plain join), on PostgreSQL with hash joins off and
// index reads priced as the memory they are in (random_page_cost 1.1):
// the planner hashed the branch's ~8,000 customers against every
// contract of the province, computing each one's month and day (a
// director's year of anniversaries ~41 ms of SQL), where merging the
// branch's customers with their contracts along the customer index takes
// ~15.
func branchWindow[T any](ctx context.Context, g *gorm.DB, scope authz.ListScope, w EventWindow, read func(context.Context) ([]T, error)) ([]T, error) {
	if scope.Level() != authz.ScopeBranch || len(w.MonthDays) <= 31 {
		return read(ctx)
	}
	var out []T
	err := db.WithPlannerSettings(ctx, g, db.ProbeFromCustomers(), func(ctx context.Context) error {
		var err error
		out, err = read(ctx)
		return err
	})
	return out, err
}

// Birthdays lists the key persons of the customers in scope whose
// birthday falls in w.
func (s *Store) Birthdays(ctx context.Context, scope authz.ListScope, w EventWindow) ([]eventSource, error) {
	return branchWindow(ctx, s.db, scope, w, func(ctx context.Context) ([]eventSource, error) {
		return s.birthdays(ctx, scope, w)
	})
}

func (s *Store) birthdays(ctx context.Context, scope authz.ListScope, w EventWindow) ([]eventSource, error) {
	return windowRows[eventSource](func() *gorm.DB {
		return scope.Apply(s.conn(ctx).Table("contacts").Joins(s.eventCustomerJoin(ctx, scope, "contacts", w)), authz.StandardColumns("customers")).
			Where("contacts.deleted_at IS NULL AND contacts.birthday IS NOT NULL").
			Select("customers.id AS customer_id, customers.name AS customer_name, customers.owner_id, customers.grade, contacts.id AS ref_id, contacts.name, contacts.birthday AS \"on\"")
	}, s.monthDay(ctx, "contacts.birthday"), w, scope.Level() == authz.ScopeAll)
}

// Anniversaries lists the signing dates in w of the contracts in force
// of the customers in scope.
func (s *Store) Anniversaries(ctx context.Context, scope authz.ListScope, w EventWindow) ([]eventSource, error) {
	return branchWindow(ctx, s.db, scope, w, func(ctx context.Context) ([]eventSource, error) {
		return s.anniversaries(ctx, scope, w)
	})
}

func (s *Store) anniversaries(ctx context.Context, scope authz.ListScope, w EventWindow) ([]eventSource, error) {
	return windowRows[eventSource](func() *gorm.DB {
		return scope.Apply(s.conn(ctx).Table("contracts").Joins(s.eventCustomerJoin(ctx, scope, "contracts", w)), authz.StandardColumns("customers")).
			Where("contracts.deleted_at IS NULL AND contracts.is_current = ? AND contracts.status IN ? AND contracts.signed_on IS NOT NULL", true, []string{"signed", "active", "expiring"}).
			Select("customers.id AS customer_id, customers.name AS customer_name, customers.owner_id, customers.grade, contracts.id AS ref_id, contracts.number AS name, contracts.signed_on AS \"on\"")
	}, s.monthDay(ctx, "contracts.signed_on"), w, scope.Level() == authz.ScopeAll)
}

// KeyAccounts lists the A and B customers in scope (festival greetings),
// by name, at most maxEvents.
func (s *Store) KeyAccounts(ctx context.Context, scope authz.ListScope) ([]eventSource, error) {
	var out []eventSource
	err := scope.Apply(s.conn(ctx).Table("customers"), authz.StandardColumns("customers")).
		// The grades and soft delete written out, not bound: the key
		// accounts' name index (migration 00039) is partial on exactly
		// them, and SQLite uses a partial index only for a condition it
		// can read in the statement.
		Where("customers.deleted_at IS NULL AND customers.grade IN ('A', 'B') AND customers.status IN ?", CareStatuses).
		Order("customers.name, customers.id").Limit(maxEvents).
		Select("customers.id AS customer_id, customers.name AS customer_name, customers.owner_id, customers.grade").
		Scan(&out).Error
	return out, err
}

// CareDatesIn lists the key dates (birthdays, founding days) in w of the
// customers in scope.
func (s *Store) CareDatesIn(ctx context.Context, scope authz.ListScope, w EventWindow) ([]CareDateRow, error) {
	return windowRows[CareDateRow](func() *gorm.DB {
		return scope.Apply(s.conn(ctx).Model(&CareDate{}).Joins(customerJoin("care_dates")), authz.StandardColumns("customers")).
			Select("care_dates.*, customers.name AS customer_name, customers.owner_id AS owner_id")
	}, "(care_dates.month * 100 + care_dates.day)", w, scope.Level() == authz.ScopeAll)
}

// CareDateRow is a key date with its customer.
type CareDateRow struct {
	CareDate
	CustomerName string
	OwnerID      uint
}

// DoneBetween lists the care events marked done on dates in [from, to].
func (s *Store) DoneBetween(ctx context.Context, from, to time.Time) ([]CareDone, error) {
	var out []CareDone
	return out, s.conn(ctx).Where("on_date >= ? AND on_date <= ?", from, to).Find(&out).Error
}

// Activations lists the contracts in force that were activated (a
// call-back task is due for each).
func (s *Store) Activations(ctx context.Context) ([]Activation, error) {
	var out []Activation
	err := s.conn(ctx).Table("contracts").Joins(customerJoin("contracts")).
		Where("contracts.deleted_at IS NULL AND contracts.is_current = ? AND contracts.activated_at IS NOT NULL AND contracts.status IN ?", true, []string{"active", "expiring"}).
		Select("COALESCE(contracts.root_id, contracts.id) AS contract_id, contracts.customer_id, contracts.number").
		Scan(&out).Error
	return out, err
}

// KeyAccountsAll lists the ids of every A and B customer in service.
func (s *Store) KeyAccountsAll(ctx context.Context) ([]uint, error) {
	var out []uint
	err := s.conn(ctx).Table("customers").Where("deleted_at IS NULL AND status IN ? AND grade IN ?", CareStatuses, []string{"A", "B"}).
		Order("id").Pluck("id", &out).Error
	return out, err
}
