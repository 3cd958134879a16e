package pdf

import (
	"math"
	"strings"
	"unicode"
)

// WrapLines breaks text into lines no wider than width (mm) in d's body font,
// the way Paragraph does. It exists because gofpdf's MultiCell and SplitText
// drop one CJK character at every automatic break. The rules:
//
//   - "\n" always breaks; an empty input line gives an empty output line;
//   - a line may break between any two CJK characters (Han, kana, Hangul,
//     fullwidth forms and CJK punctuation) and between CJK and Latin text;
//   - Latin text breaks only at spaces; the spaces at a break are dropped,
//     and a word longer than the width is split between characters;
//   - closing punctuation (，。、；：！？）」』 …) never starts a line and
//     opening punctuation (（「『“ …) never ends one: such a mark stays with
//     its neighbour, and if the pair does not fit, both move to the next
//     line (the width is never exceeded). Only a run of closing marks longer
//     than a whole line is split, as it must be;
//   - apart from the spaces at breaks, no character is ever lost. Tabs become
//     spaces, other control characters become spaces; characters the main
//     font lacks are drawn in the fallback font (CJK Extension A, B …), and
//     those no font has become Missing (□), never U+FFFD.
//
// A single character wider than width is put on a line of its own.
func WrapLines(d *Doc, text string, width float64) []string {
	return d.wrap(text, width, d.bodyPt)
}

// wrap is WrapLines at font size pt.
func (d *Doc) wrap(text string, width, pt float64) []string {
	// gofpdf's GetStringWidth is sum(advance units) * (pt/k) / 1000; work in
	// integer units so a line fits exactly when GetStringWidth says it does.
	maxU := int(math.Floor(width*1000/(pt/d.k) + 1e-9))
	var out []string
	for _, para := range strings.Split(d.clean(text), "\n") {
		out = breakParagraph([]rune(para), maxU, d.runeUnits, out)
	}
	return out
}

// sanitize normalises line ends and turns tabs and control characters
// into spaces.
func sanitize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return '\n'
		case r == '\t', unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

// Missing is what a character neither the regular nor the fallback font
// can draw is printed as (an emoji, a symbol, a Han character outside the
// fallback's set): "□", the mark Chinese print uses for a missing
// character (缺字), instead of gofpdf's garbage or "�". A sequence joined
// by U+200D (an emoji family) is one □; variation selectors, emoji skin
// tones and tag characters are dropped.
const Missing = '□'

// clean is sanitize, then every character the document's fonts cannot
// draw becomes Missing.
func (d *Doc) clean(s string) string {
	s = sanitize(s)
	var b strings.Builder
	b.Grow(len(s))
	joined := false
	for _, r := range s {
		switch {
		case r == 0x200D: // zero width joiner: what follows joins the mark before
			joined = true
			continue
		case (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF) || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F):
			continue
		}
		if r == '\n' || r == ' ' || d.fonts.covers(r) {
			b.WriteRune(r)
		} else if _, ok := d.fonts.fallbackCode(r); ok {
			b.WriteRune(r)
		} else if !joined {
			b.WriteRune(Missing)
		}
		joined = false
	}
	return b.String()
}

// token is an unbreakable piece of a paragraph, or a run of spaces at which
// a line may break.
type token struct {
	r     []rune
	space bool
}

// breakParagraph appends the lines of one paragraph (no "\n") to out.
func breakParagraph(r []rune, maxU int, units func(rune) int, out []string) []string {
	toks := tokenize(r)
	width := func(rs []rune) int {
		n := 0
		for _, c := range rs {
			n += units(c)
		}
		return n
	}

	var line []rune // always empty or containing a non-space rune
	lineU := 0
	var pend []rune // spaces seen since the last text token
	pendU := 0
	first := true // still on the paragraph's first line: keep indentation
	emit := func() {
		out = append(out, string(line))
		line, lineU, first = nil, 0, false
	}
	for _, t := range toks {
		if t.space {
			if len(line) == 0 && !first {
				continue // spaces at a break are dropped
			}
			pend = append(pend, t.r...)
			pendU += width(t.r)
			continue
		}
		tu := width(t.r)
		if lineU+pendU+tu <= maxU {
			line = append(append(line, pend...), t.r...)
			lineU += pendU + tu
			pend, pendU = pend[:0], 0
			continue
		}
		pend, pendU = pend[:0], 0
		if len(line) > 0 {
			emit()
		}
		if tu <= maxU {
			line, lineU = append(line, t.r...), tu
			continue
		}
		// Too wide for any line: split between characters. All but the last
		// piece are emitted; the last one continues as the current line.
		s := 0
		for {
			e, u := s, 0
			for e < len(t.r) && u+units(t.r[e]) <= maxU {
				u += units(t.r[e])
				e++
			}
			if e == len(t.r) {
				line, lineU = append(line, t.r[s:]...), u
				break
			}
			j := splitPoint(t.r, s, e)
			line = trimSpaces(t.r[s:j])
			emit()
			for s = j; s < len(t.r) && t.r[s] == ' '; s++ {
			}
			if s == len(t.r) {
				break
			}
		}
	}
	if len(line) > 0 || first {
		emit()
	}
	return out
}

// splitPoint chooses where to split r[s:] when r[e] is the first rune that
// does not fit: the last position in (s, e] that neither starts the next line
// with closing punctuation nor ends this one with opening punctuation, else
// one that at least avoids the former, else e. It returns at least s+1.
func splitPoint(r []rune, s, e int) int {
	if e <= s {
		return s + 1
	}
	ok := func(k int) bool { return r[k] != ' ' && !noStart(r[k]) }
	for k := e; k > s; k-- {
		if ok(k) && !noEnd(lastNonSpace(r[s:k])) {
			return k
		}
	}
	for k := e; k > s; k-- {
		if ok(k) {
			return k
		}
	}
	return e
}

// tokenize cuts a paragraph at its break opportunities.
func tokenize(r []rune) []token {
	var toks []token
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, token{r: cur})
			cur = nil
		}
	}
	for i := 0; i < len(r); {
		if r[i] == ' ' {
			j := i
			for j < len(r) && r[j] == ' ' {
				j++
			}
			prev := lastNonSpace(cur)
			if j < len(r) && (noStart(r[j]) || noEnd(prev)) {
				// No break here: glue the spaces and the next rune to cur.
				cur = append(cur, r[i:j+1]...)
				i = j + 1
				continue
			}
			flush()
			toks = append(toks, token{r: r[i:j], space: true})
			i = j
			continue
		}
		if len(cur) > 0 && canBreak(cur[len(cur)-1], r[i]) {
			flush()
		}
		cur = append(cur, r[i])
		i++
	}
	flush()
	return toks
}

// canBreak reports whether a line may break between the non-space runes a
// and b.
func canBreak(a, b rune) bool {
	if a == ' ' || noStart(b) || noEnd(a) {
		return false
	}
	if a == b && (a == '—' || a == '…' || a == '─') {
		return false // keep —— and …… whole
	}
	return isCJK(a) || isCJK(b)
}

func lastNonSpace(r []rune) rune {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] != ' ' {
			return r[i]
		}
	}
	return 0
}

func trimSpaces(r []rune) []rune {
	for len(r) > 0 && r[len(r)-1] == ' ' {
		r = r[:len(r)-1]
	}
	return r
}

// isCJK reports whether r is a character between which and its neighbours a
// line may break: ideographs, kana, Hangul, CJK and fullwidth punctuation.
func isCJK(r rune) bool {
	switch {
	case r < 0x2000:
		return false
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo):
		return true
	case r >= 0x3000 && r <= 0x303F, // CJK symbols and punctuation
		r >= 0xFF00 && r <= 0xFFEF, // halfwidth and fullwidth forms
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0x2E80 && r <= 0x2FDF, // radicals
		r >= 0x3200 && r <= 0x33FF, // enclosed letters, compatibility
		r == '—', r == '…', r == '“', r == '”', r == '‘', r == '’', r == '·', r == '─':
		return true
	}
	return false
}

// noStart are closing marks that must not begin a line (避头).
func noStart(r rune) bool {
	return strings.ContainsRune("，。、；：！？）」』】》〉〕〗〙〛｝］＞”’…‥・ー～〜％‰℃,.;:!?)]}%", r)
}

// noEnd are opening marks (and prefix currency signs) that must not end a
// line (避尾).
func noEnd(r rune) bool {
	return r != 0 && strings.ContainsRune("（「『【《〈〔〖〘〚｛［＜“‘([{￥＄¥$€£", r)
}
