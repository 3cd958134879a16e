package api

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/proposals"
)

// Proposal is one version of a proposal (方案/报价). Version is the
// proposal's version number (v1, v2 …); the ETag is lock_version.
type Proposal struct {
	ID             uint               `json:"id"`
	Number         string             `json:"number"`
	Version        int                `json:"version" doc:"The proposal's version number (v1, v2 …)."`
	RootID         *uint              `json:"root_id" doc:"The first version's id (null on the first version)."`
	CustomerID     uint               `json:"customer_id"`
	CustomerName   string             `json:"customer_name"`
	OpportunityID  *uint              `json:"opportunity_id"`
	OwnerID        uint               `json:"owner_id"`
	Title          string             `json:"title"`
	Status         string             `json:"status" enum:"draft,pending,approved,sent,accepted,rejected,superseded"`
	ValidUntil     *string            `json:"valid_until" format:"date"`
	MonthlyFen     int64              `json:"monthly_fen"`
	MonthlyYuan    string             `json:"monthly_yuan"`
	OneTimeFen     int64              `json:"one_time_fen"`
	OneTimeYuan    string             `json:"one_time_yuan"`
	TotalFen       int64              `json:"total_fen"`
	TotalYuan      string             `json:"total_yuan"`
	NeedsChief     bool               `json:"needs_chief" doc:"The chief rep's approval is needed (price below the floor or above the threshold)."`
	NeedsDirector  bool               `json:"needs_director"`
	SentAt         *time.Time         `json:"sent_at"`
	DecidedAt      *time.Time         `json:"decided_at"`
	LockVersion    int                `json:"lock_version" doc:"The optimistic lock (the ETag)."`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
	Links          ProposalLinks      `json:"links"`
	Background     *string            `json:"background,omitempty" doc:"The texts, lines, needs and approvals come with one proposal, not in lists."`
	NeedsAnalysis  *string            `json:"needs_analysis,omitempty"`
	Solution       *string            `json:"solution,omitempty"`
	Implementation *string            `json:"implementation,omitempty"`
	Commitments    *string            `json:"commitments,omitempty"`
	Lines          []Line             `json:"lines,omitempty"`
	NeedIDs        []uint             `json:"need_ids,omitempty"`
	Approvals      []ProposalApproval `json:"approvals,omitempty"`
}

// ProposalLinks are the proposal's related resources.
type ProposalLinks struct {
	Self   string `json:"self"`
	PDF    string `json:"pdf"`
	Portal string `json:"portal"`
}

// ProposalApproval is one approval decision.
type ProposalApproval struct {
	Level    string    `json:"level" doc:"chief or director"`
	Decision string    `json:"decision" enum:"approved,rejected"`
	ByID     uint      `json:"by_id"`
	At       time.Time `json:"at"`
	Comment  string    `json:"comment"`
}

var proposalSorts = []string{"updated", "total", "number", "customer", "status"}

// proposalSortKinds are the kinds of the sorts' keys.
var proposalSortKinds = map[string]string{"updated": "time", "total": "int", "number": "text", "customer": "text", "status": "text"}

func (a *API) proposal(p *proposals.Proposal, customerName string) Proposal {
	self := Prefix + "/proposals/" + itoa(p.ID)
	out := Proposal{ID: p.ID, Number: p.Number, Version: p.Version, RootID: p.RootID, CustomerID: p.CustomerID, CustomerName: customerName,
		OpportunityID: p.OpportunityID, OwnerID: p.OwnerID, Title: p.Title, Status: p.Status, ValidUntil: a.date(p.ValidUntil),
		MonthlyFen: int64(p.MonthlyFen), MonthlyYuan: yuan(p.MonthlyFen), OneTimeFen: int64(p.OneTimeFen), OneTimeYuan: yuan(p.OneTimeFen),
		TotalFen: int64(p.TotalFen), TotalYuan: yuan(p.TotalFen), NeedsChief: p.NeedsChief, NeedsDirector: p.NeedsDirector,
		SentAt: a.tsPtr(p.SentAt), DecidedAt: a.tsPtr(p.DecidedAt), LockVersion: p.LockVersion,
		CreatedAt: a.ts(p.CreatedAt), UpdatedAt: a.ts(p.UpdatedAt),
		Links: ProposalLinks{Self: self, PDF: self + "/pdf", Portal: "/proposals/" + itoa(p.ID)}}
	return out
}

func (a *API) routesProposals() {
	read := web.Allow("customer", "read")
	filters := append([]Param{
		{Name: "q", Type: "string", Doc: "Search the title, the number and the customer"},
		{Name: "status", Type: "string", Enum: proposals.Statuses}, {Name: "owner_id", Type: "integer"},
	}, sortParams(proposalSorts, "updated (newest first)")...)
	a.add(fiber.MethodGet, "/proposals", read, Op{ID: "listProposals", Tag: "proposals",
		Summary: "The latest version of each proposal of the customers you may read", Result: Proposal{}, List: true, Query: paged(filters...)},
		a.listProposals)
	a.add(fiber.MethodGet, "/customers/:id/proposals", read, Op{ID: "listCustomerProposals", Tag: "proposals",
		Summary: "A customer's proposals (latest versions)", Result: Proposal{}, List: true, Query: paged(filters...)}, a.listProposals)
	a.add(fiber.MethodGet, "/proposals/:id", read, Op{ID: "getProposal", Tag: "proposals",
		Summary: "One proposal version with its texts, lines, needs and approvals", Result: Proposal{}, Versioned: true}, get(a.getProposal))
	a.add(fiber.MethodGet, "/proposals/:id/pdf", read, Op{ID: "proposalPDF", Tag: "proposals",
		Summary: "The version as the PDF the portal downloads (marked as a draft until approved)", Media: "application/pdf",
		Errors: []int{503}}, a.proposalPDF)
}

func (a *API) listProposals(c *fiber.Ctx) error {
	q := newQuery(c)
	f := proposals.Filter{Q: q.str("q"), OwnerID: q.id("owner_id")}
	if st := q.enum("status", proposals.Statuses); st != "" {
		f.Statuses = []string{st}
	}
	f.Sort, f.Desc = q.sort(proposalSorts, "updated", "updated")
	if err := q.err(); err != nil {
		return err
	}
	ctx, me := ctxOf(c), subject(c)
	if id, err := pathID(c); err != nil || id != 0 {
		if err != nil {
			return err
		}
		// A customer's list: one out of scope is a 404.
		if _, err := a.deps.Prospects.Customer(ctx, me, id); err != nil {
			return err
		}
		f.CustomerID = id
	}
	return listed(c, keyset{Sort: f.Sort, Desc: f.Desc, Kind: proposalSortKinds[f.Sort]}, func(q pageQuery) ([]proposals.Row, int64, error) {
		f.After, f.Limit = q.After, q.Limit
		return a.deps.Proposals.List(ctx, me, f)
	}, func(r *proposals.Row) []any { return proposals.Position(f, r) },
		func(r *proposals.Row) Proposal { return a.proposal(&r.Proposal, r.CustomerName) })
}

func (a *API) getProposal(c *fiber.Ctx, id uint) (answer, error) {
	d, err := a.deps.Proposals.Get(ctxOf(c), subject(c), id)
	if err != nil {
		return answer{}, err
	}
	p := a.proposal(d.P, d.Customer.Name)
	p.Background, p.NeedsAnalysis, p.Solution = &d.P.Background, &d.P.NeedsAnalysis, &d.P.Solution
	p.Implementation, p.Commitments = &d.P.Implementation, &d.P.Commitments
	p.Lines, p.NeedIDs, p.Approvals = lines(d.Lines), append([]uint{}, d.NeedIDs...), []ProposalApproval{}
	for _, ap := range d.Approvals {
		p.Approvals = append(p.Approvals, ProposalApproval{Level: ap.Level, Decision: ap.Decision, ByID: ap.ByID, At: a.ts(ap.At), Comment: ap.Comment})
	}
	return answer{Body: p, Version: d.P.LockVersion}, nil
}

// proposalPDF sends the portal's PDF of the version (proposals.PDFFile:
// the same code, scope and draft marking as the page's download).
func (a *API) proposalPDF(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	lang := langOf(c)
	out, disposition, err := a.deps.Proposals.PDFFile(ctxOf(c), subject(c), id, a.deps.ProposalPDF, lang,
		func(id string, args ...any) string { return a.srv.I18n.T(lang, id, args...) })
	if errors.Is(err, proposals.ErrNoFonts) {
		return errProblem(fiber.StatusServiceUnavailable, "unavailable")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, disposition)
	return c.Send(out)
}
