package prospects

import (
	"context"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/platform/web"
)

func opportunityURL(id uint) string { return "/opportunities/" + strconv.FormatUint(uint64(id), 10) }

// oppFilterFromValues reads the filters the opportunity list and the
// board share from a query string: search, stage (list), owner, team,
// grade, industry, expected close month, qualification and sort. Values
// that are not a known choice are dropped; ids outside the user's scope
// select nothing, because the scope is applied as well.
func oppFilterFromValues(q url.Values) OpportunityFilter {
	num := func(k string) int {
		n, err := strconv.Atoi(q.Get(k))
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	f := OpportunityFilter{
		Q: strings.TrimSpace(q.Get("q")), OwnerID: uint(num("owner")), TeamID: uint(num("team")),
		Grade: q.Get("grade"), Industry: q.Get("industry"), Sort: q.Get("sort"), Desc: q.Get("dir") == "desc",
		MinScore: num("score"),
	}
	if st := q.Get("stage"); slices.Contains(Stages, st) {
		f.Stages = []string{st}
	}
	if !slices.Contains(Grades, f.Grade) {
		f.Grade = ""
	}
	if !slices.Contains(Industries, f.Industry) {
		f.Industry = ""
	}
	if _, ok := OpportunitySorts[f.Sort]; !ok || f.Sort == "changed" {
		f.Sort, f.Desc = "", false
	}
	// The month goes through the one date parser (1900–2100), as its first day.
	if m, err := textnorm.ParseDate(q.Get("close") + "-01"); err == nil && q.Get("close") != "" {
		next := m.AddDate(0, 1, 0)
		f.CloseMonth, f.CloseFrom, f.CloseBefore = m.Format("2006-01"), &m, &next
	}
	return f
}

func (h *handler) oppFilterFrom(c *fiber.Ctx) OpportunityFilter {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	return oppFilterFromValues(q)
}

// oppQuery is the filter as a query string (without stage and page), for
// the board's links, its move forms and the export buttons.
func oppQuery(f OpportunityFilter) template.URL {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" && v != "0" {
			q.Set(k, v)
		}
	}
	set("q", f.Q)
	set("owner", strconv.FormatUint(uint64(f.OwnerID), 10))
	set("team", strconv.FormatUint(uint64(f.TeamID), 10))
	set("grade", f.Grade)
	set("industry", f.Industry)
	set("close", f.CloseMonth)
	set("score", strconv.Itoa(f.MinScore))
	set("sort", f.Sort)
	if f.Sort != "" && f.Desc {
		q.Set("dir", "desc")
	}
	// Encoded here, so templates may put it after "?" as it is.
	return template.URL(q.Encode()) //nolint:gosec // url.Values.Encode output

}

// teamOption is a team in a filter; an admin sees every branch's teams,
// so the branch is part of the label.
type teamOption struct {
	ID    uint
	Label string
}

// scopeOptions are the team and account manager choices of the filters,
// limited to the user's reach: a chief rep's team members; a director's
// branch teams and their members (of the chosen team, if one is); an
// admin every team, and the members of the chosen team. An account
// manager has no choice to make.
func (h *handler) scopeOptions(c *fiber.Ctx, teamID uint) ([]teamOption, []org.User, error) {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	var teams []teamOption
	if h.svc.ListsTeams(me) {
		list, err := h.svc.Teams(ctx, me.BranchID, true)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range list {
			teams = append(teams, teamOption{ID: t.ID, Label: t.Label})
		}
	}
	owners, err := h.svc.FilterOwners(ctx, me, teamID)
	if err != nil {
		return nil, nil, err
	}
	return teams, owners, nil
}

// showOwner: lists name the owner when the user's scope spans more than
// one person (policy customer list_others: everyone but an account
// manager, who sees their own).
func (h *handler) showOwner(me authz.Subject) bool { return h.svc.ListsOthers(me) }

// closeMonths are the expected-close months the filters offer: three back
// (overdue deals) to twelve ahead.
func (h *handler) closeMonths() []string {
	now := h.svc.now()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, 0, 16)
	for i := -3; i <= 12; i++ {
		out = append(out, first.AddDate(0, i, 0).Format("2006-01"))
	}
	return out
}

// filterData is what the filters (oppFilters.FiltersHTML) need.
func (h *handler) filterData(c *fiber.Ctx, f OpportunityFilter) (oppFilters, error) {
	teams, owners, err := h.scopeOptions(c, f.TeamID)
	if err != nil {
		return oppFilters{}, err
	}
	return oppFilters{
		Filter: f, Teams: teams, Owners: owners, Months: h.closeMonths(), Grades: Grades,
		Industries: Industries, Stages: Stages, FilterQuery: oppQuery(f),
		ShowOwner: h.showOwner(web.MustSubject(c)),
	}, nil
}

func (h *handler) opportunities(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	p := web.NewPager(c)
	f := h.oppFilterFrom(c)
	f.Limit, f.Offset = p.Size, p.Offset()
	rows, totals, err := h.svc.OpportunityPage(c.UserContext(), me, f)
	if err != nil {
		return err
	}
	p.Total = totals.Count
	v := &opportunitiesView{Rows: rows, Pager: p, Totals: totals, ExportQuery: exportQuery(f)}
	if v.oppFilters, err = h.filterData(c, f); err != nil {
		return err
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.OwnerID
	}
	if v.Users, err = h.people(c, ids...); err != nil {
		return err
	}
	if len(f.Stages) == 1 {
		v.Stage = f.Stages[0]
	}
	v.Title = h.srv.I18n.T(web.Lang(c), "opportunities.title")
	return h.srv.View(c, "prospects/opportunities", v)
}

// exportQuery is the list's filter with its stage, for the export links.
func exportQuery(f OpportunityFilter) template.URL {
	q := string(oppQuery(f))
	if len(f.Stages) == 1 {
		if q != "" {
			q += "&"
		}
		q += "stage=" + url.QueryEscape(f.Stages[0])
	}
	return template.URL(q) //nolint:gosec // encoded values only
}

// boardData loads the board for f and everything its template shows.
func (h *handler) boardData(c *fiber.Ctx, f OpportunityFilter, pin uint) (*boardView, error) {
	me := web.MustSubject(c)
	f.Stages = nil
	board, err := h.svc.Board(c.UserContext(), me, f, pin)
	if err != nil {
		return nil, err
	}
	v := &boardView{Board: board, BoardSorts: BoardSorts,
		boardCards: boardCards{Moved: pin, OpenStages: OpenStages, LostReasons: LostReasons, Query: oppQuery(f)}}
	if v.oppFilters, err = h.filterData(c, f); err != nil {
		return nil, err
	}
	var ids []uint
	for _, col := range board.Columns {
		for _, card := range col.Cards {
			ids = append(ids, card.OwnerID)
		}
	}
	if v.Users, err = h.people(c, ids...); err != nil {
		return nil, err
	}
	return v, nil
}

func (h *handler) pipeline(c *fiber.Ctx) error {
	v, err := h.boardData(c, h.oppFilterFrom(c), 0)
	if err != nil {
		return err
	}
	if c.Get("HX-Request") == "true" && c.Get("HX-Target") == "board" {
		return h.srv.ViewFragment(c, "prospects/board", v)
	}
	// The won and lost columns' window moves once a minute (boardFilter).
	web.KeepUntil(c, h.svc.Now().Truncate(time.Minute).Add(time.Minute))
	v.Title = h.srv.I18n.T(web.Lang(c), "nav.pipeline")
	return h.srv.View(c, "prospects/pipeline", v)
}

// boardMore answers "更多" on a board column (htmx): the next cards after
// the card "after", and a new "更多" if still more follow. Without
// JavaScript the same link opens the list view of the stage.
func (h *handler) boardMore(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	f := h.oppFilterFrom(c)
	f.Stages = nil
	stage := c.Query("stage")
	after, skip := web.QueryID(c, "after"), web.QueryID(c, "skip")
	if !slices.Contains(Stages, stage) || after == 0 {
		return fiber.ErrBadRequest
	}
	cards, more, err := h.svc.BoardMore(c.UserContext(), me, f, stage, after, skip)
	if err != nil {
		return err
	}
	ids := make([]uint, len(cards))
	for i, r := range cards {
		ids[i] = r.OwnerID
	}
	users, err := h.people(c, ids...)
	if err != nil {
		return err
	}
	shown, total := c.QueryInt("shown")+len(cards), int64(c.QueryInt("total"))
	col := BoardColumn{Stage: stage, Cards: cards}
	return h.srv.ViewFragment(c, "prospects/board_more", &boardMoreView{
		Col: col, More: more, Shown: shown, Total: total, Rest: max(total-int64(shown), 1), Skip: skip, ShowOwner: h.showOwner(me),
		boardCards: boardCards{Users: users, Query: oppQuery(f), OpenStages: OpenStages, LostReasons: LostReasons},
	})
}

func (h *handler) panelPipeline(ctx context.Context, me authz.Subject) (fiber.Map, error) {
	totals, err := h.svc.BoardTotals(ctx, me, OpportunityFilter{})
	if err != nil {
		return nil, err
	}
	var open, monthly, weighted int64
	var stages []BoardColumn
	for _, st := range Stages {
		t := totals[st]
		if t.Count > 0 {
			stages = append(stages, BoardColumn{Stage: st, OppTotals: t})
		}
		if st == StageWon || st == StageLost {
			continue
		}
		open += t.Count
		monthly += t.MonthlyFen
		weighted += t.Weighted
	}
	// The totals cover what the role sees: a chief rep's are the team's, a
	// director's the branch's, so only an account manager's are "mine".
	heading := map[string]string{"chief_rep": "pipeline.panel_team", "director": "pipeline.panel_branch", "admin": "pipeline.panel_all"}[me.Role]
	if heading == "" {
		heading = "pipeline.panel"
	}
	return fiber.Map{"V": pipelinePanel{Open: open, Monthly: money.Fen(monthly), Weighted: money.Fen(weighted), Stages: stages, Heading: heading}}, nil
}

func oppInputFrom(c *fiber.Ctx) OpportunityInput {
	return OpportunityInput{
		CustomerID: web.FormUint(c, "customer_id"), Title: c.FormValue("title"), Products: c.FormValue("products"),
		Monthly: c.FormValue("monthly"), OneTime: c.FormValue("one_time"), ExpectedClose: c.FormValue("expected_close"),
		Stage: c.FormValue("stage"), Probability: c.FormValue("probability"), Version: web.FormInt(c, "version"),
	}
}

func (h *handler) renderOppForm(c *fiber.Ctx, status int, id uint, cu *Customer, in OpportunityInput, errs map[string]string) error {
	return h.srv.ViewStatus(c, status, "prospects/opportunity_form", &opportunityFormView{
		ID: id, C: cu, Form: in, Errors: errs, Stages: OpenStages, Defaults: DefaultProbability,
	})
}

func (h *handler) opportunityNew(c *fiber.Ctx) error {
	cid := web.QueryID(c, "customer")
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
	v := &opportunityView{O: o, C: cu, History: history, Users: users, Stages: Stages, OpenStages: OpenStages,
		LostReasons: LostReasons, CanWrite: h.svc.Can(me, "write", cu), Trail: view}
	v.Title = o.Title
	return h.srv.View(c, "prospects/opportunity", v)
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

// opportunityMove changes the stage. The board's control sends the stage
// and, for a lost deal, the reason in one value ("lost:price"), so that it
// is one select that works without JavaScript. From the board with htmx
// the answer is the refreshed board, the moved card first in its column;
// from the board without JavaScript a redirect back to the same board;
// from the opportunity page a redirect to it. A refused move from the
// board without htmx goes to the opportunity page, whose form asks for
// everything.
func (h *handler) opportunityMove(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	to, reason := c.FormValue("stage"), c.FormValue("lost_reason")
	if st, r, ok := strings.Cut(to, ":"); ok && st == StageLost {
		to, reason = st, r
	}
	m := StageMove{To: to, LostReason: reason, Note: c.FormValue("note"), Version: web.FormInt(c, "version")}
	_, err = h.svc.MoveStage(c.UserContext(), me, id, m)
	fromBoard, htmx := c.FormValue("from") == "board", c.Get("HX-Request") == "true"
	q, _ := urlValues(c.FormValue("query"))
	f := oppFilterFromValues(q)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		if fromBoard && htmx {
			return h.boardFragment(c, status, msgs, f, id)
		}
		h.srv.Flash(c, "error", firstField(err))
		return web.Redirect(c, opportunityURL(id))
	}
	if err != nil {
		return err
	}
	if fromBoard {
		if htmx {
			return h.boardFragment(c, fiber.StatusOK, nil, f, id)
		}
		h.srv.Flash(c, "ok", "opportunities.moved")
		return web.Redirect(c, "/pipeline?"+string(oppQuery(f))+"#opp-"+strconv.FormatUint(uint64(id), 10))
	}
	h.srv.Flash(c, "ok", "opportunities.moved")
	return web.Redirect(c, opportunityURL(id))
}

// boardFragment renders the board (filters from the move form) after a
// move, with the moved card pinned and any errors above the columns.
func (h *handler) boardFragment(c *fiber.Ctx, status int, errs map[string]string, f OpportunityFilter, moved uint) error {
	v, err := h.boardData(c, f, moved)
	if err != nil {
		return err
	}
	v.Errors = errs
	c.Status(status)
	return h.srv.ViewFragment(c, "prospects/board", v)
}
