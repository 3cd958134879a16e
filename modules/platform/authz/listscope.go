package authz

import (
	"errors"
	"strings"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// ErrNoScope fails a list query made without a permission scope. A store
// never treats "no scope" as "everything".
var ErrNoScope = errors.New("authz: list query without a permission scope")

// ListScope is what a subject may reach with one action on one kind of
// object, as a value a store applies to a query that returns several
// records (list, search, count, report, export). Only the Enforcer makes
// one, and store methods that return several records take it as a
// required argument, so a query cannot be written without it; a zero
// ListScope matches nothing and fails the query with ErrNoScope.
//
// The scope is the same rule as Can, written as SQL: a list never shows
// what the detail page would refuse (TestScopeAgreesWithCan).
type ListScope struct {
	subject Subject
	obj     string
	act     string
	level   string
	set     bool
}

// ListScope returns s's scope for act on obj.
func (a *Enforcer) ListScope(s Subject, obj, act string) ListScope {
	return ListScope{subject: s, obj: obj, act: act, level: a.Level(s, obj, act), set: true}
}

// Unrestricted is a scope that reaches every record, for a reader whose
// right to each record is decided per record after the query (a fallback
// approver is routed pending versions from any branch, and the router
// keeps only those that route to them). It is explicit, so a store still
// cannot be called without a scope.
func (a *Enforcer) Unrestricted(s Subject, obj, act string) ListScope {
	return ListScope{subject: s, obj: obj, act: act, level: ScopeAll, set: true}
}

// Subject is whom the scope is for (a store may need the id, e.g. for
// "mine" filters); zero for a zero scope.
func (l ListScope) Subject() Subject { return l.subject }

// Level is the scope's reach (own, team, branch, all; "" for none).
func (l ListScope) Level() string { return l.level }

// Breadth is how many rows the scope holds, for choosing how to search
// it (db.ListSearch): the province's, a branch's, a team's, or a
// person's few hundred.
func (l ListScope) Breadth() db.Breadth {
	switch l.level {
	case ScopeAll:
		return db.Province
	case ScopeBranch:
		return db.Branch
	case ScopeTeam:
		return db.Team
	}
	return db.Narrow
}

// IsZero reports whether the scope was not made by an Enforcer.
func (l ListScope) IsZero() bool { return !l.set }

// Apply restricts q to the records the scope reaches, reading ownership
// from cols (the table's own columns, or a joined table's). A zero scope
// adds ErrNoScope to q, so the query fails instead of returning rows.
func (l ListScope) Apply(q *gorm.DB, cols Columns) *gorm.DB {
	if !l.set {
		_ = q.AddError(ErrNoScope)
		return q.Where("1 = 0")
	}
	s := l.subject
	switch l.level {
	case ScopeAll:
		return q
	case ScopeBranch:
		if s.BranchID == 0 {
			return q.Where("1 = 0")
		}
		return q.Where(cols.Branch+" = ?", s.BranchID)
	case ScopeTeam:
		conds := []string{cols.Owner + " = ?"}
		args := []any{s.ID}
		if cols.ChiefRep != "" {
			conds = append(conds, cols.ChiefRep+" = ?")
			args = append(args, s.ID)
		}
		if s.TeamID != 0 {
			conds = append(conds, cols.Team+" = ?")
			args = append(args, s.TeamID)
		}
		return q.Where("("+strings.Join(conds, " OR ")+")", args...)
	case ScopeOwn:
		return q.Where(cols.Owner+" = ?", s.ID)
	}
	return q.Where("1 = 0")
}

// Func adapts the scope to a GORM scope function on fixed columns.
func (l ListScope) Func(cols Columns) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB { return l.Apply(q, cols) }
}
