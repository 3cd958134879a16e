// Package approval is the four-eyes rule shared by every record that
// needs approval before it leaves the house (proposals and contracts):
// nobody approves what they wrote, and every step of an approval is taken
// by a different person. It is a platform leaf: it knows people
// only by their user ids, and the caller says who may take a step (from
// the policy) in order of preference.
package approval

import (
	"errors"
	"slices"
)

// ErrNoApprover means a step has nobody left who may take it: submitting
// the record would leave it waiting forever.
var ErrNoApprover = errors.New("approval: nobody may take this step")

// Record is what the rule needs to know about the record being approved.
type Record struct {
	// Authors are the people who made the record what it is: its
	// creator, its owner and anyone who changed or submitted it. None of
	// them approves it, at any step. Zero ids are ignored.
	Authors []uint
	// Approvers are the people who took the earlier steps of the current
	// round, in order. None of them takes another step.
	Approvers []uint
}

// MayTake reports whether candidate may take the next step of r.
func MayTake(r Record, candidate uint) bool { return Check(r, candidate) == Allowed }

// Step lists who may take one step, as tiers in order of preference: the
// step's usual approvers first, then their stand-ins, then a configured
// fallback. A tier is used only when nobody in the tiers before it may
// take the step, which makes the routing deterministic: the same record
// and organisation always go to the same people.
type Step [][]uint

// Route returns who may take step s of r: the eligible people of the
// first tier that has any, in the tier's order, without duplicates; nil
// when nobody may.
func Route(r Record, s Step) []uint {
	for _, tier := range s {
		var out []uint
		for _, id := range tier {
			if MayTake(r, id) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// Feasible reports whether steps, taken in order, can all be taken: for
// each step someone it routes to, with the earlier steps taken by others.
// Call it before a record is submitted, so that a record nobody may
// approve is refused with a clear message instead of waiting forever.
func Feasible(r Record, steps []Step) bool {
	if len(steps) == 0 {
		return true
	}
	for _, id := range Route(r, steps[0]) {
		next := Record{Authors: r.Authors, Approvers: append(slices.Clip(r.Approvers), id)}
		if Feasible(next, steps[1:]) {
			return true
		}
	}
	return false
}

// Refusal is why a candidate may not take a step (Allowed when they may).
type Refusal int

const (
	// Allowed: the candidate may take the step.
	Allowed Refusal = iota
	// NotApprover: nobody is named, or the policy gives the candidate no
	// tier the step may go to.
	NotApprover
	// Author: the candidate made the record what it is (creator, owner,
	// an editor or submitter).
	Author
	// TookEarlierStep: the candidate approved an earlier step of the round.
	TookEarlierStep
	// HigherTier: the candidate holds a tier below the one the step waits
	// for (a chief rep, when the step went up to the director).
	HigherTier
)

// Check is the four-eyes rule for one candidate with its reason:
// MayTake(r, candidate) exactly when Check returns Allowed.
func Check(r Record, candidate uint) Refusal {
	switch {
	case candidate == 0:
		return NotApprover
	case slices.Contains(r.Authors, candidate):
		return Author
	case slices.Contains(r.Approvers, candidate):
		return TookEarlierStep
	}
	return Allowed
}

// Ladder is a flow whose steps each wait for one tier of approvers,
// tiers numbered from the lowest (0: the chief rep's tier, 1: the
// director's). Route and Step order people for a step; a Ladder answers
// for one candidate whose tiers the policy names, which is how a flow
// checks a decision and filters a queue. Options say how a flow differs
// from the plain rule; the rule itself (Check) is the same for all.
type Ladder struct {
	// Top is the highest tier.
	Top int
	// CreatorEscalates: when the record's creator holds the tier a step
	// usually waits for, the step waits for the next tier up instead —
	// so that no colleague of the same tier approves for them (a chief
	// rep's contract goes to the director, not to a fellow chief rep).
	// Without it, only the creator themselves is kept off the step (the
	// proposals' rule, where a fellow chief rep may take it).
	CreatorEscalates bool
}

// Tier is the tier a step usually taken at usual waits for, given whether
// the record's creator holds that tier themselves.
func (l Ladder) Tier(usual int, creatorHolds bool) int {
	if l.CreatorEscalates && creatorHolds && usual < l.Top {
		return usual + 1
	}
	return usual
}

// Decide says whether candidate may take a step of r that waits for tier:
// holds[i] is whether the policy puts the candidate in tier i, and
// standIn whether they are a configured stand-in, who may take a step at
// any tier. The four-eyes rule (Check) comes first, for stand-ins too.
func (l Ladder) Decide(r Record, candidate uint, holds []bool, tier int, standIn bool) Refusal {
	if why := Check(r, candidate); why != Allowed {
		return why
	}
	if standIn || (tier >= 0 && tier < len(holds) && holds[tier]) {
		return Allowed
	}
	for i := 0; i < tier && i < len(holds); i++ {
		if holds[i] {
			return HigherTier
		}
	}
	return NotApprover
}
