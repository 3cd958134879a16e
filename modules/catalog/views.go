package catalog

import (
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/web"
)

// listView is the product catalogue (catalog/list).
type listView struct {
	web.Page
	Rows       []Product
	Pager      *web.Pager
	Filter     Filter
	Categories []string
	Statuses   []string
	// Filtered: a search, category or status narrows the list.
	Filtered bool
	// UnitName translates a unit ({{call .UnitName .Unit}}).
	UnitName func(string) string
}

// showView is one product with its history (catalog/show); Errors
// carries the message of a refused retire / activate.
type showView struct {
	web.Page
	P        *Product
	History  *audit.View
	Actors   map[uint]string
	Errors   map[string]string
	UnitName func(string) string
}

// formView is the new (P nil, ID 0) or edit product form (catalog/form).
type formView struct {
	web.Page
	ID         uint
	P          *Product
	Form       ProductInput
	Errors     map[string]string
	Categories []string
}
