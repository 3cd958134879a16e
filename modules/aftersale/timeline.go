package aftersale

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/prospects"
)

// timelineActions are the request steps the customer timeline shows,
// with their message ids (written out so the catalogue test sees them).
var timelineActions = map[string]string{
	"create":            "aftersale.timeline.create",
	"start":             "aftersale.timeline.start",
	"transfer":          "aftersale.timeline.transfer",
	"resolve":           "aftersale.timeline.resolve",
	"close":             "aftersale.timeline.close",
	"auto_close":        "aftersale.timeline.auto_close",
	"reopen":            "aftersale.timeline.reopen",
	"sla_warning":       "aftersale.timeline.sla_warning",
	"escalate_chief":    "aftersale.timeline.escalate_chief",
	"escalate_director": "aftersale.timeline.escalate_director",
	// The response clock's steps (slaTimers).
	"response_warning":           "aftersale.timeline.response_warning",
	"response_escalate_chief":    "aftersale.timeline.response_escalate_chief",
	"response_escalate_director": "aftersale.timeline.response_escalate_director",
}

// TimelineEntries are the customer timeline's after-sale entries: every
// step of every service request, the light care touches and the done
// call-backs. Registered on prospects.Timeline in cmd/jike; prospects has
// checked the reader may see the customer.
func (s *Service) TimelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	events, err := s.store.EventsOfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []prospects.TimelineEntry
	for _, e := range events {
		msg, ok := timelineActions[e.Action]
		if !ok {
			continue
		}
		var actor uint
		if e.ByID != nil {
			actor = *e.ByID
		}
		out = append(out, prospects.TimelineEntry{At: e.At, Kind: "aftersale", MsgID: msg, Args: []any{"No", RequestNo(e.RequestID)},
			Detail: e.Note, Link: requestLink(e.RequestID), ActorID: actor})
	}
	touches, err := s.store.TouchesOf(ctx, customerID, 100)
	if err != nil {
		return nil, err
	}
	for _, t := range touches {
		out = append(out, prospects.TimelineEntry{At: t.CreatedAt, Kind: "aftersale", MsgID: "aftersale.timeline.touch." + t.Kind,
			Detail: t.Summary, Link: fmt.Sprintf("/customers/%d/aftersale", customerID), ActorID: t.UserID})
	}
	cbs, err := s.store.DoneOfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	for _, c := range cbs {
		var actor uint
		if c.DoneBy != nil {
			actor = *c.DoneBy
		}
		out = append(out, prospects.TimelineEntry{At: *c.DoneAt, Kind: "aftersale", MsgID: "aftersale.timeline.callback",
			Args:   []any{"Scores", fmt.Sprintf("%d/%d/%d/%d", c.QAttitude, c.QSkill, c.QSpeed, c.QResult)},
			Detail: c.Comment, Link: fmt.Sprintf("/aftersale/callbacks/%d", c.ID), ActorID: actor})
	}
	return out, nil
}
