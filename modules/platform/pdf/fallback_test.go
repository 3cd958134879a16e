package pdf

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
)

// TestFallbackFontRoundTrip: characters the main font lacks — CJK
// Extension B (𠀀 U+20000, 𪚥 U+2A6A5) and A (䶮 U+4DAE) — are drawn in the
// embedded fallback font wherever text goes (paragraph, styled and
// centred text, table cells, header, footer) and come back from pdftotext
// exactly; emoji become □; nothing is ever "�" (issue 9). Both fonts are
// embedded subsets, the document is valid and its metadata reads right.
func TestFallbackFontRoundTrip(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo", "pdffonts", "qpdf")
	name := "𠀀𪚥科技有限公司"
	d := New(fonts, Options{CreationDate: fixedDate, Title: "方案 · " + name, Subject: name, Header: name + " 集客", HeaderRight: "䶮字第 1 号",
		Footer: func(page, total int) string { return "𪚥 第 1 页" }})
	d.Text(name, TextStyle{Size: 16, Align: "C", Bold: true, Bookmark: 1})
	d.Paragraph("客户全称：" + name + "。联系人刘䶮，签约 😀👍🏻 ✅ 尽快。" + strings.Repeat("𠀀一二三𪚥四五", 40))
	d.Table([]string{"客户", "备注"}, nil, [][]string{{name, "右对齐 𪚥"}}, TableOptions{AlignRight: []bool{false, true}})
	b, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	path := pdftest.Write(t, b)
	pdftest.Run(t, "qpdf", "--check", path)
	text := pdftest.Run(t, "pdftotext", "-raw", path, "-")
	if strings.ContainsRune(text, '\uFFFD') {
		t.Fatalf("the PDF has U+FFFD:\n%s", text)
	}
	flat := pdftest.NoSpace(text)
	for _, want := range []string{
		name + "集客", "䶮字第1号", "𪚥第1页", // header and footer
		"客户全称：" + name + "。联系人刘䶮，签约□□□尽快。" + strings.Repeat("𠀀一二三𪚥四五", 40),
		"客户备注" + name + "右对齐𪚥",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, flat)
		}
	}
	if n := strings.Count(flat, name); n != 4 { // header, title, paragraph, table
		t.Errorf("the name is printed %d times, want 4", n)
	}
	fontsOut := pdftest.Run(t, "pdffonts", path)
	for _, want := range []string{"+JikeSans", "+JikeHanEx"} {
		if !strings.Contains(fontsOut, want) {
			t.Errorf("pdffonts lacks %s:\n%s", want, fontsOut)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(fontsOut), "\n")[2:] {
		if f := strings.Fields(l); f[len(f)-5] != "yes" || f[len(f)-4] != "yes" {
			t.Errorf("not an embedded subset: %s", l)
		}
	}
	if info := pdftest.NoSpace(pdftest.Run(t, "pdfinfo", path)); !strings.Contains(info, "Subject:"+name) || !strings.Contains(info, "Title:方案·"+name) {
		t.Errorf("metadata:\n%s", info)
	}

	// A document without such characters does not carry the fallback font.
	plain := New(fonts, Options{CreationDate: fixedDate})
	plain.Paragraph("普通客户名称")
	if out := pdftest.Run(t, "pdffonts", writePDF(t, plain)); strings.Contains(out, "JikeHanEx") {
		t.Errorf("the fallback font is embedded without need:\n%s", out)
	}
}
