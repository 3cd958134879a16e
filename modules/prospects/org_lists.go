package prospects

import (
	"context"
	"fmt"
	"slices"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// orgLists keeps the people and teams the customer and opportunity pages
// offer in their filters and forms (who may own a customer, a branch's
// teams) under the org data version: a director's every list page read
// the branch's teams twice and its ~50 people once, three statements for
// lists that change when someone joins, leaves or moves (migration 00031
// bumps org on a user's name, role, team, branch or disabled flag and on
// any team or branch write). Only those fields are read from these
// users: who they are, their role and place, not their sign-in details.
type orgLists struct {
	assignable *db.VersionCache[[]org.User]
	teams      *db.VersionCache[[]org.Team]
}

// orgListsSize bounds each list cache: a province's ~700 people.
const orgListsSize = 2000

func newOrgLists() orgLists {
	return orgLists{
		assignable: db.NewVersionCache[[]org.User](db.VersionOrg, orgListsSize),
		teams:      db.NewVersionCache[[]org.Team](db.VersionOrg, orgListsSize),
	}
}

// Teams lists a branch's teams (every branch's for 0), the active ones
// only when activeOnly; kept under the org version. The caller's own copy.
func (s *Service) Teams(ctx context.Context, branchID uint, activeOnly bool) ([]org.Team, error) {
	out, err := s.lists.teams.Get(ctx, s.store.DB(), fmt.Sprintf("%d|%t", branchID, activeOnly), func(ctx context.Context) ([]org.Team, error) {
		return s.org.Teams(ctx, branchID, activeOnly)
	})
	return slices.Clone(out), err
}

// Assignable lists the people actor may make owner of a new customer:
// themselves, their team's or their branch's sellers (policy customer
// be_owner), by the reach of their customer create policy; kept under
// the org version. The caller's own copy.
func (s *Service) Assignable(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	level := s.enf.Level(actor, "customer", "create")
	key := fmt.Sprintf("%s|%d|%d|%d", level, actor.ID, actor.TeamID, actor.BranchID)
	out, err := s.lists.assignable.Get(ctx, s.store.DB(), key, func(ctx context.Context) ([]org.User, error) {
		return s.assignable(ctx, actor, level)
	})
	return slices.Clone(out), err
}
