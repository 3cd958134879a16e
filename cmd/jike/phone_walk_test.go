package main

// The phone walk: every role of the demo signs in on a 375 px phone and
// opens every page of its navigation, one detail page of each kind of
// record and the forms and admin pages it may use, in Chinese and in
// English. No page may scroll sideways, and no list may hide its columns
// in a box that scrolls sideways (lists become a stack of cards on a phone,
// see "Tables become cards" in static/app.css). Every offending page is
// reported with the elements that stick out, not only the first.
//
//	go test ./cmd/jike/ -run TestE2EPhoneWalk -count=1 -v
//
// With JIKE_SHOTS=<dir> it also saves a screenshot of every page at 375 px
// (and of the same page at 1280 px) into that folder, to look at;
// JIKE_SHOTS_USER and JIKE_SHOTS_MATCH (a regexp of paths) narrow them.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jike-crm/jike/modules/org"
)

// phoneWalkDetail finds, in the links of the pages walked so far, one page
// of each kind of record (the first link that matches).
var phoneWalkDetail = []*regexp.Regexp{
	regexp.MustCompile(`^/customers/\d+$`),
	regexp.MustCompile(`^/opportunities/\d+$`),
	regexp.MustCompile(`^/visits/\d+$`),
	regexp.MustCompile(`^/proposals/\d+$`),
	regexp.MustCompile(`^/contracts/\d+$`),
	regexp.MustCompile(`^/catalog/\d+$`),
	regexp.MustCompile(`^/needs/\d+/edit$`),
	regexp.MustCompile(`^/targets/am/\d+`),
	regexp.MustCompile(`^/targets/reviews/\d+$`),
	regexp.MustCompile(`^/admin/users/\d+/edit$`),
	regexp.MustCompile(`^/admin/teams/\d+/edit$`),
	regexp.MustCompile(`^/admin/branches/\d+/edit$`),
}

// phoneWalkSub are pages under a record found above (the customer's
// analysis, the visit's brief) and the pages no navigation link names
// (forms, queues). A page the role may not open (403/404) is skipped.
var phoneWalkSub = map[string][]string{
	"/customers/": {"/analysis", "/needs", "/visits", "/proposals", "/contracts", "/edit"},
	"/visits/":    {"/brief", "/edit"},
	"/proposals/": {"/edit"},
}

var phoneWalkForms = []string{
	"/customers/new", "/customers/import", "/customers/trash", "/opportunities/new", "/visits/new",
	"/needs/new", "/proposals/new", "/contracts/expiring", "/notifications", "/account/password",
	"/targets/set", "/targets/quotas", "/targets/review", "/targets/reviews",
	"/admin/users/new", "/admin/teams/new", "/admin/branches/new", "/catalog/new",
}

// phoneWalkMeasure returns the document's widths and, when it scrolls
// sideways, the outermost elements that stick out of a parent that fits
// (the cause, not their children); and every box that scrolls sideways
// inside the page, except the pipeline board (its columns scroll by
// design) and the setting grids of targets (a spreadsheet of inputs).
const phoneWalkMeasure = `(() => {
  const de = document.documentElement, cw = de.clientWidth;
  const desc = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  const where = e => { const p = []; for (let x = e; x && x !== document.body && p.length < 4; x = x.parentElement) p.unshift(desc(x)); return p.join(' > '); };
  const text = e => (e.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  const clips = e => { for (let x = e.parentElement; x && x !== document.body; x = x.parentElement) { const o = getComputedStyle(x).overflowX; if (o !== 'visible') return true; } return false; };
  const out = { sw: de.scrollWidth, cw: cw, off: [], scrollers: [] };
  if (de.scrollWidth > cw + 1) {
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if ((r.width === 0 && r.height === 0) || r.right <= cw + 1 || clips(e)) continue;
      const p = e.parentElement;
      if (p && p !== document.body && p.getBoundingClientRect().right > cw + 1) continue;
      out.off.push(where(e) + ' (' + Math.round(r.right) + 'px) "' + text(e) + '"');
      if (out.off.length >= 8) break;
    }
  }
  for (const e of document.body.querySelectorAll('*')) {
    const o = getComputedStyle(e).overflowX;
    if ((o !== 'auto' && o !== 'scroll') || e.scrollWidth <= e.clientWidth + 1) continue;
    if (e.closest(".board, #nav, .scroll-ok") || e.querySelector(":scope > table.target-grid")) continue;
    out.scrollers.push(where(e) + ' (' + e.scrollWidth + '>' + e.clientWidth + 'px)');
    if (out.scrollers.length >= 8) break;
  }
  return out;
})()`

type phoneWalkResult struct {
	SW        int      `json:"sw"`
	CW        int      `json:"cw"`
	Off       []string `json:"off"`
	Scrollers []string `json:"scrollers"`
}

// TestE2EPhoneWalk walks every page of every demo role in both languages
// at 375 px (one browser, one tab per role).
func TestE2EPhoneWalk(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	base := e2eStartServer(t)
	browser := e2eStartBrowser(t, chrome)
	shots := os.Getenv("JIKE_SHOTS")
	shotUser, shotMatch := os.Getenv("JIKE_SHOTS_USER"), regexp.MustCompile(os.Getenv("JIKE_SHOTS_MATCH"))
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
		t.Run(user, func(t *testing.T) {
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			t.Cleanup(cancelTab)
			if err := chromedp.Do(tab); err != nil {
				t.Fatalf("open a tab: %v", err)
			}
			ctx, cancel := context.WithTimeout(tab, 15*time.Minute) // a bound: see e2eStepTimeout
			t.Cleanup(cancel)
			b := &e2eTab{t: t, base: base, tab: tab, ctx: ctx}
			b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(1)))
			b.login(user, org.DemoPassword)
			var bad []string
			for _, lang := range []string{"zh-CN", "en"} {
				e2eRun(b, "switch to "+lang, chromedp.Evaluate[int](fmt.Sprintf(`fetch('/lang', {method: 'POST',
					headers: {'Content-Type': 'application/x-www-form-urlencoded'},
					body: new URLSearchParams({_csrf: document.querySelector('meta[name=csrf-token]').content, lang: %q, next: '/'})}).then(r => r.status)`, lang),
					chromedp.EvalAwaitPromise))
				b.navigate("/")
				if got := b.attr("html", "lang"); got != lang {
					b.fail("after switching to %s the page is in %q", lang, got)
				}
				pages := b.navLinks2()
				seen := map[string]bool{}
				found := map[int]string{}
				walked := 0
				visit := func(path string) {
					if seen[path] {
						return
					}
					seen[path] = true
					resp := b.navigate(path)
					if resp.Status == http.StatusForbidden || resp.Status == http.StatusNotFound {
						return
					}
					if resp.Status != http.StatusOK {
						bad = append(bad, fmt.Sprintf("%s %s: status %d", lang, path, resp.Status))
						return
					}
					walked++
					r := e2eRun(b, "measure "+path, chromedp.Evaluate[phoneWalkResult](phoneWalkMeasure))
					if r.SW > r.CW+1 {
						bad = append(bad, fmt.Sprintf("%s %s is %d px wide (viewport %d):\n\t\t%s", lang, path, r.SW, r.CW, strings.Join(r.Off, "\n\t\t")))
					}
					if len(r.Scrollers) > 0 {
						bad = append(bad, fmt.Sprintf("%s %s hides content in boxes that scroll sideways:\n\t\t%s", lang, path, strings.Join(r.Scrollers, "\n\t\t")))
					}
					if shots != "" && (shotUser == "" || shotUser == user) && shotMatch.MatchString(path) {
						b.shoot(filepath.Join(shots, fmt.Sprintf("phone-%s-%s-%s.png", user, lang, phoneWalkFile(path))))
					}
					hrefs := e2eRun(b, "read links", chromedp.Evaluate[[]string](
						`Array.from(document.querySelectorAll('main a[href^="/"]')).map(a => a.getAttribute('href').split('?')[0])`))
					for _, h := range hrefs {
						for i, re := range phoneWalkDetail {
							if _, ok := found[i]; !ok && re.MatchString(h) {
								found[i] = h
							}
						}
					}
				}
				for _, p := range pages {
					visit(p)
				}
				for _, p := range phoneWalkForms {
					visit(p)
				}
				// Detail pages found on lists can lead to more (a review from
				// the reviews list): two rounds.
				for round := 0; round < 2; round++ {
					for i := range phoneWalkDetail {
						if p, ok := found[i]; ok {
							visit(p)
							for prefix, subs := range phoneWalkSub {
								if strings.HasPrefix(p, prefix) {
									for _, s := range subs {
										visit(p + s)
									}
								}
							}
						}
					}
				}
				for _, want := range []int{0, 1, 2, 3, 4, 5} { // customer … catalogue item: every role reads them
					if _, ok := found[want]; !ok {
						bad = append(bad, fmt.Sprintf("%s: no link matching %s was found to walk", lang, phoneWalkDetail[want]))
					}
				}
				t.Logf("%s %s: %d pages walked", user, lang, walked)
			}
			if len(bad) > 0 {
				t.Errorf("%s at 375 px:\n\t%s", user, strings.Join(bad, "\n\t"))
			}
		})
	}
}

// navLinks2 returns the hrefs of the navigation.
func (b *e2eTab) navLinks2() []string {
	b.t.Helper()
	return e2eRun(b, "read the nav hrefs", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#nav a')).map(a => a.getAttribute('href'))`))
}

// shoot saves a full-page screenshot at the phone's width and one at
// 1280 px (the file name with -1280), then returns to the phone.
func (b *e2eTab) shoot(file string) {
	b.t.Helper()
	buf := e2eRun(b, "screenshot", chromedp.FullScreenshot(80))
	if err := os.WriteFile(strings.TrimSuffix(file, ".png")+".jpg", buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.do("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload())
	buf = e2eRun(b, "screenshot at 1280", chromedp.FullScreenshot(80))
	b.do("phone again", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(1)))
	if err := os.WriteFile(strings.TrimSuffix(file, ".png")+"-1280.jpg", buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func phoneWalkFile(path string) string {
	return strings.Trim(strings.NewReplacer("/", "_").Replace(path), "_")
}
