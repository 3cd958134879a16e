package visits

import (
	"context"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/prospects"
)

// Brief is the one-page preparation sheet for a planned visit (走访前准备):
// who the customer is, whom we meet and how they stand, what is open, what
// happened the last three times, and what other modules add.
type Brief struct {
	Detail
	OpenOpportunities []prospects.Opportunity
	LastVisits        []BriefVisit
	Sections          []BriefPart
	Users             map[uint]org.User
}

// BriefVisit is one earlier visit with its record.
type BriefVisit struct {
	Plan   PlanRow
	Record Record
}

// BriefPart is a registered section with its lines.
type BriefPart struct {
	Title string
	Lines []string
}

// Brief assembles the pre-visit brief of visit id.
func (s *Service) Brief(ctx context.Context, actor authz.Subject, id uint) (*Brief, error) {
	d, err := s.Detail(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	b := &Brief{Detail: *d}
	opps, err := s.prospects.Opportunities(ctx, actor, d.Customer.ID)
	if err != nil {
		return nil, err
	}
	for _, o := range opps {
		if !o.Closed() {
			b.OpenOpportunities = append(b.OpenOpportunities, o)
		}
	}
	past, _, err := s.store.ListPlans(ctx, s.prospects.Scope(actor, "read"), PlanFilter{CustomerID: d.Customer.ID,
		Statuses: []string{StatusDone}, Desc: true, Limit: 4})
	if err != nil {
		return nil, err
	}
	ids := make([]uint, 0, len(past))
	for _, p := range past {
		if p.ID != id {
			ids = append(ids, p.ID)
		}
	}
	records, err := s.store.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range past {
		if r, ok := records[p.ID]; ok && len(b.LastVisits) < 3 {
			b.LastVisits = append(b.LastVisits, BriefVisit{Plan: p, Record: r})
		}
	}
	for _, sec := range s.sections {
		title, lines, err := sec(ctx, actor, d.Customer.ID)
		if err != nil {
			return nil, err
		}
		b.Sections = append(b.Sections, BriefPart{Title: title, Lines: lines})
	}
	userIDs := []uint{d.Customer.OwnerID}
	if d.Customer.ChiefRepID != nil {
		userIDs = append(userIDs, *d.Customer.ChiefRepID)
	}
	if b.Users, err = s.org.UsersByIDs(ctx, userIDs); err != nil {
		return nil, err
	}
	return b, nil
}
