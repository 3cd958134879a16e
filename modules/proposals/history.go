package proposals

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
)

// DescribeHistory tells the history how proposal versions read, and names
// them for readers who may see their customer.
func DescribeHistory(h *audit.History, svc *Service) error {
	fields := []audit.Field{
		audit.Hidden("id"),
		audit.Text("number", "proposals.number"),
		// Version is recorded only when a new version is made.
		audit.Number("version", "history.f.version"),
		audit.Hidden("root_id"),
		audit.Ref("customer_id", "proposals.customer", "customer"),
		audit.Ref("opportunity_id", "proposals.opportunity", "opportunity"),
		audit.Ref("owner_id", "proposals.owner", "user"),
		audit.Text("title", "proposals.title_field"),
		audit.Enum("status", "proposals.status", "proposals.status.", Statuses...),
		audit.Date("valid_until", "proposals.valid_until"),
		audit.Money("monthly_fen", "proposals.monthly_total"),
		audit.Money("one_time_fen", "proposals.one_time_total"),
		audit.Money("total_fen", "proposals.total"),
		audit.Bool("needs_chief", "history.f.needs_chief"),
		audit.Bool("needs_director", "history.f.needs_director"),
		audit.Ref("chief_approved_by", "history.f.chief_approved_by", "user"),
		audit.Ref("director_approved_by", "history.f.director_approved_by", "user"),
		audit.DateTime("sent_at", "proposals.sent_at"),
		audit.DateTime("decided_at", "history.f.decided_at"),
	}
	for _, sec := range Sections {
		fields = append(fields, audit.LongText(sec, "proposals.section."+sec))
	}
	err := h.Describe(audit.Entity{Name: "proposal", Label: "audit.entity.proposal", Model: &Proposal{}, Fields: fields,
		Actions: []string{"submit", "approve", "reject", "send", "customer_accept", "customer_reject", "new_version"}})
	if err != nil {
		return err
	}
	h.Resolve("proposal", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.byIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		return prospects.NamedUnder(ctx, svc.prospects, r.Subject, rows, func(p Proposal) (uint, uint, audit.Name) {
			return p.ID, p.CustomerID, audit.Name{Text: p.Title + " · " + r.L.T("proposals.version_n", "N", p.Version),
				Link: "/proposals/" + strconv.FormatUint(uint64(p.ID), 10)}
		})
	})
	return nil
}

// --- store: the lookups the history needs, one query each

// byIDs loads the live proposal versions among ids.
func (s *Store) byIDs(ctx context.Context, ids []uint) ([]Proposal, error) {
	var out []Proposal
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Conn(ctx, s.db).Select("id, customer_id, title, version").Where("id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("proposals by ids: %w", err)
	}
	return out, nil
}
