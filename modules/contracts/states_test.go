package contracts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// TestStateTable pins the contract state machine: every (state, action,
// role, relation) gives either "allowed" or exactly one error — 404 when
// the actor may not see the customer, 403 when their role may not do the
// action, or the message the status gives. The expectations are written
// out here, not derived from the code's tables.
func TestStateTable(t *testing.T) {
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	// The customer: owned by account manager 1 of team 1, branch 1; chief
	// rep 11 (of team 2) is named on it.
	ref := authz.Ref{OwnerID: 1, ChiefRepID: 11, TeamID: 1, BranchID: 1}
	actors := []struct {
		name string
		who  authz.Subject
		// read, write and approve: "ok", "403" or "404"
		read, write, approve string
	}{
		{"account_manager/own", authz.Subject{ID: 1, Role: authz.RoleAccountManager, TeamID: 1, BranchID: 1}, "ok", "ok", "403"},
		{"account_manager/team", authz.Subject{ID: 2, Role: authz.RoleAccountManager, TeamID: 1, BranchID: 1}, "404", "404", "404"},
		{"account_manager/other", authz.Subject{ID: 3, Role: authz.RoleAccountManager, TeamID: 3, BranchID: 2}, "404", "404", "404"},
		{"chief_rep/team", authz.Subject{ID: 10, Role: authz.RoleChiefRep, TeamID: 1, BranchID: 1}, "ok", "ok", "ok"},
		{"chief_rep/chief", authz.Subject{ID: 11, Role: authz.RoleChiefRep, TeamID: 2, BranchID: 1}, "ok", "ok", "ok"},
		{"chief_rep/branch", authz.Subject{ID: 12, Role: authz.RoleChiefRep, TeamID: 2, BranchID: 1}, "404", "404", "404"},
		{"director/branch", authz.Subject{ID: 20, Role: authz.RoleDirector, BranchID: 1}, "ok", "ok", "ok"},
		{"director/other", authz.Subject{ID: 21, Role: authz.RoleDirector, BranchID: 2}, "404", "404", "404"},
		{"admin/all", authz.Subject{ID: 30, Role: authz.RoleAdmin}, "ok", "403", "403"},
	}
	// Where each action is allowed, and the message elsewhere.
	const inForce = "signed active expiring"
	rules := map[Action]struct{ allowed, msg string }{
		ActEdit:      {"draft pending", "contracts.v.edit_closed"},
		ActSubmit:    {"draft", "contracts.v.submit_not_draft"},
		ActDecide:    {"pending", "contracts.v.not_pending"},
		ActSign:      {"approved", "contracts.v.sign_not_approved"},
		ActActivate:  {"signed", "contracts.v.activate_not_signed"},
		ActTerminate: {inForce, "contracts.v.terminate_state"},
		ActRenew:     {"active expiring expired", "contracts.v.renew_state"},
		ActAmend:     {inForce, "contracts.v.amend_state"},
		ActDelete:    {"draft", "contracts.v.delete_not_draft"},
		ActTasks:     {inForce, "contracts.v.tasks_state"},
		ActAttach:    {"draft pending approved signed active expiring expired terminated renewed", "contracts.v.attach_state"},
	}
	if len(rules)+1 != len(Actions) {
		t.Fatalf("the table covers %d actions, the code has %d", len(rules)+1, len(Actions))
	}
	for _, status := range Statuses {
		for _, act := range Actions {
			for _, a := range actors {
				name := fmt.Sprintf("%s/%s/%s", status, act, a.name)
				perm := a.write
				switch act {
				case ActRead:
					perm = a.read
				case ActDecide:
					perm = a.approve
				}
				if a.read == "404" {
					perm = "404"
				}
				want := "ok"
				switch {
				case perm != "ok":
					want = perm
				case act == ActRead:
				case !slices.Contains(strings.Fields(rules[act].allowed), status):
					want = rules[act].msg
					if act == ActEdit && slices.Contains(strings.Fields(inForce), status) {
						want = "contracts.v.edit_signed"
					}
				}
				err := Allowed(enf, a.who, act, &Contract{ID: 5, Status: status}, ref)
				if got := outcome(err); got != want {
					t.Errorf("%s: got %s, want %s", name, got, want)
				}
			}
		}
	}
}

// outcome names an error as the table does.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, apperr.ErrNotFound):
		return "404"
	case errors.Is(err, apperr.ErrForbidden):
		return "403"
	}
	if f, ok := apperr.AsFields(err); ok {
		return f["_form"]
	}
	return err.Error()
}
