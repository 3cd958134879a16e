package catalog

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// exampleProduct is a product with every field set.
func exampleProduct(active bool) *Product {
	by := uint(1)
	return &Product{ID: 4, Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "DIA 100 Mbps", Category: "dia", Unit: "条",
		MonthlyFen: 300000, OneTimeFen: 50000, FloorRate: money.Rate(8500), Description: "对称带宽", Active: active, SortOrder: 1,
		Version: 3, CreatedBy: &by, UpdatedBy: &by, UpdatedAt: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
}

// catalogViews maps every template under templates/catalog to example
// views: populated, one example per branch of an {{if}}/{{else}}.
func catalogViews(b *i18n.Bundle) map[string][]web.Example {
	unit := func(u string) string { return u }
	errs := map[string]string{"_form": "错误", "code": "必填", "category": "必选", "description": "太长"}
	history := &audit.View{Rows: []audit.Row{{At: "2026-01-02 10:00", Actor: audit.Value{Text: "管理员"}, Entity: "产品", Action: "修改",
		Changes: []audit.FieldView{{Label: "名称", From: audit.Value{Text: "a"}, To: audit.Value{Text: "b"}}}}}}
	return map[string][]web.Example{
		"catalog/form": {
			func() any {
				return &formView{Page: web.ExamplePage(b), ID: 4, P: exampleProduct(false), Errors: errs, Categories: []string{"dia", "voice"},
					Form: ProductInput{Code: "DIA-100M", NameZh: "互联网专线", NameEn: "DIA", Category: "dia", Unit: "条", Monthly: "3000.00",
						OneTime: "500.00", FloorPercent: "85", SortOrder: "1", Description: "d", Version: 3}}
			},
			func() any { return &formView{Page: web.ExamplePage(b), Categories: []string{"dia"}} },
		},
		"catalog/list": {
			func() any {
				cheap := *exampleProduct(false)
				cheap.ID, cheap.MonthlyFen, cheap.OneTimeFen, cheap.FloorRate = 5, 0, 0, money.FullRate
				return &listView{Page: web.ExamplePage(b), Rows: []Product{*exampleProduct(true), cheap}, Pager: &web.Pager{Page: 1, Size: 20, Total: 2},
					Filter: Filter{Q: "DIA", Category: "dia", Status: StatusActive, Sort: "name", Desc: true}, Categories: []string{"dia"},
					Statuses: []string{StatusActive, StatusRetired}, Filtered: true, UnitName: unit}
			},
			func() any {
				return &listView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20}, Filtered: true, UnitName: unit}
			},
			func() any {
				v := &listView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20}, UnitName: unit}
				v.Can = func(string, string) bool { return false }
				return v
			},
		},
		"catalog/show": {
			func() any {
				return &showView{Page: web.ExamplePage(b), P: exampleProduct(true), History: history, Actors: map[uint]string{1: "管理员"},
					Errors: errs, UnitName: unit}
			},
			func() any {
				p := exampleProduct(false)
				p.MonthlyFen, p.OneTimeFen, p.Description, p.UpdatedBy = 0, 0, "", nil
				return &showView{Page: web.ExamplePage(b), P: p, History: &audit.View{}, UnitName: unit}
			},
		},
	}
}

// TestEveryCatalogTemplateRendersWithItsView renders every template under
// templates/catalog with its example views, strictly (see web.CheckViews).
func TestEveryCatalogTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "catalog", catalogViews(b)) {
		t.Error(err)
	}
}
