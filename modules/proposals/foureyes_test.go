package proposals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// The sizes of the four-eyes cases, on product 1 (¥5,000 a month and
// ¥2,000 once per unit; the floor is 85 %).
var (
	belowFloor    = LineInput{ProductID: 1, Quantity: "1", TermMonths: "1", Rate: "80"}      // ¥5,600, below the floor: chief rep
	aboveChief    = LineInput{ProductID: 1, Quantity: "10", TermMonths: "10", Rate: "100"}   // ¥520,000: chief rep
	aboveDirector = LineInput{ProductID: 1, Quantity: "39", TermMonths: "10", Rate: "100"}   // ¥2,028,000: chief rep, then director
	audit46M      = LineInput{ProductID: 1, Quantity: "887", TermMonths: "10", Rate: "100"}  // ¥46,124,000 (the audit's chief rep case)
	audit230M     = LineInput{ProductID: 1, Quantity: "4433", TermMonths: "10", Rate: "100"} // ¥230,516,000 (the audit's director case)
)

// TestFourEyes walks every (creator role, threshold, approver)
// combination: nobody approves a proposal they wrote or own, each step is
// a different person, the chief step goes to the director when the chief
// rep wrote it, the director step to the fallback approver when the
// branch's only director wrote it or took the chief step, and a proposal
// nobody may approve cannot be submitted. The queue lists a version
// exactly to those who may decide it. The two "audit" cases are the ones
// the security audit found (issue 8): both were approved by their author.
func TestFourEyes(t *testing.T) {
	// everyone who could try to decide; "thirddir" is a director made by
	// the test in a third branch, so that two fallbacks exist.
	everyone := []string{"liwei", "zhangjing", "zhoujie", "zhaomin", "sunli", "wangjianguo", "liuzhiqiang", "thirddir", "admin"}
	cases := []struct {
		name     string
		creator  string // who creates and submits
		owner    string // whose customer ("" = liwei's)
		line     LineInput
		fallback []string
		steps    [][]string // who may decide each step, in order; nil: submit refused
	}{
		{"manager, below floor", "liwei", "", belowFloor, nil, [][]string{{"zhaomin"}}},
		{"manager, above chief", "liwei", "", aboveChief, nil, [][]string{{"zhaomin"}}},
		{"manager, above director", "liwei", "", aboveDirector, nil, [][]string{{"zhaomin"}, {"wangjianguo"}}},
		{"chief rep, below floor", "zhaomin", "", belowFloor, nil, [][]string{{"wangjianguo"}}},
		{"chief rep, above chief", "zhaomin", "", aboveChief, nil, [][]string{{"wangjianguo"}}},
		{"chief rep, above director, no fallback", "zhaomin", "", aboveDirector, nil, nil},
		{"chief rep, above director", "zhaomin", "", aboveDirector, []string{"liuzhiqiang"}, [][]string{{"wangjianguo"}, {"liuzhiqiang"}}},
		{"director, below floor", "wangjianguo", "", belowFloor, nil, [][]string{{"zhaomin"}}},
		{"director, above chief", "wangjianguo", "", aboveChief, nil, [][]string{{"zhaomin"}}},
		{"director, above director, no fallback", "wangjianguo", "", aboveDirector, nil, nil},
		{"director, above director", "wangjianguo", "", aboveDirector, []string{"liuzhiqiang"}, [][]string{{"zhaomin"}, {"liuzhiqiang"}}},
		{"a fallback who is no director is ignored", "wangjianguo", "", aboveDirector, []string{"sunli"}, nil},
		{"audit: chief rep, own customer, ¥46.1M", "zhaomin", "zhaomin", audit46M, nil, nil},
		{"audit: chief rep, own customer, ¥46.1M, fallback", "zhaomin", "zhaomin", audit46M, []string{"liuzhiqiang"}, [][]string{{"wangjianguo"}, {"liuzhiqiang"}}},
		{"audit: director, ¥230.5M, no fallback", "wangjianguo", "zhoujie", audit230M, nil, nil},
		{"audit: director, ¥230.5M", "wangjianguo", "zhoujie", audit230M, []string{"liuzhiqiang"}, [][]string{{"sunli"}, {"liuzhiqiang"}}},
		{"unknown fallbacks are skipped", "zhaomin", "", aboveDirector, []string{"nobody", "liuzhiqiang"}, [][]string{{"wangjianguo"}, {"liuzhiqiang"}}},
		{"two fallbacks", "zhaomin", "", aboveDirector, []string{"liuzhiqiang", "thirddir"}, [][]string{{"wangjianguo"}, {"liuzhiqiang", "thirddir"}}},
	}
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		base := newWorld(t, d)
		base.users["thirddir"] = thirdDirector(t, base)
		u, err := base.svc.opts.Users.UserByUsername(context.Background(), "zhoujie")
		if err != nil {
			t.Fatal(err)
		}
		base.users["zhoujie"] = u.Subject()
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ctx := context.Background()
				w := *base
				o := base.svc.opts
				o.FallbackApprovers = c.fallback
				w.svc = NewService(base.svc.store, base.svc.prospects, base.svc.enf, prices, o)
				// Each case quotes for a customer of its own.
				owner := c.owner
				if owner == "" {
					owner = "liwei"
				}
				customer, err := w.svc.prospects.CreateCustomer(ctx, w.users[owner], prospects.CustomerInput{Name: fmt.Sprintf("四眼原则测试%02d号有限公司", i),
					CreditCode: prospects.MakeCreditCode(fmt.Sprintf("91230103MA1%06d", 100+i)), Industry: "finance", Grade: "A", OwnerID: w.users[owner].ID}, true)
				if err != nil {
					t.Fatal(err)
				}
				in := w.input(c.line)
				in.CustomerID, in.OpportunityID = customer.ID, 0
				p, err := w.svc.Create(ctx, w.users[c.creator], in)
				if err != nil {
					t.Fatal(err)
				}
				id := p.ID
				p, err = w.svc.Submit(ctx, w.users[c.creator], id, 0)
				if c.steps == nil {
					var f apperr.Fields
					if !errors.As(err, &f) || f["_form"] != "proposals.v.no_approver" {
						t.Fatalf("submit must be refused, nobody may approve: %v", err)
					}
					if again, _ := w.svc.store.Proposal(ctx, id); again.Status != StatusDraft {
						t.Fatalf("a refused submit changes nothing: %s", again.Status)
					}
					return
				}
				if err != nil {
					t.Fatalf("submit: %v", err)
				}
				for i, may := range c.steps {
					level := NextLevel(p)
					for _, u := range everyone {
						q, err := w.svc.Queue(ctx, w.users[u])
						if err != nil {
							t.Fatal(err)
						}
						listed := slices.ContainsFunc(q, func(r Row) bool { return r.ID == p.ID })
						if listed != slices.Contains(may, u) {
							t.Errorf("step %d (%s): %s's queue lists it: %v, may decide: %v", i+1, level, u, listed, may)
						}
						if slices.Contains(may, u) {
							continue
						}
						if _, err := w.svc.Decide(ctx, w.users[u], p.ID, true, ""); !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrNotFound) {
							t.Fatalf("step %d (%s): %s must not decide: %v", i+1, level, u, err)
						}
					}
					dt, err := w.svc.Get(ctx, w.users[may[0]], p.ID)
					if err != nil || !dt.CanDecide {
						t.Fatalf("step %d: %s reads it and is offered the decision: %v", i+1, may[0], err)
					}
					if got := names(dt, dt.Waiting); !slices.Equal(got, sorted(may)) {
						t.Fatalf("step %d: the page says it waits for %v, want %v", i+1, got, may)
					}
					if p, err = w.svc.Decide(ctx, w.users[may[0]], p.ID, true, ""); err != nil {
						t.Fatalf("step %d: %s decides: %v", i+1, may[0], err)
					}
				}
				if p.Status != StatusApproved {
					t.Fatalf("after %d steps: %s", len(c.steps), p.Status)
				}
				var approvers []uint
				for _, id := range []*uint{p.ChiefApprovedBy, p.DirectorApprovedBy} {
					if id != nil {
						if *id == w.users[c.creator].ID || *id == customer.OwnerID || slices.Contains(approvers, *id) {
							t.Fatalf("four eyes broken: chief %v director %v", deref(p.ChiefApprovedBy), deref(p.DirectorApprovedBy))
						}
						approvers = append(approvers, *id)
					}
				}
			})
		}
	})
}

// TestFourEyesEditorsAndFallbackReads: whoever changes or submits a
// version is one of its authors and cannot approve it, and the fallback
// approver reads (and decides) a proposal beyond their scope only while
// its step waits for them.
func TestFourEyesEditorsAndFallbackReads(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d, "liuzhiqiang")
		p, err := w.svc.Create(ctx, w.users["liwei"], w.input(aboveDirector))
		if err != nil {
			t.Fatal(err)
		}
		// The chief rep edits the manager's draft: she is now an author.
		in := w.input(LineInput{ProductID: 1, Quantity: "40", TermMonths: "10", Rate: "100"})
		in.LockVersion = p.LockVersion
		if p, err = w.svc.Update(ctx, w.users["zhaomin"], p.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Get(ctx, w.users["liuzhiqiang"], p.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("the fallback approver must not read a draft of another branch: %v", err)
		}
		if p, err = w.svc.Submit(ctx, w.users["liwei"], p.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, w.users["zhaomin"], p.ID, true, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the chief rep who edited it approves it: %v", err)
		}
		if p, err = w.svc.Decide(ctx, w.users["wangjianguo"], p.ID, true, ""); err != nil {
			t.Fatalf("the director stands in for the chief rep: %v", err)
		}
		if _, err := w.svc.Decide(ctx, w.users["wangjianguo"], p.ID, true, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the director takes a second step: %v", err)
		}
		dt, err := w.svc.Get(ctx, w.users["liuzhiqiang"], p.ID)
		if err != nil || !dt.CanDecide || dt.CanWrite {
			t.Fatalf("the fallback approver reads what waits for them, may decide, may not edit: %v", err)
		}
		if p, err = w.svc.Decide(ctx, w.users["liuzhiqiang"], p.ID, true, "同意"); err != nil || p.Status != StatusApproved {
			t.Fatalf("the fallback approver decides: %v", err)
		}
		if _, err := w.svc.Get(ctx, w.users["liuzhiqiang"], p.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("once decided, it is out of the fallback approver's reach again: %v", err)
		}
	})
}

// thirdDirector makes a director in a branch of their own.
func thirdDirector(t *testing.T, w *world) authz.Subject {
	t.Helper()
	ctx := context.Background()
	st := w.svc.opts.Users.(*org.Store) // the tests wire the store itself
	b := &org.Branch{Code: "QQHR", Name: "齐齐哈尔分公司"}
	if err := st.CreateBranch(ctx, b); err != nil {
		t.Fatal(err)
	}
	u := &org.User{Username: "thirddir", Name: "齐三", Role: authz.RoleDirector, BranchID: &b.ID, Lang: "zh-CN", PasswordHash: "x"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u.Subject()
}

func names(d *Detail, ids []uint) []string {
	var out []string
	for _, id := range ids {
		out = append(out, d.User(id).Username)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func deref(p *uint) string {
	if p == nil {
		return "—"
	}
	return strings.TrimSpace(fmt.Sprint(*p))
}
