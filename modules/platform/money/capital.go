package money

import "strings"

// Capital writes the amount in 人民币大写, the anti-tampering form Chinese
// banks, cheques and invoices require, following 中国人民银行《支付结算办法》
// 附件「正确填写票据和结算凭证的基本规定」. The "人民币" prefix is not included:
// callers add it where the form wants it (some forms print it themselves).
//
// Characters: digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a four-digit
// group, group units 万 (10^4) and 亿 (10^8), then 元 角 分 and 整. Groups
// nest the way they are read aloud, so 10^12 is 万亿 (壹万亿元整) and
// 1.5×10^12 is 壹万伍仟亿元整. Amounts beyond money's bound of 10^12 yuan never
// come out of Parse or the line arithmetic, but Capital still writes every
// Fen (up to 亿亿) instead of panicking inside a template.
//
// Rules, with the choices made where the regulation allows two spellings:
//
//   - Every non-zero digit is written with its unit, including a leading
//     one in the tens place: 10 元 is 壹拾元整, never 拾元整, so nothing can
//     be written in front of it.
//   - A run of zeros between written digits of the yuan part is one 零,
//     also across group boundaries: 1005 → 壹仟零伍元整, 100010 →
//     壹拾万零壹拾元整, 100010000 → 壹亿零壹万元整.
//   - Zeros at the end of a group are not written, the group unit follows
//     the last non-zero digit: 100000 → 壹拾万元整, 1010000 → 壹佰零壹万元整.
//     A group that starts with zeros after a written group gets one 零:
//     1000005 → 壹佰万零伍元整, 10100 → 壹万零壹佰元整. A group whose first
//     digit is non-zero gets no 零 even when the group before ended in zero
//     (107000 → 壹拾万柒仟元整; the regulation allows either).
//   - The yuan part therefore never ends in 零, and never starts with it
//     except for a zero amount, which is 零元整.
//   - Between 元 and 角 no 零 is written even when the yuan part ends in zero
//     (10.50 → 壹拾元伍角整; the regulation allows either). When 角 is zero
//     and 分 is not, 元 is followed by 零 (1.05 → 壹元零伍分), as required.
//   - Below one yuan the yuan part is left out, there is nothing to protect
//     and banks write it that way: 0.50 → 伍角整, 0.35 → 叁角伍分, 0.05 →
//     伍分 (no 零角, no 零元). So 零元 appears only in 零元整.
//   - 整 follows 元 when there are no 角 or 分, and follows 角 when there is
//     no 分 (壹元叁角整); the regulation permits 正 and permits leaving it
//     out after 角, we always write 整 so one spelling covers both cases.
//     An amount with 分 ends in 分 and has no 整.
//   - Negative amounts (credit notes, refunds) get the prefix 负.
func (f Fen) Capital() string {
	// Work in uint64 so that the magnitude of math.MinInt64 is representable.
	n := uint64(f)
	var b strings.Builder
	if f < 0 {
		n = -n
		b.WriteString("负")
	}
	yuan, jiao, fen := n/100, n/10%10, n%10
	switch {
	case n == 0:
		return "零元整"
	case yuan > 0:
		b.WriteString(capitalInt(yuan))
		b.WriteString("元")
		if jiao == 0 && fen != 0 {
			b.WriteString("零")
		}
	}
	if jiao != 0 {
		b.WriteString(capitalDigits[jiao])
		b.WriteString("角")
	}
	if fen != 0 {
		b.WriteString(capitalDigits[fen])
		b.WriteString("分")
	} else {
		b.WriteString("整")
	}
	return b.String()
}

var capitalDigits = [10]string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}

// capitalInt writes n > 0 in capital numerals. Numbers of 亿 and above are
// written as (n / 10^8)亿 followed by the rest, recursively, which yields
// 万亿 and 亿亿 the way they are read. The rest gets one 零 when its highest
// digit position (千万) is zero, i.e. when digits are skipped between 亿 and
// the first written digit.
func capitalInt(n uint64) string {
	const yi = 100_000_000
	if n < yi {
		return capitalUnder1e8(n)
	}
	s := capitalInt(n/yi) + "亿"
	rest := n % yi
	switch {
	case rest == 0:
		return s
	case rest < yi/10:
		return s + "零" + capitalUnder1e8(rest)
	default:
		return s + capitalUnder1e8(rest)
	}
}

// capitalUnder1e8 writes 0 < n < 10^8 as an optional 万 group and a units
// group, with one 零 when the units group starts with zeros after a 万
// group.
func capitalUnder1e8(n uint64) string {
	hi, lo := n/10_000, n%10_000
	if hi == 0 {
		return capitalGroup(lo)
	}
	s := capitalGroup(hi) + "万"
	switch {
	case lo == 0:
		return s
	case lo < 1000:
		return s + "零" + capitalGroup(lo)
	default:
		return s + capitalGroup(lo)
	}
}

// capitalGroup writes 0 < g < 10^4: leading zeros are skipped, a run of
// inner zeros is one 零, trailing zeros are dropped.
func capitalGroup(g uint64) string {
	units := [4]string{"仟", "佰", "拾", ""}
	var b strings.Builder
	started, zero := false, false
	for i, div := 0, uint64(1000); div > 0; i, div = i+1, div/10 {
		d := g / div % 10
		if d == 0 {
			zero = started
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		b.WriteString(capitalDigits[d])
		b.WriteString(units[i])
		started = true
	}
	return b.String()
}
