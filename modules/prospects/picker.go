package prospects

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// PickLimit is how many customers the customer picker offers at most:
// enough to choose from, few enough to read on a phone.
const PickLimit = 10

// PickMatch is one customer the picker offers, with the link that goes on
// with the action for it.
type PickMatch struct {
	ID     uint
	Name   string
	Grade  string
	Region string
	Href   string
}

// Picker is what templates/partials/customer_picker shows: the search
// form, which works without JavaScript (a plain GET to Action, which lists
// the matches), and with htmx asks SearchURL as one types.
type Picker struct {
	// Q is what was typed.
	Q string
	// Action is the page the plain search form submits to.
	Action string
	// Target is the local path a chosen customer leads to; "{id}" in it
	// becomes the customer's id.
	Target string
	// SearchURL is the type-ahead endpoint, with Target attached.
	SearchURL string
	// Next, when set, goes along with the plain form as "next" (the
	// picker's own page needs to be told the target).
	Next    string
	Matches []PickMatch
	// More says the list stops at PickLimit: type more to narrow it.
	More bool
}

// PickCustomers finds the customers actor may read whose name, credit code
// or key persons contain q (the customer list's search, with the same
// scope), at most PickLimit, most recently changed first. An empty q finds
// nothing. Each match links to target with "{id}" replaced.
func (s *Service) PickCustomers(ctx context.Context, actor authz.Subject, q, target string) ([]PickMatch, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	rows, _, err := s.ListCustomers(ctx, actor, CustomerFilter{Q: q, Limit: PickLimit})
	if err != nil {
		return nil, err
	}
	out := make([]PickMatch, len(rows))
	for i, c := range rows {
		out[i] = PickMatch{ID: c.ID, Name: c.Name, Grade: c.Grade, Region: c.Region,
			Href: strings.ReplaceAll(target, "{id}", strconv.FormatUint(uint64(c.ID), 10))}
	}
	return out, nil
}

// NewPicker prepares the picker for a page: action is that page (the plain
// form's target), target where a chosen customer leads.
func (s *Service) NewPicker(ctx context.Context, actor authz.Subject, q, action, target string) (*Picker, error) {
	matches, err := s.PickCustomers(ctx, actor, q, target)
	if err != nil {
		return nil, err
	}
	return &Picker{Q: strings.TrimSpace(q), Action: action, Target: target, Matches: matches, More: len(matches) == PickLimit,
		SearchURL: "/customers/pick?next=" + url.QueryEscape(target)}, nil
}
