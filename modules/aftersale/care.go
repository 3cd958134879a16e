package aftersale

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// AddMonths moves a calendar date n months on, keeping the day but never
// past the end of the target month (31 Jan + 1 month = 28/29 Feb, not 3
// March as time.AddDate would give).
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(day, last)-1)
}

// Care states of a customer on the care list.
const (
	CareNever   = "never"
	CareOverdue = "overdue"
	CareDueWeek = "due_week"
	CareOK      = "ok"
)

// CareDue is one customer's care position on a day: its last contact
// (visit or touch), when the next is due by its grade's frequency, and
// its state: never contacted, overdue (by Days), due by the end of this
// week (Monday–Sunday), or fine.
type CareDue struct {
	LastContact *time.Time
	DueOn       time.Time
	State       string
	Days        int
}

// Due computes the care position of a customer last contacted on last
// (nil: never), contacted every months months, on today (dates).
func Due(last *time.Time, months int, today time.Time) CareDue {
	today = dateOf(today)
	if last == nil {
		return CareDue{State: CareNever}
	}
	l := dateOf(*last)
	out := CareDue{LastContact: &l, DueOn: AddMonths(l, months)}
	weekEnd := today.AddDate(0, 0, (7-int(today.Weekday()))%7) // this Sunday
	switch {
	case out.DueOn.Before(today):
		out.State, out.Days = CareOverdue, daysBetween(out.DueOn, today)
	case !out.DueOn.After(weekEnd):
		out.State, out.Days = CareDueWeek, daysBetween(today, out.DueOn)
	default:
		out.State = CareOK
	}
	return out
}

// CareRow is a customer on the care list.
type CareRow struct {
	CustomerID   uint
	CustomerName string
	Grade        string
	OwnerID      uint
	OwnerName    string
	TeamID       uint
	Months       int
	CareDue
}

// IsOverdue, IsNever and IsDueWeek are the state checks templates use.
func (r CareRow) IsOverdue() bool { return r.State == CareOverdue }
func (r CareRow) IsNever() bool   { return r.State == CareNever }
func (r CareRow) IsDueWeek() bool { return r.State == CareDueWeek }

// CareCounts are the care list's totals per state.
type CareCounts struct{ Overdue, DueWeek, Never int }

// careRows turns the care query's rows into care rows: the state and
// dates come from SQL, the days overdue or left are counted here.
func careRows(raw []careListRow, today time.Time) []CareRow {
	today = dateOf(today)
	out := make([]CareRow, 0, len(raw))
	for _, r := range raw {
		row := CareRow{CustomerID: r.CustomerID, CustomerName: r.CustomerName, Grade: r.Grade, OwnerID: r.OwnerID, OwnerName: r.OwnerName,
			TeamID: r.TeamID, Months: r.Months, CareDue: CareDue{State: r.State}}
		if r.LastContactOn.Valid {
			l := dateOf(r.LastContactOn.Time)
			row.LastContact = &l
		}
		if r.DueOn.Valid {
			row.DueOn = dateOf(r.DueOn.Time)
		}
		switch r.State {
		case CareOverdue:
			row.Days = daysBetween(row.DueOn, today)
		case CareDueWeek:
			row.Days = daysBetween(today, row.DueOn)
		}
		out = append(out, row)
	}
	return out
}

// CareListFilter narrows the care list: State "" is everything needing
// care (overdue, due this week, never contacted), or one of them, or
// "all" (every customer covered).
type CareListFilter struct {
	State           string
	OwnerID, TeamID uint
	Limit, Offset   int
}

func (s *Service) scoped(actor authz.Subject) func(*gorm.DB) *gorm.DB {
	scope := s.enf.ListScope(actor, "customer", "read")
	return func(q *gorm.DB) *gorm.DB {
		return prospects.ScopedCustomers(q, scope)
	}
}

// ListsOthers reports whether actor's lists span other people's
// customers, so they show an owner column: the policy's "customer
// list_others" line, as in the customers module (not a role check).
func (s *Service) ListsOthers(actor authz.Subject) bool {
	return s.enf.CanRoute(actor, "customer", "list_others")
}

// CareList is a page of the care list within the actor's read scope (an
// account manager's customers, a chief rep's team, a director's branch),
// most overdue first, with the counts per state and the list's total.
// States, order and paging are computed in SQL from each customer's
// last-contact row (Store.CareList), so the page costs the same for a
// hundred customers or a hundred thousand.
func (s *Service) CareList(ctx context.Context, actor authz.Subject, f CareListFilter) ([]CareRow, CareCounts, int, error) {
	today := s.Today()
	scope := s.enf.ListScope(actor, "customer", "read")
	wide := scope.Level() == authz.ScopeBranch || scope.Level() == authz.ScopeAll
	// The counts kept per branch answer for exactly a branch's customers
	// or all of them.
	counted := scope.Level() == authz.ScopeAll || scope.Level() == authz.ScopeBranch && actor.BranchID != 0
	var branch uint
	if scope.Level() == authz.ScopeBranch {
		branch = actor.BranchID
	}
	raw, byState, total, err := s.store.KeptCareList(ctx, scope.Key(), s.scoped(actor), CareFilter{OwnerID: f.OwnerID, TeamID: f.TeamID, State: f.State,
		Limit: f.Limit, Offset: f.Offset, Wide: wide, Counted: counted, Branch: branch}, today)
	if err != nil {
		return nil, CareCounts{}, 0, err
	}
	counts := CareCounts{Overdue: byState[CareOverdue], DueWeek: byState[CareDueWeek], Never: byState[CareNever]}
	return careRows(raw, today), counts, total, nil
}

// CareOf is one customer's care position (the customer's after-sale page).
func (s *Service) CareOf(ctx context.Context, actor authz.Subject, customerID uint) (*CareRow, error) {
	today := s.Today()
	raw, _, _, err := s.store.CareList(ctx, s.scoped(actor), CareFilter{CustomerID: customerID, State: "all"}, today)
	if err != nil || len(raw) == 0 {
		return nil, err
	}
	return &careRows(raw, today)[0], nil
}

// refreshLastContact rewrites a customer's last-contact row in ctx's
// transaction; every save, edit or delete of a contact calls it.
func (s *Service) refreshLastContact(ctx context.Context, customerID uint) error {
	return s.store.RefreshLastContact(ctx, customerID, s.opts.Location, s.now())
}

// VisitDone keeps the last contact when the visits module records a
// visit (wired in cmd/jike as visits.Service.OnVisitDone); tx is the
// visit record's transaction.
func (s *Service) VisitDone(ctx context.Context, tx *gorm.DB, customerID uint) error {
	return (&Store{db: tx}).RefreshLastContact(ctx, customerID, s.opts.Location, s.now())
}

// RebuildLastContacts recomputes every customer's last contact (after
// the demo data, which writes visits directly).
func (s *Service) RebuildLastContacts(ctx context.Context) error {
	return s.store.RebuildLastContacts(ctx, s.opts.Location, s.now())
}

// CareOverdueKey is the dedupe key of an overdue-care notice: one per
// customer and due date (a new contact moves the date).
func CareOverdueKey(customerID uint, due time.Time) string {
	return fmt.Sprintf("aftersale.care_overdue:%d:%s", customerID, due.Format("2006-01-02"))
}

// CareOverdue is the daily job telling each owner about their customers
// whose care became overdue, once per customer and due date.
func (s *Service) CareOverdue(ctx context.Context, now time.Time) error {
	today := dateOf(now.In(s.opts.Location))
	const page = 1000
	for off := 0; ; off += page {
		raw, _, _, err := s.store.CareList(ctx, nil, CareFilter{State: CareOverdue, Limit: page, Offset: off, Wide: true, Counted: true}, today)
		if err != nil {
			return err
		}
		var notices []notify.Notice
		for _, r := range careRows(raw, today) {
			notices = append(notices, notify.Notice{UserID: r.OwnerID, Kind: "aftersale.care_overdue", MsgID: "aftersale.notice.care_overdue",
				Args: map[string]string{"Customer": r.CustomerName, "Days": strconv.Itoa(r.Days), "Due": r.DueOn.Format("2006-01-02")},
				Link: fmt.Sprintf("/customers/%d/aftersale", r.CustomerID), Key: CareOverdueKey(r.CustomerID, r.DueOn)})
		}
		if err := s.send(ctx, notices...); err != nil {
			return err
		}
		if len(raw) < page {
			return nil
		}
	}
}

// TouchInput is the light contact form.
type TouchInput struct {
	Kind, On, Summary string
}

// parseDate reads YYYY-MM-DD (midnight UTC).
func parseDate(v string) (time.Time, error) {
	return time.Parse("2006-01-02", strings.TrimSpace(v))
}

// AddTouch logs a call, meeting, WeChat or email with a customer the
// actor may write; it counts as a care contact on its date (not in the
// future).
func (s *Service) AddTouch(ctx context.Context, actor authz.Subject, customerID uint, in TouchInput) (*Touch, error) {
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	t := &Touch{CustomerID: cust.ID, UserID: actor.ID, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	if f := s.validTouch(in, t); len(f) > 0 {
		return nil, f
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.AddTouch(ctx, t); err != nil {
			return err
		}
		if err := s.refreshLastContact(ctx, cust.ID); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityTouch, t.ID, "create", audit.Diff(nil, t))
	})
	return t, err
}

// --- key dates and care events

// CareDateInput is a key date as typed: kind birthday (with the key
// person) or founding, and the date as MM-DD or YYYY-MM-DD.
type CareDateInput struct {
	Kind      string
	ContactID uint
	Date      string
	Label     string
}

// ParseMonthDay reads MM-DD or YYYY-MM-DD, refusing days the month does
// not have (02-30; 02-29 only without a year or in a leap year).
func ParseMonthDay(v string) (month, day int, year *int, ok bool) {
	parts := strings.Split(strings.TrimSpace(v), "-")
	if len(parts) == 3 {
		y, err := strconv.Atoi(parts[0])
		if err != nil || y < 1900 || y > 2100 {
			return 0, 0, nil, false
		}
		year, parts = &y, parts[1:]
	}
	if len(parts) != 2 {
		return 0, 0, nil, false
	}
	m, err1 := strconv.Atoi(parts[0])
	d, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 {
		return 0, 0, nil, false
	}
	ly := 2024 // a leap year: 02-29 is a real birthday
	if year != nil {
		ly = *year
	}
	if time.Date(ly, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
		return 0, 0, nil, false
	}
	return m, d, year, true
}

// AddCareDate records a key person's birthday or the founding day.
func (s *Service) AddCareDate(ctx context.Context, actor authz.Subject, customerID uint, in CareDateInput) (*CareDate, error) {
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "write")
	if err != nil {
		return nil, err
	}
	cd := &CareDate{CustomerID: cust.ID, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	f, err := s.validCareDate(ctx, actor, cust, in, cd)
	if err != nil {
		return nil, err
	}
	if len(f) > 0 {
		return nil, f
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.AddCareDate(ctx, cd); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityCareDate, cd.ID, "create", audit.Diff(nil, cd))
	})
	return cd, err
}

// CareEvent is one occasion to care for a customer on a day.
type CareEvent struct {
	On           time.Time
	Kind         string // birthday, festival, anniversary, founding
	Key          string // what it is, unique per customer and day
	CustomerID   uint
	CustomerName string
	OwnerID      uint
	// Name is the key person, festival code, contract number or "".
	Name  string
	Years int
	Done  *CareDone
}

// IsFestival is the check templates use.
func (e CareEvent) IsFestival() bool { return e.Kind == "festival" }

// occurrence is the next date on or after from with month/day (29 Feb in
// a common year falls on 28 Feb), within days.
func occurrence(month, day int, from time.Time, days int) (time.Time, bool) {
	for _, y := range []int{from.Year(), from.Year() + 1} {
		d := time.Date(y, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		last := d.AddDate(0, 1, -1).Day()
		d = d.AddDate(0, 0, min(day, last)-1)
		if !d.Before(from) {
			return d, daysBetween(from, d) <= days
		}
	}
	return time.Time{}, false
}

// eventWindow is the month-days from today to days ahead (at most a
// year), with 29 February wherever a common year's 28 February is in it
// (occurrence moves it there).
func eventWindow(today time.Time, days int) EventWindow {
	w := EventWindow{From: int(today.Month())*100 + today.Day()}
	seen := map[int]bool{}
	for i := 0; i <= min(days, 366); i++ {
		d := today.AddDate(0, 0, i)
		md := int(d.Month())*100 + d.Day()
		if md == 228 && time.Date(d.Year(), 3, 0, 0, 0, 0, 0, time.UTC).Day() == 28 {
			seen[229] = true
		}
		seen[md] = true
	}
	for md := range seen {
		w.MonthDays = append(w.MonthDays, md)
	}
	sort.Ints(w.MonthDays)
	return w
}

// CareEvents lists the care events of the customers in the actor's scope
// from today to days ahead, by date, with those already done marked.
func (s *Service) CareEvents(ctx context.Context, actor authz.Subject, days int, includeDone bool) ([]CareEvent, error) {
	scope := s.enf.ListScope(actor, "customer", "read")
	today := s.Today()
	var out []CareEvent
	add := func(src eventSource, on time.Time, kind, key, name string, years int) {
		out = append(out, CareEvent{On: on, Kind: kind, Key: key, CustomerID: src.CustomerID, CustomerName: src.CustomerName,
			OwnerID: src.OwnerID, Name: name, Years: years})
	}
	w := eventWindow(today, days)
	bdays, err := s.store.Birthdays(ctx, scope, w)
	if err != nil {
		return nil, err
	}
	for _, b := range bdays {
		if !b.On.Valid {
			continue
		}
		if on, ok := occurrence(int(b.On.Time.Month()), b.On.Time.Day(), today, days); ok {
			add(b, on, "birthday", fmt.Sprintf("contact:%d", b.RefID), b.Name, 0)
		}
	}
	dates, err := s.store.CareDatesIn(ctx, scope, w)
	if err != nil {
		return nil, err
	}
	for _, d := range dates {
		if on, ok := occurrence(d.Month, d.Day, today, days); ok {
			years := 0
			if d.Year != nil {
				years = on.Year() - *d.Year
			}
			add(eventSource{CustomerID: d.CustomerID, CustomerName: d.CustomerName, OwnerID: d.OwnerID}, on, d.Kind,
				fmt.Sprintf("date:%d", d.ID), d.Label, years)
		}
	}
	anns, err := s.store.Anniversaries(ctx, scope, w)
	if err != nil {
		return nil, err
	}
	for _, a := range anns {
		if !a.On.Valid {
			continue
		}
		if on, ok := occurrence(int(a.On.Time.Month()), a.On.Time.Day(), today, days); ok && on.Year() > a.On.Time.Year() {
			add(a, on, "anniversary", fmt.Sprintf("contract:%d", a.RefID), a.Name, on.Year()-a.On.Time.Year())
		}
	}
	var fests []struct {
		f  Festival
		on time.Time
	}
	for _, f := range Festivals {
		for _, y := range []int{today.Year(), today.Year() + 1} {
			if on := s.festivals.on(f, y); !on.Before(today) && daysBetween(today, on) <= days {
				fests = append(fests, struct {
					f  Festival
					on time.Time
				}{f, on})
			}
		}
	}
	if len(fests) > 0 {
		keys, err := s.store.KeyAccounts(ctx, scope)
		if err != nil {
			return nil, err
		}
		out = slices.Grow(out, len(fests)*len(keys))
		for _, fe := range fests {
			for _, k := range keys {
				add(k, fe.on, "festival", "festival:"+fe.f.Code, fe.f.Code, 0)
			}
		}
	}
	done, err := s.store.DoneBetween(ctx, today, today.AddDate(0, 0, days))
	if err != nil {
		return nil, err
	}
	// A director's or the admin's year is tens of thousands of events (a
	// festival per key account): the marks are looked up by a struct, not
	// a formatted string per event, and not at all when none was made.
	marks := make(map[careMark]*CareDone, len(done))
	for i := range done {
		d := &done[i]
		marks[markOf(d.CustomerID, d.EventKey, dateOf(d.OnDate))] = d
	}
	keep := out[:0]
	for _, e := range out {
		if len(marks) > 0 {
			e.Done = marks[markOf(e.CustomerID, e.Key, e.On)]
		}
		if e.Done == nil || includeDone {
			keep = append(keep, e)
		}
	}
	slices.SortStableFunc(keep, func(a, b CareEvent) int {
		if c := a.On.Compare(b.On); c != 0 {
			return c
		}
		if c := strings.Compare(a.CustomerName, b.CustomerName); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return keep, nil
}

// careMark is a care mark's customer, event and day (the day's date in
// the time's own zone, as it was written).
type careMark struct {
	customer uint
	key      string
	y, d     int
	m        time.Month
}

func markOf(customer uint, key string, on time.Time) careMark {
	y, m, d := on.Date()
	return careMark{customer: customer, key: key, y: y, m: m, d: d}
}

// CareHows are the ways an event was cared for.
var CareHows = []string{"call", "visit", "gift", "message", "card"}

// MarkCareDone marks an event of a customer the actor may write as done
// (已关怀) on its date, with how and a note; it is then not shown again.
func (s *Service) MarkCareDone(ctx context.Context, actor authz.Subject, customerID uint, key, on, how, note string) error {
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "write")
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	d, err := parseDate(on)
	if err != nil {
		f.Add("on", "v.date")
	}
	if !slices.Contains(CareHows, how) {
		f.Add("how", "v.required")
	}
	note = textnorm.Clean(note)
	if utf8.RuneCountInString(note) > 500 {
		f.Add("note", "v.too_long")
	}
	if key == "" || len(key) > 64 {
		f.Add("key", "v.required")
	}
	if len(f) > 0 {
		return f
	}
	return db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		cd := &CareDone{CustomerID: cust.ID, EventKey: key, OnDate: d, How: how, Note: note, ByID: actor.ID, CreatedAt: s.now()}
		if err := s.store.MarkDone(ctx, cd); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityCareDone, cd.ID, "create", audit.Diff(nil, cd))
	})
}
