package contracts

// The four-eyes routing of contract approvals, in one file on purpose: the
// proposals module gets the same rule, and the two are meant to be folded
// into one shared package. Nothing here touches the database.
//
// The rule (shared/docs/domain.md, "People and permissions"):
//   - nobody approves a contract they created or own, at any level;
//   - each approval step is a different person;
//   - when the creator is a chief rep, the chief step goes to the director;
//   - when the creator is a director, it goes to another director of the
//     branch or to the approver the admin configured.

import "github.com/jike-crm/jike/modules/platform/authz"

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
	// CreatorID and CreatorRole are who made the revision; OwnerID is its
	// owner (the customer's account manager).
	CreatorID   uint
	CreatorRole string
	OwnerID     uint
	// Earlier are the people who approved the earlier steps of this round.
	Earlier []uint
	// FallbackID is the approver the admin configured (0: none).
	FallbackID uint
}

// Tier returns to whom the step is routed: a chief step goes to a chief
// rep unless the creator is a chief rep or a director, when it goes up to
// the director tier; a director step always goes to the director tier.
func (s Step) Tier() string {
	if s.Level == LevelChief && s.CreatorRole != authz.RoleChiefRep && s.CreatorRole != authz.RoleDirector {
		return TierChief
	}
	return TierDirector
}

// Messages of the four-eyes rule (i18n ids).
const (
	MsgOwnContract  = "contracts.v.four_eyes_own"
	MsgApprovedStep = "contracts.v.four_eyes_twice"
	MsgDirectorStep = "contracts.v.director_step"
	MsgNotApprover  = "contracts.v.not_approver"
)

// Check says whether approver may decide the step: "" when they may, else
// the i18n id of the reason. mayApprove is whether the policy grants the
// approver `contract approve` on the customer (the chief rep of its team
// or its named chief rep, the branch's director); the caller has already
// made sure the approver can see the contract at all.
func (s Step) Check(approver authz.Subject, mayApprove bool) string {
	if approver.ID == 0 {
		return MsgNotApprover
	}
	if approver.ID == s.CreatorID || approver.ID == s.OwnerID {
		return MsgOwnContract
	}
	for _, id := range s.Earlier {
		if id == approver.ID {
			return MsgApprovedStep
		}
	}
	fallback := s.FallbackID != 0 && approver.ID == s.FallbackID
	switch s.Tier() {
	case TierChief:
		if mayApprove && (approver.Role == authz.RoleChiefRep || approver.Role == authz.RoleDirector) {
			return ""
		}
		if fallback {
			return ""
		}
	case TierDirector:
		if mayApprove && approver.Role == authz.RoleDirector {
			return ""
		}
		if fallback {
			return ""
		}
		if mayApprove && approver.Role == authz.RoleChiefRep {
			return MsgDirectorStep
		}
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
func StepOf(c *Contract, creatorRole string, fallbackID uint) (Step, bool) {
	level := NextLevel(c)
	if level == "" {
		return Step{}, false
	}
	st := Step{Level: level, CreatorRole: creatorRole, OwnerID: c.OwnerID, FallbackID: fallbackID}
	if c.CreatedBy != nil {
		st.CreatorID = *c.CreatedBy
	}
	if level == LevelDirector && c.ChiefApprovedBy != nil {
		st.Earlier = []uint{*c.ChiefApprovedBy}
	}
	return st, true
}
