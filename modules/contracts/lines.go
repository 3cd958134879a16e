package contracts

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// LineInput is one line of a hand-made contract's form.
type LineInput struct {
	ProductID  uint
	Quantity   string
	TermMonths string
	Rate       string // percent of list charged: "85", "85.5", "100"
}

// blank reports whether a row was left empty (the form's spare rows).
func (l LineInput) blank() bool {
	return l.ProductID == 0 && strings.TrimSpace(l.Quantity) == "" && strings.TrimSpace(l.TermMonths) == "" && strings.TrimSpace(l.Rate) == ""
}

// price turns form lines into priced lines with exact totals, the way the
// proposal builder does. Products already on the revision (keep) keep
// their recorded prices even if the catalogue changed or retired them;
// new products must be on sale. A line without a term runs for the
// contract's term.
func (s *Service) price(ctx context.Context, in []LineInput, keep map[uint]Line, term int, f apperr.Fields) ([]Line, error) {
	var ids []uint
	for _, l := range in {
		if l.ProductID != 0 {
			ids = append(ids, l.ProductID)
		}
	}
	products := map[uint]Product{}
	if len(ids) > 0 && s.deps.Products != nil {
		var err error
		if products, err = s.deps.Products.ByIDs(ctx, ids); err != nil {
			return nil, err
		}
	}
	var out []Line
	for i, l := range in {
		field := fmt.Sprintf("line_%d", i)
		if l.ProductID == 0 {
			// A blank row of the form is skipped; a row with a quantity,
			// term or rate but no product was meant as a line.
			if !l.blank() {
				f.Add(field, "contracts.v.product")
			}
			continue
		}
		qty, err := strconv.ParseInt(strings.TrimSpace(l.Quantity), 10, 64)
		if err != nil || qty <= 0 || qty > 10_000_000 {
			f.Add(field, "contracts.v.quantity")
			continue
		}
		lt := term
		if v := strings.TrimSpace(l.TermMonths); v != "" {
			lt, err = strconv.Atoi(v)
		}
		if err != nil || lt < 1 || lt > 120 {
			f.Add(field, "contracts.v.line_term")
			continue
		}
		rate := money.FullRate
		if strings.TrimSpace(l.Rate) != "" {
			rate, err = money.ParseRate(l.Rate)
		}
		if err != nil {
			f.Add(field, "contracts.v.rate")
			continue
		}
		line := Line{Quantity: qty, TermMonths: lt, Rate: rate}
		if old, ok := keep[l.ProductID]; ok {
			line.ProductID, line.ProductCode, line.ProductName, line.ProductNameEn, line.Unit = old.ProductID, old.ProductCode, old.ProductName, old.ProductNameEn, old.Unit
			line.MonthlyListFen, line.OneTimeListFen, line.FloorRate = old.MonthlyListFen, old.OneTimeListFen, old.FloorRate
		} else {
			p, ok := products[l.ProductID]
			if !ok || !p.Active {
				f.Add(field, "contracts.v.product")
				continue
			}
			line.ProductID, line.ProductCode, line.ProductName, line.ProductNameEn, line.Unit = p.ID, p.Code, p.Name, p.NameEn, p.Unit
			line.MonthlyListFen, line.OneTimeListFen, line.FloorRate = p.MonthlyFen, p.OneTimeFen, p.FloorRate
		}
		if err := netLine(&line); err != nil {
			f.Add(field, "contracts.v.too_large")
			continue
		}
		out = append(out, line)
	}
	if len(out) == 0 && len(f) == 0 {
		f.Add("lines", "contracts.v.no_lines")
	}
	return out, nil
}

// netLine computes a line's net amounts exactly: per month quantity × list
// × rate, once quantity × one-time × rate, over its term monthly × term +
// once (the same arithmetic as proposals).
func netLine(l *Line) error {
	var err error
	if l.MonthlyNetFen, err = money.LineNet(l.MonthlyListFen, l.Quantity, l.Rate); err != nil {
		return err
	}
	if l.OneTimeNetFen, err = money.LineNet(l.OneTimeListFen, l.Quantity, l.Rate); err != nil {
		return err
	}
	over, err := money.Times(l.MonthlyNetFen, int64(l.TermMonths))
	if err != nil {
		return err
	}
	l.TotalFen, err = money.Sum(over, l.OneTimeNetFen)
	return err
}

// sumLines adds up the lines' monthly, one-time and term totals.
func sumLines(lines []Line) (monthly, oneTime, total money.Fen, err error) {
	var m, o, t []money.Fen
	for _, l := range lines {
		m, o, t = append(m, l.MonthlyNetFen), append(o, l.OneTimeNetFen), append(t, l.TotalFen)
	}
	if monthly, err = money.Sum(m...); err != nil {
		return
	}
	if oneTime, err = money.Sum(o...); err != nil {
		return
	}
	total, err = money.Sum(t...)
	return
}

// --- calendar dates (stored as midnight UTC)

// dateOf keeps the calendar date of t, as midnight UTC.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// parseDate reads a calendar date typed into a form (2026-03-01,
// 2026/3/1, 2026年3月1日), bounded to 1900–2100: the one date parser of
// every form and import (textnorm.ParseDate). textnorm.DateMessage names
// its error.
func parseDate(s string) (time.Time, error) { return textnorm.ParseDate(s) }

// addMonths is the same day n months later; a day the month lacks (31
// March + 1 month) becomes its last day (30 April).
func addMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// EndFor is the last day of a term of n whole months from start: the day
// before the same day n months later (1 March 2026, 12 months → 28
// February 2027).
func EndFor(start time.Time, n int) time.Time { return addMonths(dateOf(start), n).AddDate(0, 0, -1) }

// TermOf returns the whole months from start to end (end being the last
// day, as EndFor gives it), and false when the dates are not a whole
// number of months (1 to 120) apart.
func TermOf(start, end time.Time) (int, bool) {
	start, end = dateOf(start), dateOf(end)
	if !end.After(start) {
		return 0, false
	}
	n := (end.Year()-start.Year())*12 + int(end.Month()-start.Month())
	for _, k := range []int{n, n + 1} {
		if k >= 1 && k <= 120 && EndFor(start, k).Equal(end) {
			return k, true
		}
	}
	return 0, false
}

// daysBetween counts calendar days from a to b (negative if b is before a).
func daysBetween(a, b time.Time) int {
	return int(dateOf(b).Sub(dateOf(a)).Hours() / 24)
}

func itoa(n int) string { return strconv.Itoa(n) }
