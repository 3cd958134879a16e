package proposals

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/pdf"
	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
	"github.com/jike-crm/jike/modules/prospects"
)

// pdfFonts is loaded once for the test binary, as the server does.
var pdfFonts = pdf.DefaultFonts()

var (
	shanghai = time.FixedZone("CST", 8*3600)
	// printedOn is the title-page date (a fixed instant for reproducible
	// output): 15 March 2026 in Shanghai.
	printedOn = time.Date(2026, 3, 14, 17, 30, 0, 0, time.UTC)
	operator  = Letterhead{Name: "中国移动通信集团上海有限公司"}
)

func translators(t testing.TB) (zh, en func(string, ...any) string) {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return b.For(i18n.ZH).T, b.For(i18n.EN).T
}

// solutionText is a long mixed Chinese/English section (paragraphs only,
// so that the extracted text can be compared character for character):
// punctuation, numbers, amounts, long Latin words and a URL longer than a
// line.
func solutionText(minRunes int) string {
	var b strings.Builder
	for i := 1; len([]rune(b.String())) < minRunes; i++ {
		if i > 1 {
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "（%d）总部与%d个分支机构通过 SD-WAN over 5G 专网互联，核心节点部署双归属 PE 路由器，"+
			"带宽 %d,000Mbps，可用性承诺 99.99%%（SLA），年度停机时间不超过 52.6 分钟。"+
			"The managed service includes 24×7 NOC monitoring, quarterly capacity reviews and an Electroencephalographically-"+
			"Supercalifragilisticexpialidocious-interoperability test suite (v%d.%d); "+
			"数据中心采用“两地三中心”架构，RPO≤15 分钟、RTO≤2 小时，存储容量约 %d TB，费用约¥%d,%03d.00 元/月。"+
			"参考文档：https://docs.example.com/jike/proposals/architecture/%d/very-long-path-segment-without-any-spaces-"+
			"so-that-the-line-breaker-has-to-split-it-between-characters-%d.html，请于第%d周前确认。",
			i, i*3, i%10+1, i, i%7, 20*i, i*11, i*37%1000, i, i, i+2)
	}
	return b.String()
}

// testDetail builds a proposal in memory with n lines, priced exactly as
// the service prices them.
func testDetail(t testing.TB, n int, solution string) *Detail {
	t.Helper()
	valid := time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
	p := &Proposal{
		ID: 7, Number: "FA2026-000123", Version: 2, Status: StatusApproved,
		Title:      "上海星辰科技 5G 专网与云网融合整体解决方案",
		ValidUntil: &valid,
		Background: "上海星辰科技有限公司是一家从事智能制造的高新技术企业，在长三角有 12 个生产基地。\n" +
			"现有网络由多家运营商提供，带宽不足、运维分散。",
		NeedsAnalysis: "客户的主要诉求如下：\n- 总部与基地之间的专线带宽提升到 1000M；\n- 统一的集团 V 网，降低通话费用\n  并支持移动办公；\n• 数据中心容灾。\n\n综上，需要一体化的云网融合方案。",
		Solution:      solution,
		Commitments:   "7×24 小时客户服务热线 10086 转集团客户专席，重大故障 15 分钟响应、4 小时恢复。",
		UpdatedAt:     time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC),
	}
	products := []struct {
		code, name, unit string
		monthly, oneTime money.Fen
	}{
		{"DIA-1000M", "互联网专线 1000M", "条", 18_000_00, 5_000_00},
		{"VPMN", "集团V网", "户", 10_00, 0},
		{"IOT-CARD", "物联网卡（NB-IoT 行业定制，含 APN 专网与流量池）", "张", 5_00, 0},
		{"IDC-RACK", "IDC 机柜（42U，双路供电）", "个", 4_500_00, 3_000_00},
		{"CLOUD-VM", "云主机 8C16G", "台", 680_00, 0},
	}
	rates := []money.Rate{8500, 10000, 7550, 9000, 8800}
	var lines []Line
	for i := range n {
		pr := products[i%len(products)]
		qty := int64(1 + i*7%50)
		if pr.code == "IOT-CARD" {
			qty = 12_000
		}
		l := Line{Position: i + 1, ProductCode: fmt.Sprintf("%s-%03d", pr.code, i+1), ProductName: pr.name, Unit: pr.unit,
			Quantity: qty, TermMonths: []int{12, 24, 36}[i%3], MonthlyListFen: pr.monthly, OneTimeListFen: pr.oneTime, Rate: rates[i%len(rates)]}
		var err error
		if l.MonthlyNetFen, err = money.LineNet(l.MonthlyListFen, l.Quantity, l.Rate); err != nil {
			t.Fatal(err)
		}
		if l.OneTimeNetFen, err = money.LineNet(l.OneTimeListFen, l.Quantity, l.Rate); err != nil {
			t.Fatal(err)
		}
		over, _ := money.Times(l.MonthlyNetFen, int64(l.TermMonths))
		l.TotalFen, _ = money.Sum(over, l.OneTimeNetFen)
		lines = append(lines, l)
	}
	var monthly, oneTime, total []money.Fen
	for _, l := range lines {
		monthly, oneTime, total = append(monthly, l.MonthlyNetFen), append(oneTime, l.OneTimeNetFen), append(total, l.TotalFen)
	}
	var err error
	for _, x := range []struct {
		to   *money.Fen
		from []money.Fen
	}{{&p.MonthlyFen, monthly}, {&p.OneTimeFen, oneTime}, {&p.TotalFen, total}} {
		if *x.to, err = money.Sum(x.from...); err != nil {
			t.Fatal(err)
		}
	}
	return &Detail{P: p, Customer: &prospects.Customer{ID: 3, Name: "上海星辰科技有限公司"}, Lines: lines}
}

func testData(d *Detail) PDFData {
	return PDFData{
		Detail: d,
		Owner:  Person{Name: "李伟", Phone: "138 1234 5678"},
		Chief:  Person{Name: "张静", Phone: "139 8765 4321"},
		Needs:  []string{"总部—基地专线带宽提升至 1000M（需求编号 N-2026-0042）", "集团 V 网覆盖 3,000 名员工，支持移动办公"},
		Date:   printedOn,
	}
}

func render(t testing.TB, lh Letterhead, lang string, data PDFData, tr func(string, ...any) string) string {
	t.Helper()
	out, err := RenderPDF(pdfFonts, lh, shanghai, lang, data, tr)
	if err != nil {
		t.Fatal(err)
	}
	return pdftest.Write(t, out)
}

// bodyText is the text of every page without whitespace, page headers
// and footers: what the pages say, in order.
func bodyText(t testing.TB, path string, pages int, header string) string {
	t.Helper()
	footer := regexp.MustCompile(`(第\d+页/共\d+页|Page\d+of\d+)$`)
	var b strings.Builder
	for p := 1; p <= pages; p++ {
		s := pdftest.NoSpace(pdftest.PageText(t, path, p))
		if !strings.HasPrefix(s, header) {
			t.Errorf("page %d does not start with the letterhead %q: %q…", p, header, excerptOf(s, 0))
		}
		s = footer.ReplaceAllString(strings.TrimPrefix(s, header), "")
		b.WriteString(s)
	}
	return b.String()
}

func excerptOf(s string, i int) string {
	r := []rune(s)
	i = min(max(i, 0), len(r))
	return string(r[max(0, i-30):min(len(r), i+30)])
}

// TestProposalPDF renders a proposal with a long section and checks the
// document with pdftotext, pdffonts and qpdf.
func TestProposalPDF(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo", "pdffonts", "qpdf")
	zh, _ := translators(t)
	solution := solutionText(3200)
	if n := len([]rune(solution)); n < 3000 {
		t.Fatalf("section has only %d characters", n)
	}
	detail := testDetail(t, 12, solution)
	path := render(t, operator, "zh-CN", testData(detail), zh)
	pages := pdftest.Pages(t, path)
	if pages < 4 {
		t.Fatalf("%d pages; want a title page, sections over several pages and the pricing", pages)
	}
	header := "中国移动通信集团上海有限公司方案编号FA2026-000123·第2版"
	body := bodyText(t, path, pages, header)

	t.Run("every character of a long section", func(t *testing.T) {
		want := pdftest.NoSpace(solution)
		if strings.Contains(body, want) {
			return
		}
		// Find where it goes wrong, for the message.
		start := strings.Index(body, pdftest.NoSpace("（1）总部与3个分支机构"))
		if start < 0 {
			t.Fatal("the section's first paragraph is not in the text")
		}
		got, wr := []rune(body[start:]), []rune(want)
		i := 0
		for i < len(got) && i < len(wr) && got[i] == wr[i] {
			i++
		}
		t.Fatalf("section differs at rune %d of %d:\n got …%s…\nwant …%s…", i, len(wr), excerptOf(string(got), i), excerptOf(want, i))
	})

	t.Run("title page and labels", func(t *testing.T) {
		p1 := pdftest.NoSpace(pdftest.PageText(t, path, 1))
		for _, want := range []string{
			"上海星辰科技有限公司", "上海星辰科技5G专网与云网融合整体解决方案", "整体解决方案建议书",
			"方案编号FA2026-000123·第2版", "客户经理：李伟（电话：13812345678）", "首席客户代表：张静（电话：13987654321）",
			"日期：2026年3月15日", "报价有效期至：2026年4月30日", "保密声明：本文件含有中国移动通信集团上海有限公司的商业保密信息",
			"第1页", fmt.Sprintf("共%d页", pages),
		} {
			if !strings.Contains(p1, want) {
				t.Errorf("title page lacks %q:\n%s", want, p1)
			}
		}
		capital := "人民币" + detail.P.TotalFen.Capital()
		for _, want := range []string{
			"一、项目背景", "二、需求分析", "三、方案设计", "四、服务承诺", "五、报价明细", "六、确认签署",
			"•总部与基地之间的专线带宽提升到1000M；", "•统一的集团V网，降低通话费用并支持移动办公", "•数据中心容灾。",
			"本方案响应的需求", "•总部—基地专线带宽提升至1000M（需求编号N-2026-0042）",
			"月费合计（每月）" + detail.P.MonthlyFen.Yuan(), "一次性费用合计" + detail.P.OneTimeFen.Yuan(),
			"合同总价" + detail.P.TotalFen.Yuan(), "合同总价（人民币大写）" + capital,
			"甲方（客户）", "乙方（运营商）", "授权代表签字：", "盖章：", "日期：年月日",
			"金额单位：人民币元", "85%", "75.5%", "12,000张",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("document lacks %q", want)
			}
		}
		if strings.Contains(body, "实施计划") {
			t.Error("the empty implementation section is printed")
		}
		if strings.Contains(body, "proposals.pdf") {
			t.Error("a message id is printed instead of its text")
		}
		if last := pdftest.NoSpace(pdftest.PageText(t, path, pages)); !strings.Contains(last, fmt.Sprintf("第%d页/共%d页", pages, pages)) {
			t.Errorf("last page footer: %q", excerptOf(last, len([]rune(last))))
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

// TestProposalPDFManyLines: a 120-line proposal spreads its table over
// several pages, each with the header row, and every line is there once.
func TestProposalPDFManyLines(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo")
	zh, _ := translators(t)
	detail := testDetail(t, 120, "")
	path := render(t, operator, "zh-CN", testData(detail), zh)
	pages := pdftest.Pages(t, path)
	if pages < 4 {
		t.Fatalf("120 lines on %d pages; want several", pages)
	}
	if b, _ := os.ReadFile(path); len(pageObject.FindAll(b, -1)) != pages {
		t.Errorf("the benchmark's page count (%d) disagrees with pdfinfo (%d)", len(pageObject.FindAll(b, -1)), pages)
	}
	header := "序号产品标准单价（月）折扣优惠单价（月）数量期限（月）月费小计一次性费用合同期总价"
	code := regexp.MustCompile(`[A-Z]+(?:-[A-Z0-9]+)*-(\d{3})\b`)
	seen := map[int]int{}
	tablePages := 0
	for p := 1; p <= pages; p++ {
		text := pdftest.PageText(t, path, p)
		m := code.FindAllStringSubmatch(text, -1)
		if len(m) == 0 {
			continue
		}
		tablePages++
		// In content-stream order (-raw) the header row reads as one
		// string even where a header cell wraps onto two lines.
		raw := pdftest.NoSpace(pdftest.Run(t, "pdftotext", "-raw", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), path, "-"))
		if n := strings.Count(raw, header); n != 1 {
			t.Errorf("page %d has table rows and the header row %d times; want 1:\n%s", p, n, excerptOf(raw, 200))
		}
		for _, x := range m {
			n, _ := strconv.Atoi(x[1])
			seen[n]++
		}
	}
	if tablePages < 3 {
		t.Errorf("table rows on %d pages; want at least 3", tablePages)
	}
	for i := 1; i <= 120; i++ {
		if seen[i] != 1 {
			t.Errorf("line %d appears %d times", i, seen[i])
		}
	}
	if last := pdftest.NoSpace(pdftest.PageText(t, path, pages)); !strings.Contains(last, "乙方（运营商）") {
		t.Error("the signature block is not on the last page")
	}
}

// TestProposalPDFEnglish renders with the English catalogue.
func TestProposalPDFEnglish(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo")
	_, en := translators(t)
	detail := testDetail(t, 5, solutionText(400))
	detail.Lines[0].ProductNameEn = "Dedicated Internet Access 1000M"
	data := testData(detail)
	data.Chief = Person{}
	path := render(t, operator, "en", data, en)
	pages := pdftest.Pages(t, path)
	p1 := pdftest.PageText(t, path, 1)
	if !strings.Contains(p1, "Page 1 of "+strconv.Itoa(pages)) {
		t.Errorf("page 1 lacks %q:\n%s", "Page 1 of", p1)
	}
	body := bodyText(t, path, pages, "中国移动通信集团上海有限公司ProposalNo.FA2026-000123·Version2")
	for _, want := range []string{
		"SolutionProposal", "ProposalNo.FA2026-000123·Version2", "Accountmanager:李伟(tel.13812345678)", "Date:15March2026",
		"Quotationvaliduntil:30April2026", "1.Background", "2.Needsanalysis", "3.Solutiondesign", "4.Servicecommitments",
		"5.Pricing", "6.Acceptance", "Needsaddressedbythisproposal", "AmountsinRMB(yuan)",
		"Monthlyrecurringcharges" + detail.P.MonthlyFen.Yuan(), "Totalcontractvalue" + detail.P.TotalFen.Yuan(),
		"RMB(inChinesecapitals)人民币" + detail.P.TotalFen.Capital(), "PartyA(Customer)", "PartyB(Operator)",
		"Authorisedsignature:", "Companyseal:", "Confidential:",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("English document lacks %q", want)
		}
	}
	for _, bad := range []string{"Chiefcustomerrepresentative", "proposals.pdf", "报价明细", "合同总价"} {
		if strings.Contains(body, bad) {
			t.Errorf("English document contains %q", bad)
		}
	}
	raw := pdftest.NoSpace(pdftest.Run(t, "pdftotext", "-raw", path, "-"))
	// A line with an English name shows it (in drawing order: a wrapped
	// cell is contiguous there); one without keeps its Chinese name.
	for _, want := range []string{"DedicatedInternetAccess1000M", "集团V网"} {
		if !strings.Contains(raw, want) {
			t.Errorf("English line table lacks %q", want)
		}
	}
	if strings.Contains(raw, "互联网专线1000M") {
		t.Error("the English document shows the Chinese name of a product that has an English one")
	}
	if h := "No.ProductUnitlistprice/monthRateUnitnetprice/monthQuantityMonthsMonthly(line)One-time(line)Linetotal"; !strings.Contains(raw, h) {
		t.Errorf("English table header %q not found", h)
	}
	if m := regexp.MustCompile(`第\d+页`).FindString(body); m != "" {
		t.Errorf("English document has a Chinese page number %q", m)
	}
}

// TestProposalPDFLogo: the logo is in every page header and on the title
// page; a logo gofpdf cannot read is an error, not a broken document.
func TestProposalPDFLogo(t *testing.T) {
	pdftest.NeedTools(t, "pdfinfo", "pdfimages", "qpdf")
	zh, _ := translators(t)
	img := image.NewNRGBA(image.Rect(0, 0, 90, 30))
	for x := range 90 {
		for y := range 30 {
			img.Set(x, y, color.NRGBA{R: 0, G: uint8(100 + x), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	lh := Letterhead{Name: operator.Name, Logo: buf.Bytes()}
	path := render(t, lh, "zh-CN", testData(testDetail(t, 30, solutionText(1500))), zh)
	pages := pdftest.Pages(t, path)
	list := pdftest.Run(t, "pdfimages", "-list", path)
	perPage := map[string]int{}
	for _, l := range strings.Split(list, "\n") {
		if f := strings.Fields(l); len(f) > 3 && f[2] == "image" {
			perPage[f[0]]++
		}
	}
	for p := 1; p <= pages; p++ {
		want := 1
		if p == 1 {
			want = 2 // header and title page
		}
		if got := perPage[strconv.Itoa(p)]; got != want {
			t.Errorf("page %d has %d images; want %d\n%s", p, got, want, list)
		}
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if _, err := RenderPDF(pdfFonts, Letterhead{Name: "x", Logo: []byte("GIF89a")}, shanghai, "zh-CN", testData(testDetail(t, 1, "")), zh); err == nil {
		t.Error("an unreadable logo gave no error")
	}
}

func TestProposalPDFReproducible(t *testing.T) {
	zh, _ := translators(t)
	data := testData(testDetail(t, 20, solutionText(800)))
	a, err := RenderPDF(pdfFonts, operator, shanghai, "zh-CN", data, zh)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RenderPDF(pdfFonts, operator, shanghai, "zh-CN", data, zh)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same version differ")
	}
	if _, err := RenderPDF(pdfFonts, operator, shanghai, "zh-CN", PDFData{}, zh); err == nil {
		t.Fatal("no detail: want an error")
	}
}

func TestPDFParseBlocks(t *testing.T) {
	got := parseBlocks("第一段第一行\r\n第一段第二行\n\n- 要点一\n  续行\n• 要点二\n* 要点三\n之后的段落\n\n\n  缩进段落")
	want := []block{
		{text: "第一段第一行\n第一段第二行"},
		{bullets: []string{"要点一\n续行", "要点二", "要点三"}},
		{text: "之后的段落"},
		{text: "  缩进段落"},
	}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("parseBlocks =\n%q\nwant\n%q", got, want)
	}
}

func TestPDFNumbers(t *testing.T) {
	for n, want := range map[int]string{1: "一", 7: "七", 10: "十", 11: "十一", 20: "二十", 26: "二十六", 99: "九十九", 100: "100"} {
		if got := chineseNumeral(n); got != want {
			t.Errorf("chineseNumeral(%d) = %s; want %s", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 12000: "12,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %s; want %s", n, got, want)
		}
	}
}

// TestProposalPDFDraftMark: a version that is not final (draft, pending,
// superseded before it was sent) prints 草稿 · 未审批 (DRAFT · NOT APPROVED
// in English) on every page; an approved, sent or decided one does not
// (issue 9).
func TestProposalPDFDraftMark(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo")
	zh, en := translators(t)
	sent := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		status string
		sentAt *time.Time
		draft  bool
	}{
		{StatusDraft, nil, true}, {StatusPending, nil, true}, {StatusSuperseded, nil, true},
		{StatusApproved, nil, false}, {StatusSent, &sent, false}, {StatusAccepted, &sent, false},
		{StatusRejected, &sent, false}, {StatusSuperseded, &sent, false},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			tr, mark := zh, "草稿·未审批"
			if lang == "en" {
				tr, mark = en, "DRAFT·NOTAPPROVED"
			}
			detail := testDetail(t, 30, solutionText(1500))
			detail.P.Status, detail.P.SentAt = c.status, c.sentAt
			path := render(t, operator, lang, testData(detail), tr)
			pages := pdftest.Pages(t, path)
			for p := 1; p <= pages; p++ {
				if got := strings.Contains(pdftest.NoSpace(pdftest.PageText(t, path, p)), mark); got != c.draft {
					t.Errorf("%s (sent %v) %s page %d of %d: mark %v, want %v", c.status, c.sentAt != nil, lang, p, pages, got, c.draft)
				}
			}
		}
	}
}

// TestProposalPDFRareCharacters: a customer whose legal name has CJK
// Extension B characters (issue 9: "��科技有限公司"), and a section with
// them and with emoji, print right: pdftotext gives the name back on the
// title page, in the confidentiality notice, the signature block and the
// sections; emoji become □; no "�" anywhere.
func TestProposalPDFRareCharacters(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo", "qpdf")
	zh, _ := translators(t)
	const name = "𠀀𪚥科技有限公司"
	detail := testDetail(t, 3, "为𠀀𪚥科技有限公司建设专网 🚀，覆盖刘䶮总经理办公室。")
	detail.Customer.Name = name
	detail.P.Title = name + "专网方案"
	path := render(t, operator, "zh-CN", testData(detail), zh)
	pdftest.Run(t, "qpdf", "--check", path)
	text := pdftest.Run(t, "pdftotext", "-raw", path, "-")
	if strings.ContainsRune(text, '\uFFFD') {
		t.Fatalf("U+FFFD in the PDF:\n%s", text)
	}
	flat := pdftest.NoSpace(text)
	p1 := pdftest.NoSpace(pdftest.PageText(t, path, 1))
	for _, want := range []string{name + "专网方案", "呈送单位：" + name, "仅供" + name + "评估"} {
		if !strings.Contains(p1, want) && !strings.Contains(flat, want) {
			t.Errorf("the title page lacks %q:\n%s", want, p1)
		}
	}
	for _, want := range []string{"为𠀀𪚥科技有限公司建设专网□，覆盖刘䶮总经理办公室。", "甲方（客户）" + name} {
		if !strings.Contains(flat, want) {
			t.Errorf("the document lacks %q", want)
		}
	}
	if n := strings.Count(flat, name); n < 5 {
		t.Errorf("the name is printed %d times; want it on the title page, notice, section and signature block", n)
	}
}
