package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
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

// NewPager reads ?page= and ?size= (clamped to 1..100) from the request.
func NewPager(c *fiber.Ctx) *Pager {
	p := &Pager{Page: 1, Size: DefaultPageSize, path: c.Path()}
	if n, err := strconv.Atoi(c.Query("page")); err == nil && n > 0 {
		p.Page = n
	}
	if n, err := strconv.Atoi(c.Query("size")); err == nil && n > 0 {
		p.Size = min(n, 100)
	}
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	p.query = q
	return p
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

// Offset is the number of rows to skip.
func (p *Pager) Offset() int { return (p.Page - 1) * p.Size }

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
