package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Need is a customer need (客户需求) found on a visit or by hand.
type Need struct {
	ID            uint      `json:"id"`
	CustomerID    uint      `json:"customer_id"`
	Category      string    `json:"category" doc:"A service category (servicecat)."`
	Description   string    `json:"description"`
	Priority      string    `json:"priority" enum:"high,medium,low"`
	Status        string    `json:"status" enum:"open,addressed,closed"`
	ContactID     *uint     `json:"contact_id"`
	OpportunityID *uint     `json:"opportunity_id"`
	SourceVisitID *uint     `json:"source_visit_id" doc:"The visit record the need was found in."`
	OwnerID       uint      `json:"owner_id" doc:"Who owned the customer when the need was raised."`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// NeedListed is a need of a list with the names the portal's list shows.
type NeedListed struct {
	Need
	CustomerName     string `json:"customer_name"`
	OwnerName        string `json:"owner_name" doc:"The customer's owner now."`
	ContactName      string `json:"contact_name"`
	OpportunityTitle string `json:"opportunity_title"`
}

var needSorts = []string{"updated", "created", "priority", "status", "customer", "category"}

func (a *API) need(n *needs.Need) Need {
	return Need{ID: n.ID, CustomerID: n.CustomerID, Category: n.Category, Description: n.Description, Priority: n.Priority,
		Status: n.Status, ContactID: n.ContactID, OpportunityID: n.OpportunityID, SourceVisitID: n.SourceVisitID, OwnerID: n.OwnerID,
		Version: n.Version, CreatedAt: a.ts(n.CreatedAt), UpdatedAt: a.ts(n.UpdatedAt)}
}

func (a *API) routesNeeds() {
	read := web.Allow("customer", "read")
	filters := append([]Param{
		{Name: "q", Type: "string", Doc: "Search the description and the customer"},
		{Name: "status", Type: "string", Enum: needs.Statuses}, {Name: "category", Type: "string", Enum: servicecat.Keys()},
		{Name: "priority", Type: "string", Enum: needs.Priorities}, {Name: "owner_id", Type: "integer", Doc: "The customer's owner"},
	}, sortParams(needSorts, "updated (newest first)")...)
	a.add(fiber.MethodGet, "/needs", read, Op{ID: "listNeeds", Tag: "needs", Summary: "Needs of the customers you may read, filtered like the portal's list",
		Result: NeedListed{}, List: true, Query: paged(filters...)}, a.listNeeds)
	a.add(fiber.MethodGet, "/customers/:id/needs", read, Op{ID: "listCustomerNeeds", Tag: "needs", Summary: "A customer's needs",
		Result: NeedListed{}, List: true, Query: paged(filters...)}, a.listNeeds)
	a.add(fiber.MethodGet, "/needs/:id", read, Op{ID: "getNeed", Tag: "needs", Summary: "One need", Result: Need{}, Versioned: true},
		get(a.getNeed))
}

func (a *API) listNeeds(c *fiber.Ctx) error {
	q := newQuery(c)
	f := needs.NeedFilter{Q: q.str("q"), Status: q.enum("status", needs.Statuses), Category: q.enum("category", servicecat.Keys()),
		Priority: q.enum("priority", needs.Priorities), OwnerID: q.id("owner_id")}
	f.Sort, f.Desc = q.sort(needSorts, "updated", "updated", "created")
	if err := q.err(); err != nil {
		return err
	}
	// A customer's list: ListNeeds makes a customer out of scope a 404.
	var err error
	if f.CustomerID, err = pathID(c); err != nil {
		return err
	}
	return listed(c, keyset{Sort: f.Sort, Desc: f.Desc, Kind: needs.NeedSortKinds[f.Sort]}, func(q pageQuery) ([]needs.NeedRow, int64, error) {
		f.After, f.Limit = q.After, q.Limit
		return a.deps.Needs.ListNeeds(ctxOf(c), subject(c), f)
	}, func(r *needs.NeedRow) []any { return needs.NeedPosition(f, r) }, func(r *needs.NeedRow) NeedListed {
		return NeedListed{Need: a.need(&r.Need), CustomerName: r.CustomerName, OwnerName: r.OwnerName, ContactName: r.ContactName,
			OpportunityTitle: r.OpportunityTitle}
	})
}

func (a *API) getNeed(c *fiber.Ctx, id uint) (answer, error) {
	n, _, err := a.deps.Needs.Need(ctxOf(c), subject(c), id, "read")
	if err != nil {
		return answer{}, err
	}
	return answer{Body: a.need(n), Version: n.Version}, nil
}
