// Package authz answers "may this user do this?" from the casbin model and
// policy in policies/. It offers two questions, which must always agree:
// Can, for one record, and Scope, a query filter for lists, searches,
// reports and exports, so that a list never shows what a detail page would
// refuse. It knows nothing of the domain modules: records describe
// themselves with a Ref (owner, chief rep, team, branch).
package authz

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jike-crm/jike/policies"
	"gorm.io/gorm"
)

// Roles, as stored in users.role.
const (
	RoleAccountManager = "account_manager"
	RoleChiefRep       = "chief_rep"
	RoleDirector       = "director"
	RoleAdmin          = "admin"
)

// Roles lists every role, most junior first.
var Roles = []string{RoleAccountManager, RoleChiefRep, RoleDirector, RoleAdmin}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Scope levels, narrowest first. A policy line grants an action at one.
const (
	ScopeNone   = ""
	ScopeOwn    = "own"
	ScopeTeam   = "team"
	ScopeBranch = "branch"
	ScopeAll    = "all"
)

// Relations of a subject to a record, narrowest first.
const (
	RelOwn    = "own"
	RelChief  = "chief"
	RelTeam   = "team"
	RelBranch = "branch"
	RelOther  = "other"
	// RelRoute is used by the route check: "has the role this action at
	// any scope?" The record check in the service then narrows it down.
	RelRoute = "route"
)

// Subject is the signed-in user as the permission checks see it. It is
// loaded fresh from the database on every request, so a role change or a
// disabled account takes effect at once.
type Subject struct {
	ID       uint
	Username string
	Name     string
	Role     string
	TeamID   uint
	BranchID uint
	Lang     string
}

// Ref locates a record in the organisation: who owns it, who is its chief
// rep, and which team and branch it belongs to. Zero means "none".
type Ref struct {
	OwnerID    uint
	ChiefRepID uint
	TeamID     uint
	BranchID   uint
}

// Relations lists every relation that holds between s and the record at
// r (a record can be both the subject's own and in their team). Can allows
// when any of them is covered, which makes it agree with Scope exactly.
func Relations(s Subject, r Ref) []string {
	var rels []string
	if s.ID != 0 && r.OwnerID == s.ID {
		rels = append(rels, RelOwn)
	}
	if s.ID != 0 && r.ChiefRepID == s.ID {
		rels = append(rels, RelChief)
	}
	if s.TeamID != 0 && r.TeamID == s.TeamID {
		rels = append(rels, RelTeam)
	}
	if s.BranchID != 0 && r.BranchID == s.BranchID {
		rels = append(rels, RelBranch)
	}
	if len(rels) == 0 {
		rels = append(rels, RelOther)
	}
	return rels
}

// covers says whether a policy scope reaches a relation. Each scope is
// exactly the filter Scope builds: team scope covers "chief" because the
// handbook gives a chief rep every customer where they are named chief
// representative, even outside their team.
func covers(scope, rel string) bool {
	if rel == RelRoute {
		return scope != ScopeNone
	}
	switch scope {
	case ScopeAll:
		return true
	case ScopeBranch:
		return rel == RelBranch
	case ScopeTeam:
		return rel == RelOwn || rel == RelChief || rel == RelTeam
	case ScopeOwn:
		return rel == RelOwn
	}
	return false
}

var scopeRank = map[string]int{ScopeNone: 0, ScopeOwn: 1, ScopeTeam: 2, ScopeBranch: 3, ScopeAll: 4}

// Enforcer wraps casbin with the project's model and policy.
//
// The policy is fixed once NewFromText returns (nothing adds or removes a
// line afterwards), so every answer depends only on its arguments and is
// remembered: casbin evaluates its matcher expression on each Enforce,
// and a page asks dozens of these questions (the navigation alone checks
// every menu entry), which cost 12 % of the test suite's CPU and about
// a millisecond of every page before the answers were kept.
type Enforcer struct {
	e    *casbin.Enforcer
	memo sync.Map // decision → bool (Allowed); reach → string (Level)
}

// decision is an Allowed question the memo keeps the answer to.
type decision struct{ role, obj, act, rel string }

// reach is a Level question the memo keeps the answer to.
type reach struct{ role, obj, act string }

// New loads the embedded model and policy.
func New() (*Enforcer, error) {
	return NewFromText(policies.Model, policies.Policy)
}

// NewFromText loads a model and a CSV policy given as text (for tests).
func NewFromText(modelText, policyText string) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("authz enforcer: %w", err)
	}
	e.AddFunction("covers", func(args ...any) (any, error) {
		if len(args) != 2 {
			return false, errors.New("covers needs 2 arguments")
		}
		s, _ := args[0].(string)
		r, _ := args[1].(string)
		return covers(s, r), nil
	})
	for i, line := range strings.Split(policyText, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ",")
		for j := range parts {
			parts[j] = strings.TrimSpace(parts[j])
		}
		switch {
		case parts[0] == "p" && len(parts) == 5:
			if _, ok := scopeRank[parts[4]]; !ok || parts[4] == ScopeNone {
				return nil, fmt.Errorf("policy line %d: unknown scope %q", i+1, parts[4])
			}
			if !ValidRole(parts[1]) {
				return nil, fmt.Errorf("policy line %d: unknown role %q", i+1, parts[1])
			}
			if _, err := e.AddPolicy(parts[1], parts[2], parts[3], parts[4]); err != nil {
				return nil, fmt.Errorf("policy line %d: %w", i+1, err)
			}
		case parts[0] == "g" && len(parts) == 3:
			if _, err := e.AddGroupingPolicy(parts[1], parts[2]); err != nil {
				return nil, fmt.Errorf("policy line %d: %w", i+1, err)
			}
		default:
			return nil, fmt.Errorf("policy line %d: cannot parse %q", i+1, line)
		}
	}
	return &Enforcer{e: e}, nil
}

// Allowed is the raw question: may role do act on obj given relation rel?
func (a *Enforcer) Allowed(role, obj, act, rel string) bool {
	if role == "" {
		return false
	}
	key := decision{role, obj, act, rel}
	if v, ok := a.memo.Load(key); ok {
		return v.(bool)
	}
	ok, err := a.e.Enforce(role, obj, act, rel)
	ok = err == nil && ok
	if err == nil && ValidRole(role) {
		// Only the four roles are kept, so a bad role read from a row
		// cannot grow the memo; the objects and actions are the code's.
		a.memo.Store(key, ok)
	}
	return ok
}

// CanRoute reports whether s's role has act on obj at any scope. Used by
// the route middleware; the record check then narrows it down.
func (a *Enforcer) CanRoute(s Subject, obj, act string) bool {
	return a.Allowed(s.Role, obj, act, RelRoute)
}

// Can reports whether s may do act on the record at r.
func (a *Enforcer) Can(s Subject, obj, act string, r Ref) bool {
	for _, rel := range Relations(s, r) {
		if a.Allowed(s.Role, obj, act, rel) {
			return true
		}
	}
	return false
}

// Level returns the widest scope s's role has for act on obj.
func (a *Enforcer) Level(s Subject, obj, act string) string {
	key := reach{s.Role, obj, act}
	if v, ok := a.memo.Load(key); ok {
		return v.(string)
	}
	best := a.level(s.Role, obj, act)
	if ValidRole(s.Role) {
		a.memo.Store(key, best)
	}
	return best
}

// level is Level without the memo.
func (a *Enforcer) level(role, obj, act string) string {
	best := ScopeNone
	roles := []string{role}
	if implicit, err := a.e.GetImplicitRolesForUser(role); err == nil {
		roles = append(roles, implicit...)
	}
	for _, r := range roles {
		rules, err := a.e.GetFilteredPolicy(0, r, obj, act)
		if err != nil {
			continue
		}
		for _, p := range rules {
			if scopeRank[p[3]] > scopeRank[best] {
				best = p[3]
			}
		}
	}
	return best
}

// Columns names the columns of a table that a Scope filters on. Leave a
// column empty when the table has none (e.g. no chief rep).
type Columns struct {
	Owner    string
	ChiefRep string
	Team     string
	Branch   string
}

// StandardColumns are the column names business tables use.
func StandardColumns(table string) Columns {
	p := ""
	if table != "" {
		p = table + "."
	}
	return Columns{Owner: p + "owner_id", ChiefRep: p + "chief_rep_id", Team: p + "team_id", Branch: p + "branch_id"}
}

// Scope returns a GORM scope restricting a query to the records s may do
// act on: ListScope applied to cols. It encodes exactly the rules of Can,
// so lists and detail pages agree; a subject without the permission gets a
// filter matching nothing.
func (a *Enforcer) Scope(s Subject, obj, act string, cols Columns) func(*gorm.DB) *gorm.DB {
	return a.ListScope(s, obj, act).Func(cols)
}

// ModelForTest returns the embedded model text, so tests can pair it with
// a policy of their own.
func ModelForTest() string { return policies.Model }
