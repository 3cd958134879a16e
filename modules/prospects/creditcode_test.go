package prospects

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// validCreditCodes are codes that must pass: published codes, checked
// against the algorithm, and codes built from realistic prefixes.
func validCreditCodes() []string {
	return []string{
		"91350100M000100Y43", // the worked example of GB 32100-2015
		"91110108551385082Q", // published codes of well-known companies
		"91440300708461136T",
		MakeCreditCode("91230100127042581"), // enterprise, Harbin
		MakeCreditCode("91230103MA1C8KXL7"), // enterprise with a new-style subject identifier
		MakeCreditCode("12230000414000267"), // public institution (事业单位), Heilongjiang
		MakeCreditCode("11230100000000123"), // government body (机关)
		MakeCreditCode("92230103MA19XKL21"), // individual business (个体工商户)
		MakeCreditCode("93230600MA1BY0D4X"), // farmers' cooperative (农民专业合作社), Daqing
		MakeCreditCode("51230000501234567"), // social organisation (社会团体)
		MakeCreditCode("N2230112MF0000017"), // village collective (村级集体经济组织)
		MakeCreditCode("31230000MD0123456"), // law firm (律师执业机构)
		MakeCreditCode("34230000MD0123456"), // forensic institute (司法鉴定机构)
		MakeCreditCode("Y1230100MA0000001"), // other (其他)
	}
}

func TestValidateCreditCodeValid(t *testing.T) {
	for _, code := range validCreditCodes() {
		if err := ValidateCreditCode(code); err != nil {
			t.Errorf("ValidateCreditCode(%q) = %v, want nil", code, err)
		}
	}
}

func TestValidateCreditCodeInvalid(t *testing.T) {
	good := "91350100M000100Y43"
	tests := []struct {
		name, code string
		want       error
	}{
		{"empty", "", ErrCreditCodeLength},
		{"17 chars", good[:17], ErrCreditCodeLength},
		{"19 chars", good + "0", ErrCreditCodeLength},
		{"full-width not normalised", "９" + good[1:], ErrCreditCodeChars},
		{"lower case", strings.ToLower(good), ErrCreditCodeChars},
		{"letter I", "91350100I000100Y43", ErrCreditCodeChars},
		{"letter O", "91350100O000100Y43", ErrCreditCodeChars},
		{"letter Z", "91350100Z000100Y43", ErrCreditCodeChars},
		{"letter S", "91350100S000100Y43", ErrCreditCodeChars},
		{"letter V", "91350100V000100Y43", ErrCreditCodeChars},
		{"space inside", "91350100 000100Y43", ErrCreditCodeChars},
		{"unknown authority 0", MakeCreditCode("01350100M000100Y4"), ErrCreditCodeAuthority},
		{"unknown authority B", MakeCreditCode("B1350100M000100Y4"), ErrCreditCodeAuthority},
		{"business with category 9", MakeCreditCode("99350100M000100Y4"), ErrCreditCodeAuthority},
		{"business with category 4", MakeCreditCode("94350100M000100Y4"), ErrCreditCodeAuthority},
		{"other with category 2", MakeCreditCode("Y2350100M000100Y4"), ErrCreditCodeAuthority},
		{"civil affairs with category 5", MakeCreditCode("55350100M000100Y4"), ErrCreditCodeAuthority},
		{"category is a letter", MakeCreditCode("9A350100M000100Y4"), ErrCreditCodeAuthority},
		{"letter in region", MakeCreditCode("9135A100M000100Y4"), ErrCreditCodeRegion},
		{"letter at end of region", MakeCreditCode("9135010AM000100Y4"), ErrCreditCodeRegion},
		{"wrong check", "91350100M000100Y44", ErrCreditCodeCheck},
		{"swapped digits", "91351000M000100Y43", ErrCreditCodeCheck},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ValidateCreditCode(tt.code); !errors.Is(err, tt.want) {
				t.Errorf("ValidateCreditCode(%q) = %v, want %v", tt.code, err, tt.want)
			}
		})
	}
}

// Every other check character must be rejected, and so must every single
// character change elsewhere: the modulus 31 is prime and no weight is 0.
func TestValidateCreditCodeSingleChange(t *testing.T) {
	for _, good := range validCreditCodes() {
		for i := 0; i < 18; i++ {
			for j := 0; j < len(creditCodeChars); j++ {
				c := creditCodeChars[j]
				if c == good[i] {
					continue
				}
				bad := good[:i] + string(c) + good[i+1:]
				err := ValidateCreditCode(bad)
				if err == nil {
					t.Fatalf("%s: changing position %d to %c gives %s, which passes", good, i+1, c, bad)
				}
				if i == 17 && !errors.Is(err, ErrCreditCodeCheck) {
					t.Fatalf("%s: check character %c gives %v, want ErrCreditCodeCheck", good, c, err)
				}
			}
		}
	}
}

func TestNormalizeCreditCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"91350100M000100Y43", "91350100M000100Y43"},
		{"  91350100m000100y43\t", "91350100M000100Y43"},
		{"\u300091350100M000100Y43\u3000", "91350100M000100Y43"},
		{"９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"},
		{"９１３５０１００ｍ０００１００ｙ４３", "91350100M000100Y43"},
		{"\uFEFF91350100M000100Y43", "91350100M000100Y43"},
		{"", ""},
	}
	for _, tt := range tests {
		got := NormalizeCreditCode(tt.in)
		if got != tt.want {
			t.Errorf("NormalizeCreditCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if tt.want != "" {
			if err := ValidateCreditCode(got); err != nil {
				t.Errorf("ValidateCreditCode(NormalizeCreditCode(%q)) = %v", tt.in, err)
			}
		}
	}
}

func TestCreditCodeCheckChar(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
		err     error
	}{
		{"91350100M000100Y4", '3', nil},
		{"91110108551385082", 'Q', nil},
		{"9135010", 0, ErrCreditCodeLength},
		{"91350100M000100Y43", 0, ErrCreditCodeLength},
		{"91350100M000100I4", 0, ErrCreditCodeChars},
		{"91350100M000100Y中", 0, ErrCreditCodeChars},
	}
	for _, tt := range tests {
		got, err := CreditCodeCheckChar(tt.first17)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("CreditCodeCheckChar(%q) = %q, %v; want %q, %v", tt.first17, got, err, tt.want, tt.err)
		}
	}
}

// A sum that is a multiple of 31 gives check value 31, which means 0.
func TestCreditCodeCheckCharZero(t *testing.T) {
	found := false
	for n := 0; n < 1000 && !found; n++ {
		first17 := fmt.Sprintf("91230100MA%07d", n)
		c, err := CreditCodeCheckChar(first17)
		if err != nil {
			t.Fatal(err)
		}
		if c == '0' {
			found = true
			if err := ValidateCreditCode(first17 + "0"); err != nil {
				t.Errorf("%s0: %v", first17, err)
			}
		}
	}
	if !found {
		t.Fatal("no prefix with check character 0 found")
	}
}

func TestMakeCreditCodePanics(t *testing.T) {
	for _, bad := range []string{"", "9135010", "91350100M000100O4"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MakeCreditCode(%q) did not panic", bad)
				}
			}()
			MakeCreditCode(bad)
		}()
	}
}

func TestCreditCodeMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ErrCreditCodeLength, "v.credit_code_length"},
		{ErrCreditCodeChars, "v.credit_code_chars"},
		{ErrCreditCodeAuthority, "v.credit_code_authority"},
		{ErrCreditCodeRegion, "v.credit_code_region"},
		{ErrCreditCodeCheck, "v.credit_code_check"},
		{fmt.Errorf("wrapped: %w", ErrCreditCodeCheck), "v.credit_code_check"},
		{errors.New("other"), "v.credit_code"},
	}
	for _, tt := range tests {
		if got := creditCodeMessage(tt.err); got != tt.want {
			t.Errorf("creditCodeMessage(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
