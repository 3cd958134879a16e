package contracts

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
	"github.com/jike-crm/jike/modules/prospects"
)

var pdfFonts = pdf.DefaultFonts()

var operator = Letterhead{Name: "中国移动通信集团黑龙江有限公司"}

// longClause is a long special term mixing Chinese and English, punctuation,
// amounts and a URL longer than a line, in paragraphs.
func longClause(minRunes int) string {
	var b strings.Builder
	for i := 1; len([]rune(b.String())) < minRunes; i++ {
		if i > 1 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "第%d条 乙方为甲方提供互联网专线（Dedicated Internet Access, DIA）服务，可用率不低于 99.95%%（SLA），"+
			"故障响应 15 分钟、恢复不超过 4 小时；每逾期 1 小时按当月月费的 %d%% 赔付，全年累计不超过¥%d,000.00 元。"+
			"Service credits are applied to the next invoice and are the customer's sole remedy for unavailability; "+
			"the Supercalifragilisticexpialidocious-interoperability clause (v%d.%d) applies. "+
			"发票按月开具增值税专用发票，详见 https://billing.example.com/jike/contracts/terms/%d/very-long-path-segment-"+
			"without-any-spaces-so-that-the-line-breaker-has-to-split-it-between-characters-%d.html，双方另有约定的除外。",
			i, i%5+1, 10*i, i, i%7, i, i)
	}
	return b.String()
}

func testDetailPDF(t testing.TB, notes string, n int) *Detail {
	t.Helper()
	signed := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	c := &Contract{ID: 9, Number: "HT-哈尔滨-2026-000123", Revision: 2, Title: "哈尔滨银行全省网点互联网专线业务协议",
		Status: StatusSigned, SignedOn: &signed, StartOn: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		EndOn: time.Date(2029, 3, 31, 0, 0, 0, 0, time.UTC), TermMonths: 36, PaymentTerms: "quarterly", PaymentDueDay: 15,
		ProposalRef: "FA2026-000042 v3", Notes: notes, UpdatedAt: time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)}
	var lines []Line
	for i := range n {
		l := Line{ProductCode: fmt.Sprintf("DIA-%03d", i+1), ProductName: "互联网专线 1000M（双路由）", ProductNameEn: "Dedicated Internet 1000M",
			Unit: "条", Quantity: int64(1 + i%7), TermMonths: 36, MonthlyListFen: 18_000_33, OneTimeListFen: 5_000_07, Rate: money.Rate(8550 + i%3*100)}
		if err := netLine(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	var err error
	if c.MonthlyFen, c.OneTimeFen, c.TotalFen, err = sumLines(lines); err != nil {
		t.Fatal(err)
	}
	return &Detail{C: c, Customer: &prospects.Customer{ID: 3, Name: "哈尔滨银行股份有限公司", Address: "哈尔滨市道里区上江街 888 号"}, Lines: lines}
}

func renderPDF(t testing.TB, lang string, d *Detail) (string, int) {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	tr := b.For(lang).T
	out, err := RenderPDF(pdfFonts, operator, lang, PDFData{Detail: d, Ours: Person{Name: "李伟", Phone: "13812345678"}, Theirs: Person{Name: "钱行长", Title: "行长"}}, tr)
	if err != nil {
		t.Fatal(err)
	}
	path := pdftest.Write(t, out)
	return path, pdftest.Pages(t, path)
}

// bodyOf is the text of every page without whitespace, headers and footers.
func bodyOf(t testing.TB, path string, pages int, header string, footer *regexp.Regexp) string {
	var b strings.Builder
	for p := 1; p <= pages; p++ {
		s := pdftest.NoSpace(pdftest.PageText(t, path, p))
		if !strings.HasPrefix(s, header) {
			t.Errorf("page %d does not start with the letterhead %q: %.80q", p, header, s)
		}
		b.WriteString(footer.ReplaceAllString(strings.TrimPrefix(s, header), ""))
	}
	return b.String()
}

// TestContractPDF reads the contract summary back with pdftotext: every
// character of a long mixed Chinese/English clause, the parties, the term,
// the payment, the totals in figures and in 人民币大写, the signature
// block and "第 x 页 / 共 y 页"; the font is an embedded subset and qpdf
// finds the file sound.
func TestContractPDF(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo", "pdffonts", "qpdf")
	notes := longClause(2500)
	d := testDetailPDF(t, notes, 14)
	path, pages := renderPDF(t, i18n.ZH, d)
	if pages < 3 {
		t.Fatalf("%d pages; the clause and the lines should need more", pages)
	}
	header := "中国移动通信集团黑龙江有限公司合同编号HT-哈尔滨-2026-000123·第2版"
	body := bodyOf(t, path, pages, header, regexp.MustCompile(`第\d+页/共\d+页$`))
	t.Run("every character of the clause", func(t *testing.T) {
		want := pdftest.NoSpace(notes)
		if !strings.Contains(body, want) {
			i := 0
			start := strings.Index(body, pdftest.NoSpace("第1条"))
			got := []rune(body[max(start, 0):])
			wr := []rune(want)
			for i < len(got) && i < len(wr) && got[i] == wr[i] {
				i++
			}
			t.Fatalf("the clause differs at rune %d of %d: got …%s… want …%s…", i, len(wr),
				string(got[max(0, i-20):min(len(got), i+20)]), string(wr[max(0, i-20):min(len(wr), i+20)]))
		}
	})
	t.Run("the summary's parts", func(t *testing.T) {
		capital := "人民币" + d.C.TotalFen.Capital()
		for _, want := range []string{
			"协议确认单", "哈尔滨银行全省网点互联网专线业务协议", "一、签约双方", "甲方（客户）哈尔滨银行股份有限公司",
			"甲方地址哈尔滨市道里区上江街888号", "甲方签约代表钱行长·行长", "乙方（运营商）中国移动通信集团黑龙江有限公司",
			"乙方签约代表李伟·13812345678", "二、合同期限与付款", "签署日期2026年3月20日", "合同期限2026年4月1日至2029年3月31日，共36个月",
			"付款方式按季付款，每期15日前支付", "依据方案FA2026-000042v3", "三、业务明细与金额", "金额单位：人民币元",
			"月费合计（每月）" + d.C.MonthlyFen.Yuan(), "一次性费用合计" + d.C.OneTimeFen.Yuan(), "合同总价" + d.C.TotalFen.Yuan(),
			"合同总价（人民币大写）" + capital, "四、特别约定", "五、签字盖章", "授权代表签字：", "盖章：", "日期：年月日", "DIA-014",
		} {
			if !strings.Contains(body, pdftest.NoSpace(want)) {
				t.Errorf("the summary lacks %q", want)
			}
		}
		if strings.Contains(body, "contracts.") {
			t.Error("a message id is printed instead of its text")
		}
		if last := pdftest.NoSpace(pdftest.PageText(t, path, pages)); !strings.Contains(last, fmt.Sprintf("第%d页/共%d页", pages, pages)) {
			t.Errorf("the last page's footer is not 第%d页/共%d页", pages, pages)
		}
	})
	t.Run("embedded subset font", func(t *testing.T) {
		out := pdftest.Run(t, "pdffonts", path)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("want exactly one font:\n%s", out)
		}
		f := strings.Fields(lines[2])
		if !regexp.MustCompile(`^[A-Z]{6}\+`).MatchString(f[0]) || f[len(f)-5] != "yes" || f[len(f)-4] != "yes" {
			t.Fatalf("want an embedded subset (emb yes, sub yes):\n%s", out)
		}
	})
	t.Run("qpdf check", func(t *testing.T) {
		if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --check: %v\n%s", err, out)
		}
	})
}

// TestContractPDFEnglish renders the summary in English; the 大写 total
// stays Chinese, as the amount written out is a Chinese legal form.
func TestContractPDFEnglish(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo")
	d := testDetailPDF(t, longClause(300), 3)
	path, pages := renderPDF(t, i18n.EN, d)
	body := bodyOf(t, path, pages, "中国移动通信集团黑龙江有限公司ContractHT-哈尔滨-2026-000123·revision2", regexp.MustCompile(`Page\d+of\d+$`))
	for _, want := range []string{
		"ContractSummary", "1.Parties", "PartyA(customer)", "2.Termandpayment", "Term1April2026to31March2029,36months",
		"PaymentQuarterly,dueonday15ofeachperiod", "3.Servicesandamounts", "DedicatedInternet1000M",
		"ContractvalueinChinesecapitals人民币" + d.C.TotalFen.Capital(), "4.Specialterms", "5.Signaturesandseals",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the English summary lacks %q", want)
		}
	}
	if !strings.Contains(pdftest.PageText(t, path, 1), fmt.Sprintf("Page 1 of %d", pages)) {
		t.Error("no Page 1 of N footer")
	}
}
