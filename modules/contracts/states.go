package contracts

import (
	"fmt"
	"slices"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// Action is something a user does to a contract.
type Action string

// The actions on a contract. Every handler and service method names one,
// and Allowed decides it from the actor, the customer and the status.
const (
	ActRead      Action = "read"
	ActEdit      Action = "edit"
	ActSubmit    Action = "submit"
	ActDecide    Action = "decide"
	ActSign      Action = "sign"
	ActActivate  Action = "activate"
	ActTerminate Action = "terminate"
	ActRenew     Action = "renew"
	ActAmend     Action = "amend"
	ActDelete    Action = "delete"
	ActTasks     Action = "tasks"
	ActAttach    Action = "attach"
)

// Actions lists every action (the state table test walks them).
var Actions = []Action{ActRead, ActEdit, ActSubmit, ActDecide, ActSign, ActActivate, ActTerminate, ActRenew, ActAmend, ActDelete, ActTasks, ActAttach}

// stateRule is the statuses an action is allowed in and the message shown
// when it is tried in another.
type stateRule struct {
	in  []string
	msg string
}

// stateRules is the state machine. Reading is allowed in every status.
var stateRules = map[Action]stateRule{
	ActEdit:      {[]string{StatusDraft, StatusPending}, "contracts.v.edit_closed"},
	ActSubmit:    {[]string{StatusDraft}, "contracts.v.submit_not_draft"},
	ActDecide:    {[]string{StatusPending}, "contracts.v.not_pending"},
	ActSign:      {[]string{StatusApproved}, "contracts.v.sign_not_approved"},
	ActActivate:  {[]string{StatusSigned}, "contracts.v.activate_not_signed"},
	ActTerminate: {[]string{StatusSigned, StatusActive, StatusExpiring}, "contracts.v.terminate_state"},
	ActRenew:     {[]string{StatusActive, StatusExpiring, StatusExpired}, "contracts.v.renew_state"},
	ActAmend:     {[]string{StatusSigned, StatusActive, StatusExpiring}, "contracts.v.amend_state"},
	ActDelete:    {[]string{StatusDraft}, "contracts.v.delete_not_draft"},
	ActTasks:     {[]string{StatusSigned, StatusActive, StatusExpiring}, "contracts.v.tasks_state"},
	ActAttach:    {[]string{StatusDraft, StatusPending, StatusApproved, StatusSigned, StatusActive, StatusExpiring, StatusExpired, StatusTerminated, StatusRenewed}, "contracts.v.attach_state"},
}

// MsgEditSigned explains why a signed contract is not edited in place.
const MsgEditSigned = "contracts.v.edit_signed"

// stateError is the validation error shown when act is not allowed in
// status: editing a signed contract names the amendment.
func stateError(act Action, status string) error {
	rule := stateRules[act]
	msg := rule.msg
	if act == ActEdit && slices.Contains(InForce, status) {
		msg = MsgEditSigned
	}
	return apperr.Fields{"_form": msg}
}

// Allowed decides whether actor may do act on c, a revision of a contract
// of the customer described by ref, from the permission policy and the
// status alone (rules that need more — the four-eyes rule, dates, open
// tasks — are checked by the service after this):
//   - a customer the actor may not read: ErrNotFound (404), whatever the
//     action;
//   - an action the actor's role may not do on it (customer write for
//     changes, contract approve for decisions): ErrForbidden (403);
//   - an action the status does not allow: a validation error with the
//     reason (422), e.g. editing a signed contract needs an amendment.
func Allowed(enf *authz.Enforcer, actor authz.Subject, act Action, c *Contract, ref authz.Ref) error {
	if !enf.Can(actor, "customer", "read", ref) {
		return fmt.Errorf("contract %d: %w", c.ID, apperr.ErrNotFound)
	}
	if act == ActRead {
		return nil
	}
	obj, perm := "customer", "write"
	if act == ActDecide {
		obj, perm = "contract", "approve"
	}
	if !enf.Can(actor, obj, perm, ref) {
		return fmt.Errorf("contract %d %s: %w", c.ID, act, apperr.ErrForbidden)
	}
	rule, ok := stateRules[act]
	if !ok {
		return fmt.Errorf("contracts: unknown action %q", act)
	}
	if !slices.Contains(rule.in, c.Status) {
		return stateError(act, c.Status)
	}
	return nil
}
