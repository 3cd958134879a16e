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
	Lines []BriefLine
}

// BriefLine is one line of a brief section: a message id and its
// arguments ("Key", value pairs), worded in the reader's language when the
// page or the PDF is made — a section knows the records, not the reader.
type BriefLine struct {
	ID   string
	Args []any
}

// Line makes a BriefLine.
func Line(id string, args ...any) BriefLine { return BriefLine{ID: id, Args: args} }

// Translator is what words a line: the page's i18n.Localizer, or the
// PDF's T (as TFunc).
type Translator interface {
	T(id string, args ...any) string
}

// TFunc adapts a T function to Translator.
type TFunc func(id string, args ...any) string

// T words id with args.
func (f TFunc) T(id string, args ...any) string { return f(id, args...) }

// In words the line for the reader (templates: {{.In $.L}}).
func (l BriefLine) In(tr Translator) string { return tr.T(l.ID, l.Args...) }

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
