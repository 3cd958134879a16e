package pdf

// Building blocks for formal documents (the proposal): styled text lines
// (larger, bold, centred), bullet lists with a hanging indent, rules,
// images and a header logo, a ruled key/value box, a signature block and a
// few layout queries. Text goes through wrap like everything else, never
// through gofpdf's MultiCell/SplitText (see doc.go).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jung-kurt/gofpdf"
)

// RGB is a colour; the zero value is black.
type RGB struct{ R, G, B uint8 }

// TextStyle tunes Text. The zero value is body text, left-aligned, black.
type TextStyle struct {
	// Size is the font size in points; 0 means the body size.
	Size float64
	// Bold simulates a bold weight by stroking the glyph outlines (the
	// embedded font has a single weight). Text extraction is unaffected.
	Bold bool
	// Align is "L" (default), "C" or "R".
	Align string
	Color RGB
	// Leading is the line height as a multiple of Size; 0 means 1.5.
	Leading float64
	// Indent is a left indent in mm for every line.
	Indent float64
	// SpaceBefore (dropped at the top of a page) and SpaceAfter are
	// vertical space in mm.
	SpaceBefore, SpaceAfter float64
	// KeepWithNext is how much of what follows (mm) must fit on the same
	// page as the text; otherwise the text starts a new page. Use it for
	// headings.
	KeepWithNext float64
	// Bookmark, when > 0, adds an entry at that level (1 = top) to the
	// document outline that PDF viewers show beside the pages.
	Bookmark int
	// Balance makes the lines of a wrapped text about equally long (the
	// narrowest width that needs no more lines), so that a centred title
	// does not end with a lone character.
	Balance bool
}

func (st TextStyle) pt(d *Doc) float64 {
	if st.Size > 0 {
		return st.Size
	}
	return d.bodyPt
}

func (st TextStyle) lineH(d *Doc) float64 {
	lead := st.Leading
	if lead <= 0 {
		lead = paraLead
	}
	return mm(st.pt(d)) * lead
}

// Text writes text in the given style, wrapped to the content width (less
// Indent) with the rules of WrapLines. Lines that do not fit continue on
// the next page; a block that fits on one page together with KeepWithNext
// is not split.
func (d *Doc) Text(text string, st TextStyle) {
	pt, lh := st.pt(d), st.lineH(d)
	w := d.contentW() - st.Indent
	lines := d.wrap(text, w, pt)
	if st.Balance && len(lines) > 1 {
		lines = d.balance(text, w, pt, len(lines))
	}
	before := st.SpaceBefore
	if d.atPageTop() {
		before = 0
	}
	block := float64(len(lines))*lh + st.KeepWithNext
	if !d.atPageTop() && d.pdf.GetY()+before+block > d.bottom() && block <= d.bottom()-d.m.Top {
		d.pdf.AddPage()
		before = 0
	}
	d.pdf.SetY(d.pdf.GetY() + before)
	for i, l := range lines {
		if d.pdf.GetY()+lh > d.bottom()+1e-9 {
			d.pdf.AddPage()
		}
		if i == 0 && st.Bookmark > 0 {
			d.pdf.Bookmark(bmpOnly(strings.Join(strings.Fields(d.clean(text)), " ")), st.Bookmark-1, -1)
		}
		d.styledLine(l, d.m.Left+st.Indent, w, lh, pt, st.Align, st.Color, st.Bold)
	}
	d.Spacer(st.SpaceAfter)
}

// balance wraps text at the narrowest width that gives at most n lines.
func (d *Doc) balance(text string, w, pt float64, n int) []string {
	lo, hi := 0.0, w
	for hi-lo > 0.2 {
		mid := (lo + hi) / 2
		if len(d.wrap(text, mid, pt)) <= n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return d.wrap(text, hi, pt)
}

// MeasureText is the height in mm that Text(text, st) takes, SpaceBefore
// and SpaceAfter included, if no page break occurs.
func (d *Doc) MeasureText(text string, st TextStyle) float64 {
	n := len(d.wrap(text, d.contentW()-st.Indent, st.pt(d)))
	return st.SpaceBefore + float64(n)*st.lineH(d) + st.SpaceAfter
}

// styledLine draws one already-wrapped line at the current y and moves
// below it. Bold is fill + stroke in the text colour, switched off again
// right after the line so that headers and footers of a following page
// break are never affected.
func (d *Doc) styledLine(line string, x, w, lh, pt float64, align string, c RGB, bold bool) {
	p := d.pdf
	if align == "" {
		align = "L"
	}
	p.SetFont(fontFamily, "", pt)
	p.SetTextColor(int(c.R), int(c.G), int(c.B))
	lw := p.GetLineWidth()
	if bold {
		p.SetDrawColor(int(c.R), int(c.G), int(c.B))
		p.SetLineWidth(mm(pt) * 0.03)
		p.SetTextRenderingMode(2)
	}
	y := p.GetY()
	p.SetXY(x, y)
	d.cell(w, lh, line, 0, align)
	if bold {
		p.SetTextRenderingMode(0)
		p.SetLineWidth(lw)
		p.SetDrawColor(0, 0, 0)
	}
	p.SetTextColor(0, 0, 0)
	p.SetFont(fontFamily, "", d.bodyPt)
	p.SetXY(d.m.Left, y+lh)
}

// Bullets writes a bulleted list in the body font: a "•" and a hanging
// indent, each item wrapped with the rules of WrapLines ("\n" inside an
// item breaks the line and keeps the indent).
func (d *Doc) Bullets(items []string) {
	pt := d.bodyPt
	lh := mm(pt) * paraLead
	indent := mm(pt) * 1.6
	w := d.contentW() - indent
	d.pdf.SetFont(fontFamily, "", pt)
	d.pdf.SetTextColor(0, 0, 0)
	for _, item := range items {
		lines := d.wrap(item, w, pt)
		// Keep the first two lines of an item together.
		if first := min(len(lines), 2); !d.atPageTop() && d.pdf.GetY()+float64(first)*lh > d.bottom()+1e-9 {
			d.pdf.AddPage()
		}
		for i, l := range lines {
			if d.pdf.GetY()+lh > d.bottom()+1e-9 {
				d.pdf.AddPage()
			}
			if i == 0 {
				y := d.pdf.GetY()
				d.pdf.SetXY(d.m.Left+mm(pt)*0.4, y)
				d.pdf.CellFormat(indent, lh, "•", "", 0, "L", false, 0, "")
				d.pdf.SetY(y)
			}
			d.styledLine(l, d.m.Left+indent, w, lh, pt, "L", RGB{}, false)
		}
		d.Spacer(lh * 0.15)
	}
	d.Spacer(lh / 2)
}

// Rule draws a horizontal line across the content width, weightPt thick,
// with a millimetre of space above and below.
func (d *Doc) Rule(weightPt float64, c RGB) {
	if weightPt <= 0 {
		weightPt = 0.5
	}
	w := mm(weightPt)
	y := d.pdf.GetY() + 1
	if y+w > d.bottom() {
		return // a rule at the foot of a page separates nothing
	}
	lw := d.pdf.GetLineWidth()
	d.pdf.SetLineWidth(w)
	d.pdf.SetDrawColor(int(c.R), int(c.G), int(c.B))
	d.pdf.Line(d.m.Left, y+w/2, d.pageW-d.m.Right, y+w/2)
	d.pdf.SetDrawColor(0, 0, 0)
	d.pdf.SetLineWidth(lw)
	d.pdf.SetY(y + w + 1)
}

// NeedSpace starts a new page unless h mm are left on this one (or the
// page is still empty). Use it to keep a block together.
func (d *Doc) NeedSpace(h float64) {
	if !d.atPageTop() && d.pdf.GetY()+h > d.bottom()+1e-9 {
		d.pdf.AddPage()
	}
}

// Remaining is the vertical space left on the current page, in mm.
func (d *Doc) Remaining() float64 { return d.bottom() - d.pdf.GetY() }

// Y is the current vertical position from the top of the page, in mm.
func (d *Doc) Y() float64 { return d.pdf.GetY() }

// SetY moves to y mm from the top of the page, kept within the margins;
// the next content starts there at the left margin.
func (d *Doc) SetY(y float64) { d.pdf.SetY(max(d.m.Top, min(y, d.bottom()))) }

// ContentWidth is the width between the left and right margins, in mm.
func (d *Doc) ContentWidth() float64 { return d.contentW() }

// PageCount is the number of pages started so far (after Bytes, the
// number of pages of the document).
func (d *Doc) PageCount() int { return d.pdf.PageNo() }

// BodySize is the font size (pt) of Paragraph, KeyValue, Table, Bullets.
func (d *Doc) BodySize() float64 { return d.bodyPt }

// SetBodySize changes the font size (pt) of what follows in Paragraph,
// KeyValue, Table and Bullets, e.g. 9 for a wide table; 0 restores 五号
// (10.5 pt).
func (d *Doc) SetBodySize(pt float64) {
	if pt <= 0 {
		pt = bodyPt
	}
	d.bodyPt = pt
	d.pdf.SetFont(fontFamily, "", pt)
}

// TextWidth is the width in mm of s on one line at pt points, measured as
// the line breaker measures.
func (d *Doc) TextWidth(s string, pt float64) float64 {
	u := 0
	for _, r := range d.clean(s) {
		u += d.runeUnits(r)
	}
	return float64(u) * pt / d.k / 1000
}

// BoxRow is one row of KeyValueBox. Strong rows are printed bold.
type BoxRow struct {
	Label, Value string
	Strong       bool
}

// KeyValueBox writes a ruled two-column box (shaded labels, values on
// the right), kept on one page when it fits. Use it for totals.
func (d *Doc) KeyValueBox(rows []BoxRow) {
	if len(rows) == 0 {
		return
	}
	pt := d.bodyPt
	lh := mm(pt) * cellLead
	labelW := 0.0
	for _, r := range rows {
		labelW = max(labelW, d.TextWidth(r.Label, pt))
	}
	labelW = min(labelW+2*cellPadX+2, d.contentW()*0.4)
	valueW := d.contentW() - labelW
	type cell struct{ label, value []string }
	cells := make([]cell, len(rows))
	heights := make([]float64, len(rows))
	total := 0.0
	for i, r := range rows {
		cells[i] = cell{d.wrap(r.Label, labelW-2*cellPadX, pt), d.wrap(r.Value, valueW-2*cellPadX, pt)}
		heights[i] = float64(max(len(cells[i].label), len(cells[i].value)))*lh + 2*cellPadY
		total += heights[i]
	}
	if total <= d.bottom()-d.m.Top {
		d.NeedSpace(total)
	}
	p := d.pdf
	p.SetAutoPageBreak(false, d.m.Bottom)
	defer p.SetAutoPageBreak(true, d.m.Bottom)
	for i, r := range rows {
		h := heights[i]
		if !d.atPageTop() && p.GetY()+h > d.bottom()+1e-9 {
			p.AddPage()
		}
		x, y := d.m.Left, p.GetY()
		p.SetDrawColor(160, 160, 160)
		p.SetFillColor(234, 237, 242)
		p.Rect(x, y, labelW, h, "FD")
		p.Rect(x+labelW, y, valueW, h, "D")
		p.SetDrawColor(0, 0, 0)
		for j, l := range cells[i].label {
			p.SetXY(x+cellPadX, y+cellPadY+float64(j)*lh)
			d.styledLine(l, x+cellPadX, labelW-2*cellPadX, lh, pt, "L", RGB{70, 70, 70}, false)
		}
		for j, l := range cells[i].value {
			p.SetXY(x, y+cellPadY+float64(j)*lh)
			d.styledLine(l, x+labelW+cellPadX, valueW-2*cellPadX, lh, pt, "L", RGB{}, r.Strong)
		}
		p.SetXY(d.m.Left, y+h)
	}
	d.Spacer(mm(pt) * paraLead / 2)
}

// SignatureField is one line of a signature column: a label ("签字：")
// followed by a rule to write on; Hint is printed small and grey at the
// right end of the rule (e.g. "年　　月　　日"). Height is the writing space
// above the rule in mm (0: 12; a seal needs about 28).
type SignatureField struct {
	Label, Hint string
	Height      float64
}

// SignatureColumn is one party of a signature block: a bold title
// ("甲方（客户）"), the party's name, and the fields to fill in.
type SignatureColumn struct {
	Title, Party string
	Fields       []SignatureField
}

// SignatureBlock writes the columns side by side (two for a contract's
// 甲方 and 乙方), kept together on one page.
func (d *Doc) SignatureBlock(cols []SignatureColumn) {
	n := len(cols)
	if n == 0 {
		return
	}
	const gap = 10.0
	pt := d.bodyPt
	lh := mm(pt) * paraLead
	colW := (d.contentW() - gap*float64(n-1)) / float64(n)
	type laid struct{ title, party []string }
	lay := make([]laid, n)
	height := 0.0
	for i, c := range cols {
		lay[i] = laid{d.wrap(c.Title, colW, pt), nil}
		if c.Party != "" {
			lay[i].party = d.wrap(c.Party, colW, pt)
		}
		h := float64(len(lay[i].title)+len(lay[i].party))*lh + 2
		for _, f := range c.Fields {
			h += fieldHeight(f)
		}
		height = max(height, h)
	}
	d.NeedSpace(height)
	p := d.pdf
	p.SetAutoPageBreak(false, d.m.Bottom)
	defer p.SetAutoPageBreak(true, d.m.Bottom)
	top := p.GetY()
	for i, c := range cols {
		x := d.m.Left + float64(i)*(colW+gap)
		p.SetY(top)
		for _, l := range lay[i].title {
			d.styledLine(l, x, colW, lh, pt, "L", RGB{}, true)
		}
		for _, l := range lay[i].party {
			d.styledLine(l, x, colW, lh, pt, "L", RGB{}, false)
		}
		y := p.GetY() + 2
		for _, f := range c.Fields {
			base := y + fieldHeight(f)
			label := d.wrap(f.Label, colW/2, pt)[0]
			lw := d.TextWidth(label, pt)
			p.SetY(base - lh)
			d.styledLine(label, x, lw+0.5, lh, pt, "L", RGB{}, false)
			p.SetDrawColor(90, 90, 90)
			p.Line(x+lw+1, base-1, x+colW, base-1)
			p.SetDrawColor(0, 0, 0)
			if f.Hint != "" {
				hint := d.wrap(f.Hint, colW-lw-3, pt)[0]
				p.SetY(base - lh)
				d.styledLine(hint, x+lw+1, colW-lw-2, lh, pt, "R", RGB{110, 110, 110}, false)
			}
			y = base
		}
	}
	p.SetXY(d.m.Left, min(top+height, d.bottom()))
	d.Spacer(lh / 2)
}

func fieldHeight(f SignatureField) float64 {
	if f.Height > 0 {
		return f.Height
	}
	return 12
}

// Image draws a PNG or JPEG at the current position, w × h mm (one of them
// 0 keeps the aspect ratio; both 0 means 20 mm high), aligned "L", "C" or
// "R", and moves below it. It starts a new page if the image does not fit.
// The same bytes drawn twice are embedded once.
func (d *Doc) Image(img []byte, w, h float64, align string) {
	name, aspect := d.registerImage(img)
	if name == "" {
		return
	}
	switch {
	case w <= 0 && h <= 0:
		h = 20
		w = h * aspect
	case w <= 0:
		w = h * aspect
	case h <= 0:
		h = w / aspect
	}
	if w > d.contentW() {
		h *= d.contentW() / w
		w = d.contentW()
	}
	d.NeedSpace(h)
	x := d.m.Left
	switch align {
	case "C":
		x += (d.contentW() - w) / 2
	case "R":
		x += d.contentW() - w
	}
	y := d.pdf.GetY()
	d.pdf.ImageOptions(name, x, y, w, h, false, gofpdf.ImageOptions{}, 0, "")
	d.pdf.SetXY(d.m.Left, y+h)
}

// CheckImage reports whether img is a PNG or JPEG that Image and
// Options.HeaderLogo accept (gofpdf refuses, for instance, interlaced or
// 16-bit PNGs). Call it when a logo is configured, so that a bad file fails
// at start-up rather than at the first export.
func CheckImage(img []byte) error {
	d := &Doc{pdf: gofpdf.New("P", "mm", "A4", "")}
	d.registerImage(img)
	return d.pdf.Error()
}

func imageType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "JPG"
	}
	return ""
}

// registerImage adds img to the document once (named by its hash) and
// returns that name and the width/height ratio, or "" after recording an
// error.
func (d *Doc) registerImage(img []byte) (name string, aspect float64) {
	if d.pdf.Err() {
		return "", 0
	}
	tp := imageType(img)
	if tp == "" {
		d.pdf.SetError(errors.New("pdf: image is neither PNG nor JPEG"))
		return "", 0
	}
	sum := sha256.Sum256(img)
	name = "jikeimg" + hex.EncodeToString(sum[:12])
	var info *gofpdf.ImageInfoType
	func() {
		defer func() {
			if r := recover(); r != nil {
				d.pdf.SetError(fmt.Errorf("pdf: image: %v", r))
			}
		}()
		info = d.pdf.RegisterImageOptionsReader(name, gofpdf.ImageOptions{ImageType: tp}, bytes.NewReader(img))
	}()
	if err := d.pdf.Error(); err != nil {
		d.pdf.ClearError()
		d.pdf.SetError(fmt.Errorf("pdf: image: %w", err))
		return "", 0
	}
	if info == nil || info.Width() <= 0 || info.Height() <= 0 {
		d.pdf.SetError(errors.New("pdf: image has no size"))
		return "", 0
	}
	return name, info.Width() / info.Height()
}

// registerLogo prepares Options.HeaderLogo; New calls it before the first
// page so that every header, the first included, shows the logo.
func (d *Doc) registerLogo(img []byte) {
	if len(img) == 0 {
		return
	}
	d.logo, d.logoAspect = d.registerImage(img)
}

// drawHeaderLogo draws the logo at the left of the header, its foot on the
// header rule's line of text, and returns the width it takes (with a gap).
func (d *Doc) drawHeaderLogo(y, lh float64) float64 {
	if d.logo == "" || d.logoAspect <= 0 {
		return 0
	}
	h := min(lh+3, y+lh-1)
	w := h * d.logoAspect
	if maxW := d.contentW() / 3; w > maxW {
		w, h = maxW, maxW/d.logoAspect
	}
	d.pdf.ImageOptions(d.logo, d.m.Left, y+lh-h+0.3, w, h, false, gofpdf.ImageOptions{}, 0, "")
	return w + 2.5
}

// bmpOnly replaces characters beyond the BMP with Missing: gofpdf writes
// outline (bookmark) titles in UCS-2 and would garble them.
func bmpOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return Missing
		}
		return r
	}, s)
}
