package main

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// TestLinksKeepTheirQuery: a list's export links carry the list's filter,
// and the calendar's previous, today and next links its mode and scope,
// as a query (key=value&amp;key=value). Given to html/template as a
// string after "?", a query was escaped as one value (status%3dopen), so
// the export ignored the filter and the calendar forgot the month; every
// page that builds such a link from a query is here.
func TestLinksKeepTheirQuery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		user, page string
		want       []string
	}{
		{"admin", "/contracts?status=active&q=a", []string{`href="/contracts/export.xlsx?q=a&amp;status=active"`, `href="/contracts/export.csv?q=a&amp;status=active"`}},
		{"admin", "/contracts/expiring?within=60", []string{`href="/contracts/export.csv?within=60"`}},
		{"admin", "/aftersale/requests?status=open&size=2&page=2", []string{`href="/aftersale/requests/export.xlsx?size=2&amp;status=open"`}},
		{"admin", "/retention?status=open", []string{`href="/retention/export.csv?sort=score&amp;status=open&amp;team=0"`}},
		{"admin", "/retention/at-risk", []string{`href="/retention/at-risk.csv?team=0"`}},
		{"admin", "/usage?tab=risers", []string{`/usage/export.csv?`, `tab=risers`}},
		{"wangjianguo", "/visits/calendar?mode=month&who=scope&date=2026-10-15", []string{
			`href="/visits/calendar?mode=month&amp;who=scope&amp;date=2026-09-01" rel="prev"`,
			`href="/visits/calendar?mode=month&amp;who=scope&amp;date=2026-11-01" rel="next"`}},
		{"liwei", "/visits/calendar?mode=week&date=2026-10-15", []string{`href="/visits/calendar?mode=week&amp;date=2026-10-05" rel="prev"`}},
		{"admin", "/customers?grade=A&size=5&page=2", []string{`href="/customers/export.csv?grade=A&amp;size=5"`}},
	}
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		for _, c := range cases {
			r := loggedIn(t, a, c.user).Get(c.page)
			if r.Status != 200 {
				t.Fatalf("%s %s: %d", c.user, c.page, r.Status)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Body, w) {
					t.Errorf("%s %s: no %s", c.user, c.page, w)
				}
			}
			if strings.Contains(r.Body, "%3d") || strings.Contains(r.Body, "%3D") {
				t.Errorf("%s %s: a query escaped as one value (%%3d) in the page", c.user, c.page)
			}
		}
	})
}
