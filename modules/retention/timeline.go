package retention

import (
	"context"
	"strconv"

	"github.com/jike-crm/jike/modules/prospects"
)

// TimelineEntries are the customer timeline's retention entries: each
// alert's opening, its action and its outcome, read from the alerts
// themselves. Registered on prospects.Timeline in cmd/jike; prospects has
// checked the reader may see the customer.
func (s *Service) TimelineEntries(ctx context.Context, customerID uint) ([]prospects.TimelineEntry, error) {
	alerts, err := s.store.AlertsOfCustomer(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []prospects.TimelineEntry
	for _, a := range alerts {
		link := alertLink(a.ID)
		out = append(out, prospects.TimelineEntry{At: a.OpenedAt, Kind: "retention", MsgID: "retention.timeline.opened",
			Args: []any{"Score", strconv.Itoa(a.Score)}, Link: link})
		if a.ActionAt != nil {
			var by uint
			if a.ActionBy != nil {
				by = *a.ActionBy
			}
			out = append(out, prospects.TimelineEntry{At: *a.ActionAt, Kind: "retention", MsgID: "retention.timeline.action." + a.Action,
				Detail: a.ActionNote, Link: link, ActorID: by})
		}
		if a.OutcomeAt != nil {
			var by uint
			if a.OutcomeBy != nil {
				by = *a.OutcomeBy
			}
			out = append(out, prospects.TimelineEntry{At: *a.OutcomeAt, Kind: "retention", MsgID: "retention.timeline.outcome." + a.Outcome,
				Detail: a.OutcomeReason, Link: link, ActorID: by})
		}
	}
	return out, nil
}
