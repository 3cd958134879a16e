package org

import (
	"context"
	"slices"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// Directory is what the filter choices read: *Store implements it, and
// modules pass their own narrow view of it.
type Directory interface {
	Teams(ctx context.Context, branchID uint, activeOnly bool) ([]Team, error)
	ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error)
}

// FilterTeams lists the teams a list's team filter offers actor: the
// branch's for a director, every team for the admin, none otherwise (a
// chief rep's and an account manager's lists span one team at most).
func FilterTeams(ctx context.Context, d Directory, actor authz.Subject) ([]Team, error) {
	switch actor.Role {
	case authz.RoleDirector:
		return d.Teams(ctx, actor.BranchID, false)
	case authz.RoleAdmin:
		return d.Teams(ctx, 0, false)
	}
	return nil, nil
}

// FilterOwners lists the people a list's owner filter offers actor: the
// active account managers and chief reps of the team (chief rep), of the
// branch (director) or of every branch (admin); none for an account
// manager, whose lists are his own.
func FilterOwners(ctx context.Context, d Directory, actor authz.Subject) ([]User, error) {
	f := UserFilter{Status: "active", Sort: "name", Limit: 500}
	switch actor.Role {
	case authz.RoleAccountManager:
		return nil, nil
	case authz.RoleChiefRep:
		if actor.TeamID == 0 {
			return nil, nil
		}
		f.TeamID = actor.TeamID
	case authz.RoleDirector:
		f.BranchID = actor.BranchID
	}
	us, _, err := d.ListUsers(ctx, f)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(us, func(u User) bool {
		return u.Role != authz.RoleAccountManager && u.Role != authz.RoleChiefRep
	}), nil
}
