package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/jung-kurt/gofpdf"
)

const (
	// fontFamily is the name the font is registered under in gofpdf. gofpdf
	// writes it as BaseFont "/utf8jikecjksans"; Bytes renames that to a
	// subset name of the same length ("ABCDEF+JikeSans") so xref offsets
	// stay valid.
	fontFamily   = "jikecjksans"
	gofpdfName   = "/utf8" + fontFamily
	subsetSuffix = "+JikeSans"
	// The fallback font (fonts.go) likewise: "/utf8jikehanextra" becomes
	// "ABCDEF+JikeHanEx".
	fallbackFamily = "jikehanextra"
	fallbackName   = "/utf8" + fallbackFamily
	fallbackSuffix = "+JikeHanEx"

	bodyPt   = 10.5 // 五号
	smallPt  = 9    // header, footer
	paraLead = 1.5  // paragraph line height / font size
	cellLead = 1.3  // table line height / font size
	cellPadX = 1.5  // mm
	cellPadY = 1.0  // mm

	// aliasTotal stands for the page count until the document is closed;
	// totalPlaceholder is what footer funcs receive as total meanwhile.
	aliasTotal       = "{jike-nb}"
	totalPlaceholder = 1000000007
)

// Margins are page margins in millimetres. A zero field takes its default:
// 20 top and bottom, 18 left and right.
type Margins struct {
	Top, Right, Bottom, Left float64
}

// Options describe a document. The zero value is a portrait A4 document
// stamped with the current time.
type Options struct {
	Title, Author, Subject string
	// CreationDate is written as both CreationDate and ModDate. Set it (for
	// instance to the record's updated_at) to get byte-identical output for
	// identical input; zero means now.
	CreationDate time.Time
	// PageSize is "A4" (default), "A3", "A5", "Letter" or "Legal".
	PageSize  string
	Landscape bool
	Margins   Margins
	// Header, when not empty, is printed small at the top of every page.
	Header string
	// HeaderRight, when not empty, is printed right-aligned in the header
	// (e.g. a document number); HeaderLogo, a PNG or JPEG, is drawn at the
	// left of the header, before Header. See extra.go.
	HeaderRight string
	HeaderLogo  []byte
	// Footer, when not nil, gives the footer text of every page; see
	// SetFooter.
	Footer func(page, total int) string
	// Lang is the document language for the XMP metadata ("zh-CN" default).
	Lang string
	// Watermark, when not empty, is printed large, light and diagonally
	// across every page, under the content (e.g. "草稿 · 未审批" on a
	// document that must not be taken for the final one). See also
	// OnPage.
	Watermark string
	// OnPage, when not nil, runs at the start of every page, before its
	// content and after the header and watermark: a per-page hook for
	// marks of the caller's own (it may draw with Doc.PageMark).
	OnPage func(d *Doc, page int)
}

// Doc is one PDF document being built. Helpers lay content out top to
// bottom, breaking pages as needed; errors are kept and returned by Output
// or Bytes. A Doc is not safe for concurrent use.
type Doc struct {
	pdf          *gofpdf.Fpdf
	m            Margins
	pageW, pageH float64
	k            float64 // points per mm, as gofpdf has it
	bodyPt       float64
	footer       func(page, total int) string
	header       string
	units        map[rune]int // advance widths in font units, per rune
	out          []byte       // the finished document, once Bytes has run
	err          error        // or why it could not be finished
	fonts        *Fonts
	fontBuf      *[]byte // borrowed from fonts until the document is finished
	headerRight  string
	logo         string  // registered image name of the header logo, or ""
	logoAspect   float64 // its width / height
	watermark    string
	onPage       func(d *Doc, page int)
	// The fallback font, added to gofpdf when the first character that
	// needs it is drawn: its borrowed bytes, and the characters drawn in
	// it by their code (for its ToUnicode map).
	fbBuf  *[]byte
	fbUsed map[rune]rune
}

// New starts a document with its first page. fonts is normally created once
// per process (DefaultFonts or NewFonts) and shared; nil means DefaultFonts.
func New(fonts *Fonts, opts Options) *Doc {
	if fonts == nil {
		fonts = DefaultFonts()
	}
	size := opts.PageSize
	if size == "" {
		size = "A4"
	}
	orient := "P"
	if opts.Landscape {
		orient = "L"
	}
	m := opts.Margins
	for _, f := range []*float64{&m.Top, &m.Bottom} {
		if *f <= 0 {
			*f = 20
		}
	}
	for _, f := range []*float64{&m.Left, &m.Right} {
		if *f <= 0 {
			*f = 18
		}
	}
	lang := opts.Lang
	if lang == "" {
		lang = "zh-CN"
	}

	p := gofpdf.New(orient, "mm", size, "")
	d := &Doc{pdf: p, m: m, k: 72 / 25.4, bodyPt: bodyPt, footer: opts.Footer,
		header: opts.Header, headerRight: opts.HeaderRight, units: make(map[rune]int, 512), fonts: fonts, fontBuf: fonts.borrow(),
		watermark: opts.Watermark, onPage: opts.OnPage}
	d.pageW, d.pageH = p.GetPageSize()
	p.SetMargins(m.Left, m.Top, m.Right)
	p.SetAutoPageBreak(true, m.Bottom)
	p.SetCellMargin(0)
	p.SetCatalogSort(true)
	date := opts.CreationDate
	if date.IsZero() {
		date = time.Now()
	}
	p.SetCreationDate(date)
	p.SetModificationDate(date)
	// gofpdf's own UTF-16 conversion garbles characters beyond the BMP
	// (a customer's name with 𠀀 in the subject): encode them here.
	p.SetTitle(utf16Text(opts.Title), false)
	p.SetAuthor(utf16Text(opts.Author), false)
	p.SetSubject(utf16Text(opts.Subject), false)
	p.SetCreator("Jike CRM", true)
	p.SetXmpMetadata(xmp(lang))

	func() {
		defer func() { // gofpdf may panic on a font it half understands
			if r := recover(); r != nil {
				p.SetError(fmt.Errorf("pdf: loading font: %v", r))
			}
		}()
		p.AddUTF8FontFromBytes(fontFamily, "", *d.fontBuf)
	}()
	p.SetFont(fontFamily, "", bodyPt)
	p.AliasNbPages(aliasTotal)
	p.SetHeaderFuncMode(d.drawHeader, true)
	p.SetFooterFuncLpi(d.drawFooter)
	d.registerLogo(opts.HeaderLogo)
	p.AddPage()
	return d
}

// xmp is a minimal XMP packet carrying the document language, since gofpdf
// cannot write the catalog's /Lang.
func xmp(lang string) []byte {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(lang))
	return []byte(`<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:language><rdf:Bag><rdf:li>` + esc.String() + `</rdf:li></rdf:Bag></dc:language>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="r"?>`)
}

// PageNumberFooter returns a footer func for SetFooter: "第 1 页 / 共 3 页"
// for Chinese (lang "" or starting with "zh"), "Page 1 of 3" otherwise.
func PageNumberFooter(lang string) func(page, total int) string {
	if lang == "" || strings.HasPrefix(strings.ToLower(lang), "zh") {
		return func(page, total int) string { return fmt.Sprintf("第 %d 页 / 共 %d 页", page, total) }
	}
	return func(page, total int) string { return fmt.Sprintf("Page %d of %d", page, total) }
}

// SetFooter sets the footer text func for every page, including pages
// already started; nil removes the footer. total is only known when the
// document is finished, so until the last page fn receives a placeholder
// number for it: fn must only format total (%d, strconv.Itoa), not compute
// with it. The text is centred in the bottom margin.
func (d *Doc) SetFooter(fn func(page, total int) string) {
	d.footer = fn
}

// drawHeader is gofpdf's header func, so it runs at the start of every
// page: the header line, then the per-page marks (watermark, OnPage).
func (d *Doc) drawHeader() {
	d.drawHeaderLine()
	if d.watermark != "" {
		d.PageMark(d.watermark)
	}
	if d.onPage != nil {
		d.onPage(d, d.pdf.PageNo())
	}
}

// PageMark prints text large, light grey and diagonally (bottom left to
// top right) across the middle of the current page, sized to fit the
// page's diagonal. Drawn at the start of a page (Options.Watermark,
// OnPage) it lies under the page's content.
func (d *Doc) PageMark(text string) {
	text = strings.SplitN(d.clean(text), "\n", 2)[0]
	if strings.TrimSpace(text) == "" {
		return
	}
	p := d.pdf
	x, y := p.GetXY()
	diag := math.Hypot(d.pageW, d.pageH)
	pt := 72.0
	if w := d.TextWidth(text, pt); w > diag*0.7 {
		pt *= diag * 0.7 / w
	}
	w := d.TextWidth(text, pt)
	angle := math.Atan2(d.pageH, d.pageW) * 180 / math.Pi
	cx, cy := d.pageW/2, d.pageH/2
	p.TransformBegin()
	p.TransformRotate(angle, cx, cy)
	p.SetFont(fontFamily, "", pt)
	p.SetTextColor(222, 222, 222)
	// Marked as text that reads as nothing (an empty ActualText span):
	// text extraction would otherwise thread the diagonal characters
	// through the page's lines. The mark stays readable as text in the
	// header (drawHeaderLine).
	p.RawWriteStr("/Span <</ActualText ()>> BDC")
	p.Text(cx-w/2, cy+mm(pt)*0.35, text)
	p.RawWriteStr("EMC")
	p.TransformEnd()
	p.SetTextColor(0, 0, 0)
	p.SetFont(fontFamily, "", d.bodyPt)
	p.SetXY(x, y)
}

// drawHeaderLine draws the header: logo and Header at the left; at the
// right HeaderRight, after the watermark text (so the mark is also on
// every page as plain text that extraction and search find).
func (d *Doc) drawHeaderLine() {
	right := d.headerRight
	if mark := strings.SplitN(d.clean(d.watermark), "\n", 2)[0]; strings.TrimSpace(mark) != "" {
		right = strings.TrimSpace(mark + "　" + right)
	}
	if d.header == "" && right == "" && d.logo == "" {
		return
	}
	lh := mm(smallPt) * cellLead
	y := d.m.Top - lh - 4
	if y < 2 {
		y = 2
	}
	x := d.m.Left + d.drawHeaderLogo(y, lh)
	d.pdf.SetFont(fontFamily, "", smallPt)
	d.pdf.SetTextColor(110, 110, 110)
	w := d.pageW - d.m.Right - x
	if right != "" {
		right := d.wrap(right, w/2, smallPt)[0]
		rw := d.TextWidth(right, smallPt)
		d.pdf.SetXY(d.pageW-d.m.Right-rw, y)
		d.cell(rw, lh, right, 0, "L")
		w -= rw + 4
	}
	if d.header != "" && w > 0 {
		d.pdf.SetXY(x, y)
		d.cell(w, lh, d.wrap(d.header, w, smallPt)[0], 0, "L")
	}
	d.pdf.SetDrawColor(190, 190, 190)
	d.pdf.Line(d.m.Left, y+lh+1, d.pageW-d.m.Right, y+lh+1)
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetTextColor(0, 0, 0)
}

func (d *Doc) drawFooter(last bool) {
	if d.footer == nil {
		return
	}
	page := d.pdf.PageNo()
	var text, measure string
	if last {
		// The total is known now; drawing the real digits here also puts
		// them into the font subset for the alias on earlier pages.
		text = d.footer(page, page)
		measure = text
	} else {
		raw := d.footer(page, totalPlaceholder)
		ph := strconv.Itoa(totalPlaceholder)
		text = strings.ReplaceAll(raw, ph, aliasTotal)
		// Centre as if the total had as many digits as this page number.
		measure = strings.ReplaceAll(raw, ph, strconv.Itoa(page))
	}
	text = strings.SplitN(d.clean(text), "\n", 2)[0]
	measure = strings.SplitN(d.clean(measure), "\n", 2)[0]
	d.pdf.SetFont(fontFamily, "", smallPt)
	d.pdf.SetTextColor(110, 110, 110)
	lh := mm(smallPt) * cellLead
	w := d.TextWidth(measure, smallPt)
	d.pdf.SetXY((d.pageW-w)/2, d.pageH-d.m.Bottom/2-lh/2)
	d.cell(w, lh, text, 0, "L")
	d.pdf.SetTextColor(0, 0, 0)
}

// Heading writes a heading; level 1 is the largest, 3 and beyond are the
// same size. A heading is never left alone at the bottom of a page.
func (d *Doc) Heading(level int, text string) {
	pt := map[int]float64{1: 18, 2: 14, 3: 12}[level]
	if pt == 0 {
		pt = 12
	}
	lh := mm(pt) * 1.35
	lines := d.wrap(text, d.contentW(), pt)
	before := mm(pt) * 0.6
	if d.atPageTop() {
		before = 0
	}
	// Keep the heading with at least two lines of what follows.
	need := before + float64(len(lines))*lh + 2*mm(d.bodyPt)*paraLead
	if d.pdf.GetY()+need > d.bottom() {
		d.pdf.AddPage()
		before = 0
	}
	d.pdf.SetY(d.pdf.GetY() + before)
	d.pdf.SetFont(fontFamily, "", pt)
	for _, l := range lines {
		d.cell(d.contentW(), lh, l, 1, "L")
	}
	if level <= 1 {
		y := d.pdf.GetY() + 0.5
		d.pdf.SetDrawColor(150, 150, 150)
		d.pdf.Line(d.m.Left, y, d.pageW-d.m.Right, y)
		d.pdf.SetDrawColor(0, 0, 0)
		d.pdf.SetY(y + 1)
	}
	d.pdf.SetY(d.pdf.GetY() + mm(pt)*0.3)
	d.pdf.SetFont(fontFamily, "", d.bodyPt)
}

// Paragraph writes text wrapped to the content width, left-aligned, with
// the line-break rules of WrapLines, followed by half a line of space.
func (d *Doc) Paragraph(text string) {
	d.pdf.SetFont(fontFamily, "", d.bodyPt)
	lh := mm(d.bodyPt) * paraLead
	for _, l := range d.wrap(text, d.contentW(), d.bodyPt) {
		d.cell(d.contentW(), lh, l, 1, "L")
	}
	d.Spacer(lh / 2)
}

// KeyValue writes a two-column label/value list without rules; labels take
// the width of the longest one (at most a third of the page), values wrap.
func (d *Doc) KeyValue(rows [][2]string) {
	d.pdf.SetFont(fontFamily, "", d.bodyPt)
	labelW := 0.0
	for _, r := range rows {
		if w := d.TextWidth(r[0], d.bodyPt); w > labelW {
			labelW = w
		}
	}
	labelW = min(labelW+2*cellPadX+2, d.contentW()/3)
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = []string{r[0], r[1]}
	}
	d.table(tableSpec{widths: []float64{labelW, d.contentW() - labelW}, rows: cells, labelColumn: true})
	d.Spacer(mm(d.bodyPt) * paraLead / 2)
}

// Spacer adds vertical space. Space is not carried over a page break: at
// the bottom of a page, the next content simply starts a new page.
func (d *Doc) Spacer(mmSpace float64) {
	d.pdf.SetY(min(d.pdf.GetY()+mmSpace, d.bottom()))
}

// PageBreak starts a new page.
func (d *Doc) PageBreak() {
	d.pdf.AddPage()
}

// Output finishes the document and writes it to w.
func (d *Doc) Output(w io.Writer) error {
	b, err := d.Bytes()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Bytes finishes the document and returns it. Nothing may be added after
// the first call; later calls return the same bytes or error.
func (d *Doc) Bytes() ([]byte, error) {
	if d.out == nil && d.err == nil {
		d.out, d.err = d.render()
		d.fonts.giveBack(d.fontBuf)
		d.fontBuf = nil
		if d.fbBuf != nil {
			d.fonts.fbCopies.Put(d.fbBuf)
			d.fbBuf = nil
		}
	}
	return d.out, d.err
}

func (d *Doc) render() (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("pdf: rendering: %v", r)
		}
	}()
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	b := buf.Bytes()
	if len(d.fbUsed) > 0 {
		var err error
		if b, err = setToUnicode(b, fallbackName, toUnicodeCMap(d.fbUsed)); err != nil {
			return nil, err
		}
	}
	return subsetName(b), nil
}

// subsetName gives the embedded font a subset name ("ABCDEF+JikeSans", PDF
// 32000-1 §9.6.4): the font is a subset, and tools such as pdffonts and
// PDF mergers rely on the tag. The tag derives from the document so that
// different subsets get different tags; the replacement has the same length
// as gofpdf's name, so no offset changes.
func subsetName(b []byte) []byte {
	sum := sha256.Sum256(b)
	for _, n := range []struct{ name, suffix string }{{gofpdfName, subsetSuffix}, {fallbackName, fallbackSuffix}} {
		tag := make([]byte, 0, len(n.name))
		tag = append(tag, '/')
		for _, c := range sum[:len(n.name)-1-len(n.suffix)] {
			tag = append(tag, 'A'+c%26)
		}
		tag = append(tag, n.suffix...)
		b = bytes.ReplaceAll(b, []byte(n.name), tag)
	}
	return b
}

func (d *Doc) contentW() float64 { return d.pageW - d.m.Left - d.m.Right }
func (d *Doc) bottom() float64   { return d.pageH - d.m.Bottom }
func (d *Doc) atPageTop() bool   { return d.pdf.GetY() <= d.m.Top+0.01 }

// mm converts points to millimetres.
func mm(pt float64) float64 { return pt * 25.4 / 72 }

// runeUnits is the advance width of r in font units (1/1000 em), as gofpdf
// measures it. A character of the fallback font is 1 em wide (its
// builder checks that every glyph is).
func (d *Doc) runeUnits(r rune) int {
	u, ok := d.units[r]
	if !ok {
		if _, fb := d.fallbackCode(r); fb {
			u = 1000
		} else {
			u = d.pdf.GetStringSymbolWidth(string(r))
		}
		d.units[r] = u
	}
	return u
}

// fallbackCode is r's code in the fallback font when the regular font
// cannot draw r and the fallback can.
func (d *Doc) fallbackCode(r rune) (rune, bool) {
	if r < 0x3400 || d.fonts.covers(r) {
		return 0, false
	}
	return d.fonts.fallbackCode(r)
}

// cell draws one already-wrapped line like gofpdf's CellFormat (w × h at
// the current position, aligned "L", "C" or "R"; ln 0 leaves the position
// after the cell, 1 at the left margin below it, 2 below it). Characters
// the regular font lacks are drawn in the fallback font, in runs, at the
// widths the line breaker measured.
func (d *Doc) cell(w, h float64, text string, ln int, align string) {
	p := d.pdf
	type run struct {
		text []rune
		fb   bool
	}
	var runs []run
	for _, r := range text {
		code, fb := d.fallbackCode(r)
		if fb {
			r = code
		}
		if n := len(runs); n > 0 && runs[n-1].fb == fb {
			runs[n-1].text = append(runs[n-1].text, r)
		} else {
			runs = append(runs, run{[]rune{r}, fb})
		}
	}
	if len(runs) <= 1 && (len(runs) == 0 || !runs[0].fb) {
		p.CellFormat(w, h, text, "", ln, align, false, 0, "")
		return
	}
	pt, _ := p.GetFontSize()
	x, y := p.GetXY()
	total := d.TextWidth(text, pt)
	cx := x
	switch align {
	case "C":
		cx += (w - total) / 2
	case "R":
		cx += w - total
	}
	for _, r := range runs {
		units := 0
		if r.fb {
			if !d.useFallback(pt) {
				return
			}
			units = 1000 * len(r.text)
			for _, c := range r.text {
				d.fbUsed[c] = d.fonts.fbChar(c)
			}
		} else {
			p.SetFont(fontFamily, "", pt)
			for _, c := range r.text {
				units += d.runeUnits(c)
			}
		}
		rw := float64(units) * pt / d.k / 1000
		p.SetXY(cx, y)
		p.CellFormat(rw, h, string(r.text), "", 0, "L", false, 0, "")
		cx += rw
	}
	p.SetFont(fontFamily, "", pt)
	switch ln {
	case 1:
		p.SetXY(d.m.Left, y+h)
	case 2:
		p.SetXY(x, y+h)
	default:
		p.SetXY(x+w, y)
	}
}

// useFallback selects the fallback font at pt, adding it to the document
// the first time. It reports false (the document's error is set) when the
// font cannot be loaded.
func (d *Doc) useFallback(pt float64) bool {
	if d.fbBuf == nil {
		if err := d.fonts.fallback(); err != nil {
			d.pdf.SetError(err)
			return false
		}
		d.fbBuf, d.fbUsed = d.fonts.borrowFallback(), map[rune]rune{}
		func() {
			defer func() {
				if r := recover(); r != nil {
					d.pdf.SetError(fmt.Errorf("pdf: loading the fallback font: %v", r))
				}
			}()
			d.pdf.AddUTF8FontFromBytes(fallbackFamily, "", *d.fbBuf)
		}()
	}
	d.pdf.SetFont(fallbackFamily, "", pt)
	return d.pdf.Error() == nil
}

// utf16Text encodes s as a PDF text string (UTF-16BE with a byte order
// mark, surrogate pairs beyond the BMP) for gofpdf's metadata setters.
func utf16Text(s string) string {
	if s == "" {
		return ""
	}
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return string(b)
}
