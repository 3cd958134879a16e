// Package todos holds free-standing to-dos (待办): a title and a due time
// (or a due day), made from anywhere in the portal, optionally linked to
// one record (a customer, an opportunity, a contract or a service
// request) and assigned to a colleague in the creator's scope.
//
// It is its own package rather than part of modules/visits because its
// rows are scoped by people, not by customer: a to-do without a link has
// no customer, and a chief rep sees the to-dos of the team's members
// whoever's customer they concern. A visit's agreed next step stays a
// visits.Todo (table visit_todos) on the visit's customer; the home
// agenda and the calendar feed (both in visits) show both, through hooks
// wired in cmd/jike.
//
// Scope: the policy's todo read/write/assign lines, on the standard
// columns (owner_id is the assignee; team_id and branch_id are the
// assignee's at assignment). A link must be readable by the creator and
// by the assignee. Every change is versioned (optimistic locking),
// audited, and a delete is soft.
package todos
