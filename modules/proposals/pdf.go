package proposals

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jike-crm/jike/modules/platform/pdf"
)

// Person is a name and phone printed on the title page.
type Person struct{ Name, Phone string }

// Letterhead is the operator's name and optional logo (PNG or JPEG bytes)
// printed on every page header and the title page. Check a configured logo
// once with pdf.CheckImage: a logo gofpdf cannot read makes RenderPDF fail.
type Letterhead struct {
	Name string
	Logo []byte
}

// PDFData is everything the document shows besides the letterhead.
type PDFData struct {
	Detail       *Detail   // P, Customer, Lines (Approvals/Versions are ignored)
	Owner, Chief Person    // account manager; chief rep (Chief.Name may be "")
	Needs        []string  // descriptions of the needs the proposal answers
	Date         time.Time // the date printed on the title page; zero: now
	// Unit translates a catalogue unit (条, 个 …) into the document's
	// language; nil prints it as recorded.
	Unit func(string) string
}

// The document's colours: a dark navy for titles and rules, greys for
// secondary text.
var (
	navy     = pdf.RGB{R: 0, G: 45, B: 98}
	darkGrey = pdf.RGB{R: 60, G: 60, B: 60}
	grey     = pdf.RGB{R: 110, G: 110, B: 110}
	ruleGrey = pdf.RGB{R: 170, G: 170, B: 170}
)

// sectionKeys are the proposal's text sections in document order with
// their title ids (written out so the catalogue test sees every id).
var sectionKeys = []struct{ name, title string }{
	{"background", "proposals.pdf.section.background"},
	{"needs_analysis", "proposals.pdf.section.needs_analysis"},
	{"solution", "proposals.pdf.section.solution"},
	{"implementation", "proposals.pdf.section.implementation"},
	{"commitments", "proposals.pdf.section.commitments"},
}

// RenderPDF renders the proposal. t translates message ids (zh-CN or
// English — the caller passes the user's language translator), lang is
// "zh-CN" or "en"; loc is the zone the title-page date is shown in.
//
// The document: a title page (letterhead, customer, title, number and
// version, date, account manager and chief rep, confidentiality notice),
// the non-empty sections numbered 一、二、… (1. 2. … in English), the
// line items with totals, 人民币大写 and validity, and a signature block;
// every page has the letterhead in its header and "第 x 页 / 共 y 页" in
// its footer.
func RenderPDF(fonts *pdf.Fonts, lh Letterhead, loc *time.Location, lang string, data PDFData, t func(id string, args ...any) string) ([]byte, error) {
	if data.Detail == nil || data.Detail.P == nil || data.Detail.Customer == nil {
		return nil, errors.New("proposals: RenderPDF needs the proposal and its customer")
	}
	if loc == nil {
		loc = time.UTC
	}
	r := &renderer{t: t, lang: lang, lh: lh, data: data, p: data.Detail.P, customer: data.Detail.Customer.Name}
	date := data.Date
	if date.IsZero() {
		date = time.Now()
	}
	created := r.p.UpdatedAt
	if created.IsZero() {
		created = date
	}
	r.numberVersion = t("proposals.pdf.number_version", "Number", r.p.Number, "Version", r.p.Version)
	opts := pdf.Options{
		Title:        r.p.Title,
		Author:       lh.Name,
		Subject:      t("proposals.pdf.doc_type") + " · " + r.customer + " · " + r.p.Number,
		CreationDate: created,
		Margins:      pdf.Margins{Top: 25, Right: 20, Bottom: 22, Left: 20},
		Header:       lh.Name,
		HeaderRight:  r.numberVersion,
		HeaderLogo:   lh.Logo,
		Footer: func(page, total int) string {
			return t("proposals.pdf.page", "Page", page, "Total", total)
		},
		Lang: lang,
	}
	if !r.p.Final() {
		// Not approved: every page says so, diagonally across it and in
		// its header, so that nobody hands it to a customer as a quote.
		opts.Watermark = t("proposals.pdf.draft_mark")
	}
	r.d = pdf.New(fonts, opts)

	r.titlePage(date.In(loc))
	for _, s := range sectionKeys {
		text := strings.TrimSpace(r.p.Section(s.name))
		needs := s.name == "needs_analysis" && len(data.Needs) > 0
		if text == "" && !needs {
			continue
		}
		r.heading(t(s.title))
		r.body(text)
		if needs {
			r.d.Text(t("proposals.pdf.needs_answered"), pdf.TextStyle{Size: 11.5, Bold: true, Color: darkGrey,
				SpaceBefore: 2, SpaceAfter: 1, KeepWithNext: 12})
			r.d.Bullets(data.Needs)
		}
	}
	r.pricing()
	r.signature()
	out, err := r.d.Bytes()
	if err != nil {
		return nil, fmt.Errorf("proposals: rendering %s v%d: %w", r.p.Number, r.p.Version, err)
	}
	return out, nil
}

// renderer carries what the parts of the document share.
type renderer struct {
	d             *pdf.Doc
	t             func(id string, args ...any) string
	lang          string
	lh            Letterhead
	data          PDFData
	p             *Proposal
	customer      string
	numberVersion string
	sections      int // headings written so far, for their numbers
}

func (r *renderer) zh() bool {
	return r.lang == "" || strings.HasPrefix(strings.ToLower(r.lang), "zh")
}

func (r *renderer) labelValue(label, value string) string {
	return r.t("proposals.pdf.label_value", "Label", label, "Value", value)
}

func (r *renderer) person(p Person) string {
	if strings.TrimSpace(p.Phone) == "" {
		return p.Name
	}
	return r.t("proposals.pdf.person", "Name", p.Name, "Phone", p.Phone)
}

func (r *renderer) date(t time.Time) string {
	return t.Format(r.t("proposals.pdf.date_format"))
}

// titlePage fills the first page: letterhead, customer, title, number,
// the people and dates, and the confidentiality notice at the foot.
func (r *renderer) titlePage(date time.Time) {
	d, t := r.d, r.t
	d.Spacer(14)
	if len(r.lh.Logo) > 0 {
		d.Image(r.lh.Logo, 0, 16, "C")
		d.Spacer(3)
	}
	if r.lh.Name != "" {
		d.Text(r.lh.Name, pdf.TextStyle{Size: 13, Align: "C", Color: darkGrey})
	}
	d.Spacer(26)
	d.Text(r.customer, pdf.TextStyle{Size: 16, Align: "C", Leading: 1.4, SpaceAfter: 4})
	d.Text(r.p.Title, pdf.TextStyle{Size: 24, Bold: true, Align: "C", Color: navy, Leading: 1.35, SpaceAfter: 3, Balance: true})
	d.Text(t("proposals.pdf.doc_type"), pdf.TextStyle{Size: 15, Align: "C", Color: darkGrey, SpaceAfter: 4})
	d.Rule(1.5, navy)
	d.Rule(0.4, navy)
	d.Text(r.numberVersion, pdf.TextStyle{Size: 11, Align: "C", SpaceBefore: 1})
	d.Spacer(24)

	info := []string{
		r.labelValue(t("proposals.pdf.prepared_for"), r.customer),
		r.labelValue(t("proposals.pdf.prepared_by"), r.lh.Name),
		r.labelValue(t("proposals.pdf.owner"), r.person(r.data.Owner)),
	}
	if strings.TrimSpace(r.data.Chief.Name) != "" {
		info = append(info, r.labelValue(t("proposals.pdf.chief"), r.person(r.data.Chief)))
	}
	info = append(info, r.labelValue(t("proposals.pdf.date"), r.date(date)))
	if r.p.ValidUntil != nil {
		info = append(info, r.labelValue(t("proposals.pdf.valid_until"), r.validUntil()))
	}
	for _, l := range info {
		d.Text(l, pdf.TextStyle{Size: 11.5, Align: "C", Leading: 1.9})
	}

	notice := t("proposals.pdf.confidential", "Operator", r.lh.Name, "Customer", r.customer)
	st := pdf.TextStyle{Size: 8.5, Color: grey, Leading: 1.5}
	if h := d.MeasureText(notice, st) + 4; d.Remaining() > h {
		d.SetY(d.Y() + d.Remaining() - h)
	}
	d.Rule(0.4, ruleGrey)
	d.Text(notice, st)
	d.PageBreak()
}

// validUntil shows the validity date as the calendar date it is (a DATE
// column: no zone conversion).
func (r *renderer) validUntil() string {
	v := *r.p.ValidUntil
	return r.date(time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC))
}

// heading writes the next numbered section heading (一、项目背景) with a
// rule under it, bookmarked in the PDF outline. keep is how much of what
// follows must fit on the same page.
func (r *renderer) heading(title string, keep ...float64) {
	r.sections++
	n := strconv.Itoa(r.sections)
	if r.zh() {
		n = chineseNumeral(r.sections)
	}
	k := 16.0
	if len(keep) > 0 {
		k = keep[0]
	}
	r.d.Text(r.t("proposals.pdf.section_heading", "N", n, "Title", title),
		pdf.TextStyle{Size: 14, Bold: true, Color: navy, Leading: 1.4, SpaceBefore: 7, KeepWithNext: k, Bookmark: 1})
	r.d.Rule(0.6, navy)
	r.d.Spacer(1.5)
}

// body writes a section's plain text: a blank line separates paragraphs,
// lines starting with "- ", "• " or "* " are bullets (an indented line
// continues the bullet above), other line breaks are kept.
func (r *renderer) body(text string) {
	for _, b := range parseBlocks(text) {
		if b.bullets != nil {
			r.d.Bullets(b.bullets)
		} else {
			r.d.Paragraph(b.text)
		}
	}
}

// block is a paragraph or a bullet list of a section.
type block struct {
	text    string
	bullets []string
}

func parseBlocks(text string) []block {
	var out []block
	var para []string
	var items []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, block{text: strings.Join(para, "\n")})
			para = nil
		}
		if len(items) > 0 {
			out = append(out, block{bullets: items})
			items = nil
		}
	}
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		trimmed := strings.TrimLeftFunc(line, unicode.IsSpace)
		switch {
		case trimmed == "":
			flush()
		case bulletItem(trimmed) != "":
			if len(para) > 0 {
				flush()
			}
			items = append(items, bulletItem(trimmed))
		case len(items) > 0 && trimmed != line:
			items[len(items)-1] += "\n" + trimmed
		default:
			if len(items) > 0 {
				flush()
			}
			para = append(para, line)
		}
	}
	flush()
	return out
}

// bulletItem returns the text of a bullet line, or "".
func bulletItem(line string) string {
	for _, m := range []string{"- ", "• ", "* ", "-\t", "•\t", "*\t"} {
		if strings.HasPrefix(line, m) {
			return strings.TrimSpace(line[len(m):])
		}
	}
	return ""
}

// pricing writes the line-item table, the totals and the validity.
func (r *renderer) pricing() {
	d, t := r.d, r.t
	r.heading(t("proposals.pdf.section.pricing"), 40)
	const tablePt = 7.5
	if len(r.data.Detail.Lines) > 0 {
		d.Text(t("proposals.pdf.amount_unit"), pdf.TextStyle{Size: 8.5, Align: "R", Color: grey, Leading: 1.3})
		headers := make([]string, len(PriceColumns))
		for i, id := range PriceColumns {
			headers[i] = t(id)
		}
		rows := r.lineRows()
		d.SetBodySize(tablePt)
		right := make([]bool, len(headers))
		for i := range right {
			right[i] = i != 1
		}
		d.Table(headers, r.columnWidths(headers, rows), rows, pdf.TableOptions{RepeatHeader: true, AlignRight: right})
		d.SetBodySize(0)
		d.Text(t("proposals.pdf.pricing_note"), pdf.TextStyle{Size: 8.5, Color: grey, Leading: 1.5, SpaceAfter: 3})
	}
	p := r.p
	rows := []pdf.BoxRow{
		{Label: t("proposals.pdf.total_monthly"), Value: p.MonthlyFen.Yuan()},
		{Label: t("proposals.pdf.total_one_time"), Value: p.OneTimeFen.Yuan()},
		{Label: t("proposals.pdf.total_contract"), Value: p.TotalFen.Yuan(), Strong: true},
		{Label: t("proposals.pdf.total_capital"), Value: t("proposals.pdf.capital_value", "Amount", p.TotalFen.Capital()), Strong: true},
	}
	if p.ValidUntil != nil {
		rows = append(rows, pdf.BoxRow{Label: t("proposals.pdf.valid_until"), Value: r.validUntil()})
	}
	d.KeyValueBox(rows)
}

// lineRows are the table rows (the columns of PriceColumns, as on the
// page): one per line, then the totals row.
func (r *renderer) lineRows() [][]string {
	lines := PriceRows(r.data.Detail.Lines, r.data.Unit)
	rows := make([][]string, 0, len(lines)+1)
	once := func(monthly, oneTime string) string {
		if oneTime == "" {
			return monthly
		}
		return monthly + "\n" + r.t("proposals.col.once", "Amount", oneTime)
	}
	for _, l := range lines {
		product := l.Line.Name(r.lang)
		if l.Line.ProductCode != "" {
			product += "\n" + l.Line.ProductCode
		}
		rows = append(rows, []string{
			strconv.Itoa(l.No), product, once(l.UnitList, l.UnitListOnce), l.Rate, once(l.UnitNet, l.UnitNetOnce),
			l.Quantity, l.Months, l.Monthly, l.OneTime, l.Total,
		})
	}
	p := r.p
	return append(rows, []string{"", r.t("proposals.pdf.subtotal"), "", "", "", "", "",
		p.MonthlyFen.String(), p.OneTimeFen.String(), p.TotalFen.String()})
}

// columnWidths sizes the columns (mm) so that no number wraps: every
// column but the product gets the width of its widest cell, and of its
// header on one line where space allows, else on two; the product column
// takes the rest: 18 % of the width or more, unless the numbers leave
// it less (never under 12 %). Call it with the table's
// body size set.
func (r *renderer) columnWidths(headers []string, rows [][]string) []float64 {
	const pad = 2*1.5 + 0.3 // platform/pdf cell padding, and a little air
	d := r.d
	pt := d.BodySize()
	total := d.ContentWidth()
	minProduct := total * 0.18
	w := make([]float64, len(headers))
	full := make([]float64, len(headers))
	sum := 0.0
	for c, h := range headers {
		if c == 1 {
			continue
		}
		cells := 0.0
		for _, row := range rows {
			for _, line := range strings.Split(row[c], "\n") {
				cells = max(cells, d.TextWidth(line, pt))
			}
		}
		w[c] = max(cells, twoLineWidth(d, h)) + pad
		full[c] = max(cells, d.TextWidth(h, pt)) + pad
		sum += w[c]
	}
	// Widen to a one-line header where it costs least first.
	order := make([]int, 0, len(headers))
	for c := range headers {
		if c != 1 && full[c] > w[c] {
			order = append(order, c)
		}
	}
	sort.Slice(order, func(i, j int) bool { return full[order[i]]-w[order[i]] < full[order[j]]-w[order[j]] })
	for _, c := range order {
		if extra := full[c] - w[c]; total-sum-extra >= minProduct {
			w[c] = full[c]
			sum += extra
		}
	}
	// The product column never goes below 12 % of the width, nor below
	// its widest code (the cell's last line), which must not wrap.
	hardMin := total * 0.12
	for _, row := range rows {
		lines := strings.Split(row[1], "\n")
		hardMin = max(hardMin, d.TextWidth(lines[len(lines)-1], pt)+pad)
	}
	if rest := total - sum; rest >= hardMin {
		w[1] = rest
		return w
	}
	// Huge amounts: shrink the other columns to leave the product column
	// its hard minimum; the widest numbers may then wrap.
	scale := (total - hardMin) / sum
	for c := range w {
		w[c] *= scale
	}
	w[1] = hardMin
	return w
}

// twoLineWidth is the narrowest width (mm) at which s wraps to at most two
// lines in the body font, or its one-line width if a line would then hold
// a single character (序/号).
func twoLineWidth(d *pdf.Doc, s string) float64 {
	one := d.TextWidth(s, d.BodySize()) + 0.01
	lo, hi := 0.0, one
	for hi-lo > 0.1 {
		mid := (lo + hi) / 2
		if len(pdf.WrapLines(d, s, mid)) <= 2 {
			hi = mid
		} else {
			lo = mid
		}
	}
	for _, l := range pdf.WrapLines(d, s, hi) {
		if len([]rune(strings.TrimSpace(l))) < 2 {
			return one
		}
	}
	return hi
}

// signature writes the acceptance section: a short statement and the
// two-column signature and seal block, kept on one page.
func (r *renderer) signature() {
	d, t := r.d, r.t
	intro := t("proposals.pdf.sign.intro")
	d.NeedSpace(18 + d.MeasureText(intro, pdf.TextStyle{}) + 80)
	r.heading(t("proposals.pdf.section.signature"))
	d.Paragraph(intro)
	d.Spacer(2)
	fields := []pdf.SignatureField{
		{Label: t("proposals.pdf.sign.signature"), Height: 14},
		{Label: t("proposals.pdf.sign.seal"), Height: 30},
		{Label: t("proposals.pdf.sign.date"), Hint: t("proposals.pdf.sign.date_hint"), Height: 12},
	}
	d.SignatureBlock([]pdf.SignatureColumn{
		{Title: t("proposals.pdf.sign.party_a"), Party: r.customer, Fields: fields},
		{Title: t("proposals.pdf.sign.party_b"), Party: r.lh.Name, Fields: fields},
	})
}

// chineseNumeral writes 1–99 as 一 … 九十九 (section numbers 一、二、…).
func chineseNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n <= 0 || n >= 100:
		return strconv.Itoa(n)
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + strings.TrimPrefix(digits[n%10], "零")
	case n%10 == 0:
		return digits[n/10] + "十"
	}
	return digits[n/10] + "十" + digits[n%10]
}

// groupDigits writes n with thousands separators (12,000).
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
