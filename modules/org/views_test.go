package org

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// exampleHistory is a history view with one row of every part.
func exampleHistory() *audit.View {
	val := audit.Value{Text: "值", Link: "/x", Short: "值…", Muted: true}
	return &audit.View{Targets: true, Rows: []audit.Row{{At: "2026-01-02 10:00", Actor: val, Target: val, Entity: "用户", Action: "修改",
		Changes: []audit.FieldView{{Label: "名称", From: val, To: val}}}}}
}

// orgViews maps every template under templates/org to example views:
// populated, one example per branch of an {{if}}/{{else}}.
func orgViews(b *i18n.Bundle) map[string][]web.Example {
	at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	one, two := uint(1), uint(2)
	errs := map[string]string{"_form": "错误", "code": "必填", "name": "必填", "branch_id": "必选", "leader_id": "必选",
		"username": "已占用", "role": "必选", "team_id": "必选", "password": "太短", "current": "不对", "confirm": "不一致"}
	lookups := func() *orgLookups {
		return &orgLookups{Teams: []Team{{ID: 1, BranchID: 1, Name: "一组", Active: true}, {ID: 2, BranchID: 1, Name: "二组"}},
			Branches: []Branch{{ID: 1, Code: "HRB", Name: "哈尔滨分公司"}},
			TeamName: map[uint]string{1: "哈尔滨分公司 · 一组", 2: "哈尔滨分公司 · 二组"}, BranchName: map[uint]string{1: "哈尔滨分公司"}}
	}
	user := func(disabled bool) *User {
		return &User{ID: 3, Username: "liwei", Name: "李伟", Email: "l@example.cn", Phone: "13800000000", Role: "account_manager",
			BranchID: &one, TeamID: &one, Lang: i18n.ZH, Disabled: disabled, LastLoginAt: &at, Version: 2}
	}
	userForm := func(id uint, disabled bool) web.Example {
		return func() any {
			v := &userFormView{Page: web.ExamplePage(b), ID: id, Errors: errs, Lookups: lookups(), Roles: []string{"account_manager", "director"},
				Form: UserInput{Username: "liwei", Name: "李伟", Role: "director", TeamID: 1, BranchID: 1, Lang: "en", Version: 2}}
			if id != 0 {
				v.User, v.History = user(disabled), exampleHistory()
				v.Throttle = ThrottleStatus{Failures: 3, Waiting: []LoginThrottle{{IPRange: "10.0.0.0/24", BlockedUntil: &at}}}
			}
			return v
		}
	}
	panel := func(own any) web.Example {
		return func() any { return web.ExamplePanel(b, map[string]any{"V": own}) }
	}
	return map[string][]web.Example{
		"org/audit": {func() any {
			return &auditView{Page: web.ExamplePage(b), Entries: []audit.Entry{{Entity: "user", EntityID: 3, Action: "update",
				Changes: `{"name":{"from":"a","to":"b"}}`}}, History: exampleHistory(), Pager: &web.Pager{Page: 1, Size: 20, Total: 1},
				Query: audit.Query{Entity: "user", EntityID: 3}, Raw: true, Entities: []string{"user", "team"}}
		}, func() any {
			return &auditView{Page: web.ExamplePage(b), Entries: []audit.Entry{{Entity: "user", EntityID: 3, Action: "update"}},
				History: exampleHistory(), Pager: &web.Pager{Page: 1, Size: 20, Total: 1}, Entities: []string{"user"}}
		}, func() any {
			return &auditView{Page: web.ExamplePage(b), History: &audit.View{}, Pager: &web.Pager{Page: 1, Size: 20}}
		}},
		"org/branch_form": {
			func() any {
				return &branchFormView{Page: web.ExamplePage(b), ID: 1, Form: BranchInput{Code: "HRB", Name: "哈尔滨分公司", Version: 2}, Errors: errs}
			},
			func() any { return &branchFormView{Page: web.ExamplePage(b)} },
		},
		"org/branches": {
			func() any { return &branchesView{Page: web.ExamplePage(b), Branches: lookups().Branches} },
			func() any { return &branchesView{Page: web.ExamplePage(b)} },
		},
		"org/login": {func() any {
			return &loginView{Page: web.ExamplePage(b), Next: "/customers", Username: "liwei", Error: "用户名或密码不对"}
		}},
		"org/panel_admin": {panel(adminPanel{Users: 12, Teams: 3, Branches: 2})},
		"org/panel_me": {
			panel(mePanel{RoleKey: "role.director", Team: &Team{ID: 1, Name: "一组"}, Branch: &Branch{ID: 1, Name: "哈尔滨分公司"}}),
			panel(mePanel{RoleKey: "role.admin"}),
		},
		"org/panel_team": {
			panel(teamPanel{Teams: []teamView{{Team: Team{ID: 1, Name: "一组"}, Members: []User{*user(false)}}, {Team: Team{ID: 2, Name: "二组"}}}}),
			panel(teamPanel{}),
		},
		"org/password": {func() any { return &passwordView{Page: web.ExamplePage(b), Errors: errs} }},
		"org/team_form": {
			func() any {
				return &teamFormView{Page: web.ExamplePage(b), ID: 1, Form: TeamInput{Name: "一组", BranchID: 1, LeaderID: 2, Version: 2},
					Errors: errs, Lookups: lookups(), ChiefReps: []User{{ID: 2, Name: "赵敏", Username: "zhaomin", BranchID: &one}}, Team: &Team{ID: 1, Name: "一组"}}
			},
			func() any { return &teamFormView{Page: web.ExamplePage(b), Lookups: lookups()} },
		},
		"org/teams": {
			func() any {
				return &teamsView{Page: web.ExamplePage(b), Rows: []teamRow{
					{Team: Team{ID: 1, Name: "一组", Active: true, LeaderID: &two}, Branch: "哈尔滨分公司", Leader: "赵敏", Members: 4},
					{Team: Team{ID: 2, Name: "二组"}, Branch: "哈尔滨分公司"}}}
			},
			func() any { return &teamsView{Page: web.ExamplePage(b)} },
		},
		"org/user_form": {userForm(3, false), userForm(3, true), userForm(0, false)},
		"org/users": {
			func() any {
				u, d := user(false), user(true)
				d.TeamID = nil
				return &usersView{Page: web.ExamplePage(b), Users: []User{*u, *d}, Pager: &web.Pager{Page: 1, Size: 20, Total: 2},
					Filter: UserFilter{Q: "li", Role: "director", Status: userStatusActive}, Lookups: lookups(), Roles: []string{"director"}}
			},
			func() any {
				return &usersView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20}, Filter: UserFilter{Status: userStatusDisabled}, Lookups: lookups()}
			},
		},
	}
}

// TestEveryOrgTemplateRendersWithItsView renders every template under
// templates/org with its example views, strictly (see web.CheckViews).
func TestEveryOrgTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "org", orgViews(b)) {
		t.Error(err)
	}
}
