package org

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// DescribeHistory tells the history how users, teams and branches read,
// and names them: every signed-in user sees colleagues' names; only those
// who manage users, teams or branches get a link to the admin page.
func DescribeHistory(h *audit.History, svc *Service, enf *authz.Enforcer) error {
	entities := []audit.Entity{
		{Name: "user", Label: "audit.entity.user", Model: &User{},
			Actions: []string{audit.ActionDisable, audit.ActionEnable, audit.ActionLock, audit.ActionReset, audit.ActionLogin},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Text("username", "users.username"),
				audit.Text("name", "users.name"),
				audit.Enum("role", "users.role", "role.", authz.Roles...),
				audit.Ref("branch_id", "users.branch", "branch"),
				audit.Ref("team_id", "users.team", "team"),
				audit.Text("email", "users.email"),
				audit.Text("phone", "users.phone"),
				audit.Enum("lang", "users.lang", "history.lang.", i18n.Langs...),
				audit.Secret("password_hash", "history.f.password"),
				audit.Bool("disabled", "history.f.disabled"),
				audit.DateTime("locked_until", "history.f.locked_until"),
			}},
		{Name: "team", Label: "audit.entity.team", Model: &Team{},
			Actions: []string{audit.ActionDisable, audit.ActionEnable},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Text("name", "teams.name"),
				audit.Ref("branch_id", "teams.branch", "branch"),
				audit.Ref("leader_id", "teams.leader", "user"),
				audit.Bool("active", "history.f.active"),
			}},
		{Name: "branch", Label: "audit.entity.branch", Model: &Branch{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Text("code", "branches.code"),
				audit.Text("name", "branches.name"),
			}},
	}
	for _, e := range entities {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	link := func(r audit.Reader, obj, format string, id uint) string {
		if enf.CanRoute(r.Subject, obj, "manage") {
			return fmt.Sprintf(format, id)
		}
		return ""
	}
	h.Resolve("user", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		users, err := svc.store.UsersByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(users))
		for id, u := range users {
			out[id] = audit.Name{Text: u.Name, Link: link(r, "user", "/admin/users/%d/edit", id)}
		}
		return out, nil
	})
	// There are a few dozen teams and branches: one query for all of them
	// is cheaper than building an id list.
	h.Resolve("team", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		teams, err := svc.store.Teams(ctx, 0, false)
		if err != nil {
			return nil, err
		}
		out := map[uint]audit.Name{}
		for _, t := range teams {
			out[t.ID] = audit.Name{Text: t.Name, Link: link(r, "team", "/admin/teams/%d/edit", t.ID)}
		}
		return out, nil
	})
	h.Resolve("branch", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		branches, err := svc.store.Branches(ctx)
		if err != nil {
			return nil, err
		}
		out := map[uint]audit.Name{}
		for _, b := range branches {
			out[b.ID] = audit.Name{Text: b.Name, Link: link(r, "branch", "/admin/branches/%d/edit", b.ID)}
		}
		return out, nil
	})
	return nil
}
