package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
)

// seedProduct adds a product to the catalogue as the demo admin.
func seedProduct(t *testing.T, a *app, in catalog.ProductInput) *catalog.Product {
	t.Helper()
	p, err := a.Catalog.Save(context.Background(), subject(t, a, "admin").ID, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// builderForm is a valid builder post with one line.
func builderForm(oppID, productID uint, qty, rate string) url.Values {
	return url.Values{
		"title": {"全省网点互联网专线方案"}, "opportunity_id": {itoa(oppID)}, "line_count": {"2"},
		"line_product_0": {itoa(productID)}, "line_qty_0": {qty}, "line_term_0": {"12"}, "line_rate_0": {rate},
		"background": {"客户在全省有 40 个网点。"}, "solution": {"双路由互联网专线，7×24 小时保障。"},
	}
}

// TestProposalPages drives the proposal workflow through the real router:
// the builder with bad input (nothing saved), the server's totals, the
// approval a discount beyond the floor needs, the chief rep's queue and
// decision, another team's 404 on every route including the PDF, sending
// (the opportunity moves to 方案提交), the PDF, a new version after
// sending, the timeline and the scoped list.
func TestProposalPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newTestApp(t, d)
		dia := seedProduct(t, a, catalog.ProductInput{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet 100M",
			Category: "dedicated_line", Unit: "条", Monthly: "5000", OneTime: "2000", FloorPercent: "85"})
		mine := seedCustomer(t, a, "liwei", "李伟的银行客户", prospects.MakeCreditCode("91230103MA1000201"))
		theirs := seedCustomer(t, a, "zhoujie", "周杰的保险客户", prospects.MakeCreditCode("91230103MA1000202"))
		opp, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: mine.ID, Title: "网点专线改造"})
		if err != nil {
			t.Fatal(err)
		}
		theirOpp, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "zhoujie"), prospects.OpportunityInput{CustomerID: theirs.ID, Title: "保险专线"})
		if err != nil {
			t.Fatal(err)
		}
		theirP, err := a.Proposals.Create(ctx, subject(t, a, "zhoujie"), proposals.Input{CustomerID: theirs.ID, OpportunityID: theirOpp.ID,
			Title: "周杰的保险方案", Lines: []proposals.LineInput{{ProductID: dia.ID, Quantity: "1"}}})
		if err != nil {
			t.Fatal(err)
		}
		my := "/customers/" + itoa(mine.ID)
		their := "/proposals/" + itoa(theirP.ID)
		count := func() int64 {
			var n int64
			if err := d.Gorm.Model(&proposals.Proposal{}).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}

		bad := builderForm(opp.ID, dia.ID, "0", "80")
		bad.Set("title", "")
		bad.Set("line_rate_1", "85.555")
		bad.Set("line_product_1", itoa(dia.ID))
		bad.Set("line_qty_1", "2")
		preview := builderForm(opp.ID, dia.ID, "3", "80")
		preview.Set("action", "preview")
		runScenarios(t, a, []scenario{
			{name: "builder", as: "liwei", path: my + "/proposals/new?opportunity=" + itoa(opp.ID), status: 200,
				want: []string{"新建方案", "DIA-100M · 互联网专线 100M", "最低 85%", "网点专线改造", "项目背景", "服务承诺", `name="line_count" value="3"`}},
			{name: "bad builder post", as: "liwei", method: "POST", path: my + "/proposals", form: bad, status: 422,
				want: []string{"必填", "数量须是 1 到 10,000,000 之间的整数", "执行价须是 0 到 100 之间的百分比", "has-error", "客户在全省有 40 个网点。"}},
			{name: "server-side totals", as: "liwei", method: "POST", path: my + "/proposals", form: preview, status: 200,
				// 3 × 5,000 × 80% = 12,000/month; one-time 3 × 2,000 × 80% = 4,800; × 12 + 4,800 = 148,800.
				want: []string{"¥12,000.00", "¥4,800.00", "¥148,800.00", "需要首席客户代表审批"}},
			{name: "add lines", as: "liwei", method: "POST", path: my + "/proposals", form: func() url.Values { f := builderForm(opp.ID, dia.ID, "3", "80"); f.Set("action", "more"); return f }(), status: 200,
				want: []string{`name="line_count" value="5"`, "line_product_4"}},
			{name: "builder for another team's customer", as: "liwei", path: "/customers/" + itoa(theirs.ID) + "/proposals/new", status: 404},
			{name: "admin may not build", as: "admin", path: my + "/proposals/new", status: 403},
		})
		if n := count(); n != 1 {
			t.Fatalf("bad input, previews and extra lines saved nothing: %d proposals", n)
		}

		am := loggedIn(t, a, "liwei")
		res := am.PostForm(my+"/proposals", builderForm(opp.ID, dia.ID, "3", "80"))
		if res.Status != 303 || !strings.HasPrefix(res.Location(), "/proposals/") {
			t.Fatalf("create: %d %s %s", res.Status, res.Location(), res.Body)
		}
		page := res.Location()
		p1 := strings.TrimPrefix(page, "/proposals/")
		runScenarios(t, a, []scenario{
			{name: "draft page", as: "liwei", path: page, status: 200,
				want: []string{"草稿", "需要审批的原因", "互联网专线 100M 的执行价 80% 低于客户经理权限 85%", "提交审批", "148,800.00", "人民币壹拾肆万捌仟捌佰元整", "双路由互联网专线"}},
			{name: "submit", as: "liwei", method: "POST", path: page + "/submit", form: url.Values{}, status: 303, location: page},
			{name: "pending page", as: "liwei", path: page, status: 200, want: []string{"待审批", "等待首席客户代表审批"}, wantNot: []string{`action="` + page + `/decide"`}},
			{name: "the chief rep's queue", as: "zhaomin", path: "/", status: 200, want: []string{"待我审批的方案", "全省网点互联网专线方案", "李伟的银行客户"}},
			{name: "the chief rep sees the decision form", as: "zhaomin", path: page, status: 200, want: []string{`action="` + page + `/decide"`, "审批（首席客户代表）"}},
			{name: "a manager may not decide", as: "liwei", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}}, status: 403},
			{name: "another team's chief rep: 404", as: "sunli", path: page, status: 404},
			{name: "another team's chief rep cannot decide", as: "sunli", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}}, status: 404},
			{name: "another team's queue is empty", as: "sunli", path: "/", status: 200, want: []string{"没有等待你审批的方案"}, wantNot: []string{"全省网点互联网专线方案"}},
			{name: "reject needs a comment", as: "zhaomin", method: "POST", path: page + "/decide", form: url.Values{"decision": {"reject"}}, status: 422, want: []string{"驳回时请写明原因"}},
			{name: "approve", as: "zhaomin", method: "POST", path: page + "/decide", form: url.Values{"decision": {"approve"}, "comment": {"同意，尽快签约"}}, status: 303, location: page},
			{name: "approved page", as: "liwei", path: page, status: 200, want: []string{"已审批", "同意，尽快签约", "赵敏", "已提交客户", "修改记录", "审批同意"}},
			{name: "another team's proposal: 404", as: "liwei", path: their, status: 404},
			{name: "another team's PDF: 404", as: "liwei", path: their + "/pdf", status: 404},
			{name: "another team's edit: 404", as: "liwei", path: their + "/edit", status: 404},
			{name: "another team's submit: 404", as: "liwei", method: "POST", path: their + "/submit", form: url.Values{}, status: 404},
			{name: "another team's send: 404", as: "liwei", method: "POST", path: their + "/send", form: url.Values{}, status: 404},
			{name: "send", as: "liwei", method: "POST", path: page + "/send", form: url.Values{}, status: 303, location: page},
			{name: "list is scoped", as: "liwei", path: "/proposals", status: 200, want: []string{"全省网点互联网专线方案", "已提交客户"}, wantNot: []string{"周杰的保险方案"}},
			{name: "list search", as: "zhaomin", path: "/proposals?q=" + url.QueryEscape("保险"), status: 200, want: []string{"没有符合条件的方案"}},
			{name: "list for the director", as: "wangjianguo", path: "/proposals?status=sent", status: 200, want: []string{"全省网点互联网专线方案"}, wantNot: []string{"周杰的保险方案"}},
			{name: "other branch director: 404", as: "liuzhiqiang", path: page + "/pdf", status: 404},
			{name: "list filtered by owner", as: "wangjianguo", path: "/proposals?owner=" + itoa(subject(t, a, "zhoujie").ID), status: 200, want: []string{"周杰的保险方案", "全部客户经理"}, wantNot: []string{"全省网点互联网专线方案"}},
			{name: "list sorted by total", as: "wangjianguo", path: "/proposals?sort=total&dir=desc", status: 200, want: []string{"周杰的保险方案", "全省网点互联网专线方案", "dir=asc&amp;sort=total"}},
			{name: "unknown sort falls back", as: "wangjianguo", path: "/proposals?sort=drop+table&dir=desc", status: 200, want: []string{"全省网点互联网专线方案"}},
			{name: "customer's proposals", as: "liwei", path: my + "/proposals", status: 200, want: []string{"全省网点互联网专线方案", "新建方案"}},
			{name: "timeline", as: "liwei", path: my, status: 200, want: []string{"新建方案《全省网点互联网专线方案》", "审批同意方案《全省网点互联网专线方案》第 1 版", "已提交客户", `href="` + my + `/proposals"`}},
		})
		o, err := a.ProspectStore.Opportunity(ctx, opp.ID)
		if err != nil || o.Stage != prospects.StageProposal {
			t.Fatalf("sending moves the opportunity to 方案提交: %v %+v", err, o)
		}

		pdfRes := am.Get(page + "/pdf")
		if pdfRes.Status != 200 || !bytes.HasPrefix([]byte(pdfRes.Body), []byte("%PDF-")) || !strings.Contains(pdfRes.Header.Get("Content-Type"), "application/pdf") {
			t.Fatalf("pdf: %d %q", pdfRes.Status, pdfRes.Header.Get("Content-Type"))
		}

		// Editing the sent version makes version 2; version 1 stays as sent.
		edit := am.Get(page + "/edit")
		if edit.Status != 200 || !strings.Contains(edit.Body, "保存后会生成第 2 版草稿") {
			t.Fatalf("edit a sent version: %d", edit.Status)
		}
		rev := builderForm(opp.ID, dia.ID, "3", "85")
		rev.Set("title", "全省网点互联网专线方案（修订）")
		rev.Set("lock_version", lockOf(t, a, p1))
		res = am.PostForm(page, rev)
		if res.Status != 303 || res.Location() == page {
			t.Fatalf("revise: %d %s %s", res.Status, res.Location(), res.Body)
		}
		runScenarios(t, a, []scenario{
			{name: "version 2", as: "liwei", path: res.Location(), status: 200, want: []string{"第 2 版", "草稿", "全省网点互联网专线方案（修订）", "全部版本"}, wantNot: []string{"需要审批的原因"}},
			{name: "version 1 unchanged", as: "liwei", path: page, status: 200, want: []string{"第 1 版", "已提交客户", "全省网点互联网专线方案"}, wantNot: []string{"（修订）</h1>"}},
		})

		// English, by the user's setting.
		if r := am.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.Status != 303 {
			t.Fatalf("switch language: %d", r.Status)
		}
		en := am.Get(page)
		for _, w := range []string{"Version 1", "Sent to customer", "Products and prices", "Total contract value", "Download PDF", "Dedicated Internet 100M"} {
			if !strings.Contains(en.Body, w) {
				t.Errorf("English page lacks %q", w)
			}
		}
		if b := am.Get(my + "/proposals/new").Body; !strings.Contains(b, "DIA-100M · Dedicated Internet 100M") {
			t.Error("the English builder does not offer the product under its English name")
		}
	})
}

// lockOf reads a version's lock for an edit form.
func lockOf(t *testing.T, a *app, id string) string {
	t.Helper()
	var p proposals.Proposal
	if err := a.DB.Gorm.First(&p, id).Error; err != nil {
		t.Fatal(err)
	}
	return itoa(uint(p.LockVersion))
}

// TestDemoProposals: the demo walks proposals into every state, gives
// every account manager some, and keeps versions consistent.
func TestDemoProposals(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := demoAppOn(t, d)
		var byStatus []struct {
			Status string
			N      int
		}
		if err := d.Gorm.Model(&proposals.Proposal{}).Select("status, COUNT(*) AS n").Group("status").Scan(&byStatus).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range byStatus {
			got[r.Status] = r.N
		}
		for _, st := range proposals.Statuses {
			if got[st] == 0 {
				t.Errorf("no demo proposal is %s: %v", st, got)
			}
		}
		var v2 int64
		d.Gorm.Model(&proposals.Proposal{}).Where("version = 2").Count(&v2)
		if v2 == 0 {
			t.Error("no demo proposal has a second version")
		}
		for _, am := range []string{"liwei", "zhoujie", "gaoyuan", "xupeng"} {
			rows, _, err := a.Proposals.List(ctx, subject(t, a, am), proposals.Filter{Limit: 10})
			if err != nil || len(rows) == 0 {
				t.Errorf("%s has no demo proposals (%v)", am, err)
			}
		}
		queue, err := a.Proposals.Queue(ctx, subject(t, a, "zhaomin"))
		if err != nil || len(queue) == 0 {
			t.Errorf("the demo chief rep's approval queue is empty (%v)", err)
		}
	})
}

// TestProposalFourEyesPages: the audit's cases through the real router
// (issue 8). The chief rep's own proposal goes to the director, the
// author's own decision is refused (403) and not offered, nobody's queue
// but the routed approver's lists it; a proposal nobody may approve
// cannot be submitted (the page says why, nothing changes); the
// configured fallback approver reads and decides the director step of
// the director's proposal from another branch, and only while it waits
// for them.
func TestProposalFourEyesPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newTestApp(t, d, func(o *appOptions) { o.ApprovalFallback = []string{"liuzhiqiang"} })
		dia := seedProduct(t, a, catalog.ProductInput{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet 100M", Category: "dedicated_line", Unit: "条",
			Monthly: "5000", OneTime: "2000", FloorPercent: "85"})
		chiefs := seedCustomer(t, a, "zhaomin", "赵敏的能源客户", prospects.MakeCreditCode("91230103MA1000301"))
		liweis := seedCustomer(t, a, "liwei", "李伟的银行客户", prospects.MakeCreditCode("91230103MA1000302"))
		mk := func(who string, c *prospects.Customer, qty string) string {
			p, err := a.Proposals.Create(ctx, subject(t, a, who), proposals.Input{CustomerID: c.ID, Title: who + "的方案",
				Lines: []proposals.LineInput{{ProductID: dia.ID, Quantity: qty, TermMonths: "10", Rate: "100"}}})
			if err != nil {
				t.Fatal(err)
			}
			return "/proposals/" + itoa(p.ID)
		}
		// The audit's first case: the chief rep quotes ¥46,124,000 on her
		// own customer; chief step to the director, director step to the
		// fallback.
		own := mk("zhaomin", chiefs, "887")
		// The audit's second case: the director quotes ¥230,516,000; chief
		// step to the team's chief rep, director step to the fallback.
		dirs := mk("wangjianguo", liweis, "4433")
		runScenarios(t, a, []scenario{
			{name: "chief rep submits her own", as: "zhaomin", method: "POST", path: own + "/submit", form: url.Values{}, status: 303, location: own},
			{name: "the page names the approver", as: "zhaomin", path: own, status: 200, want: []string{"待审批", "审批人：王建国"}, wantNot: []string{`action="` + own + `/decide"`}},
			{name: "chief rep may not approve her own", as: "zhaomin", method: "POST", path: own + "/decide", form: url.Values{"decision": {"approve"}}, status: 403},
			{name: "not in her queue", as: "zhaomin", path: "/", status: 200, wantNot: []string{"zhaomin的方案"}},
			{name: "in the director's queue", as: "wangjianguo", path: "/", status: 200, want: []string{"zhaomin的方案"}},
			{name: "the director takes the chief step", as: "wangjianguo", method: "POST", path: own + "/decide", form: url.Values{"decision": {"approve"}}, status: 303, location: own},
			{name: "but not the director step too", as: "wangjianguo", method: "POST", path: own + "/decide", form: url.Values{"decision": {"approve"}}, status: 403},
			{name: "the fallback reads it", as: "liuzhiqiang", path: own, status: 200, want: []string{"审批人：刘志强", `action="` + own + `/decide"`}},
			{name: "and its PDF", as: "liuzhiqiang", path: own + "/pdf", status: 200},
			{name: "in the fallback's queue", as: "liuzhiqiang", path: "/", status: 200, want: []string{"zhaomin的方案"}},
		})
		// The fallback approves and goes home: the proposal is out of
		// their reach again.
		if res := loggedIn(t, a, "liuzhiqiang").PostForm(own+"/decide", url.Values{"decision": {"approve"}}); res.Status != 303 || res.Location() != "/" {
			t.Fatalf("the fallback's decision: %d → %q", res.Status, res.Location())
		}
		runScenarios(t, a, []scenario{
			{name: "decided: out of the fallback's reach", as: "liuzhiqiang", path: own, status: 404},
			{name: "approved", as: "zhaomin", path: own, status: 200, want: []string{"已审批", "王建国", "刘志强"}},

			{name: "director submits his own", as: "wangjianguo", method: "POST", path: dirs + "/submit", form: url.Values{}, status: 303, location: dirs},
			{name: "director may not approve his own", as: "wangjianguo", method: "POST", path: dirs + "/decide", form: url.Values{"decision": {"approve"}}, status: 403},
			{name: "the fallback may not jump the chief step", as: "liuzhiqiang", method: "POST", path: dirs + "/decide", form: url.Values{"decision": {"approve"}}, status: 404},
			{name: "the chief rep takes the chief step", as: "zhaomin", method: "POST", path: dirs + "/decide", form: url.Values{"decision": {"approve"}}, status: 303, location: dirs},
			{name: "the director still may not", as: "wangjianguo", method: "POST", path: dirs + "/decide", form: url.Values{"decision": {"approve"}}, status: 403},
		})
		if res := loggedIn(t, a, "liuzhiqiang").PostForm(dirs+"/decide", url.Values{"decision": {"approve"}}); res.Status != 303 || res.Location() != "/" {
			t.Fatalf("the fallback decides the director step: %d → %q", res.Status, res.Location())
		}
		for _, path := range []string{own, dirs} {
			var p proposals.Proposal
			if err := d.Gorm.First(&p, strings.TrimPrefix(path, "/proposals/")).Error; err != nil {
				t.Fatal(err)
			}
			if p.Status != proposals.StatusApproved || p.ChiefApprovedBy == nil || p.DirectorApprovedBy == nil ||
				*p.ChiefApprovedBy == *p.DirectorApprovedBy || *p.ChiefApprovedBy == *p.CreatedBy || *p.DirectorApprovedBy == *p.CreatedBy {
				t.Fatalf("%s: four eyes: %+v", path, p)
			}
		}

		// Without a fallback the director's big proposal cannot be
		// submitted, and the page says why.
		b := newTestApp(t, d)
		again := mk("wangjianguo", liweis, "4433")
		runScenarios(t, b, []scenario{
			{name: "no approver: refused", as: "wangjianguo", method: "POST", path: again + "/submit", form: url.Values{}, status: 422,
				want: []string{"没有人可以审批这一版方案", "JIKE_APPROVAL_FALLBACK"}},
			{name: "still a draft", as: "wangjianguo", path: again, status: 200, want: []string{"草稿"}, wantNot: []string{"待审批"}},
		})
	})
}

// TestProposalBuilderForeignIDs: every id the builder posts is checked
// against the same customer and the user's scope (issue 8, item 13): a
// need or an opportunity of another customer — one the user may see or
// one they may not — is refused with a message on create and on edit,
// and nothing is stored.
func TestProposalBuilderForeignIDs(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newTestApp(t, d)
		dia := seedProduct(t, a, catalog.ProductInput{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet 100M", Category: "dedicated_line", Unit: "条",
			Monthly: "5000", OneTime: "2000", FloorPercent: "85"})
		mine := seedCustomer(t, a, "liwei", "李伟的银行客户", prospects.MakeCreditCode("91230103MA1000401"))
		mine2 := seedCustomer(t, a, "liwei", "李伟的医院客户", prospects.MakeCreditCode("91230103MA1000402"))
		theirs := seedCustomer(t, a, "zhoujie", "周杰的保险客户", prospects.MakeCreditCode("91230103MA1000403"))
		need := func(who string, c *prospects.Customer) uint {
			n, err := a.Needs.SaveNeed(ctx, subject(t, a, who), c.ID, 0, needs.NeedInput{Category: "dedicated_line", Description: c.Name + "要专线"})
			if err != nil {
				t.Fatal(err)
			}
			return n.ID
		}
		myNeed, otherNeed, theirNeed := need("liwei", mine), need("liwei", mine2), need("zhoujie", theirs)
		opp, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: mine.ID, Title: "网点专线"})
		if err != nil {
			t.Fatal(err)
		}
		opp2, err := a.Prospects.CreateOpportunity(ctx, subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: mine2.ID, Title: "医院专线"})
		if err != nil {
			t.Fatal(err)
		}
		my := "/customers/" + itoa(mine.ID) + "/proposals"
		with := func(oppID uint, needs ...uint) url.Values {
			f := builderForm(oppID, dia.ID, "1", "100")
			for _, n := range needs {
				f.Add("need_id", itoa(n))
			}
			return f
		}
		count := func() int64 {
			var n int64
			d.Gorm.Model(&proposals.NeedLink{}).Count(&n)
			return n
		}
		runScenarios(t, a, []scenario{
			{name: "another customer's need I may see", as: "liwei", method: "POST", path: my, form: with(opp.ID, myNeed, otherNeed), status: 422, want: []string{"请从这个客户的需求中选择"}},
			{name: "a need I may not see", as: "liwei", method: "POST", path: my, form: with(opp.ID, theirNeed), status: 422, want: []string{"请从这个客户的需求中选择"}},
			{name: "an unknown need", as: "liwei", method: "POST", path: my, form: with(opp.ID, 999999), status: 422},
			{name: "another customer's opportunity", as: "liwei", method: "POST", path: my, form: with(opp2.ID), status: 422, want: []string{"请选择这个客户的商机"}},
		})
		var n int64
		d.Gorm.Model(&proposals.Proposal{}).Count(&n)
		if n != 0 || count() != 0 {
			t.Fatalf("refused forms stored %d proposals, %d need links", n, count())
		}
		res := loggedIn(t, a, "liwei").PostForm(my, with(opp.ID, myNeed))
		if res.Status != 303 {
			t.Fatalf("the customer's own need: %d %s", res.Status, res.Body)
		}
		page := res.Location()
		edit := with(opp.ID, myNeed, theirNeed)
		edit.Set("lock_version", lockOf(t, a, strings.TrimPrefix(page, "/proposals/")))
		runScenarios(t, a, []scenario{
			{name: "edit with a need I may not see", as: "liwei", method: "POST", path: page, form: edit, status: 422, want: []string{"请从这个客户的需求中选择"}},
		})
		if count() != 1 {
			t.Fatalf("the refused edit changed the cited needs: %d links", count())
		}
	})
}

// TestProposalDraftPDFAndPriceTable (issue 9): a version that is not
// approved says on its page why its PDF is a draft, and the PDF carries
// 草稿 · 未审批 on every page and 草稿 in its file name; once approved both
// are gone. The page's price table has the PDF's columns under the same
// names, in both languages, and catalogue units are translated in
// English on the page and in the PDF.
func TestProposalDraftPDFAndPriceTable(t *testing.T) {
	t.Parallel()
	pdftest.NeedTools(t, "pdftotext")
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		dia := seedProduct(t, a, catalog.ProductInput{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet 100M", Category: "dedicated_line", Unit: "条",
			Monthly: "600", OneTime: "2000", FloorPercent: "85"})
		mine := seedCustomer(t, a, "liwei", "李伟的银行客户", prospects.MakeCreditCode("91230103MA1000501"))
		opp, err := a.Prospects.CreateOpportunity(context.Background(), subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: mine.ID, Title: "网点专线"})
		if err != nil {
			t.Fatal(err)
		}
		am := loggedIn(t, a, "liwei")
		// 8 lines at ¥600, 70 %: below the floor, so the chief rep approves.
		res := am.PostForm("/customers/"+itoa(mine.ID)+"/proposals", builderForm(opp.ID, dia.ID, "8", "70"))
		if res.Status != 303 {
			t.Fatalf("create: %d", res.Status)
		}
		page := res.Location()
		pdfText := func(c *testkit.Client) (string, string) {
			r := c.Get(page + "/pdf")
			if r.Status != 200 {
				t.Fatalf("pdf: %d", r.Status)
			}
			// In drawing order (-raw) a wrapped header cell reads whole.
			return pdftest.NoSpace(pdftest.Run(t, "pdftotext", "-raw", pdftest.Write(t, []byte(r.Body)), "-")), r.Header.Get("Content-Disposition")
		}
		// The table: the unit price is a unit price, the line monthly the
		// line's: 600 × 70 % = 420.00 per unit; 8 × 420 = 3,360.00.
		header := func(lang string) []string {
			var out []string
			for _, id := range proposals.PriceColumns {
				out = append(out, a.Server.I18n.T(lang, id))
			}
			return out
		}
		zhPage := am.Get(page).Body
		for _, want := range append(header("zh-CN"), "600.00", "70%", "420.00", "8 条", "3,360.00", "下载 PDF（草稿）", "尚未审批，不能作为报价交给客户") {
			if !strings.Contains(zhPage, want) {
				t.Errorf("draft page lacks %q", want)
			}
		}
		text, disp := pdfText(am)
		if want := pdftest.NoSpace(strings.Join(header("zh-CN"), "")); !strings.Contains(text, want) {
			t.Errorf("the PDF's header is not the page's: want %q", want)
		}
		for _, want := range []string{"草稿·未审批", "600.00", "70%", "420.00", "8条", "3,360.00"} {
			if !strings.Contains(text, want) {
				t.Errorf("draft PDF lacks %q", want)
			}
		}
		if !strings.Contains(disp, url.PathEscape("-草稿.pdf")) || !strings.Contains(disp, "draft.pdf") {
			t.Errorf("draft file name: %q", disp)
		}
		// Approved: no mark, no note, the plain file name.
		if r := am.PostForm(page+"/submit", url.Values{}); r.Status != 303 {
			t.Fatalf("submit: %d", r.Status)
		}
		if r := loggedIn(t, a, "zhaomin").PostForm(page+"/decide", url.Values{"decision": {"approve"}}); r.Status != 303 {
			t.Fatalf("approve: %d", r.Status)
		}
		if b := am.Get(page).Body; strings.Contains(b, "尚未审批，不能作为报价") || strings.Contains(b, "PDF（草稿）") {
			t.Error("the approved page still calls its PDF a draft")
		}
		text, disp = pdfText(am)
		if strings.Contains(text, "草稿") || strings.Contains(disp, "draft") || strings.Contains(disp, "%E8%8D%89") {
			t.Errorf("the approved PDF is marked as a draft (%q)", disp)
		}
		// English: the same columns, translated units.
		am.Lang = "en"
		if r := am.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.Status != 303 {
			t.Fatalf("switch language: %d", r.Status)
		}
		enPage := am.Get(page).Body
		for _, want := range append(header("en"), "8 line(s)") {
			if !strings.Contains(enPage, want) {
				t.Errorf("English page lacks %q", want)
			}
		}
		if strings.Contains(enPage, "8 条") {
			t.Error("the English page shows the Chinese unit")
		}
		text, _ = pdfText(am)
		if want := pdftest.NoSpace(strings.Join(header("en"), "")); !strings.Contains(text, want) || !strings.Contains(text, "8line(s)") {
			t.Errorf("English PDF: header %q or unit missing", want)
		}
	})
}

// TestProposalPDFExtensionBName: the audit's customer through the real
// router — a legal name with CJK Extension B characters and a section with
// them and an emoji come back from the downloaded PDF (pdftotext) as
// typed, the emoji as □, and never as "�" (issue 9).
func TestProposalPDFExtensionBName(t *testing.T) {
	t.Parallel()
	pdftest.NeedTools(t, "pdftotext")
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		const name = "𠀀𪚥科技有限公司"
		a := newTestApp(t, d)
		dia := seedProduct(t, a, catalog.ProductInput{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet 100M", Category: "dedicated_line", Unit: "条",
			Monthly: "600", OneTime: "0", FloorPercent: "85"})
		c := seedCustomer(t, a, "liwei", name, prospects.MakeCreditCode("91230103MA1000601"))
		p, err := a.Proposals.Create(context.Background(), subject(t, a, "liwei"), proposals.Input{CustomerID: c.ID, Title: "𪚥专网方案",
			Solution: "为" + name + "建设专网 🚀。", Lines: []proposals.LineInput{{ProductID: dia.ID, Quantity: "1"}}})
		if err != nil {
			t.Fatal(err)
		}
		am := loggedIn(t, a, "liwei")
		if page := am.Get("/proposals/" + itoa(p.ID)).Body; !strings.Contains(page, name) {
			t.Error("the page does not show the name")
		}
		res := am.Get("/proposals/" + itoa(p.ID) + "/pdf")
		if res.Status != 200 {
			t.Fatalf("pdf: %d", res.Status)
		}
		text := pdftest.Run(t, "pdftotext", "-raw", pdftest.Write(t, []byte(res.Body)), "-")
		if strings.ContainsRune(text, '\uFFFD') {
			t.Fatalf("U+FFFD in the PDF:\n%s", text)
		}
		flat := pdftest.NoSpace(text)
		for _, want := range []string{"呈送单位：" + name, "为" + name + "建设专网□。", "𪚥专网方案"} {
			if !strings.Contains(flat, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	})
}

// TestProposalListNamesOwnersAsTheyAre: the proposal list names each
// row's account manager from the people kept under the org version (not
// a statement per page), so a name changed — here in plain SQL, as
// another program would — shows on the next look, for the director and
// the admin.
func TestProposalListNamesOwnersAsTheyAre(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		for _, who := range []string{"wangjianguo", "admin"} {
			c := loggedIn(t, a, who)
			if res := c.Get("/proposals?status=sent"); res.Status != 200 || !strings.Contains(res.Body, "李伟") {
				t.Fatalf("%s: the list (%d) does not name 李伟", who, res.Status)
			}
		}
		if err := d.Gorm.Exec("UPDATE users SET name = ? WHERE username = ?", "李伟东", "liwei").Error; err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"wangjianguo", "admin"} {
			if res := loggedIn(t, a, who).Get("/proposals?status=sent"); res.Status != 200 || !strings.Contains(res.Body, "李伟东") {
				t.Errorf("%s: after the rename the list (%d) does not name 李伟东", who, res.Status)
			}
		}
	})
}
