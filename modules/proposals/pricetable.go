package proposals

import (
	"strconv"

	"github.com/jike-crm/jike/modules/platform/money"
)

// The price table has the same columns, under the same names, on the
// proposal page and in its PDF (issue 9: the page used to show a unit
// list price next to a line total, which read as an eightfold mark-up):
// per unit the list price, the rate charged and the net price; then the
// quantity and months; then the line's monthly amount, its one-time
// amount and its total over the term.
var PriceColumns = []string{
	"proposals.col.no", "proposals.col.product", "proposals.col.unit_list", "proposals.col.rate",
	"proposals.col.unit_net", "proposals.col.quantity", "proposals.col.months",
	"proposals.col.line_monthly", "proposals.col.line_one_time", "proposals.col.line_total",
}

// PriceRow is one line of the price table as both the page and the PDF
// print it (amounts in yuan with thousands separators).
type PriceRow struct {
	No   int
	Line *Line
	// UnitList and UnitNet are the monthly list and net price of one
	// unit; UnitListOnce and UnitNetOnce the one-time ones ("" when the
	// product has no one-time price).
	UnitList, UnitNet, UnitListOnce, UnitNetOnce string
	Rate                                         string // "85%"
	Quantity                                     string // "12,000 条"
	Months                                       string
	Monthly, OneTime, Total                      string // the line's exact amounts
}

// PriceRows lays the lines out for the price table; unit translates a
// catalogue unit into the reader's language (nil: as recorded).
//
// The unit net prices are the list prices × rate rounded half away from
// zero to the fen, for reading; the line amounts are computed on the
// whole line and rounded once (docs/proposals.md), so unit net × quantity
// may differ from the line's monthly amount by less than a fen per unit.
func PriceRows(lines []Line, unit func(string) string) []PriceRow {
	if unit == nil {
		unit = func(u string) string { return u }
	}
	out := make([]PriceRow, len(lines))
	for i := range lines {
		l := &lines[i]
		r := PriceRow{No: i + 1, Line: l, Rate: l.Rate.Percent() + "%",
			UnitList: l.MonthlyListFen.String(), UnitNet: unitNet(l.MonthlyListFen, l.Rate),
			Quantity: groupDigits(l.Quantity) + " " + unit(l.Unit), Months: strconv.Itoa(l.TermMonths),
			Monthly: l.MonthlyNetFen.String(), OneTime: l.OneTimeNetFen.String(), Total: l.TotalFen.String()}
		if l.OneTimeListFen != 0 {
			r.UnitListOnce, r.UnitNetOnce = l.OneTimeListFen.String(), unitNet(l.OneTimeListFen, l.Rate)
		}
		out[i] = r
	}
	return out
}

func unitNet(list money.Fen, rate money.Rate) string {
	net, err := money.LineNet(list, 1, rate)
	if err != nil {
		return "—"
	}
	return net.String()
}
