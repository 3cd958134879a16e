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

// OpportunityListed is an opportunity of the global list, with its
// customer's name (the portal's list shows it).
type OpportunityListed struct {
	Opportunity
	CustomerName string `json:"customer_name"`
}

var oppSorts = []string{"updated", "close", "value", "stage", "title"}

// oppSortKinds are the kinds of the sorts' keys (the expected close may
// be null: such rows come last either way).
var oppSortKinds = map[string]string{"updated": "time", "close": "time", "value": "int", "stage": "int", "title": "text"}

func (a *API) routesOpportunities() {
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	a.add(fiber.MethodGet, "/opportunities", read, Op{ID: "listOpportunities", Tag: "opportunities",
		Summary: "Opportunities of the customers you may read, filtered and sorted like the portal's list", Result: OpportunityListed{}, List: true,
		Query: paged(append([]Param{
			{Name: "q", Type: "string", Doc: "Search the title and the customer"},
			{Name: "stage", Type: "string", Enum: prospects.Stages}, {Name: "owner_id", Type: "integer"}, {Name: "team_id", Type: "integer"},
			{Name: "grade", Type: "string", Enum: prospects.Grades}, {Name: "industry", Type: "string", Enum: prospects.Industries},
			{Name: "close", Type: "string", Doc: "Expected close month, YYYY-MM"}, {Name: "min_score", Type: "integer", Doc: "The customer's qualification, 0-100"},
		}, sortParams(oppSorts, "updated (newest first)")...)...)}, a.listAllOpportunities)
	a.add(fiber.MethodGet, "/customers/:id/opportunities", read, Op{ID: "listCustomerOpportunities", Tag: "opportunities",
		Summary: "A customer's opportunities, in the order they were added", Result: Opportunity{}, List: true, Query: pageParams}, a.listOpportunities)
	a.add(fiber.MethodPost, "/customers/:id/opportunities", write, Op{ID: "createOpportunity", Tag: "opportunities",
		Summary: "Add an opportunity", Body: OpportunityInput{}, Status: 201, Result: Opportunity{}, Versioned: true}, create(a.createOpportunity))
	a.add(fiber.MethodGet, "/opportunities/:id", read, Op{ID: "getOpportunity", Tag: "opportunities", Summary: "One opportunity",
		Result: Opportunity{}, Versioned: true}, get(a.getOpportunity))
	a.add(fiber.MethodPatch, "/opportunities/:id", write, Op{ID: "updateOpportunity", Tag: "opportunities",
		Summary: "Change an opportunity's details", Body: OpportunityInput{}, Result: Opportunity{}, Versioned: true, Update: true}, update(a.updateOpportunity))
	a.add(fiber.MethodPost, "/opportunities/:id/stage", write, Op{ID: "moveOpportunity", Tag: "opportunities",
		Summary: "Move an opportunity to another stage (If-Match required)", Body: StageMoveInput{}, Result: Opportunity{},
		Versioned: true, Update: true}, update(a.moveOpportunity))
}

// oppFilter reads the portal list's filters (oppFilterFromValues there).
func oppFilter(c *fiber.Ctx) (prospects.OpportunityFilter, error) {
	q := newQuery(c)
	f := prospects.OpportunityFilter{Q: q.str("q"), OwnerID: q.id("owner_id"), TeamID: q.id("team_id"),
		Grade: q.enum("grade", prospects.Grades), Industry: q.enum("industry", prospects.Industries), MinScore: q.intIn("min_score", 0, 100, 0)}
	if st := q.enum("stage", prospects.Stages); st != "" {
		f.Stages = []string{st}
	}
	if m := q.month("close"); m != nil {
		next := m.AddDate(0, 1, 0)
		f.CloseMonth, f.CloseFrom, f.CloseBefore = m.Format("2006-01"), m, &next
	}
	f.Sort, f.Desc = q.sort(oppSorts, "updated", "updated")
	return f, q.err()
}

func (a *API) listAllOpportunities(c *fiber.Ctx) error {
	f, err := oppFilter(c)
	if err != nil {
		return err
	}
	return listed(c, keyset{Sort: f.Sort, Desc: f.Desc, Kind: oppSortKinds[f.Sort]}, func(q pageQuery) ([]prospects.OpportunityRow, int64, error) {
		f.After, f.Limit = q.After, q.Limit
		return a.deps.Prospects.ListOpportunities(ctxOf(c), subject(c), f)
	}, func(r *prospects.OpportunityRow) []any { return prospects.OpportunityPosition(f, r) },
		func(r *prospects.OpportunityRow) OpportunityListed {
			return OpportunityListed{Opportunity: a.opportunity(&r.Opportunity), CustomerName: r.CustomerName}
		})
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
	return byID(c, rows, func(o *prospects.Opportunity) uint { return o.ID }, a.opportunity)
}

// opportunityAnswer is an opportunity with its version.
func (a *API) opportunityAnswer(o *prospects.Opportunity) answer {
	return answer{Body: a.opportunity(o), Version: o.Version}
}

func (a *API) getOpportunity(c *fiber.Ctx, id uint) (answer, error) {
	o, _, err := a.deps.Prospects.Opportunity(ctxOf(c), subject(c), id)
	if err != nil {
		return answer{}, err
	}
	return a.opportunityAnswer(o), nil
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

func (a *API) createOpportunity(c *fiber.Ctx, w *change[OpportunityInput]) (answer, error) {
	form := prospects.OpportunityInput{CustomerID: w.ID, Stage: prospects.StageIdentified, Monthly: "0", OneTime: "0"}
	w.In.apply(&form)
	if w.In.Stage != nil {
		form.Stage = *w.In.Stage
	}
	ctx, me := ctxOf(c), subject(c)
	// The customer first: one out of scope is a 404 before any field error.
	if _, err := a.deps.Prospects.Customer(ctx, me, w.ID); err != nil {
		return answer{}, err
	}
	o, err := a.deps.Prospects.CreateOpportunity(ctx, me, form)
	if err != nil {
		return answer{}, err
	}
	out := a.opportunityAnswer(o)
	out.Location = Prefix + "/opportunities/" + itoa(o.ID)
	return out, nil
}

func (a *API) updateOpportunity(c *fiber.Ctx, w *change[OpportunityInput]) (answer, error) {
	if w.In.Stage != nil {
		return answer{}, fieldErr("stage", "api.v.stage_by_move")
	}
	ctx, me := ctxOf(c), subject(c)
	o, _, err := a.deps.Prospects.Opportunity(ctx, me, w.ID)
	if err != nil {
		return answer{}, err
	}
	form := prospects.OpportunityInput{Title: o.Title, Products: o.Products, Monthly: o.MonthlyFen.Plain(), OneTime: o.OneTimeFen.Plain(),
		Version: w.Version}
	if d := a.date(o.ExpectedClose); d != nil {
		form.ExpectedClose = *d
	}
	w.In.apply(&form)
	if o, err = a.deps.Prospects.UpdateOpportunity(ctx, me, w.ID, form); err != nil {
		return answer{}, err
	}
	return a.opportunityAnswer(o), nil
}

func (a *API) moveOpportunity(c *fiber.Ctx, w *change[StageMoveInput]) (answer, error) {
	o, err := a.deps.Prospects.MoveStage(ctxOf(c), subject(c), w.ID,
		prospects.StageMove{To: w.In.To, LostReason: w.In.LostReason, Note: w.In.Note, Version: w.Version})
	if f, ok := apperr.AsFields(err); ok {
		// The form's field is the stage select; here it is "to".
		if msg, had := f["stage"]; had {
			delete(f, "stage")
			f["to"] = msg
		}
		return answer{}, f
	}
	if err != nil {
		return answer{}, err
	}
	return a.opportunityAnswer(o), nil
}
