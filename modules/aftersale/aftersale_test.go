package aftersale

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestLunarFestivals checks the computed festival dates against the
// published calendar (国务院办公厅节假日安排 and the 紫金山天文台 almanac)
// for 2020–2030.
func TestLunarFestivals(t *testing.T) {
	published := map[string][]string{
		"spring":      {"2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03"},
		"mid_autumn":  {"2020-10-01", "2021-09-21", "2022-09-10", "2023-09-29", "2024-09-17", "2025-10-06", "2026-09-25", "2027-09-15", "2028-10-03", "2029-09-22", "2030-09-12"},
		"dragon_boat": {"2020-06-25", "2021-06-14", "2022-06-03", "2023-06-22", "2024-06-10", "2025-05-31", "2026-06-19", "2027-06-09", "2028-05-28", "2029-06-16", "2030-06-05"},
		"lantern":     {"2020-02-08", "2021-02-26", "2022-02-15", "2023-02-05", "2024-02-24", "2025-02-12", "2026-03-03", "2027-02-20", "2028-02-09", "2029-02-27", "2030-02-17"},
	}
	for _, f := range Festivals {
		dates, ok := published[f.Code]
		if !ok {
			for y := 2020; y <= 2040; y++ {
				if got := f.On(y); got.Month() != time.Month(f.Month) || got.Day() != f.Day {
					t.Errorf("%s %d: %s", f.Code, y, got)
				}
			}
			continue
		}
		for i, want := range dates {
			if got := f.On(2020 + i).Format("2006-01-02"); got != want {
				t.Errorf("%s %d: %s, want %s", f.Code, 2020+i, got, want)
			}
		}
	}
}

// TestAddMonthsAndDue: the next contact keeps the day of the month but
// never runs past the month's end, and the care states around month
// boundaries, per grade frequency.
func TestAddMonthsAndDue(t *testing.T) {
	for _, c := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-31", 1, "2026-02-28"}, {"2028-01-31", 1, "2028-02-29"}, {"2026-03-31", 1, "2026-04-30"},
		{"2026-08-31", 6, "2027-02-28"}, {"2026-11-30", 3, "2027-02-28"}, {"2026-12-15", 2, "2027-02-15"}, {"2026-05-31", 3, "2026-08-31"},
	} {
		if got := AddMonths(day(c.from), c.months).Format("2006-01-02"); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.months, got, c.want)
		}
	}
	last := day("2026-01-31")
	for _, c := range []struct {
		months int
		today  string
		state  string
		days   int
	}{
		{1, "2026-02-23", CareDueWeek, 5},  // Monday; due Saturday 28 Feb, this week
		{1, "2026-02-22", CareOK, 0},       // Sunday of the week before
		{1, "2026-02-28", CareDueWeek, 0},  // due today
		{1, "2026-03-01", CareOverdue, 1},  // the month turned
		{1, "2026-03-31", CareOverdue, 31}, // a month late
		{2, "2026-03-30", CareDueWeek, 1},  // B: due 31 March (a Tuesday)
		{2, "2026-04-01", CareOverdue, 1},  // B: the next month
		{3, "2026-04-30", CareDueWeek, 0},  // C: due 30 April
		{6, "2026-07-31", CareDueWeek, 0},  // D: due 31 July
		{6, "2026-08-01", CareOverdue, 1},
	} {
		got := Due(&last, c.months, day(c.today))
		if got.State != c.state || got.Days != c.days {
			t.Errorf("last %s every %d months on %s: %s %d, want %s %d", last.Format("2006-01-02"), c.months, c.today, got.State, got.Days, c.state, c.days)
		}
	}
	if got := Due(nil, 1, day("2026-03-01")); got.State != CareNever {
		t.Errorf("never contacted: %s", got.State)
	}
}

// TestParseMonthDay refuses days the month does not have.
func TestParseMonthDay(t *testing.T) {
	for in, ok := range map[string]bool{
		"02-30": false, "02-29": true, "2023-02-29": false, "2024-02-29": true, "04-31": false, "13-01": false,
		"00-10": false, "12-31": true, "1-5": true, "": false, "ab-cd": false, "1985-06-15": true, "06/15": false,
	} {
		if _, _, _, got := ParseMonthDay(in); got != ok {
			t.Errorf("ParseMonthDay(%q) ok=%v, want %v", in, got, ok)
		}
	}
}

type holidays map[string]bool

func (h holidays) Working(d time.Time) bool {
	if h[d.Format("2006-01-02")] {
		return false
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// TestClock: business hours skip nights, weekends and holidays; Between
// is Add's inverse.
func TestClock(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	k := Clock{Cal: holidays{"2026-10-01": true, "2026-10-02": true}, Loc: loc}
	start := time.Date(2026, 9, 30, 17, 0, 0, 0, loc) // Wednesday, one hour left that day
	got := k.Add(start, 3*time.Hour, false)
	if want := time.Date(2026, 10, 5, 11, 0, 0, 0, loc); !got.Equal(want) {
		t.Fatalf("Add: %s, want %s", got.In(loc), want)
	}
	if b := k.Between(start, got, false); b != 3*time.Hour {
		t.Fatalf("Between: %s", b)
	}
	// Before opening time the clock starts at 09:00.
	early := time.Date(2026, 10, 5, 6, 0, 0, 0, loc)
	if got := k.Add(early, time.Hour, false); !got.Equal(time.Date(2026, 10, 5, 10, 0, 0, 0, loc)) {
		t.Fatalf("early: %s", got.In(loc))
	}
	if got := k.Add(start, 3*time.Hour, true); !got.Equal(start.Add(3 * time.Hour)) {
		t.Fatalf("24×7: %s", got)
	}
}

// TestFestivalDatesRemembered: the service's festival dates are the
// calendar's, asked once or many times, in any order of years.
func TestFestivalDatesRemembered(t *testing.T) {
	var d festivalDates
	for round := range 2 {
		for y := 2040; y >= 2020; y-- {
			for _, f := range Festivals {
				if got, want := d.on(f, y), f.On(y); !got.Equal(want) {
					t.Fatalf("round %d: %s %d: %s, want %s", round, f.Code, y, got, want)
				}
			}
		}
	}
	if len(d.m) != 21*len(Festivals) {
		t.Fatalf("%d dates remembered, want one per festival and year", len(d.m))
	}
}
