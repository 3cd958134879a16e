package prospects

import (
	"strings"
	"testing"
)

// FuzzCreditCode: normalising is idempotent and never panics; validation
// fails only with its sentinels, and what it accepts satisfies GB
// 32100-2015 as checked here independently — 18 characters of the code
// set, a defined authority and category, a six-digit division and the
// check character computed from scratch.
func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "９１３５０１００ｍ０００１００ｙ４３", " 91350100M000100Y43 ", "91350100M000100Y44",
		"", "I1350100M000100Y43", "91350100M000100Y4", "Y1350100M000100Y43", "9135A100M000100Y43", "91350100M000100Y43\x00", "\u200B91350100M000100Y43", "A¨", "9¨1350100M000100Y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeCreditCode(s)
		if NormalizeCreditCode(n) != n {
			t.Fatalf("NormalizeCreditCode is not idempotent on %q: %q", s, n)
		}
		for _, in := range []string{s, n} {
			err := ValidateCreditCode(in)
			if err != nil {
				if creditCodeMessage(err) == "v.credit_code" {
					t.Fatalf("ValidateCreditCode(%q): unexpected error %v", in, err)
				}
				continue
			}
			if !validByGB32100(in) {
				t.Fatalf("ValidateCreditCode accepted %q", in)
			}
		}
		if validByGB32100(n) && ValidateCreditCode(n) != nil {
			t.Fatalf("ValidateCreditCode refused the valid %q", n)
		}
	})
}

// validByGB32100 is a second, plain reading of the standard.
func validByGB32100(code string) bool {
	const set = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	if len(code) != 18 {
		return false
	}
	categories := map[byte]string{'1': "1239", '2': "1239", '3': "123459", '4': "1239", '5': "1239", '6': "1239",
		'7': "1239", '8': "1239", '9': "123", 'A': "1239", 'N': "1239", 'Y': "1"}
	if !strings.ContainsRune(categories[code[0]], rune(code[1])) {
		return false
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	sum, weight := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(set, code[i])
		if v < 0 {
			return false
		}
		sum += v * weight
		weight = weight * 3 % 31
	}
	check := (31 - sum%31) % 31
	return strings.IndexByte(set, code[17]) == check
}
