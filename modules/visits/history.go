package visits

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
)

// historyLimit is how many entries a visit's page shows.
const historyLimit = 50

// DescribeHistory tells the history how visits, their records and to-dos
// read, and names them for readers who may see their customer.
func DescribeHistory(h *audit.History, svc *Service) error {
	plan := []audit.Field{
		audit.Hidden("id"),
		audit.Ref("customer_id", "history.f.customer", "customer"),
		audit.Enum("kind", "visits.kind", "visit_kind.", Kinds...),
		audit.DateTime("starts_at", "visits.when"),
		audit.Number("duration_min", "visits.duration"),
		audit.LongText("objective", "visits.objective"),
		audit.Text("location", "visits.location"),
		audit.Enum("status", "visits.status", "visit_status.", Statuses...),
		audit.LongText("cancel_reason", "visits.cancel_reason"),
		audit.Ref("owner_id", "customers.owner", "user"),
		audit.Ref("prev_visit_id", "visits.prev", "visit"),
		// The reminder job's bookkeeping, not the user's record.
		audit.Hidden("prep_reminded_at"),
		audit.Hidden("record_reminded_at"),
	}
	for _, item := range ChecklistItems {
		plan = append(plan, audit.Bool("chk_"+item, "checklist."+item))
	}
	entities := []audit.Entity{
		{Name: "visit", Label: "audit.entity.visit", Model: &Plan{}, Fields: plan},
		{Name: "visit_record", Label: "audit.entity.visit_record", Model: &Record{},
			Actions: []string{"late_edit"},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("visit_id", "history.f.visit", "visit"),
				audit.LongText("discussed", "visits.discussed"),
				audit.Enum("attitude", "visits.attitude", "visit_attitude.", Attitudes...),
				audit.LongText("needs_text", "visits.needs_text"),
				audit.LongText("next_step", "visits.next_step"),
				audit.Date("next_date", "visits.next_date"),
				audit.Ref("next_visit_id", "history.f.next_visit", "visit"),
			}},
		{Name: "visit_todo", Label: "audit.entity.visit_todo", Model: &Todo{},
			Actions: []string{"done"},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Text("title", "visits.todo"),
				audit.Date("due_date", "history.f.due_date"),
				audit.Ref("owner_id", "customers.owner", "user"),
				audit.Ref("visit_id", "history.f.visit", "visit"),
				audit.DateTime("done_at", "history.f.done_at"),
				audit.Ref("done_by", "history.f.done_by", "user"),
			}},
	}
	for _, e := range entities {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	// A visit reads as its kind and time ("需求访谈 · 2026-03-02 10:00").
	visitName := func(r audit.Reader, p Plan) string {
		return r.L.T("visit_kind."+p.Kind) + " · " + p.StartsAt.In(r.Loc).Format("2006-01-02 15:04")
	}
	h.Resolve("visit", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.plansByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(p Plan) (uint, uint, audit.Name) {
			return p.ID, p.CustomerID, audit.Name{Text: visitName(r, p), Link: visitURL(p.ID)}
		})
	})
	h.Resolve("visit_record", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.recordPlans(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(x recordPlan) (uint, uint, audit.Name) {
			return x.RecordID, x.CustomerID, audit.Name{Text: visitName(r, x.Plan), Link: visitURL(x.ID) + "#record"}
		})
	})
	h.Resolve("visit_todo", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.todosByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(t Todo) (uint, uint, audit.Name) {
			n := audit.Name{Text: t.Title}
			if t.VisitID != nil {
				n.Link = visitURL(*t.VisitID) + "#todo"
			}
			return t.ID, t.CustomerID, n
		})
	})
	return nil
}

// HistoryOf is the trail of a visit page: the plan's, its record's and
// its to-do's entries, newest first. The caller has loaded d for the
// reader, so the reader may see them.
func (s *Service) HistoryOf(ctx context.Context, d *Detail) ([]audit.Entry, error) {
	of := []audit.Target{{Entity: "visit", ID: d.Plan.ID}}
	if d.Record != nil {
		of = append(of, audit.Target{Entity: "visit_record", ID: d.Record.ID})
	}
	if d.Todo != nil {
		of = append(of, audit.Target{Entity: "visit_todo", ID: d.Todo.ID})
	}
	entries, _, err := audit.List(ctx, s.store.DB(), audit.Query{Of: of, Limit: historyLimit})
	return entries, err
}

// --- store: the lookups the history needs, one query each

// plansByIDs loads the live plans among ids.
func (s *Store) plansByIDs(ctx context.Context, ids []uint) ([]Plan, error) {
	var out []Plan
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Select("id, customer_id, kind, starts_at").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("plans by ids: %w", err)
	}
	return out, nil
}

// recordPlan is a visit record's id with its plan.
type recordPlan struct {
	RecordID uint
	Plan
}

// recordPlans loads the plans of the records among ids.
func (s *Store) recordPlans(ctx context.Context, ids []uint) ([]recordPlan, error) {
	var out []recordPlan
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Table("visit_records").
		Select("visit_records.id AS record_id, visit_plans.id, visit_plans.customer_id, visit_plans.kind, visit_plans.starts_at").
		Joins("JOIN visit_plans ON visit_plans.id = visit_records.visit_id AND visit_plans.deleted_at IS NULL").
		Where("visit_records.id IN ?", ids).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("record plans: %w", err)
	}
	return out, nil
}

// todosByIDs loads the to-dos among ids.
func (s *Store) todosByIDs(ctx context.Context, ids []uint) ([]Todo, error) {
	var out []Todo
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Select("id, customer_id, visit_id, title").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("todos by ids: %w", err)
	}
	return out, nil
}
