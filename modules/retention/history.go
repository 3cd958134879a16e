package retention

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/prospects"
)

// auditActions are the steps of an alert in the trail (besides updates).
var auditActions = []string{"open", "warning", "escalate_chief", "escalate_director",
	"action_" + ActionVisit, "action_" + ActionOffer, "action_" + ActionEscalate,
	"outcome_" + OutcomeRetained, "outcome_" + OutcomePartly, "outcome_" + OutcomeLost}

// DescribeHistory tells the history how retention alerts read, and names
// them for readers who may see their customer.
func DescribeHistory(h *audit.History, svc *Service, customers *prospects.Service) error {
	err := h.Describe(audit.Entity{Name: EntityAlert, Label: "audit.entity.retention_alert", Model: &Alert{}, Actions: auditActions,
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Ref("customer_id", "history.f.customer", "customer"),
			audit.Ref("owner_id", "retention.owner", "user"),
			audit.Number("score", "retention.score"),
			audit.Enum("status", "retention.status", "retention.status.", Statuses...),
			audit.DateTime("opened_at", "retention.opened_at"),
			audit.DateTime("action_due_at", "retention.action_due"),
			audit.DateTime("outcome_due_at", "retention.outcome_due"),
			audit.DateTime("due_at", "retention.due_at"),
			audit.Hidden("warn_at"),
			audit.Hidden("director_at"),
			audit.Hidden("warned_at"),
			audit.DateTime("breached_at", "retention.breached_at"),
			audit.Number("escalation", "retention.escalation"),
			audit.Enum("action", "retention.action", "retention.action.", Actions...),
			audit.LongText("action_note", "retention.note"),
			audit.DateTime("action_at", "retention.action_at"),
			audit.Ref("action_by", "retention.action_by", "user"),
			audit.Enum("outcome", "retention.outcome", "retention.outcome.", Outcomes...),
			audit.LongText("outcome_reason", "retention.reason"),
			audit.DateTime("outcome_at", "retention.outcome_at"),
			audit.Ref("outcome_by", "retention.outcome_by", "user"),
			audit.Hidden("deleted_at"),
			audit.Hidden("deleted_by"),
		}})
	if err != nil {
		return err
	}
	h.Resolve(EntityAlert, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var rows []Alert
		if len(ids) > 0 {
			if err := svc.store.DB().WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
				return nil, fmt.Errorf("retention alerts by ids: %w", err)
			}
		}
		return prospects.NamedUnder(ctx, customers, r.Subject, rows, func(x Alert) (uint, uint, audit.Name) {
			return x.ID, x.CustomerID, audit.Name{Text: r.L.T("retention.alert_title") + " " + x.OpenedAt.Format("2006-01-02"), Link: alertLink(x.ID)}
		})
	})
	return nil
}
