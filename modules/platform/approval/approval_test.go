package approval

import (
	"slices"
	"testing"
)

func TestMayTake(t *testing.T) {
	r := Record{Authors: []uint{1, 2, 0}, Approvers: []uint{3}}
	for id, want := range map[uint]bool{0: false, 1: false, 2: false, 3: false, 4: true} {
		if got := MayTake(r, id); got != want {
			t.Errorf("MayTake(%d) = %v, want %v", id, got, want)
		}
	}
}

func TestRoute(t *testing.T) {
	chief, director, fallback := []uint{10}, []uint{20}, []uint{30}
	cases := []struct {
		name string
		r    Record
		s    Step
		want []uint
	}{
		{"the usual approver", Record{Authors: []uint{1}}, Step{chief, director}, []uint{10}},
		{"the creator is the chief rep: the director stands in", Record{Authors: []uint{10}}, Step{chief, director}, []uint{20}},
		{"nobody in the branch: the fallback", Record{Authors: []uint{20}}, Step{director, fallback}, []uint{30}},
		{"the chief step's approver cannot take the next", Record{Authors: []uint{1}, Approvers: []uint{20}}, Step{director, fallback}, []uint{30}},
		{"nobody at all", Record{Authors: []uint{20, 30}}, Step{director, fallback}, nil},
		{"a tier keeps its order and drops repeats", Record{}, Step{{11, 10, 11}}, []uint{11, 10}},
	}
	for _, c := range cases {
		if got := Route(c.r, c.s); !slices.Equal(got, c.want) {
			t.Errorf("%s: Route = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFeasible(t *testing.T) {
	chief := Step{{10}, {20}, {30}}
	director := Step{{20}, {30}}
	cases := []struct {
		name  string
		r     Record
		steps []Step
		want  bool
	}{
		{"no step", Record{Authors: []uint{1}}, nil, true},
		{"account manager, both steps", Record{Authors: []uint{1}}, []Step{chief, director}, true},
		{"chief rep creates: director, then the fallback", Record{Authors: []uint{10}}, []Step{chief, director}, true},
		{"chief rep creates, no fallback: the director cannot take both", Record{Authors: []uint{10}}, []Step{{{10}, {20}}, {{20}}}, false},
		{"director creates: chief rep, then the fallback", Record{Authors: []uint{20}}, []Step{chief, director}, true},
		{"director creates, no fallback", Record{Authors: []uint{20}}, []Step{{{10}, {20}}, {{20}}}, false},
		{"the only approver wrote it", Record{Authors: []uint{1, 10}}, []Step{{{10}}}, false},
	}
	for _, c := range cases {
		if got := Feasible(c.r, c.steps); got != c.want {
			t.Errorf("%s: Feasible = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCheckSaysWhy(t *testing.T) {
	r := Record{Authors: []uint{1, 2}, Approvers: []uint{3}}
	for id, want := range map[uint]Refusal{0: NotApprover, 1: Author, 2: Author, 3: TookEarlierStep, 4: Allowed} {
		if got := Check(r, id); got != want {
			t.Errorf("Check(%d) = %v, want %v", id, got, want)
		}
		if MayTake(r, id) != (want == Allowed) {
			t.Errorf("MayTake(%d) disagrees with Check", id)
		}
	}
}

// TestLadder: a step waits for one tier; a holder of a lower tier hears
// that it went up; a stand-in may take any tier; the four-eyes rule binds
// everyone. CreatorEscalates is the one option: with it a creator who
// holds the step's tier sends it one tier up, so that a colleague of the
// same tier cannot take it.
func TestLadder(t *testing.T) {
	const creator, owner, chief2, director, standIn = 10, 1, 11, 20, 30
	chiefOnly, both, none := []bool{true, false}, []bool{true, true}, []bool{false, false}
	plain, escalating := Ladder{Top: 1}, Ladder{Top: 1, CreatorEscalates: true}
	if got := plain.Tier(0, true); got != 0 {
		t.Errorf("plain ladder: the chief step went to tier %d", got)
	}
	if got := escalating.Tier(0, true); got != 1 {
		t.Errorf("escalating ladder, creator holds the chief tier: tier %d, want 1", got)
	}
	if got := escalating.Tier(0, false); got != 0 {
		t.Errorf("escalating ladder, creator holds nothing: tier %d, want 0", got)
	}
	if got := escalating.Tier(1, true); got != 1 {
		t.Errorf("escalating ladder: the top tier has nowhere to go, got %d", got)
	}
	r := Record{Authors: []uint{creator, owner}}
	cases := []struct {
		name      string
		l         Ladder
		candidate uint
		holds     []bool
		standIn   bool
		want      Refusal
	}{
		{"plain: a fellow chief rep takes the chief step", plain, chief2, chiefOnly, false, Allowed},
		{"escalating: a fellow chief rep hears it went up", escalating, chief2, chiefOnly, false, HigherTier},
		{"escalating: the director takes it", escalating, director, both, false, Allowed},
		{"escalating: the stand-in takes it", escalating, standIn, none, true, Allowed},
		{"the creator never", escalating, creator, both, true, Author},
		{"the owner never", plain, owner, both, false, Author},
		{"no tier at all", escalating, 40, none, false, NotApprover},
	}
	for _, c := range cases {
		tier := c.l.Tier(0, true) // a chief step whose creator holds the chief tier
		if got := c.l.Decide(r, c.candidate, c.holds, tier, c.standIn); got != c.want {
			t.Errorf("%s: Decide = %v, want %v", c.name, got, c.want)
		}
	}
	if got := escalating.Decide(Record{Approvers: []uint{standIn}}, standIn, none, 1, true); got != TookEarlierStep {
		t.Errorf("a stand-in who took the first step took the second: %v", got)
	}
}
