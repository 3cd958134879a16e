// Package sheet writes lists as spreadsheets for download: CSV in UTF-8
// with a BOM (what Excel on Chinese Windows needs to not read it as GBK)
// and .xlsx through excelize's streaming writer, where numbers are
// numbers, money is yuan with two decimals and dates are dates, so they
// sort and sum in Excel. Rows are written one at a time into a temporary
// file (Spool), so an export of 100,000 rows holds one batch in memory,
// and an error is still reported before the download starts.
package sheet

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/xuri/excelize/v2"
)

// Kind is how a column's values are written.
type Kind int

// Column kinds. Values are given to Row as: Text a string; Int an int or
// int64; Money a money.Fen (or int64 fen); Date a time.Time or *time.Time
// (the calendar date as stored); DateTime a time.Time shown in the
// writer's zone. A nil or nil pointer is an empty cell.
const (
	Text Kind = iota
	Int
	Money
	Date
	DateTime
)

// Column is one column: its header, width (in Excel characters) and kind.
type Column struct {
	Header string
	Width  float64
	Kind   Kind
}

// Writer takes rows in column order.
type Writer interface {
	Row(cells ...any) error
	// Close finishes the file (the writer is not usable after it).
	Close() error
}

// Formats a writer can make.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// ContentType is the MIME type of a format.
func ContentType(format string) string {
	if format == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// New returns a writer of format ("csv" or "xlsx") on w that has written
// the header row. name is the xlsx sheet name; loc the zone DateTime
// values are shown in.
func New(w io.Writer, format, name string, cols []Column, loc *time.Location) (Writer, error) {
	if loc == nil {
		loc = time.UTC
	}
	switch format {
	case CSV:
		return newCSV(w, cols, loc)
	case XLSX:
		return newXLSX(w, name, cols, loc)
	}
	return nil, fmt.Errorf("sheet: unknown format %q", format)
}

// Spool writes a whole file of format into a temporary file through fill
// and returns it, rewound, with its size. The file is already unlinked:
// closing it (the HTTP server does after sending it) frees it.
func Spool(format, name string, cols []Column, loc *time.Location, fill func(Writer) error) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "jike-export-*."+format)
	if err != nil {
		return nil, 0, fmt.Errorf("sheet: temp file: %w", err)
	}
	_ = os.Remove(f.Name()) // the open file stays readable
	fail := func(err error) (*os.File, int64, error) {
		_ = f.Close()
		return nil, 0, err
	}
	w, err := New(f, format, name, cols, loc)
	if err != nil {
		return fail(err)
	}
	if err := fill(w); err != nil {
		_ = w.Close()
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fail(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, size, nil
}

// --- CSV

type csvWriter struct {
	cw   *csv.Writer
	cols []Column
	loc  *time.Location
	buf  []string
}

func newCSV(w io.Writer, cols []Column, loc *time.Location) (*csvWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("sheet: BOM: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Header
	}
	if err := cw.Write(header); err != nil {
		return nil, fmt.Errorf("sheet: header: %w", err)
	}
	return &csvWriter{cw: cw, cols: cols, loc: loc, buf: make([]string, len(cols))}, nil
}

func (w *csvWriter) Row(cells ...any) error {
	if len(cells) != len(w.cols) {
		return fmt.Errorf("sheet: %d cells for %d columns", len(cells), len(w.cols))
	}
	for i, v := range cells {
		w.buf[i] = Format(v, w.cols[i].Kind, w.loc)
		if w.cols[i].Kind == Text {
			w.buf[i] = SafeText(w.buf[i])
		}
	}
	return w.cw.Write(w.buf)
}

func (w *csvWriter) Close() error {
	w.cw.Flush()
	return w.cw.Error()
}

// Format is a value as CSV text: money as plain yuan ("1234.50"), dates
// as 2006-01-02, times in loc as 2006-01-02 15:04.
func Format(v any, kind Kind, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case money.Fen:
		return x.Plain()
	case int64:
		if kind == Money {
			return money.Fen(x).Plain()
		}
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case uint:
		return strconv.FormatUint(uint64(x), 10)
	case *time.Time:
		if x == nil {
			return ""
		}
		return Format(*x, kind, loc)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if kind == Date {
			return x.Format("2006-01-02")
		}
		return x.In(loc).Format("2006-01-02 15:04")
	}
	return fmt.Sprint(v)
}

// SafeText defuses CSV formula injection: Excel runs a cell that starts
// with = + - or @ (and, after trimming, tab or CR) as a formula, so such a
// cell gets a leading apostrophe, which Excel shows as text.
func SafeText(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// --- xlsx

type xlsxWriter struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	cols   []Column
	loc    *time.Location
	row    int
	styles struct{ money, date, datetime int }
}

func newXLSX(w io.Writer, name string, cols []Column, loc *time.Location) (*xlsxWriter, error) {
	if name == "" {
		name = "Sheet1"
	}
	f := excelize.NewFile()
	x := &xlsxWriter{out: w, f: f, cols: cols, loc: loc, row: 1}
	err := func() error {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
		header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
		if err != nil {
			return err
		}
		if x.styles.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
			return err
		}
		dateFmt, dtFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
		if x.styles.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
			return err
		}
		if x.styles.datetime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt}); err != nil {
			return err
		}
		if x.sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		head := make([]any, len(cols))
		for i, c := range cols {
			head[i] = c.Header
			if c.Width > 0 {
				if err := x.sw.SetColWidth(i+1, i+1, c.Width); err != nil {
					return err
				}
			}
		}
		return x.sw.SetRow("A1", head, excelize.RowOpts{StyleID: header})
	}()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("sheet: start workbook: %w", err)
	}
	return x, nil
}

func (x *xlsxWriter) Row(cells ...any) error {
	if len(cells) != len(x.cols) {
		return fmt.Errorf("sheet: %d cells for %d columns", len(cells), len(x.cols))
	}
	x.row++
	out := make([]any, len(cells))
	for i, v := range cells {
		out[i] = x.cell(v, x.cols[i].Kind)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, out)
}

// cell is one typed workbook value.
func (x *xlsxWriter) cell(v any, kind Kind) any {
	if p, ok := v.(*time.Time); ok {
		if p == nil {
			return nil
		}
		v = *p
	}
	switch k := v.(type) {
	case nil:
		return nil
	case time.Time:
		if k.IsZero() {
			return nil
		}
		if kind == Date {
			return excelize.Cell{StyleID: x.styles.date, Value: time.Date(k.Year(), k.Month(), k.Day(), 0, 0, 0, 0, time.UTC)}
		}
		// Excel dates have no zone: write the wall-clock time in loc.
		t := k.In(x.loc)
		return excelize.Cell{StyleID: x.styles.datetime, Value: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)}
	case money.Fen:
		return x.money(int64(k))
	case int64:
		if kind == Money {
			return x.money(k)
		}
		return k
	case string:
		return k
	}
	return v
}

// money is the one place an amount becomes a float: Excel stores every
// number as a double, so the cell needs one. Any amount under 2^53 fen
// prints back to the same two-decimal yuan; fen stay int64 elsewhere.
func (x *xlsxWriter) money(fen int64) excelize.Cell {
	return excelize.Cell{StyleID: x.styles.money, Value: float64(fen) / 100}
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("sheet: flush: %w", err)
	}
	if err := x.f.Write(x.out); err != nil {
		return fmt.Errorf("sheet: write workbook: %w", err)
	}
	return nil
}

// ErrTooMany is returned by exports asked for more rows than they allow.
var ErrTooMany = errors.New("sheet: too many rows for one export")
