package prospects

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/textnorm"
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

// exportColumns are the export's columns, in order. The customer columns
// use the import headers so an export can be edited and imported again.
// The key-person column is not called 关键人: that header means one key
// person's name to the importer, and re-importing an export would create
// a person called "张三、李四". Headcount, spend and score are numbers and
// the update time a date in the workbook, so they sort and sum in Excel.
var exportColumns = []sheet.Column{
	{Header: "客户名称", Width: 30}, {Header: "统一社会信用代码", Width: 22}, {Header: "行业", Width: 10},
	{Header: "客户等级", Width: 9}, {Header: "客户状态", Width: 9}, {Header: "员工人数", Width: 9, Kind: sheet.Int},
	{Header: "年通信支出(元)", Width: 15, Kind: sheet.Money}, {Header: "区县", Width: 10}, {Header: "地址", Width: 30},
	{Header: "在网运营商", Width: 14}, {Header: "客户经理", Width: 11}, {Header: "首席客户代表", Width: 12},
	{Header: "团队", Width: 16}, {Header: "资质评分", Width: 9, Kind: sheet.Int}, {Header: "关键人名单", Width: 24},
	{Header: "更新时间", Width: 17, Kind: sheet.DateTime},
}

// exportSheetName is the workbook's sheet.
const exportSheetName = "客户"

// NewCustomerExport starts a customer export of format (sheet.CSV or
// sheet.XLSX) on w: the header is written, rows follow through
// WriteExportRows, Close finishes the file. CSV is UTF-8 with a BOM,
// which Excel on Chinese Windows needs to not read it as GBK; cells that
// Excel would run as a formula get a leading apostrophe (the importer
// removes it again). Times are Beijing time.
func NewCustomerExport(w io.Writer, format string) (sheet.Writer, error) {
	return sheet.New(w, format, exportSheetName, exportColumns, chinaTime())
}

// WriteExportRows writes rows to an export started by NewCustomerExport.
// The export handler calls it once per batch of the keyset reader, so a
// large export holds one batch in memory, not the whole list.
func WriteExportRows(w sheet.Writer, rows []ExportRow) error {
	for i := range rows {
		if err := w.Row(exportValues(&rows[i])...); err != nil {
			return fmt.Errorf("export row: %w", err)
		}
	}
	return nil
}

// WriteCustomersCSV writes rows as a whole CSV export.
func WriteCustomersCSV(w io.Writer, rows []ExportRow) error {
	return writeCustomers(w, sheet.CSV, rows)
}

// WriteCustomersXLSX writes rows as a whole workbook export.
func WriteCustomersXLSX(w io.Writer, rows []ExportRow) error {
	return writeCustomers(w, sheet.XLSX, rows)
}

func writeCustomers(w io.Writer, format string, rows []ExportRow) error {
	sw, err := NewCustomerExport(w, format)
	if err != nil {
		return err
	}
	if err := WriteExportRows(sw, rows); err != nil {
		_ = sw.Close()
		return err
	}
	return sw.Close()
}

// exportValues are one row's cells in exportColumns order: texts with
// the codes turned into labels, numbers, and the update time.
func exportValues(r *ExportRow) []any {
	c := &r.Customer
	comps := c.CompetitorList()
	for i, code := range comps {
		comps[i] = CodeLabel("competitor", code)
	}
	// Text stored before input was cleaned may hold NUL, ESC or bidi
	// overrides: a spreadsheet or terminal must not receive them.
	st := textnorm.Strip
	var updated any
	if !c.UpdatedAt.IsZero() {
		updated = c.UpdatedAt
	}
	return []any{
		st(c.Name), st(c.CreditCode), st(CodeLabel("industry", c.Industry)), st(CodeLabel("grade", c.Grade)),
		st(CodeLabel("status", c.Status)), c.Headcount, c.AnnualSpendFen,
		st(c.Region), st(c.Address), st(strings.Join(comps, "、")),
		st(r.Owner), st(r.ChiefRep), st(r.Team), c.QualScore, st(strings.Join(r.KeyPersons, "、")),
		updated,
	}
}

// csvSafe defuses CSV formula injection (sheet.SafeText): Excel runs a
// cell that starts with = + - or @ (and, after trimming, tab or CR) as a
// formula, so such cells get a leading apostrophe, which Excel shows as
// text.
func csvSafe(s string) string { return sheet.SafeText(s) }

// chinaTime is Beijing time for exported timestamps. The binary embeds the
// zone database; the fixed +8 fallback is exact anyway, since China has had
// no daylight saving time since 1991.
func chinaTime() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}
