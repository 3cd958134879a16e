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
