package web

import (
	"fmt"
	"html/template"
	"reflect"
	"strconv"
	"strings"

	"github.com/jike-crm/jike/modules/platform/i18n"
)

// Options is a select's <option>s for a list of codes: each one's value
// is the code, its label the translation of prefix+code (the code itself
// when prefix is empty), and the option whose code is selected is marked
// so. A template writes
//
//	{{$.Options "industry." .Industries $.Filter.Industry}}
//
// instead of ranging over the codes: a range spent ~15 µs an option in
// html/template (the field lookups through the embedded Page, printf, the
// translation, the escapers, each through reflection), a filter form's
// two dozen options a third of a list page's CPU (issue 19). codes is a
// slice of strings or of a string type; selected a string, a string
// type or nil (nothing selected). Every text is escaped.
func (p *Page) Options(prefix string, codes any, selected any) (template.HTML, error) {
	list := reflect.ValueOf(codes)
	if list.Kind() != reflect.Slice || list.Type().Elem().Kind() != reflect.String {
		return "", fmt.Errorf("options: codes are a %T, not a slice of strings", codes)
	}
	sel := ""
	if selected != nil {
		v := reflect.ValueOf(selected)
		if v.Kind() != reflect.String {
			return "", fmt.Errorf("options: selected is a %T, not a string", selected)
		}
		sel = v.String()
	}
	var b strings.Builder
	for i := range list.Len() {
		writeCodeOption(&b, p.L, prefix, list.Index(i).String(), sel)
	}
	return template.HTML(b.String()), nil //nolint:gosec // WriteOption escapes
}

// CodeOptions is Options for a fragment written in Go: the codes a slice
// of strings, the labels in l's language.
func CodeOptions(l i18n.Localizer, prefix string, codes []string, selected string) template.HTML {
	var b strings.Builder
	WriteCodeOptions(&b, l, prefix, codes, selected)
	return template.HTML(b.String()) //nolint:gosec // WriteOption escapes
}

// optionBytes is about what one <option> takes, to size a builder once.
const optionBytes = 48

// WriteCodeOptions writes CodeOptions into b (see Markup.SelectOpen).
func WriteCodeOptions(b *strings.Builder, l i18n.Localizer, prefix string, codes []string, selected string) {
	b.Grow(len(codes) * optionBytes)
	for _, code := range codes {
		writeCodeOption(b, l, prefix, code, selected)
	}
}

func writeCodeOption(b *strings.Builder, l i18n.Localizer, prefix, code, selected string) {
	if prefix == "" {
		WriteOption(b, code, code, code == selected)
		return
	}
	// The label escaped once per process (i18n's Escaped), not per page.
	writeOption(b, code, l.Escaped(prefix+code), code == selected)
}

// WriteOption writes one <option>, value and label escaped, for the
// option lists pages write in Go.
func WriteOption(b *strings.Builder, value, label string, selected bool) {
	writeOption(b, value, template.HTMLEscapeString(label), selected)
}

// writeOption is WriteOption for a label already escaped.
func writeOption(b *strings.Builder, value, label string, selected bool) {
	b.WriteString(`<option value="`)
	b.WriteString(template.HTMLEscapeString(value))
	b.WriteString(`"`)
	if selected {
		b.WriteString(` selected`)
	}
	b.WriteString(`>`)
	b.WriteString(label)
	b.WriteString(`</option>`)
}

// ChoiceOptions is a select's <option>s for records chosen by id (people,
// teams): the value is the id, the label label(item), the one whose id
// is selected marked so. For a view's methods (a template cannot call a
// generic function); see Options for why not a range.
func ChoiceOptions[T any](items []T, id func(*T) uint, label func(*T) string, selected uint) template.HTML {
	var b strings.Builder
	WriteChoiceOptions(&b, items, id, label, selected)
	return template.HTML(b.String()) //nolint:gosec // WriteOption escapes
}

// WriteChoiceOptions writes ChoiceOptions into b (see Markup.SelectOpen).
func WriteChoiceOptions[T any](b *strings.Builder, items []T, id func(*T) uint, label func(*T) string, selected uint) {
	b.Grow(len(items) * optionBytes)
	for i := range items {
		it := &items[i]
		v := id(it)
		WriteOption(b, strconv.FormatUint(uint64(v), 10), label(it), v == selected)
	}
}
