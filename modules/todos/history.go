package todos

import (
	"context"

	"github.com/jike-crm/jike/modules/platform/audit"
)

// DescribeHistory tells the history how to-dos read, and names them for
// readers who may see them (the todo read scope).
func DescribeHistory(h *audit.History, svc *Service) error {
	if err := h.Describe(audit.Entity{Name: Entity, Label: "audit.entity.todo", Model: &Todo{},
		Actions: []string{"done", "undone"},
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Hidden("version"),
			audit.Hidden("team_id"),
			audit.Hidden("branch_id"),
			audit.Hidden("link_id"),
			audit.Hidden("overdue_notified_at"),
			audit.Text("title", "history.f.todo_title"),
			audit.DateTime("due_at", "history.f.due_at"),
			audit.Bool("all_day", "history.f.all_day"),
			audit.Enum("link_type", "history.f.link_type", "todos.link.", LinkTypes...),
			audit.Ref("customer_id", "history.f.customer", "customer"),
			audit.Ref("owner_id", "history.f.assignee", "user"),
			audit.DateTime("done_at", "history.f.done_at"),
			audit.Ref("done_by", "history.f.done_by", "user"),
		}}); err != nil {
		return err
	}
	h.Resolve(Entity, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.ByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(rows))
		for _, t := range rows {
			if !svc.deps.Enforcer.Can(r.Subject, "todo", "read", t.Ref()) {
				continue
			}
			n := audit.Name{Text: t.Title}
			if !t.DeletedAt.Valid {
				n.Link = URL(t.ID)
			}
			out[t.ID] = n
		}
		return out, nil
	})
	return nil
}
