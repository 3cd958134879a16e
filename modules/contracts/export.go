package contracts

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/xuri/excelize/v2"
)

// exportHeaders are the export's column titles (message ids, written out
// so the catalogue test sees every id) and widths.
var exportHeaders = []struct {
	id    string
	width float64
}{
	{"contracts.number", 26}, {"contracts.revision", 8}, {"contracts.title_field", 36}, {"contracts.customer", 30},
	{"contracts.owner", 10}, {"contracts.status", 10}, {"contracts.signed_on", 12}, {"contracts.start_on", 12},
	{"contracts.end_on", 12}, {"contracts.term_months", 8}, {"contracts.monthly_total", 14},
	{"contracts.one_time_total", 14}, {"contracts.total", 16}, {"contracts.payment_terms", 10},
}

// Columns holding amounts (numbers in the workbook).
const (
	colMonthly = 10
	colOneTime = 11
	colTotal   = 12
)

// exportCells are one row's cells as text.
func exportCells(r *Row, t func(string, ...any) string) []string {
	signed := ""
	if r.SignedOn != nil {
		signed = r.SignedOn.Format("2006-01-02")
	}
	return []string{
		r.Number, strconv.Itoa(r.Revision), r.Title, r.CustomerName, r.OwnerName, t("contracts.status." + r.Status), signed,
		r.StartOn.Format("2006-01-02"), r.EndOn.Format("2006-01-02"), strconv.Itoa(r.TermMonths),
		r.MonthlyFen.Plain(), r.OneTimeFen.Plain(), r.TotalFen.Plain(), t("contracts.payment." + r.PaymentTerms),
	}
}

// csvSafe defuses CSV formula injection (a cell starting with = + - @ is
// a formula to Excel): such cells get a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// writeCSV writes the rows as UTF-8 CSV with a byte-order mark (so Excel
// reads the Chinese right).
func writeCSV(w io.Writer, headers []string, rows []Row, t func(string, ...any) string) error {
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(headers); err != nil {
		return err
	}
	for i := range rows {
		cells := exportCells(&rows[i], t)
		for j := range cells {
			cells[j] = csvSafe(cells[j])
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeXLSX writes the rows as a workbook, amounts as numbers.
func writeXLSX(w io.Writer, sheet string, headers []string, rows []Row, t func(string, ...any) string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	hdr, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := make([]any, len(headers))
	for i, h := range headers {
		head[i] = h
		if err := sw.SetColWidth(i+1, i+1, exportHeaders[i].width); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{StyleID: hdr}); err != nil {
		return err
	}
	for i := range rows {
		cells := exportCells(&rows[i], t)
		out := make([]any, len(cells))
		for j, c := range cells {
			out[j] = c
		}
		// Excel keeps numbers as doubles: the amounts become yuan only
		// here, for display; fen stay integers everywhere else.
		for col, v := range map[int]int64{colMonthly: int64(rows[i].MonthlyFen), colOneTime: int64(rows[i].OneTimeFen), colTotal: int64(rows[i].TotalFen)} {
			out[col] = excelize.Cell{StyleID: money, Value: float64(v) / 100}
		}
		out[1] = rows[i].Revision
		out[9] = rows[i].TermMonths
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, out); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// exportRows loads every row of the list (its filters, the reader's
// scope).
func (h *handler) exportRows(c *fiber.Ctx) ([]Row, error) {
	f, _, errs := h.filterFrom(c, nil)
	if len(errs) > 0 {
		return nil, fiber.NewError(fiber.StatusUnprocessableEntity, h.t(c, "v.money"))
	}
	var out []Row
	err := h.svc.Each(c.UserContext(), web.MustSubject(c), f, func(rows []Row) error {
		out = append(out, rows...)
		if len(out) > 100_000 {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, h.t(c, "contracts.export_too_big"))
		}
		return nil
	})
	return out, err
}

func (h *handler) exportHeaderNames(c *fiber.Ctx) []string {
	out := make([]string, len(exportHeaders))
	for i, x := range exportHeaders {
		out[i] = h.t(c, x.id)
	}
	return out
}

func exportName(ext string, now time.Time) string {
	return fmt.Sprintf("contracts-%s.%s", now.Format("20060102-1504"), ext)
}

func (h *handler) exportCSV(c *fiber.Ctx) error {
	rows, err := h.exportRows(c)
	if err != nil {
		return err
	}
	tr := func(id string, args ...any) string { return h.t(c, id, args...) }
	var buf bytes.Buffer
	if err := writeCSV(&buf, h.exportHeaderNames(c), rows, tr); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Attachment(exportName("csv", h.svc.opts.Now().In(h.opts.Location)))
	return c.Send(buf.Bytes())
}

func (h *handler) exportXLSX(c *fiber.Ctx) error {
	rows, err := h.exportRows(c)
	if err != nil {
		return err
	}
	tr := func(id string, args ...any) string { return h.t(c, id, args...) }
	var buf bytes.Buffer
	if err := writeXLSX(&buf, h.t(c, "contracts.title"), h.exportHeaderNames(c), rows, tr); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Attachment(exportName("xlsx", h.svc.opts.Now().In(h.opts.Location)))
	return c.Send(buf.Bytes())
}
