package money

import (
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

// amountPattern is what Parse may accept once the documented decorations
// (surrounding space, a leading ¥ or ￥, a trailing 元, thousands
// separators and spaces) are gone: an optional minus, digits, at most two
// decimals.
var amountPattern = regexp.MustCompile(`^-?([0-9]+(\.[0-9]{0,2})?|\.[0-9]{1,2})$`)

// FuzzParse: Parse never panics, fails only with ErrInvalid, accepts only
// amounts, reads them exactly (checked against math/big), stays within
// the bound, and what it returns prints back to the same amount.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "12,345.67", "¥1 000", "￥3.05元", "-3", ".5", "7.", "1.234", "--1", "1e5", "1000000000000",
		"1000000000001", "-.5", "¥", ".", "１２", "9223372036854775807", "0x10", "+5", "1_000", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			return
		}
		core := strings.TrimSpace(s)
		core = strings.TrimPrefix(core, "¥")
		core = strings.TrimPrefix(core, "￥")
		core = strings.TrimSuffix(core, "元")
		core = strings.NewReplacer(",", "", "，", "", " ", "").Replace(core)
		if !amountPattern.MatchString(core) {
			t.Fatalf("Parse(%q) = %d accepted a non-amount (%q)", s, v, core)
		}
		want, ok := new(big.Rat).SetString(core)
		if !ok {
			t.Fatalf("big.Rat cannot read %q", core)
		}
		if got := big.NewRat(int64(v), 100); got.Cmp(want) != 0 {
			t.Fatalf("Parse(%q) = %d fen, want %s yuan", s, v, want.FloatString(2))
		}
		if v > maxYuan*100+99 || v < -(maxYuan*100+99) {
			t.Fatalf("Parse(%q) = %d beyond the bound", s, v)
		}
		for _, text := range []string{v.String(), v.Plain(), v.Yuan()} {
			if back, err := Parse(text); err != nil || back != v {
				t.Fatalf("%d prints as %q, which parses to %d, %v", v, text, back, err)
			}
		}
	})
}
