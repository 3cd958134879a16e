package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// Opportunity is a sales opportunity (商机).
type Opportunity struct {
	ID             uint      `json:"id"`
	CustomerID     uint      `json:"customer_id"`
	Title          string    `json:"title"`
	Products       string    `json:"products"`
	MonthlyFen     int64     `json:"monthly_fen"`
	MonthlyYuan    string    `json:"monthly_yuan"`
	OneTimeFen     int64     `json:"one_time_fen"`
	OneTimeYuan    string    `json:"one_time_yuan"`
	ExpectedClose  *string   `json:"expected_close" format:"date"`
	Stage          string    `json:"stage" enum:"identified,contacted,visited,needs,proposal,negotiation,won,lost"`
	Probability    int       `json:"probability" doc:"Percent."`
	OwnerID        uint      `json:"owner_id"`
	LostReason     string    `json:"lost_reason"`
	LostNote       string    `json:"lost_note"`
	StageChangedAt time.Time `json:"stage_changed_at"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// OpportunityInput is the body of POST /customers/{id}/opportunities
// and, every field optional, of PATCH /opportunities/{id} (where the
// stage cannot change: see the stage move).
type OpportunityInput struct {
	Title         *string `json:"title,omitempty"`
	Products      *string `json:"products,omitempty"`
	MonthlyFen    *int64  `json:"monthly_fen,omitempty"`
	OneTimeFen    *int64  `json:"one_time_fen,omitempty"`
	ExpectedClose *string `json:"expected_close,omitempty" format:"date"`
	Stage         *string `json:"stage,omitempty" enum:"identified,contacted,visited,needs,proposal,negotiation" doc:"Create only; default identified."`
	Probability   *int    `json:"probability,omitempty" doc:"Percent; default: the stage's."`
}

// StageMoveInput is the body of POST /opportunities/{id}/stage.
type StageMoveInput struct {
	To         string `json:"to" enum:"identified,contacted,visited,needs,proposal,negotiation,won,lost"`
	LostReason string `json:"lost_reason" api:"optional"`
	Note       string `json:"note" api:"optional"`
}

func (a *API) opportunity(o *prospects.Opportunity) Opportunity {
	return Opportunity{ID: o.ID, CustomerID: o.CustomerID, Title: o.Title, Products: o.Products,
		MonthlyFen: int64(o.MonthlyFen), MonthlyYuan: yuan(o.MonthlyFen), OneTimeFen: int64(o.OneTimeFen), OneTimeYuan: yuan(o.OneTimeFen),
		ExpectedClose: a.date(o.ExpectedClose), Stage: o.Stage, Probability: o.Probability, OwnerID: o.OwnerID,
		LostReason: o.LostReason, LostNote: o.LostNote, StageChangedAt: a.ts(o.StageChangedAt), Version: o.Version,
		CreatedAt: a.ts(o.CreatedAt), UpdatedAt: a.ts(o.UpdatedAt)}
}

func (a *API) routesOpportunities() {
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	a.add(fiber.MethodGet, "/customers/:id/opportunities", read, Op{ID: "listCustomerOpportunities", Tag: "opportunities",
		Summary: "A customer's opportunities (all of them: one page)", Result: Opportunity{}, List: true}, a.listOpportunities)
	a.add(fiber.MethodPost, "/customers/:id/opportunities", write, Op{ID: "createOpportunity", Tag: "opportunities",
		Summary: "Add an opportunity", Body: OpportunityInput{}, Status: 201, Result: Opportunity{}, Versioned: true}, a.createOpportunity)
	a.add(fiber.MethodGet, "/opportunities/:id", read, Op{ID: "getOpportunity", Tag: "opportunities", Summary: "One opportunity",
		Result: Opportunity{}, Versioned: true}, a.getOpportunity)
	a.add(fiber.MethodPatch, "/opportunities/:id", write, Op{ID: "updateOpportunity", Tag: "opportunities",
		Summary: "Change an opportunity's details", Body: OpportunityInput{}, Result: Opportunity{}, Versioned: true, Update: true}, a.updateOpportunity)
	a.add(fiber.MethodPost, "/opportunities/:id/stage", write, Op{ID: "moveOpportunity", Tag: "opportunities",
		Summary: "Move an opportunity to another stage (If-Match required)", Body: StageMoveInput{}, Result: Opportunity{},
		Versioned: true, Update: true}, a.moveOpportunity)
}

func (a *API) listOpportunities(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	rows, err := a.deps.Prospects.Opportunities(ctxOf(c), subject(c), id)
	if err != nil {
		return err
	}
	out := listPage[Opportunity]{Data: make([]Opportunity, 0, len(rows))}
	for i := range rows {
		out.Data = append(out.Data, a.opportunity(&rows[i]))
	}
	n := int64(len(rows))
	out.Total = &n
	return send(c, fiber.StatusOK, out)
}

func (a *API) getOpportunity(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	o, _, err := a.deps.Prospects.Opportunity(ctxOf(c), subject(c), id)
	if err != nil {
		return err
	}
	setETag(c, o.Version)
	return send(c, fiber.StatusOK, a.opportunity(o))
}

func (in OpportunityInput) apply(f *prospects.OpportunityInput) {
	if in.Title != nil {
		f.Title = *in.Title
	}
	if in.Products != nil {
		f.Products = *in.Products
	}
	if in.MonthlyFen != nil {
		f.Monthly = money.Fen(*in.MonthlyFen).Plain()
	}
	if in.OneTimeFen != nil {
		f.OneTime = money.Fen(*in.OneTimeFen).Plain()
	}
	if in.ExpectedClose != nil {
		f.ExpectedClose = *in.ExpectedClose
	}
	if in.Probability != nil {
		f.Probability = strconv.Itoa(*in.Probability)
	}
}

func (a *API) createOpportunity(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in OpportunityInput
	if err := decode(c, &in); err != nil {
		return err
	}
	form := prospects.OpportunityInput{CustomerID: id, Stage: prospects.StageIdentified, Monthly: "0", OneTime: "0"}
	in.apply(&form)
	if in.Stage != nil {
		form.Stage = *in.Stage
	}
	ctx, me := ctxOf(c), subject(c)
	// The customer first: one out of scope is a 404 before any field error.
	if _, err := a.deps.Prospects.Customer(ctx, me, id); err != nil {
		return err
	}
	o, err := a.deps.Prospects.CreateOpportunity(ctx, me, form)
	if err != nil {
		return err
	}
	setETag(c, o.Version)
	c.Set(fiber.HeaderLocation, Prefix+"/opportunities/"+itoa(o.ID))
	return send(c, fiber.StatusCreated, a.opportunity(o))
}

func (a *API) updateOpportunity(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in OpportunityInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Stage != nil {
		return fieldErr("stage", "api.v.stage_by_move")
	}
	ctx, me := ctxOf(c), subject(c)
	o, _, err := a.deps.Prospects.Opportunity(ctx, me, id)
	if err != nil {
		return err
	}
	form := prospects.OpportunityInput{Title: o.Title, Products: o.Products, Monthly: o.MonthlyFen.Plain(), OneTime: o.OneTimeFen.Plain(),
		Version: version}
	if d := a.date(o.ExpectedClose); d != nil {
		form.ExpectedClose = *d
	}
	in.apply(&form)
	o, err = a.deps.Prospects.UpdateOpportunity(ctx, me, id, form)
	if err != nil {
		return err
	}
	setETag(c, o.Version)
	return send(c, fiber.StatusOK, a.opportunity(o))
}

func (a *API) moveOpportunity(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	var in StageMoveInput
	if err := decode(c, &in); err != nil {
		return err
	}
	o, err := a.deps.Prospects.MoveStage(ctxOf(c), subject(c), id,
		prospects.StageMove{To: in.To, LostReason: in.LostReason, Note: in.Note, Version: version})
	if f, ok := apperr.AsFields(err); ok {
		// The form's field is the stage select; here it is "to".
		if msg, had := f["stage"]; had {
			delete(f, "stage")
			f["to"] = msg
		}
		return f
	}
	if err != nil {
		return err
	}
	setETag(c, o.Version)
	return send(c, fiber.StatusOK, a.opportunity(o))
}
