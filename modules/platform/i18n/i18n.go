// Package i18n holds the UI message catalogues (zh-CN, the default, and
// en) and picks a language per request. Every user-visible string goes
// through here; a test keeps the two catalogues complete.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"

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
	for _, e := range entries {
		if _, err := b.LoadMessageFileFS(catalogues, e); err != nil {
			return nil, fmt.Errorf("load %s: %w", e, err)
		}
	}
	return &Bundle{
		bundle: b,
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
// data ("Count", 3). A missing id yields the id itself, so a gap is visible
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
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	data := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok {
			data[k] = args[i+1]
		}
	}
	cfg.TemplateData = data
	if n, ok := data["Count"]; ok {
		cfg.PluralCount = n
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
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
