package authz

import "fmt"

// Key names what the scope's WHERE clause depends on (Apply): two scopes
// with the same key select the same records, so a cache of scoped
// aggregates can share an entry between them (every director of a branch,
// every admin). "" for a zero scope.
func (l ListScope) Key() string {
	if !l.set {
		return ""
	}
	s := l.subject
	switch l.level {
	case ScopeAll:
		return "all"
	case ScopeBranch:
		return fmt.Sprintf("branch:%d", s.BranchID)
	case ScopeTeam:
		return fmt.Sprintf("team:%d:%d", s.ID, s.TeamID)
	case ScopeOwn:
		return fmt.Sprintf("own:%d", s.ID)
	}
	return "none"
}
