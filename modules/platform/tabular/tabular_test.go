package tabular

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// readAll opens data as name and returns every row.
func readAll(t *testing.T, name string, data []byte, lim Limits) ([][]string, []int, error) {
	t.Helper()
	r, err := Open(name, bytes.NewReader(data), int64(len(data)), lim)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows [][]string
	var lines []int
	for {
		line, cells, err := r.Next()
		if err == io.EOF {
			return rows, lines, nil
		}
		if err != nil {
			return rows, lines, err
		}
		rows = append(rows, cells)
		lines = append(lines, line)
	}
}

func wantKind(t *testing.T, err error, kind string) *Error {
	t.Helper()
	var te *Error
	if !errors.As(err, &te) || te.Kind != kind {
		t.Fatalf("err = %v, want kind %s", err, kind)
	}
	return te
}

const sample = "客户名称,信用代码,备注\r\n哈尔滨银行,91230103MA1C8KXL7X,\"第一行\r\n第二行\"\r\n\r\n𠀀字号公司,123,\r\n"

var sampleRows = [][]string{{"客户名称", "信用代码", "备注"}, {"哈尔滨银行", "91230103MA1C8KXL7X", "第一行\n第二行"}, {"𠀀字号公司", "123"}}

func TestCSVEncodings(t *testing.T) {
	gb18030, err := simplifiedchinese.GB18030.NewEncoder().String(sample)
	if err != nil {
		t.Fatal(err)
	}
	gbkOnly := strings.ReplaceAll(sample, "𠀀", "甲")
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(gbkOnly)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().String(sample)
	if err != nil {
		t.Fatal(err)
	}
	gbkRows := [][]string{sampleRows[0], sampleRows[1], {"甲字号公司", "123"}}
	for _, tt := range []struct {
		name, data string
		want       [][]string
	}{
		{"utf8", sample, sampleRows},
		{"utf8 bom", "\uFEFF" + sample, sampleRows},
		{"gb18030", gb18030, sampleRows},
		{"gbk", gbk, gbkRows},
		{"utf16 bom", utf16, sampleRows},
		{"tab separated", strings.ReplaceAll(sample, ",", "\t"), sampleRows},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rows, lines, err := readAll(t, "a.CSV", []byte(tt.data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Fatalf("rows = %q", rows)
			}
			if !reflect.DeepEqual(lines, []int{1, 2, 4}) {
				t.Fatalf("lines = %v, want [1 2 4]", lines)
			}
		})
	}
}

// A multi-byte rune straddling the 64 KiB chunks of the UTF-8 check is
// still UTF-8.
func TestCSVUTF8AcrossChunks(t *testing.T) {
	data := "a\n" + strings.Repeat("x", 64<<10-3) + "银行\n"
	rows, _, err := readAll(t, "a.csv", []byte(data), Limits{MaxCell: 1 << 20})
	if err != nil || len(rows) != 2 || rows[1][0] != strings.Repeat("x", 64<<10-3)+"银行" {
		t.Fatalf("%v %d", err, len(rows))
	}
}

func TestCellsAreCleaned(t *testing.T) {
	rows, _, err := readAll(t, "a.csv", []byte("名称,备注\n\u202Eexe.bat\x00,\x1b[2J\u200B注\u200D释 \n"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"exe.bat", "[2J注释"}; !reflect.DeepEqual(rows[1], want) {
		t.Fatalf("cells = %q, want %q", rows[1], want)
	}
}

func TestCSVRefusesBinary(t *testing.T) {
	workbook := makeXLSX(t, [][]any{{"客户名称"}, {"甲"}})
	for name, data := range map[string][]byte{
		"png":            append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...),
		"pdf":            []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
		"xlsx renamed":   workbook,
		"nul bytes":      []byte("客户名称\x00\x00\x00\x01\x02\x03"),
		"elf executable": append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := readAll(t, "customers.csv", data, Limits{})
			wantKind(t, err, KindNotText)
		})
	}
}

func TestLimits(t *testing.T) {
	t.Run("extension", func(t *testing.T) {
		_, _, err := readAll(t, "a.xls", []byte(sample), Limits{})
		if wantKind(t, err, KindUnsupported).Detail != ".xls" {
			t.Fatal(err)
		}
	})
	t.Run("file size", func(t *testing.T) {
		_, _, err := readAll(t, "a.csv", []byte(sample), Limits{MaxBytes: 10})
		wantKind(t, err, KindTooLarge)
		_, err = ReadAll("a.csv", strings.NewReader(strings.Repeat("a", 100)), Limits{MaxBytes: 99})
		wantKind(t, err, KindTooLarge)
	})
	t.Run("rows", func(t *testing.T) {
		rows, _, err := readAll(t, "a.csv", []byte("a\nb\nc\n"), Limits{MaxRows: 3})
		if err != nil || len(rows) != 3 {
			t.Fatalf("exactly the limit: %v %d", err, len(rows))
		}
		_, _, err = readAll(t, "a.csv", []byte("a\nb\nc\nd\n"), Limits{MaxRows: 3})
		if wantKind(t, err, KindTooManyRows).Line != 4 {
			t.Fatal(err)
		}
	})
	t.Run("columns", func(t *testing.T) {
		if _, _, err := readAll(t, "a.csv", []byte("a,b,c,,,,,,\n"), Limits{MaxColumns: 3}); err != nil {
			t.Fatalf("trailing empty cells do not count: %v", err)
		}
		_, _, err := readAll(t, "a.csv", []byte("a,b,c,d\n"), Limits{MaxColumns: 3})
		wantKind(t, err, KindTooManyColumns)
	})
	t.Run("cell", func(t *testing.T) {
		_, _, err := readAll(t, "a.csv", []byte("a,"+strings.Repeat("x", 101)+"\n"), Limits{MaxCell: 100})
		wantKind(t, err, KindCellTooLong)
		_, _, err = readAll(t, "a.csv", []byte(strings.Repeat(strings.Repeat("x", 50)+"\n", 5)), Limits{MaxText: 200})
		wantKind(t, err, KindCellTooLong)
	})
}

func TestXLSX(t *testing.T) {
	data := makeXLSX(t, [][]any{{"客户名称", "人数", "备注"}, nil, {"哈尔滨银行\u202E", 1200, "甲\u200B乙"}})
	r, err := Open("A.XLSX", bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != XLSX || r.Date1904() {
		t.Fatal("format")
	}
	var got [][]string
	var lines []int
	for {
		line, cells, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, lines = append(got, cells), append(lines, line)
	}
	want := [][]string{{"客户名称", "人数", "备注"}, nil, {"哈尔滨银行", "1200", "甲乙"}}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(lines, []int{1, 2, 3}) {
		t.Fatalf("rows %q lines %v", got, lines)
	}
	for name, data := range map[string][]byte{"csv bytes": []byte(sample), "empty": nil, "old xls": []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest")} {
		_, _, err := readAll(t, "a.xlsx", data, Limits{})
		if te := wantKind(t, err, KindUnreadable); te.Detail == "" || errors.Unwrap(te) == nil {
			t.Fatalf("%s: unreadable without a cause", name)
		}
	}
}

// TestXLSXBombRefusedBeforeInflating: a 200 KiB workbook whose shared
// strings inflate to 200 MiB (the audit's case: 3.6–5 s and ~1 GB each)
// is refused from its zip directory, allocating almost nothing.
func TestXLSXBombRefusedBeforeInflating(t *testing.T) {
	bomb := inflatingPart(t, 200<<20)
	data := rezip(t, makeXLSX(t, [][]any{{"客户名称"}, {"甲"}}), map[string]rawPart{"xl/sharedStrings.xml": bomb})
	if len(data) > 1<<20 {
		t.Fatalf("bomb is %d bytes, want a small file", len(data))
	}
	alloc := allocated(func() {
		_, _, err := readAll(t, "bomb.xlsx", data, Limits{})
		wantKind(t, err, KindInflated)
	})
	if alloc > 8<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", alloc)
	}
	// A style sheet (parsed whole in memory) gets a smaller limit.
	styles := rezip(t, makeXLSX(t, [][]any{{"a"}}), map[string]rawPart{"xl/styles.xml": inflatingPart(t, 8<<20)})
	_, _, err := readAll(t, "styles.xlsx", styles, Limits{})
	wantKind(t, err, KindInflated)
}

// TestXLSXLyingSizes: a part whose directory entry declares 2 KiB but
// that inflates to 200 MiB is cut off at the declared size by archive/zip:
// the file is unreadable or yields nothing, and memory stays bounded.
func TestXLSXLyingSizes(t *testing.T) {
	lie := inflatingPart(t, 200<<20)
	lie.size = 2 << 10
	data := rezip(t, makeXLSX(t, [][]any{{"客户名称"}, {"甲"}}), map[string]rawPart{"xl/worksheets/sheet1.xml": lie})
	alloc := allocated(func() {
		rows, _, err := readAll(t, "lie.xlsx", data, Limits{})
		if err == nil && len(rows) > 0 {
			t.Fatalf("rows from a truncated sheet: %q", rows)
		}
	})
	if alloc > 32<<20 {
		t.Fatalf("reading the lying workbook allocated %d bytes", alloc)
	}
}

// TestXLSXDeclaredDimension: a sheet that declares more rows or columns
// than the limits is refused before its rows are read.
func TestXLSXDeclaredDimension(t *testing.T) {
	sheet := `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C900000"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row></sheetData></worksheet>`
	data := rezip(t, makeXLSX(t, [][]any{{"a"}}), map[string]rawPart{"xl/worksheets/sheet1.xml": storedPart(sheet)})
	_, _, err := readAll(t, "big.xlsx", data, Limits{MaxRows: 1000})
	wantKind(t, err, KindTooManyRows)
	wide := strings.Replace(sheet, "A1:C900000", "A1:ZZ2", 1)
	data = rezip(t, makeXLSX(t, [][]any{{"a"}}), map[string]rawPart{"xl/worksheets/sheet1.xml": storedPart(wide)})
	_, _, err = readAll(t, "wide.xlsx", data, Limits{MaxColumns: 100})
	wantKind(t, err, KindTooManyColumns)
	// The declaration is checked, the rows still are too.
	rows := [][]any{}
	for i := 0; i < 20; i++ {
		rows = append(rows, []any{"x"})
	}
	_, _, err = readAll(t, "rows.xlsx", makeXLSX(t, rows), Limits{MaxRows: 10})
	wantKind(t, err, KindTooManyRows)
}

func TestGate(t *testing.T) {
	g := NewGate(1)
	ctx := context.Background()
	release, err := g.Enter(ctx, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Enter(ctx, 5*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("second import while the first runs: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r2, err := g.Enter(ctx, time.Minute)
		if err != nil {
			t.Error(err)
			return
		}
		r2()
	}()
	release()
	<-done
	r3, err := g.Enter(ctx, time.Millisecond)
	if err != nil {
		t.Fatalf("after both released: %v", err)
	}
	r3()
}

// --- fixtures

func makeXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawPart is a zip entry written as is: deflated bytes and the sizes and
// checksum its directory entry declares.
type rawPart struct {
	data []byte
	size uint64
	crc  uint32
	// stored: data is not compressed.
	stored bool
}

func storedPart(s string) rawPart {
	return rawPart{data: []byte(s), size: uint64(len(s)), crc: crc32.ChecksumIEEE([]byte(s)), stored: true}
}

// inflatingPart is a deflate stream of n spaces, built from one
// compressed MiB repeated (each block only refers back to spaces), so the
// test does not spend seconds compressing.
func inflatingPart(t testing.TB, n int) rawPart {
	t.Helper()
	const mib = 1 << 20
	chunk := bytes.Repeat([]byte(" "), mib)
	var first, rest bytes.Buffer
	w, _ := flate.NewWriter(&first, flate.BestCompression)
	_, _ = w.Write(chunk)
	_ = w.Flush()
	w.Reset(&rest)
	// Priming the window again so the second MiB is all back-references.
	_, _ = w.Write(chunk)
	_ = w.Flush()
	var out bytes.Buffer
	out.Write(first.Bytes())
	repeat := rest.Bytes()
	h := crc32.NewIEEE()
	h.Write(chunk)
	for i := 1; i < n/mib; i++ {
		out.Write(repeat)
		h.Write(chunk)
	}
	out.Write([]byte{0x03, 0x00}) // an empty final block
	return rawPart{data: out.Bytes(), size: uint64(n), crc: h.Sum32()}
}

// rezip copies a workbook, replacing the named parts.
func rezip(t testing.TB, xlsx []byte, replace map[string]rawPart) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		if p, ok := replace[zf.Name]; ok {
			method := zip.Deflate
			if p.stored {
				method = zip.Store
			}
			w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: method, CRC32: p.crc,
				CompressedSize64: uint64(len(p.data)), UncompressedSize64: p.size})
			if err != nil {
				t.Fatal(err)
			}
			_, _ = w.Write(p.data)
			continue
		}
		w, err := zw.CreateRaw(&zf.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := zf.OpenRaw()
		_, _ = io.Copy(w, raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocated reports the bytes fn allocated on the heap.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
