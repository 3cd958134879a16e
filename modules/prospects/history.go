package prospects

import (
	"context"
	"fmt"
	"slices"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// historyLimit is how many entries a record's page shows.
const historyLimit = 50

// qualAnswers are the answers to each of the four signs.
var qualAnswers = []string{QualYes, QualPartly, QualNo}

// DescribeHistory tells the history how customers, key persons and
// opportunities read, and names them for readers who may see them.
func DescribeHistory(h *audit.History, svc *Service) error {
	entities := []audit.Entity{
		{Name: "customer", Label: "audit.entity.customer", Model: &Customer{},
			Actions: []string{audit.ActionRestore, "reassign", ActionSetParent},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Text("name", "customers.name"),
				audit.Text("credit_code", "customers.credit_code"),
				audit.Enum("industry", "customers.industry", "industry.", Industries...),
				audit.Enum("grade", "customers.grade", "grade.", Grades...),
				audit.Enum("status", "customers.status", "status.", Statuses...),
				audit.Number("headcount", "customers.headcount"),
				audit.Money("annual_spend_fen", "history.f.annual_spend"),
				audit.Text("region", "customers.region"),
				audit.Text("address", "customers.address"),
				audit.EnumList("competitors", "customers.competitors", "competitor.", Competitors...),
				audit.Ref("owner_id", "customers.owner", "user"),
				audit.Ref("chief_rep_id", "customers.chief_rep", "user"),
				audit.Ref("team_id", "users.team", "team"),
				audit.Ref("branch_id", "users.branch", "branch"),
				audit.Ref("parent_id", "hierarchy.parent", "customer"),
				audit.Enum("qual_pay", "qual.pay", "qual.answer.", qualAnswers...),
				audit.LongText("qual_pay_note", "history.f.qual_pay_note"),
				audit.Enum("qual_need", "qual.need", "qual.answer.", qualAnswers...),
				audit.LongText("qual_need_note", "history.f.qual_need_note"),
				audit.Enum("qual_authority", "qual.authority", "qual.answer.", qualAnswers...),
				audit.LongText("qual_authority_note", "history.f.qual_authority_note"),
				audit.Enum("qual_acceptance", "qual.acceptance", "qual.answer.", qualAnswers...),
				audit.LongText("qual_acceptance_note", "history.f.qual_acceptance_note"),
				audit.Number("qual_score", "customers.score"),
			}},
		{Name: "contact", Label: "audit.entity.contact", Model: &Contact{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Text("name", "contacts.name"),
				audit.Text("title", "contacts.title"),
				audit.Enum("role", "contacts.role", "contact_role.", ContactRoles...),
				audit.Enum("attitude", "contacts.attitude", "attitude.", Attitudes...),
				audit.Text("mobile", "contacts.mobile"),
				audit.Text("phone", "contacts.phone"),
				audit.Text("email", "users.email"),
				audit.Date("birthday", "contacts.birthday"),
				audit.LongText("preferences", "contacts.preferences"),
				audit.LongText("notes", "contacts.notes"),
			}},
		{Name: "opportunity", Label: "audit.entity.opportunity", Model: &Opportunity{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("customer_id", "history.f.customer", "customer"),
				audit.Text("title", "opportunities.name"),
				audit.Text("products", "opportunities.products"),
				audit.Money("monthly_fen", "history.f.opp_monthly"),
				audit.Money("one_time_fen", "history.f.opp_one_time"),
				audit.Date("expected_close", "opportunities.expected_close"),
				audit.Enum("stage", "opportunities.stage", "stage.", Stages...),
				audit.Percent("probability", "opportunities.probability"),
				audit.Ref("owner_id", "customers.owner", "user"),
				audit.Enum("lost_reason", "opportunities.lost_reason", "lost.", LostReasons...),
				audit.LongText("lost_note", "history.f.lost_note"),
				// The stage itself is listed; when it moved is the entry's time.
				audit.Hidden("stage_changed_at"),
			}},
	}
	for _, e := range entities {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	// A deleted customer keeps its name in the history (its deletion is
	// an entry too), marked and without a link.
	h.Resolve("customer", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.customerNames(ctx, svc.Scope(r.Subject, "read"), ids, true)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(rows))
		for _, c := range rows {
			if c.DeletedAt.Valid {
				out[c.ID] = audit.Name{Text: c.Name + r.L.T("history.deleted")}
			} else {
				out[c.ID] = audit.Name{Text: c.Name, Link: fmt.Sprintf("/customers/%d", c.ID)}
			}
		}
		return out, nil
	})
	h.Resolve("contact", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.contactsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return NamedUnder(ctx, svc, r.Subject, rows, func(c Contact) (uint, uint, audit.Name) {
			return c.ID, c.CustomerID, audit.Name{Text: c.Name, Link: fmt.Sprintf("/customers/%d#contacts", c.CustomerID)}
		})
	})
	h.Resolve("opportunity", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.opportunitiesByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return NamedUnder(ctx, svc, r.Subject, rows, func(o Opportunity) (uint, uint, audit.Name) {
			return o.ID, o.CustomerID, audit.Name{Text: o.Title, Link: opportunityURL(o.ID)}
		})
	})
	return nil
}

// ReadableCustomers names the customers among ids that actor may read, in
// one query. Other modules' history resolvers use it: a record hanging
// off a customer is readable exactly when its customer is.
func (s *Service) ReadableCustomers(ctx context.Context, actor authz.Subject, ids []uint) (map[uint]string, error) {
	rows, err := s.store.customerNames(ctx, s.Scope(actor, "read"), ids, false)
	if err != nil {
		return nil, err
	}
	out := make(map[uint]string, len(rows))
	for _, c := range rows {
		out[c.ID] = c.Name
	}
	return out, nil
}

// NamedUnder names records that hang off a customer (key persons,
// visits, needs, proposals…): fn gives each record's id, its customer and
// its name, and only the records whose customer actor may read are kept,
// with one query for all of them.
func NamedUnder[T any](ctx context.Context, s *Service, actor authz.Subject, rows []T, fn func(T) (id, customerID uint, n audit.Name)) (map[uint]audit.Name, error) {
	customers := make([]uint, 0, len(rows))
	for _, r := range rows {
		_, c, _ := fn(r)
		if !slices.Contains(customers, c) {
			customers = append(customers, c)
		}
	}
	readable, err := s.ReadableCustomers(ctx, actor, customers)
	if err != nil {
		return nil, err
	}
	out := make(map[uint]audit.Name, len(rows))
	for _, r := range rows {
		id, c, n := fn(r)
		if _, ok := readable[c]; ok {
			out[id] = n
		}
	}
	return out, nil
}

// OpportunityHistory is an opportunity's trail, newest first. The caller
// has checked that the reader may see the opportunity.
func (s *Service) OpportunityHistory(ctx context.Context, id uint) ([]audit.Entry, error) {
	entries, _, err := audit.List(ctx, s.store.DB(), audit.Query{Entity: "opportunity", EntityID: id, Limit: historyLimit})
	return entries, err
}

// --- store: the lookups the history needs, one query each

// customerNames loads the id, name and deletion time of the customers
// among ids that pass scope; deleted ones only if withDeleted.
func (s *Store) customerNames(ctx context.Context, scope authz.ListScope, ids []uint, withDeleted bool) ([]Customer, error) {
	var out []Customer
	if len(ids) == 0 {
		return out, nil
	}
	q := db.Conn(ctx, s.db)
	if withDeleted {
		q = q.Unscoped()
	}
	err := scope.Apply(q.Model(&Customer{}), customerCols).Select("customers.id, customers.name, customers.deleted_at").
		Where("customers.id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("customer names: %w", err)
	}
	return out, nil
}

// contactsByIDs loads the live key persons among ids.
func (s *Store) contactsByIDs(ctx context.Context, ids []uint) ([]Contact, error) {
	var out []Contact
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Select("id, customer_id, name").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("contacts by ids: %w", err)
	}
	return out, nil
}

// opportunitiesByIDs loads the live opportunities among ids.
func (s *Store) opportunitiesByIDs(ctx context.Context, ids []uint) ([]Opportunity, error) {
	var out []Opportunity
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Select("id, customer_id, title").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("opportunities by ids: %w", err)
	}
	return out, nil
}
