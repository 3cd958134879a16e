package proposals

import (
	"bytes"
	"regexp"
	"testing"
)

// pageObject matches a page object of the PDF (not the /Pages tree).
var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

// BenchmarkProposalPDF10Pages renders a proposal of about ten pages: the
// title page, the text sections and a line-item table over several
// pages, totals and the signature block.
func BenchmarkProposalPDF10Pages(b *testing.B) {
	zh, _ := translators(b)
	data := testData(testDetail(b, 70, solutionText(7000)))
	data.Detail.P.Implementation = solutionText(1500)
	var out []byte
	for b.Loop() {
		var err error
		if out, err = RenderPDF(pdfFonts, operator, shanghai, "zh-CN", data, zh); err != nil {
			b.Fatal(err)
		}
	}
	// Counted once, outside the timed loop: gofpdf writes its page objects
	// uncompressed.
	pages := len(pageObject.FindAll(out, -1))
	if !bytes.HasPrefix(out, []byte("%PDF")) || pages == 0 {
		b.Fatal("no PDF")
	}
	b.ReportMetric(float64(len(out)), "bytes")
	b.ReportMetric(float64(pages), "pages")
}
