// Package approval is the four-eyes rule shared by every record that
// needs approval before it leaves the house (proposals now, contracts
// next): nobody approves what they wrote, and every step of an approval
// is taken by a different person. It is a platform leaf: it knows people
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
func MayTake(r Record, candidate uint) bool {
	return candidate != 0 && !slices.Contains(r.Authors, candidate) && !slices.Contains(r.Approvers, candidate)
}

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
