package main

// The customer hierarchy in a browser: the director finds the demo group
// (华东能源集团) in the customer list, opens its page, reads the roll-ups
// over the whole tree, expands a subsidiary (htmx loads its level) and
// sees its plants; the account manager's view of the same group counts
// the members he may not see without naming them, and reaches his own
// unit below them.
//
//	go test ./cmd/jike/ -run TestE2EHierarchy -count=1 -v

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

func TestE2EHierarchyGroupTree(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)

	t.Run("Director", func(t *testing.T) {
		b := newE2ETab(t, browser, base)
		b.login("wangjianguo", org.DemoPassword)
		b.navigate("/customers?all=1&q=" + url.QueryEscape(gRoot))
		href := b.attr(`table.table a[href^="/customers/"]`, "href")
		b.navigate(href)
		for sel, want := range map[string]string{"h1": gRoot, "#group h2": "集团成员", "#rollup-pipeline": "¥287,500.00"} {
			if got := b.text(sel); !strings.Contains(got, want) {
				b.fail("%s = %q, want it to contain %q", sel, got, want)
			}
		}
		if strings.Contains(b.allText("#group"), "其他成员") {
			b.fail("the director is told of hidden members")
		}
		for _, n := range []string{gSales, gPower, gChem} {
			if !strings.Contains(b.allText("#group ul.tree"), n) {
				b.fail("first level lacks %s", n)
			}
		}
		// Plants are not on the page until their subsidiary is expanded.
		if strings.Contains(b.allText("#group"), gStation) {
			b.fail("the second level was rendered before expanding")
		}
		b.do("expand the sales company",
			chromedp.Click(chromedp.CSS(`#group li.tree-node:has(a[href="/customers/`+w2id(b, gSales)+`"]) > button.tree-expand`)),
			chromedp.WaitVisible(chromedp.CSS(`#group ul.tree ul.tree li.tree-node`)))
		level := b.allText("#group ul.tree ul.tree")
		if !strings.Contains(level, gStation) || !strings.Contains(level, gDepot) {
			b.fail("expanded level = %q", level)
		}
	})

	t.Run("AccountManager", func(t *testing.T) {
		b := newE2ETab(t, browser, base)
		b.login("liwei", org.DemoPassword)
		b.navigate("/customers?all=1&q=" + url.QueryEscape(gRoot))
		b.navigate(b.attr(`table.table a[href^="/customers/"]`, "href"))
		for sel, want := range map[string]string{"#rollup-pipeline": "¥168,500.00", "#rollup-hidden": "6 个其他成员"} {
			if got := b.text(sel); !strings.Contains(got, want) {
				b.fail("%s = %q, want it to contain %q", sel, got, want)
			}
		}
		text := b.allText("#group")
		if strings.Contains(text, gPower) || strings.Contains(text, gChem) || strings.Contains(text, gPlant) {
			b.fail("liwei sees hidden members: %q", text)
		}
		// His office below zhoujie's plant hangs from the group, marked.
		if !strings.Contains(text, gOffice) || !strings.Contains(text, "经由无权查看的单位") {
			b.fail("liwei's office below hidden units is not in the tree: %q", text)
		}
	})
}

// w2id reads the id of the customer named name from the group tree's
// links on the current page.
func w2id(b *e2eTab, name string) string {
	b.t.Helper()
	href := e2eRun(b, "read the tree link of "+name, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('#group li.tree-node > a')).find(a => a.textContent.trim() === `+"`"+name+"`"+`) || {getAttribute: () => ''}).getAttribute('href')`))
	if href == "" {
		b.fail("no tree link for %s", name)
	}
	return strings.TrimPrefix(href, "/customers/")
}
