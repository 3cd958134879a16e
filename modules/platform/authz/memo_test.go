package authz

import (
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/policies"
)

// TestMemoAgreesWithCasbin asks every question the policy can answer
// (each role, and two that are not roles, for every object and action of
// the policy and one it lacks, at every relation) twice, from several
// goroutines at once: the remembered answer must be casbin's own, and a
// role that is not one of the four must never be remembered.
func TestMemoAgreesWithCasbin(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	type pair struct{ obj, act string }
	pairs := map[pair]bool{{"nothing", "read"}: true}
	for _, line := range strings.Split(policies.Policy, "\n") {
		f := strings.Split(line, ",")
		if len(f) == 5 && strings.TrimSpace(f[0]) == "p" {
			pairs[pair{strings.TrimSpace(f[2]), strings.TrimSpace(f[3])}] = true
		}
	}
	roles := append([]string{"", "intruder"}, Roles...)
	rels := []string{RelOwn, RelChief, RelTeam, RelBranch, RelOther, RelRoute, ""}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range pairs {
				for _, role := range roles {
					for _, rel := range rels {
						want, err := a.e.Enforce(role, p.obj, p.act, rel)
						if err != nil {
							t.Errorf("casbin %s %s %s %s: %v", role, p.obj, p.act, rel, err)
							return
						}
						want = want && role != ""
						for range 2 {
							if got := a.Allowed(role, p.obj, p.act, rel); got != want {
								t.Errorf("Allowed(%q, %s, %s, %q) = %v, casbin says %v", role, p.obj, p.act, rel, got, want)
							}
						}
					}
					for range 2 {
						if got, want := a.Level(Subject{Role: role}, p.obj, p.act), a.level(role, p.obj, p.act); got != want {
							t.Errorf("Level(%q, %s, %s) = %q, want %q", role, p.obj, p.act, got, want)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	a.memo.Range(func(k, _ any) bool {
		n++
		role := ""
		switch q := k.(type) {
		case decision:
			role = q.role
		case reach:
			role = q.role
		}
		if !ValidRole(role) {
			t.Errorf("remembered a question of role %q: %#v", role, k)
		}
		return true
	})
	if n == 0 {
		t.Error("nothing was remembered")
	}
}
