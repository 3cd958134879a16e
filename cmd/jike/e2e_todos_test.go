package main

// The to-do journey in a browser: an account manager opens a customer,
// makes a to-do from the customer page's 新建待办 action (due today at a
// set time), comes back to the customer, finds it on the home agenda and
// ticks it off there; then the list and the form on a 375 px phone.
//
//	go test ./cmd/jike/ -run TestE2ETodo -count=1 -v

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/todos"
)

func TestE2ETodoJourney(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("e2e: skipped in -short mode (these tests start the server and a headless Chromium)")
	}
	chrome := e2eFindChromium(t)
	// 09:00 UTC: the to-do is due at 23:00 the same day, so it is open,
	// not overdue, on today's agenda.
	now := time.Now().UTC()
	clk := &fakeClock{t: time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, time.UTC)}
	a, base := e2eAftersaleServer(t, clk)
	browser := e2eStartBrowser(t, chrome)
	cu := afterCustomer(t, a, "liwei", "E2E待办银行", "91230103MA6000001", "B")
	cust := "/customers/" + itoa(cu.ID)
	today := clk.Now().Format("2006-01-02")
	steps := []struct {
		name string
		run  func(b *e2eTab)
	}{
		{"CreateFromCustomer", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate(cust)
			b.submit("open the to-do form", `a[href^="/todos/new?link=customer:`+itoa(cu.ID)+`"]`)
			b.expectPath("/todos/new")
			if s := b.text("#todo-form"); !strings.Contains(s, "E2E待办银行") {
				b.fail("the form does not name the linked customer: %q", s)
			}
			b.do("fill the to-do",
				chromedp.SendKeys(chromedp.CSS("#title"), "给客户寄送续约资料"),
				chromedp.SetValue(chromedp.CSS("#date"), today),
				chromedp.SetValue(chromedp.CSS("#time"), "23:00"),
			)
			if r := b.submit("save it", `#todo-save`); r.Status != http.StatusOK {
				b.fail("save: %d %q", r.Status, b.allText(".field-error, .alert-error"))
			}
			b.expectPath(cust)
		}},
		{"SeeOnAgenda", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate("/")
			if s := b.text("#agenda-todos"); !strings.Contains(s, "给客户寄送续约资料") || !strings.Contains(s, "E2E待办银行") || !strings.Contains(s, today+" 23:00") {
				b.fail("agenda: %q", s)
			}
		}},
		{"MarkDone", func(b *e2eTab) {
			b.login("liwei", org.DemoPassword)
			b.navigate("/")
			if r := b.submit("tick it off", `#agenda-todos li button[type=submit]`); r.Status != http.StatusOK {
				b.fail("done: %d", r.Status)
			}
			if s := b.text("main"); strings.Contains(s, "给客户寄送续约资料") || !strings.Contains(s, "待办已完成") {
				b.fail("after done: %q", s)
			}
			var td todos.Todo
			if err := a.DB.Gorm.Where("title = ?", "给客户寄送续约资料").First(&td).Error; err != nil || td.DoneAt == nil {
				b.fail("stored: %+v %v", td, err)
			}
		}},
		{"PhoneList", func(b *e2eTab) {
			b.do("emulate a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
			b.login("liwei", org.DemoPassword)
			for _, p := range []string{"/todos?status=all", "/todos/new", "/"} {
				b.navigate(p)
				b.expectNoHorizontalScroll(p)
			}
			b.navigate("/todos?status=done")
			if s := b.text("#todo-rows"); !strings.Contains(s, "给客户寄送续约资料") {
				b.fail("the done list: %q", s)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.run(newE2ETab(t, browser, base)) }) {
			t.Fatalf("e2e: %s failed; the later steps need it", s.name)
		}
	}
}
