package aftersale

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/prospects"
)

// DescribeHistory tells the history how after-sale records read, and
// names them for readers who may see their customer.
func DescribeHistory(h *audit.History, svc *Service, customers *prospects.Service) error {
	reqActions := []string{"start", "transfer", "resolve", "close", "reopen", "auto_close", "sla_warning", "escalate_chief", "escalate_director",
		"response_warning", "response_escalate_chief", "response_escalate_director"}
	entities := []audit.Entity{
		{Name: EntityRequest, Label: "audit.entity.service_request", Model: &Request{}, Actions: reqActions,
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Enum("kind", "aftersale.request.kind", "aftersale.kind.", Kinds...),
				audit.Text("category", "aftersale.request.category"),
				audit.Enum("severity", "aftersale.request.severity", "aftersale.severity.", Severities...),
				audit.Enum("channel", "aftersale.request.channel", "aftersale.channel.", Channels...),
				audit.LongText("description", "aftersale.request.description"),
				audit.Text("affected", "aftersale.request.affected"),
				audit.Ref("contact_id", "aftersale.request.raised_by", "contact"),
				audit.Enum("status", "aftersale.request.status", "aftersale.status.", Statuses...),
				audit.Ref("first_responder_id", "aftersale.request.first_responder", "user"),
				audit.Ref("handler_id", "aftersale.request.handler", "user"),
				audit.Bool("all_day", "aftersale.sla.all_day"),
				audit.Hidden("clock_from"),
				audit.DateTime("response_due_at", "aftersale.request.response_due"),
				audit.Hidden("warn_at"),
				audit.DateTime("resolve_due_at", "aftersale.request.resolve_due"),
				audit.Hidden("director_at"),
				audit.DateTime("responded_at", "aftersale.request.responded_at"),
				audit.Hidden("warned_at"),
				audit.DateTime("breached_at", "aftersale.request.breached_at"),
				audit.Number("escalation", "aftersale.request.escalation"),
				audit.Hidden("resp_warn_at"),
				audit.Hidden("resp_director_at"),
				audit.Hidden("resp_warned_at"),
				audit.DateTime("resp_breached_at", "aftersale.request.resp_breached_at"),
				audit.Number("resp_escalation", "aftersale.request.resp_escalation"),
				audit.Number("cycle", "aftersale.request.cycle"),
				audit.DateTime("resolved_at", "aftersale.request.resolved_at"),
				audit.DateTime("closed_at", "aftersale.request.closed_at"),
				audit.LongText("resolution", "aftersale.request.resolution"),
				audit.Text("root_cause", "aftersale.request.root_cause"),
				audit.Text("recovery", "aftersale.request.recovery"),
				audit.Ref("callback_id", "aftersale.callback.title", EntityCallback),
			}},
		{Name: EntityCallback, Label: "audit.entity.callback", Model: &Callback{}, Actions: []string{"callback_done"},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Enum("reason", "aftersale.callback.reason", "aftersale.reason.", ReasonContract, ReasonComplaint, ReasonQuarterly),
				audit.Hidden("source_key"),
				audit.Hidden("source_id"),
				audit.Date("due_on", "aftersale.callback.due_on"),
				audit.Enum("status", "aftersale.callback.status", "aftersale.callback.status.", "open", "done"),
				audit.Number("q_attitude", "aftersale.q.attitude"),
				audit.Number("q_skill", "aftersale.q.skill"),
				audit.Number("q_speed", "aftersale.q.speed"),
				audit.Number("q_result", "aftersale.q.result"),
				audit.Bool("recommend", "aftersale.callback.recommend"),
				audit.LongText("comment", "aftersale.callback.comment"),
				audit.Text("answered_by", "aftersale.callback.answered_by"),
				audit.Ref("done_by", "aftersale.callback.done_by", "user"),
				audit.DateTime("done_at", "aftersale.callback.done_at"),
				audit.Ref("request_id", "aftersale.callback.request", EntityRequest),
			}},
		{Name: EntityTouch, Label: "audit.entity.care_touch", Model: &Touch{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Enum("kind", "aftersale.touch.kind", "aftersale.touch.kind.", TouchKinds...),
				audit.Date("touched_on", "aftersale.touch.on"),
				audit.Ref("user_id", "aftersale.touch.by", "user"),
				audit.Text("summary", "aftersale.touch.summary"),
			}},
		{Name: EntityCareDate, Label: "audit.entity.care_date", Model: &CareDate{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Enum("kind", "aftersale.dates.kind", "aftersale.dates.kind.", "birthday", "founding"),
				audit.Ref("contact_id", "aftersale.dates.contact", "contact"),
				audit.Number("month", "aftersale.dates.month"),
				audit.Number("day", "aftersale.dates.day"),
				audit.Number("year", "aftersale.dates.year"),
				audit.Text("label", "aftersale.dates.label"),
			}},
		{Name: EntityCareDone, Label: "audit.entity.care_done", Model: &CareDone{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Text("event_key", "aftersale.care.event"),
				audit.Date("on_date", "aftersale.care.on"),
				audit.Enum("how", "aftersale.care.how", "aftersale.how.", CareHows...),
				audit.Text("note", "aftersale.care.note"),
				audit.Ref("by_id", "aftersale.touch.by", "user"),
			}},
		{Name: EntitySettings, Label: "audit.entity.aftersale_settings", Model: &Settings{},
			Fields: []audit.Field{
				audit.Hidden("branch_id"),
				audit.Number("freq_a", "aftersale.settings.freq_a"),
				audit.Number("freq_b", "aftersale.settings.freq_b"),
				audit.Number("freq_c", "aftersale.settings.freq_c"),
				audit.Number("freq_d", "aftersale.settings.freq_d"),
				audit.LongText("categories", "aftersale.settings.categories"),
				audit.Number("auto_close_days", "aftersale.settings.auto_close"),
				audit.Number("urgent_response_h", "aftersale.settings.urgent_response_h"),
				audit.Number("urgent_resolve_h", "aftersale.settings.urgent_resolve_h"),
				audit.Bool("urgent_all_day", "aftersale.settings.urgent_all_day"),
				audit.Number("major_response_h", "aftersale.settings.major_response_h"),
				audit.Number("major_resolve_h", "aftersale.settings.major_resolve_h"),
				audit.Bool("major_all_day", "aftersale.settings.major_all_day"),
				audit.Number("normal_response_h", "aftersale.settings.normal_response_h"),
				audit.Number("normal_resolve_h", "aftersale.settings.normal_resolve_h"),
				audit.Bool("normal_all_day", "aftersale.settings.normal_all_day"),
				audit.Number("director_pct", "aftersale.settings.director_pct"),
			}},
	}
	for _, e := range entities {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	h.Resolve(EntityRequest, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var rows []Request
		if err := svc.store.byIDs(ctx, &rows, "service_requests", ids); err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, customers, r.Subject, rows, func(x Request) (uint, uint, audit.Name) {
			return x.ID, x.CustomerID, audit.Name{Text: RequestNo(x.ID), Link: requestLink(x.ID)}
		})
	})
	h.Resolve(EntityCallback, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var rows []Callback
		if err := svc.store.byIDs(ctx, &rows, "callbacks", ids); err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, customers, r.Subject, rows, func(x Callback) (uint, uint, audit.Name) {
			return x.ID, x.CustomerID, audit.Name{Text: r.L.T("aftersale.callback.title") + " " + x.DueOn.Format("2006-01-02"), Link: fmt.Sprintf("/aftersale/callbacks/%d", x.ID)}
		})
	})
	h.Resolve(EntityTouch, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var rows []Touch
		if err := svc.store.byIDs(ctx, &rows, "care_touches", ids); err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, customers, r.Subject, rows, func(x Touch) (uint, uint, audit.Name) {
			return x.ID, x.CustomerID, audit.Name{Text: r.L.T("aftersale.touch.kind." + x.Kind), Link: fmt.Sprintf("/customers/%d/aftersale", x.CustomerID)}
		})
	})
	h.Resolve(EntityCareDate, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var rows []CareDate
		if err := svc.store.byIDs(ctx, &rows, "care_dates", ids); err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, customers, r.Subject, rows, func(x CareDate) (uint, uint, audit.Name) {
			return x.ID, x.CustomerID, audit.Name{Text: r.L.T("aftersale.dates.kind."+x.Kind) + " " + x.Label, Link: fmt.Sprintf("/customers/%d/aftersale", x.CustomerID)}
		})
	})
	h.Resolve(EntityCareDone, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var rows []CareDone
		if err := svc.store.byIDs(ctx, &rows, "care_done", ids); err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, customers, r.Subject, rows, func(x CareDone) (uint, uint, audit.Name) {
			return x.ID, x.CustomerID, audit.Name{Text: r.L.T("aftersale.care.done") + " " + x.OnDate.Format("2006-01-02"), Link: fmt.Sprintf("/customers/%d/aftersale", x.CustomerID)}
		})
	})
	h.Resolve(EntitySettings, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		out := make(map[uint]audit.Name, len(ids))
		for _, id := range ids {
			out[id] = audit.Name{Text: r.L.T("aftersale.settings.title")}
		}
		return out, nil
	})
	return nil
}

// byIDs loads the rows of a table among ids, deleted ones too (the
// history's one batched lookup per type).
func (s *Store) byIDs(ctx context.Context, dst any, table string, ids []uint) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.db.WithContext(ctx).Unscoped().Table(table).Where("id IN ?", ids).Find(dst).Error; err != nil {
		return fmt.Errorf("%s by ids: %w", table, err)
	}
	return nil
}
