package web

import (
	"html/template"

	"github.com/jike-crm/jike/modules/platform/i18n"
)

// Labels are the translated texts of one page, escaped for HTML, each
// message translated once: the fragments a page writes in Go instead of
// a template (a board's cards, a list's rows) repeat a handful of labels
// — a stage, a status, a kind — hundreds of times. The zero value needs
// L set; not for use by several goroutines.
type Labels struct {
	L i18n.Localizer
	m map[string]string
}

// NewLabels returns the labels of a page in l's language.
func NewLabels(l i18n.Localizer) *Labels { return &Labels{L: l} }

// Get is the escaped translation of id.
func (x *Labels) Get(id string) string {
	if s, ok := x.m[id]; ok {
		return s
	}
	if x.m == nil {
		x.m = map[string]string{}
	}
	s := template.HTMLEscapeString(x.L.T(id))
	x.m[id] = s
	return s
}
