package money

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCapital(t *testing.T) {
	cases := []struct {
		in   string // yuan, through Parse so the table reads like the forms
		want string
	}{
		// The examples of the brief / regulation.
		{"0.05", "伍分"},
		{"0.50", "伍角整"},
		{"1.05", "壹元零伍分"},
		{"10.50", "壹拾元伍角整"},
		{"1005.00", "壹仟零伍元整"},
		{"10005.00", "壹万零伍元整"},
		{"10005.60", "壹万零伍元陆角整"},
		{"12345.60", "壹万贰仟叁佰肆拾伍元陆角整"},
		{"100000.00", "壹拾万元整"},
		{"100010.00", "壹拾万零壹拾元整"},
		{"1010000.00", "壹佰零壹万元整"},
		{"1000005.00", "壹佰万零伍元整"},
		{"100000000.00", "壹亿元整"},
		{"100010000.00", "壹亿零壹万元整"},
		{"0.00", "零元整"},
		{"0.30", "叁角整"},
		{"0.35", "叁角伍分"},
		{"1.30", "壹元叁角整"},
		{"1.03", "壹元零叁分"},
		{"120.00", "壹佰贰拾元整"},
		{"1000000000000.00", "壹万亿元整"},

		// Fractions.
		{"0.01", "壹分"},
		{"0.10", "壹角整"},
		{"0.99", "玖角玖分"},
		{"1.00", "壹元整"},
		{"1.10", "壹元壹角整"},
		{"1.11", "壹元壹角壹分"},
		{"10.03", "壹拾元零叁分"},
		{"100.05", "壹佰元零伍分"},
		{"10000.01", "壹万元零壹分"},

		// Tens: always 壹拾.
		{"10", "壹拾元整"},
		{"11", "壹拾壹元整"},
		{"19", "壹拾玖元整"},
		{"20", "贰拾元整"},
		{"110", "壹佰壹拾元整"},
		{"101", "壹佰零壹元整"},
		{"1001", "壹仟零壹元整"},
		{"1010", "壹仟零壹拾元整"},
		{"1100", "壹仟壹佰元整"},
		{"9999", "玖仟玖佰玖拾玖元整"},

		// The 万 boundary.
		{"10000", "壹万元整"},
		{"10001", "壹万零壹元整"},
		{"10010", "壹万零壹拾元整"},
		{"10100", "壹万零壹佰元整"},
		{"11000", "壹万壹仟元整"},
		{"107000", "壹拾万柒仟元整"},
		{"100001", "壹拾万零壹元整"},
		{"110000", "壹拾壹万元整"},
		{"1680.32", "壹仟陆佰捌拾元叁角贰分"},
		{"1070000.53", "壹佰零柒万元伍角叁分"},
		{"10000000", "壹仟万元整"},
		{"10000001", "壹仟万零壹元整"},
		{"10001000", "壹仟万壹仟元整"},
		{"99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},

		// The 亿 boundary.
		{"100000001", "壹亿零壹元整"},
		{"100001000", "壹亿零壹仟元整"},
		{"101000000", "壹亿零壹佰万元整"},
		{"110000000", "壹亿壹仟万元整"},
		{"110000001", "壹亿壹仟万零壹元整"},
		{"1000000000", "壹拾亿元整"},
		{"1000000010", "壹拾亿零壹拾元整"},
		{"1234567890.12", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"},
		{"10000000000", "壹佰亿元整"},
		{"100000000000", "壹仟亿元整"},
		{"100000000001", "壹仟亿零壹元整"},
		{"100100000000", "壹仟零壹亿元整"},
		{"999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"},

		// Negative amounts.
		{"-0.05", "负伍分"},
		{"-1", "负壹元整"},
		{"-12345.60", "负壹万贰仟叁佰肆拾伍元陆角整"},
	}
	for _, c := range cases {
		f, err := Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if got := f.Capital(); got != c.want {
			t.Errorf("%s.Capital() = %s, want %s", c.in, got, c.want)
		}
	}
}

// Beyond money's bound (never produced by Parse or the line arithmetic)
// Capital keeps the same scheme instead of failing.
func TestCapitalBeyondBound(t *testing.T) {
	cases := []struct {
		in   Fen
		want string
	}{
		{100_000_000_000_000 + 1, "壹万亿元零壹分"},
		{100_000_000_000_000 + 100, "壹万亿零壹元整"},
		{150_000_000_000_000, "壹万伍仟亿元整"},
		{100_010_000_000_000, "壹万零壹亿元整"},
		{1_000_000_000_000_000_000, "壹亿亿元整"},
		// 922,337,203 亿 + 68,547,758: the 亿 count is itself read with 亿 and 万.
		{math.MaxInt64, "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"},
		{math.MinInt64, "负玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分"},
	}
	for _, c := range cases {
		if got := c.in.Capital(); got != c.want {
			t.Errorf("Fen(%d).Capital() = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestCapitalProperties checks the rules on every amount up to ¥200.00, on
// every whole amount up to ¥120,000 and on random amounts of every size,
// most of them full of zeros since the zeros are where 大写 goes wrong.
func TestCapitalProperties(t *testing.T) {
	check := func(f Fen) {
		t.Helper()
		s := f.Capital()
		if err := capitalWellFormed(f, s); err != nil {
			t.Fatalf("Fen(%d).Capital() = %s: %v", f, s, err)
		}
		back, err := parseCapital(s)
		if err != nil || back != f {
			t.Fatalf("Fen(%d).Capital() = %s, reads back as %d, %v", f, s, back, err)
		}
	}
	for f := Fen(0); f <= 20_000; f++ {
		check(f)
	}
	for y := Fen(0); y <= 120_000; y++ {
		check(y * 100)
	}
	rng := rand.New(rand.NewPCG(2024, 11))
	const maxFen = maxYuan * 100
	for range 200_000 {
		var f Fen
		switch rng.IntN(3) {
		case 0: // uniform over the whole money range
			f = Fen(rng.Int64N(maxFen + 1))
		case 1: // uniform number of digits
			f = Fen(rng.Int64N(pow10(rng.IntN(15)) + 1))
		default: // each digit zero with probability 1/2
			for range 1 + rng.IntN(15) {
				d := Fen(0)
				if rng.IntN(2) == 0 {
					d = Fen(1 + rng.IntN(9))
				}
				f = f*10 + d
			}
			f = min(f, maxFen)
		}
		if rng.IntN(10) == 0 {
			f = -f
		}
		check(f)
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// capitalWellFormed checks the written form without reading its value.
func capitalWellFormed(f Fen, s string) error {
	const allowed = "负零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整"
	for _, r := range s {
		if !strings.ContainsRune(allowed, r) {
			return errors.New("character " + string(r) + " not allowed")
		}
	}
	body := strings.TrimPrefix(s, "负")
	switch {
	case strings.Contains(body, "负"):
		return errors.New("负 not only at the start")
	case (f < 0) != strings.HasPrefix(s, "负"):
		return errors.New("负 does not match the sign")
	case strings.Contains(s, "零零"):
		return errors.New("零零")
	case strings.Contains(s, "零元") && f != 0:
		return errors.New("零元 for a non-zero amount")
	case strings.HasPrefix(body, "零") && f != 0:
		return errors.New("starts with 零")
	case strings.Contains(s, "零万") || strings.Contains(s, "零亿") || strings.Contains(s, "零角") || strings.Contains(s, "零分") || strings.Contains(s, "零整"):
		return errors.New("零 before a unit")
	case strings.Count(s, "元") > 1 || strings.Count(s, "整") > 1:
		return errors.New("元 or 整 twice")
	case strings.HasSuffix(s, "整") == strings.HasSuffix(s, "分"):
		return errors.New("must end in exactly one of 整 and 分")
	case strings.HasSuffix(s, "分") && f%100 == 0:
		return errors.New("分 without fen")
	case (f <= -100 || f >= 100) != strings.Contains(s, "元") && f != 0:
		return errors.New("元 must be written exactly when there is a whole yuan")
	}
	return nil
}

// parseCapital is an independent reader of 大写 amounts, strict enough that
// a misplaced or missing unit is an error rather than a different number:
// inside a 4-digit group the units must come in the order 仟佰拾, each after
// exactly one digit; 零 only stands for skipped positions and has no value.
func parseCapital(s string) (Fen, error) {
	neg := strings.HasPrefix(s, "负")
	s = strings.TrimPrefix(s, "负")
	if s == "零元整" {
		if neg {
			return 0, errors.New("负零")
		}
		return 0, nil
	}
	var yuan uint64
	if whole, rest, ok := strings.Cut(s, "元"); ok {
		y, err := readBig(strings.ReplaceAll(whole, "零", ""))
		if err != nil {
			return 0, err
		}
		if y == 0 {
			return 0, errors.New("empty yuan part")
		}
		yuan, s = y, strings.TrimPrefix(rest, "零")
	}
	var frac uint64
	if j, rest, ok := strings.Cut(s, "角"); ok {
		d, ok := capitalDigit(j)
		if !ok || d == 0 {
			return 0, errors.New("bad 角")
		}
		frac, s = uint64(d)*10, rest
	}
	switch {
	case s == "整":
	case strings.HasSuffix(s, "分"):
		d, ok := capitalDigit(strings.TrimSuffix(s, "分"))
		if !ok || d == 0 {
			return 0, errors.New("bad 分")
		}
		frac += uint64(d)
	default:
		return 0, errors.New("bad ending " + s)
	}
	if yuan > math.MaxInt64/100+1 {
		return 0, errors.New("too large")
	}
	n := yuan*100 + frac // wraps exactly to MinInt64's magnitude at the edge
	if neg {
		return Fen(-n), nil
	}
	if n > math.MaxInt64 {
		return 0, errors.New("too large")
	}
	return Fen(n), nil
}

// readBig reads a number without 零: the part before the last 亿 counts
// 亿s (so 万亿 and 亿亿 come out right), the part after it is below 10^8.
func readBig(s string) (uint64, error) {
	hi, lo, ok := cutLast(s, "亿")
	if !ok {
		return readUnder1e8(s)
	}
	h, err := readBig(hi)
	if err != nil || h == 0 {
		return 0, errors.New("bad 亿 part")
	}
	l, err := readUnder1e8(lo)
	return h*100_000_000 + l, err
}

func readUnder1e8(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "万")
	if !ok {
		return readGroup(s)
	}
	h, err := readGroup(hi)
	if err != nil || h == 0 {
		return 0, errors.New("bad 万 part")
	}
	l, err := readGroup(lo)
	return h*10_000 + l, err
}

func readGroup(s string) (uint64, error) {
	units := []struct {
		unit  string
		value uint64
	}{{"仟", 1000}, {"佰", 100}, {"拾", 10}}
	var n uint64
	rs := []rune(s)
	for _, u := range units {
		for i, r := range rs {
			if string(r) != u.unit {
				continue
			}
			if i != 1 {
				return 0, errors.New("unit " + u.unit + " not after exactly one digit")
			}
			d, ok := capitalDigit(string(rs[0]))
			if !ok || d == 0 {
				return 0, errors.New("bad digit before " + u.unit)
			}
			n += uint64(d) * u.value
			rs = rs[2:]
			break
		}
	}
	switch len(rs) {
	case 0:
		return n, nil
	case 1:
		if d, ok := capitalDigit(string(rs)); ok && d != 0 {
			return n + uint64(d), nil
		}
	}
	return 0, errors.New("bad group " + s)
}

func capitalDigit(s string) (int, bool) {
	for d, c := range capitalDigits {
		if s == c {
			return d, true
		}
	}
	return 0, false
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
