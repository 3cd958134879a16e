package retention

import (
	"context"
	"html/template"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv  *web.Server
	svc  *Service
	opts RouteOptions
}

func (h *handler) t(c *fiber.Ctx, id string, args ...any) string {
	return h.srv.I18n.T(web.Lang(c), id, args...)
}

// customer is the customer's retention page: the score, each factor with
// its points and explanation, the open alert and the earlier ones.
func (h *handler) customer(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	r, err := h.svc.CustomerRisk(c.UserContext(), web.MustSubject(c), id)
	if err != nil {
		return err
	}
	v := &riskView{Risk: r, Open: r.Open(), Weights: h.svc.Weights(), Now: h.svc.Now(), Customer: r.Customer}
	v.Title = h.t(c, "retention.customer_title")
	return h.srv.View(c, "retention/customer", v)
}

func (h *handler) alert(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return h.renderAlert(c, fiber.StatusOK, id, nil, alertView{})
}

func (h *handler) renderAlert(c *fiber.Ctx, status int, id uint, errs map[string]string, typed alertView) error {
	me := web.MustSubject(c)
	a, cust, err := h.svc.Alert(c.UserContext(), me, id, "read")
	if err != nil {
		return err
	}
	v := &alertView{Alert: a, Customer: cust, CanAct: h.svc.CanAct(me, cust), Now: h.svc.Now(), Errors: errs,
		Actions: Actions, Outcomes: Outcomes, Action: typed.Action, Note: typed.Note, Outcome: typed.Outcome, Reason: typed.Reason}
	v.Title = h.t(c, "retention.alert_title")
	return h.srv.ViewStatus(c, status, "retention/alert", v)
}

// recordAction records the action; a planned visit goes on to the visit
// form for the customer, an offer to a new proposal.
func (h *handler) recordAction(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	action, note := c.FormValue("action"), c.FormValue("note")
	a, err := h.svc.RecordAction(c.UserContext(), web.MustSubject(c), id, action, note, web.FormInt(c, "version"))
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderAlert(c, status, id, msgs, alertView{Action: action, Note: note})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "retention.action_saved")
	cid := strconv.FormatUint(uint64(a.CustomerID), 10)
	switch a.Action {
	case ActionVisit:
		return web.Redirect(c, "/visits/new?customer="+cid)
	case ActionOffer:
		return web.Redirect(c, "/customers/"+cid+"/proposals/new")
	}
	return web.Redirect(c, alertLink(a.ID))
}

func (h *handler) recordOutcome(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	outcome, reason := c.FormValue("outcome"), c.FormValue("reason")
	a, err := h.svc.RecordOutcome(c.UserContext(), web.MustSubject(c), id, outcome, reason, web.FormInt(c, "version"))
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderAlert(c, status, id, msgs, alertView{Outcome: outcome, Reason: reason})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "retention.outcome_saved")
	return web.Redirect(c, alertLink(a.ID))
}

func filterFrom(c *fiber.Ctx) Filter {
	f := Filter{Status: c.Query("status"), TeamID: web.QueryID(c, "team"), Sort: c.Query("sort")}
	if !slices.Contains(append([]string{"", "all", "overdue"}, Statuses...), f.Status) {
		f.Status = ""
	}
	if !slices.Contains(Sorts, f.Sort) {
		f.Sort = "score"
	}
	return f
}

func (h *handler) queue(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	pager := web.NewPager(c)
	f := filterFrom(c)
	f.Limit, f.Offset = pager.Size, pager.Offset()
	rows, total, err := h.svc.List(ctx, me, f)
	if err != nil {
		return err
	}
	pager.Total = total
	v := &queueView{Rows: rows, Pager: pager, F: f, Statuses: append(append([]string{}, Statuses...), "overdue", "all"), Now: h.svc.Now(),
		Query: template.URL(url.Values{"status": {f.Status}, "team": {strconv.FormatUint(uint64(f.TeamID), 10)}, "sort": {f.Sort}}.Encode())} //nolint:gosec // url.Values.Encode output
	if v.Teams, err = h.svc.TeamsFor(ctx, me); err != nil {
		return err
	}
	if v.Counts, err = h.svc.TeamCounts(ctx, me); err != nil {
		return err
	}
	v.Title = h.t(c, "retention.queue_title")
	return h.srv.View(c, "retention/queue", v)
}

func (h *handler) atRisk(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	ctx := c.UserContext()
	pager := web.NewPager(c)
	team := web.QueryID(c, "team")
	rows, total, err := h.svc.AtRisk(ctx, me, team, pager.Size, pager.Offset())
	if err != nil {
		return err
	}
	pager.Total = total
	v := &riskListView{Rows: rows, Pager: pager, Team: team, Threshold: h.svc.Weights().Threshold,
		Query: template.URL(url.Values{"team": {strconv.FormatUint(uint64(team), 10)}}.Encode())} //nolint:gosec // url.Values.Encode output
	if v.Teams, err = h.svc.TeamsFor(ctx, me); err != nil {
		return err
	}
	v.Title = h.t(c, "retention.at_risk_title")
	return h.srv.View(c, "retention/at_risk", v)
}

func (h *handler) panel(ctx context.Context, me authz.Subject) (fiber.Map, error) {
	rows, total, err := h.svc.Mine(ctx, me, 5)
	if err != nil {
		return nil, err
	}
	return fiber.Map{"Rows": rows, "Total": int(total), "Now": h.svc.Now()}, nil
}

func (h *handler) sendSheet(c *fiber.Ctx, name, title string, cols []sheet.Column, fill func(w sheet.Writer) error) error {
	file, size, err := sheet.Spool(sheet.CSV, title, cols, h.opts.Location, fill)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, sheet.ContentType(sheet.CSV))
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"; filename*=UTF-8''`+url.PathEscape(title+".csv"))
	return c.SendStream(file, int(size))
}

func (h *handler) exportQueue(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	t := func(id string) string { return h.t(c, id) }
	f := filterFrom(c)
	cols := []sheet.Column{
		{Header: t("retention.customer"), Width: 30}, {Header: t("retention.owner"), Width: 10},
		{Header: t("retention.score"), Width: 6, Kind: sheet.Int}, {Header: t("retention.status"), Width: 10},
		{Header: t("retention.action"), Width: 10}, {Header: t("retention.outcome"), Width: 10},
		{Header: t("retention.opened_at"), Width: 18, Kind: sheet.DateTime}, {Header: t("retention.due_at"), Width: 18, Kind: sheet.DateTime},
		{Header: t("retention.escalation"), Width: 8, Kind: sheet.Int},
	}
	label := func(prefix, v string) string {
		if v == "" {
			return ""
		}
		return t(prefix + v)
	}
	return h.sendSheet(c, "retention", t("retention.queue_title"), cols, func(w sheet.Writer) error {
		return h.svc.Each(c.UserContext(), me, f, func(rows []AlertRow) error {
			for i := range rows {
				r := &rows[i]
				if err := w.Row(r.CustomerName, r.OwnerName, r.Score, t("retention.status."+r.Status), label("retention.action.", r.Action),
					label("retention.outcome.", r.Outcome), r.OpenedAt, r.DueAt, r.Escalation); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func (h *handler) exportAtRisk(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	t := func(id string) string { return h.t(c, id) }
	team := web.QueryID(c, "team")
	cols := []sheet.Column{
		{Header: t("retention.team"), Width: 14}, {Header: t("retention.customer"), Width: 30}, {Header: t("retention.owner"), Width: 10},
		{Header: t("retention.score"), Width: 6, Kind: sheet.Int}, {Header: t("retention.status"), Width: 10},
	}
	return h.sendSheet(c, "at-risk", t("retention.at_risk_title"), cols, func(w sheet.Writer) error {
		return h.svc.EachAtRisk(c.UserContext(), me, team, func(rows []RiskRow) error {
			for i := range rows {
				r := &rows[i]
				st := t("retention.no_alert")
				if r.AlertStatus != "" {
					st = t("retention.status." + r.AlertStatus)
				}
				if err := w.Row(r.TeamName, r.CustomerName, r.OwnerName, r.Score, st); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
