package prospects

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/web"
)

func opportunityURL(id uint) string { return "/opportunities/" + strconv.FormatUint(uint64(id), 10) }

func (h *handler) oppFilterFrom(c *fiber.Ctx) OpportunityFilter {
	f := OpportunityFilter{
		Q: strings.TrimSpace(c.Query("q")), OwnerID: uint(c.QueryInt("owner")), TeamID: uint(c.QueryInt("team")),
		Grade: c.Query("grade"), Industry: c.Query("industry"), Sort: c.Query("sort"), Desc: c.Query("dir") == "desc",
		MinScore: c.QueryInt("score"),
	}
	if st := c.Query("stage"); slices.Contains(Stages, st) {
		f.Stages = []string{st}
	}
	if !slices.Contains(Grades, f.Grade) {
		f.Grade = ""
	}
	if !slices.Contains(Industries, f.Industry) {
		f.Industry = ""
	}
	return f
}

func (h *handler) opportunities(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	p := web.NewPager(c)
	f := h.oppFilterFrom(c)
	f.Limit, f.Offset = p.Size, p.Offset()
	rows, total, err := h.svc.ListOpportunities(c.UserContext(), me, f)
	if err != nil {
		return err
	}
	p.Total, p.Cap = total, CountCap
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.OwnerID
	}
	users, err := h.people(c, ids...)
	if err != nil {
		return err
	}
	owners, err := h.svc.Assignable(c.UserContext(), me)
	if err != nil {
		return err
	}
	return h.srv.Render(c, "prospects/opportunities", fiber.Map{
		"Rows": rows, "Pager": p, "Filter": f, "Stage": c.Query("stage"), "Users": users, "Owners": owners,
		"Stages": Stages, "Grades": Grades, "Industries": Industries,
	})
}

func (h *handler) pipeline(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	f := h.oppFilterFrom(c)
	board, err := h.svc.Board(c.UserContext(), me, f)
	if err != nil {
		return err
	}
	owners, err := h.svc.Assignable(c.UserContext(), me)
	if err != nil {
		return err
	}
	data := fiber.Map{"Board": board, "Filter": f, "Owners": owners, "Moved": uint(0), "Stages": Stages, "OpenStages": OpenStages,
		"LostReasons": LostReasons, "Grades": Grades, "Industries": Industries, "Query": c.Request().URI().QueryArgs().String()}
	if c.Get("HX-Request") == "true" && c.Get("HX-Target") == "board" {
		return h.srv.Fragment(c, "prospects/board", data)
	}
	return h.srv.Render(c, "prospects/pipeline", data)
}

func (h *handler) panelPipeline(c *fiber.Ctx) (fiber.Map, error) {
	board, err := h.svc.Board(c.UserContext(), web.MustSubject(c), OpportunityFilter{})
	if err != nil {
		return nil, err
	}
	var open, monthly, weighted int64
	for _, col := range board.Columns {
		if col.Stage == StageWon || col.Stage == StageLost {
			continue
		}
		open += int64(len(col.Cards))
		monthly += col.MonthlyFen
		weighted += col.Weighted
	}
	return fiber.Map{"Open": open, "Monthly": money.Fen(monthly), "Weighted": money.Fen(weighted), "Board": board}, nil
}

func oppInputFrom(c *fiber.Ctx) OpportunityInput {
	return OpportunityInput{
		CustomerID: web.FormUint(c, "customer_id"), Title: c.FormValue("title"), Products: c.FormValue("products"),
		Monthly: c.FormValue("monthly"), OneTime: c.FormValue("one_time"), ExpectedClose: c.FormValue("expected_close"),
		Stage: c.FormValue("stage"), Probability: c.FormValue("probability"), Version: web.FormInt(c, "version"),
	}
}

func (h *handler) renderOppForm(c *fiber.Ctx, status int, id uint, cu *Customer, in OpportunityInput, errs map[string]string) error {
	return h.srv.RenderStatus(c, status, "prospects/opportunity_form", fiber.Map{
		"ID": id, "C": cu, "Form": in, "Errors": errs, "Stages": OpenStages, "Defaults": DefaultProbability,
	})
}

func (h *handler) opportunityNew(c *fiber.Ctx) error {
	cid := uint(c.QueryInt("customer"))
	if cid == 0 {
		return PickCustomerPage(h.srv, h.svc, c, "opportunities.new", "/opportunities/new", "/opportunities/new?customer={id}")
	}
	cu, err := h.svc.customerFor(c.UserContext(), web.MustSubject(c), cid, "write")
	if err != nil {
		return err
	}
	return h.renderOppForm(c, fiber.StatusOK, 0, cu, OpportunityInput{CustomerID: cid, Stage: StageIdentified}, nil)
}

func (h *handler) opportunityCreate(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	in := oppInputFrom(c)
	o, err := h.svc.CreateOpportunity(c.UserContext(), me, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		cu, lerr := h.svc.customerFor(c.UserContext(), me, in.CustomerID, "write")
		if lerr != nil {
			return lerr
		}
		return h.renderOppForm(c, status, 0, cu, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "opportunities.created")
	return web.Redirect(c, opportunityURL(o.ID))
}

func (h *handler) opportunityShow(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	o, cu, err := h.svc.Opportunity(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	history, err := h.svc.store.StageChanges(c.UserContext(), id)
	if err != nil {
		return err
	}
	ids := []uint{o.OwnerID}
	for _, m := range history {
		ids = append(ids, m.ByID)
	}
	users, err := h.people(c, ids...)
	if err != nil {
		return err
	}
	trail, err := h.svc.OpportunityHistory(c.UserContext(), id)
	if err != nil {
		return err
	}
	view, err := h.srv.History.View(c.UserContext(), me, web.Lang(c), trail)
	if err != nil {
		return err
	}
	return h.srv.Render(c, "prospects/opportunity", fiber.Map{
		"Title": o.Title, "O": o, "C": cu, "History": history, "Users": users, "Stages": Stages,
		"LostReasons": LostReasons, "CanWrite": h.svc.Can(me, "write", cu),
		"Trail": view,
	})
}

func (h *handler) opportunityEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	o, _, err := h.svc.Opportunity(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	cu, err := h.svc.customerFor(c.UserContext(), me, o.CustomerID, "write")
	if err != nil {
		return err
	}
	in := OpportunityInput{CustomerID: o.CustomerID, Title: o.Title, Products: o.Products, Monthly: o.MonthlyFen.Plain(),
		OneTime: o.OneTimeFen.Plain(), Stage: o.Stage, Probability: strconv.Itoa(o.Probability), Version: o.Version}
	if o.ExpectedClose != nil {
		in.ExpectedClose = o.ExpectedClose.Format("2006-01-02")
	}
	return h.renderOppForm(c, fiber.StatusOK, id, cu, in, nil)
}

func (h *handler) opportunityUpdate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	in := oppInputFrom(c)
	_, err = h.svc.UpdateOpportunity(c.UserContext(), me, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		o, cu, lerr := h.svc.Opportunity(c.UserContext(), me, id)
		if lerr != nil {
			return lerr
		}
		in.CustomerID, in.Stage = o.CustomerID, o.Stage
		return h.renderOppForm(c, status, id, cu, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, opportunityURL(id))
}

// opportunityMove changes the stage. From the board (htmx) it answers with
// the refreshed board; from the opportunity page with a redirect.
func (h *handler) opportunityMove(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	m := StageMove{To: c.FormValue("stage"), LostReason: c.FormValue("lost_reason"), Note: c.FormValue("note"), Version: web.FormInt(c, "version")}
	_, err = h.svc.MoveStage(c.UserContext(), me, id, m)
	fromBoard := c.FormValue("from") == "board"
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		if fromBoard {
			return h.boardFragment(c, status, msgs, id)
		}
		h.srv.Flash(c, "error", firstField(err))
		return web.Redirect(c, opportunityURL(id))
	}
	if err != nil {
		return err
	}
	if fromBoard {
		return h.boardFragment(c, fiber.StatusOK, nil, id)
	}
	h.srv.Flash(c, "ok", "opportunities.moved")
	return web.Redirect(c, opportunityURL(id))
}

func (h *handler) boardFragment(c *fiber.Ctx, status int, errs map[string]string, moved uint) error {
	me := web.MustSubject(c)
	q, _ := urlValues(c.FormValue("query"))
	f := OpportunityFilter{Q: q.Get("q"), Grade: q.Get("grade"), Industry: q.Get("industry")}
	if n, err := strconv.Atoi(q.Get("score")); err == nil {
		f.MinScore = n
	}
	if n, err := strconv.Atoi(q.Get("owner")); err == nil {
		f.OwnerID = uint(n)
	}
	board, err := h.svc.Board(c.UserContext(), me, f)
	if err != nil {
		return err
	}
	c.Status(status)
	return h.srv.Fragment(c, "prospects/board", fiber.Map{
		"Board": board, "OpenStages": OpenStages, "Stages": Stages, "LostReasons": LostReasons,
		"Errors": errs, "Moved": moved, "Query": c.FormValue("query"),
	})
}
