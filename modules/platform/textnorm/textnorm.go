// Package textnorm is the one place where text typed by people (forms,
// imported cells, later the API) is made safe to store, compare and show:
// invalid UTF-8, control characters, bidirectional overrides and
// zero-width characters are removed, line ends unified, surrounding space
// trimmed, and — where it cannot change meaning — full-width letters and
// digits folded to ASCII (NFKC).
//
// The levels, from least to most folding:
//
//   - Clean: free multi-line text (notes, descriptions). Keeps newlines
//     and tabs and every visible character as typed.
//   - Line: one-line text (titles, addresses). Clean, then every run of
//     white space (newlines and tabs included) becomes one space.
//   - Name: names of companies and people. Line, then full-width letters,
//     digits and spaces become ASCII, so "ＡＢＣ科技" is stored as
//     "ABC科技". Chinese punctuation such as （）、，is kept: NFKC would turn
//     the brackets of "哈尔滨市第一医院（南岗院区）" into ASCII ones, which
//     changes how the official name is written.
//   - Fold: codes, grades, phone numbers, e-mail addresses, amounts, dates,
//     user names — values with an ASCII meaning. Full NFKC.
//   - Key: Fold, lower-cased: for comparing (duplicate checks), never for
//     storing.
//
// Passwords are exempt from all of it (see IsSecretField): a password is
// compared byte for byte, and changing it would lock its owner out.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Clean makes free text safe: invalid UTF-8 dropped, CR LF and lone CR
// turned into LF (as are U+2028 and U+2029), C0 and C1 control characters
// other than tab and newline removed, invisible formatting characters
// (bidirectional embeddings, overrides and isolates, zero-width spaces and
// joiners, word joiners, BOM, soft hyphen, tag characters) removed, the
// result put in NFC and trimmed of white space at both ends.
func Clean(s string) string {
	if plainASCII(s) {
		return strings.TrimFunc(s, unicode.IsSpace)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue // the LF follows
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case isControl(r), Invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	if !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
	}
	return strings.TrimFunc(out, unicode.IsSpace)
}

// Strip only removes what must never be stored or sent on: invalid UTF-8,
// control characters other than tab, newline and carriage return, and
// invisible formatting characters. It neither trims nor normalises, for
// output of text stored before input was cleaned (exports).
func Strip(s string) string {
	if plainASCII(s) && !strings.ContainsRune(s, '\r') {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.Map(func(r rune) rune {
		if (isControl(r) && r != '\t' && r != '\n' && r != '\r') || Invisible(r) {
			return -1
		}
		return r
	}, s)
}

// Line is Clean for one-line text: any run of white space, newlines and
// tabs included, becomes a single space.
func Line(s string) string {
	return collapseSpace(Clean(s))
}

// Name is Line with full-width ASCII letters and digits folded to ASCII
// (and the ideographic space to a space, which Line already did). It is
// the part of NFKC that is safe for Chinese names.
func Name(s string) string {
	s = Line(s)
	if plainASCII(s) {
		return s
	}
	folded := strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			if n := r - 0xFEE0; isASCIIAlnum(n) {
				return n
			}
		}
		return r
	}, s)
	if folded == s {
		return s
	}
	// A folded letter may now compose with a following accent.
	return Line(folded)
}

// Fold is Line followed by NFKC: full-width forms, circled and
// compatibility characters become their plain equivalents. For values
// whose meaning is ASCII (codes, grades, phones, e-mail, amounts, dates).
func Fold(s string) string {
	s = Line(s)
	if plainASCII(s) {
		return s
	}
	// NFKC may produce new spaces (U+3000 → U+0020) or split characters
	// into ones that need collapsing again.
	return collapseSpace(norm.NFKC.String(s))
}

// Compact is Fold with every rune of cut removed: the form of phone
// numbers and codes that people type with spaces or dashes inside.
// Removing a rune joins its neighbours, and NFKC may then compose them
// ("A¨" folds to "A", a space and a combining diaeresis; without the space
// that is "Ä"), so the steps repeat until the value settles. Compact is
// therefore idempotent, which stored values compared with freshly typed
// ones need.
func Compact(s, cut string) string {
	return Settle(s, func(v string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(cut, r) {
				return -1
			}
			return r
		}, Fold(v))
	})
}

// Settle applies f until its result stops changing, for normalisers built
// from steps that can undo each other's work (removing characters, then
// composing, then changing case). Each step here only removes or composes
// characters, so a few rounds settle; the bound keeps a pathological input
// from looping, and the fuzz tests check idempotence on what survives it.
func Settle(s string, f func(string) string) string {
	out := f(s)
	for i := 0; i < 8; i++ {
		next := f(out)
		if next == out {
			return out
		}
		out = next
	}
	return out
}

// Key is the comparison form of s: Fold, lower-cased. Two texts that a
// person would call "the same" (ABC and ＡＢＣ, Ａbc and abc) have the same
// key. Lower-casing can undo NFKC's composition ("H̱" has no composed
// capital; its small "ẖ" is one rune), so the two repeat until the value
// settles: a key is its own key, which stored keys compared with fresh
// ones need.
func Key(s string) string {
	return Settle(s, func(v string) string { return strings.ToLower(Fold(v)) })
}

// IsSecretField reports whether a form field holds a password, which no
// normalisation may touch. Field names are matched case-insensitively:
// anything containing "password", and the "current" and "confirm" fields
// of the password change form.
func IsSecretField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || n == "current" || n == "confirm"
}

// Invisible reports whether r is a formatting character that shows
// nothing but can change how text around it is displayed or compared:
// bidirectional marks, embeddings, overrides and isolates; zero-width
// space, non-joiner and joiner; word joiner and invisible operators; BOM;
// soft hyphen; Mongolian vowel separator; Hangul fillers; interlinear
// annotation marks; tag characters.
func Invisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x061C, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5,
		r == 0x180E, r == 0x3164, r == 0xFEFF, r == 0xFFA0:
		return true
	case r >= 0x200B && r <= 0x200F: // ZWSP, ZWNJ, ZWJ, LRM, RLM
		return true
	case r >= 0x202A && r <= 0x202E: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2060 && r <= 0x206F: // word joiner, invisible operators, LRI…PDI, deprecated formats
		return true
	case r >= 0xFFF9 && r <= 0xFFFB: // interlinear annotation
		return true
	case r >= 0xE0000 && r <= 0xE007F: // tags
		return true
	}
	return false
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7F && r <= 0x9F)
}

// plainASCII reports whether s is printable ASCII, tab and newline only:
// the common case, which needs nothing but trimming.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F {
			return false
		}
	}
	return true
}

func isASCIIAlnum(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
}

// collapseSpace turns every run of white space into one space and trims.
func collapseSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}
