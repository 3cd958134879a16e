package org

import (
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/web"
)

// loginView is the sign-in page (org/login), shown in the sign-in layout.
type loginView struct {
	web.Page
	Next, Username string
	// Error is the translated reason a sign-in was refused.
	Error string
}

// passwordView is the own-password page (org/password).
type passwordView struct {
	web.Page
	Errors map[string]string
}

// usersView is the admin's user list (org/users).
type usersView struct {
	web.Page
	Users   []User
	Pager   *web.Pager
	Filter  UserFilter
	Lookups *orgLookups
	Roles   []string
}

// ActiveOnly and DisabledOnly say which status the list is filtered to,
// for the status select (the template compares no literals).
func (f UserFilter) ActiveOnly() bool   { return f.Status == userStatusActive }
func (f UserFilter) DisabledOnly() bool { return f.Status == userStatusDisabled }

// The values of UserFilter.Status besides "" (everyone).
const (
	userStatusActive   = "active"
	userStatusDisabled = "disabled"
)

// userFormView is the new / edit user page (org/user_form). User, History
// and Throttle are set when an existing user is edited.
type userFormView struct {
	web.Page
	ID       uint
	Form     UserInput
	Errors   map[string]string
	Lookups  *orgLookups
	Roles    []string
	User     *User
	History  *audit.View
	Throttle ThrottleStatus
}

// teamsView is the admin's team list (org/teams).
type teamsView struct {
	web.Page
	Rows []teamRow
}

// teamRow is a team with its branch's and leader's names and its head count.
type teamRow struct {
	Team    Team
	Branch  string
	Leader  string
	Members int64
}

// teamFormView is the new / edit team page (org/team_form).
type teamFormView struct {
	web.Page
	ID        uint
	Form      TeamInput
	Errors    map[string]string
	Lookups   *orgLookups
	ChiefReps []User
	Team      *Team
}

// branchesView is the branch list (org/branches).
type branchesView struct {
	web.Page
	Branches []Branch
}

// branchFormView is the new / edit branch page (org/branch_form).
type branchFormView struct {
	web.Page
	ID     uint
	Form   BranchInput
	Errors map[string]string
}

// auditView is the admin's audit trail (org/audit): in words, or with
// Raw the columns and values as stored.
type auditView struct {
	web.Page
	Entries  []audit.Entry
	History  *audit.View
	Pager    *web.Pager
	Query    audit.Query
	Raw      bool
	Entities []string
}

// Home panels get the page's data as a map (web.HomePanel); their own
// data is one typed value under "V".

// mePanel is the home page's "me" card (org/panel_me).
type mePanel struct {
	RoleKey string
	Team    *Team
	Branch  *Branch
}

// teamPanel lists the reader's team(s) with their members (org/panel_team).
type teamPanel struct {
	Teams []teamView
}

// adminPanel is the admin's head counts (org/panel_admin).
type adminPanel struct {
	Users    int64
	Teams    int
	Branches int
}
