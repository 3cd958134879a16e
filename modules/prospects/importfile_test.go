package prospects

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Credit codes of the fixtures.
var (
	codeLongjiang = MakeCreditCode("91230103MA1C8KXL7")
	codeDaqing    = MakeCreditCode("91230604MA1BY0D4X")
)

// sampleCSV is a typical sheet: one customer with two key persons on two
// rows (the second with a cell spanning two lines), a blank line, and a
// customer without a key person.
func sampleCSV() string {
	return "客户名称,统一社会信用代码,行业,客户等级,员工人数,年通信支出(元),地址,区县,客户状态,在网运营商,客户经理,首席客户代表,关键人,职务,手机,座机,邮箱,决策角色,态度,生日,偏好\r\n" +
		"哈尔滨龙江冷链物流有限公司," + codeLongjiang + ",交通物流,A,320,\"186,000.50\",哈尔滨市南岗区学府路 88 号,南岗区,潜在,移动、电信,liwei,zhaomin,王海涛,总经理,13904510001,0451-86001234,wanghaitao@example.com,决策人,支持,1975-03-08,\"羽毛球,上午沟通\"\r\n" +
		" 哈尔滨龙江冷链物流有限公司 ," + codeLongjiang + ",交通物流,A,320,,,,,,liwei,,刘晓燕,信息部主任,13904510002,,,影响者,中立,,\"关注\r\n网络安全\"\r\n" +
		"\r\n" +
		"大庆石化配套服务有限公司," + codeDaqing + ",能源,B,80,52000,大庆市让胡路区,让胡路区,在网,联通,gaoyuan,,,,,,,,,,\r\n"
}

// sampleRows is what sampleCSV parses to.
func sampleRows() []ImportRow {
	return []ImportRow{
		{
			Line: 2,
			Customer: CustomerInput{Name: "哈尔滨龙江冷链物流有限公司", CreditCode: codeLongjiang, Industry: "交通物流", Grade: "A",
				Headcount: "320", AnnualSpend: "186,000.50", Address: "哈尔滨市南岗区学府路 88 号", Region: "南岗区",
				Status: "潜在", Competitors: []string{"移动、电信"}},
			OwnerUsername: "liwei", ChiefRepUsername: "zhaomin",
			Contact: &ContactInput{Name: "王海涛", Title: "总经理", Mobile: "13904510001", Phone: "0451-86001234",
				Email: "wanghaitao@example.com", Role: "决策人", Attitude: "支持", Birthday: "1975-03-08", Preferences: "羽毛球,上午沟通"},
		},
		{
			Line: 3,
			Customer: CustomerInput{Name: "哈尔滨龙江冷链物流有限公司", CreditCode: codeLongjiang, Industry: "交通物流", Grade: "A",
				Headcount: "320"},
			OwnerUsername: "liwei",
			Contact: &ContactInput{Name: "刘晓燕", Title: "信息部主任", Mobile: "13904510002", Role: "影响者", Attitude: "中立",
				Preferences: "关注\n网络安全"},
		},
		{
			Line: 5,
			Customer: CustomerInput{Name: "大庆石化配套服务有限公司", CreditCode: codeDaqing, Industry: "能源", Grade: "B",
				Headcount: "80", AnnualSpend: "52000", Address: "大庆市让胡路区", Region: "让胡路区", Status: "在网",
				Competitors: []string{"联通"}},
			OwnerUsername: "gaoyuan",
		},
	}
}

func TestParseImportCSVEncodings(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(sampleCSV())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(gbk, "客户") {
		t.Fatal("GBK fixture is still UTF-8")
	}
	tests := []struct {
		name string
		data string
	}{
		{"utf8", sampleCSV()},
		{"utf8 bom", "\uFEFF" + sampleCSV()},
		{"gbk", gbk},
		{"lf only", strings.ReplaceAll(sampleCSV(), "\r\n", "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseImport("客户.CSV", strings.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			assertRows(t, got, sampleRows())
		})
	}
}

func TestParseImportHeaders(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []ImportRow
	}{
		{
			name: "english headers, any order, extra column",
			data: "contact_name,Credit_Code, NAME ,notes,annual_spend,headcount\n张伟," + codeDaqing + ",大庆石化配套服务有限公司,忽略,1000,12\n",
			want: []ImportRow{{Line: 2, Customer: CustomerInput{Name: "大庆石化配套服务有限公司", CreditCode: codeDaqing,
				AnnualSpend: "1000", Headcount: "12"}, Contact: &ContactInput{Name: "张伟"}}},
		},
		{
			name: "tab separated",
			data: "客户名称\t统一社会信用代码\t在网运营商\t生日\t关键人\n大庆石化配套服务有限公司, 分公司\t" + codeDaqing + "\t移动,联通\t19750308\t张伟\n",
			want: []ImportRow{{Line: 2, Customer: CustomerInput{Name: "大庆石化配套服务有限公司, 分公司", CreditCode: codeDaqing,
				Competitors: []string{"移动,联通"}}, Contact: &ContactInput{Name: "张伟", Birthday: "1975-03-08"}}},
		},
		{
			name: "full-width brackets and starred headers",
			data: "*客户名称,统一社会信用代码*,年通信支出（元）,员工人数\n甲公司," + codeDaqing + ",5,\"1,200\"\n",
			want: []ImportRow{{Line: 2, Customer: CustomerInput{Name: "甲公司", CreditCode: codeDaqing, AnnualSpend: "5", Headcount: "1200"}}},
		},
		{
			name: "short spend header",
			data: "客户名称,统一社会信用代码,年通信支出\n甲公司," + codeDaqing + ",5\n",
			want: []ImportRow{{Line: 2, Customer: CustomerInput{Name: "甲公司", CreditCode: codeDaqing, AnnualSpend: "5"}}},
		},
		{
			name: "title line above the header",
			data: "集团客户清单（2026年11月）,,\n客户名称,统一社会信用代码,客户经理\n甲公司," + codeDaqing + ",liwei\n",
			want: []ImportRow{{Line: 3, Customer: CustomerInput{Name: "甲公司", CreditCode: codeDaqing}, OwnerUsername: "liwei"}},
		},
		{
			name: "apostrophe from a CSV export removed",
			data: "客户名称,统一社会信用代码,偏好\n'=甲公司," + codeDaqing + ",'it's fine\n",
			want: []ImportRow{{Line: 2, Customer: CustomerInput{Name: "=甲公司", CreditCode: codeDaqing},
				Contact: &ContactInput{Preferences: "'it's fine"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseImport("x.csv", strings.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			assertRows(t, got, tt.want)
		})
	}
}

// Blank lines, lines of empty cells and blank rows in a workbook are
// skipped but still counted, so reported lines match what Excel shows.
func TestParseImportBlankRowsKeepLines(t *testing.T) {
	csvData := "\n客户名称,统一社会信用代码\n\n甲公司," + codeDaqing + "\n,\n  ,  \n乙公司," + codeLongjiang + "\n\n"
	xlsxData := makeXLSX(t, func(f *excelize.File, sheet string) {
		setRow(t, f, sheet, 2, "客户名称", "统一社会信用代码")
		setRow(t, f, sheet, 4, "甲公司", codeDaqing)
		setRow(t, f, sheet, 5, "", "")
		setRow(t, f, sheet, 7, "乙公司", codeLongjiang)
	})
	for _, file := range []struct {
		name string
		data []byte
	}{{"blank.csv", []byte(csvData)}, {"blank.xlsx", xlsxData}} {
		t.Run(file.name, func(t *testing.T) {
			got, err := ParseImport(file.name, bytes.NewReader(file.data))
			if err != nil {
				t.Fatal(err)
			}
			var lines []int
			for _, r := range got {
				lines = append(lines, r.Line)
			}
			if !reflect.DeepEqual(lines, []int{4, 7}) {
				t.Errorf("lines = %v, want [4 7]", lines)
			}
		})
	}
}

func TestParseImportXLSX(t *testing.T) {
	data := makeXLSX(t, func(f *excelize.File, sheet string) {
		setRow(t, f, sheet, 1, "客户名称", "统一社会信用代码", "员工人数", "年通信支出(元)", "手机", "关键人", "生日", "备注")
		date14, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		if err != nil {
			t.Fatal(err)
		}
		zhDate := `yyyy"年"m"月"d"日"`
		dateZh, err := f.NewStyle(&excelize.Style{CustomNumFmt: &zhDate})
		if err != nil {
			t.Fatal(err)
		}
		money, err := f.NewStyle(&excelize.Style{NumFmt: 4})
		if err != nil {
			t.Fatal(err)
		}
		bday := time.Date(1975, 3, 8, 0, 0, 0, 0, time.UTC)
		// Row 2: numbers and a date cell with Excel's short date format.
		setRow(t, f, sheet, 2, "哈尔滨龙江冷链物流有限公司", codeLongjiang, 1200, 186000.5, 13904510001, "王海涛", bday, "无关")
		mustDo(t, f.SetCellStyle(sheet, "D2", "D2", money))
		mustDo(t, f.SetCellStyle(sheet, "G2", "G2", date14))
		// Row 3: a date serial without a date format, and a Chinese date format.
		setRow(t, f, sheet, 3, "大庆石化配套服务有限公司", codeDaqing, "", "", "", "张伟", 27461)
		setRow(t, f, sheet, 4, "甲公司", codeDaqing, "", "", "", "李娜", bday)
		mustDo(t, f.SetCellStyle(sheet, "G4", "G4", dateZh))
		// Row 5: a year typed as a number stays as it is, for the form to reject.
		setRow(t, f, sheet, 5, "乙公司", codeDaqing, "", "", "", "赵磊", 1975)
		// A second sheet is ignored.
		_, err = f.NewSheet("Sheet2")
		mustDo(t, err)
		setRow(t, f, "Sheet2", 1, "客户名称", "统一社会信用代码")
		setRow(t, f, "Sheet2", 2, "丙公司", codeDaqing)
	})
	got, err := ParseImport("客户.XLSX", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportRow{
		{Line: 2, Customer: CustomerInput{Name: "哈尔滨龙江冷链物流有限公司", CreditCode: codeLongjiang, Headcount: "1200", AnnualSpend: "186,000.50"},
			Contact: &ContactInput{Name: "王海涛", Mobile: "13904510001", Birthday: "1975-03-08"}},
		{Line: 3, Customer: CustomerInput{Name: "大庆石化配套服务有限公司", CreditCode: codeDaqing},
			Contact: &ContactInput{Name: "张伟", Birthday: "1975-03-08"}},
		{Line: 4, Customer: CustomerInput{Name: "甲公司", CreditCode: codeDaqing},
			Contact: &ContactInput{Name: "李娜", Birthday: "1975年3月8日"}},
		{Line: 5, Customer: CustomerInput{Name: "乙公司", CreditCode: codeDaqing},
			Contact: &ContactInput{Name: "赵磊", Birthday: "1975"}},
	}
	assertRows(t, got, want)
	for _, r := range got[:3] {
		if _, err := parseDate(r.Contact.Birthday); err != nil {
			t.Errorf("line %d: the form cannot read birthday %q: %v", r.Line, r.Contact.Birthday, err)
		}
	}
}

func TestParseImportFileErrors(t *testing.T) {
	manyRows := func(n int) string {
		var b strings.Builder
		b.WriteString("客户名称,统一社会信用代码\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "公司%d,%s\n", i, codeDaqing)
		}
		return b.String()
	}
	tests := []struct {
		name, file string
		data       io.Reader
		msgID      string
		detail     string
	}{
		{"xls", "客户.xls", strings.NewReader(sampleCSV()), "import.unsupported", ".xls"},
		{"txt", "客户.txt", strings.NewReader(sampleCSV()), "import.unsupported", ".txt"},
		{"no extension", "客户", strings.NewReader(sampleCSV()), "import.unsupported", ""},
		{"empty csv", "a.csv", strings.NewReader(""), "import.empty", ""},
		{"only blank lines", "a.csv", strings.NewReader("\n\n,,\n"), "import.empty", ""},
		{"header only", "a.csv", strings.NewReader("客户名称,统一社会信用代码\n"), "import.empty", ""},
		{"missing credit code", "a.csv", strings.NewReader("客户名称,行业\n甲公司,能源\n"), "import.missing_column", "统一社会信用代码"},
		{"missing both", "a.csv", strings.NewReader("单位,代码\n甲公司,1\n"), "import.missing_column", "客户名称、统一社会信用代码"},
		{"too large", "a.csv", io.LimitReader(neverEnding('a'), MaxImportBytes+1), "import.too_large", "10 MB"},
		{"too many rows", "a.csv", strings.NewReader(manyRows(MaxImportRows + 1)), "import.too_many_rows", "100000"},
		{"not a workbook", "a.xlsx", strings.NewReader(sampleCSV()), "import.unreadable", ""},
		{"empty workbook file", "a.xlsx", strings.NewReader(""), "import.unreadable", ""},
		{"empty sheet", "a.xlsx", bytes.NewReader(makeXLSX(t, func(*excelize.File, string) {})), "import.empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseImport(tt.file, tt.data)
			var fe *ImportFileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%d rows), want *ImportFileError", err, len(rows))
			}
			if fe.MsgID != tt.msgID {
				t.Errorf("MsgID = %q, want %q (%v)", fe.MsgID, tt.msgID, err)
			}
			if tt.msgID == "import.unreadable" {
				if fe.Detail == "" || errors.Unwrap(fe) == nil {
					t.Errorf("unreadable without its cause: %#v", fe)
				}
			} else if fe.Detail != tt.detail {
				t.Errorf("Detail = %q, want %q", fe.Detail, tt.detail)
			}
			if !strings.Contains(fe.Error(), tt.msgID) {
				t.Errorf("Error() = %q does not name %s", fe.Error(), tt.msgID)
			}
		})
	}
}

// The row limit is inclusive.
func TestParseImportRowLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("客户名称,统一社会信用代码\n")
	for i := 0; i < MaxImportRows; i++ {
		fmt.Fprintf(&b, "公司%d,%s\n", i, codeDaqing)
	}
	rows, err := ParseImport("a.csv", strings.NewReader(b.String()))
	if err != nil || len(rows) != MaxImportRows {
		t.Fatalf("got %d rows, %v; want %d rows", len(rows), err, MaxImportRows)
	}
}

func TestImportTemplateRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteImportTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{importSheet, importHelpSheet}) {
		t.Errorf("sheets = %v", got)
	}
	help, err := f.GetRows(importHelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(help) < len(importColumns)+1 || help[2][0] != "统一社会信用代码" || !strings.Contains(help[3][4], "交通物流") {
		t.Errorf("instructions sheet: %q", help)
	}

	rows, err := ParseImport("客户导入模板.xlsx", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	names := []string{"王海涛", "刘晓燕"}
	for i, r := range rows {
		if r.Line != i+2 || r.Contact == nil || r.Contact.Name != names[i] {
			t.Errorf("row %d: %+v", i, r)
			continue
		}
		if r.Customer.CreditCode != rows[0].Customer.CreditCode || r.Customer.Name != rows[0].Customer.Name {
			t.Errorf("row %d describes another customer: %+v", i, r.Customer)
		}
		in := r.Customer
		if _, fields := in.Validate(); len(fields) > 0 {
			t.Errorf("line %d: example customer does not validate: %v", r.Line, fields)
		}
		contact := *r.Contact
		if _, fields := contact.Validate(time.Now()); len(fields) > 0 {
			t.Errorf("line %d: example key person does not validate: %v", r.Line, fields)
		}
		if r.OwnerUsername != "liwei" {
			t.Errorf("line %d: owner %q", r.Line, r.OwnerUsername)
		}
	}
}

func TestImportDate(t *testing.T) {
	tests := []struct {
		in            string
		serial, d1904 bool
		want          string
	}{
		{"1975-03-08", true, false, "1975-03-08"},
		{"19750308", false, false, "1975-03-08"},
		{"19751308", false, false, "19751308"},
		{"27461", true, false, "1975-03-08"},
		{"27461.75", true, false, "1975-03-08"},
		{"25999", true, true, "1975-03-08"},
		{"27461", false, false, "27461"},
		{"1975", true, false, "1975"},
		{"NaN", true, false, "NaN"},
		{"", true, false, ""},
	}
	for _, tt := range tests {
		if got := importDate(tt.in, tt.serial, tt.d1904); got != tt.want {
			t.Errorf("importDate(%q, %v, %v) = %q, want %q", tt.in, tt.serial, tt.d1904, got, tt.want)
		}
	}
}

// assertRows compares parsed rows, printing the first difference.
func assertRows(t *testing.T, got, want []ImportRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d:\n got %+v contact %+v\nwant %+v contact %+v", i, got[i], got[i].Contact, want[i], want[i].Contact)
		}
	}
}

// makeXLSX builds a workbook in memory; fill writes into its first sheet.
func makeXLSX(t *testing.T, fill func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f, "Sheet1")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func setRow(t *testing.T, f *excelize.File, sheet string, row int, values ...any) {
	t.Helper()
	cell, err := excelize.CoordinatesToCellName(1, row)
	mustDo(t, err)
	mustDo(t, f.SetSheetRow(sheet, cell, &values))
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// neverEnding is an endless reader of one byte.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
