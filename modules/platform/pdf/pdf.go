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
	p.SetTitle(opts.Title, true)
	p.SetAuthor(opts.Author, true)
	p.SetSubject(opts.Subject, true)
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
	text = strings.SplitN(sanitize(text), "\n", 2)[0]
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
	if mark := strings.SplitN(sanitize(d.watermark), "\n", 2)[0]; strings.TrimSpace(mark) != "" {
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
		rw := d.pdf.GetStringWidth(right)
		d.pdf.SetXY(d.pageW-d.m.Right-rw, y)
		d.pdf.CellFormat(rw, lh, right, "", 0, "L", false, 0, "")
		w -= rw + 4
	}
	if d.header != "" && w > 0 {
		d.pdf.SetXY(x, y)
		d.pdf.CellFormat(w, lh, d.wrap(d.header, w, smallPt)[0], "", 0, "L", false, 0, "")
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
	text = strings.SplitN(sanitize(text), "\n", 2)[0]
	measure = strings.SplitN(sanitize(measure), "\n", 2)[0]
	d.pdf.SetFont(fontFamily, "", smallPt)
	d.pdf.SetTextColor(110, 110, 110)
	lh := mm(smallPt) * cellLead
	w := d.pdf.GetStringWidth(measure)
	d.pdf.SetXY((d.pageW-w)/2, d.pageH-d.m.Bottom/2-lh/2)
	d.pdf.CellFormat(w, lh, text, "", 0, "L", false, 0, "")
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
		d.pdf.CellFormat(d.contentW(), lh, l, "", 1, "L", false, 0, "")
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
		d.pdf.CellFormat(d.contentW(), lh, l, "", 1, "L", false, 0, "")
	}
	d.Spacer(lh / 2)
}

// KeyValue writes a two-column label/value list without rules; labels take
// the width of the longest one (at most a third of the page), values wrap.
func (d *Doc) KeyValue(rows [][2]string) {
	d.pdf.SetFont(fontFamily, "", d.bodyPt)
	labelW := 0.0
	for _, r := range rows {
		if w := d.pdf.GetStringWidth(sanitize(r[0])); w > labelW {
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
	return subsetName(buf.Bytes()), nil
}

// subsetName gives the embedded font a subset name ("ABCDEF+JikeSans", PDF
// 32000-1 §9.6.4): the font is a subset, and tools such as pdffonts and
// PDF mergers rely on the tag. The tag derives from the document so that
// different subsets get different tags; the replacement has the same length
// as gofpdf's name, so no offset changes.
func subsetName(b []byte) []byte {
	sum := sha256.Sum256(b)
	tag := make([]byte, 0, len(gofpdfName))
	tag = append(tag, '/')
	for _, c := range sum[:len(gofpdfName)-1-len(subsetSuffix)] {
		tag = append(tag, 'A'+c%26)
	}
	tag = append(tag, subsetSuffix...)
	return bytes.ReplaceAll(b, []byte(gofpdfName), tag)
}

func (d *Doc) contentW() float64 { return d.pageW - d.m.Left - d.m.Right }
func (d *Doc) bottom() float64   { return d.pageH - d.m.Bottom }
func (d *Doc) atPageTop() bool   { return d.pdf.GetY() <= d.m.Top+0.01 }

// mm converts points to millimetres.
func mm(pt float64) float64 { return pt * 25.4 / 72 }

// runeUnits is the advance width of r in font units (1/1000 em), as gofpdf
// measures it.
func (d *Doc) runeUnits(r rune) int {
	u, ok := d.units[r]
	if !ok {
		u = d.pdf.GetStringSymbolWidth(string(r))
		d.units[r] = u
	}
	return u
}
