package policies_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/policies"
)

// TestPolicyTable pins the permission model: role × object × action ×
// relation → allowed. A change to policy.csv that alters any of these must
// change this table too, on purpose.
func TestPolicyTable(t *testing.T) {
	e, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	const (
		am  = authz.RoleAccountManager
		cr  = authz.RoleChiefRep
		dir = authz.RoleDirector
		adm = authz.RoleAdmin
	)
	cases := []struct {
		role, obj, act, rel string
		want                bool
	}{
		// account manager: own customers only
		{am, "customer", "read", authz.RelOwn, true},
		{am, "customer", "write", authz.RelOwn, true},
		{am, "customer", "read", authz.RelTeam, false},
		{am, "customer", "read", authz.RelChief, false},
		{am, "customer", "read", authz.RelBranch, false},
		{am, "customer", "read", authz.RelOther, false},
		{am, "customer", "reassign", authz.RelOwn, false},
		{am, "proposal", "approve", authz.RelOwn, false},
		{am, "user", "manage", authz.RelRoute, false},
		{am, "team", "manage", authz.RelRoute, false},
		{am, "audit", "read", authz.RelRoute, false},
		{am, "review", "write", authz.RelOwn, true},
		{am, "report", "read", authz.RelOwn, true},
		{am, "report", "read", authz.RelTeam, false},
		{am, "report", "read", authz.RelBranch, false},
		// chief rep: team's customers and customers where named chief rep
		{cr, "customer", "read", authz.RelOwn, true},
		{cr, "customer", "read", authz.RelTeam, true},
		{cr, "customer", "read", authz.RelChief, true},
		{cr, "customer", "read", authz.RelBranch, false},
		{cr, "customer", "read", authz.RelOther, false},
		{cr, "customer", "reassign", authz.RelTeam, true},
		{cr, "customer", "reassign", authz.RelBranch, false},
		{cr, "proposal", "approve", authz.RelTeam, true},
		{cr, "proposal", "approve", authz.RelBranch, false},
		{cr, "review", "comment", authz.RelTeam, true},
		{cr, "target", "set", authz.RelTeam, true},
		{cr, "user", "manage", authz.RelRoute, false},
		// director: the branch
		{dir, "customer", "read", authz.RelBranch, true},
		{dir, "customer", "read", authz.RelOther, false},
		{dir, "customer", "reassign", authz.RelBranch, true},
		{dir, "report", "read", authz.RelBranch, true},
		{dir, "report", "read", authz.RelOther, false},
		{cr, "report", "read", authz.RelTeam, true},
		{cr, "report", "read", authz.RelChief, true},
		{cr, "report", "read", authz.RelBranch, false},
		{adm, "report", "read", authz.RelOther, true},
		{dir, "target", "set", authz.RelBranch, true},
		{dir, "proposal", "approve", authz.RelBranch, true},
		{dir, "user", "manage", authz.RelRoute, false},
		{dir, "audit", "read", authz.RelRoute, false},
		// admin: everything to read, organisation to manage, no selling
		{adm, "customer", "read", authz.RelOther, true},
		{adm, "customer", "write", authz.RelOther, false},
		{adm, "proposal", "approve", authz.RelOther, false},
		{adm, "user", "manage", authz.RelRoute, true},
		{adm, "team", "manage", authz.RelOther, true},
		{adm, "branch", "manage", authz.RelRoute, true},
		{adm, "audit", "read", authz.RelRoute, true},
		// after-sale settings: the director's branch only
		{dir, "aftersale", "configure", authz.RelBranch, true},
		{dir, "aftersale", "configure", authz.RelOther, false},
		{cr, "aftersale", "configure", authz.RelTeam, false},
		{am, "aftersale", "configure", authz.RelOwn, false},
		{adm, "aftersale", "configure", authz.RelOther, false},
		// retention: alerts follow the customer; the admin reads, never acts
		{am, "retention", "act", authz.RelOwn, true},
		{am, "retention", "act", authz.RelTeam, false},
		{am, "retention", "queue", authz.RelTeam, false},
		{cr, "retention", "queue", authz.RelTeam, true},
		{cr, "retention", "read", authz.RelBranch, false},
		{dir, "retention", "act", authz.RelBranch, true},
		{dir, "retention", "queue", authz.RelOther, false},
		{adm, "retention", "queue", authz.RelOther, true},
		{adm, "retention", "act", authz.RelOther, false},
		// care touches and key dates: edit and delete
		{am, "care_record", "edit", authz.RelOwn, true},
		{am, "care_record", "edit", authz.RelTeam, false},
		{am, "care_record", "edit", authz.RelOther, false},
		{cr, "care_record", "edit", authz.RelTeam, true},
		{cr, "care_record", "edit", authz.RelChief, true},
		{cr, "care_record", "edit", authz.RelBranch, false},
		{dir, "care_record", "edit", authz.RelBranch, true},
		{dir, "care_record", "edit", authz.RelOther, false},
		{adm, "care_record", "edit", authz.RelOther, false},
		// usage: read follows the customer's scope; only the admin imports
		{am, "usage", "read", authz.RelOwn, true},
		{am, "usage", "read", authz.RelTeam, false},
		{cr, "usage", "read", authz.RelTeam, true},
		{cr, "usage", "read", authz.RelBranch, false},
		{dir, "usage", "read", authz.RelBranch, true},
		{dir, "usage", "read", authz.RelOther, false},
		{adm, "usage", "read", authz.RelOther, true},
		{adm, "usage", "import", authz.RelRoute, true},
		{dir, "usage", "import", authz.RelRoute, false},
		{am, "usage", "import", authz.RelRoute, false},
		// background jobs: only the admin sees and triggers them
		{adm, "job", "manage", authz.RelRoute, true},
		{dir, "job", "manage", authz.RelRoute, false},
		{cr, "job", "manage", authz.RelRoute, false},
		{am, "job", "manage", authz.RelRoute, false},
		{adm, "catalog", "manage", authz.RelRoute, true},
		// the catalogue: every role reads it, only the admin manages it
		{am, "catalog", "read", authz.RelRoute, true},
		{cr, "catalog", "read", authz.RelRoute, true},
		{dir, "catalog", "read", authz.RelRoute, true},
		{adm, "catalog", "read", authz.RelRoute, true},
		{am, "catalog", "read", authz.RelOther, true},
		{am, "catalog", "manage", authz.RelRoute, false},
		{am, "catalog", "manage", authz.RelOwn, false},
		{cr, "catalog", "manage", authz.RelRoute, false},
		{cr, "catalog", "manage", authz.RelTeam, false},
		{dir, "catalog", "manage", authz.RelRoute, false},
		{dir, "catalog", "manage", authz.RelBranch, false},
		{adm, "catalog", "manage", authz.RelOther, true},
		// proposals: who takes each approval step (the four-eyes rule then
		// removes the authors; see modules/proposals/route.go)
		{am, "proposal", "approve_chief", authz.RelOwn, false},
		{am, "proposal", "approve_director", authz.RelOwn, false},
		{cr, "proposal", "approve_chief", authz.RelTeam, true},
		{cr, "proposal", "approve_chief", authz.RelChief, true},
		{cr, "proposal", "approve_chief", authz.RelBranch, false},
		{cr, "proposal", "approve_chief_standin", authz.RelTeam, false},
		{cr, "proposal", "approve_director", authz.RelTeam, false},
		{dir, "proposal", "approve_chief", authz.RelBranch, false},
		{dir, "proposal", "approve_chief_standin", authz.RelBranch, true},
		{dir, "proposal", "approve_chief_standin", authz.RelOther, false},
		{dir, "proposal", "approve_director", authz.RelBranch, true},
		{dir, "proposal", "approve_director", authz.RelOther, false},
		{adm, "proposal", "approve_chief", authz.RelOther, false},
		{adm, "proposal", "approve_chief_standin", authz.RelOther, false},
		{adm, "proposal", "approve_director", authz.RelOther, false},
		// monthly targets and reviews (targets module): an account manager
		// reads their own targets and writes their own review; the chief rep
		// sets, reads, comments and signs off for the team; the director
		// sets and reads for the branch but neither comments nor signs off
		{am, "target", "read", authz.RelOwn, true},
		{am, "target", "read", authz.RelTeam, false},
		{am, "target", "set", authz.RelOwn, false},
		{am, "review", "write", authz.RelTeam, false},
		{am, "review", "signoff", authz.RelOwn, false},
		{cr, "target", "read", authz.RelTeam, true},
		{cr, "target", "read", authz.RelBranch, false},
		{cr, "target", "set", authz.RelBranch, false},
		{cr, "review", "signoff", authz.RelTeam, true},
		{cr, "review", "signoff", authz.RelBranch, false},
		{cr, "review", "write", authz.RelTeam, false},
		{dir, "target", "read", authz.RelBranch, true},
		{dir, "target", "read", authz.RelOther, false},
		{dir, "review", "read", authz.RelBranch, true},
		{dir, "review", "comment", authz.RelBranch, false},
		{dir, "review", "signoff", authz.RelBranch, false},
		{adm, "target", "set", authz.RelOther, false},
		{adm, "review", "signoff", authz.RelOther, false},
		// contracts: read and written through their customer (customer
		// read/write above); approving is contract approve, the team's for
		// a chief rep, the branch's for a director, nobody else's
		{am, "contract", "approve", authz.RelOwn, false},
		{am, "contract", "approve", authz.RelRoute, false},
		{cr, "contract", "approve", authz.RelTeam, true},
		{cr, "contract", "approve", authz.RelChief, true},
		{cr, "contract", "approve", authz.RelOwn, true},
		{cr, "contract", "approve", authz.RelBranch, false},
		{cr, "contract", "approve", authz.RelOther, false},
		{dir, "contract", "approve", authz.RelBranch, true},
		{dir, "contract", "approve", authz.RelOther, false},
		{adm, "contract", "approve", authz.RelOther, false},
		{adm, "contract", "approve", authz.RelRoute, false},
		// decisions that were role checks: phone numbers in full (the
		// owner and the named chief rep always, in the service), the
		// team/branch view and owner column of lists, the director's
		// override of a started month and team quotas
		{am, "customer", "see_phones", authz.RelOwn, false},
		{am, "customer", "see_phones", authz.RelTeam, false},
		{cr, "customer", "see_phones", authz.RelTeam, true},
		{cr, "customer", "see_phones", authz.RelChief, true},
		{cr, "customer", "see_phones", authz.RelBranch, false},
		{dir, "customer", "see_phones", authz.RelBranch, true},
		{dir, "customer", "see_phones", authz.RelOther, false},
		{adm, "customer", "see_phones", authz.RelOther, false},
		{am, "customer", "list_others", authz.RelRoute, false},
		{cr, "customer", "list_others", authz.RelRoute, true},
		{dir, "customer", "list_others", authz.RelRoute, true},
		{adm, "customer", "list_others", authz.RelRoute, true},
		{am, "customer", "list_teams", authz.RelRoute, false},
		{cr, "customer", "list_teams", authz.RelRoute, false},
		{dir, "customer", "list_teams", authz.RelRoute, true},
		{adm, "customer", "list_teams", authz.RelRoute, true},
		{am, "target", "override_lock", authz.RelRoute, false},
		{cr, "target", "override_lock", authz.RelRoute, false},
		{dir, "target", "override_lock", authz.RelRoute, true},
		{adm, "target", "override_lock", authz.RelRoute, false},
		{am, "target", "set_team", authz.RelRoute, false},
		{cr, "target", "set_team", authz.RelRoute, false},
		{dir, "target", "set_team", authz.RelRoute, true},
		{adm, "target", "set_team", authz.RelRoute, false},
		// who may own customers; who chooses across the branch's teams
		{am, "customer", "be_owner", authz.RelRoute, true},
		{cr, "customer", "be_owner", authz.RelRoute, true},
		{dir, "customer", "be_owner", authz.RelRoute, false},
		{adm, "customer", "be_owner", authz.RelRoute, false},
		{am, "customer", "assign_branch", authz.RelRoute, false},
		{cr, "customer", "assign_branch", authz.RelRoute, false},
		{dir, "customer", "assign_branch", authz.RelBranch, true},
		{dir, "customer", "assign_branch", authz.RelOther, false},
		{adm, "customer", "assign_branch", authz.RelRoute, false},
		// contracts: the director tier of an approval; who signs for us
		{am, "contract", "approve_director", authz.RelRoute, false},
		{cr, "contract", "approve_director", authz.RelTeam, false},
		{cr, "contract", "approve_director", authz.RelChief, false},
		{dir, "contract", "approve_director", authz.RelBranch, true},
		{dir, "contract", "approve_director", authz.RelOther, false},
		{adm, "contract", "approve_director", authz.RelRoute, false},
		{am, "contract", "sign_ours", authz.RelRoute, true},
		{cr, "contract", "sign_ours", authz.RelRoute, true},
		{dir, "contract", "sign_ours", authz.RelRoute, true},
		{adm, "contract", "sign_ours", authz.RelRoute, false},
		// unknown role or object
		{"", "customer", "read", authz.RelOwn, false},
		{"guest", "customer", "read", authz.RelOwn, false},
		{adm, "nonexistent", "read", authz.RelOther, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s/%s", c.role, c.obj, c.act, c.rel), func(t *testing.T) {
			if got := e.Allowed(c.role, c.obj, c.act, c.rel); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestLevels checks the widest scope per role, which list queries use.
func TestLevels(t *testing.T) {
	e, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		authz.RoleAccountManager: authz.ScopeOwn,
		authz.RoleChiefRep:       authz.ScopeTeam,
		authz.RoleDirector:       authz.ScopeBranch,
		authz.RoleAdmin:          authz.ScopeAll,
	}
	for role, level := range want {
		if got := e.Level(authz.Subject{ID: 1, Role: role}, "customer", "read"); got != level {
			t.Errorf("%s customer read: got %q want %q", role, got, level)
		}
	}
	if got := e.Level(authz.Subject{ID: 1, Role: authz.RoleAccountManager}, "user", "manage"); got != authz.ScopeNone {
		t.Errorf("account manager must have no scope on users, got %q", got)
	}
}

// TestBadPolicyRejected makes sure a typo in the policy file fails at start.
func TestBadPolicyRejected(t *testing.T) {
	for _, p := range []string{
		"p, admin, user, manage, everywhere",
		"p, superuser, user, manage, all",
		"p, admin, user",
	} {
		if _, err := authz.NewFromText(authz.ModelForTest(), p); err == nil {
			t.Errorf("policy %q should be rejected", p)
		}
	}
}

// TestOneScopePerRoleObjectAction: Scope builds its filter from the widest
// scope, so two lines with different scopes for the same role, object and
// action could make lists and detail pages disagree. Keep one.
func TestOneScopePerRoleObjectAction(t *testing.T) {
	seen := map[string]string{}
	for i, line := range strings.Split(policies.Policy, "\n") {
		f := strings.Split(line, ",")
		if len(f) != 5 || strings.TrimSpace(f[0]) != "p" {
			continue
		}
		key := strings.TrimSpace(f[1]) + "/" + strings.TrimSpace(f[2]) + "/" + strings.TrimSpace(f[3])
		if prev, ok := seen[key]; ok {
			t.Errorf("line %d: %s already granted at scope %s", i+1, key, prev)
		}
		seen[key] = strings.TrimSpace(f[4])
	}
	if len(seen) < 20 {
		t.Fatalf("parsed only %d policy lines", len(seen))
	}
}
