package pool

import (
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/web"
)

// listView is the pool list.
type listView struct {
	web.Page
	Rule       Rule
	Rows       []Row
	Pager      *web.Pager
	Filter     Filter
	Claims     int64
	Industries []string
	Grades     []string
	Assignees  []org.User
	CanClaim   bool
	Error      string
}

// AtLimit reports whether the reader used up this month's claims.
func (v *listView) AtLimit() bool { return v.Claims >= int64(v.Rule.ClaimLimit) }

// settingsView is the branch's rule form.
type settingsView struct {
	web.Page
	Rule     Rule
	Form     RuleInput
	BranchID uint
	Errors   map[string]string
	// Branches, for the admin, who belongs to none: the choice.
	Branches []org.Branch
}
