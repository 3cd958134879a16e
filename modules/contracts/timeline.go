package contracts

import (
	"context"
	"strconv"

	"github.com/jike-crm/jike/modules/prospects"
)

// timelineActions are the events the customer timeline shows, with their
// message ids (written out so the catalogue test sees every id).
var timelineActions = map[string]string{
	"create":              "contracts.timeline.create",
	"contract_submit":     "contracts.timeline.submit",
	"contract_approve":    "contracts.timeline.approve",
	"contract_reject":     "contracts.timeline.reject",
	"contract_sign":       "contracts.timeline.sign",
	"contract_activate":   "contracts.timeline.activate",
	"contract_expiring":   "contracts.timeline.expiring",
	"contract_expire":     "contracts.timeline.expire",
	"contract_terminate":  "contracts.timeline.terminate",
	"contract_renew":      "contracts.timeline.renew",
	"contract_renewed":    "contracts.timeline.renewed",
	"contract_amend":      "contracts.timeline.amend",
	"contract_superseded": "contracts.timeline.superseded",
	"delete":              "contracts.timeline.delete",
	"attachment_add":      "contracts.timeline.attachment_add",
}

// TimelineEntries are the customer timeline's contract entries: every
// step of every contract's life (created, submitted, approved or
// rejected, signed, in force, expiring, expired, terminated, renewed,
// amended, an attachment added). Registered on prospects.Timeline in
// cmd/jike; prospects has checked the reader may see the customer.
func (s *Service) TimelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	events, err := s.store.EventsOfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]prospects.TimelineEntry, 0, len(events))
	for _, e := range events {
		msg, ok := timelineActions[e.Action]
		if !ok {
			continue
		}
		var actor uint
		if e.ByID != nil {
			actor = *e.ByID
		}
		out = append(out, prospects.TimelineEntry{
			At: e.At, Kind: "contract", MsgID: msg,
			Args:   []any{"Number", e.Number, "Revision", e.Revision, "Title", e.Title},
			Detail: e.Note, Link: "/contracts/" + strconv.FormatUint(uint64(e.ContractID), 10), ActorID: actor,
		})
	}
	return out, nil
}
