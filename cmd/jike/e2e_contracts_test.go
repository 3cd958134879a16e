package main

// The contracts journey in a browser: an account manager makes a customer
// with a key person, has it accept a proposal (built, confirmed, sent and
// accepted in the proposal pages), makes the contract from the accepted
// proposal on the customer's 合同 tab and submits it; the team's chief rep
// approves it from the workbench queue; the account manager records the
// signature, completes the implementation tasks and puts the contract in
// force. The same pages are then opened at 375 px. It reuses the tab,
// browser and server helpers of e2e_test.go (and createCustomer and
// expectNoSidewaysPage of e2e_prospects_test.go).
//
//	go test ./cmd/jike/ -run TestE2EContract -count=1 -v

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

// The line the journey quotes: the starter catalogue's DIA-20M (¥2,000 a
// month and ¥2,000 once per line) × 3 at list price for 24 months: no
// approval for the proposal (below ¥500,000, at list), but above the
// contract's chief threshold (¥100,000): 3 × 2,000 × 24 + 3 × 2,000.
const (
	e2eContractProduct = "DIA-20M"
	e2eContractTotal   = "¥150,000.00"
	e2eContractCapital = "人民币壹拾伍万元整"
)

// e2eContract is what the journey makes, step to step.
type e2eContract struct {
	customerID, proposalID, contractID string
	customer, contact, comment         string
}

// TestE2EContractJourney runs the journey against a fresh demo server.
func TestE2EContractJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)
	suffix := fmt.Sprintf("%06d", rand.IntN(1_000_000))
	c := &e2eContract{customer: "E2E合同医院" + suffix, contact: "周院长" + suffix, comment: "同意签约" + suffix}
	steps := []struct {
		name string
		run  func(b *e2eTab, c *e2eContract)
	}{
		{"CustomerWithKeyPerson", testE2EContractCustomer},
		{"AcceptedProposal", testE2EContractProposal},
		{"ContractFromProposal", testE2EContractCreate},
		{"ChiefRepApproves", testE2EContractApprove},
		{"Sign", testE2EContractSign},
		{"ImplementAndActivate", testE2EContractActivate},
		{"Phone", testE2EContractPhone},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(newE2ETab(t, browser, base), c) }) {
			t.Fatalf("e2e: %s failed; the later steps need it", s.name)
		}
	}
}

// acceptConfirms makes window.confirm answer yes on the current page (the
// data-confirm forms of app.js).
func (b *e2eTab) acceptConfirms() {
	b.t.Helper()
	b.do("answer confirms with yes", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
}

// badge is the status badge of the contract or proposal page.
func (b *e2eTab) statusBadge() string {
	b.t.Helper()
	return b.proposalStatus()
}

// 1. A customer with a key person.
func testE2EContractCustomer(b *e2eTab, c *e2eContract) {
	b.login("liwei", org.DemoPassword)
	b.navigate("/customers/new")
	c.customerID = b.createCustomer(c.customer, "B")
	cust := "/customers/" + c.customerID
	b.navigate(cust + "/contacts/new")
	b.do("fill the key person",
		chromedp.WaitVisible(chromedp.CSS("#contact_name")),
		chromedp.SendKeys(chromedp.CSS("#contact_name"), c.contact),
		chromedp.SendKeys(chromedp.CSS("#title"), "院长"),
		chromedp.SendKeys(chromedp.CSS("#mobile"), "13812345678"),
		chromedp.SetValue(chromedp.CSS("#role"), "decision"),
	)
	if r := b.submit("save the key person", `form[action="`+cust+`/contacts"] button[type=submit]`); r.Status != http.StatusOK {
		b.fail("key person: %d %q", r.Status, b.allText(".field-error, .alert-error"))
	}
}

// 2. A proposal the customer accepts.
func testE2EContractProposal(b *e2eTab, c *e2eContract) {
	b.login("liwei", org.DemoPassword)
	cust := "/customers/" + c.customerID
	b.navigate(cust + "/proposals/new")
	b.do("wait for the builder", chromedp.WaitVisible(chromedp.CSS("#line_product_0")))
	opt := e2eRun(b, "find "+e2eContractProduct, chromedp.Evaluate[string](fmt.Sprintf(
		`(o => o ? o.value : '')(Array.from(document.querySelectorAll('#line_product_0 option')).find(o => o.text.startsWith(%q)))`, e2eContractProduct+" ·")))
	if opt == "" {
		b.fail("the builder offers no %s", e2eContractProduct)
	}
	b.do("fill the builder",
		chromedp.SendKeys(chromedp.CSS("#title"), c.customer+"专线方案"),
		chromedp.SetValue(chromedp.CSS("#line_product_0"), opt),
		chromedp.SendKeys(chromedp.CSS("#line_qty_0"), "3"),
		chromedp.SendKeys(chromedp.CSS("#line_term_0"), "24"),
		chromedp.SendKeys(chromedp.CSS("#line_rate_0"), "100"),
	)
	c.proposalID = b.saveProposal()
	page := "/proposals/" + c.proposalID
	for _, step := range []struct{ what, action, want string }{
		{"confirm (no approval needed)", "/submit", "已审批"},
		{"send to the customer", "/send", "已提交客户"},
		{"the customer accepts", "/customer", "客户接受"},
	} {
		b.acceptConfirms()
		sel := `form[action="` + page + step.action + `"] button[type=submit]`
		if r := b.submit(step.what, sel); r.Status != http.StatusOK {
			b.fail("%s: %d %q", step.what, r.Status, b.allText(".alert-error"))
		}
		if st := b.statusBadge(); st != step.want {
			b.fail("after %s the proposal is %q, want %q (errors %q)", step.what, st, step.want, b.allText(".alert-error"))
		}
	}
}

// 3. The contract from the accepted proposal, on the customer's 合同 tab.
func testE2EContractCreate(b *e2eTab, c *e2eContract) {
	b.login("liwei", org.DemoPassword)
	cust := "/customers/" + c.customerID
	b.navigate(cust)
	b.respond("open the customer's 合同 tab", chromedp.Click(chromedp.CSS(`.customer-links a[href="`+cust+`/contracts"]`)))
	b.expectPath(cust + "/contracts")
	link := `#awaiting a[href="` + cust + `/contracts/new?proposal=` + c.proposalID + `"]`
	b.expectText(link, "生成合同")
	b.respond("click 生成合同", chromedp.Click(chromedp.CSS(link)))
	b.expectText("h1", "新建合同")
	lines := b.text("#lines")
	for _, want := range []string{e2eContractProduct, "原样带入", e2eContractTotal} {
		if !strings.Contains(lines, want) {
			b.fail("the form's lines %q lack %q", lines, want)
		}
	}
	if n := e2eRun(b, "count editable lines", chromedp.Evaluate[int](`document.querySelectorAll('#line_product_0').length`)); n != 0 {
		b.fail("the proposal's lines are editable in the contract form")
	}
	// Defaults: today for 24 months, the owner and the decision maker sign.
	if v := e2eRun(b, "read the customer signatory", chromedp.Evaluate[string](`document.querySelector('#customer_signatory_id').selectedOptions[0].text`)); !strings.Contains(v, c.contact) {
		b.fail("the customer's signatory defaults to %q, want %s", v, c.contact)
	}
	if r := b.submit("save the contract", `#contract-form button[name=action][value=save]`); r.Status != http.StatusOK {
		b.fail("save: %d %q", r.Status, b.allText(".field-error, .alert-error"))
	}
	m := regexp.MustCompile(`^/contracts/(\d+)$`).FindStringSubmatch(b.path())
	if m == nil {
		b.fail("after saving the path is %q (errors %q)", b.path(), b.allText(".field-error, .alert-error"))
	}
	c.contractID = m[1]
	if st := b.statusBadge(); st != "草稿" {
		b.fail("a new contract is %q", st)
	}
	number := b.proposalFact("合同编号")
	if !regexp.MustCompile(`^HT-哈尔滨-\d{4}-\d{6}$`).MatchString(number) {
		b.fail("contract number %q", number)
	}
	if got := e2eRun(b, "read the totals", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#lines .totals dd')).map(d => d.innerText.trim())`)); len(got) != 4 || got[2] != e2eContractTotal || got[3] != e2eContractCapital {
		b.fail("totals %q, want %s and %s", got, e2eContractTotal, e2eContractCapital)
	}
	page := "/contracts/" + c.contractID
	if r := b.submit("submit for approval", `form[action="`+page+`/submit"] button[type=submit]`); r.Status != http.StatusOK {
		b.fail("submit: %d", r.Status)
	}
	if st := b.statusBadge(); st != "待审批" {
		b.fail("after submitting: %q (errors %q)", st, b.allText(".alert-error"))
	}
	if n := e2eRun(b, "count #decide", chromedp.Evaluate[int](`document.querySelectorAll('#decide').length`)); n != 0 {
		b.fail("the owner is offered the approval form")
	}
}

// 4. The chief rep approves from the workbench.
func testE2EContractApprove(b *e2eTab, c *e2eContract) {
	b.login("zhaomin", org.DemoPassword)
	page := "/contracts/" + c.contractID
	link := `#contract-queue a[href="` + page + `"]`
	b.expectText("#contract-queue h2", "待我审批的合同")
	b.respond("open the contract from the queue", chromedp.Click(chromedp.CSS(link)))
	b.expectPath(page)
	b.expectText("#decide h2", "审批（首席客户代表）")
	b.do("write the comment", chromedp.SendKeys(chromedp.CSS("#comment"), c.comment))
	if r := b.submit("approve", `#decide button[name=decision][value=approve]`); r.Status != http.StatusOK {
		b.fail("approve: %d", r.Status)
	}
	if st := b.statusBadge(); st != "待签署" {
		b.fail("after approval: %q (errors %q)", st, b.allText(".alert-error"))
	}
	if ap := b.text("#approvals"); !strings.Contains(ap, c.comment) || !strings.Contains(ap, "赵敏") {
		b.fail("#approvals = %q", ap)
	}
}

// 5. Signed: the implementation tasks are made.
func testE2EContractSign(b *e2eTab, c *e2eContract) {
	b.login("liwei", org.DemoPassword)
	page := "/contracts/" + c.contractID
	b.navigate(page)
	b.acceptConfirms()
	if r := b.submit("record the signature", `#sign-form button[type=submit]`); r.Status != http.StatusOK {
		b.fail("sign: %d", r.Status)
	}
	if st := b.statusBadge(); st != "已签署" {
		b.fail("after signing: %q (errors %q)", st, b.allText(".alert-error"))
	}
	b.expectText("#task-progress", "已完成 0 / 3 项")
	tasks := b.text("#tasks")
	for _, want := range []string{"开通：互联网专线 20M", "割接", "验收"} {
		if !strings.Contains(tasks, want) {
			b.fail("#tasks = %q lacks %q", tasks, want)
		}
	}
}

// 6. The implementation done, in force; the customer is active.
func testE2EContractActivate(b *e2eTab, c *e2eContract) {
	b.login("liwei", org.DemoPassword)
	page := "/contracts/" + c.contractID
	b.navigate(page)
	for i := 1; i <= 3; i++ {
		if r := b.submit(fmt.Sprintf("complete task %d", i), `#tasks form.task-done button[type=submit]`); r.Status != http.StatusOK {
			b.fail("task %d: %d %q", i, r.Status, b.allText(".alert-error"))
		}
		b.expectText("#task-progress", fmt.Sprintf("已完成 %d / 3 项", i))
	}
	if r := b.submit("put in force", `form[action="`+page+`/activate"] button[type=submit]`); r.Status != http.StatusOK {
		b.fail("activate: %d", r.Status)
	}
	if st := b.statusBadge(); st != "履行中" {
		b.fail("after activation: %q (errors %q)", st, b.allText(".alert-error"))
	}
	b.navigate("/customers/" + c.customerID)
	if s := b.text("main"); !strings.Contains(s, "在网") || !strings.Contains(s, "签署合同") {
		b.fail("the customer page does not show an active customer with the signed contract on its timeline")
	}
}

// 7. The same pages on a phone: nothing scrolls sideways.
func testE2EContractPhone(b *e2eTab, c *e2eContract) {
	b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	b.login("liwei", org.DemoPassword)
	cust := "/customers/" + c.customerID
	for _, p := range []struct{ path, h1 string }{
		{"/contracts", "合同"},
		{"/contracts/expiring", "即将到期的合同"},
		{"/contracts/" + c.contractID, ""},
		{cust + "/contracts", "客户合同"},
		{cust + "/contracts/new", "新建合同"},
	} {
		if r := b.navigate(p.path); r.Status != http.StatusOK {
			b.fail("%s: %d", p.path, r.Status)
		}
		if p.h1 != "" && !strings.HasPrefix(b.text("h1"), p.h1) {
			b.fail("%s: h1 %q", p.path, b.text("h1"))
		}
		b.expectNoSidewaysPage(p.path)
	}
}
