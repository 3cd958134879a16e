package money

import (
	"errors"
	"math"
	"testing"
)

func TestParseRate(t *testing.T) {
	good := map[string]Rate{"85": 8500, "85.5": 8550, "85.25": 8525, "85%": 8500, " 100 ": 10000, "0": 0, ".5": 50, "7.05％": 705, "100.00": 10000}
	for in, want := range good {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]error{"": ErrRateFormat, "85.": ErrRateFormat, "85.125": ErrRateFormat, "-5": ErrRateFormat, "abc": ErrRateFormat, "1e2": ErrRateFormat, "100.01": ErrRateRange, "101": ErrRateRange, "1000": ErrRateFormat}
	for in, want := range bad {
		if _, err := ParseRate(in); !errors.Is(err, want) {
			t.Errorf("ParseRate(%q) error = %v, want %v", in, err, want)
		}
	}
}

func TestRatePercent(t *testing.T) {
	for r, want := range map[Rate]string{8500: "85", 8550: "85.5", 8525: "85.25", 10000: "100", 0: "0", 5: "0.05", -150: "-1.5"} {
		if got := r.Percent(); got != want {
			t.Errorf("Rate(%d).Percent() = %q, want %q", r, got, want)
		}
		if r >= 0 {
			if back, err := ParseRate(r.Percent()); err != nil || back != r {
				t.Errorf("round trip of %d: %d, %v", r, back, err)
			}
		}
	}
	if Rate(8500).Discount() != 1500 {
		t.Error("discount of 85 % is not 15 %")
	}
}

func TestLineNet(t *testing.T) {
	cases := []struct {
		unit Fen
		qty  int64
		rate Rate
		want Fen
	}{
		{300000, 1, 10000, 300000},                // list price
		{300000, 1, 0, 0},                         // 100 % discount
		{300000, 3, 8500, 765000},                 // 3 × ¥3,000 at 85 %
		{1, 1, 5000, 1},                           // ¥0.005 rounds half up to ¥0.01
		{1, 1, 4999, 0},                           // just below half rounds down
		{3, 1, 5000, 2},                           // 1.5 fen → 2
		{-3, 1, 5000, -2},                         // half away from zero for credits
		{1, 1000, 150, 15},                        // rounded once per line, not per unit
		{1999, 3, 3333, 1999},                     // 5997 × 0.3333 = 1998.8001 → 1999
		{50_00, 10_000_000, 9999, 49_995_000_000}, // ten million units
	}
	for _, c := range cases {
		got, err := LineNet(c.unit, c.qty, c.rate)
		if err != nil || got != c.want {
			t.Errorf("LineNet(%d, %d, %d) = %d, %v; want %d", c.unit, c.qty, c.rate, got, err, c.want)
		}
	}
	// Beyond the bound: an error, never a wrapped or truncated amount.
	if _, err := LineNet(math.MaxInt64/2, 4, FullRate); !errors.Is(err, ErrOverflow) {
		t.Errorf("huge line: %v, want ErrOverflow", err)
	}
	if _, err := LineNet(maxFen, 2, FullRate); !errors.Is(err, ErrOverflow) {
		t.Errorf("line over the bound: %v, want ErrOverflow", err)
	}
	if got, err := LineNet(maxFen, 1, FullRate); err != nil || got != maxFen {
		t.Errorf("line at the bound: %d, %v", got, err)
	}
	if _, err := LineNet(100, 1, 10001); !errors.Is(err, ErrRateRange) {
		t.Errorf("rate over 100 %%: %v", err)
	}
}

func TestAtRate(t *testing.T) {
	if got := AtRate(1001, 8500, true); got != 851 { // 850.85 up
		t.Errorf("AtRate up = %d", got)
	}
	if got := AtRate(1001, 8500, false); got != 851 { // 850.85 nearest
		t.Errorf("AtRate nearest = %d", got)
	}
	if got := AtRate(1003, 8500, false); got != 853 { // 852.55 → 853
		t.Errorf("AtRate half = %d", got)
	}
	if got := AtRate(1000, 8500, true); got != 850 { // exact stays exact
		t.Errorf("AtRate exact = %d", got)
	}
}

func TestTimesAndSum(t *testing.T) {
	if got, err := Times(12345, 36); err != nil || got != 444420 {
		t.Errorf("Times = %d, %v", got, err)
	}
	if _, err := Times(maxFen, 2); !errors.Is(err, ErrOverflow) {
		t.Errorf("Times overflow: %v", err)
	}
	if _, err := Times(math.MaxInt64, math.MaxInt64); !errors.Is(err, ErrOverflow) {
		t.Errorf("Times int64 overflow: %v", err)
	}
	if got, err := Sum(1, 2, -4); err != nil || got != -1 {
		t.Errorf("Sum = %d, %v", got, err)
	}
	if got, err := Sum(); err != nil || got != 0 {
		t.Errorf("empty Sum = %d, %v", got, err)
	}
	if _, err := Sum(maxFen, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("Sum overflow: %v", err)
	}
	if _, err := Sum(math.MaxInt64, math.MaxInt64); !errors.Is(err, ErrOverflow) {
		t.Errorf("Sum of wrapped operands: %v", err)
	}
}
