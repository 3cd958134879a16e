package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Contract is the current revision of a contract (合同). Dates are
// calendar days; the ETag is version.
type Contract struct {
	ID            uint   `json:"id"`
	Number        string `json:"number"`
	Revision      int    `json:"revision" doc:"The revision number; an amendment makes the next."`
	RootID        *uint  `json:"root_id"`
	IsCurrent     bool   `json:"is_current"`
	CustomerID    uint   `json:"customer_id"`
	CustomerName  string `json:"customer_name"`
	OpportunityID *uint  `json:"opportunity_id"`
	ProposalID    *uint  `json:"proposal_id" doc:"The accepted proposal version the lines came from."`
	ProposalRef   string `json:"proposal_ref"`
	PredecessorID *uint  `json:"predecessor_id" doc:"The contract this one renews."`
	RenewedByID   *uint  `json:"renewed_by_id"`
	OwnerID       uint   `json:"owner_id"`
	BranchID      uint   `json:"branch_id"`
	// The signatories: ours a colleague, theirs a key person of the
	// customer's; both are needed to submit.
	OurSignatoryID      *uint         `json:"our_signatory_id"`
	CustomerSignatoryID *uint         `json:"customer_signatory_id"`
	Title               string        `json:"title"`
	Status              string        `json:"status" enum:"draft,pending,approved,signed,active,expiring,expired,terminated,renewed,superseded"`
	SignedOn            *string       `json:"signed_on" format:"date"`
	StartOn             string        `json:"start_on" format:"date"`
	EndOn               string        `json:"end_on" format:"date"`
	TermMonths          int           `json:"term_months"`
	MonthlyFen          int64         `json:"monthly_fen"`
	MonthlyYuan         string        `json:"monthly_yuan"`
	OneTimeFen          int64         `json:"one_time_fen"`
	OneTimeYuan         string        `json:"one_time_yuan"`
	TotalFen            int64         `json:"total_fen"`
	TotalYuan           string        `json:"total_yuan"`
	PaymentTerms        string        `json:"payment_terms" enum:"monthly,quarterly,yearly,one_off"`
	PaymentDueDay       int           `json:"payment_due_day"`
	Notes               string        `json:"notes"`
	NeedsChief          bool          `json:"needs_chief"`
	NeedsDirector       bool          `json:"needs_director"`
	SubmittedAt         *time.Time    `json:"submitted_at"`
	SignedAt            *time.Time    `json:"signed_at"`
	ActivatedAt         *time.Time    `json:"activated_at"`
	TerminatedOn        *string       `json:"terminated_on" format:"date"`
	TerminationReason   string        `json:"termination_reason"`
	Version             int           `json:"version"`
	CreatedAt           time.Time     `json:"created_at"`
	UpdatedAt           time.Time     `json:"updated_at"`
	Links               ContractLinks `json:"links"`
	Lines               []Line        `json:"lines,omitempty" doc:"With one contract, not in lists."`
}

// ContractLinks are the contract's related resources.
type ContractLinks struct {
	Self   string `json:"self"`
	Portal string `json:"portal"`
}

var contractSorts = []string{"updated", "number", "customer", "status", "start", "end", "total"}

// contractSortKinds are the kinds of the sorts' keys.
var contractSortKinds = map[string]string{"updated": "time", "number": "text", "customer": "text", "status": "text",
	"start": "time", "end": "time", "total": "int"}

func (a *API) contract(k *contracts.Contract, customerName string) Contract {
	start, end := k.StartOn, k.EndOn
	return Contract{ID: k.ID, Number: k.Number, Revision: k.Revision, RootID: k.RootID, IsCurrent: k.IsCurrent, CustomerID: k.CustomerID,
		CustomerName: customerName, OpportunityID: k.OpportunityID, ProposalID: k.ProposalID, ProposalRef: k.ProposalRef,
		PredecessorID: k.PredecessorID, RenewedByID: k.RenewedByID, OwnerID: k.OwnerID, BranchID: k.BranchID,
		OurSignatoryID: k.OurSignatoryID, CustomerSignatoryID: k.CustomerSignatoryID, Title: k.Title,
		Status: k.Status, SignedOn: a.date(k.SignedOn), StartOn: *a.date(&start), EndOn: *a.date(&end), TermMonths: k.TermMonths,
		MonthlyFen: int64(k.MonthlyFen), MonthlyYuan: yuan(k.MonthlyFen), OneTimeFen: int64(k.OneTimeFen), OneTimeYuan: yuan(k.OneTimeFen),
		TotalFen: int64(k.TotalFen), TotalYuan: yuan(k.TotalFen), PaymentTerms: k.PaymentTerms, PaymentDueDay: k.PaymentDueDay,
		Notes: k.Notes, NeedsChief: k.NeedsChief, NeedsDirector: k.NeedsDirector, SubmittedAt: a.tsPtr(k.SubmittedAt),
		SignedAt: a.tsPtr(k.SignedAt), ActivatedAt: a.tsPtr(k.ActivatedAt), TerminatedOn: a.date(k.TerminatedOn),
		TerminationReason: k.TerminationReason, Version: k.Version, CreatedAt: a.ts(k.CreatedAt), UpdatedAt: a.ts(k.UpdatedAt),
		Links: ContractLinks{Self: Prefix + "/contracts/" + itoa(k.ID), Portal: "/contracts/" + itoa(k.ID)}}
}

// routesContracts registers the contract reads and, in
// contracts_write.go, the create and the change of a draft.
func (a *API) routesContracts() {
	read := web.Allow("customer", "read")
	filters := append([]Param{
		{Name: "q", Type: "string", Doc: "Search the number, the title and the customer"},
		{Name: "status", Type: "string", Enum: contracts.Statuses}, {Name: "owner_id", Type: "integer", Doc: "The customer's owner"},
		{Name: "team_id", Type: "integer"}, {Name: "expiring_within", Type: "integer", Doc: "In force and ending within that many days (1-3650)"},
		{Name: "min_fen", Type: "integer", Doc: "Total value at least"}, {Name: "max_fen", Type: "integer", Doc: "Total value at most"},
	}, sortParams(contractSorts, "updated (newest first)")...)
	a.add(fiber.MethodGet, "/contracts", read, Op{ID: "listContracts", Tag: "contracts",
		Summary: "The current revision of the contracts of the customers you may read, filtered like the portal's list",
		Result:  Contract{}, List: true, Query: paged(filters...)}, a.listContracts)
	a.add(fiber.MethodGet, "/contracts/:id", read, Op{ID: "getContract", Tag: "contracts", Summary: "One contract revision with its lines",
		Result: Contract{}, Versioned: true}, get(a.getContract))
	a.routesContractWrites()
}

func (a *API) listContracts(c *fiber.Ctx) error {
	q := newQuery(c)
	f := contracts.Filter{Q: q.str("q"), OwnerID: q.id("owner_id"), TeamID: q.id("team_id"),
		ExpiringWithin: q.intIn("expiring_within", 1, 3650, 0), MinFen: q.fen("min_fen"), MaxFen: q.fen("max_fen")}
	if st := q.enum("status", contracts.Statuses); st != "" {
		f.Statuses = []string{st}
	}
	f.Sort, f.Desc = q.sort(contractSorts, "updated", "updated")
	if err := q.err(); err != nil {
		return err
	}
	return listed(c, keyset{Sort: f.Sort, Desc: f.Desc, Kind: contractSortKinds[f.Sort]}, func(q pageQuery) ([]contracts.Row, int64, error) {
		f.After, f.Limit = q.After, q.Limit
		return a.deps.Contracts.List(ctxOf(c), subject(c), f)
	}, func(r *contracts.Row) []any { return contracts.Position(f, r) },
		func(r *contracts.Row) Contract { return a.contract(&r.Contract, r.CustomerName) })
}

func (a *API) getContract(c *fiber.Ctx, id uint) (answer, error) {
	d, err := a.deps.Contracts.Get(ctxOf(c), subject(c), id)
	if err != nil {
		return answer{}, err
	}
	out := a.contract(d.C, d.Customer.Name)
	out.Lines = lines(d.Lines)
	return answer{Body: out, Version: d.C.Version}, nil
}
