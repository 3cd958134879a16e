package prospects

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/web"
)

// oppExportColumns are the opportunity export's columns: header message
// id, width and kind. Money is in yuan and dates are dates in the xlsx.
var oppExportColumns = []struct {
	id    string
	width float64
	kind  sheet.Kind
}{
	{"opportunities.name", 30, sheet.Text}, {"customers.name", 30, sheet.Text}, {"customers.credit_code", 22, sheet.Text},
	{"opportunities.stage", 10, sheet.Text}, {"opportunities.monthly", 14, sheet.Money},
	{"opportunities.one_time", 14, sheet.Money}, {"lists.col.probability", 10, sheet.Int},
	{"opportunities.expected_close", 13, sheet.Date}, {"customers.owner", 11, sheet.Text}, {"users.team", 16, sheet.Text},
	{"customers.grade", 9, sheet.Text}, {"customers.industry", 10, sheet.Text}, {"customers.score", 9, sheet.Int},
	{"opportunities.lost_reason", 12, sheet.Text}, {"lists.col.stage_changed", 17, sheet.DateTime},
	{"customers.updated", 17, sheet.DateTime},
}

// exportOpportunities answers /opportunities/export.csv and .xlsx: every
// opportunity of the list's scope and filters (not only the page), in the
// list's order, read 1,000 at a time with the keyset reader and written
// row by row to a temporary file that is then sent.
func (h *handler) exportOpportunities(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		me := web.MustSubject(c)
		lang := web.Lang(c)
		f := h.oppFilterFrom(c)
		totals, err := h.svc.OpportunityTotals(ctx, me, f)
		if err != nil {
			return err
		}
		if totals.Count > maxExportRows {
			h.srv.Flash(c, "error", "lists.export_too_many")
			return web.Redirect(c, "/opportunities?"+string(exportQuery(f)))
		}
		teams, err := h.svc.org.Teams(ctx, 0, false)
		if err != nil {
			return err
		}
		teamName := make(map[uint]string, len(teams))
		for _, t := range teams {
			teamName[t.ID] = t.Name
		}
		cols := make([]sheet.Column, len(oppExportColumns))
		for i, col := range oppExportColumns {
			cols[i] = sheet.Column{Header: h.srv.I18n.T(lang, col.id), Width: col.width, Kind: col.kind}
		}
		label := func(prefix, code string) string {
			if code == "" {
				return ""
			}
			return h.srv.I18n.T(lang, prefix+code)
		}
		file, size, err := sheet.Spool(format, h.srv.I18n.T(lang, "opportunities.title"), cols, h.srv.Location(), func(w sheet.Writer) error {
			// One read snapshot on one connection: the names are looked up
			// on the connection the batches are read on (db.EachBatch).
			return db.ReadSnapshot(db.MayLag(ctx), h.svc.store.db, func(ctx context.Context) error {
				return h.svc.EachOpportunity(ctx, me, f, func(batch []OpportunityRow) error {
					ids := make([]uint, len(batch))
					for i, r := range batch {
						ids[i] = r.OwnerID
					}
					users, err := h.svc.org.UsersByIDs(ctx, ids)
					if err != nil {
						return err
					}
					for i := range batch {
						r := &batch[i]
						if err := w.Row(r.Title, r.CustomerName, r.CustomerCode, label("stage.", r.Stage), r.MonthlyFen,
							r.OneTimeFen, r.Probability, r.ExpectedClose, users[r.OwnerID].Name, teamName[r.TeamID],
							r.CustomerGrade, label("industry.", r.Industry), r.CustomerScore, label("lost.", r.LostReason),
							r.StageChangedAt, r.UpdatedAt); err != nil {
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
		c.Attachment(fmt.Sprintf("opportunities-%s.%s", h.svc.Now().In(h.srv.Location()).Format("20060102-1504"), format))
		return c.SendStream(file, int(size))
	}
}
