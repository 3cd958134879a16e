package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
)

// contractWorld is a test app with what contracts need: products, a
// customer of liwei's with a key person and an opportunity.
type contractWorld struct {
	a        *app
	d        *db.DB
	products []*catalog.Product
	cu       *prospects.Customer
	contact  uint
	opp      uint
	seq      int
}

func newContractWorld(t *testing.T, d *db.DB, tweak ...func(*appOptions)) *contractWorld {
	t.Helper()
	a := newTestApp(t, d, tweak...)
	w := &contractWorld{a: a, d: d}
	for _, p := range []catalog.ProductInput{
		{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet 100M", Category: "dedicated_line", Unit: "条", Monthly: "5000", OneTime: "2000", FloorPercent: "85"},
		{Code: "VPMN", NameZh: "集团V网", NameEn: "Group VPN", Category: "voice", Unit: "户", Monthly: "12.5", FloorPercent: "70"},
		{Code: "IDC-RACK", NameZh: "IDC 机柜", NameEn: "IDC rack", Category: "idc_cloud", Unit: "个", Monthly: "4500.33", OneTime: "3000.07", FloorPercent: "90"},
	} {
		w.products = append(w.products, seedProduct(t, a, p))
	}
	w.cu, w.contact, w.opp = w.customer(t, "liwei", "合同测试银行", "91230103MA1000301")
	return w
}

// customer makes a prospect of username's with a decision maker and an
// opportunity in negotiation.
func (w *contractWorld) customer(t *testing.T, username, name, code17 string) (*prospects.Customer, uint, uint) {
	t.Helper()
	ctx := context.Background()
	cu := seedCustomer(t, w.a, username, name, prospects.MakeCreditCode(code17))
	ct, err := w.a.Prospects.SaveContact(ctx, subject(t, w.a, username), cu.ID, 0, prospects.ContactInput{Name: "钱行长", Title: "行长", Role: "decision", Mobile: "13912345678"})
	if err != nil {
		t.Fatal(err)
	}
	opp, err := w.a.Prospects.CreateOpportunity(ctx, subject(t, w.a, username), prospects.OpportunityInput{CustomerID: cu.ID, Title: name + "专线", Stage: prospects.StageNegotiation})
	if err != nil {
		t.Fatal(err)
	}
	return cu, ct.ID, opp.ID
}

// approvers of a customer: its team's chief rep and its branch director.
func (w *contractWorld) approvers(t *testing.T, cu *prospects.Customer) (chief, director authz.Subject) {
	t.Helper()
	ctx := context.Background()
	team, err := w.a.Org.Store().TeamByID(ctx, cu.TeamID)
	if err != nil || team.LeaderID == nil {
		t.Fatalf("team of customer %d: %v", cu.ID, err)
	}
	u, err := w.a.Org.Store().UserByID(ctx, *team.LeaderID)
	if err != nil {
		t.Fatal(err)
	}
	ds, _, err := w.a.Org.Store().ListUsers(ctx, org.UserFilter{Role: authz.RoleDirector, BranchID: cu.BranchID, Limit: 1})
	if err != nil || len(ds) == 0 {
		t.Fatalf("director of branch %d: %v", cu.BranchID, err)
	}
	return u.Subject(), ds[0].Subject()
}

// accepted walks a proposal of cu through to accepted and returns it.
func (w *contractWorld) accepted(t *testing.T, username string, cu *prospects.Customer, opp uint, lines []proposals.LineInput) *proposals.Proposal {
	t.Helper()
	ctx := context.Background()
	am := subject(t, w.a, username)
	w.seq++
	p, err := w.a.Proposals.Create(ctx, am, proposals.Input{CustomerID: cu.ID, OpportunityID: opp, Title: fmt.Sprintf("专线整体解决方案 %d", w.seq), Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = w.a.Proposals.Submit(ctx, am, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	chief, director := w.approvers(t, cu)
	for lvl := proposals.NextLevel(p); lvl != ""; lvl = proposals.NextLevel(p) {
		who := chief
		if lvl == "director" {
			who = director
		}
		if p, err = w.a.Proposals.Decide(ctx, who, p.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	if p, err = w.a.Proposals.Send(ctx, am, p.ID); err != nil && !errors.Is(err, proposals.ErrFollowUp) {
		t.Fatal(err)
	}
	if p, err = w.a.Proposals.CustomerDecision(ctx, am, p.ID, true); err != nil && !errors.Is(err, proposals.ErrFollowUp) {
		t.Fatal(err)
	}
	if p.Status != proposals.StatusAccepted {
		t.Fatalf("proposal %d is %s", p.ID, p.Status)
	}
	return p
}

// input is a complete contract form for cu starting today.
func (w *contractWorld) input(t *testing.T, cu *prospects.Customer, contact, proposalID uint, months int) contracts.Input {
	t.Helper()
	today := w.a.Contracts.Today()
	return contracts.Input{CustomerID: cu.ID, ProposalID: proposalID, Title: "专线业务协议", StartOn: today.Format("2006-01-02"),
		EndOn: contracts.EndFor(today, months).Format("2006-01-02"), PaymentTerms: "monthly", PaymentDueDay: "10",
		OurSignatoryID: cu.OwnerID, CustomerSignatoryID: contact}
}

// signed makes, approves and signs a contract from an accepted proposal.
func (w *contractWorld) signed(t *testing.T) *contracts.Contract {
	t.Helper()
	ctx := context.Background()
	am := subject(t, w.a, "liwei")
	p := w.accepted(t, "liwei", w.cu, w.opp, []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "3", TermMonths: "12"}})
	c, err := w.a.Contracts.Create(ctx, am, w.input(t, w.cu, w.contact, p.ID, 12))
	if err != nil {
		t.Fatal(err)
	}
	if c, err = w.a.Contracts.Submit(ctx, am, c.ID, 0); err != nil {
		t.Fatal(err)
	}
	chief, director := w.approvers(t, w.cu)
	for lvl := contracts.NextLevel(c); lvl != ""; lvl = contracts.NextLevel(c) {
		who := chief
		if lvl == contracts.LevelDirector {
			who = director
		}
		if c, err = w.a.Contracts.Decide(ctx, who, c.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	if c, err = w.a.Contracts.Sign(ctx, am, c.ID, "", 0); err != nil {
		t.Fatal(err)
	}
	return c
}

func countRows(t *testing.T, d *db.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := d.Gorm.Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestContractMoneyCarriedOver is the property that a contract made from
// an accepted proposal carries its money over exactly: for random
// proposals (products, quantities, terms, rates with two decimals), the
// contract's lines equal the proposal's field by field and its totals
// equal the proposal's totals to the fen.
func TestContractMoneyCarriedOver(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		r := rand.New(rand.NewPCG(7, 11))
		am := subject(t, w.a, "liwei")
		for i := range 12 {
			cu, contact, opp := w.customer(t, "liwei", fmt.Sprintf("金额测试客户%02d", i), fmt.Sprintf("912301%02dMA1000%03d", i%99, 400+i))
			var lines []proposals.LineInput
			longest := 1
			for range 1 + r.IntN(5) {
				term := 1 + r.IntN(60)
				longest = max(longest, term)
				lines = append(lines, proposals.LineInput{ProductID: w.products[r.IntN(len(w.products))].ID,
					Quantity: fmt.Sprint(1 + r.IntN(5000)), TermMonths: fmt.Sprint(term),
					Rate: fmt.Sprintf("%d.%02d", 50+r.IntN(50), r.IntN(100))})
			}
			p := w.accepted(t, "liwei", cu, opp, lines)
			in := w.input(t, cu, contact, p.ID, longest)
			in.Lines = []contracts.LineInput{{ProductID: w.products[0].ID, Quantity: "999"}} // ignored: the proposal's lines rule
			c, err := w.a.Contracts.Create(ctx, am, in)
			if err != nil {
				t.Fatal(err)
			}
			if c.MonthlyFen != p.MonthlyFen || c.OneTimeFen != p.OneTimeFen || c.TotalFen != p.TotalFen {
				t.Fatalf("case %d: contract %s/%s/%s, proposal %s/%s/%s", i, c.MonthlyFen, c.OneTimeFen, c.TotalFen, p.MonthlyFen, p.OneTimeFen, p.TotalFen)
			}
			pl, err := w.a.Proposals.LinesOf(ctx, am, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := w.a.Contracts.Store().Lines(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(pl) != len(cl) {
				t.Fatalf("case %d: %d proposal lines, %d contract lines", i, len(pl), len(cl))
			}
			var sum []money.Fen
			for j := range pl {
				a, b := pl[j], cl[j]
				if a.ProductID != b.ProductID || a.ProductCode != b.ProductCode || a.Quantity != b.Quantity || a.TermMonths != b.TermMonths ||
					a.Rate != b.Rate || a.MonthlyListFen != b.MonthlyListFen || a.OneTimeListFen != b.OneTimeListFen ||
					a.MonthlyNetFen != b.MonthlyNetFen || a.OneTimeNetFen != b.OneTimeNetFen || a.TotalFen != b.TotalFen {
					t.Fatalf("case %d line %d: proposal %+v, contract %+v", i, j, a, b)
				}
				sum = append(sum, b.TotalFen)
			}
			if s, _ := money.Sum(sum...); s != c.TotalFen {
				t.Fatalf("case %d: the lines add up to %s, the contract says %s", i, s, c.TotalFen)
			}
			if c.ProposalID == nil || *c.ProposalID != p.ID || c.OpportunityID == nil || *c.OpportunityID != opp {
				t.Fatalf("case %d: the proposal and its opportunity are not linked: %+v", i, c)
			}
			// The proposal stays frozen: an accepted version cannot be
			// edited or revised.
			if _, err := w.a.Proposals.Update(ctx, am, p.ID, proposals.Input{CustomerID: cu.ID, Title: "改", LockVersion: p.LockVersion,
				Lines: []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "1"}}}); err == nil {
				t.Fatalf("case %d: the accepted proposal was changed after the contract was made", i)
			}
			// A second contract from the same proposal is refused.
			if _, err := w.a.Contracts.Create(ctx, am, in); err == nil || !strings.Contains(err.Error(), "contracts.v.proposal_taken") {
				t.Fatalf("case %d: a second contract from one proposal: %v", i, err)
			}
		}
	})
}

// TestContractSigningAtomic injects a failure into the signing at each
// step another module (or the inbox) takes part in, on both databases:
// nothing changes anywhere — contract, tasks, events, audit, opportunity
// and its stage history, customer status, notifications. Without the
// failure, all of it commits.
func TestContractSigningAtomic(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		am := subject(t, w.a, "liwei")
		p := w.accepted(t, "liwei", w.cu, w.opp, []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "3", TermMonths: "12"}, {ProductID: w.products[1].ID, Quantity: "200"}})
		c, err := w.a.Contracts.Create(ctx, am, w.input(t, w.cu, w.contact, p.ID, 12))
		if err != nil {
			t.Fatal(err)
		}
		if c, err = w.a.Contracts.Submit(ctx, am, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		chief, _ := w.approvers(t, w.cu)
		if c, err = w.a.Contracts.Decide(ctx, chief, c.ID, true, "同意"); err != nil || c.Status != contracts.StatusApproved {
			t.Fatalf("approve: %v %+v", err, c)
		}
		type snapshot struct{ audit, changes, tasks, events, notes int64 }
		snap := func() (snapshot, string, string, string) {
			cc, _ := w.a.Contracts.Store().Contract(ctx, c.ID)
			o, _ := w.a.ProspectStore.Opportunity(ctx, w.opp)
			cu, _ := w.a.ProspectStore.Customer(ctx, w.cu.ID)
			return snapshot{
				audit:   countRows(t, d, &audit.Entry{}, ""),
				changes: countRows(t, d, &prospects.StageChange{}, "opportunity_id = ?", w.opp),
				tasks:   countRows(t, d, &contracts.Task{}, ""),
				events:  countRows(t, d, &contracts.Event{}, ""),
				notes:   countRows(t, d, &notify.Notification{}, ""),
			}, cc.Status, o.Stage, cu.Status
		}
		before, cs0, os0, ks0 := snap()
		if cs0 != contracts.StatusApproved || os0 == prospects.StageWon || ks0 != "prospect" {
			t.Fatalf("start: contract %s, opportunity %s, customer %s", cs0, os0, ks0)
		}
		injected := errors.New("injected failure")
		for _, tc := range []struct {
			name string
			deps func(contracts.Deps) contracts.Deps
		}{
			{"after prospects won the opportunity", func(dp contracts.Deps) contracts.Deps {
				dp.Sales = failingSales{dp.Sales, injected}
				return dp
			}},
			{"after everything, at the last notice", func(dp contracts.Deps) contracts.Deps {
				dp.Notify = failingNotifier{dp.Notify, injected}
				return dp
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				enf, _ := authz.New()
				svc := contracts.NewService(contracts.NewStore(d.Gorm), enf, tc.deps(w.a.ContractDeps), contracts.Options{})
				if _, err := svc.Sign(ctx, am, c.ID, "", 0); !errors.Is(err, injected) {
					t.Fatalf("sign: %v, want the injected failure", err)
				}
				after, cs, os, ks := snap()
				if after != before || cs != cs0 || os != os0 || ks != ks0 {
					t.Fatalf("a failed signing changed something:\nbefore %+v %s %s %s\nafter  %+v %s %s %s", before, cs0, os0, ks0, after, cs, os, ks)
				}
			})
		}
		// Without a failure, everything commits together.
		if c, err = w.a.Contracts.Sign(ctx, am, c.ID, "", 0); err != nil {
			t.Fatal(err)
		}
		after, cs, os, ks := snap()
		if cs != contracts.StatusSigned || os != prospects.StageWon || ks != "active" {
			t.Fatalf("signed: contract %s, opportunity %s, customer %s", cs, os, ks)
		}
		if after.tasks != 4 || after.changes != before.changes+1 || after.events != before.events+1 || after.audit <= before.audit || after.notes <= before.notes {
			t.Fatalf("signing wrote %+v (before %+v): want 4 tasks (2 services, cutover, acceptance), a stage change, an event, audit and a notice", after, before)
		}
		entries, err := w.a.Prospects.Timeline().For(ctx, w.cu.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, e := range entries {
			msgs = append(msgs, e.MsgID)
		}
		for _, want := range []string{"contracts.timeline.sign", "timeline.opportunity.moved", "timeline.customer.update"} {
			if !strings.Contains(strings.Join(msgs, " "), want) {
				t.Errorf("timeline lacks %s: %v", want, msgs)
			}
		}
	})
}

type failingSales struct {
	contracts.Sales
	err error
}

// CloseWon does the real work in prospects, then fails: what prospects
// wrote must roll back with the rest.
func (f failingSales) CloseWon(ctx context.Context, actor authz.Subject, customerID, oppID uint, note string) error {
	if err := f.Sales.CloseWon(ctx, actor, customerID, oppID, note); err != nil {
		return err
	}
	return f.err
}

type failingNotifier struct {
	contracts.Notifier
	err error
}

func (f failingNotifier) Send(ctx context.Context, notices ...notify.Notice) error {
	if err := f.Notifier.Send(ctx, notices...); err != nil {
		return err
	}
	return f.err
}

// TestContractPages drives the contract workflow through the real router.
func TestContractPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		p := w.accepted(t, "liwei", w.cu, w.opp, []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "3", TermMonths: "24"}})
		my := "/customers/" + itoa(w.cu.ID)
		today := w.a.Contracts.Today()
		form := url.Values{
			"proposal_id": {itoa(p.ID)}, "title": {"合同测试银行专线业务协议"}, "start_on": {today.Format("2006-01-02")},
			"end_on": {contracts.EndFor(today, 24).Format("2006-01-02")}, "payment_terms": {"quarterly"}, "payment_due_day": {"15"},
			"our_signatory_id": {itoa(w.cu.OwnerID)}, "customer_signatory_id": {itoa(w.contact)},
		}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("title", "")
		bad.Set("end_on", today.AddDate(0, 5, 3).Format("2006-01-02"))
		bad.Set("payment_due_day", "31")
		runScenarios(t, w.a, []scenario{
			{name: "customer tab offers the accepted proposal", as: "liwei", path: my + "/contracts", status: 200,
				want: []string{"客户合同", "客户已接受、待签合同的方案", p.Title, my + "/contracts/new?proposal=" + itoa(p.ID)}},
			{name: "form from the proposal", as: "liwei", path: my + "/contracts/new?proposal=" + itoa(p.ID), status: 200,
				want: []string{"新建合同", "DIA-100M", "原样带入", "¥366,000.00", "钱行长"}},
			{name: "bad form", as: "liwei", method: "POST", path: my + "/contracts", form: bad, status: 422,
				want: []string{"必填", "合同期限须为 1 到 120 个整月", "付款日须是 1 到 28 之间的整数"}},
			{name: "another team's customer: 404", as: "zhoujie", path: my + "/contracts", status: 404},
			{name: "admin may not make one", as: "admin", path: my + "/contracts/new", status: 403},
		})
		if n := countRows(t, d, &contracts.Contract{}, ""); n != 0 {
			t.Fatalf("bad input saved %d contracts", n)
		}
		am := loggedIn(t, w.a, "liwei")
		res := am.PostForm(my+"/contracts", form)
		if res.Status != 303 || !strings.HasPrefix(res.Location(), "/contracts/") {
			t.Fatalf("create: %d %s\n%.2000s", res.Status, res.Location(), res.Body)
		}
		page := res.Location()
		id := strings.TrimPrefix(page, "/contracts/")
		c, err := w.a.Contracts.Store().Contract(ctx, uint(atoi(t, id)))
		if err != nil {
			t.Fatal(err)
		}
		year := fmt.Sprint(today.Year())
		runScenarios(t, w.a, []scenario{
			{name: "draft page", as: "liwei", path: page, status: 200,
				want: []string{"HT-哈尔滨-" + year + "-000001", "草稿", "合同测试银行专线业务协议", "需要审批的原因", "¥366,000.00", "人民币叁拾陆万陆仟元整", "提交审批", "按季"}},
			{name: "the proposal has its contract now", as: "liwei", path: my + "/contracts/new?proposal=" + itoa(p.ID), status: 303, location: my + "/contracts"},
			{name: "and is no longer offered", as: "liwei", path: my + "/contracts", status: 200, wantNot: []string{"客户已接受、待签合同的方案"}},
			{name: "submit", as: "liwei", method: "POST", path: page + "/submit", form: url.Values{}, status: 303, location: page},
			{name: "the owner cannot approve", as: "liwei", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}}, status: 403},
			{name: "another team's chief rep: 404", as: "sunli", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}}, status: 404},
			{name: "other branch director: 404", as: "liuzhiqiang", path: page, status: 404},
			{name: "the chief rep's queue", as: "zhaomin", path: "/", status: 200, want: []string{"待我审批的合同", "合同测试银行专线业务协议"}},
			{name: "editing a pending contract is allowed (back to draft)", as: "liwei", path: page + "/edit", status: 200, want: []string{"编辑合同"}},
			{name: "approve", as: "zhaomin", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}, "comment": {"同意签约"}}, status: 303, location: page},
			{name: "approved page", as: "liwei", path: page, status: 200, want: []string{"待签署", "同意签约", "记录签署"}},
			{name: "the approved contract is out of the queue", as: "zhaomin", path: "/", status: 200, wantNot: []string{"合同测试银行专线业务协议"}},
			{name: "sign", as: "liwei", method: "POST", path: page + "/sign", form: url.Values{"signed_on": {today.Format("2006-01-02")}}, status: 303, location: page},
			{name: "signed page", as: "liwei", path: page, status: 200, want: []string{"已签署", "业务实施", "开通：互联网专线 100M", "割接", "验收", "已完成 0 / 3 项"}},
			{name: "editing a signed contract needs an amendment", as: "liwei", method: "POST", path: page, form: form, status: 422, want: []string{"已签署的合同不能直接修改，请新建补充协议"}},
			{name: "activation waits for the implementation", as: "liwei", method: "POST", path: page + "/activate", form: url.Values{}, status: 422, want: []string{"业务实施还有未完成的事项"}},
			{name: "the opportunity is won", as: "liwei", path: "/opportunities/" + itoa(w.opp), status: 200, want: []string{"签约"}},
			{name: "timeline", as: "liwei", path: my, status: 200, want: []string{"签署合同 HT-哈尔滨-" + year + "-000001", `href="` + my + `/contracts"`}},
			{name: "list", as: "liwei", path: "/contracts", status: 200, want: []string{"HT-哈尔滨-" + year + "-000001", "已签署"}},
			{name: "list for another manager", as: "zhoujie", path: "/contracts", status: 200, wantNot: []string{"合同测试银行"}},
			{name: "export for another manager", as: "zhoujie", path: "/contracts/export.csv", status: 200, wantNot: []string{"合同测试银行"}},
			{name: "export", as: "zhaomin", path: "/contracts/export.csv?q=" + url.QueryEscape("测试银行"), status: 200, want: []string{"合同测试银行专线业务协议", "366000.00"}},
			{name: "PDF of another team's contract: 404", as: "zhoujie", path: page + "/pdf", status: 404},
		})
		_ = c
	})
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// TestDemoContracts: the demo has contracts in every state, spread over
// the account managers, some ending within 30, 60 and 90 days (with their
// reminders sent) and some implementation tasks overdue.
func TestDemoContracts(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := demoAppOn(t, d)
		var byStatus []struct {
			Status string
			N      int
		}
		if err := d.Gorm.Model(&contracts.Contract{}).Select("status, COUNT(*) AS n").Group("status").Scan(&byStatus).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range byStatus {
			got[r.Status] = r.N
		}
		for _, st := range contracts.Statuses {
			if got[st] == 0 {
				t.Errorf("no demo contract is %s: %v", st, got)
			}
		}
		if n := countRows(t, d, &contracts.Contract{}, "proposal_id IS NOT NULL"); n == 0 {
			t.Error("no demo contract was made from an accepted proposal")
		}
		today := a.Contracts.Today()
		var ends []time.Time
		if err := d.Gorm.Model(&contracts.Contract{}).Where("is_current = ? AND status IN ?", true, contracts.InForce).Pluck("end_on", &ends).Error; err != nil {
			t.Fatal(err)
		}
		windows := map[int]int{}
		for _, e := range ends {
			switch days := int(e.Sub(today).Hours() / 24); {
			case days >= 0 && days <= 30:
				windows[30]++
			case days > 30 && days <= 60:
				windows[60]++
			case days > 60 && days <= 90:
				windows[90]++
			}
		}
		if windows[30] == 0 || windows[60] == 0 || windows[90] == 0 {
			t.Errorf("demo contracts ending within 30/60/90 days: %v", windows)
		}
		if n := countRows(t, d, &notify.Notification{}, "kind = ?", "contract.renewal"); n == 0 {
			t.Error("the demo sent no renewal reminders")
		}
		if n := countRows(t, d, &contracts.Task{}, "status <> ? AND due_on < ?", contracts.TaskDone, today); n == 0 {
			t.Error("no demo implementation task is overdue")
		}
		for _, am := range []string{"liwei", "zhoujie", "gaoyuan", "xupeng"} {
			rows, _, err := a.Contracts.List(ctx, subject(t, a, am), contracts.Filter{Limit: 10})
			if err != nil || len(rows) == 0 {
				t.Errorf("%s has no demo contracts (%v)", am, err)
			}
		}
		if q, err := a.Contracts.Queue(ctx, subject(t, a, "zhaomin")); err != nil || len(q) == 0 {
			if q2, _ := a.Contracts.Queue(ctx, subject(t, a, "wangjianguo")); len(q2) == 0 {
				t.Errorf("no demo contract waits in the Harbin approvers' queues (%v)", err)
			}
		}
		runScenarios(t, a, []scenario{
			{name: "the list", as: "wangjianguo", path: "/contracts", status: 200, want: []string{"HT-哈尔滨-"}},
			{name: "the expiring page", as: "wangjianguo", path: "/contracts/expiring", status: 200, want: []string{"即将到期"}, wantNot: []string{"天内没有到期的合同"}},
			{name: "export", as: "liuzhiqiang", path: "/contracts/export.xlsx", status: 200},
		})
	})
}
