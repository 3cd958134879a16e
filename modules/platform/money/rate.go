package money

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// Rate is the share of a list price that is charged, in basis points:
// FullRate (10000) is the list price, 8500 is 85 % of it (a 15 % discount,
// 八五折), 0 is free. Rates are integers so that prices at a rate are
// exact; see LineNet for the one place where rounding happens.
type Rate int

// FullRate is 100 % of the list price.
const FullRate Rate = 10000

// Errors of ParseRate and of the line arithmetic.
var (
	ErrRateFormat = errors.New("not a percentage with at most two decimals")
	ErrRateRange  = errors.New("percentage outside 0–100")
	// ErrOverflow: the result would leave money's bound (±10^12 yuan), so
	// it cannot be stored, summed or shown exactly.
	ErrOverflow = errors.New("amount out of range")
)

// maxFen is money's bound in fen: sums of up to ~90,000 such amounts still
// fit in int64, so totals over many lines cannot wrap around.
const maxFen = maxYuan * 100

// ParseRate reads a percentage as typed in a form ("85", "85.5", "85.25",
// "85%", "100") into a Rate (8500, 8550, 8525, 8500, 10000) with integer
// arithmetic only. More than two decimals is an error, not a rounding; so
// is anything outside 0–100.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％"))
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" || hasDot && frac == "" || len(frac) > 2 || len(whole) > 3 {
		return 0, ErrRateFormat
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, ErrRateFormat
			}
		}
	}
	w := 0
	if whole != "" {
		w, _ = strconv.Atoi(whole) // at most three digits, checked above
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.Atoi(frac)
	r := Rate(w*100 + f)
	if r > FullRate {
		return 0, ErrRateRange
	}
	return r, nil
}

// Valid reports whether r is between 0 and 100 %.
func (r Rate) Valid() bool { return r >= 0 && r <= FullRate }

// Percent shows the rate as a percentage without the sign and without
// trailing zeros: 8500 → "85", 8550 → "85.5", 8525 → "85.25".
func (r Rate) Percent() string {
	bp := int(r)
	neg := bp < 0
	if neg {
		bp = -bp
	}
	out := strconv.Itoa(bp / 100)
	switch f := bp % 100; {
	case f == 0:
	case f%10 == 0:
		out += "." + strconv.Itoa(f/10)
	default:
		out += "." + strconv.Itoa(f/10) + strconv.Itoa(f%10)
	}
	if neg {
		return "-" + out
	}
	return out
}

// Discount is what is taken off the list price, as a rate (8500 → 1500).
func (r Rate) Discount() Rate { return FullRate - r }

// LineNet is the net amount of a proposal or contract line: unit price ×
// quantity × rate, computed exactly (big integers, no float anywhere) and
// rounded once, to the fen, half away from zero. Rounding the product of
// the line rather than the unit price is deliberate: a 1,000-line order at
// ¥0.015 per unit costs ¥15.00, not 1,000 × ¥0.02. A line outside money's
// bound is ErrOverflow, never a wrapped int64.
func LineNet(unit Fen, qty int64, r Rate) (Fen, error) {
	if !r.Valid() {
		return 0, ErrRateRange
	}
	n := new(big.Int).Mul(big.NewInt(int64(unit)), big.NewInt(qty))
	n.Mul(n, big.NewInt(int64(r)))
	return roundDiv(n, int64(FullRate))
}

// AtRate is amount at rate r, exact to the fen: rounded up when up is true
// (a floor price must not be undercut by rounding), otherwise half away
// from zero like LineNet.
func AtRate(amount Fen, r Rate, up bool) Fen {
	n := new(big.Int).Mul(big.NewInt(int64(amount)), big.NewInt(int64(r)))
	if !up {
		f, err := roundDiv(n, int64(FullRate))
		if err != nil {
			return 0
		}
		return f
	}
	q, m := new(big.Int).QuoRem(n, big.NewInt(int64(FullRate)), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return Fen(q.Int64())
}

// roundDiv is n / d rounded half away from zero, within money's bound.
func roundDiv(n *big.Int, d int64) (Fen, error) {
	bd := big.NewInt(d)
	q, m := new(big.Int).QuoRem(n, bd, new(big.Int)) // truncates toward zero
	m.Abs(m).Mul(m, big.NewInt(2))
	if m.Cmp(bd) >= 0 {
		q.Add(q, big.NewInt(int64(n.Sign())))
	}
	if !q.IsInt64() || q.Int64() > maxFen || q.Int64() < -maxFen {
		return 0, ErrOverflow
	}
	return Fen(q.Int64()), nil
}

// Times is f × n, exactly, or ErrOverflow (e.g. a monthly fee over a term).
func Times(f Fen, n int64) (Fen, error) {
	p := new(big.Int).Mul(big.NewInt(int64(f)), big.NewInt(n))
	if !p.IsInt64() || p.Int64() > maxFen || p.Int64() < -maxFen {
		return 0, ErrOverflow
	}
	return Fen(p.Int64()), nil
}

// Sum adds amounts, or returns ErrOverflow when the total (or any
// operand) leaves money's bound.
func Sum(fs ...Fen) (Fen, error) {
	var t Fen
	for _, f := range fs {
		if f > maxFen || f < -maxFen {
			return 0, ErrOverflow
		}
		t += f // |t| ≤ 2·maxFen before the check below: no wrap-around
		if t > maxFen || t < -maxFen {
			return 0, ErrOverflow
		}
	}
	return t, nil
}
