package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Product is a catalogue product (业务目录) with its list prices.
type Product struct {
	ID          uint   `json:"id"`
	Code        string `json:"code"`
	NameZh      string `json:"name_zh"`
	NameEn      string `json:"name_en"`
	Category    string `json:"category"`
	Unit        string `json:"unit"`
	MonthlyFen  int64  `json:"monthly_fen"`
	MonthlyYuan string `json:"monthly_yuan"`
	OneTimeFen  int64  `json:"one_time_fen"`
	OneTimeYuan string `json:"one_time_yuan"`
	// FloorRateBP is the lowest rate an account manager may quote alone,
	// in basis points of the list price (10000 = full price).
	FloorRateBP int    `json:"floor_rate_bp"`
	Description string `json:"description"`
	Active      bool   `json:"active"`
	Version     int    `json:"version"`
}

func product(p *catalog.Product) Product {
	return Product{ID: p.ID, Code: p.Code, NameZh: p.NameZh, NameEn: p.NameEn, Category: p.Category, Unit: p.Unit,
		MonthlyFen: int64(p.MonthlyFen), MonthlyYuan: yuan(p.MonthlyFen), OneTimeFen: int64(p.OneTimeFen), OneTimeYuan: yuan(p.OneTimeFen),
		FloorRateBP: int(p.FloorRate), Description: p.Description, Active: p.Active, Version: p.Version}
}

func (a *API) routesCatalog() {
	read := web.Allow("catalog", "read")
	a.add(fiber.MethodGet, "/products", read, Op{ID: "listProducts", Tag: "catalogue",
		Summary: "The catalogue in its order (a few dozen products: one page)", Result: Product{}, List: true,
		Query: []Param{{Name: "q", Type: "string"}, {Name: "status", Type: "string", Enum: []string{"active", "retired", "all"}}}},
		a.listProducts)
	a.add(fiber.MethodGet, "/products/:id", read, Op{ID: "getProduct", Tag: "catalogue", Summary: "One product",
		Result: Product{}, Versioned: true}, a.getProduct)
}

func (a *API) listProducts(c *fiber.Ctx) error {
	f := catalog.Filter{Q: c.Query("q"), Status: c.Query("status"), Lang: langOf(c), Limit: 1000}
	switch f.Status {
	case "", "all", "active", "retired":
	default:
		return fieldErr("status", "v.invalid")
	}
	rows, total, err := a.deps.Catalog.List(ctxOf(c), f)
	if err != nil {
		return err
	}
	out := listPage[Product]{Data: make([]Product, 0, len(rows)), Total: &total}
	for i := range rows {
		out.Data = append(out.Data, product(&rows[i]))
	}
	return send(c, fiber.StatusOK, out)
}

func (a *API) getProduct(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	p, err := a.deps.Catalog.Product(ctxOf(c), id)
	if err != nil {
		return err
	}
	setETag(c, p.Version)
	return send(c, fiber.StatusOK, product(p))
}
