package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchTerms are the forms in which the text of a list's search box is
// looked for in stored text, lower-cased, without duplicates, in this
// order:
//
//   - Name's folding, which is how names are stored: full-width letters
//     and digits become ASCII, Chinese punctuation stays. "ＡＢＣ９" finds
//     "ABC9", and "（南岗院区）" still finds the bracketed branch name.
//   - Full NFKC (Key): codes and numbers typed with full-width dashes or
//     slashes ("ＨＴ２０２６－０００１") find the ASCII ones.
//   - The text as typed (Line), lower-cased, so text stored with
//     full-width letters (a title typed in a Chinese input method) is
//     still found by itself; and, when it has upper-case letters beyond
//     ASCII, exactly as typed, because SQLite's LOWER() lower-cases ASCII
//     only.
//
// An empty or blank search has no terms. Every store's search goes
// through it (db.Contains), so every list folds the same way.
func SearchTerms(q string) []string {
	line := Line(q)
	if line == "" {
		return nil
	}
	out := make([]string, 0, 3)
	forms := []string{strings.ToLower(Name(line)), Key(line), strings.ToLower(line)}
	if strings.IndexFunc(line, func(r rune) bool { return r >= utf8.RuneSelf && unicode.IsUpper(r) }) >= 0 {
		forms = append(forms, line)
	}
	for _, t := range forms {
		if t != "" && !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
