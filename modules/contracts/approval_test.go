package contracts

import (
	"fmt"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// TestFourEyes is the routing rule as a table: who may decide which step,
// for creators of every role, including the escalations (a chief rep's
// contract goes to the director; a director's to another director or the
// configured approver) and the rule that every step is a different person.
func TestFourEyes(t *testing.T) {
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	const (
		am       = 1  // the account manager: owner of the contract
		am2      = 2  // another account manager of the team
		chief    = 10 // the team's chief rep
		chief2   = 11 // another chief rep who may approve (named chief rep)
		dir      = 20 // the branch director
		dir2     = 21 // a second director of the branch
		fallback = 30 // the approver the admin configured
	)
	who := map[uint]authz.Subject{
		am: {ID: am, Role: authz.RoleAccountManager}, am2: {ID: am2, Role: authz.RoleAccountManager},
		chief: {ID: chief, Role: authz.RoleChiefRep}, chief2: {ID: chief2, Role: authz.RoleChiefRep},
		dir: {ID: dir, Role: authz.RoleDirector}, dir2: {ID: dir2, Role: authz.RoleDirector},
		fallback: {ID: fallback, Role: authz.RoleDirector},
	}
	// mayApprove is what the policy says of each person on this customer
	// (account managers have no `contract approve`).
	mayApprove := map[uint]bool{chief: true, chief2: true, dir: true, dir2: true, fallback: false}
	cases := []struct {
		name        string
		level       string
		creator     uint
		creatorRole string
		earlier     []uint
		fallbackID  uint
		approver    uint
		want        string
	}{
		// An account manager's contract: the chief step goes to a chief rep
		// (or a director), the director step to a director.
		{"am's contract, chief step, chief rep", LevelChief, am, authz.RoleAccountManager, nil, 0, chief, ""},
		{"am's contract, chief step, other chief rep", LevelChief, am, authz.RoleAccountManager, nil, 0, chief2, ""},
		{"am's contract, chief step, director", LevelChief, am, authz.RoleAccountManager, nil, 0, dir, ""},
		{"am's contract, chief step, the owner", LevelChief, am, authz.RoleAccountManager, nil, 0, am, MsgOwnContract},
		{"am's contract, chief step, another am", LevelChief, am, authz.RoleAccountManager, nil, 0, am2, MsgNotApprover},
		{"am's contract, director step, director", LevelDirector, am, authz.RoleAccountManager, []uint{chief}, 0, dir, ""},
		{"am's contract, director step, chief rep", LevelDirector, am, authz.RoleAccountManager, []uint{chief2}, 0, chief, MsgDirectorStep},
		{"am's contract, director step, same director twice", LevelDirector, am, authz.RoleAccountManager, []uint{dir}, 0, dir, MsgApprovedStep},
		{"am's contract, director step, second director", LevelDirector, am, authz.RoleAccountManager, []uint{dir}, 0, dir2, ""},
		// A chief rep made the contract (for a customer an account manager
		// owns): the chief step goes to the director; the creator never
		// approves, not even at the director step.
		{"chief's contract, chief step, the creator", LevelChief, chief, authz.RoleChiefRep, nil, 0, chief, MsgOwnContract},
		{"chief's contract, chief step, another chief rep", LevelChief, chief, authz.RoleChiefRep, nil, 0, chief2, MsgDirectorStep},
		{"chief's contract, chief step, director", LevelChief, chief, authz.RoleChiefRep, nil, 0, dir, ""},
		{"chief's contract, director step, same director", LevelDirector, chief, authz.RoleChiefRep, []uint{dir}, 0, dir, MsgApprovedStep},
		{"chief's contract, director step, second director", LevelDirector, chief, authz.RoleChiefRep, []uint{dir}, 0, dir2, ""},
		{"chief's contract, director step, fallback", LevelDirector, chief, authz.RoleChiefRep, []uint{dir}, fallback, fallback, ""},
		// A director made the contract: another director of the branch, or
		// the configured approver.
		{"director's contract, chief step, the creator", LevelChief, dir, authz.RoleDirector, nil, 0, dir, MsgOwnContract},
		{"director's contract, chief step, chief rep", LevelChief, dir, authz.RoleDirector, nil, 0, chief, MsgDirectorStep},
		{"director's contract, chief step, other director", LevelChief, dir, authz.RoleDirector, nil, 0, dir2, ""},
		{"director's contract, chief step, fallback", LevelChief, dir, authz.RoleDirector, nil, fallback, fallback, ""},
		{"director's contract, chief step, fallback not configured", LevelChief, dir, authz.RoleDirector, nil, 0, fallback, MsgNotApprover},
		{"director's contract, director step, creator", LevelDirector, dir, authz.RoleDirector, []uint{dir2}, fallback, dir, MsgOwnContract},
		{"director's contract, director step, same other director", LevelDirector, dir, authz.RoleDirector, []uint{dir2}, fallback, dir2, MsgApprovedStep},
		{"director's contract, director step, fallback", LevelDirector, dir, authz.RoleDirector, []uint{dir2}, fallback, fallback, ""},
		// The configured approver is bound by four eyes too.
		{"fallback owns nothing but approved the chief step", LevelDirector, dir, authz.RoleDirector, []uint{fallback}, fallback, fallback, MsgApprovedStep},
		{"fallback created the contract", LevelChief, fallback, authz.RoleDirector, nil, fallback, fallback, MsgOwnContract},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			creatorApproves := enf.CanRoute(authz.Subject{Role: c.creatorRole}, "contract", "approve")
			st := Step{Level: c.level, CreatorID: c.creator, CreatorApproves: creatorApproves, OwnerID: am, Earlier: c.earlier, FallbackID: c.fallbackID}
			if got := st.Check(c.approver, grantsOf(enf, who[c.approver], mayApprove[c.approver])); got != c.want {
				t.Fatalf("Check(%d) = %q, want %q (tier %s)", c.approver, got, c.want, st.Tier())
			}
		})
	}
}

// TestFourEyesNobodyTwiceAcrossAllPeople walks every pair of people
// through a two-step approval and checks no one ever decides both steps
// or their own contract.
func TestFourEyesNobodyTwiceAcrossAllPeople(t *testing.T) {
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	people := []authz.Subject{
		{ID: 1, Role: authz.RoleAccountManager}, {ID: 10, Role: authz.RoleChiefRep},
		{ID: 11, Role: authz.RoleChiefRep}, {ID: 20, Role: authz.RoleDirector}, {ID: 21, Role: authz.RoleDirector},
	}
	for _, creator := range people {
		for _, first := range people {
			for _, second := range people {
				name := fmt.Sprintf("creator %d, chief %d, director %d", creator.ID, first.ID, second.ID)
				up := enf.CanRoute(creator, "contract", "approve")
				chiefStep := Step{Level: LevelChief, CreatorID: creator.ID, CreatorApproves: up, OwnerID: 1, FallbackID: 21}
				if chiefStep.Check(first.ID, grantsOf(enf, first, first.Role != authz.RoleAccountManager)) != "" {
					continue
				}
				dirStep := Step{Level: LevelDirector, CreatorID: creator.ID, CreatorApproves: up, OwnerID: 1, Earlier: []uint{first.ID}, FallbackID: 21}
				if dirStep.Check(second.ID, grantsOf(enf, second, second.Role != authz.RoleAccountManager)) != "" {
					continue
				}
				if first.ID == second.ID || first.ID == creator.ID || second.ID == creator.ID || first.ID == 1 || second.ID == 1 {
					t.Errorf("%s: four eyes broken", name)
				}
			}
		}
	}
}

// TestNextLevel follows a revision through its steps.
func TestNextLevel(t *testing.T) {
	id := uint(7)
	c := &Contract{Status: StatusPending, NeedsChief: true, NeedsDirector: true}
	if got := NextLevel(c); got != LevelChief {
		t.Fatalf("first %q", got)
	}
	c.ChiefApprovedBy = &id
	if got := NextLevel(c); got != LevelDirector {
		t.Fatalf("then %q", got)
	}
	st, ok := StepOf(c, false, 0) // an account manager's revision
	if !ok || len(st.Earlier) != 1 || st.Earlier[0] != id {
		t.Fatalf("the director step must know the chief step's approver: %+v", st)
	}
	c.DirectorApprovedBy = &id
	if got := NextLevel(c); got != "" {
		t.Fatalf("after both %q", got)
	}
	c.Status = StatusDraft
	c.DirectorApprovedBy, c.ChiefApprovedBy = nil, nil
	if got := NextLevel(c); got != "" {
		t.Fatalf("a draft waits for no one: %q", got)
	}
}

// grantsOf is what the policy grants who on a customer on which they have
// (mayApprove) or lack contract approve: the director tier goes with
// approve_director in the same reach.
func grantsOf(enf *authz.Enforcer, who authz.Subject, mayApprove bool) Grants {
	return Grants{Approve: mayApprove, ApproveDirector: mayApprove && enf.CanRoute(who, "contract", "approve_director")}
}
