package pdf

import "fmt"

// TableOptions tune Table.
type TableOptions struct {
	// RepeatHeader repeats the header row at the top of every page the
	// table continues on.
	RepeatHeader bool
	// AlignRight[i] right-aligns column i (amounts, quantities); missing
	// entries mean left.
	AlignRight []bool
}

// Table writes a ruled table with a shaded header row. widths are relative
// column weights (nil: equal columns); the table always spans the content
// width. Cells wrap with the rules of WrapLines. A row that fits on a page
// is never split; it moves to the next page instead, and only a row taller
// than a whole page is continued across pages. Every row must have
// len(headers) cells; a mismatch makes Output fail.
func (d *Doc) Table(headers []string, widths []float64, rows [][]string, opts TableOptions) {
	n := len(headers)
	if n == 0 {
		d.pdf.SetError(fmt.Errorf("pdf: table without columns"))
		return
	}
	if widths == nil {
		widths = make([]float64, n)
		for i := range widths {
			widths[i] = 1
		}
	}
	if len(widths) != n {
		d.pdf.SetError(fmt.Errorf("pdf: table has %d headers but %d widths", n, len(widths)))
		return
	}
	sum := 0.0
	for _, w := range widths {
		if !(w > 0) {
			d.pdf.SetError(fmt.Errorf("pdf: table column width %v is not positive", w))
			return
		}
		sum += w
	}
	abs := make([]float64, n)
	for i, w := range widths {
		abs[i] = w / sum * d.contentW()
	}
	for i, r := range rows {
		if len(r) != n {
			d.pdf.SetError(fmt.Errorf("pdf: table row %d has %d cells, want %d", i, len(r), n))
			return
		}
	}
	right := make([]bool, n)
	copy(right, opts.AlignRight)
	d.table(tableSpec{headers: headers, widths: abs, rows: rows, right: right, repeat: opts.RepeatHeader})
	d.Spacer(mm(d.bodyPt) * paraLead / 2)
}

// tableSpec is a table with absolute column widths in mm.
type tableSpec struct {
	headers     []string // nil: no header row
	widths      []float64
	rows        [][]string
	right       []bool
	repeat      bool
	labelColumn bool // KeyValue style: no rules, first column grey
}

// table lays out s with manual page breaks: gofpdf's automatic break is off
// meanwhile so a row is never cut by rounding.
func (d *Doc) table(s tableSpec) {
	pt := d.bodyPt
	lh := mm(pt) * cellLead
	d.pdf.SetFont(fontFamily, "", pt)
	d.pdf.SetAutoPageBreak(false, d.m.Bottom)
	defer d.pdf.SetAutoPageBreak(true, d.m.Bottom)

	wrapRow := func(cells []string) [][]string {
		out := make([][]string, len(cells))
		for c, text := range cells {
			out[c] = d.wrap(text, s.widths[c]-2*cellPadX, pt)
		}
		return out
	}
	height := func(lines int) float64 { return float64(lines)*lh + 2*cellPadY }
	// fits is how many lines of a row fit between y and the page bottom.
	fits := func(y float64) int { return int((d.bottom() - y - 2*cellPadY + 1e-6) / lh) }

	var head [][]string
	headH := 0.0
	if s.headers != nil {
		head = wrapRow(s.headers)
		headH = height(maxLines(head))
	}
	drawHead := func() {
		if head != nil {
			d.drawRow(s, head, 0, maxLines(head), lh, true)
		}
	}
	newPage := func() {
		d.pdf.AddPage()
		d.pdf.SetFont(fontFamily, "", pt)
		if s.repeat {
			drawHead()
		}
	}
	// Lines of a row that fit on a fresh page.
	pageLines := fits(d.m.Top + headH)

	// Keep the header with (the start of) the first row.
	first := 1
	if len(s.rows) > 0 {
		first = min(maxLines(wrapRow(s.rows[0])), max(pageLines, 1))
	}
	if !d.atPageTop() && d.pdf.GetY()+headH+height(first) > d.bottom() {
		d.pdf.AddPage()
		d.pdf.SetFont(fontFamily, "", pt)
	}
	drawHead()

	for _, row := range s.rows {
		cells := wrapRow(row)
		total := maxLines(cells)
		fresh := false
		for from := 0; from < total; {
			avail := fits(d.pdf.GetY())
			need := total - from
			switch {
			case need <= avail:
				d.drawRow(s, cells, from, total, lh, false)
				from = total
			case avail < 1 && fresh:
				// Not even one line fits on an empty page: draw one anyway
				// rather than loop.
				d.drawRow(s, cells, from, from+1, lh, false)
				from++
			case avail < 1 || (from == 0 && need <= pageLines):
				newPage()
				fresh = true
			default: // taller than a page: fill this one and continue
				d.drawRow(s, cells, from, from+avail, lh, false)
				from += avail
				newPage()
				fresh = true
			}
		}
	}
}

// drawRow draws lines [from, to) of a row's wrapped cells at the current y
// and moves below them.
func (d *Doc) drawRow(s tableSpec, cells [][]string, from, to int, lh float64, header bool) {
	p := d.pdf
	x, y := d.m.Left, p.GetY()
	h := float64(to-from)*lh + 2*cellPadY
	p.SetDrawColor(160, 160, 160)
	p.SetFillColor(234, 237, 242)
	for c, lines := range cells {
		w := s.widths[c]
		switch {
		case header:
			p.Rect(x, y, w, h, "FD")
		case !s.labelColumn:
			p.Rect(x, y, w, h, "D")
		}
		if s.labelColumn && c == 0 {
			p.SetTextColor(100, 100, 100)
		}
		align := "L"
		if c < len(s.right) && s.right[c] {
			align = "R"
		}
		for i := from; i < to && i < len(lines); i++ {
			p.SetXY(x+cellPadX, y+cellPadY+float64(i-from)*lh)
			d.cell(w-2*cellPadX, lh, lines[i], 0, align)
		}
		p.SetTextColor(0, 0, 0)
		x += w
	}
	p.SetDrawColor(0, 0, 0)
	p.SetXY(d.m.Left, y+h)
}

func maxLines(cells [][]string) int {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}
