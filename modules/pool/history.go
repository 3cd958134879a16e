package pool

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// EntityRule is the audit entity of a branch's pool rule. Pool moves are
// audited on the customer ("reassign", the owner's change).
const EntityRule = "pool_rule"

// DescribeHistory tells the history page how to show a rule's changes
// and how to name a rule: "公海规则 · <branch>", for readers who may set
// that branch's rule (its director, the admin); others read it as not
// available.
func DescribeHistory(h *audit.History, svc *Service) error {
	err := h.Describe(audit.Entity{Name: EntityRule, Label: "pool.settings.title", Model: &Rule{},
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Hidden("branch_id"),
			audit.Bool("enabled", "pool.settings.enabled"),
			audit.Number("idle_days", "pool.settings.idle_days"),
			audit.Number("warn_days", "pool.settings.warn_days"),
			audit.Number("claim_limit", "pool.settings.claim_limit"),
			audit.Hidden("holder_id"),
		}})
	if err != nil {
		return err
	}
	h.Resolve(EntityRule, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		return svc.ruleNames(ctx, r, ids)
	})
	return nil
}

// ruleNames names the rules ids that r may configure.
func (s *Service) ruleNames(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
	rules, err := s.store.RulesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	branches, err := s.deps.People.Branches(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[uint]string, len(branches))
	for _, b := range branches {
		names[b.ID] = b.Name
	}
	out := make(map[uint]audit.Name, len(rules))
	for _, rule := range rules {
		if !s.enf.Can(r.Subject, "pool", "configure", authz.Ref{BranchID: rule.BranchID}) {
			continue
		}
		link := "/pool/settings"
		if r.Subject.BranchID == 0 {
			link = fmt.Sprintf("/pool/settings?branch=%d", rule.BranchID)
		}
		out[rule.ID] = audit.Name{Text: r.L.T("pool.settings.title") + " · " + names[rule.BranchID], Link: link}
	}
	return out, nil
}
