package i18n

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// keys merges every catalogue file of a language: the main one
// ("zh-CN.toml") and the modules' ("needs.zh-CN.toml"). A key defined
// twice is an error: one text per key. A message with plural forms
// stands for its "other" form; ones lists its "one" forms.
func keys(t *testing.T, file string) map[string]string {
	t.Helper()
	m, _ := catalogue(t, file)
	return m
}

// catalogue is keys with the "one" forms beside.
func catalogue(t *testing.T, file string) (texts, ones map[string]string) {
	t.Helper()
	lang := strings.TrimSuffix(file, ".toml")
	files, err := fs.Glob(catalogues, "locales/*"+lang+".toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogue for %s: %v", lang, err)
	}
	texts, ones = map[string]string{}, map[string]string{}
	for _, f := range files {
		if f != "locales/"+file && !strings.HasSuffix(f, "."+file) {
			continue
		}
		b, err := fs.ReadFile(catalogues, f)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]any{}
		if err := toml.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := texts[k]; dup {
				t.Errorf("%s defines %s again", f, k)
			}
			switch v := v.(type) {
			case string:
				texts[k] = v
			case map[string]any:
				other, _ := v["other"].(string)
				one, _ := v["one"].(string)
				if len(v) != 2 || other == "" || one == "" {
					t.Errorf("%s: %s has forms %v, want exactly one and other", f, k, v)
				}
				texts[k], ones[k] = other, one
			default:
				t.Errorf("%s: %s is a %T", f, k, v)
			}
		}
	}
	return texts, ones
}

// TestCataloguesComplete: English must be complete, and neither side may
// have keys the other lacks or empty texts.
func TestCataloguesComplete(t *testing.T) {
	zh, en := keys(t, "zh-CN.toml"), keys(t, "en.toml")
	var missing []string
	for k, v := range zh {
		if _, ok := en[k]; !ok {
			missing = append(missing, "en lacks "+k)
		}
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "zh-CN empty "+k)
		}
	}
	for k, v := range en {
		if _, ok := zh[k]; !ok {
			missing = append(missing, "zh-CN lacks "+k)
		}
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "en empty "+k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("catalogue gaps:\n%s", strings.Join(missing, "\n"))
	}
	if len(zh) < 50 {
		t.Fatalf("suspiciously small catalogue: %d keys", len(zh))
	}
}

// TestLiteralKeysExist scans templates and Go code for literal message ids
// and checks each is in the catalogue, so no page shows a raw key.
func TestLiteralKeysExist(t *testing.T) {
	zh := keys(t, "zh-CN.toml")
	root := filepath.Join("..", "..", "..")
	tmplKey := regexp.MustCompile(`\.T "([a-z_]+\.[a-z0-9_.]+)"`)
	goKey := regexp.MustCompile(`"((?:v|login|users|teams|common|password|errors|nav|home|audit|branches|customers|contacts|opportunities|import|timeline|pipeline|visits|needs|analysis|calendar|agenda|brief|catalog|products|proposals|targets)\.[a-z0-9_.]+)"`)
	var bad []string
	scan := func(dir string, re *regexp.Regexp, ext string) {
		_ = filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ext) || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "store.go") ||
				filepath.Base(filepath.Dir(p)) == "db" {
				// stores and the db package hold SQL ("users.created_at",
				// "customers.search_text"), not message ids
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if strings.HasSuffix(m[1], ".") {
					continue // a prefix joined with a value at run time
				}
				if _, ok := zh[m[1]]; !ok {
					bad = append(bad, p+": "+m[1])
				}
			}
			return nil
		})
	}
	scan("templates", tmplKey, ".html")
	scan("modules", goKey, ".go")
	if len(bad) > 0 {
		t.Fatalf("message ids used but not in the catalogue:\n%s", strings.Join(bad, "\n"))
	}
}

func TestTranslateAndMatch(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.T(ZH, "nav.home"); got != "首页" {
		t.Fatalf("zh nav.home = %q", got)
	}
	if got := b.T(EN, "nav.home"); got != "Home" {
		t.Fatalf("en nav.home = %q", got)
	}
	if got := b.T(EN, "pager.info", "Page", 2, "Pages", 5, "Total", 120); got != "Page 2 of 5, 120 in all" {
		t.Fatalf("template data: %q", got)
	}
	if got := b.T(EN, "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key should show itself, got %q", got)
	}
	cases := map[string]string{
		"":                        ZH,
		"en-US,en;q=0.9":          EN,
		"zh-CN,zh;q=0.9,en;q=0.8": ZH,
		"fr-FR":                   ZH,
		"de;q=0.9, en-GB;q=0.8":   EN,
		"zh-TW":                   ZH,
		"garbage;;;":              ZH,
	}
	for header, want := range cases {
		if got := b.Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
	if Normalize("EN") != EN || Normalize("zh") != ZH || Normalize("fr") != "" {
		t.Fatal("Normalize")
	}
}

// TestNewParsesOnce: every app of a process shares one parsed bundle,
// and it answers from several goroutines at once (go test -race).
func TestNewParsesOnce(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("New parsed the catalogues again")
	}
	done := make(chan string)
	for _, lang := range []string{ZH, EN, ZH, EN} {
		go func() { done <- b.T(lang, "nav.customers") }()
	}
	for range 4 {
		if s := <-done; s == "" || s == "nav.customers" {
			t.Errorf("nav.customers translated to %q", s)
		}
	}
}

// TestPlainTranslationsKept: a message without arguments is translated
// once per language and then read back, the same in both languages as
// go-i18n's own answer; an id the catalogue lacks is answered with itself
// and never kept (ids can be made from request data).
func TestPlainTranslationsKept(t *testing.T) {
	b, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		want, err := b.locs[lang].Localize(&goi18n.LocalizeConfig{MessageID: "nav.customers"})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if got := b.T(lang, "nav.customers"); got != want {
				t.Errorf("%s: T = %q, go-i18n says %q", lang, got, want)
			}
		}
		if got := b.T(lang, "stage.no-such-stage-from-a-query"); got != "stage.no-such-stage-from-a-query" {
			t.Errorf("%s: a missing id gave %q", lang, got)
		}
	}
	if got := b.T("xx", "nav.customers"); got != b.T(ZH, "nav.customers") {
		t.Errorf("an unknown language gave %q, want the Chinese text", got)
	}
	n := 0
	b.plain.Range(func(k, _ any) bool {
		n++
		if k.(plainKey).id != "nav.customers" {
			t.Errorf("kept %v", k)
		}
		return true
	})
	if n != len(Langs) {
		t.Errorf("kept %d translations, want one per language (%d)", n, len(Langs))
	}
	// With arguments the text depends on them: not kept as plain.
	if a, c := b.T(EN, "pipeline.score", "Score", 10), b.T(EN, "pipeline.score", "Score", 90); a == c {
		t.Errorf("pipeline.score with 10 and 90 both gave %q", a)
	}
}

// TestEscapedTranslationsKept: Escaped is T escaped for HTML ("&" in
// the English industry name), the same the second time from what it
// kept; a missing id comes back as itself, escaped, and is not kept (ids
// made from request data must not grow the map).
func TestEscapedTranslationsKept(t *testing.T) {
	b, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if want := "Transport &amp; logistics"; b.Escaped(EN, "industry.logistics") != want {
		t.Errorf("Escaped = %q, want %q", b.Escaped(EN, "industry.logistics"), want)
	}
	for _, lang := range Langs {
		for range 2 {
			if got, want := b.Escaped(lang, "nav.customers"), b.T(lang, "nav.customers"); got != want {
				t.Errorf("%s: Escaped = %q, T = %q", lang, got, want)
			}
		}
		if got := b.Escaped(lang, "stage.<x>&"); got != "stage.&lt;x&gt;&amp;" {
			t.Errorf("%s: a missing id gave %q", lang, got)
		}
	}
	if got := b.For("xx").Escaped("nav.customers"); got != b.T(ZH, "nav.customers") {
		t.Errorf("an unknown language gave %q, want the Chinese text", got)
	}
	n := 0
	b.escaped.Range(func(k, _ any) bool {
		n++
		if id := k.(plainKey).id; id != "nav.customers" && id != "industry.logistics" {
			t.Errorf("kept %v", k)
		}
		return true
	})
	if n != len(Langs)+1 {
		t.Errorf("kept %d escaped translations, want %d", n, len(Langs)+1)
	}
}

// TestTranslationsWithArgumentsKept: a message with string or integer
// arguments is kept per language, message and arguments (their types
// too), and answers what go-i18n says, the first time and again; other
// argument types are not kept; past maxArgMemo nothing more is kept and
// the answers stay right.
func TestTranslationsWithArgumentsKept(t *testing.T) {
	b, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	want := func(lang, id string, data map[string]any) string {
		t.Helper()
		s, err := b.locs[lang].Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, lang := range Langs {
		for range 2 {
			for _, score := range []int{0, 50, 100} {
				if got, w := b.T(lang, "pipeline.score", "Score", score), want(lang, "pipeline.score", map[string]any{"Score": score}); got != w {
					t.Errorf("%s: score %d: %q, go-i18n says %q", lang, score, got, w)
				}
			}
			if got, w := b.T(lang, "lists.filter.close_in", "Month", "2026-03"), want(lang, "lists.filter.close_in", map[string]any{"Month": "2026-03"}); got != w {
				t.Errorf("%s: month: %q, go-i18n says %q", lang, got, w)
			}
		}
	}
	if n := b.withArgsN.Load(); n != int64(len(Langs)*4) {
		t.Errorf("kept %d translations with arguments, want %d", n, len(Langs)*4)
	}
	// The same digits as a string and as a number are two keys.
	if _, ok := b.withArgs.Load(mustKey(t, EN, "pipeline.score", "Score", 50)); !ok {
		t.Error("score 50 (an int) was not kept")
	}
	if _, ok := b.withArgs.Load(mustKey(t, EN, "pipeline.score", "Score", "50")); ok {
		t.Error(`score "50" (a string) was found under the int's key`)
	}
	if _, keep := argKey(EN, "pipeline.score", []any{"Score", 1.5}); keep {
		t.Error("a float argument would be kept")
	}
	for i := range maxArgMemo + 10 {
		b.T(EN, "lists.filter.close_in", "Month", strconv.Itoa(i))
	}
	if n := b.withArgsN.Load(); n != maxArgMemo {
		t.Errorf("kept %d, the bound is %d", n, maxArgMemo)
	}
	if got, w := b.T(EN, "lists.filter.close_in", "Month", "after-the-bound"), want(EN, "lists.filter.close_in", map[string]any{"Month": "after-the-bound"}); got != w {
		t.Errorf("past the bound: %q, go-i18n says %q", got, w)
	}
}

func mustKey(t *testing.T, lang, id string, args ...any) string {
	t.Helper()
	k, ok := argKey(lang, id, args)
	if !ok {
		t.Fatalf("no key for %v", args)
	}
	return k
}

// TestPluralForms: every English text that counts something ("{{.Days}}
// days") has a "one" form, T picks the form from that count whether it
// comes as a number or as text (a notification's arguments), and no
// message shows its raw id for a count of 1 in either language — go-i18n
// refuses a count for a message without forms, which showed
// "notify.unread_count" for one unread notice.
func TestPluralForms(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	en, ones := catalogue(t, "en.toml")
	zh := keys(t, "zh-CN.toml")
	hedge := regexp.MustCompile(`\{\{ *\.\w+ *\}\} (?:[a-z-]+ )?[a-z-]+\(s\)`)
	for id, text := range en {
		if PluralNouns.MatchString(text) && ones[id] == "" {
			t.Errorf("en %s counts with no \"one\" form: %q", id, text)
		}
		if hedge.MatchString(text) {
			t.Errorf("en %s hedges its plural; give it forms: %q", id, text)
		}
	}
	if len(ones) < 30 {
		t.Fatalf("only %d messages with plural forms", len(ones))
	}
	placeholder := regexp.MustCompile(`\{\{ *\.(\w+) *\}\}`)
	// with is the arguments of en's text, each "x" but the count.
	with := func(id, arg string, n any) []any {
		args := []any{arg, n}
		for _, m := range placeholder.FindAllStringSubmatch(en[id], -1) {
			if m[1] != arg {
				args = append(args, m[1], "x")
			}
		}
		return args
	}
	for id, one := range ones {
		arg, ok := b.counts[id]
		if !ok {
			t.Errorf("%s: no count argument known", id)
			continue
		}
		if strings.Contains(one, "{{") && !strings.Contains(en[id], "{{."+arg+"}}") {
			t.Errorf("%s: count %s not in %q", id, arg, en[id])
		}
		for _, v := range []any{1, int64(1), uint(1), "1"} {
			if got := b.T(EN, id, with(id, arg, v)...); got == id || strings.Contains(got, "<no value>") || PluralNouns.MatchString(got) {
				t.Errorf("%s with %s=%#v: %q", id, arg, v, got)
			}
		}
		two := b.T(EN, id, with(id, arg, 2)...)
		if two == id || two == b.T(EN, id, with(id, arg, 1)...) || two != b.T(EN, id, with(id, arg, "2")...) {
			t.Errorf("%s: 2 reads %q, 1 reads %q", id, two, b.T(EN, id, with(id, arg, 1)...))
		}
		if got := b.T(ZH, id, with(id, arg, 1)...); got == id {
			t.Errorf("zh %s with a count of 1 shows its id", id)
		}
	}
	for _, c := range []struct {
		lang  string
		texts map[string]string
	}{{EN, en}, {ZH, zh}} {
		for id, text := range c.texts {
			var args []any
			for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
				args = append(args, m[1], 1)
			}
			args = append(args, "Count", 1)
			if got := b.T(c.lang, id, args...); got == id {
				t.Errorf("%s %s shows its id with every argument 1", c.lang, id)
			}
		}
	}
}

// TestChineseEveryMonth: a frequency of one month reads 每月 ("every
// month"), not 每 1 个月, whichever type the count comes as; others
// keep their number.
func TestChineseEveryMonth(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []any{1, int64(1), uint(1), "1"} {
		if got := b.T(ZH, "aftersale.care.every_n", "N", n); got != "每月" {
			t.Errorf("N=%#v: %q", n, got)
		}
	}
	for _, n := range []any{3, "12"} {
		if got, want := b.T(ZH, "aftersale.care.every_n", "N", n), fmt.Sprintf("每 %v 个月", n); got != want {
			t.Errorf("N=%#v: %q, want %q", n, got, want)
		}
	}
}
