package prospects

import (
	"fmt"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// customerCountKey is the cache key of the capped count of the customers
// f selects within scope, or "" when it is not to be kept (a cursor
// page). The count reads the customers table alone (the scope's
// columns, the filters', the group subtree's parent links), and every
// write to a customer bumps the customers data version in its
// transaction (migration 00031), so a count kept under that version is
// exact: a text search of a director's branch or the province counts
// thousands of matches once, and the pager's every page, the next look
// and everyone with the same scope reuse it until a customer changes.
func customerCountKey(scope authz.ListScope, f CustomerFilter) string {
	if scope.IsZero() || len(f.After) > 0 {
		return ""
	}
	return fmt.Sprintf("%s|q=%q|grade=%q|industry=%q|status=%q|owner=%d|team=%d|region=%q|score=%d|deleted=%t|group=%d|tree=%t|notunder=%d",
		scope.Key(), f.Q, f.Grade, f.Industry, f.Status, f.OwnerID, f.TeamID, f.Region, f.MinScore, f.Deleted, f.Group, f.Tree, f.NotUnder)
}

// customerRowsKey is the cache key of the page f selects within scope:
// the count's key and the order and page ("" when the count's is). The
// rows are customers alone, so they are kept under the customers version
// like the count: the list opened again and again reads one page once
// per customer write.
func customerRowsKey(scope authz.ListScope, f CustomerFilter) string {
	k := customerCountKey(scope, f)
	if k == "" {
		return ""
	}
	return fmt.Sprintf("%s|sort=%s|desc=%t|limit=%d|offset=%d", k, f.Sort, f.Desc, f.Limit, f.Offset)
}
