package org

import (
	"context"

	"github.com/jike-crm/jike/modules/platform/audit"
)

// The reads below are what the org pages and other modules ask of the
// organisation. Handlers call these, never the store: the routes already
// require user:manage (admin pages) or a signed-in user (own team).

// UserByID loads one user; apperr.ErrNotFound if none.
func (s *Service) UserByID(ctx context.Context, id uint) (*User, error) {
	return s.store.UserByID(ctx, id)
}

// UserByUsername loads one user by username; apperr.ErrNotFound if none.
func (s *Service) UserByUsername(ctx context.Context, username string) (*User, error) {
	return s.store.UserByUsername(ctx, username)
}

// ListUsers returns a page of users and the total.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error) {
	return s.store.ListUsers(ctx, f)
}

// UsersByTeam lists the users of the teams.
func (s *Service) UsersByTeam(ctx context.Context, teamIDs ...uint) ([]User, error) {
	return s.store.UsersByTeam(ctx, teamIDs...)
}

// UsersByIDs loads users by id in one query.
func (s *Service) UsersByIDs(ctx context.Context, ids []uint) (map[uint]User, error) {
	return s.store.UsersByIDs(ctx, ids)
}

// UserNames maps user ids to names in one query (unknown ids are absent).
func (s *Service) UserNames(ctx context.Context, ids []uint) (map[uint]string, error) {
	users, err := s.store.UsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[uint]string, len(users))
	for id, u := range users {
		names[id] = u.Name
	}
	return names, nil
}

// ChiefReps lists the chief representatives of a branch (0: every branch).
func (s *Service) ChiefReps(ctx context.Context, branchID uint) ([]User, error) {
	return s.store.ChiefReps(ctx, branchID)
}

// CountUsers counts users per role.
func (s *Service) CountUsers(ctx context.Context) (map[string]int64, error) {
	return s.store.CountUsers(ctx)
}

// TeamByID loads one team; apperr.ErrNotFound if none.
func (s *Service) TeamByID(ctx context.Context, id uint) (*Team, error) {
	return s.store.TeamByID(ctx, id)
}

// Teams lists a branch's teams (0: every branch).
func (s *Service) Teams(ctx context.Context, branchID uint, activeOnly bool) ([]Team, error) {
	return s.store.Teams(ctx, branchID, activeOnly)
}

// MemberCounts counts the active members per team.
func (s *Service) MemberCounts(ctx context.Context) (map[uint]int64, error) {
	return s.store.MemberCounts(ctx)
}

// Branches lists every branch by code.
func (s *Service) Branches(ctx context.Context) ([]Branch, error) { return s.store.Branches(ctx) }

// BranchByID loads one branch; apperr.ErrNotFound if none.
func (s *Service) BranchByID(ctx context.Context, id uint) (*Branch, error) {
	return s.store.BranchByID(ctx, id)
}

// AuditEntries reads the audit trail (the admin's log and a user's history).
func (s *Service) AuditEntries(ctx context.Context, q audit.Query) ([]audit.Entry, int64, error) {
	return audit.List(ctx, s.store.DB(), q)
}
