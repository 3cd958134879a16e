package web

import (
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// Pager is one page of a list: which page, how big, and how many rows in
// all. Every list in the portal is paginated through it.
type Pager struct {
	Page  int
	Size  int
	Total int64
	// Cap, when set, is the most a count goes to: Total above it means
	// "more than Cap", shown as "10,000+".
	Cap   int64
	query url.Values
	path  string
}

// DefaultPageSize is the page size when the request names none.
const DefaultPageSize = 25

// MaxPageSize is the largest page a request may ask for.
const MaxPageSize = 100

// MaxPage is the last page any list serves. With MaxPageSize it keeps
// every OFFSET under a million rows, so ?page=99999999999999999999 can
// neither overflow the offset nor make the database skip absurd numbers
// of rows. Nobody pages 10,000 pages deep: they filter.
const MaxPage = 10_000

// NewPager reads ?page= (clamped to 1..MaxPage) and ?size= (clamped to
// 1..MaxPageSize) from the request. A page that is not a positive whole
// number (1e9, -1, text) is page 1; one too large to parse is the last.
//
// The request remembers its pager: a list page whose page is past its
// last (Beyond, once the handler set Total) is not rendered but
// redirected to its last page (pastTheEnd).
func NewPager(c *fiber.Ctx) *Pager {
	p := &Pager{Page: 1, Size: DefaultPageSize, path: c.Path()}
	p.Page = clampInt(c.Query("page"), 1, 1, MaxPage)
	p.Size = clampInt(c.Query("size"), DefaultPageSize, 1, MaxPageSize)
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	p.query = q
	c.Locals(localPager, p)
	return p
}

// Beyond reports whether the page is past the list's last page: an old
// link or bookmark, or the last row of the last page deleted. Not when
// the count stopped at Cap (the rows go on past it).
func (p *Pager) Beyond() bool { return !p.More() && p.Page > p.Pages() }

// pastTheEnd answers a full list page (GET, 200) whose pager is Beyond
// with a redirect to its last page, filters kept: rendered, it said
// "没有合同。" above "第 999 页，共 2 页" while the list had rows.
// done is false when the page is to be rendered.
func pastTheEnd(c *fiber.Ctx, status int) (done bool, err error) {
	p, _ := c.Locals(localPager).(*Pager)
	if p == nil || status != fiber.StatusOK || c.Method() != fiber.MethodGet || !p.Beyond() {
		return false, nil
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return true, c.Redirect(p.URL(p.Pages()), fiber.StatusSeeOther)
}

// More reports whether the count stopped at Cap.
func (p *Pager) More() bool { return p.Cap > 0 && p.Total > p.Cap }

// ShownTotal is the total to display (the cap when counting stopped).
func (p *Pager) ShownTotal() int64 {
	if p.More() {
		return p.Cap
	}
	return p.Total
}

// clampInt parses v as a whole number in [lo, hi]: def when it is empty,
// not a number or below lo; hi when it is above hi, however large.
func clampInt(v string, def, lo, hi int) int {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && n > 0:
		return hi
	case err != nil || n < int64(lo):
		return def
	case n > int64(hi):
		return hi
	}
	return int(n)
}

// Offset is the number of rows to skip. Page and Size are clamped again
// here, so a Pager built by hand cannot produce a negative or overflowing
// offset either.
func (p *Pager) Offset() int {
	page := min(max(p.Page, 1), MaxPage)
	size := min(max(p.Size, 1), MaxPageSize)
	return (page - 1) * size
}

// Pages is the number of pages (at least 1).
func (p *Pager) Pages() int {
	total := p.ShownTotal()
	if total <= 0 {
		return 1
	}
	return int((total + int64(p.Size) - 1) / int64(p.Size))
}

// HasPrev reports whether there is a previous page.
func (p *Pager) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether there is a next page.
func (p *Pager) HasNext() bool { return p.Page < p.Pages() }

// URL returns the current URL with page set to n, keeping the filters.
func (p *Pager) URL(n int) string {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return p.path + "?" + q.Encode()
}

// PrevURL links to the previous page.
func (p *Pager) PrevURL() string { return p.URL(p.Page - 1) }

// NextURL links to the next page.
func (p *Pager) NextURL() string { return p.URL(p.Page + 1) }

// ListQuery is the request's query without its page, for a list's export
// links ("export.csv?" + it). It is a template.URL so that html/template
// writes it as the query it is: given as a string after a "?" it was
// escaped as one value (status%3dopen%26q%3da), and every export link
// built that way lost the list's filter. url.Values.Encode writes it, so
// it is a well-formed query whatever the request held.
func ListQuery(c *fiber.Ctx) template.URL {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Del("page")
	return template.URL(q.Encode()) //nolint:gosec // url.Values.Encode output
}

// SortURL returns the URL sorted by key, toggling direction when key is
// already the sort, and going back to page 1.
func (p *Pager) SortURL(key string) string {
	q := url.Values{}
	for k, v := range p.query {
		q[k] = v
	}
	dir := "asc"
	if q.Get("sort") == key && q.Get("dir") != "desc" {
		dir = "desc"
	}
	q.Set("sort", key)
	q.Set("dir", dir)
	q.Del("page")
	return p.path + "?" + q.Encode()
}

// HTML is the list's page navigation (previous, "page 2 of 7, 160 rows",
// next) in l's language, written here rather than by a template: every
// list page showed it through a partial and a dict, ~15 reflective
// actions (issue 19). Nothing for a nil pager.
func (p *Pager) HTML(l i18n.Localizer) template.HTML {
	if p == nil {
		return "\n"
	}
	esc := template.HTMLEscapeString
	var b Markup
	prev, next := esc(l.T("pager.prev")), esc(l.T("pager.next"))
	b.W("\n\n<nav class=\"pagination\" aria-label=\"", esc(l.T("pager.label")), "\">\n  ")
	if p.HasPrev() {
		b.W(`<a href="`, esc(p.PrevURL()), `" rel="prev">‹ `, prev, "</a>")
	} else {
		b.W(`<span class="disabled">‹ `, prev, "</span>")
	}
	b.W("\n  <span>")
	if p.More() {
		b.W(esc(l.T("pager.info_more", "Page", p.Page, "Total", p.ShownTotal())))
	} else {
		b.W(esc(l.T("pager.info", "Page", p.Page, "Pages", p.Pages(), "Total", p.Total)))
	}
	b.W("</span>\n  ")
	if p.HasNext() {
		b.W(`<a href="`, esc(p.NextURL()), `" rel="next">`, next, " ›</a>")
	} else {
		b.W(`<span class="disabled">`, next, " ›</span>")
	}
	b.W("\n</nav>\n\n")
	return b.HTML()
}
