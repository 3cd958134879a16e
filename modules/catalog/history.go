package catalog

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/servicecat"
)

// DescribeHistory tells the history how products read, and names them.
// Every role reads the catalogue, so every product is named to everyone.
func DescribeHistory(h *audit.History, svc *Service) error {
	err := h.Describe(audit.Entity{Name: AuditEntity, Label: "audit.entity.product", Model: &Product{},
		Actions: []string{ActionRetire, ActionActivate},
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Text("code", "catalog.code"),
			audit.Text("name_zh", "catalog.name_zh"),
			audit.Text("name_en", "catalog.name_en"),
			audit.Enum("category", "catalog.category", servicecat.LabelPrefix, servicecat.Recorded()...),
			audit.WordedText("unit", "catalog.unit", unitIDs),
			audit.Money("monthly_fen", "catalog.monthly"),
			audit.Money("one_time_fen", "catalog.one_time"),
			audit.Rate("floor_rate", "catalog.floor"),
			audit.LongText("description", "catalog.description"),
			audit.Bool("active", "catalog.status.active"),
			audit.Number("sort_order", "catalog.sort_order"),
		}})
	if err != nil {
		return err
	}
	h.Resolve(AuditEntity, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		products, err := svc.store.ByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(products))
		for id, p := range products {
			out[id] = audit.Name{Text: p.Name(r.L.Lang), Link: fmt.Sprintf("/catalog/%d", id)}
		}
		return out, nil
	})
	return nil
}
