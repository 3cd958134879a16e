package textnorm

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestLevels(t *testing.T) {
	tests := []struct {
		name, in                      string
		clean, line, nameForm, folded string
	}{
		{"plain", "  哈尔滨银行  ", "哈尔滨银行", "哈尔滨银行", "哈尔滨银行", "哈尔滨银行"},
		{"NUL and ESC", "A\x00B\x1b[31mC\x7f", "AB[31mC", "AB[31mC", "AB[31mC", "AB[31mC"},
		{"C1 control", "甲\u0085乙\u009b丙", "甲乙丙", "甲乙丙", "甲乙丙", "甲乙丙"},
		{"RTL override", "\u202Eexe.txt\u202C", "exe.txt", "exe.txt", "exe.txt", "exe.txt"},
		{"isolates and marks", "a\u2066b\u2069\u200Fc\u061C", "abc", "abc", "abc", "abc"},
		{"zero-width only", "\u200B\u200C\u200D\u2060\uFEFF", "", "", "", ""},
		{"soft hyphen and tags", "co\u00ADop\U000E0041", "coop", "coop", "coop", "coop"},
		{"line ends", "一\r\n二\r三\u2028四", "一\n二\n三\n四", "一 二 三 四", "一 二 三 四", "一 二 三 四"},
		{"tabs and runs of space", "a\t\tb   c\u3000d", "a\t\tb   c\u3000d", "a b c d", "a b c d", "a b c d"},
		{"invalid UTF-8", "a\xffb\xc3", "ab", "ab", "ab", "ab"},
		{"NFC", "e\u0301", "é", "é", "é", "é"},
		{"full-width letters and digits", "ＡＢＣ科技１号", "ＡＢＣ科技１号", "ＡＢＣ科技１号", "ABC科技1号", "ABC科技1号"},
		{"Chinese brackets kept in names", "第一医院（南岗院区）", "第一医院（南岗院区）", "第一医院（南岗院区）", "第一医院（南岗院区）", "第一医院(南岗院区)"},
		{"full-width phone", "１３８ １２３４ ５６７８", "１３８ １２３４ ５６７８", "１３８ １２３４ ５６７８", "138 1234 5678", "138 1234 5678"},
		{"full-width letter composes", "Ａ\u0301", "Ａ\u0301", "Ａ\u0301", "Á", "Á"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.clean {
				t.Errorf("Clean = %q, want %q", got, tt.clean)
			}
			if got := Line(tt.in); got != tt.line {
				t.Errorf("Line = %q, want %q", got, tt.line)
			}
			if got := Name(tt.in); got != tt.nameForm {
				t.Errorf("Name = %q, want %q", got, tt.nameForm)
			}
			if got := Fold(tt.in); got != tt.folded {
				t.Errorf("Fold = %q, want %q", got, tt.folded)
			}
		})
	}
}

func TestStrip(t *testing.T) {
	if got := Strip("\t=A\x00B\x1b\u202E\r\n C \xff"); got != "\t=AB\r\n C " {
		t.Fatalf("Strip = %q", got)
	}
}

func TestKeyComparesWhatPeopleCallTheSame(t *testing.T) {
	for _, pair := range [][2]string{{"ABC", "ＡＢＣ"}, {"abc", "ＡＢＣ"}, {"Ａbc 科技", "abc\u3000科技"}, {"银\u200B行", "银行"}} {
		if Key(pair[0]) != Key(pair[1]) {
			t.Errorf("Key(%q) = %q, Key(%q) = %q", pair[0], Key(pair[0]), pair[1], Key(pair[1]))
		}
	}
	if Key("ABC") == Key("ABD") {
		t.Error("different texts share a key")
	}
}

func TestIsSecretField(t *testing.T) {
	for name, want := range map[string]bool{"password": true, "new_password": true, "Password2": true, "current": true,
		"confirm": true, "name": false, "notes": false, "confirm_similar": false, "_csrf": false} {
		if IsSecretField(name) != want {
			t.Errorf("IsSecretField(%q) = %v", name, !want)
		}
	}
}

func TestParseDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	ok := map[string]time.Time{
		"2026-11-25": day(2026, 11, 25), "2026/11/25": day(2026, 11, 25), "2026.1.5": day(2026, 1, 5),
		"2026年11月25日": day(2026, 11, 25), "２０２６－１１－２５": day(2026, 11, 25), " 1975-03-08 ": day(1975, 3, 8),
		"1900-01-01": MinDate, "2100-12-31": MaxDate,
	}
	for in, want := range ok {
		got, err := ParseDate(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]error{
		"0001-01-01": ErrDateRange, "9999-12-31": ErrDateRange, "1899-12-31": ErrDateRange, "2101-01-01": ErrDateRange,
		"": ErrDate, "2026-13-01": ErrDate, "2026-02-30": ErrDate, "tomorrow": ErrDate, "2026-11-25\x00": nil,
	} {
		_, err := ParseDate(in)
		if !errors.Is(err, want) {
			t.Errorf("ParseDate(%q) error = %v, want %v", in, err, want)
		}
	}
	if DateMessage(ErrDateRange) != "v.date_range" || DateMessage(ErrDate) != "v.date" {
		t.Error("DateMessage")
	}
}

// FuzzNormalise checks the promises of every level on any input: valid
// UTF-8, no control or invisible characters (Clean keeps only newline and
// tab), trimmed, one space at most between words for the one-line levels,
// and idempotent — normalising twice changes nothing, so stored values
// compare equal to freshly typed ones.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"", "哈尔滨银行", "A\x00B", "\u202Eabc", "\u200B", "a\r\nb", "ＡＢＣ", "e\u0301", "Ａ\u0301",
		"\xff\xfe", "1975年3月8日", "  x  ", "\t\n", "\u2028", "\U000E0041", "ﬁ", "①", "㍻", "A¨", "1-¨"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		levels := []struct {
			name      string
			fn        func(string) string
			multiLine bool
		}{{"Clean", Clean, true}, {"Line", Line, false}, {"Name", Name, false}, {"Fold", Fold, false}, {"Key", Key, false}}
		for _, l := range levels {
			out := l.fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not UTF-8", l.name, s, out)
			}
			for _, r := range out {
				if (isControl(r) && !(l.multiLine && (r == '\n' || r == '\t'))) || Invisible(r) {
					t.Fatalf("%s(%q) = %q keeps %U", l.name, s, out, r)
				}
			}
			if strings.TrimFunc(out, unicode.IsSpace) != out {
				t.Fatalf("%s(%q) = %q is not trimmed", l.name, s, out)
			}
			if !l.multiLine && (strings.Contains(out, "  ") || strings.ContainsAny(out, "\n\t")) {
				t.Fatalf("%s(%q) = %q has a run of space", l.name, s, out)
			}
			if again := l.fn(out); again != out {
				t.Fatalf("%s is not idempotent: %q → %q → %q", l.name, s, out, again)
			}
		}
		if c := Compact(s, " -"); Compact(c, " -") != c || strings.ContainsAny(c, " -") {
			t.Fatalf("Compact(%q) = %q, again %q", s, c, Compact(c, " -"))
		}
		stripped := Strip(s)
		for _, r := range stripped {
			if (isControl(r) && r != '\t' && r != '\n' && r != '\r') || Invisible(r) || r == utf8.RuneError && !strings.ContainsRune(s, utf8.RuneError) {
				t.Fatalf("Strip(%q) = %q keeps %U", s, stripped, r)
			}
		}
		if !utf8.ValidString(stripped) || Strip(stripped) != stripped {
			t.Fatalf("Strip(%q) = %q", s, stripped)
		}
		if d, err := ParseDate(s); err == nil && (d.Before(MinDate) || d.After(MaxDate)) {
			t.Fatalf("ParseDate(%q) = %v, out of range", s, d)
		}
	})
}

// TestCompactComposesAfterRemoval: removing the space that NFKC puts into
// "A¨" joins a letter and a combining mark, which compose; Compact must
// return the composed form at once, or a stored value would change when
// normalised again (found by FuzzCreditCode).
func TestCompactComposesAfterRemoval(t *testing.T) {
	for in, want := range map[string]string{"A¨": "Ä", "138 0013 8000": "13800138000", "１３８-００１３": "1380013", "": ""} {
		if got := Compact(in, " -"); got != want {
			t.Errorf("Compact(%q) = %q, want %q", in, got, want)
		}
	}
	if Fold("A¨") == Compact("A¨", " ") {
		t.Error("the case no longer exercises composition after removal")
	}
}
