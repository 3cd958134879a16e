package main

// The history in a browser: an account manager opens one of the demo's
// proposals, whose 修改记录 shows the long section texts cut short with
// "展开"; clicking it reveals the whole text and "收起" folds it again —
// with <details>, no script, under the strict CSP. A contract's 修改记录
// reads in words as well. It reuses the helpers
// of e2e_test.go and follows the same skip/require rules.
//
//	go test ./cmd/jike/ -run TestE2EHistory -count=1 -v

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

func TestE2EHistory(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)
	b := newE2ETab(t, browser, base)
	b.login("liwei", org.DemoPassword)

	// 1. The first of liwei's demo proposals.
	b.navigate("/proposals")
	href := e2eRun(b, "find a proposal", chromedp.Evaluate[string](
		`(Array.from(document.querySelectorAll('main a[href^="/proposals/"]')).map(a => a.getAttribute('href')).find(h => /^\/proposals\/\d+$/.test(h)) || '')`))
	if !regexp.MustCompile(`^/proposals/\d+$`).MatchString(href) {
		b.fail("no proposal link on /proposals (found %q)", href)
	}
	b.navigate(href)

	// 2. The history reads in words: the customer by name, linked.
	hist := b.text("#history")
	if !strings.Contains(hist, "客户") || strings.Contains(hist, "customer_id") || strings.Contains(hist, "_fen") {
		b.fail("the history does not read in words: %.300s", hist)
	}
	link := e2eRun(b, "read the customer link", chromedp.Evaluate[string](
		`(document.querySelector('#history a[href^="/customers/"]') || {}).textContent || ''`))
	if strings.TrimSpace(link) == "" {
		b.fail("the history does not link the customer by name")
	}

	// 3. A long section text is cut short; its end is not shown.
	const long = `#history details.long-text`
	state := func() string {
		return e2eRun(b, "read the long text's state", chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			const d = document.querySelector(%q);
			// checkVisibility also sees the closed <details>' hidden content.
			const shown = el => !!el && el.checkVisibility({visibilityProperty: true});
			return [d.open, shown(d.querySelector('.long-short')), shown(d.querySelector('.long-full')),
				shown(d.querySelector('.long-more')), shown(d.querySelector('.long-less'))].join(',');
		})()`, long)))
	}
	b.do("wait for a long text", chromedp.WaitVisible(chromedp.CSS(long)))
	if got := state(); got != "false,true,false,true,false" {
		b.fail("closed long text: open,short,full,more,less = %s, want the start and 展开 only", got)
	}
	if more := b.text(long + " .long-more"); more != "展开" {
		b.fail("the control reads %q, want 展开", more)
	}

	// 4. 展开 shows the whole text and 收起; 收起 folds it again.
	b.do("click 展开", chromedp.Click(chromedp.CSS(long+" > summary")))
	if got := state(); got != "true,false,true,false,true" {
		b.fail("opened long text: open,short,full,more,less = %s, want the whole text and 收起", got)
	}
	full := b.text(long + " .long-full")
	short := strings.TrimSuffix(e2eRun(b, "read the start", chromedp.Evaluate[string](
		`document.querySelector('#history details.long-text .long-short').textContent`)), "…")
	if len([]rune(full)) <= len([]rune(short)) || !strings.HasPrefix(full, short) {
		b.fail("the whole text %q does not continue the start %q", full, short)
	}
	b.do("click 收起", chromedp.Click(chromedp.CSS(long+" > summary")))
	if got := state(); got != "false,true,false,true,false" {
		b.fail("folded long text: open,short,full,more,less = %s", got)
	}

	// 5. A contract's 修改记录 reads in words too: actions and amounts,
	// no column names.
	b.navigate("/contracts")
	href = e2eRun(b, "find a contract", chromedp.Evaluate[string](
		`(Array.from(document.querySelectorAll('main a[href^="/contracts/"]')).map(a => a.getAttribute('href')).find(h => /^\/contracts\/\d+$/.test(h)) || '')`))
	if !regexp.MustCompile(`^/contracts/\d+$`).MatchString(href) {
		b.fail("no contract link on /contracts (found %q)", href)
	}
	b.navigate(href)
	hist = b.text("#history")
	if !strings.Contains(hist, "创建") || !strings.Contains(hist, "合同总价") || !strings.Contains(hist, "¥") ||
		regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`).MatchString(hist) {
		b.fail("the contract's history does not read in words: %.300s", hist)
	}
}
