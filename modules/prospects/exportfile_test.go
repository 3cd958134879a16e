package prospects

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// exportFixture has a plain customer, one whose texts need CSV quoting and
// one whose texts look like formulas.
func exportFixture() []ExportRow {
	updated := time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC) // 09:30 in Beijing
	return []ExportRow{
		{
			Customer: Customer{Name: "哈尔滨龙江冷链物流有限公司", CreditCode: codeLongjiang, Industry: "logistics", Grade: "A",
				Status: "prospect", Headcount: 320, AnnualSpendFen: 18600050, Region: "南岗区", Address: "哈尔滨市南岗区学府路 88 号",
				Competitors: "cmcc,ctcc", QualScore: 75, UpdatedAt: updated},
			Owner: "李伟", ChiefRep: "赵敏", Team: "政企客户一部", KeyPersons: []string{"王海涛", "刘晓燕"},
		},
		{
			Customer: Customer{Name: `大庆"石化",配套服务有限公司`, CreditCode: codeDaqing, Industry: "energy", Grade: "B",
				Status: "active", Headcount: 80, AnnualSpendFen: 5, Region: "让胡路区", Address: "大庆市\n让胡路区"},
			Owner: "高远", Team: "能源行业客户部",
		},
		{
			Customer: Customer{Name: "=HYPERLINK(\"http://evil.example\")", CreditCode: codeDaqing, Industry: "other", Grade: "D",
				Status: "churned", Address: "+86 街道", Region: "-区", Competitors: "other"},
			Owner: "@owner", Team: "\tteam", KeyPersons: []string{"=1+1"},
		},
	}
}

func TestExportCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCustomersCSV(&buf, exportFixture()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF客户名称,统一社会信用代码,行业,客户等级,客户状态,员工人数,年通信支出(元),区县,地址,在网运营商,客户经理,首席客户代表,团队,资质评分,关键人名单,更新时间\r\n") {
		t.Fatalf("no BOM or wrong header: %q", out[:min(len(out), 200)])
	}
	if !strings.Contains(out, `"大庆""石化"",配套服务有限公司"`) {
		t.Errorf("quotes and commas not escaped: %q", out)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"哈尔滨龙江冷链物流有限公司", codeLongjiang, "交通物流", "A", "潜在", "320", "186000.50", "南岗区", "哈尔滨市南岗区学府路 88 号",
			"移动、电信", "李伟", "赵敏", "政企客户一部", "75", "王海涛、刘晓燕", "2026-11-25 09:30"},
		{`大庆"石化",配套服务有限公司`, codeDaqing, "能源", "B", "在网", "80", "0.05", "让胡路区", "大庆市\n让胡路区",
			"", "高远", "", "能源行业客户部", "0", "", ""},
		{`'=HYPERLINK("http://evil.example")`, codeDaqing, "其他", "D", "离网", "0", "0.00", "'-区", "'+86 街道",
			"其他", "'@owner", "", "'\tteam", "0", "'=1+1", ""},
	}
	if len(recs) != len(want)+1 {
		t.Fatalf("got %d records, want %d", len(recs), len(want)+1)
	}
	for i, w := range want {
		if !reflect.DeepEqual(recs[i+1], w) {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, recs[i+1], w)
		}
	}
}

func TestExportCSVSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"普通文本", "普通文本"},
		{"=SUM(A1)", "'=SUM(A1)"},
		{"+8613800000000", "'+8613800000000"},
		{"-1", "'-1"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := csvSafe(tt.in); got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExportXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCustomersXLSX(&buf, exportFixture()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "客户名称" || rows[0][15] != "更新时间" {
		t.Fatalf("rows = %q", rows)
	}
	if got := rows[1]; got[0] != "哈尔滨龙江冷链物流有限公司" || got[6] != "186,000.50" || got[14] != "王海涛、刘晓燕" || got[15] != "2026-11-25 09:30" {
		t.Errorf("row 2 = %q", got)
	}
	// Numbers are numbers (no type attribute or "n"); formula-like text
	// stays text, unescaped.
	isNumber := func(c excelize.CellType) bool { return c == excelize.CellTypeUnset || c == excelize.CellTypeNumber }
	isText := func(c excelize.CellType) bool {
		return c == excelize.CellTypeInlineString || c == excelize.CellTypeSharedString
	}
	for _, tt := range []struct {
		cell string
		ok   func(excelize.CellType) bool
	}{{"F2", isNumber}, {"G2", isNumber}, {"N2", isNumber}, {"A2", isText}, {"B2", isText}, {"A4", isText}} {
		typ, err := f.GetCellType(sheet, tt.cell)
		if err != nil {
			t.Fatal(err)
		}
		if !tt.ok(typ) {
			t.Errorf("%s has cell type %v", tt.cell, typ)
		}
	}
	raw, err := f.GetCellValue(sheet, "G3", excelize.Options{RawCellValue: true})
	if err != nil || raw != "0.05" {
		t.Errorf("G3 raw = %q, %v; want 0.05", raw, err)
	}
	if v, _ := f.GetCellValue(sheet, "A4"); v != `=HYPERLINK("http://evil.example")` {
		t.Errorf("A4 = %q", v)
	}
	if formula, _ := f.GetCellFormula(sheet, "A4"); formula != "" {
		t.Errorf("A4 became a formula: %q", formula)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v, %v", panes, err)
	}
}

// An export can be imported again: the customer columns come back.
func TestExportReimport(t *testing.T) {
	rows := exportFixture()
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			write := WriteCustomersCSV
			if format == "xlsx" {
				write = WriteCustomersXLSX
			}
			if err := write(&buf, rows); err != nil {
				t.Fatal(err)
			}
			got, err := ParseImport("export."+format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(rows) {
				t.Fatalf("got %d rows, want %d", len(got), len(rows))
			}
			for i, r := range got {
				c := rows[i].Customer
				if r.Line != i+2 || r.Customer.Name != c.Name || r.Customer.CreditCode != c.CreditCode ||
					r.Customer.Address != c.Address || r.Customer.Region != c.Region {
					t.Errorf("row %d: %+v", i, r)
				}
				if r.Contact != nil {
					t.Errorf("row %d: the key person list became a key person: %+v", i, r.Contact)
				}
				// The labels and amounts read back to the same values.
				in := r.Customer
				v, fields := in.Validate()
				for _, f := range []string{"industry", "grade", "status", "headcount", "annual_spend", "competitors"} {
					if fields[f] != "" {
						t.Errorf("row %d: %s: %s", i, f, fields[f])
					}
				}
				if in.Industry != c.Industry || in.Grade != c.Grade || in.Status != c.Status ||
					strings.Join(in.Competitors, ",") != c.Competitors || v.headcount != c.Headcount || v.spend != c.AnnualSpendFen {
					t.Errorf("row %d: read back %+v %+v, exported %+v", i, in, v, c)
				}
			}
		})
	}
}
