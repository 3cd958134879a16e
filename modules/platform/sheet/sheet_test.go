package sheet

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/xuri/excelize/v2"
)

var testCols = []Column{
	{"名称", 20, Text}, {"数量", 8, Int}, {"月收入(元)", 12, Money}, {"预计签约", 12, Date}, {"更新时间", 16, DateTime},
}

func testRows() [][]any {
	close := time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC) // 2026-03-02 00:30 in Beijing
	return [][]any{
		{"=HYPERLINK(\"x\")", 3, money.Fen(123456), &close, at},
		{"专线, \"双路\"", int64(-2), int64(5), (*time.Time)(nil), time.Time{}},
	}
}

func beijing() *time.Location { return time.FixedZone("CST", 8*3600) }

// TestCSV: BOM, header, formula cells defused, money in yuan, dates and
// times in the zone, empty cells for nil.
func TestCSV(t *testing.T) {
	f, size, err := Spool(CSV, "", testCols, beijing(), func(w Writer) error {
		for _, r := range testRows() {
			if err := w.Row(r...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	if int64(len(b)) != size || !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("size %d of %d, BOM %q", len(b), size, b[:3])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"名称", "数量", "月收入(元)", "预计签约", "更新时间"},
		{`'=HYPERLINK("x")`, "3", "1234.56", "2026-05-31", "2026-03-02 00:30"},
		{`专线, "双路"`, "-2", "0.05", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
	var buf bytes.Buffer
	w, _ := New(&buf, CSV, "", testCols, nil)
	if err := w.Row("too few"); err == nil {
		t.Fatal("a row with the wrong number of cells was written")
	}
}

// TestXLSX: numbers are numbers, money yuan with two decimals, the date a
// date, the time the Beijing wall clock; formula text stays text.
func TestXLSX(t *testing.T) {
	f, _, err := Spool(XLSX, "商机", testCols, beijing(), func(w Writer) error {
		for _, r := range testRows() {
			if err := w.Row(r...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := excelize.OpenReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.GetSheetName(0) != "商机" {
		t.Fatalf("sheet %q", x.GetSheetName(0))
	}
	check := func(cell string, typ excelize.CellType, want string) {
		t.Helper()
		ct, err := x.GetCellType("商机", cell)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := x.GetCellValue("商机", cell, excelize.Options{RawCellValue: true})
		if ct != typ || got != want {
			t.Errorf("%s: type %v value %q, want %v %q", cell, ct, got, typ, want)
		}
	}
	check("A2", excelize.CellTypeInlineString, `=HYPERLINK("x")`)
	check("B2", excelize.CellTypeUnset, "3")
	check("C2", excelize.CellTypeUnset, "1234.56")
	check("D2", excelize.CellTypeUnset, "46173") // 2026-05-31
	check("B3", excelize.CellTypeUnset, "-2")
	check("C3", excelize.CellTypeUnset, "0.05")
	shown, _ := x.GetCellValue("商机", "C2")
	if shown != "1,234.56" {
		t.Errorf("C2 shows %q, want 1,234.56", shown)
	}
	shown, _ = x.GetCellValue("商机", "E2")
	if shown != "2026-03-02 00:30" {
		t.Errorf("E2 shows %q, want the Beijing time 2026-03-02 00:30", shown)
	}
	if v, _ := x.GetCellValue("商机", "D3"); v != "" {
		t.Errorf("nil date written as %q", v)
	}
	if formula, _ := x.GetCellFormula("商机", "A2"); formula != "" {
		t.Errorf("text became a formula: %q", formula)
	}
}
