package pdf

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
)

// TestWatermarkOnEveryPage: Options.Watermark is printed on every page,
// the pages an automatic break starts included, and OnPage runs once per
// page; a document without one has none.
func TestWatermarkOnEveryPage(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo", "qpdf")
	var pages []int
	d := New(fonts, Options{CreationDate: fixedDate, Header: "集客通信", Watermark: "草稿 · 未审批",
		OnPage: func(_ *Doc, page int) { pages = append(pages, page) }})
	d.SetFooter(PageNumberFooter("zh-CN"))
	d.Paragraph(longText())
	path := writePDF(t, d)
	pdftest.Run(t, "qpdf", "--check", path)
	n := pdftest.Pages(t, path)
	if n < 2 || len(pages) != n {
		t.Fatalf("%d pages, OnPage ran for %v", n, pages)
	}
	for p := 1; p <= n; p++ {
		if text := pdftest.NoSpace(pdftest.PageText(t, path, p)); !strings.Contains(text, "草稿·未审批") {
			t.Errorf("page %d has no watermark:\n%s", p, text)
		}
	}
	// The body text still reads in order around the mark.
	if body := pdftest.NoSpace(pdftest.Run(t, "pdftotext", path, "-")); !strings.Contains(body, pdftest.NoSpace(longText()[:300])) {
		t.Error("the watermark broke the body text")
	}

	plain := New(fonts, Options{CreationDate: fixedDate})
	plain.Paragraph("正式版")
	if text := pdftest.Run(t, "pdftotext", writePDF(t, plain), "-"); strings.Contains(text, "草稿") {
		t.Errorf("a document without a watermark has one: %q", text)
	}
}
