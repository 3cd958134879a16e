package contracts

import "github.com/jike-crm/jike/modules/platform/approval"

// The four-eyes routing of contract approvals is platform/approval's, the
// rule proposals use too; this file only says what a contract's step is
// in its terms and words its refusals.
//
// The rule (shared/docs/domain.md, "People and permissions"):
//   - nobody approves a contract they created or own, at any level;
//   - each approval step is a different person;
//   - when the creator may approve contracts themselves (a chief rep), the
//     chief step goes to the director (the one way contracts differ from
//     proposals: approval.Ladder's CreatorEscalates);
//   - when the creator is a director, it goes to another director of the
//     branch or to the approver the admin configured.
//
// Who may take which tier is policy (policies/policy.csv: contract approve
// for the chief tier, contract approve_director for the director tier),
// passed in as Grants; nothing here compares roles.

// ladder is the contracts' flow: the chief tier (0) and the director tier
// (1), with the chief step sent up when the creator may approve.
var ladder = approval.Ladder{Top: 1, CreatorEscalates: true}

// Approval levels: the steps a contract above the thresholds passes.
const (
	LevelChief    = "chief"
	LevelDirector = "director"
)

// Tiers: who a step is routed to. TierChief is a chief rep who may
// approve the customer's contracts (or a director of the branch); TierDirector
// is a director of the branch (or the configured approver).
const (
	TierChief    = "chief"
	TierDirector = "director"
)

// Step is one approval step of a contract revision with the facts the
// four-eyes rule needs.
type Step struct {
	// Level is the step to decide (LevelChief or LevelDirector).
	Level string
	// CreatorID is who made the revision; CreatorApproves whether the
	// policy lets them approve contracts themselves (contract approve in
	// any scope), which sends the chief step up to the director tier.
	// OwnerID is its owner (the customer's account manager).
	CreatorID       uint
	CreatorApproves bool
	OwnerID         uint
	// Earlier are the people who approved the earlier steps of this round.
	Earlier []uint
	// FallbackID is the approver the admin configured (0: none).
	FallbackID uint
}

// Tier returns to whom the step is routed: a chief step goes to a chief
// rep unless the creator may approve contracts themselves, when it goes up
// to the director tier; a director step always goes to the director tier.
func (s Step) Tier() string {
	if s.tier() == 0 {
		return TierChief
	}
	return TierDirector
}

// tier is the ladder's tier the step waits for.
func (s Step) tier() int {
	usual := 1
	if s.Level == LevelChief {
		usual = 0
	}
	return ladder.Tier(usual, s.CreatorApproves)
}

// record is the step as the four-eyes rule sees the revision: its creator
// and owner wrote it, the earlier steps' approvers took their turn.
func (s Step) record() approval.Record {
	return approval.Record{Authors: []uint{s.CreatorID, s.OwnerID}, Approvers: s.Earlier}
}

// Grants is what the policy says of one approver on the contract's
// customer.
type Grants struct {
	// Approve: contract approve (the chief rep of its team or its named
	// chief rep, the branch's director) — the chief tier.
	Approve bool
	// ApproveDirector: contract approve_director (the branch's director) —
	// the director tier.
	ApproveDirector bool
}

// Messages of the four-eyes rule (i18n ids).
const (
	MsgOwnContract  = "contracts.v.four_eyes_own"
	MsgApprovedStep = "contracts.v.four_eyes_twice"
	MsgDirectorStep = "contracts.v.director_step"
	MsgNotApprover  = "contracts.v.not_approver"
)

// Check says whether approver (a user id) may decide the step: "" when
// they may, else the i18n id of the reason. g is what the policy grants
// the approver on the customer; the caller has already made sure the
// approver can see the contract at all.
func (s Step) Check(approver uint, g Grants) string {
	// The chief tier holds contract approve; the director tier contract
	// approve_director as well. The configured approver stands in at both.
	holds := []bool{g.Approve, g.Approve && g.ApproveDirector}
	standIn := s.FallbackID != 0 && approver == s.FallbackID
	switch ladder.Decide(s.record(), approver, holds, s.tier(), standIn) {
	case approval.Allowed:
		return ""
	case approval.Author:
		return MsgOwnContract
	case approval.TookEarlierStep:
		return MsgApprovedStep
	case approval.HigherTier:
		return MsgDirectorStep
	}
	return MsgNotApprover
}

// NextLevel is the step a pending revision waits for: LevelChief,
// LevelDirector or "" when none is left (or it is not pending).
func NextLevel(c *Contract) string {
	switch {
	case c.Status != StatusPending:
		return ""
	case c.NeedsChief && c.ChiefApprovedBy == nil:
		return LevelChief
	case c.NeedsDirector && c.DirectorApprovedBy == nil:
		return LevelDirector
	}
	return ""
}

// StepOf is the next step of a pending revision, ok false when none.
func StepOf(c *Contract, creatorApproves bool, fallbackID uint) (Step, bool) {
	level := NextLevel(c)
	if level == "" {
		return Step{}, false
	}
	st := Step{Level: level, CreatorApproves: creatorApproves, OwnerID: c.OwnerID, FallbackID: fallbackID}
	if c.CreatedBy != nil {
		st.CreatorID = *c.CreatedBy
	}
	if level == LevelDirector && c.ChiefApprovedBy != nil {
		st.Earlier = []uint{*c.ChiefApprovedBy}
	}
	return st, true
}
