package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
)

// wantMsg fails unless err is the validation error with message id msg.
func wantMsg(t *testing.T, err error, msg string) {
	t.Helper()
	f, ok := apperr.AsFields(err)
	if !ok {
		t.Fatalf("want %s, got %v", msg, err)
	}
	for _, v := range f {
		if v == msg {
			return
		}
	}
	t.Fatalf("want %s, got %v", msg, f)
}

// TestContractByHandAndItsLife: a contract priced by hand from the
// catalogue (a rate below the floor needs the chief rep), a start in the
// future (no activation before it), then an amendment (a new revision
// with its own approval that replaces the first once signed), a renewal
// with its opportunity (the contract becomes renewed when the successor
// is signed), a termination (with a reason) — through the pages where a
// person does it.
func TestContractByHandAndItsLife(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		am := subject(t, w.a, "liwei")
		chief, _ := w.approvers(t, w.cu)
		my := "/customers/" + itoa(w.cu.ID)
		today := w.a.Contracts.Today()
		start := today.AddDate(0, 0, 10)
		form := url.Values{
			"title": {"集团V网业务协议"}, "start_on": {start.Format("2006-01-02")}, "end_on": {contracts.EndFor(start, 12).Format("2006-01-02")},
			"payment_terms": {"monthly"}, "payment_due_day": {"10"}, "our_signatory_id": {itoa(w.cu.OwnerID)},
			"customer_signatory_id": {itoa(w.contact)}, "opportunity_id": {itoa(w.opp)}, "line_count": {"2"},
			"line_product_0": {itoa(w.products[1].ID)}, "line_qty_0": {"100"}, "line_rate_0": {"65"},
			"notes": {"新增用户按本协议单价执行。"},
		}
		preview := url.Values{}
		for k, v := range form {
			preview[k] = v
		}
		preview.Set("action", "preview")
		tooLong := url.Values{}
		for k, v := range form {
			tooLong[k] = v
		}
		tooLong.Set("line_term_0", "24")
		runScenarios(t, w.a, []scenario{
			{name: "hand form", as: "liwei", path: my + "/contracts/new", status: 200, want: []string{"新建合同", "VPMN · 集团V网", "计算金额"}},
			// 100 × ¥12.50 × 65% = ¥812.50 a month, × 12 = ¥9,750.00.
			{name: "server prices the lines", as: "liwei", method: "POST", path: my + "/contracts", form: preview, status: 200, want: []string{"¥812.50", "¥9,750.00"}},
			{name: "a line longer than the contract", as: "liwei", method: "POST", path: my + "/contracts", form: tooLong, status: 422, want: []string{"有产品的期限长于合同期限"}},
		})
		res := loggedIn(t, w.a, "liwei").PostForm(my+"/contracts", form)
		if res.Status != 303 {
			t.Fatalf("create: %d %.1500s", res.Status, res.Body)
		}
		page := res.Location()
		id := uint(atoi(t, strings.TrimPrefix(page, "/contracts/")))
		c, _ := w.a.Contracts.Store().Contract(ctx, id)
		if !c.NeedsChief || c.NeedsDirector || c.TotalFen != 9_750_00 {
			t.Fatalf("hand contract: %+v", c)
		}
		runScenarios(t, w.a, []scenario{
			{name: "why approval", as: "liwei", path: page, status: 200, want: []string{"集团V网 的折扣 65% 低于客户经理权限 70%"}},
			{name: "submit", as: "liwei", method: "POST", path: page + "/submit", form: url.Values{}, status: 303},
			{name: "approve", as: "zhaomin", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}}, status: 303},
			{name: "sign in the future is refused", as: "liwei", method: "POST", path: page + "/sign", form: url.Values{"signed_on": {today.AddDate(0, 0, 1).Format("2006-01-02")}}, status: 422, want: []string{"签署日期不能晚于今天"}},
			{name: "sign", as: "liwei", method: "POST", path: page + "/sign", form: url.Values{}, status: 303},
		})
		c, _ = w.a.Contracts.Store().Contract(ctx, id)
		w.finishTasks(t, c)
		runScenarios(t, w.a, []scenario{
			{name: "not in force before its start", as: "liwei", method: "POST", path: page + "/activate", form: url.Values{}, status: 422, want: []string{"还没到合同开始日期，不能生效"}},
		})

		// The signed scan through the made-from-proposal contract, activated.
		act := w.signed(t)
		w.finishTasks(t, act)
		act, err := w.a.Contracts.Activate(ctx, am, act.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		apage := "/contracts/" + itoa(act.ID)

		// Amendment: revision 2, approved and signed, replaces revision 1.
		res = loggedIn(t, w.a, "liwei").PostForm(apage+"/amend", url.Values{})
		if res.Status != 303 || res.Location() == apage {
			t.Fatalf("amend: %d %s", res.Status, res.Location())
		}
		amdPage := res.Location()
		amdID := uint(atoi(t, strings.TrimPrefix(amdPage, "/contracts/")))
		runScenarios(t, w.a, []scenario{
			{name: "a second amendment waits for the first", as: "liwei", method: "POST", path: apage + "/amend", form: url.Values{}, status: 422, want: []string{"已有一份未签署的补充协议"}},
			{name: "the amendment's form edits lines", as: "liwei", path: amdPage + "/edit", status: 200, want: []string{"这是合同的第 2 版（补充协议）", "line_product_0"}},
		})
		amd, _ := w.a.Contracts.Store().Contract(ctx, amdID)
		in := w.input(t, w.cu, w.contact, 0, 12)
		in.StartOn, in.EndOn, in.Version = amd.StartOn.Format("2006-01-02"), amd.EndOn.Format("2006-01-02"), amd.Version
		in.Lines = []contracts.LineInput{{ProductID: w.products[0].ID, Quantity: "5", TermMonths: "12"}, {ProductID: w.products[2].ID, Quantity: "2"}}
		if _, err = w.a.Contracts.Update(ctx, am, amdID, in); err != nil {
			t.Fatal(err)
		}
		if amd, err = w.a.Contracts.Submit(ctx, am, amdID, 0); err != nil || !amd.IsPending() {
			t.Fatalf("an amendment always needs approval: %v %+v", err, amd)
		}
		if _, err = w.a.Contracts.Decide(ctx, chief, amdID, true, ""); err != nil {
			t.Fatal(err)
		}
		if amd, err = w.a.Contracts.Sign(ctx, am, amdID, "", 0); err != nil {
			t.Fatal(err)
		}
		first, _ := w.a.Contracts.Store().Contract(ctx, act.ID)
		if first.Status != contracts.StatusSuperseded || first.IsCurrent || amd.Status != contracts.StatusActive || !amd.IsCurrent || amd.Number != first.Number || amd.Revision != 2 {
			t.Fatalf("after the amendment: first %s current=%v, amendment %s current=%v r%d", first.Status, first.IsCurrent, amd.Status, amd.IsCurrent, amd.Revision)
		}
		tasks, _ := w.a.Contracts.Store().Tasks(ctx, act.Root())
		if len(tasks) != 4 || tasks[3].Title != "IDC 机柜" || tasks[3].IsDone() {
			t.Fatalf("the amendment's new service gets its own open task: %+v", tasks)
		}
		runScenarios(t, w.a, []scenario{
			{name: "the list shows the revision in force once", as: "liwei", path: "/contracts?q=" + url.QueryEscape(amd.Number), status: 200,
				want: []string{amdPage, "第 2 版"}, wantNot: []string{`href="` + apage + `"`}},
			{name: "the old revision says so", as: "liwei", path: apage, status: 200, want: []string{"已被补充协议替代", "版本（补充协议）"},
				// No amend form; its 修改记录 may say an amendment was made (新建补充协议).
				wantNot: []string{`action="` + apage + `/amend"`}},
		})

		// Renewal with an opportunity.
		res = loggedIn(t, w.a, "liwei").PostForm(amdPage+"/renew", url.Values{"opportunity": {"1"}})
		if res.Status != 303 || res.Location() == amdPage {
			t.Fatalf("renew: %d %s", res.Status, res.Location())
		}
		succID := uint(atoi(t, strings.TrimPrefix(res.Location(), "/contracts/")))
		succ, _ := w.a.Contracts.Store().Contract(ctx, succID)
		if succ.Number == amd.Number || succ.PredecessorID == nil || *succ.PredecessorID != amd.Root() ||
			!succ.StartOn.Equal(amd.EndOn.AddDate(0, 0, 1)) || succ.TermMonths != amd.TermMonths || succ.TotalFen != amd.TotalFen || succ.OpportunityID == nil {
			t.Fatalf("successor %+v of %+v", succ, amd)
		}
		opp, _ := w.a.ProspectStore.Opportunity(ctx, *succ.OpportunityID)
		if !strings.HasPrefix(opp.Title, "续约：") || opp.Stage != prospects.StageNegotiation {
			t.Fatalf("renewal opportunity %+v", opp)
		}
		runScenarios(t, w.a, []scenario{
			{name: "one renewal only", as: "liwei", method: "POST", path: amdPage + "/renew", form: url.Values{}, status: 422, want: []string{"已有续约合同"}},
		})
		if succ, err = w.a.Contracts.Submit(ctx, am, succID, 0); err != nil {
			t.Fatal(err)
		}
		if succ.IsPending() {
			if succ, err = w.a.Contracts.Decide(ctx, chief, succID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err = w.a.Contracts.Sign(ctx, am, succID, "", 0); err != nil {
			t.Fatal(err)
		}
		amd, _ = w.a.Contracts.Store().Contract(ctx, amdID)
		if amd.Status != contracts.StatusRenewed || amd.RenewedByID == nil || *amd.RenewedByID != succID {
			t.Fatalf("renewed: %s %v", amd.Status, amd.RenewedByID)
		}
		runScenarios(t, w.a, []scenario{
			{name: "the renewed contract links its successor", as: "liwei", path: amdPage, status: 200, want: []string{"已续约", "续约合同", succ.Number}},
			{name: "the timeline", as: "liwei", path: "/customers/" + itoa(w.cu.ID), status: 200, want: []string{"新建补充协议（第 2 版）", "已续约"}},
		})

		// Termination needs a reason.
		runScenarios(t, w.a, []scenario{
			{name: "terminate without a reason", as: "liwei", method: "POST", path: page + "/terminate", form: url.Values{}, status: 422, want: []string{"终止时请写明原因"}},
			{name: "terminate", as: "liwei", method: "POST", path: page + "/terminate", form: url.Values{"reason": {"客户搬迁"}}, status: 303},
			{name: "terminated", as: "liwei", path: page, status: 200, want: []string{"已终止", "客户搬迁"}, wantNot: []string{"/renew"}},
		})
		en := loggedIn(t, w.a, "liwei")
		if r := en.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.Status != 303 {
			t.Fatalf("switch language: %d", r.Status)
		}
		body := en.Get(page).Body
		for _, want := range []string{"Terminated", "Contract value", "Special terms", "Implementation", "Group VPN"} {
			if !strings.Contains(body, want) {
				t.Errorf("the English page lacks %q", want)
			}
		}
	})
}

// TestContractFourEyesRouting: a chief rep's own contract goes to the
// director; the same director cannot take the director step too, which
// goes to another director of the branch (or the configured approver).
func TestContractFourEyesRouting(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d, func(o *appOptions) { o.Contracts.Fallback = "fuzong" })
		chief, director := w.approvers(t, w.cu)
		admin := subject(t, w.a, "admin")
		second, err := w.a.Org.CreateUser(ctx, admin.ID, org.UserInput{Username: "fuzong", Name: "副总", Role: "director", BranchID: director.BranchID, Password: "jike2026x", Lang: "zh-CN"})
		if err != nil {
			t.Fatal(err)
		}
		// The chief rep makes a big contract (chief and director steps).
		in := w.input(t, w.cu, w.contact, 0, 12)
		in.Lines = []contracts.LineInput{{ProductID: w.products[0].ID, Quantity: "20"}} // 20 × 5,000 × 12 + 40,000 = 1,240,000
		c, err := w.a.Contracts.Create(ctx, chief, in)
		if err != nil {
			t.Fatal(err)
		}
		if !c.NeedsDirector {
			t.Fatalf("total %s needs the director", c.TotalFen)
		}
		if c, err = w.a.Contracts.Submit(ctx, chief, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		_, err = w.a.Contracts.Decide(ctx, chief, c.ID, true, "")
		wantMsg(t, err, contracts.MsgOwnContract)
		_, err = w.a.Contracts.Decide(ctx, subject(t, w.a, "liwei"), c.ID, true, "")
		if err == nil || !strings.Contains(err.Error(), "forbidden") {
			t.Fatalf("the owner (an account manager) may not decide: %v", err)
		}
		if _, err := w.a.Contracts.Decide(ctx, subject(t, w.a, "sunli"), c.ID, true, ""); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("another team's chief rep: %v", err)
		}
		// The approver queue agrees: not the creator's, the director's.
		if q, _ := w.a.Contracts.Queue(ctx, chief); len(q) != 0 {
			t.Fatalf("the creator's own queue lists it: %v", q)
		}
		if q, _ := w.a.Contracts.Queue(ctx, director); len(q) != 1 {
			t.Fatalf("the director's queue: %v", q)
		}
		if c, err = w.a.Contracts.Decide(ctx, director, c.ID, true, "同意"); err != nil || contracts.NextLevel(c) != contracts.LevelDirector {
			t.Fatalf("the director takes the chief step: %v %+v", err, c)
		}
		_, err = w.a.Contracts.Decide(ctx, director, c.ID, true, "")
		wantMsg(t, err, contracts.MsgApprovedStep)
		if c, err = w.a.Contracts.Decide(ctx, second.Subject(), c.ID, true, "同意"); err != nil || !c.IsApproved() {
			t.Fatalf("the second director takes the director step: %v %+v", err, c)
		}
		if *c.ChiefApprovedBy == *c.DirectorApprovedBy {
			t.Fatal("one person approved both steps")
		}
		// A director's own contract goes to the other director, never to
		// the creator.
		in.Title = "总经理直签协议"
		dc, err := w.a.Contracts.Create(ctx, director, in)
		if err != nil {
			t.Fatal(err)
		}
		if dc, err = w.a.Contracts.Submit(ctx, director, dc.ID, 0); err != nil {
			t.Fatal(err)
		}
		_, err = w.a.Contracts.Decide(ctx, chief, dc.ID, true, "")
		wantMsg(t, err, contracts.MsgDirectorStep)
		_, err = w.a.Contracts.Decide(ctx, director, dc.ID, true, "")
		wantMsg(t, err, contracts.MsgOwnContract)
		if dc, err = w.a.Contracts.Decide(ctx, second.Subject(), dc.ID, true, ""); err != nil || contracts.NextLevel(dc) != contracts.LevelDirector {
			t.Fatalf("%v %+v", err, dc)
		}
		// Nobody is left for the director step: it waits (the rule holds).
		for _, who := range []string{"wangjianguo", "fuzong", "zhaomin"} {
			if _, err := w.a.Contracts.Decide(ctx, subject(t, w.a, who), dc.ID, true, ""); err == nil {
				t.Fatalf("%s decided the director step of a contract made by the director after fuzong took the chief step", who)
			}
		}
	})
}

// TestContractsInBriefAndLists: the pre-visit brief lists the customer's
// contracts in force with their end dates; the list filters by status,
// value, ending and owner.
func TestContractsInBriefAndLists(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
		c := w.signed(t)
		at := time.Now().Add(48 * time.Hour).In(time.FixedZone("CST", 8*3600))
		p, err := w.a.Visits.CreatePlan(ctx, subject(t, w.a, "liwei"), visits.PlanInput{CustomerID: w.cu.ID, Date: at.Format("2006-01-02"),
			Time: "10:00", Kind: "care", Objective: "回访专线开通情况", Contacts: []uint{w.contact}})
		if err != nil {
			t.Fatal(err)
		}
		// A second, small contract made by hand, still a draft.
		in := w.input(t, w.cu, w.contact, 0, 6)
		in.Title = "短期视频会议协议"
		in.Lines = []contracts.LineInput{{ProductID: w.products[1].ID, Quantity: "10"}}
		small, err := w.a.Contracts.Create(ctx, subject(t, w.a, "liwei"), in)
		if err != nil {
			t.Fatal(err)
		}
		liwei := itoa(subject(t, w.a, "liwei").ID)
		runScenarios(t, w.a, []scenario{
			{name: "brief", as: "liwei", path: "/visits/" + itoa(p.ID) + "/brief", status: 200,
				want: []string{"在履行的合同（到期日）", c.Number, c.StartOn.Format("2006-01-02") + " 至 " + c.EndOn.Format("2006-01-02")}, wantNot: []string{"短期视频会议协议"}},
			{name: "the analysis marks us incumbent", as: "liwei", path: "/customers/" + itoa(w.cu.ID) + "/analysis", status: 200,
				want: []string{"我方在网合同", "在网（我方）", c.Number}, wantNot: []string{small.Number}},
			{name: "status filter", as: "liwei", path: "/contracts?status=draft", status: 200, want: []string{"短期视频会议协议"}, wantNot: []string{c.Number}},
			{name: "value range", as: "liwei", path: "/contracts?min=1000", status: 200, want: []string{c.Number}, wantNot: []string{small.Number}},
			{name: "value range upper", as: "liwei", path: "/contracts?max=999.99", status: 200, want: []string{small.Number}, wantNot: []string{c.Number}},
			{name: "bad amount", as: "liwei", path: "/contracts?min=abc", status: 200, want: []string{"请输入金额"}},
			{name: "ending within 400 days", as: "liwei", path: "/contracts?within=400", status: 200, want: []string{c.Number}, wantNot: []string{small.Number}},
			{name: "owner filter", as: "wangjianguo", path: "/contracts?owner=" + liwei, status: 200, want: []string{c.Number, "全部客户经理", "全部团队"}},
			{name: "sorted", as: "wangjianguo", path: "/contracts?sort=total&dir=desc", status: 200, want: []string{c.Number}},
			{name: "expiring page with filters", as: "zhaomin", path: "/contracts/expiring?within=400", status: 200, want: []string{c.Number, "导出 Excel"}},
			{name: "xlsx export", as: "zhaomin", path: "/contracts/export.xlsx?within=400", status: 200},
		})
		_ = proposals.StatusAccepted
	})
}
