package main

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// TestListPagesPastTheEnd: every paged list of the portal, asked for a
// page past its last (an old link, the last row of the last page deleted,
// a bookmark), answers with its last page — the filters kept — instead
// of its empty state above "第 9999 页，共 2 页"; the last page itself is
// shown. Per reader: the admin's lists and an account manager's (to-dos,
// the trash, the pool).
func TestListPagesPastTheEnd(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		lists := map[string][]string{
			"admin": {"/admin/audit", "/admin/users", "/aftersale/care", "/aftersale/requests", "/aftersale/events",
				"/aftersale/callbacks", "/catalog", "/contracts", "/contracts/expiring", "/customers", "/needs",
				"/opportunities", "/proposals", "/retention", "/retention/at-risk", "/usage", "/visits", "/notifications"},
			"liwei": {"/todos", "/customers/trash", "/pool", "/customers?grade=A", "/visits?status=done"},
		}
		for user, paths := range lists {
			c := loggedIn(t, a, user)
			for _, path := range paths {
				u, err := url.Parse(path)
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				q.Set("page", "9999")
				u.RawQuery = q.Encode()
				res := c.Get(u.String())
				if res.Status != http.StatusSeeOther {
					t.Errorf("%s %s: %d, want a redirect to the last page", user, u, res.Status)
					continue
				}
				last, err := url.Parse(res.Location())
				if err != nil {
					t.Fatal(err)
				}
				n, err := strconv.Atoi(last.Query().Get("page"))
				if last.Path != u.Path || err != nil || n < 1 || n >= 9999 {
					t.Errorf("%s %s: to %q", user, u, res.Location())
					continue
				}
				for k := range q {
					if k != "page" && last.Query().Get(k) != q.Get(k) {
						t.Errorf("%s %s: the redirect %q lost %s", user, u, res.Location(), k)
					}
				}
				if res := c.Get(res.Location()); res.Status != http.StatusOK {
					t.Errorf("%s %s: the last page %d", user, last, res.Status)
				}
			}
		}
	})
}
