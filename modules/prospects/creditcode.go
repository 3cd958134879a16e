package prospects

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// Reasons a unified social credit code (统一社会信用代码, GB 32100-2015) is
// rejected. They are distinct so that the form can tell the user which part
// of the code is wrong; creditCodeMessage maps them to message ids.
var (
	// ErrCreditCodeLength: the code is not 18 characters long.
	ErrCreditCodeLength = errors.New("credit code: must be 18 characters")
	// ErrCreditCodeChars: a character outside the code set (I O S V Z and
	// lower case are never used).
	ErrCreditCodeChars = errors.New("credit code: invalid character")
	// ErrCreditCodeAuthority: positions 1–2 (registration authority and
	// organisation category) are not a combination the standard defines.
	ErrCreditCodeAuthority = errors.New("credit code: unknown registration authority or category")
	// ErrCreditCodeRegion: positions 3–8 (administrative division) are not
	// six digits.
	ErrCreditCodeRegion = errors.New("credit code: region must be 6 digits")
	// ErrCreditCodeCheck: the 18th character does not match the others,
	// which almost always means a typo.
	ErrCreditCodeCheck = errors.New("credit code: wrong check character")
)

// creditCodeChars is the code set of GB 32100-2015: digits and the upper-case
// letters without I, O, S, V and Z. A character's value is its index here.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the check weights W_i = 3^(i-1) mod 31, i = 1..17.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// creditCodeCategories lists, per registration authority (position 1), the
// organisation categories (position 2) it issues, after GB 32100-2015
// Annex A (登记管理部门代码和机构类别代码). For authorities with several
// categories we also accept 1, 2, 3 and 9 even where the annex names fewer:
// categories have been added by later notices, and rejecting a real
// customer's code costs more than accepting an unused combination that the
// check character still guards.
var creditCodeCategories = map[byte]string{
	'1': "1239",   // 机构编制: 1 机关, 2 事业单位, 3 中央编办直管群众团体, 9 其他
	'2': "1239",   // 外交: 1 外国常驻新闻机构, 9 其他
	'3': "123459", // 司法行政: 1 律师执业机构, 2 公证处, 3 基层法律服务所, 4 司法鉴定机构, 5 仲裁委员会, 9 其他
	'4': "1239",   // 文化: 1 外国在华文化中心, 9 其他
	'5': "1239",   // 民政: 1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他
	'6': "1239",   // 旅游: 1 外国旅游部门常驻代表机构, 2 港澳台地区旅游部门常驻代表机构, 9 其他
	'7': "1239",   // 宗教: 1 宗教活动场所, 2 宗教院校, 9 其他
	'8': "1239",   // 工会: 1 基层工会, 9 其他
	'9': "123",    // 工商: 1 企业, 2 个体工商户, 3 农民专业合作社
	'A': "1239",   // 中央军委改革和编制办公室: 1 军队事业单位, 9 其他
	'N': "1239",   // 农业: 1 组级, 2 村级, 3 乡镇级集体经济组织, 9 其他
	'Y': "1",      // 其他: not divided further, always 1
}

// NormalizeCreditCode turns what people paste into the canonical form:
// white space (the full-width space too) and invisible characters (stray
// BOMs, zero-width spaces from copied text) removed, full-width letters
// and digits made half-width (NFKC), and letters upper-cased. It does not
// validate. It is idempotent (see textnorm.Settle): the stored code of a
// customer compares equal to the same code typed again.
func NormalizeCreditCode(s string) string {
	return textnorm.Settle(s, func(v string) string { return strings.ToUpper(textnorm.Compact(v, " ")) })
}

// ValidateCreditCode checks a normalised code and returns one of the
// ErrCreditCode* sentinels, or nil.
//
// Positions 9–17 are the subject identifier, which for most organisations is
// the old organisation code (GB 11714) with its own check digit. That check
// is deliberately not enforced: codes issued to individual businesses
// (个体工商户) and some others do not satisfy it, and the 18th character
// already catches typos anywhere in the code.
func ValidateCreditCode(code string) error {
	if utf8.RuneCountInString(code) != 18 {
		return ErrCreditCodeLength
	}
	if len(code) != 18 || !validCreditChars(code) {
		return ErrCreditCodeChars
	}
	if !strings.ContainsRune(creditCodeCategories[code[0]], rune(code[1])) {
		return ErrCreditCodeAuthority
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return ErrCreditCodeRegion
		}
	}
	want, err := CreditCodeCheckChar(code[:17])
	if err != nil {
		return err
	}
	if code[17] != want {
		return ErrCreditCodeCheck
	}
	return nil
}

// CreditCodeCheckChar computes the 18th character for the first 17: with
// value v_i the index of each character in the code set and weights
// W_i = 3^(i-1) mod 31, C18 = 31 − (Σ v_i·W_i mod 31), where 31 becomes 0.
func CreditCodeCheckChar(first17 string) (byte, error) {
	if n := utf8.RuneCountInString(first17); n != 17 {
		return 0, fmt.Errorf("check character needs 17 characters, got %d: %w", n, ErrCreditCodeLength)
	}
	if !validCreditChars(first17) {
		return 0, fmt.Errorf("check character of %q: %w", first17, ErrCreditCodeChars)
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(creditCodeChars, first17[i]) * creditCodeWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditCodeChars[c], nil
}

// MakeCreditCode appends the check character to 17 valid characters. It
// panics on bad input, because it is meant for demo data and tests where
// the prefix is a literal.
func MakeCreditCode(first17 string) string {
	c, err := CreditCodeCheckChar(first17)
	if err != nil {
		panic(fmt.Sprintf("prospects.MakeCreditCode: %v", err))
	}
	return first17 + string(c)
}

// creditCodeMessage maps a ValidateCreditCode error to the i18n message id
// shown next to the field.
func creditCodeMessage(err error) string {
	switch {
	case errors.Is(err, ErrCreditCodeLength):
		return "v.credit_code_length"
	case errors.Is(err, ErrCreditCodeChars):
		return "v.credit_code_chars"
	case errors.Is(err, ErrCreditCodeAuthority):
		return "v.credit_code_authority"
	case errors.Is(err, ErrCreditCodeRegion):
		return "v.credit_code_region"
	case errors.Is(err, ErrCreditCodeCheck):
		return "v.credit_code_check"
	}
	return "v.credit_code"
}

// validCreditChars reports whether every byte of s is in the code set.
func validCreditChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(creditCodeChars, s[i]) < 0 {
			return false
		}
	}
	return true
}
