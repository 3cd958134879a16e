package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// seedCustomer creates a customer owned by username through the service.
func seedCustomer(t *testing.T, a *app, username, name, code string) *prospects.Customer {
	t.Helper()
	ctx := context.Background()
	u, err := a.Org.Store().UserByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Prospects.CreateCustomer(ctx, u.Subject(), prospects.CustomerInput{
		Name: name, CreditCode: code, Industry: "finance", Grade: "A", Status: "prospect",
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func subject(t *testing.T, a *app, username string) authz.Subject {
	t.Helper()
	u, err := a.Org.Store().UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.Subject()
}

// TestCustomerScopesOverHTTP: another manager's customer is a 404 and
// never appears in a list, the board or an export.
func TestCustomerScopesOverHTTP(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		mine := seedCustomer(t, a, "liwei", "李伟的银行客户", prospects.MakeCreditCode("91230103MA1000001"))
		theirs := seedCustomer(t, a, "zhangjing", "张静的证券客户", prospects.MakeCreditCode("91230103MA1000002"))
		if _, err := a.Prospects.CreateOpportunity(context.Background(), subject(t, a, "zhangjing"), prospects.OpportunityInput{CustomerID: theirs.ID, Title: "证券专线机会"}); err != nil {
			t.Fatal(err)
		}
		theirURL := "/customers/" + itoa(theirs.ID)
		badCode := mine.CreditCode[:17] + "0"
		if strings.HasSuffix(mine.CreditCode, "0") {
			badCode = mine.CreditCode[:17] + "1"
		}
		runScenarios(t, a, []scenario{
			{name: "own customer page", as: "liwei", path: "/customers/" + itoa(mine.ID), status: 200, want: []string{"李伟的银行客户", "潜在客户判断", "决策链", "客户动态"}},
			{name: "another manager's customer is 404", as: "liwei", path: theirURL, status: 404},
			{name: "another manager's edit page is 404", as: "liwei", path: theirURL + "/edit", status: 404},
			{name: "posting to another manager's customer is 404", as: "liwei", method: "POST", path: theirURL + "/qualification", form: url.Values{"qual_pay": {"yes"}}, status: 404},
			{name: "list shows only own", as: "liwei", path: "/customers?all=1", status: 200, want: []string{"李伟的银行客户"}, wantNot: []string{"张静的证券客户"}},
			{name: "search cannot reach others", as: "liwei", path: "/customers?q=%E8%AF%81%E5%88%B8", status: 200, want: []string{"没有符合条件的客户"}},
			{name: "export CSV is scoped", as: "liwei", path: "/customers/export.csv", status: 200, want: []string{"李伟的银行客户"}, wantNot: []string{"张静的证券客户"}},
			{name: "board is scoped", as: "liwei", path: "/pipeline", status: 200, wantNot: []string{"证券专线机会"}},
			{name: "opportunity list is scoped", as: "liwei", path: "/opportunities", status: 200, wantNot: []string{"证券专线机会"}},
			{name: "chief rep sees the team", as: "zhaomin", path: "/customers?all=1", status: 200, want: []string{"李伟的银行客户", "张静的证券客户"}},
			{name: "chief rep board", as: "zhaomin", path: "/pipeline", status: 200, want: []string{"证券专线机会"}},
			{name: "other branch director sees neither", as: "liuzhiqiang", path: "/customers?all=1", status: 200, wantNot: []string{"李伟的银行客户", "张静的证券客户"}},
			{name: "other branch director gets 404", as: "liuzhiqiang", path: theirURL, status: 404},
			{name: "admin reads but cannot edit", as: "admin", path: theirURL + "/edit", status: 403},
			{name: "account manager cannot reassign", as: "liwei", path: "/customers/" + itoa(mine.ID) + "/reassign", status: 403},
			{name: "chief rep can reassign", as: "zhaomin", path: "/customers/" + itoa(mine.ID) + "/reassign", status: 200, want: []string{"张静"}},
			{name: "xlsx export", as: "zhaomin", path: "/customers/export.xlsx", status: 200},
			{name: "import template", as: "liwei", path: "/customers/import/template.xlsx", status: 200},
			{name: "new customer form", as: "liwei", path: "/customers/new", status: 200, want: []string{"统一社会信用代码", "在网运营商"}},
			{name: "bad credit code", as: "liwei", method: "POST", path: "/customers", form: url.Values{"name": {"测试公司"}, "credit_code": {badCode}, "industry": {"gov"}, "grade": {"C"}}, status: 422, want: []string{"校验位不正确"}},
			{name: "key person with errors", as: "liwei", method: "POST", path: "/customers/" + itoa(mine.ID) + "/contacts", form: url.Values{"contact_name": {"王主任"}, "mobile": {"12345"}, "role": {"decision"}}, status: 422, want: []string{"请输入 11 位手机号", `value="王主任"`, "has-error"}},
			{name: "opportunity with errors", as: "liwei", method: "POST", path: "/opportunities", form: url.Values{"customer_id": {itoa(mine.ID)}, "title": {""}, "monthly": {"12.345"}}, status: 422, want: []string{"必填", "最多两位小数"}},
			{name: "opportunity for another manager's customer is 404", as: "liwei", method: "POST", path: "/opportunities", form: url.Values{"customer_id": {itoa(theirs.ID)}, "title": {"偷单"}}, status: 404},
			{name: "duplicate code links to existing", as: "liwei", method: "POST", path: "/customers", form: url.Values{"name": {"完全不同"}, "credit_code": {mine.CreditCode}, "industry": {"gov"}, "grade": {"C"}}, status: 409, want: []string{"可能重复的客户", "/customers/" + itoa(mine.ID)}},
			{name: "duplicate of an invisible customer gives no link", as: "liwei", method: "POST", path: "/customers", form: url.Values{"name": {"别的名字"}, "credit_code": {theirs.CreditCode}, "industry": {"gov"}, "grade": {"C"}}, status: 409, want: []string{"该信用代码已登记为其他客户经理的客户，请联系 张静"}, wantNot: []string{"张静的证券客户", `href="` + theirURL + `"`}},
			{name: "a name fragment shows only one's own customers", as: "liwei", method: "POST", path: "/customers", form: url.Values{"name": {"客户"}, "credit_code": {prospects.MakeCreditCode("91230103MA1000009")}, "industry": {"gov"}, "grade": {"C"}}, status: 409, want: []string{"李伟的银行客户"}, wantNot: []string{"张静的证券客户", "张静", theirs.CreditCode}},
		})
	})
}

// TestPipelineMoveWithHTMX moves a card on the board the way the page
// does (htmx post with the CSRF header) and checks the answer is the
// refreshed board with the card in its new column.
func TestPipelineMoveWithHTMX(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	cu := seedCustomer(t, a, "liwei", "看板测试客户", prospects.MakeCreditCode("91230103MA1000003"))
	o, err := a.Prospects.CreateOpportunity(context.Background(), subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: cu.ID, Title: "视频会议项目"})
	if err != nil {
		t.Fatal(err)
	}
	c := loggedIn(t, a, "liwei")
	c.Get("/pipeline")
	post := func(form url.Values) *testkit.Response {
		req, _ := http.NewRequest(http.MethodPost, "/opportunities/"+itoa(o.ID)+"/stage", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "board")
		req.Header.Set("X-CSRF-Token", c.CSRF())
		return c.Do(req)
	}
	res := post(url.Values{"stage": {"negotiation"}, "from": {"board"}})
	if res.Status != 200 || !strings.Contains(res.Body, `id="board"`) || strings.Contains(res.Body, "<html") {
		t.Fatalf("board fragment: %d\n%.400s", res.Status, res.Body)
	}
	col := res.Body[strings.Index(res.Body, "col-negotiation"):]
	col = col[:strings.Index(col, "</section>")]
	if !strings.Contains(col, "视频会议项目") {
		t.Fatal("card not in the negotiation column")
	}
	res = post(url.Values{"stage": {"lost"}, "from": {"board"}})
	if res.Status != 422 || !strings.Contains(res.Body, "改为丢单须选择丢单原因") {
		t.Fatalf("lost without reason: %d", res.Status)
	}
	res = post(url.Values{"stage": {"lost"}, "lost_reason": {"price"}, "from": {"board"}})
	if res.Status != 200 {
		t.Fatalf("lost with reason: %d", res.Status)
	}
	hist, err := a.Prospects.StageHistory(context.Background(), subject(t, a, "liwei"), o.ID)
	if err != nil || len(hist) != 3 || hist[2].ToStage != "lost" {
		t.Fatalf("history: %v %+v", err, hist)
	}
	page := c.Get("/customers/" + itoa(cu.ID))
	if !strings.Contains(page.Body, "视频会议项目") || !strings.Contains(page.Body, "商务谈判 → 丢单") {
		t.Fatalf("timeline lacks the moves:\n%.2000s", page.Body[strings.Index(page.Body, "timeline"):])
	}
}

// TestImportThroughThePage uploads a CSV the way the import page does:
// the dry run reports every row, the commit imports the staged file.
func TestImportThroughThePage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	c := loggedIn(t, a, "liwei")
	c.Get("/customers/import")
	upload := func(name, content string) *testkit.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("_csrf", c.CSRF())
		_ = mw.WriteField("action", "dryrun")
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write([]byte(content))
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, "/customers/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.Do(req)
	}
	code1, code2 := prospects.MakeCreditCode("91230103MA1000011"), prospects.MakeCreditCode("91230103MA1000012")
	bad := "客户名称,统一社会信用代码,行业,客户等级\n好公司," + code1 + ",商贸,C\n坏公司,12345,商贸,C\n"
	res := upload("bad.csv", bad)
	if res.Status != 422 || !strings.Contains(res.Body, "文件未导入") || !strings.Contains(res.Body, "<td class=\"num\">3</td>") {
		t.Fatalf("bad file: %d\n%.3000s", res.Status, res.Body)
	}
	good := "客户名称,统一社会信用代码,行业,客户等级,关键人,手机,决策角色\n好公司," + code1 + ",商贸,C,王总,13900001111,决策人\n第二家公司," + code2 + ",能源,B,,,\n"
	res = upload("good.csv", good)
	if res.Status != 200 || !strings.Contains(res.Body, "检查通过") {
		t.Fatalf("good file: %d\n%.3000s", res.Status, res.Body)
	}
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(res.Body)
	if token == nil {
		t.Fatal("no commit token")
	}
	if n := countCustomersIn(t, a); n != 0 {
		t.Fatalf("dry run imported %d customers", n)
	}
	res = c.PostForm("/customers/import", url.Values{"action": {"commit"}, "token": {token[1]}, "ext": {".csv"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("commit: %d\n%.1000s", res.Status, res.Body)
	}
	if n := countCustomersIn(t, a); n != 2 {
		t.Fatalf("after commit: %d customers", n)
	}
	// The staged file is used once: a replay is refused.
	res = c.PostForm("/customers/import", url.Values{"action": {"commit"}, "token": {token[1]}, "ext": {".csv"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/customers/import") {
		t.Fatalf("replay: %d %s", res.Status, res.Location())
	}
	// Another user cannot commit someone else's staged file.
	other := loggedIn(t, a, "zhangjing")
	res = upload("good2.csv", strings.ReplaceAll(good, "好公司", "好公司二"))
	_ = res
	other.Get("/customers/import")
	res = other.PostForm("/customers/import", url.Values{"action": {"commit"}, "token": {token[1]}, "ext": {".csv"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/customers/import") {
		t.Fatalf("foreign token: %d %s", res.Status, res.Location())
	}
}

func countCustomersIn(t *testing.T, a *app) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Gorm.Model(&prospects.Customer{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
