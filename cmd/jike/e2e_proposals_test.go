package main

// The proposals journey in a browser: an account manager creates a
// customer, builds a solution proposal from the customer's page with a
// discount beyond their limit, has the server price it, saves it and
// submits it for approval; the team's chief rep finds it in the approval
// queue on the workbench and approves it with a comment; the account
// manager then downloads the PDF. The builder is then used again on a
// phone. It reuses the tab, browser and server helpers of e2e_test.go (and
// createCustomer and expectNoSidewaysPage of e2e_prospects_test.go) and
// follows the same skip/require rules.
//
//	go test ./cmd/jike/ -run TestE2EProposal -count=1 -v

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

// The line the journey quotes: the starter catalogue's DIA-20M
// (modules/catalog/seed.go: ¥2,000 a month plus ¥2,000 once per line, an
// account manager may go down to 85% alone) at 60% of list, well below the
// floor, so the chief rep must approve. The total stays far below the chief
// threshold (¥500,000), so the floor is the only reason for the approval,
// and far below the director's, so the chief rep alone decides.
const (
	e2eProposalProductCode    = "DIA-20M"
	e2eProposalProductName    = "互联网专线 20M"
	e2eProposalProductMonthly = 2000_00 // fen
	e2eProposalProductOneTime = 2000_00 // fen
	e2eProposalProductFloor   = 85      // percent
	e2eProposalLineQty        = 3
	e2eProposalLineTerm       = 24 // months; not the default 12, so an ignored term shows in the total
	e2eProposalLineRate       = 60 // percent
	e2eProposalCapital        = "人民币玖万元整"
)

// e2eProposalQuote is what the server must compute for the line, worked
// out here from the catalogue price, not read from the app: per month
// qty × list × rate, once qty × one-time × rate, and over the term
// monthly × term + once.
func e2eProposalQuote() (monthly, oneTime, total string) {
	m := e2eProposalLineQty * e2eProposalProductMonthly * e2eProposalLineRate / 100
	o := e2eProposalLineQty * e2eProposalProductOneTime * e2eProposalLineRate / 100
	return e2eProposalYuan(m), e2eProposalYuan(o), e2eProposalYuan(m*e2eProposalLineTerm + o)
}

// e2eProposalYuan formats fen the way the pages do: ¥90,000.00.
func e2eProposalYuan(fen int) string {
	yuan := strconv.Itoa(fen / 100)
	var b strings.Builder
	for i, r := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("¥%s.%02d", b.String(), fen%100)
}

// e2eProposal is what the desktop journey created, for the phone check.
type e2eProposal struct {
	customerID, proposalID string
	customer, title        string
	comment                string
}

// TestE2EProposalJourney runs the proposals journey against a fresh demo
// server. It creates its own customer (unique names per run), so it
// depends on no demo data but the organisation and the catalogue.
func TestE2EProposalJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)

	suffix := fmt.Sprintf("%06d", rand.IntN(1_000_000))
	p := &e2eProposal{
		customer: "E2E方案银行" + suffix,
		title:    "E2E全省网点专线方案" + suffix,
		comment:  "同意按 60% 执行，尽快签约" + suffix,
	}
	ok := t.Run("Desktop", func(t *testing.T) { testE2EProposalDesktop(newE2ETab(t, browser, base), p) })
	t.Run("PhoneBuilder", func(t *testing.T) {
		if !ok || p.customerID == "" {
			t.Skip("e2e: the desktop journey failed, so there is no customer to build for")
		}
		testE2EProposalPhone(newE2ETab(t, browser, base), p)
	})
}

// testE2EProposalDesktop is the journey at the default 1280×900 window.
func testE2EProposalDesktop(b *e2eTab, p *e2eProposal) {
	monthly, oneTime, total := e2eProposalQuote()
	b.login("liwei", org.DemoPassword)

	// 1. A fresh customer of liwei's (team 政企客户一部).
	b.navigate("/customers/new")
	b.expectText("h1", "新建客户")
	p.customerID = b.createCustomer(p.customer, "A")
	custURL := "/customers/" + p.customerID

	// 2. The customer's 方案 link → the customer's proposals → 新建方案.
	b.respond("click the customer's 方案 link", chromedp.Click(chromedp.CSS(`.customer-links a[href="`+custURL+`/proposals"]`)))
	b.expectPath(custURL + "/proposals")
	if h1 := b.text("h1"); !strings.Contains(h1, "客户方案") || !strings.Contains(h1, p.customer) {
		b.fail("customer proposals h1 = %q, want 客户方案 · %s", h1, p.customer)
	}
	if empty := b.text("main .empty"); !strings.Contains(empty, "这个客户还没有方案") {
		b.fail("a fresh customer's proposals page shows %q, want 这个客户还没有方案", empty)
	}
	newLink := `.page-header a[href="` + custURL + `/proposals/new"]`
	b.expectText(newLink, "新建方案")
	b.respond("click 新建方案", chromedp.Click(chromedp.CSS(newLink)))
	b.expectPath(custURL + "/proposals/new")
	b.expectText("h1", "新建方案")

	// 3. One line below the floor, priced by the server, then saved.
	b.fillProposal(p.title)
	b.previewProposal(monthly, oneTime, total)
	b.expectBuilderUsesWidth()
	if v := e2eRun(b, "read the title after the preview", chromedp.Value(chromedp.CSS("#title"))); v != p.title {
		b.fail("after 计算金额 the title field holds %q, want %q", v, p.title)
	}
	if v := e2eRun(b, "read the rate after the preview", chromedp.Value(chromedp.CSS("#line_rate_0"))); v != strconv.Itoa(e2eProposalLineRate) {
		b.fail("after 计算金额 the rate field holds %q, want %d", v, e2eProposalLineRate)
	}
	p.proposalID = b.saveProposal()
	page := "/proposals/" + p.proposalID
	if msg := b.allText(".alert-success"); !strings.Contains(msg, "方案已创建") {
		b.fail("flash after saving = %q, want 方案已创建", msg)
	}
	b.expectText("h1", p.title)
	if st := b.proposalStatus(); st != "草稿" {
		b.fail("status of the saved proposal = %q, want 草稿", st)
	}
	reason := fmt.Sprintf("%s 的执行价 %d%% 低于客户经理权限 %d%%", e2eProposalProductName, e2eProposalLineRate, e2eProposalProductFloor)
	reasons := b.approvalReasons()
	if !strings.Contains(reasons, reason) {
		b.fail("需要审批的原因 = %q, want it to contain %q", reasons, reason)
	}
	if strings.Contains(reasons, "合同期总价超过") {
		b.fail("需要审批的原因 = %q names the total, but %s is below the chief threshold", reasons, total)
	}
	b.expectProposalLine()
	b.expectProposalTotals(monthly, oneTime, total)
	if n := e2eRun(b, "count #decide", chromedp.Evaluate[int](`document.querySelectorAll('#decide').length`)); n != 0 {
		b.fail("the account manager sees the approval form on the draft")
	}

	// 4. 提交审批 → 待审批, waiting for the chief rep.
	submit := `form[action="` + page + `/submit"] button[type=submit]`
	b.expectText(submit, "提交审批")
	resp := b.submit("click 提交审批", submit)
	if resp.Status != http.StatusOK {
		b.fail("submit: status %d (errors %q)", resp.Status, b.allText(".alert-error"))
	}
	b.expectPath(page)
	if msg := b.allText(".alert-success"); !strings.Contains(msg, "方案已提交") {
		b.fail("flash after submitting = %q, want 方案已提交 (errors %q)", msg, b.allText(".alert-error"))
	}
	if st := b.proposalStatus(); st != "待审批" {
		b.fail("status after submitting = %q, want 待审批", st)
	}
	if dd := b.proposalFact("状态"); !strings.Contains(dd, "等待首席客户代表审批") {
		b.fail("status line = %q, want 等待首席客户代表审批", dd)
	}
	if n := e2eRun(b, "count #decide", chromedp.Evaluate[int](`document.querySelectorAll('#decide').length`)); n != 0 {
		b.fail("the account manager sees the approval form on their own pending proposal")
	}

	// 5. The chief rep: the workbench queue → the proposal → 同意.
	b.logout()
	b.expectPath("/login")
	b.login("zhaomin", org.DemoPassword)
	b.expectPath("/")
	b.expectText("#approval-queue h2", "待我审批的方案")
	link := `#approval-queue a[href="` + page + `"]`
	item := e2eRun(b, "read the queue item", chromedp.Evaluate[string](fmt.Sprintf(
		`(a => a ? a.closest('li').innerText : '')(document.querySelector(%q))`, link)))
	if item == "" {
		b.fail("#approval-queue does not list %s; it shows:\n%s", page, b.text("#approval-queue"))
	}
	for _, want := range []string{p.title, p.customer, strings.TrimPrefix(total, "¥")} {
		if !strings.Contains(item, want) {
			b.fail("queue item %q does not contain %q", item, want)
		}
	}
	b.respond("click the proposal in the queue", chromedp.Click(chromedp.CSS(link)))
	b.expectPath(page)
	b.expectText("#decide h2", "审批（首席客户代表）")
	b.do("write the comment", chromedp.SendKeys(chromedp.CSS("#comment"), p.comment))
	approve := `#decide button[name=decision][value=approve]`
	b.expectText(approve, "同意")
	resp = b.submit("click 同意", approve)
	if resp.Status != http.StatusOK {
		b.fail("approve: status %d (errors %q)", resp.Status, b.allText(".alert-error"))
	}
	b.expectPath(page)
	if msg := b.allText(".alert-success"); !strings.Contains(msg, "已同意") {
		b.fail("flash after approving = %q, want 已同意 (errors %q)", msg, b.allText(".alert-error"))
	}
	if st := b.proposalStatus(); st != "已审批" {
		b.fail("status after approving = %q, want 已审批", st)
	}
	approvals := b.text("#approvals")
	for _, want := range []string{"审批记录", "同意", "首席客户代表", "赵敏", p.comment} {
		if !strings.Contains(approvals, want) {
			b.fail("#approvals = %q, want it to contain %q", approvals, want)
		}
	}
	if n := e2eRun(b, "count #decide", chromedp.Evaluate[int](`document.querySelectorAll('#decide').length`)); n != 0 {
		b.fail("the approval form is still offered after the decision")
	}
	b.navigate("/")
	if n := e2eRun(b, "count the queue links", chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, link))); n != 0 {
		b.fail("the approved proposal is still in the queue: %q", b.text("#approval-queue"))
	}

	// 6. The account manager opens the approved proposal from the
	// customer's proposals and downloads the PDF.
	b.logout()
	b.login("liwei", org.DemoPassword)
	b.navigate(custURL + "/proposals")
	row := e2eRun(b, "read the proposal's row", chromedp.Evaluate[string](fmt.Sprintf(
		`(a => a ? a.closest('tr').innerText : '')(document.querySelector('table a[href="%s"]'))`, page)))
	for _, want := range []string{p.title, "已审批", strings.TrimPrefix(total, "¥")} {
		if !strings.Contains(row, want) {
			b.fail("the customer's proposals row %q does not contain %q", row, want)
		}
	}
	b.respond("open the proposal", chromedp.Click(chromedp.CSS(`td.wrap a[href="`+page+`"]`)))
	b.expectPath(page)
	if st := b.proposalStatus(); st != "已审批" {
		b.fail("status seen by the account manager = %q, want 已审批", st)
	}
	number := strings.TrimSpace(strings.Split(b.proposalFact("方案编号"), "·")[0])
	if number == "" {
		b.fail("the proposal page shows no 方案编号")
	}
	b.expectProposalPDF(page, number)
}

// fillProposal fills the open builder: the title and line 0 (the product
// chosen by its code, quantity, term and rate).
func (b *e2eTab) fillProposal(title string) {
	b.t.Helper()
	b.do("wait for the builder", chromedp.WaitVisible(chromedp.CSS("#line_product_0")))
	type option struct{ Value, Text string }
	opt := e2eRun(b, "find "+e2eProposalProductCode+" in the product picker", chromedp.Evaluate[option](fmt.Sprintf(
		`(o => o ? {value: o.value, text: o.text} : {value: '', text: ''})(Array.from(document.querySelectorAll('#line_product_0 option')).find(o => o.text.startsWith(%q)))`,
		e2eProposalProductCode+" ·")))
	if opt.Value == "" {
		b.fail("the product picker offers no %s; it offers %q", e2eProposalProductCode, b.allText("#line_product_0 option"))
	}
	// The picker shows the price and floor this test computes with: if the
	// starter catalogue changes, say so here rather than in the totals.
	for _, want := range []string{e2eProposalProductName, e2eProposalYuan(e2eProposalProductMonthly) + "/月", e2eProposalYuan(e2eProposalProductOneTime) + " 一次性", fmt.Sprintf("最低 %d%%", e2eProposalProductFloor)} {
		if !strings.Contains(opt.Text, want) {
			b.fail("product option %q does not contain %q (modules/catalog/seed.go changed?)", opt.Text, want)
		}
	}
	b.do("fill the builder",
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SetValue(chromedp.CSS("#line_product_0"), opt.Value),
		chromedp.SendKeys(chromedp.CSS("#line_qty_0"), strconv.Itoa(e2eProposalLineQty)),
		chromedp.SendKeys(chromedp.CSS("#line_term_0"), strconv.Itoa(e2eProposalLineTerm)),
		chromedp.SendKeys(chromedp.CSS("#line_rate_0"), strconv.Itoa(e2eProposalLineRate)),
	)
	if v := e2eRun(b, "read the product picker", chromedp.Value(chromedp.CSS("#line_product_0"))); v != opt.Value {
		b.fail("product picker = %q after choosing %s, want %q", v, e2eProposalProductCode, opt.Value)
	}
}

// previewProposal clicks 计算金额 and checks the server's quote.
func (b *e2eTab) previewProposal(monthly, oneTime, total string) {
	b.t.Helper()
	btn := `#proposal-form button[name=action][value=preview]`
	b.expectText(btn, "计算金额")
	resp := b.submit("click 计算金额", btn)
	if resp.Status != http.StatusOK {
		b.fail("preview: status %d (errors %q)", resp.Status, b.allText(".field-error, .alert-error"))
	}
	if errs := b.allText(".field-error, .alert-error"); errs != "" {
		b.fail("the preview shows errors: %q", errs)
	}
	figures := e2eRun(b, "read the quote", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#quote dd')).map(d => d.innerText.trim())`))
	if want := []string{monthly, oneTime, total}; strings.Join(figures, " | ") != strings.Join(want, " | ") {
		b.fail("#quote (月费合计 | 一次性费用合计 | 合同期总价) = %q, want %q", figures, want)
	}
	b.expectText("#quote .badge", "需要首席客户代表审批")
}

// saveProposal clicks the builder's save button and returns the new
// proposal's id.
func (b *e2eTab) saveProposal() string {
	b.t.Helper()
	btn := `#proposal-form button[name=action][value=save]`
	b.expectText(btn, "保存")
	resp := b.submit("click 保存", btn)
	if resp.Status != http.StatusOK {
		b.fail("save proposal: status %d (errors %q)", resp.Status, b.allText(".field-error, .alert-error"))
	}
	m := regexp.MustCompile(`^/proposals/(\d+)$`).FindStringSubmatch(b.path())
	if m == nil {
		b.fail("after saving the proposal the path is %q, want /proposals/<id> (errors %q)", b.path(), b.allText(".field-error, .alert-error"))
	}
	return m[1]
}

// proposalFact is the text of the dd after the dt named dt in the proposal page's
// first facts list.
func (b *e2eTab) proposalFact(dt string) string {
	b.t.Helper()
	b.do("wait for the facts", chromedp.WaitVisible(chromedp.CSS("main .card .facts")))
	return e2eRun(b, "read "+dt, chromedp.Evaluate[string](fmt.Sprintf(
		`(dt => dt && dt.nextElementSibling ? dt.nextElementSibling.innerText.trim() : '')(Array.from(document.querySelector('main .card .facts').querySelectorAll('dt')).find(d => d.textContent.trim() === %q))`, dt)))
}

// proposalStatus is the status badge of the proposal page.
func (b *e2eTab) proposalStatus() string {
	b.t.Helper()
	b.do("wait for the facts", chromedp.WaitVisible(chromedp.CSS("main .card .facts")))
	return e2eRun(b, "read the status badge", chromedp.Evaluate[string](
		`(dt => dt && dt.nextElementSibling.querySelector('.badge') ? dt.nextElementSibling.querySelector('.badge').innerText.trim() : '')(Array.from(document.querySelector('main .card .facts').querySelectorAll('dt')).find(d => d.textContent.trim() === '状态'))`))
}

// approvalReasons is the list under 需要审批的原因, or "" without one.
func (b *e2eTab) approvalReasons() string {
	b.t.Helper()
	return e2eRun(b, "read 需要审批的原因", chromedp.Evaluate[string](
		`(h => h && h.nextElementSibling ? h.nextElementSibling.innerText.trim() : '')(Array.from(document.querySelectorAll('main h3')).find(h => h.textContent.trim() === '需要审批的原因'))`))
}

// expectProposalLine checks the one line of the proposal page's table.
func (b *e2eTab) expectProposalLine() {
	b.t.Helper()
	cells := e2eRun(b, "read the lines", chromedp.Evaluate[[][]string](
		`Array.from(document.querySelectorAll('#lines tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))`))
	if len(cells) != 1 || len(cells[0]) != 10 {
		b.fail("the proposal has lines %q, want one row of 10 cells", cells)
	}
	// The columns: #, product, unit list price, rate, unit net price,
	// quantity, months, line monthly, line one-time, line total — the
	// unit prices are per unit, the line amounts the line's.
	yuan := func(fen int) string { return strings.TrimPrefix(e2eProposalYuan(fen), "¥") }
	c := cells[0]
	for i, want := range map[int]string{
		1: e2eProposalProductCode, 2: yuan(e2eProposalProductMonthly), 3: strconv.Itoa(e2eProposalLineRate) + "%",
		4: yuan(e2eProposalProductMonthly * e2eProposalLineRate / 100), 5: strconv.Itoa(e2eProposalLineQty),
		6: strconv.Itoa(e2eProposalLineTerm), 7: yuan(e2eProposalLineQty * e2eProposalProductMonthly * e2eProposalLineRate / 100),
		8: yuan(e2eProposalLineQty * e2eProposalProductOneTime * e2eProposalLineRate / 100),
	} {
		if !strings.HasPrefix(c[i], want) && !strings.Contains(c[i], want) {
			b.fail("line cell %d = %q, want it to contain %q (row %q)", i, c[i], want, c)
		}
	}
	if !strings.Contains(c[3], "超出权限") {
		b.fail("the line's rate cell %q is not marked 超出权限", c[3])
	}
}

// expectProposalTotals checks the totals under the proposal's lines.
func (b *e2eTab) expectProposalTotals(monthly, oneTime, total string) {
	b.t.Helper()
	got := e2eRun(b, "read the totals", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#lines .totals dd')).map(d => d.innerText.trim())`))
	if want := []string{monthly, oneTime, total, e2eProposalCapital}; strings.Join(got, " | ") != strings.Join(want, " | ") {
		b.fail("the proposal's totals = %q, want %q", got, want)
	}
}

// expectProposalPDF follows the page's 下载 PDF link the way the browser
// would, with the session cookie, and checks what comes back is the PDF.
func (b *e2eTab) expectProposalPDF(page, number string) {
	b.t.Helper()
	link := e2eRun(b, "find 下载 PDF", chromedp.Evaluate[string](
		`(a => a ? a.getAttribute('href') : '')(Array.from(document.querySelectorAll('.page-header a')).find(a => a.textContent.trim() === '下载 PDF'))`))
	if link != page+"/pdf" {
		b.fail("the 下载 PDF link is %q, want %s/pdf", link, page)
	}
	type download struct {
		Status            int
		Type, Disposition string
		Size              int
		Head, Tail        string
	}
	d := e2eRun(b, "fetch the PDF", chromedp.Evaluate[download](fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: 'same-origin', redirect: 'manual'});
		const buf = new Uint8Array(await r.arrayBuffer());
		const str = a => Array.from(a, c => String.fromCharCode(c)).join('');
		return {status: r.status, type: r.headers.get('content-type') || '', disposition: r.headers.get('content-disposition') || '',
			size: buf.length, head: str(buf.slice(0, 8)), tail: str(buf.slice(-64))};
	})()`, link), chromedp.EvalAwaitPromise))
	if d.Status != http.StatusOK {
		b.fail("GET %s in the page: status %d, want 200 (content-type %q)", link, d.Status, d.Type)
	}
	if !strings.HasPrefix(d.Type, "application/pdf") {
		b.fail("GET %s: content-type %q, want application/pdf", link, d.Type)
	}
	if !strings.HasPrefix(d.Head, "%PDF-") {
		b.fail("GET %s: the body starts with %q, want %%PDF-", link, d.Head)
	}
	if !strings.Contains(d.Tail, "%%EOF") {
		b.fail("GET %s: the body ends with %q, want %%%%EOF: the PDF is cut short", link, d.Tail)
	}
	if d.Size <= 10*1024 {
		b.fail("GET %s: %d bytes, want more than 10 KB for a proposal with its fonts", link, d.Size)
	}
	if want := fmt.Sprintf(`attachment; filename="%s-v1.pdf"`, number); d.Disposition != want {
		b.fail("GET %s: content-disposition %q, want %q", link, d.Disposition, want)
	}
	b.t.Logf("e2e: %s is a %d-byte PDF (%s)", link, d.Size, d.Disposition)
}

// testE2EProposalPhone builds a second proposal for the same customer at
// 375×812: the builder, its quote and the saved proposal must not scroll
// sideways, and the priced quote is the same as on the desktop.
func testE2EProposalPhone(b *e2eTab, p *e2eProposal) {
	monthly, oneTime, total := e2eProposalQuote()
	b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	b.login("liwei", org.DemoPassword)
	form := "/customers/" + p.customerID + "/proposals/new"
	b.navigate(form)
	b.expectPath(form)
	b.expectText("h1", "新建方案")
	b.expectNoSidewaysPage("proposal builder")

	b.fillProposal(p.title + "（手机）")
	b.previewProposal(monthly, oneTime, total)
	b.expectNoSidewaysPage("proposal builder with the quote")

	// The save button is on screen and not covered once scrolled to.
	btn := `#proposal-form button[name=action][value=save]`
	b.do("scroll to the save button", chromedp.ScrollIntoView(chromedp.CSS(btn)))
	hit := e2eRun(b, "check the save button is clickable", chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.left < 0 || r.right > window.innerWidth || r.top < 0 || r.bottom > window.innerHeight) return false;
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return !!hit && (hit === el || el.contains(hit));
	})()`, btn)))
	if !hit {
		b.fail("on the phone the save button is off screen or covered after scrolling to it")
	}
	id := b.saveProposal()
	if id == p.proposalID {
		b.fail("the phone's proposal got the desktop proposal's id %s", id)
	}
	if st := b.proposalStatus(); st != "草稿" {
		b.fail("status of the phone's proposal = %q, want 草稿", st)
	}
	b.expectProposalTotals(monthly, oneTime, total)
	b.expectNoSidewaysPage("proposal page")
}

// expectBuilderUsesWidth: at a laptop's width the builder takes the page's
// width (not a 720px form column) and the chosen product's full name is
// written out, never cut (issue 9).
func (b *e2eTab) expectBuilderUsesWidth() {
	b.t.Helper()
	type measure struct {
		Form, Main, Window int
		Name               string
		Cut                bool
	}
	got := e2eRun(b, "measure the builder", chromedp.Evaluate[measure](`(() => {
		const f = document.querySelector('#proposal-form'), n = document.querySelector('#line_product_name_0');
		return {form: f.getBoundingClientRect().width, main: document.querySelector('main .page-header').getBoundingClientRect().width, window: window.innerWidth,
			name: n ? n.innerText : '', cut: n ? n.scrollWidth > n.clientWidth + 1 : true};
	})()`))
	if got.Form < got.Main-2 || got.Form < 900 {
		b.fail("at %dpx the builder is %dpx wide in a %dpx page; want the page's width", got.Window, got.Form, got.Main)
	}
	if !strings.Contains(got.Name, e2eProposalProductName) || got.Cut {
		b.fail("the chosen product's name under its picker is %q (cut: %v), want the full %q", got.Name, got.Cut, e2eProposalProductName)
	}
}
