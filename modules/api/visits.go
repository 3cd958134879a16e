package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/visits"
)

// Visit is a visit plan (走访计划) with its record, if written.
type Visit struct {
	ID             uint         `json:"id"`
	CustomerID     uint         `json:"customer_id"`
	OwnerID        uint         `json:"owner_id"`
	StartsAt       time.Time    `json:"starts_at"`
	DurationMin    int          `json:"duration_min"`
	Kind           string       `json:"kind" enum:"first,needs,demo,signing,care,complaint"`
	Objective      string       `json:"objective"`
	Location       string       `json:"location"`
	Status         string       `json:"status" enum:"planned,done,cancelled,missed"`
	ContactIDs     []uint       `json:"contact_ids"`
	ParticipantIDs []uint       `json:"participant_ids"`
	Record         *VisitRecord `json:"record"`
	Version        int          `json:"version"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// VisitRecord is what happened at a visit (走访记录).
type VisitRecord struct {
	Discussed   string    `json:"discussed"`
	Attitude    string    `json:"attitude" enum:"positive,neutral,negative"`
	NeedsText   string    `json:"needs_text"`
	NextStep    string    `json:"next_step"`
	NextDate    *string   `json:"next_date" format:"date"`
	NextVisitID *uint     `json:"next_visit_id"`
	Version     int       `json:"version" doc:"Send as If-Match (\"3\") to edit the record."`
	CreatedAt   time.Time `json:"created_at"`
}

// VisitCreate is the body of POST /visits.
type VisitCreate struct {
	CustomerID     uint   `json:"customer_id"`
	Date           string `json:"date" format:"date" doc:"Day of the visit in the configured zone."`
	Time           string `json:"time" doc:"HH:MM in the configured zone."`
	DurationMin    int    `json:"duration_min" api:"optional"`
	Kind           string `json:"kind" enum:"first,needs,demo,signing,care,complaint"`
	Objective      string `json:"objective"`
	Location       string `json:"location" api:"optional"`
	ContactIDs     []uint `json:"contact_ids" api:"optional"`
	ParticipantIDs []uint `json:"participant_ids" api:"optional"`
}

// VisitRecordInput is the body of POST /visits/{id}/record.
type VisitRecordInput struct {
	Discussed string `json:"discussed"`
	Attitude  string `json:"attitude" enum:"positive,neutral,negative"`
	NeedsText string `json:"needs_text" api:"optional"`
	NextStep  string `json:"next_step" api:"optional"`
	NextDate  string `json:"next_date" api:"optional" format:"date" doc:"Plans the next visit (or a to-do) on that day."`
	NextTime  string `json:"next_time" api:"optional" doc:"HH:MM, default 09:30."`
	NextKind  string `json:"next_kind" api:"optional" doc:"A visit kind, or \"todo\"."`
}

// VisitListed is a visit of a list, with its customer's name.
type VisitListed struct {
	Visit
	CustomerName string `json:"customer_name"`
}

func (a *API) routesVisits() {
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	filters := []Param{
		{Name: "who", Type: "string", Enum: []string{visits.ViewMine, visits.ViewScope},
			Doc: "mine: visits you own or join (default for those who sell); scope: every visit of the customers you may read"},
		{Name: "status", Type: "string", Enum: visits.Statuses}, {Name: "owner_id", Type: "integer"}, {Name: "team_id", Type: "integer"},
		{Name: "from", Type: "string", Doc: "First day, YYYY-MM-DD in the configured zone"},
		{Name: "to", Type: "string", Doc: "Last day, YYYY-MM-DD"},
		{Name: "order", Type: "string", Enum: []string{"asc", "desc"}, Doc: "By start time; default desc (latest first)"},
	}
	a.add(fiber.MethodGet, "/visits", read, Op{ID: "listVisits", Tag: "visits", Summary: "Visit plans with their records",
		Result: VisitListed{}, List: true, Query: paged(append(filters, Param{Name: "customer_id", Type: "integer"})...)}, a.listVisits)
	a.add(fiber.MethodGet, "/customers/:id/visits", read, Op{ID: "listCustomerVisits", Tag: "visits", Summary: "A customer's visits with their records",
		Result: VisitListed{}, List: true, Query: paged(filters...)}, a.listVisits)
	a.add(fiber.MethodPost, "/visits", write, Op{ID: "createVisit", Tag: "visits", Summary: "Plan a visit",
		Body: VisitCreate{}, Status: 201, Result: Visit{}, Versioned: true}, create(a.createVisit))
	a.add(fiber.MethodGet, "/visits/:id", read, Op{ID: "getVisit", Tag: "visits", Summary: "One visit with its record",
		Result: Visit{}, Versioned: true}, get(a.getVisit))
	a.add(fiber.MethodPost, "/visits/:id/record", write, Op{ID: "recordVisit", Tag: "visits",
		Summary: "Record what happened (If-Match with the record's version to edit an existing record)",
		Body:    VisitRecordInput{}, Result: Visit{}, Versioned: true, Errors: []int{412, 428}}, create(a.recordVisit))
}

// visitOf is a plan with its record and links.
func (a *API) visitOf(p *visits.Plan, r *visits.Record, contacts, participants []uint) Visit {
	out := Visit{ID: p.ID, CustomerID: p.CustomerID, OwnerID: p.OwnerID, StartsAt: a.ts(p.StartsAt), DurationMin: p.DurationMin,
		Kind: p.Kind, Objective: p.Objective, Location: p.Location, Status: p.Status, ContactIDs: append([]uint{}, contacts...),
		ParticipantIDs: append([]uint{}, participants...), Version: p.Version, CreatedAt: a.ts(p.CreatedAt), UpdatedAt: a.ts(p.UpdatedAt)}
	if r != nil {
		out.Record = &VisitRecord{Discussed: r.Discussed, Attitude: r.Attitude, NeedsText: r.NeedsText, NextStep: r.NextStep,
			NextDate: a.date(r.NextDate), NextVisitID: r.NextVisitID, Version: r.Version, CreatedAt: a.ts(r.CreatedAt)}
	}
	return out
}

func (a *API) visit(d *visits.Detail) Visit {
	var contacts, participants []uint
	for _, ct := range d.Contacts {
		contacts = append(contacts, ct.ID)
	}
	for _, u := range d.Participants {
		participants = append(participants, u.ID)
	}
	return a.visitOf(d.Plan, d.Record, contacts, participants)
}

// visitFilter reads the portal visit list's filters; the customer is the
// path's (a customer out of scope is a 404) or ?customer_id=.
func (a *API) visitFilter(c *fiber.Ctx) (visits.PlanFilter, error) {
	q := newQuery(c)
	me := subject(c)
	f := visits.PlanFilter{CustomerID: q.id("customer_id"), OwnerID: q.id("owner_id"), TeamID: q.id("team_id"),
		From: q.date("from", a.opts.Location), To: q.date("to", a.opts.Location)}
	// Instants are compared in UTC (SQLite compares them as text).
	if f.From != nil {
		from := f.From.UTC()
		f.From = &from
	}
	if f.To != nil {
		end := f.To.AddDate(0, 0, 1).UTC()
		f.To = &end
	}
	if st := q.enum("status", visits.Statuses); st != "" {
		f.Statuses = []string{st}
	}
	// The portal's choice: one's own visits unless asking for the scope
	// (and allowed to), or selling nothing (the admin has no own visits).
	who := q.enum("who", []string{visits.ViewMine, visits.ViewScope})
	if (who != visits.ViewScope || !a.deps.Prospects.ListsOthers(me)) && a.deps.Prospects.Sells(me) {
		f.Mine = me.ID
	}
	_, f.Desc = q.sort([]string{"start"}, "start", "start")
	if err := q.err(); err != nil {
		return f, err
	}
	if c.Params("id") != "" {
		id, err := web.ParamID(c, "id")
		if err != nil {
			return f, err
		}
		if _, err := a.deps.Prospects.Customer(ctxOf(c), me, id); err != nil {
			return f, err
		}
		f.CustomerID = id
	}
	return f, nil
}

func (a *API) listVisits(c *fiber.Ctx) error {
	f, err := a.visitFilter(c)
	if err != nil {
		return err
	}
	return listed(c, keyset{Sort: "start", Desc: f.Desc, Kind: "time"}, func(q pageQuery) ([]visits.Listed, int64, error) {
		f.After, f.Limit = q.After, q.Limit
		return a.deps.Visits.Page(ctxOf(c), subject(c), f)
	}, func(r *visits.Listed) []any { return visits.PlanPosition(&r.PlanRow) },
		func(r *visits.Listed) VisitListed {
			return VisitListed{Visit: a.visitOf(&r.Plan, r.Record, r.ContactIDs, r.Participants), CustomerName: r.CustomerName}
		})
}

// visitAnswer is the visit as its page shows it now.
func (a *API) visitAnswer(c *fiber.Ctx, id uint) (answer, error) {
	d, err := a.deps.Visits.Detail(ctxOf(c), subject(c), id)
	if err != nil {
		return answer{}, err
	}
	return answer{Body: a.visit(d), Version: d.Plan.Version}, nil
}

func (a *API) getVisit(c *fiber.Ctx, id uint) (answer, error) { return a.visitAnswer(c, id) }

func (a *API) createVisit(c *fiber.Ctx, w *change[VisitCreate]) (answer, error) {
	in := w.In
	dur := ""
	if in.DurationMin != 0 {
		dur = strconv.Itoa(in.DurationMin)
	}
	p, err := a.deps.Visits.CreatePlan(ctxOf(c), subject(c), visits.PlanInput{CustomerID: in.CustomerID, Date: in.Date, Time: in.Time,
		Duration: dur, Kind: in.Kind, Objective: in.Objective, Location: in.Location, Contacts: in.ContactIDs, Participants: in.ParticipantIDs})
	if err != nil {
		return answer{}, err
	}
	out, err := a.visitAnswer(c, p.ID)
	out.Location = Prefix + "/visits/" + itoa(p.ID)
	return out, err
}

func (a *API) recordVisit(c *fiber.Ctx, w *change[VisitRecordInput]) (answer, error) {
	in := w.In
	ctx, me := ctxOf(c), subject(c)
	d, err := a.deps.Visits.Detail(ctx, me, w.ID)
	if err != nil {
		return answer{}, err
	}
	form := visits.RecordInput{Discussed: in.Discussed, Attitude: in.Attitude, NeedsText: in.NeedsText, NextStep: in.NextStep,
		NextDate: in.NextDate, NextTime: in.NextTime, NextKind: in.NextKind}
	if d.Record != nil {
		// Editing a written record: the same optimistic lock as the form.
		if form.Version, err = ifMatch(c); err != nil {
			return answer{}, err
		}
	}
	if _, err := a.deps.Visits.SaveRecord(ctx, me, w.ID, form); err != nil {
		return answer{}, err
	}
	return a.visitAnswer(c, w.ID)
}
