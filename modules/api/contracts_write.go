package api

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Contracts are made and changed here through the portal form's own
// service methods (contracts.Service.Create and Update): the same
// validation, scope, audit, numbering and optimistic lock. Only what the
// form edits is editable: a draft or a pending revision (a pending one
// goes back to draft and its approvals lapse); a signed contract changes
// by an amendment, and the approval steps (submit, decide, sign,
// activate, terminate, renew, amend) stay actions of the portal.

// ContractLineInput is a line of a contract made by hand: a product on
// sale in the catalogue, priced on the server as the portal's form does
// (list price × quantity × rate; monthly × term + one-time).
type ContractLineInput struct {
	ProductID  uint  `json:"product_id"`
	Quantity   int64 `json:"quantity" doc:"1-10,000,000."`
	TermMonths int   `json:"term_months,omitempty" doc:"1-120 months; absent or 0: the contract's term. No line may run longer than the contract."`
	RateBP     *int  `json:"rate_bp,omitempty" doc:"The share of the list price charged, in basis points (10000 = list price, the default; 8550 = 85.5 %). Below the product's floor the chief rep must approve."`
}

// ContractCreate is the body of POST /contracts: a draft contract of a
// customer you may change, either from an accepted proposal version
// (proposal_id: its lines and totals are taken exactly, to the fen; send
// no lines) or by hand (lines).
type ContractCreate struct {
	CustomerID    uint   `json:"customer_id"`
	ProposalID    uint   `json:"proposal_id,omitempty" doc:"An accepted proposal version of the customer's that has no contract yet."`
	OpportunityID uint   `json:"opportunity_id,omitempty" doc:"One of the customer's opportunities; default with a proposal: the proposal's."`
	Title         string `json:"title" doc:"Up to 100 characters."`
	StartOn       string `json:"start_on" format:"date"`
	EndOn         string `json:"end_on" format:"date" doc:"The last day: the day before the start's day a whole number of months (1-120) later, e.g. 2026-03-01 to 2027-02-28."`
	PaymentTerms  string `json:"payment_terms" enum:"monthly,quarterly,yearly,one_off"`
	PaymentDueDay int    `json:"payment_due_day" doc:"1-28."`
	// The signatories are needed to submit, not to save a draft.
	OurSignatoryID      uint                `json:"our_signatory_id,omitempty" doc:"An active colleague of the customer's branch who may sign for us."`
	CustomerSignatoryID uint                `json:"customer_signatory_id,omitempty" doc:"One of the customer's key persons."`
	Notes               string              `json:"notes,omitempty" doc:"Special terms (特别约定), up to 5,000 characters."`
	Lines               []ContractLineInput `json:"lines,omitempty" doc:"By hand only; refused with proposal_id."`
}

// ContractPatch is the body of PATCH /contracts/{id}: the fields given
// change, the others stay as they are. lines, when given, replace all the
// lines (a contract made from a proposal keeps the proposal's: lines are
// refused there). An id of 0 clears an optional reference.
type ContractPatch struct {
	OpportunityID       *uint                `json:"opportunity_id,omitempty"`
	Title               *string              `json:"title,omitempty"`
	StartOn             *string              `json:"start_on,omitempty" format:"date"`
	EndOn               *string              `json:"end_on,omitempty" format:"date"`
	PaymentTerms        *string              `json:"payment_terms,omitempty" enum:"monthly,quarterly,yearly,one_off"`
	PaymentDueDay       *int                 `json:"payment_due_day,omitempty"`
	OurSignatoryID      *uint                `json:"our_signatory_id,omitempty"`
	CustomerSignatoryID *uint                `json:"customer_signatory_id,omitempty"`
	Notes               *string              `json:"notes,omitempty"`
	Lines               *[]ContractLineInput `json:"lines,omitempty"`
}

// lineInputs are the API's lines as the form's rows. Every row names its
// quantity, so a row without a product is refused (line_N), not skipped
// as the form's spare rows are.
func lineInputs(in []ContractLineInput) []contracts.LineInput {
	out := make([]contracts.LineInput, len(in))
	for i, l := range in {
		out[i] = contracts.LineInput{ProductID: l.ProductID, Quantity: strconv.FormatInt(l.Quantity, 10)}
		if l.TermMonths != 0 {
			out[i].TermMonths = strconv.Itoa(l.TermMonths)
		}
		if l.RateBP != nil {
			out[i].Rate = money.Rate(*l.RateBP).Percent()
		}
	}
	return out
}

// linesFixed refuses lines sent for a contract whose lines are the
// accepted proposal's: the service keeps the proposal's whatever the
// input says (the portal's form has no line fields then), and a client
// must learn that its lines were not taken.
func linesFixed() error { return apperr.Fields{"lines": "contracts.v.lines_fixed"} }

// contractFields names the service's form fields as the API's: line_3 is
// lines[3]; _form (a rule of the contract's status, e.g. a signed
// contract changes by an amendment) is status.
func contractFields(err error) error {
	f, ok := apperr.AsFields(err)
	if !ok {
		return err
	}
	out := apperr.Fields{}
	for k, v := range f {
		switch n, isLine := strings.CutPrefix(k, "line_"); {
		case isLine:
			out["lines["+n+"]"] = v
		case k == "_form":
			out["status"] = v
		default:
			out[k] = v
		}
	}
	return out
}

func (a *API) routesContractWrites() {
	write := web.Allow("customer", "write")
	a.add(fiber.MethodPost, "/contracts", write, Op{ID: "createContract", Tag: "contracts",
		Summary: "Make a draft contract from an accepted proposal or by hand (the portal's form)", Body: ContractCreate{},
		Status: 201, Result: Contract{}, Versioned: true, Errors: []int{404}}, create(a.createContract))
	a.add(fiber.MethodPatch, "/contracts/:id", write, Op{ID: "updateContract", Tag: "contracts",
		Summary: "Change a draft or pending contract (a pending one goes back to draft)", Body: ContractPatch{},
		Result: Contract{}, Versioned: true, Update: true}, update(a.updateContract))
}

func (a *API) createContract(c *fiber.Ctx, w *change[ContractCreate]) (answer, error) {
	in := w.In
	if in.ProposalID != 0 && len(in.Lines) > 0 {
		return answer{}, linesFixed()
	}
	form := contracts.Input{CustomerID: in.CustomerID, ProposalID: in.ProposalID, OpportunityID: in.OpportunityID, Title: in.Title,
		StartOn: in.StartOn, EndOn: in.EndOn, PaymentTerms: in.PaymentTerms, PaymentDueDay: strconv.Itoa(in.PaymentDueDay),
		OurSignatoryID: in.OurSignatoryID, CustomerSignatoryID: in.CustomerSignatoryID, Notes: in.Notes, Lines: lineInputs(in.Lines)}
	k, err := a.deps.Contracts.Create(ctxOf(c), subject(c), form)
	if err != nil {
		return answer{}, contractFields(err)
	}
	out, err := a.getContract(c, k.ID)
	if err != nil {
		return answer{}, err
	}
	out.Location = Prefix + "/contracts/" + itoa(k.ID)
	return out, nil
}

func (a *API) updateContract(c *fiber.Ctx, w *change[ContractPatch]) (answer, error) {
	in := w.In
	ctx, me := ctxOf(c), subject(c)
	// The edit form as the portal fills it, with the given fields changed.
	k, form, err := a.deps.Contracts.EditInput(ctx, me, w.ID)
	if err != nil {
		return answer{}, contractFields(err)
	}
	if in.Lines != nil && contracts.LinesFixed(k) {
		return answer{}, linesFixed()
	}
	form.Version = w.Version
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setID := func(dst *uint, v *uint) {
		if v != nil {
			*dst = *v
		}
	}
	set(&form.Title, in.Title)
	set(&form.StartOn, in.StartOn)
	set(&form.EndOn, in.EndOn)
	set(&form.PaymentTerms, in.PaymentTerms)
	set(&form.Notes, in.Notes)
	setID(&form.OpportunityID, in.OpportunityID)
	setID(&form.OurSignatoryID, in.OurSignatoryID)
	setID(&form.CustomerSignatoryID, in.CustomerSignatoryID)
	if in.PaymentDueDay != nil {
		form.PaymentDueDay = strconv.Itoa(*in.PaymentDueDay)
	}
	if in.Lines != nil {
		form.Lines = lineInputs(*in.Lines)
	}
	if _, err := a.deps.Contracts.Update(ctx, me, w.ID, form); err != nil {
		return answer{}, contractFields(err)
	}
	return a.getContract(c, w.ID)
}
