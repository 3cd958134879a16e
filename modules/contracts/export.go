package contracts

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/web"
)

// maxExportRows bounds one export; beyond it the user is asked to filter.
const maxExportRows = 100_000

// exportColumns are the export's columns: header message id (written out
// so the catalogue test sees every id), width and kind. Amounts are yuan,
// numbers in the xlsx.
var exportColumns = []struct {
	id    string
	width float64
	kind  sheet.Kind
}{
	{"contracts.number", 26, sheet.Text}, {"contracts.revision", 8, sheet.Int}, {"contracts.title_field", 36, sheet.Text},
	{"contracts.customer", 30, sheet.Text}, {"contracts.owner", 10, sheet.Text}, {"contracts.status", 10, sheet.Text},
	{"contracts.signed_on", 12, sheet.Date}, {"contracts.start_on", 12, sheet.Date}, {"contracts.end_on", 12, sheet.Date},
	{"contracts.term_months", 8, sheet.Int}, {"contracts.monthly_total", 14, sheet.Money},
	{"contracts.one_time_total", 14, sheet.Money}, {"contracts.total", 16, sheet.Money},
	{"contracts.payment_terms", 10, sheet.Text},
}

// export answers /contracts/export.csv and .xlsx: every contract of the
// list's scope and filters (the revision in force, all pages), in the
// list's order, read with the keyset reader and written batch by batch
// to a spooled file, so memory stays flat however many rows there are.
func (h *handler) export(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		me := web.MustSubject(c)
		f, _, errs := h.filterFrom(c, nil)
		if len(errs) > 0 {
			return fiber.NewError(fiber.StatusUnprocessableEntity, h.t(c, "v.money"))
		}
		count := f
		count.Limit = 1
		if _, total, err := h.svc.List(ctx, me, count); err != nil {
			return err
		} else if total > maxExportRows {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, h.t(c, "contracts.export_too_big"))
		}
		cols := make([]sheet.Column, len(exportColumns))
		for i, col := range exportColumns {
			cols[i] = sheet.Column{Header: h.t(c, col.id), Width: col.width, Kind: col.kind}
		}
		file, size, err := sheet.Spool(format, h.t(c, "contracts.title"), cols, h.opts.Location, func(w sheet.Writer) error {
			return h.svc.Each(ctx, me, f, func(batch []Row) error {
				for i := range batch {
					r := &batch[i]
					if err := w.Row(r.Number, r.Revision, r.Title, r.CustomerName, r.OwnerName,
						h.t(c, "contracts.status."+r.Status), r.SignedOn, r.StartOn, r.EndOn, r.TermMonths,
						r.MonthlyFen, r.OneTimeFen, r.TotalFen, h.t(c, "contracts.payment."+r.PaymentTerms)); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, sheet.ContentType(format))
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Attachment(fmt.Sprintf("contracts-%s.%s", h.svc.opts.Now().In(h.opts.Location).Format("20060102-1504"), format))
		return c.SendStream(file, int(size))
	}
}
