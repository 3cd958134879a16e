package contracts

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

// TestTermOf: a term is whole months, start to the day before the same
// day so many months later; anything else is refused.
func TestTermOf(t *testing.T) {
	for _, c := range []struct {
		start, end string
		months     int
		ok         bool
	}{
		{"2026-01-01", "2026-12-31", 12, true},
		{"2026-03-01", "2027-02-28", 12, true},
		{"2026-03-15", "2026-04-14", 1, true},
		{"2026-01-31", "2026-02-27", 1, true}, // 31 Jan + 1 month = 28 Feb (clamped), the day before
		{"2024-01-31", "2024-02-28", 1, true}, // leap year: 29 Feb, the day before
		{"2026-03-31", "2026-04-29", 1, true},
		{"2026-01-01", "2035-12-31", 120, true},
		{"2026-01-01", "2036-12-31", 0, false}, // 132 months
		{"2026-01-01", "2026-12-30", 0, false},
		{"2026-01-01", "2027-01-01", 0, false},
		{"2026-01-01", "2026-01-01", 0, false},
		{"2026-05-01", "2026-04-30", 0, false},
	} {
		got, ok := TermOf(day(c.start), day(c.end))
		if got != c.months || ok != c.ok {
			t.Errorf("TermOf(%s, %s) = %d %v, want %d %v", c.start, c.end, got, ok, c.months, c.ok)
		}
		if c.ok {
			if e := EndFor(day(c.start), c.months); !e.Equal(day(c.end)) {
				t.Errorf("EndFor(%s, %d) = %s, want %s", c.start, c.months, e.Format("2006-01-02"), c.end)
			}
		}
	}
	// Every term from every start day of a year round-trips.
	for d := day("2026-01-01"); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		for n := 1; n <= 120; n += 7 {
			if got, ok := TermOf(d, EndFor(d, n)); !ok || got != n {
				t.Fatalf("TermOf(%s, EndFor(%d)) = %d %v", d.Format("2006-01-02"), n, got, ok)
			}
		}
	}
}

// TestBranchShortName is the branch part of contract numbers.
func TestBranchShortName(t *testing.T) {
	for in, want := range map[string]string{"哈尔滨分公司": "哈尔滨", "大庆分公司": "大庆", "总部": "总部", "Head-Office": "HeadOffice"} {
		if got := BranchShortName(in); got != want {
			t.Errorf("BranchShortName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRenewalThreshold: a contract gets the reminder of the window it is
// in, and only that one.
func TestRenewalThreshold(t *testing.T) {
	s := &Service{opts: Options{ReminderDays: []int{30, 60, 90}}}
	for days, want := range map[int]int{120: 0, 91: 0, 90: 90, 61: 90, 60: 60, 45: 60, 31: 60, 30: 30, 1: 30, 0: 30, -1: 0} {
		if got := s.threshold(days); got != want {
			t.Errorf("threshold(%d) = %d, want %d", days, got, want)
		}
	}
}

// TestContentDisposition: a download's name reaches the browser whole,
// whatever characters it has, and cannot break the header.
func TestContentDisposition(t *testing.T) {
	got := contentDisposition(`签署;扫描件 "1".pdf`)
	want := `attachment; filename="__;___ _1_.pdf"; filename*=UTF-8''%E7%AD%BE%E7%BD%B2%3B%E6%89%AB%E6%8F%8F%E4%BB%B6%20%221%22.pdf`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
