package targets

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

//go:embed holidays_cn.txt
var defaultHolidays string

// Calendar says which days are working days: Monday to Friday, except the
// listed public holidays, plus the listed adjusted working days (调休上班,
// a Saturday or Sunday worked in exchange for a bridge day).
type Calendar struct {
	off  map[string]bool
	work map[string]bool
}

// DefaultCalendar is the shipped list (2026 as published by the State
// Council, 2027 provisional: see holidays_cn.txt).
func DefaultCalendar() *Calendar {
	c, err := ParseCalendar(strings.NewReader(defaultHolidays))
	if err != nil {
		panic(fmt.Sprintf("targets: the shipped holiday list is broken: %v", err))
	}
	return c
}

// LoadCalendar reads a holiday list from a file (JIKE_HOLIDAYS_FILE); an
// empty path is the shipped list.
func LoadCalendar(path string) (*Calendar, error) {
	if path == "" {
		return DefaultCalendar(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("holiday list: %w", err)
	}
	defer f.Close()
	c, err := ParseCalendar(f)
	if err != nil {
		return nil, fmt.Errorf("holiday list %s: %w", path, err)
	}
	return c, nil
}

// ParseCalendar reads lines of "YYYY-MM-DD off|work note"; # starts a
// comment. A malformed line is an error naming it, so a typo in the list
// fails at start instead of moving a deadline.
func ParseCalendar(r io.Reader) (*Calendar, error) {
	c := &Calendar{off: map[string]bool{}, work: map[string]bool{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: want \"YYYY-MM-DD off|work\", got %q", n, line)
		}
		d, err := time.Parse("2006-01-02", f[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: bad date %q", n, f[0])
		}
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		switch f[1] {
		case "off":
			c.off[f[0]] = true
		case "work":
			if !weekend {
				return nil, fmt.Errorf("line %d: %s is a weekday; only a weekend day can be an adjusted working day", n, f[0])
			}
			c.work[f[0]] = true
		default:
			return nil, fmt.Errorf("line %d: kind %q must be off or work", n, f[1])
		}
	}
	return c, sc.Err()
}

// Working reports whether the calendar day d (its year, month and day; the
// zone does not matter) is a working day.
func (c *Calendar) Working(d time.Time) bool {
	key := d.Format("2006-01-02")
	if c.work[key] {
		return true
	}
	if c.off[key] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// LastWorkingDays returns the last n working days of month m, earliest
// first, as dates at midnight in m's zone.
func (c *Calendar) LastWorkingDays(m Month, n int) []time.Time {
	var out []time.Time
	for d := m.End().AddDate(0, 0, -1); !d.Before(m.Start()) && len(out) < n; d = d.AddDate(0, 0, -1) {
		if c.Working(d) {
			out = append([]time.Time{d}, out...)
		}
	}
	return out
}

// ReviewOpens is when the month-end review of m may be submitted: the
// start of the first of the month's last ReviewWindowDays working days.
func (c *Calendar) ReviewOpens(m Month) time.Time {
	days := c.LastWorkingDays(m, ReviewWindowDays)
	if len(days) == 0 {
		return m.Start()
	}
	return days[0]
}

// WorkingDaysLeft counts the working days from the day of now (included)
// to the end of the month m, for the pace a manager needs.
func (c *Calendar) WorkingDaysLeft(m Month, now time.Time) int {
	now = now.In(m.loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, m.loc)
	if day.Before(m.Start()) {
		day = m.Start()
	}
	n := 0
	for d := day; d.Before(m.End()); d = d.AddDate(0, 0, 1) {
		if c.Working(d) {
			n++
		}
	}
	return n
}

// ReviewWindowDays is how many working days before the month ends the
// review may be submitted (the handbook's 每月月末分析).
const ReviewWindowDays = 3

// Month is a calendar month in the configured zone ("2026-11").
type Month struct {
	year  int
	month time.Month
	loc   *time.Location
}

// ParseMonth reads "YYYY-MM" in loc.
func ParseMonth(s string, loc *time.Location) (Month, error) {
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(s), loc)
	if err != nil || len(strings.TrimSpace(s)) != 7 || t.Year() < 2000 || t.Year() > 2100 {
		return Month{}, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	return Month{year: t.Year(), month: t.Month(), loc: loc}, nil
}

// MonthOf is the month that contains t in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	t = t.In(loc)
	return Month{year: t.Year(), month: t.Month(), loc: loc}
}

// String is "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.year, int(m.month)) }

// Year of the month.
func (m Month) Year() int { return m.year }

// Num is the month's number, 1 to 12.
func (m Month) Num() int { return int(m.month) }

// Start is the first instant of the month in its zone.
func (m Month) Start() time.Time { return time.Date(m.year, m.month, 1, 0, 0, 0, 0, m.loc) }

// End is the first instant of the next month (the bound is exclusive).
func (m Month) End() time.Time { return m.Start().AddDate(0, 1, 0) }

// Add moves by n months.
func (m Month) Add(n int) Month { return MonthOf(m.Start().AddDate(0, n, 0), m.loc) }

// Days is the number of days in the month.
func (m Month) Days() int { return m.End().AddDate(0, 0, -1).Day() }
