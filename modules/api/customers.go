package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// Customer is a group customer (集团客户) as the API shows it.
type Customer struct {
	ID              uint          `json:"id"`
	Name            string        `json:"name"`
	CreditCode      string        `json:"credit_code" doc:"Unified social credit code (统一社会信用代码), 18 characters."`
	Industry        string        `json:"industry" enum:"gov,finance,education,healthcare,manufacturing,logistics,energy,trade,internet,other"`
	Grade           string        `json:"grade" enum:"A,B,C,D"`
	Headcount       int           `json:"headcount"`
	AnnualSpendFen  int64         `json:"annual_spend_fen" doc:"Annual telecom spend in fen (分)."`
	AnnualSpendYuan string        `json:"annual_spend_yuan" doc:"The same in yuan, a decimal string (\"1234.56\")."`
	Address         string        `json:"address"`
	Region          string        `json:"region"`
	Status          string        `json:"status" enum:"prospect,active,dormant,churned"`
	Competitors     []string      `json:"competitors"`
	OwnerID         uint          `json:"owner_id"`
	ChiefRepID      *uint         `json:"chief_rep_id"`
	ParentID        *uint         `json:"parent_id" doc:"The group (集团) this customer is a member of; null: top-level."`
	TeamID          uint          `json:"team_id"`
	BranchID        uint          `json:"branch_id"`
	QualScore       int           `json:"qual_score" doc:"Qualification score 0-100."`
	Version         int           `json:"version"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
	Links           CustomerLinks `json:"links"`
}

// CustomerLinks are the customer's related resources.
type CustomerLinks struct {
	Self          string `json:"self"`
	Contacts      string `json:"contacts"`
	Opportunities string `json:"opportunities"`
	Portal        string `json:"portal"`
}

// CustomerCreate is the body of POST /customers.
type CustomerCreate struct {
	Name           string   `json:"name"`
	CreditCode     string   `json:"credit_code"`
	Industry       string   `json:"industry" enum:"gov,finance,education,healthcare,manufacturing,logistics,energy,trade,internet,other"`
	Grade          string   `json:"grade" enum:"A,B,C,D"`
	Headcount      int      `json:"headcount" api:"optional"`
	AnnualSpendFen int64    `json:"annual_spend_fen" api:"optional"`
	Address        string   `json:"address" api:"optional"`
	Region         string   `json:"region" api:"optional"`
	Status         string   `json:"status" enum:"prospect,active,dormant,churned"`
	Competitors    []string `json:"competitors" api:"optional"`
	OwnerID        uint     `json:"owner_id" api:"optional" doc:"The account manager who owns it; default: you."`
	ChiefRepID     uint     `json:"chief_rep_id" api:"optional"`
	ParentID       uint     `json:"parent_id" api:"optional" doc:"The group this customer is a member of (a customer you may read); 0 or absent: top-level."`
	// ConfirmSimilar saves although a customer with a similar name exists
	// (the form's "save anyway"); a same credit code is always refused.
	ConfirmSimilar bool `json:"confirm_similar" api:"optional"`
}

// CustomerPatch is the body of PATCH /customers/{id}: the fields given
// change, the others stay. Owner and chief rep change by reassignment in
// the portal.
type CustomerPatch struct {
	Name           *string   `json:"name,omitempty"`
	CreditCode     *string   `json:"credit_code,omitempty"`
	Industry       *string   `json:"industry,omitempty"`
	Grade          *string   `json:"grade,omitempty"`
	Headcount      *int      `json:"headcount,omitempty"`
	AnnualSpendFen *int64    `json:"annual_spend_fen,omitempty"`
	Address        *string   `json:"address,omitempty"`
	Region         *string   `json:"region,omitempty"`
	Status         *string   `json:"status,omitempty"`
	Competitors    *[]string `json:"competitors,omitempty"`
	ParentID       *uint     `json:"parent_id,omitempty" doc:"Move the customer under this group (a customer you may read, not one of its own members); 0 makes it top-level."`
	ConfirmSimilar bool      `json:"confirm_similar,omitempty"`
}

func (a *API) customer(c *prospects.Customer) Customer {
	comp := c.CompetitorList()
	if comp == nil {
		comp = []string{}
	}
	self := Prefix + "/customers/" + itoa(c.ID)
	return Customer{ID: c.ID, Name: c.Name, CreditCode: c.CreditCode, Industry: c.Industry, Grade: c.Grade, Headcount: c.Headcount,
		AnnualSpendFen: int64(c.AnnualSpendFen), AnnualSpendYuan: yuan(c.AnnualSpendFen), Address: c.Address, Region: c.Region,
		Status: c.Status, Competitors: comp, OwnerID: c.OwnerID, ChiefRepID: c.ChiefRepID, ParentID: c.ParentID, TeamID: c.TeamID, BranchID: c.BranchID,
		QualScore: c.QualScore, Version: c.Version, CreatedAt: a.ts(c.CreatedAt), UpdatedAt: a.ts(c.UpdatedAt),
		Links: CustomerLinks{Self: self, Contacts: self + "/contacts", Opportunities: self + "/opportunities",
			Portal: "/customers/" + itoa(c.ID)}}
}

var customerSorts = []string{"updated", "name", "grade", "score", "spend", "headcount"}

func (a *API) routesCustomers() {
	read, canCreate, write := web.Allow("customer", "read"), web.Allow("customer", "create"), web.Allow("customer", "write")
	a.add(fiber.MethodGet, "/customers", read, Op{ID: "listCustomers", Tag: "customers", Result: Customer{}, List: true,
		Summary: "Customers you may read, filtered and sorted like the portal's list",
		Query: paged(
			Param{Name: "q", Type: "string", Doc: "Search name, credit code and key persons"},
			Param{Name: "grade", Type: "string", Enum: prospects.Grades}, Param{Name: "industry", Type: "string", Enum: prospects.Industries},
			Param{Name: "status", Type: "string", Enum: prospects.Statuses}, Param{Name: "owner_id", Type: "integer"},
			Param{Name: "team_id", Type: "integer"}, Param{Name: "region", Type: "string"}, Param{Name: "min_score", Type: "integer"},
			Param{Name: "sort", Type: "string", Enum: customerSorts, Doc: "Default: updated"},
			Param{Name: "order", Type: "string", Enum: []string{"asc", "desc"}, Doc: "Default: desc for updated, else asc"},
		)}, a.listCustomers)
	a.add(fiber.MethodGet, "/customers/:id", read, Op{ID: "getCustomer", Tag: "customers", Summary: "One customer",
		Result: Customer{}, Versioned: true}, get(a.getCustomer))
	a.add(fiber.MethodPost, "/customers", canCreate, Op{ID: "createCustomer", Tag: "customers", Summary: "Add a customer",
		Body: CustomerCreate{}, Status: 201, Result: Customer{}, Versioned: true, Errors: []int{409}}, create(a.createCustomer))
	a.add(fiber.MethodPatch, "/customers/:id", write, Op{ID: "updateCustomer", Tag: "customers", Summary: "Change a customer's details",
		Body: CustomerPatch{}, Result: Customer{}, Versioned: true, Update: true, Errors: []int{409}}, update(a.updateCustomer))
}

// customerFilter reads the list's filters; unlike the portal (which
// drops a value it does not know), a bad value is a 422 naming it.
func customerFilter(c *fiber.Ctx) (prospects.CustomerFilter, error) {
	q := newQuery(c)
	f := prospects.CustomerFilter{Q: q.str("q"), Grade: q.enum("grade", prospects.Grades), Industry: q.enum("industry", prospects.Industries),
		Status: q.enum("status", prospects.Statuses), Region: q.str("region"), OwnerID: q.id("owner_id"), TeamID: q.id("team_id"),
		MinScore: q.intIn("min_score", 0, 100, 0)}
	f.Sort, f.Desc = q.sort(customerSorts, "updated", "updated")
	return f, q.err()
}

func (a *API) listCustomers(c *fiber.Ctx) error {
	f, err := customerFilter(c)
	if err != nil {
		return err
	}
	ks := keyset{Sort: f.Sort, Desc: f.Desc, Kind: prospects.CustomerSortKinds[f.Sort]}
	return listed(c, ks, func(q pageQuery) ([]prospects.Customer, int64, error) {
		f.After, f.Limit = q.After, q.Limit
		return a.deps.Prospects.ListCustomers(ctxOf(c), subject(c), f)
	}, func(cu *prospects.Customer) []any { return prospects.CustomerPosition(f, cu) }, a.customer)
}

func (a *API) getCustomer(c *fiber.Ctx, id uint) (answer, error) {
	cu, err := a.deps.Prospects.Customer(ctxOf(c), subject(c), id)
	if err != nil {
		return answer{}, err
	}
	return answer{Body: a.customer(cu), Version: cu.Version}, nil
}

func (a *API) createCustomer(c *fiber.Ctx, w *change[CustomerCreate]) (answer, error) {
	in := w.In
	form := prospects.CustomerInput{Name: in.Name, CreditCode: in.CreditCode, Industry: in.Industry, Grade: in.Grade,
		Headcount: strconv.Itoa(in.Headcount), AnnualSpend: money.Fen(in.AnnualSpendFen).Plain(), Address: in.Address,
		Region: in.Region, Status: in.Status, Competitors: in.Competitors, OwnerID: in.OwnerID, ChiefRepID: in.ChiefRepID,
		ParentID: &in.ParentID}
	cu, err := a.deps.Prospects.CreateCustomer(ctxOf(c), subject(c), form, in.ConfirmSimilar)
	if err != nil {
		return answer{}, err
	}
	return answer{Body: a.customer(cu), Version: cu.Version, Location: Prefix + "/customers/" + itoa(cu.ID)}, nil
}

func (a *API) updateCustomer(c *fiber.Ctx, w *change[CustomerPatch]) (answer, error) {
	in := w.In
	ctx, me := ctxOf(c), subject(c)
	cu, err := a.deps.Prospects.Customer(ctx, me, w.ID)
	if err != nil {
		return answer{}, err
	}
	// The form as the portal would show it, with the given fields changed.
	form := prospects.CustomerInput{Name: cu.Name, CreditCode: cu.CreditCode, Industry: cu.Industry, Grade: cu.Grade,
		Headcount: strconv.Itoa(cu.Headcount), AnnualSpend: cu.AnnualSpendFen.Plain(), Address: cu.Address, Region: cu.Region,
		Status: cu.Status, Competitors: cu.CompetitorList(), Version: w.Version}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&form.Name, in.Name)
	set(&form.CreditCode, in.CreditCode)
	set(&form.Industry, in.Industry)
	set(&form.Grade, in.Grade)
	set(&form.Address, in.Address)
	set(&form.Region, in.Region)
	set(&form.Status, in.Status)
	if in.Headcount != nil {
		form.Headcount = strconv.Itoa(*in.Headcount)
	}
	if in.AnnualSpendFen != nil {
		form.AnnualSpend = money.Fen(*in.AnnualSpendFen).Plain()
	}
	if in.Competitors != nil {
		form.Competitors = *in.Competitors
	}
	form.ParentID = in.ParentID
	cu, err = a.deps.Prospects.UpdateCustomer(ctx, me, w.ID, form, in.ConfirmSimilar)
	if err != nil {
		return answer{}, err
	}
	return answer{Body: a.customer(cu), Version: cu.Version}, nil
}
