package proposals

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/web"
)

// maxExportRows bounds one export; beyond it the user is asked to filter.
const maxExportRows = 100_000

// exportColumns are the proposal export's columns: header message id,
// width and kind. Amounts are yuan, numbers in the xlsx.
var exportColumns = []struct {
	id    string
	width float64
	kind  sheet.Kind
}{
	{"proposals.number", 16, sheet.Text}, {"lists.col.version", 6, sheet.Int}, {"proposals.title_field", 36, sheet.Text},
	{"proposals.customer", 30, sheet.Text}, {"proposals.owner", 11, sheet.Text}, {"proposals.status", 10, sheet.Text},
	{"lists.col.monthly", 14, sheet.Money}, {"lists.col.one_time", 14, sheet.Money}, {"lists.col.total", 16, sheet.Money},
	{"proposals.valid_until", 12, sheet.Date}, {"proposals.updated_at", 17, sheet.DateTime},
}

// export answers /proposals/export.csv and .xlsx: every proposal of the
// list's scope and filters (the newest version of each, all pages), in
// the list's order, read with the keyset reader and written row by row.
func (h *handler) export(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		me := web.MustSubject(c)
		lang := web.Lang(c)
		f, status := listFilter(c)
		totals, err := h.svc.ListTotals(ctx, me, f)
		if err != nil {
			return err
		}
		if totals.Count > maxExportRows {
			h.srv.Flash(c, "error", "lists.export_too_many")
			return web.Redirect(c, "/proposals?"+string(listQuery(f, status)))
		}
		cols := make([]sheet.Column, len(exportColumns))
		for i, col := range exportColumns {
			cols[i] = sheet.Column{Header: h.srv.I18n.T(lang, col.id), Width: col.width, Kind: col.kind}
		}
		file, size, err := sheet.Spool(format, h.srv.I18n.T(lang, "proposals.title"), cols, h.opts.Location, func(w sheet.Writer) error {
			// One read snapshot on one connection: the names are looked up
			// on the connection the batches are read on (db.EachBatch).
			return db.ReadSnapshot(db.MayLag(ctx), h.svc.store.db, func(ctx context.Context) error {
				return h.svc.Each(ctx, me, f, func(batch []Row) error {
					ids := make([]uint, len(batch))
					for i, r := range batch {
						ids[i] = r.OwnerID
					}
					users, err := h.svc.opts.Users.UsersByIDs(ctx, ids)
					if err != nil {
						return err
					}
					for i := range batch {
						r := &batch[i]
						if err := w.Row(r.Number, r.Version, r.Title, r.CustomerName, users[r.OwnerID].Name,
							h.srv.I18n.T(lang, "proposals.status."+r.Status), r.MonthlyFen, r.OneTimeFen, r.TotalFen,
							r.ValidUntil, r.UpdatedAt); err != nil {
							return err
						}
					}
					return nil
				})
			})
		})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, sheet.ContentType(format))
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Attachment(fmt.Sprintf("proposals-%s.%s", h.svc.Now().In(h.opts.Location).Format("20060102-1504"), format))
		return c.SendStream(file, int(size))
	}
}
