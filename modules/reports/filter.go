package reports

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
)

// Periods a report can cover.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
	PeriodCustom  = "custom"
)

// Grades and industries a filter accepts are checked against these lists,
// so a typed URL cannot put arbitrary text into a query or a file name.
var grades = []string{"A", "B", "C", "D"}

// filterKeys are the query keys a report URL may carry (see ParseFilter).
// The form always sends at, from and to; the period says which apply.
var filterKeys = []string{"branch", "team", "am", "owner", "industry", "grade", "period", "at", "from", "to", "compare", "by"}

// listKeys are the paging keys every page of the portal accepts and
// answers like without them (TestHugeNumbers holds that for every list).
// A report shows whole tables, so it ignores them rather than refusing:
// they are not filters, and no figure depends on them.
var listKeys = []string{"page", "size"}

// Filter is what every report is narrowed by. It lives in the URL (Query),
// so a report can be bookmarked and sent; the viewer's scope is applied on
// top of it by the store, never replaced by it.
type Filter struct {
	Branch   uint
	Team     uint
	AM       uint
	Industry string
	Grade    string
	Period   string
	// Anchor is the period's first day as typed ("2026-03", "2026-Q1",
	// "2026"); for a custom period From and To are typed.
	Anchor  string
	Compare bool
	// From and To are the period's bounds in the configured zone, To
	// exclusive; Prev is the same length just before.
	From, To         time.Time
	PrevFrom, PrevTo time.Time
	// By adds a grouping to the reports that offer it (Groupable):
	// GroupTopGroup sums their rows per top-level group (集团) too. It
	// groups, it never narrows.
	By string
}

// Days returns the period's length in whole days.
func (f Filter) Days() int { return int(f.To.Sub(f.From).Hours()/24 + 0.5) }

// Query is the filter as a URL query (without the report's own keys).
func (f Filter) Query() url.Values {
	q := url.Values{}
	set := func(k string, v uint) {
		if v != 0 {
			q.Set(k, strconv.FormatUint(uint64(v), 10))
		}
	}
	set("branch", f.Branch)
	set("team", f.Team)
	set("am", f.AM)
	if f.Industry != "" {
		q.Set("industry", f.Industry)
	}
	if f.Grade != "" {
		q.Set("grade", f.Grade)
	}
	q.Set("period", f.Period)
	if f.Period == PeriodCustom {
		q.Set("from", f.From.Format("2006-01-02"))
		q.Set("to", f.To.AddDate(0, 0, -1).Format("2006-01-02"))
	} else {
		q.Set("at", f.Anchor)
	}
	if f.Compare {
		q.Set("compare", "1")
	}
	if f.By != "" {
		q.Set("by", f.By)
	}
	return q
}

// QueryString is Query encoded.
func (f Filter) QueryString() string { return f.Query().Encode() }

// ParseFilter reads a filter from the URL. now (in loc) gives the default
// period, the current month. Bad values are field errors with message ids.
//
// It is the one place a report's URL is read (pages, downloads and the
// PDF pack), so it refuses every malformed filter rather than ignoring it:
// a key that is not a filter (a typo such as `manager=`), a key given
// twice with different values, an id that is not a number, a compare flag
// that is not 0 or 1, besides the bad values of each field. A report that
// silently dropped a filter would show the whole scope under a heading
// that claims a narrower one. `owner` is accepted as another name of `am`
// (the opportunity lists call it so, and a stage's link carries it).
func ParseFilter(q url.Values, now time.Time, loc *time.Location, industries []string) (Filter, error) {
	errs := apperr.Fields{}
	// get reads a key once: repeated with different values is an error.
	get := func(key string) string {
		vs := q[key]
		for _, v := range vs[min(1, len(vs)):] {
			if strings.TrimSpace(v) != strings.TrimSpace(vs[0]) {
				errs.Add(key, "rep13.reports.err.repeated")
				return ""
			}
		}
		if len(vs) == 0 {
			return ""
		}
		return strings.TrimSpace(vs[0])
	}
	for key := range q {
		if !slices.Contains(filterKeys, key) && !slices.Contains(listKeys, key) {
			errs.Add(key, "rep13.reports.err.unknown")
		}
	}
	f := Filter{Period: get("period")}
	switch by := get("by"); by {
	case "":
	case GroupTopGroup:
		f.By = by
	default:
		errs.Add("by", "reports.err.group_by")
	}
	switch get("compare") {
	case "", "0":
	case "1":
		f.Compare = true
	default:
		errs.Add("compare", "rep13.reports.err.compare")
	}
	id := func(key string) uint {
		v := get(key)
		if v == "" || v == "0" {
			return 0
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			errs.Add(key, "reports.err.id")
			return 0
		}
		return uint(n)
	}
	f.Branch, f.Team, f.AM = id("branch"), id("team"), id("am")
	if o := id("owner"); o != 0 {
		if f.AM != 0 && f.AM != o {
			errs.Add("owner", "rep13.reports.err.owner_am")
		}
		f.AM = o
	}
	if g := strings.ToUpper(get("grade")); g != "" {
		if !contains(grades, g) {
			errs.Add("grade", "reports.err.grade")
		} else {
			f.Grade = g
		}
	}
	if ind := get("industry"); ind != "" {
		if !contains(industries, ind) {
			errs.Add("industry", "reports.err.industry")
		} else {
			f.Industry = ind
		}
	}
	now = now.In(loc)
	if f.Period == "" {
		f.Period = PeriodMonth
	}
	at := get("at")
	switch f.Period {
	case PeriodMonth:
		if at == "" {
			at = now.Format("2006-01")
		}
		t, err := time.ParseInLocation("2006-01", at, loc)
		if err != nil || len(at) != 7 || t.Year() < 2000 || t.Year() > 2100 {
			errs.Add("at", "reports.err.month")
			break
		}
		f.Anchor, f.From, f.To = at, t, t.AddDate(0, 1, 0)
	case PeriodQuarter:
		if at == "" {
			at = now.Format("2006") + "-Q" + strconv.Itoa((int(now.Month())+2)/3)
		}
		var y, qn int
		ok := len(at) == 7 && at[4:6] == "-Q"
		if ok {
			var e1, e2 error
			y, e1 = strconv.Atoi(at[:4])
			qn, e2 = strconv.Atoi(at[6:])
			ok = e1 == nil && e2 == nil && qn >= 1 && qn <= 4 && y >= 2000 && y <= 2100
		}
		if !ok {
			errs.Add("at", "reports.err.quarter")
			break
		}
		t := time.Date(y, time.Month(qn*3-2), 1, 0, 0, 0, 0, loc)
		f.Anchor, f.From, f.To = at, t, t.AddDate(0, 3, 0)
	case PeriodYear:
		if at == "" {
			at = now.Format("2006")
		}
		y, err := strconv.Atoi(at)
		if err != nil || len(at) != 4 || y < 2000 || y > 2100 {
			errs.Add("at", "reports.err.year")
			break
		}
		t := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		f.Anchor, f.From, f.To = at, t, t.AddDate(1, 0, 0)
	case PeriodCustom:
		from, e1 := time.ParseInLocation("2006-01-02", get("from"), loc)
		to, e2 := time.ParseInLocation("2006-01-02", get("to"), loc)
		switch {
		case e1 != nil || from.Year() < 2000 || from.Year() > 2100:
			errs.Add("from", "reports.err.date")
		case e2 != nil || to.Year() < 2000 || to.Year() > 2100:
			errs.Add("to", "reports.err.date")
		case to.Before(from):
			errs.Add("to", "reports.err.range")
		case to.Sub(from) > 366*24*time.Hour*3:
			errs.Add("to", "reports.err.too_long")
		default:
			f.From, f.To = from, to.AddDate(0, 0, 1)
		}
	default:
		errs.Add("period", "reports.err.period")
	}
	if err := errs.Err(); err != nil {
		return f, err
	}
	switch f.Period {
	case PeriodMonth:
		f.PrevFrom, f.PrevTo = f.From.AddDate(0, -1, 0), f.From
	case PeriodQuarter:
		f.PrevFrom, f.PrevTo = f.From.AddDate(0, -3, 0), f.From
	case PeriodYear:
		f.PrevFrom, f.PrevTo = f.From.AddDate(-1, 0, 0), f.From
	default:
		f.PrevFrom, f.PrevTo = f.From.AddDate(0, 0, -f.Days()), f.From
	}
	return f, nil
}

// Months lists the calendar months ("2006-01") that the period touches.
func (f Filter) Months() []string {
	var out []string
	for t := time.Date(f.From.Year(), f.From.Month(), 1, 0, 0, 0, 0, f.From.Location()); t.Before(f.To); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// holds tells whether account manager p is within the filter's branch,
// team and manager.
func (f Filter) holds(p Person) bool {
	return (f.Branch == 0 || p.BranchID == f.Branch) && (f.Team == 0 || p.TeamID == f.Team) && (f.AM == 0 || p.ID == f.AM)
}
