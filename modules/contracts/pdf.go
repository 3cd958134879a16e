package contracts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Letterhead is the operator's name and optional logo (PNG or JPEG)
// printed in every page's header and as 乙方.
type Letterhead struct {
	Name string
	Logo []byte
}

// Person is a signatory as printed: name, title and phone.
type Person struct{ Name, Title, Phone string }

// PDFData is what the contract summary shows besides the letterhead.
type PDFData struct {
	Detail *Detail
	// Ours signs for the operator, Theirs for the customer.
	Ours, Theirs Person
}

var (
	navy     = pdf.RGB{R: 0, G: 45, B: 98}
	grey     = pdf.RGB{R: 110, G: 110, B: 110}
	darkGrey = pdf.RGB{R: 60, G: 60, B: 60}
)

// RenderPDF renders the contract summary (协议确认单): the letterhead on
// every page, the title and number, the parties with their signatories,
// the term and payment terms, the lines with totals in figures and in
// 人民币大写, the special terms (notes), and the signature and seal block;
// "第 x 页 / 共 y 页" in every footer. t translates in lang (zh-CN or en).
// Dates are calendar dates, printed as stored.
func RenderPDF(fonts *pdf.Fonts, lh Letterhead, lang string, data PDFData, t func(id string, args ...any) string) ([]byte, error) {
	d := data.Detail
	if d == nil || d.C == nil || d.Customer == nil {
		return nil, errors.New("contracts: RenderPDF needs the contract and its customer")
	}
	c := d.C
	number := t("contracts.pdf.number_revision", "Number", c.Number, "Revision", c.Revision)
	created := c.UpdatedAt
	if created.IsZero() {
		created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	doc := pdf.New(fonts, pdf.Options{
		Title: t("contracts.pdf.doc_type") + " " + c.Number, Author: lh.Name,
		Subject:      c.Title + " · " + d.Customer.Name,
		CreationDate: created,
		Margins:      pdf.Margins{Top: 25, Right: 20, Bottom: 22, Left: 20},
		Header:       lh.Name, HeaderRight: number, HeaderLogo: lh.Logo,
		Footer: func(page, total int) string { return t("contracts.pdf.page", "Page", page, "Total", total) },
		Lang:   lang,
	})
	date := func(tm time.Time) string { return tm.Format(t("contracts.pdf.date_format")) }
	heading := func(n int, title string) {
		num := strconv.Itoa(n)
		if strings.HasPrefix(strings.ToLower(lang), "zh") || lang == "" {
			num = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}[n]
		}
		doc.Text(t("contracts.pdf.section_heading", "N", num, "Title", title),
			pdf.TextStyle{Size: 13, Bold: true, Color: navy, Leading: 1.4, SpaceBefore: 6, KeepWithNext: 16, Bookmark: 1})
		doc.Rule(0.6, navy)
		doc.Spacer(1.5)
	}
	person := func(p Person) string {
		parts := []string{p.Name}
		if p.Title != "" {
			parts = append(parts, p.Title)
		}
		if p.Phone != "" {
			parts = append(parts, p.Phone)
		}
		return strings.Join(parts, " · ")
	}

	// Title.
	doc.Text(t("contracts.pdf.doc_type"), pdf.TextStyle{Size: 22, Bold: true, Align: "C", Color: navy, SpaceBefore: 4, SpaceAfter: 2})
	doc.Text(c.Title, pdf.TextStyle{Size: 14, Align: "C", Leading: 1.4, SpaceAfter: 2, Balance: true})
	doc.Text(number, pdf.TextStyle{Size: 10.5, Align: "C", Color: darkGrey, SpaceAfter: 3})
	doc.Rule(1.2, navy)
	doc.Spacer(2)

	// 1. Parties.
	heading(1, t("contracts.pdf.parties"))
	doc.KeyValueBox([]pdf.BoxRow{
		{Label: t("contracts.pdf.party_a"), Value: d.Customer.Name, Strong: true},
		{Label: t("contracts.pdf.address"), Value: orDash(d.Customer.Address)},
		{Label: t("contracts.pdf.signatory_a"), Value: orDash(person(data.Theirs))},
		{Label: t("contracts.pdf.party_b"), Value: lh.Name, Strong: true},
		{Label: t("contracts.pdf.signatory_b"), Value: orDash(person(data.Ours))},
	})

	// 2. Term and payment.
	heading(2, t("contracts.pdf.term_payment"))
	signed := "—"
	if c.SignedOn != nil {
		signed = date(*c.SignedOn)
	}
	rows := []pdf.BoxRow{
		{Label: t("contracts.pdf.signed_on"), Value: signed},
		{Label: t("contracts.pdf.term"), Value: t("contracts.pdf.term_value", "Start", date(c.StartOn), "End", date(c.EndOn), "Months", c.TermMonths)},
		{Label: t("contracts.pdf.payment"), Value: t("contracts.pdf.payment_value", "Terms", t("contracts.payment."+c.PaymentTerms), "Day", c.PaymentDueDay)},
	}
	if c.ProposalRef != "" {
		rows = append(rows, pdf.BoxRow{Label: t("contracts.pdf.proposal"), Value: c.ProposalRef})
	}
	doc.KeyValueBox(rows)

	// 3. Lines and totals.
	heading(3, t("contracts.pdf.lines"))
	if len(d.Lines) > 0 {
		doc.Text(t("contracts.pdf.amount_unit"), pdf.TextStyle{Size: 8.5, Align: "R", Color: grey, Leading: 1.3})
		headers := []string{t("contracts.pdf.col.no"), t("contracts.pdf.col.product"), t("contracts.pdf.col.quantity"),
			t("contracts.pdf.col.term"), t("contracts.pdf.col.rate"), t("contracts.pdf.col.monthly"),
			t("contracts.pdf.col.one_time"), t("contracts.pdf.col.total")}
		var cells [][]string
		for i, l := range d.Lines {
			name := l.Name(lang)
			if l.ProductCode != "" {
				name += "\n" + l.ProductCode
			}
			cells = append(cells, []string{strconv.Itoa(i + 1), name, strconv.FormatInt(l.Quantity, 10) + " " + l.UnitWith(t),
				strconv.Itoa(l.TermMonths), l.Rate.Percent() + "%", l.MonthlyNetFen.String(), l.OneTimeNetFen.String(), l.TotalFen.String()})
		}
		cells = append(cells, []string{"", t("contracts.pdf.subtotal"), "", "", "", c.MonthlyFen.String(), c.OneTimeFen.String(), c.TotalFen.String()})
		doc.SetBodySize(9)
		doc.Table(headers, []float64{4.5, 30, 10, 6, 8, 14, 13, 15.5}, cells, pdf.TableOptions{
			RepeatHeader: true, AlignRight: []bool{true, false, true, true, true, true, true, true},
		})
		doc.SetBodySize(0)
	}
	doc.KeyValueBox([]pdf.BoxRow{
		{Label: t("contracts.pdf.total_monthly"), Value: c.MonthlyFen.Yuan()},
		{Label: t("contracts.pdf.total_one_time"), Value: c.OneTimeFen.Yuan()},
		{Label: t("contracts.pdf.total_contract"), Value: c.TotalFen.Yuan(), Strong: true},
		{Label: t("contracts.pdf.total_capital"), Value: "人民币" + c.TotalFen.Capital(), Strong: true},
	})

	// 4. Special terms.
	n := 4
	if strings.TrimSpace(c.Notes) != "" {
		heading(n, t("contracts.pdf.notes"))
		for _, para := range strings.Split(strings.ReplaceAll(c.Notes, "\r\n", "\n"), "\n\n") {
			if p := strings.TrimSpace(para); p != "" {
				doc.Paragraph(p)
			}
		}
		n++
	}

	// Signature and seal.
	intro := t("contracts.pdf.sign_intro")
	doc.NeedSpace(18 + doc.MeasureText(intro, pdf.TextStyle{}) + 80)
	heading(n, t("contracts.pdf.signature"))
	doc.Paragraph(intro)
	doc.Spacer(2)
	fields := []pdf.SignatureField{
		{Label: t("contracts.pdf.sign.signature"), Height: 14},
		{Label: t("contracts.pdf.sign.seal"), Height: 30},
		{Label: t("contracts.pdf.sign.date"), Hint: t("contracts.pdf.sign.date_hint"), Height: 12},
	}
	doc.SignatureBlock([]pdf.SignatureColumn{
		{Title: t("contracts.pdf.party_a"), Party: d.Customer.Name, Fields: fields},
		{Title: t("contracts.pdf.party_b"), Party: lh.Name, Fields: fields},
	})
	out, err := doc.Bytes()
	if err != nil {
		return nil, fmt.Errorf("contracts: rendering %s: %w", c.Number, err)
	}
	return out, nil
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// pdf sends the contract summary in the reader's language; the service's
// read check makes another team's contract a 404 here as everywhere.
func (h *handler) pdf(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.svc.Get(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	if h.opts.Fonts == nil {
		return fiber.ErrServiceUnavailable
	}
	lang := web.Lang(c)
	data := PDFData{Detail: d}
	if u := d.UserPtr(d.C.OurSignatoryID); u.ID != 0 {
		data.Ours = Person{Name: u.Name, Phone: u.Phone}
	}
	if k := d.CustomerSignatory; k != nil {
		data.Theirs = Person{Name: k.Name, Title: k.Title}
	}
	out, err := RenderPDF(h.opts.Fonts, h.opts.Letterhead, lang, data, func(id string, args ...any) string { return h.srv.I18n.T(lang, id, args...) })
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-r%d.pdf"`, asciiName(d.C.Number), d.C.Revision))
	return c.Send(out)
}

// asciiName keeps a file name ASCII (the branch in a number is Chinese).
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && r != '"' && r != '\\' {
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), "--", "-")
}
