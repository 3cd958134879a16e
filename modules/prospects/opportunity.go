package prospects

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
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
	return s.store.ListOpportunities(ctx, s.Scope(actor, "read"), f)
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
		if err := tx.SaveOpportunity(ctx, o, s.now()); err != nil {
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
// from and to. Moving to lost needs a reason; a lost opportunity is
// reopened only to an open stage and with a note saying why; a won one
// does not move any more. The probability follows the stage.
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
	switch {
	case m.To == o.Stage:
	case o.Stage == StageWon:
		// A win made the customer active and a contract follows from it;
		// undoing it is not a pipeline move.
		f.Add("stage", "lists.v.won_final")
	case o.Stage == StageLost:
		// Reopening a lost deal says why, and starts again at an open stage.
		if !slices.Contains(OpenStages, m.To) {
			f.Add("stage", "lists.v.reopen_stage")
		}
		if strings.TrimSpace(m.Note) == "" {
			f.Add("note", "lists.v.reopen_note")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
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
		// A win may write the customer after the opportunity: lock it
		// first (LockCustomer) and decide from it as it is now.
		cust := c
		if m.To == StageWon {
			locked, err := tx.LockCustomer(ctx, c.ID)
			if err != nil {
				return err
			}
			cust = locked
		}
		if err := tx.SaveOpportunity(ctx, o, s.now()); err != nil {
			return err
		}
		if err := tx.AddStageChange(ctx, &StageChange{OpportunityID: o.ID, FromStage: from, ToStage: m.To, ByID: actor.ID, At: now, Note: strings.TrimSpace(m.Note)}); err != nil {
			return err
		}
		if m.To == StageWon && cust.Status != "active" {
			cb := *cust
			cust.Status, cust.UpdatedBy = "active", &actor.ID
			if err := tx.SaveCustomer(ctx, cust, s.now()); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx.DB(), actor.ID, "customer", cust.ID, audit.ActionUpdate, audit.Diff(&cb, cust)); err != nil {
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

// BoardColumnSize is how many cards a board column shows at first, and
// how many more each "更多" loads: a column never renders every card.
const BoardColumnSize = 15

// BoardClosedDays is how far back the won and lost columns reach.
const BoardClosedDays = 30

// Board is the pipeline grouped by stage.
type Board struct {
	Columns []BoardColumn
	// Sort is the order of the open columns' cards: "value" (monthly
	// value, largest first) or "close" (expected close, soonest first).
	Sort string
}

// BoardColumn is one stage: the first cards and the totals of every
// opportunity of the stage in the filtered scope (not only those shown).
type BoardColumn struct {
	Stage string
	Cards []OpportunityRow
	OppTotals
}

// Closed reports whether the column is won or lost.
func (c BoardColumn) Closed() bool { return c.Stage == StageWon || c.Stage == StageLost }

// Rest is how many cards of the column are not shown yet.
func (c BoardColumn) Rest() int64 { return max(c.Count-int64(len(c.Cards)), 0) }

// LastID is the id of the last card shown ("更多" continues after it).
func (c BoardColumn) LastID() uint {
	if len(c.Cards) == 0 {
		return 0
	}
	return c.Cards[len(c.Cards)-1].ID
}

// BoardSorts are the orders the board offers for its open columns.
var BoardSorts = []string{"value", "close"}

// boardFilter is f as the board reads it (the actor's scope goes to the
// store beside it): won and lost only of the last BoardClosedDays, and
// the column's order — the chosen one for open stages, latest result
// first for won and lost.
func (s *Service) boardFilter(actor authz.Subject, f OpportunityFilter, stage string) OpportunityFilter {
	// To the minute: the won and lost columns and their totals are kept
	// per minute (StageTotals, FirstBoardCards), so the window's edge
	// moves once a minute, never between two statements of one board.
	since := s.now().AddDate(0, 0, -BoardClosedDays).Truncate(time.Minute)
	f.ClosedSince, f.Limit, f.Offset = &since, 0, 0
	switch {
	case stage == StageWon || stage == StageLost:
		f.Sort, f.Desc = "changed", true
	case f.Sort == "close":
		f.Desc = false
	default:
		f.Sort, f.Desc = "value", true
	}
	return f
}

// BoardTotals counts and sums the actor's pipeline per stage (open
// opportunities, and those won or lost in the last BoardClosedDays), in
// SQL.
func (s *Service) BoardTotals(ctx context.Context, actor authz.Subject, f OpportunityFilter) (map[string]OppTotals, error) {
	return s.store.StageTotals(ctx, s.Scope(actor, "read"), s.boardFilter(actor, f, ""))
}

// boardLoads bounds the board's columns read at once (par.Spare.Each).
const boardLoads = 4

// Board returns the actor's pipeline: per stage the first BoardColumnSize
// cards in the board's order and the totals of the whole filtered scope.
// pin, when not 0, is an opportunity just moved: it is shown at the top
// of its column even when it would not be among the first cards.
func (s *Service) Board(ctx context.Context, actor authz.Subject, f OpportunityFilter, pin ...uint) (*Board, error) {
	scope := s.Scope(actor, "read")
	// A team's or a branch's search reads its open columns' cards in one
	// statement, beside the totals (both read the scope's matches).
	var totals map[string]OppTotals
	var open map[string][]OpportunityRow
	reads := 1
	if s.store.OpenCardsAtOnce(ctx, scope, f) {
		reads = 2
	}
	err := s.spare.Each(reads, db.AtOnce(ctx, reads), func(i int) error {
		var err error
		if i == 0 {
			totals, err = s.BoardTotals(ctx, actor, f)
		} else {
			open, err = s.store.FirstOpenCards(ctx, scope, s.boardFilter(actor, f, ""), OpenStages, BoardColumnSize)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	b := &Board{Sort: s.boardFilter(actor, f, "").Sort}
	b.Columns = make([]BoardColumn, len(Stages))
	for i, st := range Stages {
		b.Columns[i] = BoardColumn{Stage: st, OppTotals: totals[st]}
	}
	// The columns' first cards are independent reads (a chief rep's
	// eight walk the province's stages for the team's: ~4 ms each), read
	// a few at once when the process has goroutines to spare; one after
	// the other inside a transaction.
	err = s.spare.Each(len(b.Columns), db.AtOnce(ctx, boardLoads), func(i int) error {
		col := &b.Columns[i]
		if col.Count == 0 {
			return nil
		}
		if open != nil && slices.Contains(OpenStages, col.Stage) {
			col.Cards = open[col.Stage]
			return nil
		}
		var err error
		col.Cards, err = s.store.FirstBoardCards(ctx, scope, s.boardFilter(actor, f, col.Stage), col.Stage, BoardColumnSize)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(pin) > 0 && pin[0] != 0 {
		if err := s.pinCard(ctx, actor, f, b, pin[0]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// pinCard puts opportunity id first in its column if the filtered board
// holds it and it is not among the cards shown.
func (s *Service) pinCard(ctx context.Context, actor authz.Subject, f OpportunityFilter, b *Board, id uint) error {
	for _, col := range b.Columns {
		for _, card := range col.Cards {
			if card.ID == id {
				return nil
			}
		}
	}
	rows, err := s.store.BoardCard(ctx, s.Scope(actor, "read"), s.boardFilter(actor, f, ""), id)
	if err != nil || rows == nil {
		return err
	}
	for i := range b.Columns {
		if b.Columns[i].Stage == rows.Stage {
			b.Columns[i].Cards = append([]OpportunityRow{*rows}, b.Columns[i].Cards...)
		}
	}
	return nil
}

// BoardMore returns the next cards of one column after the card afterID,
// and whether more follow. skip is a card already shown out of order (a
// pinned one), left out.
func (s *Service) BoardMore(ctx context.Context, actor authz.Subject, f OpportunityFilter, stage string, afterID, skip uint) ([]OpportunityRow, bool, error) {
	if !slices.Contains(Stages, stage) {
		return nil, false, apperr.ErrNotFound
	}
	rows, err := s.store.BoardCards(ctx, s.Scope(actor, "read"), s.boardFilter(actor, f, stage), stage, afterID, BoardColumnSize+2)
	if err != nil {
		return nil, false, err
	}
	out := rows[:0]
	for _, r := range rows {
		if r.ID != skip {
			out = append(out, r)
		}
	}
	more := len(out) > BoardColumnSize
	if more {
		out = out[:BoardColumnSize]
	}
	return out, more, nil
}

// OpportunityPage is one page of the opportunity list and the totals of
// every opportunity the filter selects (count and sums, in SQL).
func (s *Service) OpportunityPage(ctx context.Context, actor authz.Subject, f OpportunityFilter) ([]OpportunityRow, OppTotals, error) {
	scope := s.Scope(actor, "read")
	totals, err := s.store.OpportunityTotals(ctx, scope, f)
	if err != nil {
		return nil, OppTotals{}, err
	}
	if totals.Count == 0 {
		return nil, totals, nil
	}
	rows, err := s.store.KeptOpportunityRows(ctx, scope, f)
	return rows, totals, err
}

// EachOpportunity streams every opportunity the actor may read matching
// f, in the list's order, for exports.
func (s *Service) EachOpportunity(ctx context.Context, actor authz.Subject, f OpportunityFilter, fn func([]OpportunityRow) error) error {
	return s.store.EachOpportunity(ctx, s.Scope(actor, "read"), f, fn)
}

// OpportunityTotals counts and sums what the actor may read matching f.
func (s *Service) OpportunityTotals(ctx context.Context, actor authz.Subject, f OpportunityFilter) (OppTotals, error) {
	return s.store.OpportunityTotals(ctx, s.Scope(actor, "read"), f)
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
		if e.Action == audit.ActionUpdate || e.Action == "reassign" || e.Action == ActionSetParent {
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
