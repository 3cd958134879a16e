package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// Opportunity returns an opportunity and its customer if actor may read
// the customer (an opportunity is visible exactly when its customer is).
func (s *Service) Opportunity(ctx context.Context, actor authz.Subject, id uint) (*Opportunity, *Customer, error) {
	o, err := s.store.Opportunity(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.customerFor(ctx, actor, o.CustomerID, "read")
	if err != nil {
		return nil, nil, err
	}
	return o, c, nil
}

// Opportunities lists a readable customer's opportunities.
func (s *Service) Opportunities(ctx context.Context, actor authz.Subject, customerID uint) ([]Opportunity, error) {
	if _, err := s.customerFor(ctx, actor, customerID, "read"); err != nil {
		return nil, err
	}
	return s.store.OpportunitiesOf(ctx, customerID)
}

// ListOpportunities returns the opportunities actor may read matching f.
func (s *Service) ListOpportunities(ctx context.Context, actor authz.Subject, f OpportunityFilter) ([]OpportunityRow, int64, error) {
	f.Scope = s.Scope(actor, "read")
	return s.store.ListOpportunities(ctx, f)
}

// CreateOpportunity adds an opportunity to a customer the actor may write.
// Its owner is the customer's owner; its first stage is recorded.
func (s *Service) CreateOpportunity(ctx context.Context, actor authz.Subject, in OpportunityInput) (*Opportunity, error) {
	v, f := in.Validate()
	if in.CustomerID == 0 {
		return nil, f
	}
	c, err := s.customerFor(ctx, actor, in.CustomerID, "write")
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	o := &Opportunity{
		CustomerID: c.ID, Title: in.Title, Products: in.Products, MonthlyFen: v.monthly, OneTimeFen: v.oneTime,
		ExpectedClose: v.close, Stage: in.Stage, Probability: v.probability, OwnerID: c.OwnerID,
		StageChangedAt: now, CreatedBy: &actor.ID, UpdatedBy: &actor.ID,
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.CreateOpportunity(ctx, o); err != nil {
			return err
		}
		if err := tx.AddStageChange(ctx, &StageChange{OpportunityID: o.ID, ToStage: o.Stage, ByID: actor.ID, At: now}); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "opportunity", o.ID, audit.ActionCreate, audit.Diff(nil, o))
	})
	return o, err
}

// UpdateOpportunity edits an opportunity's details (not its stage).
func (s *Service) UpdateOpportunity(ctx context.Context, actor authz.Subject, id uint, in OpportunityInput) (*Opportunity, error) {
	o, err := s.store.Opportunity(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.customerFor(ctx, actor, o.CustomerID, "write"); err != nil {
		return nil, err
	}
	in.CustomerID, in.Stage = o.CustomerID, o.Stage
	if o.Closed() {
		in.Stage = StageIdentified // validated as open; the real stage is kept below
	}
	v, f := in.Validate()
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.Version != o.Version {
		return nil, fmt.Errorf("opportunity %d: %w", id, apperr.ErrConflict)
	}
	before := *o
	o.Title, o.Products, o.MonthlyFen, o.OneTimeFen, o.ExpectedClose = in.Title, in.Products, v.monthly, v.oneTime, v.close
	if strings.TrimSpace(in.Probability) != "" && !o.Closed() {
		o.Probability = v.probability
	}
	o.UpdatedBy = &actor.ID
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveOpportunity(ctx, o); err != nil {
			return err
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "opportunity", o.ID, audit.ActionUpdate, audit.Diff(&before, o))
	})
	return o, err
}

// StageMove is a request to move an opportunity.
type StageMove struct {
	To         string
	LostReason string
	Note       string
	// Version, when not 0, must match (forms); the board sends none.
	Version int
}

// MoveStage moves an opportunity to another stage and records who, when,
// from and to. Moving to lost needs a reason; moving out of won or lost
// reopens it (allowed, recorded). The probability follows the stage.
// Winning makes the customer active (a prospect, or a dormant or churned
// customer won back).
func (s *Service) MoveStage(ctx context.Context, actor authz.Subject, id uint, m StageMove) (*Opportunity, error) {
	o, err := s.store.Opportunity(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err := s.customerFor(ctx, actor, o.CustomerID, "write")
	if err != nil {
		return nil, err
	}
	m.Note = textnorm.Clean(m.Note)
	f := apperr.Fields{}
	if !slices.Contains(Stages, m.To) {
		f.Add("stage", "v.choose")
	}
	if m.To == StageLost && !slices.Contains(LostReasons, m.LostReason) {
		f.Add("lost_reason", "v.lost_reason")
	}
	if utf8.RuneCountInString(m.Note) > 500 {
		f.Add("note", "v.too_long")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if m.Version != 0 && m.Version != o.Version {
		return nil, fmt.Errorf("opportunity %d: %w", id, apperr.ErrConflict)
	}
	if m.To == o.Stage {
		return o, nil
	}
	now := s.now()
	before := *o
	from := o.Stage
	o.Stage, o.Probability, o.StageChangedAt, o.UpdatedBy = m.To, DefaultProbability[m.To], now, &actor.ID
	o.LostReason, o.LostNote = "", ""
	if m.To == StageLost {
		o.LostReason, o.LostNote = m.LostReason, strings.TrimSpace(m.Note)
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if err := tx.SaveOpportunity(ctx, o); err != nil {
			return err
		}
		if err := tx.AddStageChange(ctx, &StageChange{OpportunityID: o.ID, FromStage: from, ToStage: m.To, ByID: actor.ID, At: now, Note: strings.TrimSpace(m.Note)}); err != nil {
			return err
		}
		if m.To == StageWon && c.Status != "active" {
			cb := *c
			c.Status, c.UpdatedBy = "active", &actor.ID
			if err := tx.SaveCustomer(ctx, c); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx.DB(), actor.ID, "customer", c.ID, audit.ActionUpdate, audit.Diff(&cb, c)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx.DB(), actor.ID, "opportunity", o.ID, audit.ActionUpdate, audit.Diff(&before, o))
	})
	return o, err
}

// StageHistory returns an opportunity's moves, oldest first.
func (s *Service) StageHistory(ctx context.Context, actor authz.Subject, id uint) ([]StageChange, error) {
	if _, _, err := s.Opportunity(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.StageChanges(ctx, id)
}

// Board is the pipeline grouped by stage.
type Board struct {
	Columns []BoardColumn
}

// BoardColumn is one stage with its cards and totals.
type BoardColumn struct {
	Stage      string
	Cards      []OpportunityRow
	MonthlyFen int64
	Weighted   int64 // monthly value × probability, in fen
}

// Board returns the actor's pipeline: every open opportunity, and those
// won or lost in the last 30 days.
func (s *Service) Board(ctx context.Context, actor authz.Subject, f OpportunityFilter) (*Board, error) {
	since := s.now().AddDate(0, 0, -30)
	f.ClosedSince, f.Limit, f.Sort = &since, 0, "close"
	rows, _, err := s.ListOpportunities(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	b := &Board{}
	idx := map[string]int{}
	for i, st := range Stages {
		b.Columns = append(b.Columns, BoardColumn{Stage: st})
		idx[st] = i
	}
	for _, r := range rows {
		col := &b.Columns[idx[r.Stage]]
		col.Cards = append(col.Cards, r)
		col.MonthlyFen += int64(r.MonthlyFen)
		col.Weighted += int64(r.MonthlyFen) * int64(r.Probability) / 100
	}
	return b, nil
}

// timelineEntries is this module's source for the customer timeline: the
// customer's own trail, key persons added, opportunities and their moves.
func (s *Service) timelineEntries(ctx context.Context, customerID uint) ([]TimelineEntry, error) {
	var out []TimelineEntry
	entries, _, err := audit.List(ctx, s.store.DB(), audit.Query{Entity: "customer", EntityID: customerID, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		te := TimelineEntry{At: e.At, Kind: "customer", MsgID: "timeline.customer." + e.Action}
		if e.ActorID != nil {
			te.ActorID = *e.ActorID
		}
		if e.Action == audit.ActionUpdate || e.Action == "reassign" {
			te.Entity = "customer"
			for _, fc := range e.Fields() {
				te.Fields = append(te.Fields, fc.Field)
			}
		}
		out = append(out, te)
	}
	contacts, err := s.store.Contacts(ctx, customerID)
	if err != nil {
		return nil, err
	}
	for _, ct := range contacts {
		out = append(out, TimelineEntry{At: ct.CreatedAt, Kind: "contact", MsgID: "timeline.contact.added", Args: []any{"Name", ct.Name}, ActorID: derefID(ct.CreatedBy)})
	}
	opps, err := s.store.OpportunitiesOf(ctx, customerID)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, len(opps))
	titles := map[uint]string{}
	for i, o := range opps {
		ids[i] = o.ID
		titles[o.ID] = o.Title
	}
	moves, err := s.store.StageChanges(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for _, m := range moves {
		te := TimelineEntry{At: m.At, Kind: "stage", ActorID: m.ByID, Link: fmt.Sprintf("/opportunities/%d", m.OpportunityID), Detail: m.Note}
		if m.FromStage == "" {
			te.MsgID, te.Args = "timeline.opportunity.created", []any{"Title", titles[m.OpportunityID], "Stage", "stage." + m.ToStage}
		} else {
			te.MsgID, te.Args = "timeline.opportunity.moved", []any{"Title", titles[m.OpportunityID], "From", "stage." + m.FromStage, "To", "stage." + m.ToStage}
		}
		out = append(out, te)
	}
	return out, nil
}
