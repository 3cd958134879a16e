package web

import (
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// Labels are the translated texts of one page, escaped for HTML: the
// fragments a page writes in Go instead of a template (a board's cards, a
// list's rows) repeat a handful of labels — a stage, a status, a kind —
// hundreds of times. Each is escaped once per process (i18n's Escaped),
// not once per page. The zero value needs L set.
type Labels struct {
	L i18n.Localizer
}

// NewLabels returns the labels of a page in l's language.
func NewLabels(l i18n.Localizer) *Labels { return &Labels{L: l} }

// Get is the escaped translation of id.
func (x *Labels) Get(id string) string { return x.L.Escaped(id) }
