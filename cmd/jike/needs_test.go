package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// TestNeedsAndAnalysisPages drives the customer analysis and needs pages
// through the real router: the owner works on them, another manager gets
// 404, the admin reads but gets 403 on writes, needs reach the customer's
// timeline and the lists are scoped.
func TestNeedsAndAnalysisPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newTestApp(t, d)
		mine := seedCustomer(t, a, "liwei", "李伟的医院客户", prospects.MakeCreditCode("91230103MA1000101"))
		theirs := seedCustomer(t, a, "zhangjing", "张静的证券客户", prospects.MakeCreditCode("91230103MA1000102"))
		ct, err := a.Prospects.SaveContact(ctx, subject(t, a, "liwei"), mine.ID, 0, prospects.ContactInput{Name: "王院长", Role: "decision"})
		if err != nil {
			t.Fatal(err)
		}
		theirNeed, err := a.Needs.SaveNeed(ctx, subject(t, a, "zhangjing"), theirs.ID, 0, needs.NeedInput{Category: "idc_cloud", Description: "证券交易系统灾备上云", Priority: "high"})
		if err != nil {
			t.Fatal(err)
		}
		// The app's own clock and zone: a service made here with default
		// options would be in another zone, a day apart for part of each day.
		soon := a.Needs.Today().AddDate(0, 0, 30).Format("2006-01-02")
		my, their := "/customers/"+itoa(mine.ID), "/customers/"+itoa(theirs.ID)
		theirNeedURL := "/needs/" + itoa(theirNeed.ID)
		runScenarios(t, a, []scenario{
			{name: "analysis page for the owner", as: "liwei", path: my + "/analysis", status: 200, want: []string{"客户分析", "现有业务", "痛点", "IT 预算（元/年）", "决策时间表", "还没有记录现有业务", `action="` + my + `/analysis/services"`}},
			{name: "analysis with a bad budget", as: "liwei", method: "POST", path: my + "/analysis", form: url.Values{"pain_points": {"专线经常中断"}, "it_budget": {"12.345"}, "version": {"0"}}, status: 422, want: []string{"最多两位小数", "专线经常中断", "has-error"}},
			{name: "analysis saved", as: "liwei", method: "POST", path: my + "/analysis", form: url.Values{"pain_points": {"专线经常中断"}, "it_budget": {"500000"}, "decision_calendar": {"每年 10 月做预算"}, "version": {"0"}}, status: 303, location: my + "/analysis"},
			{name: "stale analysis form", as: "liwei", method: "POST", path: my + "/analysis", form: url.Values{"pain_points": {"旧内容"}, "version": {"0"}}, status: 409, want: []string{"已被他人修改", "旧内容"}},
			{name: "service with errors", as: "liwei", method: "POST", path: my + "/analysis/services", form: url.Values{"service": {"fax"}, "supplier": {"cucc"}, "contract_end": {"明年"}}, status: 422, want: []string{"请从列表中选择", "请输入日期"}},
			{name: "competitor service added", as: "liwei", method: "POST", path: my + "/analysis/services", form: url.Values{"service": {"dedicated_line"}, "supplier": {"cucc"}, "description": {"互联网专线 200M"}, "monthly_spend": {"8800"}, "contract_end": {soon}}, status: 303, location: my + "/analysis"},
			{name: "analysis shows the service and days left", as: "liwei", path: my + "/analysis", status: 200, want: []string{"互联网专线 200M", "联通", "8,800.00", "剩 30 天", "专线经常中断", "data-confirm"}},
			{name: "home panel lists the expiring contract", as: "liwei", path: "/", status: 200, want: []string{"竞争对手合同即将到期", "李伟的医院客户", "剩 30 天", "条待解决需求"}},
			{name: "another manager's analysis is 404", as: "liwei", path: their + "/analysis", status: 404},
			{name: "posting to another manager's analysis is 404", as: "liwei", method: "POST", path: their + "/analysis", form: url.Values{"pain_points": {"x"}}, status: 404},
			{name: "another manager's services are 404", as: "liwei", method: "POST", path: their + "/analysis/services", form: url.Values{"service": {"voice"}, "supplier": {"self"}}, status: 404},
			{name: "admin reads the analysis without forms", as: "admin", path: my + "/analysis", status: 200, want: []string{"专线经常中断", "互联网专线 200M"}, wantNot: []string{`action="` + my + `/analysis"`}},
			{name: "admin may not write the analysis", as: "admin", method: "POST", path: my + "/analysis", form: url.Values{"pain_points": {"x"}}, status: 403},
			{name: "needs page for the owner", as: "liwei", path: my + "/needs", status: 200, want: []string{"客户需求", "登记需求", "提出人", "王院长", "还没有登记需求"}},
			{name: "need with errors", as: "liwei", method: "POST", path: my + "/needs", form: url.Values{"category": {""}, "description": {""}}, status: 422, want: []string{"必填", "has-error"}},
			{name: "need naming another customer's key person", as: "liwei", method: "POST", path: my + "/needs", form: url.Values{"category": {"dedicated_line"}, "description": {"专线"}, "contact_id": {"999999"}}, status: 422, want: []string{"提出人须为该客户的关键人"}},
			{name: "need recorded", as: "liwei", method: "POST", path: my + "/needs", form: url.Values{"category": {"dedicated_line"}, "description": {"远程会诊需要 100M 专线"}, "priority": {"high"}, "contact_id": {itoa(ct.ID)}}, status: 303, location: my + "/needs#need-"},
			{name: "needs page lists it", as: "liwei", path: my + "/needs", status: 200, want: []string{"远程会诊需要 100M 专线", "数据/专线", "待解决", "标记已解决"}},
			{name: "customer page links and timeline", as: "liwei", path: my, status: 200, want: []string{`href="` + my + `/analysis"`, `href="` + my + `/needs"`, "需求「远程会诊需要 100M 专线」已登记"}},
			{name: "another manager's needs page is 404", as: "liwei", path: their + "/needs", status: 404},
			{name: "adding a need to another manager's customer is 404", as: "liwei", method: "POST", path: their + "/needs", form: url.Values{"category": {"dedicated_line"}, "description": {"偷单"}}, status: 404},
			{name: "another manager's need edit is 404", as: "liwei", path: theirNeedURL + "/edit", status: 404},
			{name: "another manager's need status is 404", as: "liwei", method: "POST", path: theirNeedURL + "/status", form: url.Values{"status": {"closed"}}, status: 404},
			{name: "admin may not edit a need", as: "admin", path: theirNeedURL + "/edit", status: 403},
			{name: "owner edits the need", as: "zhangjing", path: theirNeedURL + "/edit", status: 200, want: []string{"编辑需求", "证券交易系统灾备上云", "标记已解决"}},
			{name: "status change goes back", as: "zhangjing", method: "POST", path: theirNeedURL + "/status", form: url.Values{"status": {"addressed"}, "next": {their + "/needs"}}, status: 303, location: their + "/needs"},
			{name: "status change ignores a foreign next", as: "zhangjing", method: "POST", path: theirNeedURL + "/status", form: url.Values{"status": {"closed"}, "next": {"//evil.example.com/"}}, status: 303, location: "/needs"},
			{name: "timeline shows the status", as: "zhangjing", path: their, status: 200, want: []string{"需求「证券交易系统灾备上云」状态：已解决", "需求「证券交易系统灾备上云」状态：已关闭"}},
			{name: "needs list is scoped for the manager", as: "liwei", path: "/needs", status: 200, want: []string{"远程会诊需要 100M 专线", "李伟的医院客户"}, wantNot: []string{"证券交易系统灾备上云"}},
			{name: "needs list for the chief rep", as: "zhaomin", path: "/needs", status: 200, want: []string{"远程会诊需要 100M 专线", "证券交易系统灾备上云", "全部客户经理"}},
			{name: "needs list filtered", as: "zhaomin", path: "/needs?status=closed&sort=priority&dir=desc", status: 200, want: []string{"证券交易系统灾备上云"}, wantNot: []string{"远程会诊需要 100M 专线"}},
			{name: "needs list search", as: "zhaomin", path: "/needs?q=%E4%BC%9A%E8%AF%8A", status: 200, want: []string{"远程会诊需要 100M 专线"}, wantNot: []string{"证券交易系统灾备上云"}},
			{name: "other branch director sees no needs", as: "liuzhiqiang", path: "/needs", status: 200, want: []string{"还没有需求"}, wantNot: []string{"远程会诊", "证券交易"}},
			{name: "admin reads the list without buttons", as: "admin", path: "/needs", status: 200, want: []string{"远程会诊需要 100M 专线", "证券交易系统灾备上云"}, wantNot: []string{"标记已解决"}},
			{name: "needs navigation", as: "liwei", path: "/needs", status: 200, want: []string{`href="/needs"`, "需求"}},
		})
		// The same pages in English (the language is the user's setting).
		en := loggedIn(t, a, "liwei")
		if res := en.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); res.Status != 303 {
			t.Fatalf("switch language: %d", res.Status)
		}
		for path, want := range map[string][]string{
			my + "/analysis": {"Customer analysis", "China Unicom", "30 days left", "Current services"},
			"/needs":         {"Needs", "Data / dedicated line", "Open", "Raised by"},
			my:               {"Need “远程会诊需要 100M 专线” recorded"},
			"/":              {"Competitor contracts ending soon", "open needs"},
		} {
			res := en.Get(path)
			for _, w := range want {
				if res.Status != 200 || !strings.Contains(res.Body, w) {
					t.Errorf("%s in English lacks %q (%d)", path, w, res.Status)
				}
			}
		}
		// A bad form changed nothing: one need each, one service row.
		var n, s int64
		d.Gorm.Model(&needs.Need{}).Count(&n)
		d.Gorm.Model(&needs.CustomerService{}).Count(&s)
		if n != 2 || s != 1 {
			t.Fatalf("%d needs, %d services", n, s)
		}
	})
}

// TestNeedsDemoSeeded loads the whole demo and checks the pages an account
// manager opens first render with data.
func TestNeedsDemoSeeded(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	ctx := context.Background()
	if _, err := a.Prospects.SeedDemo(ctx, demoSeed); err != nil {
		t.Fatal(err)
	}
	svc := a.Needs
	if _, _, err := svc.SeedDemo(ctx, demoSeed); err != nil {
		t.Fatal(err)
	}
	c := loggedIn(t, a, "liwei")
	home := c.Get("/")
	if home.Status != 200 || !strings.Contains(home.Body, "竞争对手合同即将到期") || strings.Contains(home.Body, "天内没有到期的竞争对手合同") {
		t.Fatalf("home: %d\n%.2000s", home.Status, home.Body)
	}
	list := c.Get("/needs?size=100")
	if list.Status != 200 || !strings.Contains(list.Body, "待解决") || !strings.Contains(list.Body, "pagination") {
		t.Fatalf("needs list: %d", list.Status)
	}
	rows, _, err := svc.ListNeeds(ctx, subject(t, a, "liwei"), needs.NeedFilter{Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("liwei has no demo needs: %v", err)
	}
	for _, page := range []string{"/analysis", "/needs", ""} {
		if res := c.Get("/customers/" + itoa(rows[0].CustomerID) + page); res.Status != 200 {
			t.Fatalf("%s: %d", page, res.Status)
		}
	}
}
