package prospects

import (
	"context"
	"sort"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
)

// TimelineEntry is one event on a customer's timeline. MsgID and Args are
// translated in the template, so every module's entries follow the
// reader's language.
type TimelineEntry struct {
	At      time.Time
	Kind    string // css hint: customer, contact, opportunity, stage, visit, …
	MsgID   string
	Args    []any
	Detail  string
	Link    string
	ActorID uint
	// Entity and Fields name the columns an update changed; the page
	// lists them by their labels (audit.History.FieldLabels) in Detail.
	Entity string
	Fields []string
}

// DetailValue is Detail for the page: a long text (a visit's discussion,
// a comment) shows its start with "show more".
func (e TimelineEntry) DetailValue() audit.Value { return audit.Shorten(e.Detail) }

// TimelineSource yields the entries one module has for a customer.
type TimelineSource func(ctx context.Context, customerID uint) ([]TimelineEntry, error)

// Timeline is the one registration point through which modules (visits,
// needs, proposals, contracts, after-sale) add entries to the customer
// page. It is wired in cmd/jike, so no module imports a higher one.
type Timeline struct {
	sources []TimelineSource
	links   []CustomerLink
	actions []CustomerLink // see AddCustomerAction
}

// Register adds a source.
func (t *Timeline) Register(src TimelineSource) { t.sources = append(t.sources, src) }

// For merges every source's entries for a customer, newest first, and
// keeps at most limit of them.
func (t *Timeline) For(ctx context.Context, customerID uint, limit int) ([]TimelineEntry, error) {
	var all []TimelineEntry
	for _, src := range t.sources {
		entries, err := src(ctx, customerID)
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.After(all[j].At) })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// CustomerLink is a page about one customer that another module offers
// (客户分析, 需求, 走访…); the customer page lists these links.
type CustomerLink struct {
	// Label is an i18n message id.
	Label string
	// Path is appended to /customers/{id}/, e.g. "analysis".
	Path string
	// Order sorts the links.
	Order int
}

// AddCustomerLink registers a link shown on every customer page.
func (t *Timeline) AddCustomerLink(l CustomerLink) {
	t.links = append(t.links, l)
	sort.SliceStable(t.links, func(i, j int) bool { return t.links[i].Order < t.links[j].Order })
}

// CustomerLinks lists the registered links.
func (t *Timeline) CustomerLinks() []CustomerLink { return t.links }
