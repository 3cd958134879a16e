package needs

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/prospects"
)

// DescribeHistory tells the history how analyses, current services and
// needs read, and names them for readers who may see their customer.
func DescribeHistory(h *audit.History, svc *Service) error {
	entities := []audit.Entity{
		{Name: EntityAnalysis, Label: "audit.entity.customer_analysis", Model: &CustomerAnalysis{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.LongText("pain_points", "analysis.pain_points"),
				audit.Money("it_budget_fen", "history.f.it_budget"),
				audit.LongText("decision_calendar", "analysis.decision_calendar"),
				audit.LongText("notes", "analysis.notes"),
			}},
		{Name: EntityService, Label: "audit.entity.customer_service", Model: &CustomerService{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Enum("service", "analysis.service", servicecat.LabelPrefix, servicecat.Recorded()...),
				audit.Enum("supplier", "analysis.supplier", "analysis.supplier.", Suppliers...),
				audit.Text("description", "analysis.description"),
				audit.Money("monthly_spend_fen", "history.f.monthly_spend"),
				audit.Date("contract_end", "analysis.contract_end"),
			}},
		{Name: EntityNeed, Label: "audit.entity.need", Model: &Need{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.LongText("description", "needs.description"),
				audit.Enum("category", "needs.category", servicecat.LabelPrefix, servicecat.Recorded()...),
				audit.Enum("priority", "needs.priority", "needs.priority.", Priorities...),
				audit.Enum("status", "needs.status", "needs.status.", Statuses...),
				audit.Ref("contact_id", "needs.contact", "contact"),
				audit.Ref("opportunity_id", "needs.opportunity", "opportunity"),
				audit.Ref("source_visit_id", "needs.from_visit", "visit"),
				audit.Ref("owner_id", "needs.owner", "user"),
			}},
	}
	for _, e := range entities {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	analysisURL := func(customerID uint) string { return fmt.Sprintf("/customers/%d/analysis", customerID) }
	h.Resolve(EntityAnalysis, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.analysesByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(a CustomerAnalysis) (uint, uint, audit.Name) {
			return a.ID, a.CustomerID, audit.Name{Text: r.L.T("audit.entity.customer_analysis"), Link: analysisURL(a.CustomerID)}
		})
	})
	// A service line reads as what it is and who supplies it ("专线 ·
	// 电信"); deleted lines keep their name, so the deletion reads.
	h.Resolve(EntityService, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.servicesByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(cs CustomerService) (uint, uint, audit.Name) {
			n := audit.Name{Text: r.L.T(servicecat.Label(cs.Service)) + " · " + r.L.T("analysis.supplier."+cs.Supplier)}
			if !cs.DeletedAt.Valid {
				n.Link = analysisURL(cs.CustomerID)
			}
			return cs.ID, cs.CustomerID, n
		})
	})
	h.Resolve(EntityNeed, func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.needsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(n Need) (uint, uint, audit.Name) {
			return n.ID, n.CustomerID, audit.Name{Text: n.Short(), Link: needAnchor(&n)}
		})
	})
	return nil
}

// --- store: the lookups the history needs, one query each

// analysesByIDs loads the analyses among ids.
func (s *Store) analysesByIDs(ctx context.Context, ids []uint) ([]CustomerAnalysis, error) {
	var out []CustomerAnalysis
	if len(ids) == 0 {
		return out, nil
	}
	if err := db.Conn(ctx, s.db).Select("id, customer_id").Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("analyses by ids: %w", err)
	}
	return out, nil
}

// servicesByIDs loads the service lines among ids, deleted ones too.
func (s *Store) servicesByIDs(ctx context.Context, ids []uint) ([]CustomerService, error) {
	var out []CustomerService
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Unscoped().Select("id, customer_id, service, supplier, deleted_at").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("services by ids: %w", err)
	}
	return out, nil
}

// needsByIDs loads the live needs among ids.
func (s *Store) needsByIDs(ctx context.Context, ids []uint) ([]Need, error) {
	var out []Need
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Select("id, customer_id, description").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("needs by ids: %w", err)
	}
	return out, nil
}
