package prospects

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// Import limits. They keep one upload from tying up the server; the
// handler should also cap the request body at MaxImportBytes plus room for
// the multipart envelope.
const (
	// MaxImportRows is the most data rows one file may hold.
	MaxImportRows = 100_000
	// MaxImportBytes is the largest file ParseImport accepts (10 MiB, the
	// default of JIKE_MAX_UPLOAD_MB); the handler passes the configured
	// limit to ParseImportLimit.
	MaxImportBytes = 10 << 20
	// maxHeaderSearch is how many non-empty rows may come before the
	// header: exported sheets often start with a title line.
	maxHeaderSearch = 10
)

// ImportRow is one parsed spreadsheet row: a customer with at most one key
// person. Rows sharing a credit code describe one customer with several
// key persons; merging them is the service's job. Values are raw trimmed
// text, validated later by CustomerInput and ContactInput.
type ImportRow struct {
	// Line is the row number as Excel shows it (the header is usually 1),
	// so error reports point at the right row.
	Line             int
	Customer         CustomerInput
	OwnerUsername    string
	ChiefRepUsername string
	// ParentCode is the credit code of the customer's group (上级单位):
	// an existing customer or another customer of the same file.
	ParentCode string
	// Contact is nil when all key-person cells of the row are empty.
	Contact *ContactInput
}

// ImportFileError is a problem with the file as a whole, as opposed to a
// bad value in one row. MsgID is an i18n message id ("import.…"); Detail
// is text for the message (a column name, a limit or the parser's error).
type ImportFileError struct {
	MsgID  string
	Detail string
	cause  error
}

// Error describes the problem for logs.
func (e *ImportFileError) Error() string {
	if e.Detail == "" {
		return "import file: " + e.MsgID
	}
	return "import file: " + e.MsgID + ": " + e.Detail
}

// Unwrap exposes the parser error behind "import.unreadable".
func (e *ImportFileError) Unwrap() error { return e.cause }

// unreadable wraps a parse failure.
func unreadable(err error) *ImportFileError {
	return &ImportFileError{MsgID: "import.unreadable", Detail: err.Error(), cause: err}
}

// importColumn describes one spreadsheet column: how it is recognised when
// importing and how the template and its instructions present it.
type importColumn struct {
	key      string   // field name, also the English header
	header   string   // Chinese header, as the template writes it
	aliases  []string // further accepted headers
	required bool     // the file is rejected without this column
	width    float64  // template column width
	text     bool     // template formats the column as text (keeps leading zeros, long digits)
	kind     string   // code list whose labels are the allowed values
	need     string   // "必填" column of the instructions
	note     string   // instructions
}

// importColumns is the spreadsheet layout, in template order.
var importColumns = []importColumn{
	{key: "name", header: "客户名称", required: true, width: 30, need: "是", note: "单位全称，2–100 个字"},
	{key: "credit_code", header: "统一社会信用代码", required: true, width: 22, text: true, need: "是", note: "18 位，见营业执照；同一客户多个关键人时每行重复填写"},
	{key: "industry", header: "行业", width: 10, kind: "industry", need: "是"},
	{key: "grade", header: "客户等级", width: 9, kind: "grade", need: "是", note: "A 为重点客户"},
	{key: "headcount", header: "员工人数", width: 9, need: "否", note: "整数"},
	{key: "annual_spend", header: "年通信支出(元)", aliases: []string{"年通信支出"}, width: 14, need: "否", note: "单位元，最多两位小数"},
	{key: "address", header: "地址", width: 30, need: "否"},
	{key: "region", header: "区县", width: 10, need: "否"},
	{key: "status", header: "客户状态", width: 9, kind: "status", need: "否", note: "不填为“潜在”"},
	{key: "competitors", header: "在网运营商", width: 14, kind: "competitor", need: "否", note: "可填多个，用顿号、逗号或斜杠分隔"},
	{key: "owner", header: "客户经理", width: 11, need: "否", note: "填写系统登录用户名，如 liwei；不填则为导入人"},
	{key: "parent_code", header: "上级单位信用代码", aliases: []string{"上级单位代码", "集团信用代码"}, width: 22, text: true, need: "否", note: "所属集团（上级单位）的统一社会信用代码：系统中已有的客户，或本文件中的另一客户（顺序不限）"},
	{key: "chief_rep", header: "首席客户代表", width: 12, need: "否", note: "填写系统登录用户名，须为客户经理所在团队的首席客户代表（集团客户部经理导入时可为本分公司任一首席客户代表）"},
	{key: "contact_name", header: "关键人", width: 10, need: "否", note: "关键人姓名；不填则该行只导入客户信息"},
	{key: "title", header: "职务", width: 12, need: "否"},
	{key: "mobile", header: "手机", width: 14, text: true, need: "否", note: "11 位手机号"},
	{key: "phone", header: "座机", width: 15, text: true, need: "否", note: "带区号，如 0451-86001234"},
	{key: "email", header: "邮箱", width: 22, need: "否"},
	{key: "contact_role", header: "决策角色", width: 10, kind: "contact_role", need: "填写关键人时必填"},
	{key: "attitude", header: "态度", width: 8, kind: "attitude", need: "否", note: "不填为“中立”"},
	{key: "birthday", header: "生日", width: 12, text: true, need: "否", note: "如 1975-03-08、1975/3/8 或 1975年3月8日"},
	{key: "preferences", header: "偏好", width: 24, need: "否", note: "兴趣爱好、沟通偏好等，最多 500 字"},
}

// importLimits are the caps of one customer sheet of at most maxBytes.
// Blank rows count towards the reader's row cap too, twice the data rows,
// so a sheet of a million empty rows stops early.
func importLimits(maxBytes int64) tabular.Limits {
	return tabular.Limits{
		MaxBytes:   maxBytes,
		MaxRows:    2*MaxImportRows + maxHeaderSearch + 1,
		MaxColumns: maxImportColumns,
	}
}

// maxImportColumns bounds a row's cells: the template has 21 columns, and
// an export edited for re-import a few more.
const maxImportColumns = 200

// ParseImport reads an uploaded .csv or .xlsx customer sheet of at most
// MaxImportBytes from a stream. Errors about the file as a whole are
// *ImportFileError; values are not validated here.
func ParseImport(filename string, r io.Reader) ([]ImportRow, error) {
	return ParseImportLimit(filename, r, MaxImportBytes)
}

// ParseImportLimit is ParseImport with the size limit of the server's
// configuration (JIKE_MAX_UPLOAD_MB, web.Server.MaxUploadBytes), the one
// number behind both the request body limit and this check.
func ParseImportLimit(filename string, r io.Reader, limit int64) ([]ImportRow, error) {
	tr, err := tabular.ReadAll(filename, r, importLimits(limit))
	if err != nil {
		return nil, fileError(err)
	}
	defer tr.Close()
	return collectRows(tr)
}

// ParseImportFile is ParseImportLimit for an upload or staged file of
// size bytes, read in place rather than copied.
func ParseImportFile(filename string, r io.ReaderAt, size, limit int64) ([]ImportRow, error) {
	tr, err := tabular.Open(filename, r, size, importLimits(limit))
	if err != nil {
		return nil, fileError(err)
	}
	defer tr.Close()
	return collectRows(tr)
}

// fileError turns the reader's errors into the import's messages.
func fileError(err error) error {
	var te *tabular.Error
	if !errors.As(err, &te) {
		return unreadable(err)
	}
	fe := &ImportFileError{MsgID: "import." + te.Kind, Detail: te.Detail, cause: te}
	switch te.Kind {
	case tabular.KindTooLarge:
		// The reader reports the limit in bytes; people read megabytes.
		if n, err := strconv.ParseInt(te.Detail, 10, 64); err == nil {
			fe.Detail = fmt.Sprintf("%d MB", n>>20)
		}
	case tabular.KindTooManyRows:
		fe.Detail = strconv.Itoa(MaxImportRows)
	case tabular.KindInflated, tabular.KindNotText:
		fe.Detail = ""
	case tabular.KindCellTooLong, tabular.KindTooManyColumns:
		fe.Detail = ""
		if te.Line > 0 {
			fe.Detail = strconv.Itoa(te.Line)
		}
	}
	return fe
}

// rowSource is the reader with how its cells are to be read.
type rowSource interface {
	Next() (line int, cells []string, err error)
	Format() string
	Date1904() bool
}

// collectRows finds the header and turns the rows below it into
// ImportRows.
func collectRows(src rowSource) ([]ImportRow, error) {
	var (
		cols     map[string]int
		missing  []string
		searched int
		out      []ImportRow
	)
	for {
		line, cells, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fileError(err)
		}
		if blankRow(cells) {
			continue
		}
		if cols == nil {
			found, miss := matchHeader(cells)
			if len(miss) == 0 {
				cols = found
				continue
			}
			if searched == 0 {
				missing = miss
			}
			if searched++; searched >= maxHeaderSearch {
				break
			}
			continue
		}
		if len(out) == MaxImportRows {
			return nil, &ImportFileError{MsgID: "import.too_many_rows", Detail: strconv.Itoa(MaxImportRows)}
		}
		out = append(out, buildRow(src, line, cells, cols))
	}
	if cols == nil && missing != nil {
		return nil, &ImportFileError{MsgID: "import.missing_column", Detail: strings.Join(missing, "、")}
	}
	if len(out) == 0 {
		return nil, &ImportFileError{MsgID: "import.empty"}
	}
	return out, nil
}

// matchHeader maps column keys to cell positions, and lists the Chinese
// names of required columns it did not find. The first of duplicate
// columns wins.
func matchHeader(cells []string) (map[string]int, []string) {
	byName := map[string]string{}
	for _, c := range importColumns {
		for _, name := range append([]string{c.header, c.key}, c.aliases...) {
			byName[headerKey(name)] = c.key
		}
	}
	cols := map[string]int{}
	for i, cell := range cells {
		if key, ok := byName[headerKey(cell)]; ok {
			if _, dup := cols[key]; !dup {
				cols[key] = i
			}
		}
	}
	var missing []string
	for _, c := range importColumns {
		if _, ok := cols[c.key]; c.required && !ok {
			missing = append(missing, c.header)
		}
	}
	return cols, missing
}

// headerKey folds a header for matching: full-width brackets and letters
// made half-width, spaces and the "*" some templates use to mark required
// columns dropped, letters lower-cased.
func headerKey(s string) string {
	s = width.Narrow.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == '\uFEFF' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
	return s
}

// buildRow reads one data row through the header map.
func buildRow(src rowSource, line int, cells []string, cols map[string]int) ImportRow {
	get := func(key string) string {
		i, ok := cols[key]
		if !ok || i >= len(cells) {
			return ""
		}
		v := strings.TrimSpace(cells[i])
		if src.Format() == tabular.CSV && len(v) > 1 && v[0] == '\'' && strings.IndexByte("=+-@", v[1]) >= 0 {
			v = v[1:]
		}
		return v
	}
	row := ImportRow{
		Line: line,
		Customer: CustomerInput{
			Name:        get("name"),
			CreditCode:  get("credit_code"),
			Industry:    get("industry"),
			Grade:       get("grade"),
			Headcount:   strings.ReplaceAll(get("headcount"), ",", ""), // "1,200" from a number format
			AnnualSpend: get("annual_spend"),
			Address:     get("address"),
			Region:      get("region"),
			Status:      get("status"),
		},
		OwnerUsername:    get("owner"),
		ChiefRepUsername: get("chief_rep"),
		ParentCode:       get("parent_code"),
	}
	if c := get("competitors"); c != "" {
		row.Customer.Competitors = []string{c}
	}
	contact := ContactInput{
		Name:        get("contact_name"),
		Title:       get("title"),
		Mobile:      get("mobile"),
		Phone:       get("phone"),
		Email:       get("email"),
		Role:        get("contact_role"),
		Attitude:    get("attitude"),
		Birthday:    importDate(get("birthday"), src.Format() == tabular.XLSX, src.Date1904()),
		Preferences: get("preferences"),
	}
	if contact != (ContactInput{}) {
		row.Contact = &contact
	}
	return row
}

// importDate rewrites dates that spreadsheets produce but the form does not
// read: 19750308, and Excel serial numbers (days since 1900) from cells
// with the General format. Anything else is returned as is.
func importDate(s string, serial, date1904 bool) string {
	if len(s) == 8 {
		if t, err := time.Parse("20060102", s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	if !serial {
		return s
	}
	if strings.TrimLeft(s, "0123456789.") != "" {
		return s
	}
	n, err := strconv.ParseFloat(s, 64)
	// Below 3653 (1910) a number is more likely a mistyped year than a
	// birthday; converting "1975" to 1905-05-29 would hide the mistake.
	if err != nil || n < 3653 || n >= 2958466 {
		return s
	}
	t, err := excelize.ExcelDateToTime(n, date1904)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02")
}

// blankRow reports whether every cell is empty or spaces.
func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Sheet names of the import template.
const (
	importSheet     = "客户导入"
	importHelpSheet = "填写说明"
)

// WriteImportTemplate writes the .xlsx users fill in: the headers, two
// example rows (one customer with two key persons), drop-downs for coded
// columns and a sheet explaining every column.
func WriteImportTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", importSheet); err != nil {
		return fmt.Errorf("template sheet: %w", err)
	}
	if err := writeTemplateSheet(f); err != nil {
		return fmt.Errorf("template sheet: %w", err)
	}
	if err := writeTemplateHelp(f); err != nil {
		return fmt.Errorf("template instructions: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// templateExamples are the example rows, keyed by column; the credit code
// is made valid by MakeCreditCode.
func templateExamples() []map[string]any {
	customer := map[string]any{
		"name": "哈尔滨龙江冷链物流有限公司", "credit_code": MakeCreditCode("91230103MA1C8KXL7"),
		"industry": CodeLabel("industry", "logistics"), "grade": "A", "headcount": 320, "annual_spend": 186000,
		"address": "哈尔滨市南岗区学府路 88 号", "region": "南岗区", "status": CodeLabel("status", "prospect"),
		"competitors": "移动、电信", "owner": "liwei", "chief_rep": "zhaomin",
	}
	people := []map[string]any{
		{"contact_name": "王海涛", "title": "总经理", "mobile": "13904510001", "phone": "0451-86001234",
			"email": "wanghaitao@example.com", "contact_role": CodeLabel("contact_role", "decision"),
			"attitude": CodeLabel("attitude", "supporter"), "birthday": "1975-03-08", "preferences": "羽毛球；上午沟通"},
		{"contact_name": "刘晓燕", "title": "信息部主任", "mobile": "13904510002",
			"email": "liuxiaoyan@example.com", "contact_role": CodeLabel("contact_role", "influencer"),
			"attitude": CodeLabel("attitude", "neutral"), "preferences": "关注网络安全"},
	}
	var out []map[string]any
	for _, p := range people {
		row := map[string]any{}
		for k, v := range customer {
			row[k] = v
		}
		for k, v := range p {
			row[k] = v
		}
		out = append(out, row)
	}
	return out
}

// writeTemplateSheet fills the data sheet.
func writeTemplateSheet(f *excelize.File) error {
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep codes and phone numbers as typed
	if err != nil {
		return err
	}
	headStyle, err := f.NewStyle(headerStyle(false))
	if err != nil {
		return err
	}
	reqStyle, err := f.NewStyle(headerStyle(true))
	if err != nil {
		return err
	}
	header := make([]any, len(importColumns))
	for i, c := range importColumns {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		header[i] = c.header
		if err := f.SetColWidth(importSheet, col, col, c.width); err != nil {
			return err
		}
		if c.text {
			if err := f.SetColStyle(importSheet, col, textStyle); err != nil {
				return err
			}
		}
		if c.kind != "" && c.kind != "competitor" {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, MaxImportRows+1)
			if err := dv.SetDropList(codeLabels(c.kind)); err != nil {
				return err
			}
			if err := f.AddDataValidation(importSheet, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetSheetRow(importSheet, "A1", &header); err != nil {
		return err
	}
	for i, c := range importColumns {
		style := headStyle
		if c.required {
			style = reqStyle
		}
		cell, err := excelize.CoordinatesToCellName(i+1, 1)
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(importSheet, cell, cell, style); err != nil {
			return err
		}
	}
	for r, ex := range templateExamples() {
		row := make([]any, len(importColumns))
		for i, c := range importColumns {
			row[i] = ex[c.key]
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(importSheet, cell, &row); err != nil {
			return err
		}
	}
	return f.SetPanes(importSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// writeTemplateHelp adds the instructions sheet.
func writeTemplateHelp(f *excelize.File) error {
	if _, err := f.NewSheet(importHelpSheet); err != nil {
		return err
	}
	headStyle, err := f.NewStyle(headerStyle(false))
	if err != nil {
		return err
	}
	wrapStyle, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for col, wd := range map[string]float64{"A": 18, "B": 14, "C": 16, "D": 44, "E": 44} {
		if err := f.SetColWidth(importHelpSheet, col, col, wd); err != nil {
			return err
		}
	}
	if err := f.SetColStyle(importHelpSheet, "A:E", wrapStyle); err != nil {
		return err
	}
	rows := [][]any{{"列名", "英文列名", "是否必填", "说明", "可填写的值"}}
	for _, c := range importColumns {
		allowed := ""
		if c.kind != "" {
			allowed = strings.Join(codeLabels(c.kind), "、")
		}
		rows = append(rows, []any{c.header, c.key, c.need, c.note, allowed})
	}
	rows = append(rows, []any{},
		[]any{"说明", "", "", "第一行为列名，列的顺序可以调整，多余的列会被忽略；客户名称和统一社会信用代码两列必须有。"},
		[]any{"", "", "", "一行为一个客户和最多一位关键人；同一客户有多位关键人时，每位关键人占一行，并重复填写客户信息。"},
		[]any{"", "", "", fmt.Sprintf("支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）文件，最多 %d 行、10 MB。", MaxImportRows)},
	)
	for i := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(importHelpSheet, cell, &rows[i]); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(importHelpSheet, "A1", "E1", headStyle); err != nil {
		return err
	}
	return f.SetPanes(importHelpSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// headerStyle is the bold, shaded header; required columns are red so
// they stand out.
func headerStyle(required bool) *excelize.Style {
	font := &excelize.Font{Bold: true}
	if required {
		font.Color = "C00000"
	}
	return &excelize.Style{
		Font: font,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	}
}

// codeLabels lists the Chinese labels of a code list, in list order.
func codeLabels(kind string) []string {
	codes := codeLists[kind]
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = CodeLabel(kind, c)
	}
	return out
}
