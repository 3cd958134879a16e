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

func (a *API) routesVisits() {
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	a.add(fiber.MethodPost, "/visits", write, Op{ID: "createVisit", Tag: "visits", Summary: "Plan a visit",
		Body: VisitCreate{}, Status: 201, Result: Visit{}, Versioned: true}, a.createVisit)
	a.add(fiber.MethodGet, "/visits/:id", read, Op{ID: "getVisit", Tag: "visits", Summary: "One visit with its record",
		Result: Visit{}, Versioned: true}, a.getVisit)
	a.add(fiber.MethodPost, "/visits/:id/record", write, Op{ID: "recordVisit", Tag: "visits",
		Summary: "Record what happened (If-Match with the record's version to edit an existing record)",
		Body:    VisitRecordInput{}, Result: Visit{}, Versioned: true, Errors: []int{412, 428}}, a.recordVisit)
}

func (a *API) visit(d *visits.Detail) Visit {
	p := d.Plan
	out := Visit{ID: p.ID, CustomerID: p.CustomerID, OwnerID: p.OwnerID, StartsAt: a.ts(p.StartsAt), DurationMin: p.DurationMin,
		Kind: p.Kind, Objective: p.Objective, Location: p.Location, Status: p.Status, ContactIDs: []uint{}, ParticipantIDs: []uint{},
		Version: p.Version, CreatedAt: a.ts(p.CreatedAt), UpdatedAt: a.ts(p.UpdatedAt)}
	for _, ct := range d.Contacts {
		out.ContactIDs = append(out.ContactIDs, ct.ID)
	}
	for _, u := range d.Participants {
		out.ParticipantIDs = append(out.ParticipantIDs, u.ID)
	}
	if r := d.Record; r != nil {
		out.Record = &VisitRecord{Discussed: r.Discussed, Attitude: r.Attitude, NeedsText: r.NeedsText, NextStep: r.NextStep,
			NextDate: a.date(r.NextDate), NextVisitID: r.NextVisitID, Version: r.Version, CreatedAt: a.ts(r.CreatedAt)}
	}
	return out
}

func (a *API) sendVisit(c *fiber.Ctx, status int, id uint) error {
	d, err := a.deps.Visits.Detail(ctxOf(c), subject(c), id)
	if err != nil {
		return err
	}
	setETag(c, d.Plan.Version)
	return send(c, status, a.visit(d))
}

func (a *API) getVisit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	return a.sendVisit(c, fiber.StatusOK, id)
}

func (a *API) createVisit(c *fiber.Ctx) error {
	var in VisitCreate
	if err := decode(c, &in); err != nil {
		return err
	}
	dur := ""
	if in.DurationMin != 0 {
		dur = strconv.Itoa(in.DurationMin)
	}
	p, err := a.deps.Visits.CreatePlan(ctxOf(c), subject(c), visits.PlanInput{CustomerID: in.CustomerID, Date: in.Date, Time: in.Time,
		Duration: dur, Kind: in.Kind, Objective: in.Objective, Location: in.Location, Contacts: in.ContactIDs, Participants: in.ParticipantIDs})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, Prefix+"/visits/"+itoa(p.ID))
	return a.sendVisit(c, fiber.StatusCreated, p.ID)
}

func (a *API) recordVisit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	var in VisitRecordInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, me := ctxOf(c), subject(c)
	d, err := a.deps.Visits.Detail(ctx, me, id)
	if err != nil {
		return err
	}
	form := visits.RecordInput{Discussed: in.Discussed, Attitude: in.Attitude, NeedsText: in.NeedsText, NextStep: in.NextStep,
		NextDate: in.NextDate, NextTime: in.NextTime, NextKind: in.NextKind}
	if d.Record != nil {
		// Editing a written record: the same optimistic lock as the form.
		if form.Version, err = ifMatch(c); err != nil {
			return err
		}
	}
	if _, err := a.deps.Visits.SaveRecord(ctx, me, id, form); err != nil {
		return err
	}
	return a.sendVisit(c, fiber.StatusOK, id)
}
