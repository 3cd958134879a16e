package pool

import "github.com/jike-crm/jike/modules/platform/audit"

// EntityRule is the audit entity of a branch's pool rule. Pool moves are
// audited on the customer ("reassign", the owner's change).
const EntityRule = "pool_rule"

// DescribeHistory tells the history page how to show a rule's changes.
func DescribeHistory(h *audit.History) error {
	return h.Describe(audit.Entity{Name: EntityRule, Label: "pool.settings.title", Model: &Rule{},
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Hidden("branch_id"),
			audit.Bool("enabled", "pool.settings.enabled"),
			audit.Number("idle_days", "pool.settings.idle_days"),
			audit.Number("warn_days", "pool.settings.warn_days"),
			audit.Number("claim_limit", "pool.settings.claim_limit"),
			audit.Hidden("holder_id"),
		}})
}
