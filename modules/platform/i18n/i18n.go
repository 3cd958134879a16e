// Package i18n holds the UI message catalogues (zh-CN, the default, and
// en) and picks a language per request. Every user-visible string goes
// through here; a test keeps the two catalogues complete.
package i18n

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Supported languages. ZH is the default.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Langs lists the supported languages in the order the UI offers them.
var Langs = []string{ZH, EN}

//go:embed locales/*.toml
var catalogues embed.FS

// Bundle is the loaded catalogues.
type Bundle struct {
	bundle  *goi18n.Bundle
	locs    map[string]*goi18n.Localizer
	matcher language.Matcher
	// plain keeps the translation of each message asked for without
	// template data: the catalogues never change, and go-i18n matches the
	// language and walks its plural forms on every call. A board card asks
	// ~15 labels (its stage select), a province board ~2,400 per page.
	plain sync.Map // plainKey → string
	// escaped keeps the same translations escaped for HTML (Escaped): the
	// fragments written in Go ask for them on every page, and a page's
	// own memo of them was ~5 KB of garbage per list page (issue 19).
	escaped sync.Map // plainKey → string
	// withArgs keeps translations with template data whose arguments are
	// all strings or integers, up to maxArgMemo of them: go-i18n runs the
	// message's text/template on every call (~5 µs through reflection),
	// and the same ones come back on every page — a month's "签约" label
	// in the board's and the list's filters, a qualification score on
	// each card, a column's "更多 N". Past the bound nothing more is kept
	// (arguments may be names from the data), and a translation is as
	// before.
	withArgs  sync.Map // argKey → string
	withArgsN atomic.Int64
	// counts names, for each message with plural forms ("1 day" and "2
	// days" in English), the argument that chooses between them: the
	// placeholder written before one of PluralNouns in its "other" form.
	// T hands that argument's value to go-i18n and no other, so a count
	// passed to a message without forms is just text (go-i18n refuses a
	// count for a message that has no form for it).
	counts map[string]string
}

// maxArgMemo bounds withArgs (~1 MB).
const maxArgMemo = 8192

// argKey is the withArgs key of a message with arguments, and false when
// an argument is of another type (not kept). Each argument is tagged with
// its type: go-i18n's plural forms may read "1" and 1 differently.
func argKey(lang, id string, args []any) (string, bool) {
	var b strings.Builder
	b.WriteString(lang)
	b.WriteByte(0)
	b.WriteString(id)
	for _, a := range args {
		b.WriteByte(0)
		switch v := a.(type) {
		case string:
			b.WriteByte('s')
			b.WriteString(v)
		case int:
			b.WriteByte('i')
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteByte('l')
			b.WriteString(strconv.FormatInt(v, 10))
		case uint:
			b.WriteByte('u')
			b.WriteString(strconv.FormatUint(uint64(v), 10))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// plainKey is a message asked for in one language without arguments.
type plainKey struct{ lang, id string }

// loaded is the parsed catalogues, made once per process: they are
// compiled in, so every New would parse the same bytes, and a Bundle has
// no method that changes it, so one can serve every app of the process.
// Parsing took ~27 ms of CPU, which every app the tests build paid (about
// 700 per run of the suite).
var loaded struct {
	once   sync.Once
	bundle *Bundle
	err    error
}

// New returns the embedded catalogues, parsed on the first call.
func New() (*Bundle, error) {
	loaded.once.Do(func() { loaded.bundle, loaded.err = parse() })
	return loaded.bundle, loaded.err
}

// parse loads the embedded catalogues.
func parse() (*Bundle, error) {
	b := goi18n.NewBundle(language.SimplifiedChinese)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	entries, err := fs.Glob(catalogues, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	counts := map[string]string{}
	for _, e := range entries {
		mf, err := b.LoadMessageFileFS(catalogues, e)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", e, err)
		}
		for _, m := range mf.Messages {
			if m.One == "" {
				continue
			}
			arg, err := countArg(m.Other)
			if err != nil {
				return nil, fmt.Errorf("load %s: %s: %w", e, m.ID, err)
			}
			counts[m.ID] = arg
		}
	}
	return &Bundle{
		bundle: b,
		counts: counts,
		locs: map[string]*goi18n.Localizer{
			ZH: goi18n.NewLocalizer(b, ZH),
			EN: goi18n.NewLocalizer(b, EN),
		},
		matcher: language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English}),
	}, nil
}

// Normalize maps any supported spelling to a supported language, or "".
func Normalize(lang string) string {
	switch strings.ToLower(strings.TrimSpace(lang)) {
	case "zh-cn", "zh", "zh-hans", "zh_cn":
		return ZH
	case "en", "en-us", "en-gb", "en_us":
		return EN
	}
	return ""
}

// Match picks the best supported language for an Accept-Language header,
// defaulting to Chinese.
func (b *Bundle) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ZH
	}
	_, idx, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return ZH
	}
	return Langs[idx]
}

// T translates id into lang. args are key/value pairs for the template
// data ("Days", 3); a message with plural forms picks its form from the
// argument before its noun (Bundle.counts). A missing id yields the id itself, so a gap is visible
// on screen and caught by the catalogue test rather than crashing a page.
func (b *Bundle) T(lang, id string, args ...any) string {
	loc, ok := b.locs[lang]
	if !ok {
		loc, lang = b.locs[ZH], ZH
	}
	if len(args) == 0 {
		key := plainKey{lang, id}
		if s, ok := b.plain.Load(key); ok {
			return s.(string)
		}
		s, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: id})
		if err != nil {
			// Not kept: an id made from request data ("stage." + a
			// query value) must not grow the map.
			return id
		}
		b.plain.Store(key, s)
		return s
	}
	key, keep := argKey(lang, id, args)
	if keep {
		if s, ok := b.withArgs.Load(key); ok {
			return s.(string)
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	data := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok {
			data[k] = args[i+1]
		}
	}
	cfg.TemplateData = data
	if arg, ok := b.counts[id]; ok {
		cfg.PluralCount = pluralCount(data[arg])
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return id
	}
	if keep && b.withArgsN.Load() < maxArgMemo {
		if _, had := b.withArgs.LoadOrStore(key, s); !had {
			b.withArgsN.Add(1)
		}
	}
	return s
}

// Escaped is T(lang, id) without arguments, escaped for HTML, kept like
// T's (a missing id is its own text, escaped, and not kept).
func (b *Bundle) Escaped(lang, id string) string {
	if _, ok := b.locs[lang]; !ok {
		lang = ZH
	}
	key := plainKey{lang, id}
	if s, ok := b.escaped.Load(key); ok {
		return s.(string)
	}
	e := template.HTMLEscapeString(b.T(lang, id))
	if _, known := b.plain.Load(key); known { // T keeps what exists
		b.escaped.Store(key, e)
	}
	return e
}

// Has reports whether id exists in lang's own catalogue (no fallback).
func (b *Bundle) Has(lang, id string) bool {
	tag := language.MustParse(lang)
	for _, t := range b.bundle.LanguageTags() {
		if t == tag {
			_, err := goi18n.NewLocalizer(b.bundle, lang).Localize(&goi18n.LocalizeConfig{MessageID: id})
			return err == nil
		}
	}
	return false
}

// Localizer is a Bundle bound to one language, handed to templates as .L.
type Localizer struct {
	Lang   string
	bundle *Bundle
}

// For returns a Localizer for lang.
func (b *Bundle) For(lang string) Localizer {
	if Normalize(lang) == "" {
		lang = ZH
	}
	return Localizer{Lang: Normalize(lang), bundle: b}
}

// T translates id; see Bundle.T.
func (l Localizer) T(id string, args ...any) string { return l.bundle.T(l.Lang, id, args...) }

// Escaped is T(id) escaped for HTML; see Bundle.Escaped.
func (l Localizer) Escaped(id string) string { return l.bundle.Escaped(l.Lang, id) }

// PluralNouns are the English nouns a count placeholder is written before
// ("{{.Days}} days", "{{.Count}} invalid rows", one word between at
// most). A message counting one of them must have a "one" form, and its
// count is that placeholder (TestPluralForms keeps both true); a new
// counted noun joins the list.
var PluralNouns = regexp.MustCompile(`\{\{ *\.(\w+) *\}\} (?:[a-z-]+ )?(days|months|years|weeks|hours|visits|opportunities|proposals|contracts|problems|rows|members|requests|groups|quotas|customers|products|call-backs|units|passwords)\b`)

// countArg is the count placeholder of a message's "other" form: the one
// before a counted noun, and only one (two counts would need two forms
// each: such a text is split in two messages).
func countArg(other string) (string, error) {
	arg := ""
	for _, m := range PluralNouns.FindAllStringSubmatch(other, -1) {
		if arg != "" && m[1] != arg {
			return "", fmt.Errorf("two counts (%s, %s) in one message", arg, m[1])
		}
		arg = m[1]
	}
	if arg == "" {
		return "", fmt.Errorf("a \"one\" form but no count before a noun of PluralNouns in %q", other)
	}
	return arg, nil
}

// pluralCount is v as go-i18n takes a count: an integer of any width, or
// text that is one (a notification's arguments are kept as text). nil
// (the "other" form) for anything else, such as a missing argument.
func pluralCount(v any) any {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case int32:
		return int64(n)
	case uint:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		return int64(n)
	case string:
		if _, err := strconv.ParseInt(n, 10, 64); err == nil {
			return n
		}
	}
	return nil
}
