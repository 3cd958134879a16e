package textnorm

import (
	"slices"
	"testing"
)

func TestSearchTerms(t *testing.T) {
	for in, want := range map[string][]string{
		"":              {},
		" \u200B ":      {},
		"ABC":           {"abc"},
		"ＡＢＣ":           {"abc", "ａｂｃ", "ＡＢＣ"},
		"ａｂｃ９":          {"abc9", "ａｂｃ９"},
		"１３９００００１１１１":   {"13900001111", "１３９００００１１１１"},
		"ＨＴ２０２６－０００１":   {"ht2026－0001", "ht2026-0001", "ｈｔ２０２６－０００１", "ＨＴ２０２６－０００１"},
		"第一医院（南岗院区）":    {"第一医院（南岗院区）", "第一医院(南岗院区)"},
		"  哈尔滨\t银行 ":    {"哈尔滨 银行"},
		"Ａ\u202Eb\x00c": {"abc", "ａbc", "Ａbc"},
	} {
		got := SearchTerms(in)
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("SearchTerms(%q) = %q, want %q", in, got, want)
		}
	}
}
