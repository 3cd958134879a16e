package contracts

// The four-eyes routing of contract approvals, in one file on purpose: the
// proposals module gets the same rule, and the two are meant to be folded
// into one shared package. Nothing here touches the database.
//
// The rule (shared/docs/domain.md, "People and permissions"):
//   - nobody approves a contract they created or own, at any level;
//   - each approval step is a different person;
//   - when the creator may approve contracts themselves (a chief rep), the
//     chief step goes to the director;
//   - when the creator is a director, it goes to another director of the
//     branch or to the approver the admin configured.
//
// Who may take which tier is policy (policies/policy.csv: contract approve
// for the chief tier, contract approve_director for the director tier),
// passed in as Grants; nothing here compares roles.

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
	if s.Level == LevelChief && !s.CreatorApproves {
		return TierChief
	}
	return TierDirector
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
	if approver == 0 {
		return MsgNotApprover
	}
	if approver == s.CreatorID || approver == s.OwnerID {
		return MsgOwnContract
	}
	for _, id := range s.Earlier {
		if id == approver {
			return MsgApprovedStep
		}
	}
	fallback := s.FallbackID != 0 && approver == s.FallbackID
	switch s.Tier() {
	case TierChief:
		if g.Approve || fallback {
			return ""
		}
	case TierDirector:
		if (g.Approve && g.ApproveDirector) || fallback {
			return ""
		}
		if g.Approve {
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
