package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// FilterLine is one "label: value" line written above an exported table.
type FilterLine struct {
	Label, Value string
}

// WriteXLSX writes the report as a workbook: one sheet per table, each
// with the report's title and filters above a bold header row; counts are
// numbers, money is yuan with two decimals (#,##0.00), percentages and
// days are numbers with one decimal.
func WriteXLSX(w io.Writer, r *Report, filters []FilterLine) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	if err != nil {
		return err
	}
	moneyStyle, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	oneDec := "0.0"
	decStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &oneDec})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, tb := range r.Tables {
		name := sheetName(tb.Title, i, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		row := 1
		set := func(col int, v any, style int) error {
			cell, err := excelize.CoordinatesToCellName(col, row)
			if err != nil {
				return err
			}
			if err := f.SetCellValue(name, cell, v); err != nil {
				return err
			}
			if style != 0 {
				return f.SetCellStyle(name, cell, cell, style)
			}
			return nil
		}
		if err := set(1, r.Title+" · "+tb.Title, title); err != nil {
			return err
		}
		row++
		for _, fl := range filters {
			if err := set(1, fl.Label, 0); err != nil {
				return err
			}
			if err := set(2, fl.Value, 0); err != nil {
				return err
			}
			row++
		}
		row++ // a blank line, then the table
		for c, col := range tb.Cols {
			if err := set(c+1, col.Header, bold); err != nil {
				return err
			}
			width := float64(utf8.RuneCountInString(col.Header))*2 + 2
			if width < 12 {
				width = 12
			}
			colName, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetColWidth(name, colName, colName, width); err != nil {
				return err
			}
		}
		write := func(cells []Cell) error {
			row++
			for c, cell := range cells {
				var err error
				switch {
				case cell.Empty:
					continue
				case cell.Kind == Int:
					err = set(c+1, cell.Int, 0)
				case cell.Kind == Money:
					err = set(c+1, float64(cell.Int)/100, moneyStyle)
				case cell.Kind == Pct || cell.Kind == Days:
					err = set(c+1, cell.Float, decStyle)
				default:
					err = set(c+1, cell.Str, 0)
				}
				if err != nil {
					return err
				}
			}
			return nil
		}
		for _, cells := range tb.Rows {
			if err := write(cells); err != nil {
				return err
			}
		}
		if tb.Foot != nil {
			if err := write(tb.Foot); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}

// sheetName is a table's title as a valid, unique sheet name.
func sheetName(title string, i int, used map[string]bool) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '-'
		}
		return r
	}, title)
	if utf8.RuneCountInString(clean) > 28 {
		clean = string([]rune(clean)[:28])
	}
	if clean == "" || used[clean] {
		clean = strconv.Itoa(i+1) + " " + clean
	}
	used[clean] = true
	return clean
}

// WriteCSV writes the report as CSV in UTF-8 with a BOM (so Excel reads
// Chinese correctly): title, filters, then each table with its header,
// rows and total, separated by blank lines. Numbers are plain (money in
// yuan with two decimals, no separators); text that a spreadsheet would
// run as a formula is quoted with a leading apostrophe.
func WriteCSV(w io.Writer, r *Report, filters []FilterLine) error {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	put := func(rec ...string) error { return cw.Write(rec) }
	if err := put(r.Title); err != nil {
		return err
	}
	for _, fl := range filters {
		if err := put(safe(fl.Label), safe(fl.Value)); err != nil {
			return err
		}
	}
	for _, tb := range r.Tables {
		if err := put(); err != nil {
			return err
		}
		if err := put(safe(tb.Title)); err != nil {
			return err
		}
		head := make([]string, len(tb.Cols))
		for i, c := range tb.Cols {
			head[i] = safe(c.Header)
		}
		if err := put(head...); err != nil {
			return err
		}
		rows := tb.Rows
		if tb.Foot != nil {
			rows = append(append([][]Cell{}, rows...), tb.Foot)
		}
		for _, cells := range rows {
			rec := make([]string, len(cells))
			for i, c := range cells {
				rec[i] = csvCell(c)
			}
			if err := put(rec...); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func csvCell(c Cell) string {
	switch {
	case c.Empty:
		return ""
	case c.Kind == Int:
		return strconv.FormatInt(c.Int, 10)
	case c.Kind == Money:
		neg := ""
		v := c.Int
		if v < 0 {
			neg, v = "-", -v
		}
		return fmt.Sprintf("%s%d.%02d", neg, v/100, v%100)
	case c.Kind == Pct || c.Kind == Days:
		return strconv.FormatFloat(c.Float, 'f', 1, 64)
	}
	return safe(c.Str)
}

// safe defuses text a spreadsheet would read as a formula.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
