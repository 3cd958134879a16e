package reports

import (
	"context"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/pdf"
)

// PackReports are the reports of the monthly management pack, in order.
var PackReports = []string{KeyFunnel, KeyForecast, KeyAttainment, KeyCoverage}

// Pack renders the printable monthly management pack: the funnel,
// forecast, attainment and coverage tables for the filter (the chosen
// month) and the viewer's scope, in landscape A4 with the operator's
// letterhead, the filters on the first page and page x/y.
func (s *Service) Pack(ctx context.Context, viewer authz.Subject, f Filter, fonts *pdf.Fonts, letterhead, lang string, filters []FilterLine, t T) ([]byte, error) {
	title := t("reports.pack.title", "Period", f.Anchor)
	d := pdf.New(fonts, pdf.Options{Title: title, Author: viewer.Name, Subject: t("reports.title"),
		CreationDate: s.opts.Now().UTC().Truncate(time.Second), Landscape: true, Header: letterhead, HeaderRight: f.Anchor,
		Lang: lang, Footer: pdf.PageNumberFooter(lang)})
	d.Heading(1, title)
	kv := make([][2]string, len(filters))
	for i, fl := range filters {
		kv[i] = [2]string{fl.Label, fl.Value}
	}
	d.KeyValue(kv)
	for i, key := range PackReports {
		r, err := s.Kept(ctx, viewer, key, f, lang, t)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			d.PageBreak()
		}
		d.Heading(1, r.Title)
		for _, l := range r.Lines {
			d.Paragraph(l)
		}
		for _, tb := range r.Tables {
			if key == KeyAttainment {
				tb = compactAttainment(tb)
			}
			d.Heading(2, tb.Title)
			headers := make([]string, len(tb.Cols))
			right := make([]bool, len(tb.Cols))
			widths := make([]float64, len(tb.Cols))
			for j, c := range tb.Cols {
				headers[j], right[j], widths[j] = c.Header, c.Kind != Text, 1
				if j == 0 || (c.Kind == Text && j < 3) {
					widths[j] = 1.6
				}
			}
			rows := make([][]string, 0, len(tb.Rows)+1)
			for _, cells := range append(append([][]Cell{}, tb.Rows...), footOrNil(tb)...) {
				row := make([]string, len(cells))
				for j, c := range cells {
					row[j] = c.Show()
				}
				rows = append(rows, row)
			}
			if len(rows) == 0 {
				d.Paragraph(t("reports.empty"))
				continue
			}
			d.Table(headers, widths, rows, pdf.TableOptions{RepeatHeader: true, AlignRight: right})
			if tb.Note != "" {
				d.Paragraph(tb.Note)
			}
		}
	}
	return d.Bytes()
}

func footOrNil(tb *Table) [][]Cell {
	if tb.Foot == nil {
		return nil
	}
	return [][]Cell{tb.Foot}
}

// compactAttainment folds each line's actual, target and % columns into
// one "actual / target (%)" column, so the table fits a printed page.
func compactAttainment(tb *Table) *Table {
	first := -1
	for j, c := range tb.Cols {
		if c.Kind == Pct {
			first = j
			break
		}
	}
	prefix := first - 2
	if first < 0 || prefix < 0 || (len(tb.Cols)-prefix)%3 != 0 {
		return tb
	}
	out := &Table{Title: tb.Title, Note: tb.Note, Cols: append([]Col{}, tb.Cols[:prefix]...)}
	for j := prefix; j < len(tb.Cols); j += 3 {
		h, _, _ := strings.Cut(tb.Cols[j].Header, " · ")
		out.Cols = append(out.Cols, Col{Header: h, Kind: Int})
	}
	fold := func(cells []Cell) []Cell {
		row := append([]Cell{}, cells[:prefix]...)
		for j := prefix; j+2 < len(cells); j += 3 {
			row = append(row, Cell{Kind: Text, Str: cells[j].Show() + " / " + cells[j+1].Show() + " (" + cells[j+2].Show() + ")"})
		}
		return row
	}
	for _, r := range tb.Rows {
		out.Rows = append(out.Rows, fold(r))
	}
	if tb.Foot != nil {
		out.Foot = fold(tb.Foot)
	}
	return out
}
