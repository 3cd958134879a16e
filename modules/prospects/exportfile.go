package prospects

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/xuri/excelize/v2"
)

// ExportRow is one customer of the list export with the names the list
// shows instead of ids.
type ExportRow struct {
	Customer   Customer
	Owner      string // account manager
	ChiefRep   string
	Team       string
	KeyPersons []string // key person names
}

// exportColumn is one column of the customer export. The key-person column
// is not called 关键人: that header means one key person's name to the
// importer, and re-importing an export would create a person called
// "张三、李四".
type exportColumn struct {
	header string
	width  float64
}

// exportColumns are the export's columns, in order. The customer columns
// use the import headers so an export can be edited and imported again.
var exportColumns = []exportColumn{
	{"客户名称", 30}, {"统一社会信用代码", 22}, {"行业", 10}, {"客户等级", 9}, {"客户状态", 9},
	{"员工人数", 9}, {"年通信支出(元)", 15}, {"区县", 10}, {"地址", 30}, {"在网运营商", 14},
	{"客户经理", 11}, {"首席客户代表", 12}, {"团队", 16}, {"资质评分", 9}, {"关键人名单", 24},
	{"更新时间", 17},
}

// Positions of the columns written as numbers or dates in the workbook.
const (
	exportColHeadcount = 5
	exportColSpend     = 6
	exportColScore     = 13
	exportColUpdated   = 15
)

// exportTimeLayout is how the CSV writes the update time.
const exportTimeLayout = "2006-01-02 15:04"

// WriteCustomersCSV writes the customer list as CSV in UTF-8 with a BOM,
// which Excel on Chinese Windows needs to not read it as GBK. Cells that
// Excel would run as a formula get a leading apostrophe.
func WriteCustomersCSV(w io.Writer, rows []ExportRow) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("write BOM: %w", err)
	}
	loc := chinaTime()
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c.header
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	for i := range rows {
		cells := exportCells(&rows[i], loc)
		for j, c := range cells {
			cells[j] = csvSafe(c)
		}
		if err := cw.Write(cells); err != nil {
			return fmt.Errorf("write row %d: %w", i+1, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// exportCells formats one row as text, in exportColumns order.
func exportCells(r *ExportRow, loc *time.Location) []string {
	c := &r.Customer
	comps := c.CompetitorList()
	for i, code := range comps {
		comps[i] = CodeLabel("competitor", code)
	}
	updated := ""
	if !c.UpdatedAt.IsZero() {
		updated = c.UpdatedAt.In(loc).Format(exportTimeLayout)
	}
	cells := []string{
		c.Name, c.CreditCode, CodeLabel("industry", c.Industry), CodeLabel("grade", c.Grade),
		CodeLabel("status", c.Status), strconv.Itoa(c.Headcount), c.AnnualSpendFen.Plain(),
		c.Region, c.Address, strings.Join(comps, "、"),
		r.Owner, r.ChiefRep, r.Team, strconv.Itoa(c.QualScore), strings.Join(r.KeyPersons, "、"),
		updated,
	}
	// Text stored before input was cleaned may hold NUL, ESC or bidi
	// overrides: a spreadsheet or terminal must not receive them.
	for i, v := range cells {
		cells[i] = textnorm.Strip(v)
	}
	return cells
}

// csvSafe defuses CSV formula injection: Excel runs a cell that starts
// with = + - or @ (and, after trimming, tab or CR) as a formula, so such
// cells get a leading apostrophe, which Excel shows as text. The importer
// removes it again. Control characters are already gone (exportCells).
func csvSafe(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// WriteCustomersXLSX writes the customer list as a workbook through the
// streaming writer, so a large export does not hold every cell in memory.
// Headcount, spend and score are numbers and the update time a date, so
// they sort and sum in Excel.
func WriteCustomersXLSX(w io.Writer, rows []ExportRow) error {
	const sheet = "客户"
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("export sheet: %w", err)
	}
	styles, err := newExportStyles(f)
	if err != nil {
		return fmt.Errorf("export styles: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("export stream: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export panes: %w", err)
	}
	header := make([]any, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = c.header
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("export column width: %w", err)
		}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: styles.header}); err != nil {
		return fmt.Errorf("export header: %w", err)
	}
	loc := chinaTime()
	for i := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fmt.Errorf("export row %d: %w", i+1, err)
		}
		if err := sw.SetRow(cell, xlsxExportValues(&rows[i], loc, styles)); err != nil {
			return fmt.Errorf("export row %d: %w", i+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export flush: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}

// exportStyles are the style ids of the workbook export.
type exportStyles struct{ header, money, date int }

// newExportStyles registers the header, amount and date styles.
func newExportStyles(f *excelize.File) (exportStyles, error) {
	var s exportStyles
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return s, err
	}
	if s.money, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return s, err
	}
	dateFmt := "yyyy-mm-dd hh:mm"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return s, err
	}
	return s, nil
}

// xlsxExportValues are the cells of one row: the CSV texts, with the
// numeric and date columns replaced by typed values.
func xlsxExportValues(r *ExportRow, loc *time.Location, st exportStyles) []any {
	cells := exportCells(r, loc)
	out := make([]any, len(cells))
	for i, c := range cells {
		out[i] = c
	}
	c := &r.Customer
	out[exportColHeadcount] = c.Headcount
	out[exportColScore] = c.QualScore
	// The one place money becomes a float: Excel stores every number as a
	// double, so the cell needs one. It is only for display; fen stay
	// int64 everywhere else, and any amount under 2^53 fen prints back to
	// the same two-decimal yuan.
	out[exportColSpend] = excelize.Cell{StyleID: st.money, Value: float64(c.AnnualSpendFen) / 100}
	out[exportColUpdated] = nil
	if !c.UpdatedAt.IsZero() {
		// Excel dates have no zone: write the Beijing wall-clock time.
		t := c.UpdatedAt.In(loc)
		wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
		out[exportColUpdated] = excelize.Cell{StyleID: st.date, Value: wall}
	}
	return out
}

// chinaTime is Beijing time for exported timestamps. The binary embeds the
// zone database; the fixed +8 fallback is exact anyway, since China has had
// no daylight saving time since 1991.
func chinaTime() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}
