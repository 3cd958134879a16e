package usage

import (
	"context"

	"github.com/jike-crm/jike/modules/platform/audit"
)

// AuditEntity is the audit trail's name for a committed import.
const AuditEntity = "usage_import"

// DescribeHistory tells the history how an import's audit entry reads
// (source, month, file, rows, revenue) and names imports by source and
// month. Only the admin reads the trail, and imports name no customer.
func DescribeHistory(h *audit.History, svc *Service) error {
	err := h.Describe(audit.Entity{Name: AuditEntity, Label: "audit.entity.usage_import", Model: &Import{},
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Enum("source", "usage.import.source", "usage.source.", Sources...),
			audit.Text("ym", "usage.col.month"),
			audit.Text("file_name", "usage.import.file"),
			audit.Number("row_count", "usage.col.rows"),
			audit.Money("revenue_fen", "usage.col.revenue"),
			audit.Hidden("imported_by"),
			audit.Hidden("imported_at"),
			audit.DateTime("replaced_at", "usage.import.replaced"),
		}})
	if err != nil {
		return err
	}
	h.Resolve(AuditEntity, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.ImportsByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(rows))
		for _, im := range rows {
			out[im.ID] = audit.Name{Text: r.L.T("usage.source."+im.Source) + " " + FormatYM(im.YM), Link: "/usage/import"}
		}
		return out, nil
	})
	return nil
}
