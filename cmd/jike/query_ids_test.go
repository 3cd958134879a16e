package main

import (
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
)

// TestFilterIDsOutOfRange: a list filtered on an id that is negative,
// beyond the largest BIGINT or not a number shows the list (the filter
// ignored), never a server error: ?owner=-1 once reached PostgreSQL as
// 18446744073709551615 and failed the page. Every list with an id in its
// query string, as a chief rep and as the admin, on both databases.
func TestFilterIDsOutOfRange(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		paths := []string{
			"/visits?who=scope&owner=%s&team=%s&customer=%s", "/visits?who=scope&day=2026-11-30&branch=%s", "/customers?owner=%s&team=%s&group=%s", "/opportunities?owner=%s&team=%s&customer=%s",
			"/pipeline?owner=%s&team=%s", "/proposals?owner=%s", "/contracts?owner=%s&team=%s", "/aftersale?owner=%s&team=%s",
			"/care?owner=%s&team=%s", "/needs?owner=%s", "/retention?team=%s", "/users?team=%s", "/audit?entity_id=%s",
		}
		for _, user := range []string{"zhaomin", "admin"} {
			cl := loggedIn(t, a, user)
			for _, bad := range []string{"-1", "18446744073709551615", "9223372036854775808", "abc", "1e3"} {
				for _, p := range paths {
					path := strings.ReplaceAll(p, "%s", bad)
					if st := cl.Get(path).Status; st >= 500 {
						t.Errorf("%s GET %s: %d", user, path, st)
					}
				}
			}
		}
	})
}
