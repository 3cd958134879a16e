// Package money is exact money: amounts are integer fen (分, 1/100 yuan),
// never floats, parsed from and shown as yuan with two decimals.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (0.01 CNY).
type Fen int64

// ErrInvalid is returned for text that is not an amount.
var ErrInvalid = errors.New("not a valid amount")

// maxYuan bounds amounts so that sums of many lines cannot overflow int64.
const maxYuan = 1_000_000_000_000 // one trillion yuan

// Parse reads a yuan amount such as "12345.6", "12,345.67", "¥1 000" or
// "-3". More than two decimals is an error, not a rounding.
func Parse(s string) (Fen, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	s = strings.TrimSuffix(s, "元")
	s = strings.NewReplacer(",", "", "，", "", " ", "").Replace(s)
	if s == "" {
		return 0, ErrInvalid
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && !hasDot || len(frac) > 2 || (hasDot && frac == "" && whole == "") {
		return 0, ErrInvalid
	}
	if whole == "" {
		whole = "0"
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, ErrInvalid
			}
		}
	}
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || y > maxYuan {
		return 0, ErrInvalid
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := Fen(y*100 + f)
	if neg {
		v = -v
	}
	return v, nil
}

// String shows the amount in yuan with two decimals and thousands
// separators, e.g. "12,345.60".
func (f Fen) String() string {
	neg := f < 0
	if neg {
		f = -f
	}
	y := strconv.FormatInt(int64(f/100), 10)
	var b strings.Builder
	for i, r := range y {
		if i > 0 && (len(y)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + leftPad(strconv.FormatInt(int64(f%100), 10))
	if neg {
		return "-" + out
	}
	return out
}

// Plain shows the amount without separators ("12345.60"), for inputs and
// exports.
func (f Fen) Plain() string {
	return strings.ReplaceAll(f.String(), ",", "")
}

// Yuan shows the amount with the currency sign, e.g. "¥12,345.60".
func (f Fen) Yuan() string { return "¥" + f.String() }

func leftPad(s string) string {
	if len(s) < 2 {
		return "0" + s
	}
	return s
}
