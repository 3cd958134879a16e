package proposals

import (
	"context"
	"errors"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// catalogue is a fixed price list for these tests (the catalog module has
// its own tests; cmd/jike wires the real one).
var catalogue = map[uint]Priced{
	1: {ID: 1, Code: "DIA-100M", Name: "互联网专线 100M", Unit: "条", MonthlyFen: 5_000_00, OneTimeFen: 2_000_00, FloorRate: 8500, Active: true},
	2: {ID: 2, Code: "IOT-CARD", Name: "物联网卡", Unit: "张", MonthlyFen: 5_00, FloorRate: 7000, Active: true},
	3: {ID: 3, Code: "GPRS-OLD", Name: "GPRS 行业卡（旧）", Unit: "张", MonthlyFen: 10_00, FloorRate: 9000, Active: false},
}

func prices(_ context.Context, ids []uint) (map[uint]Priced, error) {
	out := map[uint]Priced{}
	for _, id := range ids {
		if p, ok := catalogue[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

type world struct {
	svc      *Service
	users    map[string]authz.Subject
	customer *prospects.Customer
	opp      *prospects.Opportunity
	sent     int
	accepted int
}

func newWorld(t *testing.T, d *db.DB, fallback ...string) *world {
	t.Helper()
	ctx := context.Background()
	orgSvc := org.NewService(org.NewStore(d.Gorm), org.Options{BcryptCost: bcrypt.MinCost})
	if _, err := orgSvc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	enf, _ := authz.New()
	ps := prospects.NewService(prospects.NewStore(d.Gorm), orgSvc.Store(), enf, &prospects.Timeline{})
	w := &world{users: map[string]authz.Subject{}}
	for _, n := range []string{"liwei", "zhangjing", "zhaomin", "sunli", "wangjianguo", "liuzhiqiang", "admin"} {
		u, _ := orgSvc.Store().UserByUsername(ctx, n)
		w.users[n] = u.Subject()
	}
	w.svc = NewService(NewStore(d.Gorm), ps, enf, prices, Options{
		ChiefThreshold: 500_000_00, DirectorThreshold: 2_000_000_00, Users: orgSvc.Store(), FallbackApprovers: fallback,
		OnSent:     func(context.Context, authz.Subject, *Proposal) error { w.sent++; return nil },
		OnAccepted: func(context.Context, authz.Subject, *Proposal) error { w.accepted++; return nil },
	})
	c, err := ps.CreateCustomer(ctx, w.users["liwei"], prospects.CustomerInput{Name: "黑龙江某银行", CreditCode: prospects.MakeCreditCode("91230103MA1000077"), Industry: "finance", Grade: "A"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.customer = c
	if w.opp, err = ps.CreateOpportunity(ctx, w.users["liwei"], prospects.OpportunityInput{CustomerID: c.ID, Title: "网点专线"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) input(lines ...LineInput) Input {
	return Input{CustomerID: w.customer.ID, OpportunityID: w.opp.ID, Title: "网点互联网专线方案", Solution: "双路由接入", Lines: lines}
}

func TestTotalsExact(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		p, err := w.svc.Create(context.Background(), w.users["liwei"], w.input(
			LineInput{ProductID: 1, Quantity: "3", TermMonths: "36", Rate: "90"},
			LineInput{ProductID: 2, Quantity: "1001", TermMonths: "12", Rate: "72.5"},
		))
		if err != nil {
			t.Fatal(err)
		}
		// Line 1: 5000 × 3 × 90% = 13,500.00/month; one-time 2000 × 3 × 90% = 5,400.00;
		// total 13,500 × 36 + 5,400 = 491,400.00.
		// Line 2: 5.00 × 1001 × 72.5% = 3,628.625 → 3,628.63/month; total × 12 = 43,543.56.
		if p.MonthlyFen != 13_500_00+3_628_63 || p.OneTimeFen != 5_400_00 || p.TotalFen != 491_400_00+43_543_56 {
			t.Fatalf("totals: monthly %s one-time %s total %s", p.MonthlyFen, p.OneTimeFen, p.TotalFen)
		}
		if !p.NeedsChief || p.NeedsDirector {
			t.Fatalf("534,943.56 > 500,000: needs the chief rep only (%v %v)", p.NeedsChief, p.NeedsDirector)
		}
	})
}

func TestApprovalRulesAtThresholds(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		// Product 1: ¥5,000/month + ¥2,000 one-time per line; "exactly at" is checked below.
		cases := []struct {
			name           string
			qty, term      string
			rate           string
			chief, directr bool
		}{
			{"at the floor, small", "1", "1", "85", false, false},
			{"below the floor", "1", "1", "84.99", true, false},
			{"below the chief threshold", "10", "9", "100", false, false},      // 10 × (5,000 × 9 + 2,000) = 470,000
			{"just above the chief threshold", "10", "10", "100", true, false}, // 10 × (50,000 + 2,000) = 520,000
			{"below the director threshold", "38", "10", "100", true, false},   // 38 × 52,000 = 1,976,000
			{"above the director threshold", "39", "10", "100", true, true},    // 2,028,000
			{"free of charge (0%)", "1", "1", "0", true, false},
		}
		for _, c := range cases {
			p, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: c.qty, TermMonths: c.term, Rate: c.rate}))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if p.NeedsChief != c.chief || p.NeedsDirector != c.directr {
				t.Errorf("%s (total %s): chief %v director %v, want %v %v", c.name, p.TotalFen, p.NeedsChief, p.NeedsDirector, c.chief, c.directr)
			}
		}
		// Exactly at a threshold is not above it.
		w2 := NewService(w.svc.store, w.svc.prospects, w.svc.enf, prices, Options{ChiefThreshold: 52_000_00, DirectorThreshold: 104_000_00})
		at, _ := w2.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "1", TermMonths: "10", Rate: "100"}))
		above, _ := w2.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "1", TermMonths: "10", Rate: "100"}, LineInput{ProductID: 2, Quantity: "1", TermMonths: "1", Rate: "100"}))
		if at.TotalFen != 52_000_00 || at.NeedsChief || !above.NeedsChief || above.NeedsDirector {
			t.Fatalf("at %s chief %v; above %s chief %v director %v", at.TotalFen, at.NeedsChief, above.TotalFen, above.NeedsChief, above.NeedsDirector)
		}
		for _, desc := range []bool{false, true} {
			rows, total, err := w.svc.List(ctx, w.users["liwei"], Filter{Sort: "total", Desc: desc, Limit: 50})
			if err != nil || total < 7 || int(total) != len(rows) {
				t.Fatalf("sorted list: %v, %d of %d", err, len(rows), total)
			}
			for i := 1; i < len(rows); i++ {
				if (rows[i].TotalFen < rows[i-1].TotalFen) != desc && rows[i].TotalFen != rows[i-1].TotalFen {
					t.Fatalf("sorted by total (desc %v): %s before %s", desc, rows[i-1].TotalFen, rows[i].TotalFen)
				}
			}
		}
		atDir, _ := w2.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "2", TermMonths: "10", Rate: "100"}))
		aboveDir, _ := w2.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "2", TermMonths: "10", Rate: "100"}, LineInput{ProductID: 2, Quantity: "1", TermMonths: "1", Rate: "100"}))
		if atDir.TotalFen != 104_000_00 || !atDir.NeedsChief || atDir.NeedsDirector || !aboveDir.NeedsDirector {
			t.Fatalf("at the director threshold %s: chief %v director %v; above: director %v", atDir.TotalFen, atDir.NeedsChief, atDir.NeedsDirector, aboveDir.NeedsDirector)
		}
	})
}

func TestValidation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		_, err := w.svc.Create(ctx, w.users["liwei"], Input{CustomerID: w.customer.ID, Title: "", ValidUntil: "2020-01-01", OpportunityID: 99999,
			Lines: []LineInput{{ProductID: 1, Quantity: "0"}, {ProductID: 1, Quantity: "1", TermMonths: "121"}, {ProductID: 1, Quantity: "1", Rate: "100.5"}, {ProductID: 3, Quantity: "1"}, {ProductID: 1, Quantity: "1", Rate: "85.555"}}})
		f, ok := apperr.AsFields(err)
		if !ok {
			t.Fatalf("want field errors: %v", err)
		}
		for field, msg := range map[string]string{"title": "v.required", "valid_until": "proposals.v.valid_past", "opportunity_id": "proposals.v.opportunity",
			"line_0": "proposals.v.quantity", "line_1": "proposals.v.term", "line_2": "proposals.v.rate", "line_3": "proposals.v.product", "line_4": "proposals.v.rate"} {
			if f[field] != msg {
				t.Errorf("%s: got %q want %q", field, f[field], msg)
			}
		}
		if _, err := w.svc.Create(ctx, w.users["liwei"], w.input()); err == nil {
			t.Fatal("a proposal without lines")
		}
		if _, err := w.svc.Create(ctx, w.users["zhangjing"], w.input(LineInput{ProductID: 1, Quantity: "1"})); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager's customer: %v", err)
		}
		if _, err := w.svc.Create(ctx, w.users["admin"], w.input(LineInput{ProductID: 1, Quantity: "1"})); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin: %v", err)
		}
	})
}

func TestWorkflowVersionsAndApprovals(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		// Big and discounted: the chief rep and then the director must approve
		// (42×5,000×80%×12 + 42×2,000×80% = 2,083,200 > 2,000,000).
		p, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "42", TermMonths: "12", Rate: "80"}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Send(ctx, w.users["liwei"], p.ID); err == nil {
			t.Fatal("a draft cannot be sent")
		}
		if p, err = w.svc.Submit(ctx, w.users["liwei"], p.ID, p.LockVersion); err != nil || p.Status != StatusPending || NextLevel(p) != "chief" {
			t.Fatalf("submit: %v %+v", err, p)
		}
		if _, err := w.svc.Decide(ctx, w.users["liwei"], p.ID, true, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the manager approving their own: %v", err)
		}
		if _, err := w.svc.Decide(ctx, w.users["sunli"], p.ID, true, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another team's chief rep: %v", err)
		}
		q, _ := w.svc.Queue(ctx, w.users["zhaomin"])
		if len(q) != 1 || q[0].ID != p.ID {
			t.Fatalf("the chief rep's queue: %+v", q)
		}
		if q, _ := w.svc.Queue(ctx, w.users["wangjianguo"]); len(q) != 0 {
			t.Fatal("the chief step goes to the chief rep; the director stands in only when the chief rep may not take it")
		}
		if _, err := w.svc.Decide(ctx, w.users["zhaomin"], p.ID, false, ""); err == nil {
			t.Fatal("a rejection needs a comment")
		}
		if p, err = w.svc.Decide(ctx, w.users["zhaomin"], p.ID, false, "折扣过低，请调整到 85%"); err != nil || p.Status != StatusDraft {
			t.Fatalf("reject: %v %+v", err, p)
		}
		if p, err = w.svc.Submit(ctx, w.users["liwei"], p.ID, 0); err != nil {
			t.Fatal(err)
		}
		if p, err = w.svc.Decide(ctx, w.users["zhaomin"], p.ID, true, "同意"); err != nil || p.Status != StatusPending || NextLevel(p) != "director" {
			t.Fatalf("chief approval: %v %+v", err, p)
		}
		if _, err := w.svc.Decide(ctx, w.users["zhaomin"], p.ID, true, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatal("the chief rep cannot give the director's approval")
		}
		if q, _ := w.svc.Queue(ctx, w.users["zhaomin"]); len(q) != 0 {
			t.Fatal("nothing left for the chief rep")
		}
		if p, err = w.svc.Decide(ctx, w.users["wangjianguo"], p.ID, true, ""); err != nil || p.Status != StatusApproved {
			t.Fatalf("director approval: %v %+v", err, p)
		}
		approvals, _ := w.svc.store.Approvals(ctx, p.ID)
		if len(approvals) != 3 {
			t.Fatalf("approvals kept: %d", len(approvals))
		}
		if p, err = w.svc.Send(ctx, w.users["liwei"], p.ID); err != nil || p.Status != StatusSent || w.sent != 1 {
			t.Fatalf("send: %v %+v", err, p)
		}
		// Editing a sent proposal makes version 2; version 1 stays as sent.
		v2, err := w.svc.Update(ctx, w.users["liwei"], p.ID, Input{CustomerID: w.customer.ID, Title: "网点互联网专线方案（修订）",
			Lines: []LineInput{{ProductID: 1, Quantity: "42", TermMonths: "12", Rate: "85"}}, LockVersion: p.LockVersion})
		if err != nil {
			t.Fatal(err)
		}
		if v2.ID == p.ID || v2.Version != 2 || v2.Number != p.Number || v2.Status != StatusDraft {
			t.Fatalf("version 2: %+v", v2)
		}
		v1, _ := w.svc.store.Proposal(ctx, p.ID)
		if v1.Status != StatusSent || v1.Title != "网点互联网专线方案" {
			t.Fatalf("version 1 must stay readable as it was: %+v", v1)
		}
		if _, err := w.svc.Update(ctx, w.users["liwei"], p.ID, Input{CustomerID: w.customer.ID, Title: "x", Lines: []LineInput{{ProductID: 1, Quantity: "1"}}, LockVersion: v1.LockVersion}); err == nil {
			t.Fatal("a second version 2 from the same sent version")
		}
		// Version 2 still needs the director: 42×5,000×85%×12 + 42×2,000×85% = 2,213,400.
		v2, _ = w.svc.Submit(ctx, w.users["liwei"], v2.ID, 0)
		v2, _ = w.svc.Decide(ctx, w.users["zhaomin"], v2.ID, true, "")
		if v2, err = w.svc.Decide(ctx, w.users["wangjianguo"], v2.ID, true, ""); err != nil || v2.Status != StatusApproved {
			t.Fatalf("version 2, both steps: %v %+v", err, v2)
		}
		if v2, err = w.svc.Send(ctx, w.users["liwei"], v2.ID); err != nil {
			t.Fatal(err)
		}
		if v1, _ = w.svc.store.Proposal(ctx, p.ID); v1.Status != StatusSuperseded {
			t.Fatalf("sending version 2 supersedes version 1: %s", v1.Status)
		}
		if v2, err = w.svc.CustomerDecision(ctx, w.users["liwei"], v2.ID, true); err != nil || v2.Status != StatusAccepted || w.accepted != 1 {
			t.Fatalf("accept: %v %+v", err, v2)
		}
		if _, err := w.svc.Update(ctx, w.users["liwei"], v2.ID, Input{CustomerID: w.customer.ID, Title: "x", Lines: []LineInput{{ProductID: 1, Quantity: "1"}}, LockVersion: v2.LockVersion}); err == nil {
			t.Fatal("an accepted proposal is closed")
		}
		list, _, _ := w.svc.List(ctx, w.users["liwei"], Filter{Limit: 10})
		if len(list) != 1 || list[0].ID != v2.ID {
			t.Fatalf("the list shows the latest version only: %+v", list)
		}
		if other, _, _ := w.svc.List(ctx, w.users["zhangjing"], Filter{Limit: 10}); len(other) != 0 {
			t.Fatal("another manager sees nothing")
		}
	})
}

// TestRetiredProductStaysOnItsProposals: once a product is retired (or
// repriced) it cannot go into a new proposal, but a proposal that has it
// keeps its recorded name and prices through edits and new versions.
func TestRetiredProductStaysOnItsProposals(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		p, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "2", TermMonths: "12"}))
		if err != nil {
			t.Fatal(err)
		}
		// The catalogue retires product 1 and doubles its price.
		retired := func(_ context.Context, ids []uint) (map[uint]Priced, error) {
			out := map[uint]Priced{}
			for _, id := range ids {
				if pr, ok := catalogue[id]; ok {
					if id == 1 {
						pr.Active, pr.MonthlyFen = false, 2*pr.MonthlyFen
					}
					out[id] = pr
				}
			}
			return out, nil
		}
		svc := NewService(w.svc.store, w.svc.prospects, w.svc.enf, retired, w.svc.opts)
		if _, err := svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "1"})); err == nil {
			t.Fatal("a retired product went into a new proposal")
		}
		in := w.input(LineInput{ProductID: 1, Quantity: "3", TermMonths: "12"})
		in.LockVersion = p.LockVersion
		p2, err := svc.Update(ctx, w.users["liwei"], p.ID, in)
		if err != nil {
			t.Fatalf("editing a proposal that has the retired product: %v", err)
		}
		lines, _ := svc.store.Lines(ctx, p2.ID)
		if len(lines) != 1 || lines[0].MonthlyListFen != 5_000_00 || lines[0].ProductName != "互联网专线 100M" || lines[0].MonthlyNetFen != 15_000_00 {
			t.Fatalf("the line keeps its recorded product and price: %+v", lines)
		}
	})
}

// TestCustomersOwnChiefRepApproves: a customer's own chief rep, from
// another team, decides its proposals and sees them in the queue.
func TestCustomersOwnChiefRepApproves(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		c, err := w.svc.prospects.Reassign(ctx, w.users["wangjianguo"], w.customer.ID, w.customer.OwnerID, w.users["sunli"].ID, w.customer.Version)
		if err != nil || c.ChiefRepID == nil || *c.ChiefRepID != w.users["sunli"].ID {
			t.Fatalf("make sunli the customer's chief rep: %v", err)
		}
		p, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "1", TermMonths: "1", Rate: "80"}))
		if err != nil {
			t.Fatal(err)
		}
		if p, err = w.svc.Submit(ctx, w.users["liwei"], p.ID, 0); err != nil || p.Status != StatusPending {
			t.Fatalf("submit: %v", err)
		}
		if q, _ := w.svc.Queue(ctx, w.users["sunli"]); len(q) != 1 || q[0].ID != p.ID {
			t.Fatalf("the customer's chief rep's queue: %+v", q)
		}
		if p, err = w.svc.Decide(ctx, w.users["sunli"], p.ID, true, ""); err != nil || p.Status != StatusApproved {
			t.Fatalf("the customer's chief rep approves: %v %+v", err, p)
		}
		if d, err := w.svc.Get(ctx, w.users["liwei"], p.ID); err != nil || d.ChiefID != w.users["sunli"].ID {
			t.Fatalf("the PDF's chief rep is the customer's: %v %+v", err, d)
		}
	})
}
